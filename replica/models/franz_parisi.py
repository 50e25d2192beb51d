r"""Franz–Parisi local entropy around a reference solution of margin kappa_ref (RS), binary and
spherical perceptron.

Definition (Baldassi, Lauditi, Malatesta, Perugini, Zecchina, PRL 127, 278301 (2021),
arXiv:2107.01163; spherical: Baldassi et al., PRE 108, 024310 (2023), arXiv:2304.13871):

.. math::

    S(d;\alpha,\kappa_{\rm ref},\kappa) = \lim \frac1N\,\mathbb E_{\xi}\,
    \Big\langle \ln \sum_{w} \prod_\mu \theta(\Delta_\mu(w) - \kappa)\,
    \delta(w\cdot\tilde w - N(1-2d)) \Big\rangle_{\tilde w},

the reference :math:`\tilde w` drawn uniformly from the solutions of margin kappa_ref.

RS free entropy (derived in ``theory_notebooks/franz_parisi_derivation.py``): the reference sector
(Q, Qh) is the Gardner saddle point at (alpha, kappa_ref) (:func:`replica.models.gardner.gardner`);
the constrained replicas have mutual overlap q, overlap p = 1 - 2d with their reference and t with
the other reference replicas.

* binary:  Phi = -qh(1-q)/2 - (p-t) th - p ph + G_S(qh, th, ph) + alpha G_E(q, t, p),
  G_S = int Dz0 (1 + tanh(sqrt(Qh) z0)) int Dz1 ln 2cosh(h),
  h = (th/sqrt(Qh)) z0 + sqrt(qh - th^2/Qh) z1 + ph.
  **Convention** (docs/THEORY.md §2.4): ``ph`` is the field along the reference *in excess of*
  th (the total coupling to the reference is ph + th); ph = 0 and qh = th = Qh at the typical
  point.
* spherical: Phi = 1/2 [ln(1-q) + (q - gamma)/(1-q)] + alpha G_E(q, t, p),
  gamma = [(p^2 - t^2) - Q (p-t)^2/(1-Q)]/(1-Q) (Schur complement of the reference block);
  conjugates are reported as qh = 2 dS_ent/dq, th = dS_ent/dt, ph = -th - dS_ent/dp, the same
  definitions as the binary Legendre pairs (so that qh = th = Qh = Q/(1-Q)^2, ph = 0 at d*).
* spherical max-margin reference (kappa_ref = "max"): Q -> 1 with p - t = b (1-Q):
  Phi = 1/2 [ln(1-q) + (q - 2bp + b^2)/(1-q)] + alpha int Dz0 Dz1 ln H((kappa - m)/sqrt(1-q)),
  m = p z0 + b (kappa_max - z0)_+ + sqrt(q - p^2) z1; the physical branch has b < 0.
* binary max-margin reference: kappa_ref = kappa_max(alpha) (zero of the Gardner entropy) with
  Q < 1: the general formula at that kappa_ref (the limit is regular).

The energetic term G_E and its derivatives are in :mod:`replica.models.fp_kernels`. The local
entropy is S(d) = Phi at the saddle point (stationary in everything but p); its slope
dS/dp = dPhi/dp|_saddle (binary: -ph - th + alpha dG_E/dp), dS/dd = -2 dS/dp.

Unknowns handed to :func:`replica.solve.solve` (conjugates eliminated analytically):
binary (ln(1-q), t, ph) [qh = -2 alpha dG_E/dq, th = -alpha dG_E/dt explicit];
spherical (ln(1-q), t); spherical max-margin (ln(1-q), b). Along a curve the continuation uses a
Broyden quasi-Newton that carries the Jacobian from point to point, with a quadratic predictor
in ln d, step halving on failure and a thermodynamic-consistency guard against branch jumps
(the trapezoidal integral of dS/dd must reproduce the change of S).

Behaviour of the branches (docs/THEORY.md §2.6, §2.10): the typical point lies on the boundary
C^2 = 0 of the physical domain; points where the RS branch is lost are reported as
"no_solution" with the distance where it was lost.
"""
from __future__ import annotations

import functools
import math
from dataclasses import dataclass, field

import numpy as np
from scipy import optimize

from ..errors import (MAX_GRID_POINTS, ConvergenceError, ReplicaInputError, check_finite,
                      check_int, check_range)
from ..gauss import G_s, gauss_legendre, graded_gaussian_rule, log_H_s
from ..continuation import Lost, march
from ..solve import Solution, solve
from . import gardner as _gd
from .base import Param, SaddleModel
from .fp_kernels import binary_entropic_terms, energetic_terms, energetic_terms_max

__all__ = [
    "MODELS", "Reference", "reference_sector", "free_entropy", "local_entropy",
    "local_entropy_curve", "CurveResult", "legendre", "h2", "Quadrature", "FPModel",
    "FP_BINARY", "FP_SPHERICAL", "cached_reference", "boundary_density", "small_distance_law",
    "first_moment_energetic", "consistency_guard",
]

MODELS = ("binary", "spherical")


# ---------------------------------------------------------------------------------------------
# Quadrature settings
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Quadrature:
    """Composite Gauss–Legendre settings: ``nodes`` per panel and the ``base`` panel length (in
    units of the Gaussian variable). The default (10, 3.0) agrees with the independent nested
    QUADPACK path to <= 5e-12 on S (tests); ``Quadrature.fine()`` for convergence checks."""

    nodes: int = 10
    base: float = 3.0

    @staticmethod
    def fine():
        return Quadrature(nodes=20, base=0.75)

    def rule(self):
        xg, wg = gauss_legendre(self.nodes)
        return np.array(xg), np.array(wg), float(self.base)


DEFAULT_QUAD = Quadrature()


def h2(d):
    """Binary entropy H2(d) = -d ln d - (1-d) ln(1-d) (natural log): the alpha = 0 local entropy
    of the binary model and its upper bound at every alpha."""
    d = np.asarray(d, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        out = -np.where(d > 0, d * np.log(np.where(d > 0, d, 1.0)), 0.0) \
            - np.where(d < 1, (1 - d) * np.log1p(-d), 0.0)
    return out[()] if out.ndim == 0 else out


# ---------------------------------------------------------------------------------------------
# Reference sector
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Reference:
    """Reference sector: the Gardner saddle point at (alpha, kappa_ref).

    ``Q``, ``Qh`` (binary: the Gardner conjugate; spherical: Q/(1-Q)^2), ``entropy`` (Gardner
    entropy at kappa_ref), ``is_max`` (max-margin reference: spherical Q = 1 exactly, handled by
    the b-parametrisation; binary: kappa_ref = kappa_max with Q < 1).
    """

    model: str
    alpha: float
    kappa_ref: float
    Q: float
    Qh: float
    entropy: float
    is_max: bool = False
    kappa_max: float = math.nan


def _check_model(model):
    if model not in MODELS:
        raise ReplicaInputError(f"model: unknown model {model!r}; choose one of "
                                f"{', '.join(MODELS)}")
    return model


def reference_sector(model: str, alpha: float, kappa_ref) -> Reference:
    """Reference sector (Q, Qh) from :func:`replica.models.gardner.gardner` at (alpha, kappa_ref).

    ``kappa_ref`` may be a number up to kappa_max(alpha) or "max". Spherical with kappa_ref =
    kappa_max (or "max"): Q = 1, the max-margin limit (b-parametrisation). Binary "max":
    kappa_ref = kappa_max(alpha), the zero of the Gardner entropy, where Q < 1.
    Computed once per (model, alpha, kappa_ref) in a process (the Reference is immutable): a
    validation, a curve and an event search at the same reference share it.
    """
    _check_model(model)
    alpha = check_range("alpha", alpha, 0.0, lo_open=True)
    key = kappa_ref.strip().lower() if isinstance(kappa_ref, str) else kappa_ref
    try:
        return _reference_sector(model, alpha, key)
    except TypeError:       # unhashable kappa_ref: the uncached path reports it
        return _reference_sector.__wrapped__(model, alpha, kappa_ref)


@functools.lru_cache(maxsize=512)
def _reference_sector(model: str, alpha: float, kappa_ref) -> Reference:
    kmax = _gd.kappa_max(model, alpha)
    if isinstance(kappa_ref, str):
        if kappa_ref.strip().lower() != "max":
            raise ReplicaInputError(f"kappa_ref must be a number or 'max', got {kappa_ref!r}")
        kr, is_max = kmax, True
    else:
        kr = check_finite("kappa_ref", kappa_ref)
        tolk = 1e-12 * max(1.0, abs(kmax))
        if kr > kmax + tolk:
            raise ReplicaInputError(f"kappa_ref = {kr} exceeds kappa_max(alpha={alpha}) = "
                                    f"{kmax:.10g}")
        is_max = kr >= kmax - tolk
        if is_max:
            kr = kmax
    if model == "spherical":
        if is_max:
            return Reference(model, alpha, kr, 1.0, math.inf, -math.inf, True, kmax)
        g = _gd.gardner("spherical", alpha, kr)
        Q = g.q
        return Reference(model, alpha, kr, Q, Q / (1 - Q) ** 2, g.entropy, False, kmax)
    g = _gd.gardner("binary", alpha, kr, allow_negative_entropy=is_max)
    return Reference(model, alpha, kr, g.q, g.qh, g.entropy, is_max, kmax)


# ---------------------------------------------------------------------------------------------
# Free entropy at arbitrary order parameters (the source of truth for tests)
# ---------------------------------------------------------------------------------------------


def _gamma(Q, p, t):
    """gamma = [(p^2 - t^2) - Q (p-t)^2/(1-Q)]/(1-Q) and its p-, t-derivatives."""
    c = p - t
    g = (c * (p + t) - Q * c * c / (1 - Q)) / (1 - Q)
    dgp = (2 * p - 2 * Q * c / (1 - Q)) / (1 - Q)
    dgt = (-2 * t + 2 * Q * c / (1 - Q)) / (1 - Q)
    return g, dgp, dgt


def _energetic(ref, kappa, omq, t_or_b, p, quad):
    xg, wg, base = quad.rule()
    if ref.model == "spherical" and ref.is_max:
        return energetic_terms_max(ref.kappa_ref, kappa, omq, t_or_b, p, xg, wg, base)
    return energetic_terms(ref.Q, ref.kappa_ref, kappa, omq, t_or_b, p, xg, wg, base)


def free_entropy(model, alpha, kappa_ref, kappa, d, order, *, quad: Quadrature = DEFAULT_QUAD,
                 ref: Reference | None = None) -> dict:
    """RS Franz–Parisi free entropy at arbitrary order parameters (not necessarily stationary).

    ``order``: binary {q, t, qh, th, ph}; spherical {q, t}; spherical max-margin {q, b}.
    ``q`` may be replaced by ``one_minus_q``. Returns entropy (Phi), entropic, energetic
    (= alpha G_E) and the partial derivative dPhi/dp (at fixed other order parameters), so that
    at the saddle point dS/dd = -2 dPhi/dp.
    """
    ref = ref or cached_reference(model, alpha, kappa_ref)
    p = 1.0 - 2.0 * d
    omq = order["one_minus_q"] if "one_minus_q" in order else 1.0 - order["q"]
    q = 1.0 - omq
    if model == "spherical" and ref.is_max:
        b = order["b"]
        en = _energetic(ref, kappa, omq, b, p, quad)
        ent = 0.5 * (math.log(omq) + (q - 2 * b * p + b * b) / omq)
        dp = -b / omq + alpha * en[3]
    elif model == "spherical":
        t = order["t"]
        en = _energetic(ref, kappa, omq, t, p, quad)
        g, dgp, dgt = _gamma(ref.Q, p, t)
        ent = 0.5 * (math.log(omq) + (q - g) / omq)
        dp = -dgp / (2 * omq) + alpha * en[3]
    else:
        t, qh, th, ph = order["t"], order["qh"], order["th"], order["ph"]
        en = _energetic(ref, kappa, omq, t, p, quad)
        xg, wg, base = quad.rule()
        es = binary_entropic_terms(ref.Qh, qh, th, ph, xg, wg, base)
        ent = -qh * omq / 2 - (p - t) * th - p * ph + es[0]
        dp = -th - ph + alpha * en[3]
    return {"entropy": ent + alpha * en[0], "entropic": ent, "energetic": alpha * en[0],
            "dPhi_dp": dp, "C2": en[4]}


# ---------------------------------------------------------------------------------------------
# Saddle point at one distance
# ---------------------------------------------------------------------------------------------


class _Problem:
    """Residual and thermodynamics at fixed (model, alpha, kappa_ref, kappa, d)."""

    def __init__(self, ref: Reference, kappa: float, d: float, quad: Quadrature):
        self.ref, self.kappa, self.d, self.quad = ref, kappa, d, quad
        self.p = 1.0 - 2.0 * d
        self.alpha = ref.alpha
        self.rule = quad.rule()
        m = ref.model
        self.kind = "max" if (m == "spherical" and ref.is_max) else m
        self.names = {"binary": ["log_one_minus_q", "t", "ph"],
                      "spherical": ["log_one_minus_q", "t"],
                      "max": ["log_one_minus_q", "b"]}[self.kind]
        self.last = None

    def _en(self, omq, y):
        xg, wg, base = self.rule
        if self.kind == "max":
            return energetic_terms_max(self.ref.kappa_ref, self.kappa, omq, y, self.p,
                                       xg, wg, base)
        return energetic_terms(self.ref.Q, self.ref.kappa_ref, self.kappa, omq, y, self.p,
                               xg, wg, base)

    def evaluate(self, x):
        """All quantities at unknowns x; returns (residual, info dict)."""
        lomq, y = float(x[0]), float(x[1])
        if not (-600.0 < lomq < 0.0):
            return None, None
        omq = math.exp(lomq)
        q = 1.0 - omq
        al, p = self.alpha, self.p
        en = self._en(omq, y)
        if not np.all(np.isfinite(en[:4])):
            return None, None
        info = {"one_minus_q": omq, "q": q, "C2": en[4], "quad_norm_err": en[5]}
        if self.kind == "binary":
            t, ph = y, float(x[2])
            qh = -2.0 * al * en[1]
            th = -al * en[2]
            xg, wg, base = self.rule
            es = binary_entropic_terms(self.ref.Qh, qh, th, ph, xg, wg, base)
            if not (es[1] > 0 and es[3] > 0 and np.all(np.isfinite(es))):
                return None, None
            res = np.array([math.log(es[1] / omq), es[2] - t, math.log(es[3] / self.d)])
            ent = -qh * omq / 2 - (p - t) * th - p * ph + es[0]
            dSdp = -th - ph + al * en[3]
            info.update(t=t, qh=qh, th=th, ph=ph, e2=es[4],
                        replicon=1.0 - al * en[6] * es[5] / (omq * omq))
        elif self.kind == "spherical":
            t = y
            Q = self.ref.Q
            g, dgp, dgt = _gamma(Q, p, t)
            # scaled to O(1) as Q -> 1: (q - gamma) - alpha (1-q) <G^2>, (1-Q) dPhi/dt (1-q)
            res = np.array([(q - g) + 2 * al * omq * omq * en[1],
                            (1 - Q) * (-0.5 * dgt + al * omq * en[2])])
            ent = 0.5 * (lomq + (q - g) / omq)
            dSdp = -dgp / (2 * omq) + al * en[3]
            dSq = (q - g) / (2 * omq * omq)
            qh, th = 2 * dSq, -dgt / (2 * omq)
            ph = -th + dgp / (2 * omq)
            info.update(t=t, qh=qh, th=th, ph=ph, replicon=1.0 - al * en[6])
        else:
            b = y
            c = 2 * b * p - b * b
            res = np.array([(q - c) + 2 * al * omq * omq * en[1],
                            (b - p) + al * omq * en[2]])
            ent = 0.5 * (lomq + (q - c) / omq)
            dSdp = -b / omq + al * en[3]
            # t = p - b (1-Q) -> p; conjugates diverge with Q -> 1 and are not reported
            info.update(t=p, b=b, replicon=1.0 - al * en[6])
        info.update(entropy=ent + al * en[0], entropic=ent, energetic=al * en[0],
                    dS_dp=dSdp, dS_dd=-2.0 * dSdp)
        return res, info

    def F(self, x):
        try:
            res, info = self.evaluate(x)
        except (ZeroDivisionError, ValueError, OverflowError):
            res = None   # a trial point far outside the domain (solver exploration)
        if res is None:
            return np.full(len(x), np.nan)
        self.last = info
        return np.asarray(x, dtype=float) + res


def _typical_x0(prob: _Problem):
    """Starting point: the typical solution (q = t = Q, ph = 0; spherical max: b from the
    alpha = 0 limit, b = p - sqrt-free guess)."""
    ref = prob.ref
    if prob.kind == "max":
        return np.array([math.log(max(1 - prob.p ** 2, 1e-12)), -0.5])
    Q = ref.Q
    if prob.kind == "binary":
        return np.array([math.log(1 - Q), Q, 0.0])
    return np.array([math.log(1 - Q), Q])


def _validate(model, alpha, kappa_ref, kappa, d):
    _check_model(model)
    alpha = check_range("alpha", alpha, 0.0, lo_open=True)
    kappa = check_finite("kappa", kappa)
    d = check_range("d", d, 0.0, 0.5, lo_open=True)
    return alpha, kappa, d


def local_entropy(model: str, alpha: float, kappa_ref, kappa: float, d: float, x0=None,
                  method: str = "hybrid", *, tol: float = 1e-11,
                  quad: Quadrature = DEFAULT_QUAD, ref: Reference | None = None,
                  max_iter: int = 300, _direct: bool = False) -> Solution:
    """RS Franz–Parisi local entropy S(d) at one distance d = (1-p)/2 in (0, 1/2].

    Parameters
    ----------
    model : "binary" | "spherical".
    alpha : load P/N > 0.
    kappa_ref : reference margin (<= kappa_max(alpha)) or "max".
    kappa : margin of the counted configurations (any real).
    d : distance from the reference.
    x0 : starting unknowns (``Solution.x`` of a neighbouring point). None: the point is reached
        by continuation from the typical point (:func:`local_entropy_curve` on [d]).
    method : any :func:`replica.solve.solve` method ("hybrid", "newton", "iterate").
    tol : tolerance on the residual (relative for 1-q and d, absolute for t, b).

    Returns a :class:`~replica.solve.Solution`: order = the unknowns (log_one_minus_q, t, ph |
    b); thermo = q, t, p, qh, th, ph (binary and finite-Q spherical), b (spherical max), entropy,
    entropic, energetic (= alpha G_E), dS_dd, dS_dp, C2 (>= 0 required), Q, Qh.
    Raises ConvergenceError if no RS saddle point is found from x0, ReplicaInputError for bad
    input.
    """
    alpha, kappa, d = _validate(model, alpha, kappa_ref, kappa, d)
    ref = ref or cached_reference(model, alpha, kappa_ref)
    if x0 is None and not _direct:
        # no starting point: continue from the typical point (robust), see local_entropy_curve
        c = local_entropy_curve(model, alpha, ref.kappa_ref if not ref.is_max else kappa_ref,
                                kappa, [d], method=method, tol=tol, quad=quad)
        if c.status[0] != "converged":
            raise ConvergenceError(
                f"no RS saddle point reached by continuation from d = {c.d_start:.6g}; the RS "
                f"branch was lost at d = {c.lost_below if d < c.d_start else c.lost_above}"
                + (f" ({c.note})" if c.note else ""),
                model=f"fp-{model}", params={"alpha": alpha, "kappa_ref": ref.kappa_ref,
                                             "kappa": kappa, "d": d}, method=method)
        return c.solutions[0]
    prob = _Problem(ref, kappa, d, quad)
    # the typical point (q = t = Q, ph = 0) at kappa = kappa_ref and d* = (1-Q)/2 is an exact
    # saddle point (the constrained replica is one more copy of the reference): on the boundary
    # C^2 = 0 of the physical domain, where a solver driven by quadrature errors could step out
    typical = (x0 is None and prob.kind != "max" and kappa == ref.kappa_ref
               and d == 0.5 * (1.0 - ref.Q))
    if x0 is None:
        x0 = _typical_x0(prob)
    else:
        try:
            x0 = np.atleast_1d(np.asarray(x0, dtype=float))
        except (TypeError, ValueError):
            raise ReplicaInputError(f"x0 must be numbers, got {x0!r}") from None
        if x0.ndim != 1 or x0.size != len(prob.names) or not np.all(np.isfinite(x0)):
            raise ReplicaInputError(f"x0 must hold {len(prob.names)} finite values "
                                    f"({', '.join(prob.names)}), got {x0.tolist()!r}")
    params = {"alpha": alpha, "kappa_ref": ref.kappa_ref, "kappa": kappa, "d": d}
    res0, _ = prob.evaluate(x0)
    if res0 is not None and (typical or np.max(np.abs(res0)) <= tol):
        # already a saddle point (e.g. the typical point, which sits on the boundary C^2 = 0 of
        # the physical domain, where finite-difference Jacobians would probe outside it)
        sol = Solution(order=dict(zip(prob.names, map(float, x0))), residual=res0,
                       status="converged", iterations=0, method=method)
    else:
        sol = solve(prob.F, x0, names=prob.names, method=method, tol=tol, model=f"fp-{model}",
                    params=params, max_iter=max_iter)
    res, info = prob.evaluate(sol.x)
    thermo = dict(info)
    thermo.update(p=prob.p, d=d, Q=ref.Q, Qh=ref.Qh, residual=float(np.max(np.abs(res))))
    if not typical and (thermo["C2"] < -1e-11
                        or thermo.get("e2", 0.0) < -1e-11 * max(1.0, thermo.get("qh", 0.0))):
        raise ConvergenceError("saddle point outside the physical domain (overlap matrix not "
                               "positive: C^2 < 0 or qh < th^2/Qh)", model=f"fp-{model}",
                               params=params, x=sol.x, residual=res, method=method)
    return Solution(order=sol.order, residual=res, status="converged",
                    iterations=sol.iterations, method=sol.method, model=f"fp-{model}",
                    params=params, thermo=thermo)


# ---------------------------------------------------------------------------------------------
# Whole curves by continuation
# ---------------------------------------------------------------------------------------------


@dataclass
class CurveResult:
    """Local-entropy curve S(d) on a grid (arrays aligned with ``d``).

    ``status[i]`` is "converged" or "no_solution" (no RS saddle point reached by continuation
    with step halving down to ``min_step``; the value arrays hold NaN there — use ``status``,
    and the CLI prints no number). ``lost_below`` / ``lost_above``: the last distance reached
    by the continuation on each side before the RS solution was lost (None if never lost).
    ``d_start``: where the continuation started (d* = (1-Q)/2 for a finite-Q reference).
    """

    model: str
    alpha: float
    kappa_ref: float
    kappa: float
    d: np.ndarray
    status: list
    values: dict = field(default_factory=dict)
    solutions: list = field(default_factory=list)
    d_start: float = math.nan
    lost_below: float | None = None
    lost_above: float | None = None
    reference: Reference | None = None
    note: str = ""

    def __getitem__(self, key):
        return self.values[key]

    @property
    def ok(self) -> np.ndarray:
        return np.array([s == "converged" for s in self.status])

    def rows(self) -> list[dict]:
        """One dict per distance (no NaN: failed points carry only d and status)."""
        out = []
        for i, d in enumerate(self.d):
            row = {"d": float(d), "status": self.status[i]}
            if self.status[i] == "converged":
                for k, v in self.values.items():
                    row[k] = float(v[i])
            out.append(row)
        return out


_KEYS = ("entropy", "entropic", "energetic", "dS_dd", "q", "t", "p", "qh", "th", "ph", "b",
         "one_minus_q", "C2", "replicon", "residual")


def _start_point(ref, kappa, quad, method, tol):
    """First solved point of a curve and its distance.

    Finite Q: the typical point (exact at kappa = kappa_ref, d* = (1-Q)/2); for kappa !=
    kappa_ref, continuation in kappa at fixed d* (step halving). Spherical max-margin: the
    alpha -> 0 solution b = p, q = p^2 at d = 0.05 continued in alpha... (here: directly, from the
    alpha = 0 guess, which converges on the physical branch, b -> p as d -> 0)."""
    if ref.model == "spherical" and ref.is_max:
        d0 = 0.02
        p = 1 - 2 * d0
        x0 = np.array([math.log(1 - p * p), p])
        sol = local_entropy(ref.model, ref.alpha, ref.kappa_ref, kappa, d0, x0=x0,
                            method=method, tol=tol, quad=quad, ref=ref, _direct=True)
        return d0, sol
    d0 = 0.5 * (1.0 - ref.Q)
    kr = ref.kappa_ref
    sol = local_entropy(ref.model, ref.alpha, kr, kr, d0, method=method, tol=tol, quad=quad,
                        ref=ref, _direct=True)
    if kappa == kr:
        return d0, sol
    k, step = kr, kappa - kr
    x, J = sol.x, None
    while k != kappa:
        nxt = kappa if abs(kappa - k) <= abs(step) else k + step
        try:
            s, J = warm_solve(ref, nxt, d0, x, J, method=method, tol=tol, quad=quad)
        except ConvergenceError:
            step *= 0.5
            J = None
            if abs(step) < 1e-6:
                raise
            continue
        k, x, sol = nxt, s.x, s
        step *= 1.5
    return d0, sol


def _fd_jacobian(R, x, r0, h=1e-7):
    n = x.size
    J = np.empty((n, n))
    for j in range(n):
        e = np.zeros(n)
        e[j] = h * max(1.0, abs(x[j]))
        rj = R(x + e)
        if rj is None:
            return None
        J[:, j] = (rj - r0) / e[j]
    return J


def _local_entropy_fast(ref, kappa, d, x0, J, quad, tol, max_iter=12):
    """Quasi-Newton (Broyden) solve carrying the Jacobian along a continuation: with a good
    predictor it converges in 2-4 residual evaluations instead of ~20 for a fresh hybrid solve.
    Returns (Solution, J, nfev) or None (the caller falls back to :func:`local_entropy`)."""
    prob = _Problem(ref, kappa, d, quad)
    seen = {}

    def R(x):
        try:
            r, info = prob.evaluate(x)
        except (ZeroDivisionError, ValueError, OverflowError):
            return None
        if r is None or not np.all(np.isfinite(r)):
            return None
        seen["x"], seen["r"], seen["info"] = x.copy(), r, info
        return r

    x = np.asarray(x0, dtype=float).copy()
    r = R(x)
    nfev = 1
    if r is None:
        return None
    fresh = J is None
    if J is None:
        J = _fd_jacobian(R, x, r)
        nfev += x.size
        if J is None:
            return None
    refreshes = 0
    for _ in range(max_iter):
        if np.max(np.abs(r)) <= tol:
            break
        try:
            dx = np.linalg.solve(J, -r)
        except np.linalg.LinAlgError:
            dx = None
        lam = 1.0
        while dx is not None:
            xn = x + lam * dx
            rn = R(xn)
            nfev += 1
            if rn is not None and np.linalg.norm(rn) < np.linalg.norm(r):
                break
            lam *= 0.5
            if lam < 0.1:
                dx = None
        if dx is None:
            # the carried (Broyden) Jacobian has gone stale: one finite-difference refresh at
            # the current point, then Newton again; a fresh Jacobian that fails gives up
            if fresh or refreshes >= 1:
                return None
            J = _fd_jacobian(R, x, r)
            nfev += x.size
            if J is None:
                return None
            fresh, refreshes = True, refreshes + 1
            continue
        fresh = False
        step = xn - x
        J = J + np.outer((rn - r) - J @ step, step) / (step @ step)
        x, r = xn, rn
    else:
        return None
    if np.max(np.abs(r)) > tol:
        return None
    res, info = seen["r"], seen["info"]   # the last evaluation is at the accepted x
    if not np.array_equal(seen["x"], x):
        res, info = prob.evaluate(x)
    if info["C2"] < -1e-11 or info.get("e2", 0.0) < -1e-11 * max(1.0, info.get("qh", 0.0)):
        return None
    thermo = dict(info)
    thermo.update(p=prob.p, d=d, Q=ref.Q, Qh=ref.Qh, residual=float(np.max(np.abs(res))))
    params = {"alpha": ref.alpha, "kappa_ref": ref.kappa_ref, "kappa": kappa, "d": d}
    sol = Solution(order=dict(zip(prob.names, map(float, x))), residual=res, status="converged",
                   iterations=nfev, method="broyden-continuation", model=f"fp-{ref.model}",
                   params=params, thermo=thermo)
    return sol, J, nfev


def warm_solve(ref: Reference, kappa: float, d: float, x0, J=None, *, method: str = "hybrid",
               tol: float = 1e-11, quad: Quadrature = DEFAULT_QUAD, max_iter: int = 80):
    """One saddle point at d from nearby unknowns ``x0`` (a neighbouring distance or parameter)
    and, optionally, the Jacobian ``J`` carried from the previous solve of a sequence.

    First a quasi-Newton (Broyden) solve from ``J`` (finite differences at x0 when None, one
    finite-difference refresh if it goes stale); if that fails, :func:`local_entropy` with
    ``method``. Returns (Solution, J): pass J back into the next call of the sequence (None
    after the fallback). Raises ConvergenceError as :func:`local_entropy` does."""
    fast = _local_entropy_fast(ref, kappa, d, x0, J, quad, tol)
    if fast is not None:
        return fast[0], fast[1]
    sol = local_entropy(ref.model, ref.alpha, ref.kappa_ref, kappa, d, x0=x0, method=method,
                        tol=tol, quad=quad, ref=ref, max_iter=max_iter)
    return sol, None


def predict_unknowns(hist, l):
    """Predictor for the unknowns at ln d = l: Lagrange extrapolation through the last (up to)
    three solved points (quadratic), or the last point."""
    pts = hist[-3:]
    ls = [a for a, _ in pts]
    if len(pts) == 1 or len(set(ls)) < len(ls):
        return pts[-1][1]
    out = np.zeros_like(pts[-1][1])
    for i, (li, xi) in enumerate(pts):
        w = 1.0
        for j, (lj, _) in enumerate(pts):
            if j != i:
                w *= (l - lj) / (li - lj)
        out = out + w * xi
    return out


def _consistent(s_old, s_new, d_old, d_new):
    """Branch-jump guard: the trapezoidal integral of dS/dd must reproduce the change of S
    (thermodynamic consistency; the O(|dd|^3) trapezoid error is allowed generously)."""
    a, b = s_old.thermo, s_new.thermo
    dd = d_new - d_old
    pred = a["entropy"] + 0.5 * (a["dS_dd"] + b["dS_dd"]) * dd
    scale = abs(dd) * (abs(a["dS_dd"]) + abs(b["dS_dd"]) + 1e-3)
    return abs(b["entropy"] - pred) <= 0.05 * scale + 1e-10


def consistency_guard(prev, cand) -> str | None:
    """Branch-jump guard for :func:`replica.continuation.follow` along ``d`` (signature
    ``guard(previous_point, candidate_point) -> None | reason``): the trapezoidal integral of
    dS/dd between the two points must reproduce the change of S (:func:`_consistent`)."""
    a, b = prev.thermo, cand.thermo
    da, db = float(prev.params["d"]), float(cand.params["d"])
    dd = db - da
    pred = a["entropy"] + 0.5 * (a["dS_dd"] + b["dS_dd"]) * dd
    scale = abs(dd) * (abs(a["dS_dd"]) + abs(b["dS_dd"]) + 1e-3)
    if abs(b["entropy"] - pred) <= 0.05 * scale + 1e-10:
        return None
    return (f"thermodynamic inconsistency between d = {da:.6g} and {db:.6g}: S changed by "
            f"{b['entropy'] - a['entropy']:.3e}, the integral of dS/dd gives "
            f"{pred - a['entropy']:.3e}")


def _march(ref, kappa, targets, start_d, start_sol, quad, method, tol, min_step, store,
           max_iter=80):
    """Continue from start_d through the sorted ``targets`` (all on one side) with the engine's
    natural-parameter march (:func:`replica.continuation.march`) in ln d: steps grown by 1.6
    (at most 1 in ln d), halved on failure down to ``min_step``; the corrector is a Broyden
    solve carrying the Jacobian (fallback: :func:`local_entropy`) from a quadratic predictor
    through the last three points; a step is rejected when the new point is not
    thermodynamically consistent with the previous one (:func:`_consistent`, branch jumps).
    Returns the last reached distance if the RS solution was lost, else None."""
    state = {"hist": [(math.log(start_d), start_sol.x)], "last": start_sol, "J": None}

    def solve_at(l, _x_pred):
        hist, last = state["hist"], state["last"]
        x0 = predict_unknowns(hist, l)
        d = math.exp(l)
        s, state["J"] = warm_solve(ref, kappa, d, x0, state["J"], method=method, tol=tol,
                                   quad=quad, max_iter=max_iter)
        if not _consistent(last, s, float(last.thermo["d"]), d):
            state["J"] = None
            raise ConvergenceError(f"branch jump rejected at d = {d:.6g} (thermodynamic "
                                   "consistency)", model=f"fp-{ref.model}")
        hist.append((l, s.x))
        state["last"] = s
        return s.x, s

    cur = math.log(start_d)
    step = None
    for target_d in targets:
        goal = math.log(target_d)
        if goal == cur:
            continue
        h = abs(goal - cur) if step is None else step
        try:
            for l, _, sol, _ in march(solve_at, cur, goal, state["last"].x, h=h, h_min=min_step,
                                      h_max=1.0, grow=1.6, predictor=False):
                step = min(1.6 * abs(l - cur), 1.0) if l != goal else max(abs(l - cur), step or 0)
                cur = l
            store[target_d] = state["last"]
        except Lost:
            return math.exp(cur)
    return None


def local_entropy_curve(model: str, alpha: float, kappa_ref, kappa: float, d_grid, *,
                        method: str = "hybrid", tol: float = 1e-11,
                        quad: Quadrature = DEFAULT_QUAD, min_step: float = 2e-3) -> CurveResult:
    """S(d) on ``d_grid`` by continuation from the typical distance d* = (1-Q)/2 (spherical
    max-margin: from d = 0.02) down to the smallest and up to the largest requested d.

    Steps are adaptive in ln d (grown by 1.6 on success, halved on failure, secant predictor);
    when the step falls below ``min_step`` (in ln d) the RS solution is declared lost on that
    side: the remaining points on that side get status "no_solution" and the last reached
    distance is recorded in ``lost_below`` / ``lost_above``.
    """
    try:
        d_grid = np.atleast_1d(np.asarray(d_grid, dtype=float))
    except (TypeError, ValueError):
        raise ReplicaInputError(f"d_grid must be numbers, got {d_grid!r}") from None
    if d_grid.ndim != 1 or d_grid.size == 0:
        raise ReplicaInputError("d_grid must be a non-empty list of distances")
    check_int("number of distances", d_grid.size, 1, MAX_GRID_POINTS)
    for d in d_grid:
        _validate(model, alpha, kappa_ref, kappa, d)
    if not (isinstance(min_step, (int, float)) and math.isfinite(min_step) and min_step > 0):
        raise ReplicaInputError(f"min_step must be a positive number, got {min_step!r}")
    if not (isinstance(tol, (int, float)) and math.isfinite(tol) and tol > 0):
        raise ReplicaInputError(f"tol must be a positive number, got {tol!r}")
    ref = cached_reference(model, alpha, kappa_ref)
    kappa = float(kappa)
    try:
        km = ref.kappa_max
        if kappa > km + 1e-12 * max(1.0, abs(km)):   # no configuration of margin kappa exists at this load (any distance)
            raise ConvergenceError(f"kappa = {kappa} exceeds kappa_max(alpha = {alpha}) = "
                                   f"{km:.10g}: no configuration has margin kappa")
        d0, s0 = _start_point(ref, kappa, quad, method, tol)
    except ConvergenceError as exc:
        # no RS saddle point even at the starting distance (e.g. kappa above kappa_max(alpha):
        # no solutions of margin kappa at all): every point is "no_solution", with the reason
        return CurveResult(model=model, alpha=float(alpha), kappa_ref=ref.kappa_ref, kappa=kappa,
                           d=d_grid, status=["no_solution"] * d_grid.size,
                           values={"entropy": np.full(d_grid.size, np.nan)},
                           solutions=[None] * d_grid.size, reference=ref,
                           note=f"no RS saddle point at the starting distance: {exc}")
    store = {}
    below = sorted({float(d) for d in d_grid if d < d0}, reverse=True)
    above = sorted({float(d) for d in d_grid if d >= d0})
    if d0 in above:
        store[d0] = s0
    lost_below = _march(ref, kappa, below, d0, s0, quad, method, tol, min_step, store)
    lost_above = _march(ref, kappa, above, d0, s0, quad, method, tol, min_step, store)
    status, sols = [], []
    values = {k: np.full(d_grid.size, np.nan) for k in _KEYS}
    for i, d in enumerate(d_grid):
        s = store.get(float(d))
        sols.append(s)
        if s is None:
            status.append("no_solution")
            continue
        status.append("converged")
        for k in _KEYS:
            if k in s.thermo:
                values[k][i] = s.thermo[k]
    values = {k: v for k, v in values.items() if not np.all(np.isnan(v)) or k == "entropy"}
    return CurveResult(model=model, alpha=float(alpha), kappa_ref=ref.kappa_ref, kappa=kappa,
                       d=d_grid, status=status, values=values, solutions=sols, d_start=d0,
                       lost_below=lost_below, lost_above=lost_above, reference=ref)


# ---------------------------------------------------------------------------------------------
# Legendre transform (entropic algorithms)
# ---------------------------------------------------------------------------------------------


def legendre(model: str, alpha: float, kappa_ref, kappa: float, gammas, *, d_grid=None,
             curve: CurveResult | None = None, method: str = "hybrid",
             quad: Quadrature = DEFAULT_QUAD) -> list[dict]:
    """Phi(gamma) = max_d [S(d) - 2 gamma d] and the maximiser d*(gamma).

    With S concave the maximiser solves dS/dd = 2 gamma; in general (non-monotonic S) the global
    maximum on the curve is taken and refined by Brent's method on dS/dd - 2 gamma between the
    neighbouring grid points (each evaluation a converged saddle point). gamma > 0 pulls towards
    the reference (d < d*). Returns one dict per gamma: gamma, Phi, d, entropy, status.
    (docs/THEORY.md §2.8; on the sphere Phi = max_p [S(p) - gamma'(1-p)] has gamma' = gamma.)
    """
    gammas = [check_finite("gamma", g) for g in np.atleast_1d(gammas)]
    if curve is None:
        if d_grid is None:
            d_grid = np.concatenate([np.geomspace(1e-4, 0.05, 40), np.linspace(0.055, 0.5, 60)])
        curve = local_entropy_curve(model, alpha, kappa_ref, kappa, d_grid, method=method,
                                    quad=quad)
    ref = curve.reference
    ok = curve.ok
    if not ok.any():
        return [{"gamma": g, "status": "no_solution"} for g in gammas]
    dd, S, dS = curve.d[ok], curve["entropy"][ok], curve["dS_dd"][ok]
    sols = [s for s, o in zip(curve.solutions, ok) if o]
    out = []
    for g in gammas:
        if dd.size == 0:
            out.append({"gamma": g, "status": "no_solution"})
            continue
        f = S - 2 * g * dd
        i = int(np.argmax(f))
        row = {"gamma": g, "Phi": float(f[i]), "d": float(dd[i]), "entropy": float(S[i]),
               "status": "converged"}
        # refine between neighbours where dS/dd - 2 gamma changes sign
        for j in (i - 1, i):
            if 0 <= j < dd.size - 1 and (dS[j] - 2 * g) * (dS[j + 1] - 2 * g) < 0:
                xs = {dd[j]: sols[j].x, dd[j + 1]: sols[j + 1].x}
                cache = {}

                def slope(d):
                    x0 = xs[min(xs, key=lambda e: abs(e - d))]
                    s = local_entropy(model, alpha, ref.kappa_ref, kappa, d, x0=x0,
                                      method=method, quad=quad, ref=ref)
                    cache[d] = s
                    return s.thermo["dS_dd"] - 2 * g
                try:
                    dstar = optimize.brentq(slope, dd[j], dd[j + 1], xtol=1e-13, rtol=1e-12)
                    s = cache.get(dstar) or local_entropy(model, alpha, ref.kappa_ref, kappa,
                                                          dstar, x0=sols[j].x, method=method,
                                                          quad=quad, ref=ref)
                    val = s.thermo["entropy"] - 2 * g * dstar
                    if val >= row["Phi"] - 1e-12:
                        row.update(Phi=float(val), d=float(dstar),
                                   entropy=float(s.thermo["entropy"]))
                except (ConvergenceError, ValueError):
                    row["status"] = "grid_only"
        if i == 0 or i == dd.size - 1:
            row["status"] = "boundary"   # the maximum sits at the end of the computed curve
        out.append(row)
    return out


# ---------------------------------------------------------------------------------------------
# Shape of S(d): monotonicity and sign (events for thresholds)
# ---------------------------------------------------------------------------------------------


def _parabolic_min(x, y, i):
    """Vertex of the parabola through (x[i-1..i+1], y[i-1..i+1]) (value and abscissa)."""
    if i <= 0 or i >= len(x) - 1:
        return float(y[i]), float(x[i])
    x0, x1, x2 = x[i - 1], x[i], x[i + 1]
    y0, y1, y2 = y[i - 1], y[i], y[i + 1]
    den = (x0 - x1) * (x0 - x2) * (x1 - x2)
    A = (x2 * (y1 - y0) + x1 * (y0 - y2) + x0 * (y2 - y1)) / den
    B = (x2 * x2 * (y0 - y1) + x1 * x1 * (y2 - y0) + x0 * x0 * (y1 - y2)) / den
    if A <= 0:
        return float(y1), float(x1)
    xv = -B / (2 * A)
    C = y1 - A * x1 * x1 - B * x1
    return float(A * xv * xv + B * xv + C), float(xv)


def shape_summary(model, alpha, kappa_ref, kappa, d_grid, **kw) -> dict:
    """Minimum of dS/dd and of S over ``d_grid`` (parabolic refinement around the discrete
    minimum). min dS/dd < 0 on (0, d*) means S(d) is non-monotonic (the local-entropy transition
    of PRL 2021); min S < 0 at d > 0 means the reference is isolated (negative shell)."""
    c = local_entropy_curve(model, alpha, kappa_ref, kappa, d_grid, **kw)
    ok = c.ok
    d, S, dS = c.d[ok], c["entropy"][ok], c["dS_dd"][ok]
    i = int(np.argmin(dS))
    j = int(np.argmin(S))
    mdS, ddS = _parabolic_min(d, dS, i)
    mS, dSm = _parabolic_min(d, S, j)
    return {"alpha": alpha, "kappa_ref": c.kappa_ref, "min_dS_dd": mdS, "d_min_dS_dd": ddS,
            "min_S": mS, "d_min_S": dSm, "n_failed": int((~ok).sum()),
            "lost_below": c.lost_below}



# ---------------------------------------------------------------------------------------------
# Small distances: closed forms (derivation: theory_notebooks/fp_small_distance.py)
# ---------------------------------------------------------------------------------------------


def boundary_density(ref: Reference) -> float:
    r"""Density of the reference stabilities at the reference margin,

    .. math:: \rho_0 = \frac{1}{\sqrt{1-Q}} \int Dz_0\, G\Big(\frac{\kappa_{\rm ref}
              - \sqrt Q z_0}{\sqrt{1-Q}}\Big)

    (u~ = sqrt(Q) z0 + sqrt(1-Q) y~ with y~ a standard Gaussian truncated to y~ > a(z0); the
    density of y~ at its boundary is G(a)). Finite-Q references only. Graded Gauss–Legendre rule
    refined around the reference boundary layer z0 = kappa_ref/sqrt(Q) (width sqrt((1-Q)/Q))."""
    if not (0.0 < ref.Q < 1.0):
        raise ReplicaInputError("boundary_density needs a finite-Q reference (0 < Q < 1)")
    sQ, s1Q = math.sqrt(ref.Q), math.sqrt(1.0 - ref.Q)
    z, w = graded_gaussian_rule([ref.kappa_ref / sQ], [s1Q / sQ], n=20)
    return float(sum(wi * G_s((ref.kappa_ref - sQ * zi) / s1Q) for zi, wi in zip(z, w))) / s1Q


@functools.lru_cache(maxsize=1)
def _I_lnPhi() -> float:
    # I = int_0^inf ln(1 - H(s)) ds: the integrand decays like -H(s); panels on [0, 12]
    xg, wg = gauss_legendre(20)
    edges = np.linspace(0.0, 12.0, 25)
    tot = 0.0
    for a, b in zip(edges[:-1], edges[1:]):
        x = 0.5 * (a + b) + 0.5 * (b - a) * np.asarray(xg)
        tot += 0.5 * (b - a) * float(sum(wi * log_H_s(-xi) for xi, wi in zip(x, wg)))
    return tot


def small_distance_law(alpha: float, kappa_ref: float) -> dict:
    r"""Small-d law of the binary local entropy around a reference counted with its own margin
    (kappa = kappa_ref), for one constrained replica (s = 1: the first moment of the number of
    solutions at distance d from a fixed reference, an upper bound of S):

    .. math:: S_1(d) = H_2(d) + 2\alpha C\sqrt d + O(d),\qquad
              \frac{dS_1}{dd} \simeq \alpha C d^{-1/2},\qquad C = \rho_0 I,\quad
              I = \int_0^\infty \ln\big(1 - H(s)\big)\,ds = -0.4543...

    (:func:`boundary_density` rho0; the form of Huang & Kabashima, PRE 90, 052813 (2014)).
    Each pattern whose reference stability lies within O(sqrt d) of the margin is violated with
    probability H((u~ - kappa)/(2 sqrt d)) by a configuration at distance d. Returns rho0, I, C
    and the reference."""
    ref = cached_reference("binary", float(alpha), float(kappa_ref))
    rho0 = boundary_density(ref)
    I = _I_lnPhi()
    return {"rho0": rho0, "I": I, "C": rho0 * I, "reference": ref}


def first_moment_energetic(ref: Reference, kappa: float, d: float,
                           quad: Quadrature = DEFAULT_QUAD) -> float:
    """alpha-free energetic term of one constrained replica at distance d drawn independently
    of the patterns given the reference (q = p^2, t = Q p: C^2 = 0):
    E_1(d) = int Dz0 (1/H(a)) int_{y~ > a} Dy~ ln H((kappa - p u~)/sqrt(1 - p^2)).
    H2(d) + alpha E_1(d) is the first moment at t = Q p (equal to the first moment S_1 at
    leading order in the energetic term) and the small-d limit of the RS saddle point when the
    energetic term vanishes (kappa_ref > kappa)."""
    p = 1.0 - 2.0 * d
    xg, wg, base = quad.rule()
    return float(energetic_terms(ref.Q, ref.kappa_ref, float(kappa), 1.0 - p * p, ref.Q * p, p,
                                 xg, wg, base)[0])


# ---------------------------------------------------------------------------------------------
# The model protocol (replica.models.base): "fp-binary", "fp-spherical"
# ---------------------------------------------------------------------------------------------


@functools.lru_cache(maxsize=512)
def cached_reference(model: str, alpha: float, kappa_ref) -> Reference:
    """:func:`reference_sector`, cached per (model, alpha, kappa_ref): a curve or an event
    search along d or kappa computes the Gardner reference saddle point once."""
    return reference_sector(model, alpha, kappa_ref)


class FPModel(SaddleModel):
    """RS Franz–Parisi local entropy as a model of the protocol (formulas: module docstring and
    docs/THEORY.md §2).

    Parameters: ``alpha`` > 0, ``kappa_ref`` (a number up to kappa_max(alpha) or "max"),
    ``kappa`` (margin of the counted configurations), ``d`` in (0, 1/2].
    Unknowns: binary (ln(1-q), t, ph); spherical (ln(1-q), t), or (ln(1-q), b) for the
    max-margin reference (the second unknown is named ``t_or_b``). Residual: the scaled
    stationarity conditions of :class:`_Problem`. Known point: the typical distance
    d* = (1-Q)/2, where (kappa = kappa_ref) q = t = Q and ph = 0 exactly (kappa != kappa_ref:
    continued in kappa at d*; spherical max-margin reference: the solution at d = 0.02).
    Thermodynamics: entropy (S(d)), entropic, energetic, dS_dd, C2, replicon (AT eigenvalue of
    the constrained replicas, 1 - alpha <[G(G-x)]^2> gamma_S/(1-q)^2 with gamma_S = <sech^4 h>
    (binary) or (1-q)^2 (spherical); > 0: RS stable), the order parameters and conjugates.
    """

    method = "hybrid"
    tol = 1e-11

    def __init__(self, weights: str, quad: Quadrature = DEFAULT_QUAD):
        self.weights = _check_model(weights)
        self.quad = quad
        self.name = f"fp-{weights}"
        self.description = (f"RS Franz–Parisi local entropy of the {weights} perceptron around "
                            "a reference of margin kappa_ref (docs/THEORY.md §2)")
        if weights == "binary":
            self.order_names = ("q", "t", "qh", "th", "ph")
            self.unknown_names = ("log_one_minus_q", "t", "ph")
        else:
            self.order_names = ("q", "t_or_b")
            self.unknown_names = ("log_one_minus_q", "t_or_b")
        self.params = (
            Param("alpha", 0.0, None, lo_open=True, doc="load P/N"),
            Param("kappa_ref", kind="margin_ref", default=0.0,
                  doc="margin of the reference (<= kappa_max(alpha)) or 'max'"),
            Param("kappa", default=0.0, doc="margin of the counted configurations"),
            Param("d", 0.0, 0.5, lo_open=True, doc="distance from the reference, (1-p)/2"))

    # -- helpers ----------------------------------------------------------------------------
    def reference(self, p) -> Reference:
        return cached_reference(self.weights, float(p["alpha"]), p["kappa_ref"])

    def _problem(self, p) -> _Problem:
        return _Problem(self.reference(p), float(p["kappa"]), float(p["d"]), self.quad)

    def _evaluate(self, x, p):
        prob = self._problem(p)
        try:
            res, info = prob.evaluate(np.atleast_1d(np.asarray(x, dtype=float)))
        except (ZeroDivisionError, ValueError, OverflowError):
            res, info = None, None
        return prob, res, info

    # -- protocol -----------------------------------------------------------------------------
    def check(self, p):
        self.reference(p)      # kappa_ref <= kappa_max(alpha), with the one-line error
        return p

    def residual(self, x, p):
        _, res, _ = self._evaluate(x, p)
        if res is None or not np.all(np.isfinite(res)):
            return np.full(len(self.unknowns_), np.nan)
        return res

    def order(self, x, p):
        _, res, info = self._evaluate(x, p)
        if info is None:
            raise ConvergenceError("order parameters requested outside the domain of the "
                                   "unknowns", model=self.name, params=dict(p), x=x)
        if self.weights == "binary":
            return {k: float(info[k]) for k in self.order_names}
        return {"q": float(info["q"]), "t_or_b": float(np.atleast_1d(x)[1])}

    def unknowns(self, order, p):
        lomq = math.log1p(-float(order["q"])) if "one_minus_q" not in order else \
            math.log(float(order["one_minus_q"]))
        if self.weights == "binary":
            return np.array([lomq, float(order["t"]), float(order["ph"])])
        y = order.get("t_or_b", order.get("b" if self.reference(p).is_max else "t"))
        return np.array([lomq, float(y)])

    def known_point(self, p):
        p = self.validate(p)
        ref = self.reference(p)
        d0, sol = _start_point(ref, float(p["kappa"]), self.quad, self.method, self.tol)
        return {**p, "d": float(d0)}, np.asarray(sol.x, dtype=float)

    def guess(self, p):
        return None

    def free_entropy(self, order, p):
        ref = self.reference(p)
        od = dict(order)
        if self.weights == "spherical" and "t_or_b" in od:
            od["b" if ref.is_max else "t"] = od.pop("t_or_b")
        out = free_entropy(self.weights, p["alpha"], p["kappa_ref"], p["kappa"], p["d"], od,
                           quad=self.quad, ref=ref)
        out["free_entropy"] = out["entropy"]
        return out

    def thermo(self, x, p):
        prob, res, info = self._evaluate(x, p)
        if info is None:
            raise ConvergenceError("thermodynamics requested outside the domain of the unknowns",
                                   model=self.name, params=dict(p), x=x)
        th = {k: float(v) for k, v in info.items()}
        ref = prob.ref
        th.update(p=prob.p, d=float(p["d"]), residual=float(np.max(np.abs(res))))
        if np.isfinite(ref.Q):
            th["Q"] = float(ref.Q)
        if np.isfinite(ref.Qh):
            th["Qh"] = float(ref.Qh)
        th["free_entropy"] = th["entropy"]
        return th

    def is_physical(self, x, p):
        _, res, info = self._evaluate(x, p)
        if info is None:
            return "unknowns outside their domain (1 - q not in (0, 1) or a diverging integral)"
        if info["C2"] < -1e-11:
            return f"overlap matrix not positive: C^2 = {info['C2']:.3e} < 0"
        if info.get("e2", 0.0) < -1e-11 * max(1.0, info.get("qh", 0.0)):
            return f"conjugate matrix not positive: qh - th^2/Qh = {info['e2']:.3e} < 0"
        return None

    def saddle(self, params=None, x0=None, *, method=None, tol=None, validate=True, **options):
        """The saddle point at ``params``: from ``x0`` (unknowns) by :func:`replica.solve.solve`,
        or (x0 None) reached by continuation from the typical point (:func:`local_entropy`)."""
        p = self.validate(params) if validate else dict(params)
        sol = local_entropy(self.weights, p["alpha"], p["kappa_ref"], p["kappa"], p["d"],
                            x0=x0, method=method or self.method,
                            tol=self.tol if tol is None else tol, quad=self.quad,
                            ref=self.reference(p), **options)
        return self.solution(sol.x, p, iterations=sol.iterations, method=sol.method)


FP_BINARY = FPModel("binary")
FP_SPHERICAL = FPModel("spherical")
