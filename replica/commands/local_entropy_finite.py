"""``replica local-entropy-finite``: the local entropy around solutions found by an algorithm at
large N, by belief propagation (AMP) on the tilted measure (replica.finite_n.local_entropy_bp)."""
from __future__ import annotations

import sys

from ..errors import ReplicaInputError
from ._common import add_json_flag, emit, number


def register(sub) -> None:
    p = sub.add_parser("local-entropy-finite",
                       help="local entropy S(d) around a solution found by an algorithm, at large N, "
                            "by AMP on the measure tilted by exp(gamma w.w_ref), swept in gamma")
    p.add_argument("--n", type=int, required=True, help="number of weights N")
    p.add_argument("--alpha", type=number, required=True, help="load P/N (P = round(alpha N))")
    # the choices are spelled out here (not imported): the parser of every command is built at
    # start-up, and replica.finite_n.local_entropy_bp compiles numba kernels on import
    p.add_argument("--reference", default="fbp",
                   choices=("fbp", "rbp", "sbpi", "sa", "replicated", "bp-sample"),
                   help="algorithm that finds the reference (default fbp)")
    p.add_argument("--seed", type=int, default=0, help="seed of the instances (default 0)")
    p.add_argument("--instances", type=int, default=2,
                   help="number of instances averaged (default 2; stderr needs >= 2)")
    p.add_argument("--kappa", type=number, default=0.0,
                   help="margin of the constraints (default 0; != 0 needs fbp, rbp or bp-sample)")
    p.add_argument("--points", type=int, default=20,
                   help="number of gamma values (default 20), placed where S ~ H2 would put d "
                        "geometrically in [--d-min, --d-max]")
    p.add_argument("--d-min", type=number, default=1e-3, help="smallest target distance (default 1e-3)")
    p.add_argument("--d-max", type=number, default=0.3, help="largest target distance (default 0.3)")
    p.add_argument("--patterns", default="gaussian",
                   help="gaussian (default) or pm1 (with even N, pm1 solutions have stabilities "
                        "exactly 0, on which BP around them does not converge)")
    add_json_flag(p)
    p.set_defaults(func=run)


def run(args):
    from ..finite_n.local_entropy_bp import default_gammas, local_entropy_instances

    if not 1 <= args.n <= 10 ** 6:
        raise ReplicaInputError(f"--n must be in [1, 1000000], got {args.n}")
    if args.alpha <= 0:
        raise ReplicaInputError(f"--alpha must be > 0, got {args.alpha}")
    if not 1 <= args.instances <= 10 ** 4:
        raise ReplicaInputError(f"--instances must be in [1, 10000], got {args.instances}")
    if not 1 <= args.points <= 1000:
        raise ReplicaInputError(f"--points must be in [1, 1000], got {args.points}")
    if not 0 < args.d_min < args.d_max < 0.5:
        raise ReplicaInputError(f"need 0 < --d-min < --d-max < 0.5, got {args.d_min}, {args.d_max}")
    g = default_gammas(args.points, args.d_min, args.d_max)

    def progress(msg):
        print(f"  {msg}", file=sys.stderr, flush=True)

    res = local_entropy_instances(args.n, args.alpha, args.reference, instances=args.instances,
                                  seed=args.seed, kappa=args.kappa, gammas=g,
                                  patterns=args.patterns, progress=progress)
    res.pop("curves")
    res["method"] = ("S(d) = phi(gamma) - gamma p(gamma), d = (1-p)/2, phi the Bethe free entropy "
                     "of AMP with field gamma w_ref; mean over instances converged at each gamma")
    if args.json:
        emit(res, True)
    else:
        rows = [{"gamma": g_, "d": d, "entropy": s, "stderr": e, "converged": c}
                for g_, d, s, e, c in zip(res["gamma"], res["d"], res["entropy"], res["stderr"],
                                          res["converged"])]
        emit(rows, False)
        print(f"# N = {res['n']}, alpha = {res['alpha']:g}, reference = {res['reference']}, "
              f"instances used {res['instances_used']}/{res['instances']} "
              f"(unsolved {res['unsolved']})")
