"""The spherical 1RSB jamming line at very negative kappa (issue 15): the stationary point of
-A/B is the global minimum and its value is checked by an independent quadrature; the line lies
between the AT line and the RS capacity down to kappa = -2 and crosses the AT line near
kappa = -2.87, where it is flagged (``below_at``): the 1RSB branch then folds back and its
q1 -> 1 part, with a static m and a free entropy below RS, exists below alpha_AT."""
from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import integrate, special

from replica.models.rsb1_spherical import RSB1_SPHERICAL, jamming_terms
from replica.rsb1_thresholds import alpha_c_1rsb


def _B_quad(q0, mu, kappa):
    """(1/mu) int Dz0 ln int Dz1 exp(-(mu/2)(kappa - sqrt(q0) z0 - sqrt(1-q0) z1)_+^2) by
    nested adaptive quadrature (inner integral NOT in closed form)."""
    s = math.sqrt(1.0 - q0)

    def inner(c):
        f = lambda z1: math.exp(-0.5 * z1 * z1 - 0.5 * mu * (c - s * z1) ** 2) / math.sqrt(
            2 * math.pi)
        lo = integrate.quad(f, -14.0, c / s, epsabs=0, epsrel=1e-12, limit=200)[0]
        return math.log(lo + 0.5 * special.erfc(c / s / math.sqrt(2.0)))

    g = lambda z0: math.exp(-0.5 * z0 * z0) / math.sqrt(2 * math.pi) * inner(
        kappa - math.sqrt(q0) * z0)
    return integrate.quad(g, -12.0, 12.0, points=[kappa / math.sqrt(q0)], epsabs=0,
                          epsrel=1e-12, limit=400)[0] / mu


@pytest.fixture(scope="module")
def jam_m3():
    return alpha_c_1rsb(-3.0)


def test_kappa_m3_value_against_independent_quadrature(jam_m3):
    r = jam_m3
    A, B = jamming_terms(r["q0"], r["mu"], -3.0)
    Bq = _B_quad(r["q0"], r["mu"], -3.0)
    assert B == pytest.approx(Bq, rel=1e-9)
    assert r["alpha"] == pytest.approx(-A / Bq, rel=1e-9)


def test_kappa_m3_minimum_is_global(jam_m3):
    # no other stationary point: the minimum over a (q0, mu) grid is not below the result
    vals = [-np.divide(*jamming_terms(q0, mu, -3.0))
            for q0 in np.linspace(0.0, 0.9, 10) for mu in np.geomspace(0.05, 5e3, 15)]
    assert jam_m3["alpha"] <= min(vals) * (1 + 1e-9)
    assert min(vals) < 1.01 * jam_m3["alpha"]


@pytest.mark.parametrize("kappa", [-0.5, -1.0, pytest.param(-2.0, marks=pytest.mark.slow)])
def test_between_at_and_rs_where_valid(kappa):
    r = alpha_c_1rsb(kappa)
    assert r["alpha_at"] < r["alpha"] < r["alpha_rs"]
    assert not r["below_at"] and not r["rs"]


def test_kappa_m3_below_at_is_flagged(jam_m3):
    r = jam_m3
    assert r["alpha"] < r["alpha_at"] < r["alpha_rs"]
    assert r["below_at"]
    assert r["alpha_at"] == pytest.approx(3087.00576, rel=1e-6)  # at_alpha(-3) (bracketing)


def test_kappa_m3_upper_branch_exists_below_at(jam_m3):
    # finite-m 1RSB solutions with q1 near 1 and q0 near 0 below alpha_AT (the part of the
    # branch beyond its two folds, theory notebook rsb1_derivation §7b)
    alpha = 0.5 * (jam_m3["alpha"] + jam_m3["alpha_at"])
    p = {"alpha": alpha, "kappa": -3.0, "m": 0.06}
    sol = RSB1_SPHERICAL.saddle(p, x0=np.array([0.03, 0.969]))
    assert np.max(np.abs(sol.residual)) < 1e-9
    assert sol.order["q1"] > 0.99 and sol.order["q0"] < 0.1


def test_kappa_m3_static_1rsb_below_at_beats_rs():
    # alpha = 2400 < alpha_c^1RSB < alpha_AT at kappa = -3: on that upper part the
    # complexity changes sign between m = 0.06 and m = 0.14 (a static m < 1) and the 1RSB free
    # entropy there is below the RS one (a discontinuous transition, not a numerical artefact)
    from scipy.optimize import brentq

    from replica.models import gardner
    from replica.models.rsb1 import energetic_terms

    alpha, kappa = 2400.0, -3.0
    x = np.array([0.0226, 0.976])
    th = {}
    for m in (0.06, 0.10, 0.14):
        sol = RSB1_SPHERICAL.saddle({"alpha": alpha, "kappa": kappa, "m": m}, x0=x)
        x, th[m] = sol.u, sol.thermo
        assert sol.order["q1"] > 0.99
    assert th[0.06]["complexity"] > 0 > th[0.14]["complexity"]
    q = brentq(lambda q: q / ((1 - q) ** 2 * energetic_terms("margin", q, q, 1.0, kappa)["Q0"])
               - alpha, 0.01, 0.2)
    s_rs = gardner.free_entropy("spherical", alpha, kappa, q)["entropy"]
    assert max(t["free_entropy"] for t in th.values()) < s_rs - 0.5


def test_kappa_m3_jamming_is_the_end_of_the_static_branch(jam_m3):
    # close to alpha_c^1RSB the static m (zero complexity) of that branch tends to 0 with
    # mu = m/(1 - q1) and q0 tending to the stationary point of -A/B
    alpha = jam_m3["alpha"] - 11.0
    x, sig = np.array([0.0226, 0.976]), {}
    for m in (0.06, 0.04, 0.025, 0.015, 0.011, 0.006):
        sol = RSB1_SPHERICAL.saddle({"alpha": alpha, "kappa": -3.0, "m": m}, x0=x)
        x, sig[m] = sol.u, sol.thermo["complexity"]
        if m == 0.011:
            near = sol.order
    assert sig[0.011] < 0 < sig[0.006]
    assert near["q0"] == pytest.approx(jam_m3["q0"], abs=1e-3)
    assert 0.011 / (1 - near["q1"]) == pytest.approx(jam_m3["mu"], rel=0.1)
