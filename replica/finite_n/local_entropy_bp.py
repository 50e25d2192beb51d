r"""Local entropy of a given configuration at large N, by AMP on the tilted measure.

Around a reference w~ (usually a solution found by some algorithm), the measure on solutions

.. math:: P_\gamma(w) \propto \prod_\mu \theta(\Delta_\mu(w) - \kappa)\ e^{\gamma \sum_i w_i \tilde w_i}

has the free entropy :math:`\phi(\gamma) = \frac1N \ln \sum_w \prod_\mu\theta(\cdot)\,
e^{\gamma w\cdot\tilde w}` and the mean overlap :math:`p(\gamma) = \phi'(\gamma)`. Its Legendre
transform is the local entropy (the log-number of solutions at overlap p, per weight)

.. math:: S(d) = \phi(\gamma) - \gamma\, p(\gamma),\qquad d = (1 - p)/2

(docs/THEORY.md §2 and §8.5; Baldassi et al., PRL 115, 128101 (2015); PRL 127, 278301 (2021)).
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


#: References accepted by :func:`local_entropy_instances` (solver names of
#: :func:`replica.finite_n.algorithms.all_algorithms`).
REFERENCES = ("fbp", "rbp", "sbpi", "sa", "replicated", "bp-sample")


def local_entropy_instances(n: int, alpha: float, reference: str = "fbp", *, instances: int = 2,
                            seed: int = 0, kappa: float = 0.0, gammas=None,
                            patterns: str = "gaussian", solver_options=None, progress=None) -> dict:
    """The tilted-BP local entropy around references found by ``reference`` on ``instances``
    seeded instances (instance i: patterns from ``instance_seeds(seed, instances)[i]``, solver seed
    ``seed + i``); the same gammas for every instance. Per gamma: mean ``d`` and ``entropy`` over
    the instances converged there, ``stderr`` (standard error of the mean entropy; None with fewer
    than 2), ``d_stderr``, ``converged`` (all used instances converged), ``converged_count``.
    Unsolved instances are skipped and counted in ``unsolved``."""
    from .algorithms import solve_binary, verify_solution
    from .amp import check_problem_size
    from .enumerate import instance_seeds, make_patterns, n_patterns

    if reference not in REFERENCES:
        raise ReplicaInputError(f"reference must be one of {', '.join(REFERENCES)}, got {reference!r}")
    p = n_patterns(n, alpha)
    check_problem_size(n, p)
    g = np.sort(default_gammas() if gammas is None else np.asarray(gammas, dtype=float))[::-1]
    opts = dict(solver_options or {})
    if kappa != 0.0:
        if reference not in ("fbp", "rbp", "bp-sample"):
            raise ReplicaInputError(f"kappa != 0 needs a message-passing reference, got {reference!r}")
        opts["kappa"] = kappa
    curves, unsolved = [], 0
    for k, ss in enumerate(instance_seeds(seed, instances)):
        xi = make_patterns(n, p, ss, patterns)
        r = solve_binary(reference, xi, seed=seed + k, **opts)
        if not (r.solved and verify_solution(xi, r.w, kappa)):
            unsolved += 1
            if progress is not None:
                progress(f"instance {k + 1}/{instances}: {reference} found no solution")
            continue
        le = tilted_local_entropy(xi, r.w, kappa=kappa, gammas=g)
        curves.append(le)
        if progress is not None:
            progress(f"instance {k + 1}/{instances}: {int(le['converged'].sum())}/{g.size} "
                     "gammas converged")
    rows = {k: [] for k in ("d", "d_stderr", "entropy", "stderr", "converged", "converged_count")}
    for j in range(g.size):
        ok = [c for c in curves if c["converged"][j]]
        d = np.array([c["d"][j] for c in ok])
        s = np.array([c["entropy"][j] for c in ok])
        rows["d"].append(float(d.mean()) if d.size else None)
        rows["entropy"].append(float(s.mean()) if s.size else None)
        rows["stderr"].append(float(s.std(ddof=1) / math.sqrt(s.size)) if s.size > 1 else None)
        rows["d_stderr"].append(float(d.std(ddof=1) / math.sqrt(d.size)) if d.size > 1 else None)
        rows["converged"].append(bool(curves) and len(ok) == len(curves))
        rows["converged_count"].append(len(ok))
    return {"n": n, "p": p, "alpha": p / n, "kappa": kappa, "reference": reference,
            "patterns": patterns, "seed": seed, "instances": instances,
            "instances_used": len(curves), "unsolved": unsolved, "gamma": g.tolist(), **rows,
            "curves": curves}
