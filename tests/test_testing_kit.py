"""Tests of replica.testing: every assertion passes on the right input and fails, with an
informative message, on a deliberately wrong one; the pytest fixtures; the Reference record."""
from __future__ import annotations

import math

import numpy as np
import pytest

from replica.gauss import G, graded_gaussian_rule, log_H
from replica.solve import solve
from replica.testing import (MpGauss, Reference, assert_fixed_point, assert_matches_reference,
                             assert_quadrature_converged, assert_stationary, fd_gradient,
                             matching_digits)
from replica.testing import references as references_module
from replica.errors import ReplicaInputError

# ----------------------------------------------------------------------------------------------
# A small spherical Gardner problem (docs/THEORY.md §1), written here the way a user would
# ----------------------------------------------------------------------------------------------

ALPHA, KAPPA = 1.0, 0.0


def _rule(q, kappa=KAPPA):
    # kink of ln H(u(z)) at z = kappa/sqrt(q), width sqrt((1-q)/q)
    return graded_gaussian_rule([kappa / math.sqrt(q)], [math.sqrt((1 - q) / q)])


def _u(q, z, kappa=KAPPA):
    return (kappa - math.sqrt(q) * z) / math.sqrt(1 - q)


def gardner_phi(x, alpha=ALPHA):
    """phi(q) = 1/2 ln(1-q) + q/(2(1-q)) + alpha int Dz ln H(u)."""
    q = float(x[0])
    z, w = _rule(q)
    return 0.5 * math.log(1 - q) + q / (2 * (1 - q)) + alpha * float(w @ log_H(_u(q, z)))


def gardner_map(x, alpha=ALPHA):
    """q/(1-q) = alpha I(q)  <=>  q = alpha I / (1 + alpha I),  I = int Dz G(u)^2."""
    q = float(x[0])
    z, w = _rule(q)
    a = alpha * float(w @ G(_u(q, z)) ** 2)
    return np.array([a / (1 + a)])


@pytest.fixture(scope="module")
def q_star():
    return solve(gardner_map, [0.5], names=["q"], method="hybrid", tol=1e-13,
                 model="spherical-gardner", params={"alpha": ALPHA, "kappa": KAPPA})


# ----------------------------------------------------------------------------------------------
# assert_stationary
# ----------------------------------------------------------------------------------------------


def quadratic(x):
    # stationary (a saddle) at x = (1, -0.5): gradient (2(x0-1) + (x1+0.5), (x0-1) - 4(x1+0.5))
    a, b = x[0] - 1.0, x[1] + 0.5
    return a * a + a * b - 2.0 * b * b + 3.0


def test_stationary_passes_at_exact_saddle_of_quadratic():
    est = assert_stationary(quadratic, [1.0, -0.5], names=["q", "qh"], atol=1e-11)
    assert np.all(np.abs(est.gradient) < 1e-11)
    assert np.all(est.error < 1e-11)


def test_stationary_fails_on_shifted_point_and_names_the_component():
    with pytest.raises(AssertionError) as info:
        assert_stationary(quadratic, [1.0, -0.5 + 1e-5], names=["q", "qh"])
    msg = str(info.value)
    assert "not stationary" in msg
    # the worst component is qh: d/dqh = -4e-5 (vs 1e-5 for q)
    assert "d f/d qh" in msg and "-4.0000" in msg
    assert "FD error" in msg and "NOT STATIONARY" in msg
    # the diagonal Newton step points back to the saddle (qh = -0.5)
    newton = float(msg.split("moves to qh = ")[1].split()[0])
    assert abs(newton + 0.5) < 1e-12


def test_fd_gradient_matches_analytic_gradient_and_error_estimate_is_honest():
    f = lambda x: math.exp(x[0]) * math.sin(3 * x[1])
    x = np.array([0.3, 0.7])
    est = fd_gradient(f, x)
    exact = np.array([math.exp(0.3) * math.sin(2.1), 3 * math.exp(0.3) * math.cos(2.1)])
    assert np.all(np.abs(est.gradient - exact) <= 10 * est.error + 1e-14)
    assert np.all(est.error < 1e-9)


def test_stationary_on_gardner_free_entropy(q_star):
    est = assert_stationary(gardner_phi, q_star, atol=1e-9)
    assert est.names == ["q"]
    shifted = [q_star.q + 1e-4]
    with pytest.raises(AssertionError) as info:
        assert_stationary(gardner_phi, shifted, names=["q"], atol=1e-9)
    msg = str(info.value)
    assert "d f/d q" in msg and "not stationary" in msg
    # diagonal Newton estimate lands within 1e-6 of the true q*
    newton = float(msg.split("moves to q = ")[1].split()[0])
    assert abs(newton - q_star.q) < 1e-7


def test_stationary_wrong_factor_in_map_is_caught(q_star):
    # A map with a wrong factor (alpha I/2) has a clean fixed point that is not stationary.
    bad = solve(lambda x: gardner_map(x, alpha=ALPHA / 2), [0.5], names=["q"], tol=1e-13)
    assert_fixed_point(lambda x: gardner_map(x, alpha=ALPHA / 2), bad, tol=1e-12)
    with pytest.raises(AssertionError, match="not stationary"):
        assert_stationary(gardner_phi, bad, atol=1e-8)


def test_stationary_undecidable_when_f_is_noisy():
    with pytest.raises(AssertionError) as info:
        assert_stationary(quadratic, [1.0, -0.5], noise=1e-6, atol=1e-8)
    msg = str(info.value)
    assert "cannot be decided" in msg and "UNDECIDABLE" in msg
    # a tolerance above the noise floor makes it decidable again
    assert_stationary(quadratic, [1.0, -0.5], noise=1e-9, atol=1e-5)


def test_stationary_finds_the_domain_by_step_halving():
    # f(x) = ln x - 1000 x, stationary at x = 1e-3; the default first step (5e-3) leaves the
    # domain, where math.log raises ValueError
    f = lambda x: math.log(x[0]) - 1000.0 * x[0]
    assert_stationary(f, [1e-3], atol=1e-6)
    assert_stationary(f, [1e-3], atol=1e-6, bounds=(0.0, 1.0))
    with pytest.raises(AssertionError, match="not stationary"):
        assert_stationary(f, [1.001e-3], atol=1e-6)


def test_stationary_domain_search_is_quiet_with_numpy_nan(recwarn):
    # np.log(1 - q) beyond q = 1 gives nan with a RuntimeWarning: treated as outside the domain
    # (the first trial step, 0.05 * 0.98, leaves the domain q < 1)
    f = lambda x: 0.5 * np.log(1 - x[0]) + x[0] / (2 * (1 - x[0])) - 0.5 * x[0]
    # f'(q) = q/(2(1-q)^2) - 1/2; subtract f'(0.98) q so that g is stationary at q = 0.98
    g = lambda x: f(x) - (0.98 / (2 * 0.02 ** 2) - 0.5) * x[0]
    assert_stationary(g, [0.98], atol=1e-6)
    assert not [w for w in recwarn if issubclass(w.category, RuntimeWarning)]


def test_stationary_rejects_nonfinite_value():
    with pytest.raises(AssertionError, match="not finite"):
        assert_stationary(lambda x: math.nan, [0.1])


# ----------------------------------------------------------------------------------------------
# assert_fixed_point
# ----------------------------------------------------------------------------------------------


def damped_iterate(F, x, mixing, step_tol, max_iter=100000):
    """A typical user loop that stops on the step size (the bug the assertion catches)."""
    x = np.asarray(x, dtype=float)
    for _ in range(max_iter):
        step = mixing * (F(x) - x)
        x = x + step
        if np.max(np.abs(step)) < step_tol:
            return x
    raise RuntimeError("no convergence")


def test_fixed_point_passes_on_converged_solution(q_star):
    r = assert_fixed_point(gardner_map, q_star, tol=1e-12)
    assert r.shape == (1,) and abs(r[0]) <= 1e-12


def test_fixed_point_catches_damped_not_converged_iterate(q_star):
    x = damped_iterate(gardner_map, [0.1], mixing=0.02, step_tol=1e-10)
    with pytest.raises(AssertionError) as info:
        assert_fixed_point(gardner_map, x, tol=1e-10, names=["q"])
    msg = str(info.value)
    assert "not a fixed point" in msg and "F(x) - x" in msg and "undamped" in msg
    # the reported residual is the true undamped one (about step/mixing), not the step
    res = float(gardner_map(x)[0] - x[0])
    assert f"{abs(res):.3e}" in msg and abs(res) > 2e-9
    # and the distance to the fixed point is larger still than the stopping criterion
    assert abs(x[0] - q_star.q) > 1e-9


def test_fixed_point_vector_map_reports_worst_component():
    F = lambda x: np.array([0.5 * x[0] + 0.5, x[1] ** 2])  # fixed point (1, 0)
    assert_fixed_point(F, [1.0, 0.0], tol=1e-14)
    with pytest.raises(AssertionError) as info:
        assert_fixed_point(F, [1.0, 1e-3], tol=1e-6, names=["m", "q"])
    msg = str(info.value)
    assert "in q" in msg and "-9.990e-04" in msg


def test_fixed_point_nonfinite_and_shape_errors():
    with pytest.raises(AssertionError, match="not finite"):
        assert_fixed_point(lambda x: np.array([math.nan]), [0.3], tol=1.0)
    with pytest.raises(AssertionError, match="shape"):
        assert_fixed_point(lambda x: np.array([1.0, 2.0]), [0.3], tol=1.0)


# ----------------------------------------------------------------------------------------------
# assert_matches_reference
# ----------------------------------------------------------------------------------------------


def test_matches_reference_registry_entry_both_ways():
    chk = assert_matches_reference(float(G(40.0)), "special.G.x=40")
    assert chk.digits >= 14
    with np.errstate(all="ignore"):  # the naive phi/H: 0/0 in the far tail
        naive = np.exp(-40.0 ** 2 / 2) / math.sqrt(2 * math.pi) / (0.5 * math.erfc(40 / 2 ** .5))
    with pytest.raises(AssertionError) as info:
        assert_matches_reference(naive, "special.G.x=40")
    assert "special.G.x=40" in str(info.value) and "nan" in str(info.value)
    with pytest.raises(AssertionError) as info:
        assert_matches_reference(40.0249, "special.G.x=40")
    msg = str(info.value)
    assert "expected 40.02496884720726" in msg and "found 40.0249" in msg
    assert "matching digits 5.8" in msg and "source: mpmath" in msg


def test_matches_reference_user_defined_reference_and_tol_override():
    cover = Reference("spherical.alpha_c.kappa=0", 2.0, 1e-12, "Cover 1965")
    assert_matches_reference(2.0 + 1e-13, cover)
    with pytest.raises(AssertionError, match="EXCEEDS"):
        assert_matches_reference(2.0 + 1e-9, cover)
    assert_matches_reference(2.0 + 1e-9, cover, tol=1e-8)
    with pytest.raises(KeyError, match="no reference named"):
        assert_matches_reference(1.0, "no.such.entry")


# ----------------------------------------------------------------------------------------------
# assert_quadrature_converged
# ----------------------------------------------------------------------------------------------

Q_HIGH = 0.999


def lnH_integrand(z):
    return log_H(_u(Q_HIGH, z))


def test_quadrature_underresolved_hermite_fails_graded_passes(mpmath_reference):
    with pytest.raises(AssertionError) as info:
        assert_quadrature_converged(lnH_integrand, 20, rule="hermite")
    msg = str(info.value)
    assert "Gauss-Hermite n=20" in msg and "Gauss-Hermite n=40" in msg
    assert "quadrature not converged" in msg and "|difference|" in msg
    kink = dict(centers=[KAPPA / math.sqrt(Q_HIGH)], widths=[math.sqrt((1 - Q_HIGH) / Q_HIGH)])
    out = assert_quadrature_converged(lnH_integrand, 12, rule="graded", rtol=1e-12, **kink)
    # and the converged value is right (mpmath, with the kink as a split point)
    mp = mpmath_reference.at(30)
    exact = mp.gauss_average(lambda z: mp.log_H((KAPPA - mp.mp.sqrt(Q_HIGH) * z)
                                                / mp.mp.sqrt(1 - Q_HIGH)),
                             points=[KAPPA / math.sqrt(Q_HIGH)])
    assert abs(out.value - float(exact)) < 1e-11 * abs(float(exact))
    # two different rules: the graded rule vs Gauss-Hermite disagree here
    with pytest.raises(AssertionError, match="graded Gauss-Legendre"):
        assert_quadrature_converged(lnH_integrand, 12, rule=("graded", "hermite"), **kink)


def test_quadrature_callable_mode_trapezoid():
    # a user's rule: trapezoid on [0, pi] for int sin = 2; converges as 1/n^2
    def trap(n):
        x = np.linspace(0, math.pi, n + 1)
        y = np.sin(x)
        return (x[1] - x[0]) * (y.sum() - 0.5 * (y[0] + y[-1]))
    with pytest.raises(AssertionError) as info:
        assert_quadrature_converged(trap, 50, atol=1e-8, rtol=0)
    assert "n=50" in str(info.value) and "n=100" in str(info.value)
    out = assert_quadrature_converged(trap, 20000, atol=1e-8, rtol=0)
    assert abs(out.value - 2.0) < 1e-8


def test_quadrature_legendre_and_vector_values():
    out = assert_quadrature_converged(np.exp, 10, rule="legendre", interval=(0, 1))
    assert abs(out.value - (math.e - 1)) < 1e-14
    # several integrals at once: the worst component is named
    two = lambda n: np.array([1.0, 1.0 + 1.0 / n])
    with pytest.raises(AssertionError, match="component 1"):
        assert_quadrature_converged(two, 10)


# ----------------------------------------------------------------------------------------------
# Reference record, matching digits, registry mechanics
# ----------------------------------------------------------------------------------------------


def test_matching_digits():
    assert matching_digits(1.0, 1.0) == 17.0
    assert abs(matching_digits(1.001, 1.0) - 3.0) < 1e-9
    assert matching_digits(math.nan, 1.0) == 0.0
    assert abs(matching_digits(1e-10, 0.0) - 10.0) < 1e-9


@pytest.mark.parametrize("kw, text", [
    (dict(tol=0.0), "tol"), (dict(tol=-1e-3), "tol"), (dict(tol=math.nan), "tol"),
    (dict(source=""), "source"), (dict(value=math.inf), "finite"),
    (dict(name="has space"), "name"), (dict(compute=3.0), "callable"),
])
def test_reference_rejects_bad_entries(kw, text):
    args = dict(name="x", value=1.0, tol=1e-3, source="somewhere")
    args.update(kw)
    with pytest.raises(ReplicaInputError, match=text):
        Reference(**args)


def test_reference_check_records_failures_without_raising():
    def boom():
        raise RuntimeError("solver exploded")
    chk = Reference("x", 1.0, 1e-3, "s", compute=boom).check()
    assert not chk.passed and "solver exploded" in chk.failure
    assert Reference("y", 1.0, 1e-3, "s").check().failure == "no compute callable"
    assert Reference("z", 1.0, 1e-3, "s", compute=lambda: 1.0 + 2e-3).check().passed is False


def test_duplicate_names_are_rejected():
    a = Reference("dup", 1.0, 1e-3, "s")
    with pytest.raises(RuntimeError, match="duplicate reference name 'dup'"):
        references_module._build([("one", a), ("two", a)])


def test_broken_topic_module_is_named():
    with pytest.raises(ImportError, match="no_such_topic"):
        references_module.load_references(["no_such_topic"])


# ----------------------------------------------------------------------------------------------
# pytest fixtures (replica.testing.plugin, enabled in tests/conftest.py)
# ----------------------------------------------------------------------------------------------


def test_gaussian_rules_fixture(gaussian_rules):
    z, w = gaussian_rules.hermite(10)
    assert abs(w @ z ** 4 - 3.0) < 1e-13          # int Dz z^4 = 3
    x, w = gaussian_rules.legendre(8, 0.0, 2.0)
    assert abs(w @ x ** 3 - 4.0) < 1e-13           # int_0^2 x^3 dx = 4
    v = gaussian_rules.average(lambda z: np.abs(z), centers=[0.0], widths=[1e-3])
    assert abs(v - math.sqrt(2 / math.pi)) < 1e-13  # int Dz |z|


def test_mpmath_reference_fixture(mpmath_reference):
    mp = mpmath_reference
    assert mp.dps == 50
    # replica.gauss against the independent mpmath path in the far tails
    for x in (-25.0, -7.5, 0.3, 12.0, 33.0, 250.0):
        assert abs(float(log_H(x)) - float(mp.log_H(x))) <= 4e-16 * abs(float(mp.log_H(x)))
        assert abs(float(G(x)) - float(mp.G(x))) <= 4e-16 * abs(float(mp.G(x)))
    with mp.workdps():  # compare at 50 digits, not at mpmath's global precision
        assert abs(mp.gauss_average(lambda z: z * z) - 1) < mp.mp.mpf(10) ** -45
        assert abs(mp.integrate(lambda t: mp.mp.exp(-t), 0, mp.mp.inf) - 1) < \
            mp.mp.mpf(10) ** -45
        # int Dz e^{z} = e^{1/2}, at 30 digits on request
        v, err = mp.gauss_average(lambda z: mp.mp.exp(z), dps=30, error=True)
        assert 1e-40 < abs(v - mp.mp.exp(mp.mp.mpf(1) / 2)) < mp.mp.mpf(10) ** -28
        assert err < 1e-25
    assert float(mp.H(0)) == 0.5
    assert mp.at(20).dps == 20
    with pytest.raises(ReplicaInputError):
        MpGauss(5)


def test_reference_fixture(reference):
    ref = reference("special.log_H.x=1000")
    assert ref.model == "special" and ref.params == {"x": 1000.0}
    reference.check(float(log_H(1000.0)), "special.log_H.x=1000")
    assert "special.G.x=-10" in reference.names()
    with pytest.raises(AssertionError):
        reference.check(-5e5, "special.log_H.x=1000")


# ----------------------------------------------------------------------------------------------
# The kit as users get it: `pytest -p replica.testing.plugin`, and the worked example
# ----------------------------------------------------------------------------------------------

ROOT = __import__("pathlib").Path(__file__).resolve().parents[1]

USER_TESTS = '''
import math
from replica.testing import assert_fixed_point

def test_fixtures(gaussian_rules, mpmath_reference, reference):
    z, w = gaussian_rules.hermite(8)
    assert abs(w @ z**2 - 1) < 1e-14
    assert abs(float(mpmath_reference.log_H(-30.0)) - reference("special.log_H.x=-30").value) \\
        <= 1e-14 * 5e-198

def test_damped_iterate():
    assert_fixed_point(lambda x: 0.5 * x + 0.5, [0.999], tol=1e-6, names=["m"])
'''


def test_plugin_enabled_with_dash_p(tmp_path):
    import subprocess
    import sys

    (tmp_path / "test_user.py").write_text(USER_TESTS)
    proc = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "replica.testing.plugin",
                           "-p", "no:cacheprovider", "--rootdir", str(tmp_path), "test_user.py"],
                          cwd=tmp_path, capture_output=True, text=True, timeout=300)
    out = proc.stdout
    assert proc.returncode == 1, out  # one passing, one (deliberately) failing test
    assert "1 failed, 1 passed" in out
    assert "not a fixed point" in out and "5.000e-04 in m" in out


def test_worked_example_runs():
    """theory_notebooks/testing_your_solver.py runs as a script and every bug is caught."""
    import subprocess
    import sys

    script = ROOT / "theory_notebooks" / "testing_your_solver.py"
    proc = subprocess.run([sys.executable, str(script)], cwd=ROOT, capture_output=True,
                          text=True, timeout=300, env={**__import__("os").environ,
                                                       "MPLBACKEND": "agg"})
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert proc.stdout.count("caught, as it should be") == 4


# The example of the README section "Testing your own solver with replica.testing", verbatim
# (keep the two in sync): it must run and pass.
README_EXAMPLE = """\
import numpy as np
from replica.gauss import G, log_H, graded_gaussian_rule
from replica.testing import assert_fixed_point, assert_stationary, assert_matches_reference

alpha, kappa = 0.5, 0.0
def avg(f, q):  # int Dz f(u), u = (kappa - sqrt(q) z)/sqrt(1-q); panels refined at the kink
    z, w = graded_gaussian_rule([kappa / np.sqrt(q)], [np.sqrt((1 - q) / q)])
    return w @ f((kappa - np.sqrt(q) * z) / np.sqrt(1 - q))
phi = lambda x: 0.5*np.log(1 - x[0]) + x[0]/(2*(1 - x[0])) + alpha*avg(log_H, x[0])
F = lambda x: (lambda a: np.array([a / (1 + a)]))(alpha * avg(lambda u: G(u)**2, x[0]))

x = np.array([0.5])
for _ in range(100): x = F(x)                                   # your solver here
assert_fixed_point(F, x, tol=1e-12, names=["q"])                # undamped residual |F(x) - x|
assert_stationary(phi, x, names=["q"], atol=1e-10)              # grad phi = 0 (FD + error estimate)
assert_matches_reference(float(log_H(40.0)), "special.log_H.x=40")  # mpmath-certified, 50 digits
"""


def test_readme_example_runs():
    exec(compile(README_EXAMPLE, "README-example", "exec"), {})
