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
# # The Gardner volume with a margin, replica symmetric
#
# This notebook derives the RS free entropy that `replica.models.gardner` solves, and checks
# every step numerically. It runs as a plain script (`python theory_notebooks/gardner_derivation.py`)
# and as a notebook (`jupytext --to notebook`); CI executes it.
#
# ## 1. Setting
#
# Patterns $\xi^\mu \in \mathbb{R}^N$, $\mu = 1..P = \alpha N$, i.i.d. $N(0,1)$ entries, labels
# absorbed. Stabilities $\Delta_\mu(w) = w\cdot\xi^\mu/\sqrt N$ with $|w|^2 = N$. The volume of
# solutions of margin $\kappa$,
# $$ V = \int d\mu(w) \prod_\mu \theta(\Delta_\mu(w) - \kappa), $$
# with $d\mu$ the uniform measure on the sphere (spherical model) or the counting measure on
# $\{-1,+1\}^N$ (binary model). We want $s = \lim \frac1N \mathbb{E}\ln V$.
#
# ## 2. Replicas
#
# $\mathbb{E} V^n$ with replicas $w^a$, $a = 1..n$. For fixed weights the fields
# $\lambda^a_\mu = w^a\cdot\xi^\mu/\sqrt N$ are jointly Gaussian with covariance
# $q_{ab} = w^a\cdot w^b/N$ ($q_{aa} = 1$), independently for each $\mu$. Hence
# $$ \mathbb{E} V^n = \int \prod_{a<b} dq_{ab}\, e^{N[\, \mathcal{S}(\{q\}) + \alpha\, \mathcal{E}(\{q\})]}, $$
# with the entropic term $\mathcal{S}$ (log-volume of configurations with overlaps $q_{ab}$) and
# the energetic term
# $\mathcal{E} = \ln \int \prod_a d\lambda^a \, \mathcal{N}(\lambda; 0, q)\prod_a \theta(\lambda^a - \kappa)$.
#
# ## 3. RS ansatz
#
# $q_{ab} = q$ for $a \neq b$. Writing $\lambda^a = \sqrt q\, z + \sqrt{1-q}\, y^a$ with independent
# standard Gaussians,
# $$ \mathcal{E} = \ln \int Dz \Big[\int Dy\,\theta(\sqrt q z + \sqrt{1-q} y - \kappa)\Big]^n
#    = n \int Dz \ln H\Big(\frac{\kappa - \sqrt q z}{\sqrt{1-q}}\Big) + O(n^2). $$
# Spherical entropic term: $\frac12 \ln\det q = \frac n2[\ln(1-q) + \frac{q}{1-q}] + O(n^2)$.
# Binary entropic term (conjugate $\hat q$ by a Fourier representation of the overlap constraint):
# $-\frac{n}{2}\hat q(1-q) + n\int Dz \ln 2\cosh(\sqrt{\hat q} z)$.
# Dividing by $n \to 0$:
# $$ \phi_{\rm sph}(q) = \tfrac12\ln(1-q) + \frac{q}{2(1-q)} + \alpha E(q),\qquad
#    \phi_{\rm bin}(q,\hat q) = -\frac{\hat q(1-q)}2 + \int Dz\ln 2\cosh\sqrt{\hat q}z + \alpha E(q). $$
#
# ## 4. Saddle point
#
# Gaussian integration by parts gives $E'(q) = -I(q)/(2(1-q))$ with $I = \int Dz\, G(u)^2$,
# $G = \phi/H$. Stationarity: spherical $q/(1-q) = \alpha I(q)$; binary
# $\hat q = \alpha I(q)/(1-q)$, $q = \int Dz \tanh^2(\sqrt{\hat q}z)$.
# With $J(q) = (1-q) I(q)$, finite as $q \to 1$, the spherical equation reads $q = \alpha J(q)$.

# %%
import math

import numpy as np

from replica.models.gardner import (capacity_from_saddle, capacity_spherical_closed_form,
                                    energetic_integrals, free_entropy, gardner, kappa_max)

# E'(q) = -J/(2(1-q)^2): finite differences against the integration-by-parts identity
q, kappa, h = 0.6, 0.3, 1e-6
dE = (energetic_integrals(q + h, kappa)["E"] - energetic_integrals(q - h, kappa)["E"]) / (2 * h)
print(f"dE/dq by finite differences = {dE:.10f}; -J/(2(1-q)^2) = "
      f"{-energetic_integrals(q, kappa)['J'] / (2 * (1 - q) ** 2):.10f}")
assert abs(dE + energetic_integrals(q, kappa)["J"] / (2 * (1 - q) ** 2)) < 1e-7

# %% [markdown]
# ## 5. The solver lands on stationary points of $\phi$
#
# The saddle point is found by bracketing the single unknown $1-q$ (binary: $\hat q$ is
# eliminated through its equation). The free entropy's gradient vanishes there:

# %%
for model, alpha, kappa in [("spherical", 1.2, 0.0), ("binary", 0.6, 0.0)]:
    sol = gardner(model, alpha, kappa)
    x = sol.x
    def phi(y):
        return free_entropy(model, alpha, kappa, *y)["entropy"]
    grad = [(phi(x + e) - phi(x - e)) / 2e-6 for e in np.eye(len(x)) * 1e-6]
    print(model, sol.order, f"s = {sol.entropy:.12f}", "grad phi =", np.array(grad))
    assert max(abs(g) for g in grad) < 1e-7

# %% [markdown]
# ## 6. Capacity: the limit $q \to 1$ (spherical)
#
# As $q \to 1$, $u = (\kappa - \sqrt q z)/\sqrt{1-q} \to \pm\infty$ and
# $(1-q) G(u)^2 \to (\kappa - z)^2\theta(\kappa - z)$, so
# $J(1) = \int_{-\infty}^{\kappa} Dz (\kappa - z)^2$ and the equation $q = \alpha J(q)$ has a
# solution with $q \to 1$ when $\alpha \to \alpha_c(\kappa) = 1/J(1)
# = 1/[(1+\kappa^2)\Phi(\kappa) + \kappa\phi(\kappa)]$ (Gardner 1988; Cover's 2 at $\kappa = 0$).

# %%
for k in [-1.0, -0.5, 0.0, 0.5, 1.0]:
    a_cf, a_sp = capacity_spherical_closed_form(k), capacity_from_saddle(k, 1e-10)
    print(f"kappa = {k:5.2f}: closed form {a_cf:.8f}, saddle point (1-q = 1e-10) {a_sp:.8f}")
    assert abs(a_sp / a_cf - 1) < 1e-8
print("kappa_max(alpha = 1) =", kappa_max("spherical", 1.0), "(published 0.47066)")

# %% [markdown]
# ## 7. Numerics near capacity
#
# $E(q)$ diverges like $-A(q)/(2(1-q))$, $A(q) = \int Dz\,\theta(u)(\kappa - \sqrt q z)^2$ in
# closed form. The code integrates only the regular remainders
# $E_r = \int Dz[\ln H(u) + \theta(u)u^2/2]$ and $J_r = \int Dz[G^2 - \theta(u) u^2]$, on panels
# graded geometrically around the kink $z = \kappa/\sqrt q$ (width $\sqrt{(1-q)/q}$). At the saddle
# point, $q - \alpha A = \alpha(1-q)J_r$, so the spherical entropy is
# $\frac12\ln(1-q) + \alpha(E_r + J_r/2)$ with no cancellation of large terms: the entropy stays
# accurate when $1 - q = 10^{-8}$.

# %%
for alpha in [1.9, 1.999, 1.99999, 1.9999999]:
    sol = gardner("spherical", alpha, 0.0)
    print(f"alpha = {alpha:<10} 1-q = {sol.one_minus_q:.3e}  s = {sol.entropy:.10f}  "
          f"replicon = {sol.replicon:.6f}")
# near capacity, ln H(u) + u^2/2 ~ -ln u = 1/2 ln(1-q) + O(1) for the fraction Phi(kappa) of
# patterns with u > 0, so s ~ 1/2 (1 + alpha_c Phi(kappa)) ln(1-q): slope 1 at kappa = 0
s1, s2 = gardner("spherical", 1.99999, 0.0), gardner("spherical", 1.9999999, 0.0)
slope = (s2.entropy - s1.entropy) / (math.log(s2.one_minus_q) - math.log(s1.one_minus_q))
print("d s / d ln(1-q) near capacity:", slope)
assert abs(slope - 0.5 * (1 + 2.0 * 0.5)) < 0.01

# %% [markdown]
# ## 8. RS stability (replicon)
#
# The replicon eigenvalue of the RS saddle is proportional to
# $\lambda_R = 1 - \alpha\,\gamma_E\gamma_S$, with $\gamma_E = (1-q)^{-2}\int Dz [\partial_u^2 \ln H(u)]^2
# = (1-q)^{-2}\int Dz [G(u)(G(u)-u)]^2$ and $\gamma_S = (1-q)^2$ (spherical) or
# $\int Dz\, \mathrm{sech}^4\sqrt{\hat q}z$ (binary). As $q \to 1$ (spherical),
# $G(G-u) \to \theta(u)$ and $\lambda_R \to 1 - \alpha\Phi(\kappa)$: at capacity this is
# $1 - \alpha_c(\kappa)\Phi(\kappa)$, negative exactly when $\kappa < 0$ — the known breakdown of
# RS for negative margins (non-convex solution space).

# %%
from scipy.special import ndtr
for k in [0.5, 0.0, -0.5]:
    ac = capacity_spherical_closed_form(k)
    print(f"kappa = {k:5.2f}: 1 - alpha_c Phi(kappa) = {1 - ac * ndtr(k):+.4f}")
sol = gardner("spherical", 1.9999999, 0.0)
assert abs(sol.replicon - (1 - 1.9999999 * 0.5)) < 1e-2

# %% [markdown]
# ## 9. Binary capacity: the zero of the entropy
#
# For binary weights the RS solution stays at $q < 1$ where the entropy vanishes; the capacity is
# that zero (Krauth & Mézard 1989), not the $q \to 1$ limit.

# %%
from replica.models.gardner import capacity

ac = capacity("binary", 0.0)
sol = gardner("binary", ac, 0.0, allow_negative_entropy=True)
print(f"alpha_c = {ac:.10f} (Krauth-Mezard 0.8331; certified [0.833078599, 0.833078600]); "
      f"q there = {sol.q:.4f}, s = {sol.entropy:.2e}")
assert round(ac, 4) == 0.8331 and sol.q < 0.7
