r"""m real clones at fixed mutual overlap q1 in the binary teacher–student setting (zero training
error, RS across the clone groups), and the teacher–student overlap-gap threshold alpha_OGP(m).

Free entropy per clone (Malatesta, Passalacqua, Zecchina, arXiv:2607.27000, eqs. 51–52 at
beta -> infinity; storage version in :mod:`replica.models.rsb1`): with the teacher overlap r,

.. math::

    \phi_m(q_1) = \mathrm{extr}_{q_0,\hat q_0,\hat q_1,r,\hat r}\Big[
      -\tfrac{\hat q_1}{2}(1-q_1) + \tfrac m2(q_0\hat q_0 - q_1\hat q_1) - r\hat r
      + \tfrac1m\int Dz_0\ln\int Dz_1\,[2\cosh(\sqrt{\hat q_0}z_0
      + \sqrt{\hat q_1-\hat q_0}z_1 + \hat r)]^m + \alpha G_E\Big],

    G_E = \frac2m\int Dz_0\,H\Big(-\frac{r z_0}{\sqrt{q_0-r^2}}\Big)\ln\int Dz_1\,
      H^m\Big(\frac{\kappa-\sqrt{q_0}z_0-\sqrt{q_1-q_0}z_1}{\sqrt{1-q_1}}\Big).

**Energetic term through the storage kernel.** Writing the teacher's field z* and conditioning
the clones' fields on it (as in :mod:`replica.models.ts_fp`), G_E is the storage m-clone
energetic term (:func:`replica.models.rsb1.energetic_terms`) at the partial correlations
q0_s = (q0 - r^2)/(1 - r^2), q1_s = (q1 - r^2)/(1 - r^2) and margin
kappa_s = (kappa - r z*)/sqrt(1 - r^2), averaged over the labelled half:
:math:`G_E = 2\int_0^\infty Dz^*\, G_E^{\rm st}(q_{0s}, q_{1s}, m, \kappa_s(z^*))`. Derivatives:
d/dq0 and d/dq1 by the chain rule (factor 1/(1-r^2)); d/dr at fixed (q0, q1) by Price's theorem
on the covariance of the clones' fields with the label step at z* = 0,
:math:`\partial_r G_E = -\frac{2\varphi(0)}{\sqrt{1-r^2}}\partial_{\kappa_s}G_E^{\rm st}|_{z^*=0}`
(4-point central difference in kappa_s, as in :mod:`replica.models.ts_fp`).

**Entropic term** for integer m (the inner integral is a finite sum over the clones'
magnetisation M = m - 2k, summed in the log domain), with the teacher's field rh:
moments q0 = int Dz0 <M>^2/m^2, m + m(m-1) q1 = int Dz0 <M^2>, r = int Dz0 <M>/m.

Saddle point at fixed (alpha, m, q1): qh0 = -(2 alpha/m) dG_E/dq0, rh = alpha dG_E/dr explicit;
unknowns (q0, r, qh1) (m = 1: qh1 pinned to qh0; phi_1(q1) is the teacher–student RS entropy for
every q1). Envelope slopes: d phi_m/d q1 = -(m-1) qh1/2 + alpha dG_E/dq1,
d phi_m/d alpha = G_E. The clones' generalisation error is arccos(r)/pi.

alpha_m(q1) is the zero of phi_m along alpha (Newton with the exact slope G_E), and
:math:`\alpha_{\rm OGP}(m) = \min_{q_1}\alpha_m(q_1)` (arXiv:2607.27000 eqs. 25–26): tabulated on a
grid of q1, then the joint system (saddle, phi_m = 0, d phi_m/d q1 = 0) solved from the
smallest grid value.
"""
from __future__ import annotations

import functools
import math

import numpy as np

from .._numba import jit
from ..errors import ConvergenceError, ReplicaInputError
from ..gauss import gauss_legendre, graded_edges_on, rule_on_edges
from ..solve import solve
from . import rsb1
from .base import Param, SaddleModel
from .rsb1_kernels import binary_clone_sum, clone_tables

__all__ = ["energetic", "entropic", "TSMCloneModel", "TS_MCLONE_BINARY", "alpha_m",
           "alpha_ogp"]

#: the z* rule: Gauss–Legendre, 12 nodes on each of three panels of [0, 9]
Z_MAX = 9.0
KAPPA_STEP = 1e-3


@functools.lru_cache(maxsize=2)
def _zstar_rule():
    xg, wg = gauss_legendre(12)
    return rule_on_edges(np.linspace(0.0, Z_MAX, 4), np.asarray(xg), np.asarray(wg), True)


def energetic(q0: float, q1: float, r: float, m: int, kappa: float = 0.0,
              rule=None) -> dict:
    """G_E (with its 1/m) and dG_E/dq0, dG_E/dq1, dG_E/dr (module docstring)."""
    v = (1.0 - r) * (1.0 + r)
    q0s, q1s = (q0 - r * r) / v, (q1 - r * r) / v
    if not (0.0 <= q0s <= q1s < 1.0):
        raise ValueError("conditioned overlaps outside 0 <= q0_s <= q1_s < 1")
    sr = math.sqrt(v)
    zs, ws = _zstar_rule()
    g = dq0 = dq1 = 0.0
    for z, w in zip(zs, ws):
        e = rsb1.energetic_terms("margin", q0s, q1s, m, (kappa - r * z) / sr, rule=rule)
        g += w * e["G_E"]
        dq0 += w * e["dq0"]
        dq1 += w * e["dq1"]
    k0, h = kappa / sr, KAPPA_STEP
    f = [rsb1.energetic_terms("margin", q0s, q1s, m, k0 + j * h, rule=rule)["G_E"]
         for j in (-2, -1, 1, 2)]
    dk = (f[0] - 8.0 * f[1] + 8.0 * f[2] - f[3]) / (12.0 * h)
    return {"G_E": 2.0 * g, "dq0": 2.0 * dq0 / v, "dq1": 2.0 * dq1 / v,
            "dr": -2.0 * dk / (math.sqrt(2.0 * math.pi) * sr)}


@jit
def _entropic_kernel(qh0, qh1, rh, m, xg, wg, base):
    """(int Dz0 ln Z, int Dz0 <M>^2, int Dz0 <M^2>, int Dz0 <M>) for
    Z(z0) = sum_k C(m,k) exp(M_k a + M_k^2 b2/2), a = sqrt(qh0) z0 + rh, b2 = qh1 - qh0."""
    mk, lc = clone_tables(m)
    b2 = qh1 - qh0
    sq = math.sqrt(max(qh0, 0.0))
    if sq > 0.0:
        z, w = rule_on_edges(graded_edges_on(-11.0, 11.0, np.array([-rh / sq]),
                                             np.array([1.0 / sq]), min(base, 1.5 / sq)),
                             xg, wg, True)
    else:
        z = np.zeros(1)
        w = np.ones(1)
    out = np.zeros(4)
    for i in range(z.shape[0]):
        lz, s1, s2 = binary_clone_sum(sq * z[i] + rh, b2, m, lc, mk)
        out[0] += w[i] * lz
        out[1] += w[i] * s1 * s1
        out[2] += w[i] * s2
        out[3] += w[i] * s1
    return out


def entropic(q0: float, q1: float, r: float, qh0: float, qh1: float, rh: float, m: int) -> dict:
    """G_S (module docstring) and the entropic sides of the q0, q1 and r equations."""
    xg, wg = gauss_legendre(12)
    t = _entropic_kernel(float(qh0), float(qh1), float(rh), int(m), np.asarray(xg),
                         np.asarray(wg), 2.0)
    gs = (-0.5 * qh1 * (1.0 - q1) + 0.5 * m * (q0 * qh0 - q1 * qh1) - r * rh + t[0] / m)
    return {"G_S": gs, "q0_eq": t[1] / (m * m), "M2": t[2], "r_eq": t[3] / m}


class TSMCloneModel(SaddleModel):
    """m clones at mutual overlap q1, binary teacher–student, zero training error (module
    docstring). Parameters ``alpha`` > 0, ``m`` (integer >= 1), ``q1`` in (0, 1), ``kappa``.
    Unknowns (q0, r, qh1) (m = 1: qh1 = qh0). Thermodynamics: ``free_entropy`` (phi_m per clone),
    ``G_E``, ``dphi_dq1``, ``eps_g`` (of a clone), q0, r and the conjugates."""

    name = "ts-mclone-binary"
    description = ("m real clones at mutual overlap q1 of the binary teacher-student perceptron "
                   "(zero training error, RS in the clones): entropy per clone, eps_g")
    order_names = ("q0", "r", "qh0", "qh1", "rh")
    unknown_names = ("q0", "r", "qh1")
    method = "broyden"
    tol = 1e-10
    params = (Param("alpha", 0.0, None, lo_open=True, doc="load P/N"),
              Param("m", 1, 64, kind="int", default=2, doc="number of real clones"),
              Param("q1", 0.0, 1.0, lo_open=True, hi_open=True, doc="mutual overlap of the "
                    "clones"),
              Param("kappa", default=0.0, doc="margin of the clones' fields (0: zero training "
                    "error)"))

    def __init__(self, rule=None):
        self.rule = rule

    def _split(self, x, p):
        x = np.atleast_1d(np.asarray(x, dtype=float))
        return float(x[0]), float(x[1]), (float(x[2]) if x.size > 2 else math.nan)

    def _state(self, x, p):
        q0, r, qh1 = self._split(x, p)
        m, q1, a = int(p["m"]), float(p["q1"]), float(p["alpha"])
        if not (0.0 <= r * r <= q0 <= q1 and abs(r) < 1.0):
            return None
        try:
            en = energetic(q0, q1, r, m, float(p["kappa"]), rule=self.rule)
        except (ValueError, ZeroDivisionError, ReplicaInputError):
            return None
        qh0, rh = -2.0 * a * en["dq0"] / m, a * en["dr"]
        if not (qh0 >= 0.0 and qh1 >= qh0 - 1e-12 * max(1.0, qh0) and math.isfinite(rh)):
            return None
        es = entropic(q0, q1, r, qh0, qh1, rh, m)
        res = [es["q0_eq"] - q0, es["r_eq"] - r]
        if m > 1:
            res.append((es["M2"] - m - m * (m - 1) * q1) / (m * (m - 1)))
        else:                    # m = 1: phi does not depend on qh1; pinned to qh0
            res.append(qh1 - qh0)
        phi = es["G_S"] + a * en["G_E"]
        th = {"free_entropy": phi, "entropy": phi, "G_E": en["G_E"], "G_S": es["G_S"],
              "dphi_dq1": -0.5 * (m - 1) * qh1 + a * en["dq1"],
              "eps_g": math.acos(r) / math.pi, "q0": q0, "r": r, "qh0": qh0, "qh1": qh1,
              "rh": rh}
        return np.array(res), th

    def residual(self, x, p):
        st = self._state(x, p)
        return np.full(3, np.nan) if st is None else st[0]

    def order(self, x, p):
        st = self._state(x, p)
        if st is None:
            raise ConvergenceError("order parameters requested outside the domain",
                                   model=self.name, params=dict(p), x=x)
        return {k: st[1][k] for k in self.order_names}

    def unknowns(self, order, p):
        return np.array([float(order["q0"]), float(order["r"]), float(order["qh1"])])

    def guess(self, p):
        """The teacher–student RS point (q0 = q, r) with qh1 from the q1 equation."""
        from .teacher_student import BINARY

        s = BINARY.saddle({"alpha": float(p["alpha"])})
        q, r = s.order["q"], s.order["r"]
        q0 = min(q, 0.9 * float(p["q1"]))
        r = min(r, 0.95 * math.sqrt(q0))
        if int(p["m"]) == 1:
            return np.array([q0, r, s.order["qh"]])
        m, q1 = int(p["m"]), float(p["q1"])
        qh0 = s.order["qh"]

        def g(qh1):
            return entropic(q0, q1, r, qh0, qh1, s.order["rh"], m)["M2"] - m - m * (m - 1) * q1

        lo, hi = qh0, qh0 + 1.0
        while g(hi) < 0 and hi < 1e6:
            hi = qh0 + 2 * (hi - qh0)
        from scipy.optimize import brentq

        return np.array([q0, r, brentq(g, lo, hi) if g(lo) < 0 < g(hi) else hi])

    def known_point(self, p):
        p = self.validate(p)
        return p, self.guess(p)

    def thermo(self, x, p):
        st = self._state(x, p)
        if st is None:
            raise ConvergenceError("thermodynamics requested outside the domain",
                                   model=self.name, params=dict(p), x=x)
        return st[1]

    def is_physical(self, x, p):
        return None if self._state(x, p) is not None else \
            "outside the domain (r^2 <= q0 <= q1, qh1 >= qh0 >= 0)"


TS_MCLONE_BINARY = TSMCloneModel()


#: the quadrature of the tabulation stage of :func:`alpha_ogp` (that of rsb1)
COARSE = TSMCloneModel(rule=rsb1.COARSE_RULE)


def alpha_m(m: int, q1: float, *, kappa: float = 0.0, alpha0: float = 1.2, x0=None,
            model: TSMCloneModel | None = None, tol: float = 1e-10):
    """alpha_m(q1), the zero of phi_m along alpha: Newton's method in alpha with the exact slope
    d phi_m/d alpha = G_E (envelope theorem), each step a saddle solve warm-started from the
    previous one (cf. :func:`replica.rsb1_thresholds.alpha_m`). Returns ``(alpha, Solution)``."""
    mod = model or TS_MCLONE_BINARY
    a, x = float(alpha0), x0
    for _ in range(40):
        s = mod.saddle({"alpha": a, "m": m, "q1": q1, "kappa": kappa}, x0=x)
        x = s.unknowns
        step = -s.thermo["free_entropy"] / s.thermo["G_E"]
        a = max(a + step, 0.5 * a)
        if abs(step) <= tol * max(1.0, a):
            return a, mod.saddle({"alpha": a, "m": m, "q1": q1, "kappa": kappa}, x0=x)
    raise ConvergenceError("alpha_m(q1): Newton in alpha did not converge", model=mod.name,
                           params={"m": m, "q1": q1, "kappa": kappa}, x=[a], method="newton")


def _joint(m, kappa, model, x0, tol):
    """Solve (saddle, dphi_m/dq1 = 0, phi_m = 0) in (q0, r, qh1, q1, alpha)."""
    def F(x):
        q1, a = float(x[-2]), float(x[-1])
        if not (0 < q1 < 1 and a > 0):
            return np.full(x.size, np.nan)
        st = model._state(x[:-2], {"alpha": a, "m": m, "q1": q1, "kappa": kappa})
        if st is None:
            return np.full(x.size, np.nan)
        return np.concatenate([st[0], [st[1]["dphi_dq1"], st[1]["free_entropy"]]])

    sol = solve(lambda x: x + F(x), x0, names=("q0", "r", "qh1", "q1", "alpha"),
                method="hybrid", tol=tol, model="ts-alpha-ogp", params={"m": m, "kappa": kappa})
    return sol.x, F(sol.x)


def alpha_ogp(m: int, *, kappa: float = 0.0, q1_grid=(0.95, 0.97, 0.98, 0.99, 0.995),
              tol: float = 1e-10) -> dict:
    """alpha_OGP(m) = min over q1 of alpha_m(q1) (arXiv:2607.27000 eqs. 25–26), RS in the
    clones. Stage 1: alpha_m on ``q1_grid`` with the coarse rule (Newton in alpha, warm
    starts). Stage 2: from the parabola through the smallest value and its neighbours, the joint
    system (saddle, d phi_m/d q1 = 0, phi_m = 0) in (q0, r, qh1, q1, alpha) by the hybrid solver,
    with the coarse rule and then polished with the default one (``tol`` on its residual).
    Returns {"alpha", "q1", "m", "kappa", "r", "eps_g", "q0", "residual", "grid_q1",
    "grid_alpha"}; ConvergenceError if the minimum lies at an end of the grid."""
    m = int(m)
    if m < 2:
        raise ReplicaInputError(f"m must be >= 2 for an overlap gap, got {m}")
    q1_grid = [float(v) for v in q1_grid]
    vals, xs = [], []
    a, x = 1.2, None
    for q1 in q1_grid:
        a, s = alpha_m(m, q1, kappa=kappa, alpha0=a, x0=x, model=COARSE, tol=1e-8)
        x = s.unknowns
        vals.append(a)
        xs.append(np.array(x))
    i = int(np.argmin(vals))
    if i == 0 or i == len(vals) - 1:
        raise ConvergenceError(f"alpha_OGP(m={m}): the minimum of alpha_m(q1) lies at the end of "
                               f"the grid q1 in [{q1_grid[0]}, {q1_grid[-1]}]",
                               model=TS_MCLONE_BINARY.name, x=q1_grid, residual=vals)
    c = np.polyfit(q1_grid[i - 1:i + 2], vals[i - 1:i + 2], 2)
    q1g = -c[1] / (2 * c[0]) if c[0] > 0 else q1_grid[i]
    x0 = np.concatenate([xs[i], [q1g, float(np.polyval(c, q1g))]])
    x0, _ = _joint(m, kappa, COARSE, x0, 1e-9)
    x, res = _joint(m, kappa, TS_MCLONE_BINARY, x0, tol)
    st = TS_MCLONE_BINARY._state(x[:-2], {"alpha": x[-1], "m": m, "q1": x[-2], "kappa": kappa})
    return {"alpha": float(x[-1]), "q1": float(x[-2]), "m": m, "kappa": kappa,
            "r": st[1]["r"], "eps_g": st[1]["eps_g"], "q0": st[1]["q0"],
            "residual": float(np.max(np.abs(res))),
            "grid_q1": q1_grid, "grid_alpha": list(map(float, vals))}
