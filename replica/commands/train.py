"""``replica train``: train a small network on teacher-student data with SGD, GD, Entropy-SGD or
Replicated-SGD and report training/test error and the Monte Carlo local energy of the result
(:mod:`replica.flatness.entropic`, :mod:`replica.flatness.small_nets`)."""
from __future__ import annotations

from ..errors import ReplicaInputError
from ._common import add_json_flag, add_model_arg, emit, integer, number

_NAMES = {"N": "--N", "alpha": "--alpha", "hidden": "--hidden", "replicas": "--replicas",
          "noise_samples": "--noise-samples", "epochs": "--epochs", "sigma": "--sigma",
          "K": "--hidden", "L": "--L", "lr": "--lr", "batch_size": "--batch-size"}


def register(sub) -> None:
    p = sub.add_parser("train", help="SGD / Entropy-SGD / Replicated-SGD on teacher-student data")
    p.add_argument("--algorithm", required=True, choices=("sgd", "gd", "esgd", "rsgd"),
                   help="sgd, gd (full batch), esgd (Entropy-SGD) or rsgd (Replicated-SGD)")
    add_model_arg(p, ("perceptron", "committee", "mlp"), "the network: perceptron, committee "
                  "(tree committee machine) or mlp (one hidden layer)")
    p.add_argument("--N", type=integer, default=99, help="input dimension, 3..100000")
    p.add_argument("--alpha", type=number, default=2.0, help="training samples / N")
    p.add_argument("--hidden", type=integer, default=9,
                   help="hidden units: committee K (odd, dividing N) or MLP width")
    p.add_argument("--epochs", type=integer, default=None,
                   help="training epochs (default: the algorithm's, 300 or 1000 for gd)")
    p.add_argument("--lr", type=number, default=None, help="learning rate (default: 3, esgd 1)")
    p.add_argument("--batch-size", type=integer, default=None, dest="batch_size",
                   help="minibatch size (default 20; not for gd)")
    p.add_argument("--replicas", type=integer, default=3, help="rsgd: number of replicas y")
    p.add_argument("--g0", type=number, default=None, help="rsgd: initial coupling (3e-3)")
    p.add_argument("--g1", type=number, default=None, help="rsgd: coupling growth per epoch "
                   "(0.05)")
    p.add_argument("--L", type=integer, default=None, help="esgd: inner steps (5)")
    p.add_argument("--gamma0", type=number, default=None, help="esgd: initial coupling (1e-3)")
    p.add_argument("--gamma1", type=number, default=None, help="esgd: scoping rate (1e-2)")
    p.add_argument("--seed", type=integer, default=0, help="seed of data, initialisation and "
                   "noise")
    p.add_argument("--sigma", type=number, nargs="*", default=[0.1, 0.3, 0.5],
                   help="noise strengths for the local energy")
    p.add_argument("--noise-samples", type=integer, default=200, dest="noise_samples",
                   help="Monte Carlo samples of the noise per sigma")
    add_json_flag(p)
    p.set_defaults(func=run)


def _cli_names(message: str) -> str:
    """The API's parameter names in a message, spelled as this command's options."""
    head, sep, rest = message.partition(" ")
    for word in (head.rstrip(":"),):
        if word in _NAMES:
            return _NAMES[word] + head[len(word):] + sep + rest
    return message


def run(args):
    from ..flatness import experiments as ex

    if not 3 <= args.N <= 100000:
        raise ReplicaInputError(f"--N must be in [3, 100000], got {args.N}")
    if args.alpha <= 0:
        raise ReplicaInputError(f"--alpha must be > 0, got {args.alpha}")
    if args.hidden < 1:
        raise ReplicaInputError(f"--hidden must be >= 1, got {args.hidden}")
    if args.model == "committee" and (args.hidden % 2 == 0 or args.N % args.hidden):
        raise ReplicaInputError(f"--hidden must be odd and divide --N for a committee, got "
                                f"--hidden {args.hidden} with --N {args.N}")
    for name in ("epochs", "batch_size", "L", "replicas", "noise_samples"):
        v = getattr(args, name)
        if v is not None and v < 1:
            raise ReplicaInputError(f"{_NAMES[name]} must be >= 1, got {v}")
    for name in ("lr", "g0", "g1", "gamma0", "gamma1"):
        v = getattr(args, name)
        if v is not None and v < 0:
            raise ReplicaInputError(f"--{name} must be >= 0, got {v}")
    if any(s < 0 for s in args.sigma):
        raise ReplicaInputError(f"--sigma values must be >= 0, got {args.sigma}")
    overrides = {k: getattr(args, k) for k in ("epochs", "lr", "batch_size", "g0", "g1", "L",
                                               "gamma0", "gamma1")
                 if getattr(args, k) is not None}
    try:
        r = ex.train_one(args.model, args.algorithm, N=args.N, alpha=args.alpha, seed=args.seed,
                         hidden=args.hidden, replicas=args.replicas, sigmas=args.sigma,
                         noise_samples=args.noise_samples, **overrides)
    except ReplicaInputError as exc:
        raise ReplicaInputError(_cli_names(str(exc))) from None
    if args.json:
        emit(r, True)
    else:
        emit({k: v for k, v in r.items() if not isinstance(v, (list, dict))}, False)
        if r["local_energy"]:
            emit(r["local_energy"], False)
