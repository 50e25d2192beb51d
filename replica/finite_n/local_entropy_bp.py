r"""Local entropy of a given configuration at large N, by AMP on the tilted measure.

Around a reference w~ (usually a solution found by some algorithm), the measure on solutions

.. math:: P_\gamma(w) \propto \prod_\mu \theta(\Delta_\mu(w) - \kappa)\ e^{\gamma \sum_i w_i \tilde w_i}

has the free entropy :math:`\phi(\gamma) = \frac1N \ln \sum_w \prod_\mu\theta(\cdot)\,
e^{\gamma w\cdot\tilde w}` and the mean overlap :math:`p(\gamma) = \phi'(\gamma)`. Its Legendre
transform is the local entropy (the log-number of solutions at overlap p, per weight)

.. math:: S(d) = \phi(\gamma) - \gamma\, p(\gamma),\qquad d = (1 - p)/2

(docs/THEORY.md §2 and §7.6; Baldassi et al., PRL 115, 128101 (2015); PRL 127, 278301 (2021)).
phi is the Bethe free entropy of AMP with the external field b = gamma w~
(:mod:`replica.finite_n.amp`), p = a.w~/N at its fixed point. The sweep goes from the largest
gamma (smallest d, started from a = tanh(gamma) w~) down, each point warm-started from the
previous one. Where AMP does not converge the point is reported with ``converged = False`` (near
an isolated reference, at small d, the tilted measure has no BP fixed point close to w~).

Default gammas: gamma_k = (1/2) ln((1 - d_k)/d_k), the slope of H2 at the target distances d_k
(geometric from 1e-3 to 0.3), which places the points near those distances when S(d) ~ H2(d).
"""
from __future__ import annotations

import math

import numpy as np

from ..errors import ReplicaInputError, check_range
from .amp import AMPState, amp_iteration, bethe_free_entropy, check_patterns

__all__ = ["tilted_local_entropy", "default_gammas"]


def default_gammas(points: int = 20, d_min: float = 1e-3, d_max: float = 0.3) -> np.ndarray:
    """gamma_k = (1/2) ln((1-d_k)/d_k) with d_k geometric in [d_min, d_max], decreasing gamma."""
    if int(points) < 1:
        raise ReplicaInputError(f"points must be >= 1, got {points}")
    d = np.geomspace(d_min, d_max, int(points))
    return 0.5 * np.log((1.0 - d) / d)


def tilted_local_entropy(xi, w_ref, *, kappa: float = 0.0, gammas=None, tol: float = 1e-7,
                         max_iter: int = 500, damping: float = 0.2) -> dict:
    """Sweep gamma (decreasing) and return arrays ``gamma``, ``phi``, ``p``, ``d``, ``entropy``
    (= phi - gamma p), ``converged``, ``iterations``, ``delta`` (last undamped change), plus
    ``h2`` = H2(d) for comparison (module docstring)."""
    X = check_patterns(xi)
    p_, n = X.shape
    w = np.asarray(w_ref)
    if w.shape != (n,) or not np.all(np.abs(w) == 1):
        raise ReplicaInputError(f"w_ref must be a ±1 vector of length N = {n}")
    w = w.astype(np.float64)
    kappa = float(check_range("kappa", kappa))
    check_range("damping", damping, 0.0, 1.0, hi_open=True)
    g = default_gammas() if gammas is None else np.asarray(gammas, dtype=float)
    if g.ndim != 1 or g.size < 1 or not np.all(np.isfinite(g)) or np.any(g < 0):
        raise ReplicaInputError("gammas must be a non-empty list of finite numbers >= 0")
    g = np.sort(g)[::-1]
    st = AMPState.start(n, p_, math.tanh(min(g[0], 20.0)) * w)
    out = {k: [] for k in ("gamma", "phi", "p", "d", "entropy", "converged", "iterations", "delta")}
    for gamma in g:
        b = gamma * w
        delta, it = math.inf, 0
        for it in range(1, int(max_iter) + 1):
            delta = amp_iteration(X, st, b, kappa=kappa, damping=damping)
            if not np.isfinite(delta) or delta < tol:
                break
        ok = bool(np.isfinite(delta) and delta < tol)
        if not np.all(np.isfinite(st.h)):
            st = AMPState.start(n, p_, math.tanh(min(gamma, 20.0)) * w)   # restart the next point
            phi, p = math.nan, math.nan
            ok = False
        else:
            phi = bethe_free_entropy(st, b)
            p = float(np.dot(np.tanh(st.h + b), w) / n)
        out["gamma"].append(float(gamma))
        out["phi"].append(phi)
        out["p"].append(p)
        out["d"].append(0.5 * (1.0 - p))
        out["entropy"].append(phi - gamma * p)
        out["converged"].append(ok)
        out["iterations"].append(it)
        out["delta"].append(float(delta))
    res = {k: np.array(v) for k, v in out.items()}
    d = res["d"]
    with np.errstate(divide="ignore", invalid="ignore"):
        res["h2"] = np.where((d > 0) & (d < 1), -d * np.log(d) - (1 - d) * np.log1p(-d), 0.0)
    res["n"] = n
    res["alpha"] = p_ / n
    return res
