r"""Thresholds as events: each is the zero of an *indicator* located on a coarse grid ("found on
the way", the first sign change) and refined by bracketing (Brent's method, scipy ``brentq``) to
``xtol`` (default 1e-6) in alpha or kappa. Pattern: STYLE pattern 8 (pacopy / BifurcationKit
events).

=====================  =====================================  ===================================
threshold              indicator (sign change at the event)   source of the indicator
=====================  =====================================  ===================================
capacity alpha_c       binary: RS entropy s(alpha);           ``replica.models.gardner.capacity``
                       spherical: closed form (q -> 1)        (wrapped, not reimplemented)
kappa_max(alpha)       binary: s(kappa); spherical: closed    ``replica.models.gardner.kappa_max``
AT line (spherical,    replicon 1 - alpha gamma_E gamma_S     ``gardner(...).replicon``
kappa < 0)             (> 0: RS stable)
alpha_nonmonotonic     min_{d in [d_lo, d_hi]} dS/dd          Franz–Parisi local entropy,
                                                              ``replica.models.franz_parisi``
alpha_negative         min_{d in [d_lo, d_hi]} S(d)           idem (binary)
=====================  =====================================  ===================================

Local-entropy indicators (docs/THEORY.md §2, §3; Baldassi, Lauditi, Malatesta, Perugini, Zecchina,
PRL 127, 278301 (2021)). Around references of margin ``kappa_ref`` (``"max"`` for the max-margin
reference), neighbours of margin ``kappa``: S(d) is sampled on a geometric grid of distances from
``d_hi`` = 0.8 (1-Q)/2 (below the typical distance d* = (1-Q)/2, where dS/dd = 0) down to
``d_lo`` (default 1e-4), by continuation in d (warm starts). The grid minimum of the indicator is
then refined by a bounded Brent minimisation in ln d between the neighbouring grid points, so the
indicator is a smooth function of alpha that ``brentq`` can bracket.

* ``alpha_nonmonotonic``: ``min dS/dd`` crosses 0 from above — S(d) stops being monotonically
  increasing on (0, d*): the local-entropy transition (for kappa_ref = "max", the PRL's estimate of
  where wide flat minima disappear).
* ``alpha_negative``: ``min S`` crosses 0 from above — S(d) becomes negative on a shell at small
  d: the reference becomes isolated. Binary only (the spherical S(d) -> -inf as d -> 0 at every
  alpha, since it is the log-volume of a shrinking slice).

Both indicators are restricted to d >= d_lo: a feature at even smaller distances is not seen
(stated in every result's ``details``).
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Callable, Sequence

import numpy as np
from scipy import optimize

from .continuation import Lost, march
from .errors import ConvergenceError, ReplicaInputError, check_finite, check_int, check_range
from .special import log_gardner_moment

__all__ = ["Threshold", "find_event", "event", "fold", "capacity", "kappa_max", "at_alpha", "at_kappa",
           "alpha_nonmonotonic", "alpha_negative", "local_entropy_profile", "Profile",
           "nonmonotonic_indicator", "negative_indicator"]

XTOL = 1e-6
#: the AT line is searched for kappa >= this (alpha_c(-20) ~ 1e90: beyond, 1 - q underflows)
AT_KAPPA_MIN = -20.0


@dataclass(frozen=True)
class Threshold:
    """A located event: ``value`` of ``variable`` ("alpha" or "kappa") where ``indicator``
    changes sign; ``bracket`` = the two grid points between which the sign change was found,
    ``indicator_values`` = the indicator there; ``refined_bracket`` = the tightest bracket seen by
    the refinement (``width <= xtol`` up to Brent's stopping rule)."""

    name: str
    model: str
    variable: str
    value: float
    bracket: tuple
    indicator: str
    indicator_values: tuple
    refined_bracket: tuple = ()
    params: dict = field(default_factory=dict)
    xtol: float = XTOL
    evaluations: int = 0
    details: dict = field(default_factory=dict)
    #: "found", or "absent" (the event does not exist at these parameters: ``value`` is NaN,
    #: JSON null, and ``reason`` says why and names the bounding event)
    status: str = "found"
    reason: str = ""

    @property
    def found(self) -> bool:
        return self.status == "found"

    def as_dict(self) -> dict:
        out = {self.variable: self.value if self.found else None, "threshold": self.name,
               "model": self.model, "status": self.status}
        if self.reason:
            out["reason"] = self.reason
        out.update(self.params)
        out.update(bracket=list(self.bracket), indicator=self.indicator,
                   indicator_values=list(self.indicator_values),
                   refined_bracket=list(self.refined_bracket), xtol=self.xtol,
                   evaluations=self.evaluations)
        out.update(self.details)
        return out


# =============================================================================================
# Generic event finder
# =============================================================================================

def find_event(f: Callable[[float], float], grid: Sequence[float], *, xtol: float = XTOL,
               name: str = "event", variable: str = "alpha", context: dict | None = None,
               progress: Callable[[float, float], None] | None = None):
    """First sign change of ``f`` along ``grid`` (in the given order), refined by brentq.

    ``progress(x, f(x))``, if given, is called after each new indicator evaluation (the CLI
    prints it on stderr).

    Returns ``(root, (x0, x1), (f0, f1), refined_bracket, evaluations)``. A grid point where
    ``f`` fails to evaluate raises ConvergenceError naming it (never skipped silently); no sign
    change on the grid raises ConvergenceError with the indicator values seen.
    """
    seen: list[tuple[float, float]] = []
    memo: dict[float, float] = {}

    def g(x):
        x = float(x)
        if x in memo:          # brentq re-evaluates the bracket ends: reuse the grid values
            return memo[x]
        v = float(f(x))
        memo[x] = v
        if not math.isfinite(v):
            raise ConvergenceError(f"{name}: non-finite indicator at {variable} = {x}",
                                   params=context, x=[x], residual=[v], method="bracket")
        seen.append((float(x), v))
        if progress is not None:
            progress(x, v)
        return v

    xs = [float(x) for x in grid]
    if len(xs) < 2:
        raise ReplicaInputError(f"{name}: the search grid needs at least two points")
    prev = None
    for x in xs:
        v = g(x)
        if v == 0.0:
            return x, (x, x), (v, v), (x, x), len(seen)
        if prev is not None and prev[1] * v < 0:
            a, fa, b, fb = prev[0], prev[1], x, v
            break
        prev = (x, v)
    else:
        shown = seen if len(seen) <= 8 else seen[:3] + [None] + seen[-3:]
        vals = ", ".join("..." if item is None else f"{item[0]:.6g}: {item[1]:.3e}"
                         for item in shown)
        raise ConvergenceError(
            f"{name}: the indicator does not change sign on the {variable} grid "
            f"[{xs[0]:.6g} .. {xs[-1]:.6g}] ({vals})", params=context, x=xs,
            residual=[v for _, v in seen], method="bracket",
            hint=f"widen the {variable} range")
    lo, hi = (a, b) if a < b else (b, a)
    root = optimize.brentq(g, lo, hi, xtol=xtol, rtol=4 * np.finfo(float).eps, maxiter=100)
    # tightest bracket among the evaluated points (same signs as the two grid ends)
    s_lo = math.copysign(1.0, fa if a < b else fb)
    left = max((x for x, v in seen if lo <= x <= hi and math.copysign(1.0, v) == s_lo),
               default=lo)
    right = min((x for x, v in seen if lo <= x <= hi and math.copysign(1.0, v) != s_lo),
                default=hi)
    return root, (a, b), (fa, fb), (left, right), len(seen)


# =============================================================================================
# Events and folds of any registered model, along a branch (the continuation engine)
# =============================================================================================

def _engine_threshold(found, br, name, indicator, params):
    a = br.points[found.index]
    b = br.points[min(found.index + 1, len(br.points) - 1)]
    if found.kind == "fold":
        vals = (float(a.tangent[-1]), float(b.tangent[-1]))
    else:
        vals = (float(a.get(indicator)) if indicator in a.thermo or indicator in a.order
                else math.nan, float(b.get(indicator)) if indicator in b.thermo or
                indicator in b.order else math.nan)
    details = {"order": dict(found.point.order),
               "state": {k: v for k, v in found.point.thermo.items()
                         if isinstance(v, (int, float)) and math.isfinite(v)},
               "branch_end": br.end}
    return Threshold(name=name, model=getattr(br.model, "name", ""), variable=br.along,
                     value=float(found.value), bracket=tuple(map(float, found.bracket)),
                     indicator=indicator, indicator_values=vals,
                     refined_bracket=(float(found.value), float(found.value)),
                     params={k: v for k, v in params.items() if k != br.along},
                     xtol=1e-10, evaluations=len(br.points), details=details)


def event(model, params, along: str, indicator, *, to: float, name: str | None = None,
          **follow_options) -> Threshold:
    """The first sign change of ``indicator`` (a thermo key, or an
    :class:`replica.continuation.Event`) along the branch of ``model`` (a registry name or an
    instance) from ``params`` towards ``along = to``, located by the continuation engine.
    Raises ConvergenceError (with the branch's end) if the indicator does not change sign on
    the branch."""
    from . import models
    from .continuation import Event, follow

    m = models.get(model) if isinstance(model, str) else model
    ev = indicator if isinstance(indicator, Event) else Event(str(indicator))
    br = follow(m, params, along, to, events=[ev], **follow_options)
    hits = [e for e in br.events if e.name == ev.name]
    if not hits:
        rng = br.param
        raise ConvergenceError(
            f"{ev.name} does not change sign along {along} in [{rng.min():.10g}, "
            f"{rng.max():.10g}] (branch end: {br.end})", model=m.name, params=dict(params),
            method="continuation")
    return _engine_threshold(hits[0], br, name or f"{ev.name}=0", ev.name, m.validate(params))


def fold(model, params, along: str, *, to: float, **follow_options) -> Threshold:
    """The first turning point (fold, spinodal) of the branch of ``model`` from ``params``
    along ``along`` towards ``to``, located by the continuation engine (pseudo-arclength) to
    ~1e-10 in the parameter; the state there is in ``details``. Raises ConvergenceError if the
    branch has no fold on the way."""
    from . import models
    from .continuation import follow

    m = models.get(model) if isinstance(model, str) else model
    br = follow(m, params, along, to, mode="arclength", stop_at_fold=True, **follow_options)
    if not br.folds:
        raise ConvergenceError(f"no fold along {along} (branch end: {br.end})", model=m.name,
                               params=dict(params), method="continuation")
    return _engine_threshold(br.folds[0], br, "fold", f"d{along}/ds", m.validate(params))


def _threshold_from(name, model, variable, root, bracket, values, refined, n, indicator,
                    params, xtol, details=None):
    return Threshold(name=name, model=model, variable=variable, value=float(root),
                     bracket=tuple(map(float, bracket)), indicator=indicator,
                     indicator_values=tuple(map(float, values)),
                     refined_bracket=tuple(map(float, refined)), params=dict(params),
                     xtol=xtol, evaluations=n, details=dict(details or {}))


def _check_model(model):
    if model not in ("binary", "spherical"):
        raise ReplicaInputError(f"model must be 'binary' or 'spherical', got {model!r}")
    return model


# =============================================================================================
# Capacity and maximal margin (wrapping the foundation's solvers)
# =============================================================================================

def _binary_entropy(alpha, kappa):
    from .models.gardner import gardner

    return gardner("binary", alpha, kappa, allow_negative_entropy=True).entropy


def capacity(model: str, kappa: float = 0.0, *, xtol: float = XTOL) -> Threshold:
    """Capacity alpha_c(kappa): ``replica.models.gardner.capacity`` (binary: zero of the RS
    entropy, Krauth & Mézard 1989; spherical: Gardner's closed form), returned as an event with
    the indicator evaluated on both sides of the root (binary: s(alpha_c -+ xtol))."""
    from .models import gardner as gd

    _check_model(model)
    kappa = check_finite("kappa", kappa)
    xtol = check_range("xtol", xtol, 0.0, lo_open=True)
    ac = gd.capacity(model, kappa)
    # the saddle-point route to the spherical alpha_c carries a relative error ~1e-9 (its
    # 1 - q = 1e-10): the bracket is at least that wide, so that it holds the sign change
    w = xtol if model == "binary" else max(xtol, 1e-8 * ac)
    br = (ac - w, ac + w)
    if model == "binary":
        vals = (_binary_entropy(br[0], kappa), _binary_entropy(br[1], kappa))
        ind = "RS entropy s(alpha)"
        if not (vals[0] > 0 > vals[1]):
            raise ConvergenceError("capacity: the entropy does not change sign across alpha_c",
                                   model=model, params={"kappa": kappa}, x=list(br),
                                   residual=list(vals))
    else:
        # alpha_c - alpha, as 1/J(1) - alpha with J(1) = int_{-inf}^{kappa} Dt (kappa - t)^2
        # evaluated by the foundation's saddle-point route (q -> 1), not the closed form
        acs = gd.capacity_from_saddle(kappa)
        vals = (acs - br[0], acs - br[1])
        ind = "alpha_c(saddle, q->1) - alpha"
        if not (vals[0] > 0 > vals[1]):
            raise ConvergenceError("capacity: the saddle-point indicator does not change sign "
                                   "across the closed-form alpha_c", model=model,
                                   params={"kappa": kappa}, x=list(br), residual=list(vals))
    return _threshold_from("capacity", model, "alpha", ac, br, vals, br, 2, ind,
                           {"kappa": kappa}, w)


def kappa_max(model: str, alpha: float, *, xtol: float = XTOL) -> Threshold:
    """Maximal margin kappa_max(alpha): ``replica.models.gardner.kappa_max`` (binary: zero of
    s(alpha, kappa); spherical: inverse of the closed-form capacity), as an event with the
    indicator on both sides."""
    from .models import gardner as gd

    _check_model(model)
    alpha = check_range("alpha", alpha, 0.0, lo_open=True)
    km = gd.kappa_max(model, alpha)
    br = (km - xtol, km + xtol)
    if model == "binary":
        vals = (_binary_entropy(alpha, br[0]), _binary_entropy(alpha, br[1]))
        ind = "RS entropy s(kappa)"
    else:
        try:
            vals = tuple(gd.capacity_from_saddle(k) - alpha for k in br)
        except ArithmeticError:
            raise ConvergenceError("kappa_max: the saddle-point indicator alpha_c(kappa) "
                                   "leaves the floating-point range near kappa_max",
                                   model=model, params={"alpha": alpha}) from None
        ind = "alpha_c(kappa; saddle, q->1) - alpha"
    if not (vals[0] > 0 > vals[1]):
        raise ConvergenceError("kappa_max: the indicator does not change sign across kappa_max",
                               model=model, params={"alpha": alpha}, x=list(br),
                               residual=list(vals))
    return _threshold_from("kappa_max", model, "kappa", km, br, vals, br, 2, ind,
                           {"alpha": alpha}, xtol)


# =============================================================================================
# AT line of the spherical perceptron (negative margins)
# =============================================================================================

def _replicon(alpha, kappa):
    from .models.gardner import gardner

    return gardner("spherical", alpha, kappa).replicon


def at_alpha(kappa: float, *, xtol: float = XTOL, n_grid: int = 40) -> Threshold:
    """alpha_AT(kappa), kappa < 0: the alpha where the RS replicon of the spherical Gardner
    volume, lambda_R = 1 - alpha gamma_E gamma_S, first becomes 0 (RS unstable beyond; docs/THEORY.md §1.5,
    de Almeida–Thouless). Scanned from alpha = 0 towards alpha_c(kappa)."""
    from .models.gardner import capacity_spherical_closed_form

    kappa = check_finite("kappa", kappa)
    xtol = check_range("xtol", xtol, 0.0, lo_open=True)
    n_grid = check_int("n_grid", n_grid, 2, 10 ** 4)
    if kappa >= 0:
        raise ReplicaInputError(f"the AT line exists for kappa < 0 (RS is stable for kappa >= 0), "
                                f"got kappa = {kappa}")
    if kappa < AT_KAPPA_MIN:
        raise ReplicaInputError(f"kappa must be >= {AT_KAPPA_MIN} for the AT line (alpha_c("
                                f"{kappa}) = exp({-log_gardner_moment(kappa):.4g}): the RS "
                                "saddle point is not resolved in double precision there)")
    ac = capacity_spherical_closed_form(kappa)
    grid = ac * np.concatenate([np.linspace(0.02, 0.98, n_grid), [0.995, 0.999, 0.99999]])
    root, br, vals, ref, n = find_event(lambda a: _replicon(a, kappa), grid, xtol=xtol,
                                        name="AT line", variable="alpha",
                                        context={"kappa": kappa})
    return _threshold_from("at", "spherical", "alpha", root, br, vals, ref, n,
                           "replicon 1 - alpha gamma_E gamma_S", {"kappa": kappa}, xtol,
                           {"alpha_c": ac})


def at_kappa(alpha: float, *, xtol: float = XTOL, kappa_min: float = -6.0,
             n_grid: int = 40) -> Threshold:
    """kappa_AT(alpha): the margin below which RS is unstable at load alpha (replicon = 0),
    scanned downwards from min(0, kappa_max(alpha))."""
    from .models.gardner import kappa_max as km

    alpha = check_range("alpha", alpha, 0.0, lo_open=True)
    kappa_min = check_finite("kappa_min", kappa_min)
    xtol = check_range("xtol", xtol, 0.0, lo_open=True)
    n_grid = check_int("n_grid", n_grid, 2, 10 ** 4)
    top = min(0.0, km("spherical", alpha) - 1e-9)
    if not kappa_min < top:
        raise ReplicaInputError(f"kappa_min must be below the top of the search, min(0, "
                                f"kappa_max(alpha = {alpha})) = {top:.10g}, got {kappa_min}")
    if kappa_min < AT_KAPPA_MIN:
        raise ReplicaInputError(f"kappa_min must be >= {AT_KAPPA_MIN}, got {kappa_min}")
    grid = np.linspace(top, kappa_min, n_grid)
    root, br, vals, ref, n = find_event(lambda k: _replicon(alpha, k), grid, xtol=xtol,
                                        name="AT line", variable="kappa",
                                        context={"alpha": alpha})
    return _threshold_from("at", "spherical", "kappa", root, br, vals, ref, n,
                           "replicon 1 - alpha gamma_E gamma_S", {"alpha": alpha}, xtol)


# =============================================================================================
# Local-entropy indicators
# =============================================================================================

@dataclass
class Profile:
    """S(d) and dS/dd on a grid of distances (descending), with the refined minima."""

    model: str
    alpha: float
    kappa_ref: float
    kappa: float
    Q: float
    d: np.ndarray
    S: np.ndarray
    dS_dd: np.ndarray
    min_slope: float = math.nan
    d_min_slope: float = math.nan
    min_S: float = math.nan
    d_min_S: float = math.nan
    evaluations: int = 0
    truncated: str = ""
    replicon: np.ndarray | None = None
    min_chord: float = math.nan
    d_min_chord: float = math.nan
    status: str = "complete"
    slope_from_chord: bool = False

    def as_results(self) -> dict:
        rep = self.replicon if self.replicon is not None else np.full(self.d.size, np.nan)
        unstable = [float(d) for d, r in zip(self.d, rep) if np.isfinite(r) and r < 0]
        return {"kappa_ref_value": self.kappa_ref, "Q": self.Q, "d_star": (1 - self.Q) / 2,
                "min_slope": self.min_slope, "d_min_slope": self.d_min_slope,
                "min_S": self.min_S, "d_min_S": self.d_min_S,
                "min_chord": self.min_chord if np.isfinite(self.min_chord) else None,
                "monotonic": bool(self.min_slope > 0),
                "negative": bool(self.min_S < 0), "d_grid": self.d.tolist(),
                "S": self.S.tolist(), "dS_dd": self.dS_dd.tolist(),
                "replicon": [float(r) if np.isfinite(r) else None for r in rep],
                "rs_unstable_d": unstable,
                "d_reached": float(self.d[-1]), "truncated": self.truncated,
                "profile_status": self.status, "slope_from_chord": self.slope_from_chord,
                "evaluations": self.evaluations}


class _Curve:
    """Local entropy at fixed (alpha, kappa_ref, kappa) with warm starts between distances; a
    failed warm start is continued from the nearest solved distance by
    :func:`replica.continuation.march`."""

    def __init__(self, model, alpha, kappa_ref, kappa):
        from .models import franz_parisi as fp

        self.fp = fp
        self.model, self.alpha, self.kappa = model, alpha, kappa
        self.ref = fp.reference_sector(model, alpha, kappa_ref)
        self.cache: dict[float, tuple] = {}    # d -> (S, dS/dd, x)
        self.n = 0
        self.J = None   # the Jacobian carried between warm-started solves

    def _solve(self, d, x0):
        if x0 is None:
            sol = self.fp.local_entropy(self.model, self.alpha, self.ref.kappa_ref, self.kappa,
                                        d, ref=self.ref)
        else:
            sol, self.J = self.fp.warm_solve(self.ref, self.kappa, d, x0, self.J)
        self.n += 1
        return sol

    def at(self, d, x0=None):
        """(S, dS/dd, unknowns, replicon) at d; x0 (or the nearest cached distance's unknowns)
        as the start; a failure is continued from the nearest solved d (halving march)."""
        d = float(d)
        if d in self.cache:
            return self.cache[d]
        nearest = sorted(self.cache, key=lambda e: abs(math.log(e / d)))
        near = nearest[0] if nearest else None
        if len(nearest) >= 2:
            # secant predictor in ln d through the two nearest solved distances
            x0 = self.fp.predict_unknowns([(math.log(e), self.cache[e][2])
                                           for e in reversed(nearest[:2])], math.log(d))
        elif near is not None and x0 is None:
            x0 = self.cache[near][2]
        try:
            sol = self._solve(d, x0)
        except ConvergenceError:
            if near is None:
                # cold start failed (the typical-point guess is exact only for kappa = kappa_ref):
                # reach d by the model's own adaptive continuation from its start point
                c = self.fp.local_entropy_curve(self.model, self.alpha, self.ref.kappa_ref,
                                                self.kappa, [d])
                self.n += 1
                if not c.ok[0]:
                    raise
                sol = c.solutions[0]
                out = _entry(sol)
                self.cache[d] = out
                return out
            # continue from the nearest solved distance with the engine's halving march in ln d
            def solve_at(lnd, x_pred):
                s_ = self._solve(math.exp(lnd), x_pred)
                return s_.x, s_
            gap = math.log(d / near)
            try:
                for lnd, _, sol, _ in march(solve_at, math.log(near), math.log(d),
                                            self.cache[near][2], h=0.5 * abs(gap),
                                            max_halvings=3, grow=1.0):
                    pass
            except Lost as exc:
                raise exc.first if isinstance(exc.first, ConvergenceError) else exc.last
        out = _entry(sol)
        self.cache[d] = out
        return out


def _entry(sol):
    """(S, dS/dd, unknowns, replicon) of a local-entropy solution."""
    th = sol.thermo
    return (float(th["entropy"]), float(th["dS_dd"]), sol.x, float(th.get("replicon", math.nan)))


def _why_lost(exc) -> str:
    """The status word of a distance where the RS saddle point could not be computed."""
    msg = str(exc)
    if "physical domain" in msg or "not positive" in msg:
        return "lost positivity"
    return "non-convergence"


def _refine_min(curve, ds, vals, which, xatol=1e-3):
    """Refine the grid minimum of S (which=0) or dS/dd (which=1) between its grid neighbours.

    S: the minimum is the zero of dS/dd (given with every solution), located by brentq in ln d
    (the value is second-order in the error of d); dS/dd, or S where its slope does not change
    sign across the window: bounded Brent minimisation in ln d."""
    i = int(np.argmin(vals))
    if i == 0 or i == len(ds) - 1:
        return float(vals[i]), float(ds[i])  # at the edge of the window: the edge value
    lo, hi = math.log(ds[i + 1]), math.log(ds[i - 1])  # ds descending
    x_start = curve.at(ds[i])[2]
    best = (float(vals[i]), float(ds[i]))
    if which == 0 and curve.at(ds[i + 1])[1] < 0 < curve.at(ds[i - 1])[1]:
        u = optimize.brentq(lambda u: curve.at(math.exp(u), x_start)[1], lo, hi,
                            xtol=1e-6, rtol=1e-10)
        return min(best, (float(curve.at(math.exp(u), x_start)[0]), float(math.exp(u))))
    res = optimize.minimize_scalar(lambda u: curve.at(math.exp(u), x_start)[which],
                                   bounds=(lo, hi), method="bounded",
                                   options={"xatol": xatol})
    return min(best, (float(res.fun), float(math.exp(res.x))))


class _Indicator:
    """An indicator, min_d S (``key`` "S") or min_d dS/dd ("slope"), as a function of one
    parameter p (alpha or kappa_ref) for the event searches. ``curve_of(p)`` gives the
    :class:`_Curve`, ``profile_of(p)`` the full :class:`Profile`. Once a profile has located an
    interior, RS-stable minimum, the next evaluation (a nearby p: Brent's steps, a neighbouring
    grid point) samples only three distances around it (ratio 1.6), warm-started from the
    unknowns there, and refines the minimum between them; if the minimum leaves that window, a
    replicon is negative there or the RS saddle point is lost, the full profile is computed."""

    def __init__(self, key, curve_of, profile_of, d_lo):
        self.key, self.which = key, (0 if key == "S" else 1)
        self.curve_of, self.profile_of, self.d_lo = curve_of, profile_of, d_lo
        self.last: dict = {}
        self.solves = 0

    def _window(self, p):
        last = self.last
        d0 = last["d"]
        ds = [d0 * 1.6, d0, d0 / 1.6]
        if not (d0 / 1.6 > self.d_lo and d0 * 1.6 < last["d_hi"]):
            return None
        curve = self.curve_of(p)
        try:
            pts = [curve.at(d, last["x"]) for d in ds]
            if int(np.argmin([q[self.which] for q in pts])) != 1 or \
                    min(q[3] for q in pts) < 0:
                return None
            v, dm = _refine_min(curve, np.array(ds), np.array([q[self.which] for q in pts]),
                                self.which)
            last.update(d=dm, x=curve.at(dm)[2])
            return v
        except ConvergenceError:
            return None
        finally:
            self.solves += curve.n

    def __call__(self, p):
        if self.last.get("interior"):
            v = self._window(p)
            if v is not None:
                return v
        prof = self.profile_of(p)
        self.solves += prof.evaluations
        v, dm = (prof.min_S, prof.d_min_S) if self.key == "S" else \
            (prof.min_slope, prof.d_min_slope)
        interior = bool(prof.d[-1] < dm < prof.d[0] and not prof.slope_from_chord)
        self.last = {"interior": interior, "d": dm, "d_hi": prof.d[0]}
        if interior:
            self.last["x"] = prof._curve.at(dm)[2]
        return v


def local_entropy_profile(model: str, alpha: float, kappa_ref, kappa: float = 0.0, *,
                          d_lo: float = 1e-4, d_hi: float | None = None, n_d: int = 12,
                          refine: Sequence[str] = ("slope", "S"),
                          refine_below: dict | None = None,
                          truncate: bool = False, stop_at_negative: bool = False,
                          stop_at_unstable: bool = True) -> Profile:
    """S(d) and dS/dd on ``n_d`` geometric distances from ``d_hi`` (default 0.8 d*, d* = (1-Q)/2)
    down to ``d_lo`` by continuation in d, with the minima of dS/dd (``"slope"``) and of S
    (``"S"``) refined by bounded Brent minimisation in ln d.

    ``refine_below={"slope": v, "S": w}`` refines a minimum only when its grid value leaves the
    sign undecided, i.e. lies in [0, v) ([0, w)): a negative grid value already decides the sign,
    and one above v (w) is taken as safely positive (an unrefined grid minimum is an upper bound
    of the true minimum). Used by the phase diagram, which needs signs, not values.

    ``stop_at_negative=True`` stops the descent in d at the first negative S (the reference is
    isolated: the class is decided); ``stopped`` says so and the minima are over the solved
    window.

    ``stop_at_unstable=True`` (default) stops the descent at the first distance where the
    replicon of the constrained replicas is negative (RS unstable: below it the RS value is not
    the local entropy; around typical references the constrained replicas then freeze and the
    branch runs into an asymptote, theory_notebooks/fp_small_distance.py); ``status`` says
    "rs_unstable" and the minima are over the RS-stable window.

    ``truncate=True``: if the continuation in d loses the RS saddle point (ConvergenceError)
    after at least three distances, the profile stops there and ``truncated`` says where and
    why (the minima are then over the solved window only); otherwise the error propagates."""
    _check_model(model)
    alpha = check_range("alpha", alpha, 0.0, lo_open=True)
    curve = _Curve(model, alpha, kappa_ref, check_finite("kappa", kappa))
    Q = curve.ref.Q
    dstar = 0.5 * (1.0 - Q) if Q < 1 else 0.5 * (1.0 - (1.0 - 2e-2))
    if d_hi is None:
        d_hi = 0.8 * dstar if Q < 1 else 0.2
    d_lo = check_range("d_lo", d_lo, 0.0, 0.5, lo_open=True)
    if not d_lo < d_hi:
        raise ReplicaInputError(f"d_lo = {d_lo} must be below d_hi = {d_hi}")
    ds = np.geomspace(d_hi, d_lo, int(n_d))
    S = np.empty(ds.size)
    slope = np.empty(ds.size)
    rep = np.empty(ds.size)
    x = None
    truncated = ""
    status = "complete"
    for j, d in enumerate(ds):
        try:
            S[j], slope[j], x, rep[j] = curve.at(d, x)
        except ConvergenceError as exc:
            if not truncate or j < 3:
                raise
            # the RS saddle point is lost below this distance: keep the solved window and say so
            status = _why_lost(exc)
            truncated = (f"no RS saddle point at d = {d:.4g} ({status}; window truncated): "
                         f"{exc}")[:400]
            ds, S, slope, rep = ds[:j], S[:j], slope[:j], rep[:j]
            break
        if stop_at_unstable and j >= 1 and rep[j] < 0:
            truncated = (f"stopped at d = {d:.4g}: replicon {rep[j]:.3g} < 0 (RS unstable at "
                         "smaller d)")
            status = "rs_unstable"
            ds, S, slope, rep = ds[:j], S[:j], slope[:j], rep[:j]
            break
        if stop_at_negative and S[j] < 0:
            truncated = f"stopped at d = {d:.4g}: S < 0 (isolated reference)"
            status = "stopped: S < 0"
            ds, S, slope, rep = ds[:j + 1], S[:j + 1], slope[:j + 1], rep[:j + 1]
            break
    prof = Profile(model=model, alpha=alpha, kappa_ref=float(curve.ref.kappa_ref),
                   kappa=float(kappa), Q=float(Q), d=ds, S=S, dS_dd=slope,
                   truncated=truncated, replicon=rep, status=status)
    below = dict(refine_below or {})
    for key, vals, which in (("slope", slope, 1), ("S", S, 0)):
        i = int(np.argmin(vals))
        undecided = key not in below or 0.0 <= vals[i] < below[key]
        if key in refine and undecided:
            v, dm = _refine_min(curve, ds, vals, which)
        else:
            v, dm = float(vals[i]), float(ds[i])
        if key == "slope":
            prof.min_slope, prof.d_min_slope = v, dm
        else:
            prof.min_S, prof.d_min_S = v, dm
    if _exact_origin(model, curve.ref.kappa_ref, kappa):
        # S(0) = 0 exactly: the chord S(d_j)/d_j is the slope dS/dd at some d in (0, d_j) (mean
        # value theorem), so min_j S(d_j)/d_j bounds min_{(0, d_hi]} dS/dd from above and the
        # indicator sees distances below the window: S < 0 anywhere implies non-monotonic
        ch = S / ds
        k = int(np.argmin(ch))
        prof.min_chord, prof.d_min_chord = float(ch[k]), float(ds[k])
        if prof.min_chord < min(prof.min_slope, 0.0):
            prof.min_slope, prof.d_min_slope = prof.min_chord, prof.d_min_chord
            prof.slope_from_chord = True
    prof.evaluations = curve.n
    prof._curve = curve
    return prof


def _exact_origin(model, kappa_ref, kappa) -> bool:
    """S(0) = 0 exactly: binary weights and a reference that is itself counted
    (kappa_ref >= kappa; at d = 0 only the reference is at distance 0)."""
    return model == "binary" and float(kappa_ref) >= float(kappa)


def nonmonotonic_indicator(model, alpha, kappa_ref, kappa=0.0, **kw) -> float:
    """min over d in [d_lo, d_hi] of dS/dd (> 0: S monotonically increasing towards d*)."""
    return local_entropy_profile(model, alpha, kappa_ref, kappa, refine=("slope",),
                                 **kw).min_slope


def negative_indicator(model, alpha, kappa_ref, kappa=0.0, **kw) -> float:
    """min over d in [d_lo, d_hi] of S(d) (< 0: the reference is isolated)."""
    return local_entropy_profile(model, alpha, kappa_ref, kappa, refine=("S",), **kw).min_S


def _alpha_grid(model, kappa_ref, alpha_range, n):
    if alpha_range is not None:
        lo, hi = map(float, alpha_range)
        if not 0 < lo < hi:
            raise ReplicaInputError(f"alpha range must satisfy 0 < lo < hi, got {alpha_range}")
        return np.linspace(lo, hi, n)
    from .models.gardner import capacity as cap

    if isinstance(kappa_ref, str):
        top = cap(model, 0.0)
    else:
        top = cap(model, float(kappa_ref))
    return np.linspace(0.1 * top, 0.995 * top, n)


def _local_event(which, model, kappa_ref, kappa, alpha_range, n_grid, xtol, d_lo, n_d,
                 progress=None):
    _check_model(model)
    kappa = check_finite("kappa", kappa)
    if isinstance(kappa_ref, str):
        if kappa_ref.strip().lower() != "max":
            raise ReplicaInputError(f"kappa_ref must be a number or 'max', got {kappa_ref!r}")
        kappa_ref = "max"
    else:
        kappa_ref = check_finite("kappa_ref", kappa_ref)
    grid = _alpha_grid(model, kappa_ref, alpha_range, n_grid)
    key = "slope" if which == "nonmonotonic" else "S"
    f = _Indicator(key, lambda a: _Curve(model, a, kappa_ref, kappa),
                   lambda a: local_entropy_profile(model, a, kappa_ref, kappa, d_lo=d_lo,
                                                   n_d=n_d, refine=(key,)), d_lo)

    params = {"kappa_ref": kappa_ref, "kappa": kappa}
    root, br, vals, ref, n = find_event(f, grid, xtol=xtol, name=f"alpha_{which}",
                                        variable="alpha", context=params, progress=progress)
    name = "min_{d in [d_lo, d_hi]} dS/dd" if which == "nonmonotonic" else \
        "min_{d in [d_lo, d_hi]} S(d)"
    details = {"d_lo": d_lo, "d_hi": "0.8 (1-Q)/2", "n_d": n_d,
               "alpha_grid": [float(a) for a in grid[: list(grid).index(br[1]) + 1]]}
    return _threshold_from(which, model, "alpha", root, br, vals, ref, n, name, params, xtol,
                           details)


def alpha_nonmonotonic(model: str, kappa_ref, kappa: float = 0.0, *, alpha_range=None,
                       n_grid: int = 12, xtol: float = XTOL, d_lo: float = 1e-4,
                       n_d: int = 12, progress=None) -> Threshold:
    """The alpha at which S(d) around references of margin ``kappa_ref`` stops being
    monotonically increasing on (0, d*): min_d dS/dd crosses 0 (PRL 127, 278301, Fig. 2; for
    kappa_ref = "max" where wide flat minima disappear). ``alpha_range=(lo, hi)`` sets the search
    grid (``n_grid`` points), default 0.1..0.995 alpha_c(kappa_ref)."""
    return _local_event("nonmonotonic", model, kappa_ref, kappa, alpha_range, n_grid, xtol,
                        d_lo, n_d, progress)


def alpha_negative(model: str, kappa_ref, kappa: float = 0.0, *, alpha_range=None,
                   n_grid: int = 12, xtol: float = XTOL, d_lo: float = 1e-4,
                   n_d: int = 12, progress=None) -> Threshold:
    """The alpha at which S(d) first becomes negative at small d > 0 (the reference becomes
    isolated): min_d S crosses 0. Binary model only (the spherical S(d) -> -inf as d -> 0)."""
    if model == "spherical":
        raise ReplicaInputError("alpha_negative is defined for the binary model: the spherical "
                                "local entropy is a log-volume, S(d) -> -inf as d -> 0 at any "
                                "alpha")
    return _local_event("negative", model, kappa_ref, kappa, alpha_range, n_grid, xtol,
                        d_lo, n_d, progress)


_BOUNDING = {"nonmonotonic": ("non-monotonic", "min_d dS/dd"),
             "negative": ("negative on a shell near it (isolated)", "min_d S")}


def _kappa_ref_event(which, model, alpha, kappa, kr_range, n_grid, xtol, d_lo, n_d,
                     progress=None, guess=None):
    """The reference margin, at fixed alpha, where the indicator of ``which`` changes sign:
    searched downwards from kappa_max(alpha), the first sign change met (kappa_u for
    "nonmonotonic", kappa_min for "negative").

    The indicator is first evaluated at the max-margin reference itself (kappa_ref =
    kappa_max(alpha)); if it is already negative there, every reference up to the maximal margin
    is non-monotonic (isolated) — alpha is above the max-margin event alpha_{which}(max) — and
    the result has ``status = "absent"`` (value NaN, JSON null) with the reason. Otherwise the
    sign change is bracketed, either on ``n_grid`` points from kappa_max down to max(kappa,
    kappa_max - 1), or, given ``guess`` (e.g. the event at a neighbouring alpha), by steps
    doubling away from the guess, and refined by brentq. Brent's steps re-sample only a window
    of distances around the minimum found before (:class:`_Indicator`)."""
    _check_model(model)
    alpha = check_range("alpha", alpha, 0.0, lo_open=True)
    kappa = check_finite("kappa", kappa)
    xtol = check_range("xtol", xtol, 0.0, lo_open=True)
    n_grid = check_int("n_grid", n_grid, 2, 10 ** 4)
    from .models.gardner import kappa_max as kmax

    top = kmax(model, alpha)
    if top <= kappa:
        raise ReplicaInputError(f"alpha = {alpha} is at or above the capacity at margin kappa = "
                                f"{kappa}: kappa_max(alpha) = {top:.6g} <= kappa, no reference "
                                "of margin >= kappa exists")
    if kr_range is None:
        lo, hi = max(kappa, top - 1.0), top
    else:
        lo, hi = map(float, kr_range)
    if not lo < hi <= top:
        raise ReplicaInputError(f"kappa_ref range must satisfy lo < hi <= kappa_max(alpha) = "
                                f"{top:.6g}, got ({lo}, {hi})")
    if model == "spherical" and hi == top:
        hi = top - 1e-3 * max(abs(top), 1e-3)   # spherical max margin: Q = 1, another branch
    key = "slope" if which == "nonmonotonic" else "S"
    ind = _Indicator(key, lambda kr: _Curve(model, alpha, kr, kappa),
                     lambda kr: local_entropy_profile(
                         model, alpha, kr, kappa, d_lo=d_lo, n_d=n_d, refine=(key,),
                         refine_below={"slope": 0.3, "S": 0.01}, truncate=True), d_lo)
    memo: dict = {}

    def f(kr):
        # low-margin references lose the RS saddle at small d: the profile keeps the solved
        # window (truncate=True), whose minimum already decides the sign there
        kr = float(kr)
        if kr not in memo:
            memo[kr] = float(ind(kr))
            if progress is not None:
                progress(kr, memo[kr])
        return memo[kr]

    params = {"alpha": alpha, "kappa": kappa}
    name = "min_{d in [d_lo, d_hi]} dS/dd" if which == "nonmonotonic" else \
        "min_{d in [d_lo, d_hi]} S(d)"
    details = {"d_lo": d_lo, "n_d": n_d, "kappa_max": top}
    f_hi = f(hi)
    details["indicator_at_top"] = f_hi
    if f_hi < 0 and hi >= top - 1e-3 * max(abs(top), 1e-3):
        adj, label = _BOUNDING[which]
        cmd = (f"replica threshold {which} --model {model} --kappa-ref max"
               + (f" --kappa {kappa:g}" if kappa else ""))
        reason = (f"every reference up to the maximal margin is {adj}: {label} = {f_hi:.3g} < 0 "
                  f"already at kappa_ref = kappa_max(alpha) = {top:.6g}, i.e. alpha = {alpha:g} "
                  f"is above the max-margin event alpha_{which}(kappa_ref = max) ({cmd})")
        details["bounding_event"] = f"alpha_{which}(kappa_ref=max)"
        return Threshold(name=which, model=model, variable="kappa_ref", value=math.nan,
                         bracket=(hi, hi), indicator=name, indicator_values=(f_hi,),
                         params=params, xtol=xtol, evaluations=len(memo), details=details,
                         status="absent", reason=reason)
    grid = np.linspace(hi, lo, n_grid)
    if guess is not None and lo < float(guess) < hi:
        # bracket by steps doubling away from the guess: the sign there says on which side
        g = float(guess)
        step = max(0.25 * (g - lo), 50 * xtol)
        pts = [g]
        if f(g) > 0:
            while pts[-1] > lo and f(pts[-1]) > 0:
                pts.append(max(lo, pts[-1] - step))
                step *= 2
        else:
            while pts[-1] < hi and f(pts[-1]) <= 0:
                pts.append(min(hi, pts[-1] + step))
                step *= 2
        grid = sorted(pts, reverse=True)
        grid = [hi] + [x for x in grid if x < hi]
        details["guess"] = g
    root, br, vals, ref, _ = find_event(f, grid, xtol=xtol, name=f"kappa_ref_{which}",
                                        variable="kappa_ref", context=params)
    details["fp_solves"] = ind.solves
    return _threshold_from(which, model, "kappa_ref", root, br, vals, ref, len(memo), name,
                           params, xtol, details)


def kappa_ref_nonmonotonic(model: str, alpha: float, kappa: float = 0.0, *, kappa_ref_range=None,
                           n_grid: int = 8, xtol: float = XTOL, d_lo: float = 1e-4,
                           n_d: int = 12, progress=None, guess=None) -> Threshold:
    """kappa_u(alpha): the reference margin above which S(d) is monotonic on (0, d*) — dense
    regions with no characteristic size around references of margin >= kappa_u (PRL 2021).
    Found as the first sign change of min_d dS/dd met when descending from kappa_max.

    Where the max-margin reference is itself non-monotonic (alpha above the max-margin event
    ``alpha_nonmonotonic("binary", "max")``) no kappa_u exists: the result then has
    ``status == "absent"``, ``value`` NaN and a ``reason``. ``guess`` (a nearby kappa_u, e.g. at
    the previous alpha of a scan) replaces the grid by a bracket grown around it."""
    return _kappa_ref_event("nonmonotonic", model, alpha, kappa, kappa_ref_range, n_grid, xtol,
                            d_lo, n_d, progress, guess)


def kappa_ref_negative(model: str, alpha: float, kappa: float = 0.0, *, kappa_ref_range=None,
                       n_grid: int = 8, xtol: float = XTOL, d_lo: float = 1e-4,
                       n_d: int = 12, progress=None, guess=None) -> Threshold:
    """kappa_min(alpha): the reference margin below which S(d) is negative on a shell near the
    reference (isolated references; binary model). Absent (``status == "absent"``, value NaN,
    with a ``reason``) where the max-margin reference is itself isolated, i.e. alpha above the
    max-margin event ``alpha_negative("binary", "max")``; ``guess`` as for
    :func:`kappa_ref_nonmonotonic`."""
    if model == "spherical":
        raise ReplicaInputError("kappa_ref_negative is defined for the binary model (the "
                                "spherical S(d) -> -inf as d -> 0)")
    return _kappa_ref_event("negative", model, alpha, kappa, kappa_ref_range, n_grid, xtol,
                            d_lo, n_d, progress, guess)
