"""Benchmark: overhead of the scan engine (driver + SQLite store) and executor scaling.

    .venv/bin/python benchmarks/bench_scan.py [--points 2000] [--sleep 0.02] [--json]

1. Overhead: ``--points`` trivial points, serial, written to a fresh store (one commit per row):
   points per second of the driver itself.
2. Scaling: points that sleep ``--sleep`` seconds (an idle wait, so the result does not depend on
   other processes' CPU use) with the serial, process-pool (2 workers; pool start-up included)
   and dask LocalCluster (2 worker processes; cluster start-up reported separately) executors:
   wall time and speed-up over serial.
"""
from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path


def trivial(params, warm_start=None):
    return {"y": params["a"] * 2.0}


def sleepy(params, warm_start=None):
    time.sleep(params["s"])
    return {"y": params["a"]}


def main(argv=None):
    from replica.scan import scan

    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--points", type=int, default=2000)
    ap.add_argument("--sleep", type=float, default=0.02)
    ap.add_argument("--sleep-points", type=int, default=100)
    ap.add_argument("--no-dask", action="store_true")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args(argv)
    out = {}
    with tempfile.TemporaryDirectory() as tmp:
        t0 = time.perf_counter()
        r = scan(trivial, {"a": list(range(args.points))}, store=Path(tmp) / "o.sqlite",
                 executor="serial", quiet=True)
        dt = time.perf_counter() - t0
        out["overhead"] = {"points": r.computed, "wall_s": round(dt, 3),
                           "points_per_s": round(r.computed / dt, 1),
                           "ms_per_point": round(1e3 * dt / r.computed, 3)}
        grid = {"a": list(range(args.sleep_points))}
        fixed = {"s": args.sleep}
        execs = ["serial", "process"] + ([] if args.no_dask else ["dask"])
        for ex in execs:
            closers, info = [], {}
            executor = ex
            if ex == "dask":  # start the cluster outside the timing, report its start-up
                import distributed

                t0 = time.perf_counter()
                cluster = distributed.LocalCluster(n_workers=2, threads_per_worker=1,
                                                   processes=True, dashboard_address=None)
                executor = distributed.Client(cluster)
                info["cluster_startup_s"] = round(time.perf_counter() - t0, 3)
                closers = [executor.close, cluster.close]
            t0 = time.perf_counter()
            scan(sleepy, grid, fixed=fixed, store=Path(tmp) / f"{ex}.sqlite", executor=executor,
                 workers=2, quiet=True)
            out[ex] = {"wall_s": round(time.perf_counter() - t0, 3), **info}
            for c in closers:
                c()
        for ex in execs[1:]:
            out[ex]["speedup"] = round(out["serial"]["wall_s"] / out[ex]["wall_s"], 2)
    out["ideal_serial_s"] = args.sleep_points * args.sleep
    if args.json:
        json.dump(out, sys.stdout, indent=2)
        print()
    else:
        for k, v in out.items():
            print(f"{k:>16}: {v}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
