r"""Numba kernels of the one-step RSB (1RSB) free entropy of the perceptron family.

Notation (docs/THEORY.md §8.1; Malatesta, Passalacqua, Zecchina, arXiv:2607.27000, eqs. 46–52).
The single-pattern kernel at zero temperature is

.. math::  \mathcal H(x, y) = \int Dz\, K(x + y z),

``margin`` constraint (K = theta(s - kappa)): :math:`\mathcal H = H((\kappa - x)/y)`;
``symmetric`` constraint (K = theta(kappa - |s|)): :math:`\mathcal H = H((x-\kappa)/y) -
H((x+\kappa)/y)`. With :math:`x = \sqrt{q_0} z_0 + \sqrt{q_1-q_0} z_1`, :math:`y = \sqrt{1-q_1}`
and the inner integral :math:`I(x_0) = \int Dz_1\, \mathcal H^m(x_0 + s z_1, y)`,
:math:`s = \sqrt{q_1 - q_0}`, the energetic term is :math:`G_E = \frac1m \int Dz_0 \ln I`. The
kernel :func:`energetic` returns, besides :math:`\int Dz_0 \ln I`, the tilted averages
(:math:`\langle\cdot\rangle` with weight :math:`Dz_1\,\mathcal H^m / I`)

.. math::

    Q_0 = \int Dz_0 \langle \partial_x \ln\mathcal H\rangle^2,\quad
    Q_1 = \int Dz_0 \langle (\partial_x \ln\mathcal H)^2\rangle,\quad
    L_1 = \int Dz_0 \langle \ln\mathcal H\rangle,

which give :math:`\partial_{q_0} G_E = -\frac m2 Q_0`, :math:`\partial_{q_1} G_E = \frac{m-1}2
Q_1` and :math:`\partial_m G_E = -G_E/m + L_1/m` (Gaussian integration by parts and
:math:`\partial_{y^2}\mathcal H = \frac12 \partial_x^2\mathcal H`).

Numerics. The log-integrand of the inner integral, :math:`\ell(z_1) = -z_1^2/2 + m\ln\mathcal
H(x_0 + s z_1)`, is concave with :math:`\ell'' \le -1` (ln H is concave, a Gaussian smoothing of a
log-concave indicator is log-concave), so it is integrated in the log domain on
:math:`[z^* - L, z^* + L]` around its mode :math:`z^*` (found by bisection on :math:`\ell'`): the
mass outside is below :math:`e^{-L^2/2}` whatever the field. Panel edges are refined
geometrically (:func:`replica.gauss.graded_edges_on`) at the kinks of :math:`\mathcal H` (the
boundary layers of width :math:`y/s` at the decision boundaries) and at the mode. The outer
integral is graded at the decision boundaries in :math:`z_0` (width :math:`y/\sqrt{q_0}`).
Binary entropic term for integer m: the inner integral is a finite sum,
:math:`\int Dz_1 (2\cosh(a + b z_1))^m = \sum_k \binom mk e^{M_k a + M_k^2 b^2/2}`,
:math:`M_k = m - 2k`, summed in the log domain.
"""
from __future__ import annotations

import math

import numpy as np

from .._numba import jit
from ..gauss import G_s, H_s, graded_edges_on, log_H_s

_LN_SQRT_2PI = 0.5 * math.log(2.0 * math.pi)


@jit
def lnK_dlnK(x, y, kappa, sym):
    """(ln calH(x, y), d/dx ln calH(x, y)) for the margin (sym = False) or the symmetric
    (sym = True) constraint, stable for every x (log domain)."""
    if not sym:
        u = (kappa - x) / y
        return log_H_s(u), G_s(u) / y
    sgn = 1.0
    if x < 0.0:
        x = -x
        sgn = -1.0
    a = (x - kappa) / y
    b = (x + kappa) / y
    if a > 0.0:
        la = log_H_s(a)
        lb = log_H_s(b)
        r = math.exp(lb - la)
        lnk = la + math.log1p(-r)
        # (phi(b) - phi(a)) / (y calH),  calH = H(a) (1 - r)
        pb = math.exp(-0.5 * b * b - _LN_SQRT_2PI - la)
        d = (pb - G_s(a)) / ((1.0 - r) * y)
    else:
        k = 1.0 - H_s(-a) - H_s(b)
        lnk = math.log(k)
        pa = math.exp(-0.5 * a * a - _LN_SQRT_2PI)
        pb = math.exp(-0.5 * b * b - _LN_SQRT_2PI)
        d = (pb - pa) / (k * y)
    return lnk, sgn * d


@jit
def _inner(x0, s, y, m, kappa, sym, xg, wg, L, base):
    """(ln I, <dlnK>, <dlnK^2>, <lnK>) of the inner integral at field x0 (see module doc)."""
    if s <= 0.0:
        lk, d = lnK_dlnK(x0, y, kappa, sym)
        return m * lk, d, d * d, lk
    # mode of l(z) = -z^2/2 + m lnK(x0 + s z): l' = -z + m s dlnK, decreasing
    lo = -1.0
    hi = 1.0
    for _ in range(200):
        if -lo + m * s * lnK_dlnK(x0 + s * lo, y, kappa, sym)[1] > 0.0:
            break
        lo *= 2.0
    for _ in range(200):
        if -hi + m * s * lnK_dlnK(x0 + s * hi, y, kappa, sym)[1] < 0.0:
            break
        hi *= 2.0
    for _ in range(60):
        mid = 0.5 * (lo + hi)
        if -mid + m * s * lnK_dlnK(x0 + s * mid, y, kappa, sym)[1] > 0.0:
            lo = mid
        else:
            hi = mid
        if hi - lo < 1e-9 * (1.0 + abs(mid)):
            break
    zm = 0.5 * (lo + hi)
    wk = y / s
    if sym:
        centers = np.array([zm, (kappa - x0) / s, (-kappa - x0) / s])
        widths = np.array([min(1.0, wk), wk, wk])
    else:
        centers = np.array([zm, (kappa - x0) / s])
        widths = np.array([min(1.0, wk), wk])
    edges = graded_edges_on(zm - L, zm + L, centers, widths, base)
    n = xg.shape[0]
    npan = edges.shape[0] - 1
    nn = npan * n
    lv = np.empty(nn)
    dv = np.empty(nn)
    kv = np.empty(nn)
    wv = np.empty(nn)
    lmax = -math.inf
    for p in range(npan):
        a = edges[p]
        b = edges[p + 1]
        half = 0.5 * (b - a)
        mid = 0.5 * (b + a)
        for i in range(n):
            z = mid + half * xg[i]
            lk, d = lnK_dlnK(x0 + s * z, y, kappa, sym)
            j = p * n + i
            v = -0.5 * z * z + m * lk
            lv[j] = v
            dv[j] = d
            kv[j] = lk
            wv[j] = half * wg[i]
            if v > lmax:
                lmax = v
    tot = 0.0
    a1 = 0.0
    a2 = 0.0
    a3 = 0.0
    for j in range(nn):
        e = wv[j] * math.exp(lv[j] - lmax)
        tot += e
        a1 += e * dv[j]
        a2 += e * dv[j] * dv[j]
        a3 += e * kv[j]
    return (lmax + math.log(tot) - _LN_SQRT_2PI, a1 / tot, a2 / tot, a3 / tot)


@jit
def energetic(q0, q1, m, kappa, sym, xg, wg, L, base):
    """(int Dz0 ln I, Q0, Q1, L1): see the module docstring. 0 <= q0 <= q1 < 1, m > 0."""
    y = math.sqrt(1.0 - q1)
    s = math.sqrt(max(q1 - q0, 0.0))
    if q0 <= 0.0:
        li, a1, a2, a3 = _inner(0.0, s, y, m, kappa, sym, xg, wg, L, base)
        return li, a1 * a1, a2, a3
    sq = math.sqrt(q0)
    w = y / sq
    if sym:
        centers = np.array([kappa / sq, -kappa / sq])
        widths = np.array([w, w])
    else:
        centers = np.array([kappa / sq])
        widths = np.array([w])
    edges = graded_edges_on(-L, L, centers, widths, base)
    n = xg.shape[0]
    t0 = 0.0
    t1 = 0.0
    t2 = 0.0
    t3 = 0.0
    for p in range(edges.shape[0] - 1):
        a = edges[p]
        b = edges[p + 1]
        half = 0.5 * (b - a)
        mid = 0.5 * (b + a)
        for i in range(n):
            z = mid + half * xg[i]
            wz = half * wg[i] * math.exp(-0.5 * z * z - _LN_SQRT_2PI)
            li, a1, a2, a3 = _inner(sq * z, s, y, m, kappa, sym, xg, wg, L, base)
            t0 += wz * li
            t1 += wz * a1 * a1
            t2 += wz * a2
            t3 += wz * a3
    return t0, t1, t2, t3


@jit
def _binary_inner(a, b2, m, lc, mk):
    """ln sum_k C(m,k) exp(M_k a + M_k^2 b2/2) and the tilted <M>, <M^2>."""
    nk = mk.shape[0]
    vmax = -math.inf
    vals = np.empty(nk)
    for k in range(nk):
        v = lc[k] + mk[k] * a + 0.5 * mk[k] * mk[k] * b2
        vals[k] = v
        if v > vmax:
            vmax = v
    tot = 0.0
    s1 = 0.0
    s2 = 0.0
    for k in range(nk):
        e = math.exp(vals[k] - vmax)
        tot += e
        s1 += e * mk[k]
        s2 += e * mk[k] * mk[k]
    return vmax + math.log(tot), s1 / tot, s2 / tot


@jit
def entropic_binary(qh0, qh1, m, xg, wg, L, base):
    """Binary entropic integrals for integer m >= 1: (int Dz0 ln Z, int Dz0 <M>^2, int Dz0 <M^2>)
    with Z(z0) = int Dz1 [2cosh(sqrt(qh0) z0 + sqrt(qh1 - qh0) z1)]^m."""
    mk = np.empty(m + 1)
    lc = np.empty(m + 1)
    for k in range(m + 1):
        mk[k] = m - 2 * k
        lc[k] = math.lgamma(m + 1.0) - math.lgamma(k + 1.0) - math.lgamma(m - k + 1.0)
    b2 = qh1 - qh0
    if qh0 <= 0.0:
        lz, s1, s2 = _binary_inner(0.0, b2, m, lc, mk)
        return lz, s1 * s1, s2
    sq = math.sqrt(qh0)
    bb = min(base, 1.5 / sq)
    edges = graded_edges_on(-L, L, np.array([0.0]), np.array([1.0 / sq]), bb)
    n = xg.shape[0]
    t0 = 0.0
    t1 = 0.0
    t2 = 0.0
    for p in range(edges.shape[0] - 1):
        a = edges[p]
        b = edges[p + 1]
        half = 0.5 * (b - a)
        mid = 0.5 * (b + a)
        for i in range(n):
            z = mid + half * xg[i]
            wz = half * wg[i] * math.exp(-0.5 * z * z - _LN_SQRT_2PI)
            lz, s1, s2 = _binary_inner(sq * z, b2, m, lc, mk)
            t0 += wz * lz
            t1 += wz * s1 * s1
            t2 += wz * s2
    return t0, t1, t2


@jit
def _log_add(a, b):
    if a < b:
        a, b = b, a
    if b == -math.inf:
        return a
    return a + math.log1p(math.exp(b - a))


@jit
def jamming_inner(c, s, mu):
    """ln int Dz1 exp(-(mu/2)(c - s z1)_+^2) in closed form: the Gaussian integral on the
    constrained side, H(-c/(s r)) exp(-mu c^2/(2 r^2))/r with r^2 = 1 + mu s^2, plus the
    free side H(c/s)."""
    r2 = 1.0 + mu * s * s
    r = math.sqrt(r2)
    if s <= 0.0:
        return -0.5 * mu * c * c if c > 0.0 else 0.0
    return _log_add(log_H_s(c / s), -0.5 * mu * c * c / r2 - math.log(r) + log_H_s(-c / (s * r)))


@jit
def jamming_energetic(q0, mu, kappa, xg, wg, L, base):
    """int Dz0 ln int Dz1 exp(-(mu/2)(kappa - sqrt(q0) z0 - sqrt(1-q0) z1)_+^2)."""
    s = math.sqrt(1.0 - q0)
    if q0 <= 0.0:
        return jamming_inner(kappa, s, mu)
    sq = math.sqrt(q0)
    edges = graded_edges_on(-L, L, np.array([kappa / sq]), np.array([s / sq]), base)
    n = xg.shape[0]
    t0 = 0.0
    for p in range(edges.shape[0] - 1):
        a = edges[p]
        b = edges[p + 1]
        half = 0.5 * (b - a)
        mid = 0.5 * (b + a)
        for i in range(n):
            z = mid + half * xg[i]
            wz = half * wg[i] * math.exp(-0.5 * z * z - _LN_SQRT_2PI)
            t0 += wz * jamming_inner(kappa - sq * z, s, mu)
    return t0
