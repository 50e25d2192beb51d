"""``replica phase-diagram``: compute (or resume, or reload) and draw a phase diagram.

    replica phase-diagram --model binary --out figures [--quick] [--executor process --workers 2]
    replica phase-diagram --model spherical --out figures

Data go to scan stores under OUT/data (rerunning reuses them point by point; an interrupted run
resumes); the figure is written to OUT/phase_diagram_<model>.pdf and .png.
"""
from __future__ import annotations

import time
from pathlib import Path

from ._common import add_json_flag, add_model_arg, check_out_dir, emit, integer


def register(subparsers) -> None:
    p = subparsers.add_parser("phase-diagram", help="phase diagram of the binary (alpha, "
                              "kappa_ref) or spherical (alpha, kappa) perceptron",
                              description=__doc__.split("\n\n")[0])
    add_model_arg(p, ("binary", "spherical"), "binary: (alpha, kappa_ref) plane; spherical: "
                  "(alpha, kappa) plane")
    p.add_argument("--out", required=True, help="output directory (figure; data in OUT/data)")
    p.add_argument("--data", help="data directory (default OUT/data)")
    p.add_argument("--quick", action="store_true", help="reduced resolution (seconds)")
    p.add_argument("--executor", choices=("serial", "process", "dask"), default="process",
                   help="where points run: serial, a process pool, or dask")
    p.add_argument("--scheduler", metavar="ADDR", help="dask scheduler tcp://host:port")
    p.add_argument("--workers", type=integer,
                   help="number of worker processes (default: one per core; at most 4 per core)")
    p.add_argument("--retry-failed", action="store_true",
                   help="recompute points stored as failed (default: keep them)")
    p.add_argument("--quiet", action="store_true", help="no progress output")
    add_json_flag(p)
    p.set_defaults(func=run)


def run(args) -> int:
    from .. import phase_diagram as phd
    from ..errors import check_workers
    from ..gallery import phase_diagrams as pd

    check_workers("--workers", args.workers, local=args.scheduler is None)
    check_out_dir("--out", args.out)
    if args.data:
        check_out_dir("--data", args.data)
    out = Path(args.out)
    data = Path(args.data) if args.data else out / "data"
    compute = phd.binary_data if args.model == "binary" else phd.spherical_data
    draw = pd.draw_binary if args.model == "binary" else pd.draw_spherical
    t0 = time.perf_counter()
    tables = compute(data, args.quick, executor="dask" if args.scheduler else args.executor,
                     workers=args.workers, scheduler=args.scheduler,
                     quiet=args.quiet or args.json, retry_failed=args.retry_failed)
    paths = draw(tables, out, args.quick)
    scans = tables["scans"]
    emit({"model": args.model, "quick": args.quick, "figure": [str(p) for p in paths],
          "stores": [s["store"] for s in scans],
          "points_computed": sum(s["computed"] for s in scans),
          "points_reused": sum(s["already_done"] for s in scans),
          "failed": sum(s["failed"] + s["nonfinite"] for s in scans),
          "seconds": round(time.perf_counter() - t0, 2)}, args.json)
    return 0
