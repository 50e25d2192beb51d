"""pytest plugin: fixtures for testing saddle-point codes (``replica.testing``).

Enable it with ``pytest -p replica.testing.plugin`` or, in a ``conftest.py``,
``pytest_plugins = ["replica.testing.plugin"]``. Fixtures:

``gaussian_rules``
    quadrature rules from :mod:`replica.gauss`: ``.hermite(n)`` (nodes, weights with
    ``sum w f(z) ~ int Dz f``), ``.legendre(n, a=-1, b=1)`` (for ``int_a^b f dx``),
    ``.graded(centers, widths, n=12, L=12)`` (composite Gauss–Legendre for ``int Dz f``, refined
    at kinks/boundary layers), and ``.average(f, rule="graded", n=..., centers=(), widths=())``
    returning ``int Dz f(z)``.
``mpmath_reference``
    a :class:`replica.testing.references.MpGauss` at 50 digits: ``.H``, ``.log_H``, ``.G``,
    ``.phi``, ``.gauss_average(f, points=())`` (``int Dz f`` by mpmath.quad), ``.integrate``;
    ``mpmath_reference.at(dps)`` gives another precision.
``reference``
    registry lookup: ``reference("special.G.x=40")`` is the :class:`Reference`;
    ``reference.check(value, name)`` asserts a match (:func:`assert_matches_reference`);
    ``reference.names()`` lists the registry.
"""
from __future__ import annotations

import numpy as np
import pytest

from .asserts import assert_matches_reference
from .references import MpGauss, all_references, get_reference

__all__ = ["GaussianRules", "MpmathReference", "ReferenceLookup",
           "gaussian_rules", "mpmath_reference", "reference"]


class GaussianRules:
    """Quadrature rules of :mod:`replica.gauss`, gathered for tests."""

    def hermite(self, n: int):
        from ..gauss import gauss_hermite
        return gauss_hermite(n)

    def legendre(self, n: int, a: float = -1.0, b: float = 1.0):
        from ..gauss import gauss_legendre
        t, w = gauss_legendre(n)
        return 0.5 * (b - a) * t + 0.5 * (b + a), 0.5 * (b - a) * w

    def graded(self, centers=(), widths=(), n: int = 12, L: float = 12.0):
        from ..gauss import graded_gaussian_rule
        return graded_gaussian_rule(centers, widths, L=L, n=n)

    def average(self, f, rule: str = "graded", n: int = 12, centers=(), widths=()):
        """int Dz f(z) with the Gauss–Hermite (``n`` nodes) or graded (``n`` per panel) rule."""
        if rule == "hermite":
            z, w = self.hermite(n)
        elif rule == "graded":
            z, w = self.graded(centers, widths, n=n)
        else:
            raise ValueError(f"rule must be 'hermite' or 'graded', got {rule!r}")
        return w @ np.asarray(f(z), dtype=float)


class MpmathReference(MpGauss):
    """:class:`MpGauss` with ``.at(dps)`` for another working precision."""

    def at(self, dps: int) -> "MpmathReference":
        return MpmathReference(dps)


class ReferenceLookup:
    """Callable registry lookup: ``reference(name) -> Reference``."""

    def __call__(self, name: str):
        return get_reference(name)

    def check(self, value, name, tol=None):
        return assert_matches_reference(value, name, tol)

    def names(self) -> list[str]:
        return list(all_references())


@pytest.fixture(scope="session")
def gaussian_rules() -> GaussianRules:
    """Quadrature rules from replica.gauss (Gauss–Hermite, Gauss–Legendre, graded)."""
    return GaussianRules()


@pytest.fixture(scope="session")
def mpmath_reference() -> MpmathReference:
    """mpmath H, ln H, G and int Dz f at 50 digits (``.at(dps)`` for another precision)."""
    return MpmathReference(50)


@pytest.fixture(scope="session")
def reference() -> ReferenceLookup:
    """Lookup in the registry of reference values (``reference(name)``, ``reference.check``)."""
    return ReferenceLookup()
