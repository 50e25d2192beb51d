"""Finite-N enumeration against the replica theory (binary perceptron, kappa = 0, alpha = 0.5).

Finite-size forms (stated, not assumed silently):

* entropy: (1/N) E ln #solutions = s + c/N + o(1/N) — fit linearly in 1/N;
* local entropy at fixed distance d = D/N: the raw (1/N) E ln n(D) carries the Stirling term
  -(1/2N) ln(2 pi N d(1-d)) of (1/N) ln C(N, dN); we use the binomial-normalised estimate
  y_N = H2(d) + (1/N) E ln[n(D)/C(N, D)] (profile_local_entropy) = S(d) + c/N + o(1/N), fitted
  linearly in 1/N.

Instances with a zero count (at that alpha, or at that distance) have ln 0 = -inf; the averages
below are over the instances with a positive count, and the fraction of zeros is asserted small
(it is reported by quenched_summary / the figures)."""
import math


from replica.finite_n.enumerate import (enumerate_perceptron, extrapolate_in_1_over_n,
                                        profile_local_entropy, quenched_summary)

ALPHA = 0.5


def test_extrapolated_entropy_matches_rs_gardner():
    from replica.models.gardner import gardner

    s_theory = gardner("binary", ALPHA, 0.0).entropy       # 0.31439 (RS = exact here)
    ns, y, e = [], [], []
    for n, inst in [(14, 300), (16, 250), (18, 200), (20, 120)]:
        run = enumerate_perceptron(n, [ALPHA], [0.0], instances=inst, seed=2024, profiles=False)
        (row,) = quenched_summary(run)
        assert row["frac_zero"] <= 0.01
        ns.append(n)
        y.append(row["entropy"])
        e.append(row["entropy_se"])
    fit = extrapolate_in_1_over_n(ns, y, e)
    assert abs(fit["intercept"] - s_theory) < 3 * fit["intercept_err_scaled"]
    assert fit["intercept_err_scaled"] < 0.03   # the test has teeth: error bar well below s
    # annealed bound ln 2 + alpha ln H(0) = ln 2 - alpha ln 2 is above the quenched value
    assert all(v < (1 - ALPHA) * math.log(2) + 0.02 for v in y)


def test_local_entropy_around_random_solutions_approaches_franz_parisi():
    from replica.models.franz_parisi import local_entropy_curve

    d = 0.25
    curve = local_entropy_curve("binary", ALPHA, 0.0, 0.0, [d])
    assert curve.status == ["converged"]
    s_fp = float(curve["entropy"][0])                       # 0.29471
    ns, y, e = [], [], []
    for n, inst in [(12, 300), (16, 250), (20, 100)]:
        run = enumerate_perceptron(n, [ALPHA], [0.0], instances=inst, seed=77)
        le = profile_local_entropy(run.profiles("random")[:, 0, :], n)
        D = n // 4
        assert le["frac_zero"][D] < 0.1
        ns.append(n)
        y.append(le["norm"][D])
        e.append(le["norm_se"][D])
    fit = extrapolate_in_1_over_n(ns, y, e)
    assert abs(fit["intercept"] - s_fp) < 3 * fit["intercept_err_scaled"]
    # and the finite-N values stay below the binomial bound H2(d) at every N
    h2 = -d * math.log(d) - (1 - d) * math.log(1 - d)
    assert all(v < h2 for v in y)
