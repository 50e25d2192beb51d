r"""The model protocol: what every saddle-point model of replica implements.

A *model* is a family with its own free entropy (docs/THEORY.md, "Conventions"). It declares

* its external parameters (:class:`Param`: name, range, default, kind), validated once at the
  edge by :meth:`SaddleModel.validate` with one-line :class:`~replica.errors.ReplicaInputError`
  messages naming the parameter;
* its physical order parameters (``order_names``: q, qh, t, p, ...) as distinct from the solver's
  unknowns (``unknown_names``: e.g. ln(1 - q)), with the maps between them (:meth:`order`,
  :meth:`unknowns`);
* a point where the solution is known exactly (:meth:`known_point`: alpha = 0, the typical
  distance d* of Franz–Parisi, ...), from which continuation starts;
* the residual ``R(x; params)`` of the saddle-point equations in the unknowns (the source of
  truth: a point is a saddle point iff ``max|R| <= tol``);
* the free entropy as named terms (:meth:`free_entropy`) and the derived thermodynamics
  (:meth:`thermo`: entropy, replicon, slopes, ...);
* :meth:`saddle` ``(params, x0=None)``, which goes through :func:`replica.solve.solve`.

Models register themselves in :mod:`replica.models` (``register``); scans, the continuation
engine (:mod:`replica.continuation`), thresholds and the CLI (``replica solve MODEL``) read the
registry, so a new model is one file plus a registration. See docs/DEVELOPING.md, "How to add a
model".
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar, Mapping

import numpy as np

from ..errors import ConvergenceError, ReplicaInputError, check_finite
from ..solve import Solution, solve

__all__ = ["Param", "SaddleModel", "parse_kappa_ref"]


def parse_kappa_ref(value, name: str = "kappa_ref"):
    """A reference margin: the string ``"max"`` (the maximum margin) or a finite number.

    The one parser of this parameter kind (CLI, scans and models use it)."""
    if isinstance(value, str) and value.strip().lower() == "max":
        return "max"
    return check_finite(name, value)


@dataclass(frozen=True)
class Param:
    """An external parameter of a model.

    ``kind``: ``"real"`` (a finite float in [lo, hi], ends open if asked), ``"int"`` (an integer
    in [lo, hi]), ``"margin_ref"`` (a number or ``"max"``), ``"bool"`` (true/false),
    ``"choice"`` (one of ``choices``).
    ``default`` None means required. ``doc`` is the one-line help shown by the CLI.
    Only ``"real"`` parameters can be continued along.
    """

    name: str
    lo: float | None = None
    hi: float | None = None
    default: Any = None
    kind: str = "real"
    lo_open: bool = False
    hi_open: bool = False
    choices: tuple = ()
    doc: str = ""

    def validate(self, value):
        if self.kind == "margin_ref":
            v = parse_kappa_ref(value, self.name)
            if v == "max":
                return v
        elif self.kind == "bool":
            if isinstance(value, str) and value.strip().lower() in ("true", "1", "yes"):
                return True
            if isinstance(value, str) and value.strip().lower() in ("false", "0", "no"):
                return False
            if isinstance(value, (bool, np.bool_)) or value in (0, 1):
                return bool(value)
            raise ReplicaInputError(f"{self.name} must be true or false, got {value!r}")
        elif self.kind == "choice":
            if value not in self.choices:
                raise ReplicaInputError(f"{self.name} must be one of "
                                        f"{', '.join(map(str, self.choices))}, got {value!r}")
            return value
        else:
            v = check_finite(self.name, value)
            if self.kind == "int":
                if v != int(v):
                    raise ReplicaInputError(f"{self.name} must be an integer, got {value!r}")
                v = int(v)
        if self.lo is not None and (v < self.lo or (self.lo_open and v == self.lo)):
            raise ReplicaInputError(f"{self.name} must be {'>' if self.lo_open else '>='} "
                                    f"{self.lo}, got {v}")
        if self.hi is not None and (v > self.hi or (self.hi_open and v == self.hi)):
            raise ReplicaInputError(f"{self.name} must be {'<' if self.hi_open else '<='} "
                                    f"{self.hi}, got {v}")
        return v

    def describe(self) -> str:
        rng = ""
        if self.kind in ("real", "int", "margin_ref"):
            lo = "-inf" if self.lo is None else f"{self.lo:g}"
            hi = "inf" if self.hi is None else f"{self.hi:g}"
            rng = f"{'(' if self.lo_open or self.lo is None else '['}{lo}, {hi}" \
                  f"{')' if self.hi_open or self.hi is None else ']'}"
            if self.kind == "margin_ref":
                rng += " or 'max'"
        elif self.kind == "choice":
            rng = "{" + ",".join(map(str, self.choices)) + "}"
        elif self.kind == "bool":
            rng = "{true,false}"
        dflt = "required" if self.default is None else f"default {self.default}"
        return f"{self.name} in {rng} ({dflt}){': ' + self.doc if self.doc else ''}"


class SaddleModel:
    """Base class of the protocol. Subclasses set the class attributes and implement
    :meth:`residual`, :meth:`thermo` and :meth:`known_point`; everything else has defaults.

    Class attributes
    ----------------
    name : the registry key (``"gardner-binary"``, ``"fp-spherical"``, ...).
    description : one line for ``replica solve --help`` and the docs.
    params : tuple of :class:`Param`.
    order_names : physical order parameters (keys of :meth:`order`).
    unknown_names : the solver's unknowns (default: the order parameters).
    method : default :func:`~replica.solve.solve` method of :meth:`saddle`.
    tol : default tolerance on max|R|.
    """

    name: ClassVar[str] = ""
    description: ClassVar[str] = ""
    params: ClassVar[tuple[Param, ...]] = ()
    order_names: ClassVar[tuple[str, ...]] = ()
    unknown_names: ClassVar[tuple[str, ...]] = ()
    method: ClassVar[str] = "hybrid"
    tol: ClassVar[float] = 1e-11

    # -- parameters ------------------------------------------------------------------------
    @property
    def unknowns_(self) -> tuple[str, ...]:
        return tuple(self.unknown_names or self.order_names)

    def param(self, name: str) -> Param:
        for p in self.params:
            if p.name == name:
                return p
        raise ReplicaInputError(f"model {self.name!r} has no parameter {name!r}; its "
                                f"parameters are: {', '.join(p.name for p in self.params)}")

    def validate(self, params: Mapping | None = None, **kw) -> dict:
        """Fill defaults, validate every parameter, reject unknown names, then :meth:`check`
        the cross-parameter constraints. Returns a new dict in declaration order."""
        given = dict(params or {})
        given.update(kw)
        known = {p.name for p in self.params}
        bad = [k for k in given if k not in known]
        if bad:
            raise ReplicaInputError(
                f"model {self.name!r} has no parameter(s) {', '.join(map(repr, bad))}; its "
                f"parameters are: {', '.join(p.name for p in self.params)}")
        out = {}
        for p in self.params:
            if p.name in given:
                out[p.name] = p.validate(given[p.name])
            elif p.default is not None:
                out[p.name] = p.validate(p.default)
            else:
                raise ReplicaInputError(f"model {self.name!r} needs parameter {p.name} "
                                        f"({p.describe()})")
        return self.check(out)

    def check(self, params: dict) -> dict:
        """Cross-parameter constraints (e.g. alpha below capacity); returns params."""
        return params

    # -- unknowns <-> order parameters ----------------------------------------------------
    def order(self, x: np.ndarray, params: Mapping) -> dict:
        """Physical order parameters from the unknowns (default: identical)."""
        return dict(zip(self.order_names, map(float, np.atleast_1d(x))))

    def unknowns(self, order: Mapping, params: Mapping) -> np.ndarray:
        """Unknowns from the physical order parameters (default: identical)."""
        return np.array([float(order[k]) for k in self.unknowns_], dtype=float)

    # -- the equations ------------------------------------------------------------------------
    def residual(self, x: np.ndarray, params: Mapping) -> np.ndarray:
        """R(x; params), zero at the saddle point (NaN outside the physical domain)."""
        raise NotImplementedError

    def known_point(self, params: Mapping) -> tuple[dict, np.ndarray]:
        """``(params0, x0)``: parameters where the saddle point is known exactly and the
        unknowns there; ``params0`` differs from ``params`` in one continuous parameter (the
        one :func:`replica.continuation.reach` continues along, named by ``params0``'s key
        whose value differs)."""
        raise NotImplementedError

    def guess(self, params: Mapping) -> np.ndarray | None:
        """A starting point for a cold :meth:`saddle` (None: use :meth:`known_point`'s x0)."""
        return None

    def free_entropy(self, order: Mapping, params: Mapping) -> dict:
        """The free entropy at arbitrary order parameters, as named terms; the key
        ``"free_entropy"`` is their total. Default: not provided."""
        raise NotImplementedError(f"model {self.name!r} does not expose its free entropy "
                                  "off the saddle point")

    def thermo(self, x: np.ndarray, params: Mapping) -> dict:
        """Derived thermodynamics at a saddle point (``entropy`` at least)."""
        raise NotImplementedError

    def is_physical(self, x: np.ndarray, params: Mapping) -> str | None:
        """None if the point is in the physical domain, else the reason (e.g. a non-positive
        overlap matrix). Used by :meth:`saddle` and the continuation engine."""
        return None

    # -- the front door ---------------------------------------------------------------------
    def saddle(self, params: Mapping | None = None, x0=None, *, method: str | None = None,
               tol: float | None = None, validate: bool = True, **options) -> Solution:
        """Solve R(x; params) = 0 with :func:`replica.solve.solve` from ``x0`` (default
        :meth:`guess`, else :meth:`known_point`'s unknowns) and return a
        :class:`~replica.solve.Solution` with the physical order parameters in ``order``, the
        unknowns in ``unknowns`` and :meth:`thermo` in ``thermo``. Raises ConvergenceError with
        the evidence (no saddle point, or one outside the physical domain)."""
        p = self.validate(params) if validate else dict(params or {})
        tol = self.tol if tol is None else tol
        method = method or self.method
        if x0 is None:
            x0 = self.guess(p)
        if x0 is None:
            x0 = self.known_point(p)[1]
        x0 = np.atleast_1d(np.asarray(x0, dtype=float))
        if x0.size != len(self.unknowns_):
            raise ReplicaInputError(f"x0 must have {len(self.unknowns_)} entries "
                                    f"({', '.join(self.unknowns_)}), got {x0.size}")
        sol = solve(lambda x: x + self.residual(x, p), x0, names=self.unknowns_, method=method,
                    tol=tol, model=self.name, params=_plain(p), **options)
        return self.solution(sol.x, p, iterations=sol.iterations, method=sol.method)

    def solution(self, x, params: Mapping, *, iterations: int = 0, method: str = "",
                 residual=None) -> Solution:
        """Package unknowns ``x`` (already a saddle point) as a Solution; checks the physical
        domain."""
        x = np.atleast_1d(np.asarray(x, dtype=float))
        res = self.residual(x, params) if residual is None else np.asarray(residual, float)
        why = self.is_physical(x, params)
        if why is not None:
            raise ConvergenceError(f"saddle point outside the physical domain: {why}",
                                   model=self.name, params=_plain(params), x=x, residual=res,
                                   method=method)
        th = dict(self.thermo(x, params))
        return Solution(order=self.order(x, params), residual=res, status="converged",
                        iterations=int(iterations), method=method, model=self.name,
                        params=_plain(params), thermo=th, unknowns=tuple(map(float, x)))

    def __repr__(self) -> str:
        return f"<model {self.name}: " + ", ".join(p.name for p in self.params) + ">"


def _plain(params: Mapping) -> dict:
    return {k: (v if isinstance(v, str) else (float(v) if not isinstance(v, (int, bool))
                                               else v))
            for k, v in params.items()}
