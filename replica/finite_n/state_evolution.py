r"""State evolution of AMP for the binary perceptron (storage, margin kappa, beta = inf).

For i.i.d. patterns of unit variance and N -> inf, the overlap q_t = sum_i (a_i^t)^2 / N of AMP
started from a = 0 follows a deterministic recursion (Bayati–Montanari 2011; Rangan 2011; in the
notation of arXiv:2607.27000 §7 and docs/THEORY.md §8.5), with u(z) = (kappa - sqrt(q) z)/sqrt(1-q):

.. math::
    \hat q_t = \frac{\alpha}{1 - q_t}\int Dz\, G\big(u_t(z)\big)^2,\qquad
    q_{t+1} = \int Dz\, \tanh^2\!\big(\sqrt{\hat q_t}\, z\big),\qquad q_0 = 0 .

Its fixed points are the RS saddle points of Gardner–Derrida (docs/THEORY.md §1), and at a fixed
point the Bethe free entropy of :mod:`replica.finite_n.amp` tends to the RS entropy

.. math:: s = -\tfrac12\hat q (1 - q) + \int Dz \ln 2\cosh(\sqrt{\hat q} z)
              + \alpha \int Dz \ln H(u(z)) .

Numerics: the two integrals on the composite Gauss–Legendre rules of :mod:`replica.gauss`; the
energetic rule is graded around the crossover z = kappa/sqrt(q) of width sqrt((1-q)/q). Kept
separate from the theory models on purpose (finite_n is the independent side of the comparison).
"""
from __future__ import annotations

import math

import numpy as np

from ..errors import ConvergenceError, ReplicaInputError, check_range
from ..gauss import G, graded_gaussian_rule, log_2cosh, log_H

__all__ = ["state_evolution", "se_qhat", "se_q", "rs_entropy"]


def _entropic_rule(qh):
    """Graded around z = 0 on the scale 1/sqrt(qh) of tanh(sqrt(qh) z)."""
    return graded_gaussian_rule([0.0], [min(1.0, 1.0 / math.sqrt(max(qh, 1e-300)))])


def _energetic_rule(q, kappa):
    if q <= 0.0:
        return graded_gaussian_rule()
    return graded_gaussian_rule([kappa / math.sqrt(q)], [math.sqrt((1.0 - q) / q)])


def se_qhat(q: float, alpha: float, kappa: float = 0.0) -> float:
    """alpha/(1-q) int Dz G(u(z))^2."""
    z, w = _energetic_rule(q, kappa)
    u = (kappa - math.sqrt(q) * z) / math.sqrt(1.0 - q)
    return float(alpha * np.dot(w, G(u) ** 2) / (1.0 - q))


def se_q(qh: float) -> float:
    """int Dz tanh^2(sqrt(qh) z)."""
    z, w = _entropic_rule(qh)
    return float(np.dot(w, np.tanh(math.sqrt(qh) * z) ** 2))


def rs_entropy(q: float, qh: float, alpha: float, kappa: float = 0.0) -> float:
    """The RS free entropy at (q, qh) (module docstring)."""
    z, w = _entropic_rule(qh)
    ent = float(np.dot(w, log_2cosh(math.sqrt(qh) * z)))
    ze, we = _energetic_rule(q, kappa)
    en = float(np.dot(we, log_H((kappa - math.sqrt(q) * ze) / math.sqrt(1.0 - q))))
    return -0.5 * qh * (1.0 - q) + ent + alpha * en


def state_evolution(alpha: float, kappa: float = 0.0, *, q0: float = 0.0, max_iter: int = 2000,
                    tol: float = 1e-12, raise_on_failure: bool = True) -> dict:
    """Iterate the recursion from q0 (module docstring). Returns ``q`` (array q_0..q_T), ``qh``,
    the fixed point ``q_star``, ``qh_star``, its RS ``entropy``, ``iterations``, ``converged``.
    Raises ConvergenceError if |q_{t+1} - q_t| > tol after max_iter steps (near the binary
    capacity the recursion slows down) unless ``raise_on_failure`` is False."""
    alpha = check_range("alpha", alpha, 0.0)
    kappa = check_range("kappa", kappa)
    q = check_range("q0", q0, 0.0, 1.0, hi_open=True)
    if int(max_iter) < 1:
        raise ReplicaInputError(f"max_iter must be >= 1, got {max_iter}")
    qs, qhs = [q], []
    converged = False
    for _ in range(int(max_iter)):
        qh = se_qhat(q, alpha, kappa)
        qn = se_q(qh)
        qhs.append(qh)
        qs.append(qn)
        if not np.isfinite(qn) or qn >= 1.0:
            break
        if abs(qn - q) < tol:
            q = qn
            converged = True
            break
        q = qn
    if not converged and raise_on_failure:
        raise ConvergenceError("state evolution did not reach a fixed point", model="state-evolution",
                               params={"alpha": alpha, "kappa": kappa}, iterations=len(qhs),
                               residual=[qs[-1] - qs[-2]])
    qh = se_qhat(q, alpha, kappa) if q < 1.0 else math.inf
    ent = rs_entropy(q, qh, alpha, kappa) if converged else math.nan
    return {"q": np.array(qs), "qh": np.array(qhs), "q_star": q, "qh_star": qh, "entropy": ent,
            "iterations": len(qhs), "converged": converged, "alpha": alpha, "kappa": kappa}
