"""Tree committee machines and the infinite-width limit (docs/THEORY.md §8.4): K = 1 is the
perceptron, the K-dimensional integral by two independent quadratures and mpmath, order
statistics by mpmath, capacities from the q -> 1 limit, linear activation = perceptron,
finite K -> infinite width, stationarity, solver methods, exact enumeration, CLI."""
import json
import math
import subprocess
import sys

import numpy as np
import pytest

from replica.errors import ReplicaInputError
from replica.models import committee as C
from replica.models import gardner as G
from replica.models import get
from replica.models.committee_kernels import log_majority


# --- K = 1 is Gardner's perceptron --------------------------------------------------------------

@pytest.mark.parametrize("weights", ["binary", "spherical"])
@pytest.mark.parametrize("alpha", [0.3, 0.7])
def test_k1_is_the_perceptron(weights, alpha):
    c = C.committee(weights, alpha, 1)
    g = G.gardner(weights, alpha, 0.0)
    assert abs(c.order["q"] - g.order["q"]) < 1e-12
    for key in ("entropy", "replicon"):
        assert abs(c.thermo[key] - g.thermo[key]) < 1e-12


def test_k1_capacities():
    assert abs(C.capacity("spherical", 1) - 2.0) < 1e-13            # A_1 = 1/2 (Cover)
    assert abs(C.capacity("binary", 1, tol=1e-13) - G.capacity("binary", 0.0)) < 1e-12


# --- the K-dimensional integral -------------------------------------------------------------------

def _mp_log_majority(u):
    import mpmath as mp
    mp.mp.dps = 30
    p = [mp.erfc(-mp.mpf(x) / mp.sqrt(2)) / 2 for x in u]
    K = len(u)
    tot = mp.mpf(0)
    for rep in range(2 ** K):
        tau = [1 if rep >> l & 1 else -1 for l in range(K)]
        if sum(tau) > 0:
            tot += mp.fprod(p[l] if tau[l] > 0 else 1 - p[l] for l in range(K))
    return float(mp.log(tot))


@pytest.mark.parametrize("u", [(0.3, -1.2, 2.0), (-5.0, -7.0, 1.0), (-30.0, -25.0, -40.0),
                               (0.1, 0.2, -0.3, 4.0, -6.0)])
def test_log_majority_against_mpmath(u):
    # the sum over internal representations in the log domain, also where M ~ exp(-1000)
    got = log_majority(np.array(u, dtype=float), len(u))
    assert abs(got - _mp_log_majority(u)) < 1e-12 * max(1.0, abs(got))


@pytest.mark.parametrize("q", [0.3, 0.5])
def test_k3_energetic_two_quadratures(q):
    # tensor rule over multisets vs nested rule over ordered fields: independent node sets
    a = C.energetic(q, 3, rule=C.CommitteeRule(8, 1.5, 10.0), replicon=True)
    b = C.energetic(q, 3, rule=C.SortedRule(8, 1.5, 10.0), replicon=True)
    for key in ("E", "J", "Kc"):
        assert abs(a[key] - b[key]) < 2e-9 * max(1.0, abs(a[key])), key


def test_k3_energetic_scipy_nquad_at_a_point():
    # a third, adaptive quadrature of G_E(q = 0.5) over R^3 (scipy), ~1e-7
    from scipy import integrate
    q = 0.5
    a = math.sqrt(q / (1 - q))

    def f(z1, z2, z3):
        return (math.exp(-0.5 * (z1 * z1 + z2 * z2 + z3 * z3)) / (2 * math.pi) ** 1.5
                * log_majority(np.array([a * z1, a * z2, a * z3]), 3))

    val, err = integrate.nquad(f, [[-8, 8]] * 3, opts={"epsabs": 1e-9, "epsrel": 1e-9,
                                                        "points": [0.0]})
    assert abs(val - C.energetic(q, 3)["E"]) < 1e-7


def _np_log_majority(U):
    """ln P(majority of K independent signs is +1), P(+1) = H(-u), for rows U (n, K): a numpy
    dynamic programme on the count of +1 units, independent of the compiled kernel."""
    from scipy.special import ndtr
    P = ndtr(U)
    n, K = U.shape
    dist = np.zeros((n, K + 1))
    dist[:, 0] = 1.0
    for l in range(K):
        new = dist * (1 - P[:, l:l + 1])
        new[:, 1:] += dist[:, :-1] * P[:, l:l + 1]
        dist = new
    return np.log(dist[:, (K + 1) // 2:].sum(axis=1))


def _fd_hessian_sq(U, h=2e-4):
    """sum_{ll'} (d_l d_l' ln M)^2 at the rows of U by central differences of ln M."""
    n, K = U.shape
    f0 = _np_log_majority(U)
    tot = np.zeros(n)
    for a in range(K):
        e = np.zeros(K)
        e[a] = h
        haa = (_np_log_majority(U + e) - 2 * f0 + _np_log_majority(U - e)) / h ** 2
        tot += haa * haa
        for b in range(a + 1, K):
            f = np.zeros(K)
            f[b] = h
            hab = (_np_log_majority(U + e + f) - _np_log_majority(U + e - f)
                   - _np_log_majority(U - e + f) + _np_log_majority(U - e - f)) / (4 * h * h)
            tot += 2 * hab * hab
    return tot


def _plain_rule(width, nodes):
    """Composite Gauss–Legendre rule for int Dz on [-8, 8], panels of ``width``."""
    xg, wg = np.polynomial.legendre.leggauss(nodes)
    edges = np.arange(-8.0, 8.0001, width)
    half, mid = 0.5 * (edges[1:] - edges[:-1]), 0.5 * (edges[1:] + edges[:-1])
    z = (half[:, None] * xg + mid[:, None]).ravel()
    return z, (half[:, None] * wg).ravel() * np.exp(-0.5 * z * z) / math.sqrt(2 * math.pi)


@pytest.mark.parametrize("k,q,rule,tol", [
    (3, 0.5, "independent", 2e-8), (3, 0.2, "independent", 2e-8),
    pytest.param(5, 0.4, "shared", 2e-8, marks=pytest.mark.slow)])
def test_replicon_factor_by_finite_difference_hessian(k, q, rule, tol):
    """Kc = E sum_{ll'} (s^2 d_l d_l' ln M)^2 (the replicon's energetic factor, K >= 3) from
    finite differences (h = 2e-4, error ~5e-9) of an independent ln M, against the kernel's
    analytic second derivatives. K = 3: an independent composite Gauss–Legendre rule (panels of
    1 on [-8, 8], 6 nodes) against the default kernel; K = 5: a coarse rule (panels of 2, 3
    nodes) given to both, so that only the second derivatives are compared."""
    import itertools
    from replica.models.committee_kernels import energetic_kernel
    a = math.sqrt(q / (1 - q))
    z, w = _plain_rule(1.0, 6) if rule == "independent" else _plain_rule(2.0, 3)
    idx = np.array(list(itertools.combinations_with_replacement(range(z.size), k)))
    # multinomial multiplicity k!/prod(m_j!) of each sorted tuple: prod of the run counters
    den = np.ones(len(idx))
    run = np.ones(len(idx))
    for j in range(1, k):
        run = np.where(idx[:, j] == idx[:, j - 1], run + 1, 1.0)
        den *= run
    wt = math.factorial(k) / den * np.prod(w[idx], axis=1)
    tot = float(np.dot(wt, _fd_hessian_sq(a * z[idx])))
    if rule == "independent":
        ref = C.energetic(q, k, replicon=True)["Kc"]
    else:
        ref = energetic_kernel(z, w, q, k, True)[2]
    assert abs(tot - ref) < tol * max(1.0, ref)


@pytest.mark.parametrize("k", [1, 3])
def test_J_is_the_derivative_of_E(k):
    q, h = 0.4, 1e-4
    ep = C.energetic(q + h, k)["E"]
    em = C.energetic(q - h, k)["E"]
    dE = (ep - em) / (2 * h)
    assert abs(-2 * (1 - q) ** 2 * dE - C.energetic(q, k)["J"]) < 1e-7


def test_q0_closed_form():
    # q = 0: M = 1/2, J = K (2 tie phi(0))^2 with tie = C(K-1, (K-1)/2) / 2^(K-1)
    for k in (1, 3):
        assert abs(C.energetic(0.0, k)["E"] + math.log(2)) < 1e-15
        assert abs(C.energetic(1e-9, k)["J"] - C.energetic(0.0, k)["J"]) < 1e-7


# --- capacities -----------------------------------------------------------------------------------

def test_A3_order_statistics_mpmath():
    # A_3 = 3/8 E[min(X1,X2)^2] + 1/8 (3 - E[max(X1,X2,X3)^2]), X half-normal, by mpmath
    import mpmath as mp
    mp.mp.dps = 25
    H2 = lambda t: mp.erfc(t / mp.sqrt(2))          # P(|z| > t)
    emin2 = mp.quad(lambda t: 2 * t * H2(t) ** 2, [0, mp.inf])
    emax3 = mp.quad(lambda t: 2 * t * (1 - (1 - H2(t)) ** 3), [0, mp.inf])
    ref = mp.mpf(3) / 8 * emin2 + mp.mpf(1) / 8 * (3 - emax3)
    assert abs(C.A_K(3) - float(ref)) < 1e-13


def test_AK_monte_carlo_K5():
    rng = np.random.default_rng(5)
    z = rng.standard_normal((400_000, 5))
    sq = np.sort(np.where(z < 0, z * z, np.inf), axis=1)
    need = np.maximum(0, 3 - (z > 0).sum(1))
    csum = np.concatenate([np.zeros((z.shape[0], 1)), np.cumsum(np.where(np.isinf(sq), 0, sq), 1)], 1)
    cost = csum[np.arange(z.shape[0]), need]
    se = cost.std() / math.sqrt(cost.size)
    assert abs(C.A_K(5) - cost.mean()) < 4 * se


@pytest.mark.slow
def test_k3_spherical_capacity_is_the_q_to_1_limit():
    # q/J(q) -> 1/A_3 as q -> 1; Richardson in (1-q) from 1e-2 and 1e-3 (nested rule)
    r = [(1 - v) / C.energetic(1 - v, 3)["J"] for v in (1e-2, 1e-3)]
    extrap = r[1] + (r[1] - r[0]) / 9
    assert abs(r[1] * C.A_K(3) - 1) < 5e-3          # approaching
    assert abs(extrap * C.A_K(3) - 1) < 1.5e-3


def test_binary_k3_capacity_bracket():
    # the RS entropy of the K = 3 binary committee vanishes between 0.90 and 0.94
    s = lambda a: C.committee("binary", a, 3, allow_negative_entropy=True).thermo["entropy"]
    assert s(0.90) > 0 > s(0.94)


# --- infinite width -------------------------------------------------------------------------------

@pytest.mark.parametrize("weights,alpha,kappa", [("spherical", 1.0, 0.0), ("spherical", 0.5, 0.5),
                                                 ("binary", 0.6, 0.0)])
def test_linear_activation_is_the_perceptron(weights, alpha, kappa):
    c = C.committee(weights, alpha, None, activation="linear", kappa=kappa)
    g = G.gardner(weights, alpha, kappa)
    assert abs(c.order["q"] - g.order["q"]) < 1e-12
    for key in ("entropy", "replicon"):
        assert abs(c.thermo[key] - g.thermo[key]) < 1e-12
    assert abs(C.capacity("spherical", None, activation="linear", kappa=kappa)
               - G.capacity("spherical", kappa)) < 1e-12


def test_wide_capacities_closed_forms():
    assert C.capacity_spherical(None, "linear") == pytest.approx(2.0, abs=1e-14)
    assert C.capacity_spherical(None, "relu") == pytest.approx(2 * math.pi / (math.pi - 1), abs=1e-12)
    assert C.capacity_spherical(None, "erf") == pytest.approx(
        4 / (math.sqrt(5) * math.asin(2 / 3)), abs=1e-12)
    assert math.isinf(C.capacity_spherical(None, "sign"))


@pytest.mark.parametrize("act", ["relu", "erf"])
def test_wide_capacity_is_the_q_to_1_limit(act):
    ac = C.capacity_spherical(None, act)
    for v in (1e-6, 1e-8):
        q = 1 - v
        assert abs(q / C.energetic_wide(q, act)["J"] / ac - 1) < 30 * math.sqrt(v)


def test_sign_wide_capacity_diverges():
    # q/J(q) grows without bound as q -> 1 (J ~ (1-q)^(1/2))
    vals = [(1 - v) / C.energetic_wide(1 - v, "sign")["J"] for v in (1e-4, 1e-6, 1e-8)]
    assert vals[0] < vals[1] < vals[2] and vals[2] > 50 * C.capacity_spherical(None, "relu")


@pytest.mark.parametrize("act", ["sign", "relu", "erf"])
def test_kernel_derivatives(act):
    k = C.kernel(act)
    for q in (0.1, 0.5, 0.9):
        h = 1e-6
        assert abs((k.delta(q + h) - k.delta(q - h)) / (2 * h) - k.d1(q)) < 1e-7
        assert abs((k.d1(q + h) - k.d1(q - h)) / (2 * h) - k.d2(q)) < 1e-5 * max(1, k.d2(q))
        assert abs(k.one_minus_Q(q) - (1 - k.Q(q))) < 1e-13


def test_kernels_by_independent_integrals():
    # erf: a 2-d Gauss-Hermite rule (smooth integrand); ReLU: the inner Gaussian average in
    # closed form, E relu(mu + s z) = mu Phi(mu/s) + s phi(mu/s), the outer one by scipy quad
    from scipy import integrate, stats
    from replica.gauss import gauss_hermite
    z, w = gauss_hermite(120)
    for q in (0.3, 0.6, 0.95):
        h1 = z[:, None]
        h2 = q * z[:, None] + math.sqrt(1 - q * q) * z[None, :]
        erf = np.vectorize(math.erf)
        d = float(np.sum(w[:, None] * w[None, :] * erf(h1) * erf(h2)))
        assert abs(d - C.kernel("erf").delta(q)) < 1e-12
        s = math.sqrt(1 - q * q)
        inner = lambda x: q * x * stats.norm.cdf(q * x / s) + s * stats.norm.pdf(q * x / s)
        val = integrate.quad(lambda x: stats.norm.pdf(x) * x * inner(x), 0, np.inf,
                             epsabs=1e-14, epsrel=1e-13)[0]
        assert abs(val - 1 / (2 * math.pi) - C.kernel("relu").delta(q)) < 1e-12


def test_hermite_kernel_of_erf():
    k = C.hermite_kernel(lambda x: np.vectorize(math.erf)(x), degree=80)
    ref = C.kernel("erf")
    for q in (0.2, 0.7, 1.0):
        assert abs(k.delta(q) - ref.delta(q)) < 1e-10
    assert abs(k.d1_at_1 - ref.d1_at_1) < 1e-6


def test_finite_k_approaches_infinite_width():
    # spherical, sign units, alpha = 0.5: |s_K - s_inf| decreases with K (measured ratios in
    # the notebook); K = 1, 3, 5 against the infinite-width reduction
    inf = C.committee("spherical", 0.5, None, activation="sign").thermo
    fin = [C.committee("spherical", 0.5, k).thermo for k in (1, 3, 5)]
    d = [abs(t["entropy"] - inf["entropy"]) for t in fin]
    assert d[0] > d[1] > d[2]
    assert d[2] < 0.35 * d[0]
    # K |s_K - s_inf| stays bounded (an O(1/K) approach): 0.021, 0.014, 0.013
    assert 5 * d[2] < 1.2 * 3 * d[1]
    r = [abs(t["replicon"] - inf["replicon"]) for t in fin]
    assert r[0] > r[1] > r[2]


# --- stationarity, methods ----------------------------------------------------------------------

@pytest.mark.parametrize("weights,k", [("spherical", 3), ("binary", 3), ("binary", None)])
def test_stationarity(weights, k):
    sol = C.committee(weights, 0.6, k, activation="relu")
    q, qh = sol.order["q"], sol.order.get("qh")
    h = 1e-5
    f = lambda q_, qh_: C.free_entropy(weights, 0.6, q_, qh_, k=k, activation="relu")["entropy"]
    assert abs((f(q + h, qh) - f(q - h, qh)) / (2 * h)) < 1e-6
    if weights == "binary":
        assert abs((f(q, qh + h) - f(q, qh - h)) / (2 * h)) < 1e-6
    assert abs(f(q, qh) - sol.thermo["entropy"]) < 1e-13


@pytest.mark.parametrize("weights", ["binary", "spherical"])
def test_iterate_newton_bracket_agree(weights):
    b = C.committee(weights, 0.5, 3)
    i = C.committee(weights, 0.5, 3, method="iterate", x0=b.x * 0.9)
    n = C.committee(weights, 0.5, 3, method="newton", x0=b.x * 0.9)
    assert abs(i.order["q"] - b.order["q"]) < 1e-9
    assert abs(n.order["q"] - b.order["q"]) < 1e-9
    assert abs(n.thermo["entropy"] - b.thermo["entropy"]) < 1e-10


def test_protocol_models():
    m = get("committee-binary")
    sol = m.saddle({"alpha": 0.4, "k": 3})
    direct = C.committee("binary", 0.4, 3)
    assert abs(sol.thermo["entropy"] - direct.thermo["entropy"]) < 1e-13
    assert np.max(np.abs(m.residual(np.array(sol.unknowns), m.validate({"alpha": 0.4, "k": 3})))) < 1e-10
    w = get("committee-wide-spherical")
    sol = w.saddle({"alpha": 1.0, "activation": "relu"})
    assert np.max(np.abs(w.residual(np.array(sol.unknowns), w.validate(
        {"alpha": 1.0, "activation": "relu"})))) < 1e-10
    with pytest.raises(ReplicaInputError, match="k"):
        m.validate({"alpha": 0.4, "k": 4})
    with pytest.raises(ReplicaInputError, match="alpha"):
        get("committee-spherical").validate({"alpha": 4.1, "k": 3})   # beyond 1/A_3 = 4.025


# --- finite N --------------------------------------------------------------------------------------

def test_enumeration_k1_matches_perceptron_enumerator():
    from replica.finite_n.committee import enumerate_committee
    from replica.finite_n.enumerate import enumerate_perceptron
    r = enumerate_committee(13, 1, [0.3, 0.6], instances=3, seed=4)
    e = enumerate_perceptron(13, [0.3, 0.6], instances=3, seed=4, profiles=False)
    assert np.array_equal(r["counts"], e.counts()[:, :, 0])


def test_enumeration_k3_brute_force():
    from replica.finite_n.committee import count_instance
    rng = np.random.default_rng(0)
    xi = rng.standard_normal((6, 9))
    got = count_instance(xi, 3)
    idx = np.arange(2 ** 9)
    W = 2.0 * ((idx[:, None] >> np.arange(9)) & 1) - 1.0
    hid = np.sign(np.stack([W[:, 3 * l:3 * l + 3] @ xi[:, 3 * l:3 * l + 3].T for l in range(3)]))
    ok = hid.sum(0) > 0
    ref = [int(np.all(ok[:, :p], axis=1).sum()) for p in range(7)]
    assert got.tolist() == ref


@pytest.mark.slow
def test_enumeration_vs_rs_entropy_k3():
    # N = 15, 21 (K = 3) at alpha ~ 0.4: the quenched finite-N entropy is within a few 1/N of
    # RS and moves towards it as N grows (finite-size effects; RS exact only as N -> inf)
    from replica.finite_n.committee import enumerate_committee, quenched_entropy
    out = {}
    for n in (15, 21):
        r = quenched_entropy(enumerate_committee(n, 3, [0.4], instances=40, seed=2))
        a = r["alpha"][0]
        s_rs = C.committee("binary", a, 3).thermo["entropy"]
        out[n] = (r["entropy"][0] - s_rs, r["entropy_se"][0])
    for n, (d, se) in out.items():
        assert abs(d) < 3.0 / n + 3 * se
    assert abs(out[21][0]) < abs(out[15][0]) + 2 * out[21][1]


# --- CLI -------------------------------------------------------------------------------------------

def _cli(*args):
    return subprocess.run([sys.executable, "-m", "replica", *args], capture_output=True, text=True)


def test_cli_committee_and_capacity():
    r = _cli("committee", "--weights", "spherical", "--k", "inf", "--activation", "relu",
             "--alpha", "1", "--json")
    assert r.returncode == 0, r.stderr
    d = json.loads(r.stdout)
    for key in ("entropy", "q", "replicon", "status"):
        assert key in d
    r = _cli("capacity", "--model", "committee", "--weights", "spherical", "--k", "3", "--json")
    assert r.returncode == 0, r.stderr
    assert abs(json.loads(r.stdout)["alpha_c"] - 1 / C.A_K(3)) < 1e-12
    r = _cli("capacity", "--model", "committee", "--weights", "spherical", "--k", "inf",
             "--activation", "sign", "--json")
    assert r.returncode == 0 and json.loads(r.stdout)["diverges"] is True
    assert _cli("committee", "--weights", "binary", "--k", "4", "--alpha", "0.5").returncode == 2
    assert _cli("committee", "--weights", "binary", "--k", "3", "--activation", "relu",
                "--alpha", "0.5").returncode == 2
    assert _cli("capacity", "--model", "binary", "--json").returncode == 0
