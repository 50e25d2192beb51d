r"""Assertions for unit-testing saddle-point codes, usable in any pytest suite (or plain scripts).

Each raises ``AssertionError`` whose message says what was expected, what was found and by how
much, and returns the evidence when it passes:

* :func:`assert_stationary` — the gradient of a free entropy vanishes at a claimed saddle point
  (central finite differences with Richardson extrapolation, so that the tolerance is compared
  with an *estimated* finite-difference error);
* :func:`assert_fixed_point` — the **undamped** residual ``max|F(x) - x|`` is small (catches a
  damped iterate whose steps are small while the residual is not);
* :func:`assert_matches_reference` — a value agrees with a registry entry
  (:mod:`replica.testing.references`), reporting the matching digits;
* :func:`assert_quadrature_converged` — two quadrature orders (n and 2n nodes) or two different
  rules agree.

:func:`fd_gradient` (the finite-difference engine of :func:`assert_stationary`) is public too.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Callable, Sequence

import numpy as np

from .references import Check, Reference, get_reference, matching_digits

__all__ = [
    "assert_stationary", "assert_fixed_point", "assert_matches_reference",
    "assert_quadrature_converged", "fd_gradient", "GradientEstimate", "QuadratureComparison",
]

_EPS = np.finfo(float).eps
#: Exceptions that mean "this step left the function's domain" (e.g. math.log of a negative).
_DOMAIN_ERRORS = (ValueError, ArithmeticError)


def _names_and_x(x, names):
    """Accept a vector or a replica.solve.Solution-like object (``.order`` mapping)."""
    order = getattr(x, "order", None)
    if order is not None and hasattr(order, "keys"):
        names = list(order.keys()) if names is None else names
        x = list(order.values())
    x = np.atleast_1d(np.asarray(x, dtype=float)).copy()
    if x.ndim != 1:
        raise ValueError(f"x must be a vector of order parameters, got shape {x.shape}")
    names = [f"x[{i}]" for i in range(x.size)] if names is None else [str(n) for n in names]
    if len(names) != x.size:
        raise ValueError(f"{len(names)} names for {x.size} order parameters")
    return x, names


def _fmt_vec(names, *cols, heads):
    w = max(len("name"), max(len(n) for n in names))
    lines = ["  " + "name".ljust(w) + "".join(f"  {h:>24}" for h in heads)]
    for i, n in enumerate(names):
        cells = []
        for c in cols:
            v = c[i]
            cells.append(f"  {v:>24}" if isinstance(v, str) else f"  {v:>24.16g}")
        lines.append("  " + n.ljust(w) + "".join(cells))
    return "\n".join(lines)


# ----------------------------------------------------------------------------------------------
# Stationarity
# ----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class GradientEstimate:
    """Finite-difference gradient with error estimates (see :func:`fd_gradient`).

    ``gradient[i]`` is the Richardson-extrapolated central difference in direction i,
    ``error[i]`` its estimated error (the larger of the extrapolation tableau's spread and the
    round-off/noise floor ``noise / step``), ``step[i]`` the step of the best estimate,
    ``curvature[i]`` the diagonal second difference at that step (used only to suggest
    a Newton shift in messages), ``value`` = f(x).
    """

    x: np.ndarray
    names: list
    value: float
    gradient: np.ndarray
    error: np.ndarray
    step: np.ndarray
    curvature: np.ndarray


def _richardson(quotient, h0, shrink, levels):
    """Neville tableau of central differences at h0, h0/shrink, ... (error ~ h^2, h^4, ...).

    Returns (best estimate, its error estimate, its step). The error of an entry is the larger of
    its differences with the two entries it was built from; the tableau stops when the diagonal
    starts to grow (round-off takes over), as in Ridders' method.
    """
    c2 = shrink * shrink
    prev = [quotient(h0)]
    best, best_err, best_h = prev[0], math.inf, h0
    h = h0
    for _ in range(1, levels):
        h /= shrink
        row = [quotient(h)]
        fac = c2
        for j in range(1, len(prev) + 1):
            row.append((row[j - 1] * fac - prev[j - 1]) / (fac - 1.0))
            fac *= c2
            err = max(abs(row[j] - row[j - 1]), abs(row[j] - prev[j - 1]))
            if err <= best_err:
                best, best_err, best_h = row[j], err, h
        if abs(row[-1] - prev[-1]) >= 2.0 * best_err:
            break
        prev = row
    return best, best_err, best_h


def fd_gradient(f: Callable, x, *, names=None, step=None, bounds=None, noise=None,
                shrink: float = 1.6, levels: int = 12) -> GradientEstimate:
    r"""Gradient of a scalar function by Richardson-extrapolated central differences.

    For each component i the central quotient :math:`D(h) = [f(x + h e_i) - f(x - h e_i)]/(2h)`
    (error :math:`O(h^2)`) is evaluated at :math:`h_0, h_0/c, h_0/c^2, \dots` and extrapolated
    to h -> 0 in a Neville tableau (Ridders 1982; error estimate = spread of the tableau). The
    estimate is floored by the evaluation noise: ``error >= noise / h``, with ``noise`` the
    absolute accuracy of f (default ``16 eps |f(x)|``; pass a larger value if f contains a
    quadrature or an inner solve of known accuracy).

    ``step``: initial step h_0 (scalar or per component; default ``0.05 max(|x_i|, 0.1)``).
    ``bounds = (lo, hi)``: domain of x (scalars or vectors); h_0 is capped at half the distance
    to it. Without bounds, a step whose evaluation raises ``ValueError``/``ArithmeticError`` or
    returns a non-finite value is halved (up to 40 times) — the domain is found by trial.
    """
    x, names = _names_and_x(x, names)
    n = x.size

    def call(v):
        out = np.asarray(f(v.copy()), dtype=float)
        if out.size != 1:
            raise ValueError(f"the free entropy must return a scalar, got shape {out.shape}")
        return float(out.reshape(()))

    f0 = call(x)
    if not math.isfinite(f0):
        raise AssertionError(f"the free entropy is not finite at the claimed point: f(x) = {f0} "
                             f"at x = {dict(zip(names, x.tolist()))}")
    noise = 16.0 * _EPS * max(abs(f0), 1e-300) if noise is None else float(noise)
    if step is None:
        h_init = 0.05 * np.maximum(np.abs(x), 0.1)
    else:
        h_init = np.broadcast_to(np.asarray(step, dtype=float), (n,)).copy()
        if np.any(~np.isfinite(h_init)) or np.any(h_init <= 0):
            raise ValueError(f"step must be positive and finite, got {step!r}")
    if bounds is not None:
        lo = np.broadcast_to(np.asarray(bounds[0], dtype=float), (n,))
        hi = np.broadcast_to(np.asarray(bounds[1], dtype=float), (n,))
        if np.any(x <= lo) or np.any(x >= hi):
            raise ValueError(f"x = {x.tolist()} is not inside bounds ({lo.tolist()}, "
                             f"{hi.tolist()})")
        h_init = np.minimum(h_init, 0.5 * np.minimum(x - lo, hi - x))

    grad = np.empty(n)
    err = np.empty(n)
    hbest = np.empty(n)
    curv = np.empty(n)
    for i in range(n):
        cache = {}

        def pair(h, i=i, cache=cache):
            if h not in cache:
                e = np.zeros(n)
                e[i] = h
                cache[h] = (call(x + e), call(x - e))
            return cache[h]

        def quotient(h):
            fp, fm = pair(h)
            if not (math.isfinite(fp) and math.isfinite(fm)):
                raise FloatingPointError(f"non-finite f(x +- {h:g} e_{names[i]})")
            return (fp - fm) / (2.0 * h)

        h0 = float(h_init[i])
        for _ in range(40):  # find a step inside the domain (numpy's nan warnings are expected)
            try:
                with np.errstate(invalid="ignore", divide="ignore", over="ignore"):
                    quotient(h0)
                break
            except _DOMAIN_ERRORS:
                h0 *= 0.5
        else:
            raise AssertionError(f"cannot evaluate the free entropy around {names[i]} = {x[i]!r} "
                                 f"with any step down to {h0:.1e} (outside its domain?)")
        g, e, hb = _richardson(quotient, h0, shrink, levels)
        grad[i] = g
        err[i] = max(e, noise / hb)
        hbest[i] = hb
        fp, fm = pair(hb)
        curv[i] = (fp - 2.0 * f0 + fm) / (hb * hb)
    return GradientEstimate(x=x, names=names, value=f0, gradient=grad, error=err, step=hbest,
                            curvature=curv)


def assert_stationary(free_entropy: Callable, x, names: Sequence[str] | None = None, *,
                      atol: float = 1e-8, rtol: float = 1e-8, step=None, bounds=None,
                      noise=None) -> GradientEstimate:
    r"""Assert that the gradient of ``free_entropy`` vanishes at ``x`` (a claimed saddle point).

    ``free_entropy(x) -> float`` is a scalar function of the vector of order parameters (e.g.
    :math:`\phi(q) = \tfrac12\ln(1-q) + \tfrac{q}{2(1-q)} + \alpha E(q)` for the spherical Gardner
    problem); ``x`` a vector or a ``replica.solve.Solution`` (then the names come with it).

    The gradient is estimated by :func:`fd_gradient` (Richardson-extrapolated central differences
    with an error estimate ``err_i``). Component i passes when

        |g_i| <= tol_i = atol + rtol * |f(x)| / max(|x_i|, 1)

    (rtol: the change of f under an O(1) relative change of x_i, relative to f), and the check
    is meaningful only if ``err_i <= tol_i``: otherwise the assertion fails as *undecidable*
    (f too noisy for that tolerance — e.g. an inner quadrature or solve with a loose tolerance;
    give its accuracy as ``noise`` or loosen atol). Failure messages list every component with
    its gradient, estimated error and tolerance, and where one diagonal Newton step
    ``x_i - g_i / f_ii`` would move the point. Returns the :class:`GradientEstimate`.
    """
    est = fd_gradient(free_entropy, x, names=names, step=step, bounds=bounds, noise=noise)
    g, e, xv = est.gradient, est.error, est.x
    if not (np.all(np.isfinite(g)) and np.all(np.isfinite(e))):  # never pass on NaN
        raise AssertionError(f"the finite-difference gradient is not finite: "
                             f"{dict(zip(est.names, g.tolist()))} (errors {e.tolist()})")
    tol = atol + rtol * abs(est.value) / np.maximum(np.abs(xv), 1.0)
    moved = np.abs(g) - e > tol            # non-stationary beyond doubt
    undecided = (~moved) & (e > tol)       # FD error larger than the tolerance
    above = (~moved) & (~undecided) & (np.abs(g) > tol)
    bad = moved | undecided | above
    if not np.any(bad):
        return est
    with np.errstate(divide="ignore", invalid="ignore"):
        newton = np.where(est.curvature != 0, xv - g / est.curvature, np.nan)
    verdict = np.where(moved | above, "NOT STATIONARY", np.where(undecided, "UNDECIDABLE", "ok"))
    lines = []
    worst = int(np.argmax(np.where(bad, np.abs(g) / tol, -np.inf)))
    if np.any(moved | above):
        i = int(np.argmax(np.where(moved | above, np.abs(g) / tol, -np.inf)))
        lines.append(f"free entropy is not stationary at the claimed point: expected "
                     f"d f/d {est.names[i]} = 0 within {tol[i]:.2e}, found {g[i]:.6e} "
                     f"(+- {e[i]:.1e} finite-difference error), {abs(g[i]) / tol[i]:.3g} times "
                     f"the tolerance")
        if np.isfinite(newton[i]):
            lines.append(f"  one diagonal Newton step from here moves to "
                         f"{est.names[i]} = {float(newton[i])!r} (shift {newton[i] - xv[i]:+.3e})")
    else:
        i = worst
        lines.append(f"stationarity cannot be decided at this tolerance: the finite-difference "
                     f"error of d f/d {est.names[i]} is {e[i]:.2e} > tolerance {tol[i]:.2e} "
                     f"(gradient {g[i]:.3e}). f is noisier than the test needs: give its "
                     f"accuracy as noise=..., evaluate it more accurately, or loosen atol.")
    lines.append(f"  f(x) = {est.value!r}; per component:")
    lines.append(_fmt_vec(est.names, xv, g, [f"{v:.2e}" for v in e], [f"{v:.2e}" for v in tol],
                          list(verdict), heads=("x", "df/dx", "FD error", "tolerance",
                                                "verdict")))
    raise AssertionError("\n".join(lines))


# ----------------------------------------------------------------------------------------------
# Fixed points
# ----------------------------------------------------------------------------------------------


def assert_fixed_point(F: Callable, x, tol: float = 1e-10, names: Sequence[str] | None = None
                       ) -> np.ndarray:
    """Assert that ``x`` is a fixed point of the map ``F``: ``max|F(x) - x| <= tol``.

    The residual is the **undamped** one (STYLE.md pattern 2): a damped iteration
    ``x <- x + mixing (F(x) - x)`` moves by ``mixing`` times the residual per step, and near a
    slowly contracting fixed point the distance to it is larger still, so a small step proves
    nothing. ``x`` may be a vector or a ``replica.solve.Solution``; ``tol`` a scalar or one value
    per component. Returns the residual vector ``F(x) - x``.
    """
    xv, names = _names_and_x(x, names)
    Fx = np.atleast_1d(np.asarray(F(xv.copy()), dtype=float))
    if Fx.shape != xv.shape:
        raise AssertionError(f"F(x) has shape {Fx.shape}, expected {xv.shape} (one value per "
                             f"order parameter {names})")
    r = Fx - xv
    tolv = np.broadcast_to(np.asarray(tol, dtype=float), xv.shape)
    finite = np.isfinite(r)
    bad = ~finite | (np.abs(np.where(finite, r, 0.0)) > tolv)
    if not np.any(bad):
        return r
    table = _fmt_vec(names, xv, Fx, [f"{v:.3e}" for v in r], [f"{v:.1e}" for v in tolv],
                     heads=("x", "F(x)", "F(x) - x", "tolerance"))
    if not np.all(finite):
        head = (f"not a fixed point: F(x) is not finite in "
                f"{[n for n, ok in zip(names, finite) if not ok]}")
    else:
        i = int(np.argmax(np.abs(r) / tolv))
        head = (f"not a fixed point: expected max|F(x) - x| <= {tolv[i]:.1e}, found "
                f"|F(x) - x| = {abs(r[i]):.3e} in {names[i]} ({abs(r[i]) / tolv[i]:.3g} times "
                f"the tolerance)")
    raise AssertionError(
        head + "\n" + table + "\n  (the undamped residual; a damped iteration x <- x + "
        "mixing*(F(x) - x) stops on small steps long before the residual is small — judge "
        "convergence on F(x) - x)")


# ----------------------------------------------------------------------------------------------
# References
# ----------------------------------------------------------------------------------------------


def assert_matches_reference(value: float, name: "str | Reference", tol: float | None = None
                             ) -> Check:
    """Assert that ``value`` matches the reference ``name`` (a registry name or a
    :class:`~replica.testing.references.Reference`) within its tolerance (or ``tol``).

    The message gives the expected value with its tolerance and source, the value found, the
    difference and the matching significant digits. Returns the :class:`Check`.
    """
    ref = get_reference(name) if isinstance(name, str) else name
    if not isinstance(ref, Reference):
        raise TypeError(f"name must be a registry name or a Reference, got {type(name).__name__}")
    chk = ref.compare(value, tol)
    if not chk.passed:
        raise AssertionError(f"does not match reference {chk.summary()}\n"
                             f"  source: {ref.source}")
    return chk


# ----------------------------------------------------------------------------------------------
# Quadrature
# ----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class QuadratureComparison:
    """Two evaluations of one integral: ``(label, value)`` pairs, and their difference."""

    coarse: tuple
    fine: tuple
    difference: float
    tol: float

    @property
    def value(self):
        return self.fine[1]


_RULES = ("hermite", "graded", "legendre")


def _dot(w, values):
    """sum_i w_i f(z_i) for f(z) of shape (nodes,) or (nodes, k) (several integrals at once)."""
    out = w @ np.asarray(values, dtype=float)
    return float(out) if np.ndim(out) == 0 else out


def _apply_rule(rule, f, n, interval, centers, widths, L):
    from .. import gauss

    if rule == "hermite":
        z, w = gauss.gauss_hermite(n)
        return _dot(w, f(z)), f"Gauss-Hermite n={n}"
    if rule == "graded":
        z, w = gauss.graded_gaussian_rule(centers, widths, L=L, n=n)
        return (_dot(w, f(z)),
                f"graded Gauss-Legendre ({n} nodes/panel, {z.size} nodes)")
    if rule == "legendre":
        if interval is None:
            raise ValueError("rule='legendre' integrates f(x) dx on interval=(a, b); "
                             "pass interval")
        a, b = map(float, interval)
        t, w = gauss.gauss_legendre(n)
        xs = 0.5 * (b - a) * t + 0.5 * (b + a)
        return 0.5 * (b - a) * _dot(w, f(xs)), \
            f"Gauss-Legendre n={n} on [{a:g}, {b:g}]"
    raise ValueError(f"unknown rule {rule!r}; choose from {_RULES} or pass a callable n -> value "
                     f"with rule=None")


def assert_quadrature_converged(integral: Callable, n=32, *, rule=None, factor: int = 2,
                                atol: float = 1e-10, rtol: float = 1e-10, interval=None,
                                centers=(), widths=(), L: float = 12.0) -> QuadratureComparison:
    r"""Assert that an integral is resolved: two orders (or two rules) agree within tolerance.

    Two ways to call it:

    * ``rule=None``: ``integral`` is *your* quadrature, a callable ``n -> value`` (scalar or
      array); it is evaluated at ``n`` and ``factor * n``;
    * ``rule="hermite" | "graded" | "legendre"``: ``integral`` is a vectorised integrand; the
      integral is :math:`\int Dz\, f(z)` with Gauss–Hermite nodes (``"hermite"``), with
      :func:`replica.gauss.graded_gaussian_rule` (``"graded"``: ``n`` nodes per panel, panels
      refined at ``centers`` on scales ``widths``), or :math:`\int_a^b f(x)\,dx` with
      Gauss–Legendre on ``interval`` (``"legendre"``). A pair of rules,
      ``rule=("hermite", "graded")``, compares two *different* rules at order ``n`` (``n`` may
      also be a pair of orders).

    Passes when ``|v_coarse - v_fine| <= atol + rtol |v_fine|`` (elementwise). For a smooth
    integrand the difference estimates the error of the coarse value and the fine one is much
    better; agreement is necessary, not sufficient (two rules blind to the same kink can agree),
    so for integrands with kinks or boundary layers — :math:`\ln H((\kappa - \sqrt q z)/
    \sqrt{1-q})` as q -> 1 — compare against a graded rule. Returns a
    :class:`QuadratureComparison`.
    """
    if isinstance(n, (tuple, list)):
        n1, n2 = int(n[0]), int(n[1])
    else:
        n1 = int(n)
        n2 = n1 if isinstance(rule, (tuple, list)) else int(factor) * n1
    if n1 < 1 or n2 < 1:
        raise ValueError(f"quadrature orders must be >= 1, got {(n1, n2)}")
    if rule is None:
        v1, l1 = integral(n1), f"n={n1}"
        v2, l2 = integral(n2), f"n={n2}"
    else:
        r1, r2 = (rule, rule) if isinstance(rule, str) else tuple(rule)
        v1, l1 = _apply_rule(r1, integral, n1, interval, centers, widths, L)
        v2, l2 = _apply_rule(r2, integral, n2, interval, centers, widths, L)
    a1 = np.atleast_1d(np.asarray(v1, dtype=float))
    a2 = np.atleast_1d(np.asarray(v2, dtype=float))
    if a1.shape != a2.shape:
        raise AssertionError(f"the two evaluations have different shapes: {a1.shape} ({l1}) vs "
                             f"{a2.shape} ({l2})")
    diff = np.abs(a1 - a2)
    tol = atol + rtol * np.abs(a2)
    scalar = np.ndim(v1) == 0 and np.ndim(v2) == 0
    out = QuadratureComparison(coarse=(l1, v1 if not scalar else float(a1[0])),
                               fine=(l2, v2 if not scalar else float(a2[0])),
                               difference=float(np.max(diff)) if diff.size else 0.0,
                               tol=float(np.min(tol)) if tol.size else atol)
    finite = np.isfinite(a1) & np.isfinite(a2)
    if np.all(finite) and np.all(diff <= tol):
        return out
    if not np.all(finite):
        raise AssertionError(f"quadrature gave non-finite values: {l1}: {a1.tolist()}, "
                             f"{l2}: {a2.tolist()}")
    i = int(np.argmax(diff / tol))
    where = "" if scalar else f" (component {i})"
    raise AssertionError(
        f"quadrature not converged{where}: expected the two evaluations to agree within "
        f"{tol[i]:.2e}, found\n"
        f"  {l1}: {float(a1[i])!r}\n"
        f"  {l2}: {float(a2[i])!r}\n"
        f"  |difference| = {diff[i]:.3e} ({diff[i] / tol[i]:.3g} times the tolerance); "
        f"matching digits {matching_digits(a1[i], a2[i]):.1f}.\n"
        f"  More nodes, or panel edges at the integrand's kinks/boundary layers "
        f"(replica.gauss.graded_gaussian_rule) are needed.")
