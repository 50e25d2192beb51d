r"""Spherical perceptron at finite N: the hard-margin (maximum-margin) classifier through the origin.

Problem: maximise kappa subject to :math:`w\cdot\xi^\mu/\sqrt N \ge \kappa` for all mu and
:math:`|w|^2 = N`. For a linearly separable instance (kappa_max > 0) it is equivalent to the
convex quadratic programme (hard-margin SVM without bias)

.. math:: \min_v |v|^2 \quad\text{s.t.}\quad v\cdot\xi^\mu \ge 1,

with :math:`w = \sqrt N\, v/|v|` and :math:`\kappa_{\max} = 1/|v^*|` (substitute
:math:`v = w/(\kappa\sqrt N)`).

Method (``method="nnls"``, default): the QP is a least-distance programme (LDP)
:math:`\min|x|` s.t. :math:`Gx\ge h` with G = X (rows xi^mu), h = 1, solved exactly by
Lawson & Hanson's reduction to non-negative least squares (*Solving Least Squares Problems*,
1974, ch. 23, algorithm LDP): with :math:`E = [G^T; h^T]` and :math:`f = (0,\dots,0,1)`, solve
:math:`\min_{u\ge0}|Eu - f|` (``scipy.optimize.nnls``, an active-set method); with r = Eu - f,
r = 0 means the constraints are incompatible (non-separable instance), otherwise
:math:`x = -r_{1..N}/r_{N+1}`. The Lagrange multipliers are :math:`\lambda = u/(1 - h\cdot u)\ge 0`
and :math:`x = \sum_\mu\lambda_\mu\xi^\mu`. Every solution is certified by its KKT conditions
(primal feasibility, lambda >= 0, complementary slackness) and separability is double-checked by
an independent linear programme (``scipy.optimize.linprog``/HiGHS feasibility of X v >= 1); if the
two disagree, or the KKT residual exceeds ``tol``, :class:`~replica.errors.ConvergenceError` is
raised — a wrong margin is never returned. ``method="slsqp"`` solves the same QP with
``scipy.optimize.minimize(method="SLSQP")`` (a second, independent path used in the tests).

Non-separable instances (kappa_max <= 0, i.e. alpha > 2 typically) are reported with
``separable=False`` and ``margin=None``: the negative-margin problem is non-convex and is not
solved here.

Theory (docs/THEORY.md §1): :math:`\alpha_c(\kappa) = 1/[(1+\kappa^2)\Phi(\kappa) + \kappa\phi(\kappa)]`
(Gardner 1988), kappa_max(alpha) its inverse; at the maximum margin the stability distribution is
:math:`\Phi(\kappa_{\max})\delta(\Delta-\kappa_{\max}) + \theta(\Delta-\kappa_{\max})\phi(\Delta)`,
so the support-vector fraction is :math:`\Phi(\kappa_{\max})`.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from scipy import optimize

from ..errors import ConvergenceError, ReplicaInputError, check_range
from ..gauss import F_margin

__all__ = ["SphericalMaxMargin", "max_margin_spherical", "alpha_c_spherical",
           "kappa_max_spherical", "sample_max_margins"]


@dataclass(frozen=True)
class SphericalMaxMargin:
    """Result of :func:`max_margin_spherical`.

    ``margin`` = min_mu Delta_mu of the returned ``w`` (|w|^2 = N), None when not separable;
    ``stabilities`` Delta_mu; ``support`` boolean mask of the support vectors (lambda_mu > 0);
    ``multipliers`` lambda_mu; ``kkt`` = dict of the certificate's residuals."""
    separable: bool
    margin: float | None
    w: np.ndarray | None
    stabilities: np.ndarray | None
    support: np.ndarray | None
    multipliers: np.ndarray | None
    kkt: dict
    method: str
    n: int
    p: int

    @property
    def n_support(self) -> int:
        return 0 if self.support is None else int(self.support.sum())

    @property
    def support_fraction(self) -> float | None:
        return None if self.support is None else self.n_support / self.p


def _separable_lp(X: np.ndarray):
    """Linear-programming separability check, independent of the QP: maximise t subject to
    X v >= t, -1 <= v_i <= 1, t <= 1 (bounded and scale-free, unlike plain feasibility of
    X v >= 1, which HiGHS may fail on when the margin is tiny). Separable iff t* > 0; returns
    (True, v/t* — a point with X v >= 1) or (False, None). HiGHS dual simplex, then interior point
    if the first attempt fails; ConvergenceError if both fail."""
    p, n = X.shape
    c = np.zeros(n + 1)
    c[-1] = -1.0
    A = np.hstack([-X, np.ones((p, 1))])
    bounds = [(-1.0, 1.0)] * n + [(None, 1.0)]
    res = None
    for method in ("highs-ds", "highs-ipm"):
        res = optimize.linprog(c, A_ub=A, b_ub=np.zeros(p), bounds=bounds, method=method)
        if res.status == 0:
            break
    if res.status != 0:
        raise ConvergenceError("linprog separability check failed", model="spherical-max-margin",
                               params={"N": n, "P": p, "status": res.status}, hint=res.message)
    t = -res.fun
    # t* is a margin in the L-infinity box; below 1e-10 * max|xi| it is zero up to rounding
    if t > 1e-10 * max(1.0, float(np.max(np.abs(X)))):
        return True, res.x[:n] / t
    return False, None


def _qp_nnls(X):
    p, n = X.shape
    E = np.vstack([X.T, np.ones((1, p))])
    f = np.zeros(n + 1)
    f[-1] = 1.0
    u, _ = optimize.nnls(E, f, maxiter=50 * (n + p + 1))
    r = E @ u - f
    # r = 0 exactly <=> incompatible constraints; at a feasible solution r_{N+1} = sum u - 1 < 0
    if r[-1] > -1e-10:
        return None, None
    v = -r[:n] / r[-1]
    lam = u / (1.0 - u.sum())
    return v, lam


def _qp_slsqp(X, v0=None):
    p, n = X.shape
    v0 = np.zeros(n) if v0 is None else v0
    res = optimize.minimize(lambda v: v @ v, v0, jac=lambda v: 2 * v, method="SLSQP",
                            constraints=[{"type": "ineq", "fun": lambda v: X @ v - 1.0,
                                          "jac": lambda v: X}],
                            options={"ftol": 1e-13, "maxiter": 2000})
    # SLSQP often ends with "positive directional derivative" at machine precision; the KKT
    # certificate checked by the caller decides whether the iterate is the optimum.
    if not res.success and res.status != 8:
        raise ConvergenceError("SLSQP did not converge", model="spherical-max-margin",
                               params={"N": n, "P": p}, x=res.x, iterations=res.nit,
                               method="SLSQP", hint=res.message)
    v = res.x
    # multipliers from the active set by non-negative least squares on v = X_S^T lam_S
    act = np.flatnonzero(X @ v - 1.0 < 1e-7)
    lam = np.zeros(p)
    if act.size:
        lam[act], _ = optimize.nnls(X[act].T, v)
    return v, lam


def max_margin_spherical(xi, *, method: str = "nnls", tol: float = 1e-7) -> SphericalMaxMargin:
    """Maximum margin of the spherical perceptron through the origin for patterns ``xi`` (P, N)
    (labels absorbed). See the module docstring for the formula, method and certificate."""
    X = np.asarray(xi, dtype=float)
    if X.ndim != 2 or X.shape[0] < 1 or X.shape[1] < 1:
        raise ReplicaInputError("patterns must be a non-empty 2-D array (P, N)")
    if not np.all(np.isfinite(X)):
        raise ReplicaInputError("patterns must be finite")
    if method not in ("nnls", "slsqp"):
        raise ReplicaInputError(f"method must be 'nnls' or 'slsqp', got {method!r}")
    p, n = X.shape
    separable, v_lp = _separable_lp(X)
    if method == "nnls":
        v, lam = _qp_nnls(X)
        qp_sep = v is not None
        if qp_sep != separable:
            raise ConvergenceError("LDP/NNLS and the LP separability check disagree",
                                   model="spherical-max-margin",
                                   params={"N": n, "P": p, "lp_separable": separable,
                                           "nnls_separable": qp_sep})
    else:
        v, lam = _qp_slsqp(X, v_lp) if separable else (None, None)
    if not separable:
        return SphericalMaxMargin(False, None, None, None, None, None, {}, method, n, p)
    g = X @ v
    scale = max(1.0, float(np.max(np.abs(lam))))
    kkt = {"primal_violation": float(max(0.0, 1.0 - g.min())),
           "dual_violation": float(max(0.0, -lam.min())),
           "complementarity": float(np.max(np.abs(lam * (g - 1.0))) / scale),
           "stationarity": float(np.linalg.norm(v - X.T @ lam) / max(1.0, np.linalg.norm(v)))}
    if max(kkt.values()) > tol:
        raise ConvergenceError("max-margin QP solution fails its KKT certificate",
                               model="spherical-max-margin", params={"N": n, "P": p, **kkt},
                               method=method, hint="ill-conditioned instance (margin ~ 0?)")
    w = math.sqrt(n) * v / np.linalg.norm(v)
    stab = X @ w / math.sqrt(n)
    margin = float(stab.min())
    support = lam > 0 if method == "nnls" else lam > 1e-10 * scale
    return SphericalMaxMargin(True, margin, w, stab, support, lam, kkt, method, n, p)


def alpha_c_spherical(kappa):
    r"""Gardner capacity :math:`\alpha_c(\kappa) = 1/[(1+\kappa^2)\Phi(\kappa)+\kappa\phi(\kappa)]`
    (Gardner 1988; docs/THEORY.md §1) — the denominator is :math:`\int_{-\kappa}^\infty Dt (t+\kappa)^2`."""
    return 1.0 / F_margin(np.asarray(kappa, dtype=float))


def kappa_max_spherical(alpha: float) -> float:
    """Inverse of :func:`alpha_c_spherical` (monotone decreasing in kappa), by Brent's method.
    For alpha > 2 it is negative: the RS value, an upper bound there (docs/THEORY.md §1)."""
    a = check_range("alpha", alpha, 0.0, lo_open=True)
    f = lambda k: alpha_c_spherical(k) - a  # noqa: E731
    lo, hi = -1.0, 1.0
    while f(lo) < 0:
        lo *= 2
    while f(hi) > 0:
        hi *= 2
    return float(optimize.brentq(f, lo, hi, xtol=1e-14, rtol=1e-14))


def sample_max_margins(n: int, alpha: float, instances: int, seed: int = 0,
                       patterns: str = "gaussian") -> dict:
    """Max margins and support-vector fractions over seeded instances (P = round(alpha N)).

    Returns arrays ``margin`` and ``support_fraction`` of the separable, certified instances,
    the fractions ``frac_nonseparable`` and ``frac_failed`` (instances whose QP failed its
    certificate: recorded, not silently dropped) and the pooled stabilities."""
    from .enumerate import instance_seeds, make_patterns, n_patterns

    p = n_patterns(n, alpha)
    margins, fracs, stabs, nonsep, failed = [], [], [], 0, 0
    for ss in instance_seeds(seed, instances):
        try:
            r = max_margin_spherical(make_patterns(n, p, ss, patterns))
        except ConvergenceError:
            failed += 1
            continue
        if not r.separable:
            nonsep += 1
            continue
        margins.append(r.margin)
        fracs.append(r.support_fraction)
        stabs.append(r.stabilities)
    return {"n": n, "p": p, "alpha": p / n, "margin": np.array(margins),
            "support_fraction": np.array(fracs), "frac_nonseparable": nonsep / instances,
            "frac_failed": failed / instances,
            "stabilities": np.concatenate(stabs) if stabs else np.zeros(0)}
