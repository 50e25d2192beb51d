"""Array inputs for functions of scalar parameters: one implementation, used as a decorator.

``gardner("binary", alpha=np.linspace(0.1, 0.8, 8), kappa=0)`` solves the saddle point at every
alpha in the order given and returns a :class:`Curve`. Between consecutive values the branch is
followed by the continuation engine's natural-parameter march
(:func:`replica.continuation.march`: secant predictor for the ``x0`` warm start of the wrapped
function, step halving when a step fails), so a coarse array does not jump branches or fail
where smaller steps succeed. Functions that return a number (``capacity``, ``kappa_max``) return
a numpy array instead. Exactly one parameter may be an array; a scalar call is passed through
untouched.

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
    if type(value) in _SCALAR_TYPES:    # the common case, without numpy's ndim (~1 us)
        return False
    return not isinstance(value, (str, bytes)) and np.ndim(value) >= 1


_SCALAR_TYPES = frozenset((float, int, bool, str, bytes, type(None)))


def along_array(*names: str, warm_start: str | None = "x0"):
    """Decorator: let one of the parameters ``names`` of a scalar function be a 1-D array.

    Along the array the function is called point by point in the given order; if it has a
    parameter ``warm_start`` (default ``x0``) that the caller left unset, each point after the
    first is reached from the previous one by :func:`replica.continuation.march` (warm starts
    with a secant predictor, step halving on failure). Returns a :class:`Curve` (results with order
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
            # only the parameters ``names`` may carry an array (a keyword such as x0 may be a
            # vector and is passed through): positional arguments are all checked
            if not any(_is_array(a) for a in args) and not any(
                    _is_array(v) for k, v in kwargs.items() if k in names):
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

            def solve_at(value, x_pred):
                bound.arguments[name] = float(value)
                if use_warm and x_pred is not None:
                    bound.arguments[warm] = x_pred
                r = fn(*bound.args, **bound.kwargs)
                return (np.asarray(r.x, dtype=float) if hasattr(r, "x") else None), r

            # imported here: scalar calls (the first solve of a session) do not need the engine
            from .continuation import Lost, march

            results, prev_x = [], None
            for i, v in enumerate(values):
                try:
                    if i == 0 or not use_warm or prev_x is None or v == values[i - 1]:
                        prev_x, r = solve_at(v, None if i == 0 else prev_x)
                    else:      # continuation from the previous element, halving if needed
                        for _, prev_x, r, _ in march(solve_at, float(values[i - 1]), float(v),
                                                     prev_x, h=abs(float(v - values[i - 1])),
                                                     max_halvings=6):
                            pass
                except Lost as lost:
                    exc = lost.first
                    if isinstance(exc, ReplicaInputError):
                        raise ReplicaInputError(f"{name}[{i}] = {v:g}: {exc}") from exc
                    raise exc from None
                except ReplicaInputError as exc:
                    raise ReplicaInputError(f"{name}[{i}] = {v:g}: {exc}") from exc
                results.append(r)
            if all(isinstance(r, numbers.Real) for r in results):
                return np.array(results, dtype=float)
            return Curve(parameter=name, values=values, results=tuple(results))

        wrapper.__doc__ = (fn.__doc__ or "") + (
            f"\n\n    Array input: {' or '.join(names)} may be a 1-D array (one at a time); "
            "see :func:`replica.arrays.along_array`.")
        return wrapper

    return decorate
