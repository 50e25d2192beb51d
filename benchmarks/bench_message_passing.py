"""Speed of AMP (replica.finite_n.amp) against the memory-bandwidth limit, and of a full
tilted-BP local-entropy curve.

1. One AMP iteration at N = 4000, alpha = 0.7 (P = 2800), three ways: float64 Gaussian-type
   patterns (the general pass: reads 8 bytes per entry), ±1 patterns stored as int8 (1 byte per
   entry) with the double- and the single-precision pass. The bandwidth limit of each is the time
   to read its pattern array once: measured (a) as the streaming rate of main memory
   (``np.add.reduce`` over a 256 MB float64 array, best of several) times the array's size, and
   (b) as the time of one reduction over the array itself — for the 11 MB int8 array that read
   comes from the last-level cache, so (b) is the stricter (faster) bound. The ratio t_AMP / t_read
   is printed against both (1 = bandwidth bound). For reference, two BLAS matrix-vector products
   on the float64 array (X @ a and X.T @ g, the unfused AMP core).
2. A full local-entropy curve (20 values of gamma, tilted AMP warm-started along the sweep) at
   N = 2000, alpha = 0.5 (Gaussian patterns) around a solution found by focusing BP
   (target: under a minute).

Usage: .venv/bin/python benchmarks/bench_message_passing.py [--n 4000] [--alpha 0.7] [--repeat 20]
"""
from __future__ import annotations

import argparse
import time

import numpy as np

from replica.finite_n.amp import AMPState, amp_iteration, check_patterns
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
    big = np.ones(32 * 1024 * 1024)
    t_big, _ = _best(lambda: np.add.reduce(big), args.repeat)
    rate = big.nbytes / t_big
    print(f"main-memory streaming read: {rate / 1e9:.2f} GB/s (np.add.reduce over 256 MB)")
    Xf = make_patterns(n, p, 0, "pm1")            # ±1 entries as float64: the general pass
    X8 = check_patterns(Xf)                       # the same patterns as int8
    print(f"AMP iteration, N = {n}, P = {p}:")
    for label, X, prec in (("float64 patterns, general pass", Xf, "double"),
                           ("int8 patterns, double precision", X8, "double"),
                           ("int8 patterns, single precision", X8, "single")):
        st = AMPState.start(n, p)
        b = np.zeros(n)
        for _ in range(5):                        # compile / warm up, move off a = 0
            amp_iteration(X, st, b, precision=prec)
        t, t_med = _best(lambda: amp_iteration(X, st, b, precision=prec), args.repeat)
        flat = X.reshape(-1).view(np.float64) if X.dtype == np.int8 else X
        t_read, _ = _best(lambda: np.add.reduce(flat, axis=None), args.repeat)
        t_mem = X.nbytes / rate
        print(f"  {label:33s} best {1e3 * t:7.2f} ms  median {1e3 * t_med:7.2f} ms | "
              f"{X.nbytes / 1e6:5.1f} MB: memory-rate read {1e3 * t_mem:6.2f} ms (ratio "
              f"{t / t_mem:5.2f}), measured read {1e3 * t_read:6.2f} ms (ratio {t / t_read:5.2f})")
    a, g = np.tanh(np.random.default_rng(0).standard_normal(n)), np.zeros(p)
    t_blas, _ = _best(lambda: (Xf @ a, Xf.T @ g), args.repeat)
    print(f"  BLAS X@a and X.T@g (float64)      best {1e3 * t_blas:7.2f} ms")

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
