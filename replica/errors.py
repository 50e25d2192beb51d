"""Exceptions shared by every part of replica, and the validators of every parameter kind.

* :class:`ReplicaInputError` (a ``ValueError``): bad input, raised before any numerics, with a
  one-line message naming the offending parameter.
* :class:`ConvergenceError`: a saddle point (or any iterative solve) did not converge. The message
  names the model, the parameters, the residual, the iterations and a hint; the attributes carry
  the evidence (last iterate, residual vector) for post-mortem inspection.
* :class:`NonFiniteResultError` (a ConvergenceError): a computation produced NaN or infinity
  where a number was due; nothing non-finite leaves the package as a number.

Validators (one per parameter kind): :func:`check_finite`, :func:`check_range`,
:func:`check_int` (counts and sizes), :func:`check_choice` (models and other named choices),
:func:`check_kappa_ref` (a number or the word ``"max"``), :func:`check_options` (keyword
options of a public function), and the budgets of the machine: :func:`check_memory` (bytes,
computed before allocating), :func:`check_work` (elementary operations) and
:func:`check_workers` (processes on the local cores).

numpy is imported only where an array is formatted: this module is on the CLI's start-up path.
"""
from __future__ import annotations

import math
import os

__all__ = ["ReplicaInputError", "ConvergenceError", "NonFiniteResultError", "check_finite",
           "check_range", "check_int", "check_choice", "check_kappa_ref", "check_options",
           "check_memory", "check_work", "check_workers", "memory_budget", "one_line",
           "format_array", "format_bytes", "MAX_GRID_POINTS", "WORK_LIMIT"]

#: the most points of a parameter grid a command accepts (each point is a solve)
MAX_GRID_POINTS = 10 ** 6
#: elementary operations (multiply-adds, spin updates) one call may plan: ~ minutes on one core
WORK_LIMIT = 2e11


class ReplicaInputError(ValueError):
    """Invalid input (out-of-range parameter, unknown model, non-number, size beyond budget)."""


def one_line(text) -> str:
    """``text`` with every run of whitespace (newlines included) collapsed to one space."""
    return " ".join(str(text).split())


def format_array(x, precision: int = 6) -> str:
    """A numpy array on one line (never wrapped), non-finite entries spelled out."""
    import numpy as np

    return np.array2string(np.asarray(x, dtype=float), precision=precision,
                           max_line_width=10 ** 9, separator=", ", threshold=20)


def format_bytes(n: float) -> str:
    for unit in ("B", "KiB", "MiB", "GiB", "TiB", "PiB"):
        if abs(n) < 1024 or unit == "PiB":
            return f"{n:.3g} {unit}" if unit != "B" else f"{int(n)} B"
        n /= 1024.0
    return f"{n:.3g} EiB"  # pragma: no cover


class ConvergenceError(RuntimeError):
    """A solver did not converge; carries ``model``, ``params``, ``x`` (last iterate),
    ``residual`` (vector), ``iterations`` and ``method``."""

    def __init__(self, message, *, model=None, params=None, x=None, residual=None,
                 iterations=None, method=None, hint=None):
        self.model = model
        self.params = dict(params or {})
        self.x = self.residual = None
        if x is not None or residual is not None:
            import numpy as np

            self.x = None if x is None else np.array(x, dtype=float).ravel()
            self.residual = None if residual is None else np.array(residual, dtype=float).ravel()
        self.iterations = iterations
        self.method = method
        self.hint = hint
        parts = [one_line(message)]
        if model is not None:
            parts.append(f"model={model}")
        if self.params:
            parts.append("params=" + ", ".join(f"{k}={v!r}" for k, v in self.params.items()))
        if method is not None:
            parts.append(f"method={method}")
        if iterations is not None:
            parts.append(f"iterations={iterations}")
        if self.residual is not None and self.residual.size:
            r = float(abs(self.residual).max()) if all(map(math.isfinite, self.residual)) \
                else math.nan
            parts.append(f"|residual|={r:.3e}" if math.isfinite(r)
                         else "residual not finite (the equations broke down numerically)")
        if self.x is not None and self.x.size:
            parts.append("last iterate=" + format_array(self.x))
        if hint:
            parts.append(f"hint: {one_line(hint)}")
        super().__init__("; ".join(parts))


class NonFiniteResultError(ConvergenceError):
    """A computed value that should be a number is NaN or infinite (nothing is returned)."""


def check_finite(name: str, value) -> float:
    """Return ``value`` as a float, or raise ReplicaInputError naming the parameter."""
    if isinstance(value, (bytes, bool)):
        raise ReplicaInputError(f"{name} must be a number, got {value!r}")
    try:
        v = float(value)
    except (TypeError, ValueError, OverflowError):
        raise ReplicaInputError(f"{name} must be a number, got {_short(value)}") from None
    if not math.isfinite(v):
        raise ReplicaInputError(f"{name} must be finite, got {value!r}")
    return v


def _short(value, width=60) -> str:
    text = one_line(repr(value))
    return text if len(text) <= width else text[:width - 3] + "..."


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


def check_int(name: str, value, lo=None, hi=None) -> int:
    """Return ``value`` as an int after checking it is an integer in [lo, hi]."""
    if isinstance(value, bool) or isinstance(value, (str, bytes)):
        raise ReplicaInputError(f"{name} must be an integer, got {value!r}")
    try:
        iv = int(value)
        ok = iv == value
    except (TypeError, ValueError, OverflowError):
        ok = False
    if not ok:
        raise ReplicaInputError(f"{name} must be an integer, got {_short(value)}")
    if lo is not None and iv < lo:
        raise ReplicaInputError(f"{name} must be >= {lo}, got {iv}")
    if hi is not None and iv > hi:
        raise ReplicaInputError(f"{name} must be <= {hi}, got {iv}")
    return iv


def check_choice(name: str, value, choices, what: str = "") -> str:
    """Return ``value`` if it is one of ``choices`` (strings), else raise naming them."""
    choices = tuple(choices)
    if not isinstance(value, str) or value not in choices:
        if what:
            raise ReplicaInputError(f"unknown {what} {_short(value)}; choose one of "
                                    f"{', '.join(choices)}")
        raise ReplicaInputError(f"{name} must be one of {', '.join(choices)}, got {_short(value)}")
    return value


def check_kappa_ref(name: str, value):
    """A reference margin: the word ``"max"`` (max-margin reference) or a finite number."""
    if isinstance(value, str) and value.strip().lower() == "max":
        return "max"
    if isinstance(value, str):
        raise ReplicaInputError(f"{name} must be a number or 'max', got {value!r}")
    return check_finite(name, value)


def check_options(function: str, options, allowed) -> None:
    """Raise TypeError naming the keyword options of ``function`` that are not in ``allowed``
    (the behaviour of a Python signature, for functions that forward ``**options``)."""
    bad = sorted(set(options) - set(allowed))
    if bad:
        raise TypeError(f"{function}() got unexpected keyword argument(s) "
                        f"{', '.join(map(repr, bad))}; accepted: "
                        f"{', '.join(sorted(allowed)) or 'none'}")


def memory_budget() -> int:
    """Bytes one call may allocate: half the physical memory, and half the address-space
    limit of this process if one is set (``ulimit -v``)."""
    try:
        phys = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (ValueError, OSError, AttributeError):  # pragma: no cover - non-POSIX
        phys = 8 << 30
    budget = phys // 2
    try:
        import resource

        soft, _ = resource.getrlimit(resource.RLIMIT_AS)
        if soft not in (resource.RLIM_INFINITY, -1) and soft > 0:
            budget = min(budget, soft // 2)
    except (ImportError, ValueError, OSError):  # pragma: no cover
        pass
    return int(budget)


def check_memory(name: str, nbytes: float, what: str) -> None:
    """Refuse (before allocating) a request needing ``nbytes`` beyond :func:`memory_budget`;
    the message names the parameter that sets the size and what would be allocated."""
    budget = memory_budget()
    if not nbytes <= budget:
        raise ReplicaInputError(f"{name}: {what} would need {format_bytes(float(nbytes))}, more "
                                f"than the memory budget of this machine "
                                f"({format_bytes(budget)})")


def check_work(name: str, operations: float, what: str, limit: float = WORK_LIMIT) -> None:
    """Refuse a request planning more than ``limit`` elementary operations (a run that would
    not finish in reasonable time), naming the parameter that sets it."""
    if not operations <= limit:
        raise ReplicaInputError(f"{name}: {what} would take about {operations:.2g} elementary "
                                f"operations (limit {limit:.2g}, a few minutes on one core)")


def check_workers(name: str, value, *, local: bool = True) -> int | None:
    """Worker processes: a positive integer, at most 4 per local core (``local=False`` for a
    remote cluster: only positivity). ``None`` stays None (the default: one per core)."""
    if value is None:
        return None
    n = check_int(name, value, 1)
    if local:
        cap = 4 * (os.cpu_count() or 1)
        if n > cap:
            raise ReplicaInputError(f"{name} must be <= {cap} (4 per core of this machine) for "
                                    f"local processes, got {n}")
    return n
