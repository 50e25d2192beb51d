"""Array inputs (replica.arrays.along_array): results along an array equal point-by-point
solves, errors name the element, scalars are untouched."""
import numpy as np
import pytest

from replica.arrays import Curve, along_array
from replica.errors import ReplicaInputError
from replica.models.gardner import capacity, gardner, kappa_max


@pytest.mark.parametrize("model", ["binary", "spherical"])
def test_gardner_along_alpha_equals_point_solves(model):
    alphas = np.linspace(0.05, 0.7, 6)
    curve = gardner(model, alpha=alphas, kappa=0.0)
    assert isinstance(curve, Curve) and len(curve) == 6 and curve.parameter == "alpha"
    for i, a in enumerate(alphas):
        ref = gardner(model, float(a), 0.0)
        for key in ("entropy", "q", "replicon"):
            assert abs(curve[key][i] - getattr(ref, key)) <= 1e-12 * max(1, abs(getattr(ref, key)))
    np.testing.assert_array_equal(curve.alpha, alphas)
    assert np.all(np.diff(curve.entropy) < 0)            # entropy decreases with the load
    assert {"q", "entropy", "replicon"} <= set(curve.keys)
    frame = curve.as_frame()
    assert list(frame["alpha"]) == list(alphas) and "entropy" in frame


def test_gardner_along_kappa_and_descending_order():
    kappas = [0.4, 0.2, 0.0, -0.2]
    curve = gardner("spherical", 1.0, kappas)
    np.testing.assert_array_equal(curve.values, kappas)
    for i, k in enumerate(kappas):
        assert abs(curve.entropy[i] - gardner("spherical", 1.0, k).entropy) < 1e-12


def test_capacity_and_kappa_max_over_arrays():
    ks = np.array([-0.5, 0.0, 0.5])
    ac = capacity("spherical", ks)
    assert isinstance(ac, np.ndarray) and ac.shape == (3,)
    np.testing.assert_array_equal(ac, [capacity("spherical", float(k)) for k in ks])
    assert abs(ac[1] - 2.0) < 1e-14                      # Cover 1965
    alphas = [0.5, 1.0, 1.5]
    km = kappa_max("spherical", alphas)
    np.testing.assert_array_equal(km, [kappa_max("spherical", a) for a in alphas])
    np.testing.assert_allclose(capacity("spherical", km), alphas, rtol=1e-10)   # inverse
    kb = kappa_max("binary", [0.3, 0.6])
    np.testing.assert_allclose(capacity("binary", kb), [0.3, 0.6], rtol=1e-8)


def test_errors_name_the_element_and_scalars_pass_through():
    with pytest.raises(ReplicaInputError, match=r"alpha\[2\] = 3"):
        gardner("spherical", [0.5, 1.0, 3.0], 0.0)         # beyond alpha_c = 2
    with pytest.raises(ReplicaInputError, match="one parameter at a time"):
        gardner("binary", [0.1, 0.2], [0.0, 0.1])
    with pytest.raises(ReplicaInputError, match="non-empty 1-D"):
        gardner("binary", np.zeros((2, 2)), 0.0)
    with pytest.raises(ReplicaInputError, match="non-empty 1-D"):
        capacity("binary", [])
    assert isinstance(capacity("spherical", 0.0), float)


def test_warm_start_is_passed_along():
    seen = []

    @along_array("a")
    def f(a, x0=None):
        seen.append(x0)
        return type("R", (), {"x": np.array([a]), "order": {"y": a * a}, "thermo": {},
                              "y": a * a})()

    c = f([1.0, 2.0, 3.0])
    assert seen[0] is None and [s[0] for s in seen[1:]] == [1.0, 2.0]
    np.testing.assert_array_equal(c["y"], [1.0, 4.0, 9.0])
    with pytest.raises(KeyError, match="not a quantity"):
        c["zz"]
