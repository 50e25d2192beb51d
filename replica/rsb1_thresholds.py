r"""Thresholds and curves of one-step RSB (docs/THEORY.md §8.1), located by the continuation
engine on the models of :mod:`replica.models.rsb1` and :mod:`replica.models.rsb1_spherical`.

* :func:`alpha_ogp`: the m-overlap-gap threshold alpha_OGP(m) = min over q1 of alpha_m(q1)
  (arXiv:2607.27000 eqs. 25–26, RS in the clones): the branch of the model ``ogp-binary`` /
  ``ogp-sbp`` (unknowns: the m-clone saddle and alpha, with phi_m = 0) is followed in q1 from
  ``1 - one_minus_q1[0]`` towards ``1 - one_minus_q1[1]``, and the minimum of alpha_m is the
  event where d phi_m/dq1 (envelope theorem) turns positive (:func:`replica.thresholds.event`).
* :func:`alpha_m`: one point of that curve, alpha_m(q1) (the model's saddle).
* :func:`static_1rsb`: the spherical equilibrium 1RSB with the Parisi m fixed by zero complexity,
  the event ``complexity = 0`` along m of the model ``rsb1-spherical``.
* :func:`branch_end`: the spherical 1RSB branch followed down in alpha at fixed m, to where it
  ends (q1 - q0 -> 0): the AT line (the check of the bifurcation).
* :func:`alpha_c_1rsb`, :func:`jamming_line`: the spherical 1RSB SAT/UNSAT line, the stationary
  value of -A/B of Psi = A + alpha B over (q0, mu) (:func:`replica.models.rsb1_spherical.jamming_psi`);
  along kappa by :func:`replica.continuation.march` with warm starts.
"""
from __future__ import annotations

import math

import numpy as np
from scipy import optimize

from . import models
from .continuation import Event, Lost, follow, march
from .errors import ConvergenceError, ReplicaInputError, check_finite
from .models.gardner import capacity_spherical_closed_form
from .models.rsb1 import COARSE_RULE, EVALUATIONS, _check_family, _check_kappa
from .models.rsb1_spherical import RSB1_SPHERICAL, bifurcation_point, jamming_terms
from .solve import solve
from .thresholds import event

__all__ = ["alpha_m", "alpha_ogp", "static_1rsb", "branch_end", "alpha_c_1rsb", "jamming_line"]

#: largest step in kappa of :func:`jamming_line` (warm starts stay in the basin of the minimum)
H_KAPPA = 0.1


def _ogp_model(weights, constraint):
    _check_family(weights, constraint)
    if weights != "binary":
        raise ReplicaInputError("weights: the m-overlap-gap threshold is implemented for binary "
                                "weights (binary perceptron, SBP)")
    return models.get("ogp-sbp" if constraint == "symmetric" else "ogp-binary")


def alpha_m(weights: str, kappa: float, m, q1: float, *, constraint: str = "margin",
            alpha0: float | None = None, x0=None, tol: float = 1e-11):
    r"""alpha_m(q1): the load at which :math:`\phi_m(q_1) = 0` (the model ``ogp-binary`` /
    ``ogp-sbp`` at q1: Newton's method in alpha on m-clone saddles with the coarse rule as the
    start, then the joint saddle with the default rule). Returns ``(alpha, Solution)``."""
    M = _ogp_model(weights, constraint)
    p = M.validate({"kappa": kappa, "m": m, "q1": q1})
    start = M.guess(p, alpha0=alpha0, x0=x0)
    sol = M.saddle(p, x0=start, tol=tol, validate=False)
    return sol.order["alpha"], sol


def alpha_ogp(weights: str, kappa: float, m, *, constraint: str = "margin",
              one_minus_q1=(0.3, 3e-3), tol: float = 1e-11) -> dict:
    r"""The m-overlap-gap threshold :math:`\alpha_{\rm OGP}(m) = \min_{q_1}\alpha_m(q_1)`
    (arXiv:2607.27000 eqs. 25–26), RS in the clones: the event d phi_m/dq1 = 0 (rising) along
    the branch alpha_m(q1) followed by the continuation engine from q1 = 1 - one_minus_q1[0]
    towards 1 - one_minus_q1[1] (module docstring). Returns ``{"alpha", "q1", "m", "kappa",
    "q0", "qh1", "evaluations"}`` (energetic-term evaluations of the continuation),
    ``"branch_points"``; ConvergenceError if alpha_m has no minimum in that range."""
    kappa = _check_kappa(kappa, constraint)
    M = _ogp_model(weights, constraint)
    lo, hi = map(float, one_minus_q1)
    p = M.validate({"kappa": kappa, "m": m, "q1": 1.0 - lo})
    n0 = EVALUATIONS[0]
    # the event with the coarse rule, then the joint system (saddle, phi_m = 0, d phi_m/dq1 = 0)
    # in (unknowns, q1) polished with the default rule from there
    Mc = M.with_rule(COARSE_RULE)
    start = Mc.saddle(p, x0=M.guess(p), tol=1e-9, validate=False)
    th = event(Mc, p, "q1", Event("dphi_dq1", direction=+1, terminal=True), to=1.0 - hi,
               x0=start.u, tol=1e-9, mode="natural", ds=0.1 * (lo - hi), name="alpha_ogp")
    x0 = np.append(Mc.unknowns(th.details["order"], p), th.value)

    def R(x):
        q1 = float(x[-1])
        if not 0.0 < q1 < 1.0:
            return np.full(x.size, math.nan)
        pq = {**p, "q1": q1}
        r = M.residual(x[:-1], pq)
        if not np.all(np.isfinite(r)):
            return np.full(x.size, math.nan)
        return np.append(r, 2.0 * M.thermo(x[:-1], pq)["dphi_dq1"] / (p["m"] - 1.0))

    sol = solve(lambda x: x + R(x), x0, names=M.unknowns_ + ("q1",), method="hybrid", tol=tol,
                model=M.name, params=dict(p))
    pq = {**p, "q1": float(sol.x[-1])}
    o = M.order(sol.x[:-1], pq)
    return {"alpha": float(o["alpha"]), "q1": float(sol.x[-1]), "m": int(m), "kappa": kappa,
            "q0": float(o["q0"]), "qh1": float(o["qh1"]), "evaluations": EVALUATIONS[0] - n0,
            "branch_points": th.evaluations, "q1_event_coarse": th.value}


def static_1rsb(alpha: float, kappa: float, *, m0: float = 0.6, x0=None) -> dict:
    r"""The static (equilibrium) spherical 1RSB at (alpha, kappa): the Parisi m where the
    complexity :math:`\Sigma = -m^2\partial_m\phi` vanishes, as the event ``complexity = 0`` of
    the branch of ``rsb1-spherical`` followed in m from ``m0`` (towards smaller m if
    d phi/dm > 0 there, else towards m = 1). Returns the Threshold's state: ``{"m", "q0",
    "q1", "free_entropy", "complexity", ...}``."""
    p = RSB1_SPHERICAL.validate({"alpha": alpha, "kappa": kappa, "m": m0})
    sol = RSB1_SPHERICAL.saddle(p, x0=x0)
    to = 1e-3 if sol.thermo["dphi_dm"] > 0 else 1.0
    th = event(RSB1_SPHERICAL, p, "m", "complexity", to=to, x0=sol.u, name="static_m")
    return {"m": th.value, **th.details["order"], **th.details["state"]}


def branch_end(kappa: float, m: float, alpha: float, *, x0=None) -> dict:
    """Follow the spherical 1RSB branch (model ``rsb1-spherical``, fixed m) from ``alpha``
    downwards until it ends at q1 - q0 -> 0 (the edge of its domain): the AT bifurcation.
    Returns ``{"alpha", "q1_minus_q0", "end", "points"}`` (the last accepted point)."""
    p = RSB1_SPHERICAL.validate({"alpha": alpha, "kappa": kappa, "m": m})
    sol = RSB1_SPHERICAL.saddle(p, x0=x0)
    br = follow(RSB1_SPHERICAL, p, "alpha", 0.5 * alpha, x0=sol.u)
    last = br.points[-1]
    if br.reached:
        raise ConvergenceError("the spherical 1RSB branch did not end before alpha/2",
                               model="rsb1-spherical", params=p, method="continuation")
    return {"alpha": float(last.get("alpha")), "q1_minus_q0": float(last.get("q1_minus_q0")),
            "end": br.end, "points": len(br.points)}


# ---------------------------------------------------------------------------------------------
# Spherical jamming line at 1RSB
# ---------------------------------------------------------------------------------------------


def _neg_ratio(v, kappa, rule=None):
    """-A/B at (q0 = logistic(v[0]), mu = exp(v[1]))."""
    q0 = 1.0 / (1.0 + math.exp(-v[0]))
    A, B = jamming_terms(q0, math.exp(v[1]), kappa, rule)
    return -A / B


def _stationary(kappa, v0, rule=None, xtol=1e-10):
    """The minimum of -A/B over (logit q0, ln mu) from v0 (Nelder–Mead, then checked)."""
    r = optimize.minimize(_neg_ratio, np.asarray(v0, float), args=(kappa, rule),
                          method="Nelder-Mead",
                          options={"xatol": xtol, "fatol": 1e-14, "maxiter": 1500})
    if not r.success:
        raise ConvergenceError("alpha_c^1RSB: the minimisation of -A/B did not converge",
                               model="rsb1-jamming", params={"kappa": kappa}, x=r.x,
                               method="nelder-mead")
    return r


def alpha_c_1rsb(kappa: float, *, rule=None, log_mu=(-12.0, 18.0), xtol: float = 1e-9) -> dict:
    r"""The spherical SAT/UNSAT (jamming) load at 1RSB, :math:`\alpha_c^{\rm 1RSB}(\kappa)`:
    the stationary value of :math:`\alpha(q_0,\mu) = -A/B` (where Psi = 0 at its stationary
    point; since Psi is affine in alpha the two conditions coincide). It is the minimum over
    (q0, mu): nested bounded Brent minimisations (q0 inside, ln mu outside, bracketed on a grid
    of ``log_mu``). For kappa >= 0 (RS exact) the minimum sits at mu -> 0, where alpha =
    Gardner's :math:`1/\int Dt(\kappa-t)_+^2` for every q0: the RS capacity is returned with
    mu = 0.

    The stationary point is the q1 -> 1 end of the 1RSB branch, which need not grow
    monotonically from the AT line (model ``rsb1-spherical``: at fixed m it can fold back and
    forth). The key ``below_at`` says alpha_c^1RSB < alpha_AT(kappa)
    (:func:`~replica.models.rsb1_spherical.bifurcation_point`): the transition is then
    discontinuous within 1RSB (the q1 -> 1 part of the branch lies beyond two folds and extends
    below alpha_AT), and the locally stable RS solution below the AT line is not the 1RSB
    equilibrium there (theory notebook ``rsb1_derivation`` §7b). Returns ``{"alpha", "q0", "mu", "alpha_rs", "alpha_at",
    "below_at", "rs"}``."""
    kappa = check_finite("kappa", kappa)
    a_rs = capacity_spherical_closed_form(kappa)
    rs = {"alpha": float(a_rs), "q0": 0.0, "mu": 0.0, "alpha_rs": float(a_rs),
          "alpha_at": math.inf, "below_at": False, "rs": True}
    if kappa >= 0.0:
        return rs
    a_at = float(bifurcation_point(kappa)["alpha"])
    rs["alpha_at"] = a_at

    def inner(lmu):
        r = optimize.minimize_scalar(lambda t: _neg_ratio((t, lmu), kappa, rule),
                                     bounds=(-12.0, 12.0), method="bounded",
                                     options={"xatol": xtol})
        return r.fun, r.x

    lo, hi = log_mu
    grid = np.linspace(lo, hi, 61)
    vals = np.array([inner(g)[0] for g in grid])
    i = int(np.argmin(vals))
    if i == len(grid) - 1:
        raise ConvergenceError("alpha_c^1RSB: the minimum over mu lies at the upper end of the "
                               f"range ln mu <= {hi}", model="rsb1-jamming",
                               params={"kappa": kappa}, x=grid[-3:], residual=vals[-3:])
    if i == 0 or vals[i] >= a_rs * (1 - 1e-12):
        return rs
    r = optimize.minimize_scalar(lambda g: inner(g)[0], bracket=(grid[i - 1], grid[i],
                                                                  grid[i + 1]),
                                 method="brent", options={"xtol": xtol})
    a, t = inner(r.x)
    return {"alpha": float(a), "q0": float(1.0 / (1.0 + math.exp(-t))),
            "mu": float(math.exp(r.x)), "alpha_rs": float(a_rs), "alpha_at": a_at,
            "below_at": bool(a < a_at), "rs": False}


def jamming_line(kappas, *, rule=None) -> list:
    r"""alpha_c^1RSB along a monotone sequence of margins kappa < 0: the first point by
    :func:`alpha_c_1rsb`, the next ones by :func:`replica.continuation.march` in kappa (steps of
    at most ``H_KAPPA``), each a minimisation of -A/B warm-started from the secant prediction of
    (logit q0, ln mu). Returns
    a list of ``{"kappa", "alpha", "q0", "mu", "alpha_rs", "alpha_at", "below_at"}`` (the last
    two as in :func:`alpha_c_1rsb`)."""
    ks = [check_finite("kappa", k) for k in kappas]
    if any(k >= 0 for k in ks):
        raise ReplicaInputError("kappas: the 1RSB jamming line differs from RS for kappa < 0 "
                                "only; pass negative margins")
    first = alpha_c_1rsb(ks[0], rule=rule)
    if first["rs"]:
        raise ConvergenceError("alpha_c^1RSB: no 1RSB point below the RS capacity at the first "
                               "margin", model="rsb1-jamming", params={"kappa": ks[0]})
    v = np.array([math.log(first["q0"] / (1 - first["q0"])), math.log(first["mu"])])
    out = [_jam_row(ks[0], first["alpha"], v)]
    cur = ks[0]
    for k in ks[1:]:
        def solve_at(kk, v_pred):
            r = _stationary(kk, v_pred, rule)
            return r.x, r.fun
        try:
            for kk, v, a, _ in march(solve_at, cur, k, v, h=min(H_KAPPA, abs(k - cur)),
                                     h_min=1e-4):
                pass
        except Lost as lost:
            raise ConvergenceError(f"alpha_c^1RSB: the jamming line is lost after kappa = "
                                   f"{lost.at}", model="rsb1-jamming",
                                   params={"kappa": k}) from None
        out.append(_jam_row(k, a, v))
        cur = k
    return out


def _jam_row(kappa, alpha, v):
    a_at = float(bifurcation_point(kappa)["alpha"])
    return {"kappa": float(kappa), "alpha": float(alpha),
            "q0": float(1.0 / (1.0 + math.exp(-v[0]))), "mu": float(math.exp(v[1])),
            "alpha_rs": float(capacity_spherical_closed_form(kappa)), "alpha_at": a_at,
            "below_at": bool(alpha < a_at)}
