r"""Compiled kernels of the tree committee machine (numba): the K-dimensional Gaussian integral of
the log-probability that the majority of K independent hidden signs is +1.

With :math:`u_l = \sqrt q\, z_l/\sqrt{1-q}` the unit-l field in units of its quenched width, the
unit is +1 with probability :math:`p_l = H(-u_l)`. The output is correct with probability

.. math:: M(z) = \sum_{\tau:\ \sum_l\tau_l>0}\ \prod_l H(-\tau_l u_l)

(the sum over internal representations, docs/THEORY.md §8.4), and the energetic term is
:math:`G_E(q) = \int\prod_l Dz_l\,\ln M(z)`.

The sum over internal representations is a dynamic programme on the number c of +1 units (the
representations with the same c are summed together), done in the log domain so that no
probability underflows as q -> 1 (there M can be ~exp(-K/(1-q))). Derivatives in the fields
(with :math:`s = \sqrt{1-q}`): :math:`s\,\partial_l\ln M = g_l = M_l\,\phi(u_l)/M` with
:math:`M_l = P(\sum_{l'\ne l}\tau_{l'} = 0)` (a tie among the others), and

.. math:: s^2\partial_l^2\ln M = -g_l(g_l+u_l),\qquad
          s^2\partial_l\partial_{l'}\ln M = \phi(u_l)\phi(u_{l'})\,
          [P(S''=-1)-P(S''=+1)]/M - g_l g_{l'},

S'' the sum of the other K-2 units. The Gaussian integral runs over the multisets of nodes
:math:`i_1\le\dots\le i_K` of a one-dimensional rule, with the multinomial multiplicity
K!/prod(m_j!): the integrand is symmetric in the hidden units, so this is the full tensor-product
rule evaluated C(n+K-1, K) times instead of n^K.
"""
from __future__ import annotations

import math

import numpy as np

from .._numba import jit
from ..gauss import graded_edges_on, log_H_s

__all__ = ["energetic_kernel", "log_majority", "local_energy_kernel"]

_LOG_SQRT_2PI = 0.5 * math.log(2.0 * math.pi)
_NEG_INF = -math.inf


@jit
def _lae(a, b):
    """log(exp(a) + exp(b)) with -inf handled."""
    if a == _NEG_INF:
        return b
    if b == _NEG_INF:
        return a
    if a > b:
        return a + math.log1p(math.exp(b - a))
    return b + math.log1p(math.exp(a - b))


@jit
def _dist(a, b, units, skip1, skip2, out, lin):
    """The sum over internal representations grouped by the number c of +1 units:
    out[c] = P(c of the listed units are +1), skipping the units at positions skip1, skip2 of
    the list (-1: none; positions, since a node may appear twice in the list). a[l], b[l]: the
    probabilities of +1 and -1 of unit l, as (rescaled) numbers if ``lin``, else as logarithms
    (then out holds logarithms). Returns the number of units used."""
    n = 0
    out[0] = 1.0 if lin else 0.0
    for j in range(units.shape[0]):
        if j == skip1 or j == skip2:
            continue
        l = units[j]
        out[n + 1] = 0.0 if lin else _NEG_INF
        for c in range(n + 1, 0, -1):
            if lin:
                out[c] = out[c] * b[l] + out[c - 1] * a[l]
            else:
                out[c] = _lae(out[c] + b[l], out[c - 1] + a[l])
        out[0] = out[0] * b[l] if lin else out[0] + b[l]
        n += 1
    return n


@jit
def _total(buf, lo, hi, lin):
    """sum_{lo <= c <= hi} buf[c] (lin) or its log-sum-exp (log domain)."""
    t = 0.0 if lin else _NEG_INF
    for c in range(lo, hi + 1):
        t = t + buf[c] if lin else _lae(t, buf[c])
    return t


@jit
def _ratio(buf, c, ref, extra, lin):
    """buf[c]/ref * exp(extra) in either domain (log domain: one exponential)."""
    if lin:
        return buf[c] / ref * math.exp(extra)
    return math.exp(buf[c] - ref + extra)


@jit
def _point_in(a, b, lphi, u, lmx, units, replicon, lin, buf, buf2, g):
    """(ln M, sum_l g_l^2, sum_{l,l'} (s^2 d_l d_l' ln M)^2) at one point, the programme in the
    linear domain on rescaled probabilities (``lin``; a = exp(lp - lmx), b = exp(lm - lmx)) or in
    the log domain (a = lp, b = lm). Linear: returns M = 0 (ln M = -inf) if the rescaled M falls
    below 1e-250, for the caller to switch domains."""
    K = units.shape[0]
    h = (K + 1) // 2
    _dist(a, b, units, -1, -1, buf, lin)
    ref = _total(buf, h, K, lin)
    if lin and not ref > 1e-250:
        return _NEG_INF, 0.0, 0.0
    sg2 = 0.0
    for i in range(K):
        _dist(a, b, units, i, -1, buf2, lin)
        li = lphi[units[i]] - (lmx[units[i]] if lin else 0.0)
        gi = _ratio(buf2, (K - 1) // 2, ref, li, lin)
        g[i] = gi
        sg2 += gi * gi
    kc = 0.0
    if replicon:
        for i in range(K):
            d = g[i] * (g[i] + u[units[i]])
            kc += d * d
            for j in range(i + 1, K):
                x = 0.0
                if K >= 3:
                    _dist(a, b, units, i, j, buf2, lin)
                    lij = lphi[units[i]] + lphi[units[j]]
                    if lin:
                        lij -= lmx[units[i]] + lmx[units[j]]
                    x = (_ratio(buf2, (K - 3) // 2, ref, lij, lin)
                         - _ratio(buf2, (K - 1) // 2, ref, lij, lin))
                d = x - g[i] * g[j]
                kc += 2.0 * d * d
    lnM = ref if not lin else math.log(ref)
    if lin:
        for i in range(K):
            lnM += lmx[units[i]]
    return lnM, sg2, kc


@jit
def _point(lp, lm, lphi, u, ra, rb, lmx, units, replicon, buf, buf2, g):
    """:func:`_point_in` in the linear domain, falling back to the log domain for a
    representation far in the tails."""
    r = _point_in(ra, rb, lphi, u, lmx, units, replicon, True, buf, buf2, g)
    if r[0] > _NEG_INF:
        return r
    return _point_in(lp, lm, lphi, u, lmx, units, replicon, False, buf, buf2, g)


@jit
def _unit_vals(zv, sq, s, u, lp, lm, lphi, ra, rb, lmx):
    """Per-node unit quantities at the fields sqrt(q) z / sqrt(1-q): u, ln H(-u), ln H(u),
    ln phi(u), and the probabilities rescaled by the larger one (ra, rb; scale exp(lmx))."""
    for i in range(zv.shape[0]):
        ui = sq * zv[i] / s
        u[i] = ui
        lp[i] = log_H_s(-ui)
        lm[i] = log_H_s(ui)
        lphi[i] = -0.5 * ui * ui - _LOG_SQRT_2PI
        mx = max(lp[i], lm[i])
        lmx[i] = mx
        ra[i] = math.exp(lp[i] - mx)
        rb[i] = math.exp(lm[i] - mx)


@jit
def _node_vals(z, sq, s):
    n = z.shape[0]
    u, lp, lm, lphi = np.empty(n), np.empty(n), np.empty(n), np.empty(n)
    ra, rb, lmx = np.empty(n), np.empty(n), np.empty(n)
    _unit_vals(z, sq, s, u, lp, lm, lphi, ra, rb, lmx)
    return u, lp, lm, lphi, ra, rb, lmx


@jit
def _factorials(K):
    fact = np.empty(K + 1)
    fact[0] = 1.0
    for j in range(1, K + 1):
        fact[j] = fact[j - 1] * j
    return fact


@jit
def _multinomial(idx, fact):
    """K!/prod(m_j!) for the run lengths m_j of the sorted index tuple idx."""
    K = idx.shape[0]
    r = fact[K]
    run = 1
    for j in range(1, K):
        if idx[j] == idx[j - 1]:
            run += 1
        else:
            r /= fact[run]
            run = 1
    return r / fact[run]


@jit
def _next_multiset(idx, n):
    """Advance the non-decreasing tuple idx over {0..n-1}; False when exhausted."""
    K = idx.shape[0]
    i = K - 1
    while i >= 0 and idx[i] == n - 1:
        i -= 1
    if i < 0:
        return False
    idx[i] += 1
    for j in range(i + 1, K):
        idx[j] = idx[i]
    return True


@jit
def _multiset_weight(idx, fact, w):
    """Weight of the multiset idx in the tensor-product rule: multiplicity times the weights."""
    wt = _multinomial(idx, fact)
    for j in range(idx.shape[0]):
        wt *= w[idx[j]]
    return wt


@jit
def energetic_kernel(z, w, q, K, replicon):
    """(G_E, J, Kc) for K hidden units with the 1-d rule (z, w) (weights include Dz).

    G_E = E ln M; J = -2 (1-q)^2 dG_E/dq = (1-q) E sum_l g_l^2; Kc = E sum_{l,l'}
    (s^2 d_l d_l' ln M)^2 (the replicon's energetic factor times (1-q)^2)."""
    s = math.sqrt(1.0 - q)
    sq = math.sqrt(q)
    u, lp, lm, lphi, ra, rb, lmx = _node_vals(z, sq, s)
    n = z.shape[0]
    fact = _factorials(K)
    idx = np.zeros(K, dtype=np.int64)
    buf = np.empty(K + 1)
    buf2 = np.empty(K + 1)
    gbuf = np.empty(K)
    ge = 0.0
    sg = 0.0
    kc = 0.0
    while True:
        wt = _multiset_weight(idx, fact, w)
        a, b, c = _point(lp, lm, lphi, u, ra, rb, lmx, idx, replicon, buf, buf2, gbuf)
        ge += wt * a
        sg += wt * b
        kc += wt * c
        if not _next_multiset(idx, n):
            break
    return ge, (1.0 - q) * sg, kc


@jit
def log_majority(u, K):
    """ln M for the fields u (length K) — the integrand, for tests and checks."""
    n = u.shape[0]
    lp = np.empty(n)
    lm = np.empty(n)
    for i in range(n):
        lp[i] = log_H_s(-u[i])
        lm[i] = log_H_s(u[i])
    buf = np.empty(K + 1)
    _dist(lp, lm, np.arange(K), -1, -1, buf, False)
    return _total(buf, (K + 1) // 2, K, False)


@jit
def _safe_log(x):
    return math.log(x) if x > 0.0 else _NEG_INF


@jit
def local_energy_kernel(z, w, q, K, cplus, cminus):
    """E_z[P(majority of the perturbed signs is -1 | majority of the signs is +1)].

    cplus[i] (cminus[i]): probability that unit noise flips a + (-) unit whose quenched mean
    field is sqrt(q) z_i; the joint law of (sign, perturbed sign) of every unit is a product,
    summed over both internal representations by a dynamic programme on (c, c') = numbers of
    +1 before and after the perturbation, in the log domain."""
    s = math.sqrt(1.0 - q)
    sq = math.sqrt(q)
    u, lp, lm, lphi, ra, rb, lmx = _node_vals(z, sq, s)
    n = z.shape[0]
    lpp = np.empty(n)
    lpm = np.empty(n)
    lmm = np.empty(n)
    lmp = np.empty(n)
    for i in range(n):
        lpp[i] = lp[i] + _safe_log(1.0 - cplus[i])
        lpm[i] = lp[i] + _safe_log(cplus[i])
        lmm[i] = lm[i] + _safe_log(1.0 - cminus[i])
        lmp[i] = lm[i] + _safe_log(cminus[i])
    fact = _factorials(K)
    idx = np.zeros(K, dtype=np.int64)
    buf = np.empty(K + 1)
    D = np.empty((K + 1, K + 1))
    tot = 0.0
    h = (K + 1) // 2
    while True:
        wt = _multiset_weight(idx, fact, w)
        _dist(lp, lm, idx, -1, -1, buf, False)
        lnM = _total(buf, h, K, False)
        for a in range(K + 1):
            for b in range(K + 1):
                D[a, b] = _NEG_INF
        D[0, 0] = 0.0
        for j in range(K):
            i = idx[j]
            for a in range(j + 1, -1, -1):
                for b in range(j + 1, -1, -1):
                    v = _NEG_INF
                    if a <= j and b <= j:
                        v = _lae(v, D[a, b] + lmm[i])
                    if a >= 1 and b >= 1:
                        v = _lae(v, D[a - 1, b - 1] + lpp[i])
                    if a >= 1 and b <= j:
                        v = _lae(v, D[a - 1, b] + lpm[i])
                    if a <= j and b >= 1:
                        v = _lae(v, D[a, b - 1] + lmp[i])
                    D[a, b] = v
        num = _NEG_INF
        for a in range(h, K + 1):
            for b in range(0, h):
                num = _lae(num, D[a, b])
        if num > _NEG_INF:
            tot += wt * math.exp(num - lnM)
        if not _next_multiset(idx, n):
            break
    return tot


@jit
def _level_rule(lo, hi, w, base, xg, wg, zout, wout):
    """Composite Gauss–Legendre nodes on [lo, hi] with weights times phi(z), panels graded at
    lo (the diagonal z_l = z_{l-1}) and at 0 (a sign change), on the scale w. Returns the count."""
    if hi <= lo:
        return 0
    centers = np.array([lo, 0.0])
    widths = np.array([w, w])
    edges = graded_edges_on(lo, hi, centers, widths, base)
    n = xg.shape[0]
    m = 0
    for p in range(edges.shape[0] - 1):
        a = edges[p]
        b = edges[p + 1]
        half = 0.5 * (b - a)
        mid = 0.5 * (a + b)
        for i in range(n):
            z = mid + half * xg[i]
            zout[m] = z
            wout[m] = half * wg[i] * math.exp(-0.5 * z * z - _LOG_SQRT_2PI)
            m += 1
    return m


@jit
def energetic_kernel_sorted(q, K, L, base, xg, wg, replicon, cap):
    """(G_E, J, Kc) as :func:`energetic_kernel`, integrating over the ordered fields
    z_1 <= ... <= z_K (times K!) with nested rules: z_l on [z_{l-1}, L], graded at z_{l-1}
    and at 0 on the scale sqrt((1-q)/q). The integrand has kinks of that width along the
    diagonals z_i = z_j (which unit is cheapest to flip changes), which a tensor-product rule
    cannot align with; here every diagonal is a panel edge. ``cap``: node buffer per level."""
    s = math.sqrt(1.0 - q)
    sq = math.sqrt(q)
    w = s / sq if sq > 0.0 else base
    if w > base:
        w = base
    Z = np.empty((K, cap))
    W = np.empty((K, cap))
    cnt = np.zeros(K, dtype=np.int64)
    pos = np.zeros(K, dtype=np.int64)
    wc = np.empty(K)
    zv = np.empty(K)
    u = np.empty(K)
    lp = np.empty(K)
    lm = np.empty(K)
    lphi = np.empty(K)
    ra = np.empty(K)
    rb = np.empty(K)
    lmx = np.empty(K)
    units = np.arange(K)
    buf = np.empty(K + 1)
    buf2 = np.empty(K + 1)
    gbuf = np.empty(K)
    fk = 1.0
    for j in range(2, K + 1):
        fk *= j
    cnt[0] = _level_rule(-L, L, w, base, xg, wg, Z[0], W[0])
    ge = 0.0
    sg = 0.0
    kc = 0.0
    npts = 0
    lev = 0
    while lev >= 0:
        if pos[lev] >= cnt[lev]:
            lev -= 1
            if lev >= 0:
                pos[lev] += 1
            continue
        zv[lev] = Z[lev, pos[lev]]
        wc[lev] = (wc[lev - 1] if lev > 0 else fk) * W[lev, pos[lev]]
        if lev == K - 1:
            _unit_vals(zv, sq, s, u, lp, lm, lphi, ra, rb, lmx)
            a, b, c = _point(lp, lm, lphi, u, ra, rb, lmx, units, replicon, buf, buf2, gbuf)
            ge += wc[lev] * a
            sg += wc[lev] * b
            kc += wc[lev] * c
            npts += 1
            pos[lev] += 1
        else:
            lev += 1
            cnt[lev] = _level_rule(zv[lev - 1], L, w, base, xg, wg, Z[lev], W[lev])
            pos[lev] = 0
    return ge, (1.0 - q) * sg, kc, npts
