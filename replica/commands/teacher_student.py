"""``replica teacher-student``: the teacher-student perceptron (Gibbs learning, RS).

    replica teacher-student --weights binary --alpha 1.0 --json
    replica teacher-student --weights spherical --alpha 10 --json
    replica threshold spinodal --model teacher-student-binary --json   (alpha_AMP, a fold)
    replica threshold it       --model teacher-student-binary --json   (alpha_IT, phi = 0)

The JSON object holds ``r`` (overlap with the teacher), ``q`` (mutual overlap; q = r on the
Nishimori line), ``entropy`` (of the version space), ``eps_g`` = arccos(r)/pi, ``eps_bayes`` (the
centre of mass of the version space), ``branch`` ("student": the r < 1 branch connected to
alpha = 0; "teacher": the r = 1 state, binary only), ``status`` and, binary, ``metastable``
(the r < 1 branch where it exists but the teacher state dominates, alpha_IT < alpha <
alpha_AMP). ``--branch equilibrium`` (default) reports the state of larger free entropy.
"""
from __future__ import annotations

from ._common import add_json_flag, emit, number

BRANCHES = ("equilibrium", "student", "teacher")


def register(sub) -> None:
    p = sub.add_parser("teacher-student", help="teacher-student perceptron (Gibbs learning): "
                       "teacher overlap r, eps_g, version-space entropy at alpha",
                       description=__doc__.split("\n\n")[0])
    p.add_argument("--weights", required=True, choices=("binary", "spherical"),
                   help="prior of teacher and student (required)")
    p.add_argument("--alpha", type=number, required=True, help="load P/N >= 0 (required)")
    p.add_argument("--branch", choices=BRANCHES, default="equilibrium",
                   help="which state to report (default equilibrium: the larger free entropy; "
                        "student: the r < 1 branch; teacher: r = 1, binary only)")
    add_json_flag(p)
    p.set_defaults(func=run)


def _student_row(sol) -> dict:
    out = dict(sol.order)
    out.update({k: v for k, v in sol.thermo.items()})
    out.update(branch="student", status=sol.status, residual=sol.residual_norm,
               method=sol.method)
    return out


def run(args) -> int:
    from .. import models
    from ..errors import ConvergenceError, ReplicaInputError
    from ..models.teacher_student import teacher_state

    m = models.get(f"teacher-student-{args.weights}")
    p = m.validate({"alpha": args.alpha})
    if args.branch == "teacher" and args.weights != "binary":
        raise ReplicaInputError("--branch teacher: only the binary model has the r = 1 state")
    head = {"model": m.name, "weights": args.weights, "alpha": p["alpha"]}
    student = None
    if args.branch != "teacher":
        try:
            student = _student_row(m.saddle(p))
        except ConvergenceError:
            if args.branch == "student" or args.weights != "binary":
                raise
    teacher = None
    if args.weights == "binary":
        teacher = dict(teacher_state("binary"), qh=None, rh=None, branch="teacher",
                       status="exact")
        teacher = {k: v for k, v in teacher.items() if v is not None}
    if args.branch == "student" or (args.branch == "equilibrium" and teacher is None):
        out = {**head, **student}
    elif args.branch == "teacher":
        out = {**head, **teacher}
    else:
        if student is not None and student["entropy"] >= 0.0:
            out = {**head, **student}
        else:
            out = {**head, **teacher}
            if student is not None:
                out["metastable"] = {k: student[k] for k in ("r", "q", "entropy", "eps_g")}
                out["note"] = ("alpha_IT < alpha < alpha_AMP: the r < 1 branch exists with "
                               "negative free entropy (metastable); the teacher state dominates")
            else:
                out["note"] = "alpha > alpha_AMP: the r < 1 branch no longer exists"
    emit(out, args.json)
    return 0


def binary_transition(kind: str, *, to: float = 1.7):
    """The binary first-order transition as a :class:`replica.thresholds.Threshold`:
    ``"spinodal"`` = the fold of the r < 1 branch (alpha_AMP), ``"it"`` = the zero of its free
    entropy (alpha_IT, where the teacher state's phi = 0 takes over), both located by the
    continuation engine along alpha from alpha = 0.5."""
    from .. import thresholds

    if kind == "spinodal":
        return thresholds.fold("teacher-student-binary", {"alpha": 0.5}, "alpha", to=to)
    return thresholds.event("teacher-student-binary", {"alpha": 0.5}, "alpha", "entropy",
                            to=to, name="alpha_IT")


def run_ogp(args) -> int:
    """``replica threshold ogp --model teacher-student-binary --m M [--kappa K]``: the
    teacher-student m-overlap-gap threshold alpha_OGP(m) = min_q1 alpha_m(q1) at zero training
    error (:func:`replica.models.ts_mclone.alpha_ogp`). JSON keys: ``alpha``, ``q1`` (the
    clones' mutual overlap at the minimum), ``m``, ``kappa``, ``r`` and ``eps_g`` (a clone's
    teacher overlap and generalisation error there), ``q0``, ``residual``, ``grid_q1``,
    ``grid_alpha`` (the tabulated alpha_m(q1))."""
    from ..models.ts_mclone import alpha_ogp

    res = alpha_ogp(4 if args.m is None else args.m,
                    kappa=0.0 if args.kappa is None else args.kappa)
    emit({"model": "teacher-student-binary", "threshold": "ogp", **res}, args.json)
    return 0
