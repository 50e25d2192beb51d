"""Success probability of the message-passing solvers versus alpha at N = 1000, 2000, 4000
(storage, kappa = 0, ±1 patterns), with the fitted 50% point; writes the measured rows to
replica/gallery/data/mp_success.json (resumable: rows already there are kept), which the
gallery figure ``finite_n_mp_success`` draws.

Instance i at each (N, alpha) uses patterns from instance_seeds(seed, instances)[i] and solver
seed seed + i (replica.finite_n.algorithms.success_probability). Every success is verified.

Usage: .venv/bin/python benchmarks/success_probability_mp.py [--quick]
"""
from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

from replica.finite_n.algorithms import success_probability
from replica.finite_n.success import fit_fifty_percent

OUT = Path(__file__).resolve().parent.parent / "replica" / "gallery" / "data" / "mp_success.json"

SOLVERS = {
    "rbp": {"schedule": "linear", "step": 1e-2, "max_iter": 300},
    "fbp": {"y": 7.0, "gamma_step": 1e-2, "damping": 0.2, "max_iter": 300},
}
PLAN = [  # (N, instances, alphas)
    (1000, 12, [0.62, 0.66, 0.70, 0.72, 0.74, 0.76, 0.78, 0.80]),
    (2000, 6, [0.70, 0.73, 0.76, 0.79]),
    (4000, 4, [0.70, 0.73, 0.76, 0.79]),
]


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="N = 200, 400 only (a smoke run)")
    ap.add_argument("--seed", type=int, default=11)
    ap.add_argument("--out", default=str(OUT))
    ap.add_argument("--only-n", type=int, default=None, help="run only this N of the plan")
    ap.add_argument("--instances", type=int, default=None, help="override the plan's instances")
    args = ap.parse_args(argv)
    out = Path(args.out)
    data = json.loads(out.read_text()) if out.exists() else {"rows": [], "solvers": SOLVERS}
    done = {(r["algorithm"], r["n"], round(r["alpha"], 6)) for r in data["rows"]}
    plan = [(200, 6, [0.6, 0.7, 0.8]), (400, 4, [0.6, 0.7, 0.8])] if args.quick else PLAN
    if args.only_n is not None:
        plan = [(n, i, a) for n, i, a in plan if n == args.only_n]
    if args.instances is not None:
        plan = [(n, args.instances, a) for n, _, a in plan]
    for n, inst, alphas in plan:
        for alg, opts in SOLVERS.items():
            for a in alphas:
                if (alg, n, round(a, 6)) in done:
                    continue
                t0 = time.perf_counter()
                row = success_probability(alg, n, [a], instances=inst, seed=args.seed,
                                          patterns="pm1", **opts)[0]
                row["seconds"] = round(time.perf_counter() - t0, 1)
                row["options"] = opts
                data["rows"].append(row)
                out.parent.mkdir(parents=True, exist_ok=True)
                out.write_text(json.dumps(data, indent=1))
                print(f"{alg} N={n} alpha={a}: {row['success']:.2f} ({row['seconds']} s)",
                      file=sys.stderr, flush=True)
    for alg in SOLVERS:
        for n, _, _ in plan:
            rows = [r for r in data["rows"] if r["algorithm"] == alg and r["n"] == n]
            try:
                fit = fit_fifty_percent([r["alpha"] for r in rows],
                                        [round(r["success"] * r["instances"]) for r in rows],
                                        [r["instances"] for r in rows])
                print(f"{alg} N={n}: alpha_50 = {fit['alpha50']:.4f} +- {fit['alpha50_err']:.4f}")
            except Exception as exc:  # noqa: BLE001 - report and go on
                print(f"{alg} N={n}: no fit ({exc})")


if __name__ == "__main__":
    main()
