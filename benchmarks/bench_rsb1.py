"""Cost of one m-overlap-gap threshold alpha_OGP(m) (replica.models.rsb1.alpha_ogp), located to
1e-5 and beyond (final residual 1e-11 on the joint system).

Reports per threshold: wall time, the number of free-entropy evaluations of the final joint
solve and of the whole computation (coarse tabulation + solve), and the cost of one energetic
evaluation (the 2D log-domain quadrature of the m-clone energetic term) with the default and the
coarse rules; the target is one event under 10 s. The change of the threshold between the
default rule and a finer one is printed as the accuracy check.

Usage: .venv/bin/python benchmarks/bench_rsb1.py [--m 4] [--repeat 3]
"""
from __future__ import annotations

import argparse
import time

from replica.models import rsb1


def _energetic_cost(constraint, q0, q1, m, kappa, rule, repeat=5):
    rsb1.energetic_terms(constraint, q0, q1, m, kappa, rule)  # compile / cache load
    t0 = time.perf_counter()
    for _ in range(repeat):
        rsb1.energetic_terms(constraint, q0, q1, m, kappa, rule)
    return (time.perf_counter() - t0) / repeat


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--m", type=int, default=4)
    ap.add_argument("--repeat", type=int, default=1)
    args = ap.parse_args(argv)
    m = args.m
    cases = [("sbp", "binary", "symmetric", 1.0), ("abp", "binary", "margin", 0.0)]
    # warm-up (numba compilation / cache load) outside the timings
    rsb1.mclone_saddle("binary", 1.6, 1.0, m, 0.98, constraint="symmetric")
    rsb1.mclone_saddle("binary", 0.78, 0.0, m, 0.98)
    for label, w, c, k in cases:
        times = []
        for _ in range(args.repeat):
            n0 = rsb1.EVALUATIONS[0]
            t0 = time.perf_counter()
            r = rsb1.alpha_ogp(w, k, m, constraint=c)
            times.append(time.perf_counter() - t0)
            n_total = rsb1.EVALUATIONS[0] - n0
        fine = rsb1.alpha_ogp(w, k, m, constraint=c, rule=(16, 12.0, 1.5))
        q0 = r["q0"]
        t_def = _energetic_cost(c, q0, r["q1"], m, k, None)
        t_coarse = _energetic_cost(c, q0, r["q1"], m, k, rsb1.COARSE_RULE)
        n_grid = len(r["grid_q1"])
        print(f"{label} kappa={k:g} m={m}: alpha_OGP = {r['alpha']:.8f} at q1 = {r['q1']:.8f} "
              f"(finer rule: {fine['alpha']:.8f}, change {abs(fine['alpha'] - r['alpha']):.1e})")
        print(f"  wall time {min(times):.2f} s  (target < 10 s: "
              f"{'met' if min(times) < 10 else 'MISSED'})")
        print(f"  {n_total} energetic evaluations in all: {n_grid} grid points of alpha_m(q1) "
              f"(coarse rule, warm-started joint solves of the saddle and phi_m = 0), then {r['evaluations']} "
              f"in the joint solves (coarse rule, then the default rule)")
        print(f"  one energetic evaluation: {1e3 * t_def:.2f} ms (default rule {rsb1.RULE}), "
              f"{1e3 * t_coarse:.2f} ms (coarse rule {rsb1.COARSE_RULE}); ratio "
              f"{t_def / t_coarse:.2f}")


if __name__ == "__main__":
    main()
