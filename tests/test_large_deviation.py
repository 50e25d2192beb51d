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


def test_slope_and_thermodynamic_integration_constrained():
    """Reference a solution of margin 0, where the constraint binds (alpha = 0.7, R > 0): the slope
    dS_I/dd = 2 ph - 2 alpha dGE/dp (energetic p-derivative by Stein's lemma) integrates to the
    change of S_I (Simpson, 5 points) and matches a central difference."""
    d = np.linspace(0.045, 0.055, 5)
    sols, _ = sweep(0.7, d, 0.0, 0.0)
    assert sols[2].thermo["R"] > 1e-6
    S = np.array([s.thermo["entropy"] for s in sols])
    sl = np.array([s.thermo["dS_dd"] for s in sols])
    h = d[1] - d[0]
    simpson = h / 3 * (sl[0] + sl[-1] + 4 * (sl[1] + sl[3]) + 2 * sl[2])
    assert simpson == pytest.approx(S[-1] - S[0], abs=1e-8)
    assert (S[3] - S[1]) / (2 * h) == pytest.approx(sl[2], rel=2e-3)


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
    for bad in (["--y", "-1"], ["--y", "abc"], ["--y", "0", "--free-reference"],
                ["--kappa-ref", "max"], ["--kappa-ref", "0", "--free-reference"]):
        rc = main(["local-entropy", "--model", "binary", "--measure", "large-deviation",
                   "--alpha", "0.6", "--d", "0.05"] + bad)
        assert rc == 2, bad
    assert main(["local-entropy", "--model", "binary", "--alpha", "0.6", "--kappa-ref", "0",
                 "--d", "0.05", "--y", "2"]) == 2          # --y needs the large-deviation measure
    for bad in (["--alpha-range", "0.8", "0.7"], ["--xtol", "-1"], ["--alpha", "0.7"]):
        rc = main(["threshold", "nonmonotonic", "--model", "binary", "--measure",
                   "large-deviation", "--free-reference"] + bad)
        assert rc == 2, bad
    err = capsys.readouterr().err
    assert "Traceback" not in err and "--y must be" in err


# ---------------------------------------------------------------------------------------------
# finite y
# ---------------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def fp_point():
    c = fp.local_entropy_curve("binary", 0.6, 0.0, 0.0, [0.1])
    return c.solutions[0].thermo


def test_y_zero_is_franz_parisi(fp_point):
    """y -> 0: the flat reference. At the Franz-Parisi saddle point the finite-y equations
    (own kernels) are satisfied and S_I equals the Franz-Parisi local entropy to 1e-10."""
    from replica.models.large_deviation import local_entropy_y
    th = fp_point
    x0 = np.array([np.log(1 - th["q"]), th["t"], th["ph"]])
    r = local_entropy_y(0.6, 0.1, 0.0, 0.0, 0.0, x0=x0)
    assert r.iterations == 0 and r.thermo["residual"] < 1e-7
    assert r.thermo["entropy"] == pytest.approx(th["entropy"], abs=1e-10)
    assert r.thermo["qh1"] == pytest.approx(th["qh"], abs=1e-7)
    assert r.thermo["th"] == pytest.approx(th["th"], abs=1e-7)


@pytest.mark.slow
def test_small_y_thermodynamic_integration(fp_point):
    """S_I(y) = dPhi/dy: Phi(y) - Phi(0) equals the trapezoidal integral of S_I, and S_I
    grows with y (the tilt selects denser references)."""
    from replica.models.large_deviation import local_entropy_y, unknowns_y
    th = fp_point
    quad = Quadrature(8, 3.0)      # the identity holds for any fixed rule: a coarse one
    r0 = local_entropy_y(0.6, 0.1, 0.0, 0.0, 0.0, quad=quad,
                         x0=np.array([np.log(1 - th["q"]), th["t"], th["ph"]]))
    y = 0.02
    r1 = local_entropy_y(0.6, 0.1, y, 0.0, 0.0, x0=unknowns_y(r0.thermo, y), quad=quad)
    a, b = r0.thermo, r1.thermo
    assert b["entropy"] > a["entropy"] + 1e-4
    trap = 0.5 * y * (a["entropy"] + b["entropy"])
    assert b["free_entropy"] - a["free_entropy"] == pytest.approx(trap, abs=5e-8)
    # Phi(0) is the Gardner entropy of the references
    from replica.models.gardner import gardner
    assert a["free_entropy"] == pytest.approx(gardner("binary", 0.6, 0.0).entropy, abs=1e-8)


def test_enumeration_densest_neighbourhood():
    """Ground truth: max over solutions w~ of the number of solutions at Hamming distance D
    (exact enumeration, N = 10, 15, 20, alpha = 0.6, D/N = 0.2), averaged over instances with
    solutions and extrapolated in 1/N, against S_I(0.2) at y = infinity. Measured with 200/100/40
    instances: 0.222 +- 0.016 (chi2/dof 0.19) vs 0.2259; here fewer instances, tolerance 3 sigma
    of the fit (scaled by chi2/dof)."""
    from replica.finite_n.densest import densest_profiles
    from replica.finite_n.enumerate import extrapolate_in_1_over_n, profile_local_entropy
    vals, errs, ns = [], [], (10, 15, 20)
    for n, inst in zip(ns, (60, 30, 12)):
        r = profile_local_entropy(densest_profiles(n, 0.6, instances=inst, seed=1), n)
        k = int(round(0.2 * n))
        vals.append(r["norm"][k])
        errs.append(r["norm_se"][k])
    fit = extrapolate_in_1_over_n(ns, vals, errs)
    S = local_entropy_inf(0.6, 0.2, 0.0, None, x0=None).thermo["entropy"]
    assert abs(fit["intercept"] - S) < 3 * fit["intercept_err_scaled"]
    assert fit["intercept_err_scaled"] < 0.05


def _two_clone_entropy(alpha, kappa, q1, v0):
    """Independent check: 2 N phi_2(q1), the log-number of pairs of solutions at overlap q1,
    from the m-clone RS free entropy at m = 2 (docs/THEORY.md §8.1; Gauss-Hermite rules, the
    m = 2 entropic integral in closed form), extremised in (q0, qh0, qh1)."""
    from scipy import optimize, special
    Z, W = np.polynomial.hermite_e.hermegauss(120)
    W = W / np.sqrt(2 * np.pi)

    def phi2(v):
        q0, qh0, qh1 = v
        gs = (-qh1 * (1 - q1) / 2 + (q0 * qh0 - q1 * qh1)
              + 0.5 * np.dot(W, np.log(2 * np.exp(2 * (qh1 - qh0))
                                       * np.cosh(2 * np.sqrt(qh0) * Z) + 2)))
        u = (kappa - np.sqrt(q0) * Z[:, None] - np.sqrt(q1 - q0) * Z[None, :]) / np.sqrt(1 - q1)
        ge = 0.5 * np.dot(W, np.log(np.exp(2 * special.log_ndtr(-u)) @ W))
        return gs + alpha * ge

    grad = lambda v: np.array([(phi2(v + h) - phi2(v - h)) / 2e-6 for h in np.eye(3) * 1e-6])
    r = optimize.root(grad, v0, method="hybr", options={"xtol": 1e-13})
    assert np.max(np.abs(grad(r.x))) < 1e-9
    return r.x, 2 * phi2(r.x)


def test_y_one_is_two_clones():
    """y = 1 with kappa~ = kappa: the pair (reference, clone) is uniform over pairs of solutions
    at distance d, so Phi(1) = 2 phi_2(q1 = 1 - 2d); the saddle point is the symmetric one
    (Q = t = q0 = the two-clone q0) and the conjugates coincide (Qh = th = qh0)."""
    from replica.models.large_deviation import local_entropy_y
    alpha, d = 0.6, 0.1
    v, phi = _two_clone_entropy(alpha, 0.0, 1 - 2 * d, np.array([0.45, 0.8, 1.5]))
    x0 = np.array([np.log(1 - v[0]), v[0], v[0], v[2] - v[1]])
    r = local_entropy_y(alpha, d, 1.0, 0.0, 0.0, x0=x0)
    th = r.thermo
    assert th["free_entropy"] == pytest.approx(phi, abs=1e-8)
    assert th["Q"] == pytest.approx(v[0], abs=1e-6) and th["t"] == pytest.approx(v[0], abs=1e-6)
    assert th["Qh"] == pytest.approx(v[1], abs=1e-6)
    assert th["th"] == pytest.approx(v[1], abs=1e-6)
    # S_I(1) lies between the flat reference (y = 0) and the densest regions (y = inf)
    s0 = fp.local_entropy_curve("binary", alpha, 0.0, 0.0, [d])["entropy"][0]
    sinf = local_entropy_inf(alpha, d, 0.0, None).thermo["entropy"]   # >= the constrained one
    assert s0 < th["entropy"] < sinf


@pytest.mark.slow
def test_free_reference_y_one_closed_form():
    """Unconstrained reference at y = 1: sum over w~ of N(w~, d) counts the pairs (w~, w) with w
    a solution, so Phi(1) = s_Gardner(alpha, kappa) + H2(d), with Q = p^2 q, t = p q, q0 = q
    (q the Gardner overlap). Measured 2e-14 apart (the entropic kernel's z2 rule graded around
    the near-kinks of its integrand)."""
    from replica.models.gardner import gardner
    from replica.models.large_deviation import local_entropy_y
    alpha, d = 0.6, 0.1
    p = 1 - 2 * d
    g = gardner("binary", alpha, 0.0)
    x0 = np.array([np.log(1 - p * p * g.q), p * g.q, g.q, np.arctanh(p)])
    th = local_entropy_y(alpha, d, 1.0, 0.0, None, x0=x0).thermo
    assert th["free_entropy"] == pytest.approx(g.entropy + h2(d), abs=1e-9)
    assert th["Q"] == pytest.approx(p * p * g.q, abs=1e-5)
    assert th["t"] == pytest.approx(p * g.q, abs=1e-5)
    assert th["q0"] == pytest.approx(g.q, abs=1e-4)


# ---------------------------------------------------------------------------------------------
# constrained reference at small d (well-conditioned parametrisation)
# ---------------------------------------------------------------------------------------------

def test_entropic_kernel_closed_forms():
    """The rotated entropic kernel: its R-, tau-, qh1-, eps-, ph-derivatives against central
    differences of GS_inf, and the Stein forms of c^2 = delta - b^2/chi and D^2 = q1 - p^2
    against the differences themselves, at points where the differences are well conditioned
    (R > 0 with eps > 1, where L has a kink; and R = 0). Fine rule: the default one's error in
    c^2 is ~1e-9 at s ~ 0.2."""
    from replica.models.ld_kernels import entropic_inf
    xg, wg, base = Quadrature.fine().rule()
    for args in [(0.3, 0.2, 0.7, 1.2, 0.4), (0.05, 0.02, 0.5, 0.8, 0.3),
                 (0.0, 0.0, 0.3778, 1.142, 0.3346)]:
        S = entropic_inf(*args, xg, wg, base)
        for i in range(2 if args[0] > 0 else 3, 5):
            h = 1e-6
            up, dn = list(args), list(args)
            up[i] += h
            dn[i] -= h
            fd = (entropic_inf(*up, xg, wg, base)[0] - entropic_inf(*dn, xg, wg, base)[0]) / (2 * h)
            assert S[1 + i] == pytest.approx(fd, abs=3e-9), (args, i)
        if args[0] > 0:
            fd = (entropic_inf(args[0] + 1e-6, *args[1:], xg, wg, base)[0]
                  - entropic_inf(args[0] - 1e-6, *args[1:], xg, wg, base)[0]) / 2e-6
            assert S[1] == pytest.approx(fd, abs=3e-9)
        chi, b, delta = 2 * S[1], S[2], 2 * S[3] - S[7]
        assert S[9] == pytest.approx(delta - b * b / chi, abs=1e-10)
        q1, p = 1 - S[7], 1 - 2 * S[6]
        assert S[10] == pytest.approx(q1 - p * p, abs=1e-10)
        assert S[9] > 0 and S[10] > 0


def test_constrained_reference_small_d_is_the_free_one():
    """alpha = 0.7, d = 0.005: the unconstrained saddle point, mapped to the constrained
    unknowns by the R = tau = 0 closed forms of chi, b, c^2, D^2, solves the constrained
    equations (the kappa~ = 0 constraint does not bind: R = tau = 0 to double precision) with
    the same S_I; there c^2/delta ~ 1e-6 and D^2/(1-q1) ~ 1e-5 (the differences the old
    parametrisation formed)."""
    from replica.models.large_deviation import (DEFAULT_QUAD, _InfProblem,
                                                constrained_unknowns_from_free)
    d = 0.005
    f = sweep(0.7, [d], 0.0, None, start_d=0.02)[0][0].thermo
    x = constrained_unknowns_from_free(f)
    res, info = _InfProblem(0.7, d, 0.0, 0.0, DEFAULT_QUAD).evaluate(x)
    assert np.max(np.abs(res)) < 1e-8
    assert info["R"] == 0.0 and info["tau"] == 0.0
    assert info["entropy"] == pytest.approx(f["entropy"], abs=1e-10)
    assert info["c2"] / info["delta"] < 1e-4 and info["D2"] / info["one_minus_q1"] < 1e-3


def test_gallery_thresholds_bracketed():
    """The large-deviation thresholds drawn in the gallery (unconstrained reference): S_I(d)
    is one monotonic branch just below ALPHA_LD_NONMONOTONIC_FREE and the small-d branch ends
    just above; min S_I over the large-d branch changes sign across ALPHA_LD_NEGATIVE_FREE."""
    from replica.gallery.large_deviation import (ALPHA_LD_NEGATIVE_FREE,
                                                 ALPHA_LD_NONMONOTONIC_FREE)
    from replica.ld_thresholds import min_entropy_large_d, min_slope
    a = ALPHA_LD_NONMONOTONIC_FREE
    lo, hi = min_slope(a - 2e-5), min_slope(a + 2e-5)
    assert lo["connected"] and lo["indicator"] > 0 and hi["indicator"] < 0
    a = ALPHA_LD_NEGATIVE_FREE
    assert min_entropy_large_d(a - 2e-5)["min_S"] > 0 > min_entropy_large_d(a + 2e-5)["min_S"]


@pytest.mark.slow
def test_constrained_thresholds_bracketed():
    """The same brackets with the reference a solution of margin 0."""
    from replica.gallery.large_deviation import (ALPHA_LD_NEGATIVE_CON,
                                                 ALPHA_LD_NONMONOTONIC_CON)
    from replica.ld_thresholds import min_entropy_large_d, min_slope
    a = ALPHA_LD_NONMONOTONIC_CON
    lo, hi = min_slope(a - 2e-5, 0.0, 0.0), min_slope(a + 2e-5, 0.0, 0.0)
    assert lo["connected"] and lo["indicator"] > 0 and hi["indicator"] < 0
    a = ALPHA_LD_NEGATIVE_CON
    assert (min_entropy_large_d(a - 2e-5, 0.0, 0.0)["min_S"] > 0
            > min_entropy_large_d(a + 2e-5, 0.0, 0.0)["min_S"])


@pytest.mark.slow
def test_free_reference_y_two_is_two_clones_and_a_centre(capsys):
    """Unconstrained reference at integer y = 2: sum_w~ N(w~, d)^2 counts pairs of solutions
    (w1, w2) weighted by the number of centres at overlap p with both, which depends only on
    their overlap q: exp N[f H2((1 + p/f)/2) + (1 - f) ln 2], f = (1 + q)/2. So Phi(2) =
    max_q [2 phi_2(q) + that] (the m = 2 clone free entropy, independent Gauss-Hermite code,
    Legendre-transformed from the coupling to the centre to the clones' overlap), and the
    maximiser is the clones' overlap q1 of the large-deviation saddle point. Also S_I grows
    with y: S_I(1) <= S_I(2) <= S_I(inf)."""
    from scipy import optimize

    import json

    from replica.cli import main
    from replica.models.large_deviation import follow_y
    alpha, d = 0.6, 0.1
    p = 1 - 2 * d
    assert main(["local-entropy", "--model", "binary", "--measure", "large-deviation",
                 "--free-reference", "--y", "2", "--alpha", "0.6", "--d", "0.1", "--json"]) == 0
    th = json.loads(capsys.readouterr().out)[0]
    assert th["status"] == "converged" and th["y"] == 2.0

    def total(q):
        f = (1 + q) / 2
        a = (1 + p / f) / 2
        centre = f * h2(a) + (1 - f) * np.log(2)
        return _two_clone_entropy(alpha, 0.0, q, np.array([0.45, 0.8, 1.5]))[1] + centre
    r = optimize.minimize_scalar(lambda q: -total(q), bounds=(0.65, 0.95), method="bounded",
                                 options={"xatol": 1e-6})
    # measured: 0.621204682226 (finite-y kernels) vs 0.621204682232 (the m = 2 side), 6e-12
    # apart; q1 vs the maximiser: 2e-8 (xatol 1e-6 of the maximisation)
    assert th["free_entropy"] == pytest.approx(-r.fun, abs=1e-9)
    assert th["q1"] == pytest.approx(r.x, abs=2e-6)
    s1 = follow_y(alpha, d, 1.0, 0.0, None).thermo["entropy"]
    sinf = local_entropy_inf(alpha, d, 0.0, None).thermo["entropy"]
    assert s1 < th["entropy"] < sinf


@pytest.mark.parametrize("Qh, th, y", [(0.0, 0.0, 2.0), (0.5, 0.3, 2.0), (0.0, 0.0, 4.0),
                                       (0.5, 0.3, 4.0)])
def test_entropic_finite_integer_y(Qh, th, y):
    """G_S at integer y against the closed form of the z1 integral,
    int Dz1 [2cosh(h + g z1)]^y = sum_k C(y, k) e^{(y-2k) h + (y-2k)^2 g^2/2}, and a dense
    trapezoid rule in (z0, z2) (exponentially convergent for these analytic integrands). The
    z2 integrand bends at h0 = 0, +-ph on the scale 1/y: a 30-node Gauss-Hermite rule in z2 was
    3e-6 off at y = 2 (0.3e-4 at y = 4)."""
    from scipy import special

    from replica.models.ld_kernels import entropic_finite
    qh0, qh1, ph = 0.6384567, 0.8783799, 0.7744292
    xg, wg, base = Quadrature().rule()
    S = entropic_finite(Qh, th, qh0, qh1, ph, y, xg, wg, base)
    z = np.linspace(-12, 12, 801)
    w = np.exp(-z * z / 2) / np.sqrt(2 * np.pi) * (z[1] - z[0])
    e, g = np.sqrt(qh0 - (th * th / Qh if Qh else 0.0)), np.sqrt(qh1 - qh0)
    c = th / np.sqrt(Qh) if Qh else 0.0
    z0 = z[:, None] if Qh else np.zeros((1, 1))
    w0 = w[:, None] if Qh else np.ones((1, 1))
    ks = np.arange(int(y) + 1)
    lc = np.log(special.comb(int(y), ks)) + (y - 2 * ks) ** 2 * g * g / 2

    def lz(h):
        return special.logsumexp(lc + (y - 2 * ks) * h[..., None], axis=-1)

    h0 = c * z0 + e * z[None, :]
    lzs = np.logaddexp(np.sqrt(Qh) * z0 + lz(h0 + ph), -np.sqrt(Qh) * z0 + lz(h0 - ph))
    assert S[0] == pytest.approx(np.sum(w0 * w[None, :] * lzs), abs=1e-10)
