r"""Equilibrium 1RSB of the spherical perceptron (margin kappa < 0, beyond the AT line) and its
jamming limit (docs/THEORY.md §8.1).

**The model** ``rsb1-spherical`` (parameters alpha, kappa < 0 and the Parisi block m in (0, 1])
solves the q0 and q1 equations of the spherical 1RSB free entropy (:mod:`replica.models.rsb1`)

.. math:: \frac{q_0}{D^2} = \alpha Q_0,\qquad
          \frac{q_1 - q_0}{(1-q_1)D} = \alpha(Q_1 - Q_0),\qquad D = 1 - q_1 + m(q_1 - q_0),

the second being the q1 equation minus the q0 one. Both sides of the second vanish at q1 = q0
(the RS solution solves the system for every alpha); divided by q1 - q0 it reads
:math:`1 = \alpha(1 - q_1)D\,V` with V the reduced tilted variance of
:mod:`replica.models.rsb1_kernels` (a centred sum, exact as q1 -> q0). With the unknowns
(q0, q1 - q0) the reduced system is regular at q1 = q0 (V is smooth in the variance q1 - q0)
and no longer has the RS branch: at q1 = q0 it is the RS equation together with :math:`1 = \alpha(1-q)^2\int Dz(\partial_x^2\ln H)^2`, the
vanishing of the RS replicon (de Almeida–Thouless, docs/THEORY.md §1.5). The 1RSB branch
therefore leaves RS exactly at the AT line, for every m, with q1 - q0 growing linearly in
alpha - alpha_AT; followed downwards in alpha it ends there (q1 - q0 -> 0, the domain's edge).

Known point (protocol sense): that bifurcation, alpha = alpha_AT(kappa) with s = 0, obtained
from the reduced equations at q1 = q0 (a scalar root in q0 along the RS solution, where alpha(q0)
= q0/((1-q0)^2 Q0(q0)) explicitly). ``thermo``: ``free_entropy`` (= ``entropy``) and its
``entropic``/``energetic`` parts, ``dphi_dm``, ``complexity`` = -m^2 d phi/dm (the equilibrium
m of a static 1RSB solution is where it vanishes), ``q1_minus_q0``.

**Jamming** (the q1 -> 1 limit with m = mu (1 - q1)): :func:`jamming_psi`, the coefficient
Psi(q0, mu) = A + alpha B of 1/(1 - q1); its stationary value of -A/B is the 1RSB SAT/UNSAT
line (located in :mod:`replica.rsb1_thresholds`). It is the q1 -> 1 end of the 1RSB branch,
which need not grow monotonically from the AT line: the branch at fixed m can turn back at a
fold and again at a second one before running to q1 -> 1 (an S-shaped, discontinuous
transition; theory notebook ``rsb1_derivation`` §7b), and a cold start from the AT line does not
go beyond the first fold (``x0`` does).
"""
from __future__ import annotations

import functools
import math

import numpy as np

from ..errors import ConvergenceError, ReplicaInputError, check_finite, check_range
from ..solve import Solution, solve
from . import rsb1_kernels as K
from .base import Param, SaddleModel
from .gardner import capacity_spherical_closed_form
from .rsb1 import _rule, energetic_terms, entropic_spherical_terms

__all__ = ["RSB1Spherical", "RSB1_SPHERICAL", "rsb1_spherical", "bifurcation_point",
           "jamming_psi", "jamming_terms"]


def _state(alpha, kappa, m, q0, dq, rule=None):
    """(residual, order, thermo) of the reduced spherical 1RSB equations at (q0, dq = q1 - q0)."""
    q1 = q0 + dq
    if not (0.0 <= q0 and dq >= 0.0 and q1 < 1.0):
        return np.array([math.nan, math.nan]), None, None
    en = energetic_terms("margin", q0, q1, m, kappa, rule)
    es = entropic_spherical_terms(q0, q1, m)
    D = es["D"]
    res = np.array([alpha * en["Q0"] * D * D - q0, 1.0 - alpha * (1.0 - q1) * D * en["V"]])
    dm = es["dm"] + alpha * en["dm"]
    phi = es["G_S"] + alpha * en["G_E"]
    th = {"free_entropy": phi, "entropy": phi, "entropic": es["G_S"],
          "energetic": alpha * en["G_E"], "dphi_dm": dm, "complexity": -m * m * dm,
          "q1_minus_q0": dq}
    return res, {"q0": q0, "q1": q1, "m": m}, th


def bifurcation_point(kappa: float, *, rule=None, n_grid: int = 200) -> dict:
    """See :func:`_bifurcation_point` (cached: the cold starts of ``rsb1-spherical`` call it
    for every solve)."""
    kappa = check_finite("kappa", kappa)
    rule = None if rule is None else tuple(rule)
    return dict(_bifurcation_point(kappa, rule, int(n_grid)))


@functools.lru_cache(maxsize=64)
def _bifurcation_point(kappa: float, rule, n_grid: int) -> dict:
    r"""Where the spherical 1RSB branch leaves RS: the reduced equations at q1 = q0. Along the RS
    solution alpha(q) = q/((1-q)^2 Q0(q)); the q1 equation at q1 = q0 is
    :math:`r(q) = 1 - \alpha(q)(1-q)^2 V(q)`, positive at small q and negative beyond the AT
    line: its first sign change on a grid of 1 - q in [1, 1e-9] is refined by Brent's method
    (:func:`replica.solve.solve`, ``"bracket"``). Returns ``{"alpha", "q0"}``; kappa >= 0
    raises (no bifurcation: RS is stable)."""
    kappa = check_finite("kappa", kappa)
    if kappa >= 0:
        raise ReplicaInputError(f"kappa must be < 0 for a 1RSB branch (RS is stable for kappa >= "
                                f"0), got {kappa}")

    def alpha_of(q):
        return q / ((1.0 - q) ** 2 * energetic_terms("margin", q, q, 1.0, kappa, rule)["Q0"])

    def r(q):
        return float(_state(alpha_of(q), kappa, 0.5, q, 0.0, rule)[0][1])

    grid = 1.0 - np.geomspace(1.0 - 1e-3, 1e-9, n_grid)
    prev = None
    for q in grid:
        v = r(q)
        if prev is not None and prev[1] > 0 >= v:
            break
        prev = (q, v)
    else:
        raise ConvergenceError("the spherical 1RSB bifurcation condition does not change sign "
                               "along the RS solution", model="rsb1-spherical",
                               params={"kappa": kappa}, x=[grid[0], grid[-1]],
                               method="bracket")
    sol = solve(lambda x: x - np.array([r(float(x[0]))]), [prev[0]], names=("q0",),
                method="bracket", bracket=(prev[0], q), tol=1e-12, model="rsb1-spherical",
                params={"kappa": kappa})
    q = float(sol.x[0])
    return {"alpha": alpha_of(q), "q0": q}


class RSB1Spherical(SaddleModel):
    """Equilibrium 1RSB of the spherical perceptron at fixed Parisi block m (module
    docstring): unknowns (q0, dq = q1 - q0); residual (q0 equation, reduced q1 equation);
    known point the AT bifurcation (dq = 0)."""

    name = "rsb1-spherical"
    description = ("1RSB of the spherical perceptron, kappa < 0, at Parisi block m "
                   "(docs/THEORY.md §8.1)")
    params = (Param("alpha", 0.0, None, lo_open=True, doc="load P/N"),
              Param("kappa", None, 0.0, default=-1.0, hi_open=True,
                    doc="margin (negative: non-convex)"),
              Param("m", 0.0, 1.0, lo_open=True, doc="Parisi block size"))
    order_names = ("q0", "q1", "m")
    unknown_names = ("q0", "dq")
    method = "hybrid"
    tol = 1e-11

    def residual(self, x, p):
        x = np.atleast_1d(x)
        return _state(p["alpha"], p["kappa"], p["m"], float(x[0]), float(x[1]))[0]

    def order(self, x, p):
        x = np.atleast_1d(x)
        return {"q0": float(x[0]), "q1": float(x[0]) + float(x[1]), "m": float(p["m"])}

    def unknowns(self, order, p):
        return np.array([float(order["q0"]), float(order["q1"]) - float(order["q0"])])

    def known_point(self, p):
        b = bifurcation_point(p["kappa"])
        return {**p, "alpha": b["alpha"]}, np.array([b["q0"], 0.0])

    def tangent(self, p):
        """(alpha_b, x_b, dx/dalpha) at the bifurcation: the slope of the branch from the
        forward-difference Jacobian of the residual in (q0, q1 - q0, alpha). d(q1 - q0)/dalpha
        < 0 means the branch at this m leaves the AT line towards alpha < alpha_AT."""
        p0, xb = self.known_point(p)
        ab = p0["alpha"]
        h = 1e-6
        r0 = self.residual(xb, p0)
        J = np.empty((2, 3))
        for j in range(3):
            x, a = xb.copy(), ab
            if j < 2:
                x[j] += h
            else:
                a += h * ab
            J[:, j] = (self.residual(x, {**p0, "alpha": a}) - r0) / (h if j < 2 else h * ab)
        return ab, xb, np.linalg.solve(J[:, :2], -J[:, 2])

    def guess(self, p):
        """The branch linearised at the bifurcation, x_b + (alpha - alpha_b) dx/dalpha
        (:meth:`tangent`; q1 - q0 kept in (1e-4, (1 - q0)/2))."""
        ab, xb, dx = self.tangent(p)
        x = xb + (p["alpha"] - ab) * dx
        q0 = min(max(x[0], 0.0), 1.0 - 1e-6)
        return np.array([q0, min(max(x[1], 1e-4), 0.5 * (1.0 - q0))])

    def saddle(self, params=None, x0=None, *, method=None, tol=None, validate=True,
               **options):
        """The protocol's solve; a cold start (no ``x0``) that fails or falls onto RS
        (q1 - q0 < 1e-7) is retried by continuation in alpha from the AT bifurcation
        (:func:`replica.continuation.reach`). ConvergenceError says where the branch ends if
        that does not reach ``alpha`` either. Only the branch born at the AT line is reached
        this way, up to its first fold; the parts beyond a fold (module docstring) need ``x0``."""
        p = self.validate(params) if validate else dict(params or {})
        a_rs = capacity_spherical_closed_form(p["kappa"])
        if p["alpha"] >= a_rs:
            raise ConvergenceError(
                f"alpha = {p['alpha']:.10g} is beyond the RS SAT/UNSAT line alpha_c^RS(kappa) = "
                f"{a_rs:.10g} (the 1RSB one is lower): no solutions, q1 -> 1",
                model=self.name, params=p, method="domain")
        try:
            sol = SaddleModel.saddle(self, p, x0=x0, method=method, tol=tol, validate=False,
                                     **options)
            if x0 is not None or sol.thermo["q1_minus_q0"] >= 1e-7:
                return sol
        except ConvergenceError:
            if x0 is not None:
                raise
        from ..continuation import reach

        ab, _, dx = self.tangent(p)
        try:
            return reach(self, p, scale=ab)
        except ConvergenceError as err:
            if p["alpha"] <= ab:
                why = f"alpha <= alpha_AT(kappa) = {ab:.10g}: only RS exists"
            elif dx[1] < 0:
                why = (f"at m = {p['m']:.6g} the 1RSB branch leaves the AT line (alpha_AT = "
                       f"{ab:.10g}) towards smaller alpha (d(q1-q0)/dalpha = {dx[1]:.3g} < 0)")
            else:
                why = ("the branch from the AT line ends before alpha (q1 -> 1: beyond the "
                       "SAT/UNSAT line at this m)")
            raise ConvergenceError(
                f"no 1RSB solution reached at alpha = {p['alpha']:.10g}: {why}", model=self.name,
                params=p, method="continuation", x=err.x, residual=err.residual,
                hint="continuation from the AT bifurcation: " + str(err).split(";")[0]) from None

    def free_entropy(self, order, p):
        f = free_entropy_spherical(p["alpha"], p["kappa"], p["m"], order["q0"], order["q1"])
        return f

    def thermo(self, x, p):
        x = np.atleast_1d(x)
        return _state(p["alpha"], p["kappa"], p["m"], float(x[0]), float(x[1]))[2]

    def is_physical(self, x, p):
        x = np.atleast_1d(x)
        q0, dq = float(x[0]), float(x[1])
        return None if 0.0 <= q0 and dq >= 0.0 and q0 + dq < 1.0 else \
            "outside 0 <= q0 <= q1 < 1"


def free_entropy_spherical(alpha, kappa, m, q0, q1, rule=None) -> dict:
    """The spherical 1RSB free entropy as named terms (``entropic``, ``energetic``,
    ``free_entropy``) at arbitrary 0 <= q0 <= q1 < 1, m > 0."""
    en = energetic_terms("margin", q0, q1, m, kappa, rule)
    gs = entropic_spherical_terms(q0, q1, m)["G_S"]
    return {"entropic": gs, "energetic": alpha * en["G_E"], "free_entropy": gs + alpha * en["G_E"]}


RSB1_SPHERICAL = RSB1Spherical()


def rsb1_spherical(alpha: float, kappa: float, *, m: float, x0=None, tol: float = 1e-11
                   ) -> Solution:
    r"""The spherical 1RSB saddle point at (alpha, kappa, m) (the model ``rsb1-spherical``);
    ``x0`` = (q0, q1) warm start (default: near the AT bifurcation). The equilibrium m (zero
    complexity) is located by :func:`replica.rsb1_thresholds.static_1rsb`. Raises
    ConvergenceError if the solve falls back onto RS (q1 - q0 < 1e-7; before the AT line only
    RS exists)."""
    p = RSB1_SPHERICAL.validate({"alpha": alpha, "kappa": kappa, "m": m})
    if x0 is not None:
        x0 = np.atleast_1d(np.asarray(x0, dtype=float))
        if x0.size != 2:
            raise ReplicaInputError("x0 must have 2 entries (q0, q1)")
        x0 = RSB1_SPHERICAL.unknowns({"q0": x0[0], "q1": x0[1]}, p)
    sol = RSB1_SPHERICAL.saddle(p, x0=x0, tol=tol, validate=False)
    if sol.thermo["q1_minus_q0"] < 1e-7:
        raise ConvergenceError("the 1RSB solve reached the RS point q1 = q0",
                               model="rsb1-spherical", params=p, x=sol.u,
                               residual=sol.residual,
                               hint="RS is the only solution before the AT line")
    return sol


# ---------------------------------------------------------------------------------------------
# Jamming (SAT/UNSAT) limit: q1 -> 1 with m = mu (1 - q1)
# ---------------------------------------------------------------------------------------------


def jamming_terms(q0, mu, kappa, rule=None):
    """(A, B) of Psi = A + alpha B (module docstring of :mod:`replica.models.rsb1`)."""
    xg, wg, L, base = _rule(rule)
    A = math.log1p(mu * (1.0 - q0)) / (2.0 * mu) + q0 / (2.0 * (1.0 + mu * (1.0 - q0)))
    B = K.jamming_energetic(float(q0), float(mu), float(kappa), xg, wg, L, base) / mu
    return A, B


def jamming_psi(alpha: float, kappa: float, q0: float, mu: float, *, rule=None) -> dict:
    r""":math:`\Psi(q_0, \mu) = A(q_0,\mu) + \alpha B(q_0,\mu)`, the coefficient of
    :math:`1/(1-q_1)` in the spherical 1RSB free entropy as q1 -> 1 with m = mu (1 - q1)
    (docs/THEORY.md §8.1). Keys ``A`` (entropic), ``B`` (energetic per unit alpha), ``psi``,
    ``alpha_zero`` (= -A/B, the load where Psi vanishes)."""
    q0 = check_range("q0", q0, 0.0, 1.0, hi_open=True)
    mu = check_range("mu", mu, 0.0, lo_open=True)
    A, B = jamming_terms(q0, mu, check_finite("kappa", kappa), rule)
    return {"A": A, "B": B, "psi": A + alpha * B, "alpha_zero": -A / B}
