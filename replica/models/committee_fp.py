r"""Franz–Parisi local entropy of the infinite-width tree committee (docs/THEORY.md §8.4, §2).

In the infinite-width reduction (:mod:`replica.models.committee`) the output fields of any set of
replicas are jointly Gaussian with covariance :math:`Q(q_{ab}) = \Delta(q_{ab})/\Delta(1)`
(:class:`replica.models.committee.Kernel`), element by element, so the Franz–Parisi energetic
term is the perceptron's (:func:`replica.models.fp_kernels.energetic_terms`) with every weight
overlap mapped through Q: reference–reference :math:`Q_w \to Q(Q_w)`, constrained replica–its
reference :math:`p \to Q(p)`, constrained replica–other references :math:`t \to Q(t)` and
constrained–constrained :math:`q \to Q(q)`:

.. math:: G_E^\infty(q, t, p) = G_E^{\rm perc}\big(1 - Q(q), Q(t), Q(p);\ Q(Q_w),
          \kappa_{\rm ref}, \kappa\big),

the margins acting on the normalised output field. The entropic terms (weights) are the
perceptron's (:mod:`replica.models.franz_parisi`); the reference sector (Q_w, its conjugate) is
the infinite-width Gardner saddle point at (alpha, kappa_ref)
(:func:`replica.models.committee.committee` with ``k=None``). The chain rule gives the weight
derivatives :math:`\partial_q G = Q'(q)\,\partial_{Q_q}G^{\rm perc}` (and t, p alike), and the
replicon of the constrained replicas has the energetic factor

.. math:: \gamma_E = Q'(q)^2\,\frac{K^{\rm perc}}{(1-Q(q))^2} - 2\,Q''(q)\,
          \partial_{Q_q}G^{\rm perc},

as for the infinite-width Gardner replicon. The linear activation (Q(q) = q) is the
perceptron's Franz–Parisi model; at the typical distance d* = (1 - Q_w)/2 (kappa = kappa_ref)
the saddle point is q = t = Q_w, ph = 0 and S(d*) is the infinite-width Gardner entropy.
Derivation and checks: ``theory_notebooks/committee_derivation.py``.

Reference margins: any kappa_ref up to kappa_max(alpha), and "max" for binary weights
(kappa_max: the zero of the infinite-width binary Gardner entropy in kappa, where Q_w < 1).
The spherical max-margin reference (Q_w -> 1) is not provided.

Numerics: the residual, the order parameters and the unknowns are those of
:class:`replica.models.franz_parisi.FPModel` (binary (ln(1-q), t, ph), spherical (ln(1-q), t));
curves S(d) come from the continuation engine (:func:`replica.continuation.follow` along d from
the typical point).
"""
from __future__ import annotations

import functools
import math

import numpy as np

from ..continuation import follow, reach
from ..errors import ConvergenceError, ReplicaInputError
from ..solve import zero_on_branch
from . import committee as _c
from .base import Param, SaddleModel
from .fp_kernels import energetic_terms
from .franz_parisi import DEFAULT_QUAD, FPModel, Reference, _Problem
from .franz_parisi import free_entropy as _fp_free_entropy

__all__ = ["wide_kappa_max", "wide_reference", "energetic_wide_fp", "WideFPModel",
           "WIDE_FP_BINARY", "WIDE_FP_SPHERICAL"]


@functools.lru_cache(maxsize=256)
def wide_kappa_max(weights: str, alpha: float, activation: str) -> float:
    """Largest output margin with solutions at load alpha (RS). Binary: the zero in kappa of the
    infinite-width Gardner entropy (:func:`replica.solve.zero_on_branch`, steps of 0.25 from
    kappa = -2); spherical: alpha_c^perc(kappa_max) = alpha/Q'(1), inf when Q'(1) is infinite."""
    ker = _c.kernel(activation)
    if weights == "spherical":
        from . import gardner as _g
        if not math.isfinite(ker.d1_at_1):
            return math.inf
        return _g.kappa_max("spherical", alpha * ker.delta1 / ker.d1_at_1)

    def s(k):
        return _c.committee("binary", alpha, None, activation=activation, kappa=k,
                            allow_negative_entropy=True).thermo["entropy"]
    return zero_on_branch(s, -2.0, -1.75, 0.25, 8.0, model="committee-wide-binary",
                          params={"alpha": alpha, "activation": activation},
                          what="infinite-width kappa_max")


@functools.lru_cache(maxsize=256)
def wide_reference(weights: str, alpha: float, activation: str, kappa_ref) -> Reference:
    """The reference sector: the infinite-width Gardner saddle point at (alpha, kappa_ref) as a
    :class:`replica.models.franz_parisi.Reference` in weight space (Q = Q_w, Qh its conjugate;
    spherical Qh = Q_w/(1-Q_w)^2). ``kappa_ref`` a number or "max" (binary only)."""
    if isinstance(kappa_ref, str):
        if weights == "spherical":
            raise ReplicaInputError("kappa_ref: the spherical max-margin reference (Q -> 1) is "
                                    "not provided for the infinite-width committee; give a "
                                    "number")
        kr, is_max = wide_kappa_max(weights, alpha, activation), True
        kmax = kr
    else:
        kr, is_max = float(kappa_ref), False
        kmax = math.nan
        if weights == "binary":
            kmax = wide_kappa_max(weights, alpha, activation)
            if kr > kmax + 1e-12 * max(1.0, abs(kmax)):
                raise ReplicaInputError(f"kappa_ref = {kr} exceeds kappa_max(alpha={alpha}) = "
                                        f"{kmax:.10g}")
            is_max = kr >= kmax - 1e-12 * max(1.0, abs(kmax))
    sol = _c.committee(weights, alpha, None, activation=activation, kappa=kr,
                       allow_negative_entropy=is_max)
    Q = sol.order["q"]
    Qh = sol.order["qh"] if weights == "binary" else Q / (1.0 - Q) ** 2
    return Reference(weights, alpha, kr, Q, Qh, sol.thermo["entropy"], is_max, kmax)


def energetic_wide_fp(kernel, Q_w: float, kappa_ref: float, kappa: float, omq: float, t: float,
                      p: float, quad=DEFAULT_QUAD) -> np.ndarray:
    """The infinite-width energetic term in the layout of
    :func:`replica.models.fp_kernels.energetic_terms`, with derivatives in the weight overlaps:
    [G_E, dG/dq, dG/dt, dG/dp, C^2 (output level), norm_err, (1-q)^2 gamma_E]."""
    ker = _c.kernel(kernel)
    q = 1.0 - omq
    xg, wg, base = quad.rule()
    omQq = ker.one_minus_Q(q)
    en = np.array(energetic_terms(ker.Q(Q_w), kappa_ref, kappa, omQq, ker.Q(t), ker.Q(p),
                                  xg, wg, base))
    dq = ker.dQ(q)
    out = en.copy()
    out[1] = en[1] * dq
    out[2] = en[2] * ker.dQ(t)
    out[3] = en[3] * ker.dQ(p)
    out[6] = omq * omq * (dq * dq * en[6] / (omQq * omQq) - 2.0 * ker.d2Q(q) * en[1])
    return out


class _WideProblem(_Problem):
    """The Franz–Parisi residual (:class:`replica.models.franz_parisi._Problem`) with the
    infinite-width energetic term."""

    def __init__(self, ref, kappa, d, quad, activation):
        super().__init__(ref, kappa, d, quad)
        self.activation = activation

    def _en(self, omq, y):
        return energetic_wide_fp(self.activation, self.ref.Q, self.ref.kappa_ref, self.kappa,
                                 omq, y, self.p, self.quad)


class WideFPModel(FPModel):
    """RS Franz–Parisi local entropy of the infinite-width tree committee (module docstring):
    parameters ``alpha`` > 0, ``activation`` (sign | relu | erf | linear), ``kappa_ref`` (a
    number up to kappa_max(alpha), or "max" for binary weights), ``kappa``, ``d`` in (0, 1/2].
    Unknowns, order parameters and thermodynamics as :class:`replica.models.franz_parisi.FPModel`
    (entropy = S(d), dS_dd, replicon, C2 of the output fields, Q = Q_w, Q_out = Q(Q_w), ...).
    Known point: the typical distance d* = (1 - Q_w)/2 (kappa != kappa_ref: continued in kappa
    there)."""

    def __init__(self, weights: str):
        super().__init__(weights)
        self.name = f"committee-wide-fp-{weights}"
        self.description = (f"RS Franz–Parisi local entropy of the infinite-width tree committee, "
                            f"{weights} weights (docs/THEORY.md §8.4)")
        self.params = (
            Param("alpha", 0.0, None, lo_open=True, doc="load P/N"),
            Param("activation", default="relu", kind="choice", choices=_c.ACTIVATIONS,
                  doc="hidden activation"),
            Param("kappa_ref", kind="margin_ref", default=0.0,
                  doc="output margin of the reference (<= kappa_max(alpha)) or 'max'"),
            Param("kappa", default=0.0, doc="output margin of the counted configurations"),
            Param("d", 0.0, 0.5, lo_open=True, doc="distance from the reference, (1-p)/2"))

    def reference(self, p) -> Reference:
        return wide_reference(self.weights, float(p["alpha"]), p["activation"], p["kappa_ref"])

    def _problem(self, p):
        return _WideProblem(self.reference(p), float(p["kappa"]), float(p["d"]), self.quad,
                            p["activation"])

    def free_entropy(self, order, p):
        """Phi at arbitrary order parameters: the Franz–Parisi entropic terms (evaluated with
        alpha = 0) plus alpha times the infinite-width energetic term."""
        ref = self.reference(p)
        od = dict(order)
        if "t_or_b" in od:
            od["t"] = od.pop("t_or_b")
        ent = _fp_free_entropy(self.weights, 0.0, ref.kappa_ref, p["kappa"], p["d"], od,
                               quad=self.quad, ref=ref)
        omq = od["one_minus_q"] if "one_minus_q" in od else 1.0 - od["q"]
        pp = 1.0 - 2.0 * p["d"]
        en = energetic_wide_fp(p["activation"], ref.Q, ref.kappa_ref, p["kappa"], omq, od["t"],
                               pp, self.quad)
        a = p["alpha"]
        total = ent["entropic"] + a * en[0]
        return {"entropy": total, "free_entropy": total, "entropic": ent["entropic"],
                "energetic": a * en[0], "dPhi_dp": ent["dPhi_dp"] + a * en[3], "C2": en[4]}

    def thermo(self, x, p):
        th = super().thermo(x, p)
        th["Q_out"] = float(_c.kernel(p["activation"]).Q(self.reference(p).Q))
        return th

    def known_point(self, p):
        p = self.validate(p)
        ref = self.reference(p)
        d0 = 0.5 * (1.0 - ref.Q)
        x = np.array([math.log(1.0 - ref.Q), ref.Q] + ([0.0] if self.weights == "binary" else []))
        p0 = {**p, "d": d0}
        if float(p["kappa"]) != ref.kappa_ref:
            br = follow(self, {**p0, "kappa": ref.kappa_ref}, "kappa", float(p["kappa"]), x0=x,
                        mode="natural")
            if not br.reached:
                raise ConvergenceError(f"continuation in kappa at the typical distance "
                                       f"d* = {d0:.6g} did not reach kappa = {p['kappa']}: "
                                       f"{br.end}", model=self.name, params=dict(p),
                                       method="continuation")
            x = np.asarray(br.solution(-1).u, dtype=float)
        return p0, x

    def saddle(self, params=None, x0=None, *, method=None, tol=None, validate=True, **options):
        """From ``x0`` (unknowns): :meth:`replica.models.base.SaddleModel.saddle`; without:
        reached by continuation in d from the typical point (:func:`replica.continuation.reach`,
        natural steps)."""
        p = self.validate(params) if validate else dict(params)
        if x0 is None:
            return reach(self, p, mode="natural")
        return SaddleModel.saddle(self, p, x0, method=method, tol=tol, validate=False,
                                  **options)


WIDE_FP_BINARY = WideFPModel("binary")
WIDE_FP_SPHERICAL = WideFPModel("spherical")
