"""Two independent numerical paths: replica's numba panel rules vs nested adaptive QUADPACK
(scipy) of the same RS free entropy (replica.testing.refs.franz_parisi), at saddle points found
by replica, including a max-margin reference near capacity; plus the certified references."""
import warnings

import pytest

from replica.models import franz_parisi as fp
from replica.testing.references import all_references
from replica.testing.refs.franz_parisi import independent_free_entropy


@pytest.mark.parametrize("model, alpha, kr, k, d", [
    ("binary", 0.6, 0.0, 0.0, 0.05),
    ("binary", 0.8, "max", 0.0, 0.003),      # near capacity (0.833): hardest integrals
    ("binary", 0.7, 0.1, -0.1, 0.1),
    ("spherical", 1.0, "max", 0.0, 0.02),
    ("spherical", 2.0, -0.3, -0.5, 0.1),
])
def test_independent_quadrature_agrees(model, alpha, kr, k, d):
    c = fp.local_entropy_curve(model, alpha, kr, k, [d])
    assert c.status[0] == "converged"
    th = c.solutions[0].thermo
    ref = c.reference
    Q = 1.0 if (model == "spherical" and ref.is_max) else ref.Q
    order = {n: th.get(n) for n in ("q", "t", "qh", "th", "ph", "b")}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        val = independent_free_entropy(model, alpha, Q, ref.Qh, ref.kappa_ref, k, d, order)
    assert abs(val - th["entropy"]) < 5e-10


@pytest.mark.parametrize("name", sorted(n for n in all_references() if n.startswith("fp_")))
def test_references(name):
    ref = all_references()[name]
    assert abs(ref.compute() - ref.value) <= ref.tol
