r"""Numba kernels of the one-step RSB (1RSB) free entropy of the perceptron family.

One kernel serves every constraint: a pattern is satisfied when its stability lies in a window
[lo, hi] (margin: [kappa, +inf); symmetric: [-kappa, kappa]), and everything below is written
for the window function

.. math:: \mathcal H(x, y) = P(lo \le x + y z \le hi) = H((lo - x)/y) - H((hi - x)/y).

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

and the reduced tilted variance :math:`V = \int Dz_0 \langle(\partial_x\ln\mathcal H -
\langle\partial_x\ln\mathcal H\rangle)^2\rangle / (q_1 - q_0)`, taken as a centred two-pass sum
(no cancellation as q1 -> q0) with its limit :math:`\int Dz_0 (\partial_x^2\ln\mathcal H)^2` at
q1 = q0 (a Gaussian of variance s^2 changes f(x0 + s z1) by s f' z1 at leading order). Q1 - Q0 =
(q1 - q0) V. These give :math:`\partial_{q_0} G_E = -\frac m2 Q_0`, :math:`\partial_{q_1} G_E = \frac{m-1}2
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
from ..gauss import G_s, H_s, graded_edges_on, log_H_s, rule_on_edges

_LN_SQRT_2PI = 0.5 * math.log(2.0 * math.pi)
_SQRT_HALF = math.sqrt(0.5)


def window_of(kappa: float, sym: bool) -> tuple:
    """The window [lo, hi] of a constraint: margin [kappa, inf), symmetric [-kappa, kappa]."""
    return (-float(kappa), float(kappa)) if sym else (float(kappa), math.inf)


@jit
def _log1m_exp(x):
    """ln(1 - e^x) for x <= 0, accurate at both ends (expm1 near 0, log1p far)."""
    if x > -0.6931471805599453:
        return math.log(-math.expm1(x))
    return math.log1p(-math.exp(x))


@jit
def window(x, y, lo, hi):
    """(ln calH, d/dx ln calH, d^2/dx^2 ln calH) of calH(x, y) = P(lo <= x + y z <= hi), stable
    for every x (log domain; hi = inf for the margin constraint)."""
    a = (lo - x) / y
    if hi == math.inf:
        g = G_s(a)
        return log_H_s(a), g / y, -g * (g - a) / (y * y)
    b = (hi - x) / y
    if a >= 0.0:          # both ends in the upper tail
        la = log_H_s(a)
        lk = la + _log1m_exp(log_H_s(b) - la)
    elif b <= 0.0:        # both in the lower tail: P(-b <= z <= -a)
        lb = log_H_s(-b)
        lk = lb + _log1m_exp(log_H_s(-a) - lb)
    else:                 # a < 0 < b: 1 - (tails), or a sum of two positive erfs if narrow
        t = H_s(-a) + H_s(b)
        if t < 0.5:
            lk = math.log1p(-t)
        else:
            lk = math.log(0.5 * (math.erf(b * _SQRT_HALF) + math.erf(-a * _SQRT_HALF)))
    pa = math.exp(-0.5 * a * a - _LN_SQRT_2PI - lk)
    pb = math.exp(-0.5 * b * b - _LN_SQRT_2PI - lk)
    d = (pa - pb) / y
    return lk, d, (a * pa - b * pb) / (y * y) - d * d


@jit
def lnK_dlnK(x, y, kappa, sym):
    """(ln calH(x, y), d/dx ln calH) for the margin (sym = False) or the symmetric (sym = True)
    constraint of half-width kappa."""
    lo, hi = (-kappa, kappa) if sym else (kappa, math.inf)
    lk, d, _ = window(x, y, lo, hi)
    return lk, d


@jit
def _mode(x0, s, y, m, lo, hi):
    """Mode of l(z) = -z^2/2 + m ln calH(x0 + s z) (l' = -z + m s d, decreasing): bisection."""
    a = -1.0
    b = 1.0
    for _ in range(200):
        if -a + m * s * window(x0 + s * a, y, lo, hi)[1] > 0.0:
            break
        a *= 2.0
    for _ in range(200):
        if -b + m * s * window(x0 + s * b, y, lo, hi)[1] < 0.0:
            break
        b *= 2.0
    for _ in range(60):
        mid = 0.5 * (a + b)
        if -mid + m * s * window(x0 + s * mid, y, lo, hi)[1] > 0.0:
            a = mid
        else:
            b = mid
        if b - a < 1e-9 * (1.0 + abs(mid)):
            break
    return 0.5 * (a + b)


@jit
def _boundaries(c_lo, c_hi, hi, width, extra, w_extra):
    """Grading centres and widths: the window's ends (hi = inf: one end) and one extra point."""
    if hi == math.inf:
        return np.array([extra, c_lo]), np.array([w_extra, width])
    return np.array([extra, c_lo, c_hi]), np.array([w_extra, width, width])


@jit
def _inner(x0, s, y, m, lo, hi, xg, wg, L, base):
    """(ln I, <d>, <d^2>, <ln calH>, V) at field x0, d = d ln calH/dx, V = <(d - <d>)^2>/s^2
    (s = 0: the limit (d^2 ln calH/dx^2)^2); see the module docstring."""
    if s <= 0.0:
        lk, d, d2 = window(x0, y, lo, hi)
        return m * lk, d, d * d, lk, d2 * d2
    zm = _mode(x0, s, y, m, lo, hi)
    wk = y / s
    cen, wid = _boundaries((lo - x0) / s, (hi - x0) / s, hi, wk, zm, min(1.0, wk))
    z, w = rule_on_edges(graded_edges_on(zm - L, zm + L, cen, wid, base), xg, wg, False)
    nn = z.shape[0]
    lv = np.empty(nn)
    dv = np.empty(nn)
    kv = np.empty(nn)
    lmax = -math.inf
    for j in range(nn):
        lk, d, _ = window(x0 + s * z[j], y, lo, hi)
        v = -0.5 * z[j] * z[j] + m * lk
        lv[j] = v
        dv[j] = d
        kv[j] = lk
        if v > lmax:
            lmax = v
    tot = 0.0
    a1 = 0.0
    a2 = 0.0
    a3 = 0.0
    for j in range(nn):
        e = w[j] * math.exp(lv[j] - lmax)
        lv[j] = e
        tot += e
        a1 += e * dv[j]
        a2 += e * dv[j] * dv[j]
        a3 += e * kv[j]
    mean = a1 / tot
    var = 0.0
    for j in range(nn):
        var += lv[j] * (dv[j] - mean) ** 2
    return (lmax + math.log(tot) - _LN_SQRT_2PI, mean, a2 / tot, a3 / tot,
            var / (tot * s * s))


@jit
def _outer_rule(q0, width, lo, hi, L, base, xg, wg):
    """The z0 rule of int Dz0 F(sqrt(q0) z0): graded at the window's ends lo/sqrt(q0),
    hi/sqrt(q0) on the scale ``width``."""
    sq = math.sqrt(q0)
    if hi == math.inf:
        cen, wid = np.array([lo / sq]), np.array([width])
    else:
        cen, wid = np.array([lo / sq, hi / sq]), np.array([width, width])
    return rule_on_edges(graded_edges_on(-L, L, cen, wid, base), xg, wg, True)


@jit
def energetic_window(q0, q1, m, lo, hi, xg, wg, L, base):
    """(int Dz0 ln I, Q0, Q1, L1, V) for the window [lo, hi]: see the module docstring.
    0 <= q0 <= q1 < 1, m > 0."""
    y = math.sqrt(1.0 - q1)
    s = math.sqrt(max(q1 - q0, 0.0))
    if q0 <= 0.0:
        li, a1, a2, a3, v = _inner(0.0, s, y, m, lo, hi, xg, wg, L, base)
        return li, a1 * a1, a2, a3, v
    sq = math.sqrt(q0)
    z, w = _outer_rule(q0, y / sq, lo, hi, L, base, xg, wg)
    t = np.zeros(5)
    for i in range(z.shape[0]):
        li, a1, a2, a3, v = _inner(sq * z[i], s, y, m, lo, hi, xg, wg, L, base)
        t[0] += w[i] * li
        t[1] += w[i] * a1 * a1
        t[2] += w[i] * a2
        t[3] += w[i] * a3
        t[4] += w[i] * v
    return t[0], t[1], t[2], t[3], t[4]


@jit
def energetic(q0, q1, m, kappa, sym, xg, wg, L, base):
    """(int Dz0 ln I, Q0, Q1, L1) for the margin (sym = False) or symmetric constraint of
    half-width kappa (:func:`energetic_window` without V)."""
    lo, hi = (-kappa, kappa) if sym else (kappa, math.inf)
    t0, t1, t2, t3, _ = energetic_window(q0, q1, m, lo, hi, xg, wg, L, base)
    return t0, t1, t2, t3


@jit
def clone_tables(m):
    """M_k = m - 2k and ln C(m, k), k = 0..m: the magnetisations of m binary clones and the
    log-multiplicities of each (the terms of the clone sum)."""
    mk = np.empty(m + 1)
    lc = np.empty(m + 1)
    for k in range(m + 1):
        mk[k] = m - 2 * k
        lc[k] = math.lgamma(m + 1.0) - math.lgamma(k + 1.0) - math.lgamma(m - k + 1.0)
    return mk, lc


@jit
def binary_clone_sum(a, b2, m, lc, mk):
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
    mk, lc = clone_tables(m)
    b2 = qh1 - qh0
    if qh0 <= 0.0:
        lz, s1, s2 = binary_clone_sum(0.0, b2, m, lc, mk)
        return lz, s1 * s1, s2
    sq = math.sqrt(qh0)
    edges = graded_edges_on(-L, L, np.array([0.0]), np.array([1.0 / sq]), min(base, 1.5 / sq))
    z, w = rule_on_edges(edges, xg, wg, True)
    t0 = 0.0
    t1 = 0.0
    t2 = 0.0
    for i in range(z.shape[0]):
        lz, s1, s2 = binary_clone_sum(sq * z[i], b2, m, lc, mk)
        t0 += w[i] * lz
        t1 += w[i] * s1 * s1
        t2 += w[i] * s2
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
    z, w = _outer_rule(q0, s / sq, kappa, math.inf, L, base, xg, wg)
    t0 = 0.0
    for i in range(z.shape[0]):
        t0 += w[i] * jamming_inner(kappa - sq * z[i], s, mu)
    return t0
