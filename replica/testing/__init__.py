"""``replica.testing``: tools to unit-test saddle-point codes the way replica tests itself.

* :mod:`replica.testing.references`: a registry of reference values with their sources;
* assertions (``assert_stationary``, ``assert_fixed_point``, ``assert_matches_reference``,
  ``assert_quadrature_converged``) in :mod:`replica.testing.asserts`;
* pytest fixtures in :mod:`replica.testing.plugin`.
"""
from .references import Reference, get_reference, all_references  # noqa: F401

try:  # the assertions module is optional while it is being written
    from .asserts import *  # noqa: F401,F403
except ImportError:  # pragma: no cover
    pass
