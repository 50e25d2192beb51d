"""Gaussian-mixture classification: Bayes error (simulation, limits, symmetry, optimal bias),
Gardner volume with the teacher overlap R (stationarity, capacity, max margin vs finite-d QP,
typical R vs version-space sampling)."""
import math

import numpy as np
import pytest
from scipy import optimize

from replica.errors import ReplicaInputError
from replica.gauss import H
from replica.finite_n import gmm as fgmm
from replica.models import gmm


@pytest.mark.parametrize("alpha,delta,rho", [(1.0, 1.0, 0.5), (0.5, 2.0, 0.5), (2.0, 1.0, 0.3)])
def test_bayes_error_simulation(alpha, delta, rho):
    d = 2000
    sim = fgmm.bayes_error_simulation(alpha, delta, rho, d=d, seeds=range(6))
    theory = gmm.bayes_error(alpha, delta, rho)
    tol = 3 * sim["stderr"] + (1 / math.sqrt(d) if rho != 0.5 else 0.0)
    assert abs(sim["error"] - theory) < tol, (sim["error"], theory, tol)
    assert abs(sim["R"] - gmm.bayes_R(alpha, delta)) < 4 / math.sqrt(d) + 0.01


def test_bayes_limits_and_symmetry():
    for rho in (0.5, 0.2, 0.9):
        assert gmm.bayes_error(0.0, 1.0, rho) == min(rho, 1 - rho)
        assert abs(gmm.bayes_error(1e-10, 1.0, rho) - min(rho, 1 - rho)) < 1e-4
        # alpha -> inf: the oracle rule sign(x.v*/sqrt d + b) with v* known
        b = 0.5 * 1.3 * math.log(rho / (1 - rho))
        oracle = rho * H((1 + b) / math.sqrt(1.3)) + (1 - rho) * H((1 - b) / math.sqrt(1.3))
        assert abs(gmm.bayes_error(1e9, 1.3, rho) - oracle) < 1e-8
    for a in (0.1, 1.0, 5.0):
        assert gmm.bayes_error(a, 0.7, 0.3) == pytest.approx(gmm.bayes_error(a, 0.7, 0.7), abs=1e-15)
        assert gmm.bayes_error(a, 0.7) == pytest.approx(float(H(math.sqrt(a / (0.7 * (a + 0.7))))),
                                                        rel=1e-14)


def test_bayes_bias_is_optimal():
    """The bias minimises the linear rule's error at the Bayes overlaps (M = Q)."""
    for rho in (0.2, 0.35, 0.8):
        a, dl = 1.5, 0.8
        M = a / (a + dl)
        err = lambda b: rho * H((M + b) / math.sqrt(dl * M)) + (1 - rho) * H((M - b) / math.sqrt(dl * M))
        best = optimize.minimize_scalar(err, bracket=(-1, 1), tol=1e-12).x
        assert abs(best - gmm.bayes_bias(dl, rho)) < 1e-5


def test_capacity_limits_and_direct_maximisation():
    assert abs(gmm.capacity(1e6) - 2.0) < 1e-4
    assert gmm.capacity(1e2) > gmm.capacity(1e3) > gmm.capacity(1e4) > 2.0
    # Delta = 1: the root of the R-derivative vs a brute-force grid maximisation
    R = np.linspace(-0.99, 0.99, 200001)
    grid = np.max((1 - R * R) / gmm.F_margin(-R))
    assert abs(gmm.capacity(1.0) - grid) < 1e-8
    assert abs(gmm.capacity(1.0) - 3.70) < 0.005  # Pittorino et al. 2021's 3.70 (docs/THEORY.md §6)
    # F is the q -> 1 energetic cost: check the closed form by quadrature
    from scipy import integrate, stats
    for x in (-1.0, 0.0, 0.7):
        ref = integrate.quad(lambda t: stats.norm.pdf(t) * (t + x) ** 2, -x, np.inf)[0]
        assert abs(gmm.F_margin(x) - ref) < 1e-12


def test_F_margin_tail_accuracy():
    """F(x) for x << 0 (small Delta) against mpmath at 80 digits (the closed form cancels)."""
    import mpmath as mp
    mp.mp.dps = 80
    for x in (-30.0, -8.0, -2.5, -1.0, 0.5):
        X = mp.mpf(x)
        ref = (1 + X ** 2) * mp.ncdf(X) + X * mp.npdf(X)
        assert abs(float(gmm.F_margin(x)) / float(ref) - 1) < 1e-13
    assert gmm.capacity(0.01) > gmm.capacity(0.1) > gmm.capacity(1.0)


def test_typical_is_stationary_and_ordered():
    sol = gmm.typical(1.0, 1.0)
    q, R = sol.q, sol.R
    h = 1e-6
    dq = (gmm.free_entropy(q + h, R, 1.0, 1.0) - gmm.free_entropy(q - h, R, 1.0, 1.0)) / (2 * h)
    dR = (gmm.free_entropy(q, R + h, 1.0, 1.0) - gmm.free_entropy(q, R - h, 1.0, 1.0)) / (2 * h)
    assert abs(dq) < 1e-6 and abs(dR) < 1e-6
    # R is a maximum of s along R (the volume is dominated by it)
    assert gmm.free_entropy(q, R + 0.02, 1.0, 1.0) < sol.entropy
    assert gmm.free_entropy(q, R - 0.02, 1.0, 1.0) < sol.entropy
    mm = gmm.max_margin(1.0, 1.0)
    assert sol.R < mm.R < gmm.bayes_R(1.0, 1.0)
    assert gmm.bayes_error(1.0, 1.0) < mm.error < sol.error
    # approaching the separability threshold, q -> 1 and R -> the capacity R
    near = gmm.typical(3.6, 1.0, x0=(0.97, 0.6))
    assert near.q > 0.97


def test_max_margin_consistency_with_capacity():
    mm = gmm.max_margin(1.0, 1.0)
    ac, R = gmm.alpha_c_at_margin(1.0, mm.kappa_max)
    assert abs(ac - 1.0) < 1e-10 and R == pytest.approx(mm.R)
    assert abs(gmm.max_margin(gmm.capacity(1.0), 1.0).kappa_max) < 1e-9


def test_max_margin_vs_finite_d_qp():
    d, seeds = 200, range(5)
    Rs, ks = [], []
    for s in seeds:
        X, y, v = fgmm.sample_gmm(d, d, 1.0, 0.5, np.random.default_rng(100 + s))
        w, k = fgmm.max_margin_classifier(X, y)
        Rs.append(w @ v / (np.linalg.norm(w) * np.linalg.norm(v)))
        ks.append(k)
    mm = gmm.max_margin(1.0, 1.0)
    se = np.std(Rs, ddof=1) / math.sqrt(len(Rs))
    assert abs(np.mean(Rs) - mm.R) < 3 * se + 1 / math.sqrt(d), (np.mean(Rs), mm.R, se)
    sek = np.std(ks, ddof=1) / math.sqrt(len(ks))
    assert abs(np.mean(ks) - mm.kappa_max) < 3 * sek + 1 / math.sqrt(d), (np.mean(ks), mm.kappa_max)


def test_typical_R_vs_version_space_sampling():
    """Gibbs sampling of the zero-error version space (uniform on sphere ∩ cone) at d = 100."""
    d = 100
    means = []
    for s in range(4):
        X, y, v = fgmm.sample_gmm(d, d, 1.0, 0.5, np.random.default_rng(200 + s))
        w, _ = fgmm.max_margin_classifier(X, y)
        Rs = fgmm.sample_version_space(X, y, v, w, sweeps=1500, burn=500, thin=5, seed=s)
        means.append(Rs.mean())
    th = gmm.typical(1.0, 1.0).R
    se = np.std(means, ddof=1) / math.sqrt(len(means))
    assert abs(np.mean(means) - th) < 3 * se + 0.3 / math.sqrt(d), (np.mean(means), th, se)
    # and the sampled R sits clearly below the max-margin R
    assert np.mean(means) < gmm.max_margin(1.0, 1.0).R


def test_bad_input():
    with pytest.raises(ReplicaInputError):
        gmm.bayes_error(1.0, 1.0, 1.2)
    with pytest.raises(ReplicaInputError):
        gmm.capacity(-1.0)
    with pytest.raises(ReplicaInputError):
        gmm.typical(4.0, 1.0)


def test_qp_methods_agree():
    X, y, v = fgmm.sample_gmm(80, 60, 1.0, 0.5, np.random.default_rng(7))
    w1, k1 = fgmm.max_margin_classifier(X, y, method="nnls")
    w2, k2 = fgmm.max_margin_classifier(X, y, method="slsqp")
    assert abs(k1 - k2) < 1e-5
    assert np.linalg.norm(w1 / np.linalg.norm(w1) - w2 / np.linalg.norm(w2)) < 1e-4
    # KKT: the margin is attained by the support vectors and no pattern violates it
    marg = (y * (X @ w1)) / np.linalg.norm(w1)
    assert marg.min() == pytest.approx(k1, rel=1e-12)


def test_cli_json(capsys):
    import json
    from replica.cli import main

    assert main(["gmm", "bayes", "--alpha", "1", "--delta", "1", "--rho", "0.5", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["error"] == pytest.approx(float(H(math.sqrt(0.5))), rel=1e-14)
    assert main(["gmm", "capacity", "--delta", "1", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["alpha_c"] == pytest.approx(3.7000334556856761, abs=1e-9)
    assert main(["gmm", "bayes", "--alpha", "1", "--delta", "-1"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "delta" in err
