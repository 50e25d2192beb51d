r"""Gardner volume with a margin: the replica-symmetric entropy of perceptron weights that classify
P = alpha N random patterns with stability at least kappa.

Models (docs/THEORY.md §1):

* ``"spherical"`` (Gardner 1988): :math:`|w|^2 = N`, entropy normalised by the sphere's volume;
* ``"binary"`` (Gardner & Derrida 1988): :math:`w \in \{-1,+1\}^N`, entropy = (1/N) ln #solutions.

Energetic term (both models), with :math:`u(z) = (\kappa - \sqrt q z)/\sqrt{1-q}`:

.. math::  E(q) = \int Dz\, \ln H(u(z)).

Free entropies

.. math::

    \phi_{\rm sph}(q) &= \tfrac12\ln(1-q) + \frac{q}{2(1-q)} + \alpha E(q), \\
    \phi_{\rm bin}(q,\hat q) &= -\frac{\hat q(1-q)}{2} + \int Dz\,\ln 2\cosh(\sqrt{\hat q} z) + \alpha E(q),

stationary at :math:`q = \alpha J(q)` (spherical) and :math:`\hat q = \alpha J(q)/(1-q)^2`,
:math:`1-q = \int Dz\,\mathrm{sech}^2(\sqrt{\hat q} z)` (binary), where

.. math::  J(q) = (1-q)\int Dz\, G(u)^2 = -2(1-q)^2 E'(q)

stays finite as q -> 1 (J(1) = int_{-inf}^{kappa} Dt (kappa - t)^2 = 1/alpha_c^sph(kappa)).

Numerics (why the code looks as it does): as q -> 1, E diverges like -A(q)/(2(1-q)) with the
closed form :math:`A(q) = \int_{u>0} Dz\,(\kappa-\sqrt q z)^2 = q[(1+c^2)\Phi(c) + c\,\phi(c)]`,
:math:`c = \kappa/\sqrt q`. We subtract it analytically,

.. math:: E = E_r - \frac{A}{2(1-q)},\quad E_r = \int Dz\,[\ln H(u) + \theta(u) u^2/2],\qquad
          J = A + (1-q) J_r,\quad J_r = \int Dz\,[G(u)^2 - \theta(u) u^2],

and integrate the bounded remainders with a composite Gauss–Legendre rule refined geometrically
around the kink :math:`z = c` (width :math:`\sqrt{(1-q)/q}`). At the saddle point the spherical
entropy is then :math:`\tfrac12\ln(1-q) + \alpha(E_r + J_r/2)` with no cancellation at all.
Unknowns are 1-q (not q) so that q -> 1 keeps full relative precision.

Replicon (RS stability, de Almeida–Thouless): :math:`\lambda_R = 1 - \alpha\,\gamma_E\,\gamma_S`
with :math:`\gamma_E = (1-q)^{-2}\int Dz\,[G(u)(G(u)-u)]^2` (the squared second derivative of
ln H in the field) and :math:`\gamma_S = (1-q)^2` (spherical) or
:math:`\int Dz\,\mathrm{sech}^4(\sqrt{\hat q}z)` (binary). RS is locally stable iff
:math:`\lambda_R > 0`. Spherical, q -> 1: :math:`\lambda_R \to 1 - \alpha\,\Phi(\kappa)`.
"""
from __future__ import annotations

import math

import numpy as np

from .._numba import jit
from ..arrays import along_array
from ..errors import (ConvergenceError, ReplicaInputError, check_finite, check_options,
                      check_range)
from ..gauss import (F_margin_s, G_minus_x_s, G_s, H_s, cosh_terms_s, erfcx_s, gauss_legendre,
                     graded_edges, log_H_G_s, log_H_s, one_minus_x_mills_s, phi_s,
                     rule_on_edges)
from ..solve import Solution, solve, zero_on_branch
from ..special import capacity_spherical, kappa_max_spherical, log_capacity_spherical
from .base import Param, SaddleModel

__all__ = [
    "MODELS", "gardner", "capacity", "capacity_spherical_closed_form", "capacity_from_saddle",
    "kappa_max", "energetic_integrals", "entropic_integrals", "free_entropy",
    "fixed_point_map", "spherical_A",
]

MODELS = ("binary", "spherical")
_INV_SQRT2 = 1.0 / math.sqrt(2.0)
_SQRT_2_OVER_PI = math.sqrt(2.0 / math.pi)
_NODES = 12
_L = 11.0      # Gaussian mass beyond: 2 H(11) = 3.8e-28
_BASE = 3.0   # coarse panel width away from the kink (GL-12 on width 3: error < 1e-15)
_XG, _WG = (np.array(a) for a in gauss_legendre(_NODES))
_TOL_FLOOR = 64 * float(np.finfo(float).eps)   # smallest residual tolerance of a solve
_ONE_MINUS_Q_MIN = 1e-13   # below this 1-q cannot be represented against q in double precision


def check_model(model: str) -> str:
    if model not in MODELS:
        raise ReplicaInputError(f"unknown model {model!r}; choose one of {', '.join(MODELS)}")
    return model


# ---------------------------------------------------------------------------------------------
# Integrals (numba kernels)
# ---------------------------------------------------------------------------------------------


@jit
def spherical_A(q, kappa):
    """A(q) = int Dz theta(u) (kappa - sqrt(q) z)^2 = q [(1+c^2) Phi(c) + c phi(c)], c = kappa/sqrt q.

    A(1) = int_{-inf}^{kappa} Dt (kappa - t)^2 = 1/alpha_c^sph(kappa) (Gardner 1988).
    For q = 0 the integrand is kappa^2 theta(kappa).
    """
    if q <= 0.0:
        return kappa * kappa if kappa > 0.0 else 0.0
    return q * F_margin_s(kappa / math.sqrt(q))


@jit
def _energetic_pass(v, kappa, xg, wg):
    """(E_r, J_r, K, A, dJ/dv, d^2J/dv^2) at q = 1 - v; see the module docstring.

    The v-derivatives of J = A + v J_r come from the same pass (used by the Halley/Newton
    solves): dA/dv = -Phi(c), d^2A/dv^2 = -phi(c) kappa/(2 q^(3/2)) (c = kappa/sqrt q), and at
    fixed z, with f(u) = G(u)^2 - theta(u) u^2, f' = 2 b(u), b = G^2 (G - u) - theta(u) u,
    b' = G^2 [(G - u)(3G - 2u) - 1] - theta(u), u_v = z/(2 sqrt(q v)) - u/(2v),
    u_vv = -z (1 - 2v)/(4 (q v)^(3/2)) - u_v/(2v) + u/(2 v^2):
    J_r' = int Dz f' u_v, J_r'' = int Dz [f'' u_v^2 + f' u_vv]. For u >= 30, where b and b'
    cancel, both come from the asymptotic series of G: b = 3/u^3 - 32/u^5 + 372/u^7 - 4896/u^9
    (relative truncation error < 1e-7 there) and its derivative.
    """
    q = 1.0 - v
    A = spherical_A(q, kappa)
    if q <= 0.0:
        u = kappa
        er = log_H_s(u) + (0.5 * u * u if u > 0.0 else 0.0)
        g = G_s(u)
        jr = g * g - (u * u if u > 0.0 else 0.0)
        k = (g * G_minus_x_s(u)) ** 2
        return er, jr, k, A, math.nan, math.nan
    sq = math.sqrt(q)
    sv = math.sqrt(v)
    centers = np.array([kappa / sq])
    widths = np.array([sv / sq])
    edges = graded_edges(centers, widths, _L, _BASE)
    er = 0.0
    jr = 0.0
    k = 0.0
    dr = 0.0
    d2r = 0.0
    zs, ws = rule_on_edges(edges, xg, wg, True)
    c1 = 0.5 / math.sqrt(q * v)
    c2 = 0.5 / v
    c1v = -2.0 * (1.0 - 2.0 * v) * c1 * c1 * c1     # d c1/dv = -(1 - 2v)/(4 (q v)^(3/2))
    for i in range(zs.shape[0]):
        z = zs[i]
        w = ws[i]
        u = (kappa - sq * z) / sv
        if u > 0.0:
            # one erfcx per node: ln H + u^2/2 = ln(erfcx/2), G = sqrt(2/pi)/erfcx
            ex = erfcx_s(u * _INV_SQRT2)
            g = _SQRT_2_OVER_PI / ex
            gmu = g * one_minus_x_mills_s(u) if u >= 10.0 else g - u
            er += w * math.log(0.5 * ex)
            jr += w * gmu * (g + u)      # G^2 - u^2 = (G - u)(G + u)
            if u < 30.0:
                br = g * g * gmu - u
                bp = g * g * (gmu * (3.0 * g - 2.0 * u) - 1.0) - 1.0
            else:
                iu2 = 1.0 / (u * u)
                br = (3.0 + iu2 * (-32.0 + iu2 * (372.0 - 4896.0 * iu2))) * iu2 / u
                bp = -(9.0 + iu2 * (-160.0 + iu2 * (2604.0 - 44064.0 * iu2))) * iu2 * iu2
        else:
            lh, g = log_H_G_s(u)     # one erfc for both
            gmu = g - u
            er += w * lh
            jr += w * g * g
            br = g * g * gmu
            bp = g * g * (gmu * (3.0 * g - 2.0 * u) - 1.0)
        k += w * (g * gmu) ** 2
        uv = c1 * z - c2 * u
        dr += w * br * uv
        d2r += w * (bp * uv * uv + br * (c1v * z - c2 * uv + c2 * u / v))
    c = kappa / sq
    dJ = -(1.0 - H_s(c)) + jr + 2.0 * v * dr
    d2J = -phi_s(c) * c / (2.0 * q) + 4.0 * dr + 2.0 * v * d2r
    return er, jr, k, A, dJ, d2J


@jit
def _energetic_kernel(v, kappa, xg, wg):
    """(E_r, J_r, K, A) at q = 1 - v; see the module docstring."""
    er, jr, k, A, _, _ = _energetic_pass(v, kappa, xg, wg)
    return er, jr, k, A


@jit
def _entropic_kernel(qh, xg, wg):
    """(int Dz ln 2cosh(sqrt(qh) z), int Dz sech^2, int Dz sech^4) with panels graded at z = 0."""
    lc, s2, s4, _ = _entropic_pass(qh, xg, wg)
    return lc, s2, s4


@jit
def _entropic_pass(qh, xg, wg):
    """:func:`_entropic_kernel` and int Dz sech^6 (for the second qh-derivative of the sech^2
    integral, :func:`_residual_pass`)."""
    s = math.sqrt(qh)
    if s == 0.0:
        return math.log(2.0), 1.0, 1.0, 1.0
    width = 1.0 / s
    centers = np.array([0.0])
    widths = np.array([width])
    edges = graded_edges(centers, widths, _L, _BASE)
    lc = 0.0
    s2 = 0.0
    s4 = 0.0
    s6 = 0.0
    zs, ws = rule_on_edges(edges, xg, wg, True)
    for i in range(zs.shape[0]):
        z = zs[i]
        w = ws[i]
        # ln 2cosh h and sech^2 h from one exponential, no overflow
        l2c, sech2, _, _ = cosh_terms_s(s * z)
        lc += w * l2c
        s2 += w * sech2
        s4 += w * sech2 * sech2
        s6 += w * sech2 * sech2 * sech2
    return lc, s2, s4, s6


@jit
def _residual_pass(binary, alpha, kappa, v, xg, wg):
    """The scalar residual g(v) of :func:`_residual_v`, its first and second derivatives in
    ln v, and the integrals it used: (g, dg, E_r, J_r, K, A, qh, ln2cosh, sech2, sech4, d2g).

    Spherical: g_v = alpha J' + 1, g_vv = alpha J''. Binary: with S_k = int Dz sech^k and Stein's
    lemma on int Dz z sech^k tanh, S2' = 2 S2 - 3 S4 and S4' = 8 S4 - 10 S6 (derivatives in
    qh), so g_v = S2' qh' - 1 and g_vv = (2 S2' - 3 S4') qh'^2 + S2' qh'', with qh = alpha J/v^2,
    qh' = alpha (J'/v^2 - 2J/v^3), qh'' = alpha (J''/v^2 - 4J'/v^3 + 6J/v^4); d2g is NaN (no
    curvature step) where these cancel, qh > 1e4."""
    er, jr, k, A, dJ, d2J = _energetic_pass(v, kappa, xg, wg)
    J = A + v * jr
    if binary:
        v2 = v * v
        qh = alpha * J / v2
        lc, s2, s4, s6 = _entropic_pass(qh, xg, wg)
        g = s2 - v
        d1 = 2.0 * s2 - 3.0 * s4
        d2 = 2.0 * d1 - 3.0 * (8.0 * s4 - 10.0 * s6)
        qp = alpha * (dJ / v2 - 2.0 * J / (v2 * v))
        qpp = alpha * (d2J / v2 - 4.0 * dJ / (v2 * v) + 6.0 * J / (v2 * v2))
        gv = d1 * qp - 1.0
        # S2' and S2'' cancel to O(qh^-3/2), O(qh^-5/2) out of O(qh^-1/2) terms: relative
        # rounding ~ eps qh^2, so the curvature is not used beyond qh = 1e4 (Newton there)
        gvv = d2 * qp * qp + d1 * qpp if qh < 1e4 else math.nan
    else:
        qh = 0.0
        lc = s2 = s4 = 0.0
        g = alpha * J - (1.0 - v)
        gv = alpha * dJ + 1.0
        gvv = alpha * d2J
    return g, v * gv, er, jr, k, A, qh, lc, s2, s4, v * gv + v * v * gvv


@jit
def _warm_newton(binary, alpha, kappa, v0, xg, wg, gtol, max_eval):
    """Halley's method on g(v) from a warm start v0, with the analytic first and second
    derivatives of :func:`_residual_pass` (cubic convergence: 3 evaluations from a neighbouring
    point of a continuation): the step is taken in v (g is nearly linear in v as q -> 1, e.g.
    near the spherical capacity) unless it changes v by more than a factor 4, then in ln v;
    steps in ln v are halved while |g| does not decrease. Every evaluated v is
    snapped to 1 - (1 - v), so that q = 1 - v reproduces v exactly.
    Returns (ok, v, evaluations, g, E_r, J_r, K, A, qh, ln2cosh, sech2, sech4); ok = False when
    the budget is exhausted or no decrease is found (the caller then falls back)."""
    v = 1.0 - (1.0 - v0)
    out = _residual_pass(binary, alpha, kappa, v, xg, wg)
    nev = 1
    lv = math.log(v)
    while nev < max_eval:
        g = out[0]
        if abs(g) <= gtol:
            return (True, v, nev, g, out[2], out[3], out[4], out[5], out[6], out[7], out[8],
                    out[9])
        # Halley's step (cubic convergence) in v, where g is close to linear as q -> 1 (J(q)
        # is analytic in 1 - q there); in ln v if it would change v by more than a factor 4;
        # Newton's where the curvature term is unusable
        g1 = out[1] / v
        den = 2.0 * g1 * g1 - g * (out[10] - out[1]) / (v * v)
        dv = -2.0 * g * g1 / den if den > 0.5 * g1 * g1 else -g / g1
        if -0.75 * v < dv < 3.0 * v:
            step = math.log1p(dv / v)
        else:
            den = 2.0 * out[1] * out[1] - g * out[10]
            step = -2.0 * g * out[1] / den if den > 0.5 * out[1] * out[1] else -g / out[1]
        if not math.isfinite(step):
            break
        step = min(max(step, -3.0), 3.0)
        lam = 1.0
        accepted = False
        while lam > 1.0 / 64.0 and nev < max_eval:
            lvn = lv + lam * step
            vn = 1.0 - (1.0 - math.exp(lvn))
            if 1e-13 <= vn < 1.0:
                trial = _residual_pass(binary, alpha, kappa, vn, xg, wg)
                nev += 1
                if math.isfinite(trial[0]) and math.isfinite(trial[1]) \
                        and abs(trial[0]) < abs(g):
                    v, lv, out = vn, math.log(vn), trial
                    accepted = True
                    break
            lam *= 0.5
        if not accepted:
            break
    g = out[0]
    return (abs(g) <= gtol, v, nev, g, out[2], out[3], out[4], out[5], out[6], out[7], out[8],
            out[9])


@jit
def _grid_newton(binary, alpha, kappa, lv_grid, xg, wg, gtol, max_eval):
    """Cold solve: the first sign change of g along ``lv_grid`` (ln v, from the q = 0 end: the
    root connected to q = 0, as :func:`_solve_v`), then Newton's method safeguarded by
    bisection inside that bracket (a Newton step leaving the bracket is replaced by its
    midpoint), with the derivative of :func:`_residual_pass`. Evaluated v are snapped to
    1 - (1 - v). Returns the tuple of :func:`_warm_newton`; ok = False if no sign change, a
    non-finite residual, or no convergence within ``max_eval`` evaluations."""
    v = 1.0 - (1.0 - math.exp(lv_grid[0]))
    out = _residual_pass(binary, alpha, kappa, v, xg, wg)
    nev = 1
    lv = lv_grid[0]
    found = False
    lo = lv
    hi = lv
    glo = out[0]
    for i in range(1, lv_grid.shape[0]):
        if not math.isfinite(out[0]):
            break
        if out[0] == 0.0:
            return (True, v, nev, 0.0, out[2], out[3], out[4], out[5], out[6], out[7], out[8],
                    out[9])
        vn = 1.0 - (1.0 - math.exp(lv_grid[i]))
        nxt = _residual_pass(binary, alpha, kappa, vn, xg, wg)
        nev += 1
        if math.isfinite(nxt[0]) and nxt[0] * out[0] < 0.0:
            lo, glo, hi = lv, out[0], lv_grid[i]
            if abs(nxt[0]) < abs(out[0]):
                out, v, lv = nxt, vn, lv_grid[i]
            found = True
            break
        out, v, lv = nxt, vn, lv_grid[i]
    if not found:
        return (False, v, nev, out[0], out[2], out[3], out[4], out[5], out[6], out[7], out[8],
                out[9])
    # invariant: g(lo) has the sign of glo, g(hi) the opposite one; lv is the best point
    while nev < max_eval:
        g = out[0]
        if abs(g) <= gtol:
            return (True, v, nev, g, out[2], out[3], out[4], out[5], out[6], out[7], out[8],
                    out[9])
        a = min(lo, hi)
        b = max(lo, hi)
        step = -g / out[1]
        lvn = lv + step
        if not (math.isfinite(lvn) and a < lvn < b):
            lvn = 0.5 * (a + b)
        vn = 1.0 - (1.0 - math.exp(lvn))
        trial = _residual_pass(binary, alpha, kappa, vn, xg, wg)
        nev += 1
        if not math.isfinite(trial[0]):
            break
        if trial[0] * glo > 0.0:
            lo, glo = lvn, trial[0]
        else:
            hi = lvn
        if abs(trial[0]) <= abs(g) or abs(hi - lo) < 1e-15 * max(1.0, abs(lvn)):
            out, v, lv = trial, vn, lvn
        if abs(hi - lo) < 1e-15 * max(1.0, abs(lv)):
            break
    g = out[0]
    return (abs(g) <= gtol, v, nev, g, out[2], out[3], out[4], out[5], out[6], out[7], out[8],
            out[9])


def _fast_solve(model, alpha, kappa, v_start=None, gtol=4e-15):
    """The root v of :func:`_residual_v` by :func:`_warm_newton` (warm start ``v_start``) or
    :func:`_grid_newton` (cold, along ``_V_GRID``), with the integrals at the root left in the
    one-entry memos (the thermodynamics reuse them). Returns v, or None (no convergence, no sign
    change, non-finite residual): the caller then takes the general path of :func:`_solve_v`,
    which reports the failure."""
    if v_start is not None:
        r = _warm_newton(model == "binary", float(alpha), float(kappa), float(v_start), _XG,
                         _WG, gtol, 10)
    else:
        r = _grid_newton(model == "binary", float(alpha), float(kappa), _LV_GRID, _XG, _WG,
                         gtol, 80)
    if not r[0]:
        return None
    v = r[1]
    _LAST_EN[0] = ((v, kappa), (r[4], r[5], r[6], r[7]))
    if model == "binary":
        _LAST_ENT[0] = (r[8], (r[9], r[10], r[11]))
    return v


def energetic_integrals(q: float, kappa: float) -> dict:
    """E(q), J(q), the replicon integral K(q) = int Dz [G(G-u)]^2 and their regular parts.

    Returns a dict with keys ``E``, ``E_r``, ``J``, ``J_r``, ``K``, ``A`` (see module docstring).
    """
    v = 1.0 - q
    er, jr, k, A = _energetic_last(v, kappa)
    E = er - A / (2.0 * v) if q > 0 else er
    return {"E": E, "E_r": er, "J": A + v * jr, "J_r": jr, "K": k, "A": A}


def entropic_integrals(qh: float) -> dict:
    """Binary entropic integrals: ``log2cosh`` = int Dz ln 2cosh(sqrt(qh) z), ``sech2`` = 1 - q_new,
    ``sech4`` = int Dz sech^4 (the replicon's entropic factor)."""
    lc, s2, s4 = _entropic_last(qh)
    return {"log2cosh": lc, "sech2": s2, "sech4": s4}


# ---------------------------------------------------------------------------------------------
# Free entropies and fixed-point maps
# ---------------------------------------------------------------------------------------------


def free_entropy(model: str, alpha: float, kappa: float, q: float, qh: float | None = None) -> dict:
    """RS free entropy at arbitrary (not necessarily stationary) order parameters.

    Returns ``entropy`` (phi), ``entropic`` and ``energetic`` (= alpha E) parts. Spherical:
    phi(q) = 1/2 ln(1-q) + q/(2(1-q)) + alpha E(q). Binary: phi(q, qh) = -qh(1-q)/2
    + int Dz ln 2cosh(sqrt(qh) z) + alpha E(q) (Gardner & Derrida 1988).
    """
    check_model(model)
    v = 1.0 - q
    en = energetic_integrals(q, kappa)
    if model == "spherical":
        entropic = 0.5 * math.log(v) + q / (2.0 * v)
        # regrouped: the two 1/(1-q) divergences cancel analytically when q = alpha J
        phi = 0.5 * math.log(v) + (q - alpha * en["A"]) / (2.0 * v) + alpha * en["E_r"]
    else:
        if qh is None:
            raise ReplicaInputError("binary free entropy needs qh")
        entropic = -qh * v / 2.0 + entropic_integrals(qh)["log2cosh"]
        phi = entropic + alpha * en["E"]
    return {"entropy": phi, "entropic": entropic, "energetic": alpha * en["E"]}


def fixed_point_map(model: str, alpha: float, kappa: float):
    """The saddle-point equations as a fixed-point map F(x) = x on the unknowns x.

    Spherical: x = (q,), F = alpha J(q). Binary: x = (q, qh),
    F = (1 - int Dz sech^2(sqrt(qh) z), alpha J(q)/(1-q)^2).
    """
    check_model(model)
    if model == "spherical":
        def F(x):
            q = float(x[0])
            if not 0.0 <= q < 1.0:
                return np.array([np.nan])
            return np.array([alpha * energetic_integrals(q, kappa)["J"]])
        return F

    def F(x):
        q, qh = float(x[0]), float(x[1])
        if not (0.0 <= q < 1.0 and qh >= 0.0):
            return np.array([np.nan, np.nan])
        return np.array([1.0 - entropic_integrals(qh)["sech2"],
                         alpha * energetic_integrals(q, kappa)["J"] / (1.0 - q) ** 2])
    return F


def _residual_v(model, alpha, kappa):
    """Scalar residual g(v), v = 1 - q, whose root is the saddle point (q = 1 - v).

    Spherical: g = alpha J(1-v) - (1-v). Binary: g = int Dz sech^2(sqrt(qh(v)) z) - v with
    qh(v) = alpha J(1-v)/v^2 (the conjugate eliminated analytically).
    """
    if model == "spherical":
        def g(v):
            return alpha * _energetic_kernel_J(v, kappa) - (1.0 - v)
    else:
        def g(v):
            qh = alpha * _energetic_kernel_J(v, kappa) / (v * v)
            return _entropic_last(qh)[1] - v
    return g


def _energetic_kernel_J(v, kappa):
    er, jr, k, A = _energetic_last(v, kappa)
    return A + v * jr


# One-entry memo of the last kernel evaluation: a solve evaluates the residual at its root, and
# the thermodynamics at the same point then reuse those integrals (same arguments, same values).
_LAST_EN = [None]
_LAST_ENT = [None]


def _energetic_last(v, kappa):
    key = (v, kappa)
    last = _LAST_EN[0]
    if last is not None and last[0] == key:
        return last[1]
    out = _energetic_kernel(v, kappa, _XG, _WG)
    _LAST_EN[0] = (key, out)
    return out


def _entropic_last(qh):
    last = _LAST_ENT[0]
    if last is not None and last[0] == qh:
        return last[1]
    out = _entropic_kernel(qh, _XG, _WG)
    _LAST_ENT[0] = (qh, out)
    return out


def _thermo(model, alpha, kappa, q, qh, en=None, ent=None):
    v = 1.0 - q
    if en is None:
        en = energetic_integrals(q, kappa)
    if model == "spherical":
        entropic = 0.5 * math.log(v) + q / (2.0 * v)
        # at the saddle q - alpha A = alpha v J_r exactly: no 1/(1-q) cancellation left
        phi = 0.5 * math.log(v) + alpha * (en["E_r"] + 0.5 * en["J_r"])
        replicon = 1.0 - alpha * en["K"]
        gamma_S = v * v
    else:
        if ent is None:
            ent = entropic_integrals(qh)
        entropic = -qh * v / 2.0 + ent["log2cosh"]
        phi = entropic + alpha * en["E"]
        gamma_S = ent["sech4"]
        replicon = 1.0 - alpha * en["K"] * gamma_S / (v * v)
    return {"entropy": phi, "entropic": entropic, "energetic": alpha * en["E"],
            "replicon": replicon, "one_minus_q": v}


# ---------------------------------------------------------------------------------------------
# Front door
# ---------------------------------------------------------------------------------------------


def _check_inputs(model, alpha, kappa):
    check_model(model)
    alpha = check_range("alpha", alpha, 0.0)
    kappa = check_finite("kappa", kappa)
    if model == "spherical" and alpha > 0:
        log_ac = log_capacity_spherical(kappa)      # log space: finite for every kappa
        if math.log(alpha) >= log_ac:
            ac = f"{math.exp(log_ac):.10g}" if log_ac < 709 else f"exp({log_ac:.10g})"
            raise ReplicaInputError(
                f"alpha = {alpha} is at or beyond the spherical capacity alpha_c({kappa}) = "
                f"{ac}: no solutions (equivalently kappa = {kappa} exceeds kappa_max(alpha) "
                f"= {kappa_max_spherical(alpha):.10g})")
    return alpha, kappa


# log grid in v = 1 - q from the q = 0 end down to 1 - q = 1e-13: the root connected to q = 0
_V_GRID = np.concatenate([[1.0], 1.0 - np.linspace(0.05, 0.95, 19), np.logspace(-1.5, -13, 24)])
_LV_GRID = np.log(_V_GRID)


def _solve_v(g, v_start=None, model="", params=None, tol=1e-12):
    """The root v of g(v) on (0, 1] connected to q = 0, in the unknown ln v, through
    :func:`replica.solve.solve`: from a warm start the secant method (``"broyden"`` in one
    unknown), then an expanding bracket around it; cold, Brent on the first sign change along
    the log grid from v = 1 (the q = 0 end)."""
    def F(x):
        v = math.exp(float(x[0]))
        return np.array([x[0] + g(v)]) if v <= 1.0 else np.array([math.nan])

    if v_start is not None and 0.0 < v_start < 1.0:
        x0 = [math.log(v_start)]
        try:
            return math.exp(solve(F, x0, method="broyden", tol=4e-15, max_iter=12,
                                  model=model, params=params).x[0])
        except ConvergenceError:
            pass
        try:
            return math.exp(solve(F, x0, method="bracket", tol=tol, max_iter=40, model=model,
                                  params=params).x[0])
        except ConvergenceError:
            pass
    try:
        sol = solve(F, [0.0], method="bracket", grid=np.log(_V_GRID), tol=tol, model=model,
                    params=params)
    except ConvergenceError as exc:
        raise ConvergenceError(
            "no RS saddle point: the residual does not change sign for 1-q in [1e-13, 1]",
            model=model, params=params, x=exc.x, residual=exc.residual,
            iterations=len(_V_GRID), method="bracket",
            hint="alpha is beyond the range where the RS solution exists (binary: beyond the "
                 "spinodal of the RS solution, past capacity)") from None
    return math.exp(sol.x[0])


@along_array("alpha", "kappa")
def gardner(model: str, alpha: float, kappa: float = 0.0, *, method: str = "bracket",
            x0=None, tol: float = 1e-12, allow_negative_entropy: bool = False,
            **options) -> Solution:
    """RS Gardner volume at (alpha, kappa); see :func:`_gardner`. Binary: a negative RS entropy
    means no solutions (kappa > kappa_max(alpha), or alpha > alpha_c(kappa)) and raises
    ReplicaInputError unless ``allow_negative_entropy`` (used when locating the zero)."""
    check_options("gardner", options, () if method == "bracket" else
                  {"iterate": ("mixing", "bounds", "max_iter"),
                   "newton": ("fd_step", "bounds", "max_iter"),
                   "hybrid": ("bounds", "max_iter")}.get(method, ()))
    if not (isinstance(tol, (int, float)) and math.isfinite(tol) and tol > 0):
        raise ReplicaInputError(f"tol must be a positive number, got {tol!r}")
    if method not in ("bracket", "iterate", "newton", "hybrid"):
        raise ReplicaInputError(f"unknown method {method!r}; choose one of bracket, iterate, "
                                "newton, hybrid")
    if x0 is not None:
        n = 1 if (model == "spherical" or method == "bracket") else 2
        try:
            x0v = np.atleast_1d(np.asarray(x0, dtype=float))
        except (TypeError, ValueError):
            raise ReplicaInputError(f"x0 must be numbers, got {x0!r}") from None
        if x0v.ndim != 1 or x0v.size < n or (method != "bracket" and x0v.size != n) \
                or not all(map(math.isfinite, x0v.tolist())):
            raise ReplicaInputError(f"x0 must hold {n} finite value(s) "
                                    f"({'q' if n == 1 else 'q, qh'}) for model {model!r} with "
                                    f"method {method!r}, got {x0!r}")
    try:
        sol = _gardner(model, alpha, kappa, method=method, x0=x0, tol=tol, **options)
    except ConvergenceError:
        # binary beyond the spinodal of the RS solution is past capacity: no solutions, which
        # is the same answer (and exit code) as a negative RS entropy just past alpha_c
        if model != "binary" or allow_negative_entropy or method != "bracket":
            raise
        a, k = float(alpha), float(kappa)
        km = kappa_max("binary", a) if a > 0 else math.inf
        if k <= km:
            raise
        raise ReplicaInputError(
            f"binary perceptron at alpha = {a}, kappa = {k}: beyond capacity (kappa_max(alpha)"
            f" = {km:.10g}); RS has no solution there (no solutions)") from None
    if model == "binary" and sol.thermo["entropy"] < 0 and not allow_negative_entropy:
        raise ReplicaInputError(
            f"binary perceptron at alpha = {sol.params['alpha']}, kappa = {sol.params['kappa']}: "
            f"the RS entropy is negative ({sol.thermo['entropy']:.6g}), i.e. kappa exceeds "
            f"kappa_max(alpha) = {kappa_max('binary', sol.params['alpha']):.10g} (no solutions); "
            "the RS continuation with negative entropy is given only when asked for "
            "explicitly (allow negative entropy)")
    return sol


def _gardner(model: str, alpha: float, kappa: float = 0.0, *, method: str = "bracket",
             x0=None, tol: float = 1e-12, **options) -> Solution:
    """RS Gardner volume at (alpha, kappa): order parameters, entropy and its parts, replicon.

    Parameters
    ----------
    model : "binary" or "spherical".
    alpha : load P/N >= 0 (spherical: below alpha_c(kappa), else ReplicaInputError).
    kappa : margin (any real; negative margins are non-convex for the spherical model).
    method : "bracket" (default: Brent on 1-q after eliminating the conjugate; robust),
        or any :func:`replica.solve.solve` method ("iterate", "newton", "hybrid") applied to
        :func:`fixed_point_map` (x = (q,) or (q, qh)).
    x0 : warm start (q, or (q, qh)); for "bracket" only its q is used.

    Returns a :class:`~replica.solve.Solution` with order ``q`` (and ``qh``), thermo
    ``entropy``, ``entropic``, ``energetic``, ``replicon`` (> 0: RS stable), ``one_minus_q``.
    """
    alpha, kappa = _check_inputs(model, alpha, kappa)
    params = {"alpha": alpha, "kappa": kappa}
    names = ["q"] if model == "spherical" else ["q", "qh"]
    if alpha == 0.0:
        q, qh = 0.0, 0.0
        x = np.array([q] if model == "spherical" else [q, qh])
        th = _thermo(model, alpha, kappa, q, qh)
        return Solution(order=dict(zip(names, x.tolist())), residual=np.zeros(len(names)),
                        status="converged", iterations=0, method=method, model=model,
                        params=params, thermo=th)
    if method == "bracket":
        v_start = None
        if x0 is not None:
            v_start = 1.0 - float(np.atleast_1d(x0)[0])
        v = _fast_solve(model, alpha, kappa,
                        v_start if v_start is not None and 0.0 < v_start < 1.0 else None)
        if v is None:
            v = _solve_v(_residual_v(model, alpha, kappa), v_start, model, params,
                         tol=max(tol, _TOL_FLOOR))
        q = 1.0 - v
        en = energetic_integrals(q, kappa)
        if model == "spherical":
            qh = 0.0
            x = np.array([q])
            gres = alpha * en["J"] - q
            res = np.array([gres])
            th = _thermo(model, alpha, kappa, q, qh, en=en)
        else:
            qh = alpha * en["J"] / (v * v)
            x = np.array([q, qh])
            ent = entropic_integrals(qh)
            gres = ent["sech2"] - v
            res = np.array([-gres, 0.0])  # F(x) - x; the qh equation holds by construction
            th = _thermo(model, alpha, kappa, q, qh, en=en, ent=ent)
        if abs(gres) > max(tol, _TOL_FLOOR):
            raise ConvergenceError("Brent root does not satisfy the saddle-point equation",
                                   model=model, params=params, x=x, residual=res,
                                   method="bracket")
        return Solution(order=dict(zip(names, x.tolist())), residual=res,
                        status="converged", iterations=0, method="bracket", model=model,
                        params=params, thermo=th)
    # generic solver on the fixed-point map
    if x0 is None:
        x0 = _gardner(model, alpha, kappa).x  # start from the bracketed solution's neighbourhood
        x0 = x0 * (1 - 1e-3)
    F = fixed_point_map(model, alpha, kappa)
    sol = solve(F, x0, names=names, method=method, tol=tol, model=model, params=params,
                **options)
    q = sol.order["q"]
    qh = sol.order.get("qh", 0.0)
    th = _thermo(model, alpha, kappa, q, qh)
    return Solution(order=sol.order, residual=sol.residual, status=sol.status,
                    iterations=sol.iterations, method=sol.method, model=model, params=params,
                    thermo=th)


# ---------------------------------------------------------------------------------------------
# Capacity and maximum margin
# ---------------------------------------------------------------------------------------------


def capacity_spherical_closed_form(kappa: float) -> float:
    """alpha_c(kappa) = 1 / int_{-kappa}^inf Dt (t + kappa)^2 = 1/[(1+k^2) Phi(k) + k phi(k)]
    (Gardner 1988, q -> 1 limit). alpha_c(0) = 2 (Cover 1965). Evaluated in log space by
    :func:`replica.special.capacity_spherical` (no cancellation for negative kappa; kappa below
    about -37.5, where alpha_c overflows, raises ReplicaInputError)."""
    return capacity_spherical(kappa)


def capacity_from_saddle(kappa: float, one_minus_q: float = 1e-10) -> float:
    """Spherical capacity from the saddle point: alpha_c = lim_{q->1} q / J(q), with J evaluated
    by quadrature of (1-q) int Dz G(u)^2 (no closed form used); error O(1-q)."""
    q = 1.0 - one_minus_q
    sq, sv = math.sqrt(q), math.sqrt(one_minus_q)
    # direct quadrature of (1-q) G(u)^2, independent of the A(q) closed form
    from ..gauss import G, graded_gaussian_rule
    z, w = graded_gaussian_rule([kappa / sq], [sv / sq], n=_NODES)
    u = (kappa - sq * z) / sv
    J = one_minus_q * float(np.dot(w, G(u) ** 2))
    return q / J


@along_array("kappa")
def capacity(model: str, kappa: float = 0.0, *, tol: float = 1e-12) -> float:
    """Capacity alpha_c(kappa).

    Spherical: the closed form (cross-checked against :func:`capacity_from_saddle` in tests).
    Binary: the alpha at which the RS entropy vanishes (Krauth & Mézard 1989; alpha_c(0) =
    0.8331), found by Brent's method on s(alpha) — not the q -> 1 limit, which the binary RS
    solution does not reach at the zero of the entropy.
    """
    check_model(model)
    kappa = check_finite("kappa", kappa)
    if model == "spherical":
        return capacity_spherical_closed_form(kappa)
    s = lambda a: _gardner("binary", a, kappa).entropy
    # s(alpha) decreases from ln 2; bracket by stepping in alpha
    lo = 0.0
    # annealed bound gives an upper estimate: s <= ln 2 + alpha ln H(kappa)
    a_ann = math.log(2.0) / -float(log_H_s(kappa))
    hi = min(a_ann, 0.999 * math.exp(min(log_capacity_spherical(kappa), 700.0)))
    return zero_on_branch(s, lo, 0.05 * hi, 0.05 * hi, hi, xtol=tol, model="binary",
                          params={"kappa": kappa}, what="binary capacity")


@along_array("alpha")
def kappa_max(model: str, alpha: float, *, tol: float = 1e-12) -> float:
    """Maximum margin kappa_max(alpha): the largest kappa with a non-vanishing solution volume.

    Spherical: inverse of the closed-form alpha_c(kappa) (kappa_max(1) = 0.47066...).
    Binary: the kappa at which the RS entropy s(alpha, kappa) vanishes.
    """
    from scipy import optimize  # lazy: ~0.4 s of import, needed only here
    check_model(model)
    alpha = check_range("alpha", alpha, 0.0, lo_open=True)
    if model == "spherical":
        return kappa_max_spherical(alpha, tol=min(tol, 1e-14))
    s = lambda k: _gardner("binary", alpha, k).entropy
    # s decreases in kappa from ln 2 (kappa -> -inf); step up from the annealed estimate
    def s_or_none(k):
        try:
            return s(k)
        except ConvergenceError:  # no RS solution there (beyond its spinodal): not positive
            return None

    lo = -1.0
    while (s_lo := s_or_none(lo)) is None or s_lo <= 0:
        lo = 2.0 * lo
        if lo < -64:
            raise ConvergenceError("binary kappa_max: no positive RS entropy found for kappa "
                                   ">= -64", model="binary", params={"alpha": alpha})
    hi = lo
    step = 0.25
    while True:
        nxt = hi + step
        try:
            sv = s(nxt)
        except ConvergenceError:
            step /= 2
            if step < 1e-6:
                raise
            continue
        if sv < 0:
            hi = nxt
            break
        lo = hi = nxt
    return optimize.brentq(s, lo, hi, xtol=tol, rtol=1e-15, maxiter=200)


# ---------------------------------------------------------------------------------------------
# The model protocol (replica.models.base): "gardner-binary", "gardner-spherical"
# ---------------------------------------------------------------------------------------------


class GardnerModel(SaddleModel):
    """RS Gardner volume as a model of the protocol.

    Unknown: ``log_one_minus_q`` = ln(1 - q) (the conjugate qh is eliminated analytically,
    :func:`_residual_v`); residual g(1 - q) (spherical: alpha J - q, absolute; binary:
    [int Dz sech^2(sqrt(qh) z) - (1 - q)]/(1 - q) with qh = alpha J/(1-q)^2, relative, since
    both terms vanish as q -> 1, where the binary branch ends at alpha = (2/pi)
    alpha_c^sph(kappa)). Domain: 1 - q >= 1e-13 (spherical), 1e-11 (binary: below it the
    relative residual is at its rounding level). Known point: alpha = 0, q = 0. Parameters: ``alpha`` >= 0, ``kappa`` (default 0) and, binary only,
    ``allow_negative_entropy`` (the RS continuation past kappa_max / capacity).
    """

    unknown_names = ("log_one_minus_q",)
    method = "bracket"
    tol = 1e-12

    def __init__(self, weights: str):
        self.weights = check_model(weights)
        self.name = f"gardner-{weights}"
        self._v_min = _ONE_MINUS_Q_MIN if weights == "spherical" else 1e-11
        self.description = (f"RS Gardner volume of the {weights} perceptron with margin kappa "
                            "(docs/THEORY.md, Gardner volume)")
        self.order_names = ("q",) if weights == "spherical" else ("q", "qh")
        ps = [Param("alpha", 0.0, None, doc="load P/N"),
              Param("kappa", default=0.0, doc="margin")]
        if weights == "binary":
            ps.append(Param("allow_negative_entropy", kind="bool", default=False,
                            doc="return the RS continuation where the entropy is negative"))
        self.params = tuple(ps)

    def check(self, p):
        _check_inputs(self.weights, p["alpha"], p["kappa"])
        return p

    def residual(self, x, p):
        v = math.exp(float(np.atleast_1d(x)[0]))
        if not self._v_min <= v <= 1.0:
            return np.array([math.nan])
        g = _residual_v(self.weights, p["alpha"], p["kappa"])(v)
        return np.array([g / v if self.weights == "binary" else g])

    def order(self, x, p):
        v = math.exp(float(np.atleast_1d(x)[0]))
        if self.weights == "spherical":
            return {"q": 1.0 - v}
        return {"q": 1.0 - v, "qh": p["alpha"] * _energetic_kernel_J(v, p["kappa"]) / (v * v)}

    def unknowns(self, order, p):
        return np.array([math.log1p(-float(order["q"]))])

    def known_point(self, p):
        return {**p, "alpha": 0.0}, np.array([0.0])

    def free_entropy(self, order, p):
        out = free_entropy(self.weights, p["alpha"], p["kappa"], order["q"], order.get("qh"))
        out["free_entropy"] = out.pop("entropy")
        return out

    def thermo(self, x, p):
        o = self.order(x, p)
        return _thermo(self.weights, p["alpha"], p["kappa"], o["q"], o.get("qh", 0.0))

    def saddle(self, params=None, x0=None, *, method=None, tol=None, validate=True, **options):
        p = self.validate(params) if validate else dict(params)
        q0 = None if x0 is None else 1.0 - math.exp(float(np.atleast_1d(x0)[0]))
        sol = gardner(self.weights, p["alpha"], p["kappa"], method=method or self.method,
                      x0=q0, tol=self.tol if tol is None else tol,
                      allow_negative_entropy=bool(p.get("allow_negative_entropy", False)),
                      **options)
        lv = math.log1p(-sol.order["q"])
        return Solution(order=sol.order, residual=sol.residual, status=sol.status,
                        iterations=sol.iterations, method=sol.method, model=self.name,
                        params=dict(p), thermo=sol.thermo, unknowns=(lv,))


BINARY = GardnerModel("binary")
SPHERICAL = GardnerModel("spherical")
