"""One front door for saddle-point equations: :func:`solve`, the frozen :class:`Solution`, and
the finite-difference Jacobian :func:`fd_jacobian`. Continuation along a parameter is
:mod:`replica.continuation`.

A saddle point is given as a fixed-point map ``F`` (order parameters -> updated order
parameters); the **undamped residual** ``F(x) - x`` is the source of truth for every method, for
the convergence test and for error messages — never the step size, which a damped iteration
shrinks by itself.

Methods (choose with ``method=``):

``"iterate"``  damped iteration ``x <- (1 - mixing) x + mixing F(x)``; ``mixing`` is the weight of
               the new iterate.
``"newton"``   Newton on ``F(x) - x`` with a finite-difference Jacobian and backtracking.
``"hybrid"``   MINPACK's Powell hybrid method (``scipy.optimize.root(method="hybr")``).
``"broyden"``  Broyden's ("good") quasi-Newton method on ``F(x) - x``: a finite-difference
               Jacobian at the start (or the one passed as ``jacobian=``, e.g. carried from the
               previous point of a continuation), rank-one updates, backtracking; the final
               Jacobian estimate is returned in ``Solution.jacobian`` for the next call. In one
               unknown it is the secant method.
``"bracket"``  one unknown only: Brent's method on a sign change. The bracket is ``bracket=(a,
               b)``, or the first sign change along ``grid=[x_0, x_1, ...]`` (scanned in that
               order: the root connected to the first grid point), or, with neither, an
               expanding bracket around ``x0`` (the interval grows geometrically, by
               ``expand`` (default 1.6) per side, until the residual changes sign).

All methods end with the same check ``max|F(x) - x| <= tol`` and raise
:class:`~replica.errors.ConvergenceError` otherwise. Unknown options raise ``TypeError``.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Callable, Mapping, Sequence

import numpy as np

from .errors import ConvergenceError, ReplicaInputError

__all__ = ["Solution", "solve", "fd_jacobian", "zero_on_branch", "ConvergenceError", "METHODS"]

METHODS = ("iterate", "newton", "hybrid", "broyden", "bracket")


@dataclass(frozen=True)
class Solution:
    """A converged saddle point.

    ``order`` maps order-parameter names to values (also readable as attributes, ``sol.q``);
    ``residual`` is the undamped residual vector F(x) - x at the returned point; ``thermo`` holds
    derived thermodynamics (entropy, its parts, replicon, ...), filled by the model;
    ``unknowns`` the solver's unknowns where they differ from the order parameters (models of
    the protocol, :mod:`replica.models.base`), else None (then :attr:`x` is the unknowns).
    """

    order: Mapping[str, float]
    residual: np.ndarray
    status: str
    iterations: int
    method: str
    model: str = ""
    params: Mapping[str, float] = field(default_factory=dict)
    thermo: Mapping[str, float] = field(default_factory=dict)
    unknowns: tuple | None = None
    jacobian: np.ndarray | None = field(default=None, repr=False, compare=False)

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
    def u(self) -> np.ndarray:
        """The solver's unknowns (what a warm start of the same model takes)."""
        if self.unknowns is not None:
            return np.array(self.unknowns, dtype=float)
        return self.x

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
               "hybrid": {"bounds"}, "broyden": {"fd_step", "bounds", "jacobian"},
               "bracket": {"bracket", "grid", "expand", "xtol"}}[method]
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

    if not (isinstance(tol, (int, float)) and math.isfinite(tol) and tol > 0):
        raise ValueError(f"tol must be a positive number, got {tol!r}")
    if not (isinstance(max_iter, int) and max_iter >= 1):
        raise ValueError(f"max_iter must be a positive integer, got {max_iter!r}")
    J = None
    if method == "iterate":
        x, it = _iterate(R, x0, tol, max_iter, float(options.get("mixing", 0.5)), clip, ctx)
    elif method == "broyden":
        x, it, J = _broyden(R, x0, tol, max_iter, float(options.get("fd_step", 1e-7)), clip,
                            ctx, options.get("jacobian"))
    elif method == "newton":
        x, it = _newton(R, x0, tol, max_iter, float(options.get("fd_step", 1e-7)), clip, ctx)
    elif method == "hybrid":
        x, it = _hybrid(R, x0, tol, max_iter, ctx)
    else:
        x, it = _bracket(R, x0, options, tol, max_iter, ctx)
    res = R(x)
    if not np.all(np.isfinite(res)) or np.max(np.abs(res)) > tol:
        _fail("residual above tolerance at the end of the solve", ctx, x, res, it, method,
              hint="try method='iterate' with smaller mixing, or a better starting point")
    th = dict(thermo(x)) if thermo is not None else {}
    return Solution(order=dict(zip(names, map(float, x))), residual=res, status="converged",
                    iterations=int(it), method=method, model=model, params=dict(ctx["params"]),
                    thermo=th, jacobian=J)


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
    r = R(x)
    for it in range(1, max_iter + 1):
        if not np.all(np.isfinite(r)):
            _fail("non-finite residual in Newton", ctx, x, r, it, "newton")
        if np.max(np.abs(r)) <= tol:
            return x, it
        J = fd_jacobian(R, x, h)
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


def fd_jacobian(R, x, h=1e-7, r0=None):
    """Finite-difference Jacobian of R at x: central differences, or forward ones from the
    known value ``r0 = R(x)`` (half the evaluations; backward where the forward point is
    outside the domain, i.e. R is not finite there)."""
    x = np.asarray(x, dtype=float)
    n = x.size
    cols = []
    for j in range(n):
        dx = h * max(1.0, abs(x[j]))
        e = np.zeros(n)
        e[j] = dx
        if r0 is None:
            rf, rb = R(x + e), R(x - e)
            if np.all(np.isfinite(rf)) and np.all(np.isfinite(rb)):
                cols.append((rf - rb) / (2 * dx))
            else:
                rc = R(x)
                cols.append((rf - rc) / dx if np.all(np.isfinite(rf)) else (rc - rb) / dx)
        else:
            rf = R(x + e)
            cols.append((rf - r0) / dx if np.all(np.isfinite(rf)) else (r0 - R(x - e)) / dx)
    return np.array(cols).T.reshape(-1, n)


def _broyden(R, x, tol, max_iter, h, clip, ctx, J):
    if x.size == 1:
        return _secant(R, x, tol, max_iter, h, clip, ctx, J)
    r = R(x)
    if not np.all(np.isfinite(r)):
        _fail("non-finite residual at the starting point", ctx, x, r, 0, "broyden")
    fresh = J is None
    J = fd_jacobian(R, x, h, r0=r) if J is None else np.array(J, dtype=float)
    for it in range(1, max_iter + 1):
        if np.max(np.abs(r)) <= tol:
            return x, it, J
        try:
            step = np.linalg.solve(J, -r)
        except np.linalg.LinAlgError:
            step = None
        lam, norm0, ok = 1.0, np.linalg.norm(r), False
        if step is not None and np.all(np.isfinite(step)):
            while lam > 1e-6:
                xn = clip(x + lam * step)
                rn = R(xn)
                if np.all(np.isfinite(rn)) and np.linalg.norm(rn) < (1 - 1e-4 * lam) * norm0:
                    ok = True
                    break
                lam *= 0.5
        if not ok:
            if fresh:
                _fail("Broyden step failed with a fresh Jacobian", ctx, x, r, it, "broyden")
            J, fresh = fd_jacobian(R, x, h, r0=r), True   # stale Jacobian: rebuild, retry
            continue
        dx, dr = xn - x, rn - r
        J = J + np.outer(dr - J @ dx, dx) / float(dx @ dx)
        fresh = False
        x, r = xn, rn
    _fail("Broyden did not converge", ctx, x, r, max_iter, "broyden")


def _secant(R, x, tol, max_iter, h, clip, ctx, J):
    """Broyden's method in one unknown (the secant method with the same backtracking and
    Jacobian-refresh rules), in scalar arithmetic: no 1x1 linear algebra per step."""
    r = R(x)
    r0 = float(r[0])
    if not math.isfinite(r0):
        _fail("non-finite residual at the starting point", ctx, x, r, 0, "broyden")
    fresh = J is None
    j = float(fd_jacobian(R, x, h, r0=r)[0, 0]) if J is None else float(np.asarray(J).ravel()[0])
    x0 = float(x[0])
    for it in range(1, max_iter + 1):
        if abs(r0) <= tol:
            return np.array([x0]), it, np.array([[j]])
        step = -r0 / j if j != 0.0 else math.nan
        lam, norm0, ok = 1.0, abs(r0), False
        if math.isfinite(step):
            while lam > 1e-6:
                xn = clip(np.array([x0 + lam * step]))
                rn = R(xn)
                rn0 = float(rn[0])
                if math.isfinite(rn0) and abs(rn0) < (1 - 1e-4 * lam) * norm0:
                    ok = True
                    break
                lam *= 0.5
        if not ok:
            if fresh:
                _fail("Broyden step failed with a fresh Jacobian", ctx, np.array([x0]), r, it,
                      "broyden")
            j, fresh = float(fd_jacobian(R, np.array([x0]), h, r0=r)[0, 0]), True
            continue
        xn0 = float(xn[0])
        dx, dr = xn0 - x0, rn0 - r0
        j = j + (dr - j * dx) * dx / (dx * dx)
        fresh = False
        x0, r0, r = xn0, rn0, rn
    _fail("Broyden did not converge", ctx, np.array([x0]), r, max_iter, "broyden")


def _hybrid(R, x0, tol, max_iter, ctx):
    from scipy import optimize  # lazy: ~0.4 s of import, needed only here
    sol = optimize.root(R, x0, method="hybr", options={"xtol": 1e-15, "maxfev": max_iter})
    x = np.asarray(sol.x, dtype=float)
    r = R(x)
    if not np.all(np.isfinite(r)) or np.max(np.abs(r)) > tol:
        _fail(f"hybrid (MINPACK hybr) did not converge: {sol.message}", ctx, x, r,
              int(sol.nfev), "hybrid")
    return x, int(sol.nfev)


def _bracket(R, x0, options, tol, max_iter, ctx):
    from scipy import optimize  # lazy: ~0.4 s of import, needed only here
    if x0.size != 1:
        raise ValueError("method='bracket' solves for one unknown only")
    f = lambda t: float(R(np.array([t]))[0])
    if "bracket" in options:
        a, b = map(float, options["bracket"])
    elif "grid" in options:
        a, b = _first_sign_change(f, options["grid"], ctx)
        if a == b:
            return np.array([a]), 0
    else:
        a, b = _expanding_bracket(f, float(x0[0]), float(options.get("expand", 1.6)), max_iter,
                                  ctx)
        if a == b:
            return np.array([a]), 0
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


def _first_sign_change(f, grid, ctx):
    prev = None
    for x in map(float, grid):
        fx = f(x)
        if not math.isfinite(fx):
            _fail(f"non-finite residual at x = {x:.6g} while scanning for a sign change", ctx,
                  [x], [fx], 0, "bracket")
        if fx == 0.0:
            return x, x
        if prev is not None and prev[1] * fx < 0:
            return prev[0], x
        prev = (x, fx)
    _fail("no sign change of the residual along the grid", ctx,
          [prev[0]] if prev else [], [prev[1]] if prev else [], len(list(grid)), "bracket",
          hint="the equation has no root connected to the first grid point on this grid")


def _expanding_bracket(f, x, factor, max_iter, ctx):
    if not factor > 1.0:
        raise ValueError(f"expand must be > 1, got {factor}")
    fx = f(x)
    if not math.isfinite(fx):
        _fail("non-finite residual at the starting point", ctx, [x], [fx], 0, "bracket")
    if fx == 0.0:
        return x, x
    h = 1e-3 * max(1.0, abs(x))
    for _ in range(min(max_iter, 200)):
        for y in (x - h, x + h):
            fy = f(y)
            if math.isfinite(fy) and fy * fx <= 0:
                return (y, x) if y < x else (x, y)
        h *= factor
    _fail("no sign change of the residual in an expanding bracket", ctx, [x], [fx], 200,
          "bracket")


def zero_on_branch(f: Callable[[float], float], lo: float, start: float, step: float,
                   limit: float, *, xtol: float = 1e-12, model: str = "", params=None,
                   what: str = "zero") -> float:
    """The zero of a function that decreases through 0 along a solution branch (an entropy
    versus alpha or kappa), where ``f`` raises :class:`ConvergenceError` past the end of the
    branch (a spinodal shortly beyond the zero).

    ``f(lo) > 0`` is assumed. From ``start`` the argument steps by ``step`` up to ``limit``
    until f < 0 or f fails; on a failure the interval between the last positive point and the
    failure is bisected for a point with f < 0 (the zero lies before the branch ends); then
    Brent's method on the bracket. Raises ConvergenceError if f is still positive at ``limit``
    or the branch ends before f vanishes."""
    ctx = {"model": model, "params": dict(params or {})}

    def value(x):
        try:
            return f(x)
        except ConvergenceError:
            return None

    a, hi = float(start), None
    while True:
        fa = value(a)
        if fa is None or fa < 0:
            hi = a
            break
        lo = a
        if a >= limit:
            _fail(f"{what}: still positive at the end of the scan, {limit:.6g}", ctx, [lo],
                  [fa], 0, "bracket")
        a = min(limit, a + step)
    f_hi = value(hi)
    for _ in range(60):
        if f_hi is not None:
            break
        mid = 0.5 * (lo + hi)
        f_mid = value(mid)
        if f_mid is not None and f_mid > 0:
            lo = mid
        else:
            hi = mid
            f_hi = f_mid
    if f_hi is None:
        _fail(f"{what}: the branch ends before the function vanishes", ctx, [lo, hi], [], 60,
              "bracket")
    if f_hi > 0:
        _fail(f"{what}: still positive at the upper bracket", ctx, [lo, hi], [f_hi], 0, "bracket")
    from scipy import optimize  # lazy: ~0.4 s of import, needed only here
    return optimize.brentq(f, lo, hi, xtol=xtol, rtol=4 * np.finfo(float).eps, maxiter=200)
