"""Independent checks of the 1RSB / m-clone / symmetric-binary-perceptron numbers
(replica.models.rsb1, rsb1_spherical) at points spread over the parameter range: each reference is
written here from the formulas (docs/THEORY.md §8.1; arXiv:2607.27000 eqs. 45–52) with mpmath or
nested scipy quadrature at tight tolerance, sharing no code with the package."""
import math

import mpmath as mp
import numpy as np
import pytest
from scipy import integrate, optimize, special

from replica.errors import ReplicaInputError
from replica.models import rsb1

LN_SQRT_2PI = 0.5 * math.log(2 * math.pi)


# --- symmetric binary perceptron: RS entropy and capacity (mpmath) -----------------------------

def _mp_window(kappa):
    """ln P(|z| <= kappa) at 150 digits (1 - erf(20/sqrt 2) ~ 1e-89)."""
    with mp.workdps(150):
        return mp.log(mp.erf(mp.mpf(kappa) / mp.sqrt(2)))


@pytest.mark.parametrize("kappa", [1e-8, 1e-3, 0.05, 0.3, 1.0, 3.0, 6.0, 9.0, 20.0])
def test_sbp_capacity_closed_form_against_mpmath(kappa):
    # alpha_c = -ln 2/ln(1 - 2H(kappa)), H the Gaussian upper tail: 1 - 2H = erf(kappa/sqrt 2)
    with mp.workdps(40):
        ref = float(-mp.log(2) / _mp_window(kappa))
    assert abs(rsb1.sbp_capacity(kappa) / ref - 1) < 1e-13
    assert abs(rsb1.sbp_rs_entropy(0.5 * ref, kappa) - 0.5 * math.log(2)) < 1e-13


def test_sbp_capacity_beyond_double_range_is_an_input_error():
    with pytest.raises(ReplicaInputError, match="kappa"):
        rsb1.sbp_capacity(40.0)


@pytest.mark.parametrize("kappa", [0.05, 1.0, 3.0])
def test_sbp_capacity_is_the_zero_of_the_rs_model_entropy(kappa):
    # the registered model's saddle (q = 0, its energetic kernel at x = 0, y = 1), its entropy
    # against mpmath at two loads, and its zero in alpha (Brent) against the closed form
    from replica import models
    M = models.get("sbp-rs")
    s = lambda a: M.saddle({"alpha": a, "kappa": kappa}).thermo["entropy"]
    ac = rsb1.sbp_capacity(kappa)
    for f in (0.3, 1.2):
        with mp.workdps(40):
            ref = float(mp.log(2) + f * ac * _mp_window(kappa))
        assert abs(s(f * ac) - ref) < 1e-12
    root = optimize.brentq(s, 0.5 * ac, 2 * ac, xtol=1e-14, rtol=1e-15)
    assert abs(root / ac - 1) < 1e-12


# --- SBP m clones: phi_m(q1) against an independent mpmath saddle -------------------------------

def _mp_sbp_phi_m(alpha, kappa, m, q1):
    """phi_m(q1) of the SBP (q0 = qh0 = 0): extremum over qh1 of
    -qh1(1 - q1)/2 - m q1 qh1/2 + (1/m) ln sum_k C(m,k) e^{(m-2k)^2 qh1/2}
    + (alpha/m) ln int Dz calH^m(sqrt(q1) z, sqrt(1 - q1)),
    calH(x, y) = P(|x + y z| <= kappa)."""
    with mp.workdps(30):
        q1, kappa = mp.mpf(q1), mp.mpf(kappa)
        Ms = [(mp.binomial(m, k), (m - 2 * k) ** 2) for k in range(m + 1)]

        def dphi(qh):     # d/dqh1: -(1-q1)/2 - m q1/2 + <M^2>/(2m)
            w = [c * mp.exp(M2 * qh / 2) for c, M2 in Ms]
            return -(1 - q1) / 2 - m * q1 / 2 + mp.fsum(wi * M2 for wi, (_, M2) in zip(w, Ms)) \
                / (2 * m * mp.fsum(w))

        lo, hi = mp.mpf(0), mp.mpf(1)
        while dphi(hi) < 0:
            hi *= 2
        for _ in range(200):           # bisection: dphi increases with qh1
            mid = (lo + hi) / 2
            lo, hi = (mid, hi) if dphi(mid) < 0 else (lo, mid)
        qh = (lo + hi) / 2
        gs = -qh * (1 - q1) / 2 - m * q1 * qh / 2 + mp.log(
            mp.fsum(c * mp.exp(M2 * qh / 2) for c, M2 in Ms)) / m
        y, s = mp.sqrt(1 - q1), mp.sqrt(q1)
        r2 = mp.sqrt(2)

        def f(z):
            x = s * z
            calH = (mp.erf((kappa - x) / (y * r2)) + mp.erf((kappa + x) / (y * r2))) / 2
            return mp.exp(-z * z / 2) / mp.sqrt(2 * mp.pi) * calH ** m

        c, w = kappa / s, y / s
        pts = sorted({float(v) for v in (-c - 8 * w, -c - w, -c, -c + w, 0.0, c - w, c,
                                         c + w, c + 8 * w)})
        pts = [-mp.inf] + [mp.mpf(v) for v in pts] + [mp.inf]
        ge = mp.log(mp.quad(f, pts)) / m
        return float(gs + alpha * ge), float(qh)


@pytest.mark.parametrize("kappa,m,q1,frac", [
    (0.05, 2, 0.3, 0.5), (0.3, 3, 0.9, 0.9), (1.0, 4, 0.98, 0.92), (1.0, 6, 0.995, 0.9),
    (3.0, 8, 0.999, 0.5), (1.0, 2, 1 - 1e-6, 0.95)])
def test_sbp_phi_m_against_mpmath(kappa, m, q1, frac):
    a = frac * rsb1.sbp_capacity(kappa)
    ref, qh = _mp_sbp_phi_m(a, kappa, m, q1)
    s = rsb1.mclone_saddle("binary", a, kappa, m, q1, constraint="symmetric")
    assert abs(s.order["qh1"] - qh) < 1e-9 * max(1.0, qh)
    assert abs(s.thermo["free_entropy"] - ref) < 1e-10


# --- binary (margin) m clones: phi_m(q1) by nested scipy quadrature ------------------------------

def _ln_inner(x0, s, y, m, kappa):
    """ln int Dz1 H^m((kappa - x0 - s z1)/y), in the log domain around the mode."""
    lf = lambda z: m * special.log_ndtr((x0 + s * z - kappa) / y) - 0.5 * z * z
    zm = optimize.minimize_scalar(lambda z: -lf(z), bracket=(-1.0, 1.0)).x
    top = lf(zm)
    kink = (kappa - x0) / s
    pts = [p for p in (kink - y / s, kink, kink + y / s) if zm - 14 < p < zm + 14]
    v = integrate.quad(lambda z: math.exp(lf(z) - top), zm - 14, zm + 14, points=pts or None,
                       epsabs=0, epsrel=1e-13, limit=400)[0]
    return top + math.log(v) - LN_SQRT_2PI


def _quad_GE(q0, q1, m, kappa):
    """G_E = (1/m) int Dz0 ln int Dz1 H^m((kappa - sqrt(q0) z0 - sqrt(q1-q0) z1)/sqrt(1-q1))."""
    y, s, sq = math.sqrt(1 - q1), math.sqrt(q1 - q0), math.sqrt(q0)
    g = lambda z: math.exp(-0.5 * z * z - LN_SQRT_2PI) * _ln_inner(sq * z, s, y, m, kappa)
    c = kappa / sq
    v = integrate.quad(g, -11, 11, points=[c - 1, c, c + 1], epsabs=1e-14, epsrel=1e-13,
                       limit=400)[0]
    return v / m


def _quad_GS(q0, q1, qh0, qh1, m):
    """Binary G_S = -qh1(1-q1)/2 + (m/2)(q0 qh0 - q1 qh1)
    + (1/m) int Dz0 ln sum_k C(m,k) exp(M_k sqrt(qh0) z0 + M_k^2 (qh1 - qh0)/2), M_k = m - 2k."""
    Mk = np.arange(m, -m - 1, -2.0)
    lc = np.array([math.lgamma(m + 1) - math.lgamma(k + 1) - math.lgamma(m - k + 1)
                   for k in range(m + 1)])
    sq = math.sqrt(qh0)
    g = lambda z: math.exp(-0.5 * z * z - LN_SQRT_2PI) * special.logsumexp(
        lc + Mk * sq * z + 0.5 * Mk ** 2 * (qh1 - qh0))
    v = integrate.quad(g, -12, 12, points=[0.0], epsabs=1e-14, epsrel=1e-13, limit=400)[0]
    return -0.5 * qh1 * (1 - q1) + 0.5 * m * (q0 * qh0 - q1 * qh1) + v / m


@pytest.mark.slow
@pytest.mark.parametrize("alpha,kappa,m,q1", [(0.78, 0.0, 4, 0.98), (0.3, -0.5, 2, 0.6),
                                              (0.2, 1.0, 3, 0.9)])
def test_binary_phi_m_against_nested_quad(alpha, kappa, m, q1):
    s = rsb1.mclone_saddle("binary", alpha, kappa, m, q1)
    o = s.order
    ge = _quad_GE(o["q0"], q1, m, kappa)
    phi = lambda q0, qh0, qh1, ge=ge: _quad_GS(q0, q1, qh0, qh1, m) + alpha * ge
    assert abs(phi(o["q0"], o["qh0"], o["qh1"]) - s.thermo["free_entropy"]) < 1e-10
    assert abs(alpha * ge - s.thermo["energetic"]) < 1e-10
    # stationarity of the independent phi at the package's saddle: d/dqh0, d/dqh1 by central
    # differences of G_S; d/dq0 with G_E re-evaluated
    h = 1e-4
    for i in (1, 2):
        x = [o["q0"], o["qh0"], o["qh1"]]
        xp, xm = list(x), list(x)
        xp[i] += h
        xm[i] -= h
        assert abs(phi(*xp) - phi(*xm)) / (2 * h) < 1e-7
    hq = 1e-4
    dq0 = (_quad_GS(o["q0"] + hq, q1, o["qh0"], o["qh1"], m)
           + alpha * _quad_GE(o["q0"] + hq, q1, m, kappa)
           - _quad_GS(o["q0"] - hq, q1, o["qh0"], o["qh1"], m)
           - alpha * _quad_GE(o["q0"] - hq, q1, m, kappa)) / (2 * hq)
    assert abs(dq0) < 1e-6


def test_spherical_phi_m_against_nested_quad():
    # non-integer m = 1.5: G_S = (1/2)[((m-1)/m) ln(1-q1) + (1/m) ln D + q0/D],
    # D = 1 - q1 + m(q1 - q0), plus alpha G_E by nested quadrature
    a, k, m, q1 = 1.0, 0.0, 1.5, 0.8
    s = rsb1.mclone_saddle("spherical", a, k, m, q1)
    q0 = s.order["q0"]
    D = 1 - q1 + m * (q1 - q0)
    gs = 0.5 * ((m - 1) / m * math.log(1 - q1) + math.log(D) / m + q0 / D)
    assert abs(gs + a * _quad_GE(q0, q1, m, k) - s.thermo["free_entropy"]) < 1e-10


# --- spherical jamming: Psi(q0, mu) by nested quadrature ----------------------------------------

def _quad_B(q0, mu, kappa):
    """(1/mu) int Dz0 ln int Dz1 exp(-(mu/2)(kappa - sqrt(q0) z0 - sqrt(1-q0) z1)_+^2)."""
    s, sq = math.sqrt(1 - q0), math.sqrt(q0)

    def inner(x0):
        u0 = kappa - x0
        f = lambda z: math.exp(-0.5 * z * z - LN_SQRT_2PI - 0.5 * mu * max(u0 - s * z, 0.0) ** 2)
        return math.log(integrate.quad(f, -14, 14, points=[u0 / s], epsabs=0, epsrel=1e-13,
                                       limit=400)[0])

    g = lambda z: math.exp(-0.5 * z * z - LN_SQRT_2PI) * inner(sq * z)
    v = integrate.quad(g, -11, 11, points=[kappa / sq], epsabs=1e-14, epsrel=1e-13,
                       limit=400)[0]
    return v / mu


@pytest.mark.parametrize("kappa,q0,mu", [(-1.0, 0.5, 2.0), (-2.5, 0.8, 30.0),
                                         (0.5, 0.3, 0.1)])
def test_jamming_psi_against_nested_quad(kappa, q0, mu):
    # A = ln(1 + mu(1-q0))/(2mu) + q0/(2(1 + mu(1-q0))): the q1 -> 1, m = mu(1-q1) limit of the
    # spherical entropic term; B the energetic one
    A = math.log1p(mu * (1 - q0)) / (2 * mu) + q0 / (2 * (1 + mu * (1 - q0)))
    B = _quad_B(q0, mu, kappa)
    r = rsb1.jamming_psi(2.0, kappa, q0, mu)
    assert abs(r["A"] - A) < 1e-13 and abs(r["B"] - B) < 1e-11 * max(1, abs(B))
    assert abs(r["psi"] - (A + 2.0 * B)) < 1e-10
