"""Finite-N enumeration vs replica theory: the comparison tables of issue 6.

1. Entropy (1/N) E ln #solutions of the binary perceptron at kappa = 0 (Gaussian patterns):
   per N the quenched average over seeded instances with its standard error and the fraction of
   instances with no solution; the weighted linear extrapolation in 1/N (chi^2/dof, intercept
   error); the RS Gardner–Derrida entropy from replica.models.gardner.
2. Maximum margin: same, vs kappa_max("binary", alpha) (zero of the RS entropy).
3. Local entropy at d = 1/4 around the max-margin and a random solution (binomial-normalised
   estimate H2(d) + (1/N) E ln[n(d)/C(N, dN)]) vs the Franz–Parisi S(d) (kappa = 0,
   kappa_ref = kappa_max or 0).

Usage: .venv/bin/python benchmarks/bench_finite_n_theory.py [--alpha 0.5] [--seed 2024] [--scale 1]
(--scale multiplies the numbers of instances).
"""
from __future__ import annotations

import argparse
import time

import numpy as np

from replica.finite_n.enumerate import (enumerate_perceptron, extrapolate_in_1_over_n,
                                        profile_local_entropy, quenched_summary)

PLAN = [(12, 400), (16, 300), (20, 150), (24, 40)]


def _fit_line(name, ns, y, e, theory):
    fit = extrapolate_in_1_over_n(ns, y, e)
    dev = (fit["intercept"] - theory) / fit["intercept_err_scaled"]
    print(f"  {name}: extrapolated {fit['intercept']:.4f} +- {fit['intercept_err_scaled']:.4f} "
          f"(chi2/dof = {fit['chi2_dof']:.2f}, slope {fit['slope']:.3f}); theory {theory:.5f}; "
          f"deviation {dev:+.1f} sigma")


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--alpha", type=float, default=0.5)
    ap.add_argument("--seed", type=int, default=2024)
    ap.add_argument("--scale", type=float, default=1.0)
    args = ap.parse_args(argv)
    from replica.models.franz_parisi import local_entropy_curve
    from replica.models.gardner import gardner, kappa_max

    a = args.alpha
    s_th = gardner("binary", a, 0.0).entropy
    k_th = kappa_max("binary", a)
    d = 0.25
    fp = {name: float(local_entropy_curve("binary", a, kr, 0.0, [d])["entropy"][0])
          for name, kr in (("max", k_th), ("random", 0.0))}
    rows = []
    print(f"binary perceptron, kappa = 0, alpha = {a}, Gaussian patterns, seed {args.seed}")
    print(f"{'N':>3} {'inst':>5} {'s_N':>8} {'+-':>7} {'frac0':>6} {'kmax_N':>8} {'+-':>7} "
          f"{'S_max(1/4)':>10} {'+-':>7} {'S_rand(1/4)':>11} {'+-':>7} {'sec':>6}")
    for n, inst in PLAN:
        inst = max(2, int(inst * args.scale))
        t0 = time.perf_counter()
        run = enumerate_perceptron(n, [a], [0.0], instances=inst, seed=args.seed)
        (row,) = quenched_summary(run)
        D = int(round(d * n))
        le = {w: profile_local_entropy(run.profiles(w)[:, 0, :], n) for w in ("max", "random")}
        rows.append((n, row["entropy"], row["entropy_se"], row["max_margin"], row["max_margin_se"],
                     le["max"]["norm"][D], le["max"]["norm_se"][D],
                     le["random"]["norm"][D], le["random"]["norm_se"][D]))
        print(f"{n:>3} {inst:>5} {row['entropy']:8.4f} {row['entropy_se']:7.4f} "
              f"{row['frac_zero']:6.3f} {row['max_margin']:8.4f} {row['max_margin_se']:7.4f} "
              f"{rows[-1][5]:10.4f} {rows[-1][6]:7.4f} {rows[-1][7]:11.4f} {rows[-1][8]:7.4f} "
              f"{time.perf_counter() - t0:6.1f}")
    r = np.array(rows)
    print("weighted linear fits in 1/N (errors inflated by sqrt(chi2/dof) when > 1):")
    _fit_line("entropy            ", r[:, 0], r[:, 1], r[:, 2], s_th)
    _fit_line("max margin         ", r[:, 0], r[:, 3], r[:, 4], k_th)
    _fit_line("S(1/4), max-margin ", r[:, 0], r[:, 5], r[:, 6], fp["max"])
    _fit_line("S(1/4), random     ", r[:, 0], r[:, 7], r[:, 8], fp["random"])


if __name__ == "__main__":
    main()
