"""``replica gardner``, ``replica capacity``, ``replica kappa-max``: the Gardner volume (RS)."""
from __future__ import annotations

import math

from ._common import add_json_flag, add_model_arg, emit, number

MODELS = ("binary", "spherical")


def register(sub) -> None:
    p = sub.add_parser("gardner", help="RS Gardner volume: entropy, q, replicon at (alpha, kappa)")
    add_model_arg(p, MODELS, "weights: binary (w = +-1) or spherical (|w|^2 = N)")
    p.add_argument("--alpha", type=number, required=True, help="load P/N >= 0")
    p.add_argument("--kappa", type=number, default=0.0, help="margin kappa (any real)")
    p.add_argument("--method", default="bracket",
                   choices=["bracket", "iterate", "newton", "hybrid"],
                   help="saddle-point solver: bracket (Brent on 1-q, robust) or a fixed-point "
                        "method of replica.solve")
    p.add_argument("--allow-negative-entropy", action="store_true",
                   help="binary: report the RS continuation where its entropy is negative "
                        "(beyond capacity: no solutions) instead of refusing")
    add_json_flag(p)
    p.set_defaults(func=run_gardner)

    p = sub.add_parser("capacity", help="capacity alpha_c(kappa) (spherical: closed form; "
                       "committee: replica committee)")
    add_model_arg(p, MODELS + ("committee",), "weights: binary or spherical, or committee "
                  "(a tree committee machine: --weights, --k, --activation)")
    from .committee import add_committee_args
    add_committee_args(p, alpha=False)  # --weights/--k/--activation for --model committee
    add_json_flag(p)
    p.set_defaults(func=run_capacity)

    p = sub.add_parser("kappa-max", help="maximum margin kappa_max(alpha)")
    add_model_arg(p, MODELS, "weights: binary or spherical")
    p.add_argument("--alpha", type=number, required=True, help="load P/N > 0")
    add_json_flag(p)
    p.set_defaults(func=run_kappa_max)


def run_gardner(args):
    from ..models.gardner import gardner

    sol = gardner(args.model, args.alpha, args.kappa, method=args.method,
                  allow_negative_entropy=args.allow_negative_entropy)
    out = {"model": args.model, "alpha": args.alpha, "kappa": args.kappa}
    out.update(sol.order)
    out.update(sol.thermo)
    out.update(rs_stable=bool(sol.thermo["replicon"] > 0), status=sol.status,
               residual=sol.residual_norm, method=sol.method)
    emit(out, args.json)


def run_capacity(args):
    if args.model == "committee":
        from .committee import run_capacity as run_committee_capacity
        return run_committee_capacity(args)
    out = {"model": args.model, "kappa": args.kappa}
    if args.model == "spherical":   # closed form in log space: no numpy, no numba (fast start)
        from ..special import log_capacity_spherical

        la = log_capacity_spherical(args.kappa)
        if la < 709.0:
            out["alpha_c"] = math.exp(la)
        else:
            out["note_alpha_c"] = ("alpha_c exceeds the floating-point range; its logarithm "
                                   "is ln_alpha_c")
        out["ln_alpha_c"] = la
        out["method"] = ("closed form 1/[(1+k^2)Phi(k)+k phi(k)] (Gardner 1988), evaluated in "
                         "log space")
        if args.kappa < 0:
            out["note"] = "kappa < 0: RS is not exact near capacity (RS value is an upper bound)"
    else:
        from ..models.gardner import capacity

        out["alpha_c"] = capacity(args.model, args.kappa)
        out["method"] = "zero of the RS entropy (Krauth-Mezard 1989)"
    emit(out, args.json)


def run_kappa_max(args):
    out = {"model": args.model, "alpha": args.alpha}
    if args.model == "spherical":
        from ..special import kappa_max_spherical

        out["kappa_max"] = k = kappa_max_spherical(args.alpha)
        out["support_vector_fraction"] = 0.5 * math.erfc(-k / math.sqrt(2.0))
    else:
        from ..models.gardner import kappa_max

        out["kappa_max"] = kappa_max(args.model, args.alpha)
    emit(out, args.json)
