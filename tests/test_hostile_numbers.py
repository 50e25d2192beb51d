"""Numbers at the edges (issue 22): the spherical capacity in log space against mpmath, the
local energy against an independent quadrature (negative where the reference makes errors),
non-finite values refused, messages on one line, Python options validated."""
from __future__ import annotations

import math

import mpmath as mp
import numpy as np
import pytest
from scipy import integrate, stats

from replica import special
from replica._json import to_jsonable
from replica.errors import ConvergenceError, NonFiniteResultError, ReplicaInputError


def _ln_J_mp(k):
    with mp.workdps(60):
        K = mp.mpf(k)
        return float(mp.log((1 + K * K) * mp.ncdf(K) + K * mp.npdf(K)))


@pytest.mark.parametrize("kappa", [5.0, 1.0, 0.0, -0.5, -1.0, -1.5, -2.0, -3.7, -8.9, -9.0,
                                   -9.1, -15.0, -37.4, -40.0, -300.0, -1e4, -1e30])
def test_log_gardner_moment_against_mpmath(kappa):
    ref = _ln_J_mp(kappa)
    got = special.log_gardner_moment(kappa)
    assert abs(got - ref) <= 2e-15 * max(1.0, abs(ref))


def test_capacity_closed_form_limits_and_overflow():
    assert special.capacity_spherical(0.0) == pytest.approx(2.0, rel=1e-15)   # Cover 1965
    # kappa -> -inf: alpha_c ~ sqrt(2 pi) |k|^3 exp(k^2/2) / 2 (leading term of the series)
    k = -30.0
    lead = math.log(math.sqrt(2 * math.pi) * abs(k) ** 3 / 2) + k * k / 2
    assert special.log_capacity_spherical(k) == pytest.approx(lead, abs=7 / k ** 2)
    with pytest.raises(ReplicaInputError, match="floating-point range"):
        special.capacity_spherical(-40.0)
    with pytest.raises(ReplicaInputError, match="kappa must be >= -1e"):
        special.log_capacity_spherical(-1e308)
    with pytest.raises(ReplicaInputError, match="alpha must be at least"):
        special.kappa_max_spherical(1e-300)
    for alpha in (1e-150, 0.1, 1.0, 2.0, 7.5, 1e10, 1e308):
        k = special.kappa_max_spherical(alpha)
        assert special.log_capacity_spherical(k) == pytest.approx(math.log(alpha), rel=1e-13,
                                                                  abs=1e-13)
    assert special.kappa_max_spherical(2.0) == pytest.approx(0.0, abs=1e-14)


def test_gardner_spherical_very_negative_margin():
    from replica.models.gardner import gardner

    sol = gardner("spherical", 0.5, -50.0)
    assert sol.entropy <= 0 and math.isfinite(sol.entropy)
    with pytest.raises(ReplicaInputError, match="capacity"):
        gardner("spherical", 1e308, -30.0)


def test_local_energy_negative_margin_matches_independent_quadrature():
    """Around typical solutions of margin kappa < 0 the reference misclassifies the patterns
    with stability in [kappa, 0): dE = int_0^inf [P(D) - P(-D)] H(D/sigma) dD is negative when
    the stability density decreases through 0, as here (the issue's -1.08e-6)."""
    from replica.flatness.local_energy import local_energy_typical
    from replica.models.gardner import gardner

    alpha, k, sig = 1.9, -0.5029, 0.00278
    q = gardner("spherical", alpha, k).q
    s = math.sqrt(1 - q)

    rq, c = math.sqrt(q), 1.0 / math.sqrt(2 * math.pi)
    pdf = lambda x: c * math.exp(-0.5 * x * x)            # plain-math Gaussian: fast in quad
    sf = lambda x: 0.5 * math.erfc(x / math.sqrt(2.0))

    def P(D):
        if D < k:
            return 0.0
        f = lambda t: pdf(t) * pdf((D - rq * t) / s) / s / sf((k - rq * t) / s)
        return integrate.quad(f, -12, 12, limit=400, epsabs=0, epsrel=1e-12)[0]

    direct = integrate.quad(lambda D: (P(D) - P(-D)) * sf(D / sig), 0, 20 * sig,
                            limit=200, epsabs=0, epsrel=1e-10)[0]
    got = local_energy_typical(q, k, [sig])[0]
    assert direct < 0
    assert got == pytest.approx(direct, rel=1e-6)


@pytest.mark.parametrize("kappa", [0.47, -0.2437])
def test_max_margin_local_energy_against_direct_quadrature(kappa):
    """P(D) = Phi(k) delta(D - k) + theta(D - k) phi(D); dE = E[H(D/sigma) - theta(-D)]."""
    from replica.flatness.local_energy import local_energy_max_margin

    for sig in (0.01, 0.1, 1.0, 1e-300):
        f = lambda D: stats.norm.pdf(D) * (stats.norm.sf(D / sig) - (D < 0))
        direct = stats.norm.cdf(kappa) * (stats.norm.sf(kappa / sig) - (kappa < 0))
        if kappa < 0:
            direct += integrate.quad(f, kappa, 0, epsabs=1e-15)[0]
        direct += integrate.quad(f, max(kappa, 0), np.inf, epsabs=1e-15)[0]
        got = local_energy_max_margin(kappa, [sig])[0]
        assert math.isfinite(got) and got == pytest.approx(direct, abs=1e-12)
        if kappa >= 0:
            assert got >= 0


def test_json_converter_refuses_nonfinite_and_names_where():
    with pytest.raises(NonFiniteResultError, match=r"rows\[1\]\.x"):
        to_jsonable({"rows": [{"x": 1.0}, {"x": np.float64("nan")}]})
    assert to_jsonable({"a": np.arange(3), "b": np.float32(0.5)}) == {"a": [0, 1, 2], "b": 0.5}
    assert to_jsonable([math.inf], nonfinite="string") == ["inf"]


def test_convergence_error_is_one_line_without_nan():
    exc = ConvergenceError("did not\nconverge", x=np.linspace(0, 1, 200), residual=[math.nan],
                           hint="try\nagain")
    text = str(exc)
    assert "\n" not in text and "nan" not in text.lower()
    assert "residual not finite" in text


def test_python_api_options_are_validated():
    from replica.models.franz_parisi import local_entropy_curve
    from replica.models.gardner import gardner
    from replica.solve import solve

    with pytest.raises(TypeError, match="'bogus'"):
        gardner("binary", 0.5, 0.0, bogus=1)
    with pytest.raises(ReplicaInputError, match="tol"):
        gardner("binary", 0.5, 0.0, tol=0)
    with pytest.raises(ReplicaInputError, match="x0"):
        gardner("binary", 0.5, 0.0, method="hybrid", x0=[0.1, 0.2, 0.3])
    with pytest.raises(ReplicaInputError, match="tol"):
        solve(lambda x: x / 2, [1.0], tol=-1)
    with pytest.raises(ReplicaInputError, match="x0"):
        solve(lambda x: x / 2, [1.0, 2.0], names=["q"])
    from replica.models.franz_parisi import local_entropy

    with pytest.raises(ReplicaInputError, match="x0 must hold 3"):
        local_entropy("binary", 0.5, 0.0, 0.0, 0.1, x0=[0.1])
    for bad in (0, -1e-3, math.nan):
        with pytest.raises(ReplicaInputError, match="min_step"):
            local_entropy_curve("binary", 0.5, 0.0, 0.0, [0.1], min_step=bad)


def test_capacity_event_backed_by_its_bracket():
    from replica.thresholds import capacity

    for k in (-3.0, -5.0, 0.0, 1.0):
        t = capacity("spherical", k)
        lo, hi = t.indicator_values
        assert lo > 0 > hi
        assert t.bracket[0] < t.value < t.bracket[1]


def test_binary_past_capacity_is_bad_input_in_every_path():
    from replica.models.gardner import gardner

    for alpha in (0.9, 10.0):          # past the zero of s, and past the RS spinodal
        with pytest.raises(ReplicaInputError, match="no solutions"):
            gardner("binary", alpha, 0.0)
