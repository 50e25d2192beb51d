"""Finite-size scaling of the Bethe entropy of AMP against the RS (Gardner–Derrida) entropy.

For each N the Bethe free entropy phi_N of ``instances`` seeded instances (beta = inf, kappa = 0)
is compared with the RS entropy s(alpha) (replica.models.gardner): the mean gap phi_N - s with
its standard error, and the same with the control variate C = pattern_pair_overlap (mean exactly
0; phi_N is regressed on C and the intercept kept, its OLS error reported), which removes the
O(1/sqrt N) instance-to-instance fluctuation carried by the pair overlaps of the patterns. Then a
weighted least-squares fit gap(N) = g_inf + c/N of the controlled gaps, whose intercept g_inf
must be compatible with 0 if what remains is a finite-size effect. Gaussian and ±1 patterns.
Also q_N - q.

Usage: .venv/bin/python benchmarks/bench_mp_bethe_finite_size.py [--alphas 0.3,0.5,0.7]
       [--ns 500,1000,2000,4000] [--instances 24,16,10,6] [--patterns gaussian,pm1]
"""
from __future__ import annotations

import argparse
import math
import time

import numpy as np

from replica.finite_n.amp import amp, pattern_pair_overlap
from replica.finite_n.enumerate import instance_seeds, make_patterns, n_patterns
from replica.finite_n.success import fit_inverse_n
from replica.models.gardner import gardner


def controlled_mean(values, controls):
    """Intercept of the OLS line values = a + b controls (controls of mean 0) and its error."""
    v, c = np.asarray(values, float), np.asarray(controls, float)
    A = np.stack([np.ones_like(c), c], axis=1)
    coef, res, *_ = np.linalg.lstsq(A, v, rcond=None)
    resid = v - A @ coef
    cov = np.linalg.inv(A.T @ A) * float(resid @ resid) / (v.size - 2)
    return float(coef[0]), float(math.sqrt(cov[0, 0])), float(coef[1])


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--alphas", default="0.3,0.5,0.7")
    ap.add_argument("--ns", default="500,1000,2000,4000")
    ap.add_argument("--instances", default="24,16,10,6")
    ap.add_argument("--patterns", default="gaussian,pm1")
    ap.add_argument("--seed", type=int, default=7)
    args = ap.parse_args(argv)
    ns = [int(v) for v in args.ns.split(",")]
    inst = [int(v) for v in args.instances.split(",")]
    for pat in args.patterns.split(","):
        for alpha in (float(v) for v in args.alphas.split(",")):
            rs = gardner("binary", alpha, 0.0)
            s, q = rs.thermo["entropy"], rs.order["q"]
            gaps, errs, used = [], [], []
            for n, m in zip(ns, inst):
                p = n_patterns(n, alpha)
                t0 = time.perf_counter()
                phi, qq, cc = [], [], []
                for ss in instance_seeds(args.seed, m):
                    X = make_patterns(n, p, ss, pat)
                    r = amp(X, tol=1e-9, max_iter=2000)
                    if r.converged:
                        phi.append(r.free_entropy)
                        qq.append(r.q)
                        cc.append(pattern_pair_overlap(X))
                phi, qq = np.array(phi), np.array(qq)
                g, e = phi.mean() - s, phi.std(ddof=1) / math.sqrt(phi.size)
                gc, ec, slope = controlled_mean(phi - s, cc)
                gaps.append(gc)
                errs.append(ec)
                used.append(n)
                print(f"{pat:8s} alpha={alpha:.2f} N={n:5d} ({phi.size}/{m} converged): "
                      f"phi - s = {g:+.5f} +- {e:.5f}   controlled {gc:+.5f} +- {ec:.5f} "
                      f"(slope {slope:.2f})  N x controlled = {n * gc:+.2f} +- {n * ec:.2f}   "
                      f"q_N - q = {qq.mean() - q:+.5f} +- {qq.std(ddof=1) / math.sqrt(qq.size):.5f}"
                      f"   ({time.perf_counter() - t0:.1f} s)", flush=True)
            if len(used) >= 3:
                f = fit_inverse_n(used, gaps, errs)
                print(f"{pat:8s} alpha={alpha:.2f}: fit gap = g_inf + c/N: g_inf = "
                      f"{f['v_inf']:+.5f} +- {f['v_inf_err']:.5f}, c = {f['c']:+.2f} +- "
                      f"{f['c_err']:.2f}, chi2 = {f['chi2']:.1f} ({f['dof']} dof)", flush=True)


if __name__ == "__main__":
    main()
