r"""One-step replica symmetry breaking (1RSB) for the perceptron family, and m real clones at
fixed mutual overlap.

Families (docs/THEORY.md §8.1): weights ``binary`` (w in {-1, +1}^N) or ``spherical``
(|w|^2 = N); constraint ``margin`` (every stability >= kappa; the asymmetric perceptron, ABP) or
``symmetric`` (|w.xi|/sqrt N <= kappa; the symmetric binary perceptron, SBP, Aubin–Perkins–
Zdeborová 2019). Zero temperature, storage (random labels).

1RSB free entropy (Malatesta, Passalacqua, Zecchina, arXiv:2607.27000, eqs. 50–51 at r = 0;
spherical: Gardner 1988 / Franz–Parisi 2016 form), with Parisi block m and overlaps
q0 <= q1 < 1:

.. math::

    \phi = G_S + \alpha G_E,\qquad
    G_E = \frac1m\int Dz_0 \ln\int Dz_1\,\mathcal H^m(\sqrt{q_0}z_0 + \sqrt{q_1-q_0}z_1,
          \sqrt{1-q_1}),

    G_S^{\rm bin} = -\frac{\hat q_1(1-q_1)}2 + \frac m2(q_0\hat q_0 - q_1\hat q_1)
          + \frac1m\int Dz_0\ln\int Dz_1\,[2\cosh(\sqrt{\hat q_0}z_0 + \sqrt{\hat q_1-\hat q_0}
          z_1)]^m,

    G_S^{\rm sph} = \frac12\Big[\frac{m-1}m\ln(1-q_1) + \frac1m\ln D + \frac{q_0}{D}\Big],
          \quad D = 1 - q_1 + m(q_1 - q_0),

with :math:`\mathcal H(x,y) = H((\kappa-x)/y)` (margin) or :math:`H((x-\kappa)/y) -
H((x+\kappa)/y)` (symmetric). At m = 1 (or q1 = q0) it is the RS (Gardner) free entropy for
every q1. Saddle-point equations (derivatives in ``rsb1_kernels``):

* binary: :math:`q_0 = \int Dz_0 \langle M\rangle^2/m^2`, :math:`m + m(m-1)q_1 = \int Dz_0
  \langle M^2\rangle` (M = sum of the m spins of a block, tilted by the block's weight),
  :math:`\hat q_0 = \alpha Q_0`;
* spherical: :math:`q_0/D^2 = \alpha Q_0`;
* equilibrium q1: :math:`\hat q_1 = \alpha Q_1` (binary), :math:`\frac{q_1-q_0}{(1-q_1)D} +
  \frac{q_0}{D^2} = \alpha Q_1` (spherical); equilibrium m: :math:`\partial_m\phi = 0`;
  complexity :math:`\Sigma = -m^2\partial_m\phi`.

**m real clones** (Monasson 1995; Baldassi, Pittorino, Zecchina PNAS 2020; arXiv:2607.27000
eq. 52): with m (integer, the number of clones) and q1 (their mutual overlap) held fixed and the
rest extremised, :math:`\phi_m(q_1)` is the entropy per clone of m-tuples of solutions at
pairwise overlap q1. By the envelope theorem

.. math:: \frac{d\phi_m}{dq_1} = \frac{m-1}2(\alpha Q_1 - \hat q_1)\ \ (\text{binary}),\qquad
          \frac{d\phi_m}{d\alpha} = G_E,

so the m-overlap-gap threshold :math:`\alpha_{\rm OGP}(m) = \min_{q_1}\alpha_m(q_1)`, with
:math:`\phi_m(q_1; \alpha_m(q_1)) = 0`, is the sign change of :math:`d\phi_m/dq_1` along the
branch of the model ``ogp-binary``/``ogp-sbp`` (:class:`MCloneZeroModel`: the saddle and
:math:`\phi_m = 0` in the unknowns and alpha, continued in q1; arXiv:2607.27000 eqs. 25–26),
located by the continuation engine in :mod:`replica.rsb1_thresholds`. The RS ansatz inside the clones makes
:math:`\alpha_{\rm OGP}(m)` non-monotone in m beyond some m*, which is unphysical (eq. 30);
``min over m`` is the estimate. For the SBP the saddle has q0 = qh0 = 0 by the w -> -w symmetry
(the same holds for the 1RSB q0 there), and the clone computation reduces to one conjugate.

The spherical equilibrium 1RSB (model ``rsb1-spherical``) and its jamming limit are in
:mod:`replica.models.rsb1_spherical`; thresholds (alpha_OGP(m), the AT bifurcation, the static
m, the 1RSB jamming line) in :mod:`replica.rsb1_thresholds`.

Numerics: the kernels of ``rsb1_kernels`` (log-domain inner integrals around the mode of a
concave log-integrand, panels graded at the boundary layers of width sqrt(1-q1)); the rule is
``(nodes per panel, L, panel base)``, default ``RULE``; convergence is shown in the tests by a
second, finer rule.
"""
from __future__ import annotations

import copy
import math

import numpy as np
from scipy import optimize

from ..errors import ConvergenceError, ReplicaInputError, check_finite, check_range
from ..gauss import gauss_legendre, graded_gaussian_rule, log_2cosh
from ..solve import Solution, solve
from . import rsb1_kernels as K
from .base import Param, SaddleModel
from .gardner import capacity as _gardner_capacity
from .gardner import gardner as _gardner_rs

__all__ = [
    "RULE", "WEIGHTS", "CONSTRAINTS", "energetic_terms", "entropic_binary_terms",
    "entropic_spherical_terms", "free_entropy", "mclone_saddle", "mclone_free_entropy",
    "sbp_capacity", "sbp_rs_entropy", "frozen_m1_profile", "frozen_m1_terms",
    "MCloneModel", "MCloneZeroModel", "SBPModel", "MCLONE_BINARY", "MCLONE_SBP",
    "MCLONE_SPHERICAL", "MCLONE_ZERO_BINARY", "MCLONE_ZERO_SBP", "SBP_RS",
]
#: names defined in :mod:`replica.models.rsb1_spherical` (which builds on this module),
#: re-exported here on first access
_SPHERICAL = ("jamming_psi", "rsb1_spherical", "RSB1_SPHERICAL", "bifurcation_point")


def __getattr__(name):
    if name in _SPHERICAL:
        from . import rsb1_spherical

        return getattr(rsb1_spherical, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")

WEIGHTS = ("binary", "spherical")
CONSTRAINTS = ("margin", "symmetric")
#: default quadrature: (Gauss–Legendre nodes per panel, half-range L, coarse panel width)
RULE = (12, 8.0, 3.0)
#: largest number of clones (the binary entropic sum has m + 1 terms)
M_MAX = 64
#: the coarse rule of the first (tabulation) stage of :func:`alpha_ogp`
COARSE_RULE = (6, 8.0, 2.0)
_RULES: dict = {}
#: number of energetic-term evaluations since import (read by benchmarks/bench_rsb1.py)
EVALUATIONS = [0]


def _rule(rule):
    rule = RULE if rule is None else tuple(rule)
    if rule not in _RULES:
        n, L, base = rule
        xg, wg = gauss_legendre(int(n))
        _RULES[rule] = (np.array(xg), np.array(wg), float(L), float(base))
    return _RULES[rule]


def _check_family(weights, constraint):
    if weights not in WEIGHTS:
        raise ReplicaInputError(f"weights must be one of {', '.join(WEIGHTS)}, got {weights!r}")
    if constraint not in CONSTRAINTS:
        raise ReplicaInputError(f"constraint must be one of {', '.join(CONSTRAINTS)}, got "
                                f"{constraint!r}")
    if weights == "spherical" and constraint == "symmetric":
        raise ReplicaInputError("constraint: the symmetric constraint is implemented for binary "
                                "weights only (the symmetric binary perceptron)")


def _check_kappa(kappa, constraint):
    kappa = check_finite("kappa", kappa)
    if constraint == "symmetric" and kappa <= 0:
        raise ReplicaInputError(f"kappa must be > 0 for the symmetric constraint, got {kappa}")
    return kappa


# ---------------------------------------------------------------------------------------------
# Terms
# ---------------------------------------------------------------------------------------------


def energetic_terms(constraint: str, q0: float, q1: float, m: float, kappa: float,
                    rule=None) -> dict:
    """G_E (with its 1/m) and its partial derivatives at arbitrary (q0, q1, m):
    ``dq0`` = -(m/2) Q0, ``dq1`` = ((m-1)/2) Q1, ``dm`` = (L1 - G_E)/m, plus ``Q0``, ``Q1`` and
    the reduced tilted variance ``V`` = (Q1 - Q0)/(q1 - q0) (its limit at q1 = q0; see
    :mod:`replica.models.rsb1_kernels`)."""
    xg, wg, L, base = _rule(rule)
    EVALUATIONS[0] += 1
    if not (0.0 <= q0 <= q1 < 1.0):
        raise ReplicaInputError(f"q0, q1 must satisfy 0 <= q0 <= q1 < 1, got q0={q0}, q1={q1}")
    lo, hi = K.window_of(kappa, constraint == "symmetric")
    t0, Q0, Q1, L1, V = K.energetic_window(float(q0), float(q1), float(m), lo, hi, xg, wg, L,
                                           base)
    ge = t0 / m
    return {"G_E": ge, "Q0": Q0, "Q1": Q1, "V": V, "dq0": -0.5 * m * Q0,
            "dq1": 0.5 * (m - 1.0) * Q1, "dm": (L1 - ge) / m}


def entropic_binary_terms(q0: float, q1: float, qh0: float, qh1: float, m: int,
                          rule=None) -> dict:
    """Binary G_S (integer m >= 1) and its partial derivatives ``dq0``, ``dq1``, ``dqh0``,
    ``dqh1``; ``q0_eq`` = int Dz0 <M>^2/m^2 and ``M2`` = int Dz0 <M^2> (the entropic sides of
    the q0 and q1 equations)."""
    xg, wg, L, base = _rule(rule)
    t0, t1, t2 = K.entropic_binary(float(qh0), float(qh1), int(m), xg, wg, L, base)
    gs = -0.5 * qh1 * (1.0 - q1) + 0.5 * m * (q0 * qh0 - q1 * qh1) + t0 / m
    return {"G_S": gs, "q0_eq": t1 / (m * m), "M2": t2,
            "dq0": 0.5 * m * qh0, "dq1": 0.5 * (1.0 - m) * qh1,
            "dqh0": 0.5 * m * q0 - 0.5 * t1 / m,
            "dqh1": -0.5 * (1.0 - q1) - 0.5 * m * q1 + 0.5 * t2 / m}


def entropic_spherical_terms(q0: float, q1: float, m: float) -> dict:
    """Spherical G_S = 1/2 [((m-1)/m) ln(1-q1) + (1/m) ln D + q0/D], D = 1 - q1 + m(q1 - q0),
    and its partial derivatives ``dq0``, ``dq1``, ``dm``."""
    D = 1.0 - q1 + m * (q1 - q0)
    if not (D > 0 and q1 < 1):
        raise ReplicaInputError(f"spherical 1RSB needs 1 - q1 + m(q1 - q0) > 0 and q1 < 1, got "
                                f"q0={q0}, q1={q1}, m={m}")
    l1 = math.log1p(-q1)
    gs = 0.5 * ((m - 1.0) / m * l1 + math.log(D) / m + q0 / D)
    return {"G_S": gs, "D": D,
            "dq0": 0.5 * m * q0 / (D * D),
            "dq1": 0.5 * (m - 1.0) * (-1.0 / (m * (1.0 - q1)) + 1.0 / (m * D) - q0 / (D * D)),
            "dm": 0.5 * (l1 / (m * m) - math.log(D) / (m * m) + (q1 - q0) / (m * D)
                         - q0 * (q1 - q0) / (D * D))}


def free_entropy(weights: str, alpha: float, kappa: float, m: float, q0: float, q1: float,
                 qh0: float | None = None, qh1: float | None = None, *,
                 constraint: str = "margin", rule=None) -> dict:
    """The 1RSB free entropy at arbitrary order parameters, as named terms: ``entropic``
    (G_S), ``energetic`` (alpha G_E), ``free_entropy`` (their sum); binary weights need qh0,
    qh1 and an integer m."""
    _check_family(weights, constraint)
    en = energetic_terms(constraint, q0, q1, m, kappa, rule)
    if weights == "binary":
        if qh0 is None or qh1 is None:
            raise ReplicaInputError("binary 1RSB free entropy needs qh0 and qh1")
        if m != int(m) or m < 1:
            raise ReplicaInputError(f"m must be a positive integer for binary weights, got {m}")
        gs = entropic_binary_terms(q0, q1, qh0, qh1, int(m), rule)["G_S"]
    else:
        gs = entropic_spherical_terms(q0, q1, m)["G_S"]
    return {"entropic": gs, "energetic": alpha * en["G_E"],
            "free_entropy": gs + alpha * en["G_E"]}


# ---------------------------------------------------------------------------------------------
# m clones at fixed mutual overlap
# ---------------------------------------------------------------------------------------------


def _mclone_unknowns(weights, constraint):
    if weights == "spherical":
        return ("q0",)
    if constraint == "symmetric":
        return ("qh1",)
    return ("q0", "qh0", "qh1")


def _mclone_state(weights, constraint, alpha, kappa, m, q1, x, rule):
    """(residual, order, thermo) of the m-clone saddle at unknowns x."""
    names = _mclone_unknowns(weights, constraint)
    o = dict(zip(names, map(float, x)))
    if weights == "spherical":
        q0 = o["q0"]
        if not 0.0 <= q0 <= q1:
            return np.array([math.nan]), None, None
        en = energetic_terms(constraint, q0, q1, m, kappa, rule)
        es = entropic_spherical_terms(q0, q1, m)
        D = es["D"]
        # q0/D^2 = alpha Q0, written relative to its scale
        res = np.array([(alpha * en["Q0"] * D * D - q0)])
        gs = es["G_S"]
        dq1 = es["dq1"] + alpha * en["dq1"]
        order = {"q0": q0, "q1": q1, "m": m}
    else:
        q0 = o.get("q0", 0.0)
        qh0 = o.get("qh0", 0.0)
        qh1 = o["qh1"]
        if not (0.0 <= q0 <= q1 and qh0 >= 0.0):
            return np.array([math.nan] * len(names)), None, None
        es = entropic_binary_terms(q0, q1, qh0, qh1, int(m), rule)
        q1_ent = (es["M2"] / m - 1.0) / (m - 1.0)
        if constraint == "symmetric":
            en = energetic_terms(constraint, 0.0, q1, m, kappa, rule)
            res = np.array([q1_ent - q1])
        else:
            en = energetic_terms(constraint, q0, q1, m, kappa, rule)
            res = np.array([es["q0_eq"] - q0, alpha * en["Q0"] - qh0, q1_ent - q1])
        gs = es["G_S"]
        dq1 = es["dq1"] + alpha * en["dq1"]
        order = {"q0": q0, "qh0": qh0, "q1": q1, "qh1": qh1, "m": m}
    th = {"free_entropy": gs + alpha * en["G_E"], "entropic": gs,
          "energetic": alpha * en["G_E"], "G_E": en["G_E"], "dphi_dq1": dq1,
          "dphi_dalpha": en["G_E"]}
    return res, order, th


def _check_mclone(weights, alpha, kappa, m, q1, constraint):
    _check_family(weights, constraint)
    alpha = check_range("alpha", alpha, 0.0)
    kappa = _check_kappa(kappa, constraint)
    if weights == "binary":
        if check_finite("m", m) != int(m) or not 2 <= m <= M_MAX:
            raise ReplicaInputError(f"m must be an integer in [2, {M_MAX}] for m binary clones, "
                                    f"got {m}")
        m = int(m)
    else:
        m = check_range("m", m, 1.0, M_MAX, lo_open=True)
    q1 = check_range("q1", q1, 0.0, 1.0, lo_open=True, hi_open=True)
    if q1 > 1.0 - 1e-10:
        raise ReplicaInputError(f"q1 must be <= 1 - 1e-10 (the boundary layer of width "
                                f"sqrt(1-q1) is not resolved beyond), got {q1}")
    return alpha, kappa, m, q1


def _entropic_qh1(q1, m, qh0=0.0, rule=None):
    """qh1 solving the binary entropic q1 equation at given qh0 (monotone in qh1)."""
    def g(qh1):
        es = entropic_binary_terms(0.0, q1, qh0, qh1, m, rule)
        return (es["M2"] / m - 1.0) / (m - 1.0) - q1
    lo, hi = qh0, qh0 + 1.0
    while g(hi) < 0:
        lo, hi = hi, 2.0 * hi + 1.0
        if hi > 1e6:
            raise ConvergenceError("m clones: no conjugate qh1 reaches the overlap q1",
                                   params={"q1": q1, "m": m, "qh0": qh0}, method="bracket")
    return optimize.brentq(g, lo, hi, xtol=1e-14, rtol=1e-15, maxiter=200)


def _mclone_guess(weights, constraint, alpha, kappa, m, q1):
    if weights == "spherical":
        return np.array([0.5 * q1])
    if constraint == "symmetric":
        return np.array([_entropic_qh1(q1, m)])
    try:
        rs = _gardner_rs("binary", alpha, kappa, allow_negative_entropy=True)
        q, qh = rs.order["q"], rs.order["qh"]
    except (ConvergenceError, ReplicaInputError):
        q, qh = 0.5 * q1, 1.0
    q0 = min(q, 0.9 * q1)
    # the block conjugate qh1 >= qh0 must be able to reach q1: lower qh0 until it can
    for _ in range(60):
        es = entropic_binary_terms(q0, q1, qh, qh, m)
        if (es["M2"] / m - 1.0) / (m - 1.0) < q1:
            break
        qh *= 0.5
    return np.array([q0, qh, _entropic_qh1(q1, m, qh)])


def mclone_saddle(weights: str, alpha: float, kappa: float, m, q1: float, *,
                  constraint: str = "margin", x0=None, rule=None, tol: float = 1e-11,
                  validate: bool = True) -> Solution:
    r"""The saddle point of m real clones at mutual overlap q1 (m and q1 external).

    Unknowns: (q0, qh0, qh1) for binary weights with the margin constraint, qh1 for the
    symmetric constraint (q0 = qh0 = 0), q0 for spherical weights. Returns a
    :class:`~replica.solve.Solution` whose ``order`` holds q0, q1, m (and qh0, qh1) and whose
    ``thermo`` holds ``free_entropy`` (:math:`\phi_m(q_1)`, per clone), ``entropic``,
    ``energetic``, ``G_E``, ``dphi_dq1`` and ``dphi_dalpha`` (total derivatives, by the envelope
    theorem). ConvergenceError with the last iterate if the equations are not solved.
    """
    if validate:
        alpha, kappa, m, q1 = _check_mclone(weights, alpha, kappa, m, q1, constraint)
    names = _mclone_unknowns(weights, constraint)
    params = {"alpha": alpha, "kappa": kappa, "m": m, "q1": q1}
    label = f"mclone-{weights}-{constraint}"
    x0_given = x0 is not None
    if x0 is None:
        x0 = _mclone_guess(weights, constraint, alpha, kappa, m, q1)
    x0 = np.atleast_1d(np.asarray(x0, dtype=float))

    def R(x):
        return _mclone_state(weights, constraint, alpha, kappa, m, q1, x, rule)[0]

    try:
        if len(names) == 1:
            x = _solve_scalar(R, float(x0[0]), names[0], weights, q1, tol, label, params)
        elif not x0_given and 1.0 - q1 < _Q1_MARCH:
            x = _march_to_q1(weights, constraint, alpha, kappa, m, q1, rule, tol)
        else:
            try:
                x = solve(lambda x: x + R(x), x0, names=names, method="hybrid", tol=tol,
                          model=label, params=params).x
            except ConvergenceError:
                x = solve(lambda x: x + R(x), x0, names=names, method="newton", tol=tol,
                          model=label, params=params, max_iter=60).x
        res, order, th = _mclone_state(weights, constraint, alpha, kappa, m, q1, x, rule)
        if order is None or not np.all(np.abs(res) <= tol):
            raise ConvergenceError("m-clone saddle outside the domain 0 <= q0 <= q1, qh0 >= 0",
                                   model=label, params=params, x=x, residual=res)
    except ConvergenceError as err:
        _below_typical_overlap(weights, constraint, alpha, kappa, q1, label, params, err)
        raise
    return Solution(order=order, residual=res, status="converged", iterations=0,
                    method="hybrid", model=label, params=params, thermo=th,
                    unknowns=tuple(map(float, x)))


#: below this 1 - q1 a cold start of the (q0, qh0, qh1) saddle is replaced by continuation
#: in log(1 - q1) (the q1 equation's sensitivity to qh1 vanishes like 1 - q1)
_Q1_MARCH = 5e-4


def _march_to_q1(weights, constraint, alpha, kappa, m, q1, rule, tol):
    """The m-clone saddle at q1 close to 1 by natural-parameter continuation
    (:func:`replica.continuation.march`) in t = -log10(1 - q1) from q1 = 1 - 1e-3 (warm starts
    at most a decade apart; the cold start there is well conditioned), then a final solve at
    q1 itself. Returns the unknowns; ConvergenceError if the march is lost."""
    from ..continuation import Lost, march

    def at(qq, x):
        return mclone_saddle(weights, alpha, kappa, m, qq, constraint=constraint, x0=x,
                             rule=rule, tol=tol, validate=False)

    try:
        x = np.array(at(1.0 - 1e-3, None).unknowns)
        for _, x, _, _ in march(lambda t, xp: (np.array(at(1.0 - 10.0 ** -t, xp).unknowns),
                                               None),
                                3.0, -math.log10(1.0 - q1), x, h=1.0, h_min=0.05):
            pass
        return np.array(at(q1, x).unknowns)
    except Lost as lost:
        raise ConvergenceError(f"m clones: continuation in log(1 - q1) from q1 = 0.999 lost "
                               f"at 1 - q1 = {10.0 ** -lost.at:.3g}", model=f"mclone-{weights}-"
                               f"{constraint}", params={"alpha": alpha, "kappa": kappa, "m": m,
                                                        "q1": q1},
                               method="continuation") from None


def _below_typical_overlap(weights, constraint, alpha, kappa, q1, label, params, err):
    """Explain a failed m-clone solve when q1 is below the typical (RS) overlap q_RS: there the
    saddle continues the decorrelated point q0 = q1 = q_RS to q0 > q1, outside the ansatz
    q0 <= q1 (raises ConvergenceError saying so; returns if q1 >= q_RS or RS has no
    solution)."""
    if constraint == "symmetric" or alpha == 0.0:
        return                  # q_RS = 0 (SBP by the w -> -w symmetry; no patterns)
    try:
        q_rs = _gardner_rs(weights, alpha, kappa, allow_negative_entropy=True).order["q"]
    except (ConvergenceError, ReplicaInputError):
        return
    if q1 < q_rs:
        raise ConvergenceError(
            f"m clones: q1 = {q1:.6g} is below the typical overlap q_RS = {q_rs:.6g} of "
            f"(alpha, kappa): the saddle has q0 > q1, outside the ansatz q0 <= q1",
            model=label, params=params, method="domain",
            hint="m-clone entropies are defined for q1 >= q_RS (at q1 = q_RS the clones "
                 "decorrelate and phi_m is the RS entropy)") from err


def _solve_scalar(R, x0, name, weights, q1, tol, label, params):
    """The one-unknown m-clone saddle by Brent's method (:func:`replica.solve.solve`,
    ``"bracket"``) on a bracket found by expansion: q0 in [0, q1] (spherical), or qh1 (the
    entropic q1 equation increases with qh1)."""
    f = lambda v: float(R(np.array([v]))[0])
    if weights == "spherical":
        lo, hi = 0.0, q1
        flo, fhi = f(lo), f(hi)
        if flo == 0:
            return np.array([0.0])
        if flo * fhi > 0:
            raise ConvergenceError("m spherical clones: no q0 in [0, q1] solves the q0 equation",
                                   model=label, params=params, x=[lo, hi], residual=[flo, fhi],
                                   method="bracket")
    else:
        lo, hi = x0 - 1e-3 * (1 + abs(x0)), x0 + 1e-3 * (1 + abs(x0))
        for _ in range(200):
            if f(lo) <= 0:
                break
            lo -= 2.0 * (hi - lo)
        for _ in range(200):
            if f(hi) >= 0:
                break
            hi += 2.0 * (hi - lo)
    sol = solve(lambda x: x + R(x), [x0], names=(name,), method="bracket", bracket=(lo, hi),
                tol=tol, model=label, params=params)
    return sol.x


def mclone_free_entropy(weights: str, alpha: float, kappa: float, m, q1: float, *,
                        constraint: str = "margin", rule=None) -> float:
    r""":math:`\phi_m(q_1)`: the entropy per clone of m clones at mutual overlap q1
    (arXiv:2607.27000 eq. 52); at zero temperature ``N m phi_m`` is the log-number of m-tuples
    of solutions with pairwise overlap q1. ``weights`` binary | spherical, ``constraint``
    margin (ABP) | symmetric (SBP). See :func:`mclone_saddle` for the order parameters."""
    return float(mclone_saddle(weights, alpha, kappa, m, q1, constraint=constraint,
                               rule=rule).thermo["free_entropy"])


# ---------------------------------------------------------------------------------------------
# Symmetric binary perceptron, RS
# ---------------------------------------------------------------------------------------------


def _sbp_window(kappa):
    """ln P(|z| <= kappa) = ln(1 - 2 H(kappa)) = ln erf(kappa/sqrt 2), without cancellation:
    ln erf for kappa <= 1, ln(1 - erfc) by log1p beyond (1 - 2H is within 2H of 1). Raises
    for kappa so large that 2H(kappa) underflows (kappa > 37: the window is all of R, no
    finite capacity)."""
    t = kappa / math.sqrt(2.0)
    if kappa <= 1.0:
        return math.log(math.erf(t))
    tail = math.erfc(t)
    if tail == 0.0:
        raise ReplicaInputError(f"kappa must be <= 37 for the symmetric constraint (2H(kappa) "
                                f"underflows: every pattern is satisfied), got {kappa}")
    return math.log1p(-tail)


def sbp_rs_entropy(alpha: float, kappa: float) -> float:
    """RS entropy of the SBP at its symmetric saddle q = qh = 0: ln 2 + alpha ln(1 - 2H(kappa))
    (arXiv:2607.27000 App. A.1; Aubin–Perkins–Zdeborová 2019)."""
    kappa = _check_kappa(kappa, "symmetric")
    return math.log(2.0) + check_range("alpha", alpha, 0.0) * _sbp_window(kappa)


def sbp_capacity(kappa: float) -> float:
    """alpha_c = -ln 2 / ln(1 - 2 H(kappa)) (the zero of the q = 0 RS entropy; 1.8159 at
    kappa = 1)."""
    kappa = _check_kappa(kappa, "symmetric")
    return -math.log(2.0) / _sbp_window(kappa)


# ---------------------------------------------------------------------------------------------
# The model protocol (replica.models.base): "mclone-binary", "mclone-sbp", "mclone-spherical",
# "sbp-rs"
# ---------------------------------------------------------------------------------------------


class MCloneModel(SaddleModel):
    """m real clones at fixed mutual overlap q1 as a model of the protocol (see
    :func:`mclone_saddle`). Parameters alpha >= 0, kappa, m (the number of clones), q1.
    Unknowns: (q0, qh0, qh1) (binary, margin), qh1 (symmetric: q0 = qh0 = 0), q0 (spherical).
    Known point: alpha = 0, where the energetic term vanishes, qh0 = q0 = 0 and qh1 solves the
    entropic q1 equation alone (spherical: q0 = 0). ``thermo``: ``entropy`` = ``free_entropy``
    = phi_m(q1) (per clone), its parts, ``dphi_dq1``, ``dphi_dalpha``."""

    method = "hybrid"
    tol = 1e-11

    def __init__(self, name, weights, constraint, kappa_default, description):
        _check_family(weights, constraint)
        self.name = name
        self.weights, self.constraint = weights, constraint
        self.description = description
        self.unknown_names = _mclone_unknowns(weights, constraint)
        self.order_names = ("q0", "qh0", "q1", "qh1", "m") if weights == "binary" else (
            "q0", "q1", "m")
        mkind = "int" if weights == "binary" else "real"
        self.params = (
            Param("alpha", 0.0, None, doc="load P/N"),
            Param("kappa", default=kappa_default, doc="margin" if constraint == "margin"
                  else "half-width of the window |w.xi|/sqrt(N) <= kappa"),
            Param("m", 2 if weights == "binary" else 1, M_MAX, default=2, kind=mkind,
                  lo_open=weights != "binary", doc="number of clones"),
            Param("q1", 0.0, 1.0 - 1e-10, lo_open=True, doc="mutual overlap of the clones"),
        )

    def check(self, p):
        _check_mclone(self.weights, p["alpha"], p["kappa"], p["m"], p["q1"], self.constraint)
        return p

    def _state(self, x, p):
        return _mclone_state(self.weights, self.constraint, p["alpha"], p["kappa"], p["m"],
                             p["q1"], np.atleast_1d(x), None)

    def residual(self, x, p):
        return self._state(x, p)[0]

    def order(self, x, p):
        o = self._state(x, p)[1]
        if o is None:
            raise ReplicaInputError("unknowns outside the domain 0 <= q0 <= q1, qh0 >= 0")
        return {k: o[k] for k in self.order_names}

    def unknowns(self, order, p):
        return np.array([float(order[k]) for k in self.unknown_names])

    def known_point(self, p):
        p0 = {**p, "alpha": 0.0}
        if self.weights == "spherical":
            return p0, np.array([0.0])
        qh1 = _entropic_qh1(p["q1"], int(p["m"]))
        return p0, (np.array([qh1]) if self.constraint == "symmetric"
                    else np.array([0.0, 0.0, qh1]))

    def guess(self, p):
        return _mclone_guess(self.weights, self.constraint, p["alpha"], p["kappa"], p["m"],
                             p["q1"])

    #: the reason :meth:`is_physical` gives outside the domain
    domain = "outside 0 <= q0 <= q1, qh0 >= 0"

    def _alpha(self, order, p):
        return p["alpha"]

    def free_entropy(self, order, p):
        return free_entropy(self.weights, self._alpha(order, p), p["kappa"], p["m"],
                            order.get("q0", 0.0), p["q1"], order.get("qh0", 0.0),
                            order.get("qh1"), constraint=self.constraint)

    def thermo(self, x, p):
        th = dict(self._state(x, p)[2])
        th["entropy"] = th["free_entropy"]
        return th

    def is_physical(self, x, p):
        return None if self._state(x, p)[1] is not None else self.domain

    def saddle(self, params=None, x0=None, *, method=None, tol=None, validate=True, **options):
        p = self.validate(params) if validate else dict(params)
        sol = mclone_saddle(self.weights, p["alpha"], p["kappa"], p["m"], p["q1"],
                            constraint=self.constraint, x0=x0,
                            tol=self.tol if tol is None else tol, validate=False)
        th = dict(sol.thermo)
        th["entropy"] = th["free_entropy"]
        return Solution(order={k: sol.order[k] for k in self.order_names},
                        residual=sol.residual, status=sol.status, iterations=sol.iterations,
                        method=sol.method, model=self.name, params=dict(p), thermo=th,
                        unknowns=sol.unknowns)


class SBPModel(SaddleModel):
    """RS entropy of the symmetric binary perceptron (|w.xi|/sqrt N <= kappa) as a model of the
    protocol: phi(q, qh) = -qh(1-q)/2 + int Dz ln 2cosh(sqrt(qh) z) + alpha int Dz ln calH(sqrt(q)
    z, sqrt(1-q)) (arXiv:2607.27000 eq. 45 at r = 0). Unknown q with qh = alpha Q0(q)
    eliminated; the symmetric saddle q = 0 solves the equations for every alpha (entropy
    ln 2 + alpha ln(1 - 2H(kappa)), capacity -ln 2 / ln(1 - 2H(kappa))). Known point: alpha = 0,
    q = 0."""

    name = "sbp-rs"
    description = ("RS entropy of the symmetric binary perceptron |w.xi/sqrt N| <= kappa "
                   "(docs/THEORY.md §8.1)")
    params = (Param("alpha", 0.0, None, doc="load P/N"),
              Param("kappa", 0.0, None, default=1.0, lo_open=True,
                    doc="half-width of the window"))
    order_names = ("q", "qh")
    unknown_names = ("q",)
    method = "hybrid"
    tol = 1e-12

    def _qh(self, q, p):
        return p["alpha"] * energetic_terms("symmetric", q, q, 1.0, p["kappa"])["Q0"]

    def residual(self, x, p):
        q = float(np.atleast_1d(x)[0])
        if not 0.0 <= q < 1.0:
            return np.array([math.nan])
        qh = self._qh(q, p)
        return np.array([entropic_binary_terms(q, q, qh, qh, 1)["q0_eq"] - q])

    def order(self, x, p):
        q = float(np.atleast_1d(x)[0])
        return {"q": q, "qh": self._qh(q, p)}

    def unknowns(self, order, p):
        return np.array([float(order["q"])])

    def known_point(self, p):
        return {**p, "alpha": 0.0}, np.array([0.0])

    def free_entropy(self, order, p):
        q, qh = float(order["q"]), float(order["qh"])
        es = entropic_binary_terms(q, q, qh, qh, 1)["G_S"]
        en = p["alpha"] * energetic_terms("symmetric", q, q, 1.0, p["kappa"])["G_E"]
        return {"entropic": es, "energetic": en, "free_entropy": es + en}

    def thermo(self, x, p):
        f = self.free_entropy(self.order(x, p), p)
        return {"entropy": f["free_entropy"], "entropic": f["entropic"],
                "energetic": f["energetic"], "capacity": sbp_capacity(p["kappa"])}


class MCloneZeroModel(MCloneModel):
    r"""The curve alpha_m(q1) of m clones: the load at which :math:`\phi_m(q_1) = 0`, as a model
    of the protocol (arXiv:2607.27000 eqs. 25–26). Parameters kappa, m (number of clones), q1;
    unknowns: those of the m-clone saddle (:func:`mclone_saddle`) and alpha; residual: the
    m-clone saddle-point equations and :math:`\phi_m = 0`. Along q1 the minimum of alpha_m is
    where ``dphi_dq1`` (envelope theorem) changes sign, so alpha_OGP(m) is an event of this
    model's branch (:func:`replica.rsb1_thresholds.alpha_ogp`).

    Known point: the decorrelated clones. At q1 = q_RS(alpha_c), the typical overlap at the RS
    capacity, the m-clone saddle is the RS one (q0 = q1, qh0 = qh1 = qh_RS) and phi_m = s_RS = 0:
    alpha_m = alpha_c (binary: Krauth–Mézard; SBP: q_RS = 0, alpha_c = -ln 2/ln(1 - 2H(kappa)),
    q1 = 0, qh1 = 0)."""

    method = "hybrid"
    tol = 1e-11

    def __init__(self, name, constraint, kappa_default, description):
        self.name, self.constraint, self.description = name, constraint, description
        self.weights = "binary"
        self.unknown_names = _mclone_unknowns("binary", constraint) + ("alpha",)
        self.order_names = ("q0", "qh0", "q1", "qh1", "m", "alpha")
        self.params = (
            Param("kappa", default=kappa_default, doc="margin" if constraint == "margin"
                  else "half-width of the window |w.xi|/sqrt(N) <= kappa"),
            Param("m", 2, M_MAX, default=2, kind="int", doc="number of clones"),
            Param("q1", 0.0, 1.0 - 1e-10, doc="mutual overlap of the clones"),
        )

    def check(self, p):
        _check_kappa(p["kappa"], self.constraint)
        return p

    #: the quadrature rule of the residual (None: ``RULE``); see :meth:`with_rule`
    rule = None

    def with_rule(self, rule):
        """A copy of the model whose residual uses the quadrature ``rule`` (e.g.
        ``COARSE_RULE`` to locate a threshold before polishing it with the default rule)."""
        other = copy.copy(self)
        other.rule = rule
        return other

    def _state(self, x, p, rule=None):
        rule = self.rule if rule is None else rule
        x = np.atleast_1d(np.asarray(x, dtype=float))
        a = float(x[-1])
        if not a > 0:
            return np.full(x.size, math.nan), None, None
        res, order, th = _mclone_state("binary", self.constraint, a, p["kappa"], p["m"],
                                       p["q1"], x[:-1], rule)
        if order is None:
            return np.full(x.size, math.nan), None, None
        return np.append(res, th["free_entropy"]), {**order, "alpha": a}, th

    def residual(self, x, p):
        return self._state(x, p)[0]

    def order(self, x, p):
        o = self._state(x, p)[1]
        if o is None:
            raise ReplicaInputError("unknowns outside the domain 0 <= q0 <= q1, qh0 >= 0, "
                                    "alpha > 0")
        return {k: o.get(k, 0.0) for k in self.order_names}

    def unknowns(self, order, p):
        return np.array([float(order[k]) for k in self.unknown_names])

    def known_point(self, p):
        if self.constraint == "symmetric":
            return {**p, "q1": 0.0}, np.array([0.0, sbp_capacity(p["kappa"])])
        ac = _gardner_capacity("binary", p["kappa"])
        rs = _gardner_rs("binary", ac, p["kappa"], allow_negative_entropy=True)
        q, qh = rs.order["q"], rs.order["qh"]
        return {**p, "q1": q}, np.array([q, qh, qh, ac])

    def guess(self, p, alpha0=None, x0=None, tol=1e-6, rule=COARSE_RULE):
        """Newton's method in alpha with the exact slope d phi_m/d alpha = G_E, each step an
        m-clone saddle (with the coarse rule); returns (unknowns, alpha)."""
        kappa, m, q1 = p["kappa"], p["m"], p["q1"]
        # default start: just below the RS capacity (alpha_m(q1) <= alpha_c; a fixed start
        # beyond the capacity of kappa > 0 lost the clones' saddle)
        a = (sbp_capacity(kappa) if self.constraint == "symmetric"
             else 0.95 * _gardner_capacity("binary", kappa)) if alpha0 is None else alpha0
        sol = None
        for _ in range(60):
            sol = mclone_saddle("binary", a, kappa, m, q1, constraint=self.constraint,
                                x0=x0 if sol is None else sol.unknowns, rule=rule,
                                validate=False)
            step = -sol.thermo["free_entropy"] / sol.thermo["G_E"]
            a = a + step if a + step > 0 else 0.5 * a
            if abs(step) <= tol * max(1.0, a):
                return np.append(sol.unknowns, a)
        raise ConvergenceError("alpha_m(q1): Newton in alpha did not converge", model=self.name,
                               params=dict(p), x=[a], iterations=60, method="newton")

    domain = "outside 0 <= q0 <= q1, qh0 >= 0, alpha > 0"
    saddle = SaddleModel.saddle      # the protocol's solve (MCloneModel's goes through q1 > 0)

    def _alpha(self, order, p):
        return order["alpha"]


MCLONE_BINARY = MCloneModel("mclone-binary", "binary", "margin", 0.0,
                            "m binary clones at mutual overlap q1, margin kappa (ABP; "
                            "docs/THEORY.md §8.1)")
MCLONE_SBP = MCloneModel("mclone-sbp", "binary", "symmetric", 1.0,
                         "m clones of the symmetric binary perceptron at mutual overlap q1 "
                         "(docs/THEORY.md §8.1)")
MCLONE_SPHERICAL = MCloneModel("mclone-spherical", "spherical", "margin", 0.0,
                               "m spherical clones at mutual overlap q1, margin kappa "
                               "(docs/THEORY.md §8.1)")
SBP_RS = SBPModel()
MCLONE_ZERO_BINARY = MCloneZeroModel("ogp-binary", "margin", 0.0,
                                     "alpha_m(q1): load where m binary clones at overlap q1 "
                                     "have zero entropy (docs/THEORY.md §8.1)")
MCLONE_ZERO_SBP = MCloneZeroModel("ogp-sbp", "symmetric", 1.0,
                                  "alpha_m(q1) of the symmetric binary perceptron "
                                  "(docs/THEORY.md §8.1)")


# ---------------------------------------------------------------------------------------------
# Binary perceptron: the m -> 1 expansion of the 1RSB free entropy (frozen 1RSB)
# ---------------------------------------------------------------------------------------------


def _tilted_m1(qh0, qh1, rule=None):
    """Averages over the m = 1 block measure of the binary entropic term, with h = a + b z1,
    a = sqrt(qh0) z0, b^2 = qh1 - qh0, and the weight Dz1 2cosh(h)/(2cosh(a) e^{b^2/2}):
    a mixture of Gaussians shifted by +-b^2, h = a +- b^2 + b z with w_+- = e^{+-a}/(2cosh a).
    Returns (f, l): f = int Dz0 <tanh^2 h> (the entropic q1, eq. 57) and l = int Dz0
    <ln 2cosh h> (the m-derivative of ln int Dz1 (2cosh h)^m at m = 1)."""
    n, L, base = RULE if rule is None else rule
    b2 = max(qh1 - qh0, 0.0)
    b = math.sqrt(b2)
    sq = math.sqrt(max(qh0, 0.0))
    z0, w0 = graded_gaussian_rule([0.0], [1.0 / max(sq, 1e-300)], L=L, n=n, base=base)
    f = 0.0
    lc = 0.0
    for a_z, wz in zip(sq * z0, w0):
        wp = 0.5 * (1.0 + math.tanh(a_z))
        for sgn, ww in ((1.0, wp), (-1.0, 1.0 - wp)):
            c = a_z + sgn * b2
            if b == 0.0:
                h, w = np.array([c]), np.array([1.0])
            else:
                z, w = graded_gaussian_rule([-c / b], [1.0 / b], L=L, n=n, base=base)
                h = c + b * z
            f += wz * ww * float(np.dot(w, np.tanh(h) ** 2))
            lc += wz * ww * float(np.dot(w, log_2cosh(h)))
    return f, lc


def frozen_m1_profile(alpha: float, kappa: float, q1_values, *, rule=None) -> dict:
    r"""The m -> 1 expansion of the binary 1RSB free entropy (arXiv:2607.27000 App. B, eqs.
    53–58, zero temperature, storage): S = S_RS(q0, qh0) + (m - 1) phi~(q0, qh0, q1, qh1) with
    (q0, qh0) the RS saddle. With qh1(q1) = alpha Q1(q0, q1; m = 1) (eq. 58) substituted,

    .. math:: \partial_{\hat q_1}\tilde\phi = \tfrac12[f(\hat q_1(q_1)) - q_1],

    f the entropic q1 of the m = 1 block measure (eq. 57). Its zeros in q1 are the m -> 1
    solutions: q1 = q0 (RS) and q1 -> 1 (the frozen solution; qh1 ~ C/sqrt(1 - q1), eq. 61,
    so that 1 - f is exponentially small and the derivative vanishes as (1 - q1)/2); between
    them the sign change of a third, intermediate zero. The frozen state has no internal
    entropy, so its complexity at m = 1 is the RS entropy and the static capacity stays the RS
    (Krauth–Mézard) one.
    Returns ``{"q0", "qh0", "q1", "qh1", "dphi_dqh1"}`` (lists)."""
    alpha = check_range("alpha", alpha, 0.0, lo_open=True)
    kappa = check_finite("kappa", kappa)
    rs = _gardner_rs("binary", alpha, kappa)
    q0, qh0 = rs.order["q"], rs.order["qh"]
    out = {"q0": q0, "qh0": qh0, "q1": [], "qh1": [], "dphi_dqh1": []}
    for q1 in q1_values:
        q1 = check_range("q1", q1, q0, 1.0, hi_open=True)
        qh1 = alpha * energetic_terms("margin", q0, q1, 1.0, kappa, rule)["Q1"]
        out["q1"].append(float(q1))
        out["qh1"].append(float(qh1))
        out["dphi_dqh1"].append(0.5 * (_tilted_m1(qh0, qh1, rule)[0] - q1))
    return out


def frozen_m1_terms(alpha: float, kappa: float, q1: float, *, rule=None) -> dict:
    r"""phi~ = d Phi/dm at m = 1 (arXiv:2607.27000 eqs. 53–55 at zero temperature, storage) at
    block overlap q1, with (q0, qh0) the RS saddle and qh1 = alpha Q1(q0, q1; m = 1) (eq. 58):

    .. math:: \tilde\phi = \tfrac12(q_0\hat q_0 - q_1\hat q_1)
              - \int Dz_0 \ln[2\cosh a\, e^{b^2/2}] + \int Dz_0\langle\ln 2\cosh h\rangle
              + \alpha\,\partial_m G_E|_{m=1}.

    Keys ``phi_tilde``, ``complexity`` (= -phi~, the complexity Sigma = -m^2 d Phi/dm at m = 1),
    ``internal_entropy`` (= S_RS + phi~, the entropy of one state), ``s_rs``, ``q0``, ``qh0``,
    ``qh1``. As q1 -> 1 (the frozen solution) the internal entropy vanishes: the states are
    isolated solutions, their complexity at m = 1 is S_RS and the static capacity (Sigma = 0)
    is the RS (Krauth–Mézard) one."""
    alpha = check_range("alpha", alpha, 0.0, lo_open=True)
    kappa = check_finite("kappa", kappa)
    rs = _gardner_rs("binary", alpha, kappa, allow_negative_entropy=True)
    q0, qh0 = rs.order["q"], rs.order["qh"]
    q1 = check_range("q1", q1, q0, 1.0, hi_open=True)
    en = energetic_terms("margin", q0, q1, 1.0, kappa, rule)
    qh1 = alpha * en["Q1"]
    sq = math.sqrt(qh0)
    z, w = graded_gaussian_rule([0.0], [1.0 / max(sq, 1e-300)], L=_rule(rule)[2],
                                n=len(_rule(rule)[0]), base=_rule(rule)[3])
    ln_z1 = float(np.dot(w, log_2cosh(sq * z))) + 0.5 * (qh1 - qh0)
    lc = _tilted_m1(qh0, qh1, rule)[1]
    pt = 0.5 * (q0 * qh0 - q1 * qh1) - ln_z1 + lc + alpha * en["dm"]
    s_rs = float(rs.thermo["entropy"])
    return {"phi_tilde": pt, "complexity": -pt, "internal_entropy": s_rs + pt, "s_rs": s_rs,
            "q0": q0, "qh0": qh0, "q1": q1, "qh1": qh1}
