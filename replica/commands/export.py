"""``replica export`` and ``replica show``: a scan store as a CSV, JSON or netCDF file, and a
summary of what a store holds.

    replica show gardner.sqlite                      # model, axes, counts by status
    replica export gardner.sqlite --format csv       # -> gardner.csv
    replica export gardner.sqlite --format netcdf --out gardner.nc

The columns are described in :mod:`replica.export`.
"""
from __future__ import annotations

import sys

from ._common import add_json_flag, emit


def register(subparsers) -> None:
    p = subparsers.add_parser(
        "export", help="write a scan store as a CSV, JSON or netCDF file",
        description="Write a scan store as a CSV (one row per point), JSON (identity and rows) "
                    "or netCDF file (an xarray Dataset whose dimensions are the grid's axes).")
    p.add_argument("store", help="the scan's SQLite store")
    p.add_argument("--format", required=True, choices=("csv", "json", "netcdf"),
                   help="output format (required)")
    p.add_argument("--out", help="output file (default: the store's name with .csv, .json or "
                                 ".nc)")
    p.add_argument("--status", choices=("ok", "failed", "nonfinite"),
                   help="keep only the points with this status (default: every point)")
    p.set_defaults(func=run_export)

    s = subparsers.add_parser(
        "show", help="summary of a scan store: model, axes, counts by status",
        description="Summary of a scan store: model, grid axes, fixed parameters, points stored "
                    "against the grid's size, counts by status and the result columns.")
    s.add_argument("store", help="the scan's SQLite store")
    add_json_flag(s)
    s.set_defaults(func=run_show)


def _check_store(path):
    from pathlib import Path

    from ..errors import ReplicaInputError

    if not Path(path).is_file():
        raise ReplicaInputError(f"store: no such file {path}")


def run_export(args) -> int:
    from ..export import export

    _check_store(args.store)
    out = export(args.store, args.format, args.out, status=args.status)
    print(f"wrote {out}", file=sys.stderr)
    return 0


def run_show(args) -> int:
    from ..export import summary

    _check_store(args.store)
    info = summary(args.store)
    if args.json:
        emit(info, True)
        return 0
    axes = ", ".join(f"{k} ({v['n']} values" + (f", {v['min']:g}..{v['max']:g})" if "min" in v
                                                 else ")") for k, v in info["axes"].items())
    counts = ", ".join(f"{k} {v}" for k, v in info["by_status"].items())
    fixed = ", ".join(f"{k}={v}" for k, v in info["fixed"].items()) or "none"
    lines = [("store", info["store"]), ("model", info["model"]), ("axes", axes),
             ("along", info["along"] or "none (independent points)"), ("fixed", fixed),
             ("points", f"{info['points_stored']} stored of {info['points_in_grid']}"),
             ("by status", counts), ("results", " ".join(info["results"])),
             ("created", f"{info['created']} (replica {info['replica_version']})")]
    width = max(len(k) for k, _ in lines)
    for k, v in lines:
        print(f"{k:<{width}}  {v}")
    return 0
