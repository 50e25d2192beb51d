"""Benchmark: Franz–Parisi local entropy (replica.models.franz_parisi).

Prints
* the time of one full curve (50 distances, binary, max-margin reference, kappa = 0), warm;
* the time per point (curve / 50; and one cold single-point hybrid solve);
* the cost of one free-entropy evaluation (energetic + entropic terms with derivatives) by
  replica's numba panel rules vs a straightforward nested ``scipy.integrate.quad`` evaluation
  of the same free entropy (replica.testing.refs.franz_parisi, epsabs 1e-13) on a few saddle
  points, with their agreement — measured in the same run.

Run:  .venv/bin/python benchmarks/bench_local_entropy.py   (single core: no parallel kernels)
"""
from __future__ import annotations

import os
import time
import warnings

os.environ.setdefault("NUMBA_NUM_THREADS", "1")

import numpy as np  # noqa: E402

from replica.models import franz_parisi as fp  # noqa: E402
from replica.testing.refs.franz_parisi import independent_free_entropy  # noqa: E402


def main():
    alpha = 0.75
    d = np.concatenate([np.geomspace(1e-4, 0.01, 20), np.linspace(0.012, 0.3, 30)])
    # warm-up: compile / load cached kernels, Gardner reference sector
    fp.local_entropy_curve("binary", alpha, "max", 0.0, [0.01, 0.02])
    t0 = time.perf_counter()
    c = fp.local_entropy_curve("binary", alpha, "max", 0.0, d)
    t_curve = time.perf_counter() - t0
    print(f"full curve: binary, alpha={alpha}, kappa_ref=max, kappa=0, {d.size} distances "
          f"[{d[0]:g}, {d[-1]:g}]: {t_curve:.2f} s  ({int(c.ok.sum())} converged)")
    print(f"time per point on the curve: {1e3 * t_curve / d.size:.1f} ms")
    ref = c.reference
    t0 = time.perf_counter()
    fp.local_entropy("binary", alpha, "max", 0.0, 0.05, x0=c.solutions[30].x, ref=ref)
    print(f"single point, fresh hybrid solve from a neighbour: "
          f"{1e3 * (time.perf_counter() - t0):.1f} ms")

    print("\nfree-entropy evaluation, replica (numba panels) vs nested scipy.integrate.quad:")
    print(f"{'d':>8} {'replica [ms]':>13} {'scipy quad [ms]':>16} {'ratio':>8} {'|diff|':>9}")
    ratios = []
    for i in (5, 20, 35):
        th = c.solutions[i].thermo
        order = {k: th[k] for k in ("q", "t", "qh", "th", "ph")}
        n_rep = 20
        t0 = time.perf_counter()
        for _ in range(n_rep):
            v1 = fp.free_entropy("binary", alpha, "max", 0.0, d[i], order, ref=ref)["entropy"]
        t_rep = (time.perf_counter() - t0) / n_rep
        t0 = time.perf_counter()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            v2 = independent_free_entropy("binary", alpha, ref.Q, ref.Qh, ref.kappa_ref, 0.0,
                                          d[i], order)
        t_quad = time.perf_counter() - t0
        ratios.append(t_quad / t_rep)
        print(f"{d[i]:8.4g} {1e3 * t_rep:13.2f} {1e3 * t_quad:16.1f} {t_quad / t_rep:8.0f} "
              f"{abs(v1 - v2):9.1e}")
    print(f"speed-up of replica's evaluation over nested quad: x{np.median(ratios):.0f} (median)")


if __name__ == "__main__":
    main()
