r"""Numba kernels of the Franz–Parisi (local-entropy) computation: the energetic term with its
derivatives, and the binary entropic term with its moments.

Notation (docs/THEORY.md §2, re-derived in ``theory_notebooks/franz_parisi_derivation.py``). Given a
common Gaussian ``z0`` the reference field is ``u~ = sqrt(Q) z0 + sqrt(1-Q) y~`` with the reference
constraint ``y~ > a(z0) = (kappa_ref - sqrt(Q) z0)/sqrt(1-Q)``; the constrained field is
``u = A z0 + B y~ + C z1 + sqrt(1-q) y`` with

    A = t/sqrt(Q),  B = (p-t)/sqrt(1-Q),  C^2 = q - t^2/Q - (p-t)^2/(1-Q).

With ``sigma^2 = B^2 + C^2`` and ``w = (B y~ + C z1)/sigma`` the energetic term is

    G_E = int Dz0 int dw rho(w|z0) ln H(x),   x = (kappa - A z0 - sigma w)/sqrt(1-q),
    rho(w|z0) = phi(w) H((a sigma - B w)/C) / H(a)            (log domain).

Derivatives (Gaussian integration by parts / Price's theorem on the conditional law of
(v = u~ - sqrt(Q) z0, m' = B y~ + C z1), whose covariance is (1-Q, p-t, q - t^2/Q)):

    dG_E/dq = -<G(x)^2> / (2(1-q))
    dG_E/dp = 1/sqrt((1-Q)(1-q)) int Dz0 G(a) int Dz1 G((kappa - A z0 - B a - C z1)/sqrt(1-q))
              (the boundary term: d/d Cov(v, m') puts v on the reference boundary v = a sqrt(1-Q))
    dG_E/dt = <z0 G(x)>/sqrt(Q(1-q)) - dG_E/dp + (t/Q) <G(x)(G(x) - x)>/(1-q)

(the last from d/dt = (1/sqrt Q) d/dA - d/dCov - (2t/Q) d/dVar(m'), and d^2/dm^2 ln H =
-G(G-x)/(1-q)). All three are checked against finite differences in the tests.

Quadrature: composite Gauss–Legendre with panel edges at the boundary layers, refined
geometrically: in z0 around the reference boundary a(z0) = 0 (width sqrt((1-Q)/Q)) and the kink
of the constrained field, where these are narrower than a third of the (shorter, OUTER_BASE)
outer panels (``_smooth_rule``); in w (``replica.gauss.sized_edges``) around the step of
H((a sigma - B w)/C) (width C/|B|, and the exponential tail 1/a of the truncated Gaussian, whose
panels are at most 4 decay lengths long) and the kink of ln H(x) (width sqrt(1-q)/sigma). The
w-range is the exact support of the truncated variable (Minkowski sum of B y~ over
y~ in [a, sqrt(a^2 + 2E)] and C z1 over [-L, L]), so that the truncated Gaussian is resolved even
when a >> 12 (deep reference tail).
"""
from __future__ import annotations

import math

import numpy as np

from .._numba import jit
from ..gauss import graded_edges_on as _edges
from ..gauss import G_s, log_H_s, phi_s, sized_edges
from ..gauss import cosh_terms_s as _cosh_terms
from ..gauss import log_H_abs_s as _log_H_abs
from ..gauss import log_H_G_s as _lnH_G

#: Gauss–Hermite rule (weights sum to 1) used for inner Gaussian integrals whose integrand is
#: smooth on the Gaussian's own scale (kink width >= GH_MIN_WIDTH): 24 nodes reach ~1e-14 there
#: (checked against the graded panel rule); sharper integrands use graded panels.
_ZH = np.polynomial.hermite_e.hermegauss(24)[0]
_WH = np.polynomial.hermite_e.hermegauss(24)[1] / math.sqrt(2.0 * math.pi)
GH_MIN_WIDTH = 2.0

#: half-width of the Gaussian range (mass outside 2 H(11) = 4e-28)
L_GAUSS = 11.0
#: exponent cut for the truncated Gaussian tail: exp(-E_TAIL) ~ 1e-22
E_TAIL = 50.0
#: outer (z0) rule of :func:`energetic_terms` (:func:`_smooth_rule`): uniform panels
#: OUTER_BASE x base long; a feature (reference boundary, kink of the constrained field) of width
#: >= OUTER_SMOOTH x the panel length is smooth on the panel scale and gets no edges
OUTER_BASE = 2.0 / 3.0
OUTER_SMOOTH = 1.0 / 3.0
#: inner (w) rule of :func:`energetic_terms` (:func:`replica.gauss.sized_edges`): panels at most
#: INNER_BASE x base long, geometric grading of ratio 1 + GRADE around the step of the
#: constrained density and the kink of ln H(x), and panels of at most 4 decay lengths over the
#: exponential tail of the truncated Gaussian
GRADE = 0.75
INNER_BASE = 2.0 / 3.0
#: density weights below this (e^-60) are dropped: no contribution at double precision
RHO_MIN = math.exp(-60.0)
#: the step H((a sigma - B w)/C) of the constrained density differs from a step function by
#: less than H(STEP_CAP/2) = 8e-24 beyond STEP_CAP/2 widths: its panel grading stops there
STEP_CAP = 20.0


@jit
def _rule(edges, xg, wg, z, w):
    """Fill z, w (preallocated, length >= (len(edges)-1)*len(xg)) with the composite GL rule
    (plain dz weights); return the number of nodes."""
    n = xg.shape[0]
    k = 0
    for pnl in range(edges.shape[0] - 1):
        a = edges[pnl]
        b = edges[pnl + 1]
        h = 0.5 * (b - a)
        c = 0.5 * (a + b)
        for i in range(n):
            z[k] = c + h * xg[i]
            w[k] = h * wg[i]
            k += 1
    return k


@jit
def _gauss_rule(centers, widths, xg, wg, base):
    """Rule for int Dz f(z) on [-L, L] (weights include phi)."""
    ed = _edges(-L_GAUSS, L_GAUSS, centers, widths, base)
    npt = (ed.shape[0] - 1) * xg.shape[0]
    z = np.empty(npt)
    w = np.empty(npt)
    _rule(ed, xg, wg, z, w)
    for i in range(npt):
        w[i] *= phi_s(z[i])
    return z, w


@jit
def _smooth_rule(centers, widths, xg, wg, base):
    """:func:`_gauss_rule` on panels OUTER_BASE x base long, for integrands whose features are
    mostly wide: a feature of width >= OUTER_SMOOTH x the panel length gets no edges or
    grading (``centers`` is modified). OUTER_SMOOTH follows from the analyticity of ln H(x):
    analytic within ~3.4 of the real axis (the zeros of erfc), so that 10 Gauss–Legendre nodes
    on a panel whose half-length is 1/2.3 of that distance reach ~1e-14 (Bernstein ellipse
    rho ~ 4.8) for features of width >= 1/3 of the panel."""
    bo = OUTER_BASE * base
    for j in range(centers.shape[0]):
        if widths[j] >= OUTER_SMOOTH * bo:
            centers[j] = -2.0 * L_GAUSS
    return _gauss_rule(centers, widths, xg, wg, bo)


@jit
def energetic_terms(Q, kappa_ref, kappa, omq, t, p, xg, wg, base):
    """Energetic term of the FP free entropy and its derivatives for 0 < Q < 1.

    Arguments: reference overlap Q and margin kappa_ref, constrained margin kappa, ``omq = 1-q``
    (passed directly to avoid cancellation as q -> 1), t, p; GL nodes/weights on [-1,1] per
    panel and the base panel length.

    Returns an array [G_E, dG_E/dq, dG_E/dt, dG_E/dp, C^2, norm_err, K] where norm_err is the
    largest deviation of the numerical normalisation of rho from 1 (a quadrature diagnostic) and
    K = <[G(x)(G(x) - x)]^2> is the energetic factor of the replicon of the constrained replicas
    ((1-q)^2 times the mean square of d^2 ln H / dm^2).
    """
    out = np.zeros(7)
    q = 1.0 - omq
    sQ = math.sqrt(Q)
    s1Q = math.sqrt(1.0 - Q)
    s = math.sqrt(omq)
    A = t / sQ
    B = (p - t) / s1Q
    C2 = q - t * t / Q - (p - t) * (p - t) / (1.0 - Q)
    out[4] = C2
    if C2 < 0.0:
        C2 = 0.0
    C = math.sqrt(C2)
    sig = math.sqrt(B * B + C2)

    # --- outer rule in z0: reference boundary and constrained-field kinks
    cz = np.empty(3)
    wz = np.empty(3)
    cz[0] = kappa_ref / sQ
    wz[0] = s1Q / sQ
    cz[1] = kappa / A if A > 1e-12 else 0.0
    wz[1] = math.sqrt(omq + sig * sig) / max(A, 1e-12)
    slope = A - B * sQ / s1Q   # slope of A z0 + B a(z0): the pinned constrained field
    if abs(slope) > 1e-12:
        cz[2] = (kappa - B * kappa_ref / s1Q) / slope
        wz[2] = math.sqrt(omq + C2) / abs(slope)
    else:
        cz[2] = cz[0]
        wz[2] = wz[0]
    z0s, w0s = _smooth_rule(cz, wz, xg, wg, base)

    nmax = 4096
    wn = np.empty(nmax)
    ww = np.empty(nmax)
    cw = np.empty(3)
    wdw = np.empty(3)
    cap = np.empty(3)
    hm = np.empty(3)
    GE = 0.0
    Gsq = 0.0
    zGx = 0.0
    GGx = 0.0
    KK = 0.0
    dP = 0.0
    nerr = 0.0
    cnt = 0
    for i in range(z0s.shape[0]):
        z0 = z0s[i]
        W0 = w0s[i]
        a = (kappa_ref - sQ * z0) / s1Q
        lHa = log_H_s(a)
        base_m = kappa - A * z0
        # ---- boundary term for dG_E/dp: int Dz1 G((kappa - A z0 - B a - C z1)/s)
        xb = base_m - B * a
        if C < 1e-14 * s:
            inner = G_s(xb / s)
        elif s >= GH_MIN_WIDTH * C:
            inner = 0.0
            for j in range(_ZH.shape[0]):
                inner += _WH[j] * G_s((xb - C * _ZH[j]) / s)
        else:
            cb = np.empty(1)
            wb = np.empty(1)
            cb[0] = xb / C
            wb[0] = s / C
            z1s, w1s = _gauss_rule(cb, wb, xg, wg, base)
            inner = 0.0
            for j in range(z1s.shape[0]):
                inner += w1s[j] * G_s((xb - C * z1s[j]) / s)
        dP += W0 * G_s(a) * inner
        # ---- rho-average over w
        if sig < 1e-300:
            x = base_m / s
            g = G_s(x)
            GE += W0 * log_H_s(x)
            Gsq += W0 * g * g
            zGx += W0 * z0 * g
            GGx += W0 * g * (g - x)
            KK += W0 * (g * (g - x)) ** 2
            continue
        if a < -L_GAUSS:
            ylo = -L_GAUSS
            yhi = L_GAUSS
        elif a < 0.0:
            ylo = a
            yhi = L_GAUSS
        else:
            ylo = a
            yhi = math.sqrt(a * a + 2.0 * E_TAIL)
        b1 = B * ylo / sig
        b2 = B * yhi / sig
        wlo = min(b1, b2) - L_GAUSS * C / sig
        whi = max(b1, b2) + L_GAUSS * C / sig
        k = 0
        if abs(B) > 1e-300 and a > -L_GAUSS:
            wstep = C / abs(B)
            wtail = 0.25 * abs(B) / (sig * max(a, 1.0))
            if STEP_CAP * wstep < wtail:
                # a step of H((a sigma - B w)/C) much sharper than the truncated-Gaussian
                # tail: graded only up to STEP_CAP/2 widths, where it is flat
                cw[k] = a * sig / B
                wdw[k] = wstep
                cap[k] = STEP_CAP * wstep
                hm[k] = math.inf
                k += 1
            cw[k] = a * sig / B
            wdw[k] = min(wstep, wtail) if STEP_CAP * wstep >= wtail else wtail
            cap[k] = math.inf
            hm[k] = 16.0 * wtail     # 4 decay lengths of the truncated Gaussian's tail
            k += 1
        cw[k] = base_m / sig
        wdw[k] = s / sig
        cap[k] = math.inf
        hm[k] = math.inf
        k += 1
        ed = sized_edges(wlo, whi, cw[:k], wdw[:k], cap[:k], hm[:k], INNER_BASE * base, GRADE)
        npt = (ed.shape[0] - 1) * xg.shape[0]
        if npt > nmax:
            nmax = 2 * npt
            wn = np.empty(nmax)
            ww = np.empty(nmax)
        _rule(ed, xg, wg, wn, ww)
        norm = 0.0
        e0 = 0.0
        e1 = 0.0
        e2 = 0.0
        e3 = 0.0
        e4 = 0.0
        for j in range(npt):
            w = wn[j]
            lg = -lHa - 0.5 * w * w
            if lg < -60.0:
                continue
            if C > 0.0:
                arg = (a * sig - B * w) / C
                if arg > 12.0 and lg - 0.5 * arg * arg < -60.0:
                    continue
                if arg <= -9.0:
                    # H(arg) = 1 - H(-arg) > 1 - 1.2e-19: one to rounding
                    rho = math.exp(lg)
                elif lg < 600.0 and arg < 37.0:
                    # exp(lg) H(arg), H from one erfc (relative error ~arg^2 eps)
                    if arg >= 0.0:
                        rho = math.exp(lg) * 0.5 * math.erfc(arg * 0.7071067811865476)
                    else:
                        rho = math.exp(lg) * (1.0 - 0.5 * math.erfc(-arg * 0.7071067811865476))
                else:
                    # deep tail: in the log domain
                    lrho = _log_H_abs(arg) + lg
                    rho = math.exp(lrho) if lrho > -60.0 else 0.0
            elif B * w > a * sig:
                rho = math.exp(lg)       # exact step: B w > a sigma
            else:
                continue
            if rho < RHO_MIN:     # rho < e^-60: no contribution at double precision
                continue
            r = ww[j] * rho * 0.3989422804014327
            x = (base_m - sig * w) / s
            lh, g = _lnH_G(x)
            norm += r
            e0 += r * lh
            e1 += r * g * g
            e2 += r * g
            e3 += r * g * (g - x)
            e4 += r * (g * (g - x)) ** 2
        cnt += npt
        if norm <= 0.0:
            out[0] = math.nan
            return out
        nerr = max(nerr, abs(norm - 1.0))
        GE += W0 * e0 / norm
        Gsq += W0 * e1 / norm
        zGx += W0 * z0 * e2 / norm
        GGx += W0 * e3 / norm
        KK += W0 * e4 / norm
    dGp = dP / (s1Q * s)
    out[0] = GE
    out[1] = -Gsq / (2.0 * omq)
    out[3] = dGp
    out[2] = zGx / (sQ * s) - dGp + (t / Q) * GGx / omq
    out[5] = nerr
    out[6] = KK
    return out


@jit
def energetic_terms_max(kappa_ref, kappa, omq, b, p, xg, wg, base):
    """Energetic term for the spherical max-margin reference (Q -> 1, p - t = b (1-Q)):
    m = p z0 + b (kappa_ref - z0)_+ + sqrt(q - p^2) z1,
    G_E = int Dz0 Dz1 ln H((kappa - m)/sqrt(1-q)).

    Returns [G_E, dG_E/dq, dG_E/db, dG_E/dp, C^2 = q - p^2, 0, K = <[G(G - x)]^2>] with
    dG_E/dq = -<G^2>/(2(1-q)), dG_E/db = <(kappa_ref - z0)_+ G(x)>/sqrt(1-q) and
    dG_E/dp (at fixed q, b) = <z0 G(x)>/sqrt(1-q) + p <G (G - x)>/(1-q)  (the second term because
    the z1-variance q - p^2 moves with p).
    """
    out = np.zeros(7)
    q = 1.0 - omq
    s = math.sqrt(omq)
    C2 = q - p * p
    out[4] = C2
    if C2 < 0.0:
        C2 = 0.0
    C = math.sqrt(C2)
    cz = np.empty(3)
    wz = np.empty(3)
    cz[0] = kappa_ref
    wz[0] = 1e-3      # kink of (kappa_ref - z0)_+: a panel edge exactly there
    cz[1] = kappa / p
    wz[1] = math.sqrt(omq + C2) / p
    sl = p - b
    if abs(sl) > 1e-12:
        cz[2] = (kappa - b * kappa_ref) / sl
        wz[2] = math.sqrt(omq + C2) / abs(sl)
    else:
        cz[2] = kappa_ref
        wz[2] = 1e-3
    z0s, w0s = _gauss_rule(cz, wz, xg, wg, base)
    GE = 0.0
    Gsq = 0.0
    dB = 0.0
    zG = 0.0
    GGx = 0.0
    KK = 0.0
    cb = np.empty(1)
    wb = np.empty(1)
    for i in range(z0s.shape[0]):
        z0 = z0s[i]
        W0 = w0s[i]
        lever = kappa_ref - z0
        if lever < 0.0:
            lever = 0.0
        mb = p * z0 + b * lever
        xb = kappa - mb
        e0 = 0.0
        e1 = 0.0
        e2 = 0.0
        e3 = 0.0
        e4 = 0.0
        if C < 1e-14 * s:
            x = xb / s
            g = G_s(x)
            e0 = log_H_s(x)
            e1 = g * g
            e2 = g
            e3 = g * (g - x)
            e4 = e3 * e3
        elif s >= GH_MIN_WIDTH * C:
            for j in range(_ZH.shape[0]):
                x = (xb - C * _ZH[j]) / s
                lh, g = _lnH_G(x)
                r = _WH[j]
                e0 += r * lh
                e1 += r * g * g
                e2 += r * g
                e3 += r * g * (g - x)
                e4 += r * (g * (g - x)) ** 2
        else:
            cb[0] = xb / C
            wb[0] = s / C
            z1s, w1s = _gauss_rule(cb, wb, xg, wg, base)
            for j in range(z1s.shape[0]):
                x = (xb - C * z1s[j]) / s
                lh, g = _lnH_G(x)
                r = w1s[j]
                e0 += r * lh
                e1 += r * g * g
                e2 += r * g
                e3 += r * g * (g - x)
                e4 += r * (g * (g - x)) ** 2
        GE += W0 * e0
        Gsq += W0 * e1
        dB += W0 * lever * e2
        zG += W0 * z0 * e2
        GGx += W0 * e3
        KK += W0 * e4
    out[0] = GE
    out[1] = -Gsq / (2.0 * omq)
    out[2] = dB / s
    out[3] = zG / s + p * GGx / omq
    out[6] = KK
    return out


@jit
def _sigmoid(x):
    if x >= 0.0:
        return 1.0 / (1.0 + math.exp(-x))
    e = math.exp(x)
    return e / (1.0 + e)


@jit
def binary_entropic_terms(Qh, qh, th, ph, xg, wg, base):
    """Binary entropic term and its moments, in the gauge w~_1 = +1 (docs/THEORY.md §2):

    G_S = int Dz0 (1 + tanh(sqrt(Qh) z0)) int Dz1 ln 2cosh(h),
    h = (th/sqrt(Qh)) z0 + sqrt(qh - th^2/Qh) z1 + ph,

    where ph is the field on the reference direction in excess of th (so ph = 0 at the typical
    point). Returns [G_S, 1-q = <sech^2 h>, t = <tanh(sqrt(Qh) z0) tanh h>,
    d = <sigmoid(-2h)> = (1 - <tanh h>)/2, e^2 = qh - th^2/Qh, <sech^4 h>] (the last: the
    entropic factor of the replicon). 1-q and d are accumulated as positive quantities (no
    cancellation at small d).
    """
    out = np.zeros(6)
    sQh = math.sqrt(Qh)
    c = th / sQh
    e2 = qh - th * th / Qh
    out[4] = e2
    if e2 < 0.0:
        e2 = 0.0
    e = math.sqrt(e2)
    cz = np.empty(2)
    wz = np.empty(2)
    cz[0] = 0.0
    wz[0] = 0.5 / sQh
    if abs(c) > 1e-12:
        cz[1] = -ph / c
        wz[1] = max(1.0, e) / abs(c)
    else:
        cz[1] = 0.0
        wz[1] = 1.0
    z0s, w0s = _gauss_rule(cz, wz, xg, wg, base)
    cb = np.empty(1)
    wb = np.empty(1)
    GS = 0.0
    omq = 0.0
    tt = 0.0
    dd = 0.0
    s4 = 0.0
    for i in range(z0s.shape[0]):
        z0 = z0s[i]
        tilt = 2.0 * _sigmoid(2.0 * sQh * z0)      # 1 + tanh(sqrt(Qh) z0)
        T = math.tanh(sQh * z0)
        W0 = w0s[i] * tilt
        hb = c * z0 + ph
        f0 = 0.0
        f1 = 0.0
        f2 = 0.0
        f3 = 0.0
        f4 = 0.0
        if e < 1e-12:
            f0, f1, f2, f3 = _cosh_terms(hb)
            f4 = f1 * f1
        elif e * GH_MIN_WIDTH <= 1.0:
            for j in range(_ZH.shape[0]):
                h = hb + e * _ZH[j]
                r = _WH[j]
                l2c, sc2, th_, sg = _cosh_terms(h)
                f0 += r * l2c
                f1 += r * sc2
                f4 += r * sc2 * sc2
                f2 += r * th_
                f3 += r * sg
        else:
            cb[0] = -hb / e
            wb[0] = 1.0 / e
            z1s, w1s = _gauss_rule(cb, wb, xg, wg, base)
            for j in range(z1s.shape[0]):
                h = hb + e * z1s[j]
                r = w1s[j]
                l2c, sc2, th_, sg = _cosh_terms(h)
                f0 += r * l2c
                f1 += r * sc2
                f4 += r * sc2 * sc2
                f2 += r * th_
                f3 += r * sg
        GS += W0 * f0
        omq += W0 * f1
        tt += W0 * T * f2
        dd += W0 * f3
        s4 += W0 * f4
    out[0] = GS
    out[1] = omq
    out[2] = tt
    out[3] = dd
    out[5] = s4
    return out
