"""Local energy: closed form vs Monte Carlo, replica prediction vs independent closed forms,
q -> 1 continuity, small-sigma law, margin bound."""
import math

import numpy as np
import pytest
from scipy import integrate, special, stats

from replica.errors import ReplicaInputError
from replica.flatness import local_energy as le
from replica.gauss import H
from replica.models.gardner import gardner, kappa_max


def _trained_perceptron(N=200, alpha=0.5, seed=0):
    """Random-label perceptron trained to zero error by the classic perceptron rule."""
    rng = np.random.default_rng(seed)
    P = int(alpha * N)
    X = rng.standard_normal((P, N))
    y = np.where(rng.random(P) < 0.5, 1.0, -1.0)
    w = rng.standard_normal(N)
    for _ in range(5000):
        m = y * (X @ w)
        bad = np.nonzero(m <= 0)[0]
        if bad.size == 0:
            break
        mu = bad[0]
        w += y[mu] * X[mu]
    assert np.all(y * (X @ w) > 0)
    return w, X, y


def test_closed_form_matches_monte_carlo_trained_perceptron():
    w, X, y = _trained_perceptron()
    sig = [0.05, 0.2, 0.6]
    mc, se = le.local_energy_mc(le.perceptron_error_fn(X, y), w, sig, n_samples=3000, seed=3)
    exact = le.local_energy_perceptron(w, X, y, sig, exact=True)
    np.testing.assert_array_less(np.abs(mc - exact), 4 * se + 1e-12)
    # the large-N form (s_mu = 1) differs only by the per-pattern fluctuations of the noise scale
    large_n = le.local_energy_perceptron(w, X, y, sig)
    np.testing.assert_allclose(large_n, exact, atol=0.01)


def test_flip_noise_binary_weights_monte_carlo():
    rng = np.random.default_rng(1)
    N, P = 401, 120
    X = rng.standard_normal((P, N))
    w = np.where(rng.random(N) < 0.5, 1.0, -1.0)
    y = np.sign(X @ w)  # teacher labels: the binary teacher has zero error
    p = [0.01, 0.05, 0.2]
    mc, se = le.local_energy_mc(le.perceptron_error_fn(X, y), w, p, noise="flip",
                                n_samples=3000, seed=2)
    cf = le.local_energy_perceptron(w, X, y, p, noise="flip")
    # CLT approximation of the flip noise: agreement within MC error plus O(1/sqrt N) per pattern
    np.testing.assert_array_less(np.abs(mc - cf), 4 * se + 0.01)


def _owen_upper_orthant(h, k, r):
    """P(X > h, Y > k) for a standard bivariate normal with correlation r (Owen 1956, via
    Owen's T); h, k non-zero."""
    x, yv = -h, -k
    c = math.sqrt(1 - r * r)
    beta = 0.0 if x * yv > 0 else 0.5
    return (0.5 * special.ndtr(x) + 0.5 * special.ndtr(yv)
            - special.owens_t(x, (yv - r * x) / (x * c))
            - special.owens_t(yv, (x - r * yv) / (yv * c)) - beta)


@pytest.mark.parametrize("q,kappa", [(0.5, 0.0), (0.8, 0.3), (0.6, -0.4), (0.97, 0.2)])
def test_conditional_error_vs_owens_t_closed_form(q, kappa):
    """Independent path for the inner (Delta and noise) integral: the probability that the noisy
    stability is negative, given the truncated Gaussian Delta, is a bivariate normal orthant
    P(Y > a, U > b) / H(a) with corr(Y, U) = -s/sqrt(s^2 + sigma^2) (Owen's T closed form).
    Checked pointwise in t where H(a) > 1e-5 (Owen's form cancels beyond)."""
    sq, s = math.sqrt(q), math.sqrt(1 - q)
    for sig in (0.02, 0.15, 0.7, 3.0):
        c = math.sqrt(sig * sig + s * s)
        r = -s / c
        for t in np.linspace(-3, 3, 25):
            m = sq * t
            a = (kappa - m) / s
            if a > 4.2 or abs(a) < 1e-6 or abs(m) < 1e-6:
                continue
            ref = _owen_upper_orthant(a, m / c, r) / H(a)
            got = le._cond_error(m, s, kappa, sig, le._XG, le._WG)
            assert abs(got - ref) < 1e-10, (sig, t, got, ref)


def test_replica_typical_vs_sampling_near_q_one():
    """q = 0.99: Monte Carlo sampling of Delta from the RS measure (exact truncated normals)."""
    q, kappa = 0.99, 0.4
    sig = np.array([0.1, 0.3, 1.0])
    D = le.sample_rs_stabilities(q, kappa, 200_000, seed=5)
    vals = H(D[:, None] / sig[None, :])
    mc = vals.mean(0)
    se = vals.std(0) / math.sqrt(D.size)
    got = le.local_energy_typical(q, kappa, sig)
    np.testing.assert_array_less(np.abs(got - mc), 4 * se + 1e-9)


def test_max_margin_closed_form_vs_quadrature():
    k = kappa_max("spherical", 1.0)
    for sig in (0.05, 0.3, 1.5):
        direct = special.ndtr(k) * H(k / sig) + integrate.quad(
            lambda t: stats.norm.pdf(t) * H(t / sig), k, np.inf, epsabs=1e-14)[0]
        got = le.local_energy_max_margin(k, [sig])[0]
        assert abs(got - direct) < 1e-12 * max(1.0, 1 / max(direct, 1e-300)) or \
            abs(got / direct - 1) < 1e-8
    # sigma -> infinity: random weights misclassify half of the patterns
    assert abs(le.local_energy_max_margin(k, [1e8])[0] - 0.5) < 1e-7


def test_continuity_kappa_to_kappa_max():
    alpha = 1.0
    km = kappa_max("spherical", alpha)
    sig = np.array([0.05, 0.2, 0.8])
    mm = le.local_energy_max_margin(km, sig)
    diffs = []
    for eps in (1e-2, 1e-3, 1e-4):
        sol = gardner("spherical", alpha, km - eps)
        diffs.append(np.max(np.abs(le.local_energy_typical(sol.q, km - eps, sig) - mm)))
    assert diffs[0] > diffs[1] > diffs[2]
    assert diffs[2] < 2e-4
    # q ~ 1 - 1e-9 still accurate (no loss in the truncated-Gaussian ratio)
    assert np.max(np.abs(le.local_energy_typical(1 - 1e-9, km, sig) - mm)) < 1e-5


def test_small_sigma_slope():
    sol = gardner("spherical", 1.0, 0.0)
    slope = le.small_sigma_slope(sol.q, 0.0)
    # p(0+) from the G-formula agrees with the density evaluated just above 0
    dens = le.stability_density(sol.q, 0.0, [1e-9])[0]
    assert abs(dens / math.sqrt(2 * math.pi) - slope) < 1e-6
    sig = np.array([1e-4, 1e-3])
    ratio = le.local_energy_typical(sol.q, 0.0, sig) / sig
    np.testing.assert_allclose(ratio, slope, rtol=2e-3)


@pytest.mark.parametrize("model,alpha,kappa", [("spherical", 1.0, 0.3), ("binary", 0.5, 0.2),
                                               ("spherical", 0.5, "max")])
def test_margin_bound(model, alpha, kappa):
    sig = np.logspace(-2, 1, 12)
    r = le.local_energy_replica(model, alpha, kappa, sig)
    bound = H(r["kappa"] / sig)
    assert np.all(r["local_energy"] <= bound * (1 + 1e-10) + 1e-300)
    assert np.all(r["local_energy"] >= 0)
    assert np.all(np.diff(r["local_energy"]) >= -1e-14)


def test_flip_equals_effective_sigma():
    sol = gardner("binary", 0.5, 0.0)
    p = np.array([0.01, 0.1, 0.3])
    a = le.local_energy_typical(sol.q, 0.0, p, noise="flip")
    b = le.local_energy_typical(sol.q, 0.0, le.sigma_from_flip(p))
    np.testing.assert_allclose(a, b, rtol=1e-14)


def test_bad_input():
    with pytest.raises(ReplicaInputError):
        le.local_energy_replica("spherical", 1.0, 0.0, [-0.1])
    with pytest.raises(ReplicaInputError):
        le.local_energy_replica("spherical", 1.0, "maximum", [0.1])
    with pytest.raises(ReplicaInputError):
        le.local_energy_replica("binary", 0.5, 0.0, [0.7], noise="flip")
    with pytest.raises(ReplicaInputError):
        le.local_energy_replica("spherical", 3.0, 0.0, [0.1])  # beyond capacity


def test_cli_json(capsys):
    import json
    from replica.cli import main

    rc = main(["local-energy", "--model", "spherical", "--alpha", "1", "--kappa-ref", "max",
               "--sigma", "0.1", "0.5", "--json"])
    assert rc == 0
    out = json.loads(capsys.readouterr().out)
    km = kappa_max("spherical", 1.0)
    vals = [e["local_energy"] for e in out["local_energy"]]
    assert [e["sigma"] for e in out["local_energy"]] == [0.1, 0.5]
    np.testing.assert_allclose(vals, le.local_energy_max_margin(km, [0.1, 0.5]), rtol=1e-14)
    rc = main(["local-energy", "--model", "binary", "--alpha", "0.5", "--kappa", "0", "--sigma",
               "0.2", "--json"])
    assert rc == 0
    out = json.loads(capsys.readouterr().out)
    q = gardner("binary", 0.5, 0.0).q
    assert out["local_energy"][0]["local_energy"] == pytest.approx(
        le.local_energy_typical(q, 0.0, [0.2])[0], rel=1e-12)
    assert main(["local-energy", "--model", "spherical", "--alpha", "1", "--kappa", "0",
                 "--sigma", "0"]) == 2
    assert capsys.readouterr().err.count("\n") == 1


def test_replica_typical_vs_gibbs_sampled_solutions():
    """Typical zero-error solutions at finite N (Gibbs sampling of the version space started at
    the max-margin solution) have the replica local energy of kappa = 0 references."""
    from replica.finite_n import gmm as fgmm

    N, alpha = 160, 1.0
    P = int(alpha * N)
    sig = np.array([0.02, 0.1, 0.3, 1.0])
    th = le.local_energy_typical(gardner("spherical", alpha, 0.0).q, 0.0, sig)
    vals = []
    for s in range(4):
        rng = np.random.default_rng(50 + s)
        X = rng.standard_normal((P, N))
        y = np.where(rng.random(P) < 0.5, 1.0, -1.0)
        w0, _ = fgmm.max_margin_classifier(X, y)
        w = fgmm.sample_cone(y[:, None] * X, w0, sweeps=1000, seed=s)
        vals.append(le.local_energy_perceptron(w, X, y, sig))
    vals = np.array(vals)
    se = vals.std(0, ddof=1) / np.sqrt(len(vals))
    np.testing.assert_array_less(np.abs(vals.mean(0) - th), 3 * se + 0.01)
    # and far from the max-margin prediction at small sigma
    mm = le.local_energy_max_margin(kappa_max("spherical", alpha), sig)
    assert vals.mean(0)[1] > 5 * mm[1] + 0.02
