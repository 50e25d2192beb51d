"""One front door for saddle-point equations: :func:`solve`, the frozen :class:`Solution`, and
:func:`continuation` (warm starts along a control parameter).

A saddle point is given as a fixed-point map ``F`` (order parameters -> updated order
parameters); the **undamped residual** ``F(x) - x`` is the source of truth for every method, for
the convergence test and for error messages — never the step size, which a damped iteration
shrinks by itself.

Methods (choose with ``method=``):

``"iterate"``  damped iteration ``x <- (1 - mixing) x + mixing F(x)``; ``mixing`` is the weight of
               the new iterate.
``"newton"``   Newton on ``F(x) - x`` with a finite-difference Jacobian and backtracking.
``"hybrid"``   MINPACK's Powell hybrid method (``scipy.optimize.root(method="hybr")``).
``"bracket"``  one unknown only: Brent's method on a sign-changing ``bracket=(a, b)``.

All methods end with the same check ``max|F(x) - x| <= tol`` and raise
:class:`~replica.errors.ConvergenceError` otherwise. Unknown options raise ``TypeError``.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Callable, Mapping, Sequence

import numpy as np
from scipy import optimize

from .errors import ConvergenceError, ReplicaInputError

__all__ = ["Solution", "solve", "continuation", "ConvergenceError", "METHODS"]

METHODS = ("iterate", "newton", "hybrid", "bracket")


@dataclass(frozen=True)
class Solution:
    """A converged saddle point.

    ``order`` maps order-parameter names to values (also readable as attributes, ``sol.q``);
    ``residual`` is the undamped residual vector F(x) - x at the returned point; ``thermo`` holds
    derived thermodynamics (entropy, its parts, replicon, ...), filled by the model.
    """

    order: Mapping[str, float]
    residual: np.ndarray
    status: str
    iterations: int
    method: str
    model: str = ""
    params: Mapping[str, float] = field(default_factory=dict)
    thermo: Mapping[str, float] = field(default_factory=dict)

    def __getattr__(self, name):
        # only called when normal lookup fails
        for table in ("order", "thermo", "params"):
            d = object.__getattribute__(self, table)
            if name in d:
                return d[name]
        raise AttributeError(name)

    @property
    def x(self) -> np.ndarray:
        return np.array(list(self.order.values()), dtype=float)

    @property
    def residual_norm(self) -> float:
        return float(np.max(np.abs(self.residual))) if np.size(self.residual) else 0.0

    @property
    def converged(self) -> bool:
        return self.status == "converged"

    def as_dict(self) -> dict:
        out = {"model": self.model}
        out.update(self.params)
        out.update(self.order)
        out.update(self.thermo)
        out.update(status=self.status, residual=self.residual_norm,
                   iterations=self.iterations, method=self.method)
        return out

    def __repr__(self) -> str:
        fmt = lambda d: ", ".join(f"{k}={v:.10g}" if isinstance(v, float) else f"{k}={v}"
                                  for k, v in d.items())
        return (f"Solution({self.model}: {fmt(self.params)} | {fmt(self.order)} | "
                f"{fmt(self.thermo)} | status={self.status}, |res|={self.residual_norm:.2e}, "
                f"it={self.iterations}, method={self.method})")


def _fail(msg, ctx, x, res, it, method, hint=None):
    raise ConvergenceError(msg, model=ctx.get("model"), params=ctx.get("params"), x=x,
                           residual=res, iterations=it, method=method, hint=hint)


def solve(F: Callable[[np.ndarray], np.ndarray], x0, *, names: Sequence[str] | None = None,
          method: str = "hybrid", tol: float = 1e-12, max_iter: int = 2000,
          model: str = "", params: Mapping[str, float] | None = None,
          thermo: Callable[[np.ndarray], Mapping[str, float]] | None = None,
          **options) -> Solution:
    """Find ``x`` with ``F(x) = x``.

    Parameters
    ----------
    F : the fixed-point map (vector -> vector of the same size).
    x0 : starting point (for ``"bracket"`` it is ignored; pass ``bracket=(a, b)``).
    names : order-parameter names (default ``x0, x1, ...``).
    method : one of :data:`METHODS`.
    tol : convergence threshold on ``max|F(x) - x|``.
    max_iter : iteration / function-evaluation budget.
    model, params : carried into the Solution and into error messages.
    thermo : optional callable x -> dict of derived quantities stored in the Solution.
    options : method options — ``mixing`` (iterate, default 0.5), ``bracket`` (bracket),
        ``fd_step`` (newton, default 1e-7), ``bounds=(lo, hi)`` arrays that clip iterates.
    """
    if method not in METHODS:
        raise ReplicaInputError(f"unknown method {method!r}; choose one of {', '.join(METHODS)}")
    allowed = {"iterate": {"mixing", "bounds"}, "newton": {"fd_step", "bounds"},
               "hybrid": {"bounds"}, "bracket": {"bracket", "xtol"}}[method]
    unknown = set(options) - allowed
    if unknown:
        raise TypeError(f"solve(method={method!r}) got unknown options {sorted(unknown)}; "
                        f"allowed: {sorted(allowed)}")
    ctx = {"model": model, "params": dict(params or {})}
    if not (isinstance(tol, (int, float)) and math.isfinite(tol) and tol > 0):
        raise ReplicaInputError(f"tol must be a positive number, got {tol!r}")
    if isinstance(max_iter, bool) or int(max_iter) != max_iter or max_iter < 1:
        raise ReplicaInputError(f"max_iter must be a positive integer, got {max_iter!r}")
    try:
        x0 = np.atleast_1d(np.asarray(x0, dtype=float)).copy()
    except (TypeError, ValueError):
        raise ReplicaInputError(f"x0 must be a vector of numbers, got {x0!r}") from None
    if x0.ndim != 1 or not np.all(np.isfinite(x0)):
        raise ReplicaInputError(f"x0 must be a vector of finite numbers, got {x0!r}")
    if names is not None and len(names) != x0.size:
        raise ReplicaInputError(f"x0 has {x0.size} value(s) but the unknowns are "
                                f"{', '.join(names)} ({len(names)})")
    names = list(names) if names is not None else [f"x{i}" for i in range(x0.size)]
    bounds = options.get("bounds")
    clip = (lambda x: np.clip(x, bounds[0], bounds[1])) if bounds is not None else (lambda x: x)

    def R(x):
        return np.atleast_1d(np.asarray(F(x), dtype=float)) - x

    if method == "iterate":
        x, it = _iterate(R, x0, tol, max_iter, float(options.get("mixing", 0.5)), clip, ctx)
    elif method == "newton":
        x, it = _newton(R, x0, tol, max_iter, float(options.get("fd_step", 1e-7)), clip, ctx)
    elif method == "hybrid":
        x, it = _hybrid(R, x0, tol, max_iter, ctx)
    else:
        x, it = _bracket(R, options, tol, max_iter, ctx)
    res = R(x)
    if not np.all(np.isfinite(res)) or np.max(np.abs(res)) > tol:
        _fail("residual above tolerance at the end of the solve", ctx, x, res, it, method,
              hint="try method='iterate' with smaller mixing, or a better starting point")
    th = dict(thermo(x)) if thermo is not None else {}
    return Solution(order=dict(zip(names, map(float, x))), residual=res, status="converged",
                    iterations=int(it), method=method, model=model, params=dict(ctx["params"]),
                    thermo=th)


def _iterate(R, x, tol, max_iter, mixing, clip, ctx):
    if not 0.0 < mixing <= 1.0:
        raise ValueError(f"mixing must be in (0, 1], got {mixing}")
    for it in range(1, max_iter + 1):
        r = R(x)
        if not np.all(np.isfinite(r)):
            _fail("non-finite residual during iteration", ctx, x, r, it, "iterate")
        if np.max(np.abs(r)) <= tol:
            return x, it
        x = clip(x + mixing * r)
    _fail("damped iteration did not converge", ctx, x, R(x), max_iter, "iterate",
          hint="increase max_iter or decrease mixing")


def _newton(R, x, tol, max_iter, h, clip, ctx):
    n = x.size
    r = R(x)
    for it in range(1, max_iter + 1):
        if not np.all(np.isfinite(r)):
            _fail("non-finite residual in Newton", ctx, x, r, it, "newton")
        if np.max(np.abs(r)) <= tol:
            return x, it
        J = np.empty((n, n))
        for j in range(n):
            dx = h * max(1.0, abs(x[j]))
            e = np.zeros(n)
            e[j] = dx
            J[:, j] = (R(x + e) - R(x - e)) / (2 * dx)
        try:
            step = np.linalg.solve(J, -r)
        except np.linalg.LinAlgError:
            _fail("singular Jacobian in Newton", ctx, x, r, it, "newton")
        lam, norm0 = 1.0, np.linalg.norm(r)
        while lam > 1e-8:
            xn = clip(x + lam * step)
            rn = R(xn)
            if np.all(np.isfinite(rn)) and np.linalg.norm(rn) < (1 - 1e-4 * lam) * norm0:
                break
            lam *= 0.5
        else:
            _fail("Newton line search failed", ctx, x, r, it, "newton")
        x, r = xn, rn
    _fail("Newton did not converge", ctx, x, r, max_iter, "newton")


def _hybrid(R, x0, tol, max_iter, ctx):
    sol = optimize.root(R, x0, method="hybr", options={"xtol": 1e-15, "maxfev": max_iter})
    x = np.asarray(sol.x, dtype=float)
    r = R(x)
    if not np.all(np.isfinite(r)) or np.max(np.abs(r)) > tol:
        _fail(f"hybrid (MINPACK hybr) did not converge: {sol.message}", ctx, x, r,
              int(sol.nfev), "hybrid")
    return x, int(sol.nfev)


def _bracket(R, options, tol, max_iter, ctx):
    if "bracket" not in options:
        raise TypeError("method='bracket' needs bracket=(a, b)")
    a, b = map(float, options["bracket"])
    f = lambda t: float(R(np.array([t]))[0])
    fa, fb = f(a), f(b)
    if not (math.isfinite(fa) and math.isfinite(fb)) or fa * fb > 0:
        _fail(f"no sign change on the bracket [{a}, {b}] (F-x = {fa:.3e}, {fb:.3e})", ctx,
              [a, b], [fa, fb], 0, "bracket")
    xtol = float(options.get("xtol", 1e-15))
    root, info = optimize.brentq(f, a, b, xtol=xtol, rtol=4 * np.finfo(float).eps,
                                 maxiter=max_iter, full_output=True, disp=False)
    if not info.converged:
        _fail("Brent's method did not converge", ctx, [root], [f(root)], info.iterations,
              "bracket")
    return np.array([root]), info.iterations


def continuation(solve_at: Callable, values: Sequence[float], x0, *, min_step: float | None = None,
                 max_halvings: int = 12):
    """Warm-started solves along a control parameter, with step halving on failure.

    ``solve_at(value, x_start) -> Solution``. For each requested value the previous solution is
    the starting point; if a solve raises ConvergenceError the step from the last converged value
    is halved (intermediate values are solved and discarded) up to ``max_halvings`` times.
    Returns a list of ``(value, Solution | ConvergenceError)``: failures are recorded, never
    swallowed silently, and the continuation goes on from the last good point.
    """
    out = []
    x = np.asarray(x0, dtype=float)
    last = None
    for v in values:
        try:
            sol = solve_at(v, x)
        except ConvergenceError as exc:
            sol = exc
            if last is not None:
                sol = _halve_towards(solve_at, last, v, x, max_halvings, min_step) or exc
        if isinstance(sol, Solution):
            x, last = sol.x, v
        out.append((v, sol))
    return out


def _halve_towards(solve_at, v0, v1, x, max_halvings, min_step):
    step = v1 - v0
    for _ in range(max_halvings):
        step *= 0.5
        if min_step is not None and abs(step) < min_step:
            return None
        v, xs, ok = v0, x, True
        while ok and (v1 - v) * np.sign(step) > 1e-15:
            nxt = v + step if abs(v1 - v) > abs(step) else v1
            try:
                s = solve_at(nxt, xs)
            except ConvergenceError:
                ok = False
                break
            v, xs = nxt, s.x
        if ok:
            return s
    return None
