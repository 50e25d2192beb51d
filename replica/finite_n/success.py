r"""The 50% point of a success probability measured at several loads.

Model: the probability that an algorithm solves an instance at load alpha is the logistic
:math:`P(\alpha) = 1/(1 + e^{(\alpha - \alpha_{50})/w})` (w > 0). Fitted by maximum likelihood
on the binomial counts (k_j successes out of m_j instances at alpha_j). The error of alpha_50 is
from the profile likelihood: the interval where min_w [-ln L(alpha_50, w)] stays within 1/2 of
its minimum (68% for one parameter), on a grid of alpha_50 over the measured loads and of ln w
down to w = 1e-4, reported as the interval and its half-width. It stays meaningful when the
data are (nearly) separated — all successes below some load and all failures above, where the
ML width collapses and the observed information (the inverse Hessian, still reported for w)
does not measure anything: the interval is then the gap between the two loads. With all
successes or all failures the 50% point is not bracketed and the fit refuses (ReplicaInputError).
"""
from __future__ import annotations

import math

import numpy as np

from ..errors import ReplicaInputError

__all__ = ["fit_fifty_percent", "success_rows", "run_instance", "fit_inverse_n"]


def _nll(theta, a, k, m):
    a50, lw = theta
    w = math.exp(lw)
    z = (a - a50) / w
    # ln P = -ln(1 + e^z), ln(1 - P) = z - ln(1 + e^z)
    l1p = np.logaddexp(0.0, z)
    return float(np.sum(k * l1p + (m - k) * (l1p - z)))


def _profile_interval(a, k, m, a50_hat, nll_min):
    """The alpha_50 interval where the profile negative log-likelihood is <= its minimum + 1/2."""
    span = float(np.ptp(a))
    grid = np.linspace(a.min() - 0.25 * span, a.max() + 0.25 * span, 1201)
    lw = np.linspace(math.log(1e-4), math.log(max(span, 1e-3)), 161)
    z = (a[None, None, :] - grid[None, :, None]) / np.exp(lw)[:, None, None]
    l1p = np.logaddexp(0.0, z)
    prof = np.sum(k * l1p + (m - k) * (l1p - z), axis=2).min(axis=0)
    ok = grid[prof <= min(nll_min, prof.min()) + 0.5]
    lo, hi = min(float(ok.min()), a50_hat), max(float(ok.max()), a50_hat)
    return lo, hi


def fit_fifty_percent(alphas, successes, trials) -> dict:
    """ML logistic fit (module docstring). Returns ``alpha50``, ``alpha50_err`` (half-width of
    the profile-likelihood interval ``alpha50_lo``, ``alpha50_hi``), ``width``, ``width_err``,
    ``points`` (number of loads)."""
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
    lo, hi = _profile_interval(a, k, m, float(th[0]), float(res.fun))
    return {"alpha50": float(th[0]), "alpha50_err": 0.5 * (hi - lo), "alpha50_lo": lo,
            "alpha50_hi": hi, "width": w, "width_err": float(w * err[1]), "points": int(a.size)}


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


def fit_inverse_n(ns, values, errors) -> dict:
    """Weighted least squares values = v_inf + c/N (weights 1/errors^2): ``v_inf``, ``v_inf_err``,
    ``c``, ``c_err`` (from the inverse normal matrix) and ``chi2`` with ``dof`` = points - 2."""
    x = 1.0 / np.asarray(ns, float)
    y = np.asarray(values, float)
    w = 1.0 / np.asarray(errors, float) ** 2
    if x.size < 2 or not (x.shape == y.shape == w.shape) or not np.all(np.isfinite(w)):
        raise ReplicaInputError("need >= 2 points with finite errors for the 1/N fit")
    A = np.stack([np.ones_like(x), x], axis=1)
    cov = np.linalg.inv(A.T @ (A * w[:, None]))
    beta = cov @ (A.T @ (w * y))
    chi2 = float(np.sum(w * (y - A @ beta) ** 2))
    return {"v_inf": float(beta[0]), "v_inf_err": float(math.sqrt(cov[0, 0])),
            "c": float(beta[1]), "c_err": float(math.sqrt(cov[1, 1])), "chi2": chi2,
            "dof": int(x.size - 2)}
