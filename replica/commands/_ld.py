"""The large-deviation branches of ``replica local-entropy --measure large-deviation`` and
``replica threshold {nonmonotonic,negative} --measure large-deviation`` (docs/THEORY.md §8.2).

    replica local-entropy --model binary --measure large-deviation --y inf --alpha 0.7 \\
        --kappa 0 --kappa-ref 0 --d 0.005 0.01 0.05 --json
    replica threshold nonmonotonic --model binary --measure large-deviation --free-reference \\
        --alpha-range 0.74 0.77 --json

Rows carry d, entropy (S_I), dS_dd, h2 (the bound H2(d)), status and the order parameters; a
distance the branch does not reach is reported with status "no_solution" and no numbers.
"""
from __future__ import annotations

import math

from ..errors import ReplicaInputError, check_range
from ._common import emit

_ROW_KEYS = ("d", "entropy", "dS_dd", "h2", "q1", "delta", "ph", "qh1", "eps", "chi", "b",
             "R", "tau", "residual")


def _y(text):
    t = str(text).strip().lower()
    if t in ("inf", "infinity"):
        return math.inf
    try:
        v = float(t)
    except ValueError:
        raise ReplicaInputError(f"--y must be a number >= 0 or 'inf', got {text!r}") from None
    if not v >= 0:
        raise ReplicaInputError(f"--y must be >= 0 or 'inf', got {text!r}")
    return v


def run_local_entropy(args, grid):
    from ..models.large_deviation import sweep

    if args.model != "binary":
        raise ReplicaInputError("--measure large-deviation is implemented for --model binary")
    y = _y(args.y)
    if not math.isinf(y):
        raise ReplicaInputError("--y: only y = inf is implemented for the large-deviation "
                                "measure (finite y is not available yet)")
    if getattr(args, "legendre", None):
        raise ReplicaInputError("--legendre is not available with --measure large-deviation")
    if grid is None:
        raise ReplicaInputError("give the distances with --d D1 D2 ... or --d-grid START STOP NUM")
    check_range("alpha", args.alpha, 0.0, lo_open=True)
    for d in grid:
        check_range("d", d, 0.0, 0.5, lo_open=True, hi_open=True)
    if args.kappa_ref == "max":
        raise ReplicaInputError("--kappa-ref max has no meaning for the large-deviation measure "
                                "(the reference is selected by its local entropy)")
    kr = None if args.free_reference else (0.0 if args.kappa_ref is None else args.kappa_ref)
    sols, lost = sweep(args.alpha, grid, args.kappa, kr)
    rows = []
    for d, s in zip(grid, sols):
        row = {"d": float(d), "status": "converged" if s is not None else "no_solution"}
        if s is not None:
            row.update({k: s.thermo[k] for k in _ROW_KEYS if k in s.thermo})
        row.update(model="binary", measure="large-deviation", y="inf", alpha=args.alpha,
                   kappa=args.kappa, kappa_ref="free" if kr is None else kr)
        rows.append(row)
    emit(rows, args.json)
    return 0


def run_threshold(args):
    from .. import ld_thresholds as LT

    if args.model != "binary":
        raise ReplicaInputError("--measure large-deviation is implemented for --model binary")
    if args.kind not in ("nonmonotonic", "negative"):
        raise ReplicaInputError("--measure large-deviation applies to nonmonotonic and negative")
    if args.kappa_ref == "max":
        raise ReplicaInputError("--kappa-ref max has no meaning for the large-deviation measure")
    kr = None if args.free_reference else (0.0 if args.kappa_ref is None else args.kappa_ref)
    kappa = 0.0 if args.kappa is None else args.kappa
    xtol = max(args.xtol, 1e-7)
    if args.kind == "nonmonotonic":
        rng = args.alpha_range or (0.70, 0.80)
        res = LT.nonmonotonic_threshold(kappa, kr, bracket=rng, xtol=xtol)
    else:
        rng = args.alpha_range or (0.76, 0.833)
        res = LT.negative_threshold(kappa, kr, bracket=rng, xtol=xtol)
    res.update(measure="large-deviation", y="inf", kappa=kappa,
               kappa_ref="free" if kr is None else kr)
    emit(res, args.json)
    return 0
