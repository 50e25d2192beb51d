"""``replica threshold``: thresholds located as events and refined by bracketing (brentq).

    replica threshold capacity     --model binary --kappa 0 --json
    replica threshold kappa-max    --model spherical --alpha 1 --json
    replica threshold nonmonotonic --model binary --kappa-ref max [--kappa 0] --json
    replica threshold negative     --model binary --kappa-ref max --alpha-range 0.73 0.77
    replica threshold at           --model spherical --kappa -1       (alpha_AT(kappa))
    replica threshold at           --model spherical --alpha 5        (kappa_AT(alpha))
    replica threshold spinodal     --model teacher-student-binary     (alpha_AMP, a fold)
    replica threshold it           --model teacher-student-binary     (alpha_IT)

The JSON object holds the threshold under ``alpha`` (``kappa`` for kappa-max and for ``at``
given --alpha), the bracket of grid points where the indicator changes sign, the indicator values
there, the refined bracket and the number of indicator evaluations.
"""
from __future__ import annotations

from ._common import add_json_flag, emit, kappa_ref_value, number

KINDS = ("capacity", "kappa-max", "nonmonotonic", "negative", "at", "spinodal", "it")


def register(subparsers) -> None:
    p = subparsers.add_parser("threshold", help="capacity, kappa_max, local-entropy "
                              "transitions, AT line: events refined by bracketing",
                              description=__doc__.split("\n\n")[0])
    p.add_argument("kind", choices=KINDS)
    p.add_argument("--model", required=True,
                   choices=("binary", "spherical", "teacher-student-binary"),
                   help="binary | spherical; teacher-student-binary for spinodal and it")
    p.add_argument("--kappa", type=number, help="margin (of the neighbours, for the local-"
                   "entropy thresholds; default 0)")
    p.add_argument("--kappa-ref", type=kappa_ref_value, help="reference margin or 'max'")
    p.add_argument("--alpha", type=number, help="load (kappa-max; at)")
    p.add_argument("--alpha-range", type=number, nargs=2, metavar=("LO", "HI"),
                   help="alpha search grid for nonmonotonic/negative (default 0.1..0.995 "
                        "alpha_c(kappa_ref))")
    p.add_argument("--grid", type=int, default=None,
                   help="points of the search grid (default 12 in alpha, 8 in kappa_ref)")
    p.add_argument("--xtol", type=number, default=1e-6, help="bracketing tolerance (1e-6)")
    p.add_argument("--d-lo", type=number, default=1e-4,
                   help="smallest distance sampled by the local-entropy indicators")
    add_json_flag(p)
    p.set_defaults(func=run)


def run(args) -> int:
    from .. import thresholds as T
    from ..errors import ReplicaInputError

    kind, model = args.kind, args.model
    if (kind in ("spinodal", "it")) != (model == "teacher-student-binary"):
        raise ReplicaInputError("spinodal and it are the thresholds of --model "
                                "teacher-student-binary (and only they are)")
    if kind in ("spinodal", "it"):
        from .teacher_student import binary_transition
        emit(binary_transition(kind).as_dict(), args.json)
        return 0
    if args.xtol <= 0:
        raise ReplicaInputError(f"--xtol must be positive, got {args.xtol}")
    if args.grid is not None and args.grid < 2:
        raise ReplicaInputError(f"--grid must be at least 2, got {args.grid}")
    if kind == "capacity":
        res = T.capacity(model, 0.0 if args.kappa is None else args.kappa, xtol=args.xtol)
    elif kind == "kappa-max":
        if args.alpha is None:
            raise ReplicaInputError("kappa-max needs --alpha")
        res = T.kappa_max(model, args.alpha, xtol=args.xtol)
    elif kind == "at":
        if model != "spherical":
            raise ReplicaInputError("the AT line is computed for the spherical model (RS is "
                                    "exact for the binary perceptron while s > 0)")
        if (args.alpha is None) == (args.kappa is None):
            raise ReplicaInputError("at needs exactly one of --kappa (gives alpha_AT) or "
                                    "--alpha (gives kappa_AT)")
        res = (T.at_alpha(args.kappa, xtol=args.xtol) if args.kappa is not None
               else T.at_kappa(args.alpha, xtol=args.xtol))
    elif args.kappa_ref is None and args.alpha is not None:
        # at fixed alpha: the reference margin of the transition (kappa_u, kappa_min)
        fn = T.kappa_ref_nonmonotonic if kind == "nonmonotonic" else T.kappa_ref_negative
        res = fn(model, args.alpha, 0.0 if args.kappa is None else args.kappa,
                 n_grid=args.grid or 8, xtol=args.xtol, d_lo=args.d_lo)
    else:
        if args.kappa_ref is None:
            raise ReplicaInputError(f"{kind} needs --kappa-ref (a number or 'max'), or --alpha "
                                    f"for the reference margin of the transition at that alpha")
        fn = T.alpha_nonmonotonic if kind == "nonmonotonic" else T.alpha_negative
        res = fn(model, args.kappa_ref, 0.0 if args.kappa is None else args.kappa,
                 alpha_range=args.alpha_range, n_grid=args.grid or 12, xtol=args.xtol,
                 d_lo=args.d_lo)
    emit(res.as_dict(), args.json)
    return 0
