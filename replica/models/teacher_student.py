r"""Teacher–student perceptron, Gibbs learning (uniform measure on the version space), RS.

Labels :math:`y^\mu = \mathrm{sign}(w^*\cdot\xi^\mu/\sqrt N)` from a teacher :math:`w^*` of the
same kind as the student (binary :math:`\{-1,+1\}^N` or spherical :math:`|w|^2 = N`); the
version space is the set of students that reproduce all P = alpha N labels. Its free entropy
:math:`\phi = \lim \frac1N \mathbb E \ln V` is (Györgyi, PRA 41, 7097 (1990); Seung, Sompolinsky,
Tishby, PRA 45, 6056 (1992); Engel & Van den Broeck, *Statistical Mechanics of Learning*, ch. 2
and 7; docs/THEORY.md §8.3), with r = w.w*/N and q = w.w'/N:

.. math::

    \phi_{\rm bin} &= \underbrace{-\tfrac{\hat q}{2}(1-q) - r\hat r}_{\rm interaction}
      + \underbrace{\int Dz\,\ln 2\cosh(\sqrt{\hat q} z + \hat r)}_{\rm entropic}
      + \alpha\,G_E(q, r), \\
    \phi_{\rm sph} &= \underbrace{\tfrac12\ln(1-q) + \frac{q-r^2}{2(1-q)}}_{\rm entropic}
      + \alpha\,G_E(q, r),\qquad
    G_E = 2\int Dt\,H\!\Big(-\frac{r t}{\sqrt{q-r^2}}\Big)\ln H\!\Big(-\sqrt{\frac{q}{1-q}}\,t\Big)

(spherical: normalised by the sphere's volume, so phi(alpha = 0) = 0). Stationarity:
:math:`\hat q = -2\alpha\,\partial_q G_E`, :math:`\hat r = \alpha\,\partial_r G_E` and, binary,
:math:`q = \int Dz \tanh^2 h`, :math:`r = \int Dz\tanh h` (h = sqrt(qh) z + rh); spherical,
:math:`r = \hat r (1-q)`, :math:`q - r^2 = \hat q (1-q)^2`. The kernels and the derivatives of
G_E are in :mod:`replica.models.ts_kernels`.

**Nishimori line.** The teacher is drawn from the student's prior, so Gibbs learning is
Bayes-optimal sampling and the saddle point has q = r, qh = rh. On that line

.. math::  \phi_{\rm bin}(r, \hat r) = -\tfrac{\hat r}{2}(1+r) + \int Dz\,\ln 2\cosh(\sqrt{\hat r}z
           + \hat r) + 2\alpha E(r),\qquad E(r) = \int Dt\, H(-x t)\ln H(-x t),\ x = \sqrt{r/(1-r)},

with :math:`\hat r = 4\alpha E'(r) = \alpha\sqrt{2/\pi}\,I(r)/\sqrt{1-r}`,
:math:`I(r) = \int Ds\,G(\sqrt r s)`; spherical :math:`\phi = \tfrac12\ln(1-r) + r/2 + 2\alpha E`,
:math:`r/(1-r) = \hat r` (Engel & Van den Broeck eq. (2.42): r/sqrt(1-r) = (alpha/pi) int Dt
exp(-r t^2/2)/H(sqrt r t)).

Derived quantities: generalisation error of the Gibbs student :math:`\epsilon_g = \arccos(r)/\pi`;
of the centre of mass of the version space (the Bayes-optimal student on the Nishimori line)
:math:`\epsilon_{\rm Bayes} = \arccos(r/\sqrt q)/\pi`; the entropy of the version space phi
(binary: the r = 1 teacher state has phi = 0 and eps_g = 0, :func:`teacher_state`); the replicon
:math:`\lambda_R = 1 - \alpha\gamma_S K/(1-q)^2` with K the energetic replicon integral and
:math:`\gamma_S = \int Dz\,\mathrm{sech}^4 h` (binary) or :math:`(1-q)^2` (spherical).

Limits (tests): alpha -> 0: r = (2/pi) alpha + O(alpha^2), binary phi = (1 - alpha) ln 2 +
O(alpha^2). Spherical, alpha -> infinity: :math:`\sqrt{1-r} \to \sqrt{\pi/2}/(\alpha I(1))`, so
:math:`\epsilon_g \to 1/(\sqrt\pi I(1)\,\alpha) = 0.6246.../\alpha` and
:math:`\epsilon_{\rm Bayes} \to \epsilon_g/\sqrt2 = 0.4417.../\alpha`. Binary: the r < 1 branch
connected to alpha = 0 turns at the spinodal alpha_AMP ~ 1.492 (a fold; the unstable branch
returns to r -> 1 as alpha -> 0) and its phi vanishes at the information-theoretic transition
alpha_IT ~ 1.245, beyond which the teacher state (phi = 0) dominates: eps_g jumps to 0.

Numerics: the unknowns are ln(1 - r) (and ln(1 - q) off the Nishimori line), the conjugates are
explicit functions of them (eliminated analytically), and the residual is the change of those
logs under one application of the saddle-point map (ln of the new 1 - r minus the old), so that
r -> 1 keeps full relative precision; binary ln(1 - r) is taken in the log domain
(:func:`~replica.models.ts_kernels.binary_log_tails`) when 1 - r is below e^-30.

Models of the protocol: ``teacher-student-binary``, ``teacher-student-spherical`` (Nishimori
line, one unknown) and ``teacher-student-binary-qr``, ``teacher-student-spherical-qr`` (q and r
solved separately, two unknowns: the Gibbs saddle point, which lands on q = r).
"""
from __future__ import annotations

import math

import numpy as np

from ..errors import ConvergenceError, ReplicaInputError
from ..solve import solve
from .base import Param, SaddleModel
from .ts_kernels import (WG, XG, binary_entropic, binary_log_tails, general_energetic,
                         nishimori_energetic)

__all__ = ["WEIGHTS", "energetic", "energetic_nishimori", "conjugates", "free_entropy",
           "teacher_state", "gibbs_large_alpha_constant", "TeacherStudentModel", "BINARY",
           "SPHERICAL", "BINARY_QR", "SPHERICAL_QR"]

WEIGHTS = ("binary", "spherical")
#: beyond this load the spherical 1 - r ~ (pi/2)/(alpha I(1))^2 leaves the double range
ALPHA_MAX_SPHERICAL = 1e150
#: below this 1 - r (or 1 - q) the binary tail integrals are taken in the log domain
_LOG_TAIL = math.exp(-30.0)


def _check_weights(weights):
    if weights not in WEIGHTS:
        raise ReplicaInputError(f"weights must be one of {', '.join(WEIGHTS)}, got {weights!r}")
    return weights


# ---------------------------------------------------------------------------------------------
# Integrals
# ---------------------------------------------------------------------------------------------


def energetic_nishimori(one_minus_r: float) -> dict:
    """E(r) = int Dt H(-x t) ln H(-x t) (x = sqrt(r/(1-r))) and dE/dr on the Nishimori line,
    from 1 - r (full relative precision as r -> 1). G_E = 2E there."""
    e, de = nishimori_energetic(float(one_minus_r), XG, WG)
    return {"E": e, "dE_dr": de}


def energetic(q: float, r: float, *, one_minus_q: float | None = None,
              one_minus_r: float | None = None, kappa: float = 0.0) -> dict:
    """G_E(q, r), dG_E/dq, dG_E/dr and the replicon integral K (needs q > r^2, or q = r = 0),
    with the students' fields required >= kappa (kappa = 0: the version space).
    Pass ``one_minus_q`` / ``one_minus_r`` to keep relative precision near 1."""
    vq = 1.0 - q if one_minus_q is None else float(one_minus_q)
    vr = 1.0 - r if one_minus_r is None else float(one_minus_r)
    ge, dq, dr, k = general_energetic(vq, vr, float(kappa), XG, WG)
    return {"G_E": ge, "dG_dq": dq, "dG_dr": dr, "K": k}


def conjugates(alpha: float, q: float, r: float, *, one_minus_q=None, one_minus_r=None,
               kappa: float = 0.0) -> dict:
    """qh = -2 alpha dG_E/dq, rh = alpha dG_E/dr (both kinds of weights)."""
    if alpha == 0.0:
        return {"qh": 0.0, "rh": 0.0}
    en = energetic(q, r, one_minus_q=one_minus_q, one_minus_r=one_minus_r, kappa=kappa)
    return {"qh": -2.0 * alpha * en["dG_dq"], "rh": alpha * en["dG_dr"]}


def free_entropy(weights: str, alpha: float, q: float, r: float, qh: float | None = None,
                 rh: float | None = None, kappa: float = 0.0) -> dict:
    """The RS free entropy at arbitrary (q, r[, qh, rh]) as named terms (module docstring):
    ``interaction`` (binary), ``entropic``, ``energetic`` (= alpha G_E) and their total
    ``free_entropy``. Binary needs qh and rh. ``kappa``: margin of the students (0: Gibbs)."""
    _check_weights(weights)
    en = energetic(q, r, kappa=kappa)
    energ = alpha * en["G_E"]
    if weights == "spherical":
        v = 1.0 - q
        entropic = 0.5 * math.log(v) + (q - r * r) / (2.0 * v)
        return {"entropic": entropic, "energetic": energ, "free_entropy": entropic + energ}
    if qh is None or rh is None:
        raise ReplicaInputError("the binary free entropy needs qh and rh")
    if qh < 0:
        raise ReplicaInputError(f"qh must be >= 0, got {qh}")
    omr, omq, sp, _, _, _ = binary_entropic(float(qh), float(rh), XG, WG)
    inter = -0.5 * qh * (1.0 - q) - r * rh
    entropic = rh + sp                       # int Dz ln 2cosh(h) = rh + int Dz ln(1 + e^{-2h})
    total = -0.5 * qh * (1.0 - q) + rh * (1.0 - r) + sp + energ   # same sum, regrouped
    return {"interaction": inter, "entropic": entropic, "energetic": energ,
            "free_entropy": total}


def teacher_state(weights: str = "binary") -> dict:
    """The r = 1 state of the binary model: the teacher alone (q = r = 1), phi = 0 (the version
    space is sub-exponential), eps_g = 0. It is a solution of the saddle-point equations at every
    alpha (qh, rh -> infinity). The spherical version space always has positive volume: no such
    state."""
    if _check_weights(weights) != "binary":
        raise ReplicaInputError("weights: only the binary teacher-student model has an r = 1 "
                                "state of zero entropy")
    return {"q": 1.0, "r": 1.0, "entropy": 0.0, "free_entropy": 0.0, "eps_g": 0.0,
            "eps_bayes": 0.0, "one_minus_r": 0.0}


def gibbs_large_alpha_constant() -> dict:
    """The spherical Gibbs learning curve at large alpha: eps_g ~ C/alpha with
    C = 1/(sqrt(pi) I(1)), I(1) = int Ds G(s), and eps_Bayes ~ C/(sqrt 2 alpha) (module
    docstring). I(1) is computed by the model's own quadrature (dE/dr at r -> 1)."""
    v = 1e-300
    i1 = energetic_nishimori(v)["dE_dr"] * 2.0 * math.sqrt(2.0 * math.pi * v)
    c = 1.0 / (math.sqrt(math.pi) * i1)
    return {"I1": i1, "eps_g": c, "eps_bayes": c / math.sqrt(2.0)}


# ---------------------------------------------------------------------------------------------
# The saddle-point map
# ---------------------------------------------------------------------------------------------


def _binary_logs(qh, rh):
    """(ln(1 - r), ln(1 - q)) of the binary entropic term: log1p(-r) for small r (relative
    precision of r), ln(1 - r) directly near 1, in the log domain beyond e^-30."""
    omr, omq, _, _, r, q = binary_entropic(qh, rh, XG, WG)
    if r < 0.5 and q < 0.5:
        return math.log1p(-r), math.log1p(-q)
    if qh > 0.0 and (omr < _LOG_TAIL or omq < _LOG_TAIL):
        return binary_log_tails(qh, rh, XG, WG)
    if omr <= 0.0 or omq <= 0.0:
        return math.nan, math.nan
    return math.log(omr), math.log(omq)


def _spherical_logs(qh, rh):
    """(ln(1 - r), ln(1 - q)) solving r = rh (1-q), q - r^2 = qh (1-q)^2 for given (qh, rh):
    1 - q = 2/(1 + S), S = sqrt(1 + 4 qh + 4 rh^2), and 1 - r without cancellation."""
    s2 = 1.0 + 4.0 * qh + 4.0 * rh * rh
    if not s2 > 0.0:
        return math.nan, math.nan
    S = math.sqrt(s2)
    v = 2.0 / (1.0 + S)
    if rh > 0.0:
        omr = (1.0 + (1.0 + 4.0 * qh) / (S + 2.0 * rh)) / (1.0 + S)
    else:
        omr = 1.0 - rh * v
    if not omr > 0.0:
        return math.nan, math.nan
    return math.log(omr), math.log(v)


class TeacherStudentModel(SaddleModel):
    """Teacher–student perceptron (Gibbs learning, RS) as a model of the protocol.

    ``nishimori=True``: unknown ``log_one_minus_r`` (q = r, qh = rh = alpha sqrt(2/pi) I(r)/
    sqrt(1-r) eliminated); residual ln(1 - r_new) - ln(1 - r) with r_new = int Dz tanh(sqrt(rh) z
    + rh) (binary) or rh/(1 + rh) (spherical). ``nishimori=False``: unknowns
    (``log_one_minus_q``, ``log_one_minus_r``), conjugates from dG_E, residuals of both logs.
    Known point: alpha = 0 (q = r = 0). Parameter: ``alpha`` >= 0.
    """

    tol = 1e-12

    def __init__(self, weights: str, nishimori: bool = True):
        self.weights = _check_weights(weights)
        self.nishimori = bool(nishimori)
        self.name = f"teacher-student-{weights}" + ("" if nishimori else "-qr")
        line = "on the Nishimori line q = r" if nishimori else "with q and r solved separately"
        self.description = (f"teacher-student {weights} perceptron, Gibbs learning (RS) {line}: "
                            "overlap r with the teacher, eps_g = arccos(r)/pi, version-space "
                            "entropy (docs/THEORY.md §8.3)")
        self.order_names = ("q", "r", "qh", "rh")
        self.unknown_names = (("log_one_minus_r",) if nishimori
                              else ("log_one_minus_q", "log_one_minus_r"))
        self.method = "bracket" if nishimori else "hybrid"
        ps = [Param("alpha", 0.0, None, doc="load P/N (examples per weight)")]
        if not nishimori:
            ps.append(Param("kappa", default=0.0, doc="margin required of the student's fields "
                            "(0: the version space, Gibbs learning; kappa != 0 leaves the "
                            "Nishimori line)"))
        self.params = tuple(ps)

    def check(self, p):
        if self.weights == "spherical" and p["alpha"] > ALPHA_MAX_SPHERICAL:
            raise ReplicaInputError(f"alpha must be <= {ALPHA_MAX_SPHERICAL:g} for the "
                                    "spherical student (1 - r ~ 1/alpha^2 underflows beyond), "
                                    f"got {p['alpha']}")
        return p

    # -- unknowns <-> order parameters -----------------------------------------------------
    def _logs(self, x):
        x = np.atleast_1d(np.asarray(x, dtype=float))
        if self.nishimori:
            return float(x[0]), float(x[0])
        return float(x[0]), float(x[1])

    def _conj(self, lq, lr, p):
        """(vq, vr, qh, rh) from the log unknowns; None outside the domain."""
        vq, vr = math.exp(lq), math.exp(lr)
        if not (0.0 < vq <= 1.0 and 0.0 < vr <= 1.0):
            return None
        if not self.nishimori and vr * (2.0 - vr) - vq <= 0.0 and vq < 1.0:
            return None                          # q <= r^2: not a positive overlap matrix
        alpha = p["alpha"]
        if alpha == 0.0:
            return vq, vr, 0.0, 0.0
        if self.nishimori:
            rh = 4.0 * alpha * energetic_nishimori(vr)["dE_dr"]
            return vq, vr, rh, rh
        c = conjugates(alpha, 1.0 - vq, 1.0 - vr, one_minus_q=vq, one_minus_r=vr,
                       kappa=p.get("kappa", 0.0))
        return vq, vr, c["qh"], c["rh"]

    def residual(self, x, p):
        lq, lr = self._logs(x)
        if not (math.isfinite(lq) and math.isfinite(lr)):
            return np.full(len(self.unknowns_), math.nan)
        try:
            c = self._conj(lq, lr, p)
        except ZeroDivisionError:        # q = r^2 to rounding: the edge of the domain
            c = None
        if c is None:
            return np.full(len(self.unknowns_), math.nan)
        vq, vr, qh, rh = c
        if self.weights == "binary":
            if qh < 0.0:
                return np.full(len(self.unknowns_), math.nan)
            if qh == 0.0 and rh == 0.0:
                nr, nq = 0.0, 0.0
            else:
                nr, nq = _binary_logs(qh, rh)
        else:
            if self.nishimori:
                nr = nq = -math.log1p(rh)
            else:
                nr, nq = _spherical_logs(qh, rh)
        if self.nishimori:
            return np.array([nr - lr])
        return np.array([nq - lq, nr - lr])

    def order(self, x, p):
        lq, lr = self._logs(x)
        c = self._conj(lq, lr, p)
        if c is None:
            return {"q": -math.expm1(lq), "r": -math.expm1(lr), "qh": math.nan, "rh": math.nan}
        vq, vr, qh, rh = c
        return {"q": -math.expm1(lq), "r": -math.expm1(lr), "qh": qh, "rh": rh}

    def unknowns(self, order, p):
        lr = math.log1p(-float(order["r"]))
        if self.nishimori:
            return np.array([lr])
        return np.array([math.log1p(-float(order["q"])), lr])

    def known_point(self, p):
        return {**p, "alpha": 0.0}, np.zeros(len(self.unknowns_))

    def is_physical(self, x, p):
        lq, lr = self._logs(x)
        if not (math.isfinite(lq) and math.isfinite(lr)):
            return "non-finite unknowns"
        vq, vr = math.exp(lq), math.exp(lr)
        if not 0.0 < vr <= 1.0:
            return f"r = {1 - vr:.6g} outside [0, 1)"
        if not 0.0 < vq <= 1.0:
            return f"q = {1 - vq:.6g} outside [0, 1)"
        if not self.nishimori and vq < 1.0 and vr * (2.0 - vr) - vq <= 0.0:
            return f"q = {1 - vq:.6g} <= r^2 = {(1 - vr) ** 2:.6g}"
        return None

    # -- thermodynamics ---------------------------------------------------------------------
    def free_entropy(self, order, p):
        if self.weights == "binary":
            return free_entropy("binary", p["alpha"], order["q"], order["r"], order["qh"],
                                order["rh"], kappa=p.get("kappa", 0.0))
        return free_entropy("spherical", p["alpha"], order["q"], order["r"],
                            kappa=p.get("kappa", 0.0))

    def thermo(self, x, p):
        lq, lr = self._logs(x)
        vq, vr, qh, rh = self._conj(lq, lr, p)
        q, r = -math.expm1(lq), -math.expm1(lr)
        alpha = p["alpha"]
        if self.nishimori:
            e = energetic_nishimori(vr)
            ge = 2.0 * e["E"]
            k = general_energetic(vq, vr, 0.0, XG, WG)[3] if alpha > 0 else (2.0 / math.pi) ** 2
        else:
            ge, _, _, k = general_energetic(vq, vr, p.get("kappa", 0.0), XG, WG)
        energ = alpha * ge
        out = {}
        if self.weights == "binary":
            omr, omq, sp, s4, _, _ = binary_entropic(qh, rh, XG, WG)
            inter = -0.5 * qh * vq - r * rh
            entropic = rh + sp
            phi = -0.5 * qh * vq + rh * vr + sp + energ
            replicon = 1.0 - alpha * k * ((s4 / vq) / vq) if s4 > 0 else 1.0
            out["interaction"] = inter
        else:
            entropic = 0.5 * math.log(vq) + (vr * (2.0 - vr) - vq) / (2.0 * vq)
            phi = entropic + energ
            replicon = 1.0 - alpha * k                    # gamma_S = (1-q)^2 cancels
        out.update(entropic=entropic, energetic=energ, free_entropy=phi, entropy=phi,
                   eps_g=2.0 * math.asin(math.sqrt(min(vr, 2.0) / 2.0)) / math.pi,
                   eps_bayes=_eps_center(q, r, vq, vr), one_minus_r=vr,
                   replicon=replicon)
        return out

    # -- the front door ---------------------------------------------------------------------
    def saddle(self, params=None, x0=None, *, method=None, tol=None, validate=True, **options):
        """Nishimori line (one unknown): from a warm start ``x0`` the secant method, then an
        expanding bracket; cold, Brent on the first sign change of the residual along a grid of
        ln(1 - r) from r = 0 (the branch connected to alpha = 0) or, where the grid misses it
        (next to the spinodal), the undamped iteration of the map from r = 0 polished by the
        secant method. Off the line: the default
        path of :class:`~replica.models.base.SaddleModel` (hybrid from x0, default the
        Nishimori solution's unknowns). Binary beyond the spinodal (no r < 1 solution):
        ConvergenceError."""
        p = self.validate(params) if validate else dict(params or {})
        tol = self.tol if tol is None else tol
        if not self.nishimori:
            if x0 is None:
                ns = (BINARY if self.weights == "binary" else SPHERICAL).saddle(
                    {"alpha": p["alpha"]})
                x0 = np.array([ns.u[0], ns.u[0]])
            return super().saddle(p, x0=x0, method=method, tol=tol, validate=False, **options)
        if p["alpha"] == 0.0:
            return self.solution(np.zeros(1), p, method="known point")
        if method is not None and method != "bracket":
            if x0 is None:
                x0 = self.saddle(p, validate=False).u
            return super().saddle(p, x0=x0, method=method, tol=tol, validate=False, **options)
        F = lambda x: x + self.residual(x, p)
        ctx = dict(model=self.name, params=dict(p))
        if x0 is not None:
            x0 = np.atleast_1d(np.asarray(x0, dtype=float))
            for meth, opts in (("broyden", {"max_iter": 20}), ("bracket", {"max_iter": 60})):
                try:
                    s = solve(F, x0, names=self.unknowns_, method=meth, tol=tol, **opts, **ctx)
                    return self.solution(s.x, p, iterations=s.iterations, method=s.method)
                except ConvergenceError:
                    pass
        try:
            s = solve(F, [0.0], names=self.unknowns_, method="bracket", grid=_GRID, tol=tol,
                      **ctx)
            return self.solution(_polish_fixed_point(F, s.x), p, iterations=s.iterations,
                                 method=s.method)
        except ConvergenceError:
            pass
        # near the spinodal the two roots can fall between grid points: iterate the map from
        # r = 0 (it increases r monotonically to the stable root), then polish by the secant
        try:
            s = solve(F, [0.0], names=self.unknowns_, method="iterate", mixing=1.0,
                      tol=1e-11, max_iter=20000, **ctx)
            s = solve(F, s.x, names=self.unknowns_, method="broyden", tol=tol, max_iter=20,
                      **ctx)
        except ConvergenceError as exc:
            raise ConvergenceError(
                "no r < 1 saddle point connected to alpha = 0: no sign change of the residual "
                "for 1 - r in [e^-700, 1] and the iteration from r = 0 does not converge", model=self.name, params=dict(p), x=exc.x,
                residual=exc.residual, method="bracket",
                hint=("binary: alpha is beyond the spinodal alpha_AMP ~ 1.4925 of the r < 1 "
                      "branch; the only state there is the teacher (r = 1, "
                      "teacher_state())") if self.weights == "binary" else None) from None
        return self.solution(s.x, p, iterations=s.iterations, method=s.method)


def _polish_fixed_point(F, x, steps=3):
    """Up to ``steps`` undamped applications of the map while the undamped residual does not
    grow: Brent's absolute x-tolerance (1e-15) does not resolve ln(1 - r) ~ -r at tiny r, one
    step of the contracting map does."""
    r0 = abs(float(F(x)[0] - x[0]))
    for _ in range(steps):
        xn = F(x)
        if not np.all(np.isfinite(xn)):
            break
        rn = abs(float(F(xn)[0] - xn[0]))
        if rn > r0:
            break
        x, r0 = xn, rn
    return x


def _eps_center(q, r, vq, vr):
    """arccos(r/sqrt(q))/pi without cancellation near r/sqrt(q) -> 1."""
    if q <= 0.0:
        return 0.5
    c = r / math.sqrt(q)
    if c >= 1.0:
        return 0.0
    if c > 0.9:
        # arccos(c) = 2 arcsin(sqrt((1-c)/2)); 1 - r/sqrt(q) = (q - r^2)/(sqrt q (sqrt q + r))
        d = vr * (2.0 - vr) - vq
        omc = d / (math.sqrt(q) * (math.sqrt(q) + r))
        return 2.0 * math.asin(math.sqrt(max(omc, 0.0) / 2.0)) / math.pi
    return math.acos(c) / math.pi


#: ln(1 - r) grid of the cold start, from r = 0 towards r -> 1 (1 - r >= e^-700)
_GRID = np.concatenate([[0.0], -np.geomspace(1e-3, 3.0, 40)[1:], -np.linspace(3.0, 60.0, 58)[1:],
                        -np.geomspace(60.0, 700.0, 30)[1:]])

BINARY = TeacherStudentModel("binary")
SPHERICAL = TeacherStudentModel("spherical")
BINARY_QR = TeacherStudentModel("binary", nishimori=False)
SPHERICAL_QR = TeacherStudentModel("spherical", nishimori=False)
