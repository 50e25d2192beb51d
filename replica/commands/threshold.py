"""``replica threshold``: thresholds located as events and refined by bracketing (brentq).

    replica threshold capacity     --model binary --kappa 0 --json
    replica threshold kappa-max    --model spherical --alpha 1 --json
    replica threshold nonmonotonic --model binary --kappa-ref max [--kappa 0] --json
    replica threshold negative     --model binary --kappa-ref max --alpha-range 0.73 0.77
    replica threshold negative     --model binary --alpha 0.6 [--scan kappa-ref]
    replica threshold at           --model spherical --kappa -1       (alpha_AT(kappa))
    replica threshold at           --model spherical --alpha 5        (kappa_AT(alpha))
    replica threshold ogp          --model sbp --m 4 [--kappa 1]      (alpha_OGP(m), q1)
    replica threshold spinodal     --model teacher-student-binary     (alpha_AMP, a fold)
    replica threshold it           --model teacher-student-binary     (alpha_IT)
    replica threshold ogp          --model teacher-student-binary --m 4   (alpha_OGP(m), q1)

For nonmonotonic and negative, --scan names what is searched: ``alpha`` at fixed --kappa-ref,
or ``kappa-ref`` at fixed --alpha; without --scan it is the one of the two that is not given.
An option that does not apply to the chosen threshold is an error, never ignored.

The JSON object holds the threshold under ``alpha`` (``kappa`` for kappa-max and for ``at``
given --alpha), the bracket of grid points where the indicator changes sign, the indicator values
there, the refined bracket and the number of indicator evaluations, and ``status``: "found", or,
for nonmonotonic/negative at fixed --alpha, "absent" when the event does not exist at that alpha
(above the max-margin events every reference up to kappa_max(alpha) is non-monotonic, resp.
isolated): then ``kappa_ref`` is null, ``reason`` says why and names the bounding max-margin
event, ``indicator_values`` holds the indicator at kappa_ref = kappa_max(alpha), and the exit
code is 0 (an answer, not a failure).
"""
from __future__ import annotations

import sys

from ._common import add_json_flag, add_model_arg, emit, kappa_ref_value, number, positive_int

KINDS = ("capacity", "kappa-max", "nonmonotonic", "negative", "at", "ogp", "spinodal", "it")


#: the options each kind uses (any other option given is an error)
_USES = {"capacity": {"kappa", "xtol"},
         "kappa-max": {"alpha", "xtol"},
         "at": {"kappa", "alpha", "xtol", "grid"},
         "nonmonotonic": {"kappa", "kappa_ref", "alpha", "alpha_range", "grid", "xtol", "d_lo",
                          "scan", "measure", "free_reference"},
         "negative": {"kappa", "kappa_ref", "alpha", "alpha_range", "grid", "xtol", "d_lo",
                      "scan", "measure", "free_reference"},
         "ogp": {"kappa", "m"}, "spinodal": set(), "it": set()}
_OPTION = {"kappa": "--kappa", "kappa_ref": "--kappa-ref", "alpha": "--alpha",
           "alpha_range": "--alpha-range", "grid": "--grid", "xtol": "--xtol", "d_lo": "--d-lo",
           "scan": "--scan", "m": "--m", "measure": "--measure",
           "free_reference": "--free-reference"}


def register(subparsers) -> None:
    p = subparsers.add_parser("threshold", help="capacity, kappa_max, local-entropy "
                              "transitions, AT line: events refined by bracketing",
                              description=__doc__.split("\n\n")[0])
    p.add_argument("kind", choices=KINDS,
                   help="which threshold: capacity alpha_c(kappa), kappa-max(alpha), "
                        "nonmonotonic / negative (local-entropy transitions), at (AT line), "
                        "ogp (m-overlap gap, replica rsb1), spinodal / it (teacher-student binary: "
                        "alpha_AMP fold, alpha_IT)")
    add_model_arg(p, ("binary", "spherical", "sbp", "teacher-student-binary"),
                  "weights: binary or spherical; sbp (symmetric binary perceptron) for ogp "
                  "only; teacher-student-binary for spinodal, it and ogp")
    p.add_argument("--m", type=positive_int, default=None,
                   help="ogp: number of clones (default 4); see 'replica rsb1 ogp'")
    p.add_argument("--kappa", type=number, help="margin (of the neighbours, for the local-"
                   "entropy thresholds; default 0)")
    p.add_argument("--kappa-ref", type=kappa_ref_value,
                   help="reference margin or 'max' (nonmonotonic, negative at fixed kappa_ref)")
    p.add_argument("--alpha", type=number, help="load (kappa-max; at; nonmonotonic/negative at "
                   "fixed alpha)")
    p.add_argument("--scan", choices=("alpha", "kappa-ref"),
                   help="nonmonotonic/negative: the searched parameter (default: the one of "
                        "--alpha / --kappa-ref not given)")
    p.add_argument("--alpha-range", type=number, nargs=2, metavar=("LO", "HI"),
                   help="alpha search grid for --scan alpha (default 0.1..0.995 "
                        "alpha_c(kappa_ref))")
    p.add_argument("--grid", type=positive_int, default=None,
                   help="points of the search grid, 2..10000 (default 12 in alpha, 8 in "
                        "kappa_ref, 40 for at)")
    p.add_argument("--xtol", type=number, default=None, help="bracketing tolerance (default "
                   "1e-6)")
    p.add_argument("--d-lo", type=number, default=None,
                   help="smallest distance sampled by the local-entropy indicators (default "
                        "1e-4)")
    p.add_argument("--measure", choices=("flat", "large-deviation"), default=None,
                   help="reference measure of the local-entropy thresholds: flat (default) or "
                        "large-deviation (y = inf, docs/THEORY.md 8.2)")
    p.add_argument("--free-reference", action="store_true", default=None,
                   help="large-deviation: unconstrained reference (default off)")
    add_json_flag(p)
    p.set_defaults(func=run)


def _progress(variable, kind):
    """One stderr line per indicator evaluation of a local-entropy event search (stdout, and so
    --json, stays clean)."""
    label = "min dS/dd" if kind == "nonmonotonic" else "min S"

    def report(x, v):
        print(f"{variable} = {x:.6g}: {label} = {v:.6g}", file=sys.stderr, flush=True)
    return report


def run(args) -> int:
    from .. import thresholds as T
    from ..errors import ReplicaInputError

    kind, model = args.kind, args.model
    given = {k for k in _OPTION if getattr(args, k) is not None}
    extra = sorted(given - _USES[kind])
    if extra:
        raise ReplicaInputError(f"threshold {kind} does not use "
                                f"{', '.join(_OPTION[k] for k in extra)}")
    if kind == "ogp" and model == "teacher-student-binary":   # m clones with a teacher
        from .teacher_student import run_ogp as run_ts_ogp
        return run_ts_ogp(args)
    if (kind in ("spinodal", "it")) != (model == "teacher-student-binary"):
        raise ReplicaInputError("spinodal and it are the thresholds of --model "
                                "teacher-student-binary (and only they are)")
    if kind in ("spinodal", "it"):  # the binary teacher-student transition (engine fold/event)
        from .teacher_student import binary_transition
        emit(binary_transition(kind).as_dict(), args.json)
        return 0
    if args.measure == "large-deviation":
        from ._ld import run_threshold
        args.xtol = 1e-6 if args.xtol is None else args.xtol
        return run_threshold(args)
    if args.free_reference:
        raise ReplicaInputError("--free-reference needs --measure large-deviation")
    if (kind in ("spinodal", "it")) != (model == "teacher-student-binary"):
        raise ReplicaInputError("spinodal and it are the thresholds of --model "
                                "teacher-student-binary (and only they are)")
    if kind in ("spinodal", "it"):
        from .teacher_student import binary_transition
        emit(binary_transition(kind).as_dict(), args.json)
        return 0
    if kind == "ogp":  # m-overlap-gap threshold (replica.commands.rsb1)
        from .rsb1 import run_ogp
        return run_ogp(args)
    if model == "sbp":
        raise ReplicaInputError(f"--model sbp is available for ogp only, not {kind}")
    xtol = 1e-6 if args.xtol is None else args.xtol
    d_lo = 1e-4 if args.d_lo is None else args.d_lo
    if xtol <= 0:
        raise ReplicaInputError(f"--xtol must be positive, got {xtol}")
    if not 0 < d_lo < 0.5:
        raise ReplicaInputError(f"--d-lo must be in (0, 0.5), got {d_lo}")
    if args.grid is not None and not 2 <= args.grid <= 10 ** 4:
        raise ReplicaInputError(f"--grid must be in [2, 10000], got {args.grid}")
    if kind == "capacity":
        res = T.capacity(model, 0.0 if args.kappa is None else args.kappa, xtol=xtol)
    elif kind == "kappa-max":
        if args.alpha is None:
            raise ReplicaInputError("threshold kappa-max needs --alpha")
        res = T.kappa_max(model, args.alpha, xtol=xtol)
    elif kind == "at":
        if model != "spherical":
            raise ReplicaInputError("the AT line is computed for the spherical model (RS is "
                                    "exact for the binary perceptron while s > 0)")
        if (args.alpha is None) == (args.kappa is None):
            raise ReplicaInputError("threshold at needs exactly one of --kappa (gives "
                                    "alpha_AT) or --alpha (gives kappa_AT)")
        n = args.grid or 40
        res = (T.at_alpha(args.kappa, xtol=xtol, n_grid=n) if args.kappa is not None
               else T.at_kappa(args.alpha, xtol=xtol, n_grid=n))
    else:
        scan = args.scan or ("kappa-ref" if args.alpha is not None and args.kappa_ref is None
                             else "alpha")
        kappa = 0.0 if args.kappa is None else args.kappa
        if scan == "kappa-ref":
            if args.alpha is None:
                raise ReplicaInputError(f"threshold {kind} --scan kappa-ref needs --alpha")
            if args.kappa_ref is not None or args.alpha_range is not None:
                bad = "--kappa-ref" if args.kappa_ref is not None else "--alpha-range"
                raise ReplicaInputError(f"threshold {kind} --scan kappa-ref does not use {bad}")
            fn = T.kappa_ref_nonmonotonic if kind == "nonmonotonic" else T.kappa_ref_negative
            res = fn(model, args.alpha, kappa, n_grid=args.grid or 8, xtol=xtol, d_lo=d_lo,
                     progress=_progress("kappa_ref", kind))
        else:
            if args.kappa_ref is None:
                raise ReplicaInputError(f"threshold {kind} --scan alpha needs --kappa-ref (a "
                                        "number or 'max')")
            if args.alpha is not None:
                raise ReplicaInputError(f"threshold {kind} --scan alpha does not use --alpha "
                                        "(give --alpha-range LO HI for the search)")
            fn = T.alpha_nonmonotonic if kind == "nonmonotonic" else T.alpha_negative
            res = fn(model, args.kappa_ref, kappa, alpha_range=args.alpha_range,
                     n_grid=args.grid or 12, xtol=xtol, d_lo=d_lo,
                     progress=_progress("alpha", kind))
    emit(res.as_dict(), args.json)
    return 0
