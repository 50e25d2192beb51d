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
# # Testing your own saddle-point solver with `replica.testing`
#
# You wrote your own replica-symmetric solver and want to know whether its numbers can be
# trusted. `replica.testing` gives the checks replica runs on itself:
#
# | check | catches |
# |---|---|
# | `assert_quadrature_converged` | an integral resolved at n nodes but not at 2n (kinks, boundary layers) |
# | `assert_fixed_point` | a damped iterate that stopped on a small *step* while the residual is not small |
# | `assert_stationary` | a fixed-point map that is not the stationarity condition of your free entropy (a wrong factor) |
# | `assert_matches_reference` | a value that disagrees with a published or mpmath-certified number |
#
# Each one raises `AssertionError` saying what was expected, what was found and by how much,
# so they drop straight into a pytest suite. This script runs top to bottom in a few seconds
# (`python theory_notebooks/testing_your_solver.py`); every "buggy" cell checks that the kit
# really catches the bug.
#
# **The model** (spherical perceptron, Gardner 1988; docs/THEORY.md §1). With
# $u(z) = (\kappa - \sqrt q\, z)/\sqrt{1-q}$,
#
# $$\phi(q) = \tfrac12 \ln(1-q) + \frac{q}{2(1-q)} + \alpha E(q),\qquad
#   E(q) = \int Dz\, \ln H(u(z)),$$
#
# and since $dE/dq = -I(q)/(2(1-q))$ with $I(q) = \int Dz\, G(u(z))^2$,
# $\phi'(q) = [q/(1-q) - \alpha I(q)]/(2(1-q))$: the saddle point solves $q/(1-q) = \alpha I(q)$,
# i.e. the fixed point of $F(q) = \alpha I/(1 + \alpha I)$.

# %%
import math
import time

import numpy as np

from replica.gauss import G, gauss_hermite, graded_gaussian_rule, log_H
from replica.testing import (Reference, assert_fixed_point, assert_matches_reference,
                             assert_quadrature_converged, assert_stationary)

T0 = time.perf_counter()


def expect_failure(check, *args, **kwargs):
    """Run a check that must fail; print its message (the notebook stops if it passes)."""
    try:
        check(*args, **kwargs)
    except AssertionError as exc:
        print("caught, as it should be:\n" + str(exc))
        return exc
    raise RuntimeError(f"{check.__name__} did not catch the bug")


# %% [markdown]
# ## The user's solver
#
# A first version integrates over $z$ with Gauss–Hermite nodes; the second puts panel edges at
# the kink of $\ln H(u(z))$, at $z = \kappa/\sqrt q$, of width $\sqrt{(1-q)/q}$ (as $q \to 1$ the
# integrand becomes $-(\kappa - \sqrt q z)^2/(2(1-q))$ for $z < \kappa/\sqrt q$ and ~0 beyond).

# %%
def nodes(q, kappa, rule="graded", n=12):
    if rule == "hermite":
        return gauss_hermite(n)
    return graded_gaussian_rule([kappa / math.sqrt(q)], [math.sqrt((1 - q) / q)], n=n)


def u(q, kappa, z):
    return (kappa - math.sqrt(q) * z) / math.sqrt(1 - q)


def E(q, kappa, rule="graded", n=12):
    z, w = nodes(q, kappa, rule, n)
    return float(w @ log_H(u(q, kappa, z)))


def I(q, kappa, rule="graded", n=12):
    z, w = nodes(q, kappa, rule, n)
    return float(w @ G(u(q, kappa, z)) ** 2)


def phi(x, alpha, kappa):
    """Free entropy as a function of the vector of order parameters x = [q]."""
    q = float(x[0])
    return 0.5 * math.log(1 - q) + q / (2 * (1 - q)) + alpha * E(q, kappa)


def F(x, alpha, kappa):
    """Fixed-point map q -> alpha I / (1 + alpha I)."""
    a = alpha * I(float(x[0]), kappa)
    return np.array([a / (1 + a)])


def solve_q(alpha, kappa, q0=0.5, mixing=0.5, tol=1e-13, max_iter=100000, Fmap=F):
    """Damped iteration that stops on the UNDAMPED residual |F(q) - q| (the right criterion)."""
    x = np.array([q0])
    for _ in range(max_iter):
        r = Fmap(x, alpha, kappa) - x
        if abs(r[0]) < tol:
            return x
        x = x + mixing * r
    raise RuntimeError("no convergence")


alpha, kappa = 0.5, 0.0
x_star = solve_q(alpha, kappa)
print(f"q* = {float(x_star[0])!r},  entropy s = phi(q*) = {phi(x_star, alpha, kappa)!r}")

# %% [markdown]
# ## 1. Are the integrals resolved?
#
# `assert_quadrature_converged` evaluates an integral at two orders (here `n` and `2n` nodes per
# panel) and requires agreement. You can pass your own quadrature as a callable `n -> value`:

# %%
q = float(x_star[0])
cmp = assert_quadrature_converged(lambda n: I(q, kappa, "graded", n), 12, rtol=1e-12)
print("I(q*) resolved:", cmp)

q_high = 0.999  # close to capacity the boundary layer is sqrt(1-q) ~ 0.03 wide
assert_quadrature_converged(lambda n: E(q_high, kappa, "graded", n), 12, rtol=1e-12)

# %% [markdown]
# **Bug 1: Gauss–Hermite near $q = 1$.** 40 Hermite nodes are plenty at $q = 0.59$ but not at
# $q = 0.999$, where the integrand has a kink: 40 and 80 nodes disagree in the third digit.

# %%
expect_failure(assert_quadrature_converged, lambda n: E(q_high, kappa, "hermite", n), 40,
               rtol=1e-10)

# %% [markdown]
# ## 2. Is it a fixed point?
#
# `assert_fixed_point(F, x, tol)` evaluates the *undamped* residual $F(x) - x$.

# %%
Fk = lambda x: F(x, alpha, kappa)
assert_fixed_point(Fk, x_star, tol=1e-12, names=["q"])
print("fixed point ok: F(q*) - q* =", float(Fk(x_star)[0] - x_star[0]))

# %% [markdown]
# **Bug 2: a damped iterate that stopped on its step size.** With a small mixing the step is
# `mixing` times the residual, so "the step is below 1e-10" says little: the residual is
# 50 times larger, and the distance to the fixed point larger still.

# %%
def solve_q_buggy(alpha, kappa, q0=0.1, mixing=0.02, step_tol=1e-10):
    x = np.array([q0])
    while True:
        step = mixing * (F(x, alpha, kappa) - x)
        x = x + step
        if abs(step[0]) < step_tol:   # BUG: a small step is not convergence
            return x


x_damped = solve_q_buggy(alpha, kappa)
print(f"buggy q = {float(x_damped[0])!r}, true q* = {float(x_star[0])!r}, "
      f"error {x_damped[0] - x_star[0]:.2e}")
expect_failure(assert_fixed_point, Fk, x_damped, tol=1e-10, names=["q"])

# %% [markdown]
# ## 3. Is the fixed point stationary for the free entropy?
#
# A fixed-point map can be wrong and still converge beautifully. `assert_stationary` checks the
# gradient of $\phi$ itself, by Richardson-extrapolated central differences; the tolerance is
# compared with an *estimated* finite-difference error, so a pass means something.

# %%
est = assert_stationary(lambda x: phi(x, alpha, kappa), x_star, names=["q"], atol=1e-10)
print(f"dphi/dq at q* = {est.gradient[0]:.2e} +- {est.error[0]:.1e}")

# %% [markdown]
# **Bug 3: a wrong factor in the map.** Taking $dE/dq = -I/(1-q)$ (a factor 2 lost) gives
# $q/(1-q) = 2\alpha I$. The buggy map has a perfect fixed point — `assert_fixed_point` on it
# passes — but $\phi'(q) \neq 0$ there, and the message says which way (one Newton step) the
# stationary point lies.

# %%
def F_wrong(x, alpha, kappa):
    a = 2 * alpha * I(float(x[0]), kappa)   # BUG: factor 2
    return np.array([a / (1 + a)])


x_wrong = solve_q(alpha, kappa, Fmap=F_wrong)
assert_fixed_point(lambda x: F_wrong(x, alpha, kappa), x_wrong, tol=1e-12,
                   names=["q"])  # passes!
expect_failure(assert_stationary, lambda x: phi(x, alpha, kappa), x_wrong, names=["q"],
               atol=1e-10)

# %% [markdown]
# ## 4. Does it agree with known numbers?
#
# The registry (`replica reference list`) holds published constants and mpmath-certified values;
# you can also define your own `Reference` with its source. Here: the capacity
# $\alpha_c(\kappa) = 1/\int_{-\kappa}^\infty Dt\,(t+\kappa)^2$ (the $q \to 1$ limit of the
# stationarity condition; Gardner 1988), computed with the user's quadrature, against Cover's
# $\alpha_c(0) = 2$ (a `Reference` defined here) and the registry's value at $\kappa = 0.5$.

# %%
def alpha_c(kappa):
    z, w = graded_gaussian_rule([-kappa], [1e-3])   # kink of (t + kappa)_+^2 at t = -kappa
    return 1.0 / float(w @ np.where(z > -kappa, (z + kappa) ** 2, 0.0))


# a reference of your own, with its source ...
cover = Reference("my.alpha_c.kappa=0", 2.0, 1e-12, "Cover 1965; Gardner 1988",
                  model="spherical", params={"kappa": 0.0})
print(assert_matches_reference(alpha_c(0.0), cover).summary())
# ... or a registry entry, by name (`replica reference show spherical.alpha_c.kappa=0.5`)
print(assert_matches_reference(alpha_c(0.5), "spherical.alpha_c.kappa=0.5").summary())

# %% [markdown]
# **Bug 4: a naive special function.** In the far tail, `log(erfc(x/sqrt2)/2)` underflows; the
# registry entry `special.log_H.x=40` (mpmath, 50 digits) catches it, and `replica.gauss.log_H`
# matches to the last digit.

# %%
with np.errstate(divide="ignore"):
    naive = float(np.log(0.5 * math.erfc(40.0 / math.sqrt(2.0))))
expect_failure(assert_matches_reference, naive, "special.log_H.x=40")
print(assert_matches_reference(float(log_H(40.0)), "special.log_H.x=40").summary())

# %% [markdown]
# ## In a pytest suite
#
# ```python
# # conftest.py
# pytest_plugins = ["replica.testing.plugin"]      # or: pytest -p replica.testing.plugin
#
# # test_my_solver.py
# from replica.testing import assert_fixed_point, assert_stationary
#
# def test_saddle_point():
#     x = solve_q(1.0, 0.0)
#     assert_fixed_point(lambda x: F(x, 1.0, 0.0), x, tol=1e-12, names=["q"])
#     assert_stationary(lambda x: phi(x, 1.0, 0.0), x, names=["q"], atol=1e-10)
#
# def test_lnH_far_tail(mpmath_reference):          # fixture from the plugin
#     assert abs(my_log_H(30.0) - float(mpmath_reference.log_H(30.0))) < 1e-13 * 455
# ```

# %%
print(f"done in {time.perf_counter() - T0:.1f} s")
