"""``replica.testing``: tools to unit-test saddle-point codes the way replica tests itself.

* :mod:`replica.testing.references`: a registry of reference values with their sources
  (:class:`Reference`, :func:`all_references`, :func:`get_reference`), and :class:`MpGauss`,
  mpmath evaluations of H, ln H, G and Gaussian averages at any precision;
* :mod:`replica.testing.asserts`: :func:`assert_stationary`, :func:`assert_fixed_point`,
  :func:`assert_matches_reference`, :func:`assert_quadrature_converged` (and
  :func:`fd_gradient`);
* :mod:`replica.testing.plugin`: pytest fixtures (``gaussian_rules``, ``mpmath_reference``,
  ``reference``); enable with ``-p replica.testing.plugin`` or
  ``pytest_plugins = ["replica.testing.plugin"]`` in a conftest.py.

The command line shows and rechecks the registry: ``replica reference list | show | check``.
"""
from .asserts import (GradientEstimate, QuadratureComparison, assert_fixed_point,
                      assert_matches_reference, assert_quadrature_converged, assert_stationary,
                      fd_gradient)
from .references import (Check, MpGauss, Reference, all_references, check_reference,
                         get_reference, matching_digits)

__all__ = [
    "assert_stationary", "assert_fixed_point", "assert_matches_reference",
    "assert_quadrature_converged", "fd_gradient", "GradientEstimate", "QuadratureComparison",
    "Reference", "Check", "all_references", "get_reference", "check_reference",
    "matching_digits", "MpGauss",
]
