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
# # Tree committee machines and the infinite-width limit (RS)
#
# This notebook derives what `replica.models.committee` solves and checks the closed forms
# numerically (docs/THEORY.md §8.4). It runs as a plain script; CI executes it.
#
# ## 1. The energetic term
#
# N weights in K disjoint branches of N/K, hidden fields $h_l = w_l\cdot\xi_l/\sqrt{N/K}$,
# output $\mathrm{sign}\sum_l \mathrm{sign}(h_l)$ (K odd). Per pattern, replicas a = 1..n have
# hidden fields $h_l^a$ jointly Gaussian with covariance $q^l_{ab}$; with RS ($q^l_{ab} = q$)
# $h_l^a = \sqrt q z_l + \sqrt{1-q}\,y_l^a$ and the n replicas are independent given z. The
# probability that a replica is correct is the sum over internal representations
# $$M(z) = \sum_{\tau:\sum\tau_l > 0}\prod_l H(-\tau_l u_l),\qquad u_l = \sqrt q z_l/\sqrt{1-q},$$
# and $\frac1n\ln E[M^n] \to G_E = E_z \ln M$. The entropic term is the perceptron's per weight
# (every branch has the same q), and $\alpha = P/N$. K = 1: $M = H(-u)$, Gardner's term at
# kappa = 0.
#
# Derivative: $\partial_q E_z\ln Z(\sqrt q z) = -\frac12\sum_l E(\partial_{h_l}\ln Z)^2$ (with
# $Z(h) = E_y M(h + \sqrt{1-q}y)$; Gaussian integration by parts), and
# $s\,\partial_{h_l}\ln M = M_l\phi(u_l)/M$ with $M_l = \partial M/\partial p_l = P(\text{tie of the others})$.
# We check $J = -2(1-q)^2 G_E'$ against a finite difference, and $\ln M$ against mpmath.

# %%
import math

import numpy as np

from replica.models import committee as C
from replica.models import gardner as G

q, h = 0.45, 1e-4
for k in (1, 3):
    dE = (C.energetic(q + h, k)["E"] - C.energetic(q - h, k)["E"]) / (2 * h)
    J = C.energetic(q, k)["J"]
    print(f"K={k}: J = {J:.12f}, -2(1-q)^2 dE/dq = {-2 * (1 - q) ** 2 * dE:.12f}")
    assert abs(J + 2 * (1 - q) ** 2 * dE) < 1e-7
print("K=1 vs Gardner, E:", C.energetic(q, 1)["E"], G.energetic_integrals(q, 0.0)["E"])
assert abs(C.energetic(q, 1)["E"] - G.energetic_integrals(q, 0.0)["E"]) < 1e-13

# %% [markdown]
# ## 2. Reducing the K-dimensional integral
#
# The sum over the $2^K$ internal representations depends only on how many units are +1 given
# the unit probabilities: a dynamic programme over the count c (O(K^2), log domain). The
# Gaussian integral cannot be reduced below K dimensions (the log sits outside the sum), but the
# integrand is symmetric in the units: summing over multisets of nodes $i_1\le\dots\le i_K$ with
# multiplicity $K!/\prod m_j!$ evaluates the tensor rule at $\binom{n+K-1}{K}$ points instead of
# $n^K$ (K = 3, n = 128: 3.6e5 instead of 2.1e6). As q -> 1 the integrand develops kinks of width
# $\sqrt{(1-q)/q}$ along the diagonals $z_i = z_j$ (which unit is cheapest to flip changes), which
# a tensor rule cannot align with; a second, nested rule over ordered fields
# $z_1\le\dots\le z_K$ puts a panel edge on every diagonal. The two rules share no nodes: their
# agreement is the test of the quadrature.

# %%
for qq in (0.3, 0.5):
    a = C.energetic(qq, 3, rule=C.CommitteeRule(8, 1.5, 10.0))
    b = C.energetic(qq, 3, rule=C.SortedRule(8, 1.5, 10.0))
    print(f"q={qq}: tensor E={a['E']:.13f} J={a['J']:.13f} | nested E={b['E']:.13f} J={b['J']:.13f}")

# %% [markdown]
# ## 3. Spherical capacity: q -> 1
#
# As $q\to1$, $u_l = \sqrt q z_l/\sqrt{1-q}$ and $\ln H(-u) \approx -u^2/2$ for $u<0$: the sum over
# representations is dominated by the cheapest majority, $\ln M\approx -q\,C(z)/(2(1-q))$ with
# $C(z)$ the sum of the j smallest $z_l^2$ among the negative fields, $j = \max(0, (K+1)/2 - \#\{z_l > 0\})$.
# So $G_E\approx -qA_K/(2(1-q))$, $A_K = E\,C(z)$, and the spherical free entropy
# $\frac12\ln(1-q) + \frac{q}{2(1-q)} + \alpha G_E$ reaches q = 1 at $\alpha_c = 1/A_K$.
# $A_K = \sum_{m<(K+1)/2}\binom Km 2^{-K}\,E[\text{sum of the }(K+1)/2-m\text{ smallest of }K-m\ \chi^2_1]$,
# one-dimensional order-statistics integrals. K = 1: A = 1/2, alpha_c = 2 (Cover).

# %%
ks = [1, 3, 5, 7, 9, 21, 51, 101, 201]
ac = [1 / C.A_K(k) for k in ks]
for k, a in zip(ks, ac):
    print(f"K={k:4d}: alpha_c^RS = {a:.6f}   (16/pi) sqrt(ln K) = {16 / math.pi * math.sqrt(math.log(k)):.4f}")
slope = np.polyfit(np.log(ks[-4:]), np.log(ac[-4:]), 1)[0]
print(f"large-K growth exponent of the RS capacity: {slope:.3f} (RS grows as a power of K; the "
      "1RSB capacity only as sqrt(ln K))")
for v in (5e-2, 1e-2):
    print(f"K=3, 1-q={v:g}: q/J(q) = {(1 - v) / C.energetic(1 - v, 3)['J']:.5f}  -> 1/A_3 = {1 / C.A_K(3):.5f}")

# %% [markdown]
# ## 4. Replicon
#
# Writing the free entropy with one overlap matrix per branch, $\frac1K\sum_l S(Q^l) + \alpha G_E(\{Q^l\})$,
# the replicon sector carries one amplitude per branch; the energetic Hessian there is
# $\Gamma_{ll'} = E[(\partial_{h_l}\partial_{h_{l'}}\ln M)^2]$ (for K = 1 this is Gardner's
# $\gamma_E$), the entropic one $-1/(K\gamma_S)$ per branch. $\Gamma = (a-b)I + b\,11^T$ with
# b >= 0, so the dangerous mode is the uniform one and $\lambda_R = 1 - \alpha\gamma_S\sum_{ll'}\Gamma_{ll'}$.
#
# ## 5. Infinite width
#
# Output $\lambda = K^{-1/2}\sum_l v_l\phi(h_l)$ with balanced $v_l = \pm1$: given the replicas'
# weights, the $\lambda^a$ are sums of K independent terms, jointly Gaussian as K -> infinity with
# covariance $\Delta(q_{ab}) = E[\phi(h)\phi(h')]_{q_{ab}} - (E\phi)^2$ (the mean cancels because
# $\sum_l v_l = 0$). The energetic term is the perceptron's with overlap $Q(q) = \Delta(q)/\Delta(1)$.
# Near q = 1, $1 - Q \approx Q'(1)(1-q)$ if $\Delta'(1) < \infty$, so
# $\alpha_c = Q'(1)\,\alpha_c^{\rm perc}(\kappa)$. Kernels and capacities (kappa = 0):
#
# | activation | $\Delta(q)$ | $\Delta(1)$ | $\Delta'(1)$ | $\alpha_c$ |
# |---|---|---|---|---|
# | linear | q | 1 | 1 | 2 |
# | ReLU | $[\sqrt{1-q^2} + (\pi - \arccos q)q - 1]/(2\pi)$ | $(\pi-1)/(2\pi)$ | 1/2 | $2\pi/(\pi-1)$ |
# | erf | $\frac2\pi\arcsin(2q/3)$ | $\frac2\pi\arcsin\frac23$ | $\frac{4}{\pi\sqrt5}$ | $4/(\sqrt5\arcsin\frac23)$ |
# | sign | $\frac2\pi\arcsin q$ | 1 | $\infty$ | $\infty$ |
#
# For sign units $1 - Q = \frac2\pi\arccos q \approx \frac{2\sqrt2}{\pi}\sqrt{1-q}$: the energetic
# divergence $\propto (1-q)^{-1/2}$ never beats the entropic $1/(2(1-q))$ and q -> 1 is never
# reached. Replicon energetic factor (chain rule, the $Q''$ term enters only the diagonal
# element): $Q'^2\gamma_E(Q) + Q''\,J(Q)/(1-Q)^2$.

# %%
for act in ("linear", "relu", "erf", "sign"):
    a = C.capacity_spherical(None, act)
    v = 1e-7
    print(f"{act:6s}: alpha_c = {a:.10f}; q/J at 1-q=1e-7: {(1 - v) / C.energetic_wide(1 - v, act)['J']:.6f}")
assert abs(C.capacity_spherical(None, "relu") - 2 * math.pi / (math.pi - 1)) < 1e-12

# %% [markdown]
# ## 6. Finite K towards infinite width (sign units, spherical, alpha = 0.5)

# %%
s_inf = C.committee("spherical", 0.5, None, activation="sign").thermo["entropy"]
prev = None
for k in (1, 3, 5):
    s = C.committee("spherical", 0.5, k).thermo["entropy"]
    d = abs(s - s_inf)
    print(f"K={k}: s = {s:.8f}, |s - s_inf| = {d:.3e}" + (f", ratio to previous {d / prev:.3f}" if prev else ""))
    prev = d
print(f"K=inf: s = {s_inf:.8f}")

# %% [markdown]
# ## 7. Franz–Parisi local entropy at infinite width
#
# Around a reference $\tilde w$ drawn from the solutions of output margin $\kappa_{\rm ref}$, the
# constrained replicas $w^a$ (margin $\kappa$, overlap $p = 1 - 2d$ with $\tilde w$) have weight
# overlaps $Q_w$ (reference–reference), $p$, $t$ (constrained–other references) and $q$
# (constrained–constrained). Given all the weights, the output fields of all these replicas are
# sums of K independent terms, so as K -> infinity they are jointly Gaussian with covariance
# $\Delta(\text{weight overlap})/\Delta(1)$ entry by entry (section 5), and the RS structure of
# the overlap matrix is preserved. The patterns enter only through the output fields, so the
# energetic term is the perceptron's Franz–Parisi term at the *output* overlaps
# $(Q(Q_w), Q(t), Q(p), Q(q))$, while the entropic term (the volume of weights at given
# overlaps) is unchanged:
#
# $$\Phi = S_{\rm ent}(q, t, p; Q_w) + \alpha\,G_E^{\rm perc}\big(Q(q), Q(t), Q(p); Q(Q_w),
# \kappa_{\rm ref}, \kappa\big).$$
#
# The saddle-point equations are the perceptron's with $\partial_x G = Q'(x)\,\partial_{Q_x}
# G^{\rm perc}$ for x = q, t, p; the reference sector is the infinite-width Gardner saddle point.
# At $d^* = (1 - Q_w)/2$ and $\kappa = \kappa_{\rm ref}$ the point q = t = p = Q_w (ph = 0) is a
# saddle point (the output overlaps are all $Q(Q_w)$, the perceptron's typical point) and
# $S(d^*)$ is the Gardner entropy with $dS/dd = 0$. The replicon of the constrained replicas
# picks up the chain-rule term of section 5: $\gamma_E = Q'^2 K^{\rm perc}/(1-Q)^2 - 2Q''
# \partial_{Q_q}G^{\rm perc}$. Linear activation: the perceptron. Checks (the full set is in
# `tests/test_committee_fp.py`):

# %%
from replica.models import committee_fp as W  # noqa: E402
from replica.models import franz_parisi as FP  # noqa: E402

for act in ("relu", "sign"):
    m = W.WIDE_FP_BINARY
    p = {"alpha": 0.5, "activation": act, "kappa_ref": 0.0, "kappa": 0.0, "d": 0.1}
    p0, x0 = m.known_point(p)
    s = m.solution(x0, p0)
    g = C.committee("binary", 0.5, None, activation=act)
    print(f"{act}: d* = {p0['d']:.6f}, S(d*) = {s.thermo['entropy']:.12f}, wide Gardner "
          f"{g.thermo['entropy']:.12f}, dS/dd = {s.thermo['dS_dd']:.1e}")
    assert abs(s.thermo["entropy"] - g.thermo["entropy"]) < 1e-10
# linear activation: the free entropy equals the perceptron's at arbitrary order parameters
od = {"q": 0.6, "t": 0.3, "qh": 0.9, "th": 0.4, "ph": 0.5}
pl = {"alpha": 0.5, "activation": "linear", "kappa_ref": 0.0, "kappa": 0.0, "d": 0.1}
a = W.WIDE_FP_BINARY.free_entropy(od, pl)["free_entropy"]
b = FP.FP_BINARY.free_entropy(od, {k: v for k, v in pl.items() if k != "activation"})["free_entropy"]
print(f"linear vs perceptron FP free entropy: {a:.15f} {b:.15f}")
assert abs(a - b) < 1e-12

# %% [markdown]
# Where wide flat minima appear (gallery `committee_flat_minima`, data from
# `replica.gallery.committee.write_flat_minima`): around the max-margin binary reference the
# local entropy of ReLU networks stays monotonic up to a larger load than the perceptron's
# (0.729), while with sign units the max-margin reference is already isolated at alpha = 0.6.
#
# ## 8. Cost of the exact K-dimensional term
#
# `benchmarks/bench_committee.py` times one evaluation of $(G_E, J, K_c)$: the tensor rule over
# multisets of n nodes costs C(n+K-1, K) points times O(K^3) work (the Hessian needs one
# dynamic programme per pair of units), the nested rule over ordered fields grows like the
# number of ordered node tuples. Measured (CPU per evaluation): K = 3 0.18 s (tensor) and 1.6 s
# (nested, 1 - q = 0.1); K = 5 5.2 s (tensor) and more than 1.5 min (nested). The exact term is
# exact and fast for K = 3, usable for K = 5, impractical beyond (docs/THEORY.md §8.4).
