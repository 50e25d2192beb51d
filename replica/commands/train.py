"""``replica train``: train a small network on teacher-student data with SGD, GD, Entropy-SGD or
Replicated-SGD and report training/test error and the Monte Carlo local energy of the result
(:mod:`replica.flatness.entropic`, :mod:`replica.flatness.small_nets`)."""
from __future__ import annotations

from ..errors import ReplicaInputError
from ._common import add_json_flag, emit, number


def register(sub) -> None:
    p = sub.add_parser("train", help="SGD / Entropy-SGD / Replicated-SGD on teacher-student data")
    p.add_argument("--algorithm", required=True, help="sgd, gd, esgd or rsgd")
    p.add_argument("--model", required=True, help="perceptron, committee or mlp")
    p.add_argument("--N", type=int, default=99, help="input dimension (default 99)")
    p.add_argument("--alpha", type=number, default=2.0, help="training samples / N (default 2)")
    p.add_argument("--hidden", type=int, default=9, help="committee K / MLP hidden units")
    p.add_argument("--epochs", type=int, default=None)
    p.add_argument("--lr", type=number, default=None)
    p.add_argument("--batch-size", type=int, default=None, dest="batch_size")
    p.add_argument("--replicas", type=int, default=3, help="rsgd: number of replicas y")
    p.add_argument("--g0", type=number, default=None, help="rsgd: initial coupling")
    p.add_argument("--g1", type=number, default=None, help="rsgd: coupling growth per epoch")
    p.add_argument("--L", type=int, default=None, help="esgd: inner steps")
    p.add_argument("--gamma0", type=number, default=None, help="esgd: initial coupling")
    p.add_argument("--gamma1", type=number, default=None, help="esgd: scoping rate")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--sigma", type=number, nargs="*", default=[0.1, 0.3, 0.5],
                   help="noise strengths for the local energy")
    p.add_argument("--noise-samples", type=int, default=200, dest="noise_samples")
    add_json_flag(p)
    p.set_defaults(func=run)


def run(args):
    from ..flatness import experiments as ex

    if args.N < 3 or args.N > 100000:
        raise ReplicaInputError(f"N must be in [3, 100000], got {args.N}")
    if args.alpha <= 0:
        raise ReplicaInputError(f"alpha must be > 0, got {args.alpha}")
    overrides = {k: getattr(args, k) for k in ("epochs", "lr", "batch_size", "g0", "g1", "L",
                                               "gamma0", "gamma1")
                 if getattr(args, k) is not None}
    r = ex.train_one(args.model, args.algorithm, N=args.N, alpha=args.alpha, seed=args.seed,
                     hidden=args.hidden, replicas=args.replicas, sigmas=args.sigma,
                     noise_samples=args.noise_samples, **overrides)
    if args.json:
        emit(r, True)
    else:
        emit({k: v for k, v in r.items() if not isinstance(v, (list, dict))}, False)
        emit(r["local_energy"], False)
