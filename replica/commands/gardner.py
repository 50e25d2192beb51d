"""``replica gardner``, ``replica capacity``, ``replica kappa-max``: the Gardner volume (RS)."""
from __future__ import annotations

from ._common import add_json_flag, emit, number

MODELS = ("binary", "spherical")


def _model_arg(p):
    # a plain string (not choices=) so that an unknown model gets replica's own one-line message
    p.add_argument("--model", required=True, help="binary or spherical (capacity: or committee)")


def register(sub) -> None:
    p = sub.add_parser("gardner", help="RS Gardner volume: entropy, q, replicon at (alpha, kappa)")
    _model_arg(p)
    p.add_argument("--alpha", type=number, required=True, help="load P/N >= 0")
    p.add_argument("--kappa", type=number, default=0.0, help="margin (default 0)")
    p.add_argument("--method", default="bracket",
                   choices=["bracket", "iterate", "newton", "hybrid"])
    add_json_flag(p)
    p.set_defaults(func=run_gardner)

    p = sub.add_parser("capacity", help="capacity alpha_c(kappa)")
    _model_arg(p)
    from .committee import add_committee_args
    add_committee_args(p, alpha=False)  # --weights/--k/--activation for --model committee
    add_json_flag(p)
    p.set_defaults(func=run_capacity)

    p = sub.add_parser("kappa-max", help="maximum margin kappa_max(alpha)")
    _model_arg(p)
    p.add_argument("--alpha", type=number, required=True)
    add_json_flag(p)
    p.set_defaults(func=run_kappa_max)


def run_gardner(args):
    from ..models.gardner import gardner

    sol = gardner(args.model, args.alpha, args.kappa, method=args.method)
    out = {"model": args.model, "alpha": args.alpha, "kappa": args.kappa}
    out.update(sol.order)
    out.update(sol.thermo)
    out.update(rs_stable=bool(sol.thermo["replicon"] > 0), status=sol.status,
               residual=sol.residual_norm, method=sol.method)
    emit(out, args.json)


def run_capacity(args):
    from ..models.gardner import capacity, check_model

    if args.model == "committee":
        from .committee import run_capacity as run_committee_capacity
        return run_committee_capacity(args)
    check_model(args.model)
    out = {"model": args.model, "kappa": args.kappa, "alpha_c": capacity(args.model, args.kappa)}
    if args.model == "spherical":
        out["method"] = "closed form 1/[(1+k^2)Phi(k)+k phi(k)] (Gardner 1988)"
        if args.kappa < 0:
            out["note"] = "kappa < 0: RS is not exact near capacity (RS value is an upper bound)"
    else:
        out["method"] = "zero of the RS entropy (Krauth-Mezard 1989)"
    emit(out, args.json)


def run_kappa_max(args):
    from ..models.gardner import check_model, kappa_max

    check_model(args.model)
    out = {"model": args.model, "alpha": args.alpha, "kappa_max": kappa_max(args.model, args.alpha)}
    if args.model == "spherical":
        from scipy.special import ndtr
        out["support_vector_fraction"] = float(ndtr(out["kappa_max"]))
    emit(out, args.json)
