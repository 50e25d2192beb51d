"""``replica local-entropy``: Franz–Parisi local entropy S(d) around a reference of margin
kappa_ref (RS), binary and spherical perceptron (replica.models.franz_parisi).

Examples::

    replica local-entropy --model binary --alpha 0.6 --kappa-ref max --kappa 0 --d 0.001 0.01 --json
    replica local-entropy --model spherical --alpha 1 --kappa-ref 0.2 --kappa 0 --d-grid 0.01 0.5 20
    replica local-entropy --model binary --alpha 0.6 --kappa-ref max --d-log 1e-4 0.1 12
    replica local-entropy --model binary --alpha 0.6 --kappa-ref 0 --kappa 0 --legendre 0 0.5 1

One JSON object per distance with d, entropy, status and the order parameters; a distance where
continuation finds no RS saddle point is reported with status "no_solution" and no numbers.
The exit code is 3 when no distance has a solution.
"""
from __future__ import annotations

import sys

from ..errors import MAX_GRID_POINTS, ConvergenceError, ReplicaInputError, check_range
from ._common import add_json_flag, add_model_arg, emit, kappa_ref_value, number

_ROW_KEYS = ("d", "entropy", "status", "dS_dd", "entropic", "energetic", "q", "t", "p", "qh",
             "th", "ph", "b", "one_minus_q", "replicon", "residual")
#: columns of the human-readable table (the full record is in --json)
_TABLE = ("d", "entropy", "dS_dd", "h2_minus_S", "q", "status")
_EPILOG = """\
Table columns (the full record, with every order parameter, is printed by --json):
  d           distance d = (1-p)/2 from the reference, p the overlap;
  entropy     S(d), local entropy per weight (natural log);
  dS_dd       slope dS/dd (S(d) is non-monotonic where it turns negative);
  h2_minus_S  binary: H2(d) - S(d) >= 0, the gap to the entropy of all configurations at d;
  q           overlap of two neighbours at distance d (the order parameter q);
  status      converged, or no_solution (no RS saddle point reached by continuation).
Exit code 3 when no distance has a solution."""


def register(sub) -> None:
    p = sub.add_parser("local-entropy",
                       help="Franz-Parisi local entropy S(d) around a reference of margin "
                            "kappa_ref", epilog=_EPILOG)
    p.formatter_class = _raw_epilog(p.formatter_class)
    add_model_arg(p, ("binary", "spherical"), "weights: binary or spherical")
    p.add_argument("--alpha", type=number, required=True, help="load P/N > 0")
    p.add_argument("--kappa-ref", type=kappa_ref_value, default=None,
                   help="reference margin (<= kappa_max(alpha)) or 'max' (required for the flat "
                        "measure; large-deviation: default 0)")
    p.add_argument("--measure", choices=("flat", "large-deviation"), default="flat",
                   help="measure on the reference: flat (Franz-Parisi, default) or "
                        "large-deviation (densest regions, docs/THEORY.md 8.2)")
    p.add_argument("--y", default=None,
                   help="large-deviation exponent y >= 0 or inf (default inf)")
    p.add_argument("--free-reference", action="store_true",
                   help="large-deviation: the reference need not be a solution (default off)")
    p.add_argument("--kappa", type=number, default=0.0, help="margin of the counted configurations")
    g = p.add_mutually_exclusive_group()
    g.add_argument("--d", type=number, nargs="+", metavar="D",
                   help="distances d = (1-p)/2 in (0, 1/2]")
    g.add_argument("--d-grid", type=number, nargs=3, metavar=("START", "STOP", "NUM"),
                   help="linearly spaced grid of NUM distances")
    g.add_argument("--d-log", type=number, nargs=3, metavar=("START", "STOP", "NUM"),
                   help="logarithmically spaced grid of NUM distances (START, STOP > 0)")
    p.add_argument("--legendre", type=number, nargs="+", metavar="GAMMA",
                   help="print Phi(gamma) = max_d [S(d) - 2 gamma d] and d*(gamma) instead")
    add_json_flag(p)
    p.set_defaults(func=run)


def _raw_epilog(base):
    import argparse

    class _Fmt(base):
        def _fill_text(self, text, width, indent):
            if text.startswith("Table columns"):
                return "".join(indent + line for line in text.splitlines(keepends=True))
            return super()._fill_text(text, width, indent)
    _Fmt.__name__ = getattr(base, "__name__", "HelpFormatter")
    assert issubclass(_Fmt, argparse.HelpFormatter)
    return _Fmt


def _grid(args):
    import numpy as np

    for opt, spec, space in (("--d-grid", args.d_grid, np.linspace),
                             ("--d-log", args.d_log, np.geomspace)):
        if spec is None:
            continue
        start, stop, num = spec
        if num != int(num) or num < 1:
            raise ReplicaInputError(f"{opt} NUM must be a positive integer, got {num:g}")
        if num > MAX_GRID_POINTS:
            raise ReplicaInputError(f"{opt} NUM must be <= {MAX_GRID_POINTS}, got {num:g}")
        for label, v in (("START", start), ("STOP", stop)):
            check_range(f"{opt} {label}", v, 1e-30, 0.5)
        return space(start, stop, int(num))
    if args.d is not None:
        if len(args.d) > MAX_GRID_POINTS:
            raise ReplicaInputError(f"--d: at most {MAX_GRID_POINTS} distances")
        return np.asarray(args.d, dtype=float)
    return None


def run(args):
    from ..models import franz_parisi as fp

    if args.measure == "large-deviation":
        from ._ld import run_local_entropy
        return run_local_entropy(args, _grid(args))
    if args.y is not None or args.free_reference:
        raise ReplicaInputError(f"{'--y' if args.y is not None else '--free-reference'} needs "
                                "--measure large-deviation")
    if args.kappa_ref is None:
        raise ReplicaInputError("--kappa-ref is required (a number or 'max')")
    check_range("--alpha", args.alpha, 0.0, lo_open=True)
    grid = _grid(args)
    if grid is not None:
        for d in grid:
            check_range("--d", d, 1e-30, 0.5)   # below 1e-30 the continuation in ln d crawls
    ref = fp.reference_sector(args.model, args.alpha, args.kappa_ref)   # validates kappa_ref
    if args.legendre:
        rows = fp.legendre(args.model, args.alpha, args.kappa_ref, args.kappa, args.legendre,
                           d_grid=grid)
        emit(rows, args.json)
        if not any(r["status"] != "no_solution" for r in rows):
            raise ConvergenceError("no distance has an RS saddle point, so Phi(gamma) has no "
                                   "value", params={"alpha": args.alpha,
                                                    "kappa_ref": ref.kappa_ref,
                                                    "kappa": args.kappa})
        return 0
    if grid is None:
        raise ReplicaInputError("give the distances with --d D1 D2 ..., --d-grid START STOP NUM "
                                "or --d-log START STOP NUM")
    c = fp.local_entropy_curve(args.model, args.alpha, args.kappa_ref, args.kappa, grid)
    rows = []
    for r in c.rows():
        row = {k: r[k] for k in _ROW_KEYS if k in r}
        if args.model == "binary" and "entropy" in r:
            row["h2_minus_S"] = float(fp.h2(r["d"]) - r["entropy"])
        row.update(model=args.model, alpha=args.alpha, kappa_ref=c.kappa_ref, kappa=args.kappa)
        rows.append(row)
    if args.json:
        emit(rows, True)
    else:
        cols = [k for k in _TABLE if any(k in r for r in rows)]
        print(f"# {args.model}, alpha = {args.alpha:g}, kappa_ref = {c.kappa_ref:.10g}, "
              f"kappa = {args.kappa:g}")
        emit(rows, False, columns=cols)
    if not any(r["status"] == "converged" for r in rows):
        note = c.note or "continuation reached none of the requested distances"
        print(f"replica: no distance has an RS saddle point: {' '.join(note.split())}",
              file=sys.stderr)
        return 3
    return 0
