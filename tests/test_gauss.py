"""Special functions against mpmath (50+ digits) on a grid reaching the tails; quadrature rules."""
import math

import mpmath as mp
import numpy as np
import pytest

from replica import gauss

mp.mp.dps = 160  # ln H near x = -40 needs ~1e-350 resolution around 1

GRID = np.concatenate([np.linspace(-40, 60, 401), [-37.5, -1e-3, 0.0, 1e-8, 9.99, 10.0, 10.01,
                                                   14.14, 37.0, 38.5, 59.9]])


def _H(x):
    return mp.erfc(mp.mpf(x) / mp.sqrt(2)) / 2


def _log_H(x):
    return mp.log1p(-_H(-x)) if x < 0 else mp.log(_H(x))


REFS = {
    "log_H": _log_H,
    "G": lambda x: mp.npdf(mp.mpf(x)) / _H(x),
    "H": _H,
    "log_H_scaled": lambda x: _log_H(x) + mp.mpf(x) ** 2 / 2,
    "G_minus_x": lambda x: mp.npdf(mp.mpf(x)) / _H(x) - x,
}


@pytest.mark.parametrize("name", sorted(REFS))
def test_special_function_relative_accuracy(name):
    f = getattr(gauss, name)
    values = f(GRID)
    worst = 0.0
    checked = 0
    for x, v in zip(GRID, values):
        ref = REFS[name](float(x))
        if ref == 0 or abs(ref) < 1e-300 or abs(ref) > 1e300:
            continue  # not a normal double: nothing to compare
        err = abs((v - float(ref)) / float(ref))
        worst = max(worst, err)
        checked += 1
    assert checked > 300
    assert worst < 1e-13, f"{name}: worst relative error {worst:.3e}"


def test_erfcx_matches_mpmath_including_negative_arguments():
    ys = np.linspace(-26, 60, 173)
    v = gauss.erfcx(ys)
    for y, vi in zip(ys, v):
        ref = mp.exp(mp.mpf(y) ** 2) * mp.erfc(mp.mpf(y))
        assert abs(vi / float(ref) - 1) < 2e-13, y


def test_tails_are_finite_and_have_the_right_asymptotics():
    x = np.array([1e3, 1e6, 1e10])
    # ln H(x) = -x^2/2 - ln(x sqrt(2 pi)) - 1/x^2 + O(x^-4)
    asym = -x ** 2 / 2 - np.log(x * math.sqrt(2 * math.pi)) - 1 / x ** 2
    assert np.allclose(gauss.log_H(x), asym, rtol=1e-15)
    assert np.allclose(gauss.G(x), x + 1 / x - 2 / x ** 3, rtol=1e-15)
    assert gauss.log_H(-1e3) == 0.0 and gauss.G(-1e3) == 0.0
    assert np.isnan(gauss.log_H(np.nan))


def test_log_2cosh_no_overflow():
    h = np.array([-1e4, -3.0, 0.0, 0.5, 800.0])
    ref = [float(mp.log(2 * mp.cosh(mp.mpf(v)))) for v in h]
    assert np.allclose(gauss.log_2cosh(h), ref, rtol=1e-15)


def test_gauss_hermite_and_legendre_rules_are_cached_and_exact_on_moments():
    z, w = gauss.gauss_hermite(20)
    assert gauss.gauss_hermite(20)[0] is z
    for k, m in [(0, 1), (2, 1), (4, 3), (6, 15)]:
        assert abs(np.dot(w, z ** k) - m) < 1e-12
    x, wl = gauss.gauss_legendre(12)
    assert abs(wl.sum() - 2) < 1e-14
    with pytest.raises(ValueError):
        gauss.gauss_legendre(0)


@pytest.mark.parametrize("c,width", [(0.3, 1e-1), (0.3, 1e-6), (-2.0, 1e-9), (11.0, 1e-4)])
def test_graded_rule_resolves_a_kink(c, width):
    # int Dz |z - c| = 2 phi(c) + c (2 Phi(c) - 1): a kink at c, exact for any width
    exact = 2 * math.exp(-c * c / 2) / math.sqrt(2 * math.pi) + c * math.erf(c / math.sqrt(2))
    got = gauss.integrate_gaussian(lambda z: np.abs(z - c), [c], [width])
    assert abs(got - exact) < 1e-13
    # boundary layer: int Dz ln H((c - z)/w) against a second rule with twice the nodes
    f = lambda z: gauss.log_H((c - z) / width) * width ** 2
    a = gauss.integrate_gaussian(f, [c], [width], n=12)
    b = gauss.integrate_gaussian(f, [c], [width], n=24)
    assert abs(a - b) < 1e-12 * max(1.0, abs(b))


def test_integration_range_cut_is_negligible():
    f = lambda z: np.exp(0.5 * z)  # int Dz e^{z/2} = e^{1/8}
    assert abs(gauss.integrate_gaussian(f) - math.exp(0.125)) < 1e-13
    a = gauss.integrate_gaussian(lambda z: z ** 4, L=12.0)
    b = gauss.integrate_gaussian(lambda z: z ** 4, L=16.0)
    assert abs(a - b) < 1e-14 and abs(a - 3) < 1e-13


def test_F_margin_against_mpmath_on_the_whole_line():
    """ln F(x), F = (1+x^2) Phi(x) + x phi(x) (the q -> 1 cost, 1/F = spherical capacity), against
    the closed form at 60 digits (where double precision cancels, x < -2, mpmath does not)."""
    import mpmath as mp
    from replica.gauss import F_margin, log_F_margin

    worst = 0.0
    for x in np.r_[np.linspace(-60, 12, 145), -2.0 - 1e-9, -2.0 + 1e-9]:
        with mp.workdps(60):
            X = mp.mpf(float(x))
            ref = mp.log((1 + X * X) * mp.ncdf(X) + X * mp.npdf(X))
        worst = max(worst, abs(float(log_F_margin(x)) - float(ref)) / max(1.0, abs(float(ref))))
    assert worst < 1e-14
    assert F_margin(0.0) == 0.5 and abs(1 / F_margin(-1.0) - 13.2732) < 1e-4


def test_h2_limits():
    from replica.gauss import h2

    assert h2(0.0) == 0.0 and h2(1.0) == 0.0 and abs(h2(0.5) - math.log(2)) < 1e-16
    d = 1e-12
    assert abs(h2(d) - (-d * math.log(d) + d)) < 1e-20


def test_graded_edges_capped_resolves_a_sharp_step_with_few_panels():
    """Grading stopped at 20 widths around a step H((c - w)/eps): int Dw H((c - w)/eps) =
    H(c/sqrt(1 + eps^2)) (closed form), with far fewer panels than grading up to the base
    length; with no cap the edges are those of graded_edges_on."""
    from replica.gauss import (H_s, gauss_legendre, graded_edges_capped, graded_edges_on,
                               rule_on_edges)
    c, eps, base = 0.3, 1e-7, 3.0
    cen, wid = np.array([c]), np.array([eps])
    full = graded_edges_on(-11.0, 11.0, cen, wid, base)
    assert np.array_equal(graded_edges_capped(-11.0, 11.0, cen, wid, np.array([np.inf]), base),
                          full)
    capped = graded_edges_capped(-11.0, 11.0, cen, wid, np.array([20 * eps]), base)
    assert len(capped) < len(full) - 20
    xg, wg = (np.array(a) for a in gauss_legendre(10))
    z, w = rule_on_edges(capped, xg, wg, True)
    val = sum(wi * H_s((c - zi) / eps) for zi, wi in zip(z, w))
    assert abs(val - H_s(c / np.sqrt(1 + eps * eps))) < 1e-14


def test_sized_edges_grading_hmax_and_closed_forms():
    """sized_edges: every centre is an edge, panels within the caps keep the grading ratio
    (length <= grade x distance to the centre, or the centre's width), the hmax zone is
    respected, and a step plus a kink and an exponential tail integrate to their closed forms
    with fewer panels than graded_edges_capped puts there."""
    from replica.gauss import (H_s, gauss_legendre, graded_edges_capped, rule_on_edges,
                               sized_edges)
    rng = np.random.default_rng(3)
    for _ in range(300):
        lo = rng.uniform(-12.0, 2.0)
        hi = lo + rng.uniform(1e-3, 25.0)
        cen = rng.uniform(lo - 1.0, hi + 1.0, 3)
        wid = 10.0 ** rng.uniform(-10.0, 0.5, 3)
        caps = np.where(rng.random(3) < 0.5, np.inf, 10.0 ** rng.uniform(-8.0, 1.0, 3))
        hmax = np.where(rng.random(3) < 0.5, np.inf, 10.0 ** rng.uniform(-3.0, 0.5, 3))
        grade = rng.choice([0.75, 1.0])
        e = sized_edges(lo, hi, cen, wid, caps, hmax, 3.0, grade)
        assert e[0] == lo and e[-1] == hi and np.all(np.diff(e) > 0)
        assert np.all(np.diff(e) <= 3.0 * (1 + 1e-12))
        for c, w, cp, hm in zip(cen, wid, caps, hmax):
            if lo < c < hi:
                assert np.min(np.abs(e - c)) <= 1e-12 * (1 + abs(c))
            for a, b in zip(e[:-1], e[1:]):
                near = min(abs(a - c), abs(b - c))
                if max(abs(a - c), abs(b - c)) <= cp and (a - c) * (b - c) >= 0:
                    assert b - a <= max(w, grade * near) * (1 + 1e-9) + 1e-12
                if min(abs(a - c), abs(b - c)) < 16 * hm * (1 - 1e-9) and hm < 3.0:
                    assert b - a <= hm * (1 + 1e-9)
    # closed forms: int Dw H((c - w)/eps) = H(c/sqrt(1 + eps^2)) (a sharp step) and
    # int_c^inf exp(-(w - c)/l) dw = l (an exponential tail, l = 0.01, panels <= 4 l)
    xg, wg = (np.array(a) for a in gauss_legendre(10))
    c, eps, base = 0.3, 1e-7, 3.0
    args = (np.array([c, 1.1]), np.array([eps, 0.05]), np.array([20 * eps, np.inf]))
    for grade in (1.0, 0.75):
        e = sized_edges(-11.0, 11.0, *args, np.array([np.inf, np.inf]), base, grade)
        z, w = rule_on_edges(e, xg, wg, True)
        val = sum(wi * H_s((c - zi) / eps) for zi, wi in zip(z, w))
        assert abs(val - H_s(c / np.sqrt(1 + eps * eps))) < 1e-14
    # a step, the tail of a truncated Gaussian and a kink whose gradings interleave (the
    # Franz-Parisi inner rule at small d): the same ratio-2 grading without the slivers
    args = (np.array([0.1259, 0.1259, 0.0]), np.array([5.9e-4, 0.25, 0.069]),
            np.array([0.0118, np.inf, np.inf]))
    old = graded_edges_capped(0.1194, 10.0073, *args, base)
    e = sized_edges(0.1194, 10.0073, *args, np.full(3, np.inf), base, 1.0)
    assert len(e) < len(old) - 3
    ell = 0.01
    e = sized_edges(c, c + 60 * ell, np.array([c]), np.array([ell / 4]), np.array([np.inf]),
                    np.array([4 * ell]), base, 0.75)
    z, w = rule_on_edges(e, xg, wg, False)
    assert abs(sum(wi * np.exp(-(zi - c) / ell) for zi, wi in zip(z, w)) / ell
               - (1 - np.exp(-60))) < 1e-13


def test_fused_primitives_against_mpmath():
    """log_H_G_s, log_H_abs_s (ln H to absolute 1e-16 for x < 0, relative elsewhere) and
    cosh_terms_s (ln 2cosh, sech^2, tanh, sigmoid(-2h); tanh to absolute 1e-16 near h = 0, where
    (1 - e)/(1 + e) cancels) on grids reaching the tails."""
    for x in np.concatenate([np.linspace(-40, 40, 161), [-1e-9, 0.0, 1e-9, 9.99, 10.0]]):
        lh, g = gauss.log_H_G_s(float(x))
        ref_lh, ref_g = _log_H(x), mp.npdf(mp.mpf(x)) / _H(x)
        tol = 1e-16 if x < 0 else 1e-15 * abs(float(ref_lh))
        assert abs(lh - float(ref_lh)) <= tol, x
        assert abs(gauss.log_H_abs_s(float(x)) - float(ref_lh)) <= tol, x
        if ref_g > 1e-300:
            assert abs(g / float(ref_g) - 1) < 1e-14, x
    for h in [-400.0, -20.0, -3.0, -1e-3, 0.0, 0.7, 5.0, 30.0, 400.0]:
        l2c, s2, th, sg = gauss.cosh_terms_s(h)
        hm = mp.mpf(h)
        refs = (mp.log(2 * mp.cosh(hm)), mp.sech(hm) ** 2, mp.tanh(hm), 1 / (1 + mp.exp(2 * hm)))
        for v, r in zip((l2c, s2, th, sg), refs):
            assert abs(v - float(r)) <= 1e-15 * abs(float(r)) + 1e-16, (h, v, r)
