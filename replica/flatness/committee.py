r"""Local energy of typical solutions of tree committee machines and of their infinite-width
limit (flatness under multiplicative weight noise w -> w (1 + sigma z), docs/THEORY.md §4 and
§8.4).

Finite K (sign units). Under the noise each hidden field becomes h_l + sigma eta_l (large N,
per-branch normalisation), independently across units. Given the quenched means sqrt(q) z_l of
the RS measure of typical solutions, the reference field of unit l is N(sqrt(q) z_l, 1-q) and
the pair (sign h_l, sign(h_l + sigma eta_l)) has the law
T_l(+,-) = H(-u_l) C(m_l), T_l(+,+) = H(-u_l)(1 - C(m_l)) and the mirror for the - sign, with C
the perceptron's conditional flip probability (:func:`replica.flatness.local_energy._cond_error`,
kappa = 0). Then

.. math:: \delta E(\sigma) = \int\prod_l Dz_l\ \frac{P(\text{majority}(\tau) = +,\
          \text{majority}(\tau') = -)}{P(\text{majority}(\tau) = +)},

both probabilities sums over internal representations (a dynamic programme on the two counts of
+1 units, :func:`replica.models.committee_kernels.local_energy_kernel`). K = 1 is the
perceptron's typical-solution local energy.

Infinite width, positively homogeneous activations (sign, ReLU, linear): with
:math:`\rho = 1/\sqrt{1+\sigma^2}` the perturbed normalised hidden field has overlap rho with
the reference and q rho with the other replicas, so the output fields of the perturbed network
and of the reference, given the RS quenched variable t, are jointly Gaussian:
:math:`\lambda = \sqrt{Q}\,t + \sqrt{1-Q}\,y`, :math:`\lambda' = a t + b y + c\xi` with
:math:`a = Q(q\rho)/\sqrt{Q}`, :math:`b = (Q(\rho) - Q(q\rho))/\sqrt{1-Q}`,
:math:`c^2 = 1 - a^2 - b^2`, Q = Q(q). For the linear activation this is the perceptron.
"""
from __future__ import annotations

import math

import numpy as np

from ..errors import ReplicaInputError, check_range
from ..gauss import gauss_legendre, graded_gaussian_rule
from ..models import committee as C
from ..models.committee_kernels import local_energy_kernel
from .local_energy import _cond_error, local_energy_typical

__all__ = ["local_energy_committee", "local_energy_wide", "HOMOGENEOUS"]

HOMOGENEOUS = ("sign", "relu", "linear")
_XG, _WG = (np.array(a) for a in gauss_legendre(12))


def _sigmas(sigmas):
    s = np.atleast_1d(np.asarray(sigmas, dtype=float))
    if s.size == 0 or not np.all(np.isfinite(s)) or np.any(s <= 0):
        raise ReplicaInputError("sigmas must be finite positive noise levels")
    return s


def local_energy_committee(q: float, k: int, sigmas, *, nodes: int | None = None) -> np.ndarray:
    """Local energy dE(sigma) of typical solutions of the K-unit tree committee with RS overlap
    q (module docstring). Tensor rule over multisets graded at 0 on sqrt((1-q)/q)."""
    K = C.check_k(k)
    q = check_range("q", q, 0.0, 1.0, lo_open=True, hi_open=True)
    sig = _sigmas(sigmas)
    if K == 1:
        return local_energy_typical(q, 0.0, sig)
    rule = C.CommitteeRule.default(K) if nodes is None else C.CommitteeRule(nodes, 1.5, 10.0)
    z, w = rule.points(q)
    z = np.ascontiguousarray(z)
    w = np.ascontiguousarray(w)
    s = math.sqrt(1.0 - q)
    m = math.sqrt(q) * z
    out = np.empty(sig.size)
    for i, sg in enumerate(sig):
        cp = np.array([_cond_error(mi, s, 0.0, sg, _XG, _WG) for mi in m])
        cm = np.array([_cond_error(-mi, s, 0.0, sg, _XG, _WG) for mi in m])
        out[i] = local_energy_kernel(z, w, q, K, np.clip(cp, 0, 1), np.clip(cm, 0, 1))
    return out


def local_energy_wide(q: float, activation: str, sigmas) -> np.ndarray:
    """Local energy of typical solutions at infinite width (activation sign | relu | linear)."""
    if activation not in HOMOGENEOUS:
        raise ReplicaInputError(f"activation: the infinite-width local energy needs a positively "
                                f"homogeneous activation ({', '.join(HOMOGENEOUS)}), got "
                                f"{activation!r}")
    ker = C.kernel(activation)
    q = check_range("q", q, 0.0, 1.0, lo_open=True, hi_open=True)
    sig = _sigmas(sigmas)
    Q = ker.Q(q)
    omQ = ker.one_minus_Q(q)
    sQ, s = math.sqrt(Q), math.sqrt(omQ)
    z, w = graded_gaussian_rule([0.0], [s / sQ], n=12)
    out = np.empty(sig.size)
    for i, sg in enumerate(sig):
        rho = 1.0 / math.sqrt(1.0 + sg * sg)
        a = ker.Q(q * rho) / sQ
        b = (ker.Q(rho) - ker.Q(q * rho)) / s
        c = math.sqrt(max(1.0 - a * a - b * b, 0.0))
        beta = b / s
        tot = 0.0
        for t, wt in zip(z, w):
            mm = sQ * t
            # P(lambda' < 0 | lambda, t) = H((a t + beta (lambda - mm))/c): shift to the
            # perceptron form int_{D > kappa} N(D; mean, s^2) H(D/sigma') dD / H(.)
            mprime = mm - a * t / beta
            tot += wt * _cond_error(a * t / beta, s, -mprime, c / beta, _XG, _WG)
        out[i] = tot
    return out
