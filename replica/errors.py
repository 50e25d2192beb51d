"""Exceptions shared by every part of replica.

* :class:`ReplicaInputError` (a ``ValueError``): bad input, raised before any numerics, with a
  message naming the offending parameter.
* :class:`ConvergenceError`: a saddle point (or any iterative solve) did not converge. The message
  names the model, the parameters, the residual, the iterations and a hint; the attributes carry
  the evidence (last iterate, residual vector) for post-mortem inspection.
"""
from __future__ import annotations

import numpy as np

__all__ = ["ReplicaInputError", "ConvergenceError", "check_finite", "check_range"]


class ReplicaInputError(ValueError):
    """Invalid input (out-of-range parameter, unknown model, non-number)."""


class ConvergenceError(RuntimeError):
    """A solver did not converge; carries ``model``, ``params``, ``x`` (last iterate),
    ``residual`` (vector), ``iterations`` and ``method``."""

    def __init__(self, message, *, model=None, params=None, x=None, residual=None,
                 iterations=None, method=None, hint=None):
        self.model = model
        self.params = dict(params or {})
        self.x = None if x is None else np.array(x, dtype=float)
        self.residual = None if residual is None else np.array(residual, dtype=float)
        self.iterations = iterations
        self.method = method
        self.hint = hint
        parts = [message]
        if model is not None:
            parts.append(f"model={model}")
        if self.params:
            parts.append("params=" + ", ".join(f"{k}={v!r}" for k, v in self.params.items()))
        if method is not None:
            parts.append(f"method={method}")
        if iterations is not None:
            parts.append(f"iterations={iterations}")
        if self.residual is not None and self.residual.size:
            parts.append(f"|residual|={np.max(np.abs(self.residual)):.3e}")
        if self.x is not None and self.x.size:
            parts.append("last iterate=" + np.array2string(self.x, precision=6))
        if hint:
            parts.append(f"hint: {hint}")
        super().__init__("; ".join(parts))


def check_finite(name: str, value) -> float:
    """Return ``value`` as a float, or raise ReplicaInputError naming the parameter."""
    try:
        v = float(value)
    except (TypeError, ValueError):
        raise ReplicaInputError(f"{name} must be a number, got {value!r}") from None
    if not np.isfinite(v):
        raise ReplicaInputError(f"{name} must be finite, got {value!r}")
    return v


def check_range(name: str, value, lo=None, hi=None, *, lo_open=False, hi_open=False) -> float:
    """Return ``value`` as a float after checking lo <= value <= hi (open ends if asked)."""
    v = check_finite(name, value)
    if lo is not None and (v < lo or (lo_open and v == lo)):
        op = ">" if lo_open else ">="
        raise ReplicaInputError(f"{name} must be {op} {lo}, got {v}")
    if hi is not None and (v > hi or (hi_open and v == hi)):
        op = "<" if hi_open else "<="
        raise ReplicaInputError(f"{name} must be {op} {hi}, got {v}")
    return v
