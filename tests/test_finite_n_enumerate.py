"""Exact enumeration of the binary perceptron: agreement with a plain-Python brute force,
invariants, input validation, quenched averages and the 1/N extrapolation."""
import math

import numpy as np
import pytest

from replica.errors import ReplicaInputError
from replica.finite_n.enumerate import (
    count_numpy, distance_profile, enumerate_instance, enumerate_perceptron,
    extrapolate_in_1_over_n, index_to_weights, make_patterns, quenched_summary, weights_to_index)


def brute_force(xi, ps, kappas, profile_kappa, refs_max=None, rng=None):
    """Plain Python: loop over every w, its fields by a dot product, the margin of each prefix."""
    p_max, n = xi.shape
    ps = sorted(set(ps))
    sq = math.sqrt(n)
    thr = lambda k: k * sq - 1e-12 * max(1.0, abs(k) * sq)  # noqa: E731  (module convention)
    margins = {p: [] for p in ps}
    ws = []
    for idx in range(2 ** n):
        w = np.array([1.0 if (idx >> b) & 1 else -1.0 for b in range(n)])
        h = [float(np.dot(w, xi[mu])) for mu in range(p_max)]
        ws.append(idx)
        for p in ps:
            margins[p].append(min(h[:p]))
    out = {}
    for p in ps:
        m = np.array(margins[p])
        counts = [int(np.sum(m >= thr(k))) for k in kappas]
        best = m.max()
        # ties: exact for ±1 patterns (integer fields); smallest index first
        arg = int(np.flatnonzero(m == best)[0])
        sols = np.flatnonzero(m >= thr(profile_kappa))
        prof_max = np.zeros(n + 1, dtype=int)
        for s in sols:
            prof_max[bin(int(s) ^ arg).count("1")] += 1
        out[p] = dict(counts=counts, max_margin=best / sq, argmax=arg,
                      n_max=int(np.sum(m == best)), sols=sols, prof_max=prof_max)
    return out


@pytest.mark.parametrize("n,patterns,seed", [(7, "gaussian", 1), (10, "gaussian", 2),
                                             (12, "gaussian", 3), (9, "pm1", 4), (10, "pm1", 5)])
def test_enumerator_matches_brute_force(n, patterns, seed):
    ps = [1, n // 3, n // 2, int(0.8 * n)]
    kappas = [-0.3, 0.0, 0.25, 0.6]
    xi = make_patterns(n, max(ps), seed, patterns)
    r = enumerate_instance(xi, ps, kappas, profile_kappa=0.0, rng=np.random.default_rng(seed))
    bf = brute_force(xi, ps, kappas, 0.0)
    rng = np.random.default_rng(seed)  # the documented protocol: k-th solution, k uniform
    for c, p in enumerate(sorted(set(ps))):
        b = bf[p]
        assert r.counts[c].tolist() == b["counts"]
        assert r.max_margin[c] == pytest.approx(b["max_margin"], abs=1e-12)
        assert r.argmax[c] == b["argmax"]
        assert r.n_maximisers[c] == b["n_max"]
        assert r.n_solutions[c] == len(b["sols"])
        assert r.profile_max[c].tolist() == (b["prof_max"].tolist() if len(b["sols"]) else
                                             [0] * (n + 1))
        if len(b["sols"]):
            ref = int(b["sols"][rng.integers(0, len(b["sols"]))])
            assert r.random_ref[c] == ref
            prof = np.zeros(n + 1, dtype=int)
            for s in b["sols"]:
                prof[bin(int(s) ^ ref).count("1")] += 1
            assert r.profile_random[c].tolist() == prof.tolist()
        else:
            assert r.random_ref[c] == -1 and not r.profile_random[c].any()
    # the vectorised numpy path is a third implementation
    cn, mn = count_numpy(xi, ps, kappas)
    assert np.array_equal(cn, r.counts)
    np.testing.assert_allclose(mn, r.max_margin, atol=1e-12)


def test_pm1_even_n_zero_stability_counts_as_solution():
    # N even: fields w.xi = 0 occur and Delta = 0 >= kappa = 0 counts (documented convention)
    n = 4
    xi = np.array([[1.0, 1.0, -1.0, -1.0]])
    r = enumerate_instance(xi, [1], [0.0], rng=0)
    zero = sum(1 for idx in range(16) if index_to_weights(idx, n) @ xi[0] == 0)
    pos = sum(1 for idx in range(16) if index_to_weights(idx, n) @ xi[0] > 0)
    assert zero == 6 and r.counts[0, 0] == zero + pos


def test_invariants_many_instances():
    n = 14
    kappas = np.array([-0.5, -0.1, 0.0, 0.1, 0.3, 0.5, 1.0])
    run = enumerate_perceptron(n, [0.2, 0.4, 0.6, 0.8, 1.0], kappas, instances=12, seed=11)
    counts = run.counts()
    # non-increasing in kappa and in the number of patterns of the same instance
    assert np.all(np.diff(counts, axis=2) <= 0)
    assert np.all(np.diff(counts, axis=1) <= 0)
    for i, r in enumerate(run.results):
        xi_all = _patterns_of(run, i)
        for c, p in enumerate(r.ps):
            # each profile sums to the total count at the profile kappa
            assert r.profile_max[c].sum() == r.n_solutions[c]
            assert r.profile_random[c].sum() == r.n_solutions[c]
            if r.n_solutions[c]:
                assert r.profile_max[c][0] == 1 and r.profile_random[c][0] == 1
            # max margin = largest kappa with a non-zero count
            one = enumerate_instance(xi_all, [p],
                                     [r.max_margin[c], r.max_margin[c] + 1e-9], profiles=False)
            assert one.counts[0, 0] == r.n_maximisers[c] >= 1
            assert one.counts[0, 1] == 0
            # the maximiser is a vector of that margin
            xi = xi_all[:p]
            w = index_to_weights(r.argmax[c], n).astype(float)
            assert np.min(xi @ w) / math.sqrt(n) == pytest.approx(r.max_margin[c], abs=1e-12)


def _patterns_of(run, i):
    from replica.finite_n.enumerate import instance_seeds
    ss = instance_seeds(run.seed, len(run.results))[i].spawn(2)[0]
    return make_patterns(run.n, int(run.ps.max()), ss, run.patterns)


def test_no_sign_symmetry_is_assumed():
    # with Gaussian patterns w and -w have opposite stabilities: at kappa = 0 never both solutions
    n = 10
    xi = make_patterns(n, 3, 7)
    r = enumerate_instance(xi, [3], [0.0], rng=0)
    ref = r.random_ref[0]
    anti = ref ^ ((1 << n) - 1)
    assert r.profile_random[0][n] == 0 and anti != ref
    # and at kappa < 0 both w and -w can be counted: all 2^N vectors are enumerated
    r2 = enumerate_instance(xi[:1], [1], [-10.0], profiles=False)
    assert r2.counts[0, 0] == 2 ** n


def test_distance_profile_of_any_reference():
    n = 11
    xi = make_patterns(n, 5, 3)
    r = enumerate_instance(xi, [5], [0.0], rng=1)
    w = index_to_weights(r.argmax[0], n)
    assert weights_to_index(w) == r.argmax[0]
    assert distance_profile(xi, 5, w).tolist() == r.profile_max[0].tolist()


def test_seeded_reproducibility_and_prefix_property():
    a = enumerate_perceptron(12, [0.5], [0.0], instances=3, seed=5)
    b = enumerate_perceptron(12, [0.25, 0.5], [0.0], instances=3, seed=5)
    assert np.array_equal(a.counts()[:, 0], b.counts()[:, 1])
    assert np.array_equal(a.profiles("random")[:, 0], b.profiles("random")[:, 1])
    c = enumerate_perceptron(12, [0.5], [0.0], instances=3, seed=6)
    assert not np.array_equal(a.counts(), c.counts())


@pytest.mark.parametrize("kwargs,match", [
    (dict(n=26, alphas=[0.5]), "N must be"),
    (dict(n=10, alphas=[-0.1]), "alpha"),
    (dict(n=10, alphas=[0.01]), "at least one pattern"),
    (dict(n=10, alphas=[0.5], patterns="binary"), "patterns"),
    (dict(n=10, alphas=[0.5], instances=0), "instances"),
    (dict(n=10, alphas=[0.5], kappas=[float("nan")]), "kappa"),
])
def test_bad_input(kwargs, match):
    with pytest.raises(ReplicaInputError, match=match):
        enumerate_perceptron(**kwargs)


def test_zero_counts_are_reported_not_dropped():
    run = enumerate_perceptron(8, [1.5], [0.0], instances=20, seed=1, profiles=False)
    (row,) = quenched_summary(run)
    c = run.counts()[:, 0, 0]
    assert row["frac_zero"] == pytest.approx(np.mean(c == 0)) and row["frac_zero"] > 0
    assert row["entropy_conditional"] is True
    assert row["entropy"] == pytest.approx(np.mean(np.log(c[c > 0])) / 8)


def test_extrapolation_recovers_a_known_line():
    ns = np.array([10, 14, 18, 22])
    y = 0.3 + 0.7 / ns
    e = np.full(4, 0.01)
    fit = extrapolate_in_1_over_n(ns, y, e)
    assert fit["intercept"] == pytest.approx(0.3, abs=1e-12)
    assert fit["slope"] == pytest.approx(0.7, abs=1e-10)
    assert fit["chi2"] == pytest.approx(0.0, abs=1e-18)
    # error of the intercept from the covariance: compare with the closed form for a 2-parameter fit
    x = 1.0 / ns
    S, Sx, Sxx = len(x) / 1e-4, x.sum() / 1e-4, (x * x).sum() / 1e-4
    assert fit["intercept_err"] == pytest.approx(math.sqrt(Sxx / (S * Sxx - Sx ** 2)), rel=1e-10)


def test_profile_local_entropy_is_h2_at_alpha_zero_limit():
    # a single pattern with a huge negative kappa... instead: kappa so low that every w is a
    # solution -> n(D) = C(N, D) exactly and the normalised estimate equals H2(d)
    n = 10
    xi = make_patterns(n, 1, 0)
    r = enumerate_instance(xi, [1], [-100.0], profile_kappa=-100.0, rng=0)
    from replica.finite_n.enumerate import profile_local_entropy
    le = profile_local_entropy(r.profile_random[:1], n)
    d = le["d"][1:-1]
    np.testing.assert_allclose(le["norm"][1:-1], -d * np.log(d) - (1 - d) * np.log(1 - d),
                               rtol=1e-12)
    from scipy.special import comb
    np.testing.assert_allclose(le["raw"], np.log(comb(n, np.arange(n + 1))) / n, rtol=1e-12)
