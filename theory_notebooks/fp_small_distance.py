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
# # Franz–Parisi local entropy at small distance (binary perceptron, RS)
#
# What the RS saddle point of `replica.models.franz_parisi` does as $d\to0$ around a reference
# of margin $\kappa_{\rm ref}$, neighbours of margin $\kappa$ (here $\kappa = 0$), with the
# derivation of the small-$d$ law and numerical checks. Runs as a script in a few tens of
# seconds.
#
# **Summary.**
# 1. $S(0) = 0$ exactly for $\kappa_{\rm ref}\ge\kappa$ (only the reference is at distance 0).
# 2. One constrained replica ($s = 1$, the first moment of the number of solutions at distance
#    $d$ from a fixed reference, an upper bound of $S$) gives
#    $S_1(d) = H_2(d) + 2\alpha C\sqrt d + O(d)$ with $C = \rho_0 I$ in closed form for
#    $\kappa_{\rm ref} = \kappa$: the $\alpha C d^{-1/2}$ slope of Huang & Kabashima (PRE 90,
#    052813 (2014)), $C<0$. So $S < 0$ at small $d$: typical references are isolated.
# 3. The RS ($s\to0$) saddle point has **no solution with $1-q = O(d)$ as $d\to0$** when
#    $\kappa_{\rm ref} = \kappa$ (argument in §3): the branch followed down from $d^*$ becomes
#    RS-unstable (the replicon of the constrained replicas changes sign, $d_{\rm AT}\approx
#    2\times10^{-3}$ at $\alpha = 0.5$), the constrained replicas freeze ($(1-q)/d\to0$,
#    $\hat q, \hat p\to\infty$) and the branch runs into an asymptote $d_\infty > 0$ without a
#    fold. The RS value of $S$ below $d_{\rm AT}$ is not the local entropy; the isolation
#    ($S<0$) is already established on the RS-stable stretch and by the bound of item 2.
# 4. For $\kappa_{\rm ref} > \kappa$ the energetic term is exponentially small at
#    $d \ll (\kappa_{\rm ref}-\kappa)^2$: the RS branch reaches $d\to0$ with $(1-q)/d\to4$ and
#    $S - H_2(d)\to\alpha\,E_1(d)$ (the first-moment energetic term), and connects to the
#    branch from $d^*$.

# %%
import math
import time

import numpy as np
from scipy import integrate, optimize, special

from replica.models import franz_parisi as fp

T0 = time.time()
lnH = lambda x: special.log_ndtr(-x)

# %% [markdown]
# ## 1. The energetic term at small distance
#
# Fields (derivation notebook): $\tilde u = \sqrt Q z_0 + \sqrt{1-Q}\,\tilde y$ with $\tilde y$
# truncated to $\tilde y > a(z_0)$, and $u = Az_0 + B\tilde y + Cz_1 + \sqrt{1-q}\,y$. For binary
# weights $|t - Q| \le 2d$, so $A - \sqrt Q$ and $B - \sqrt{1-Q}$ are $O(d)$ and
# $\mathrm{Var}(u-\tilde u) = 4d$ is shared between $C^2 = \gamma d$ and $1 - q = c\,d$ with
# $\gamma + c = 4 + O(d)$ ($C^2\ge0$: $c\le4$). Only patterns whose reference stability is within
# $O(\sqrt d)$ of the margin contribute; with $\tilde u = \kappa_{\rm ref} + v\sqrt d$ and the
# boundary density
# $$\rho_0 = \frac{1}{\sqrt{1-Q}}\int Dz_0\,G\!\Big(\frac{\kappa_{\rm ref}-\sqrt Qz_0}{\sqrt{1-Q}}\Big),$$
# for $\kappa_{\rm ref} = \kappa$:
# $$G_E \simeq \rho_0\sqrt d\,\Psi(\gamma, c),\qquad
#   \Psi = \int_0^\infty\! dv\int Dz\,\ln H\Big(-\frac{v + \sqrt\gamma z}{\sqrt c}\Big).$$
# By Jensen ($\int Dz\,H(\cdot)$ does not depend on $c$ at $\gamma + c = 4$),
# $\Psi(4-c, c)\le\Psi(0, 4) = 2I$, $I = \int_0^\infty\ln(1-H(s))\,ds$. The value at $c = 4$ is the
# one-replica (first-moment) energetic term: $S_1(d) = H_2(d) + 2\alpha\rho_0I\sqrt d$,
# $dS_1/dd \simeq \alpha C d^{-1/2}$ with $C = \rho_0 I$.
#
# Check: the closed form against an independent quadrature, and the kernel's energetic term at
# $q = p^2$, $t = Qp$ (that configuration) against $2C\sqrt d$ (ratio $\to 1$, correction
# $O(\sqrt d)$):

# %%
alpha = 0.5
law = fp.small_distance_law(alpha, 0.0)
Q = law["reference"].Q
I_quad = integrate.quad(lambda s: special.log_ndtr(s), 0, np.inf, epsabs=1e-14)[0]
print(f"alpha = {alpha}: Q = {Q:.10f}, rho0 = {law['rho0']:.12f}, I = {law['I']:.12f} "
      f"(quad {I_quad:.12f}), C = rho0 I = {law['C']:.10f}")
assert abs(law["I"] - I_quad) < 1e-12
for d in (1e-4, 1e-6, 1e-8, 1e-10):
    r = fp.first_moment_energetic(law["reference"], 0.0, d) / (2 * law["C"] * math.sqrt(d))
    print(f"  d = {d:.0e}: E_1(d) / (2 C sqrt d) = {r:.9f}")
assert abs(r - 1) < 1e-4
for a_ in (0.3, 0.6, 0.8):
    print(f"alpha = {a_}: C = {fp.small_distance_law(a_, 0.0)['C']:.8f}")

# %% [markdown]
# ## 2. The RS saddle point ($s\to0$) cannot follow this law
#
# Stationarity in $q$ gives $\hat q = \alpha\langle G(x)^2\rangle/(1-q)$. With the scaling above,
# $\langle G^2\rangle = \rho_0\sqrt d\,M(c)$ with $M(c) = \int_0^\infty dv\int Dz\,
# G(-(v+\sqrt\gamma z)/\sqrt c)^2 > 0$, so
# $$\hat q \simeq \frac{\alpha\rho_0 M(c)}{c\,\sqrt d}\quad\to\infty \text{ like } d^{-1/2}.$$
# On the entropic side the field $h = (\hat t/\sqrt{\hat Q})z_0 + \sqrt{\hat q - \hat t^2/\hat Q}
# \,z_1 + \hat p$ has variance $\hat q$; with $\sigma^2 = \hat q\gg1$,
# $d = \langle\sigma(-2h)\rangle\simeq H(r)$ and $1-q = \langle\mathrm{sech}^2h\rangle\simeq
# 2\phi(r)/\sigma$ with $r = \hat p/\sigma\simeq\sqrt{2\ln(1/d)}$, i.e.
# $$c = \frac{1-q}{d}\simeq\frac{2G(r)}{\sigma}\to0.$$
# Both together require $c^2\hat q\simeq 4G(r)^2\simeq 8\ln(1/d)$ and
# $c^2\hat q = \alpha\rho_0\,cM(c)/\sqrt d$; $cM(c)$ is bounded below on $(0, 4]$
# ($\to\frac{8}{3}\int_0^\infty z^3Dz$ as $c\to0$), so
# $8\ln(1/d)\sqrt d \gtrsim \alpha\rho_0\min_c cM(c)$ fails as $d\to0$: **below a finite distance
# there is no RS saddle point with $1-q = O(d)$**. What the numerics show instead (below): the
# branch from $d^*$ keeps $1-q\ll d$ (frozen constrained replicas) and becomes RS-unstable.

# %%
c_grid = np.linspace(0.05, 4.0, 80)


def M(c):
    g = max(4.0 - c, 0.0)
    inner = lambda v: integrate.quad(
        lambda z: math.exp(-0.5 * z * z) / math.sqrt(2 * math.pi) * (
            math.exp(-0.5 * ((v + math.sqrt(g) * z) / math.sqrt(c)) ** 2
                     - 0.5 * math.log(2 * math.pi) - lnH(-(v + math.sqrt(g) * z) / math.sqrt(c)))
        ) ** 2, -12, 12, epsabs=1e-10, limit=100)[0]
    return integrate.quad(inner, 0, 30, epsabs=1e-9, limit=100)[0]


cM = [c * M(c) for c in (0.05, 0.5, 2.0, 4.0)]
print("c M(c) at c = 0.05, 0.5, 2, 4:", np.round(cM, 4), " (c -> 0 limit 16/3 phi(0) =",
      round(16 / 3 / math.sqrt(2 * math.pi), 4), ")")
assert min(cM) > 0.5

# %% [markdown]
# ## 3. The branch from $d^*$ around the typical reference ($\alpha = 0.5$, $\kappa_{\rm ref} =
# \kappa = 0$)
#
# Followed down in $d$ with warm starts: $(1-q)/d$ falls from $\approx3.5$, $\hat p$ and
# $\hat q$ grow, and the replicon of the constrained replicas
# $\lambda_R = 1 - \alpha\langle[G(G-x)]^2\rangle\langle\mathrm{sech}^4h\rangle/(1-q)^2$ changes
# sign. $S<0$ already on the RS-stable part (the reference is isolated).

# %%
ds = [5e-3, 3e-3, 2e-3, 1.5e-3, 1.2e-3, 1e-3, 8e-4, 7e-4, 6e-4]
x = np.array([-4.25, 0.3233, 4.2])
rows = []
for d in ds:
    s = fp.local_entropy("binary", alpha, 0.0, 0.0, d, x0=x)
    x = s.x
    th = s.thermo
    rows.append((d, th["entropy"], th["dS_dd"], th["one_minus_q"] / d, th["ph"], th["qh"],
                 th["replicon"], x))
    print(f"d = {d:.1e}: S = {th['entropy']:+.6f}  dS/dd = {th['dS_dd']:+.4f}  "
          f"(1-q)/d = {th['one_minus_q'] / d:.4f}  ph = {th['ph']:7.3f}  qh = {th['qh']:8.3f}  "
          f"replicon = {th['replicon']:+.4f}")
ratios = [r[3] for r in rows]
assert all(a > b for a, b in zip(ratios, ratios[1:]))      # freezing: (1-q)/d decreases
assert rows[1][1] < 0 and rows[1][6] > 0                    # S < 0 where RS is stable
xs = {r[0]: r[7] for r in rows}
rep = lambda d: fp.local_entropy("binary", alpha, 0.0, 0.0, d,
                                 x0=xs[min(xs, key=lambda e: abs(math.log(e / d)))]).thermo
d_at = optimize.brentq(lambda d: rep(d)["replicon"], 1.5e-3, 2e-3, xtol=1e-9)
at = rep(d_at)
print(f"replicon = 0 at d_AT = {d_at:.6e}: S = {at['entropy']:.6f}, dS/dd = {at['dS_dd']:.4f}, "
      f"(1-q)/d = {at['one_minus_q'] / d_at:.4f}")
assert 1.5e-3 < d_at < 2e-3

# %% [markdown]
# Continued further (pseudo-arclength in $d$), the branch does not turn: $d$ keeps decreasing
# while $\hat p\to\infty$, approaching $d_\infty\approx4.6\times10^{-4}$ at $\alpha = 0.5$
# (natural continuation reaches $4.59\times10^{-4}$) with
# $(1-q)/d\to0$ and $C^2/d\to4$ (at $\hat p = 100$: $d = 5.24\times10^{-4}$, $S = -0.0104$,
# $(1-q)/d = 0.23$, replicon $-43$). Natural-parameter continuation loses it near
# $d_\infty$, which the first implementation reported as `no_solution`. None of this stretch is
# RS-stable.
#
# ## 4. References above the margin: the branch reaches $d = 0$
#
# For $\kappa_{\rm ref} > \kappa$ the reference stabilities sit at least
# $\Delta = \kappa_{\rm ref}-\kappa$ above the margin: at $d\ll\Delta^2$ the energetic term is
# $O(e^{-\Delta^2/8d})$, $\hat q\to0$, $q\to p^2$ ($(1-q)/d\to4$) and
# $S(d) = H_2(d) + \alpha E_1(d) + \dots$, $E_1$ the first-moment energetic term at
# $q = p^2$, $t = Qp$. Check at $\kappa_{\rm ref} = 0.02$:

# %%
kr = 0.02
ref = fp.cached_reference("binary", alpha, kr)
prev = None
for d in (1e-4, 4e-5, 2e-5, 1e-5):
    pp = 1 - 2 * d
    x0 = np.array([math.log(1 - pp * pp), ref.Q * pp, 0.5 * math.log(1 / d)])
    th = fp.local_entropy("binary", alpha, kr, 0.0, d, x0=x0).thermo
    e1 = alpha * fp.first_moment_energetic(ref, 0.0, d)
    ratio = (th["entropy"] - fp.h2(d)) / e1
    print(f"d = {d:.0e}: S = {th['entropy']:.6e}  H2 = {fp.h2(d):.6e}  (S - H2)/(alpha E_1) = "
          f"{ratio:.6f}  (1-q)/d = {th['one_minus_q'] / d:.6f}  replicon = {th['replicon']:.5f}")
    if prev is not None:
        assert abs(ratio - 1) < abs(prev - 1) + 1e-9
    prev = ratio
assert abs(prev - 1) < 0.02

# %% [markdown]
# ## 5. Consequences for the indicators
#
# * $S(0) = 0$: the chord $S(d)/d$ equals $dS/dd$ somewhere in $(0, d)$ (mean value theorem), so
#   $\min_d dS/dd\le\min_j S(d_j)/d_j$ and any $S(d_j) < 0$ makes $S$ non-monotonic even when the
#   branch is lost or the dip lies below the sampled window. `replica.thresholds` uses this
#   (`min_chord`), which leaves the root $\kappa_u$ (where $S>0$ everywhere) unchanged.
# * Around typical references $S<0$ on the RS-stable stretch $[d_{\rm AT}, d_0]$ and $S_1<0$ at
#   small $d$: the negative indicator is decided without the RS-unstable stretch.

# %% [markdown]
# ## 6. The other end: spherical max-margin reference as $d\to1/2$
#
# The max-margin vector is a non-negative combination of the patterns it supports,
# $w_{\max} = \sum_\mu\lambda_\mu\xi_\mu/\sqrt N$, $\lambda_\mu\ge0$, and
# $w_{\max}\cdot w_{\max} = N$ gives $\sum_\mu\lambda_\mu = N/\kappa_{\max}$. Every solution of
# margin $\kappa$ then has $p = w\cdot w_{\max}/N\ge\kappa/\kappa_{\max}$: at $\kappa = 0$ the
# volume vanishes at $d = 1/2$. The RS branch (b-form) follows this edge without a fold:
# $b\,(1-2d)$ and $(1-2d)\,dS/dd$ tend to constants, $1-q$ and the replicon stay finite, and
# $S\simeq A\ln(1-2d)\to-\infty$.

# %%
x = np.array([math.log(0.4385), -46.37])      # starting guess near d = 0.49 (alpha = 1)
prev = 0.49
for d in (0.49, 0.495, 0.4975):
    x = np.array([x[0], x[1] * (1 - 2 * prev) / (1 - 2 * d)])    # predictor: b ~ 1/(1-2d)
    prev = d
    s = fp.local_entropy("spherical", 1.0, "max", 0.0, d, x0=x)
    x, th = s.x, s.thermo
    print(f"d = {d}: S = {th['entropy']:.5f}  b (1-2d) = {th['b'] * (1 - 2 * d):.5f}  "
          f"(1-2d) dS/dd = {th['dS_dd'] * (1 - 2 * d):.5f}  1-q = {th['one_minus_q']:.4f}  "
          f"replicon = {th['replicon']:.4f}")
assert th["b"] < 0 and th["replicon"] > 0

# %%
print(f"done in {time.time() - T0:.1f} s")
