r"""One continuation engine: follow a branch of saddle points of any model of the protocol
(:mod:`replica.models.base`) along one of its real parameters, through turning points.

Let ``y = (x, lambda)`` be the unknowns and the continued parameter, and ``R(x; lambda) = 0`` the
model's saddle-point equations (n equations, n + 1 variables): the solutions form curves.

*Pseudo-arclength* (``mode="arclength"``, Keller 1977; Allgower & Georg, *Introduction to
Numerical Continuation Methods*, ch. 2): at a point ``y_k`` with unit tangent ``t_k`` (the null
vector of the n x (n+1) Jacobian ``[R_x | R_lambda]``, oriented along the previous one), predict
``y_pred = y_k + ds t_k`` and correct by solving the n + 1 equations

.. math:: R(y) = 0, \qquad t_k \cdot (y - y_{\rm pred}) = 0

with :func:`replica.solve.solve` (Broyden, with the augmented Jacobian carried from the
predictor). Turning points in lambda are passed like any other point. *Natural parameter*
(``mode="natural"``): steps in lambda with a secant predictor and the model's own
:meth:`~replica.models.base.SaddleModel.saddle` as corrector; it cannot pass a fold.

Both modes adapt the step (grow after easy corrections, halve after failures down to
``ds_min``, where the branch is declared lost with the evidence) and accept a point only if it is
finite, in the model's physical domain (``is_physical``) and passes the optional ``guard``
(e.g. a thermodynamic-consistency check against branch jumps).

On the way the engine locates

* **folds**: the lambda-component of the tangent changes sign between two points; the turning
  point is the zero of that component along the arclength, found by Brent's method on the
  arclength ``sigma`` of the predictor (every evaluation a corrected point), so that lambda at
  the fold is accurate to ~1e-10 (lambda is quadratic in sigma there);
* **events**: sign changes of user indicators ``g(point)`` (:class:`Event`; by default a thermo
  key, e.g. the entropy or the replicon), located the same way;
* the requested end value of lambda.

A :class:`Branch` records every accepted point, fold and event; :func:`crossing` compares two
branches' free entropies (first-order transitions); :func:`reach` continues from the model's
``known_point`` to the requested parameters.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Callable, Mapping, Sequence

import numpy as np

from .errors import ConvergenceError, ReplicaInputError
from .solve import Solution, fd_jacobian, solve

__all__ = ["Point", "Found", "Event", "Branch", "follow", "reach", "crossing", "march", "Lost"]

MODES = ("arclength", "natural")
FOLD_NOISE = 1e-6   # |d lambda/ds| below this is finite-difference noise, not a turning point


@dataclass(frozen=True)
class Point:
    """An accepted point of a branch: parameters, unknowns ``x``, thermodynamics, arclength
    ``s`` from the start and (arclength mode) the unit tangent in (x, lambda)."""

    params: Mapping
    x: np.ndarray
    thermo: Mapping
    s: float = 0.0
    tangent: np.ndarray | None = field(default=None, repr=False)
    order: Mapping = field(default_factory=dict)

    def get(self, key: str) -> float:
        """A thermo key, an order parameter, a parameter or an unknown's name... in that order."""
        for table in (self.thermo, self.order, self.params):
            if key in table:
                return table[key]
        raise KeyError(key)


@dataclass(frozen=True)
class Found:
    """A located fold, event or crossing: ``value`` of the continued parameter, the ``point``
    there, and the two accepted points that ``bracket`` it (their parameter values)."""

    kind: str
    name: str
    value: float
    point: Point | None = None
    bracket: tuple = ()
    index: int = -1

    def as_dict(self) -> dict:
        out = {"kind": self.kind, "name": self.name, "value": float(self.value),
               "bracket": [float(b) for b in self.bracket]}
        if self.point is not None:
            out["params"] = dict(self.point.params)
            out["order"] = dict(self.point.order)
            out["thermo"] = {k: v for k, v in self.point.thermo.items()
                             if isinstance(v, (int, float))}
        return out


@dataclass(frozen=True)
class Event:
    """An indicator whose sign changes are located along a branch: ``fn(point) -> float``, by
    default ``point.get(name)`` (a thermo key, order parameter or parameter). ``direction``:
    +1 only rising crossings, -1 only falling ones, 0 both. ``terminal``: stop at the first."""

    name: str
    fn: Callable[[Point], float] | None = None
    direction: int = 0
    terminal: bool = False

    def __call__(self, point: Point) -> float:
        v = self.fn(point) if self.fn is not None else point.get(self.name)
        return float(v)


@dataclass
class Branch:
    """A branch followed by :func:`follow`: points in order of arclength, folds, events, and
    ``end`` (why it stopped: ``"reached"``, ``"max_steps"``, ``"lost: ..."``,
    ``"left the parameter range: ..."``, ``"event: NAME"``)."""

    model: object
    along: str
    points: list = field(default_factory=list)
    folds: list = field(default_factory=list)
    events: list = field(default_factory=list)
    end: str = ""
    mode: str = "arclength"

    def values(self, key: str) -> np.ndarray:
        """An array of ``point.get(key)`` over the points (the continued parameter: its name)."""
        return np.array([float(p.get(key)) for p in self.points])

    @property
    def param(self) -> np.ndarray:
        return self.values(self.along)

    @property
    def reached(self) -> bool:
        return self.end == "reached"

    def solution(self, i: int = -1) -> Solution:
        """Point ``i`` as a :class:`~replica.solve.Solution`."""
        return _solution(self.model, self.points[i])

    def at(self, values: Sequence[float]) -> list:
        """Solutions at requested values of the continued parameter on the branch's first
        monotone segment (before its first fold), by a fixed-parameter solve from the
        interpolated unknowns; None where that segment does not reach the value."""
        lam = self.param
        if lam.size == 0:
            return [None for _ in values]
        n_seg = self.folds[0].index + 1 if self.folds else len(lam)
        seg, pts = lam[:n_seg], self.points[:n_seg]
        out = []
        for v in values:
            v = float(v)
            j = _bracketing_index(seg, v)
            if j is None:
                out.append(None)
                continue
            a, b = pts[j], pts[min(j + 1, len(pts) - 1)]
            la, lb = seg[j], seg[min(j + 1, len(seg) - 1)]
            w = 0.0 if lb == la else (v - la) / (lb - la)
            x0 = (1 - w) * np.asarray(a.x) + w * np.asarray(b.x)
            p = dict(a.params)
            p[self.along] = v
            try:
                out.append(self.model.saddle(p, x0=x0, validate=False))
            except ConvergenceError:
                out.append(None)
        return out

    def summary(self) -> dict:
        lam = self.param
        return {"model": getattr(self.model, "name", ""), "along": self.along,
                "mode": self.mode, "points": len(self.points), "end": self.end,
                "range": [float(lam.min()), float(lam.max())] if lam.size else [],
                "folds": [f.as_dict() for f in self.folds],
                "events": [e.as_dict() for e in self.events]}


def _bracketing_index(seg, v):
    for j in range(len(seg) - 1):
        lo, hi = sorted((seg[j], seg[j + 1]))
        if lo <= v <= hi:
            return j
    if len(seg) and seg[-1] == v:
        return len(seg) - 1
    return None


def _solution(model, pt: Point, method="continuation") -> Solution:
    return model.solution(pt.x, pt.params, method=method)


# ---------------------------------------------------------------------------------------------
# The engine
# ---------------------------------------------------------------------------------------------


class _Tracer:
    """State shared by the steps of one :func:`follow` call."""

    def __init__(self, model, params, along, tol, scale, guard, events, fd_step):
        self.model, self.base, self.along = model, dict(params), along
        self.tol = tol
        self.scale = float(scale)
        self.guard = guard
        self.events = list(events)
        self.h = fd_step
        prm = model.param(along)
        if prm.kind != "real":
            raise ReplicaInputError(f"along: parameter {along!r} of model {model.name!r} is "
                                    f"not a real parameter and cannot be continued")
        self.prm = prm
        self.n_eval = 0

    # variables: y = (x, lambda / scale)
    def params_at(self, lam):
        p = dict(self.base)
        p[self.along] = float(lam)
        return p

    def R(self, x, lam):
        self.n_eval += 1
        r = np.atleast_1d(np.asarray(self.model.residual(np.asarray(x, float),
                                                         self.params_at(lam)), dtype=float))
        return r

    def in_range(self, lam) -> str | None:
        p = self.prm
        if p.lo is not None and (lam < p.lo or (p.lo_open and lam == p.lo)):
            return f"{self.along} = {lam:.10g} below {p.lo}"
        if p.hi is not None and (lam > p.hi or (p.hi_open and lam == p.hi)):
            return f"{self.along} = {lam:.10g} above {p.hi}"
        return None

    def Ry(self, y):
        lam = y[-1] * self.scale
        if self.in_range(lam) is not None:
            return np.full(y.size - 1, np.nan)
        return self.R(y[:-1], lam)

    def jac(self, y, r0=None):
        return fd_jacobian(self.Ry, y, self.h, r0=r0)

    def tangent(self, y, t_prev, r0=None):
        J = self.jac(y, r0)
        if not np.all(np.isfinite(J)):
            return None, J
        A = np.vstack([J, t_prev])
        rhs = np.zeros(y.size)
        rhs[-1] = 1.0
        try:
            t = np.linalg.solve(A, rhs)
        except np.linalg.LinAlgError:
            return None, J
        nrm = np.linalg.norm(t)
        if not np.isfinite(nrm) or nrm == 0:
            return None, J
        return t / nrm, J

    def correct(self, y0, t0, sigma, J0):
        """Corrected point at arclength sigma along t0 from y0 (None on failure)."""
        y_pred = y0 + sigma * t0

        def aug(y):
            r = self.Ry(y)
            return np.concatenate([r, [float(t0 @ (y - y_pred))]])

        Ja = np.vstack([J0, t0]) if J0 is not None else None
        try:
            sol = solve(lambda y: y + aug(y), y_pred, method="broyden", tol=self.tol,
                        max_iter=25, jacobian=Ja)
        except ConvergenceError:
            return None
        y = sol.x
        if np.linalg.norm(y - y_pred) > max(0.5 * abs(sigma), 1e-12):
            return None      # the corrector jumped: likely onto another branch
        return y, sol.iterations

    def make_point(self, y, s, t):
        x, lam = y[:-1].copy(), float(y[-1] * self.scale)
        p = self.params_at(lam)
        why = self.model.is_physical(x, p)
        if why is not None:
            return None, f"outside the physical domain: {why}"
        try:
            th = dict(self.model.thermo(x, p))
            od = self.model.order(x, p)
        except (ConvergenceError, ArithmeticError, ValueError) as exc:
            return None, f"thermodynamics failed: {exc}"
        return Point(params=p, x=x, thermo=th, s=float(s), tangent=t, order=od), None


def follow(model, params: Mapping, along: str, to: float, *, x0=None, ds: float | None = None,
           ds_min: float | None = None, ds_max: float | None = None, mode: str = "arclength",
           events: Sequence[Event | str] = (), max_steps: int = 1000,
           guard: Callable[[Point, Point], str | None] | None = None, tol: float | None = None,
           scale: float | None = None, fd_step: float = 1e-7, stop_at_fold: bool = False,
           locate: bool = True) -> Branch:
    """Follow the branch of ``model`` through ``params`` (with ``x0`` its unknowns there; None:
    ``model.saddle(params)``) along the real parameter ``along`` towards ``to``.

    ds, ds_min, ds_max : initial, smallest and largest arclength step (defaults from |to - start|:
        1/20, 1e-9 and 1/4 of it). The arclength is measured in (x, lambda/scale).
    mode : "arclength" (through folds) or "natural" (steps in the parameter).
    events : :class:`Event` objects or thermo keys whose sign changes are located.
    guard : ``guard(previous, candidate) -> None | reason``; a reason rejects the step.
    stop_at_fold : end the branch at its first fold (after locating it).
    locate : refine folds and events (else report the bracketing points only).

    Returns a :class:`Branch`. Raises ConvergenceError only when the start is not a saddle
    point; a branch that is lost later ends with ``end = "lost: ..."`` and keeps its points.
    """
    if mode not in MODES:
        raise ReplicaInputError(f"mode must be one of {', '.join(MODES)}, got {mode!r}")
    if not (isinstance(max_steps, int) and 1 <= max_steps <= 10**6):
        raise ReplicaInputError(f"max_steps must be an integer in [1, 1e6], got {max_steps!r}")
    p0 = model.validate(params)
    to = float(model.param(along).validate(to))
    lam0 = float(p0[along])
    span = abs(to - lam0)
    if span == 0:
        raise ReplicaInputError(f"to: the branch starts at {along} = {lam0}, which is already "
                                f"the end value")
    evs = [e if isinstance(e, Event) else Event(str(e)) for e in events]
    tol = model.tol if tol is None else float(tol)
    scale = float(scale) if scale is not None else 1.0
    ds = span / 20 if ds is None else float(ds)
    ds_min = 1e-9 * max(span, 1e-3) if ds_min is None else float(ds_min)
    ds_max = span / 4 if ds_max is None else float(ds_max)
    for name, v in (("ds", ds), ("ds_min", ds_min), ("ds_max", ds_max)):
        if not (math.isfinite(v) and v > 0):
            raise ReplicaInputError(f"{name} must be a positive number, got {v!r}")
    tr = _Tracer(model, p0, along, tol, scale, guard, evs, fd_step)
    if x0 is None:
        sol = model.saddle(p0)
        x0 = sol.u
    x0 = np.atleast_1d(np.asarray(x0, dtype=float))
    r0 = tr.R(x0, lam0)
    if not np.all(np.isfinite(r0)) or np.max(np.abs(r0)) > max(tol, 1e-9):
        raise ConvergenceError("the starting point of the continuation is not a saddle point",
                               model=model.name, params=p0, x=x0, residual=r0,
                               method="continuation")
    br = Branch(model=model, along=along, mode=mode)
    direction = 1.0 if to > lam0 else -1.0
    if mode == "natural":
        return _natural(tr, br, x0, lam0, to, direction, ds / max(1.0, 1.0), ds_min, ds_max,
                        max_steps, stop_at_fold, locate)
    return _arclength(tr, br, x0, lam0, to, direction, ds, ds_min, ds_max, max_steps,
                      stop_at_fold, locate)


def _arclength(tr, br, x0, lam0, to, direction, ds, ds_min, ds_max, max_steps, stop_at_fold,
               locate):
    y = np.concatenate([x0, [lam0 / tr.scale]])
    seed = np.zeros(y.size)
    seed[-1] = direction
    t, J = tr.tangent(y, seed)
    if t is None:
        raise ConvergenceError("no tangent at the starting point (singular Jacobian)",
                               model=tr.model.name, params=tr.params_at(lam0), x=x0,
                               method="continuation")
    pt, why = tr.make_point(y, 0.0, t)
    if pt is None:
        raise ConvergenceError(f"the starting point is not usable: {why}", model=tr.model.name,
                               params=tr.params_at(lam0), x=x0, method="continuation")
    br.points.append(pt)
    ev_prev = [_safe(e, pt) for e in tr.events]
    sig = ((1.0 if t[-1] > 0 else -1.0) if abs(t[-1]) > FOLD_NOISE else 0.0, 0)
    for _ in range(max_steps):
        step = _step(tr, y, t, J, ds, ds_min, br.points[-1])
        if step is None:
            last = br.points[-1]
            r = tr.R(last.x, last.get(tr.along))
            br.end = (f"lost: no corrected point beyond {tr.along} = "
                      f"{last.get(tr.along):.12g} for arclength steps down to {ds_min:.3g} "
                      f"(last unknowns {np.array2string(last.x, precision=6)}, "
                      f"|residual| {np.max(np.abs(r)):.2e})")
            return br
        y1, t1, J1, pt1, used, iters = step
        prev = br.points[-1]
        lam_a, lam_b = prev.get(tr.along), pt1.get(tr.along)
        # the end value
        if (lam_a - to) * (lam_b - to) <= 0 and lam_a != to:
            fin = _refine(tr, y, t, J, used, lambda q: q.get(tr.along) - to) if locate else None
            br.points.append(fin[1] if fin else pt1)
            br.end = "reached"
            _scan_events(tr, br, y, t, J, used, prev, br.points[-1], ev_prev, locate)
            return br
        # folds: the parameter's component of the tangent changes sign. Components below
        # FOLD_NOISE are at the finite-difference noise level (an asymptote, e.g. q -> 1):
        # a fold is a change between two significant signs.
        if abs(t1[-1]) > FOLD_NOISE:
            sgn = 1.0 if t1[-1] > 0 else -1.0
            if sig[0] and sgn != sig[0]:
                fold = None
                if t[-1] * t1[-1] < 0 and abs(t[-1]) > FOLD_NOISE and locate:
                    fold = _refine(tr, y, t, J, used, lambda q: q.tangent[-1])
                if fold:
                    fpt = fold[1]
                else:   # through noise-level components: the flattest point in between
                    cand = br.points[sig[1]:] + [pt1]
                    fpt = min(cand, key=lambda q: abs(q.tangent[-1]))
                br.folds.append(Found("fold", "fold", fpt.get(tr.along), fpt,
                                      (br.points[sig[1]].get(tr.along), lam_b),
                                      index=len(br.points) - 1))
                if stop_at_fold:
                    br.points.append(pt1)
                    br.end = "fold"
                    return br
            sig = (sgn, len(br.points))
        stop = _scan_events(tr, br, y, t, J, used, prev, pt1, ev_prev, locate)
        br.points.append(pt1)
        ev_prev = [_safe(e, pt1) for e in tr.events]
        if stop:
            br.end = f"event: {stop}"
            return br
        y, t, J = y1, t1, J1
        ds = min(ds_max, used * (1.5 if iters <= 4 else (1.0 if iters <= 8 else 0.6)))
        out = tr.in_range(pt1.get(tr.along))
        if out:
            br.end = f"left the parameter range: {out}"
            return br
    br.end = "max_steps"
    return br


def _step(tr, y, t, J, ds, ds_min, prev):
    """One accepted arclength step from (y, t): halve ds on failure. Returns
    (y1, t1, J1, point, ds_used, iterations) or None."""
    while ds >= ds_min:
        c = tr.correct(y, t, ds, J)
        if c is not None:
            y1, iters = c
            t1, J1 = tr.tangent(y1, t)
            if t1 is not None and float(t1 @ t) > 0.3:   # no reversal: a smooth step
                pt1, why = tr.make_point(y1, prev.s + ds, t1)
                if pt1 is not None:
                    bad = tr.guard(prev, pt1) if tr.guard is not None else None
                    if bad is None:
                        return y1, t1, J1, pt1, ds, iters
        ds *= 0.5
    return None


def _refine(tr, y, t, J, ds, g):
    """Zero of g(point) for corrected points at arclength sigma in (0, ds) from (y, t), by
    Brent's method on sigma. Returns (sigma, point) or None."""
    cache = {}

    def at(sig):
        if sig in cache:
            return cache[sig]
        c = tr.correct(y, t, sig, J) if sig > 0 else (y, 0)
        if c is None:
            cache[sig] = None
            return None
        t1, _ = tr.tangent(c[0], t)
        pt, _ = tr.make_point(c[0], sig, t1)
        cache[sig] = pt
        return pt

    def f(sig):
        pt = at(sig)
        if pt is None or pt.tangent is None:
            raise _Abort
        return float(g(pt))

    try:
        fa, fb = f(0.0), f(ds)
        if fa * fb > 0:
            return None
        from scipy import optimize  # lazy: ~0.4 s of import, needed only here
        root = optimize.brentq(f, 0.0, ds, xtol=1e-13 * max(ds, 1e-300), rtol=1e-14,
                               maxiter=80)
    except (_Abort, ValueError, RuntimeError):
        return None
    pt = at(root)
    return (root, pt) if pt is not None else None


class _Abort(Exception):
    pass


def _safe(ev, pt):
    try:
        v = ev(pt)
    except (KeyError, ArithmeticError, ValueError):
        return math.nan
    return v if math.isfinite(v) else math.nan


def _scan_events(tr, br, y, t, J, ds, a, b, ev_prev, locate):
    """Locate the sign changes of the indicators between points a and b. Returns the name of a
    terminal event that fired, else None."""
    stop = None
    for k, ev in enumerate(tr.events):
        ga, gb = ev_prev[k], _safe(ev, b)
        if not (math.isfinite(ga) and math.isfinite(gb)) or ga * gb > 0 or ga == gb:
            continue
        rising = gb > ga
        if ev.direction and (ev.direction > 0) != rising:
            continue
        if ga == 0.0:
            continue     # located at the previous step
        hit = None
        if locate and b.tangent is not None:
            hit = _refine(tr, y, t, J, ds, lambda q: _safe(ev, q))
        pt = hit[1] if hit else (a if abs(ga) < abs(gb) else b)
        br.events.append(Found("event", ev.name, pt.get(tr.along), pt,
                               (a.get(tr.along), b.get(tr.along)), index=len(br.points) - 1))
        if ev.terminal and stop is None:
            stop = ev.name
    return stop


class Lost(Exception):
    """:func:`march` could not go on: ``at`` is the last accepted value, ``first`` the first
    failure at the target of the failing step, ``last`` the last failure, ``halvings`` how
    many times the step was halved."""

    def __init__(self, at, first, last, halvings):
        self.at, self.first, self.last, self.halvings = at, first, last, halvings
        super().__init__(f"lost after {at}: {last}")


def march(solve_at, start: float, stop: float, x, *, h: float, h_min: float = 0.0,
          h_max: float = math.inf, grow: float = 1.5, max_halvings: int | None = None,
          predictor: bool = True, failures=(ConvergenceError, ReplicaInputError)):
    """Natural-parameter continuation from ``start`` to ``stop`` (the one implementation of
    step halving): a generator of ``(value, x, result, halvings)`` for each accepted step.

    ``solve_at(value, x_pred) -> (x, result)`` raises one of ``failures`` when it cannot solve;
    ``x_pred`` is the secant extrapolation of the last two accepted states (``predictor``;
    else the last state; ``x`` may be None for point functions that take no warm start). A
    failed step is halved until it is below ``h_min`` or ``max_halvings`` halvings (in total)
    were spent, then :class:`Lost` is raised. After an accepted step the step grows by
    ``grow`` (1: keep the reduced step) up to ``h_max``.
    """
    direction = 1.0 if stop >= start else -1.0
    lam, lam_prev, x_prev = float(start), None, None
    halvings = 0
    while lam != stop:
        first = None
        while True:
            nxt = lam + direction * h
            if (nxt - stop) * direction >= 0:
                nxt = stop
            x_pred = x
            if predictor and x_prev is not None and lam_prev != lam and x is not None:
                x_pred = np.asarray(x) + (np.asarray(x) - np.asarray(x_prev)) * \
                    (nxt - lam) / (lam - lam_prev)
            try:
                x_new, result = solve_at(nxt, x_pred)
                break
            except failures as exc:
                if first is None and nxt == stop:
                    first = exc
                last = exc
            if max_halvings is not None and halvings >= max_halvings:
                raise Lost(lam, first or last, last, halvings)
            h *= 0.5
            halvings += 1
            if h < h_min:
                raise Lost(lam, first or last, last, halvings)
        yield nxt, x_new, result, halvings
        lam_prev, x_prev, lam, x = lam, x, nxt, x_new
        h = min(h_max, grow * h)


def _natural(tr, br, x0, lam0, to, direction, ds, ds_min, ds_max, max_steps, stop_at_fold,
             locate):
    model = tr.model
    pt, why = tr.make_point(np.concatenate([x0, [lam0 / tr.scale]]), 0.0, None)
    if pt is None:
        raise ConvergenceError(f"the starting point is not usable: {why}", model=model.name,
                               params=tr.params_at(lam0), x=x0, method="continuation")
    br.points.append(pt)
    ev_prev = [_safe(e, pt) for e in tr.events]

    def solve_at(lam, x_pred):
        sol = model.saddle(tr.params_at(lam), x0=x_pred, validate=False)
        q, why = tr.make_point(np.concatenate([sol.u, [lam / tr.scale]]),
                               br.points[-1].s + abs(lam - br.points[-1].get(tr.along)), None)
        if q is not None and tr.guard is not None:
            why = tr.guard(br.points[-1], q)
            q = None if why else q
        if q is None:
            raise ConvergenceError(why, model=model.name, params=tr.params_at(lam))
        return q.x, q

    steps = march(solve_at, lam0, to, x0, h=ds, h_min=ds_min, h_max=ds_max)
    try:
        for n, (lam, _, pt1, _) in enumerate(steps):
            stop = _natural_events(tr, br, br.points[-1], pt1, ev_prev, locate)
            br.points.append(pt1)
            ev_prev = [_safe(e, pt1) for e in tr.events]
            if stop:
                br.end = f"event: {stop}"
                return br
            if n + 1 >= max_steps and lam != to:
                br.end = "max_steps"
                return br
    except Lost as lost:
        why = str(lost.last).split(";")[0]
        br.end = (f"lost: no saddle point beyond {tr.along} = {lost.at:.10g} with steps down "
                  f"to {ds_min:.3g} ({why})")
        return br
    br.end = "reached"
    return br


def _natural_events(tr, br, a, b, ev_prev, locate):
    stop = None
    for k, ev in enumerate(tr.events):
        ga, gb = ev_prev[k], _safe(ev, b)
        if not (math.isfinite(ga) and math.isfinite(gb)) or ga * gb > 0 or ga == gb or ga == 0:
            continue
        if ev.direction and (ev.direction > 0) != (gb > ga):
            continue
        la, lb = a.get(tr.along), b.get(tr.along)
        pt = a if abs(ga) < abs(gb) else b
        if locate:
            def f(lam):
                w = (lam - la) / (lb - la)
                x0 = (1 - w) * a.x + w * b.x
                s = tr.model.saddle(tr.params_at(lam), x0=x0, validate=False)
                q, _ = tr.make_point(np.concatenate([s.u, [lam / tr.scale]]), 0.0, None)
                if q is None:
                    raise _Abort
                f.last = q
                return _safe(ev, q)
            try:
                lo, hi = sorted((la, lb))
                from scipy import optimize  # lazy: ~0.4 s of import, needed only here
                root = optimize.brentq(f, lo, hi, xtol=1e-12 * max(1.0, abs(lo)), rtol=1e-14)
                f(root)
                pt = f.last
            except (_Abort, ConvergenceError, ValueError, RuntimeError):
                pass
        br.events.append(Found("event", ev.name, pt.get(tr.along), pt, (la, lb),
                               index=len(br.points) - 1))
        if ev.terminal and stop is None:
            stop = ev.name
    return stop


# ---------------------------------------------------------------------------------------------
# Front doors built on follow()
# ---------------------------------------------------------------------------------------------


def reach(model, params: Mapping, **options) -> Solution:
    """The saddle point at ``params`` reached by continuation from ``model.known_point``
    (through folds); raises ConvergenceError with the branch's end if it does not get there."""
    p = model.validate(params)
    p0, x0 = model.known_point(p)
    diff = [k for k in p if k in p0 and p0[k] != p[k]]
    if not diff:
        return model.solution(x0, p, method="known point")
    if len(diff) > 1:
        raise ValueError(f"known_point of {model.name!r} differs in {diff}: it must differ in "
                         "one real parameter")
    along = diff[0]
    br = follow(model, p0, along, p[along], x0=x0, **options)
    if not br.reached:
        raise ConvergenceError(f"continuation from {along} = {p0[along]} did not reach "
                               f"{along} = {p[along]}: {br.end}"
                               + (f"; folds at {along} = "
                                  + ", ".join(f"{f.value:.10g}" for f in br.folds)
                                  if br.folds else ""),
                               model=model.name, params=p, method="continuation")
    return br.solution(-1)


def crossing(a: Branch, b: Branch, key: str = "free_entropy") -> Found:
    """Where ``key`` (a thermo key) of branch ``a`` equals that of branch ``b`` along their
    common parameter: a first-order transition between coexisting branches. Each branch is
    interpolated on its first monotone segment and the equality refined by Brent's method with
    fixed-parameter solves on both. Raises ConvergenceError if the difference does not change
    sign on the common range."""
    if a.along != b.along:
        raise ReplicaInputError("crossing: the branches are continued along different "
                                f"parameters ({a.along}, {b.along})")

    def seg(br):
        n = br.folds[0].index + 1 if br.folds else len(br.points)
        lam, val = br.param[:n], br.values(key)[:n]
        order = np.argsort(lam)
        return lam[order], val[order]

    la, fa = seg(a)
    lb, fb = seg(b)
    lo, hi = max(la.min(), lb.min()), min(la.max(), lb.max())
    if not lo < hi:
        raise ConvergenceError(f"crossing: the branches have no common range of {a.along}",
                               method="continuation")
    def f(v):
        sa, sb = a.at([v])[0], b.at([v])[0]
        if sa is None or sb is None:
            raise ConvergenceError(f"crossing: no saddle point at {a.along} = {v}",
                                   method="continuation")
        f.sol = sa
        return sa.thermo[key] - sb.thermo[key]

    # the exact difference at the accepted points of branch a in the common range
    grid = np.unique(np.r_[lo, la[(la > lo) & (la < hi)], hi])
    diff = np.array([f(v) for v in grid])
    idx = np.nonzero(np.sign(diff[:-1]) * np.sign(diff[1:]) <= 0)[0]
    if idx.size == 0:
        raise ConvergenceError(f"crossing: {key} of the two branches does not cross on "
                               f"{a.along} in [{lo:.6g}, {hi:.6g}]", method="continuation")
    g0, g1 = grid[idx[0]], grid[idx[0] + 1]

    from scipy import optimize  # lazy: ~0.4 s of import, needed only here
    root = optimize.brentq(f, g0, g1, xtol=1e-12 * max(1.0, abs(g0)), rtol=1e-14)
    f(root)
    pt = Point(params=dict(f.sol.params), x=f.sol.u, thermo=dict(f.sol.thermo),
               order=dict(f.sol.order))
    return Found("crossing", key, float(root), pt, (float(g0), float(g1)))
