"""Speed of AMP (replica.finite_n.amp) against the memory-bandwidth limit, and of a full
tilted-BP local-entropy curve.

1. One AMP iteration at N = 4000, alpha = 0.7 (P = 2800): the fused kernel reads the N x P
   float64 patterns once. The bandwidth limit is measured in the same run as the time of
   ``np.add.reduce`` over the same array (one streaming read; best of several), and the ratio
   t_AMP / t_read is printed (1 = bandwidth bound). For reference also two BLAS matrix-vector
   products (X @ a and X.T @ g, the unfused AMP core).
2. A full local-entropy curve (20 values of gamma, tilted AMP warm-started along the sweep) at
   N = 2000, alpha = 0.5 around a solution found by focusing BP (target: under a minute).

Usage: .venv/bin/python benchmarks/bench_message_passing.py [--n 4000] [--alpha 0.7] [--repeat 20]
"""
from __future__ import annotations

import argparse
import time

import numpy as np

from replica.finite_n.amp import AMPState, amp_iteration
from replica.finite_n.enumerate import make_patterns
from replica.finite_n.local_entropy_bp import tilted_local_entropy
from replica.finite_n.mp_solvers import focusing_bp


def _best(f, repeat):
    ts = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        f()
        ts.append(time.perf_counter() - t0)
    return min(ts), float(np.median(ts))


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=4000)
    ap.add_argument("--alpha", type=float, default=0.7)
    ap.add_argument("--repeat", type=int, default=20)
    ap.add_argument("--le-n", type=int, default=2000)
    ap.add_argument("--le-alpha", type=float, default=0.5)
    args = ap.parse_args(argv)
    n = args.n
    p = int(round(args.alpha * n))
    X = make_patterns(n, p, 0, "gaussian")
    st = AMPState.start(n, p)
    b = np.zeros(n)
    for _ in range(5):                                   # compile / warm up, move off a = 0
        amp_iteration(X, st, b)
    t_amp, t_amp_med = _best(lambda: amp_iteration(X, st, b), args.repeat)
    t_read, _ = _best(lambda: np.add.reduce(X, axis=None), args.repeat)
    a, g = st.a.copy(), st.g.copy()
    t_blas, _ = _best(lambda: (X @ a, X.T @ g), args.repeat)
    gb = X.nbytes / 1e9
    print(f"AMP iteration, N = {n}, P = {p} ({gb:.3f} GB of float64 patterns):")
    print(f"  AMP (fused numba pass)   best {1e3 * t_amp:8.2f} ms   median {1e3 * t_amp_med:8.2f} ms")
    print(f"  one read (np.add.reduce) best {1e3 * t_read:8.2f} ms   -> {gb / t_read:6.2f} GB/s")
    print(f"  BLAS X@a and X.T@g       best {1e3 * t_blas:8.2f} ms")
    print(f"  ratio AMP / bandwidth limit = {t_amp / t_read:.2f}   (AMP / BLAS pair = {t_amp / t_blas:.2f})")

    n2 = args.le_n
    X2 = make_patterns(n2, int(round(args.le_alpha * n2)), 1, "gaussian")
    t0 = time.perf_counter()
    r = focusing_bp(X2, gamma_step=1e-2)
    t_fbp = time.perf_counter() - t0
    t0 = time.perf_counter()
    le = tilted_local_entropy(X2, r.w)
    t_le = time.perf_counter() - t0
    print(f"local-entropy curve, N = {n2}, alpha = {args.le_alpha}: reference by focusing BP "
          f"({'solved' if r.solved else 'NOT solved'}, {r.iterations} iterations, {t_fbp:.2f} s)")
    print(f"  {le['gamma'].size} gammas, {int(le['converged'].sum())} converged, "
          f"{int(le['iterations'].sum())} AMP iterations in {t_le:.2f} s (target < 60 s)")


if __name__ == "__main__":
    main()
