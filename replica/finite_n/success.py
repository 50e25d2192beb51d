r"""The 50% point of a success probability measured at several loads.

Model: the probability that an algorithm solves an instance at load alpha is the logistic
:math:`P(\alpha) = 1/(1 + e^{(\alpha - \alpha_{50})/w})` (w > 0). Fitted by maximum likelihood
on the binomial counts (k_j successes out of m_j instances at alpha_j); the standard errors of
alpha_50 and w are the square roots of the diagonal of the inverse Hessian of the negative
log-likelihood (observed information, finite differences). With all successes or all failures
the 50% point is not bracketed and the fit refuses (ReplicaInputError).
"""
from __future__ import annotations

import math

import numpy as np

from ..errors import ReplicaInputError

__all__ = ["fit_fifty_percent", "success_rows", "run_instance"]


def _nll(theta, a, k, m):
    a50, lw = theta
    w = math.exp(lw)
    z = (a - a50) / w
    # ln P = -ln(1 + e^z), ln(1 - P) = z - ln(1 + e^z)
    l1p = np.logaddexp(0.0, z)
    return float(np.sum(k * l1p + (m - k) * (l1p - z)))


def fit_fifty_percent(alphas, successes, trials) -> dict:
    """ML logistic fit (module docstring). Returns ``alpha50``, ``alpha50_err``, ``width``,
    ``width_err``, ``points`` (number of loads)."""
    from scipy.optimize import minimize

    a = np.asarray(alphas, float)
    k = np.asarray(successes, float)
    m = np.asarray(trials, float)
    if a.shape != k.shape or a.shape != m.shape or a.size < 2:
        raise ReplicaInputError("alphas, successes and trials must have the same length >= 2")
    if np.any(m < 1) or np.any(k < 0) or np.any(k > m):
        raise ReplicaInputError("need 0 <= successes <= trials and trials >= 1")
    f = k / m
    if not (np.any(f >= 0.5) and np.any(f <= 0.5) and np.ptp(f) > 0):
        raise ReplicaInputError("the 50% point is not bracketed by the measured loads")
    # start: linear interpolation of the crossing
    order = np.argsort(a)
    a50_0 = float(np.interp(0.5, f[order][::-1], a[order][::-1])) if np.all(np.diff(f[order]) <= 0) \
        else float(np.mean(a))
    res = minimize(_nll, [a50_0, math.log(0.01)], args=(a, k, m), method="Nelder-Mead",
                   options={"xatol": 1e-10, "fatol": 1e-12, "maxiter": 4000})
    th = res.x
    # observed information by central differences
    hs = np.array([1e-4, 1e-3])
    Hm = np.zeros((2, 2))
    for i in range(2):
        for j in range(2):
            ei, ej = np.eye(2)[i] * hs[i], np.eye(2)[j] * hs[j]
            Hm[i, j] = (_nll(th + ei + ej, a, k, m) - _nll(th + ei - ej, a, k, m)
                        - _nll(th - ei + ej, a, k, m) + _nll(th - ei - ej, a, k, m)) / (4 * hs[i] * hs[j])
    try:
        cov = np.linalg.inv(Hm)
        err = np.sqrt(np.maximum(np.diag(cov), 0.0))
    except np.linalg.LinAlgError:
        err = np.array([math.inf, math.inf])
    w = math.exp(th[1])
    return {"alpha50": float(th[0]), "alpha50_err": float(err[0]), "width": w,
            "width_err": float(w * err[1]), "points": int(a.size)}


def success_rows(records) -> list[dict]:
    """Aggregate per-instance records (dicts with ``solver``, ``algorithm``, ``n``, ``p``,
    ``solved``, ``iterations``, ``seconds``, ``options``) into one row per (solver, N, P): the
    success fraction, its binomial standard error sqrt(f(1-f)/m), the median iterations of the
    successes and the total seconds."""
    groups: dict = {}
    for r in records:
        groups.setdefault((r["solver"], int(r["n"]), int(r["p"])), []).append(r)
    rows = []
    for (solver, n, p), rs in sorted(groups.items()):
        m = len(rs)
        f = sum(bool(r["solved"]) for r in rs) / m
        its = [r["iterations"] for r in rs if r["solved"]]
        rows.append({"solver": solver, "algorithm": rs[0]["algorithm"], "n": n, "p": p,
                     "alpha": p / n, "instances": m, "successes": int(round(f * m)),
                     "success": f, "success_se": math.sqrt(f * (1.0 - f) / m),
                     "median_iterations": float(np.median(its)) if its else None,
                     "seconds": round(float(sum(r["seconds"] for r in rs)), 1),
                     "options": rs[0]["options"]})
    return rows


def run_instance(solver: str, algorithm: str, options: dict, n: int, alpha: float, index: int,
                 instances: int, *, seed: int, patterns: str = "pm1") -> dict:
    """Solve instance ``index`` of ``instances`` at (N, alpha) with ``algorithm`` (a name of
    :func:`replica.finite_n.algorithms.solve_binary`) and ``options``: patterns from
    ``instance_seeds(seed, instances)[index]``, solver seed ``seed + index``. Returns the record
    that :func:`success_rows` aggregates (``solver`` is the caller's label of the algorithm and
    its options). A reported solution that fails the from-scratch check raises RuntimeError."""
    import time

    from .algorithms import solve_binary, verify_solution
    from .enumerate import instance_seeds, make_patterns, n_patterns

    p = n_patterns(n, alpha)
    xi = make_patterns(n, p, instance_seeds(seed, instances)[index], patterns)
    t0 = time.perf_counter()
    r = solve_binary(algorithm, xi, seed=seed + index, **options)
    sec = time.perf_counter() - t0
    if r.solved and not verify_solution(xi, r.w):
        raise RuntimeError(f"{solver} N={n} alpha={alpha} instance {index}: the reported "
                           "solution violates a constraint")
    return {"solver": solver, "algorithm": algorithm, "n": n, "p": p, "alpha": p / n,
            "instance": index, "solved": bool(r.solved), "iterations": int(r.iterations),
            "reason": r.params.get("reason"), "seconds": round(sec, 2), "options": dict(options)}
