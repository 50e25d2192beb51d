r"""Large-deviation local entropy of the binary perceptron: the local entropy of the densest
regions (Baldassi, Ingrosso, Lucibello, Saglietti, Zecchina, PRL 115, 128101 (2015); J. Stat.
Mech. (2016) 023301, arXiv:1511.05634; E. M. Malatesta, arXiv:2309.09240, eq. 49).

References w~ (solutions of margin kappa_ref, or unconstrained) are weighted by the number of
solutions of margin kappa at distance d from them, raised to the power y:

.. math::

    Z(y) = \sum_{\tilde w} X_{\tilde\kappa}(\tilde w)\, e^{y N S(\tilde w, d)},\qquad
    S(\tilde w, d) = \frac1N \ln \#\{w : \Delta_\mu(w) \ge \kappa\ \forall\mu,\ w\cdot\tilde w
    = N(1-2d)\},

Phi(y) = lim (1/N) E ln Z(y); the local entropy of the references selected at y is
S_I(d; y) = dPhi/dy, and S_I(d; infinity) = lim Phi/y is the local entropy of the densest
regions (y = 0: the flat reference, the Franz–Parisi local entropy of
:mod:`replica.models.franz_parisi`).

Replicated free entropy (n -> 0 references with y clones each, RS over references; derived in
``theory_notebooks/large_deviation_derivation.py``, docs/THEORY.md §8.2):

    Phi = -Qh(1-Q)/2 - y[(p - t) th + p ph] - y qh1 [(y-1) q1 + 1]/2 + y^2 qh0 q0/2
          + G_S(Qh, th, qh0, qh1, ph) + alpha G_E(Q, t, q0, q1)

(:mod:`replica.models.ld_kernels` for G_S, G_E). y -> infinity with 1 - Q = chi/y,
p - t = b/y, q1 - q0 = delta/y, Qh = y^2 R, th = y tau, qh1 - qh0 = eps/y:

    Phi_inf = -R chi/2 - tau b - ph p - qh1 (1-q1)/2 - (qh1 delta + q1 eps)/2
              + GS_inf(R, tau, qh1, eps, ph) + alpha GE_inf(chi, b, q1, delta).

Stationarity at y = infinity, conjugates eliminated explicitly:
R = 2 alpha dGE/dchi, tau = alpha dGE/db, qh1 = 2 alpha dGE/ddelta, eps = qh1 + 2 alpha dGE/dq1;
then chi = 2 dGS/dR, b = dGS/dtau, q1 = <T^2>, delta = 2 dGS/dqh1 - (1 - q1), p = <w~ T>.
Unknowns handed to :func:`replica.solve.solve`: (ln chi, ln b, ln D^2, ln c^2, ph) with
D^2 = q1 - p^2 and c^2 = delta - b^2/chi (both >= 0: the overlap matrices are positive; b >= 0
since L is convex); residuals ln(chi'/chi), ln(b'/b), ln(D^2'/D^2), ln(c^2'/c^2), ln(d'/d).
At small d the reference constraint stops binding (R, tau -> 0 faster than any power: the
densest references are solutions anyway), D^2 becomes a vanishing fraction of 1 - q1 and c^2
of delta (1e-7 and 1e-11 at d = 0.003, alpha = 0.7). The kernels therefore compute chi, b, c^2
and D^2 in closed forms that neither divide by sqrt(R) or D nor form the differences
delta - b^2/chi, q1 - p^2 (Stein's lemma and a rotation of the entropic Gaussians,
:mod:`replica.models.ld_kernels`), and the constrained solution runs continuously into
R = tau = 0, where it coincides with the unconstrained one. The slope is
dS_I/dd = -2 dPhi_inf/dp = 2 ph - 2 alpha dGE_inf/dp.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from ..continuation import Lost, march
from ..errors import ConvergenceError, ReplicaInputError, check_finite, check_range
from ..gauss import gauss_legendre
from ..solve import Solution, solve
from .base import Param, SaddleModel
from .ld_kernels import (energetic_finite, energetic_inf, energetic_inf_free, entropic_finite,
                         entropic_inf, entropic_inf_free)

__all__ = ["Quadrature", "LargeDeviationInf", "LD_BINARY", "LD_BINARY_FREE",
           "local_entropy_inf", "h2", "free_entropy_inf", "sweep"]


@dataclass(frozen=True)
class Quadrature:
    """Composite Gauss–Legendre settings of the outer (z0, z2) rules: ``nodes`` per panel and
    the ``base`` panel length; panels are graded around the kinks. ``Quadrature.fine()`` is the
    convergence check used by the tests."""

    nodes: int = 10
    base: float = 2.0

    @staticmethod
    def fine():
        return Quadrature(nodes=16, base=1.0)

    def rule(self):
        xg, wg = gauss_legendre(self.nodes)
        return np.array(xg), np.array(wg), float(self.base)


DEFAULT_QUAD = Quadrature()


def h2(d):
    """Binary entropy H2(d) (natural log): the upper bound of every local entropy."""
    return -d * math.log(d) - (1 - d) * math.log1p(-d)


def _x_to_order(x, d):
    chi, b, D2, c2 = math.exp(x[0]), math.exp(x[1]), math.exp(x[2]), math.exp(x[3])
    return {"chi": chi, "b": b, "D2": D2, "one_minus_q1": 4 * d * (1 - d) - D2, "c2": c2,
            "delta": c2 + b * b / chi, "ph": float(x[4])}


def free_entropy_inf(order: dict, alpha: float, d: float, kappa: float = 0.0,
                     kappa_ref: float | None = 0.0, *, quad: Quadrature = DEFAULT_QUAD) -> dict:
    """Phi_inf at arbitrary order parameters (chi, b, q1 | one_minus_q1, delta, ph, R, tau, qh1,
    eps; optionally c2 = delta - b^2/chi and D2 = q1 - p^2 themselves, which then take
    precedence): the y = infinity free entropy per clone, as named terms. ``kappa_ref=None``:
    the reference is unconstrained. Used by the stationarity tests (finite differences)."""
    xg, wg, base = quad.rule()
    p = 1.0 - 2.0 * d
    con = kappa_ref is not None
    kr = float(kappa_ref) if con else 0.0
    q1 = 1.0 - order["one_minus_q1"] if "one_minus_q1" in order else order["q1"]
    de, ph, qh1, eps = order.get("delta"), order["ph"], order["qh1"], order["eps"]
    if not con:
        E = energetic_inf_free(kappa, q1, de, xg, wg, base)
        S = entropic_inf_free(qh1, eps, ph, xg, wg, base)
        inter = -ph * p - qh1 * (1 - q1) / 2 - (qh1 * de + q1 * eps) / 2
        return {"interaction": inter, "entropic": float(S[0]),
                "energetic": alpha * float(E[0]),
                "free_entropy": inter + float(S[0]) + alpha * float(E[0])}
    chi, b, R, tau = order["chi"], order["b"], order["R"], order["tau"]
    c2 = order["c2"] if "c2" in order else de - b * b / chi
    de = c2 + b * b / chi
    D2 = order["D2"] if "D2" in order else q1 - p * p
    E = energetic_inf(kr, con, kappa, p, chi, b, D2, c2, xg, wg, base)
    S = entropic_inf(R, tau, qh1, eps, ph, xg, wg, base)
    inter = -R * chi / 2 - tau * b - ph * p - qh1 * (1 - q1) / 2 - (qh1 * de + q1 * eps) / 2
    return {"interaction": inter, "entropic": float(S[0]), "energetic": alpha * float(E[0]),
            "free_entropy": inter + float(S[0]) + alpha * float(E[0])}


class _InfProblem:
    """Residual and thermodynamics at y = infinity for fixed (alpha, d, kappa, kappa_ref)."""

    def __init__(self, alpha, d, kappa, kappa_ref, quad):
        self.alpha, self.d, self.kappa = float(alpha), float(d), float(kappa)
        self.con = kappa_ref is not None
        self.kr = float(kappa_ref) if self.con else 0.0
        self.p = 1.0 - 2.0 * self.d
        self.rule = quad.rule()

    def evaluate(self, x):
        x = np.asarray(x, dtype=float)
        if not (np.all(np.isfinite(x)) and -60 < x[0] < 60 and -700 < x[2] < 0
                and -700 < x[1] < 60 and -700 < x[3] < 60):
            return None, None
        o = _x_to_order(x, self.d)
        if o["one_minus_q1"] <= 0:
            return None, None
        chi, b, omq, de, ph = o["chi"], o["b"], o["one_minus_q1"], o["delta"], o["ph"]
        c2 = o["c2"]
        q1 = 1.0 - omq
        al, p = self.alpha, self.p
        xg, wg, base = self.rule
        E = energetic_inf(self.kr, self.con, self.kappa, p, chi, b, o["D2"], c2, xg, wg, base)
        if not np.all(np.isfinite(E[:6])):
            return None, None
        R, tau = 2 * al * E[1], al * E[2]
        qh1 = 2 * al * E[4]
        eps = qh1 + 2 * al * E[3]
        S = entropic_inf(R, tau, qh1, eps, ph, xg, wg, base)
        if not np.all(np.isfinite(S)) or S[1] <= 0 or S[6] <= 0 or S[7] <= 0 or S[9] <= 0:
            return None, None
        chi2, b2 = 2 * S[1], S[2]
        if b2 <= 0 or S[10] <= 0:
            return None, None
        res = np.array([math.log(chi2 / chi), math.log(b2 / b), math.log(S[10] / o["D2"]),
                        math.log(S[9] / c2), math.log(S[6] / self.d)])
        inter = -R * chi / 2 - tau * b - ph * p - qh1 * omq / 2 - (qh1 * de + q1 * eps) / 2
        ent = inter + S[0] + al * E[0]
        dSdp = -ph + al * E[5]
        info = {"entropy": float(ent), "interaction": float(inter), "entropic": float(S[0]),
                "energetic": float(al * E[0]), "dS_dd": float(-2 * dSdp), "q1": float(q1),
                "one_minus_q1": float(omq), "chi": float(chi), "b": float(b),
                "delta": float(de), "ph": float(ph), "R": float(R), "tau": float(tau),
                "qh1": float(qh1), "eps": float(eps), "c2": float(c2), "D2": float(E[7]),
                "e2": float(S[8]), "p": p, "d": self.d}
        return res, info


class _FreeProblem:
    """y = infinity with an unconstrained reference: R = tau = 0 (the reference spin follows
    the sign of the clone field), chi and b drop out. Unknowns (ln(1-q1), ln delta, ph);
    residuals ln((1-q1')/(1-q1)), ln(delta'/delta), ln(d'/d). The energetic term does not
    depend on p, so dS_I/dd = 2 ph."""

    def __init__(self, alpha, d, kappa, quad):
        self.alpha, self.d, self.kappa = float(alpha), float(d), float(kappa)
        self.p = 1.0 - 2.0 * self.d
        self.rule = quad.rule()

    def evaluate(self, x):
        x = np.asarray(x, dtype=float)
        if not (np.all(np.isfinite(x)) and -300 < x[0] < 0 and -60 < x[1] < 60):
            return None, None
        omq, de, ph = math.exp(x[0]), math.exp(x[1]), float(x[2])
        q1 = 1.0 - omq
        al, p = self.alpha, self.p
        xg, wg, base = self.rule
        E = energetic_inf_free(self.kappa, q1, de, xg, wg, base)
        if not np.all(np.isfinite(E)):
            return None, None
        qh1 = 2 * al * E[2]
        eps = qh1 + 2 * al * E[1]
        S = entropic_inf_free(qh1, eps, ph, xg, wg, base)
        if not np.all(np.isfinite(S)) or S[4] <= 0 or S[5] <= 0:
            return None, None
        de2 = 2 * S[1] - omq
        if de2 <= 0:
            return None, None
        res = np.array([math.log(S[5] / omq), math.log(de2 / de), math.log(S[4] / self.d)])
        inter = -ph * p - qh1 * omq / 2 - (qh1 * de + q1 * eps) / 2
        ent = inter + S[0] + al * E[0]
        info = {"entropy": float(ent), "interaction": float(inter), "entropic": float(S[0]),
                "energetic": float(al * E[0]), "dS_dd": float(2 * ph), "q1": float(q1),
                "one_minus_q1": float(omq), "delta": float(de), "ph": float(ph),
                "R": 0.0, "tau": 0.0, "qh1": float(qh1), "eps": float(eps), "c2": float(de),
                "D2": float(q1 - p * p), "e2": float(qh1), "p": p, "d": self.d}
        return res, info


def _validate(alpha, d, kappa, kappa_ref):
    alpha = check_range("alpha", alpha, 0.0, lo_open=True)
    d = check_range("d", d, 0.0, 0.5, lo_open=True, hi_open=True)
    kappa = check_finite("kappa", kappa)
    if kappa_ref is not None:
        kappa_ref = check_finite("kappa_ref", kappa_ref)
    return alpha, d, kappa, kappa_ref


#: saddle points at (alpha, d, kappa, kappa_ref) = (0.6, 0.05, 0, 0) (constrained reference,
#: unknowns ln chi, ln b, ln D^2, ln c^2, ph) and (0.6, 0.05, 0, free) (ln(1-q1), ln delta, ph),
#: converged to 1e-9 from (0, 0.6, ln 0.1, 0.6, 1): the anchors of cold starts, continued to
#: the requested parameters by :func:`_anchor`
_COLD = np.array([0.66804573, 0.43885884, -5.91381743, -3.43796037, 0.59717428])
_COLD_FREE = np.array([-1.67505357, 0.23538940, 0.59717301])
_COLD_ALPHA, _COLD_D = 0.6, 0.05
NAMES = ("log_chi", "log_b", "log_D2", "log_c2", "ph")
NAMES_FREE = ("log_one_minus_q1", "log_delta", "ph")


def _anchor(alpha, d, kappa, kappa_ref, quad, tol):
    """Unknowns at the requested point reached from the anchor by
    :func:`replica.continuation.march` in alpha (at d = 0.05, kappa = kappa_ref = 0), then
    kappa, kappa_ref and ln d."""
    free = kappa_ref is None
    x = (_COLD_FREE if free else _COLD).copy()
    cur = {"alpha": _COLD_ALPHA, "kappa": 0.0, "kappa_ref": None if free else 0.0, "d": _COLD_D}
    for name, target in (("alpha", alpha), ("kappa", kappa), ("kappa_ref", kappa_ref),
                         ("d", d)):
        if (name == "kappa_ref" and free) or cur[name] == target:
            continue
        log = name == "d"

        def solve_at(v, x_pred, name=name, log=log):
            trial = dict(cur, **{name: math.exp(v) if log else v})
            s = _solve_inf(trial["alpha"], trial["d"], trial["kappa"], trial["kappa_ref"],
                           x_pred, quad, tol, "hybrid", 400)
            return np.array(s.u), s

        a0, a1 = ((math.log(cur[name]), math.log(target)) if log else (cur[name], target))
        try:
            for _, x, _, _ in march(solve_at, a0, a1, x, h=abs(a1 - a0), h_min=1e-4):
                pass
        except Lost as exc:
            raise exc.last if isinstance(exc.last, ConvergenceError) else ConvergenceError(
                f"anchor continuation in {name} lost at {exc.at:.6g}") from None
        cur[name] = target
    return x


def constrained_unknowns_from_free(thermo: dict, quad: Quadrature = DEFAULT_QUAD) -> np.ndarray:
    """Unknowns (ln chi, ln b, ln D^2, ln c^2, ph) of the constrained problem at R = tau = 0,
    from an unconstrained solution's thermo: chi, b, c^2, D^2 from the entropic kernel's
    closed forms at (qh1, eps, ph). Where the reference constraint does not bind (small d) this
    is the constrained saddle point itself; elsewhere a starting point."""
    xg, wg, base = quad.rule()
    S = entropic_inf(0.0, 0.0, thermo["qh1"], thermo["eps"], thermo["ph"], xg, wg, base)
    return np.array([math.log(2 * S[1]), math.log(S[2]), math.log(S[10]), math.log(S[9]),
                     thermo["ph"]])


def _problem(alpha, d, kappa, kappa_ref, quad):
    if kappa_ref is None:
        return _FreeProblem(alpha, d, kappa, quad), NAMES_FREE
    return _InfProblem(alpha, d, kappa, kappa_ref, quad), NAMES


def _order(x, free, d):
    x = np.asarray(x, dtype=float)
    if free:
        return {"one_minus_q1": math.exp(x[0]), "delta": math.exp(x[1]), "ph": float(x[2])}
    return _x_to_order(x, d)


def _solve_inf(alpha, d, kappa, kappa_ref, x0, quad, tol, method, max_iter):
    prob, names = _problem(alpha, d, kappa, kappa_ref, quad)
    free = kappa_ref is None
    model = "ld-binary-free" if free else "ld-binary"
    params = {"alpha": alpha, "d": d, "kappa": kappa,
              "kappa_ref": kappa_ref if not free else "free"}

    def F(x):
        try:
            r, _ = prob.evaluate(x)
        except (ValueError, ZeroDivisionError, OverflowError):
            r = None
        return np.full(len(names), np.nan) if r is None else x + r

    x0 = np.asarray(x0, dtype=float)
    r0, _ = prob.evaluate(x0)
    if r0 is not None and np.max(np.abs(r0)) <= tol:
        xs, it = x0, 0
    else:
        sol = solve(F, x0, names=names, method=method, tol=tol, model=model, params=params,
                    max_iter=max_iter)
        xs, it = sol.x, sol.iterations
    res, info = prob.evaluate(xs)
    why = _unphysical(info)
    if why:
        raise ConvergenceError(f"saddle point outside the physical domain: {why}", model=model,
                               params=params, x=xs, residual=res)
    info["residual"] = float(np.max(np.abs(res)))
    info["h2"] = h2(d)
    return Solution(order=_order(xs, free, d), residual=res, status="converged", iterations=it,
                    method=method, model=model, params=params, thermo=info,
                    unknowns=tuple(map(float, xs)))


def local_entropy_inf(alpha: float, d: float, kappa: float = 0.0, kappa_ref: float | None = 0.0,
                      x0=None, *, quad: Quadrature = DEFAULT_QUAD, tol: float = 1e-10,
                      method: str = "hybrid", max_iter: int = 400) -> Solution:
    """S_I(d; alpha, kappa, kappa_ref, y = infinity): the local entropy of the densest regions.

    ``kappa_ref=None``: unconstrained reference (unknowns ln(1-q1), ln delta, ph); otherwise
    the reference is a solution of margin kappa_ref (unknowns ln chi, ln b, ln D^2, ln c^2, ph).
    ``x0``: unknowns of a neighbouring point (``Solution.u``); None: continued from the anchor
    at (alpha, d) = (0.6, 0.05). Returns a Solution with thermo: entropy (S_I), dS_dd, q1,
    delta, ph, qh1, eps (and chi, b, R, tau, c2, D2, e2 for a constrained reference), h2.
    Raises ConvergenceError if no saddle point is found.
    """
    alpha, d, kappa, kappa_ref = _validate(alpha, d, kappa, kappa_ref)
    if x0 is None:
        x0 = _anchor(alpha, d, kappa, kappa_ref, quad, tol)
    return _solve_inf(alpha, d, kappa, kappa_ref, x0, quad, tol, method, max_iter)


def _unphysical(info):
    if info is None:
        return "free entropy not finite"
    if info["c2"] < -1e-12:
        return "c^2 = delta - b^2/chi < 0 (overlap matrix not positive)"
    if info["e2"] <= 0:
        return "qh1 <= tau^2/R (conjugate matrix not positive)"
    if info["eps"] < 0:
        return "eps = y (qh1 - qh0) < 0"
    return None


class LargeDeviationInf(SaddleModel):
    """The y = infinity large-deviation local entropy as a model of the protocol
    (docs/THEORY.md §8.2).

    ``free=False`` ("ld-binary"): the reference is a solution of margin kappa_ref; unknowns
    (log_chi, log_b, log_D2, log_c2, ph). ``free=True`` ("ld-binary-free"): unconstrained
    reference; unknowns (log_one_minus_q1, log_delta, ph). Parameters alpha, d, kappa
    (default 0) and, constrained, kappa_ref (default 0). The conjugates are explicit functions
    of the unknowns.
    """

    method = "hybrid"
    tol = 1e-10

    def __init__(self, free: bool = False, quad: Quadrature = DEFAULT_QUAD):
        self.free = bool(free)
        self.quad = quad
        self.name = "ld-binary-free" if free else "ld-binary"
        self.description = ("local entropy of the densest regions (large-deviation measure on "
                            "the reference, y = infinity), binary perceptron, RS; "
                            + ("unconstrained reference" if free else
                               "the reference a solution of margin kappa_ref")
                            + " (docs/THEORY.md §8.2)")
        ps = [Param("alpha", 0.0, None, lo_open=True, doc="load P/N"),
              Param("d", 0.0, 0.5, lo_open=True, hi_open=True, doc="distance from the reference"),
              Param("kappa", default=0.0, doc="margin of the counted solutions")]
        if not free:
            ps.append(Param("kappa_ref", default=0.0, doc="margin of the reference"))
        self.params = tuple(ps)
        self.unknown_names = NAMES_FREE if free else NAMES
        self.order_names = (("one_minus_q1", "delta", "ph") if free else
                            ("chi", "b", "D2", "one_minus_q1", "c2", "delta", "ph"))

    def _kr(self, p):
        return None if self.free else p["kappa_ref"]

    def _prob(self, p):
        return _problem(p["alpha"], p["d"], p["kappa"], self._kr(p), self.quad)[0]

    def residual(self, x, p):
        try:
            r, _ = self._prob(p).evaluate(x)
        except (ValueError, ZeroDivisionError, OverflowError):
            r = None
        return np.full(len(self.unknown_names), np.nan) if r is None else r

    def order(self, x, p):
        return _order(x, self.free, p["d"])

    def unknowns(self, order, p):
        if self.free:
            return np.array([math.log(order["one_minus_q1"]), math.log(order["delta"]),
                             order["ph"]])
        c2 = order["c2"] if "c2" in order else order["delta"] - order["b"] ** 2 / order["chi"]
        D2 = order["D2"] if "D2" in order else (1 - order["one_minus_q1"]) - (1 - 2 * p["d"]) ** 2
        return np.array([math.log(order["chi"]), math.log(order["b"]), math.log(D2),
                         math.log(c2), order["ph"]])

    def guess(self, p):
        return _anchor(p["alpha"], p["d"], p["kappa"], self._kr(p), self.quad, self.tol)

    def known_point(self, p):
        """No closed-form point exists at y = infinity (alpha -> 0 is degenerate: every
        reference is equally dense). Returned: the anchor saddle point, continued in alpha
        (and kappa, kappa_ref) to the requested values at d = 0.05; continue along ``d``."""
        p0 = {**p, "d": _COLD_D}
        return p0, _anchor(p["alpha"], _COLD_D, p["kappa"], self._kr(p), self.quad, self.tol)

    def free_entropy(self, order, p):
        return free_entropy_inf(order, p["alpha"], p["d"], p["kappa"], self._kr(p),
                                quad=self.quad)

    def thermo(self, x, p):
        _, info = self._prob(p).evaluate(x)
        if info is None:
            raise ConvergenceError("free entropy not finite at these unknowns", model=self.name,
                                   params=p, x=x)
        info = dict(info)
        info["h2"] = h2(p["d"])
        return info

    def is_physical(self, x, p):
        try:
            _, info = self._prob(p).evaluate(x)
        except (ValueError, ZeroDivisionError, OverflowError):
            info = None
        return _unphysical(info)


LD_BINARY = LargeDeviationInf(free=False)
LD_BINARY_FREE = LargeDeviationInf(free=True)


def sweep(alpha, d_grid, kappa=0.0, kappa_ref=0.0, *, x0=None, quad=DEFAULT_QUAD, tol=1e-10,
          start_d=0.05, min_ratio=1.002):
    """S_I(d) on ``d_grid`` (y = infinity), continued in ln d from ``start_d`` outwards by
    :func:`replica.continuation.march` (secant predictor, steps halved on failure down to a
    ratio ``min_ratio``), one march per grid interval. Returns (list of Solution or None per
    grid point, {"below": d, "above": d} where the branch was lost, None if not, and
    "last_below", "last_above": the last solution reached on each side, within a factor
    ``min_ratio`` in d of the end of the branch if it was lost)."""
    d_grid = np.atleast_1d(np.asarray(d_grid, dtype=float))
    s0 = local_entropy_inf(alpha, start_d, kappa, kappa_ref, x0=x0, quad=quad, tol=tol)

    def solve_at(lnd, x_pred):
        # a warm-started solve converges in ~10-30 evaluations: a failing one is cut short
        s = local_entropy_inf(alpha, math.exp(lnd), kappa, kappa_ref, x0=x_pred, quad=quad,
                              tol=tol, max_iter=100)
        return np.array(s.u), s

    out = {}
    lost = {"below": None, "above": None, "last_below": s0, "last_above": s0}
    h_min = math.log(min_ratio)
    for side, targets in (("below", sorted([d for d in d_grid if d < start_d], reverse=True)),
                          ("above", sorted([d for d in d_grid if d >= start_d]))):
        cur, x, sol = start_d, np.array(s0.u), s0
        for dt in targets:
            if dt != cur:
                try:
                    for _, x, sol, _ in march(solve_at, math.log(cur), math.log(dt), x,
                                              h=abs(math.log(dt / cur)), h_min=h_min):
                        lost["last_" + side] = sol
                except Lost as exc:
                    lost[side] = math.exp(exc.at)
                    break
            cur = dt
            out[float(dt)] = sol
    return [out.get(float(d)) for d in d_grid], lost


# ---------------------------------------------------------------------------------------------
# Finite y
# ---------------------------------------------------------------------------------------------

#: relative step of the central differences of G_E in the overlaps (finite y)
FD_STEP = 1e-5


class _FiniteProblem:
    """Saddle point of Phi(y) at finite y (module docstring), conjugates eliminated:

    Qh = -2 alpha dG_E/dQ, th = -(alpha/y) dG_E/dt, qh1 = 2 alpha dG_E/dq1 / (y(y-1)),
    qh0 = -2 alpha dG_E/dq0 / y^2 (central differences of G_E, step FD_STEP), then the overlaps
    from the tilted moments of G_S: Q = E<w~>^2, t = E<w~><T>, q0 = E<T>^2, q1 = E<T^2>,
    p = E<w~ T>. Unknowns (ln(1-Q), t, q0, ln(1-q1), ph); at y = 1 the q1 sector drops out
    (C = 0, qh1 = qh0) and the unknowns are (ln(1-Q), t, q0, ph); at y = 0 the reference
    sector is the Gardner saddle point, q0 and qh0 drop out (D = 0, e = 0) and the unknowns
    are (ln(1-q1), t, ph) (the Franz–Parisi equations).

    S_I(y) = dPhi/dy = -[(p-t) th + p ph] - qh1 [(2y-1) q1 + 1]/2 + y qh0 q0 + dG_S/dy
    + alpha dG_E/dy."""

    def __init__(self, alpha, d, kappa, kappa_ref, y, quad):
        self.alpha, self.d, self.kappa, self.y = float(alpha), float(d), float(kappa), float(y)
        self.con = kappa_ref is not None
        self.kr = float(kappa_ref) if self.con else 0.0
        self.p = 1.0 - 2.0 * self.d
        self.rule = quad.rule()
        self.kind = "zero" if self.y == 0 else ("one" if self.y == 1 else "general")
        if self.kind == "zero":
            from .gardner import gardner
            if self.con:
                g = gardner("binary", self.alpha, self.kr)
                self.Q, self.Qh = g.q, g.qh
            else:
                self.Q, self.Qh = 0.0, 0.0

    def _ge(self, Q, t, q0, q1):
        xg, wg, base = self.rule
        return energetic_finite(Q, self.kr, self.con, self.kappa, self.y, t, self.p, q0, q1,
                                xg, wg, base)

    def _grad(self, Q, t, q0, q1, idx):
        """Central differences of (G_E, dG_E/dy) in the overlaps listed in idx."""
        base = np.array([Q, t, q0, q1])
        out = {}
        for k in idx:
            h = FD_STEP * max(1e-3, min(abs(base[k]), 1.0 - abs(base[k])) if k != 1 else 1.0)
            if k == 2 and self.kind != "zero":
                # stay inside the domain D^2 >= 0, C^2 >= 0
                D2 = q0 - t * t / Q
                C2 = q1 - q0 - (self.p - t) ** 2 / (1 - Q)
                room = min(D2, C2 if self.kind == "general" else D2)
                if room > 1e-9:
                    h = min(h, 0.25 * room)   # (else: the one-sided difference of _diff)
            out[k] = self._diff(base, k, h)
        return out

    def _shift(self, base, k, h):
        v = base.copy()
        v[k] += h
        if self.kind == "one":
            # q1 is slaved (C = 0): G_E at y = 1 depends on q1 only through C^2 + (1 - q1)
            v[3] = v[2] + (self.p - v[1]) ** 2 / (1.0 - v[0])
        if self.kind == "zero":
            v[2] = v[1] ** 2 / v[0]   # q0 slaved to t (D = 0): only D^2 + C^2 enters at y = 0
        return self._ge(*v)[:2]

    def _diff(self, base, k, h):
        """Central difference; on the boundary of the domain (D^2 = 0 or C^2 = 0, e.g. the
        symmetric point of y = 1) a second-order one-sided difference into the domain."""
        eu, ed = self._shift(base, k, h), self._shift(base, k, -h)
        if np.all(np.isfinite(eu)) and np.all(np.isfinite(ed)):
            return (eu - ed) / (2 * h)
        e0 = self._shift(base, k, 0.0)
        for sgn in (1.0, -1.0):
            e1, e2 = self._shift(base, k, sgn * h), self._shift(base, k, 2 * sgn * h)
            if np.all(np.isfinite(e1)) and np.all(np.isfinite(e2)):
                return sgn * (-3 * e0 + 4 * e1 - e2) / (2 * h)
        return np.full(2, np.nan)

    def order(self, x):
        x = np.asarray(x, dtype=float)
        p = self.p
        if self.kind == "zero":
            q1, t, ph = 1.0 - math.exp(x[0]), float(x[1]), float(x[2])
            Q = self.Q
            q0 = t * t / Q
            return Q, t, q0, q1, ph
        Q, t, q0 = 1.0 - math.exp(x[0]), float(x[1]), float(x[2])
        if self.kind == "one":
            q1 = q0 + (p - t) ** 2 / (1.0 - Q)
            ph = float(x[3])
        else:
            q1, ph = 1.0 - math.exp(x[3]), float(x[4])
        return Q, t, q0, q1, ph

    def evaluate(self, x):
        x = np.asarray(x, dtype=float)
        if not np.all(np.isfinite(x)) or x[0] >= 0 or (self.kind == "general" and x[3] >= 0):
            return None, None
        Q, t, q0, q1, ph = self.order(x)
        al, y, p = self.alpha, self.y, self.p
        E = self._ge(Q, t, q0, q1)
        if not np.all(np.isfinite(E[:2])):
            return None, None
        xg, wg, base = self.rule
        if self.kind == "zero":
            gr = self._grad(Q, t, q0, q1, (1, 3))
            Qh = self.Qh
            th = -al * gr[1][1]
            qh1 = -2 * al * gr[3][1]
            qh0 = th * th / Qh
        else:
            idx = (0, 1, 2) if self.kind == "one" else (0, 1, 2, 3)
            if not self.con:
                # unconstrained reference: G_E depends on q0, q1 only, Qh = th = 0 exactly
                idx = tuple(k for k in idx if k >= 2)
            gr = self._grad(Q, t, q0, q1, idx)
            Qh = -2 * al * gr[0][0] if self.con else 0.0
            th = -al * gr[1][0] / y if self.con else 0.0
            qh0 = -2 * al * gr[2][0] / (y * y)
            qh1 = qh0 if self.kind == "one" else 2 * al * gr[3][0] / (y * (y - 1))
        S = entropic_finite(Qh, th, qh0, qh1, ph, y, xg, wg, base)
        if not np.all(np.isfinite(S)) or S[6] <= 0 or S[7] <= 0:
            return None, None
        if self.kind == "zero":
            res = np.array([math.log(S[7] / (1 - q1)), S[2] - t, math.log(S[6] / self.d)])
        elif self.kind == "one":
            if S[1] >= 1:
                return None, None
            res = np.array([math.log((1 - S[1]) / (1 - Q)), S[2] - t, S[3] - q0,
                            math.log(S[6] / self.d)])
        else:
            if S[1] >= 1:
                return None, None
            res = np.array([math.log((1 - S[1]) / (1 - Q)), S[2] - t, S[3] - q0,
                            math.log(S[7] / (1 - q1)), math.log(S[6] / self.d)])
        phi = (-Qh * (1 - Q) / 2 - y * ((p - t) * th + p * ph)
               - y * qh1 * ((y - 1) * q1 + 1) / 2 + y * y * qh0 * q0 / 2 + S[0] + al * E[0])
        sI = (-((p - t) * th + p * ph) - qh1 * ((2 * y - 1) * q1 + 1) / 2 + y * qh0 * q0
              + S[8] + al * E[1])
        info = {"entropy": float(sI), "free_entropy": float(phi), "Q": Q, "t": t, "q0": q0,
                "q1": q1, "ph": ph, "Qh": Qh, "th": th, "qh0": qh0, "qh1": qh1,
                "C2": float(E[2]), "D2": float(E[3]), "e2": float(S[9]), "g2": float(S[10]),
                "p": p, "d": self.d, "y": y}
        return res, info


def local_entropy_y(alpha: float, d: float, y: float, kappa: float = 0.0,
                    kappa_ref: float | None = 0.0, x0=None, *, quad: Quadrature = DEFAULT_QUAD,
                    tol: float = 1e-7, max_iter: int = 60) -> Solution:
    """S_I(d; y) at finite y >= 0 (thermo ``entropy``; ``free_entropy`` is Phi(y)).

    ``x0``: unknowns (see :class:`_FiniteProblem`); None: at y = 0 the typical point
    (q1 = t = Q, ph = 0 in the unknowns' conventions) for kappa = kappa_ref, otherwise
    required (see :func:`follow_y`)."""
    alpha, d, kappa, kappa_ref = _validate(alpha, d, kappa, kappa_ref)
    y = check_range("y", y, 0.0)
    prob = _FiniteProblem(alpha, d, kappa, kappa_ref, y, quad)
    if x0 is None:
        if prob.kind != "zero" or not prob.con:
            raise ReplicaInputError("local_entropy_y needs x0 (continue in y from y = 0 with "
                                    "follow_y)")
        x0 = np.array([math.log(1 - prob.Q), prob.Q, 0.0])
    names = {"zero": ("log_one_minus_q1", "t", "ph"),
             "one": ("log_one_minus_Q", "t", "q0", "ph"),
             "general": ("log_one_minus_Q", "t", "q0", "log_one_minus_q1", "ph")}[prob.kind]
    params = {"alpha": alpha, "d": d, "y": y, "kappa": kappa,
              "kappa_ref": "free" if kappa_ref is None else kappa_ref}

    def F(x):
        try:
            r, _ = prob.evaluate(x)
        except (ValueError, ZeroDivisionError, OverflowError):
            r = None
        return np.full(len(names), np.nan) if r is None else x + r

    x0 = np.asarray(x0, dtype=float)
    r0, _ = prob.evaluate(x0)
    if r0 is not None and np.max(np.abs(r0)) <= tol:
        xs, it = x0, 0
    else:
        # Broyden with a finite-difference Jacobian of step 1e-4 (the residual carries the
        # ~1e-9 noise of the central differences of G_E: MINPACK's 1e-8 steps would not see
        # past it)
        sol = solve(F, x0, names=names, method="broyden", tol=tol, model="ld-binary-y",
                    params=params, max_iter=max_iter, fd_step=1e-4)
        xs, it = sol.x, sol.iterations
    res, info = prob.evaluate(xs)
    if info["C2"] < -1e-10 or info["D2"] < -1e-10:
        raise ConvergenceError("saddle point outside the physical domain (C^2 or D^2 < 0)",
                               model="ld-binary-y", params=params, x=xs, residual=res)
    info["residual"] = float(np.max(np.abs(res)))
    return Solution(order=dict(zip(names, map(float, xs))), residual=res, status="converged",
                    iterations=it, method="broyden", model="ld-binary-y", params=params,
                    thermo=info, unknowns=tuple(map(float, xs)))


def unknowns_y(info: dict, y: float) -> np.ndarray:
    """Unknowns of the finite-y problem at y from a solution's thermo (for warm starts across
    the special values y = 0, 1)."""
    if y == 0:
        return np.array([math.log(1 - info["q1"]), info["t"], info["ph"]])
    q0 = info["q0"]
    if info.get("y", 1.0) == 0:
        # leave the boundary D^2 = 0 of the y = 0 point: a small share of the C^2 budget
        Q, t, p = info["Q"], info["t"], info["p"]
        c2 = info["q1"] - t * t / Q - (p - t) ** 2 / (1 - Q)
        q0 = t * t / Q + 0.05 * max(c2, 0.0)
    if y == 1:
        return np.array([math.log(1 - info["Q"]), info["t"], q0, info["ph"]])
    q1 = info["q1"]
    if info.get("y") == 1:
        # leave the boundary C^2 = 0 of the y = 1 point (q1 slaved there)
        q1 = q1 + 0.05 * (1 - q1)
    return np.array([math.log(1 - info["Q"]), info["t"], q0, math.log(1 - q1), info["ph"]])


def follow_y(alpha: float, d: float, y: float, kappa: float = 0.0,
             kappa_ref: float | None = 0.0, *, quad: Quadrature = DEFAULT_QUAD,
             tol: float = 1e-7, steps: int = 4) -> Solution:
    """S_I(d; y) at finite y, reached by :func:`replica.continuation.march` in y.

    Constrained reference: from the Franz–Parisi saddle point at y = 0 (the flat reference,
    :mod:`replica.models.franz_parisi`, solved again by the finite-y kernels), to y = 1 (where
    the clone block is slaved, C = 0) and on to y. Unconstrained reference: from the closed-form
    point at y = 1 (Q = p^2 q, t = p q, q0 = q with q the Gardner overlap at kappa; Phi(1) =
    s_Gardner + H2(d)); y = 0 (a random reference) is not available. ``steps``: initial number
    of steps per leg (halved on failure). Each point costs seconds to a minute."""
    alpha, d, kappa, kappa_ref = _validate(alpha, d, kappa, kappa_ref)
    y = check_range("y", y, 0.0)
    if kappa_ref is None:
        if y == 0:
            raise ReplicaInputError("y = 0 with an unconstrained reference (a random reference) "
                                    "is not available: give y > 0")
        from .gardner import gardner
        g = gardner("binary", alpha, kappa)
        p = 1.0 - 2.0 * d
        x0 = np.array([math.log(1 - p * p * g.q), p * g.q, g.q, math.atanh(p)])
        start, y0 = local_entropy_y(alpha, d, 1.0, kappa, None, x0=x0, quad=quad, tol=tol), 1.0
    else:
        from .franz_parisi import local_entropy_curve
        c = local_entropy_curve("binary", alpha, kappa_ref, kappa, [d])
        if not c.ok[0]:
            raise ConvergenceError("no Franz-Parisi saddle point (the y = 0 start) at these "
                                   "parameters", model="ld-binary-y",
                                   params={"alpha": alpha, "d": d, "kappa_ref": kappa_ref})
        th = c.solutions[0].thermo
        x0 = np.array([math.log(1 - th["q"]), th["t"], th["ph"]])
        start = local_entropy_y(alpha, d, 0.0, kappa, kappa_ref, x0=x0, quad=quad, tol=tol)
        y0 = 0.0
    legs = [(y0, 1.0), (1.0, y)] if (y0 == 0.0 and y > 1.0) else [(y0, y)]
    general = lambda info: unknowns_y(info, 0.5)   # the 5 unknowns of a generic y

    def solve_at(v, x_pred):
        err = None
        # the secant prediction first, then the last accepted state (the prediction can leave
        # the domain C^2, D^2 >= 0 next to the boundary points y = 0, 1)
        for xs in (x_pred, last[0]):
            x = np.asarray(xs)
            if v == 1.0:
                x = x[[0, 1, 2, 4]]
            elif v == 0.0:
                x = x[[3, 1, 4]]
            try:
                s = local_entropy_y(alpha, d, v, kappa, kappa_ref, x0=x, quad=quad, tol=tol)
            except ConvergenceError as exc:
                err = exc
                continue
            last[0] = general(s.thermo)
            return last[0], s
        raise err

    sol = start
    x = general(start.thermo)
    last = [x]
    for a, b in legs:
        if a == b:
            continue
        try:
            for _, x, sol, _ in march(solve_at, a, b, x, h=abs(b - a) / steps,
                                      h_min=abs(b - a) * 1e-3):
                pass
        except Lost as exc:
            raise ConvergenceError(f"finite-y continuation lost beyond y = {exc.at:.6g}: "
                                   f"{str(exc.last).split(';')[0]}", model="ld-binary-y",
                                   params={"alpha": alpha, "d": d, "y": y}) from None
    return sol
