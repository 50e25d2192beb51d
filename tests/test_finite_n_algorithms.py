"""Learning algorithms on the binary perceptron: verified solutions, success at small alpha,
seeded reproducibility, and the flip-based local-entropy probe against exact enumeration."""
import math

import numpy as np
import pytest
from scipy.special import comb

from replica.errors import ReplicaInputError
from replica.finite_n.algorithms import (ALGORITHMS, flip_survival, local_entropy_from_flips,
                                         solve_binary, success_probability, verify_solution)
from replica.finite_n.enumerate import distance_profile, enumerate_instance, make_patterns

OPTS = {"sbpi": dict(max_sweeps=500), "sa": dict(max_sweeps=500),
        "replicated": dict(max_sweeps=500, y=3)}


@pytest.mark.parametrize("algorithm", sorted(ALGORITHMS))
@pytest.mark.parametrize("patterns", ["pm1", "gaussian"])
def test_solves_small_alpha_and_solution_is_verified(algorithm, patterns):
    n, alpha = 101, 0.3
    xi = make_patterns(n, int(alpha * n), 3, patterns)
    r = solve_binary(algorithm, xi, seed=1, **OPTS[algorithm])
    assert r.solved
    assert verify_solution(xi, r.w)
    # margin and error count recomputed independently
    stab = xi @ r.w.astype(float) / math.sqrt(n)
    assert r.margin == pytest.approx(stab.min(), abs=1e-12) and r.errors == 0
    assert set(np.unique(r.w)) <= {-1, 1}


@pytest.mark.parametrize("algorithm", sorted(ALGORITHMS))
def test_seeded_reproducibility(algorithm):
    xi = make_patterns(81, 40, 2, "pm1")
    a = solve_binary(algorithm, xi, seed=4, **OPTS[algorithm])
    b = solve_binary(algorithm, xi, seed=4, **OPTS[algorithm])
    c = solve_binary(algorithm, xi, seed=5, **OPTS[algorithm])
    assert np.array_equal(a.w, b.w) and a.iterations == b.iterations
    assert not np.array_equal(a.w, c.w)


def test_failure_is_reported_consistently():
    # alpha = 1.2 > capacity 0.833: no solution exists w.h.p.; the result must say so truthfully
    xi = make_patterns(61, 73, 1, "pm1")
    for alg in ALGORITHMS:
        r = solve_binary(alg, xi, seed=0, **{**OPTS[alg], "max_sweeps": 50})
        assert not r.solved and r.errors > 0 and r.margin < 0
        assert r.errors == int(np.sum(xi @ r.w.astype(float) < 0))


def test_bad_input():
    xi = make_patterns(11, 3, 0)
    with pytest.raises(ReplicaInputError):
        solve_binary("gradient", xi)
    with pytest.raises(ReplicaInputError):
        solve_binary("sa", xi, temperature=3)
    with pytest.raises(ReplicaInputError):
        solve_binary("sa", xi, energy="square")
    with pytest.raises(ReplicaInputError):
        solve_binary("replicated", xi, y=0)


def test_success_probability_small_alpha():
    rows = success_probability("sbpi", 61, [0.2, 0.4], instances=6, seed=3, max_sweeps=300)
    assert [r["success"] for r in rows] == [1.0, 1.0]
    assert rows[0]["p"] == round(0.2 * 61)


def test_flip_survival_matches_enumeration():
    """P(random k-flip of w is a solution) = n_k / C(N, k) with n_k the exact distance profile;
    compare within 4 binomial standard errors (plus the k = 0 identity)."""
    n, p = 18, 7
    xi = make_patterns(n, p, 9)
    r = enumerate_instance(xi, [p], [0.0], rng=0)
    from replica.finite_n.enumerate import index_to_weights
    w = index_to_weights(r.random_ref[0], n)
    ks = np.array([0, 1, 2, 3, 5, 8])
    samples = 4000
    f = flip_survival(xi, w, ks, samples=samples, seed=1)
    prof = distance_profile(xi, p, w)
    exact = prof[ks] / comb(n, ks)
    se = np.sqrt(exact * (1 - exact) / samples)
    assert f[0] == 1.0
    assert np.all(np.abs(f - exact) <= 4 * se + 1e-12)
    le = local_entropy_from_flips(xi, w, ks, samples=samples, seed=1)
    ok = [e is not None for e in le["entropy"]]
    assert np.allclose(np.array(le["entropy"], dtype=float)[ok],
                       (np.log(comb(n, ks)) + np.log(f))[ok] / n)


def test_replicated_stop_at_centre_returns_verified_centre():
    n = 101
    xi = make_patterns(n, 40, 6, "pm1")
    r = solve_binary("replicated", xi, seed=2, max_sweeps=1000, stop="centre")
    assert r.solved and verify_solution(xi, r.w)
    assert r.params["found_by"] in ("centre", "replica")
    with pytest.raises(ReplicaInputError):
        solve_binary("replicated", xi, stop="never")
