"""``replica solve-finite``: learning algorithms on one seeded binary-perceptron instance."""
from __future__ import annotations

from ..errors import ReplicaInputError, check_memory
from ._common import add_json_flag, emit, integer, number


def register(sub) -> None:
    p = sub.add_parser("solve-finite",
                       help="run a learning algorithm (sbpi, sa, replicated) on a seeded binary "
                            "perceptron instance; the returned solution is verified")
    p.add_argument("--algorithm", required=True, choices=("sbpi", "sa", "replicated"),
                   help="sbpi (clipped perceptron), sa (simulated annealing) or replicated "
                        "(replicated simulated annealing)")
    p.add_argument("--n", type=integer, required=True,
                   help="number of weights N, 1..1000000 (P x N must fit in memory)")
    p.add_argument("--alpha", type=number, required=True, help="load P/N (P = round(alpha N))")
    p.add_argument("--seed", type=integer, default=0,
                   help="seed of the instance (patterns) and of the algorithm")
    p.add_argument("--patterns", default="pm1", choices=("pm1", "gaussian"),
                   help="pattern entries: pm1 (+-1) or gaussian")
    p.add_argument("--max-sweeps", type=integer, default=None,
                   help="sweep budget (default: sbpi 1000, sa and replicated 2000)")
    p.add_argument("--y", type=integer, default=None,
                   help="number of replicas (replicated; default 5)")
    p.add_argument("--energy", default=None, help="SA energy: hinge (default) or errors")
    p.add_argument("--stop", default=None,
                   help="replicated: stop at the first solved replica ('any', default) or only "
                        "when the centre of the replicas is a solution ('centre')")
    p.add_argument("--weights", action="store_true", help="include the weight vector in the output")
    add_json_flag(p)
    p.set_defaults(func=run)


def run(args):
    from ..finite_n.algorithms import ALGORITHMS, solve_binary
    from ..finite_n.enumerate import make_patterns, n_patterns

    if args.algorithm not in ALGORITHMS:
        raise ReplicaInputError(f"--algorithm must be one of {', '.join(ALGORITHMS)}, "
                                f"got {args.algorithm!r}")
    if not 1 <= args.n <= 10 ** 6:
        raise ReplicaInputError(f"--n must be in [1, 1000000] (and P x N floats must fit in "
                                f"memory), got {args.n}")
    if args.alpha < 0:
        raise ReplicaInputError(f"--alpha must be >= 0, got {args.alpha}")
    opts = {}
    if args.max_sweeps is not None:
        if args.max_sweeps < 1:
            raise ReplicaInputError(f"--max-sweeps must be >= 1, got {args.max_sweeps}")
        opts["max_sweeps"] = args.max_sweeps
    if args.y is not None:
        if args.algorithm != "replicated":
            raise ReplicaInputError("--y applies to --algorithm replicated only")
        opts["y"] = args.y
    if args.stop is not None:
        if args.algorithm != "replicated":
            raise ReplicaInputError("--stop applies to --algorithm replicated only")
        opts["stop"] = args.stop
    if args.energy is not None:
        if args.algorithm == "sbpi":
            raise ReplicaInputError("--energy applies to sa and replicated only")
        opts["energy"] = args.energy
    from ..finite_n.algorithms import check_budget
    from ..finite_n.enumerate import PATTERNS

    if args.patterns not in PATTERNS:
        raise ReplicaInputError(f"--patterns must be one of {', '.join(PATTERNS)}, "
                                f"got {args.patterns!r}")
    p = n_patterns(args.n, args.alpha)
    check_memory("--alpha", 16.0 * p * args.n, f"the patterns (P = {p} x N = {args.n} floats)")
    check_budget(args.algorithm, args.n, p, max_sweeps=args.max_sweeps, y=args.y,
                 names={"max_sweeps": "--max-sweeps", "y": "--y"})
    xi = make_patterns(args.n, p, args.seed, args.patterns)
    res = solve_binary(args.algorithm, xi, seed=args.seed, **opts)
    out = res.as_dict(with_weights=args.weights)
    out["patterns"] = args.patterns
    out["verified"] = "solved is recomputed from scratch: min_mu w.xi_mu/sqrt(N) >= 0"
    emit(out, args.json)
