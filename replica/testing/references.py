r"""Registry of reference values: published constants and numbers certified by an independent
high-precision path (STYLE.md pattern 10).

Each :class:`Reference` has a name, the model and parameters, the value, an **absolute**
tolerance, its source (paper + equation/table, or the independent method and precision that
produced it), and ``compute``: a zero-argument callable with which replica reproduces the value
(CI checks every entry with it, see ``tests/test_references.py`` and ``replica reference check``).

Entries live in topic modules ``replica/testing/refs/<topic>.py``, each defining
``REFERENCES = [...]``; they are collected here, on first use, by :func:`all_references`.
Names should be shell-friendly (no spaces or brackets) so that ``replica reference show NAME``
needs no quoting, e.g. ``special.log_H.x=-10`` or ``spherical.alpha_c.kappa=0.5``.

Matching digits
---------------
Comparisons report the number of matching significant digits,
``digits(found, expected) = -log10(|found - expected| / |expected|)`` (absolute difference if
``expected == 0``; capped at 17, beyond double precision), next to the digits the tolerance asks
for, ``-log10(tol / |expected|)``.

High-precision helpers
----------------------
:class:`MpGauss` evaluates :math:`H`, :math:`\ln H`, :math:`G = \phi/H` and Gaussian averages
:math:`\int Dz\, f(z)` with mpmath at a chosen working precision. It is the independent path that
certifies the special-function entries (``refs/special_functions.py``) and is exposed to pytest as
the ``mpmath_reference`` fixture (:mod:`replica.testing.plugin`).
"""
from __future__ import annotations

import importlib
import math
import pkgutil
import time
from dataclasses import dataclass, field, replace
from typing import Callable, Iterable, Optional

from ..errors import ReplicaInputError

__all__ = [
    "Reference", "Check", "all_references", "get_reference", "reference_topic",
    "load_references", "check_reference", "matching_digits", "required_digits", "MpGauss",
    "MAX_DIGITS",
]

#: Cap of :func:`matching_digits` (an exact match in double precision).
MAX_DIGITS = 17.0


def matching_digits(found: float, expected: float) -> float:
    """Matching significant digits, ``-log10(|found - expected| / |expected|)``, in [0, 17].

    The absolute difference is used when ``expected == 0``. Non-finite ``found`` gives 0.
    """
    found = float(found)
    expected = float(expected)
    if not math.isfinite(found):
        return 0.0
    diff = abs(found - expected)
    if diff == 0.0:
        return MAX_DIGITS
    scale = abs(expected) if expected != 0.0 else 1.0
    return float(min(MAX_DIGITS, max(0.0, -math.log10(diff / scale))))


def required_digits(expected: float, tol: float) -> float:
    """Significant digits an absolute tolerance ``tol`` asks for around ``expected``."""
    scale = abs(float(expected)) if expected != 0.0 else 1.0
    return float(min(MAX_DIGITS, max(0.0, -math.log10(float(tol) / scale))))


@dataclass(frozen=True)
class Reference:
    """One reference value.

    ``tol`` is absolute: a value ``v`` matches when ``|v - value| <= tol``. ``source`` says where
    the number comes from (paper + equation/table, or the independent method and its precision).
    ``compute()`` reproduces the value with replica's own code (``None`` is allowed only for
    user-defined references that are compared, never recomputed).
    """

    name: str
    value: float
    tol: float                      # absolute tolerance
    source: str                     # paper + equation/table, or method + precision
    model: str = ""
    params: dict = field(default_factory=dict)
    compute: Optional[Callable[[], float]] = field(default=None, compare=False, repr=False)
    description: str = ""

    def __post_init__(self):
        # Fail loudly at definition time: a bad entry must not sit silently in the registry.
        if not isinstance(self.name, str) or not self.name or any(c.isspace() for c in self.name):
            raise ReplicaInputError(f"Reference name must be a non-empty string without spaces, "
                                    f"got {self.name!r}")
        try:
            value = float(self.value)
            tol = float(self.tol)
        except (TypeError, ValueError):
            raise ReplicaInputError(f"Reference {self.name!r}: value and tol must be numbers, "
                                    f"got value={self.value!r}, tol={self.tol!r}") from None
        if not math.isfinite(value):
            raise ReplicaInputError(f"Reference {self.name!r}: value must be finite, got {value}")
        if not (math.isfinite(tol) and tol > 0.0):
            raise ReplicaInputError(f"Reference {self.name!r}: tol must be a positive finite "
                                    f"absolute tolerance, got {self.tol!r}")
        if not isinstance(self.source, str) or not self.source.strip():
            raise ReplicaInputError(f"Reference {self.name!r}: source must say where the value "
                                    f"comes from (paper + equation, or method + precision)")
        if not isinstance(self.params, dict):
            raise ReplicaInputError(f"Reference {self.name!r}: params must be a dict")
        if self.compute is not None and not callable(self.compute):
            raise ReplicaInputError(f"Reference {self.name!r}: compute must be callable")
        object.__setattr__(self, "value", value)
        object.__setattr__(self, "tol", tol)

    @property
    def digits(self) -> float:
        """Significant digits the tolerance asks for (``-log10(tol/|value|)``)."""
        return required_digits(self.value, self.tol)

    def matches(self, found: float) -> bool:
        """True when ``found`` is finite and within ``tol`` of the value."""
        found = float(found)
        return math.isfinite(found) and abs(found - self.value) <= self.tol

    def compare(self, found: float, tol: float | None = None) -> "Check":
        """Compare ``found`` with the value (``tol`` overrides the entry's tolerance)."""
        tol = self.tol if tol is None else float(tol)
        found = float(found)
        err = abs(found - self.value) if math.isfinite(found) else math.inf
        passed = err <= tol
        return Check(name=self.name, expected=self.value, found=found, error=err, tol=tol,
                     passed=passed, digits=matching_digits(found, self.value),
                     required=required_digits(self.value, tol))

    def check(self) -> "Check":
        """Recompute the value with ``compute()`` and compare; exceptions are recorded, not
        raised (the failure text is in ``Check.failure``)."""
        if self.compute is None:
            return Check(name=self.name, expected=self.value, found=math.nan, error=math.inf,
                         tol=self.tol, passed=False, digits=0.0, required=self.digits,
                         failure="no compute callable")
        t0 = time.perf_counter()
        try:
            found = float(self.compute())
        except Exception as exc:  # recorded in the row, never swallowed silently
            return Check(name=self.name, expected=self.value, found=math.nan, error=math.inf,
                         tol=self.tol, passed=False, digits=0.0, required=self.digits,
                         seconds=time.perf_counter() - t0,
                         failure=f"{type(exc).__name__}: {exc}")
        return replace(self.compare(found), seconds=time.perf_counter() - t0,
                       failure=None if math.isfinite(found) else f"compute() returned {found}")

    def as_dict(self) -> dict:
        return {"name": self.name, "model": self.model, "params": dict(self.params),
                "value": self.value, "tol": self.tol, "source": self.source,
                "description": self.description}


@dataclass(frozen=True)
class Check:
    """The outcome of comparing a value with a reference."""

    name: str
    expected: float
    found: float
    error: float          # |found - expected| (inf if found is not finite)
    tol: float
    passed: bool
    digits: float         # matching significant digits
    required: float       # digits the tolerance asks for
    seconds: float = 0.0
    failure: Optional[str] = None

    def summary(self) -> str:
        """One line: expected, found, difference, digits."""
        if self.failure:
            return (f"{self.name}: expected {self.expected!r}, compute failed "
                    f"({self.failure})")
        return (f"{self.name}: expected {self.expected!r} +- {self.tol:.1e}, found "
                f"{self.found!r}, |difference| = {self.error:.3e} "
                f"({'within' if self.passed else 'EXCEEDS'} tolerance); matching digits "
                f"{self.digits:.1f} (tolerance asks for {self.required:.1f})")

    def as_dict(self) -> dict:
        return {"name": self.name, "status": "ok" if self.passed else
                ("error" if self.failure else "FAIL"),
                "expected": self.expected,
                "found": self.found if math.isfinite(self.found) else None,
                "error": self.error if math.isfinite(self.error) else None,
                "tol": self.tol, "digits": round(self.digits, 1),
                "required_digits": round(self.required, 1),
                "seconds": round(self.seconds, 3), "failure": self.failure}


# ----------------------------------------------------------------------------------------------
# Collection
# ----------------------------------------------------------------------------------------------

_CACHE: dict[str, Reference] | None = None
_TOPIC: dict[str, str] = {}


def load_references(topics: Iterable[str] | None = None) -> list[tuple[str, Reference]]:
    """``(topic, reference)`` pairs from the topic modules (all of ``replica.testing.refs`` by
    default), in module order, duplicates included (the registry rejects them)."""
    from . import refs

    if topics is None:
        topics = sorted(info.name for info in pkgutil.iter_modules(refs.__path__)
                        if not info.name.startswith("_"))
    out = []
    for topic in topics:
        modname = topic if "." in topic else f"{refs.__name__}.{topic}"
        try:
            module = importlib.import_module(modname)
        except Exception as exc:
            raise ImportError(f"reference topic module {modname} failed to import: "
                              f"{type(exc).__name__}: {exc}") from exc
        entries = getattr(module, "REFERENCES", None)
        if entries is None:
            raise ImportError(f"reference topic module {modname} defines no REFERENCES list")
        for ref in entries:
            if not isinstance(ref, Reference):
                raise TypeError(f"{modname}.REFERENCES holds a {type(ref).__name__}, "
                                f"not a Reference")
            out.append((modname.rsplit(".", 1)[-1], ref))
    return out


def _build(pairs: list[tuple[str, Reference]]) -> tuple[dict[str, Reference], dict[str, str]]:
    table: dict[str, Reference] = {}
    topic_of: dict[str, str] = {}
    for topic, ref in pairs:
        if ref.name in table:
            raise RuntimeError(f"duplicate reference name {ref.name!r} (in refs/{topic}.py "
                               f"and refs/{topic_of[ref.name]}.py)")
        table[ref.name] = ref
        topic_of[ref.name] = topic
    return table, topic_of


def all_references(reload: bool = False) -> dict[str, Reference]:
    """All registered references by name (topic modules are imported on first use).

    Raises ``RuntimeError`` on duplicate names and ``ImportError`` naming a broken topic module.
    """
    global _CACHE, _TOPIC
    if _CACHE is None or reload:
        _CACHE, _TOPIC = _build(load_references())
    return _CACHE


def get_reference(name: str) -> Reference:
    """The registry entry ``name``; ``KeyError`` (suggesting close names) if unknown."""
    table = all_references()
    if name not in table:
        import difflib

        close = difflib.get_close_matches(name, list(table), n=3, cutoff=0.5)
        hint = f"; did you mean {', '.join(close)}?" if close else \
            " (`replica reference list` shows all)"
        raise KeyError(f"no reference named {name!r}{hint}")
    return table[name]


def reference_topic(name: str) -> str:
    """The topic module (``refs/<topic>.py``) that defines ``name``."""
    get_reference(name)
    return _TOPIC[name]


def check_reference(ref: "str | Reference") -> Check:
    """Recompute a registry entry (by name, or a Reference) with its ``compute`` callable."""
    if isinstance(ref, str):
        ref = get_reference(ref)
    return ref.check()


# ----------------------------------------------------------------------------------------------
# Independent high-precision path (mpmath)
# ----------------------------------------------------------------------------------------------


class MpGauss:
    r"""Gaussian special functions and averages in mpmath at ``dps`` decimal digits.

    * ``H(x) = erfc(x/sqrt 2)/2``;
    * ``log_H(x)``: ``log1p(-H(-x))`` for x < 0 (the naive ``log(H)`` loses everything when
      H is within 10^-dps of 1, e.g. x = -30 at 50 digits) and ``log(H(x))`` otherwise;
    * ``G(x) = phi(x)/H(x)``;
    * ``gauss_average(f, points)`` = :math:`\int Dz\, f(z)` by ``mpmath.quad`` (tanh-sinh) on
      (-inf, p_1, ..., p_k, inf): pass the kinks / boundary layers of ``f`` as ``points``.

    Results are ``mpmath.mpf`` at the working precision; ``float()`` them to compare with doubles.
    Arithmetic on them outside a high-precision context is rounded to mpmath's global precision
    (15 digits by default): compare at full precision inside ``with self.workdps(): ...``.
    """

    def __init__(self, dps: int = 50):
        import mpmath

        if int(dps) < 15:
            raise ReplicaInputError(f"MpGauss: dps must be >= 15, got {dps}")
        self.mp = mpmath
        self.dps = int(dps)

    def workdps(self):
        """Context manager: mpmath arithmetic at this object's precision."""
        return self.mp.workdps(self.dps)

    _ctx = workdps

    def H(self, x):
        with self._ctx():
            return self.mp.erfc(self.mp.mpf(x) / self.mp.sqrt(2)) / 2

    def log_H(self, x):
        with self._ctx():
            x = self.mp.mpf(x)
            if x < 0:
                return self.mp.log1p(-self.H(-x))
            return self.mp.log(self.H(x))

    def phi(self, x):
        with self._ctx():
            return self.mp.npdf(self.mp.mpf(x))

    def G(self, x):
        with self._ctx():
            x = self.mp.mpf(x)
            return self.mp.npdf(x) / self.H(x)

    def gauss_average(self, f: Callable, points: Iterable[float] = (), error: bool = False,
                      dps: int | None = None):
        """:math:`\\int Dz\\, f(z)` with f evaluated on mpf arguments (use ``self.mp`` functions
        or the methods of this object inside f), at ``dps`` digits (default: this object's).
        ``error=True`` also returns mpmath's error estimate."""
        mp = self.mp
        with mp.workdps(self.dps if dps is None else int(dps)):
            pts = [-mp.inf] + sorted(mp.mpf(p) for p in points) + [mp.inf]
            val, err = mp.quad(lambda z: f(z) * mp.npdf(z), pts, error=True)
            return (val, err) if error else val

    def integrate(self, f: Callable, a, b, points: Iterable[float] = (), error: bool = False,
                  dps: int | None = None):
        """:math:`\\int_a^b f(x)\\, dx` (``a``, ``b`` may be ``+-inf``) with mpmath.quad."""
        mp = self.mp
        with mp.workdps(self.dps if dps is None else int(dps)):
            pts = [mp.mpf(a)] + sorted(mp.mpf(p) for p in points) + [mp.mpf(b)]
            val, err = mp.quad(f, pts, error=True)
            return (val, err) if error else val

    def __repr__(self) -> str:
        return f"MpGauss(dps={self.dps})"
