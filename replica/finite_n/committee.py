r"""Exact enumeration of binary tree committee machines at finite N (ground truth for the RS
theory of docs/THEORY.md §8.4).

Problem: N = K n binary weights in K disjoint receptive fields of n inputs (n odd, so that no
hidden field vanishes with ±1 weights and Gaussian patterns a.s.), P patterns xi^mu in R^N with
i.i.d. N(0,1) entries, labels absorbed. Output sign(sum_l sign(w_l . xi_l^mu)); w is a solution
of the first P patterns iff the majority of the hidden signs is +1 on each of them. For every
P <= P_max this module counts the solutions of the first P patterns (patterns of a smaller alpha
are a prefix of one instance's sequence, as in :mod:`replica.finite_n.enumerate`).

Algorithm: the 2^n configurations of each branch are enumerated once; for each, the signs of its
field on the P_max patterns are packed in a 64-bit mask (bit mu set iff the field is > 0). For a
triple of branch configurations the output-correct mask is the bitwise majority
(a & b) | (c & (a | b)), and the number of leading patterns it satisfies is the number of
trailing one bits; a histogram of that number over all 2^N triples gives every count(P) at once.
Cost 2^N word operations (N = 21: 2e6, N = 27: 1.3e8), memory 3 * 2^n words. K = 1 (the
perceptron) is allowed as a check against :func:`replica.finite_n.enumerate.enumerate_perceptron`.
"""
from __future__ import annotations

import math

import numpy as np

from .._numba import jit
from ..errors import ReplicaInputError
from .enumerate import instance_seeds, make_patterns, n_patterns

__all__ = ["K_ALLOWED", "branch_masks", "count_instance", "enumerate_committee",
           "quenched_entropy"]

K_ALLOWED = (1, 3)
P_MAX = 63
N_MAX = 27


def branch_masks(xi_branch: np.ndarray) -> np.ndarray:
    """uint64 masks (2^n,) of a branch: bit mu set iff w . xi^mu > 0, for w of index i (bit b of
    i set iff w_b = +1)."""
    p, n = xi_branch.shape
    idx = np.arange(2 ** n, dtype=np.int64)
    W = 2.0 * ((idx[:, None] >> np.arange(n)) & 1) - 1.0
    pos = (W @ xi_branch.T) > 0.0
    masks = np.zeros(2 ** n, dtype=np.uint64)
    for mu in range(p):
        masks |= pos[:, mu].astype(np.uint64) << np.uint64(mu)
    return masks


@jit
def _trailing_ones(m):
    t = 0
    while m & np.uint64(1):
        m >>= np.uint64(1)
        t += 1
    return t


@jit
def _hist3(A, B, C, pmax):
    h = np.zeros(pmax + 2, dtype=np.int64)
    for i in range(A.shape[0]):
        a = A[i]
        for j in range(B.shape[0]):
            b = B[j]
            ab = a & b
            aob = a | b
            for k in range(C.shape[0]):
                m = ab | (C[k] & aob)
                t = _trailing_ones(m)
                if t > pmax:
                    t = pmax
                h[t] += 1
    return h


@jit
def _hist1(A, pmax):
    h = np.zeros(pmax + 2, dtype=np.int64)
    for i in range(A.shape[0]):
        t = _trailing_ones(A[i])
        if t > pmax:
            t = pmax
        h[t] += 1
    return h


def count_instance(xi: np.ndarray, k: int) -> np.ndarray:
    """counts[P] (P = 0..P_max) of solutions of the first P patterns of ``xi`` (shape (P_max, N))."""
    pmax, N = xi.shape
    if k not in K_ALLOWED:
        raise ReplicaInputError(f"k must be one of {K_ALLOWED} for enumeration, got {k}")
    if N % k or (N // k) % 2 == 0:
        raise ReplicaInputError(f"N must be K times an odd branch size, got N = {N}, K = {k}")
    if pmax > P_MAX:
        raise ReplicaInputError(f"at most {P_MAX} patterns, got {pmax}")
    n = N // k
    masks = [branch_masks(np.ascontiguousarray(xi[:, l * n:(l + 1) * n])) for l in range(k)]
    h = _hist1(masks[0], pmax) if k == 1 else _hist3(masks[0], masks[1], masks[2], pmax)
    return np.cumsum(h[::-1])[::-1][: pmax + 1]


def enumerate_committee(n: int, k: int, alphas, *, instances: int = 10, seed: int = 0) -> dict:
    """Counts of ``instances`` seeded Gaussian instances of a binary tree committee with N = n
    weights and K = k branches at every alpha (P = round(alpha N)). Returns ``alpha`` (P/N),
    ``p`` and ``counts[instance, alpha index]``. Instance i uses the pattern seed of
    :func:`replica.finite_n.enumerate.instance_seeds` (the same patterns as the perceptron
    enumerator's instance i)."""
    n = int(n)
    if n < 1 or n > N_MAX:
        raise ReplicaInputError(f"N must be in [1, {N_MAX}] for exact enumeration, got {n}")
    ps = np.array([n_patterns(n, a) for a in np.atleast_1d(alphas)], dtype=np.int64)
    if ps.max() > P_MAX:
        raise ReplicaInputError(f"alpha * N must be <= {P_MAX}, got {int(ps.max())}")
    counts = []
    for ss in instance_seeds(seed, instances):
        ss_pat, _ = ss.spawn(2)
        xi = make_patterns(n, int(ps.max()), ss_pat, "gaussian")
        c = count_instance(xi, k)
        counts.append(c[ps])
    return {"n": n, "k": k, "alpha": (ps / n).tolist(), "p": ps.tolist(),
            "counts": np.array(counts, dtype=np.int64)}


def quenched_entropy(run: dict) -> dict:
    """(1/N) mean ln count over instances with count > 0 (``entropy``, ``entropy_se``), the
    fraction of instances with no solution (``frac_zero``) and the annealed (1/N) ln mean count."""
    c = run["counts"].astype(float)
    n = run["n"]
    ent, se, fz, ann = [], [], [], []
    for j in range(c.shape[1]):
        pos = c[:, j][c[:, j] > 0]
        v = np.log(pos) / n
        ent.append(float(v.mean()) if v.size else None)
        se.append(float(v.std(ddof=1) / math.sqrt(v.size)) if v.size > 1 else None)
        fz.append(float(np.mean(c[:, j] == 0)))
        m = c[:, j].mean()
        ann.append(math.log(m) / n if m > 0 else None)
    return {"alpha": run["alpha"], "entropy": ent, "entropy_se": se, "frac_zero": fz,
            "entropy_annealed": ann}
