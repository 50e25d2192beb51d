"""Franz–Parisi on the model protocol, the replicon of the constrained replicas, and the
small-distance behaviour (theory_notebooks/fp_small_distance.py): closed forms against
independent quadratures, the RS branch around typical references, the small-d branch around
references of larger margin."""
import math
import warnings

import numpy as np
import pytest
from scipy import integrate, special

from replica import models
from replica.errors import ReplicaInputError
from replica.models import franz_parisi as fp
from replica.models.gardner import gardner

Dn = lambda x: math.exp(-0.5 * x * x) / math.sqrt(2 * math.pi)


def _quad_split(f, points, lo, hi, eps=1e-10):
    """int_lo^hi f by QUADPACK, split at the given interior points."""
    edges = [lo] + sorted(x for x in points if np.isfinite(x) and lo < x < hi) + [hi]
    return sum(integrate.quad(f, a, b, epsabs=eps, epsrel=1e-9, limit=100)[0]
               for a, b in zip(edges[:-1], edges[1:]) if b > a)


# ---------------------------------------------------------------------------------------------
# the protocol
# ---------------------------------------------------------------------------------------------


def test_registry_and_protocol():
    m = models.get("fp-binary")
    assert m is fp.FP_BINARY and models.get("fp-spherical") is fp.FP_SPHERICAL
    p = m.validate({"alpha": 0.6, "kappa_ref": 0.2, "d": 0.05})
    assert p == {"alpha": 0.6, "kappa_ref": 0.2, "kappa": 0.0, "d": 0.05}
    sol = m.saddle(p)
    old = fp.local_entropy("binary", 0.6, 0.2, 0.0, 0.05)
    assert abs(sol.thermo["entropy"] - old.thermo["entropy"]) < 1e-12
    assert np.max(np.abs(m.residual(sol.u, p))) < 1e-10
    fe = m.free_entropy(sol.order, p)
    assert abs(fe["free_entropy"] - sol.thermo["entropy"]) < 1e-10
    assert np.allclose(m.unknowns(sol.order, p), sol.u, atol=1e-12)
    # the known point: the typical distance, where q = t = Q and ph = 0 exactly
    p0, x0 = m.known_point({"alpha": 0.6, "kappa_ref": 0.1, "kappa": 0.1, "d": 0.05})
    g = gardner("binary", 0.6, 0.1)
    assert abs(p0["d"] - (1 - g.q) / 2) < 1e-12 and p0["alpha"] == 0.6
    assert np.max(np.abs(m.residual(x0, p0))) < 1e-11
    for bad, word in [({"alpha": 0.6, "d": 0.7}, "d"), ({"alpha": -1, "d": 0.1}, "alpha"),
                      ({"alpha": 0.6, "kappa_ref": 1.0, "d": 0.1}, "kappa_ref"),
                      ({"alpha": 0.6, "kappa_ref": "biggest", "d": 0.1}, "kappa_ref")]:
        with pytest.raises(ReplicaInputError, match=word):
            m.validate(bad)
    ms = models.get("fp-spherical")
    ps = ms.validate({"alpha": 1.0, "kappa_ref": "max", "d": 0.05})
    s = ms.saddle(ps)
    assert s.order["t_or_b"] > 0        # b -> p > 0 at small d on the physical branch


# ---------------------------------------------------------------------------------------------
# the replicon of the constrained replicas
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("model, alpha, kappa", [("binary", 0.6, 0.1), ("binary", 0.5, 0.0),
                                                 ("spherical", 1.0, 0.2),
                                                 ("spherical", 3.0, -0.5)])
def test_replicon_at_typical_point_is_gardner(model, alpha, kappa):
    """At d* with kappa = kappa_ref the constrained replicas are typical solutions: their
    replicon is the Gardner one (an independent code path, replica.models.gardner)."""
    g = gardner(model, alpha, kappa)
    s = fp.local_entropy(model, alpha, kappa, kappa, (1 - g.q) / 2)
    assert abs(s.thermo["replicon"] - g.replicon) < 1e-9


def _replicon_independent(alpha, Q, Qh, kr, k, q, t, p, qh, th, ph):
    """1 - alpha <[d^2 ln H(x)/dx^2]^2> <sech^4 h> / (1-q)^2 by nested QUADPACK over the same
    measures, the second derivative of ln H by central differences of scipy's log_ndtr."""
    sQ, s1Q, s = math.sqrt(Q), math.sqrt(1 - Q), math.sqrt(1 - q)
    A, B = t / sQ, (p - t) / s1Q
    C = math.sqrt(q - t * t / Q - (p - t) ** 2 / (1 - Q))
    sig = math.hypot(B, C)
    h = 1e-4
    lnH = lambda x: special.log_ndtr(-x)
    d2 = lambda x: (lnH(x + h) - 2 * lnH(x) + lnH(x - h)) / (h * h)

    def outer(z0):
        a = (kr - sQ * z0) / s1Q
        lHa = lnH(a)
        base = k - A * z0
        f = lambda w: math.exp(-0.5 * w * w + lnH((a * sig - B * w) / C) - lHa) \
            / math.sqrt(2 * math.pi) * d2((base - sig * w) / s) ** 2
        return _quad_split(f, [base / sig, a * sig / B], -10, 10, 1e-9)
    gE = _quad_split(lambda z0: Dn(z0) * outer(z0), [kr / sQ, k / A], -9, 9, 1e-8)
    c, e = th / math.sqrt(Qh), math.sqrt(qh - th * th / Qh)
    sech4 = lambda x: 1.0 / math.cosh(x) ** 4

    def ent(z0):
        hb = c * z0 + ph
        return _quad_split(lambda z1: Dn(z1) * sech4(hb + e * z1), [-hb / e], -12, 12)
    gS = _quad_split(lambda z0: Dn(z0) * (1 + math.tanh(math.sqrt(Qh) * z0)) * ent(z0),
                     [0.0, -ph / c], -12, 12)
    return 1 - alpha * gE * gS / (1 - q) ** 2


@pytest.mark.slow
def test_replicon_against_independent_quadrature():
    alpha, kr, d = 0.6, 0.2, 0.05
    s = fp.local_entropy("binary", alpha, kr, 0.0, d, x0=None)
    th = s.thermo
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        val = _replicon_independent(alpha, th["Q"], th["Qh"], kr, 0.0, th["q"], th["t"],
                                    th["p"], th["qh"], th["th"], th["ph"])
    assert abs(val - th["replicon"]) < 1e-6
    assert 0 < th["replicon"] < 1


# ---------------------------------------------------------------------------------------------
# small distances
# ---------------------------------------------------------------------------------------------


def test_small_distance_constant_closed_form():
    """C = rho0 I against independent quadratures, and the s = 1 energetic term of the
    kernels against 2 C sqrt(d): the ratio tends to 1 as d -> 0."""
    law = fp.small_distance_law(0.5, 0.0)
    Q = law["reference"].Q
    I = integrate.quad(lambda x: special.log_ndtr(x), 0, np.inf, epsabs=1e-14)[0]
    g = lambda z: math.exp(-0.5 * (-math.sqrt(Q) * z) ** 2 / (1 - Q) - special.log_ndtr(
        math.sqrt(Q) * z / math.sqrt(1 - Q))) / math.sqrt(2 * math.pi)
    rho0 = integrate.quad(lambda z: Dn(z) * g(z), -30, 30, epsabs=1e-14, limit=200)[0] \
        / math.sqrt(1 - Q)
    assert abs(law["I"] - I) < 1e-12 and abs(law["rho0"] - rho0) < 1e-11
    assert law["C"] < 0
    dev = [abs(fp.first_moment_energetic(law["reference"], 0.0, d)
               / (2 * law["C"] * math.sqrt(d)) - 1) for d in (1e-4, 1e-6, 1e-8)]
    assert dev[0] > dev[1] > dev[2] and dev[2] < 1e-4
    # the correction is O(sqrt d): the ratio of successive deviations is ~10
    assert 5 < dev[1] / dev[2] < 20


def test_small_d_branch_above_the_margin():
    """kappa_ref > kappa: the RS branch reaches d -> 0 with (1-q)/d -> 4 and S - H2(d) ->
    alpha times the first-moment energetic term (ratio -> 1)."""
    alpha, kr = 0.5, 0.02
    ref = fp.cached_reference("binary", alpha, kr)
    dev = []
    for d in (4e-5, 2e-5):
        pp = 1 - 2 * d
        x0 = np.array([math.log(1 - pp * pp), ref.Q * pp, 0.5 * math.log(1 / d)])
        s = fp.local_entropy("binary", alpha, kr, 0.0, d, x0=x0)
        th = s.thermo
        e1 = alpha * fp.first_moment_energetic(ref, 0.0, d)
        dev.append(abs((th["entropy"] - fp.h2(d)) / e1 - 1))
        assert abs(th["one_minus_q"] / d - 4) < 1e-2
        assert th["replicon"] > 0.99
    assert dev[1] < dev[0] < 0.05


def test_typical_reference_becomes_rs_unstable():
    """kappa_ref = kappa = 0, alpha = 0.5: S < 0 on the RS-stable stretch (isolated reference),
    the replicon changes sign near d = 2e-3 and the constrained replicas freeze ((1-q)/d falls)
    below it."""
    x0 = np.array([-5.12, 0.3226, 5.556])     # near the solution at d = 2e-3 (starting guess)
    a = fp.local_entropy("binary", 0.5, 0.0, 0.0, 3e-3, x0=x0).thermo
    b = fp.local_entropy("binary", 0.5, 0.0, 0.0, 1.5e-3, x0=x0).thermo
    assert a["entropy"] < 0 and a["replicon"] > 0
    assert b["replicon"] < 0
    assert b["one_minus_q"] / 1.5e-3 < a["one_minus_q"] / 3e-3 < 4


@pytest.mark.slow
def test_spherical_max_margin_edge_at_half():
    """Spherical max-margin reference, kappa = 0: every solution has p >= kappa/kappa_max = 0
    (the max-margin vector is a non-negative combination of its support patterns), so the
    volume vanishes at d = 1/2; the RS branch runs into it without a fold: b (1-2d) and
    (1-2d) dS/dd tend to constants, 1 - q and the replicon stay finite, S -> -inf."""
    x = np.array([math.log(0.4608), -24.11])      # starting guess near d = 0.48
    rows = []
    prev = 0.48
    for d in (0.48, 0.49, 0.495, 0.4975):
        x = np.array([x[0], x[1] * (1 - 2 * prev) / (1 - 2 * d)])    # predictor: b ~ 1/(1-2d)
        prev = d
        s = fp.local_entropy("spherical", 1.0, "max", 0.0, d, x0=x)
        x = s.x
        th = s.thermo
        rows.append((d, th["entropy"], th["dS_dd"] * (1 - 2 * d), th["b"] * (1 - 2 * d),
                     th["one_minus_q"], th["replicon"]))
    S = [r[1] for r in rows]
    assert all(a > b for a, b in zip(S, S[1:]))
    for k in (2, 3):
        v = [r[k] for r in rows]
        assert abs(v[-1] - v[-2]) < 0.7 * abs(v[-2] - v[-3])     # converging
        assert abs(v[-1] - v[-2]) < 0.02 * abs(v[-1])
    assert rows[-1][3] < 0 and rows[-1][2] < 0
    assert 0.3 < rows[-1][4] < 0.5 and rows[-1][5] > 0
    # S ~ A ln(1 - 2d): the slope constant
    A = -rows[-1][2] / 2
    assert abs((S[-1] - S[-2]) / math.log((1 - 2 * 0.4975) / (1 - 2 * 0.495)) - A) < 0.03
