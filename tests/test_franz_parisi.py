"""Franz–Parisi local entropy: closed-form limits, the typical point, bounds, first order in
alpha, derivatives against finite differences, and the spherical max-margin limit."""
import math

import numpy as np
import pytest
from scipy import integrate, special

from replica.models import franz_parisi as fp
from replica.models.fp_kernels import energetic_terms
from replica.models.gardner import gardner, kappa_max


def _lnH(x):
    return special.log_ndtr(-x)


# ---------------------------------------------------------------------------------------------
# typical point: S = Gardner entropy, dS/dd = 0, ph = 0, all conjugates = Qh
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("model, alpha, kappa", [("binary", 0.6, 0.1), ("binary", 0.3, 0.0),
                                                 ("spherical", 1.0, 0.2),
                                                 ("spherical", 3.0, -0.5)])
def test_typical_point_is_gardner(model, alpha, kappa):
    g = gardner(model, alpha, kappa)
    dstar = (1 - g.q) / 2
    s = fp.local_entropy(model, alpha, kappa, kappa, dstar)
    th = s.thermo
    assert abs(th["entropy"] - g.entropy) < 1e-9
    assert abs(th["dS_dd"]) < 1e-8
    assert abs(th["ph"]) < 1e-8
    Qh = g.qh if model == "binary" else g.q / (1 - g.q) ** 2
    assert abs(th["qh"] - Qh) < 1e-8 * max(1, Qh)
    assert abs(th["th"] - Qh) < 1e-8 * max(1, Qh)
    assert abs(th["q"] - g.q) < 1e-10 and abs(th["t"] - g.q) < 1e-10


# ---------------------------------------------------------------------------------------------
# bounds along a curve (binary)
# ---------------------------------------------------------------------------------------------


def test_binary_bounds_and_slope_on_curve():
    alpha = 0.6
    d = np.array([1e-3, 0.01, 0.05, 0.15, 0.3, 0.45])
    c = fp.local_entropy_curve("binary", alpha, "max", 0.0, d)
    assert all(st == "converged" for st in c.status)
    S = c["entropy"]
    s0 = gardner("binary", alpha, 0.0).entropy
    assert np.all(S <= fp.h2(d) + 1e-12)
    assert np.all(S <= s0 + 1e-10)
    # near the max-margin reference S is almost H2 (PRL 2021)
    assert abs(S[0] - fp.h2(1e-3)) < 1e-4 * fp.h2(1e-3) * 10
    # dS/dd agrees with a central difference of S(d) at d = 0.05 (two extra saddle points)
    i = 2
    h = 1e-4
    x0 = c.solutions[i].x
    sp = fp.local_entropy("binary", alpha, "max", 0.0, d[i] + h, x0=x0).entropy
    sm = fp.local_entropy("binary", alpha, "max", 0.0, d[i] - h, x0=x0).entropy
    assert abs((sp - sm) / (2 * h) - c["dS_dd"][i]) < 1e-6


# ---------------------------------------------------------------------------------------------
# alpha -> 0 and first order in alpha
# ---------------------------------------------------------------------------------------------


def _first_order(kappa_ref, kappa, p):
    """dS/dalpha at alpha = 0 = int_{kappa_ref}^inf Dy / H(kappa_ref) ln H((kappa-p y)/sqrt(1-p^2))."""
    f = lambda y: math.exp(-0.5 * y * y) / math.sqrt(2 * math.pi) * _lnH(
        (kappa - p * y) / math.sqrt(1 - p * p))
    val = integrate.quad(f, kappa_ref, np.inf, epsabs=1e-14, epsrel=1e-13)[0]
    return val / math.exp(_lnH(kappa_ref))


@pytest.mark.parametrize("model, kappa_ref, kappa, d", [("binary", 0.5, 0.0, 0.1),
                                                        ("spherical", 0.5, 0.0, 0.1),
                                                        ("spherical", 0.0, -0.5, 0.2)])
def test_small_alpha_limit_and_first_order(model, kappa_ref, kappa, d):
    p = 1 - 2 * d
    S0 = fp.h2(d) if model == "binary" else 0.5 * math.log(1 - p * p)
    a1, a2 = 1e-3, 2e-3
    s1 = fp.local_entropy_curve(model, a1, kappa_ref, kappa, [d])["entropy"][0]
    s2 = fp.local_entropy_curve(model, a2, kappa_ref, kappa, [d])["entropy"][0]
    assert abs(s1 - S0) < 10 * a1            # alpha -> 0 limit
    slope = 2 * (s1 - S0) / a1 - (s2 - S0) / a2   # Richardson: O(alpha^2) removed
    assert abs(slope - _first_order(kappa_ref, kappa, p)) < 2e-3 * abs(slope) + 1e-5


# ---------------------------------------------------------------------------------------------
# derivatives of the energetic term (kernel) against finite differences
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("Q, kr, k, q, t, p", [(0.4, 0.0, 0.0, 0.85, 0.39, 0.9),
                                               (0.85, 0.25, 0.0, 0.97, 0.84, 0.98),
                                               (0.6, -0.3, -0.5, 0.7, 0.5, 0.75)])
def test_energetic_derivatives(Q, kr, k, q, t, p):
    xg, wg, base = fp.Quadrature(12, 2.0).rule()
    E = lambda q_, t_, p_: energetic_terms(Q, kr, k, 1 - q_, t_, p_, xg, wg, base)
    e = E(q, t, p)
    assert e[4] > 0  # physical point
    h = 1e-5
    fd = [(E(q + h, t, p)[0] - E(q - h, t, p)[0]) / (2 * h),
          (E(q, t + h, p)[0] - E(q, t - h, p)[0]) / (2 * h),
          (E(q, t, p + h)[0] - E(q, t, p - h)[0]) / (2 * h)]
    assert np.allclose(e[1:4], fd, atol=2e-7, rtol=1e-7)


def test_rho_reduction_against_three_variable_integral():
    """For one z0: int dw rho(w) f(sigma w) = (1/H(a)) int_{y>a} Dy int Dz1 f(B y + C z1)."""
    from replica.testing.refs.franz_parisi import independent_energetic  # noqa: F401
    Q, kr, k, q, t, p = 0.5, 0.1, 0.0, 0.9, 0.45, 0.92
    sQ, s1Q = math.sqrt(Q), math.sqrt(1 - Q)
    A, B = t / sQ, (p - t) / s1Q
    C = math.sqrt(q - t * t / Q - (p - t) ** 2 / (1 - Q))
    sig = math.hypot(B, C)
    s = math.sqrt(1 - q)
    z0 = -0.7
    a = (kr - sQ * z0) / s1Q
    f = lambda m: _lnH((k - A * z0 - m) / s)
    Dn = lambda x: math.exp(-0.5 * x * x) / math.sqrt(2 * math.pi)
    rho = lambda w: Dn(w) * math.exp(_lnH((a * sig - B * w) / C) - _lnH(a))
    one = integrate.quad(lambda w: rho(w) * f(sig * w), -np.inf, np.inf, epsabs=1e-13)[0]
    two = integrate.dblquad(lambda z1, y: Dn(y) * Dn(z1) * f(B * y + C * z1), a, np.inf,
                            -np.inf, np.inf, epsabs=1e-12)[0] / math.exp(_lnH(a))
    assert abs(one - two) < 1e-9


# ---------------------------------------------------------------------------------------------
# stationarity: the saddle point is stationary for the free entropy (finite differences)
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("model, alpha, kr, k, d", [("binary", 0.6, 0.2, 0.0, 0.05),
                                                    ("spherical", 1.0, 0.2, 0.0, 0.08),
                                                    ("spherical", 1.0, "max", 0.0, 0.05)])
def test_stationarity_finite_differences(model, alpha, kr, k, d):
    c = fp.local_entropy_curve(model, alpha, kr, k, [d])
    s = c.solutions[0]
    th = s.thermo
    ref = c.reference
    if model == "binary":
        names = ["q", "t", "qh", "th", "ph"]
    elif ref.is_max:
        names = ["q", "b"]
    else:
        names = ["q", "t"]
    order = {n: th[n] for n in names}
    quad = fp.Quadrature(12, 2.0)
    base = fp.free_entropy(model, alpha, kr, k, d, order, quad=quad, ref=ref)
    assert abs(base["entropy"] - th["entropy"]) < 1e-10
    for n in names:
        h = 1e-5 * max(1.0, abs(order[n]))
        up = dict(order, **{n: order[n] + h})
        dn = dict(order, **{n: order[n] - h})
        g = (fp.free_entropy(model, alpha, kr, k, d, up, quad=quad, ref=ref)["entropy"]
             - fp.free_entropy(model, alpha, kr, k, d, dn, quad=quad, ref=ref)["entropy"]) / (2 * h)
        assert abs(g) < 1e-6, (n, g)
    # dPhi/dp at the saddle equals dS/dp
    assert abs(base["dPhi_dp"] - th["dS_dp"]) < 1e-9


# ---------------------------------------------------------------------------------------------
# spherical: the max-margin (Q -> 1) formula is the limit of the finite-Q one; max_d S = Gardner
# ---------------------------------------------------------------------------------------------


def test_spherical_max_margin_is_limit_of_finite_Q():
    alpha = 1.0
    km = kappa_max("spherical", alpha)
    d = [0.05]
    cmax = fp.local_entropy_curve("spherical", alpha, "max", 0.0, d)
    prev = None
    for eps in (1e-2, 3e-3):
        c = fp.local_entropy_curve("spherical", alpha, km - eps, 0.0, d)
        diff = np.max(np.abs(c["entropy"] - cmax["entropy"]))
        if prev is not None:
            assert diff < prev      # converges as kappa_ref -> kappa_max
        prev = diff
    assert prev < 0.05


def test_spherical_max_margin_maximum_is_gardner_entropy():
    """Around the max-margin reference, max_d S(d) at kappa < kappa_max is the Gardner entropy
    at kappa (b = 0 there: the counted solutions are typical)."""
    alpha, kappa = 1.0, 0.0
    row = fp.legendre("spherical", alpha, "max", kappa, [0.0],
                      d_grid=np.linspace(0.08, 0.2, 7))[0]
    assert row["status"] == "converged"
    assert abs(row["Phi"] - gardner("spherical", alpha, kappa).entropy) < 1e-8


def test_legendre_gamma_zero_typical_is_gardner():
    alpha, kappa = 0.6, 0.0
    g = gardner("binary", alpha, kappa)
    dstar = (1 - g.q) / 2
    row = fp.legendre("binary", alpha, kappa, kappa, [0.0],
                      d_grid=[dstar - 0.02, dstar - 0.01, dstar + 0.01])[0]
    assert abs(row["Phi"] - g.entropy) < 1e-9
    assert abs(row["d"] - dstar) < 1e-5


# ---------------------------------------------------------------------------------------------
# input errors
# ---------------------------------------------------------------------------------------------


def test_bad_input():
    from replica.errors import ReplicaInputError
    with pytest.raises(ReplicaInputError, match="d"):
        fp.local_entropy("binary", 0.6, 0.0, 0.0, 0.6)
    with pytest.raises(ReplicaInputError, match="alpha"):
        fp.local_entropy("binary", -0.1, 0.0, 0.0, 0.1)
    with pytest.raises(ReplicaInputError, match="kappa_ref"):
        fp.local_entropy("binary", 0.6, 1.0, 0.0, 0.1)
    with pytest.raises(ReplicaInputError, match="model"):
        fp.local_entropy("ising", 0.6, 0.0, 0.0, 0.1)


# ---------------------------------------------------------------------------------------------
# CLI
# ---------------------------------------------------------------------------------------------


def test_cli_keys_and_errors(capsys):
    import json

    from replica.cli import main
    rc = main(["local-entropy", "--model", "binary", "--alpha", "0.6", "--kappa-ref", "max",
               "--kappa", "0", "--d", "0.01", "0.05", "--json"])
    assert rc in (0, None)
    rows = json.loads(capsys.readouterr().out)
    assert [r["d"] for r in rows] == [0.01, 0.05]
    for r in rows:
        assert r["status"] == "converged"
        for k in ("entropy", "q", "t", "p", "qh", "th", "ph", "dS_dd"):
            assert isinstance(r[k], float)
        assert r["entropy"] <= fp.h2(r["d"])
    rc = main(["local-entropy", "--model", "binary", "--alpha", "0.6", "--kappa-ref", "0",
               "--kappa", "0", "--d", "0.7", "--json"])
    err = capsys.readouterr().err
    assert rc == 2 and "d must be" in err and len(err.strip().splitlines()) == 1
    rc = main(["local-entropy", "--model", "binary", "--alpha", "0.6", "--kappa-ref", "0.5",
               "--kappa", "0", "--d", "0.1"])
    err = capsys.readouterr().err
    assert rc == 2 and "kappa_ref" in err


# ---------------------------------------------------------------------------------------------
# shape of S(d) around the max-margin reference across alpha (PRL 2021, Fig. 2)
# ---------------------------------------------------------------------------------------------


def test_maxmargin_becomes_nonmonotonic_between_072_and_074():
    d = np.geomspace(0.0015, 0.012, 12)
    lo = fp.shape_summary("binary", 0.72, "max", 0.0, d)
    hi = fp.shape_summary("binary", 0.74, "max", 0.0, d)
    assert lo["n_failed"] == 0 and hi["n_failed"] == 0
    assert lo["min_dS_dd"] > 0.1 and hi["min_dS_dd"] < -0.1
    assert lo["min_S"] > 0 and hi["min_S"] > 0      # still positive: no isolated shell yet


