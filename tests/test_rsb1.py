"""1RSB and m clones (replica.models.rsb1): published m-overlap-gap thresholds
(arXiv:2607.27000 Table 2, App. A.2), the m = 1 identity, decorrelated clones, stationarity by
finite differences, quadrature convergence where thresholds are computed, the symmetric binary
perceptron's RS solution, and the spherical 1RSB (AT bifurcation, jamming line)."""
import math

import numpy as np
import pytest
from scipy import integrate, special

from replica.errors import ConvergenceError, ReplicaInputError
from replica.gauss import gauss_hermite
from replica import rsb1_thresholds as rt
from replica.models import gardner, rsb1
from replica.testing import (assert_matches_reference, assert_quadrature_converged,
                             assert_stationary)
from replica.thresholds import at_alpha


def H(x):
    return 0.5 * special.erfc(x / math.sqrt(2.0))


# --- published thresholds ---------------------------------------------------------------------

@pytest.fixture(scope="module")
def sbp_ogp():
    return {m: rt.alpha_ogp("binary", 1.0, m, constraint="symmetric") for m in range(2, 7)}


@pytest.mark.parametrize("m", [2, 3, 4, 5])
def test_sbp_alpha_ogp_table2(sbp_ogp, m):
    r = sbp_ogp[m]
    assert_matches_reference(r["alpha"], f"sbp.alpha_ogp.kappa=1.m={m}")
    assert r["q0"] == 0.0 and 0.9 < r["q1"] < 1.0
    # the threshold lies below the capacity and above the annealed-style lower values
    assert r["alpha"] < rsb1.sbp_capacity(1.0)


def test_sbp_min_over_m_and_unphysical_m(sbp_ogp):
    a = {m: sbp_ogp[m]["alpha"] for m in sbp_ogp}
    q = [sbp_ogp[m]["q1"] for m in sorted(sbp_ogp)]
    assert min(a, key=a.get) == 4                 # Table 2: the minimum over m is at m = 4
    assert a[5] > a[4] and a[6] > a[5]            # non-monotone: m >= 5 unphysical (eq. 30)
    assert np.all(np.diff(q) > 0)                 # the gap opens closer to q1 = 1 as m grows
    # below the rigorous first-moment bounds quoted there (1.71 for m = 2, 1.667 for m = 3)
    assert 1.70 < a[2] <= 1.71 and 1.666 < a[3] <= 1.667


@pytest.mark.slow
def test_abp_alpha_ogp_m4():
    r = rt.alpha_ogp("binary", 0.0, 4)
    assert_matches_reference(r["alpha"], "binary.alpha_ogp.kappa=0.m=4")
    assert 0.0 < r["q0"] < r["q1"] < 1.0
    assert r["alpha"] < gardner.capacity("binary", 0.0)   # below Krauth-Mezard's 0.8331


def test_sbp_capacity_and_rs_solution_is_q0():
    assert_matches_reference(rsb1.sbp_capacity(1.0), "sbp.alpha_c.kappa=1")
    assert abs(rsb1.sbp_rs_entropy(rsb1.sbp_capacity(1.0), 1.0)) < 1e-14
    # at alpha = 1.8, kappa = 1 the RS map q -> int Dz tanh^2(sqrt(alpha Q0(q)) z) lies below
    # the diagonal for every q > 0: q = 0 is the only RS solution (and it is stable)
    a, k = 1.8, 1.0
    for q in [1e-3, 0.1, 0.3, 0.5, 0.7, 0.9, 0.99]:
        qh = a * rsb1.energetic_terms("symmetric", q, q, 1.0, k)["Q0"]
        assert rsb1.entropic_binary_terms(q, q, qh, qh, 1)["q0_eq"] < q


# --- identities and limits --------------------------------------------------------------------

@pytest.mark.parametrize("q1", [0.3, 0.7, 0.95, 0.999])
def test_m1_is_rs_for_every_q1(q1):
    a, k = 0.6, 0.2
    rs = gardner.gardner("binary", a, k)
    q, qh = rs.order["q"], rs.order["qh"]
    if q1 < q:
        q1 = q + 0.5 * (1 - q)
    for qh1 in (qh, qh + 3.0):
        f = rsb1.free_entropy("binary", a, k, 1, q, q1, qh, qh1)["free_entropy"]
        assert abs(f - rs.thermo["entropy"]) < 1e-12
    rs = gardner.gardner("spherical", 1.2, -0.3)
    qs = rs.order["q"]
    f = rsb1.free_entropy("spherical", 1.2, -0.3, 1.0, qs, max(q1, qs + 0.01))["free_entropy"]
    assert abs(f - rs.thermo["entropy"]) < 1e-11


def test_clones_decorrelate_at_the_typical_overlap():
    # ABP: at q1 = q_RS the clones are independent typical solutions: phi_m = s_RS, q0 = q1
    a = 0.5
    rs = gardner.gardner("binary", a, 0.0)
    q = rs.order["q"]
    for m in (2, 3):
        s = rsb1.mclone_saddle("binary", a, 0.0, m, q)
        assert abs(s.thermo["free_entropy"] - rs.thermo["entropy"]) < 1e-9
        assert abs(s.order["q0"] - q) < 1e-6
        # and it is the maximum over q1
        for q1 in (q + 0.1, q + 0.3):
            assert rsb1.mclone_free_entropy("binary", a, 0.0, m, q1) < rs.thermo["entropy"]
    # SBP: q_RS = 0, phi_m(q1 -> 0) -> ln 2 + alpha ln(1 - 2H(kappa))
    s0 = rsb1.sbp_rs_entropy(1.6, 1.0)
    f = rsb1.mclone_free_entropy("binary", 1.6, 1.0, 3, 1e-4, constraint="symmetric")
    assert abs(f - s0) < 1e-6 and f < s0


def test_m2_symmetric_entropic_term_counts_pairs():
    # two binary vectors at overlap q1: (1/2)[ln 2 + h((1+q1)/2)] per clone (exact count)
    for q1 in (0.2, 0.9, 0.99):
        s = rsb1.mclone_saddle("binary", 1.0, 1.0, 2, q1, constraint="symmetric")
        p = 0.5 * (1 + q1)
        h = -p * math.log(p) - (1 - p) * math.log(1 - p)
        assert abs(s.thermo["entropic"] - 0.5 * (math.log(2) + h)) < 1e-13


def test_symmetric_energetic_against_scipy_quad():
    # q0 = 0: G_E = (1/m) ln int Dz calH^m(sqrt(q1) z, sqrt(1 - q1)), an independent quad
    for m, q1 in [(2, 0.97), (5, 0.988), (3, 0.5)]:
        y, s, k = math.sqrt(1 - q1), math.sqrt(q1), 1.0
        f = lambda z: math.exp(-z * z / 2) / math.sqrt(2 * math.pi) * (
            H((s * z - k) / y) - H((s * z + k) / y)) ** m
        c = k / s
        v = integrate.quad(f, -12, 12, points=[-c, c], limit=400, epsabs=1e-15,
                           epsrel=1e-13)[0]
        ge = rsb1.energetic_terms("symmetric", 0.0, q1, m, k)["G_E"]
        assert abs(ge - math.log(v) / m) < 1e-12


# --- stationarity (finite differences of the free entropy) --------------------------------------

def test_binary_mclone_saddle_is_stationary():
    a, k, m, q1 = 0.7, 0.0, 3, 0.95
    s = rsb1.mclone_saddle("binary", a, k, m, q1)
    x = [s.order["q0"], s.order["qh0"], s.order["qh1"]]
    f = lambda v: rsb1.free_entropy("binary", a, k, m, v[0], q1, v[1], v[2])["free_entropy"]
    assert_stationary(f, x, ["q0", "qh0", "qh1"], atol=1e-8, noise=1e-13)
    # total derivatives (envelope theorem) against finite differences of phi_m
    h = 1e-4
    d = (rsb1.mclone_free_entropy("binary", a, k, m, q1 + h)
         - rsb1.mclone_free_entropy("binary", a, k, m, q1 - h)) / (2 * h)
    assert abs(d - s.thermo["dphi_dq1"]) < 1e-6
    d = (rsb1.mclone_free_entropy("binary", a + h, k, m, q1)
         - rsb1.mclone_free_entropy("binary", a - h, k, m, q1)) / (2 * h)
    assert abs(d - s.thermo["G_E"]) < 1e-7


def test_spherical_1rsb_is_stationary_and_equilibrium_m():
    a, k = 9.0, -1.0
    s = rsb1.rsb1_spherical(a, k, m=0.6, x0=[0.73, 0.86])
    f = lambda v: rsb1.free_entropy("spherical", a, k, v[2], v[0], v[1])["free_entropy"]
    x = [s.order["q0"], s.order["q1"], 0.6]
    est = assert_stationary(lambda v: f([v[0], v[1], 0.6]), x[:2], ["q0", "q1"], atol=1e-8,
                            noise=1e-13)
    assert est is not None
    # the m derivative reported equals the finite difference at fixed (q0, q1)
    h = 1e-5
    dm = (f([x[0], x[1], 0.6 + h]) - f([x[0], x[1], 0.6 - h])) / (2 * h)
    assert abs(dm - s.thermo["dphi_dm"]) < 1e-7
    # equilibrium m (zero complexity): stationary in all three
    e = rt.static_1rsb(a, k, m0=0.6)   # the event complexity = 0 along m (near m = 0.3)
    assert 0 < e["m"] < 0.6 and abs(e["complexity"]) < 1e-9
    assert_stationary(f, [e["q0"], e["q1"], e["m"]], ["q0", "q1", "m"], atol=1e-8, noise=1e-13)


# --- quadrature converged where the thresholds are computed --------------------------------------

def _terms(constraint, q0, q1, m, kappa):
    def at(n):
        rule = rsb1.RULE if n == rsb1.RULE[0] else (n, 12.0, 1.5)
        e = rsb1.energetic_terms(constraint, q0, q1, m, kappa, rule)
        return np.array([e["G_E"], e["Q0"], e["Q1"], e["dm"]])
    return at


def test_quadrature_converged_at_the_thresholds(sbp_ogp):
    r = sbp_ogp[5]
    assert_quadrature_converged(_terms("symmetric", 0.0, r["q1"], 5, 1.0), n=rsb1.RULE[0],
                                atol=1e-12, rtol=1e-11)
    # ABP m = 4 threshold point (q0, q1 from the threshold solve)
    assert_quadrature_converged(_terms("margin", 0.6458, 0.98303, 4, 0.0), n=rsb1.RULE[0],
                                atol=1e-12, rtol=1e-11)
    # a plain Gauss-Hermite rule is not enough on these windows of width sqrt(1 - q1) ~ 0.1
    z, w = gauss_hermite(301)
    y, s = math.sqrt(1 - r["q1"]), math.sqrt(r["q1"])
    gh = math.log(np.dot(w, (H((s * z - 1) / y) - H((s * z + 1) / y)) ** 5)) / 5
    ge = rsb1.energetic_terms("symmetric", 0.0, r["q1"], 5, 1.0)["G_E"]
    assert abs(gh - ge) > 1e-5


# --- spherical 1RSB: AT bifurcation and jamming --------------------------------------------------

def test_spherical_1rsb_bifurcates_at_the_at_line():
    from replica.continuation import reach
    from replica.models.rsb1_spherical import RSB1_SPHERICAL, bifurcation_point

    k = -1.0
    a_at = at_alpha(k, xtol=1e-12).value
    # the reduced 1RSB equations at q1 = q0 (1RSB kernel, the variance limit) against the RS
    # replicon's zero (replica.thresholds.at_alpha on the Gardner model)
    assert abs(bifurcation_point(k)["alpha"] - a_at) < 1e-10
    # the 1RSB branch at fixed m, followed down in alpha by the continuation engine, ends where
    # q1 - q0 -> 0: at the AT line (for two values of m)
    for m in (0.6, 0.3):
        end = rt.branch_end(k, m, 8.3)
        assert end["q1_minus_q0"] < 1e-8 and abs(end["alpha"] - a_at) < 1e-8
    # reach() from the known point (the bifurcation) equals a direct solve
    p = {"alpha": 8.3, "kappa": k, "m": 0.6}
    s, r = RSB1_SPHERICAL.saddle(p), reach(RSB1_SPHERICAL, p)
    assert abs(s.order["q1"] - r.order["q1"]) < 1e-9 and s.order["q1"] - s.order["q0"] > 0.05
    x = [s.order["q0"], s.order["q1"]]
    # the 1RSB free entropy is below RS beyond the AT line
    rs = gardner.gardner("spherical", 8.0, k).thermo["entropy"]
    assert rsb1.rsb1_spherical(8.0, k, m=0.6, x0=x).thermo["free_entropy"] < rs
    # before the AT line only the RS solution exists
    with pytest.raises(ConvergenceError):
        rsb1.rsb1_spherical(7.7, k, m=0.6, x0=x)


@pytest.mark.parametrize("kappa", [0.0, 0.5, 1.0])
def test_jamming_1rsb_equals_rs_for_positive_margin(kappa):
    r = rt.alpha_c_1rsb(kappa)
    assert r["rs"] and r["alpha"] == gardner.capacity_spherical_closed_form(kappa)
    # and no (q0, mu) gives a smaller zero of Psi
    for q0 in (0.0, 0.3, 0.8, 0.95):
        for mu in (0.01, 0.5, 3.0, 30.0):
            assert rsb1.jamming_psi(1.0, kappa, q0, mu)["alpha_zero"] >= r["alpha"] * (1 - 1e-9)


@pytest.mark.parametrize("q0", [0.0, 0.4, 0.9])
def test_jamming_mu_to_zero_is_gardner(q0):
    for k in (-1.0, 0.3):
        a0 = rsb1.jamming_psi(1.0, k, q0, 1e-7)["alpha_zero"]
        assert abs(a0 / gardner.capacity_spherical_closed_form(k) - 1) < 1e-5


@pytest.mark.parametrize("kappa", [-0.5, -1.0])
def test_jamming_1rsb_below_rs_for_negative_margin(kappa):
    r = rt.alpha_c_1rsb(kappa)
    assert not r["rs"] and r["alpha"] < 0.99 * r["alpha_rs"] and r["mu"] > 0
    # the point is stationary: -A/B is flat in q0 and ln mu there
    f = lambda v: rsb1.jamming_psi(1.0, kappa, v[0], math.exp(v[1]))["alpha_zero"]
    assert_stationary(f, [r["q0"], math.log(r["mu"])], ["q0", "ln_mu"], atol=1e-6,
                      rtol=0.0, noise=1e-12)
    # and Psi vanishes there
    assert abs(rsb1.jamming_psi(r["alpha"], kappa, r["q0"], r["mu"])["psi"]) < 1e-12


# --- bad input ----------------------------------------------------------------------------------

@pytest.mark.parametrize("kw,name", [
    (dict(weights="binary", m=2.5), "m"), (dict(weights="binary", m=1), "m"),
    (dict(weights="binary", m=2, q1=1.0), "q1"), (dict(weights="binary", m=2, q1=0.0), "q1"),
    (dict(weights="binary", m=2, kappa=-1.0, constraint="symmetric"), "kappa"),
    (dict(weights="spherical", m=2, constraint="symmetric"), "constraint"),
    (dict(weights="ternary", m=2), "weights"), (dict(weights="binary", m=2, alpha=-1), "alpha"),
])
def test_bad_input_names_the_parameter(kw, name):
    args = dict(weights="binary", alpha=0.7, kappa=0.5, m=2, q1=0.9, constraint="margin")
    args.update(kw)
    with pytest.raises(ReplicaInputError, match=name):
        rsb1.mclone_saddle(args.pop("weights"), args.pop("alpha"), args.pop("kappa"),
                           args.pop("m"), args.pop("q1"), **args)


# --- protocol models ----------------------------------------------------------------------------

@pytest.mark.parametrize("name,p", [
    ("mclone-sbp", dict(alpha=1.6, m=3, q1=0.97)), ("mclone-binary", dict(alpha=0.3, m=2, q1=0.9)),
    ("mclone-spherical", dict(alpha=1.0, m=2, q1=0.9)), ("sbp-rs", dict(alpha=1.5)),
    ("ogp-sbp", dict(m=3, q1=0.97)), ("rsb1-spherical", dict(alpha=8.3, kappa=-1.0, m=0.6))])
def test_registered_models_reach_the_saddle(name, p):
    from replica import models
    from replica.continuation import reach
    M = models.get(name)
    s, r = M.saddle(p), reach(M, p)
    assert abs(s.thermo["entropy"] - r.thermo["entropy"]) < 1e-10
    assert np.max(np.abs(M.residual(np.array(s.unknowns), M.validate(p)))) < 1e-10
    f = M.free_entropy(s.order, M.validate(p))["free_entropy"]
    assert abs(f - s.thermo["entropy"]) < 1e-12
    if name == "ogp-sbp":      # from the known point q1 = 0, alpha = alpha_c: phi_m = 0
        assert abs(s.thermo["free_entropy"]) < 1e-10 and 1.66 < s.order["alpha"] < 1.8159
    if name == "sbp-rs":
        assert s.order["q"] == 0.0
        assert abs(s.thermo["entropy"] - rsb1.sbp_rs_entropy(1.5, 1.0)) < 1e-12


# --- CLI ----------------------------------------------------------------------------------------

def test_cli_threshold_ogp_json(capsys):
    import json
    from replica.cli import main
    assert main(["threshold", "ogp", "--model", "sbp", "--m", "3", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert_matches_reference(out["alpha"], "sbp.alpha_ogp.kappa=1.m=3")
    assert 0.97 < out["q1"] < 0.99
    assert main(["rsb1", "ogp", "--model", "sbp", "--m", "4", "5", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["m_star"] == 4 and out["unphysical_m"] == [5]
    assert main(["rsb1", "jamming", "--kappa", "-0.5", "0.5", "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert rows[0]["alpha_c_1rsb"] < rows[0]["alpha_c_rs"] and rows[1]["rs"]
    # bad input: exit 2 with a one-line message naming the parameter
    assert main(["rsb1", "mclone", "--model", "sbp", "--alpha", "1", "--m", "1.5",
                 "--q1", "0.9"]) == 2
    assert "m must be" in capsys.readouterr().err
    assert main(["threshold", "capacity", "--model", "sbp"]) == 2


def test_binary_frozen_m1_expansion_zeros():
    # arXiv:2607.27000 App. B at zero temperature, alpha = 0.7: d phi~/d qh1 vanishes at q1 = q0
    # (RS) and as q1 -> 1 (frozen), like (1 - q1)/2 since 1 - f(qh1) ~ exp(-C/(2 sqrt(1-q1)))
    q0 = gardner.gardner("binary", 0.7, 0.0).order["q"]
    r = rsb1.frozen_m1_profile(0.7, 0.0, [q0, 0.8, 1 - 1e-6])
    d = r["dphi_dqh1"]
    assert abs(d[0]) < 1e-12 and d[1] < -0.01
    assert abs(d[2] - 0.5e-6) < 1e-9
    assert r["qh1"][0] == pytest.approx(r["qh0"], rel=1e-10)
    # the frozen complexity at m = 1 is the RS entropy: static capacity = Krauth-Mezard
    assert abs(gardner.capacity("binary", 0.0) - 0.8331) < 5e-5


def test_binary_frozen_states_have_no_internal_entropy():
    # m -> 1 expansion (arXiv:2607.27000 App. B, zero temperature): with qh1 = alpha Q1(q1),
    # the entropy of one state S_RS + phi~ vanishes as q1 -> 1 like sqrt(1 - q1) (the frozen
    # solution: qh1 ~ C/sqrt(1 - q1))
    s = {e: rsb1.frozen_m1_terms(0.7, 0.0, 1 - e) for e in (1e-6, 1e-8, 1e-10)}
    r1 = s[1e-6]["internal_entropy"] / s[1e-8]["internal_entropy"]
    r2 = s[1e-8]["internal_entropy"] / s[1e-10]["internal_entropy"]
    assert abs(r1 - 10) < 0.05 and abs(r2 - 10) < 0.05
    assert abs(s[1e-10]["internal_entropy"]) < 1e-5
    assert s[1e-10]["qh1"] * 1e-5 == pytest.approx(s[1e-8]["qh1"] * 1e-4, rel=1e-3)


def test_binary_frozen_static_capacity_is_krauth_mezard():
    # the complexity of the frozen states at m = 1, -phi~ at q1 -> 1 (Richardson-extrapolated in
    # sqrt(1 - q1)), vanishes at the RS capacity: Krauth-Mezard's 0.8331
    from scipy import optimize

    def sigma(a):
        c8 = rsb1.frozen_m1_terms(a, 0.0, 1 - 1e-8)["complexity"]
        c10 = rsb1.frozen_m1_terms(a, 0.0, 1 - 1e-10)["complexity"]
        return (10 * c10 - c8) / 9
    assert sigma(0.7) == pytest.approx(gardner.gardner("binary", 0.7, 0.0).entropy, abs=1e-8)
    ac = optimize.brentq(sigma, 0.80, 0.86, xtol=1e-12)
    assert abs(ac - gardner.capacity("binary", 0.0)) < 1e-7
    assert abs(ac - 0.8331) < 1e-4          # Krauth & Mezard, J. Phys. France 50, 3057 (1989)


def test_jamming_line_by_continuation_matches_pointwise_minimisation():
    # the line marched in kappa (warm-started minimisations of -A/B) equals the independent
    # nested-Brent minimisation at each margin; 1RSB below RS, above the AT line
    rows = rt.jamming_line([-1.0, -0.8, -0.6])
    for r in rows:
        p = rt.alpha_c_1rsb(r["kappa"])
        assert abs(r["alpha"] - p["alpha"]) < 1e-8 * p["alpha"]
        assert at_alpha(r["kappa"]).value < r["alpha"] < r["alpha_rs"]
    with pytest.raises(ReplicaInputError, match="kappas"):
        rt.jamming_line([-1.0, 0.5])


def test_cli_rsb1_spherical_static_m(capsys):
    import json
    from replica.cli import main
    assert main(["rsb1", "spherical", "--alpha", "9", "--kappa", "-1", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert 0 < out["m"] < 0.6 and abs(out["complexity"]) < 1e-9 and out["q1"] > out["q0"]
    assert main(["rsb1", "spherical", "--alpha", "9", "--kappa", "0.5", "--m", "0.5"]) == 2
    assert "kappa" in capsys.readouterr().err


@pytest.mark.parametrize("kappa", [-0.01, -0.3, -2.0])
def test_spherical_1rsb_bifurcation_on_the_at_line(kappa):
    from replica.models.rsb1_spherical import bifurcation_point
    a = at_alpha(kappa, xtol=1e-12).value
    assert abs(bifurcation_point(kappa)["alpha"] / a - 1) < 1e-10
    with pytest.raises(ReplicaInputError, match="kappa"):
        bifurcation_point(0.2)
