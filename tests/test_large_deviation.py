"""Large-deviation local entropy at y = infinity (replica.models.large_deviation)."""

import numpy as np
import pytest

from replica.errors import ReplicaInputError
from replica.models import franz_parisi as fp
from replica.models import get
from replica.models.large_deviation import (Quadrature, free_entropy_inf, h2,
                                            local_entropy_inf, sweep)

ALPHA = 0.6


@pytest.fixture(scope="module")
def free05():
    return local_entropy_inf(ALPHA, 0.05, 0.0, None)


def test_registered_models():
    m = get("ld-binary-free")
    s = m.saddle({"alpha": ALPHA, "d": 0.05})
    assert s.thermo["entropy"] == pytest.approx(
        local_entropy_inf(ALPHA, 0.05, 0.0, None).thermo["entropy"], abs=1e-9)
    assert get("ld-binary").name == "ld-binary"


def test_constrained_and_free_reference_kernels_agree(free05):
    """Two kernels: the 2-D constrained one (reference a solution of margin 0) and the 1-D
    unconstrained one. Where the constraint hardly binds (R ~ 1e-9) they agree, and the
    constrained value is not above the unconstrained one (a max over fewer references)."""
    c = local_entropy_inf(ALPHA, 0.05, 0.0, 0.0)
    assert c.thermo["R"] < 1e-6
    assert c.thermo["entropy"] <= free05.thermo["entropy"] + 1e-10
    assert c.thermo["entropy"] == pytest.approx(free05.thermo["entropy"], abs=1e-8)
    assert c.thermo["q1"] == pytest.approx(free05.thermo["q1"], abs=1e-6)


def test_bounds_h2_and_fixed_margin_references():
    """H2(d) >= S_I(d) >= the Franz-Parisi local entropy around max-margin and margin-0
    references at the same (alpha, d)."""
    grid = [0.01, 0.02, 0.05, 0.1]
    sols, lost = sweep(ALPHA, grid, 0.0, None)
    for kr in ("max", 0.0):
        c = fp.local_entropy_curve("binary", ALPHA, kr, 0.0, grid)
        for s, d, sf, st in zip(sols, grid, c["entropy"], c.status):
            assert s is not None
            S = s.thermo["entropy"]
            assert S <= h2(d) + 1e-12
            assert st == "converged" and S > sf + 1e-4


def test_stationarity_by_finite_differences(free05):
    """The saddle point is stationary in every order parameter of Phi_inf (unconstrained
    reference: q1, delta, ph, qh1, eps), by central differences of the free entropy."""
    th = free05.thermo
    order = {k: th[k] for k in ("q1", "delta", "ph", "qh1", "eps")}
    f = lambda o: free_entropy_inf(o, ALPHA, 0.05, 0.0, None)["free_entropy"]
    assert f(order) == pytest.approx(th["entropy"], abs=1e-13)
    for k in order:
        h = 1e-5 * max(1.0, abs(order[k]))
        up, dn = dict(order), dict(order)
        up[k] += h
        dn[k] -= h
        g = (f(up) - f(dn)) / (2 * h)
        assert abs(g) < 2e-7, (k, g)


def test_stationarity_constrained_reference():
    s = local_entropy_inf(ALPHA, 0.05, 0.0, 0.0)
    th = s.thermo
    order = {k: th[k] for k in ("chi", "b", "q1", "delta", "ph", "R", "tau", "qh1", "eps")}
    f = lambda o: free_entropy_inf(o, ALPHA, 0.05, 0.0, 0.0)["free_entropy"]
    assert f(order) == pytest.approx(th["entropy"], abs=1e-12)
    for k in ("q1", "delta", "ph", "qh1", "eps", "b"):
        h = 1e-5 * max(1.0, abs(order[k]))
        up, dn = dict(order), dict(order)
        up[k] += h
        dn[k] -= h
        g = (f(up) - f(dn)) / (2 * h)
        assert abs(g) < 1e-6, (k, g)


def test_slope_and_thermodynamic_integration():
    """dS_I/dd (= 2 ph for the free reference) against the change of S_I: Simpson's rule on
    the slopes reproduces S_I(d2) - S_I(d1), and a central difference gives the slope."""
    d = np.linspace(0.04, 0.06, 11)
    sols, _ = sweep(ALPHA, d, 0.0, None)
    S = np.array([s.thermo["entropy"] for s in sols])
    sl = np.array([s.thermo["dS_dd"] for s in sols])
    h = d[1] - d[0]
    simpson = h / 3 * (sl[0] + sl[-1] + 4 * sl[1:-1:2].sum() + 2 * sl[2:-1:2].sum())
    assert simpson == pytest.approx(S[-1] - S[0], abs=2e-8)
    fd = (S[6] - S[4]) / (2 * h)
    assert fd == pytest.approx(sl[5], rel=2e-3)


def test_quadrature_converged(free05):
    fine = local_entropy_inf(ALPHA, 0.05, 0.0, None, x0=free05.u, quad=Quadrature.fine())
    assert fine.thermo["entropy"] == pytest.approx(free05.thermo["entropy"], abs=1e-10)
    # constrained reference: the fine rule at the default saddle (Phi is stationary there, so
    # the difference is the quadrature error of the default rule)
    c = local_entropy_inf(ALPHA, 0.05, 0.0, 0.0)
    order = {k: c.thermo[k] for k in ("chi", "b", "q1", "delta", "ph", "R", "tau", "qh1", "eps")}
    fine = free_entropy_inf(order, ALPHA, 0.05, 0.0, 0.0, quad=Quadrature.fine())
    assert fine["free_entropy"] == pytest.approx(c.thermo["entropy"], abs=1e-9)


def test_small_d_tends_to_h2():
    """At small d the densest regions are fully dense: H2(d) - S_I(d) vanishes faster than
    any power (here it falls by orders of magnitude while d halves)."""
    grid = [0.002, 0.001]
    sols, _ = sweep(0.7, grid, 0.0, None, start_d=0.02)
    gaps = [h2(d) - s.thermo["entropy"] for d, s in zip(grid, sols)]
    assert 0 <= gaps[1] < 1e-3 * gaps[0] + 1e-12
    assert gaps[0] < 1e-4 * h2(0.002)


def test_monotonic_below_and_broken_above_threshold():
    from replica.ld_thresholds import min_slope
    lo, hi = min_slope(0.74), min_slope(0.76)
    assert lo["connected"] and lo["min_dS_dd"] > 0.1
    assert not hi["connected"]


def test_bad_input():
    with pytest.raises(ReplicaInputError, match="alpha"):
        local_entropy_inf(-1, 0.1)
    with pytest.raises(ReplicaInputError, match="d"):
        local_entropy_inf(0.5, 0.7)
    with pytest.raises(ReplicaInputError, match="kappa_ref"):
        local_entropy_inf(0.5, 0.1, 0.0, float("nan"))


def test_cli_local_entropy_json(capsys):
    import json

    from replica.cli import main
    rc = main(["local-entropy", "--model", "binary", "--measure", "large-deviation",
               "--free-reference", "--alpha", "0.6", "--d", "0.05", "0.1", "--json"])
    assert rc == 0
    rows = json.loads(capsys.readouterr().out)
    assert len(rows) == 2 and rows[0]["status"] == "converged"
    assert rows[0]["entropy"] == pytest.approx(
        local_entropy_inf(0.6, 0.05, 0.0, None).thermo["entropy"], abs=1e-9)
    rc = main(["local-entropy", "--model", "binary", "--measure", "large-deviation",
               "--y", "2", "--alpha", "0.6", "--d", "0.05"])
    assert rc == 2
