"""Benchmark: Franz–Parisi local entropy (replica.models.franz_parisi).

Prints
* the time of one full curve (50 distances, binary, max-margin reference, kappa = 0), warm;
* the time per point (curve / 50; and one cold single-point hybrid solve);
* per evaluation: the quadrature nodes (counted with the JIT off) and the ratio of its time to
  nodes x the measured cost of one ln H (+ ln 2cosh) evaluation;
* the cost of one free-entropy evaluation (energetic + entropic terms with derivatives) by
  replica's numba panel rules vs a straightforward nested ``scipy.integrate.quad`` evaluation
  of the same free entropy (replica.testing.refs.franz_parisi, epsabs 1e-13) on a few saddle
  points, with their agreement — measured in the same run.

Run:  .venv/bin/python benchmarks/bench_local_entropy.py   (single core: no parallel kernels)
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import warnings

os.environ.setdefault("NUMBA_NUM_THREADS", "1")

import numpy as np  # noqa: E402
from _timing import best as _best  # noqa: E402

from replica._numba import jit  # noqa: E402
from replica.models import franz_parisi as fp  # noqa: E402
from replica.gauss import cosh_terms_s as _cosh_terms  # noqa: E402
from replica.gauss import log_H_G_s as _lnH_G  # noqa: E402
from replica.testing.refs.franz_parisi import independent_free_entropy  # noqa: E402


_COUNT_NODES = """
import json, sys
from replica.models import fp_kernels as k, franz_parisi as fp
calls = {"lnH": 0, "log2cosh": 0, "rho_lnH": 0}
lnH, l2c, lh = k._lnH_G, k._cosh_terms, k._log_H_abs
def c_lnH(x):
    calls["lnH"] += 1
    return lnH(x)
def c_l2c(h):
    calls["log2cosh"] += 1
    return l2c(h)
def c_lh(x):
    calls["rho_lnH"] += 1
    return lh(x)
k._lnH_G, k._cosh_terms, k._log_H_abs = c_lnH, c_l2c, c_lh
a = json.loads(sys.argv[1])
fp.free_entropy("binary", a["alpha"], "max", 0.0, a["d"], a["order"])
print(json.dumps(calls))
"""


def count_nodes(alpha, d, order):
    """Quadrature nodes of one free-entropy evaluation, counted in plain Python (JIT off)."""
    env = dict(os.environ, REPLICA_DISABLE_JIT="1")
    out = subprocess.run([sys.executable, "-c", _COUNT_NODES,
                          json.dumps({"alpha": alpha, "d": d, "order": order})],
                         capture_output=True, text=True, env=env, check=True).stdout
    return json.loads(out)


def main():
    print(f"load average (1, 5, 15 min): {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    alpha = 0.75
    d = np.concatenate([np.geomspace(1e-4, 0.01, 20), np.linspace(0.012, 0.3, 30)])
    # the reference sector (Gardner saddle point at kappa_ref = kappa_max(alpha)): computed once
    # per (model, alpha, kappa_ref) in a process, then shared by validation, curves and events
    fp.reference_sector("binary", 0.7, "max")     # loads the Gardner kernels
    t0 = time.perf_counter()
    fp.reference_sector("binary", alpha, "max")
    t_ref = time.perf_counter() - t0
    t0 = time.perf_counter()
    fp.reference_sector("binary", alpha, "max")
    print(f"reference sector (binary, alpha={alpha}, kappa_ref=max): first {1e3 * t_ref:.1f} ms, "
          f"again {1e6 * (time.perf_counter() - t0):.1f} us (cached)")
    # warm-up: compile / load cached kernels
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

    # what bounds one evaluation: its node count x the cost of one ln H (and ln 2cosh) evaluation
    xs = np.linspace(-8.0, 8.0, 1000)
    lnh = _best(lambda: fpk_lnH_sum(xs), number=50) / xs.size
    l2c = _best(lambda: fpk_l2c_sum(xs), number=50) / xs.size
    print(f"\none ln H + G evaluation (numba, in a compiled loop): {lnh * 1e9:.1f} ns; "
          f"one ln 2cosh (with sech^2, tanh, sigmoid): {l2c * 1e9:.1f} ns")
    print("(energetic nodes = ln H(x) + G(x) evaluations; rho ln H = the constrained density's "
          "H factor in the log domain, needed only in the deep tail; elsewhere one erfc)")
    print(f"{'d':>8} {'t_eval [ms]':>12} {'energetic nodes':>16} {'rho ln H':>9} "
          f"{'entropic nodes':>15} {'nodes x t_lnH [ms]':>19} {'t_eval / that':>14}")
    t_evals = []
    for i in (5, 20, 35):
        th = c.solutions[i].thermo
        order = {k: float(th[k]) for k in ("q", "t", "qh", "th", "ph")}
        t_ev = _best(lambda: fp.free_entropy("binary", alpha, "max", 0.0, d[i], order, ref=ref))
        n = count_nodes(alpha, float(d[i]), order)
        floor = n["lnH"] * lnh + n["log2cosh"] * l2c
        t_evals.append(t_ev)
        print(f"{d[i]:8.4g} {t_ev * 1e3:12.3f} {n['lnH']:16d} {n['rho_lnH']:9d} "
              f"{n['log2cosh']:15d} {floor * 1e3:19.4f} {t_ev / floor:14.1f}")
    print(f"\nissue 20 targets: FP free-entropy evaluation {1e3 * min(t_evals):.2f}-"
          f"{1e3 * max(t_evals):.2f} ms (target <= 0.5 ms); 50-point curve {t_curve:.2f} s "
          f"(target < 0.5 s)")


@jit
def fpk_lnH_sum(xs):
    s = 0.0
    for x in xs:
        a, b = _lnH_G(x)
        s += a + b
    return s


@jit
def fpk_l2c_sum(xs):
    s = 0.0
    for x in xs:
        a, b, c, e = _cosh_terms(x)
        s += a + b + c + e
    return s


if __name__ == "__main__":
    main()
