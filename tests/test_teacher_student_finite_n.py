"""Finite-N ground truth for the binary teacher-student perceptron: exact enumeration of the
version space of planted instances (N = 12..20, all 2^N students), extrapolated in 1/N, against
the RS entropy and the Gibbs generalisation error at two loads below alpha_IT."""

import numpy as np
import pytest

from replica import models
from replica.finite_n.enumerate import extrapolate_in_1_over_n
from replica.finite_n.teacher_student import enumerate_teacher_student, planted_instance


def test_planted_instance_is_consistent():
    xi, teacher = planted_instance(10, 15, 3)
    assert np.all(xi @ teacher.astype(float) >= 0)            # the teacher is in the version space
    run = enumerate_teacher_student(10, [0.5, 1.5], instances=3, seed=3)
    assert np.all(run.counts >= 1)
    assert np.all(run.counts[:, 1] <= run.counts[:, 0])        # more labels, smaller space
    assert np.all((run.eps_g >= 0) & (run.eps_g <= 0.5 + 1e-12))


@pytest.mark.slow
def test_enumeration_extrapolates_to_the_rs_theory():
    ns = (12, 14, 16, 18, 20)
    alphas = (0.5, 1.0)
    rows = {a: [] for a in alphas}
    for n in ns:
        for r in enumerate_teacher_student(n, alphas, instances=100, seed=7).summary():
            rows[round(r["alpha"], 12)].append(r)
    m = models.get("teacher-student-binary")
    for a in alphas:
        th = m.saddle({"alpha": a}).thermo
        for key in ("entropy", "eps_g"):
            fit = extrapolate_in_1_over_n(ns, [r[key] for r in rows[a]],
                                          [r[key + "_se"] for r in rows[a]])
            err = fit["intercept_err_scaled"]
            assert err < 0.05, (a, key, fit)
            assert abs(fit["intercept"] - th[key]) < 3 * err + 1e-3, (a, key, fit, th[key])
    # discriminating: the random-label (storage) entropy at alpha = 1 is negative at RS level
    # (capacity 0.833), the teacher-student one is 0.106 > 0, and the enumeration sees > 0
    assert all(r["entropy"] > 0.05 for r in rows[1.0])


@pytest.mark.slow
def test_flat_students_generalise_better():
    # exact enumeration: around the max-margin student there are more consistent neighbours at
    # small distance than around a typical (uniformly drawn) one, and it generalises better
    import math as _m
    from replica.finite_n.enumerate import (enumerate_instance, index_to_weights,
                                            instance_seeds)
    n, p = 16, 8
    more, eps_max, eps_rand = [], [], []
    for ss in instance_seeds(3, 40):
        xi, teacher = planted_instance(n, p, ss)
        res = enumerate_instance(xi, [p], (0.0,), profile_kappa=0.0, profiles=True, rng=ss)
        more.append(res.profile_max[0][1:3].sum() - res.profile_random[0][1:3].sum())
        for idx, out in ((res.argmax[0], eps_max), (res.random_ref[0], eps_rand)):
            w = index_to_weights(idx, n).astype(float)
            out.append(_m.acos(float(w @ teacher) / n) / _m.pi)
    assert np.mean(more) > 0
    diff = np.array(eps_rand) - np.array(eps_max)
    assert diff.mean() > 2 * diff.std(ddof=1) / _m.sqrt(diff.size)
