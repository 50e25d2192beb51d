"""``replica committee``: RS tree committee machines (K odd sign units) and their infinite-width
limit with a general activation (docs/THEORY.md §8.4). ``replica capacity --model committee``
dispatches here (:func:`run_capacity`)."""
from __future__ import annotations

import argparse
import math

from ._common import add_json_flag, emit, number

ACTIVATIONS = ("sign", "relu", "erf", "linear")


def k_value(text: str):
    """argparse type for --k: an odd integer or 'inf' (the infinite-width limit)."""
    if text.strip().lower() in ("inf", "infinity"):
        return math.inf
    try:
        v = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"k must be an odd integer or 'inf', got {text!r}") from None
    return v


def add_committee_args(p, *, alpha: bool) -> None:
    p.add_argument("--weights", default=None, help="binary or spherical (required)")
    p.add_argument("--k", type=k_value, default=3,
                   help="number of hidden units, odd, <= 7, or 'inf' (default 3)")
    p.add_argument("--activation", default="sign", choices=ACTIVATIONS,
                   help="hidden activation; other than sign only with --k inf (default sign)")
    if alpha:
        p.add_argument("--alpha", type=number, required=True, help="load P/N >= 0 (required)")
    p.add_argument("--kappa", type=number, default=0.0,
                   help="margin on the normalised output field, --k inf only (default 0)")


def register(sub) -> None:
    p = sub.add_parser("committee", help="RS tree committee machine: entropy, q, replicon")
    add_committee_args(p, alpha=True)
    p.add_argument("--method", default="bracket", choices=["bracket", "iterate", "newton", "hybrid"],
                   help="saddle-point method (default bracket)")
    add_json_flag(p)
    p.set_defaults(func=run)


def _resolve(args):
    from ..errors import ReplicaInputError

    if args.weights not in ("binary", "spherical"):
        raise ReplicaInputError(f"--weights must be binary or spherical, got {args.weights!r}")
    k = None if math.isinf(args.k) else args.k
    if k is not None and args.activation != "sign":
        raise ReplicaInputError("--activation: finite-K committee machines have sign units; "
                                "use --k inf for other activations")
    return k


def run(args):
    from ..models.committee import committee

    k = _resolve(args)
    sol = committee(args.weights, args.alpha, k, activation=args.activation, kappa=args.kappa,
                    method=args.method)
    out = {"model": "committee", "weights": args.weights, "k": "inf" if k is None else k,
           "activation": args.activation, "alpha": args.alpha, "kappa": args.kappa}
    out.update(sol.order)
    out.update(sol.thermo)
    out.update(rs_stable=bool(sol.thermo["replicon"] > 0), status=sol.status,
               residual=sol.residual_norm, method=sol.method)
    emit(out, args.json)


def run_capacity(args):
    from ..models.committee import capacity

    k = _resolve(args)
    ac = capacity(args.weights, k, activation=args.activation, kappa=args.kappa)
    out = {"model": "committee", "weights": args.weights, "k": "inf" if k is None else k,
           "activation": args.activation, "kappa": args.kappa}
    if math.isinf(ac):
        out.update(alpha_c=None, diverges=True,
                   note="Delta'(1) is infinite: the RS capacity diverges at infinite width")
    else:
        out.update(alpha_c=ac, diverges=False)
    if args.weights == "spherical":
        out["method"] = ("q -> 1 limit: 1/A_K (order statistics)" if k is not None
                         else "q -> 1 limit: Q'(1) alpha_c^perceptron(kappa)")
    else:
        out["method"] = "zero of the RS entropy"
    if k is None or k > 1:
        out["note"] = out.get("note", "RS value: an upper estimate (RSB corrections are large)")
    emit(out, args.json)
