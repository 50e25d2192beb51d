r"""Franz–Parisi local entropy in the teacher–student setting (binary weights, RS): the solutions
of margin kappa at distance d from a reference student of margin kappa_ref, labels from a binary
teacher (docs/THEORY.md §8.3 for the teacher–student problem, §2 for Franz–Parisi; derived in
``theory_notebooks/teacher_student_fp_derivation.py``).

.. math::

    S(d) = \lim \frac1N \mathbb E_{w^*,\xi}\Big\langle \ln \sum_w \prod_\mu
      \theta\big(y^\mu w\cdot\xi^\mu/\sqrt N - \kappa\big)\,\delta(w\cdot\tilde w - N(1-2d))
      \Big\rangle_{\tilde w},\qquad y^\mu = \mathrm{sign}(w^*\cdot\xi^\mu),

the reference :math:`\tilde w` drawn uniformly from the students of margin kappa_ref
(kappa_ref = 0: a typical Gibbs student of the version space; larger kappa_ref: flatter,
high-margin students, up to the maximum margin kappa_max(alpha) where their entropy vanishes).

**Reference sector**: the teacher–student Gardner problem with margin kappa_ref
(:data:`replica.models.teacher_student.BINARY_QR`): overlaps Q (reference replicas), R (with the
teacher), conjugates Qh, Rh; its generalisation error arccos(R)/pi.

**Constrained replicas** (teacher gauge w* = +1): overlaps q (mutual), p = 1 - 2d (with their
reference), t (with the other reference replicas), r (with the teacher), conjugates qh, th, ph
(in excess of th, as in :mod:`replica.models.franz_parisi`), rh:

.. math::

    \Phi = -\tfrac{\hat q}{2}(1-q) - (p-t)\hat t - p\hat p - r\hat r
       + G_S + \alpha\,G_E,

    G_S = \int Dz_0 \sum_{\sigma=\pm1} \frac{1 + \sigma T}{2} \int Dz_1 \ln 2\cosh h_\sigma,\quad
    T = \tanh(\sqrt{\hat Q} z_0 + \hat R),\quad
    h_\sigma = \frac{\hat t}{\sqrt{\hat Q}} z_0 + \sqrt{\hat q - \hat t^2/\hat Q}\, z_1
       + \hat r + \sigma\hat p,

    G_E = 2\int_0^\infty Dz^*\; G_E^{\rm FP}\big(Q_s, \kappa_{{\rm ref},s}(z^*), \kappa_s(z^*);
       q_s, t_s, p_s\big),

with the storage Franz–Parisi energetic term :func:`replica.models.fp_kernels.energetic_terms`
evaluated at the overlaps *conditioned on the teacher's field* z* (partial correlations):
Q_s = (Q - R^2)/(1 - R^2), q_s = (q - r^2)/(1 - r^2), t_s = (t - rR)/sqrt((1-r^2)(1-R^2)),
p_s = (p - rR)/sqrt((1-r^2)(1-R^2)), kappa_ref,s = (kappa_ref - R z*)/sqrt(1-R^2),
kappa_s = (kappa - r z*)/sqrt(1-r^2). The factor 2 and z* > 0: the label is sign(z*), and the
z* < 0 half is its mirror image.

Derivatives: d/dq, d/dt, d/dp by the chain rule through (q_s, t_s, p_s) (dq_s/dq = 1/(1-r^2),
dt_s/dt = dp_s/dp = 1/sqrt((1-r^2)(1-R^2))); d/dr at fixed (q, t, p) by Price's theorem on the
covariance of the constrained field with the teacher's field, whose label is a step at z* = 0:

.. math:: \partial_r G_E = -\frac{2\varphi(0)}{\sqrt{1-r^2}}\,
          \partial_{\kappa_s} G_E^{\rm FP}\big|_{z^* = 0}

(the kappa-derivative of the storage term by a 4-point central difference, step 1e-3: the
storage kernel does not expose <G(x)>; checked against a central difference of G_E in r in the
tests). Entropic moments, with <.> = int Dz0 sum_sigma (1 + sigma T)/2
int Dz1: 1 - q = <sech^2 h>, t = <T tanh h>, p = <sigma tanh h> (d = <sigmoid(-2 sigma h)>),
r = <tanh h>. Saddle point: qh = -2 alpha dG_E/dq, th = -alpha dG_E/dt, rh = alpha dG_E/dr,
and ph from p = 1 - 2d. Slope: dS/dd = -2 (alpha dG_E/dp - th - ph).

Checks (tests): at the typical point d* = (1-Q)/2 with kappa = kappa_ref (q = t = p = Q,
r = R, qh = th = Qh, rh = Rh, ph = 0) S equals the reference's entropy and dS/dd = 0; with the
teacher switched off (R = r = Rh = rh = 0) every term equals the storage model's; S <= H2(d).

Unknowns: (ln(1-q), t, ph, r); residual: ln(1-q') - ln(1-q), t' - t, ln d' - ln d, r' - r
with the primed moments from the entropic term.
"""
from __future__ import annotations

import functools
import math
from dataclasses import dataclass

import numpy as np

from .._numba import jit
from ..errors import ConvergenceError, ReplicaInputError
from ..gauss import gauss_hermite, gauss_legendre, graded_edges_on, log_2cosh_s, rule_on_edges
from .base import Param, SaddleModel
from .fp_kernels import energetic_terms
from .franz_parisi import DEFAULT_QUAD, Quadrature

__all__ = ["TSReference", "ts_reference", "ts_kappa_max", "energetic", "entropic",
           "free_entropy", "TSFPModel", "TS_FP_BINARY"]

#: the z* rule: 12-point Gauss–Legendre on three panels of [0, Z_MAX] (agrees with 20 x 4
#: panels to ~1e-13 on G_E and its derivatives)
Z_MAX = 9.0
#: step of the 4-point central difference in kappa_s (Price term for dG_E/dr)
KAPPA_STEP = 1e-3


# ---------------------------------------------------------------------------------------------
# Reference sector
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class TSReference:
    """The teacher–student Gardner saddle point at (alpha, kappa_ref): overlaps Q, R, conjugates
    Qh, Rh, entropy (of the students of margin kappa_ref) and eps_g = arccos(R)/pi."""

    alpha: float
    kappa_ref: float
    Q: float
    R: float
    Qh: float
    Rh: float
    entropy: float
    eps_g: float
    is_max: bool = False


@functools.lru_cache(maxsize=64)
def ts_kappa_max(alpha: float) -> float:
    """kappa_max(alpha) of the binary teacher–student problem: the margin where the entropy of
    the students of margin kappa vanishes, located as an event of the continuation engine along
    kappa (:func:`replica.continuation.follow`)."""
    from ..continuation import follow
    from .teacher_student import BINARY_QR

    br = follow(BINARY_QR, {"alpha": float(alpha), "kappa": 0.0}, "kappa", to=4.0,
                events=["entropy"], stop_at_fold=True)
    hits = [e for e in br.events if e.name == "entropy"]
    if not hits:
        raise ConvergenceError(f"the entropy of the margin-kappa students does not vanish along "
                               f"kappa ({br.end})", model=BINARY_QR.name,
                               params={"alpha": alpha}, method="continuation")
    return float(hits[0].value)


@functools.lru_cache(maxsize=64)
def ts_reference(alpha: float, kappa_ref) -> TSReference:
    """Reference sector at (alpha, kappa_ref); ``kappa_ref = "max"``: at kappa_max(alpha)
    (:func:`ts_kappa_max`, where Q < 1). Continued along kappa from the Nishimori point when a
    direct solve fails."""
    from ..continuation import follow
    from .teacher_student import BINARY_QR

    alpha = float(alpha)
    is_max = kappa_ref == "max"
    kr = ts_kappa_max(alpha) if is_max else float(kappa_ref)
    p = {"alpha": alpha, "kappa": kr}
    try:
        s = BINARY_QR.saddle(p)
    except ConvergenceError:
        br = follow(BINARY_QR, {"alpha": alpha, "kappa": 0.0}, "kappa", to=kr, mode="natural")
        if not br.param.size or abs(br.param[-1] - kr) > 1e-12:
            raise ConvergenceError(f"reference sector lost along kappa before kappa_ref = {kr} "
                                   f"({br.end})", model="ts-fp-binary", params=p) from None
        s = BINARY_QR.saddle(p, x0=br.points[-1].x)
    o, th = s.order, s.thermo
    return TSReference(alpha, kr, float(o["q"]), float(o["r"]), float(o["qh"]), float(o["rh"]),
                       float(th["entropy"]), float(th["eps_g"]), is_max)


# ---------------------------------------------------------------------------------------------
# Energetic term
# ---------------------------------------------------------------------------------------------


@functools.lru_cache(maxsize=4)
def _zstar_rule(n: int = 12):
    xg, wg = gauss_legendre(n)
    edges = np.linspace(0.0, Z_MAX, 4)
    return rule_on_edges(edges, np.asarray(xg), np.asarray(wg), True)


def _conditioned(ref: TSReference, kappa, omq, t, p, r):
    """The storage arguments at given z* (module docstring) as functions of z*."""
    Q, R = ref.Q, ref.R
    v_r, v_R = (1.0 - r) * (1.0 + r), (1.0 - R) * (1.0 + R)
    c = 1.0 / math.sqrt(v_r * v_R)
    Qs = (Q - R * R) / v_R
    omqs = omq / v_r
    ts, ps = (t - r * R) * c, (p - r * R) * c
    return Qs, omqs, ts, ps, math.sqrt(v_r), math.sqrt(v_R)


def energetic(ref: TSReference, kappa: float, omq: float, t: float, p: float, r: float,
              quad: Quadrature = DEFAULT_QUAD) -> dict:
    """G_E and its partial derivatives in q, t, p, r, the replicon integral K and the overlap
    matrix diagnostic C^2 (of the conditioned problem, >= 0 in the physical domain)."""
    Qs, omqs, ts, ps, sr, sR = _conditioned(ref, kappa, omq, t, p, r)
    if not (0.0 < Qs < 1.0 and 0.0 < omqs <= 1.0):
        raise ValueError("conditioned overlaps outside (0, 1)")
    xg, wg, base = quad.rule()
    zs, ws = _zstar_rule()
    acc = np.zeros(7)
    for z, w in zip(zs, ws):
        o = energetic_terms(Qs, (ref.kappa_ref - ref.R * z) / sR, (kappa - r * z) / sr, omqs,
                            ts, ps, xg, wg, base)
        acc += w * o
    acc *= 2.0
    # Price term at z* = 0: d/dkappa_s of the storage G_E by a 4-point central difference
    k0, h = kappa / sr, KAPPA_STEP
    g = [energetic_terms(Qs, ref.kappa_ref / sR, k0 + j * h, omqs, ts, ps, xg, wg, base)[0]
         for j in (-2, -1, 1, 2)]
    dk = (g[0] - 8.0 * g[1] + 8.0 * g[2] - g[3]) / (12.0 * h)
    c = 1.0 / (sr * sR)
    return {"G_E": float(acc[0]), "dG_dq": float(acc[1]) / sr ** 2, "dG_dt": float(acc[2]) * c,
            "dG_dp": float(acc[3]) * c, "dG_dr": -2.0 * dk / (math.sqrt(2.0 * math.pi) * sr),
            "C2": float(acc[4]) * sr ** 2, "K": float(acc[6])}


# ---------------------------------------------------------------------------------------------
# Entropic term
# ---------------------------------------------------------------------------------------------


@jit
def _entropic_kernel(Qh, Rh, qh, th, ph, rh, xg, wg, base, zh, wh):
    """[G_S, 1-q, t, d, r, e^2, <sech^4>] (module docstring), e^2 = qh - th^2/Qh."""
    out = np.zeros(7)
    sQh = math.sqrt(Qh)
    c = th / sQh
    e2 = qh - th * th / Qh
    out[5] = e2
    e = math.sqrt(max(e2, 0.0))
    cz = np.empty(3)
    wz = np.empty(3)
    cz[0] = -Rh / sQh
    wz[0] = 0.5 / sQh
    k = 1
    if abs(c) > 1e-12:
        for sg in (-1.0, 1.0):
            cz[k] = -(rh + sg * ph) / c
            wz[k] = max(1.0, e) / abs(c)
            k += 1
    z0s, w0s = rule_on_edges(graded_edges_on(-11.0, 11.0, cz[:k], wz[:k], base), xg, wg, True)
    cb = np.empty(1)
    wb = np.empty(1)
    for i in range(z0s.shape[0]):
        z0 = z0s[i]
        hz = sQh * z0 + Rh
        T = math.tanh(hz)
        lc = log_2cosh_s(hz)
        for sg in (-1.0, 1.0):
            W0 = w0s[i] * math.exp(sg * hz - lc)       # (1 + sigma T)/2
            hb = c * z0 + rh + sg * ph
            if e < 1e-12:
                z1s = np.zeros(1)
                w1s = np.ones(1)
            elif e <= 0.5:
                z1s = zh
                w1s = wh
            else:
                cb[0] = -hb / e
                wb[0] = 1.0 / e
                z1s, w1s = rule_on_edges(graded_edges_on(-11.0, 11.0, cb, wb, base), xg, wg,
                                         True)
            for j in range(z1s.shape[0]):
                h = hb + e * z1s[j]
                wt = W0 * w1s[j]
                ea = math.exp(-2.0 * abs(h))
                s2 = 4.0 * ea / ((1.0 + ea) * (1.0 + ea))
                th_ = math.tanh(h)
                out[0] += wt * log_2cosh_s(h)
                out[1] += wt * s2
                out[2] += wt * T * th_
                out[3] += wt * math.exp(-sg * h - log_2cosh_s(h))    # sigmoid(-2 sigma h)
                out[4] += wt * th_
                out[6] += wt * s2 * s2
    return out


def entropic(ref: TSReference, qh: float, th: float, ph: float, rh: float,
             quad: Quadrature = DEFAULT_QUAD) -> dict:
    """G_S and its moments (1 - q, t, d = (1 - p)/2, r, e^2 = qh - th^2/Qh, <sech^4 h>)."""
    xg, wg, base = quad.rule()
    zh, wh = gauss_hermite(24)
    o = _entropic_kernel(ref.Qh, ref.Rh, float(qh), float(th), float(ph), float(rh), xg, wg,
                         base, np.asarray(zh), np.asarray(wh))
    return {"G_S": o[0], "one_minus_q": o[1], "t": o[2], "d": o[3], "r": o[4], "e2": o[5],
            "sech4": o[6]}


def free_entropy(ref: TSReference, kappa: float, d: float, order: dict,
                 quad: Quadrature = DEFAULT_QUAD) -> dict:
    """Phi at arbitrary (q, t, r, qh, th, ph, rh) and p = 1 - 2d, as named terms
    (``interaction``, ``entropic``, ``energetic`` = alpha G_E) and ``entropy`` (their sum)."""
    q, t, r = (float(order[k]) for k in ("q", "t", "r"))
    qh, th, ph, rh = (float(order[k]) for k in ("qh", "th", "ph", "rh"))
    p = 1.0 - 2.0 * d
    en = energetic(ref, kappa, 1.0 - q, t, p, r, quad)
    es = entropic(ref, qh, th, ph, rh, quad)
    inter = -0.5 * qh * (1.0 - q) - (p - t) * th - p * ph - r * rh
    energ = ref.alpha * en["G_E"]
    return {"interaction": inter, "entropic": es["G_S"], "energetic": energ,
            "entropy": inter + es["G_S"] + energ}


# ---------------------------------------------------------------------------------------------
# The model
# ---------------------------------------------------------------------------------------------


class TSFPModel(SaddleModel):
    """Franz–Parisi local entropy of the binary teacher–student perceptron (RS; module
    docstring). Parameters ``alpha`` > 0, ``kappa_ref`` (a number <= kappa_max(alpha) or
    "max"), ``kappa``, ``d`` in (0, 1/2]. Unknowns (ln(1-q), t, ph, r). Known point: the typical
    distance d* = (1-Q)/2 at kappa = kappa_ref (q = t = Q, r = R, ph = 0 exactly); other kappa
    are reached by continuation in kappa at d*. Thermodynamics: ``entropy`` (S(d)), its terms,
    ``dS_dd``, ``replicon`` (1 - alpha K <sech^4 h>/(1-q)^2), ``eps_g`` of the constrained
    students (arccos(r)/pi) and ``eps_g_ref``, ``R``, ``Q`` of the reference."""

    name = "ts-fp-binary"
    description = ("RS Franz–Parisi local entropy of the binary teacher-student perceptron "
                   "around a reference student of margin kappa_ref, with generalisation errors")
    order_names = ("q", "t", "r", "qh", "th", "ph", "rh")
    unknown_names = ("log_one_minus_q", "t", "ph", "r")
    method = "broyden"
    tol = 1e-10
    params = (Param("alpha", 0.0, None, lo_open=True, doc="load P/N"),
              Param("kappa_ref", kind="margin_ref", default=0.0,
                    doc="margin of the reference student (<= kappa_max(alpha)) or 'max'"),
              Param("kappa", default=0.0, doc="margin of the counted students"),
              Param("d", 0.0, 0.5, lo_open=True, doc="distance from the reference, (1-p)/2"))

    def __init__(self, quad: Quadrature = DEFAULT_QUAD):
        self.quad = quad

    def reference(self, p) -> TSReference:
        return ts_reference(float(p["alpha"]), p["kappa_ref"])

    def check(self, p):
        from .teacher_student import BINARY

        try:
            BINARY.saddle({"alpha": p["alpha"]})
        except ConvergenceError:
            raise ReplicaInputError(f"alpha must be below the spinodal of the r < 1 branch "
                                    f"(~1.4926), got {p['alpha']}") from None
        if p["kappa_ref"] != "max" and p["kappa_ref"] > 0:
            km = ts_kappa_max(p["alpha"])
            if p["kappa_ref"] > km:
                raise ReplicaInputError(f"kappa_ref must be <= kappa_max(alpha) = {km:.6g}, "
                                        f"got {p['kappa_ref']}")
        return p

    def _evaluate(self, x, p):
        """(residual, info) at unknowns x; None outside the domain."""
        ref = self.reference(p)
        lq, t, ph, r = (float(v) for v in np.atleast_1d(x))
        omq = math.exp(lq) if lq < 0 else math.nan
        if not (0.0 < omq < 1.0 and -1.0 < r < 1.0 and abs(t) < 1.0):
            return None, None
        d = float(p["d"])
        pp = 1.0 - 2.0 * d
        try:
            en = energetic(ref, float(p["kappa"]), omq, t, pp, r, self.quad)
        except (ValueError, ZeroDivisionError, OverflowError):
            return None, None
        a = ref.alpha
        qh, th, rh = -2.0 * a * en["dG_dq"], -a * en["dG_dt"], a * en["dG_dr"]
        if not (np.isfinite([qh, th, rh, en["G_E"]]).all() and qh >= 0.0):
            return None, None
        es = entropic(ref, qh, th, ph, rh, self.quad)
        if not (es["one_minus_q"] > 0.0 and es["d"] > 0.0):
            return None, None
        res = np.array([math.log(es["one_minus_q"]) - lq, es["t"] - t,
                        math.log(es["d"]) - math.log(d), es["r"] - r])
        inter = -0.5 * qh * omq - (pp - t) * th - pp * ph - r * rh
        S = inter + es["G_S"] + a * en["G_E"]
        info = {"q": 1.0 - omq, "t": t, "r": r, "p": pp, "qh": qh, "th": th, "ph": ph, "rh": rh,
                "entropy": S, "interaction": inter, "entropic": es["G_S"],
                "energetic": a * en["G_E"], "dS_dd": -2.0 * (a * en["dG_dp"] - th - ph),
                "C2": en["C2"], "e2": es["e2"],
                "replicon": 1.0 - a * en["K"] * es["sech4"] / omq ** 2,
                "eps_g": math.acos(max(-1.0, min(1.0, r))) / math.pi,
                "eps_g_ref": ref.eps_g, "R": ref.R, "Q": ref.Q, "kappa_ref_value": ref.kappa_ref,
                "entropy_ref": ref.entropy}
        return res, info

    def residual(self, x, p):
        res, _ = self._evaluate(x, p)
        return np.full(4, np.nan) if res is None else res

    def order(self, x, p):
        _, info = self._evaluate(x, p)
        if info is None:
            raise ConvergenceError("order parameters requested outside the domain of the "
                                   "unknowns", model=self.name, params=dict(p), x=x)
        return {k: float(info[k]) for k in self.order_names}

    def unknowns(self, order, p):
        return np.array([math.log1p(-float(order["q"])), float(order["t"]),
                         float(order["ph"]), float(order["r"])])

    def typical_point(self, p):
        """(params, unknowns) at the typical point d* = (1-Q)/2, kappa = kappa_ref (exact)."""
        ref = self.reference(p)
        return ({**p, "kappa": ref.kappa_ref, "d": (1.0 - ref.Q) / 2.0},
                np.array([math.log1p(-ref.Q), ref.Q, 0.0, ref.R]))

    def known_point(self, p):
        """The typical point (exact) at kappa = kappa_ref; for another kappa, the same d*
        reached by continuation in kappa (:func:`replica.continuation.follow`)."""
        from ..continuation import follow

        p = self.validate(p)
        p0, x0 = self.typical_point(p)
        if abs(p0["kappa"] - p["kappa"]) < 1e-15:
            return {**p0, "kappa": p["kappa"]}, x0
        br = follow(self, p0, "kappa", to=float(p["kappa"]), x0=x0, mode="natural",
                    ds=0.05, ds_max=0.1)
        if abs(br.param[-1] - p["kappa"]) > 1e-12:
            raise ConvergenceError(f"continuation in kappa from kappa_ref lost ({br.end})",
                                   model=self.name, params=dict(p), method="continuation")
        return {**p0, "kappa": float(p["kappa"])}, np.asarray(br.points[-1].x, float)

    def free_entropy(self, order, p):
        out = free_entropy(self.reference(p), float(p["kappa"]), float(p["d"]), order, self.quad)
        out["free_entropy"] = out["entropy"]
        return out

    def thermo(self, x, p):
        res, info = self._evaluate(x, p)
        if info is None:
            raise ConvergenceError("thermodynamics requested outside the domain of the unknowns",
                                   model=self.name, params=dict(p), x=x)
        th = {k: float(v) for k, v in info.items()}
        th.update(d=float(p["d"]), free_entropy=th["entropy"],
                  residual=float(np.max(np.abs(res))))
        return th

    def is_physical(self, x, p):
        res, info = self._evaluate(x, p)
        if info is None:
            return "unknowns outside their domain (1 - q, r or t not in (-1, 1))"
        if info["C2"] < -1e-10:
            return f"overlap matrix not positive: C^2 = {info['C2']:.3e} < 0"
        if info["e2"] < -1e-10 * max(1.0, info["qh"]):
            return f"conjugate matrix not positive: qh - th^2/Qh = {info['e2']:.3e} < 0"
        return None

    def saddle(self, params=None, x0=None, *, method=None, tol=None, validate=True, **options):
        """From ``x0`` by :func:`replica.solve.solve`; cold, continued in d from the known point
        (:func:`replica.continuation.reach`)."""
        p = self.validate(params) if validate else dict(params)
        if x0 is not None:
            return super().saddle(p, x0=x0, method=method, tol=tol, validate=False, **options)
        from ..continuation import follow

        p0, xk = self.known_point(p)
        if abs(p0["d"] - p["d"]) < 1e-15:
            return self.solution(xk, p, method="known point")
        br = follow(self, p0, "d", to=float(p["d"]), x0=xk, mode="natural")
        if abs(br.param[-1] - p["d"]) > 1e-12:
            raise ConvergenceError(f"continuation in d lost before d = {p['d']} ({br.end})",
                                   model=self.name, params=dict(p), method="continuation")
        return self.solution(br.points[-1].x, p, method="continuation")


TS_FP_BINARY = TSFPModel()
