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
# # Franz–Parisi local entropy around a reference of margin $\kappa_{\rm ref}$ (RS)
#
# Derivation of the free entropy solved by `replica.models.franz_parisi`, with a numerical check
# of every step. Runs as a plain script (`python theory_notebooks/franz_parisi_derivation.py`,
# < 60 s) and as a notebook (jupytext percent format).
#
# ## 1. Definition
#
# A reference $\tilde w$ is drawn uniformly from the solutions of margin $\kappa_{\rm ref}$; we
# count the solutions $w$ of margin $\kappa$ at overlap $p = 1-2d$ with it:
# $$ S(d) = \lim_N \frac1N \mathbb{E}_\xi \frac{1}{Z_{\rm ref}}\sum_{\tilde w}
#   \chi_{\kappa_{\rm ref}}(\tilde w)\,\ln \sum_w \chi_\kappa(w)\,\delta(w\cdot\tilde w - Np),
#   \qquad \chi_\kappa(w) = \prod_\mu\theta(\Delta_\mu(w)-\kappa). $$
# Replicas: $1/Z_{\rm ref} = \lim_{n\to0} Z_{\rm ref}^{n-1}$ gives $n$ reference replicas
# $\tilde w^a$; $\ln Z = \lim_{s\to0}\partial_s Z^s$ gives $s$ constrained replicas $w^b$, all
# attached to $\tilde w^1$. Overlaps (RS): $\tilde w^a\cdot\tilde w^{a'}/N = Q$,
# $w^b\cdot w^{b'}/N = q$, $w^b\cdot\tilde w^1/N = p$ (fixed), $w^b\cdot\tilde w^{a\ne1}/N = t$.
# The reference block does not feel the $s\to0$ replicas: $(Q, \hat Q)$ is the Gardner saddle
# point at $(\alpha,\kappa_{\rm ref})$. $S$ is the coefficient of $s$ at $n\to0$.

# %%
import math
import time
import warnings

import numpy as np
from scipy import integrate, special

from replica.models import franz_parisi as fp
from replica.models.fp_kernels import energetic_terms
from replica.models.gardner import gardner, kappa_max

T0 = time.time()
warnings.simplefilter("ignore", integrate.IntegrationWarning)
lnH = lambda x: special.log_ndtr(-x)
Dn = lambda x: math.exp(-0.5 * x * x) / math.sqrt(2 * math.pi)

# %% [markdown]
# ## 2. Energetic term: the fields
#
# For one pattern the fields $\tilde u_a = \tilde w^a\cdot\xi/\sqrt N$, $u_b = w^b\cdot\xi/\sqrt N$
# are jointly Gaussian with covariance given by the overlaps. Representation, with i.i.d.
# standard $z_0, \tilde y_a, z_1, y_b$:
# $$ \tilde u_a = \sqrt Q z_0 + \sqrt{1-Q}\,\tilde y_a,\qquad
#    u_b = A z_0 + B\tilde y_1 + C z_1 + \sqrt{1-q}\,y_b, $$
# $A = t/\sqrt Q$ (so that $\langle u_b\tilde u_{a\ne1}\rangle = t$),
# $B = (p-t)/\sqrt{1-Q}$ ($\langle u_b\tilde u_1\rangle = p$),
# $C^2 = q - t^2/Q - (p-t)^2/(1-Q)$ ($\langle u_bu_{b'}\rangle = q$). $C^2\ge0$ is the positivity of
# the overlap matrix. Check the covariance numerically:

# %%
Q, q, t, p = 0.5, 0.9, 0.45, 0.92
A, B = t / math.sqrt(Q), (p - t) / math.sqrt(1 - Q)
C = math.sqrt(q - t * t / Q - (p - t) ** 2 / (1 - Q))
# rows: coefficients of (z0, y~1, y~2, z1, y_b, y_b') for u~1, u~2, u_b, u_b'
M = np.array([[math.sqrt(Q), math.sqrt(1 - Q), 0, 0, 0, 0],
              [math.sqrt(Q), 0, math.sqrt(1 - Q), 0, 0, 0],
              [A, B, 0, C, math.sqrt(1 - q), 0],
              [A, B, 0, C, 0, math.sqrt(1 - q)]])
cov = M @ M.T
expected = np.array([[1, Q, p, p], [Q, 1, t, t], [p, t, 1, q], [p, t, q, 1]])
print("covariance of the representation == overlaps:", np.allclose(cov, expected, atol=1e-14))
assert np.allclose(cov, expected, atol=1e-14)

# %% [markdown]
# Averaging $\prod_a\theta(\tilde u_a-\kappa_{\rm ref})\prod_b\theta(u_b-\kappa)$: the $y_b$ give
# $H(x)^s$ with $x = (\kappa - A z_0 - B\tilde y_1 - C z_1)/\sqrt{1-q}$, the $\tilde y_{a\ne1}$ give
# $H(a)^{n-1}$ with $a = (\kappa_{\rm ref}-\sqrt Q z_0)/\sqrt{1-Q}$, and $\tilde y_1$ is
# restricted to $\tilde y_1 > a$. At $n\to0$, order $s$:
# $$ G_E = \int Dz_0\,\frac{1}{H(a)}\int_{\tilde y>a} D\tilde y\int Dz_1\,\ln H(x). $$
# Two-dimensional form: with $\sigma^2 = B^2+C^2$ and $w = (B\tilde y + Cz_1)/\sigma$, the law of
# $w$ given $\tilde y > a$ is $\rho(w) = \phi(w)\,H((a\sigma - Bw)/C)/H(a)$ (given $w$,
# $\tilde y\sim N(Bw/\sigma, C^2/\sigma^2)$). Check at one $z_0$ against the 3-variable form:

# %%
kr, k, z0 = 0.1, 0.0, -0.7
s_ = math.sqrt(1 - q)
sig = math.hypot(B, C)
a = (kr - math.sqrt(Q) * z0) / math.sqrt(1 - Q)
f = lambda m: lnH((k - A * z0 - m) / s_)
rho = lambda w: Dn(w) * math.exp(lnH((a * sig - B * w) / C) - lnH(a))
two_d = integrate.quad(lambda w: rho(w) * f(sig * w), -15, 15, epsabs=1e-13, limit=200)[0]
three_d = integrate.dblquad(lambda z1, y: Dn(y) * Dn(z1) * f(B * y + C * z1), a, 15, -15, 15,
                            epsabs=1e-12)[0] / math.exp(lnH(a))
print(f"rho form {two_d:.12f}   3-variable form {three_d:.12f}")
assert abs(two_d - three_d) < 1e-9

# %% [markdown]
# ### Derivatives of $G_E$
# Conditional on $z_0$, $(v, m') = (\sqrt{1-Q}\tilde y, B\tilde y + Cz_1)$ has covariance
# $(1-Q,\ p-t,\ q - t^2/Q)$; Price's theorem ($\partial_{\Sigma_{ij}}\mathbb E f = \mathbb E\,
# \partial_i\partial_j f$ for $i\ne j$, half that on the diagonal) gives
# * $\partial_q G_E = -\langle G(x)^2\rangle/(2(1-q))$ (the diagonal term and the $\sqrt{1-q}$ of
#   $\ln H$ combine through the heat equation);
# * $\partial_p G_E = \frac{1}{\sqrt{(1-Q)(1-q)}}\int Dz_0\,G(a)\int Dz_1\,
#   G\big((\kappa - Az_0 - Ba - Cz_1)/\sqrt{1-q}\big)$: the derivative of $\theta(v - a\sqrt{1-Q})$
#   puts the reference field **on its boundary** — the boundary term of docs/THEORY.md §2.3;
# * $\partial_t G_E = \langle z_0G(x)\rangle/\sqrt{Q(1-q)} - \partial_pG_E
#   + \frac{t}{Q}\frac{\langle G(x)(G(x)-x)\rangle}{1-q}$
#   (chain rule through $A$, $\mathrm{Cov}(v,m') = p - t$ and $\mathrm{Var}(m') = q - t^2/Q$).
#
# Check against central differences of the kernel:

# %%
xg, wg, base = fp.Quadrature(12, 2.0).rule()
E = lambda q_, t_, p_: energetic_terms(Q, kr, k, 1 - q_, t_, p_, xg, wg, base)
e = E(q, t, p)
h = 1e-5
fd = [(E(q + h, t, p)[0] - E(q - h, t, p)[0]) / (2 * h),
      (E(q, t + h, p)[0] - E(q, t - h, p)[0]) / (2 * h),
      (E(q, t, p + h)[0] - E(q, t, p - h)[0]) / (2 * h)]
print("analytic dG/d(q,t,p):", e[1:4], "\nfinite differences  :", np.array(fd))
assert np.allclose(e[1:4], fd, atol=1e-7)

# %% [markdown]
# ## 3. Entropic terms
#
# **Spherical.** The log-volume of configurations with prescribed overlaps is
# $\frac12\ln\det\mathcal Q$ (up to $n,s$-independent constants). With the reference block
# $R = (1-Q)I_n + Q\,\mathbf 1\mathbf 1^T$, the constrained block $K = (1-q)I_s + q\mathbf 1\mathbf 1^T$
# and every constrained row of the cross block equal to $x = (p,t,\dots,t)$,
# $\ln\det\mathcal Q = \ln\det R + \ln\det(K - X R^{-1}X^T)$ and
# $xR^{-1}x^T \to \gamma = [(p^2-t^2) - Q(p-t)^2/(1-Q)]/(1-Q)$ as $n\to0$. Then
# $\ln\det((1-q)I + (q-\gamma)\mathbf 1\mathbf 1^T) = s\ln(1-q) + \ln(1 + s(q-\gamma)/(1-q))$, so
# $$ S_{\rm ent} = \tfrac12\Big[\ln(1-q) + \frac{q-\gamma}{1-q}\Big]. $$
# Check: $xR^{-1}x^T$ for integer $n = 1..6$ is a rational function of $n$; extrapolate to $n=0$.

# %%
def xRx(n, Q, p, t):
    R = (1 - Q) * np.eye(n) + Q * np.ones((n, n))
    x = np.full(n, t)
    x[0] = p
    return x @ np.linalg.solve(R, x)


Q2, p2, t2 = 0.4, 0.7, 0.35
# exact form: c(n) = [x.x - Q (x.1)^2/(1-Q+nQ)]/(1-Q); verify for integers, then set n = 0
for n in range(1, 7):
    x = np.full(n, t2)
    x[0] = p2
    closed = (x @ x - Q2 * x.sum() ** 2 / (1 - Q2 + n * Q2)) / (1 - Q2)
    assert abs(closed - xRx(n, Q2, p2, t2)) < 1e-12
n0 = ((p2 * p2 - t2 * t2) - Q2 * (p2 - t2) ** 2 / (1 - Q2)) / (1 - Q2)
print("gamma (n -> 0 of the closed form):", n0, " module:", fp._gamma(Q2, p2, t2)[0])
assert abs(n0 - fp._gamma(Q2, p2, t2)[0]) < 1e-15

# %% [markdown]
# At $\alpha = 0$: stationarity in $q$ gives $q = \gamma$, so $S = \frac12\ln(1-\gamma)$, and in
# $t$ gives $t = Qp$, where $\gamma = p^2$: $S = \frac12\ln(1-p^2)$ (the convention of docs/THEORY.md §2.1).
# At $q = t = p = Q$: $\gamma = 0$ and $S = \frac12[\ln(1-Q) + Q/(1-Q)]$, the Gardner entropic term.
#
# **Binary.** The conjugates enter as $\exp[\hat Q\sum_{a<a'}\tilde w_a\tilde w_{a'} +
# \hat q\sum_{b<b'}w_bw_{b'} + \hat t\sum_{a,b}\tilde w_aw_b + \hat p_{\rm tot}\sum_b\tilde w_1w_b
# - \hat t\sum_b\tilde w_1 w_b]$. Hubbard–Stratonovich on $(\sum_a\tilde w_a, \sum_b w_b)$ with
# $z_0, z_1$ gives the field $h = (\hat t/\sqrt{\hat Q})z_0 + \sqrt{\hat q - \hat t^2/\hat Q}\,z_1
# + \hat p$ on each $w_b$, where $\hat p = \hat p_{\rm tot} - \hat t$ is the field along the
# reference **in excess** of $\hat t$ (replica's convention). Summing $\tilde w_1$ with the gauge
# $\tilde w_1 = +1$ leaves the tilt $2e^{\sqrt{\hat Q}z_0}/(2\cosh\sqrt{\hat Q}z_0) =
# 1 + \tanh(\sqrt{\hat Q}z_0)$ at $n\to0$:
# $$\Phi = -\frac{\hat q(1-q)}2 - (p-t)\hat t - p\hat p
#  + \int Dz_0(1+\tanh\sqrt{\hat Q}z_0)\int Dz_1\ln2\cosh h + \alpha G_E.$$
# Stationarity: $q = \langle\tanh^2h\rangle$, $t = \langle\tanh(\sqrt{\hat Q}z_0)\tanh h\rangle$,
# $p = \langle\tanh h\rangle$; $\hat q = -2\alpha\partial_qG_E$, $\hat t = -\alpha\partial_tG_E$.
# At the typical point $h = \sqrt{\hat Q}z_0$: $\hat q = \hat t = \hat Q$ and $\hat p = 0$.
# (docs/THEORY.md §2.4 uses this excess field; the total coupling equals $\hat Q$ there.)

# %% [markdown]
# ## 4. Checks of the whole free entropy
# ### 4.1 Typical point: $S(d^*) = s_{\rm Gardner}$, $dS/dd = 0$, $\hat p = 0$

# %%
for model, alpha, kap in [("binary", 0.6, 0.1), ("spherical", 1.0, 0.2)]:
    g = gardner(model, alpha, kap)
    sol = fp.local_entropy(model, alpha, kap, kap, (1 - g.q) / 2)
    print(f"{model}: S(d*) = {sol.entropy:.15f}  Gardner = {g.entropy:.15f}  "
          f"dS/dd = {sol.dS_dd:.1e}  ph = {sol.ph:.1e}")
    assert abs(sol.entropy - g.entropy) < 1e-9 and abs(sol.dS_dd) < 1e-8

# %% [markdown]
# ### 4.2 $\alpha\to0$ and the first order in $\alpha$
# At first order only $G_E$ at the $\alpha = 0$ saddle point survives (envelope theorem), where
# $Q = t = 0$, $B = p$, $C = 0$: $\partial_\alpha S|_0 = \int_{\kappa_{\rm ref}}^\infty
# \frac{Dy}{H(\kappa_{\rm ref})}\ln H\big(\frac{\kappa - py}{\sqrt{1-p^2}}\big)$.

# %%
kr1, k1, d1 = 0.5, 0.0, 0.1
p1 = 1 - 2 * d1
first = integrate.quad(lambda y: Dn(y) * lnH((k1 - p1 * y) / math.sqrt(1 - p1 * p1)), kr1,
                       np.inf, epsabs=1e-14)[0] / math.exp(lnH(kr1))
for model, S0 in [("binary", float(fp.h2(d1))), ("spherical", 0.5 * math.log(1 - p1 * p1))]:
    a1, a2 = 1e-3, 2e-3
    s1 = fp.local_entropy_curve(model, a1, kr1, k1, [d1])["entropy"][0]
    s2 = fp.local_entropy_curve(model, a2, kr1, k1, [d1])["entropy"][0]
    slope = 2 * (s1 - S0) / a1 - (s2 - S0) / a2
    print(f"{model}: S(alpha=1e-3) - S0 = {s1 - S0:.3e};  dS/dalpha: {slope:.6f} vs closed form "
          f"{first:.6f}")
    assert abs(slope - first) < 2e-3 * abs(first)

# %% [markdown]
# ### 4.3 Spherical max-margin reference ($Q\to1$)
# With $p - t = b(1-Q)$: $\gamma \to 2bp - b^2$, and in $G_E$ the truncated $\tilde y$ sits at
# $a\to+\infty$ for $z_0 < \kappa_{\max}$ ($\tilde y - a = O(1/a)$) so that
# $B\tilde y \to b(\kappa_{\max} - z_0)$, and is untruncated for $z_0 > \kappa_{\max}$
# ($B\tilde y\to0$): $m = pz_0 + b(\kappa_{\max}-z_0)_+ + \sqrt{q-p^2}z_1$. Check the limit:

# %%
alpha = 1.0
km = kappa_max("spherical", alpha)
smax = fp.local_entropy_curve("spherical", alpha, "max", 0.0, [0.05])
print("max-margin (b-form): S(0.05) =", smax["entropy"][0], " b =", smax["b"][0])
for eps in (1e-2, 3e-3):
    c = fp.local_entropy_curve("spherical", alpha, km - eps, 0.0, [0.05])
    print(f"kappa_ref = kappa_max - {eps:g}: S(0.05) = {c['entropy'][0]:.6f}")

# %% [markdown]
# $b$ is **not** negative on the whole physical branch (docs/THEORY.md §2.6):
# $b\to p$ as $d\to0$ (the constrained fields follow the reference's, pinned at
# $\kappa_{\max}$), $b$ changes sign at the typical distance of the counted solutions, where
# $m = pz_0 + \sqrt{q-p^2}z_1$ and $S$ equals the Gardner entropy at $\kappa$, and $b<0$ beyond.

# %%
row = fp.legendre("spherical", alpha, "max", 0.0, [0.0], d_grid=np.linspace(0.08, 0.2, 7))[0]
print("max_d S =", row["Phi"], " at d =", row["d"], "; Gardner s(1, 0) =",
      gardner("spherical", alpha, 0.0).entropy)
assert abs(row["Phi"] - gardner("spherical", alpha, 0.0).entropy) < 1e-8

# %% [markdown]
# ### 4.4 Binary: bounds $S \le H_2(d)$ and $S\le s_{\rm Gardner}$ around the max-margin reference

# %%
d = np.array([1e-3, 0.01, 0.05, 0.2])
c = fp.local_entropy_curve("binary", 0.6, "max", 0.0, d)
print(np.c_[d, c["entropy"], fp.h2(d)])
assert np.all(c["entropy"] <= fp.h2(d)) and np.all(c["entropy"] <= gardner("binary", 0.6, 0).entropy)
print(f"done in {time.time() - T0:.1f} s")
