"""``replica local-energy``: replica prediction of the local energy dE(sigma) around a typical
margin-kappa solution or around the max-margin solution (Pittorino et al. 2021; docs/THEORY.md §4.1).

Noise: ``--noise gaussian`` (default, both models) perturbs w -> w (1 + sigma z); ``--noise flip``
(binary weights) reads the --sigma values as flip probabilities p in (0, 1/2].
"""
from __future__ import annotations

from ..errors import ReplicaInputError
from ._common import add_json_flag, add_model_arg, emit, kappa_ref_value, number


def register(sub) -> None:
    p = sub.add_parser("local-energy",
                       help="replica local energy dE(sigma) of typical or max-margin perceptron solutions")
    add_model_arg(p, ("binary", "spherical"), "weights: binary or spherical")
    p.add_argument("--alpha", type=number, required=True, help="load P/N > 0")
    g = p.add_mutually_exclusive_group(required=True)
    g.add_argument("--kappa", type=number, help="margin of the typical reference solutions")
    g.add_argument("--kappa-ref", type=kappa_ref_value, dest="kappa_ref",
                   help="reference margin: a number (typical solutions) or 'max' (max margin)")
    p.add_argument("--sigma", type=number, nargs="+", required=True,
                   help="noise strengths (Gaussian std, or flip probabilities with --noise flip)")
    p.add_argument("--noise", default="gaussian", choices=("gaussian", "flip"),
                   help="gaussian: w -> w (1 + sigma z); flip (binary): sigma read as flip "
                        "probabilities")
    add_json_flag(p)
    p.set_defaults(func=run)


def run(args):
    from ..flatness.local_energy import NOISES, local_energy_replica, small_sigma_slope

    if args.noise not in NOISES:
        raise ReplicaInputError(f"unknown noise {args.noise!r}; choose gaussian or flip")
    if args.noise == "flip" and args.model != "binary":
        raise ReplicaInputError("--noise flip applies to binary weights only")
    if args.alpha <= 0:
        raise ReplicaInputError(f"--alpha must be > 0, got {args.alpha}")
    for s in args.sigma:
        if args.noise == "flip" and not 0 < s <= 0.5:
            raise ReplicaInputError(f"--sigma: flip probabilities must be in (0, 1/2], got {s}")
        if s < 0:
            raise ReplicaInputError(f"--sigma must be >= 0, got {s}")
    if len(args.sigma) > 10 ** 5:
        raise ReplicaInputError("--sigma: at most 100000 values")
    kref = args.kappa if args.kappa is not None else args.kappa_ref
    r = local_energy_replica(args.model, args.alpha, kref, args.sigma, noise=args.noise)
    out = {"model": args.model, "alpha": args.alpha, "kappa": r["kappa"],
           "reference": "max-margin" if r["max_margin"] else "typical", "q": r["q"],
           "noise": args.noise, "replicon": r["replicon"], "rs_stable": bool(r["replicon"] > 0),
           "local_energy": [{"sigma": float(s), "local_energy": float(v)}
                            for s, v in zip(r["sigmas"], r["local_energy"])]}
    if r["q"] < 1.0 and r["kappa"] == 0.0:
        out["small_sigma_slope"] = small_sigma_slope(r["q"], 0.0)
    if r["kappa"] < 0:
        out["note"] = ("kappa < 0: the reference misclassifies the patterns with stability in "
                       "[kappa, 0); noise also undoes some of these errors, so dE(sigma) can be "
                       "negative")
    if args.json:
        emit(out, True)
    else:
        head = {k: v for k, v in out.items() if k != "local_energy"}
        emit(head, False)
        emit(out["local_energy"], False)
