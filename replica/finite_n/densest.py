r"""Exact enumeration of the densest neighbourhoods of small binary perceptrons: the finite-N
ground truth of the large-deviation local entropy at y = infinity (docs/THEORY.md §8.2).

For one instance (patterns xi, P = round(alpha N)) the solutions of margin kappa are listed by
the meet-in-the-middle fields of :mod:`replica.finite_n.enumerate`; for every Hamming distance
D = 0..N the profile

    m(D) = max over references w~ (solutions of margin kappa_ref) of #{w : margin(w) >= kappa,
           Hamming(w, w~) = D}

is computed exactly (all pairs of solutions, popcount of the XOR of their indices). Then
(1/N) ln m(D), averaged over instances and extrapolated in 1/N
(:func:`replica.finite_n.enumerate.extrapolate_in_1_over_n`), estimates S_I(D/N) at
y = infinity. Cost: 2^N P for the listing, (#solutions)^2 for the profile (N = 21, alpha = 0.6:
~10^3 solutions).
"""
from __future__ import annotations

import numpy as np

from .._numba import jit
from ..errors import ReplicaInputError
from .enumerate import (_half_fields, _popcount, field_thresholds, instance_seeds,
                        make_patterns, n_patterns)

__all__ = ["solution_indices", "densest_profile", "densest_profiles"]

#: refuse a pairwise profile above this many solutions (memory/time guard)
MAX_SOLUTIONS = 200_000


@jit
def _list_kernel(FL, FR, thr, n_left, out):
    nl = FL.shape[0]
    nr = FR.shape[0]
    P = FL.shape[1]
    k = 0
    for j in range(nr):
        for i in range(nl):
            ok = True
            for mu in range(P):
                if FL[i, mu] + FR[j, mu] < thr:
                    ok = False
                    break
            if ok:
                if k < out.shape[0]:
                    out[k] = i + (j << n_left)
                k += 1
    return k


def solution_indices(xi, p: int, kappa: float = 0.0) -> np.ndarray:
    """Enumeration indices (bit b set <=> w_b = +1) of all w with min_{mu < p} Delta_mu >= kappa."""
    xi = np.ascontiguousarray(np.asarray(xi, dtype=float)[:p])
    n = xi.shape[1]
    if n < 2 or n > 25:
        raise ReplicaInputError(f"N must be in [2, 25] for exact enumeration, got {n}")
    n_left = n // 2
    FL = _half_fields(xi, 0, n_left)
    FR = _half_fields(xi, n_left, n)
    thr = float(field_thresholds([kappa], n)[0])
    out = np.empty(MAX_SOLUTIONS, dtype=np.int64)
    k = _list_kernel(FL, FR, thr, n_left, out)
    if k > MAX_SOLUTIONS:
        raise ReplicaInputError(f"{k} solutions: above the pairwise-profile budget "
                                f"{MAX_SOLUTIONS} (lower N or raise alpha)")
    return out[:k].copy()


@jit
def _max_profile(refs, sols, n):
    best = np.zeros(n + 1, dtype=np.int64)
    cnt = np.zeros(n + 1, dtype=np.int64)
    for a in range(refs.shape[0]):
        for k in range(n + 1):
            cnt[k] = 0
        ra = refs[a]
        for b in range(sols.shape[0]):
            cnt[_popcount(ra ^ sols[b])] += 1
        for k in range(n + 1):
            if cnt[k] > best[k]:
                best[k] = cnt[k]
    return best


def densest_profile(xi, p: int, kappa: float = 0.0, kappa_ref: float = 0.0) -> np.ndarray:
    """m(D), D = 0..N, for one instance (module docstring)."""
    n = np.asarray(xi).shape[1]
    sols = solution_indices(xi, p, kappa)
    refs = sols if kappa_ref == kappa else solution_indices(xi, p, kappa_ref)
    if refs.size == 0:
        return np.zeros(n + 1, dtype=np.int64)
    return _max_profile(refs, sols, n)


def densest_profiles(n: int, alpha: float, *, instances: int = 10, seed: int = 0,
                     kappa: float = 0.0, kappa_ref: float = 0.0,
                     patterns: str = "gaussian") -> np.ndarray:
    """Profiles m(D) of ``instances`` independent instances (rows), seeds as in
    :func:`replica.finite_n.enumerate.instance_seeds`."""
    p = n_patterns(n, alpha)
    rows = [densest_profile(make_patterns(n, p, s, patterns), p, kappa, kappa_ref)
            for s in instance_seeds(seed, instances)]
    return np.array(rows)
