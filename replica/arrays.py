"""Array inputs for functions of scalar parameters: one implementation, used as a decorator.

``gardner("binary", alpha=np.linspace(0.1, 0.8, 8), kappa=0)`` solves the saddle point at every
alpha in the order given, warm-starting each point from the previous one (the ``x0`` argument of
the wrapped function), and returns a :class:`Curve`. Functions that return a number
(``capacity``, ``kappa_max``) return a numpy array instead. Exactly one parameter may be an
array; a scalar call is passed through untouched.

A point that fails raises at once: :class:`~replica.errors.ConvergenceError` as the wrapped
function raised it (its message names the parameters), :class:`~replica.errors.ReplicaInputError`
prefixed with the array element that caused it. No NaN is returned for a failed point.
"""
from __future__ import annotations

import functools
import inspect
import numbers
from dataclasses import dataclass

import numpy as np

from .errors import ReplicaInputError

__all__ = ["Curve", "along_array"]


@dataclass(frozen=True)
class Curve:
    """Results of a function along a 1-D array of one parameter.

    ``parameter`` is the parameter's name, ``values`` its values (in the order solved),
    ``results`` one result per value (e.g. a :class:`~replica.solve.Solution`). ``curve["q"]``
    or ``curve.q`` is the array of that quantity along the curve (order parameters,
    thermodynamics, or the result's attributes); ``len(curve)``, iteration and ``curve[i]``
    (an integer) give the points; :meth:`as_frame` a pandas DataFrame.
    """

    parameter: str
    values: np.ndarray
    results: tuple

    def __len__(self) -> int:
        return len(self.results)

    def __iter__(self):
        return iter(self.results)

    @property
    def keys(self) -> list[str]:
        """The quantities available along the curve (those every point has, as numbers)."""
        first = self.results[0]
        names = []
        for table in ("order", "thermo"):
            names += [k for k, v in dict(getattr(first, table, {}) or {}).items()
                      if isinstance(v, numbers.Real) and k not in names]
        return names

    def __getitem__(self, key):
        if isinstance(key, (int, np.integer)):
            return self.results[key]
        if key == self.parameter:
            return np.array(self.values, dtype=float)
        try:
            return np.array([getattr(r, key) for r in self.results], dtype=float)
        except AttributeError:
            raise KeyError(f"{key!r}: not a quantity of this curve (available: "
                           f"{', '.join(self.keys)})") from None

    def __getattr__(self, key):
        if key.startswith("_") or key in ("parameter", "values", "results"):
            raise AttributeError(key)
        try:
            return self[key]
        except KeyError as exc:
            raise AttributeError(str(exc)) from None

    def as_frame(self):
        """A pandas DataFrame: the parameter and every quantity of :attr:`keys` as columns."""
        import pandas as pd

        return pd.DataFrame({self.parameter: self[self.parameter],
                             **{k: self[k] for k in self.keys}})

    def __repr__(self) -> str:
        v = self.values
        return (f"Curve({self.parameter} = {v[0]:g} .. {v[-1]:g}, {len(v)} points; "
                f"quantities: {', '.join(self.keys)})")


def _is_array(value) -> bool:
    return not isinstance(value, (str, bytes)) and np.ndim(value) >= 1


def along_array(*names: str, warm_start: str | None = "x0"):
    """Decorator: let one of the parameters ``names`` of a scalar function be a 1-D array.

    Along the array the function is called point by point in the given order; if it has a
    parameter ``warm_start`` (default ``x0``) that the caller left unset, each point after the
    first starts from the previous result's ``x``. Returns a :class:`Curve` (results with order
    parameters) or a float array (functions returning numbers).
    """

    def decorate(fn):
        sig = inspect.signature(fn)
        missing = [n for n in names if n not in sig.parameters]
        if missing:
            raise TypeError(f"{fn.__name__} has no parameter(s) {missing}")
        warm = warm_start if warm_start in sig.parameters else None

        @functools.wraps(fn)
        def wrapper(*args, **kwargs):
            if not any(_is_array(a) for a in args) and not any(_is_array(v) for v in
                                                               kwargs.values()):
                return fn(*args, **kwargs)
            bound = sig.bind(*args, **kwargs)
            arrays = [n for n in names if n in bound.arguments and _is_array(bound.arguments[n])]
            if not arrays:
                return fn(*args, **kwargs)
            if len(arrays) > 1:
                raise ReplicaInputError(f"{', '.join(arrays)}: give an array for one parameter "
                                        "at a time (loop over the others)")
            name = arrays[0]
            try:
                values = np.asarray(bound.arguments[name], dtype=float)
            except (TypeError, ValueError):
                raise ReplicaInputError(f"{name}: an array of numbers is needed") from None
            if values.ndim != 1 or values.size == 0:
                raise ReplicaInputError(f"{name}: a non-empty 1-D array is needed, got shape "
                                        f"{values.shape}")
            use_warm = warm is not None and bound.arguments.get(warm) is None
            results, prev = [], None
            for i, v in enumerate(values):
                bound.arguments[name] = float(v)
                if use_warm and prev is not None and hasattr(prev, "x"):
                    bound.arguments[warm] = prev.x
                try:
                    r = fn(*bound.args, **bound.kwargs)
                except ReplicaInputError as exc:
                    raise ReplicaInputError(f"{name}[{i}] = {v:g}: {exc}") from exc
                results.append(r)
                prev = r
            if all(isinstance(r, numbers.Real) for r in results):
                return np.array(results, dtype=float)
            return Curve(parameter=name, values=values, results=tuple(results))

        wrapper.__doc__ = (fn.__doc__ or "") + (
            f"\n\n    Array input: {' or '.join(names)} may be a 1-D array (one at a time); "
            "see :func:`replica.arrays.along_array`.")
        return wrapper

    return decorate
