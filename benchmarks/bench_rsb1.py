"""Cost of one m-overlap-gap threshold alpha_OGP(m) (replica.rsb1_thresholds.alpha_ogp), located
by the continuation engine (the event d phi_m/dq1 = 0 along the branch alpha_m(q1) of the model
ogp-binary / ogp-sbp, with the coarse rule) and polished with the default rule (the joint
system's residual below 1e-11, far below the 1e-5 target).

Reports per threshold: wall time (target: one event under 10 s), the number of energetic-term
evaluations (the 2D log-domain quadrature of the m-clone energetic term) and the number of
accepted branch points, the cost of one evaluation with the default and the coarse rules, and the
accuracy: the change of the threshold when the polish uses a finer rule.

Usage: .venv/bin/python benchmarks/bench_rsb1.py [--m 4] [--repeat 1]
"""
from __future__ import annotations

import argparse
import time

from replica import rsb1_thresholds as rt
from replica.models import rsb1


def _energetic_cost(constraint, q0, q1, m, kappa, rule, repeat=5):
    rsb1.energetic_terms(constraint, q0, q1, m, kappa, rule)  # compile / cache load
    t0 = time.perf_counter()
    for _ in range(repeat):
        rsb1.energetic_terms(constraint, q0, q1, m, kappa, rule)
    return (time.perf_counter() - t0) / repeat


def _fine_polish(w, k, m, c, r, rule=(16, 12.0, 1.5)):
    """alpha_OGP with the joint system polished under a finer rule, from r."""
    M = rt._ogp_model(w, c).with_rule(rule)
    p = M.validate({"kappa": k, "m": m, "q1": r["q1"]})
    sol = M.saddle(p, x0=M.guess(p, alpha0=r["alpha"]), validate=False)
    return sol.order["alpha"] - r["alpha"]


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
            t0 = time.perf_counter()
            r = rt.alpha_ogp(w, k, m, constraint=c)
            times.append(time.perf_counter() - t0)
        t_def = _energetic_cost(c, r["q0"], r["q1"], m, k, None)
        t_coarse = _energetic_cost(c, r["q0"], r["q1"], m, k, rsb1.COARSE_RULE)
        # alpha_m at the threshold's q1 with a finer rule: alpha is stationary in q1 there, so
        # this is the quadrature error of the threshold
        d_fine = _fine_polish(w, k, m, c, r)
        print(f"{label} kappa={k:g} m={m}: alpha_OGP = {r['alpha']:.8f} at q1 = {r['q1']:.8f} "
              f"(finer rule at the same q1: change {abs(d_fine):.1e})")
        print(f"  wall time {min(times):.2f} s  (target < 10 s: "
              f"{'met' if min(times) < 10 else 'MISSED'})")
        print(f"  {r['evaluations']} energetic evaluations, {r['branch_points']} accepted branch "
              f"points (event located at q1 = {r['q1_event_coarse']:.8f} with the coarse rule)")
        print(f"  one energetic evaluation: {1e3 * t_def:.2f} ms (default rule {rsb1.RULE}), "
              f"{1e3 * t_coarse:.2f} ms (coarse rule {rsb1.COARSE_RULE})")


if __name__ == "__main__":
    main()
