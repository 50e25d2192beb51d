r"""Closed forms of the spherical perceptron in pure :mod:`math` (no numpy, no numba), so that
closed-form commands start fast and stay finite for every margin.

The Gardner moment (docs/THEORY.md §1; Gardner 1988)

.. math::  J(\kappa) = \int_{-\infty}^{\kappa} Dt\,(\kappa - t)^2
           = (1+\kappa^2)\Phi(\kappa) + \kappa\,\phi(\kappa) = 1/\alpha_c(\kappa)

is evaluated in log space: :math:`\ln J = \ln\phi(\kappa) + \ln G(-\kappa)` with
:math:`G(x) = \int_0^\infty s^2 e^{-xs - s^2/2}\,ds` for :math:`\kappa < -1` (the direct form
loses ~kappa^4/2 in cancellation there). Numerics of G: for x > 9 its asymptotic series
:math:`\sum_n (-1/2)^n (2n+2)!/(n!\,x^{2n+3})`, truncated at its smallest term (alternating,
error below the first omitted term, < e^{-x^2/2} relative); for 1 <= x <= 9 the moments
:math:`I_n = \int_0^\infty s^n e^{-xs-s^2/2}ds` by Miller's backward recurrence
:math:`I_{n-1} = (I_{n+1} + x I_n)/n` (I_n is the minimal solution), run as the continued fraction of
:math:`\rho_n = I_n/I_{n-1} = n/(x + \rho_{n+1})` and normalised by the Mills ratio :math:`I_0 = \sqrt{\pi/2}\,\mathrm{erfc}(x/\sqrt2)\,e^{x^2/2}`.
"""
from __future__ import annotations

import math

from .errors import ReplicaInputError, check_range

__all__ = ["log_tail_moment", "log_F", "log_gardner_moment", "log_capacity_spherical",
           "capacity_spherical", "kappa_max_spherical"]

_LN_FLOAT_MAX = math.log(1.7976931348623157e308)


def log_tail_moment(x: float, k: int) -> float:
    """ln I_k(x), I_k(x) = int_0^inf s^k exp(-x s - s^2/2) ds, for k = 1, 2 and x >= 1 (so that
    phi(x) I_k(x) = int_x^inf Dt (t - x)^k); see the module docstring for the numerics. Pure
    :mod:`math`, self-contained: :mod:`replica.gauss` compiles this very function for its numba
    kernels."""
    if x > 9.0:
        # sum_n (-1/2)^n (2n+k)!/(n! x^(2n+k+1)), truncated at its smallest term
        term = 1.0
        for j in range(2, k + 1):
            term *= j
        term /= x ** (k + 1)
        total = 0.0
        n = 0
        while True:
            total += term
            nxt = term * -0.5 * (2 * n + k + 1) * (2 * n + k + 2) / ((n + 1) * x * x)
            if abs(nxt) >= abs(term) or abs(nxt) < 1e-17 * abs(total):
                break
            term = nxt
            n += 1
        return math.log(total)
    # rho_n = I_n / I_{n-1} = n / (x + rho_{n+1}) (a continued fraction), from the top down
    rho = 0.0
    rho1 = 0.0
    rho2 = 0.0
    for n in range(int((40.0 / x) ** 2) + 20, 0, -1):
        rho = n / (x + rho)
        if n == 2:
            rho2 = rho
        elif n == 1:
            rho1 = rho
    mills = math.sqrt(math.pi / 2.0) * math.erfc(x / math.sqrt(2.0)) * math.exp(0.5 * x * x)
    out = math.log(mills) + math.log(rho1)
    return out + math.log(rho2) if k == 2 else out


def log_F(k: float) -> float:
    """ln F(k), F(k) = (1+k^2) Phi(k) + k phi(k) = int_{-k}^inf Dt (t + k)^2, for finite k
    (no validation): the closed form for k >= -1, ln phi(k) + ln I_2(-k) below (no
    cancellation). Compiled for numba by :mod:`replica.gauss` (``log_F_margin_s``)."""
    if k >= -1.0:
        phi = math.exp(-0.5 * k * k) / math.sqrt(2.0 * math.pi)
        big_phi = 0.5 * math.erfc(-k / math.sqrt(2.0))
        return math.log((1.0 + k * k) * big_phi + k * phi)
    return -0.5 * k * k - 0.5 * math.log(2.0 * math.pi) + log_tail_moment(-k, 2)


def log_gardner_moment(kappa: float) -> float:
    """ln J(kappa), J = int_{-inf}^kappa Dt (kappa - t)^2 = F(kappa) = 1/alpha_c^sph(kappa); any
    kappa in [-1e100, 1e100] (J itself underflows for kappa < -37.5, its logarithm does not;
    beyond 1e100 the powers of kappa in the series overflow)."""
    return log_F(check_range("kappa", kappa, -1e100, 1e100))


def log_capacity_spherical(kappa: float) -> float:
    """ln alpha_c(kappa) of the spherical perceptron (Gardner 1988), for any finite kappa."""
    return -log_gardner_moment(kappa)


def capacity_spherical(kappa: float) -> float:
    """alpha_c(kappa) = 1/J(kappa); alpha_c(0) = 2 (Cover 1965). For kappa below about -37.5,
    alpha_c exceeds the floating-point range: ReplicaInputError (use the logarithm)."""
    la = log_capacity_spherical(kappa)
    if la >= _LN_FLOAT_MAX:
        raise ReplicaInputError(f"kappa = {kappa}: the spherical capacity alpha_c = "
                                f"exp({la:.6g}) exceeds the floating-point range (kappa must be "
                                "above about -37.5; ln alpha_c is reported as ln_alpha_c)")
    return math.exp(la)


def kappa_max_spherical(alpha: float, *, tol: float = 1e-14) -> float:
    """kappa_max(alpha): the root of ln J(kappa) = -ln alpha (J increases with kappa), by
    Newton's method on ln J with d ln J/d kappa = 2[kappa Phi + phi]/J, kept in a bracket."""
    a = check_range("alpha", alpha, 0.0, lo_open=True)
    target = -math.log(a)
    f = lambda k: log_gardner_moment(k) - target
    lo, hi = -1.0, 1.0
    while f(lo) > 0:
        lo *= 2.0
    while f(hi) < 0:
        hi *= 2.0
        if hi > 1e100:
            raise ReplicaInputError(f"alpha = {alpha}: kappa_max(alpha) exceeds 1e100 (alpha "
                                    "must be at least about 1e-200)")
    k = 0.5 * (lo + hi)
    for _ in range(200):
        fk = f(k)
        if fk == 0.0:
            return k
        if fk < 0:
            lo = k
        else:
            hi = k
        # d/dk ln J = 2 M1 / J with M1 = int_{-inf}^k Dt (k - t) = k Phi + phi
        if k >= -2.0:
            phi = math.exp(-0.5 * k * k) / math.sqrt(2.0 * math.pi)
            m1 = k * 0.5 * math.erfc(-k / math.sqrt(2.0)) + phi
            dlog = 2.0 * m1 / math.exp(log_gardner_moment(k))
        else:
            dlog = -2.0 * k  # leading order for very negative kappa (Newton still safeguarded)
        step = fk / dlog if dlog > 0 else math.inf
        new = k - step
        if not lo < new < hi:
            new = 0.5 * (lo + hi)
        if abs(new - k) <= tol * max(1.0, abs(k)) or hi - lo <= tol * max(1.0, abs(k)):
            return new
        k = new
    raise ReplicaInputError(f"alpha = {alpha}: kappa_max did not converge")  # pragma: no cover
