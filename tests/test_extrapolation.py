"""The 1/N extrapolation of finite-N estimates: exact on polynomials, weighted, with residuals."""
import numpy as np
import pytest

from replica.errors import ReplicaInputError
from replica.finite_n.enumerate import extrapolate_in_1_over_n


def test_quadratic_fit_recovers_a_quadratic_and_linear_fit_is_biased():
    ns = np.array([12, 16, 20, 24])
    y = 0.3 + 0.5 / ns - 2.0 / ns**2
    e = np.full(4, 1e-4)
    q = extrapolate_in_1_over_n(ns, y, e, order=2)
    np.testing.assert_allclose(q["coefficients"], [0.3, 0.5, -2.0], rtol=1e-9, atol=1e-12)
    assert q["dof"] == 1 and q["chi2"] < 1e-12 and max(map(abs, q["residuals"])) < 1e-6
    lin = extrapolate_in_1_over_n(ns, y, e)
    assert lin["order"] == 1 and lin["dof"] == 2
    # the missing 1/N^2 term shows up as a biased intercept and structured residuals
    assert abs(lin["intercept"] - 0.3) > 10 * lin["intercept_err"]
    r = np.array(lin["residuals"])
    assert np.isclose(np.sum(r**2), lin["chi2"])
    assert np.any(np.diff(np.sign(r)) != 0)


def test_weights_and_errors():
    ns = [10, 20, 40]
    y = [1.1, 1.05, 1.03]
    fit = extrapolate_in_1_over_n(ns, y, [0.01, 0.01, 1.0])  # the last point barely counts
    # two well-measured points fix the line: a = 2*1.05 - 1.1 = 1.0
    assert abs(fit["intercept"] - 1.0) < 1e-3
    with pytest.raises(ReplicaInputError, match="at least 3"):
        extrapolate_in_1_over_n([10, 20], [1, 2], [1, 1], order=2)
    with pytest.raises(ReplicaInputError, match="order"):
        extrapolate_in_1_over_n([10, 20, 30], [1, 2, 3], [1, 1, 1], order=0)
