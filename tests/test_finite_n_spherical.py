"""Spherical max-margin classifier at finite N: exactness at tiny N by scanning, a second QP
solver, non-separable detection, and convergence to the Gardner kappa_max and Phi(kappa_max)."""
import math

import numpy as np
import pytest
from scipy import special

from replica.errors import ReplicaInputError
from replica.finite_n.enumerate import extrapolate_in_1_over_n, make_patterns
from replica.finite_n.spherical import (alpha_c_spherical, kappa_max_spherical,
                                        max_margin_spherical, sample_max_margins)


@pytest.mark.parametrize("seed", range(5))
def test_qp_margin_equals_angle_scan_n2(seed):
    xi = make_patterns(2, 3, seed)
    r = max_margin_spherical(xi)
    t = np.linspace(0, 2 * np.pi, 400_001)
    w = math.sqrt(2) * np.stack([np.cos(t), np.sin(t)], axis=1)
    best = np.max(np.min(w @ xi.T, axis=1)) / math.sqrt(2)
    if best <= 0:
        assert not r.separable and r.margin is None
        return
    assert r.separable
    lip = np.max(np.linalg.norm(xi, axis=1))  # |d Delta/d t| <= |xi|
    assert best <= r.margin + 1e-12           # the QP is an upper bound of any direction ...
    assert r.margin - best <= lip * (t[1] - t[0])  # ... attained within the grid resolution
    assert np.linalg.norm(r.w) == pytest.approx(math.sqrt(2), rel=1e-12)


@pytest.mark.parametrize("seed", range(3))
def test_qp_margin_equals_sphere_scan_n3(seed):
    xi = make_patterns(3, 3, 10 + seed)
    r = max_margin_spherical(xi)
    # Fibonacci sphere with 400k points, then the best grid point refined on a local grid
    m = 400_000
    k = np.arange(m) + 0.5
    z = 1 - 2 * k / m
    ph = np.pi * (1 + 5 ** 0.5) * k
    u = np.stack([np.sqrt(1 - z * z) * np.cos(ph), np.sqrt(1 - z * z) * np.sin(ph), z], axis=1)
    marg = np.min(u @ xi.T, axis=1)  # Delta = (sqrt(3) u).xi / sqrt(3)
    best = marg.max()
    if best <= 0:
        assert not r.separable
        return
    assert best <= r.margin + 1e-12
    spacing = math.sqrt(4 * math.pi / m) * 1.5
    assert r.margin - best <= np.max(np.linalg.norm(xi, axis=1)) * spacing


@pytest.mark.parametrize("n,alpha,seed", [(20, 0.5, 1), (40, 1.0, 2), (60, 1.5, 3), (30, 1.9, 4)])
def test_two_qp_solvers_agree_and_kkt(n, alpha, seed):
    xi = make_patterns(n, int(alpha * n), seed)
    a = max_margin_spherical(xi, method="nnls")
    b = max_margin_spherical(xi, method="slsqp")
    assert a.separable and b.separable
    assert a.margin == pytest.approx(b.margin, abs=1e-7)
    assert np.array_equal(a.support, b.support)
    # the support vectors sit at the margin, the others above it; their number is at most N
    assert np.allclose(a.stabilities[a.support], a.margin, atol=1e-9)
    assert np.all(a.stabilities[~a.support] > a.margin - 1e-12)
    assert a.n_support <= n


def test_non_separable_is_reported():
    # alpha = 3 > 2: typically not separable; P = N + 1 random points in N dims may or may not be
    for seed in range(3):
        r = max_margin_spherical(make_patterns(10, 30, seed))
        assert not r.separable and r.margin is None and r.w is None
    # an explicit contradiction: xi and -xi
    x = make_patterns(5, 1, 0)
    r = max_margin_spherical(np.vstack([x, -x]))
    assert not r.separable


def test_bad_input():
    with pytest.raises(ReplicaInputError):
        max_margin_spherical(np.array([1.0, 2.0]))
    with pytest.raises(ReplicaInputError):
        max_margin_spherical(np.array([[np.nan, 1.0]]))
    with pytest.raises(ReplicaInputError):
        kappa_max_spherical(-1.0)


def test_closed_form_capacity_values():
    # docs/THEORY.md §6 table (Gardner 1988)
    for k, a in [(-1, 13.2732), (-0.5, 4.770099), (0, 2.0), (0.5, 0.961205), (1, 0.519572)]:
        assert alpha_c_spherical(k) == pytest.approx(a, rel=2e-6)
    for a, k in [(1.0, 0.47066), (0.5, 1.0343), (1.5, 0.1861)]:
        assert kappa_max_spherical(a) == pytest.approx(k, abs=1e-4)


def test_closed_form_matches_replica_gardner():
    from replica.models.gardner import kappa_max
    for a in (0.5, 1.0, 1.5):
        assert kappa_max_spherical(a) == pytest.approx(kappa_max("spherical", a), abs=1e-9)


def test_finite_n_max_margin_approaches_theory():
    """Mean max margin at alpha = 1 for N = 40, 80, 160 (seeded instances), extrapolated linearly
    in 1/N; must agree with kappa_max(1) = 0.47066 within 3 (chi^2-inflated) standard errors of the
    intercept, and the support-vector fraction with Phi(kappa_max) within 3 standard errors
    (finite-size tolerance: the SV fraction at finite N has O(1/N) corrections, included by
    the same extrapolation)."""
    kth = kappa_max_spherical(1.0)
    ns, m, me, f, fe = [], [], [], [], []
    for n, inst in [(40, 60), (80, 40), (160, 20)]:
        s = sample_max_margins(n, 1.0, inst, seed=7)
        assert s["frac_nonseparable"] == 0.0
        ns.append(n)
        m.append(s["margin"].mean())
        me.append(s["margin"].std(ddof=1) / math.sqrt(s["margin"].size))
        f.append(s["support_fraction"].mean())
        fe.append(s["support_fraction"].std(ddof=1) / math.sqrt(s["margin"].size))
    fit = extrapolate_in_1_over_n(ns, m, me)
    assert abs(fit["intercept"] - kth) < 3 * fit["intercept_err_scaled"]
    fit_f = extrapolate_in_1_over_n(ns, f, fe)
    assert abs(fit_f["intercept"] - special.ndtr(kth)) < 3 * fit_f["intercept_err_scaled"]
    # and the largest N alone is already within 0.05 of the theory (stated finite-size tolerance)
    assert abs(m[-1] - kth) < 0.05
