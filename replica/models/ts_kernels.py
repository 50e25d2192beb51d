r"""Numba kernels of the teacher–student perceptron (RS, Gibbs learning): the energetic term with
its derivatives, and the binary entropic term with its moments.

Notation (docs/THEORY.md §8.3; derived in
``theory_notebooks/teacher_student_derivation.py``). Student overlaps: q (mutual), r (with the
teacher); the teacher's field is N(0, 1). With

    a = r / sqrt(q - r^2),    b = sqrt(q / (1 - q)),    beta = sqrt((q - r^2) / (1 - q)),

the energetic term and its derivatives are

    G_E(q, r) = 2 int Dt H(-a t) ln H(-b t),
    dG_E/dr   = 2 / sqrt(2 pi (1 - q)) int Ds G(beta s),
    dG_E/dq   = -(r / 2q) dG_E/dr + 2 (db/dq) J2,   db/dq = 1 / (2 sqrt(q) (1-q)^{3/2}),
    J2        = int Dt t H(-a t) G(-b t)

(with a margin kappa on the students' fields, :func:`general_energetic`, ln H(-b t) becomes
ln H((kappa - sqrt(q) t)/sqrt(1-q)))

(Gaussian integration by parts; J2 = 0 on the Nishimori line q = r, where a = b). The
replicon's energetic integral is K = 2 int Dt H(-a t) [G(y)(G(y) - y)]^2, y = -b t.

On the Nishimori line (q = r, a = b = x = sqrt(r/(1-r))) with E(r) = int Dt H(-x t) ln H(-x t),
G_E = 2 E and

    dE/dr = I(r) / (2 sqrt(2 pi (1 - r))),    I(r) = int Ds G(sqrt(r) s),

a smooth integral (no boundary layer), so that the divergence (1 - r)^{-1/2} of the slope at
r -> 1 is analytic. E itself concentrates on |t| < 1/x as r -> 1 (E ~ -sqrt(1-r) const): the
t-panels are refined geometrically around t = 0 on the scale 1/x (and 1/a, 1/b off the line).

Binary entropic term (teacher gauge w* = +1), h = sqrt(qh) z + rh:
``1 - r = int Dz 2 sigma(-2h)``, ``1 - q = int Dz sech^2 h``, ``sp = int Dz ln(1 + e^{-2h})``
(= int Dz ln 2cosh h - rh), ``sech4 = int Dz sech^4 h``: all computed as the small quantities
themselves (no 1 - tanh cancellation). They concentrate around h = 0, i.e. z0 = -rh/sqrt(qh),
on the scale 1/sqrt(qh); for large rh that point lies in the Gaussian tail, and the z-range is
extended to contain it (the panels are graded there) as long as its mass is representable
(z0 > -40); the logarithms of 1 - r and 1 - q are also available in the field variable h, in the
log domain, for any rh (:func:`binary_log_tails`).
"""
from __future__ import annotations

import math

import numpy as np

from .._numba import jit
from ..gauss import (G_minus_x_s, G_s, H_s, gauss_legendre, graded_edges_on, log_H_s, rule_on_edges)

__all__ = ["nishimori_energetic", "general_energetic", "binary_entropic", "binary_log_tails",
           "XG", "WG",
           "L_GAUSS", "BASE"]

#: half-width of the Gaussian range (mass outside 2 H(11) = 4e-28)
L_GAUSS = 11.0
#: coarse panel length away from the boundary layers
BASE = 2.0
XG, WG = (np.array(a) for a in gauss_legendre(12))
_INV_SQRT_2PI = 1.0 / math.sqrt(2.0 * math.pi)
_LN2 = math.log(2.0)


@jit
def _gauss_rule(lo, hi, centers, widths, xg, wg):
    """Composite GL rule for int Dz on [lo, hi], graded around ``centers``
    (:func:`replica.gauss.rule_on_edges` on :func:`replica.gauss.graded_edges_on`)."""
    return rule_on_edges(graded_edges_on(lo, hi, centers, widths, BASE), xg, wg, True)


@jit
def nishimori_energetic(v, xg, wg):
    """(E, dE/dr) at r = 1 - v on the Nishimori line (module docstring).

    v = 1 (r = 0): E = -ln2/2, dE/dr = 1/(2 pi). v -> 0: E -> 0, dE/dr ~ I(1)/(2 sqrt(2 pi v)).
    """
    r = 1.0 - v
    if r <= 0.0:
        return -0.5 * _LN2, 0.5 / math.pi
    sr = math.sqrt(r)
    x = math.sqrt(r / v)
    c = np.zeros(1)
    wd = np.array([1.0 / x])
    z, w = _gauss_rule(-L_GAUSS, L_GAUSS, c, wd, xg, wg)
    e = 0.0
    for i in range(z.shape[0]):
        y = x * z[i]
        hm = H_s(-y)
        if hm > 0.0:
            e += w[i] * hm * log_H_s(-y)
    # I(r) = int Ds G(sqrt(r) s): smooth (kink of G at s ~ 0 has width 1/sqrt(r) >= 1)
    wd[0] = 1.0 / sr
    z, w = _gauss_rule(-L_GAUSS, L_GAUSS, c, wd, xg, wg)
    ii = 0.0
    for i in range(z.shape[0]):
        ii += w[i] * G_s(sr * z[i])
    return e, ii / (2.0 * math.sqrt(2.0 * math.pi * v))


@jit
def general_energetic(vq, vr, kappa, xg, wg):
    """(G_E, dG_E/dq, dG_E/dr, K) at q = 1 - vq, r = 1 - vr, margin kappa (module docstring;
    kappa = 0 is Gibbs learning); needs q > r^2. With u = (kappa - sqrt(q) t)/sqrt(1-q):
    G_E = 2 int Dt H(-a t) ln H(u), dG_E/dr = 2/sqrt(2 pi (1-q)) int Ds G(kappa/sqrt(1-q) -
    beta s), dG_E/dq = -(r/2q) dG_E/dr + (1-q)^{-3/2} int Dt H(-a t) G(u) (t/sqrt(q) - kappa),
    K = 2 int Dt H(-a t) [G(u)(G(u) - u)]^2. At q = 0 (then r = 0), kappa = 0, the limits
    (-ln 2, -1/pi, 2/pi, (2/pi)^2) are returned: G_E ~ -ln 2 + (2/pi) r - q/pi near the
    origin."""
    q = 1.0 - vq
    r = 1.0 - vr
    d = vr * (2.0 - vr) - vq          # q - r^2 without cancellation
    if q <= 0.0:
        g0 = 2.0 * _INV_SQRT_2PI
        return -_LN2, -1.0 / math.pi, 2.0 / math.pi, g0 ** 4
    a = r / math.sqrt(d)
    sq = math.sqrt(q)
    b = sq / math.sqrt(vq)
    beta = math.sqrt(d / vq)
    k0 = kappa / math.sqrt(vq)
    c = np.array([0.0, kappa / sq])
    wd = np.array([1.0 / max(abs(a), 1e-300), 1.0 / b])
    z, w = _gauss_rule(-L_GAUSS, L_GAUSS, c, wd, xg, wg)
    ge = 0.0
    j2 = 0.0
    k = 0.0
    for i in range(z.shape[0]):
        t = z[i]
        ha = math.exp(log_H_s(-a * t))
        y = k0 - b * t
        gy = G_s(y)
        if ha > 0.0:
            ge += w[i] * ha * log_H_s(y)
        j2 += w[i] * (t / sq - kappa) * ha * gy
        k += w[i] * ha * (gy * G_minus_x_s(y)) ** 2
    ge *= 2.0
    k *= 2.0
    c1 = np.array([k0 / max(beta, 1e-300)])
    wd1 = np.array([1.0 / max(beta, 1e-300)])
    z, w = _gauss_rule(-L_GAUSS, L_GAUSS, c1, wd1, xg, wg)
    ig = 0.0
    for i in range(z.shape[0]):
        ig += w[i] * G_s(k0 - beta * z[i])
    dr = 2.0 * ig / math.sqrt(2.0 * math.pi * vq)
    dq = -(r / (2.0 * q)) * dr + j2 / vq ** 1.5
    return ge, dq, dr, k


@jit
def _softplus(x):
    """ln(1 + e^x) without overflow."""
    if x > 0.0:
        return x + math.log1p(math.exp(-x))
    return math.log1p(math.exp(x))


@jit
def binary_entropic(qh, rh, xg, wg):
    """(1 - r, 1 - q, sp, sech4, r, q) for the binary student, h = sqrt(qh) z + rh (module
    docstring). r and q themselves keep full relative precision as r -> 0: r = int Dz
    [tanh(sqrt(qh) z + rh) - tanh(sqrt(qh) z)] (the odd part integrates to 0 on the symmetric
    rule), with tanh(a + b) - tanh(a) = tanh(b) (1 - tanh(a) tanh(a + b))."""
    if qh <= 0.0:
        e = math.exp(-2.0 * abs(rh))
        s2 = 4.0 * e / ((1.0 + e) * (1.0 + e))
        omr = 2.0 * e / (1.0 + e) if rh >= 0.0 else 2.0 / (1.0 + e)
        t = math.tanh(rh)
        return omr, s2, _softplus(-2.0 * rh), s2 * s2, t, t * t
    s = math.sqrt(qh)
    z0 = -rh / s
    # beyond z0 < -40 the mass around h = 0 is below 1e-300 (binary_log_tails takes over)
    lo = min(-L_GAUSS, z0 - 6.0) if z0 > -40.0 else -L_GAUSS
    hi = max(L_GAUSS, z0 + 6.0) if z0 < 40.0 else L_GAUSS
    c = np.array([z0])
    wd = np.array([1.0 / s])
    z, w = _gauss_rule(lo, hi, c, wd, xg, wg)
    omr = 0.0
    omq = 0.0
    sp = 0.0
    s4 = 0.0
    rr = 0.0
    qq = 0.0
    tb = math.tanh(rh)
    for i in range(z.shape[0]):
        h = s * z[i] + rh
        th = math.tanh(h)
        rr += w[i] * tb * (1.0 - math.tanh(s * z[i]) * th)
        qq += w[i] * th * th
        e = math.exp(-2.0 * abs(h))
        sech2 = 4.0 * e / ((1.0 + e) * (1.0 + e))
        omq += w[i] * sech2
        s4 += w[i] * sech2 * sech2
        omr += w[i] * (2.0 * e / (1.0 + e) if h >= 0.0 else 2.0 / (1.0 + e))
        sp += w[i] * _softplus(-2.0 * h)
    return omr, omq, sp, s4, rr, qq


@jit
def _log_sech2(h):
    a = abs(h)
    return math.log(4.0) - 2.0 * a - 2.0 * math.log1p(math.exp(-2.0 * a))


@jit
def binary_log_tails(qh, rh, xg, wg):
    """(ln(1 - r), ln(1 - q)) for the binary student in the field variable h = sqrt(qh) z + rh,

        1 - r = exp(-rh^2/(2qh)) / sqrt(2 pi qh) int dh exp(c h - h^2/(2qh)) 2 sigma(-2h),
        1 - q = (same prefactor) int dh exp(c h - h^2/(2qh)) sech^2 h,      c = rh/qh,

    evaluated in the log domain (log-sum-exp over the nodes), finite when 1 - r underflows
    (rh >~ 1400 on the Nishimori line, where 1 - r -> pi exp(-rh/2)/sqrt(2 pi rh)). For
    0 < c < 2 (c = 1 on the Nishimori line) the integrands decay like e^{c h} (h < 0) and
    e^{-(2-c) h} (h > 0) away from the kink h = 0 whatever qh: the h-range is
    [-60/c, 60/(2-c)] (capped at 1200) with panels graded at h = 0. Outside 0.05 < c < 1.95
    (far from any saddle point) NaN is returned."""
    if not (qh > 0.0 and 0.05 < rh / qh < 1.95):
        return math.nan, math.nan
    c = rh / qh
    lo = -min(60.0 / c, 1200.0)
    hi = min(60.0 / (2.0 - c), 1200.0)
    cen = np.array([0.0])
    wd = np.array([0.25])
    edges = graded_edges_on(lo, hi, cen, wd, BASE)
    npan = edges.shape[0] - 1
    n = xg.shape[0]
    m = npan * n
    tr = np.empty(m)
    tq = np.empty(m)
    k = 0
    for p in range(npan):
        a = edges[p]
        b = edges[p + 1]
        half = 0.5 * (b - a)
        mid = 0.5 * (a + b)
        for i in range(n):
            h = mid + half * xg[i]
            base = math.log(half * wg[i]) + c * h - h * h / (2.0 * qh)
            tr[k] = base + _LN2 - _softplus(2.0 * h)
            tq[k] = base + _log_sech2(h)
            k += 1
    mr = tr.max()
    mq = tq.max()
    sr = 0.0
    sq = 0.0
    for i in range(m):
        sr += math.exp(tr[i] - mr)
        sq += math.exp(tq[i] - mq)
    pref = -rh * rh / (2.0 * qh) - 0.5 * math.log(2.0 * math.pi * qh)
    return pref + mr + math.log(sr), pref + mq + math.log(sq)
