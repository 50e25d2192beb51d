"""Benchmark: the binary phase diagram (alpha, kappa_ref) at its default resolution.

    .venv/bin/python benchmarks/bench_phase_diagram.py [--quick] [--workers 2] [--json]

Builds the data (fresh temporary scan stores, so everything is computed) serially and with a
process pool of ``--workers`` workers, and reports the wall times (the grid of profiles, then the
two max-margin events refined by brentq, which are two sequential chains), the speed-ups, the
per-point cost (one point = one local-entropy profile at (alpha, kappa_ref)) and the per-solve cost (one
Franz–Parisi saddle point), read back from the stores. Targets: < 3 minutes on 2 cores for the
parallel build; speed-up >= 1.7 with 2 workers. Note: the machine's load (``os.getloadavg``) is
reported, since other processes sharing the cores distort both numbers.
"""
from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path

import numpy as np


def run_once(executor, workers, quick):
    from replica.phase_diagram import binary_data

    with tempfile.TemporaryDirectory() as tmp:
        # stage 1: the grid of profiles (independent points); stage 2: the two max-margin
        # events refined by brentq (two independent sequential chains), reusing stage 1's store
        t0 = time.perf_counter()
        data = binary_data(Path(tmp), quick, executor=executor, workers=workers, quiet=True,
                           events=False)
        t_grid = time.perf_counter() - t0
        t1 = time.perf_counter()
        data = binary_data(Path(tmp), quick, executor=executor, workers=workers, quiet=True)
        t_events = time.perf_counter() - t1
        wall = time.perf_counter() - t0
        ev = data["events"]
        rows = [data["ref"], data["max"]]
        elapsed = np.concatenate([r["elapsed"] for r in rows])
        evals = np.concatenate([np.asarray(r["evaluations"], dtype=float) for r in rows])
        status = np.concatenate([r["status"] for r in rows])
    return {"executor": executor, "workers": workers, "wall_s": round(wall, 2),
            "grid_s": round(t_grid, 2), "events_s": round(t_events, 2),
            "events": ({e: round(float(a), 7) for e, a in zip(ev["event"], ev["alpha"])}
                       if ev is not None else None),
            "points": int(elapsed.size), "failed": int(np.sum(status != "ok")),
            "per_point_s": round(float(np.mean(elapsed)), 3),
            "per_point_max_s": round(float(np.max(elapsed)), 3),
            "per_solve_s": round(float(np.nansum(elapsed) / np.nansum(evals)), 4),
            "sum_point_s": round(float(np.sum(elapsed)), 2)}


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--quick", action="store_true", help="quick resolution (CI smoke)")
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--skip-serial", action="store_true")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args(argv)
    # warm the numba cache and imports outside the timings
    from replica.thresholds import local_entropy_profile
    local_entropy_profile("binary", 0.5, 0.1, 0.0, n_d=3, d_lo=0.05, refine=())
    out = {"resolution": "quick" if args.quick else "default", "cores": os.cpu_count(),
           "load_before": [round(x, 2) for x in os.getloadavg()]}
    if not args.skip_serial:
        out["serial"] = run_once("serial", 1, args.quick)
    out["parallel"] = run_once("process", args.workers, args.quick)
    out["load_after"] = [round(x, 2) for x in os.getloadavg()]
    if "serial" in out:
        out["speedup"] = round(out["serial"]["wall_s"] / out["parallel"]["wall_s"], 2)
        out["speedup_grid"] = round(out["serial"]["grid_s"] / out["parallel"]["grid_s"], 2)
    if args.json:
        json.dump(out, sys.stdout, indent=2)
        print()
    else:
        for k, v in out.items():
            print(f"{k:>12}: {v}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
