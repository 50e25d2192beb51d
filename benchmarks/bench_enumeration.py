"""Throughput of the exact enumerator (replica.finite_n.enumerate) against a vectorised numpy
baseline measured in the same run.

Throughput = (weight vectors x patterns) / second, counting the nominal work 2^N * P_max of a
full pass (the numba kernel's early exit skips most of it; that is the point of the kernel).

Target workload: N = 21, 100 instances, 10 values of alpha (0.1..0.8), kappa = 0, distance
profiles included (3 passes per instance) — under a minute. The numpy baseline (counts and
maximum margin only, no profiles) is timed on a few instances and extrapolated per instance.

Usage: .venv/bin/python benchmarks/bench_enumeration.py [--n 21] [--instances 100] [--baseline 3]
"""
from __future__ import annotations

import argparse
import time

import numpy as np

from replica.finite_n.enumerate import (count_numpy, enumerate_instance, enumerate_perceptron,
                                        make_patterns, n_patterns)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=21)
    ap.add_argument("--instances", type=int, default=100)
    ap.add_argument("--baseline", type=int, default=3, help="instances timed with numpy")
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args(argv)
    n = args.n
    alphas = np.round(np.linspace(0.1, 0.8, 10), 3)
    ps = np.array([n_patterns(n, a) for a in alphas])
    pmax = int(ps.max())
    nominal = float(2 ** n) * pmax

    # warm-up (numba compilation / cache load) outside the timings
    enumerate_instance(make_patterns(n, pmax, 999), ps, [0.0], rng=0)

    t0 = time.perf_counter()
    enumerate_perceptron(n, alphas, [0.0], instances=args.instances, seed=args.seed,
                         profiles=False)
    t_counts = time.perf_counter() - t0
    t0 = time.perf_counter()
    enumerate_perceptron(n, alphas, [0.0], instances=args.instances, seed=args.seed,
                         profiles=True)
    t_full = time.perf_counter() - t0

    t0 = time.perf_counter()
    agree = True
    for i in range(args.baseline):
        xi = make_patterns(n, pmax, 10_000 + i)
        c_np, m_np = count_numpy(xi, ps, [0.0])
        r = enumerate_instance(xi, ps, [0.0], profiles=False)
        agree &= bool(np.array_equal(c_np, r.counts) and np.allclose(m_np, r.max_margin))
    t_np = (time.perf_counter() - t0) / args.baseline  # includes one numba call, negligible

    per_counts = t_counts / args.instances
    per_full = t_full / args.instances
    print(f"N = {n}, P_max = {pmax}, alphas = {alphas.tolist()}, instances = {args.instances}")
    print(f"nominal work per instance: 2^N * P_max = {nominal:.3e} (weight vectors x patterns)")
    print(f"numba, counts + max margin : {t_counts:8.2f} s total, {per_counts * 1e3:8.1f} ms/instance, "
          f"{nominal / per_counts:.3e} vectors*patterns/s")
    print(f"numba, + both profiles     : {t_full:8.2f} s total, {per_full * 1e3:8.1f} ms/instance, "
          f"{nominal / per_full:.3e} vectors*patterns/s")
    print(f"numpy baseline (counts)    : {t_np * 1e3:8.1f} ms/instance, "
          f"{nominal / t_np:.3e} vectors*patterns/s   (agrees with numba: {agree})")
    print(f"speed-up counts: {t_np / per_counts:.1f}x; target workload with profiles: "
          f"{t_full:.1f} s ({'under' if t_full < 60 else 'OVER'} a minute)")


if __name__ == "__main__":
    main()
