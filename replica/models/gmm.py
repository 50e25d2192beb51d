r"""Classification of a two-cluster Gaussian mixture: Bayes-optimal error, Gardner volume of the
zero-error (version-space) solutions, linear-separability threshold and maximum margin.

Data (Pittorino et al., ICLR 2021, §6; Mignacco et al. 2020):
:math:`x^\mu = y^\mu v^*/\sqrt d + \sqrt\Delta\, z^\mu`, :math:`z^\mu \sim N(0, I_d)`,
:math:`v^* \sim N(0, I_d)` (so :math:`|v^*|^2/d \to 1`), :math:`P(y=+1) = \rho`,
:math:`\alpha = n/d`.

Bayes-optimal classifier (derived here; docs/THEORY.md §4.3)
-----------------------------------------------------------
The labels are observed, so :math:`y^\mu x^\mu = v^*/\sqrt d + \sqrt\Delta\, y^\mu z^\mu` is a
Gaussian observation of :math:`v^*` and the posterior is Gaussian with precision
:math:`(1 + \alpha/\Delta)` and mean :math:`\hat v = \sum_\mu y^\mu x^\mu / (\sqrt d(\Delta+\alpha))`
(the Hebbian direction). The predictive law of a new x given y is
:math:`N(y\hat v/\sqrt d, c I)` with :math:`c = \Delta + \Delta/(d(\Delta+\alpha)) \to \Delta`, the
same covariance for both classes, so the Bayes-optimal pointwise rule is linear:

.. math:: \hat y = \mathrm{sign}\big(x\cdot\hat v/\sqrt d + b\big),\qquad
          b = \tfrac{c}{2}\ln\frac{\rho}{1-\rho} \to \tfrac{\Delta}{2}\ln\frac{\rho}{1-\rho}.

The bias refers to :math:`\hat v` normalised as the posterior mean (not to a unit vector). With
:math:`M = \hat v\cdot v^*/d \to \alpha/(\alpha+\Delta)` and :math:`Q = |\hat v|^2/d \to M`, the
pre-activation of a test point is :math:`yM + \sqrt{\Delta Q}\,\xi`, hence

.. math:: \varepsilon_{BO} = \rho\, H\!\Big(\frac{M+b}{\sqrt{\Delta M}}\Big)
          + (1-\rho)\, H\!\Big(\frac{M-b}{\sqrt{\Delta M}}\Big),

(docs/THEORY.md §4.3). Balanced: :math:`H(\sqrt{\alpha/(\Delta(\alpha+\Delta))})`.
Limits: alpha -> 0 gives min(rho, 1-rho); alpha -> inf gives the oracle error with v* known.
The normalised Bayes overlap is :math:`R_{BO} = M/\sqrt Q = \sqrt{\alpha/(\alpha+\Delta)}`.

Gardner volume of bias-free classifiers (derived; docs/THEORY.md §4.3)
---------------------------------------------------------------------
For :math:`|w|^2 = d`, :math:`y\, w\cdot x/\sqrt d = R + \sqrt\Delta\,\zeta` with
:math:`R = w\cdot v^*/d` (the normalised overlap, since :math:`|w|^2 = |v^*|^2 = d`) and
:math:`\zeta \sim N(0,1)` independent of the label; rho drops out. Replicas of w have mutual
overlap q; conditioning the sphere on R gives the entropic term
:math:`\tfrac12\ln(1-R^2) + \tfrac12\ln\frac{1-q}{1-R^2} + \frac{q-R^2}{2(1-q)}`, so

.. math:: s(q,R) = \tfrac12\ln(1-q) + \frac{q-R^2}{2(1-q)}
          + \alpha\int Dt\,\ln H\!\Big(\frac{\kappa' - \sqrt q\, t}{\sqrt{1-q}}\Big),
          \qquad \kappa' = \frac{\kappa - R}{\sqrt\Delta}.

Saddle point: :math:`(q-R^2)/(1-q) = \alpha\int Dt\,G(u)^2`,
:math:`R = \alpha\sqrt{(1-q)/\Delta}\int Dt\,G(u)`. Any bias-free w has test error
:math:`H(R/\sqrt\Delta)`.

Capacity and maximum margin: as q -> 1,
:math:`s \approx [1 - R^2 - \alpha F(\kappa')]/(2(1-q))` with
:math:`F(x) = \int_{-x}^\infty Dt\,(t+x)^2 = (1+x^2)\Phi(x) + x\phi(x)`; the version space at
margin kappa is non-empty iff some R makes the bracket positive:

.. math:: \alpha_c(\kappa,\Delta) = \max_R \frac{1-R^2}{F((\kappa-R)/\sqrt\Delta)} .

At kappa = 0: Delta -> inf gives 2 (Cover), Delta = 1 gives 3.6995 (Pittorino et al. 2021 quote 3.70).
The maximiser R is the overlap of the max-margin classifier at alpha = alpha_c(kappa).

Finite-d data, estimators, the max-margin QP and the version-space sampler are in
:mod:`replica.finite_n.gmm`.

Ordering (computed here, Delta = 1): R_typical < R_max-margin < R_Bayes holds at alpha = 1
(0.4218 < 0.5292 < 0.7071; errors 0.3366 > 0.2983 > 0.2398) and for alpha < 2.347; between
2.347 and alpha_c = 3.700 the typical zero-error R exceeds the max-margin R slightly (by at
most ~0.014; both tend to R = 0.6120 at alpha_c). Crossing at alpha = 4.08 for Delta = 0.5 and
1.785 for Delta = 2. So "max-margin generalises better than typical" is not true at every load.
"""
from __future__ import annotations

import math

import numpy as np
from scipy import optimize, special

from ..errors import ConvergenceError, ReplicaInputError, check_finite, check_range
from ..gauss import F_margin, G, H, log_H, graded_gaussian_rule, phi, tail_moments_s
from ..solve import Solution
from .base import Param, SaddleModel

__all__ = [
    "bayes_overlap", "bayes_bias", "bayes_error", "bayes_R", "generalization_error",
    "free_entropy", "typical", "capacity", "capacity_R", "alpha_c_at_margin", "max_margin",
    "F_margin", "TYPICAL", "TypicalModel",
]


def _check_delta(delta):
    return check_range("delta", delta, 0.0, lo_open=True)


def _check_rho(rho):
    return check_range("rho", rho, 0.0, 1.0, lo_open=True, hi_open=True)


# ---------------------------------------------------------------------------------------------
# Bayes-optimal
# ---------------------------------------------------------------------------------------------


def bayes_overlap(alpha: float, delta: float) -> float:
    """M = Q = alpha/(alpha + Delta): overlaps of the posterior mean with v* and with itself."""
    alpha = check_range("alpha", alpha, 0.0)
    delta = _check_delta(delta)
    return alpha / (alpha + delta)


def bayes_R(alpha: float, delta: float) -> float:
    """Normalised overlap of the Bayes (Hebbian) direction with v*: sqrt(alpha/(alpha+Delta))."""
    return math.sqrt(bayes_overlap(alpha, delta))


def bayes_bias(delta: float, rho: float) -> float:
    """b = (Delta/2) ln(rho/(1-rho)), the bias of the large-d Bayes rule (posterior-mean scale)."""
    delta = _check_delta(delta)
    rho = _check_rho(rho)
    return 0.5 * delta * (math.log(rho) - math.log1p(-rho))


def bayes_error(alpha: float, delta: float, rho: float = 0.5) -> float:
    """Bayes-optimal test error eps_BO = rho H((M+b)/sqrt(Delta M)) + (1-rho) H((M-b)/sqrt(Delta M)).

    alpha = 0: the prior rule, error min(rho, 1-rho).
    """
    alpha = check_range("alpha", alpha, 0.0)
    delta = _check_delta(delta)
    rho = _check_rho(rho)
    b = bayes_bias(delta, rho)
    if alpha == 0.0:
        return min(rho, 1.0 - rho)
    M = alpha / (alpha + delta)
    s = math.sqrt(delta * M)
    return float(rho * H((M + b) / s) + (1.0 - rho) * H((M - b) / s))


def generalization_error(R, delta: float):
    """Test error of a bias-free linear classifier with normalised overlap R: H(R/sqrt(Delta))."""
    delta = _check_delta(delta)
    return H(np.asarray(R, dtype=float) / math.sqrt(delta))


# ---------------------------------------------------------------------------------------------
# Gardner volume with the teacher overlap R
# ---------------------------------------------------------------------------------------------


def _dlogF(x):
    """F'(x)/F(x), F'(x) = 2 [x Phi(x) + phi(x)]; for x < -2 the ratio 2 I1/I2 (phi(x) cancels)."""
    x = float(x)
    if x < -2.0:
        I1, I2 = tail_moments_s(-x)
        return float(2.0 * I1 / I2)
    return float(2.0 * (x * special.ndtr(x) + phi(x)) / F_margin(x))


def _rule(kp, q):
    sq = math.sqrt(q)
    sv = math.sqrt(1.0 - q)
    return graded_gaussian_rule([kp / max(sq, 1e-300)], [sv / max(sq, 1e-300)], n=16)


def _energetic(q, kp):
    """(E, I_G, I_G2) = int Dt (ln H(u), G(u), G(u)^2), u = (kp - sqrt(q) t)/sqrt(1-q)."""
    z, w = _rule(kp, q)
    u = (kp - math.sqrt(q) * z) / math.sqrt(1.0 - q)
    g = G(u)
    return float(w @ log_H(u)), float(w @ g), float(w @ (g * g))


def free_entropy(q: float, R: float, alpha: float, delta: float, kappa: float = 0.0) -> float:
    """s(q, R) = 1/2 ln(1-q) + (q - R^2)/(2(1-q)) + alpha int Dt ln H(((kappa-R)/sqrt(Delta)
    - sqrt(q) t)/sqrt(1-q)) at arbitrary (q, R) with R^2 <= q < 1 (module docstring)."""
    q = check_range("q", q, 0.0, 1.0, hi_open=True)
    R = check_finite("R", R)
    if R * R > q + 1e-15:
        raise ReplicaInputError(f"need R^2 <= q, got R = {R}, q = {q}")
    kp = (kappa - R) / math.sqrt(delta)
    E, _, _ = _energetic(q, kp)
    return 0.5 * math.log1p(-q) + (q - R * R) / (2.0 * (1.0 - q)) + alpha * E


class TypicalModel(SaddleModel):
    """Typical zero-error (margin kappa) bias-free classifiers of the Gaussian mixture as a model
    of the protocol: RS saddle point (q, R) of s(q, R) (module docstring).

    Unknowns (ln(1-q), R); residual r1 = (q - R^2) - (1-q) alpha I_G2,
    r2 = R - alpha sqrt((1-q)/Delta) I_G. Known point: alpha = 0, q = R = 0.
    """

    name = "gmm-typical"
    description = ("typical zero-error bias-free classifiers of a two-cluster Gaussian mixture "
                   "(docs/THEORY.md, Gaussian mixture)")
    params = (Param("alpha", 0.0, None, doc="samples per dimension n/d"),
              Param("delta", 0.0, None, lo_open=True, doc="noise variance Delta"),
              Param("kappa", default=0.0, doc="margin"))
    order_names = ("q", "R")
    unknown_names = ("log_one_minus_q", "R")
    method = "hybrid"
    tol = 1e-11

    def check(self, p):
        ac = capacity(p["delta"], p["kappa"])
        if p["alpha"] >= ac:
            raise ReplicaInputError(
                f"alpha = {p['alpha']} is at or beyond the separability threshold "
                f"alpha_c(Delta={p['delta']}, kappa={p['kappa']}) = {ac:.8g}: no solutions")
        return p

    def residual(self, x, p):
        lv, R = float(x[0]), float(x[1])
        if not lv <= 0.0:
            return np.array([math.nan, math.nan])
        v = math.exp(lv)
        q = 1.0 - v
        kp = (p["kappa"] - R) / math.sqrt(p["delta"])
        _, IG, IG2 = _energetic(q, kp)
        return np.array([(q - R * R) - v * p["alpha"] * IG2,
                         R - p["alpha"] * math.sqrt(v / p["delta"]) * IG])

    def order(self, x, p):
        return {"q": -math.expm1(float(x[0])), "R": float(x[1])}

    def unknowns(self, order, p):
        return np.array([math.log1p(-float(order["q"])), float(order["R"])])

    def known_point(self, p):
        return {**p, "alpha": 0.0}, np.array([0.0, 0.0])

    def is_physical(self, x, p):
        o = self.order(x, p)
        if o["R"] ** 2 > o["q"] + 1e-12:
            return f"R^2 = {o['R'] ** 2:.6g} exceeds q = {o['q']:.6g}"
        return None

    def free_entropy(self, order, p):
        q, R = order["q"], order["R"]
        E, _, _ = _energetic(q, (p["kappa"] - R) / math.sqrt(p["delta"]))
        ent = 0.5 * math.log1p(-q) + (q - R * R) / (2.0 * (1.0 - q))
        return {"entropic": ent, "energetic": p["alpha"] * E,
                "free_entropy": ent + p["alpha"] * E}

    def thermo(self, x, p):
        o = self.order(x, p)
        if p["alpha"] == 0.0:
            return {"entropy": 0.0, "error": 0.5}
        return {"entropy": self.free_entropy(o, p)["free_entropy"],
                "error": float(H(o["R"] / math.sqrt(p["delta"])))}


TYPICAL = TypicalModel()


def typical(alpha: float, delta: float, kappa: float = 0.0, *, x0=None, tol: float = 1e-11) -> Solution:
    """Typical zero-error (margin kappa) bias-free classifiers: RS saddle point (q, R) of s(q, R)
    (:class:`TypicalModel`). With ``x0 = (q, R)`` a warm-started solve, else reached by
    continuation in alpha from alpha = 0 (:func:`replica.continuation.reach`).
    Returns a Solution with order ``q``, ``R`` and thermo ``entropy``, ``error`` = H(R/sqrt Delta).
    """
    from ..continuation import reach

    p = TYPICAL.validate(alpha=alpha, delta=delta, kappa=kappa)
    if p["alpha"] == 0.0:
        return TYPICAL.solution([0.0, 0.0], p, method="closed form")
    if x0 is not None:
        return TYPICAL.saddle(p, x0=TYPICAL.unknowns({"q": x0[0], "R": x0[1]}, p), tol=tol,
                              validate=False)
    return reach(TYPICAL, p, tol=tol)


def capacity_R(delta: float, kappa: float = 0.0) -> float:
    """The R maximising (1 - R^2)/F((kappa - R)/sqrt(Delta)): root of
    -2R/(1-R^2) + F'(x)/(sqrt(Delta) F(x)) = 0 on (R_lo, 1) (Brent)."""
    delta = _check_delta(delta)
    sd = math.sqrt(delta)

    def dlog(R):
        x = (kappa - R) / sd
        return -2.0 * R / (1.0 - R * R) + _dlogF(x) / sd

    lo = -1.0 + 1e-12
    if dlog(lo) < 0:
        raise ConvergenceError("capacity_R: no interior maximum", model="gmm",
                               params={"delta": delta, "kappa": kappa}, method="bracket")
    hi = 1.0 - 1e-15
    return optimize.brentq(dlog, lo, hi, xtol=1e-15, rtol=1e-15, maxiter=300)


def alpha_c_at_margin(delta: float, kappa: float = 0.0) -> tuple[float, float]:
    """(alpha_c, R*) = (max_R (1-R^2)/F((kappa-R)/sqrt Delta), argmax) (module docstring)."""
    R = capacity_R(delta, kappa)
    F = float(F_margin((kappa - R) / math.sqrt(delta)))
    if F == 0.0:
        raise ReplicaInputError(f"Delta = {delta} is too small: alpha_c exceeds the float range")
    return (1.0 - R * R) / F, R


def capacity(delta: float, kappa: float = 0.0) -> float:
    """Linear-separability threshold alpha_c(Delta) (kappa = 0) or its margin-kappa version."""
    delta = _check_delta(delta)
    kappa = check_finite("kappa", kappa)
    return alpha_c_at_margin(delta, kappa)[0]


def max_margin(alpha: float, delta: float) -> Solution:
    """Maximum margin kappa_max(alpha, Delta) of bias-free classifiers (|w|^2 = d) and its overlap R.

    kappa_max solves alpha_c(kappa, Delta) = alpha (Brent); R is the maximiser at that kappa;
    the test error is H(R/sqrt(Delta)). kappa_max < 0 beyond the separability threshold (the
    'max-margin' point is then the least-violating hard-margin solution of the RS theory).
    """
    alpha = check_range("alpha", alpha, 0.0, lo_open=True)
    delta = _check_delta(delta)
    f = lambda k: alpha_c_at_margin(delta, k)[0] - alpha
    lo, hi = -1.0, 1.0
    while f(lo) < 0:
        lo *= 2.0
    while f(hi) > 0:
        hi *= 2.0
    k = optimize.brentq(f, lo, hi, xtol=1e-14, rtol=1e-15, maxiter=300)
    ac, R = alpha_c_at_margin(delta, k)
    return Solution(order={"kappa_max": k, "R": R}, residual=np.array([ac - alpha]),
                    status="converged", iterations=0, method="bracket", model="gmm",
                    params={"alpha": alpha, "delta": delta},
                    thermo={"error": float(H(R / math.sqrt(delta)))})
