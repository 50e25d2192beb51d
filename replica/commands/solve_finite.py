"""``replica solve-finite``: learning algorithms on one seeded binary-perceptron instance."""
from __future__ import annotations

import sys

from ..errors import ReplicaInputError, check_memory
from ._common import add_json_flag, emit, integer, number

_MP = ("amp", "rbp", "fbp", "bp-sample")
_NAMES = ("sbpi", "sa", "replicated") + _MP


def register(sub) -> None:
    p = sub.add_parser("solve-finite",
                       help="run a learning algorithm (sbpi, sa, replicated, or the message-passing "
                            "solvers amp, rbp, fbp, bp-sample) on a seeded binary perceptron "
                            "instance; the returned solution is verified")
    p.add_argument("--algorithm", required=True, help=", ".join(_NAMES))
    p.add_argument("--n", type=integer, required=True,
                   help="number of weights N, 1..1000000 (P x N must fit in memory)")
    p.add_argument("--alpha", type=number, required=True, help="load P/N (P = round(alpha N))")
    p.add_argument("--seed", type=integer, default=0,
                   help="seed of the instance (patterns) and of the algorithm (default 0)")
    p.add_argument("--patterns", default="pm1", help="pm1 (default) or gaussian")
    p.add_argument("--teacher", action="store_true",
                   help="teacher-student instance: labels from a random binary teacher (the "
                        "output then gives the overlap with it); default: random labels (storage)")
    p.add_argument("--max-sweeps", type=integer, default=None, help="sweep budget (sbpi, sa, replicated)")
    p.add_argument("--y", type=number, default=None,
                   help="number of replicas (replicated: default 5; fbp: default 7)")
    p.add_argument("--energy", default=None, help="SA energy: hinge (default) or errors")
    p.add_argument("--stop", default=None,
                   help="replicated: stop at the first solved replica ('any', default) or only "
                        "when the centre of the replicas is a solution ('centre')")
    p.add_argument("--kappa", type=number, default=None,
                   help="margin of the constraints (message-passing solvers only; default 0)")
    p.add_argument("--max-iter", type=integer, default=None,
                   help="iteration budget of the message-passing solvers (default: amp 1000, "
                        "rbp and fbp 20000, bp-sample 500 per stage)")
    p.add_argument("--schedule", default=None,
                   help="rbp reinforcement schedule: linear r_t = min(1, t step) (default) or "
                        "geometric r_t = 1 - (1 - step)^t")
    p.add_argument("--step", type=number, default=None,
                   help="rbp reinforcement step (default 1e-3)")
    p.add_argument("--gamma-step", type=number, default=None,
                   help="fbp: growth of the coupling per iteration, gamma_t = t * step (default 1e-2)")
    p.add_argument("--precision", default=None,
                   help="rbp, fbp: single (default; float32 pass on ±1 patterns, solutions "
                        "verified exactly) or double")
    p.add_argument("--damping", type=number, default=None,
                   help="message-passing damping in [0, 1) (default 0; fbp 0.2)")
    p.add_argument("--weights", action="store_true", help="include the weight vector in the output")
    add_json_flag(p)
    p.set_defaults(func=run)


def _progress(it, nerr):
    print(f"  iteration {it}: {nerr} violated constraints", file=sys.stderr, flush=True)


def run(args):
    import numpy as np

    from ..finite_n.algorithms import solve_binary
    from ..finite_n.amp import check_problem_size, make_teacher_student
    from ..finite_n.enumerate import make_patterns, n_patterns

    alg = args.algorithm
    if alg not in _NAMES:
        raise ReplicaInputError(f"--algorithm must be one of {', '.join(_NAMES)}, got {alg!r}")
    if not 1 <= args.n <= 10 ** 6:
        raise ReplicaInputError(f"--n must be in [1, 1000000], got {args.n}")
    if args.alpha < 0:
        raise ReplicaInputError(f"--alpha must be >= 0, got {args.alpha}")
    mp = alg in _MP
    opts = {}
    if args.max_sweeps is not None:
        if mp:
            raise ReplicaInputError("--max-sweeps applies to sbpi, sa and replicated; use --max-iter")
        if args.max_sweeps < 1:
            raise ReplicaInputError(f"--max-sweeps must be >= 1, got {args.max_sweeps}")
        opts["max_sweeps"] = args.max_sweeps
    if args.y is not None:
        if alg not in ("replicated", "fbp"):
            raise ReplicaInputError("--y applies to --algorithm replicated or fbp only")
        if alg == "replicated":
            if args.y != int(args.y):
                raise ReplicaInputError(f"--y must be an integer for replicated, got {args.y}")
            opts["y"] = int(args.y)
        else:
            opts["y"] = args.y
    if args.stop is not None:
        if alg != "replicated":
            raise ReplicaInputError("--stop applies to --algorithm replicated only")
        opts["stop"] = args.stop
    if args.energy is not None:
        if alg not in ("sa", "replicated"):
            raise ReplicaInputError("--energy applies to sa and replicated only")
        opts["energy"] = args.energy
    for name, key, allowed in (("--kappa", "kappa", _MP), ("--max-iter", "max_iter", _MP),
                               ("--damping", "damping", _MP), ("--schedule", "schedule", ("rbp",)),
                               ("--step", "step", ("rbp",)), ("--gamma-step", "gamma_step", ("fbp",)),
                               ("--precision", "precision", ("rbp", "fbp"))):
        val = getattr(args, key)
        if val is None:
            continue
        if alg not in allowed:
            raise ReplicaInputError(f"{name} applies to --algorithm {' or '.join(allowed)} only")
        if key == "max_iter" and val < 1:
            raise ReplicaInputError(f"--max-iter must be >= 1, got {val}")
        opts[key] = val
    if alg in ("rbp", "fbp"):
        opts["progress"] = _progress
    from ..finite_n.algorithms import ALGORITHMS, check_budget
    from ..finite_n.enumerate import PATTERNS

    if args.patterns not in PATTERNS:
        raise ReplicaInputError(f"--patterns must be one of {', '.join(PATTERNS)}, "
                                f"got {args.patterns!r}")
    p = n_patterns(args.n, args.alpha)
    check_problem_size(args.n, p)
    check_memory("--alpha", 16.0 * p * args.n, f"the patterns (P = {p} x N = {args.n} floats)")
    if alg in ALGORITHMS:
        check_budget(alg, args.n, p, max_sweeps=args.max_sweeps,
                     y=opts.get("y"), names={"max_sweeps": "--max-sweeps", "y": "--y"})
    teacher = None
    if args.teacher:
        xi, teacher = make_teacher_student(args.n, p, args.seed, args.patterns)
    else:
        xi = make_patterns(args.n, p, args.seed, args.patterns)
    res = solve_binary(alg, xi, seed=args.seed, **opts)
    out = res.as_dict(with_weights=args.weights)
    out["params"].pop("progress", None)
    out["patterns"] = args.patterns
    kap = res.params.get("kappa", 0.0)
    out["verified"] = f"solved is recomputed from scratch: min_mu w.xi_mu/sqrt(N) >= {kap:g}"
    if teacher is not None:
        out["teacher_overlap"] = float(np.dot(res.w.astype(float), teacher) / args.n)
    emit(out, args.json)
