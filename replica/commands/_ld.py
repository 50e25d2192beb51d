"""The large-deviation branches of ``replica local-entropy --measure large-deviation`` and
``replica threshold {nonmonotonic,negative} --measure large-deviation`` (docs/THEORY.md §8.2).

    replica local-entropy --model binary --measure large-deviation --y inf --alpha 0.7 \\
        --kappa 0 --kappa-ref 0 --d 0.005 0.01 0.05 --json
    replica local-entropy --model binary --measure large-deviation --y 2 --alpha 0.6 \\
        --d 0.1 --json
    replica threshold nonmonotonic --model binary --measure large-deviation --free-reference \\
        --alpha-range 0.74 0.77 --json

Rows carry d, entropy (S_I), h2 (the bound H2(d)), status, y and the order parameters (y = inf:
dS_dd, q1, delta, ph, qh1, eps, chi, b, R, tau; finite y: free_entropy Phi(y), Q, t, q0, q1, ph
and conjugates, continued in y from y = 0 (y = 1 for --free-reference) by
replica.models.large_deviation.follow_y, about a minute per distance); a distance not reached
is reported with status "no_solution" and no numbers (exit 3 when none is).
"""
from __future__ import annotations

import math

from ..errors import ReplicaInputError, check_range
from ._common import emit

_ROW_KEYS = ("d", "entropy", "dS_dd", "h2", "q1", "delta", "ph", "qh1", "eps", "chi", "b",
             "R", "tau", "residual")


def _y(text):
    if text is None:
        return math.inf
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


_ROW_KEYS_Y = ("d", "entropy", "free_entropy", "h2", "Q", "t", "q0", "q1", "ph", "Qh", "th",
               "qh0", "qh1", "residual")


def _finite_y_rows(args, grid, y, kr):
    """One row per distance: S_I(d; y) by continuation in y (follow_y), each distance on its
    own (a distance whose continuation fails is reported with status no_solution)."""
    from ..errors import ConvergenceError
    from ..models.large_deviation import follow_y, h2

    rows = []
    for d in grid:
        row = {"d": float(d)}
        try:
            s = follow_y(args.alpha, float(d), y, args.kappa, kr)
            row.update({k: s.thermo[k] for k in _ROW_KEYS_Y if k in s.thermo})
            row.update(h2=h2(float(d)), status="converged")
        except ConvergenceError as exc:
            row.update(status="no_solution", note=str(exc).split(";")[0][:200])
        rows.append(row)
    return rows


def run_local_entropy(args, grid):
    from ..models.large_deviation import sweep

    if args.model != "binary":
        raise ReplicaInputError("--measure large-deviation is implemented for --model binary")
    y = _y(args.y)
    if not math.isinf(y) and args.free_reference and y == 0:
        raise ReplicaInputError("--y 0 with --free-reference (a random reference) is not "
                                "available: give y > 0")
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
    if args.free_reference and args.kappa_ref is not None:
        raise ReplicaInputError("give either --kappa-ref or --free-reference, not both")
    kr = None if args.free_reference else (0.0 if args.kappa_ref is None else args.kappa_ref)
    if math.isinf(y):
        sols, _ = sweep(args.alpha, grid, args.kappa, kr)
        rows = []
        for d, s in zip(grid, sols):
            row = {"d": float(d), "status": "converged" if s is not None else "no_solution"}
            if s is not None:
                row.update({k: s.thermo[k] for k in _ROW_KEYS if k in s.thermo})
            rows.append(row)
    else:
        rows = _finite_y_rows(args, grid, y, kr)
    for row in rows:
        row.update(model="binary", measure="large-deviation",
                   y="inf" if math.isinf(y) else y, alpha=args.alpha, kappa=args.kappa,
                   kappa_ref="free" if kr is None else kr)
    emit(rows, args.json)
    if not any(r["status"] == "converged" for r in rows):
        import sys
        print("replica: no distance has a saddle point", file=sys.stderr)
        return 3
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
    if not args.xtol > 0:
        raise ReplicaInputError(f"--xtol must be positive, got {args.xtol}")
    xtol = max(args.xtol, 1e-7)
    for opt in ("alpha", "scan", "grid", "d_lo"):
        if getattr(args, opt, None) is not None:
            raise ReplicaInputError(f"--{opt.replace('_', '-')} is not used with --measure "
                                    "large-deviation (give --alpha-range LO HI)")
    from .threshold import _progress
    if args.kind == "nonmonotonic":
        rng = args.alpha_range or (0.70, 0.80)
        res = LT.nonmonotonic_threshold(kappa, kr, bracket=rng, xtol=xtol,
                                        progress=_progress("alpha", args.kind))
    else:
        rng = args.alpha_range or (0.76, 0.833)
        res = LT.negative_threshold(kappa, kr, bracket=rng, xtol=xtol,
                                    progress=_progress("alpha", args.kind))
    emit(res.as_dict(), args.json)
    return 0
