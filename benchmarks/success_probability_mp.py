"""Success probability of the message-passing solvers versus alpha at N = 1000, 2000, 4000
(storage, kappa = 0, ±1 patterns) with the published reinforcement step 1e-3, and the fitted 50%
points; writes replica/gallery/data/mp_success.json, which the gallery figure
``finite_n_mp_success`` draws.

Resumable and interruption-safe: every finished instance is appended to the file's
``instances`` list (atomic rewrite), and a rerun skips the instances already there. The work is
done in rounds (``--batch`` instances at every (solver, N, alpha) per round), so that an
interrupted run leaves comparable counts at every N and load.

Instance i at (N, alpha) uses patterns from ``instance_seeds(seed, max_instances)[i]`` and solver
seed ``seed + i``; every reported success is re-verified from scratch.

Usage (long; run niced in the background):
  nice -n 10 .venv/bin/python benchmarks/success_probability_mp.py [--quick] [--solvers a,b]
"""
from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

from replica.finite_n.enumerate import n_patterns
from replica.finite_n.success import fit_fifty_percent, run_instance, success_rows

OUT = Path(__file__).resolve().parent.parent / "replica" / "gallery" / "data" / "mp_success.json"

SOLVERS = {   # label -> (algorithm, options)
    "rbp-linear-1e-3": ("rbp", {"schedule": "linear", "step": 1e-3, "max_iter": 3000}),
    "rbp-geometric-1e-3": ("rbp", {"schedule": "geometric", "step": 1e-3, "max_iter": 6000}),
    "fbp-1e-3": ("fbp", {"y": 7.0, "gamma_step": 1e-3, "damping": 0.2, "max_iter": 6000}),
}
PLAN = [  # (N, instances per load, loads): the loads concentrate where the 50% point is
    (1000, 40, [0.70, 0.72, 0.74, 0.76, 0.78, 0.80, 0.82]),
    (2000, 20, [0.72, 0.74, 0.75, 0.76, 0.77, 0.78, 0.80]),
    (4000, 12, [0.74, 0.75, 0.76, 0.77, 0.78, 0.79]),
]
#: fewer instances for the solvers after the first (the machine's budget)
INSTANCES = {"rbp-geometric-1e-3": {1000: 16, 2000: 12, 4000: 8},
             "fbp-1e-3": {1000: 16, 2000: 12, 4000: 8}}
SEED = 11


def _write(out: Path, data: dict) -> None:
    data["rows"] = success_rows(data["instances"]) + data.get("legacy_rows", [])
    tmp = out.with_suffix(".tmp")
    tmp.write_text(json.dumps(data, indent=1))
    os.replace(tmp, out)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="N = 200, 400, 4 instances (smoke run)")
    ap.add_argument("--solvers", default=",".join(SOLVERS))
    ap.add_argument("--batch", type=int, default=4)
    ap.add_argument("--ns", default=None, help="only these N of the plan (comma-separated)")
    ap.add_argument("--out", default=str(OUT))
    args = ap.parse_args(argv)
    out = Path(args.out)
    data = json.loads(out.read_text()) if out.exists() else {}
    data.setdefault("instances", [])
    data["solvers"] = {k: {"algorithm": a, **o} for k, (a, o) in SOLVERS.items()}
    data["seed"] = SEED
    done = {(r["solver"], r["n"], r["p"], r["instance"]) for r in data["instances"]}
    plan = [(200, 4, [0.6, 0.7, 0.8]), (400, 4, [0.6, 0.7, 0.8])] if args.quick else PLAN
    if args.ns:
        keep = {int(v) for v in args.ns.split(",")}
        plan = [row for row in plan if row[0] in keep]
    labels = [s for s in args.solvers.split(",") if s]
    todo = []
    for label in labels:
        lplan = [(n, INSTANCES.get(label, {}).get(n, m) if not args.quick else m, al)
                 for n, m, al in plan]
        for start in range(0, max(m for _, m, _ in lplan), args.batch):
            for n, m, alphas in lplan:
                for a in alphas:
                    for i in range(start, min(m, start + args.batch)):
                        todo.append((label, n, a, i, m))
    for label, n, a, i, m in todo:
        if (label, n, n_patterns(n, a), i) in done:
            continue
        alg, opts = SOLVERS[label]
        rec = run_instance(label, alg, opts, n, a, i, m, seed=SEED)
        data["instances"].append(rec)
        _write(out, data)
        print(f"{label} N={n} alpha={a:.2f} #{i}: {'solved' if rec['solved'] else rec['reason']} "
              f"({rec['iterations']} it, {rec['seconds']} s)", file=sys.stderr, flush=True)
    _write(out, data)
    for label in labels:
        for n, _, _ in plan:
            rows = [r for r in data["rows"] if r["solver"] == label and r["n"] == n]
            try:
                fit = fit_fifty_percent([r["alpha"] for r in rows], [r["successes"] for r in rows],
                                        [r["instances"] for r in rows])
                print(f"{label} N={n}: alpha_50 = {fit['alpha50']:.4f} +- {fit['alpha50_err']:.4f}")
            except Exception as exc:  # noqa: BLE001 - report and go on
                print(f"{label} N={n}: no fit ({exc})")


if __name__ == "__main__":
    main()
