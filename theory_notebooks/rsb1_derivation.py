# ---
# jupyter:
#   jupytext:
#     formats: py:percent
#     text_representation:
#       extension: .py
#       format_name: percent
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% [markdown]
# # One-step RSB and m clones at fixed overlap
#
# This notebook derives the 1RSB free entropy that `replica.models.rsb1` solves (docs/THEORY.md
# §8.1) and checks each step numerically: the m = 1 identity, the exact count of pairs behind the
# SBP entropic term, the envelope-theorem slopes, the quadrature on the boundary layers, the
# overlap-gap thresholds of arXiv:2607.27000 (Table 2), and the spherical jamming limit. It runs
# as a plain script; CI executes it (a few seconds).
#
# ## 1. The 1RSB overlap matrix
#
# With n replicas split into n/m blocks of size m, q_ab = q1 inside a block, q0 across. For each
# pattern the fields of the replicas of one block share a Gaussian z0 (variance q0), a block
# Gaussian z1 (variance q1 - q0) and their own noise (variance 1 - q1). Integrating the own noise
# against the constraint gives the kernel calH(x, y) = int Dz K(x + y z), and the n -> 0 limit
#
# $$ G_E = \frac1m \int Dz_0 \ln \int Dz_1\, \mathcal H^m(\sqrt{q_0} z_0 + \sqrt{q_1-q_0} z_1, \sqrt{1-q_1}). $$
#
# For binary weights the same structure in the conjugates gives
# $G_S = -\hat q_1(1-q_1)/2 + \frac m2(q_0\hat q_0 - q_1 \hat q_1) + \frac1m\int Dz_0 \ln\int Dz_1 (2\cosh h)^m$,
# $h = \sqrt{\hat q_0} z_0 + \sqrt{\hat q_1 - \hat q_0} z_1$.

# %%
import math

import numpy as np
from scipy import special

from replica.gauss import gauss_hermite
from replica import rsb1_thresholds as rt
from replica.models import gardner, rsb1

H = lambda x: 0.5 * special.erfc(x / math.sqrt(2.0))

# %% [markdown]
# ## 2. m = 1 is RS for every q1
#
# At m = 1 the inner integrals are Gaussian averages of calH and of 2cosh: int Dz1 calH(x0 + s z1,
# y) = calH(x0, sqrt(s^2 + y^2)) and int Dz1 2cosh(a + b z1) = 2cosh(a) e^{b^2/2}; the q1
# dependence cancels.

# %%
a, k = 0.6, 0.2
rs = gardner.gardner("binary", a, k)
q, qh = rs.order["q"], rs.order["qh"]
for q1 in (0.7, 0.95, 0.999):
    f = rsb1.free_entropy("binary", a, k, 1, q, q1, qh, qh + 2.0)["free_entropy"]
    print(f"q1 = {q1}: phi_1RSB(m=1) - s_RS = {f - rs.thermo['entropy']:+.2e}")
    assert abs(f - rs.thermo["entropy"]) < 1e-12

# %% [markdown]
# ## 3. m clones: the entropic term counts m-tuples
#
# With q0 = qh0 = 0 (the SBP) the entropic extremum over qh1 is the entropy of the exchangeable
# law of m spins with pairwise correlation q1: for m = 2, (ln 2 + h((1+q1)/2))/2 per clone.

# %%
for q1 in (0.3, 0.9, 0.99):
    s = rsb1.mclone_saddle("binary", 1.0, 1.0, 2, q1, constraint="symmetric")
    p = 0.5 * (1 + q1)
    exact = 0.5 * (math.log(2) - p * math.log(p) - (1 - p) * math.log(1 - p))
    print(f"q1 = {q1}: entropic {s.thermo['entropic']:.15f}  exact {exact:.15f}")
    assert abs(s.thermo["entropic"] - exact) < 1e-13

# %% [markdown]
# ## 4. Envelope theorem: d phi_m/d q1 = ((m-1)/2)(alpha Q1 - qh1), d phi_m/d alpha = G_E
#
# Only the explicit dependence counts at the saddle: -qh1(1-q1)/2 - m q1 qh1/2 gives
# (1-m) qh1/2, and dG_E/dq1 = ((m-1)/2) Q1 because d/d(1-q1) acts as half a second x-derivative on
# each calH while d/d(q1-q0) acts on calH^m (the cross term m(m-1) calH^{m-2} calH'^2 survives).

# %%
aa, m, q1 = 0.7, 3, 0.95
s = rsb1.mclone_saddle("binary", aa, 0.0, m, q1)
h = 1e-4
fd = (rsb1.mclone_free_entropy("binary", aa, 0.0, m, q1 + h)
      - rsb1.mclone_free_entropy("binary", aa, 0.0, m, q1 - h)) / (2 * h)
print(f"d phi_m/d q1: envelope {s.thermo['dphi_dq1']:.9f}, finite difference {fd:.9f}")
assert abs(fd - s.thermo["dphi_dq1"]) < 1e-6

# %% [markdown]
# ## 5. Boundary layers: why a plain Gauss–Hermite rule is not enough
#
# At the SBP thresholds q1 ~ 0.99: calH^m(sqrt(q1) z) is a window with edges of width
# sqrt((1-q1)/q1) ~ 0.1. A 301-node Gauss–Hermite rule misses it by ~2e-4; the graded
# panel rule of `replica.gauss` resolves it (two rules agree to ~1e-14).

# %%
r5 = rt.alpha_ogp("binary", 1.0, 5, constraint="symmetric")
q1 = r5["q1"]
y, sq = math.sqrt(1 - q1), math.sqrt(q1)
z, w = gauss_hermite(301)
gh = math.log(np.dot(w, (H((sq * z - 1) / y) - H((sq * z + 1) / y)) ** 5)) / 5
g1 = rsb1.energetic_terms("symmetric", 0.0, q1, 5, 1.0)["G_E"]
g2 = rsb1.energetic_terms("symmetric", 0.0, q1, 5, 1.0, (16, 12.0, 1.5))["G_E"]
print(f"G_E at m = 5, q1 = {q1:.5f}: graded {g1:.14f}, finer graded {g2:.14f}, "
      f"Gauss-Hermite-301 {gh:.14f} (off by {gh - g1:+.1e})")
assert abs(g1 - g2) < 1e-12 and abs(gh - g1) > 1e-5

# %% [markdown]
# ## 6. The m-overlap-gap thresholds of the SBP (arXiv:2607.27000, Table 2)

# %%
table2 = {2: 1.7001, 3: 1.6664, 4: 1.6578, 5: 1.6593}
res = {m: rt.alpha_ogp("binary", 1.0, m, constraint="symmetric") for m in range(2, 7)}
for m, r in res.items():
    pub = table2.get(m)
    print(f"m = {m}: alpha_OGP = {r['alpha']:.6f} at q1 = {r['q1']:.5f}"
          + (f"   (Table 2: {pub})" if pub else ""))
    if pub:
        assert abs(r["alpha"] - pub) <= 5e-5
mstar = min(res, key=lambda m: res[m]["alpha"])
print(f"min over m at m* = {mstar}; m > {mstar} is the unphysical (increasing) part")
assert mstar == 4

# %% [markdown]
# ## 7. Spherical jamming: q1 -> 1 with m = mu (1 - q1)
#
# Psi(q0, mu) = A + alpha B; mu -> 0 gives Gardner's 1/int Dt (kappa - t)_+^2 for every q0; for
# kappa < 0 the minimum of -A/B lies below it.

# %%
for k in (0.5, -1.0):
    ac = gardner.capacity_spherical_closed_form(k)
    lim = [rsb1.jamming_psi(1.0, k, q0, 1e-7)["alpha_zero"] / ac - 1 for q0 in (0.0, 0.5, 0.9)]
    print(f"kappa = {k}: mu -> 0 relative deviation from Gardner {max(map(abs, lim)):.1e}")
    assert max(map(abs, lim)) < 1e-5
r = rt.alpha_c_1rsb(-1.0)
print(f"kappa = -1: alpha_c^1RSB = {r['alpha']:.5f} (q0 = {r['q0']:.4f}, mu = {r['mu']:.3f}) "
      f"< alpha_c^RS = {r['alpha_rs']:.5f}")
assert r["alpha"] < r["alpha_rs"]

# %% [markdown]
# ### 7b. Very negative kappa: the 1RSB line crosses the AT line (issue 15)
#
# Tracing alpha_c^1RSB and alpha_AT(kappa) (the AT bifurcation along RS) down in kappa:
# kappa = -0.5: 3.9507 < 4.7001 < 4.7701 (alpha_AT < alpha_c^1RSB < alpha_c^RS); -1: 7.8736 <
# 12.3196 < 13.2732; -2: 61.879 < 125.40 < 173.35; but at kappa = -3: alpha_c^1RSB = 2526.14 <
# alpha_AT = 3087.01 < 4915.57. The two lines cross at kappa* = -2.872 (bisection of
# alpha_c^1RSB/alpha_AT - 1, xtol 1e-4). This is not a wrong stationary point: at kappa = -3
# -A/B has a single interior stationary point on a (q0, mu) grid, its global minimum
# (q0 = 0.0246, mu = 61.65; -A/B rises monotonically towards mu -> 0 (RS, 4915) and
# mu -> infinity), and A, B there agree with a nested adaptive quadrature (inner integral not
# in closed form) to 1e-13 (tests/test_rsb1_jamming.py).
#
# It is the 1RSB ansatz describing a *discontinuous* transition. At fixed m = 0.06 the branch of
# `rsb1-spherical` born at the AT line (alpha = 3087.0) is S-shaped: followed by the
# continuation engine (`replica.continuation.follow` in alpha, arclength) it runs forward to a
# fold at alpha = 3347.92 (q0 = 0.070, q1 = 0.254), then back with q1 growing to a second turning
# point at alpha = 2091.64 (q0 = 0.0091, q1 = 0.9946), where the engine stops ("lost"); the
# upper part, followed down from alpha = 2800 (q0 = 0.037, q1 = 0.9993), stops at the same
# point (unknowns equal to 3e-5). Its q1 -> 1 end (q0 ~ 0.02, small m) lies below alpha_AT and
# is reached from a warm start only (about a minute of CPU for the two follows, so not a test).
# At alpha = 2400 < alpha_c^1RSB < alpha_AT that upper part's complexity
# vanishes at a static m ~ 0.11 and its free entropy (-4.25) is below that of the RS solution
# (-3.243, q = 0.078), which is locally stable there: within 1RSB, RS is not the equilibrium
# before its AT instability (a random-first-order scenario, as for the binary perceptron, where
# the Krauth–Mézard capacity lies where RS is still stable). Along that static branch the
# jamming point is reached as it should be: alpha = 2300, 2400, 2480, 2515 give m_s = 0.198,
# 0.107, 0.037, 0.0085, 1 - q1 = 5.7e-3 ... 1.5e-4, mu = m_s/(1 - q1) = 34.9, 42.1, 51.2, 57.9
# -> 61.65 and q0 -> 0.0246 (the stationary point of -A/B). The fixed-m = 0.5 solution at
# alpha = 3395.7 (q1 = 0.996, complexity -1.21) is on the same branch: at fixed m, q1 -> 1
# means mu -> infinity, where -A/B is larger than its minimum. The requirement alpha_AT < alpha_J
# holds for a continuous (Gardner-type) transition only. Two further facts at these margins:
# the RS equation itself is multivalued (alpha(q) along RS has a local maximum 3360 at q ~ 0.21
# and a local minimum 3238 at q ~ 0.61 at kappa = -3; at kappa = -4 its maximum exceeds the
# closed-form capacity), and whether full RSB keeps the transition discontinuous is open.
# `alpha_c_1rsb`/`jamming_line` return `below_at`; the CLI adds a note.

# %%
r3 = rt.alpha_c_1rsb(-3.0)
print(f"kappa = -3: alpha_c^1RSB = {r3['alpha']:.2f} (q0 = {r3['q0']:.4f}, mu = {r3['mu']:.2f}), "
      f"alpha_AT = {r3['alpha_at']:.2f}, alpha_c^RS = {r3['alpha_rs']:.2f}")
assert r3["below_at"] and r3["alpha"] < r3["alpha_at"]
grid = [rsb1.jamming_psi(1.0, -3.0, q0, mu)["alpha_zero"] for q0 in np.linspace(0.0, 0.9, 10)
        for mu in np.geomspace(0.05, 5e3, 15)]
assert r3["alpha"] <= min(grid) * (1 + 1e-9)
qs = 1.0 - np.geomspace(0.99, 1e-4, 40)
a_rs = np.array([q / ((1 - q) ** 2 * rsb1.energetic_terms("margin", q, q, 1.0, -3.0)["Q0"])
                 for q in qs])
print(f"kappa = -3: alpha(q) along RS is not monotone: {np.sum(np.diff(a_rs) < 0)} decreasing "
      "steps")
assert np.any(np.diff(a_rs) < 0)

# %% [markdown]
# ## 8. Spherical 1RSB: the branch leaves RS exactly at the AT line
#
# Subtracting the q0 equation from the q1 equation and dividing by q1 - q0 (the reduced tilted
# variance V of `rsb1_kernels`) removes the RS branch: at q1 = q0 the reduced equation is the
# vanishing of the RS replicon. The model `rsb1-spherical` starts there; followed down in alpha
# at fixed m, its branch ends (q1 - q0 -> 0) at the AT line.

# %%
from replica.models.rsb1_spherical import bifurcation_point
from replica.thresholds import at_alpha

a_at = at_alpha(-1.0, xtol=1e-12).value
b = bifurcation_point(-1.0)
end = rt.branch_end(-1.0, 0.6, 8.3)
print(f"kappa = -1: alpha_AT = {a_at:.12f}, reduced 1RSB equation at q1 = q0: "
      f"{b['alpha']:.12f}, branch end (m = 0.6): {end['alpha']:.12f} "
      f"(q1 - q0 = {end['q1_minus_q0']:.1e})")
assert abs(b["alpha"] - a_at) < 1e-10 and abs(end["alpha"] - a_at) < 1e-8

# %% [markdown]
# ## 9. Binary perceptron, m -> 1: frozen states (arXiv:2607.27000 App. B, zero temperature)
#
# With qh1 = alpha Q1(q1), the entropy of one state S_RS + phi~ vanishes as q1 -> 1 like
# sqrt(1 - q1): the states are isolated solutions, the complexity at m = 1 is S_RS, and the
# static capacity is the RS one (figure `rsb1_frozen` draws d phi~/d qh1 and phi~ against q1).

# %%
for e in (1e-4, 1e-6, 1e-8):
    t = rsb1.frozen_m1_terms(0.7, 0.0, 1 - e)
    print(f"1 - q1 = {e:.0e}: qh1 = {t['qh1']:9.2f}, internal entropy = "
          f"{t['internal_entropy']:+.3e}, complexity = {t['complexity']:.6f} "
          f"(S_RS = {t['s_rs']:.6f})")
assert abs(rsb1.frozen_m1_terms(0.7, 0.0, 1 - 1e-8)["internal_entropy"]) < 1e-4
