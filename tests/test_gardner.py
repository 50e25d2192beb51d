"""Gardner volume (RS): published numbers, an independent mpmath path, stationarity, limits,
agreement between solver methods, bad input, and a property-based sweep."""
import math
import subprocess
import sys
import json

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st, HealthCheck

import mp_gardner
from replica.errors import ConvergenceError, ReplicaInputError
from replica.testing import assert_fixed_point, assert_matches_reference, assert_stationary
from replica.models.gardner import (capacity, capacity_from_saddle, capacity_spherical_closed_form,
                                    energetic_integrals, free_entropy, gardner, kappa_max)


# --- published numbers (docs/THEORY.md §6) ----------------------------------------------------------

@pytest.mark.parametrize("kappa,alpha_c", [(-1, 13.2732), (-0.5, 4.770099), (0, 2.0),
                                           (0.5, 0.961205), (1, 0.519572)])
def test_spherical_capacity_closed_form_and_saddle(kappa, alpha_c):
    # Gardner 1988 closed form; published digits
    assert abs(capacity("spherical", kappa) - alpha_c) < 1e-6 * alpha_c + 5e-5
    # the q -> 1 limit of the saddle point, by quadrature (no closed form), O(1-q) accurate
    assert abs(capacity_from_saddle(kappa, 1e-10) / capacity_spherical_closed_form(kappa) - 1) < 1e-8


def test_spherical_capacity_far_negative_margin_no_cancellation():
    # int_{-k}^inf Dt (t+k)^2 by mpmath at kappa = -6
    import mpmath as mp
    k = -6
    ref = 1 / mp.quad(lambda t: mp.npdf(t) * (t + k) ** 2, [-k, mp.inf])
    assert abs(capacity("spherical", k) / float(ref) - 1) < 1e-12


def test_binary_capacity_krauth_mezard():
    a = capacity("binary", 0.0)
    assert_matches_reference(a, "binary.alpha_c.kappa=0")  # Krauth & Mezard 1989
    assert round(a, 4) == 0.8331
    assert 0.833078599 - 2e-9 <= a <= 0.833078600 + 2e-9  # certified interval (docs/THEORY.md §6)


@pytest.mark.parametrize("alpha,kmax", [(1.0, 0.47066), (0.5, 1.0343), (1.5, 0.1861)])
def test_spherical_kappa_max(alpha, kmax):
    assert abs(kappa_max("spherical", alpha) - kmax) < 6e-5
    assert abs(capacity("spherical", kappa_max("spherical", alpha)) - alpha) < 1e-10


def test_binary_kappa_max_is_zero_of_entropy_and_inverse_of_capacity():
    k = kappa_max("binary", 0.5)
    assert abs(gardner("binary", 0.5, k, allow_negative_entropy=True).entropy) < 1e-10
    assert abs(capacity("binary", k) - 0.5) < 1e-8
    assert abs(kappa_max("binary", capacity("binary", 0.0))) < 1e-8


# --- independent high-precision path -----------------------------------------------------------

SPHERICAL_POINTS = [(0.5, 0.0), (1.0, 0.3), (1.95, 0.0), (3.0, -0.5), (0.05, 1.5)]


@pytest.mark.parametrize("alpha,kappa", SPHERICAL_POINTS)
def test_spherical_against_mpmath(alpha, kappa):
    sol = gardner("spherical", alpha, kappa)
    q, s, rep = mp_gardner.spherical(alpha, kappa, sol.q)
    assert abs(sol.q - q) < 1e-11
    assert abs(sol.entropy - s) < 1e-9
    assert abs(sol.replicon - rep) < 1e-9


@pytest.mark.parametrize("alpha,kappa", [(0.5, 0.0), (0.8, 0.0), (0.3, 0.5), (1.5, -0.8)])
def test_binary_against_mpmath(alpha, kappa):
    sol = gardner("binary", alpha, kappa, allow_negative_entropy=True)
    q, qh, s = mp_gardner.binary(alpha, kappa, sol.q, sol.qh)
    assert abs(sol.q - q) < 1e-11 and abs(sol.qh / qh - 1) < 1e-10
    assert abs(sol.entropy - s) < 1e-9


def test_near_capacity_q_close_to_one_spherical():
    # 1 - q ~ 1e-4: the regime where naive quadrature of E(q) fails
    sol = gardner("spherical", 1.9995, 0.0)
    assert sol.one_minus_q < 1e-3
    q, s, rep = mp_gardner.spherical(1.9995, 0.0, sol.q, dps=35)
    assert abs(sol.entropy - s) < 1e-9
    assert abs(sol.replicon - rep) < 1e-9
    # replicon -> 1 - alpha Phi(kappa) as q -> 1
    assert abs(sol.replicon - (1 - 1.9995 / 2)) < 0.02


# --- stationarity and solver agreement ---------------------------------------------------------

def _grad(f, x, h=1e-6):
    x = np.asarray(x, float)
    g = []
    for i in range(x.size):
        e = np.zeros_like(x)
        e[i] = h
        g.append((f(x + e) - f(x - e)) / (2 * h))
    return np.array(g)


@pytest.mark.parametrize("model,alpha,kappa", [("spherical", 1.0, 0.0), ("spherical", 3.0, -0.5),
                                               ("binary", 0.6, 0.0), ("binary", 0.4, 0.3)])
def test_equations_are_stationary_points_of_the_free_entropy(model, alpha, kappa):
    sol = gardner(model, alpha, kappa)
    if model == "spherical":
        f = lambda x: free_entropy(model, alpha, kappa, x[0])["entropy"]
    else:
        f = lambda x: free_entropy(model, alpha, kappa, x[0], x[1])["entropy"]
    assert_stationary(f, sol.x, names=list(sol.order), atol=1e-8)
    # and not stationary a little away from the solution
    with pytest.raises(AssertionError):
        assert_stationary(f, sol.x * 1.01, names=list(sol.order), atol=1e-8)
    # the free entropy at the saddle equals the reported entropy
    assert abs(f(sol.x) - sol.entropy) < 1e-11


def test_dE_dq_identity():
    # dE/dq = -J/(2(1-q)^2)  (Gaussian integration by parts)
    q, kappa, h = 0.7, 0.4, 1e-6
    d = (energetic_integrals(q + h, kappa)["E"] - energetic_integrals(q - h, kappa)["E"]) / (2 * h)
    J = energetic_integrals(q, kappa)["J"]
    assert abs(d + J / (2 * (1 - q) ** 2)) < 1e-7


@pytest.mark.parametrize("model,alpha,kappa", [("spherical", 1.2, 0.2), ("binary", 0.7, 0.0)])
def test_iteration_newton_hybrid_and_bracket_agree(model, alpha, kappa):
    ref = gardner(model, alpha, kappa)
    for method, opts in [("iterate", {"mixing": 0.5}), ("newton", {}), ("hybrid", {})]:
        x0 = np.array([0.1] if model == "spherical" else [0.1, 0.2])
        sol = gardner(model, alpha, kappa, method=method, x0=x0, tol=1e-11, **opts)
        assert np.allclose(sol.x, ref.x, rtol=1e-9, atol=1e-10), (method, sol.x, ref.x)
        assert_fixed_point(__import__("replica.models.gardner", fromlist=["x"]).fixed_point_map(
            model, alpha, kappa), ref.x, tol=1e-12, names=list(ref.order))
        assert abs(sol.entropy - ref.entropy) < 1e-10


def test_damped_iteration_judged_on_undamped_residual():
    with pytest.raises(ConvergenceError) as info:
        gardner("binary", 0.7, 0.0, method="iterate", x0=[0.1, 0.2], mixing=1e-3, max_iter=50)
    err = info.value
    assert err.iterations == 50 and err.residual is not None and "alpha=0.7" in str(err)


# --- limits and bounds -------------------------------------------------------------------------

@pytest.mark.parametrize("kappa", [-1.0, 0.0, 0.7])
def test_small_alpha_limit(kappa):
    # s(alpha) = s(0) + alpha ln H(kappa) + O(alpha^2): every solution satisfies one pattern with
    # probability H(kappa) when the weights are uniform
    from replica.gauss import log_H
    for model, s0 in [("binary", math.log(2)), ("spherical", 0.0)]:
        assert gardner(model, 0.0, kappa).entropy == pytest.approx(s0, abs=1e-15)
        a = 1e-4
        slope = (gardner(model, a, kappa).entropy - s0) / a
        assert abs(slope - log_H(kappa)) < 5e-3 * max(1, abs(log_H(kappa)))


def test_annealed_bound_and_monotonicity():
    from replica.gauss import log_H
    for kappa in [-0.5, 0.0, 0.3]:
        prev = None
        for alpha in [0.1, 0.3, 0.5, 0.7]:
            s = gardner("binary", alpha, kappa, allow_negative_entropy=True).entropy
            assert s <= math.log(2) + alpha * log_H(kappa) + 1e-12
            if prev is not None:
                assert s < prev
            prev = s
    for model in ["binary", "spherical"]:
        s = [gardner(model, 0.4, k, allow_negative_entropy=True).entropy for k in [-1, -0.5, 0, 0.5]]
        assert np.all(np.diff(s) < 0)


# --- bad input --------------------------------------------------------------------------------

def test_bad_input_api():
    with pytest.raises(ReplicaInputError, match="alpha"):
        gardner("binary", -0.1, 0.0)
    with pytest.raises(ReplicaInputError, match="model"):
        gardner("ising", 0.5, 0.0)
    with pytest.raises(ReplicaInputError, match="capacity"):
        gardner("spherical", 2.5, 0.0)
    with pytest.raises(ReplicaInputError, match="kappa_max"):
        gardner("binary", 0.5, 0.6)
    with pytest.raises(ReplicaInputError, match="kappa"):
        gardner("binary", 0.5, float("nan"))
    with pytest.raises(ReplicaInputError):
        kappa_max("spherical", 0.0)
    with pytest.raises(ConvergenceError):
        gardner("binary", 1.5, 0.0, allow_negative_entropy=True)  # beyond the RS spinodal


def _cli(capsys, *args):
    from replica.cli import main
    try:
        rc = main(list(args))
    except SystemExit as exc:  # argparse errors
        rc = exc.code
    out = capsys.readouterr()
    return rc, out.out, out.err


def test_cli_entry_point_subprocess():
    r = subprocess.run([sys.executable, "-m", "replica", "capacity", "--model", "spherical",
                        "--kappa", "0", "--json"], capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout)["alpha_c"] == 2.0


def test_cli_json_and_errors(capsys):
    rc, out, err = _cli(capsys, "gardner", "--model", "spherical", "--alpha", "1", "--kappa", "0",
                        "--json")
    assert rc == 0, err
    out = json.loads(out)
    assert {"entropy", "q", "replicon", "status"} <= set(out)
    assert out["status"] == "converged" and abs(out["q"] - gardner("spherical", 1, 0).q) < 1e-14
    rc, out, err = _cli(capsys, "kappa-max", "--model", "spherical", "--alpha", "1", "--json")
    assert abs(json.loads(out)["kappa_max"] - 0.47066) < 1e-5
    rc, out, err = _cli(capsys, "gardner", "--model", "binary", "--alpha", "0.5")
    assert rc == 0 and "entropy" in out and "{" not in out  # readable table
    for bad in (["gardner", "--model", "binary", "--alpha", "-1"],
                ["gardner", "--model", "potts", "--alpha", "1"],
                ["gardner", "--model", "spherical", "--alpha", "1", "--kappa", "3"],
                ["gardner", "--model", "binary", "--alpha", "0.5", "--kappa", "0.6"],
                ["gardner", "--model", "spherical", "--alpha", "abc"],
                ["capacity", "--model", "x"]):
        rc, out, err = _cli(capsys, *bad)
        assert rc == 2, bad
        assert err.count("\n") == 1 and "Traceback" not in err, err
        assert "nan" not in out.lower()


# --- property-based ---------------------------------------------------------------------------

@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(model=st.sampled_from(["binary", "spherical"]),
       kappa=st.floats(-3, 3), frac=st.floats(1e-3, 0.999))
def test_property_finite_or_loud(model, kappa, frac):
    alpha = frac * capacity_spherical_closed_form(kappa)
    try:
        sol = gardner(model, alpha, kappa)
    except (ConvergenceError, ReplicaInputError):
        return
    assert sol.status == "converged"
    vals = list(sol.order.values()) + list(sol.thermo.values())
    assert all(np.isfinite(v) for v in vals)
    assert 0 <= sol.q < 1 and sol.residual_norm < 1e-10


@pytest.mark.parametrize("kappa", [-3.0, 1.5, 2.5, 3.0])
def test_binary_capacity_over_the_whole_margin_range(kappa):
    # s vanishes at alpha_c; the annealed bound alpha_c <= ln 2 / -ln H(kappa) and the spherical
    # capacity (binary weights lie on the sphere) bound it from above
    from replica.gauss import log_H
    a = capacity("binary", kappa)
    assert abs(gardner("binary", a, kappa, allow_negative_entropy=True).entropy) < 1e-10
    assert a <= math.log(2) / -log_H(kappa) + 1e-12
    assert a < capacity("spherical", kappa)
    assert abs(kappa_max("binary", a) - kappa) < 1e-8


@pytest.mark.parametrize("alpha", [1e-3, 10.0])
def test_binary_kappa_max_far_from_kappa_zero(alpha):
    k = kappa_max("binary", alpha)
    assert abs(capacity("binary", k) - alpha) < 1e-9 * max(1, alpha)
    assert k < kappa_max("spherical", alpha)


@pytest.mark.parametrize("kappa", [-1.0, 0.0, 0.5, 2.0])
def test_newton_derivatives_match_finite_differences(kappa):
    """The derivatives the Halley/Newton solves use come from the integrand pass (dJ/dv and
    d2J/dv2: closed-form A terms and the regularised brackets; binary dS2/dqh = 2 S2 - 3 S4,
    dS4/dqh = 8 S4 - 10 S6): central differences agree."""
    from replica.models import gardner as gm
    for v in (0.8, 0.3, 0.02, 1e-3):
        J = lambda v: (lambda r: r[3] + v * r[1])(gm._energetic_pass(v, kappa, gm._XG, gm._WG))
        h = 1e-5 * v
        fd = (J(v + h) - J(v - h)) / (2 * h)
        assert abs(gm._energetic_pass(v, kappa, gm._XG, gm._WG)[4] - fd) < 1e-6 * max(1, abs(fd))
        for binary, alpha in ((True, 0.6), (False, 1.2)):
            g = lambda lv: gm._residual_pass(binary, alpha, kappa, math.exp(lv), gm._XG, gm._WG)[0]
            lv, hl = math.log(v), 1e-5
            fdg = (g(lv + hl) - g(lv - hl)) / (2 * hl)
            r = gm._residual_pass(binary, alpha, kappa, v, gm._XG, gm._WG)
            assert abs(r[1] - fdg) < 1e-6 * max(1, abs(fdg)), (binary, v)
            # second derivative (Halley's step) against differences of the first
            d1 = lambda lv: gm._residual_pass(binary, alpha, kappa, math.exp(lv), gm._XG,
                                              gm._WG)[1]
            fd2 = (d1(lv + 1e-4) - d1(lv - 1e-4)) / 2e-4
            assert abs(r[10] - fd2) < 1e-6 * max(1, abs(fd2)) or (binary and r[6] >= 1e4 and
                                                                  math.isnan(r[10])), (binary, v)


@pytest.mark.parametrize("model, alpha, kappa", [("spherical", 1.0, 0.0), ("spherical", 1.99, 0.0),
                                                 ("spherical", 3.0, -0.5), ("binary", 0.5, 0.0),
                                                 ("binary", 0.8, 0.3), ("binary", 0.3, -1.0)])
def test_newton_paths_agree_with_brent(model, alpha, kappa):
    """The compiled Newton solves (cold: grid + safeguarded Newton; warm: from a neighbour) find
    the root Brent's method finds on the same residual (to its conditioning: near the binary
    spinodal, 0.8 at kappa = 0.3, the residual is flat and |g| < 4e-15 fixes v to ~1e-10)."""
    from replica.models import gardner as gm
    v_brent = gm._solve_v(gm._residual_v(model, alpha, kappa), None, model, {}, tol=gm._TOL_FLOOR)
    v_cold = gm._fast_solve(model, alpha, kappa)
    v_warm = gm._fast_solve(model, alpha, kappa, v_start=min(0.999, 1.02 * v_brent))
    for v in (v_cold, v_warm):
        assert v is not None and abs(v / v_brent - 1) < 1e-9
