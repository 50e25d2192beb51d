r"""Solvers built on AMP (:mod:`replica.finite_n.amp`): they look for a binary w with every
stability w.xi^mu/sqrt(N) >= kappa and return a verified solution or a reported failure.

Every iteration is one AMP pass with an external field b_i^t that drives the magnetisations to
±1; the same pass counts the constraints violated by sign(a), and the run stops at the first
iteration where there are none (the returned w is then re-verified from scratch).

* ``amp`` — plain AMP (b = 0) to its fixed point, then the signs of the marginals (clipping);
  works only at small alpha.
* ``rbp`` — reinforced AMP (reinforced relaxed BP; Braunstein & Zecchina, PRL 96, 030201 (2006);
  Baldassi, Braunstein, Brunel & Zecchina, PNAS 104, 11079 (2007)): the field of the previous
  iteration is fed back as a prior, b^t = r_t h^{t-1}, with two published schedules:
  ``linear`` r_t = min(1, t * step) (Lucibello–Malatesta BP notes 2025) and ``geometric``
  r_t = 1 - (1 - step)^t (arXiv:2607.27000 §7, their rho_t = 1 - (1 - rho)^t).
* ``fbp`` — focusing BP (Baldassi, Borgs, Chayes, Ingrosso, Lucibello, Saglietti & Zecchina,
  PNAS 113, E7655 (2016)): y replicas of the weights, each coupled with strength gamma to a centre
  w~; by symmetry among the replicas one AMP carries them, and the message from the centre to
  weight i is
  b_i = atanh( tanh(gamma) tanh[(y - 1) atanh(tanh(gamma) tanh h_i)] ),
  h_i the AMP message field (without b). gamma grows linearly, gamma_t = gamma0 + t gamma_step
  ("scoping"), y is fixed. The candidate solution is the centre's sign, sign(h_i) = sign(a_i).
* ``bp-sample`` — a sample from the BP marginals by decimation (an approximately uniform solution,
  "equilibrium-like"): repeatedly converge AMP, then draw a random batch of the free weights
  from their marginals and fix them by a strong field (the batch is a fixed fraction of the
  weights still free, so that the last weights are drawn one at a time).

Cost: O(N P) per iteration (one pass over the patterns), memory O(N + P) besides the patterns.
rbp and fbp run the single-precision pass on ±1 patterns by default (``precision``;
:mod:`replica.finite_n.amp`): their trajectories are perturbed at the float32 level, their
solutions are verified exactly; amp and bp-sample, which converge AMP to a tolerance, use double.
"""
from __future__ import annotations

import math

import numpy as np

from ..errors import ReplicaInputError, check_range
from .algorithms import LearningResult
from .amp import PRECISIONS, AMPState, amp_iteration, check_patterns

__all__ = ["amp_solve", "reinforced_bp", "focusing_bp", "bp_sample", "SCHEDULES",
           "MP_ALGORITHMS"]

SCHEDULES = ("linear", "geometric")
_FIX_FIELD = 40.0       # a field that fixes a weight (tanh(40) = 1 to double precision)
_ATANH_MAX = 1.0 - 1e-16


def _result(name, X, w, iterations, seed, kappa, params) -> LearningResult:
    w = np.where(np.asarray(w) >= 0, 1, -1).astype(np.int8)
    stab = X @ w.astype(float) / math.sqrt(X.shape[1])
    m = float(stab.min())
    thr = kappa - 1e-12 * max(1.0, abs(kappa))
    return LearningResult(name, bool(m >= thr), int(iterations), w, m, int(np.sum(stab < thr)),
                          X.shape[1], X.shape[0], seed, {"kappa": kappa, **params})


def _start(X, seed, init):
    rng = np.random.default_rng(seed)
    a0 = init * (2.0 * rng.random(X.shape[1]) - 1.0)
    return AMPState.start(X.shape[1], X.shape[0], a0)


def _check_common(kappa, max_iter, damping, init):
    kappa = float(check_range("kappa", kappa))
    if int(max_iter) < 1:
        raise ReplicaInputError(f"max_iter must be >= 1, got {max_iter}")
    check_range("damping", damping, 0.0, 1.0, hi_open=True)
    check_range("init", init, 0.0, 1.0)
    return kappa


def amp_solve(xi, *, seed: int = 0, kappa: float = 0.0, max_iter: int = 1000, tol: float = 1e-8,
              damping: float = 0.0, init: float = 0.0) -> LearningResult:
    """Plain AMP then sign(a) (module docstring)."""
    X = check_patterns(xi)
    kappa = _check_common(kappa, max_iter, damping, init)
    st = _start(X, seed, init)
    b = np.zeros(X.shape[1])
    delta, it = math.inf, 0
    for it in range(1, int(max_iter) + 1):
        delta = amp_iteration(X, st, b, kappa=kappa, damping=damping)
        if st.nerr == 0 or not np.isfinite(delta) or delta < tol:
            break
    res = _result("amp", X, st.signs_in if st.nerr == 0 else st.a, it, seed, kappa,
                  {"max_iter": max_iter, "damping": damping, "converged": bool(delta < tol)})
    return res


def _drive(name, X, st, field, *, kappa, damping, max_iter, precision, progress, seed, params):
    """The loop shared by the field-driven solvers: at iteration t the external field is
    ``field(t, st)`` (computed from the state left by iteration t - 1), then one AMP pass; stop
    at the first pass whose input signs satisfy every constraint ("solved"), on a non-finite
    change ("diverged"), when all |a| = 1 and the signs have not changed for 50 iterations
    ("stuck"), or after ``max_iter`` ("max_iter", reported in ``params["reason"]``)."""
    reason, it, frozen = "max_iter", 0, 0
    s_prev = np.zeros(X.shape[1])
    for it in range(1, int(max_iter) + 1):
        b = field(it, st)
        delta = amp_iteration(X, st, b, kappa=kappa, damping=damping, precision=precision)
        if st.nerr == 0:
            reason = "solved"
            break
        if not np.isfinite(delta):
            reason = "diverged"
            break
        s = np.sign(st.a)
        if np.all(np.abs(st.a) == 1.0) and np.array_equal(s, s_prev):
            frozen += 1
            if frozen >= 50:
                reason = "stuck"
                break
        else:
            frozen = 0
        s_prev = s
        if progress is not None and it % 500 == 0:
            progress(it, st.nerr)
    # nerr refers to the signs of the magnetisations that entered the last pass
    w = st.signs_in if reason == "solved" else np.sign(st.a)
    return _result(name, X, w, it, seed, kappa,
                   {**params, "max_iter": max_iter, "damping": damping, "precision": precision,
                    "reason": reason})


def _check_precision(precision):
    if precision not in PRECISIONS:
        raise ReplicaInputError(f"precision must be one of {', '.join(PRECISIONS)}, "
                                f"got {precision!r}")


def reinforced_bp(xi, *, seed: int = 0, kappa: float = 0.0, schedule: str = "linear",
                  step: float = 1e-3, max_iter: int = 20000, damping: float = 0.0,
                  init: float = 0.0, precision: str = "single", progress=None) -> LearningResult:
    """Reinforced AMP (module docstring): b^t = r_t h^{t-1}, r_t from ``schedule`` and ``step``,
    h^{t-1} the total field of the previous iteration. Stops at the first iteration whose signs
    satisfy every constraint, or fails with ``params["reason"]`` = "max_iter", "stuck" or
    "diverged" (:func:`_drive`)."""
    X = check_patterns(xi)
    kappa = _check_common(kappa, max_iter, damping, init)
    _check_precision(precision)
    if schedule not in SCHEDULES:
        raise ReplicaInputError(f"schedule must be one of {', '.join(SCHEDULES)}, got {schedule!r}")
    check_range("step", step, 0.0, 1.0, lo_open=True)
    b = np.zeros(X.shape[1])

    def field(it, st):
        if it > 1:
            r = min(1.0, it * step) if schedule == "linear" else 1.0 - (1.0 - step) ** it
            np.multiply(st.h + b, r, out=b)
        return b

    return _drive("rbp", X, _start(X, seed, init), field, kappa=kappa, damping=damping,
                  max_iter=max_iter, precision=precision, progress=progress, seed=seed,
                  params={"schedule": schedule, "step": step})


def focusing_bp(xi, *, seed: int = 0, kappa: float = 0.0, y: float = 7.0, gamma0: float = 0.0,
                gamma_step: float = 1e-2, gamma_max: float = 10.0, max_iter: int = 20000,
                damping: float = 0.2, init: float = 0.0, precision: str = "single",
                progress=None) -> LearningResult:
    """Focusing BP (module docstring): y replicas, coupling gamma_t = gamma0 + t gamma_step (capped
    at ``gamma_max``); damped by default (undamped, the strong focusing field can make the
    magnetisations oscillate). Stops as :func:`_drive` says; the candidate is the centre's sign."""
    X = check_patterns(xi)
    kappa = _check_common(kappa, max_iter, damping, init)
    _check_precision(precision)
    check_range("y", y, 1.0)
    check_range("gamma0", gamma0, 0.0)
    check_range("gamma_step", gamma_step, 0.0, lo_open=True)
    check_range("gamma_max", gamma_max, gamma0)
    b = np.zeros(X.shape[1])

    def field(it, st):
        if it > 1:
            tg = math.tanh(min(gamma_max, gamma0 + it * gamma_step))
            m = np.clip(tg * np.tanh(st.h), -_ATANH_MAX, _ATANH_MAX)
            b[:] = np.arctanh(np.clip(tg * np.tanh((y - 1.0) * np.arctanh(m)),
                                      -_ATANH_MAX, _ATANH_MAX))
        return b

    return _drive("fbp", X, _start(X, seed, init), field, kappa=kappa, damping=damping,
                  max_iter=max_iter, precision=precision, progress=progress, seed=seed,
                  params={"y": y, "gamma0": gamma0, "gamma_step": gamma_step,
                          "gamma_max": gamma_max})


def bp_sample(xi, *, seed: int = 0, kappa: float = 0.0, fraction: float = 0.05,
              max_iter: int = 500, tol: float = 1e-6, damping: float = 0.0) -> LearningResult:
    """Decimation sampling (module docstring): batches of ceil(fraction * #free) weights drawn from
    their AMP marginals and fixed, AMP re-converged after each batch (warm start).
    ``params["unconverged_stages"]`` counts the stages where AMP did not reach ``tol``."""
    X = check_patterns(xi)
    kappa = _check_common(kappa, max_iter, damping, 0.0)
    check_range("fraction", fraction, 0.0, 1.0, lo_open=True)
    rng = np.random.default_rng(seed)
    n = X.shape[1]
    st = AMPState.start(n, X.shape[0])
    b = np.zeros(n)
    free = rng.permutation(n)
    stages, bad, total = 0, 0, 0
    while free.size:
        delta = math.inf
        for _ in range(int(max_iter)):
            delta = amp_iteration(X, st, b, kappa=kappa, damping=damping)
            total += 1
            if not np.isfinite(delta) or delta < tol:
                break
        bad += int(not delta < tol)
        stages += 1
        k = max(1, int(math.ceil(fraction * free.size)))
        batch, free = free[:k], free[k:]
        a = np.tanh(st.h[batch] + b[batch]) if np.all(np.isfinite(st.h[batch])) else st.a[batch]
        w = np.where(rng.random(batch.size) < 0.5 * (1.0 + a), 1.0, -1.0)
        b[batch] = _FIX_FIELD * w
    w = np.sign(b)
    return _result("bp-sample", X, w, total, seed, kappa,
                   {"fraction": fraction, "stages": stages, "unconverged_stages": bad,
                    "max_iter": max_iter, "tol": tol, "damping": damping})


MP_ALGORITHMS = {"amp": amp_solve, "rbp": reinforced_bp, "fbp": focusing_bp,
                 "bp-sample": bp_sample}
