r"""Tree committee machines: K hidden units with disjoint receptive fields and the infinite-width
limit with a general activation (docs/THEORY.md §8.4).

Finite K (sign units, output sign of the sum of the hidden signs, K odd). Each of the K branches
has N/K weights and overlap q between replicas (RS, the same for every branch); alpha = P/N
counts patterns per weight. The free entropy per weight is the perceptron's entropic term plus

.. math:: \alpha\,G_E(q),\qquad G_E(q) = \int\prod_{l=1}^K Dz_l\,\ln\sum_{\tau:\sum_l\tau_l>0}
          \prod_l H\Big(-\tau_l\frac{\sqrt q z_l}{\sqrt{1-q}}\Big)

(Barkai, Hansel & Sompolinsky, PRA 45, 4146 (1992); Engel & Van den Broeck, *Statistical
Mechanics of Learning* (2001), ch. 12). K = 1 is Gardner's perceptron at kappa = 0. Saddle
point: as for the perceptron with :math:`J(q) = -2(1-q)^2 G_E'(q) = (1-q)\sum_l E[g_l^2]`
(:mod:`replica.models.committee_kernels`): spherical :math:`q = \alpha J(q)`; binary
:math:`\hat q = \alpha J(q)/(1-q)^2`, :math:`q = \int Dz\tanh^2(\sqrt{\hat q}z)`.

Replicon (the uniform mode over the branches of the replicon sector; derived in
``theory_notebooks/committee_derivation.py``): with :math:`\Gamma_{ll'} = E[(\partial_{h_l}
\partial_{h_{l'}}\ln M)^2]`, whose largest eigenvalue is the uniform one,
:math:`\lambda_R = 1 - \alpha\,\gamma_S\sum_{ll'}\Gamma_{ll'}`, :math:`\gamma_S = (1-q)^2`
(spherical) or :math:`\int Dz\,\mathrm{sech}^4(\sqrt{\hat q}z)` (binary). K = 1: Gardner's.

Spherical capacity (q -> 1): ln M -> -C(z)/(2(1-q)) with C the cheapest correction of the
internal representation (the sum of the j smallest z_l^2 among the negative fields, j the number
of units missing for a majority), so :math:`\alpha_c = 1/A_K`, :math:`A_K = E\,C(z)`, a finite
sum of one-dimensional order-statistics integrals of the half-normal law (:func:`A_K`). A_1 = 1/2
(alpha_c = 2). Binary capacity: the zero of the RS entropy. Both are RS values: for K >= 3 replica
symmetry is broken near capacity and RS overestimates it (Barkai et al. 1992). With RSB
through the internal representations, alpha_c ~ (16/pi) sqrt(ln K) at large K for spherical
weights (Monasson & Zecchina, arXiv:cond-mat/9601122; method: PRL 75, 2432 (1995)).

Infinite width (K -> infinity, second layer fixed to balanced +-1, activation phi). The output
field is Gaussian across replicas with covariance :math:`\Delta(q) = E[\phi(h)\phi(h')]_q -
(E\phi)^2`, so :math:`G_E = E_{\rm perc}(Q(q);\kappa)` with :math:`Q = \Delta(q)/\Delta(1)` and
kappa a margin on the normalised output (Baldassi, Malatesta & Zecchina, PRL 123, 170602 (2019);
Zavatone-Veth & Pehlevan, PRE 103, L020301 (2021)). Then :math:`J_\infty(q) = J(Q) Q'(q)
(1-q)^2/(1-Q)^2`; replicon energetic factor :math:`Q'^2\gamma_E(Q) + Q''\,J(Q)/(1-Q)^2`;
spherical capacity :math:`\alpha_c = Q'(1)\,\alpha_c^{\rm perc}(\kappa)`, infinite when
:math:`\Delta'(1) = \infty` (sign). Kernels (:data:`ACTIVATIONS`): sign
:math:`\frac2\pi\arcsin q`; ReLU :math:`[\sqrt{1-q^2} + (\pi-\arccos q)q - 1]/(2\pi)`; erf
(phi = erf(h)) :math:`\frac2\pi\arcsin(2q/3)`; linear q.

Numerics: the sum over internal representations is a dynamic programme on the number of +1
units, in the log domain where needed (:mod:`replica.models.committee_kernels`). The
K-dimensional Gaussian integral is symmetric in the units: for 1 - q >= ``V_SWITCH`` a tensor
product of a 1-d composite Gauss–Legendre rule graded around z = 0 on sqrt((1-q)/q)
(:class:`CommitteeRule`) summed over multisets of nodes (C(n+K-1, K) points); closer to q = 1,
where the integrand has kinks of that width on the diagonals z_i = z_j, a nested rule over
ordered fields with a panel edge on every diagonal (:class:`SortedRule`). The two rules share no
nodes; their agreement (tests) is ~1e-12 at 1 - q = 0.5 and ~1e-9 at 0.3 for K = 3; the nested
rule's relative error is ~1e-5 at 1 - q = 1e-2, so finite-K saddle points are accepted down to
1 - q = 1e-3 only (ConvergenceError below). K = 5 costs seconds per evaluation (coarser rule,
~1e-7); K = 7 is allowed but slow. The unknown is ln(1 - q) (conjugate eliminated
analytically), as for :class:`replica.models.gardner.GardnerModel`.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache
from typing import Callable

import numpy as np
from scipy import integrate

from ..errors import ConvergenceError, ReplicaInputError, check_finite, check_range
from ..gauss import gauss_hermite, gauss_legendre, graded_gaussian_rule, log_H
from ..solve import Solution, solve, zero_on_branch
from . import gardner as _g
from .base import Param, SaddleModel
from .committee_kernels import energetic_kernel, energetic_kernel_sorted

__all__ = [
    "WEIGHTS", "ACTIVATIONS", "Kernel", "CommitteeRule", "SortedRule", "check_k", "kernel", "hermite_kernel",
    "energetic", "energetic_wide", "free_entropy", "fixed_point_map", "committee", "A_K",
    "capacity", "capacity_spherical", "CommitteeModel", "WideModel",
]

WEIGHTS = ("binary", "spherical")
K_MAX = 7
def _v_min(k) -> float:
    """Smallest 1 - q resolved: 1e-9 (perceptron, infinite width), 1e-3 for K >= 3 (the nested
    rule's relative error there is ~1e-4)."""
    return 1e-9 if k is None or k == 1 else 1e-3


def check_weights(weights: str) -> str:
    if weights not in WEIGHTS:
        raise ReplicaInputError(f"weights must be one of {', '.join(WEIGHTS)}, got {weights!r}")
    return weights


def check_k(k) -> int:
    """K: a positive odd integer <= 7 (the exact integral's cost grows as C(n+K-1, K))."""
    v = check_finite("k", k)
    if v != int(v) or v < 1 or int(v) % 2 == 0:
        raise ReplicaInputError(f"k must be a positive odd integer, got {k!r}")
    if v > K_MAX:
        raise ReplicaInputError(f"k must be <= {K_MAX} for the exact K-dimensional integral "
                                f"(use k = inf for the infinite-width limit), got {int(v)}")
    return int(v)


# ---------------------------------------------------------------------------------------------
# Activation kernels of the infinite-width limit
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Kernel:
    """Covariance of the (centred) activation across replicas: ``delta(q)`` = Delta(q),
    ``d1`` = Delta'(q), ``d2`` = Delta''(q) for q in [0, 1]; ``d1_at_1`` = Delta'(1) (inf
    allowed). Q(q) = Delta(q)/Delta(1)."""

    name: str
    delta: Callable[[float], float]
    d1: Callable[[float], float]
    d2: Callable[[float], float]
    d1_at_1: float
    one_minus: Callable[[float], float] | None = None

    @property
    def delta1(self) -> float:
        return float(self.delta(1.0))

    def Q(self, q):
        return self.delta(q) / self.delta1

    def dQ(self, q):
        return self.d1(q) / self.delta1

    def d2Q(self, q):
        return self.d2(q) / self.delta1

    def one_minus_Q(self, q):
        """1 - Q(q), without cancellation for q -> 1 (integral of Delta' from q to 1)."""
        if self.one_minus is not None:
            return self.one_minus(q)
        if 1.0 - q > 0.05:
            return 1.0 - self.Q(q)
        val, _ = integrate.quad(self.d1, q, 1.0, epsabs=0.0, epsrel=1e-13, limit=100)
        return val / self.delta1


def _sign_kernel():
    return Kernel(
        "sign", lambda q: 2.0 / math.pi * math.asin(q),
        lambda q: 2.0 / (math.pi * math.sqrt((1.0 - q) * (1.0 + q))),
        lambda q: 2.0 * q / (math.pi * ((1.0 - q) * (1.0 + q)) ** 1.5), math.inf,
        lambda q: 2.0 / math.pi * math.acos(q))


def _relu_kernel():
    tp = 2.0 * math.pi
    return Kernel(
        "relu",
        lambda q: (math.sqrt(max(0.0, (1.0 - q) * (1.0 + q))) + (math.pi - math.acos(q)) * q
                   - 1.0) / tp,
        lambda q: (math.pi - math.acos(q)) / tp,
        lambda q: 1.0 / (tp * math.sqrt((1.0 - q) * (1.0 + q))), 0.5)


def _erf_kernel():
    # phi(h) = erf(h): E[erf(h) erf(h')] = (2/pi) arcsin(2q/3) (Williams 1997)
    c = 2.0 / 3.0
    return Kernel(
        "erf", lambda q: 2.0 / math.pi * math.asin(c * q),
        lambda q: 2.0 * c / (math.pi * math.sqrt(1.0 - (c * q) ** 2)),
        lambda q: 2.0 * c ** 3 * q / (math.pi * (1.0 - (c * q) ** 2) ** 1.5),
        2.0 * c / (math.pi * math.sqrt(1.0 - c * c)))


def _linear_kernel():
    return Kernel("linear", lambda q: q, lambda q: 1.0, lambda q: 0.0, 1.0, lambda q: 1.0 - q)


_KERNELS = {"sign": _sign_kernel(), "relu": _relu_kernel(), "erf": _erf_kernel(),
            "linear": _linear_kernel()}
ACTIVATIONS = tuple(_KERNELS)


def kernel(activation) -> Kernel:
    """The :class:`Kernel` of a built-in activation name, or a Kernel passed through."""
    if isinstance(activation, Kernel):
        return activation
    if activation not in _KERNELS:
        raise ReplicaInputError(f"activation must be one of {', '.join(ACTIVATIONS)} (or a "
                                f"replica.models.committee.Kernel), got {activation!r}")
    return _KERNELS[activation]


def hermite_kernel(phi: Callable, name: str = "user", degree: int = 80,
                   nodes: int = 200) -> Kernel:
    """Kernel of a user activation phi (vectorised callable) from its Hermite expansion:
    phi = sum_k c_k He_k / sqrt(k!), Delta(q) = sum_{k>=1} c_k^2 q^k (Mehler). Converges fast
    for smooth phi; for phi with a kink or a jump (ReLU, sign) use the closed forms."""
    z, w = gauss_hermite(int(nodes))
    f = np.asarray(phi(np.asarray(z)), dtype=float)
    if f.shape != z.shape or not np.all(np.isfinite(f)):
        raise ReplicaInputError("activation: phi must map an array of fields to finite values")
    c2 = np.zeros(degree + 1)
    he_prev, he = np.ones_like(z), np.asarray(z, dtype=float)
    lf = 0.0
    for k in range(1, degree + 1):
        lf += math.log(k)
        c2[k] = float(np.dot(w, f * he)) ** 2 / math.exp(lf)
        he_prev, he = he, z * he - k * he_prev
    ks = np.arange(degree + 1)
    d1_1 = float(np.sum(ks * c2))
    return Kernel(name, lambda q: float(np.polyval(c2[::-1], q)),
                  lambda q: float(np.sum(ks[1:] * c2[1:] * q ** (ks[1:] - 1))),
                  lambda q: float(np.sum(ks[2:] * (ks[2:] - 1) * c2[2:] * q ** (ks[2:] - 2))),
                  d1_1)


# ---------------------------------------------------------------------------------------------
# Finite K: the energetic integral
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CommitteeRule:
    """The one-dimensional rule of the K-dimensional integral: composite Gauss–Legendre with
    ``nodes`` per panel on [-L, L], panels of width ``base`` graded geometrically around z = 0
    on the scale sqrt((1-q)/q). ``default(K)`` gives the settings used by the models."""

    nodes: int = 8
    base: float = 1.5
    L: float = 10.0

    @staticmethod
    def default(K: int) -> "CommitteeRule":
        if K == 1:
            return CommitteeRule(12, 2.0, 11.0)
        if K == 3:
            return CommitteeRule(8, 1.5, 10.0)
        if K == 5:
            return CommitteeRule(4, 1.5, 9.0)
        return CommitteeRule(3, 2.0, 8.0)

    def points(self, q: float):
        s = math.sqrt((1.0 - q) / q) if q > 0 else 1.0
        return graded_gaussian_rule([0.0], [min(s, self.base)], L=self.L, n=self.nodes,
                                    base=self.base)


@dataclass(frozen=True)
class SortedRule:
    """The nested rule over ordered fields z_1 <= ... <= z_K (every diagonal a panel edge):
    ``nodes`` Gauss–Legendre nodes per panel, panels of width ``base`` on [z_{l-1}, L] graded
    at z_{l-1} and at 0 on the scale sqrt((1-q)/q). Used for 1 - q < ``V_SWITCH``."""

    nodes: int = 8
    base: float = 1.5
    L: float = 10.0

    @staticmethod
    def default(K: int) -> "SortedRule":
        return SortedRule(8, 1.5, 10.0) if K <= 3 else SortedRule(4, 2.0, 9.0)


#: below this 1 - q the tensor-product rule loses accuracy (kinks along the diagonals of width
#: sqrt((1-q)/q)) and the nested rule over ordered fields is used
V_SWITCH = 0.45


@lru_cache(maxsize=4096)
def _energetic_cached(q, K, nodes, base, L, replicon, nested):
    if nested:
        xg, wg = gauss_legendre(nodes)
        e, j, kc, _ = energetic_kernel_sorted(q, K, L, base, np.asarray(xg), np.asarray(wg),
                                              replicon, 16384)
        return e, j, kc
    rule = CommitteeRule(nodes, base, L)
    z, w = rule.points(q)
    return energetic_kernel(np.ascontiguousarray(z), np.ascontiguousarray(w), q, K, replicon)


def energetic(q: float, k: int, *, replicon: bool = False, rule=None) -> dict:
    """Finite-K energetic integrals at overlap q in [0, 1): ``E`` = G_E(q), ``J`` =
    -2(1-q)^2 G_E'(q) and, with ``replicon``, ``Kc`` = (1-q)^2 sum_{ll'} Gamma_{ll'}.

    ``rule``: a :class:`CommitteeRule` (tensor product over multisets) or a :class:`SortedRule`
    (nested, ordered fields); default the tensor rule for 1 - q >= V_SWITCH (K = 1: always),
    the nested rule below."""
    K = check_k(k)
    q = float(q)
    if not 0.0 <= q < 1.0:
        raise ReplicaInputError(f"q must be in [0, 1), got {q}")
    if q == 0.0:
        # fields are pure noise: M = 1/2 for every z; J = (1-q) K E[g^2] with g = 2 M_l phi(0)
        tie = math.comb(K - 1, (K - 1) // 2) / 2.0 ** (K - 1)
        g = 2.0 * tie / math.sqrt(2.0 * math.pi)
        out = {"E": -math.log(2.0), "J": K * g * g}
        if replicon:
            q = 1e-300
        else:
            return out
    if rule is None:
        rule = (CommitteeRule.default(K) if K == 1 or 1.0 - q >= V_SWITCH
                else SortedRule.default(K))
    nested = isinstance(rule, SortedRule)
    e, j, kc = _energetic_cached(q, K, rule.nodes, rule.base, rule.L, bool(replicon), nested)
    out = {"E": e, "J": j}
    if replicon:
        out["Kc"] = kc
    return out


# ---------------------------------------------------------------------------------------------
# Infinite width: the perceptron with q -> Q(q)
# ---------------------------------------------------------------------------------------------


def energetic_wide(q: float, activation="sign", kappa: float = 0.0) -> dict:
    """Infinite-width energetic integrals: ``E`` = E_perc(Q(q); kappa), ``J`` = -2(1-q)^2 dE/dq
    = J_perc(Q) Q'(q) (1-q)^2/(1-Q)^2, ``Kc`` = (1-q)^2 [Q'^2 K_perc/(1-Q)^2 + Q'' J_perc/(1-Q)^2],
    ``Q`` and ``dQ``."""
    ker = kernel(activation)
    q = float(q)
    if not 0.0 <= q < 1.0:
        raise ReplicaInputError(f"q must be in [0, 1), got {q}")
    Q = ker.Q(q)
    omQ = ker.one_minus_Q(q)
    Qc = 1.0 - omQ
    en = _g.energetic_integrals(Qc, kappa)
    dQ = ker.dQ(q)
    d2Q = ker.d2Q(q)
    v = 1.0 - q
    r = v / omQ
    J = en["J"] * dQ * r * r
    Kc = r * r * (dQ * dQ * en["K"] + d2Q * en["J"])
    return {"E": en["E"], "J": J, "Kc": Kc, "Q": Q, "dQ": dQ, "one_minus_Q": omQ}


# ---------------------------------------------------------------------------------------------
# Free entropy, saddle point
# ---------------------------------------------------------------------------------------------


def _en(q, k, activation, kappa, replicon=False):
    if k is None:
        return energetic_wide(q, activation, kappa)
    return energetic(q, k, replicon=replicon)


def _check(weights, alpha, k, activation, kappa):
    check_weights(weights)
    alpha = check_range("alpha", alpha, 0.0)
    kappa = check_finite("kappa", kappa)
    if k is not None:
        k = check_k(k)
        if kappa != 0.0:
            raise ReplicaInputError("kappa: finite-K committee machines are implemented at "
                                    "kappa = 0 only (use k = inf for an output margin)")
    else:
        kernel(activation)
    if weights == "spherical" and alpha > 0:
        ac = capacity_spherical(k, activation, kappa)
        if alpha >= ac:
            raise ReplicaInputError(f"alpha = {alpha} is at or beyond the RS spherical capacity "
                                    f"alpha_c = {ac:.10g}: no solutions")
    return alpha, k, kappa


def free_entropy(weights: str, alpha: float, q: float, qh: float | None = None, *, k=3,
                 activation="sign", kappa: float = 0.0) -> dict:
    """RS free entropy at arbitrary (q, qh): ``entropy``, ``entropic``, ``energetic`` (alpha G_E).
    ``k`` = None is the infinite-width limit with ``activation``."""
    check_weights(weights)
    en = _en(q, k, activation, kappa)
    v = 1.0 - q
    if weights == "spherical":
        entropic = 0.5 * math.log(v) + q / (2.0 * v)
    else:
        if qh is None:
            raise ReplicaInputError("qh: the binary free entropy needs qh")
        entropic = -qh * v / 2.0 + _g.entropic_integrals(qh)["log2cosh"]
    return {"entropy": entropic + alpha * en["E"], "entropic": entropic,
            "energetic": alpha * en["E"]}


def fixed_point_map(weights: str, alpha: float, *, k=3, activation="sign", kappa: float = 0.0):
    """Saddle-point equations as x = F(x): spherical x = (q,), F = alpha J(q); binary
    x = (q, qh), F = (1 - int Dz sech^2(sqrt(qh) z), alpha J(q)/(1-q)^2)."""
    check_weights(weights)

    def F(x):
        q = float(x[0])
        if not 0.0 <= q < 1.0 or (weights == "binary" and x[1] < 0):
            return np.full(len(x), np.nan)
        J = _en(q, k, activation, kappa)["J"]
        if weights == "spherical":
            return np.array([alpha * J])
        return np.array([1.0 - _g.entropic_integrals(float(x[1]))["sech2"],
                         alpha * J / (1.0 - q) ** 2])
    return F


def _g_of_v(weights, alpha, k, activation, kappa):
    """Scalar residual g(v), v = 1 - q (conjugate eliminated), as :func:`gardner._residual_v`."""
    if weights == "spherical":
        return lambda v: alpha * _en(1.0 - v, k, activation, kappa)["J"] - (1.0 - v)

    def g(v):
        qh = alpha * _en(1.0 - v, k, activation, kappa)["J"] / (v * v)
        return _g.entropic_integrals(qh)["sech2"] - v
    return g


def _thermo(weights, alpha, q, qh, k, activation, kappa):
    en = _en(q, k, activation, kappa, replicon=True)
    v = 1.0 - q
    if weights == "spherical":
        entropic = 0.5 * math.log(v) + q / (2.0 * v)
        gamma_S = v * v
    else:
        ent = _g.entropic_integrals(qh)
        entropic = -qh * v / 2.0 + ent["log2cosh"]
        gamma_S = ent["sech4"]
    return {"entropy": entropic + alpha * en["E"], "entropic": entropic,
            "energetic": alpha * en["E"], "replicon": 1.0 - alpha * en["Kc"] * gamma_S / (v * v),
            "one_minus_q": v}


def committee(weights: str, alpha: float, k=3, *, activation="sign", kappa: float = 0.0,
              method: str = "bracket", x0=None, tol: float = 1e-11,
              allow_negative_entropy: bool = False) -> Solution:
    """RS saddle point of the tree committee (``k`` odd) or its infinite-width limit
    (``k=None``, with ``activation``). Returns a Solution with order ``q`` (and ``qh``) and
    thermo ``entropy``, ``entropic``, ``energetic``, ``replicon``, ``one_minus_q``.

    ``method``: "bracket" (Brent on ln(1-q) after eliminating qh, via the Gardner solver) or
    a :func:`replica.solve.solve` method on :func:`fixed_point_map` ("iterate", "newton",
    "hybrid"), started from ``x0`` (q or (q, qh)). Binary: a negative entropy (beyond the RS
    capacity) raises ReplicaInputError unless ``allow_negative_entropy``."""
    alpha, k, kappa = _check(weights, alpha, k, activation, kappa)
    name = f"committee-{weights}"
    params = {"alpha": alpha, "k": k if k is not None else math.inf, "kappa": kappa,
              "activation": getattr(kernel(activation), "name", "sign") if k is None else "sign"}
    names = ["q"] if weights == "spherical" else ["q", "qh"]
    if alpha == 0.0:
        x = np.zeros(len(names))
        th = _thermo(weights, 0.0, 0.0, 0.0, k, activation, kappa)
        return Solution(order=dict(zip(names, x.tolist())), residual=np.zeros(len(names)),
                        status="converged", iterations=0, method=method, model=name,
                        params=params, thermo=th)
    if method == "bracket":
        g = _g_of_v(weights, alpha, k, activation, kappa)
        v_start = None if x0 is None else 1.0 - float(np.atleast_1d(x0)[0])
        v = _g._solve_v(g, v_start, name, params, tol=tol)
        if v < _v_min(k):
            raise ConvergenceError(f"saddle point at 1-q = {v:.3g}, below the resolved range "
                                   f"{_v_min(k):g} of the K-dimensional rule",
                                   model=name, params=params, x=[v], method="bracket")
        q = 1.0 - v
        J = _en(q, k, activation, kappa)["J"]
        qh = alpha * J / (v * v)
        res = np.array([g(v)] + ([0.0] if weights == "binary" else []))
        iters = 0
    else:
        if x0 is None:
            x0 = committee(weights, alpha, k, activation=activation, kappa=kappa,
                           allow_negative_entropy=True).x * (1 - 1e-3)
        sol = solve(fixed_point_map(weights, alpha, k=k, activation=activation, kappa=kappa),
                    x0, names=names, method=method, tol=tol, model=name, params=params)
        q = sol.order["q"]
        qh = sol.order.get("qh", 0.0)
        res, iters, method = sol.residual, sol.iterations, sol.method
    th = _thermo(weights, alpha, q, qh, k, activation, kappa)
    if weights == "binary" and th["entropy"] < 0 and not allow_negative_entropy:
        raise ReplicaInputError(f"alpha = {alpha} is beyond the RS capacity of the binary "
                                f"committee (entropy {th['entropy']:.6g} < 0): no solutions")
    order = {"q": q} if weights == "spherical" else {"q": q, "qh": qh}
    return Solution(order=order, residual=res, status="converged", iterations=iters,
                    method=method, model=name, params=params, thermo=th)


# ---------------------------------------------------------------------------------------------
# Capacities
# ---------------------------------------------------------------------------------------------


_OS_EDGES = np.array([0.0, 0.125, 0.25, 0.5, 0.75, 1.0, 1.5, 2.0, 2.5, 3.0, 4.0, 5.0, 6.0, 7.5,
                      9.0, 11.0, 14.0])


def _smallest_sq_sum(j: int, n: int) -> float:
    """E[sum of the j smallest X_(i:n)^2] for n i.i.d. half-normal |z|: int_0^inf t^2
    sum_{i<=j} f_(i:n)(t) dt, f_(i:n) = n C(n-1, i-1) F^{i-1} (1-F)^{n-i} 2 phi(t),
    F = 1 - 2H(t); composite Gauss–Legendre (20 nodes) on fixed panels of [0, 14]."""
    xg, wg = gauss_legendre(20)
    a, b = _OS_EDGES[:-1], _OS_EDGES[1:]
    t = (0.5 * (b - a)[:, None] * xg[None, :] + 0.5 * (a + b)[:, None]).ravel()
    wt = (0.5 * (b - a)[:, None] * wg[None, :]).ravel()
    l1F = np.log(2.0) + log_H(t)               # ln(1 - F) = ln 2H(t)
    lF = np.log(-np.expm1(l1F))                # ln F (= -inf at t = 0)
    base = np.log(2.0) - 0.5 * t * t - 0.5 * np.log(2.0 * np.pi)
    tot = np.zeros_like(t)
    for i in range(1, j + 1):
        lc = math.lgamma(n + 1) - math.lgamma(i) - math.lgamma(n - i + 1)
        with np.errstate(invalid="ignore"):
            lfi = lc + (i - 1) * lF + (n - i) * l1F + base if i > 1 else lc + (n - i) * l1F + base
        tot += np.exp(lfi)
    return float(np.dot(wt, t * t * tot))


@lru_cache(maxsize=None)
def A_K(k: int) -> float:
    """A_K = E C(z): expected cost of the cheapest majority (sum of the j smallest z_l^2 among
    the negative fields, j = max(0, (K+1)/2 - #positive)); alpha_c^RS,sph(K) = 1/A_K.
    Any odd K (a sum of K/2 binomial terms of one-dimensional integrals). A_1 = 1/2."""
    v = check_finite("k", k)
    if v != int(v) or v < 1 or int(v) % 2 == 0:
        raise ReplicaInputError(f"k must be a positive odd integer, got {k!r}")
    K = int(v)
    h = (K + 1) // 2
    tot = 0.0
    for m in range(h):          # m positive units, n = K - m negative ones, j = h - m flips
        n = K - m
        j = h - m
        lw = math.lgamma(K + 1) - math.lgamma(m + 1) - math.lgamma(n + 1) - K * math.log(2.0)
        tot += math.exp(lw) * _smallest_sq_sum(j, n)
    return tot


def capacity_spherical(k=3, activation="sign", kappa: float = 0.0) -> float:
    """RS capacity of spherical weights: finite K (kappa = 0) 1/A_K; infinite width (k None)
    Q'(1) alpha_c^perc(kappa) (inf when Delta'(1) is infinite)."""
    if k is None:
        ker = kernel(activation)
        if not math.isfinite(ker.d1_at_1):
            return math.inf
        return ker.d1_at_1 / ker.delta1 * _g.capacity_spherical_closed_form(kappa)
    return 1.0 / A_K(k)


def capacity(weights: str, k=3, *, activation="sign", kappa: float = 0.0,
             tol: float = 1e-10) -> float:
    """RS capacity: spherical :func:`capacity_spherical`; binary the zero of the RS entropy in
    alpha (:func:`replica.solve.zero_on_branch`: steps of 0.1 from alpha = 0.5, then Brent)."""
    check_weights(weights)
    if k is not None:
        k = check_k(k)
    if weights == "spherical":
        return capacity_spherical(k, activation, kappa)

    last = {}

    def s(a):
        near = min(last, key=lambda b: abs(b - a)) if last else None
        sol = committee("binary", a, k, activation=activation, kappa=kappa,
                        allow_negative_entropy=True,
                        x0=None if near is None else [last[near]])
        last[a] = sol.order["q"]
        return sol.thermo["entropy"]

    # warm-started saddles from alpha = 0.5 in steps of 0.1 to the first negative entropy
    return zero_on_branch(s, 0.0, 0.5, 0.1, 2.0, xtol=tol, model="committee-binary",
                          params={"k": k, "activation": activation, "kappa": kappa},
                          what="binary committee capacity")


# ---------------------------------------------------------------------------------------------
# The model protocol: "committee-binary", "committee-spherical", "committee-wide-*"
# ---------------------------------------------------------------------------------------------


class _Base(SaddleModel):
    unknown_names = ("log_one_minus_q",)
    method = "bracket"
    tol = 1e-11

    def _k(self, p):
        raise NotImplementedError

    def _act(self, p):
        return "sign"

    def _kappa(self, p):
        return 0.0

    def residual(self, x, p):
        v = math.exp(float(np.atleast_1d(x)[0]))
        if not _v_min(self._k(p)) <= v <= 1.0:
            return np.array([math.nan])
        gv = _g_of_v(self.weights, p["alpha"], self._k(p), self._act(p), self._kappa(p))(v)
        return np.array([gv / v if self.weights == "binary" else gv])

    def order(self, x, p):
        v = math.exp(float(np.atleast_1d(x)[0]))
        if self.weights == "spherical":
            return {"q": 1.0 - v}
        J = _en(1.0 - v, self._k(p), self._act(p), self._kappa(p))["J"]
        return {"q": 1.0 - v, "qh": p["alpha"] * J / (v * v)}

    def unknowns(self, order, p):
        return np.array([math.log1p(-float(order["q"]))])

    def known_point(self, p):
        return {**p, "alpha": 0.0}, np.array([0.0])

    def free_entropy(self, order, p):
        out = free_entropy(self.weights, p["alpha"], order["q"], order.get("qh"),
                           k=self._k(p), activation=self._act(p), kappa=self._kappa(p))
        out["free_entropy"] = out.pop("entropy")
        return out

    def thermo(self, x, p):
        o = self.order(x, p)
        return _thermo(self.weights, p["alpha"], o["q"], o.get("qh", 0.0), self._k(p),
                       self._act(p), self._kappa(p))

    def saddle(self, params=None, x0=None, *, method=None, tol=None, validate=True, **options):
        p = self.validate(params) if validate else dict(params)
        q0 = None if x0 is None else 1.0 - math.exp(float(np.atleast_1d(x0)[0]))
        sol = committee(self.weights, p["alpha"], self._k(p), activation=self._act(p),
                        kappa=self._kappa(p), method=method or self.method, x0=q0,
                        tol=self.tol if tol is None else tol,
                        allow_negative_entropy=bool(p.get("allow_negative_entropy", False)))
        return Solution(order=sol.order, residual=sol.residual, status=sol.status,
                        iterations=sol.iterations, method=sol.method, model=self.name,
                        params=dict(p), thermo=sol.thermo,
                        unknowns=(math.log1p(-sol.order["q"]),))


class CommitteeModel(_Base):
    """Tree committee machine with K (odd) sign hidden units, RS, as a model of the protocol.
    Parameters ``alpha`` >= 0, ``k`` (odd, <= 7, default 3), binary only
    ``allow_negative_entropy``. Unknown ln(1-q) (conjugate eliminated); known point alpha = 0."""

    def __init__(self, weights: str):
        self.weights = check_weights(weights)
        self.name = f"committee-{weights}"
        self.description = (f"RS tree committee machine, {weights} weights, K odd sign units "
                            "(docs/THEORY.md §8.4)")
        self.order_names = ("q",) if weights == "spherical" else ("q", "qh")
        ps = [Param("alpha", 0.0, None, doc="load P/N (patterns per weight)"),
              Param("k", 1, K_MAX, default=3, kind="int", doc="number of hidden units (odd)")]
        if weights == "binary":
            ps.append(Param("allow_negative_entropy", kind="bool", default=False,
                            doc="return the RS continuation where the entropy is negative"))
        self.params = tuple(ps)

    def _k(self, p):
        return p["k"]

    def check(self, p):
        _check(self.weights, p["alpha"], p["k"], "sign", 0.0)
        return p


class WideModel(_Base):
    """Infinite-width tree committee (balanced +-1 second layer) with activation sign | relu |
    erf | linear: the perceptron with q -> Delta(q)/Delta(1). Parameters ``alpha``,
    ``activation``, ``kappa`` (output margin, default 0), binary ``allow_negative_entropy``."""

    def __init__(self, weights: str):
        self.weights = check_weights(weights)
        self.name = f"committee-wide-{weights}"
        self.description = (f"RS infinite-width tree committee, {weights} weights, activation "
                            "kernel Delta(q) (docs/THEORY.md §8.4)")
        self.order_names = ("q",) if weights == "spherical" else ("q", "qh")
        ps = [Param("alpha", 0.0, None, doc="load P/N (patterns per weight)"),
              Param("activation", default="relu", kind="choice", choices=ACTIVATIONS,
                    doc="hidden activation"),
              Param("kappa", default=0.0, doc="margin on the normalised output field")]
        if weights == "binary":
            ps.append(Param("allow_negative_entropy", kind="bool", default=False,
                            doc="return the RS continuation where the entropy is negative"))
        self.params = tuple(ps)

    def _k(self, p):
        return None

    def _act(self, p):
        return p["activation"]

    def _kappa(self, p):
        return p["kappa"]

    def check(self, p):
        _check(self.weights, p["alpha"], None, p["activation"], p["kappa"])
        return p


BINARY = CommitteeModel("binary")
SPHERICAL = CommitteeModel("spherical")
WIDE_BINARY = WideModel("binary")
WIDE_SPHERICAL = WideModel("spherical")
