"""``replica enumerate``: exact enumeration of binary perceptrons at finite N (ground truth)."""
from __future__ import annotations

from ..errors import ReplicaInputError
from ._common import add_json_flag, emit, integer, number


def register(sub) -> None:
    p = sub.add_parser("enumerate",
                       help="exact enumeration of the binary perceptron (N <= 25): solution counts, "
                            "max margin, distance profiles, quenched averages")
    p.add_argument("--n", type=integer, required=True, help="number of weights N (2..25)")
    p.add_argument("--alpha", type=number, action="append", required=True,
                   help="load alpha = P/N (repeatable; P = round(alpha N), reported alpha = P/N)")
    p.add_argument("--kappa", type=number, action="append",
                   help="margin kappa (repeatable; default 0); 'count' is for the first one")
    p.add_argument("--instances", type=integer, default=10, help="number of seeded instances")
    p.add_argument("--seed", type=integer, default=0, help="seed of the instances")
    p.add_argument("--patterns", default="gaussian", choices=("gaussian", "pm1"),
                   help="pattern entries: gaussian or pm1 (+-1)")
    p.add_argument("--profiles", action="store_true",
                   help="include the distance profiles around the max-margin and a random solution")
    p.add_argument("--profile-kappa", type=number, default=0.0,
                   help="margin of the solutions counted in the profiles (default 0)")
    add_json_flag(p)
    p.set_defaults(func=run)


def run(args):
    from ..finite_n.enumerate import N_MAX, enumerate_perceptron

    if not 2 <= args.n <= N_MAX:
        raise ReplicaInputError(f"--n must be in [2, {N_MAX}] for exact enumeration, got {args.n}")
    if args.instances < 1:
        raise ReplicaInputError(f"--instances must be >= 1, got {args.instances}")
    for a in args.alpha:
        if a < 0:
            raise ReplicaInputError(f"--alpha must be >= 0, got {a}")
    kappas = args.kappa or [0.0]
    try:
        run_ = enumerate_perceptron(args.n, args.alpha, kappas, instances=args.instances,
                                    seed=args.seed, patterns=args.patterns,
                                    profile_kappa=args.profile_kappa, profiles=args.profiles)
    except ReplicaInputError as exc:   # the API's parameter names, as this command's options
        text = str(exc)
        for api, opt in (("instances:", "--instances:"), ("alpha:", "--alpha:")):
            if text.startswith(api):
                text = opt + text[len(api):]
        raise ReplicaInputError(text) from None
    rows = run_.rows()
    if not args.profiles:
        for r in rows:
            for k in ("profile_max_margin", "profile_random", "profile_kappa"):
                r.pop(k, None)
    summary = run_.summary()
    out = {"params": {"n": args.n, "alphas": args.alpha, "kappas": kappas,
                      "instances": args.instances, "seed": args.seed, "patterns": args.patterns,
                      "definition": "count = #{w in {-1,1}^N: min_mu w.xi_mu/sqrt(N) >= kappa}, "
                                    "first P = round(alpha N) patterns of each instance; "
                                    "entropy = mean over instances with count > 0 of ln(count)/N "
                                    "(frac_zero = fraction with count 0)"},
           "instances": rows, "summary": summary}
    if args.json:
        emit(out, True)
    else:
        emit(summary, False)
