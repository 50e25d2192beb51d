"""``replica local-entropy``: Franz–Parisi local entropy S(d) around a reference of margin
kappa_ref (RS), binary and spherical perceptron (replica.models.franz_parisi).

Examples::

    replica local-entropy --model binary --alpha 0.6 --kappa-ref max --kappa 0 --d 0.001 0.01 --json
    replica local-entropy --model spherical --alpha 1 --kappa-ref 0.2 --kappa 0 --d-grid 0.01 0.5 20
    replica local-entropy --model binary --alpha 0.6 --kappa-ref 0 --kappa 0 --legendre 0 0.5 1

One JSON object per distance with d, entropy, status and the order parameters; a distance where
continuation finds no RS saddle point is reported with status "no_solution" and no numbers.
"""
from __future__ import annotations

import numpy as np

from ..errors import ReplicaInputError, check_range
from ._common import add_json_flag, emit, kappa_ref_value, number

_ROW_KEYS = ("d", "entropy", "status", "dS_dd", "entropic", "energetic", "q", "t", "p", "qh",
             "th", "ph", "b", "one_minus_q", "residual")


def register(sub) -> None:
    p = sub.add_parser("local-entropy",
                       help="Franz-Parisi local entropy S(d) around a reference of margin kappa_ref")
    p.add_argument("--model", required=True, help="binary or spherical")
    p.add_argument("--alpha", type=number, required=True, help="load P/N > 0")
    p.add_argument("--kappa-ref", type=kappa_ref_value, default=None,
                   help="reference margin (<= kappa_max(alpha)) or 'max' (required for the flat "
                        "measure; large-deviation: default 0)")
    p.add_argument("--measure", choices=("flat", "large-deviation"), default="flat",
                   help="measure on the reference: flat (Franz-Parisi, default) or "
                        "large-deviation (densest regions, docs/THEORY.md 8.2)")
    p.add_argument("--y", default="inf",
                   help="large-deviation exponent y (default inf; only inf is implemented)")
    p.add_argument("--free-reference", action="store_true",
                   help="large-deviation: the reference need not be a solution (default off)")
    p.add_argument("--kappa", type=number, default=0.0, help="margin of the counted configurations")
    g = p.add_mutually_exclusive_group()
    g.add_argument("--d", type=number, nargs="+", help="distances d = (1-p)/2 in (0, 1/2]")
    g.add_argument("--d-grid", type=number, nargs=3, metavar=("START", "STOP", "NUM"),
                   help="linear grid of distances")
    p.add_argument("--legendre", type=number, nargs="+", metavar="GAMMA",
                   help="print Phi(gamma) = max_d [S(d) - 2 gamma d] and d*(gamma) instead")
    add_json_flag(p)
    p.set_defaults(func=run)


def _grid(args):
    if args.d_grid is not None:
        start, stop, num = args.d_grid
        if num != int(num) or num < 1:
            raise ReplicaInputError(f"--d-grid NUM must be a positive integer, got {num}")
        return np.linspace(start, stop, int(num))
    if args.d is not None:
        return np.asarray(args.d, dtype=float)
    return None


def run(args):
    from ..models import franz_parisi as fp

    if args.measure == "large-deviation":
        from ._ld import run_local_entropy
        return run_local_entropy(args, _grid(args))
    if args.kappa_ref is None:
        raise ReplicaInputError("--kappa-ref is required (a number or 'max')")

    fp._check_model(args.model)
    check_range("alpha", args.alpha, 0.0, lo_open=True)
    grid = _grid(args)
    if grid is not None:
        for d in grid:
            check_range("d", d, 0.0, 0.5, lo_open=True)
    fp.reference_sector(args.model, args.alpha, args.kappa_ref)   # validates kappa_ref
    if args.legendre:
        rows = fp.legendre(args.model, args.alpha, args.kappa_ref, args.kappa, args.legendre,
                           d_grid=grid)
        emit(rows, args.json)
        return 0
    if grid is None:
        raise ReplicaInputError("give the distances with --d D1 D2 ... or --d-grid START STOP NUM")
    c = fp.local_entropy_curve(args.model, args.alpha, args.kappa_ref, args.kappa, grid)
    rows = []
    for r in c.rows():
        row = {k: r[k] for k in _ROW_KEYS if k in r}
        row.update(model=args.model, alpha=args.alpha, kappa_ref=c.kappa_ref, kappa=args.kappa)
        rows.append(row)
    emit(rows, args.json)
    return 0
