r"""Numba kernels of the large-deviation local entropy (binary perceptron, RS in the reference
sector), derived in ``theory_notebooks/large_deviation_derivation.py`` and docs/THEORY.md §8.2.

Finite y (n -> 0 references, each with y clones): with overlaps Q (reference–reference), p = 1-2d
(reference–own clone), t (clone–other reference), q1 (clones of one reference), q0 (clones of
different references),

    G_E = int Dz0 Dz2 ln int_{y~ > a(z0)} Dy~ int Dz1 H(x)^y,
    x = (kappa - A z0 - D z2 - B y~ - C z1)/sqrt(1-q1),   a(z0) = (kappa~ - sqrt(Q) z0)/sqrt(1-Q),
    A = t/sqrt(Q), D^2 = q0 - t^2/Q, B = (p-t)/sqrt(1-Q), C^2 = q1 - q0 - (p-t)^2/(1-Q),

and, with conjugates (Qh, th, qh0, qh1, ph) [ph: field along the reference in excess of th],

    G_S = int Dz0 Dz2 ln sum_{w~ = +-1} e^{sqrt(Qh) z0 w~} int Dz1 [2cosh(H)]^y,
    H = (th/sqrt(Qh)) z0 + sqrt(qh0 - th^2/Qh) z2 + ph w~ + sqrt(qh1 - qh0) z1.

The inner (y~, z1) integral of G_E is reduced to one variable w = (B y~ + C z1)/sigma,
sigma^2 = B^2 + C^2, with the normalised density rho(w|z0) = phi(w) H((a sigma - B w)/C)/H(a)
(the same reduction as the Franz–Parisi kernel, :mod:`replica.models.fp_kernels`).

y -> infinity (zero-temperature scaling of the reference sector and of the clone block):
1 - Q = chi/y, p - t = b/y, q1 - q0 = delta/y, Qh = y^2 R, th = y tau, qh1 - qh0 = eps/y. Then
Phi/y -> Phi_inf with

    GE_inf = int Dz0 Dz2 max_{v >= vmin(z0), s} [-v^2/2 - s^2/2 + ln H((X0 - B' v - c s)/s1)],
    X0 = kappa - p z0 - D z2,  D^2 = q1 - p^2,  B' = b/sqrt(chi),  c^2 = delta - b^2/chi,
    vmin = (kappa~ - z0)/sqrt(chi)  (-infinity for an unconstrained reference),  s1 = sqrt(1-q1);
    GS_inf = int Dz0 Dz2 max_{w~ = +-1} [sqrt(R) z0 w~ + L(h0 + ph w~)],
    h0 = (tau/sqrt(R)) z0 + sqrt(qh1 - tau^2/R) z2,  L(h) = max_s [-s^2/2 + ln 2cosh(h + sqrt(eps) s)].

The inner maxima are solved exactly (one monotone equation each, Newton from the convex side);
derivatives follow from the envelope theorem (plus the moving constraint v = vmin). GS_inf is
reduced to one variable by rotating (z0, z2) to the clone field and integrating the orthogonal
direction in closed form (:func:`entropic_inf`): no division by sqrt(R), so the saddle point stays
well conditioned where the reference constraint stops binding (R, tau -> 0 at small d). The outer
rules are composite Gauss–Legendre with panel edges at the kinks of the integrands (where the
reference constraint starts to bind, where the maximising w~ changes sign, where ln H bends).
"""
from __future__ import annotations

import math

import numpy as np

from .._numba import jit
from ..gauss import (G_s, H_s, cosh_terms_s, graded_edges_on, log_2cosh_s, log_H_abs_s,
                     log_H_G_s, log_H_s, phi_s, rule_on_edges)

#: boundary layers of the reference flip narrower than this (relative to A'(0)) are taken of
#: zero width in :func:`entropic_inf`
S_LAYER = 1e-6

#: half-width of the Gaussian range of the outer variables (mass outside 2 H(10) = 1.5e-23)
L_OUT = 10.0

#: Gauss–Hermite rule (probabilists', weights summing to 1) for z2 of the energetic term at
#: finite y (smooth on its own scale); the entropic term's z2 and z1 have near-kinks and get
#: graded composite rules
_GH30 = np.polynomial.hermite_e.hermegauss(30)
_Z30 = _GH30[0]
_W30 = _GH30[1] / math.sqrt(2.0 * math.pi)


@jit
def _solve_xg(s1, k, r, x):
    """Root X of s1 X + k G(X) = r (k >= 0), by Newton's method from ``x`` (the root at a
    neighbouring node, or r/s1, the root at k = 0). The function is increasing and convex in X,
    so Newton's iterates approach the root monotonically from the right after at most one step
    (from a start left of the root, the first step lands right of it)."""
    if k == 0.0:
        return r / s1
    for _ in range(200):
        g = G_s(x)
        f = s1 * x + k * g - r
        fp = s1 + k * g * (g - x)
        dx = f / fp
        x -= dx
        if abs(dx) <= 1e-15 * (1.0 + abs(x)):
            break
    return x


@jit
def _ginv(gt):
    """X with G(X) = gt > 0 (G increasing from 0 to infinity): Newton on ln G."""
    if gt > 1.0:
        x = gt - 1.0 / gt
    else:
        x = -math.sqrt(max(2.0 * math.log(1.0 / (gt * 2.5066282746310002)), 0.0))
    for _ in range(200):
        g = G_s(x)
        f = math.log(g / gt)
        fp = g - x
        if fp <= 0.0:
            fp = 1e-300
        dx = f / fp
        if dx > 5.0:
            dx = 5.0
        if dx < -5.0:
            dx = -5.0
        x -= dx
        if abs(dx) <= 1e-15 * (1.0 + abs(x)):
            break
    return x


@jit
def _lmax(h, se):
    """L(h) = max_s [-s^2/2 + ln 2cosh(h + se s)] (se = sqrt(eps) >= 0): returns (L, T) with
    T = tanh(h + se s*). s* = se T has the sign of h; for |h| it solves s = se tanh(|h| + se s),
    a convex equation on [0, se] solved by Newton from s = se (the global maximiser)."""
    if se == 0.0:
        return log_2cosh_s(h), math.tanh(h), h
    ah = abs(h)
    s = se
    for _ in range(400):
        th = math.tanh(ah + se * s)
        g = s - se * th
        gp = 1.0 - se * se * (1.0 - th * th)
        if gp < 1e-12:
            gp = 1e-12
        ds = g / gp
        s -= ds
        if s < 0.0:
            s = 0.0
        if abs(ds) <= 1e-15 * (1.0 + s):
            break
    arg = ah + se * s
    val = -0.5 * s * s + log_2cosh_s(arg)
    T = math.tanh(arg)
    if h < 0.0:
        T = -T
        arg = -arg
    return val, T, arg


@jit
def _edges3(lo, hi, c, w, base):
    n = 0
    for i in range(c.shape[0]):
        if math.isfinite(c[i]) and w[i] > 0.0:
            n += 1
    cc = np.empty(n)
    ww = np.empty(n)
    k = 0
    for i in range(c.shape[0]):
        if math.isfinite(c[i]) and w[i] > 0.0:
            cc[k] = c[i]
            ww[k] = w[i]
            k += 1
    return graded_edges_on(lo, hi, cc, ww, base)


@jit
def _me_point(X0, z0, vmin, s1, delta, bp, c2, xu, xc):
    """Inner maximum of GE_inf at one (z0, z2): returns (M, g, X, constrained, Xu, G(Xu)), Xu
    the root of the unconstrained maximum (X = Xu unless the constraint binds). ``xu``, ``xc``:
    starting points of the two Newton solves."""
    x = _solve_xg(s1, delta / s1, X0, xu)
    lh, g = log_H_G_s(x)
    v = bp * g / s1
    if v >= vmin:
        return -0.5 * delta * g * g / (s1 * s1) + lh, g, x, 0, x, g
    xu = x
    gu = g
    x = _solve_xg(s1, c2 / s1, X0 - bp * vmin, xc)
    lh, g = log_H_G_s(x)
    return (-0.5 * vmin * vmin - 0.5 * c2 * g * g / (s1 * s1) + lh), g, x, 1, xu, gu


@jit
def energetic_inf(kappa_ref, constrained, kappa, p, chi, b, D2, c2, xg, wg, base):
    """GE_inf and its partial derivatives, at overlaps (chi, b, q1 = p^2 + D^2,
    delta = c^2 + b^2/chi). D^2 = q1 - p^2 and c^2 = delta - b^2/chi are passed themselves: at
    small d they are 1e-7 of 1 - q1 and 1e-11 of delta. The z2-derivatives are taken by Stein's
    lemma, E[f z2] = D E[df/dz2] (f = dM/dX0 is continuous), so nothing divides by D:
    dGE/dq1 = -E[g_X + g x/s1]/(2 s1), dGE/dp = E[g z0/s1] + p E[g_X]/s1, with
    g = G(x) = -s1 dM/dX0 and g_X = dg/dX0 = G'(x)/(s1 + k G'(x)) (k = delta/s1, or c^2/s1 where
    the reference constraint binds).

    Returns [GE, dGE/dchi, dGE/db, dGE/dq1, dGE/ddelta, dGE/dp, c^2, D^2], the derivatives in
    the variables (chi, b, q1, delta, p), each at fixed others (NaN if c^2 < 0 or D^2 < 0,
    outside the physical domain)."""
    out = np.zeros(8)
    q1 = p * p + D2
    delta = c2 + b * b / chi if chi > 0.0 else math.inf
    out[6] = c2
    out[7] = D2
    if c2 < 0.0 or D2 < 0.0 or chi <= 0.0 or q1 >= 1.0:
        out[0] = math.nan
        return out
    s1 = math.sqrt((1.0 - p) * (1.0 + p) - D2)
    D = math.sqrt(D2)
    sc = math.sqrt(chi)
    bp = b / sc
    wkink = s1         # the inner maximum bends on the scale s1 = sqrt(1 - q1) in X0
    c0 = np.empty(2)
    w0 = np.empty(2)
    c0[0] = kappa_ref if constrained else math.nan
    w0[0] = min(sc, 0.5)
    c0[1] = kappa / p
    w0[1] = wkink / p
    e0 = _edges3(-L_OUT, L_OUT, c0, w0, base)
    z0s, w0s = rule_on_edges(e0, xg, wg, True)
    c1 = np.empty(2)
    w1 = np.empty(2)
    GE = 0.0
    dchi = 0.0
    db = 0.0
    dq1 = 0.0
    dde = 0.0
    dp = 0.0
    for i in range(z0s.shape[0]):
        z0 = z0s[i]
        W0 = w0s[i]
        vmin = (kappa_ref - z0) / sc if constrained else -math.inf
        # kink in z2 where the reference constraint starts to bind
        c1[0] = math.nan
        w1[0] = 0.0
        if constrained and bp != 0.0:
            gt = s1 * vmin / bp
            if gt > 0.0:
                xs = _ginv(gt)
                x0s = s1 * xs + (delta / s1) * G_s(xs)
                if D > 0.0:
                    c1[0] = (kappa - p * z0 - x0s) / D
                    w1[0] = wkink / D
        c1[1] = (kappa - p * z0) / D if D > 0.0 else math.nan
        w1[1] = wkink / D if D > 0.0 else 0.0
        e1 = _edges3(-L_OUT, L_OUT, c1, w1, base)
        z2s, w2s = rule_on_edges(e1, xg, wg, True)
        # Newton starts: the tangent predictions from the roots at earlier z2 nodes (X0 moves
        # smoothly along z2; dX/dX0 = 1/(s1 + k G'(X))); at the first node, the roots at k = 0
        X0u = kappa - p * z0 - D * z2s[0]      # X0 and slope at the last unconstrained root
        xu = X0u / s1
        slu = math.inf
        X0c = X0u
        xc = (X0u - bp * vmin) / s1 if constrained else 0.0
        slc = math.inf
        for j in range(z2s.shape[0]):
            z2 = z2s[j]
            W = W0 * w2s[j]
            X0 = kappa - p * z0 - D * z2
            M, g, x, con, xu, gu = _me_point(X0, z0, vmin, s1, delta, bp, c2,
                                             xu + (X0 - X0u) / slu, xc + (X0 - X0c) / slc)
            X0u = X0
            slu = s1 + (delta / s1) * gu * (gu - xu)
            if con == 1:
                xc = x
                X0c = X0
                slc = s1 + (c2 / s1) * g * (g - x)
            GE += W * M
            # d/dX0 = -g/s1 ; d/ds1 = g x/s1
            ds1 = g * x / s1
            gp = g * (g - x)
            gX = gp / (s1 + ((delta if con == 0 else c2) / s1) * gp)
            dq1 -= W * (gX + ds1) / (2.0 * s1)
            dp += W * (g * z0 + p * gX) / s1
            dc2 = 0.5 * g * g / (s1 * s1)
            if con == 0:
                dde += W * dc2
            else:
                dBp = g * vmin / s1
                dvm = -vmin + g * bp / s1
                dde += W * dc2
                db += W * (dc2 * (-2.0 * b / chi) + dBp / sc)
                dchi += W * (dc2 * (b * b / (chi * chi)) + dBp * (-b / (2.0 * chi * sc))
                             + dvm * (-vmin / (2.0 * chi)))
    out[0] = GE
    out[1] = dchi
    out[2] = db
    out[3] = dq1
    out[4] = dde
    out[5] = dp
    return out


@jit
def entropic_inf(R, tau, qh1, eps, ph, xg, wg, base):
    """GS_inf and its moments, in rotated variables that stay well conditioned as the reference
    constraint stops binding (R, tau -> 0, the small-d regime).

    The clone field h0 = (tau/sqrt R) z0 + e z2 (e^2 = qh1 - tau^2/R) is sqrt(qh1) u, and the
    reference field sqrt(R) z0 = kap u + s v with kap = tau/sqrt(qh1), s^2 = R - tau^2/qh1 and
    (u, v) independent standard Gaussians. With L+- = L(sqrt(qh1) u +- ph),
    M = (L+ + L-)/2 and A = (L+ - L-)/2 + kap u,

        max_w~ [sqrt(R) z0 w~ + L(h0 + ph w~)] = M + |A + s v|,
        E_v |A + s v| = A (1 - 2H(A/s)) + 2 s phi(A/s),

    so GS_inf = int Du [M + A (1 - 2H(A/s)) + 2 s phi(A/s)], a 1-D integral; w~ = +1 with
    probability P+ = H(-A/s). A is odd in u and increasing (L is even and convex), so the
    reference flips at u = 0 in a boundary layer of width s/A'(0), resolved by graded panels
    (and taken of zero width below S_LAYER A'(0): error O(s^2)). With <f> = E[phi(A/s) f/s]
    (-> phi(0) f(0)/A'(0) at s = 0) and Dl = A' - kap = sqrt(qh1) (T+ - T-)/2, Stein's lemma
    gives the responses without dividing by sqrt(R):

        chi = 2 dGS/dR = 2 <1>,   b = dGS/dtau = 2 <Dl>/sqrt(qh1),
        c^2 = delta - b^2/chi = E[P+ g(T+) + P- g(T-)] + (2/qh1) (<Dl^2> - <Dl>^2/<1>) + J,
        g(T) = eps (1-T^2)^2/(1 - eps (1-T^2)) = dT/dh - (1 - T^2),

    (delta = 2 dGS/dqh1 - (1 - q1)) and J the jumps of T where L has a kink (h = 0, eps > 1):
    J = 2 T(0+) phi(ph/sqrt qh1) [P+(-ph/sqrt qh1) + P-(ph/sqrt qh1)]/sqrt(qh1). Both terms of
    c^2 are non-negative: the difference delta - b^2/chi, which at small d is 1e-11 of delta,
    is never formed.

    Returns [GS, dGS/dR, dGS/dtau, dGS/dqh1, dGS/deps, dGS/dph, d' = <(1 - w~ T)/2>,
    1 - q1' = <1 - T^2>, e^2 = qh1 - tau^2/R (qh1 at R = 0), c^2, D^2 = q1' - p'^2] (T = tanh of the clone field
    at the maximiser). Then chi = 2 dGS/dR, b = dGS/dtau, q1 = 2 dGS/deps = <T^2>,
    p = dGS/dph = <w~ T>. NaN if R < 0, qh1 <= 0, eps < 0 or s^2 < 0 (conjugate matrix not
    positive)."""
    out = np.zeros(11)
    if R > 0.0:
        out[8] = qh1 - tau * tau / R
    else:
        out[8] = qh1
    if qh1 <= 0.0 or R < 0.0 or eps < 0.0:
        out[0] = math.nan
        return out
    sq = math.sqrt(qh1)
    kap = tau / sq
    s2 = R - tau * tau / qh1
    if s2 < 0.0:
        out[0] = math.nan
        return out
    s = math.sqrt(s2)
    se = math.sqrt(eps)
    _, t0, _ = _lmax(ph, se)
    ap0 = sq * t0 + kap                  # A'(0)
    if not ap0 > 0.0:
        out[0] = math.nan
        return out
    if s <= S_LAYER * ap0:
        # a layer narrower than 1e-6 is taken of zero width (A = A'(0) u + O(u^3): relative
        # error O(s^2/A'(0)^2) = 1e-12; resolving it would need A to better than A'(0) s, below
        # the rounding of L+ - L-)
        s = 0.0
    c0 = np.empty(3)
    w0 = np.empty(3)
    c0[0] = 0.0
    w0[0] = min(s / ap0, 0.25) if s > 0.0 else 0.25
    c0[1] = -ph / sq
    c0[2] = ph / sq
    w0[1] = 0.5 / sq
    w0[2] = 0.5 / sq
    e0 = _edges3(-L_OUT, L_OUT, c0, w0, base)
    us, ws = rule_on_edges(e0, xg, wg, True)
    n = us.shape[0]
    dens = np.zeros(n)
    dl = np.zeros(n)
    pps = np.zeros(n)
    eps_p = np.zeros(n)
    eps_m = np.zeros(n)
    GS = 0.0
    mTu = 0.0
    mwu = 0.0
    mT2 = 0.0
    mwT = 0.0
    dd = 0.0
    omq = 0.0
    gsum = 0.0
    for i in range(n):
        u = us[i]
        W = ws[i]
        Lp, Tp, Ap = _lmax(sq * u + ph, se)
        Lm, Tm, Am = _lmax(sq * u - ph, se)
        A = 0.5 * (Lp - Lm) + kap * u
        if s > 0.0:
            a = A / s
            Pp = H_s(-a)
            Pm = H_s(a)
            g = A * (Pp - Pm) + 2.0 * s * phi_s(a)
            dens[i] = W * phi_s(a) / s
        else:
            Pp = 1.0 if A > 0.0 else (0.0 if A < 0.0 else 0.5)
            Pm = 1.0 - Pp
            g = abs(A)
        dl[i] = 0.5 * sq * (Tp - Tm)
        GS += W * (0.5 * (Lp + Lm) + g)
        mwu += W * (Pp - Pm) * u
        mTu += W * (Pp * Tp + Pm * Tm) * u
        mT2 += W * (Pp * Tp * Tp + Pm * Tm * Tm)
        mwT += W * (Pp * Tp - Pm * Tm)
        # (1 - w~ T)/2 = sigmoid(-2 w~ A) and 1 - T^2 = sech^2 A without cancellation, one
        # exponential per sign
        _, op, _, sgp = cosh_terms_s(Ap)
        _, om, _, sgm = cosh_terms_s(-Am)
        eps_p[i] = 2.0 * sgp
        eps_m[i] = 2.0 * sgm
        pps[i] = Pp
        dd += W * 0.5 * (Pp * eps_p[i] + Pm * eps_m[i])
        omq += W * (Pp * op + Pm * om)
        gsum += W * eps * (Pp * op * op / (1.0 - eps * op) + Pm * om * om / (1.0 - eps * om))
    if s > 0.0:
        m0 = 0.0
        m1 = 0.0
        for i in range(n):
            m0 += dens[i]
            m1 += dens[i] * dl[i]
        mean = m1 / m0
        var = 0.0
        for i in range(n):
            var += dens[i] * (dl[i] - mean) * (dl[i] - mean)
        # jumps of T at the kink of L (h = 0), eps > 1
        _, tk, _ = _lmax(1e-300, se)
        jump = 0.0
        if tk > 0.0:
            uj = ph / sq
            a1 = (0.5 * (_lmax(0.0, se)[0] - _lmax(-2.0 * ph, se)[0]) - kap * uj) / s
            a2 = (0.5 * (_lmax(2.0 * ph, se)[0] - _lmax(0.0, se)[0]) + kap * uj) / s
            jump = 2.0 * tk * phi_s(uj) * (H_s(-a1) + H_s(a2)) / sq
    else:
        m0 = 0.3989422804014327 / ap0
        m1 = m0 * sq * t0
        var = 0.0
        jump = 0.0
    out[0] = GS
    out[1] = m0
    out[2] = 2.0 * m1 / sq
    out[3] = mTu / (2.0 * sq) - tau / (2.0 * qh1 * sq) * mwu + tau * tau / (qh1 * qh1) * m0
    out[4] = 0.5 * mT2
    out[5] = mwT
    out[6] = dd
    out[7] = omq
    out[9] = gsum + 2.0 * var / qh1 + jump
    # q1 - p^2 = Var(1 - w~ T) (p = <w~ T>): a sum of squares, not the difference of q1 and p^2
    m = 2.0 * dd
    v2 = 0.0
    for i in range(n):
        v2 += ws[i] * (pps[i] * (eps_p[i] - m) ** 2 + (1.0 - pps[i]) * (eps_m[i] - m) ** 2)
    out[10] = v2
    return out


@jit
def energetic_inf_free(kappa, q1, delta, xg, wg, base):
    """GE_inf for an unconstrained reference: the reference field integrates out and
    p z0 + D z2 merge into sqrt(q1) z,

        GE_inf = int Dz max_w [-w^2/2 + ln H((kappa - sqrt(q1) z - sqrt(delta) w)/s1)].

    Returns [GE, dGE/dq1, dGE/ddelta] (independent of p)."""
    out = np.zeros(3)
    if delta < 0.0 or not (0.0 < q1 < 1.0):
        out[0] = math.nan
        return out
    s1 = math.sqrt(1.0 - q1)
    sq = math.sqrt(q1)
    c0 = np.empty(1)
    w0 = np.empty(1)
    c0[0] = kappa / sq
    w0[0] = s1 / sq    # the inner maximum bends on the scale s1 in X0 = kappa - sqrt(q1) z
    e0 = _edges3(-L_OUT, L_OUT, c0, w0, base)
    zs, ws = rule_on_edges(e0, xg, wg, True)
    GE = 0.0
    dq = 0.0
    dd = 0.0
    for i in range(zs.shape[0]):
        z = zs[i]
        X0 = kappa - sq * z
        x = _solve_xg(s1, delta / s1, X0, X0 / s1)
        lh, g = log_H_G_s(x)
        GE += ws[i] * (-0.5 * delta * g * g / (s1 * s1) + lh)
        dq += ws[i] * (g * z / (2.0 * s1 * sq) - g * x / (2.0 * s1 * s1))
        dd += ws[i] * 0.5 * g * g / (s1 * s1)
    out[0] = GE
    out[1] = dq
    out[2] = dd
    return out


@jit
def entropic_inf_free(qh1, eps, ph, xg, wg, base):
    """GS_inf for an unconstrained reference: :func:`entropic_inf` at R = tau = 0 (the
    reference spin follows the clone field, GS_inf = int Dz max(L(sqrt(qh1) z + ph),
    L(sqrt(qh1) z - ph))).

    Returns [GS, dGS/dqh1, dGS/deps, dGS/dph = p', d' = <(1 - w~T)/2>, 1 - q1' = <1 - T^2>]."""
    full = entropic_inf(0.0, 0.0, qh1, eps, ph, xg, wg, base)
    out = np.empty(6)
    out[0] = full[0]
    out[1] = full[3]
    out[2] = full[4]
    out[3] = full[5]
    out[4] = full[6]
    out[5] = full[7]
    return out


# ---------------------------------------------------------------------------------------------
# Finite y
# ---------------------------------------------------------------------------------------------

@jit
def energetic_finite(Q, kappa_ref, constrained, kappa, y, t, p, q0, q1, xg, wg, base):
    """G_E at finite y >= 0 and its y-derivative (module docstring):

        G_E = int Dz0 Dz2 [ln H(a) + ln int dw rho(w|z0) H((X0 - sigma w)/s1)^y],
        X0 = kappa - A z0 - D z2,  dG_E/dy = int Dz0 Dz2 <ln H>_(rho H^y).

    For an unconstrained reference (``constrained`` False) a = -infinity, rho = phi. Returns
    [G_E, dG_E/dy, C^2, D^2] (NaN outside the physical domain C^2, D^2 >= 0)."""
    out = np.zeros(4)
    s1 = math.sqrt(1.0 - q1)
    sQ = math.sqrt(Q)
    s1Q = math.sqrt(1.0 - Q)
    A = t / sQ
    D2 = q0 - t * t / Q
    B = (p - t) / s1Q
    C2 = q1 - q0 - (p - t) * (p - t) / (1.0 - Q)
    out[2] = C2
    out[3] = D2
    if C2 < -1e-14 or D2 < -1e-14:
        out[0] = math.nan
        return out
    C = math.sqrt(max(C2, 0.0))
    D = math.sqrt(max(D2, 0.0))
    sig = math.sqrt(B * B + C * C)
    c0 = np.empty(3)
    w0 = np.empty(3)
    c0[0] = kappa_ref / sQ if constrained else math.nan
    w0[0] = s1Q / sQ
    c0[1] = kappa / A if A > 1e-12 else math.nan
    w0[1] = math.sqrt(1.0 - q1 + sig * sig + D * D) / max(A, 1e-12)
    slope = A - B * sQ / s1Q
    if constrained and abs(slope) > 1e-12:
        c0[2] = (kappa - B * kappa_ref / s1Q) / slope
        w0[2] = math.sqrt(1.0 - q1 + C * C + D * D) / abs(slope)
    else:
        c0[2] = math.nan
        w0[2] = 0.0
    e0 = _edges3(-L_OUT, L_OUT, c0, w0, base)
    z0s, w0s = rule_on_edges(e0, xg, wg, True)
    cw = np.empty(2)
    ww = np.empty(2)
    GE = 0.0
    GY = 0.0
    for i in range(z0s.shape[0]):
        z0 = z0s[i]
        W0 = w0s[i]
        if constrained:
            a = (kappa_ref - sQ * z0) / s1Q
            lHa = log_H_s(a)
        else:
            a = -math.inf
            lHa = 0.0
        if D > 1e-13:
            z2s = _Z30
            w2s = _W30
        else:
            z2s = np.zeros(1)
            w2s = np.ones(1)
        # w rule (depends on z0 only): support of the truncated variable and the kinks
        if sig > 1e-300:
            if a < -L_OUT:
                ylo = -L_OUT
                yhi = L_OUT
            elif a < 0.0:
                ylo = a
                yhi = L_OUT
            else:
                ylo = a
                yhi = math.sqrt(a * a + 100.0)
            b1 = B * ylo / sig
            b2 = B * yhi / sig
            wlo = min(b1, b2) - L_OUT * C / sig
            whi = max(b1, b2) + L_OUT * C / sig
            k = 0
            if abs(B) > 1e-300 and a > -L_OUT:
                cw[k] = a * sig / B
                ww[k] = min(C / abs(B), 0.25 * abs(B) / (sig * max(a, 1.0))) if C > 0 else 1e-3
                k += 1
            cw[k] = (kappa - A * z0) / sig
            ww[k] = math.sqrt(s1 * s1 + D * D) / sig
            k += 1
            ew = _edges3(wlo, whi, cw[:k], ww[:k], base)
            wn, wwt = rule_on_edges(ew, xg, wg, False)
            lrho = np.empty(wn.shape[0])
            lhs = np.empty(wn.shape[0])
            for j in range(wn.shape[0]):
                w = wn[j]
                if constrained:
                    if C > 0.0:
                        lr = log_H_abs_s((a * sig - B * w) / C)
                    else:
                        lr = 0.0 if B * w > a * sig else -math.inf
                else:
                    lr = 0.0
                lrho[j] = lr - lHa - 0.5 * w * w - 0.9189385332046727 + math.log(wwt[j])
                if lrho[j] < -80.0:
                    lrho[j] = -math.inf
        for m in range(z2s.shape[0]):
            z2 = z2s[m]
            W = W0 * w2s[m]
            X0 = kappa - A * z0 - D * z2
            if sig <= 1e-300:
                lh = log_H_abs_s(X0 / s1)
                GE += W * (lHa + y * lh)
                GY += W * lh
                continue
            # log-sum-exp of lrho + y ln H
            mx = -math.inf
            for j in range(wn.shape[0]):
                if lrho[j] == -math.inf:
                    lhs[j] = 0.0
                    continue
                lh = log_H_abs_s((X0 - sig * wn[j]) / s1)
                lhs[j] = lh
                v = lrho[j] + y * lh
                if v > mx:
                    mx = v
            sz = 0.0
            s1m = 0.0
            for j in range(wn.shape[0]):
                e = math.exp(lrho[j] + y * lhs[j] - mx)
                sz += e
                s1m += e * lhs[j]
            GE += W * (lHa + mx + math.log(sz))
            GY += W * s1m / sz
    out[0] = GE
    out[1] = GY
    return out


@jit
def entropic_finite(Qh, th, qh0, qh1, ph, y, xg, wg, base):
    """G_S at finite y >= 0 and the tilted moments (module docstring). With
    u0 = sqrt(Qh) z0, h0 = (th/sqrt Qh) z0 + sqrt(qh0 - th^2/Qh) z2, H = h0 + ph w~ +
    sqrt(qh1 - qh0) z1 and <.> the average over (w~, z1) with weight e^{u0 w~} (2cosh H)^y Dz1:

    returns [G_S, Q = E<w~>^2, t = E<w~><T>, q0 = E<T>^2, q1 = E<T^2>, p = E<w~ T>,
    d = E<(1 - w~T)/2>, 1 - q1 = E<1 - T^2>, dG_S/dy = E<ln 2cosh H>, e^2, g^2]."""
    out = np.zeros(11)
    # Qh = th = 0: an unconstrained reference (no coupling between references)
    e2 = qh0 - th * th / Qh if Qh > 0.0 else qh0
    g2 = qh1 - qh0
    out[9] = e2
    out[10] = g2
    # e^2 = 0 and g^2 = 0 are boundaries that saddle points can sit on (y = 1 with
    # kappa~ = kappa; y = 0): conjugates from finite differences carry ~1e-8 noise there
    tol = 1e-6 * (abs(qh0) + abs(qh1) + 1e-300)
    if Qh < 0.0 or (Qh == 0.0 and th != 0.0) or e2 < -tol or g2 < -tol:
        out[0] = math.nan
        return out
    e = math.sqrt(max(e2, 0.0))
    g = math.sqrt(max(g2, 0.0))
    sQh = math.sqrt(Qh)
    c = th / sQh if Qh > 0.0 else 0.0
    c0 = np.empty(1)
    w0 = np.empty(1)
    c0[0] = 0.0
    w0[0] = 0.5 / sQh if Qh > 0.0 else 1.0
    e0 = _edges3(-L_OUT, L_OUT, c0, w0, base)
    z0s, w0s = rule_on_edges(e0, xg, wg, True)
    # z2 (e > 0): composite rule graded around the three near-kinks of the integrand in
    # h0 = c z0 + e z2, at h0 = -ph, 0, ph, each of width ~ 1/y in h0 (ln of the sum over the
    # reference sign of ~ e^{y |h0 +- ph|}); a Gauss-Hermite rule converges only slowly there
    # (30 nodes: 3e-6 off at y = 2)
    ck = np.empty(3)
    wk = np.empty(3)
    # z1: the tilted density e^{-z^2/2} [2cosh(h + g z)]^y lies between the centres -y g and
    # y g (its modes solve z = y g tanh(h + g z); bimodal for y g^2 > 1), smooth on the scale
    # min(1, 1/g): composite rule on [-y g - L_OUT, y g + L_OUT] with panels of length
    # <= min(base, 1/g) (a Gauss–Hermite rule centred on one mode was 3e-7 off near y g^2 = 1
    # and 2e-5 off at y g^2 > 1)
    z1s = np.zeros(1)
    w1s = np.ones(1)
    if g >= 1e-13:
        zr = y * g + L_OUT
        z1s, w1s = rule_on_edges(_edges3(-zr, zr, np.empty(0), np.empty(0),
                                         min(base, 1.0 / g)), xg, wg, False)
    if Qh == 0.0:
        # no coupling between references: the z0 integrand is constant
        z0s = np.zeros(1)
        w0s = np.ones(1)
    wkink = 1.0 / (max(y, 1.0) * e) if e > 1e-13 else 0.0
    n1 = z1s.shape[0]
    nv = np.empty(n1)
    nl = np.empty(n1)
    no = np.empty(n1)
    nt = np.empty(n1)
    nd = np.empty(n1)
    z2s = np.zeros(1)
    w2s = np.ones(1)
    acc = np.zeros(9)
    for i in range(z0s.shape[0]):
        z0 = z0s[i]
        if e > 1e-13:
            for k in range(3):
                ck[k] = ((k - 1) * ph - c * z0) / e
                wk[k] = wkink
            z2s, w2s = rule_on_edges(_edges3(-L_OUT, L_OUT, ck, wk, base), xg, wg, True)
        for m in range(z2s.shape[0]):
            z2 = z2s[m]
            W = w0s[i] * w2s[m]
            h0 = c * z0 + e * z2
            # per reference sign: log weight and moments over z1
            lw = np.empty(2)
            mT = np.empty(2)
            mT2 = np.empty(2)
            mL = np.empty(2)
            md = np.empty(2)
            mo = np.empty(2)
            for s in range(2):
                ws = 1.0 if s == 0 else -1.0
                hb = h0 + ph * ws
                if g < 1e-13:
                    # ln 2cosh, sech^2, tanh and (1 - w~ tanh)/2 = sigmoid(-2 w~ h) from one
                    # exponential (tanh is odd: taken at w~ h)
                    lc, sc2, thw, sg = cosh_terms_s(ws * hb)
                    lw[s] = sQh * z0 * ws + y * lc
                    mT[s] = ws * thw
                    mT2[s] = mT[s] * mT[s]
                    mL[s] = lc
                    md[s] = sg
                    mo[s] = sc2
                    continue
                # z1 by the composite rule z1s (above): the per-node terms of one pass, kept
                # for the weighted sums once the largest exponent is known
                mx = -math.inf
                for j in range(z1s.shape[0]):
                    zz = z1s[j]
                    lc, sc2, thw, sg = cosh_terms_s(ws * (hb + g * zz))
                    v = -0.5 * zz * zz + y * lc
                    nv[j] = v
                    nl[j] = lc
                    no[j] = sc2
                    nt[j] = ws * thw
                    nd[j] = sg
                    if v > mx:
                        mx = v
                sz = 0.0
                a1 = 0.0
                a2 = 0.0
                a3 = 0.0
                a4 = 0.0
                a5 = 0.0
                for j in range(z1s.shape[0]):
                    ew = w1s[j] * math.exp(nv[j] - mx)
                    T = nt[j]
                    sz += ew
                    a1 += ew * T
                    a2 += ew * T * T
                    a3 += ew * nl[j]
                    a4 += ew * nd[j]
                    a5 += ew * no[j]
                lw[s] = sQh * z0 * ws + mx + math.log(sz) - 0.9189385332046727
                mT[s] = a1 / sz
                mT2[s] = a2 / sz
                mL[s] = a3 / sz
                md[s] = a4 / sz
                mo[s] = a5 / sz
            mxw = max(lw[0], lw[1])
            p0 = math.exp(lw[0] - mxw)
            p1 = math.exp(lw[1] - mxw)
            lz = mxw + math.log(p0 + p1)
            p0, p1 = p0 / (p0 + p1), p1 / (p0 + p1)
            mw = p0 - p1
            T = p0 * mT[0] + p1 * mT[1]
            acc[0] += W * lz
            acc[1] += W * mw * mw
            acc[2] += W * mw * T
            acc[3] += W * T * T
            acc[4] += W * (p0 * mT2[0] + p1 * mT2[1])
            acc[5] += W * (p0 * mT[0] - p1 * mT[1])
            acc[6] += W * (p0 * md[0] + p1 * md[1])
            acc[7] += W * (p0 * mo[0] + p1 * mo[1])
            acc[8] += W * (p0 * mL[0] + p1 * mL[1])
    for k in range(9):
        out[k] = acc[k]
    return out
