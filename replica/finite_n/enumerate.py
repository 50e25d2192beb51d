r"""Exact enumeration of the binary perceptron at finite N (ground truth for the replica theory).

Problem (docs/THEORY.md §0, §1, §7). Weights :math:`w\in\{-1,+1\}^N`, patterns :math:`\xi^\mu\in\mathbb R^N`
(i.i.d. N(0,1) entries, or i.i.d. ±1 entries), labels absorbed in the patterns, stabilities

.. math:: \Delta_\mu(w) = w\cdot\xi^\mu/\sqrt N ,\qquad
          \text{margin}_P(w) = \min_{\mu\le P}\Delta_\mu(w).

For one instance (a fixed sequence of patterns) and every requested number of patterns
:math:`P = \mathrm{round}(\alpha N)` this module returns

* ``counts[k]`` = #{w : margin_P(w) >= kappa_k} for a list of kappa;
* the maximum margin :math:`\kappa_{\max} = \max_w \mathrm{margin}_P(w)`, its maximiser (the one with
  the smallest index, see below) and the number of maximisers (ties occur with ±1 patterns);
* the distance profiles :math:`n(D) = \#\{w: \mathrm{margin}_P(w)\ge\kappa_{\rm prof},\
  \mathrm{Hamming}(w, w_{\rm ref}) = D\}`, D = 0..N (d = D/N), around (a) the max-margin solution
  and (b) a solution drawn uniformly at random among the solutions of margin >= kappa_prof.

The patterns of smaller P are the first rows of the same instance, so counts are non-increasing
in P. **No w -> -w symmetry is used**: with labels absorbed, Delta(-w) = -Delta(w), so w and -w
are never both solutions at kappa >= 0 (and at kappa < 0 both can be); all 2^N vectors are
enumerated.

Algorithm (meet in the middle, exact and drift-free). Write w = (w_L, w_R) with n_L = floor(N/2)
low bits and n_R = N - n_L high bits. The partial fields ``FL[i, mu] = w_L(i).xi_L^mu`` and
``FR[j, mu] = w_R(j).xi_R^mu`` are computed once by two small matrix products (cost
2^{N/2} P N); the field of w = (i, j) is ``FL[i, mu] + FR[j, mu]`` — a single rounding, so there is
no accumulation of rounding error (unlike Gray-code updates), and with ±1 patterns every field is
an exact integer. The numba kernel loops over the 2^N pairs and over mu in order, keeping the
running minimum, and records it at each requested P (one pass serves all P). It stops a w's
pattern loop as soon as its running minimum falls below both the smallest kappa threshold and the
best margin found so far at the largest P: from then on w cannot contribute to any count or maximum.
Worst-case cost 2^N * P_max additions/comparisons per pass; with the early exit most w stop after
a few patterns, so the typical cost is ~2^N * O(1). Three passes per instance: counts and maxima;
the max-margin profile and the location of the random reference (the k-th solution in
enumeration order, k uniform); the random-reference profile.
Memory O(2^{N/2} P + P N). N <= 25 (2^25 = 3.4e7 vectors): on one core about 0.5 s per
instance for the counting pass and 2 s with both profiles (N = 21: 0.03 s and 0.1 s; see
benchmarks/bench_enumeration.py).

Conventions made explicit:

* Index of w: bit b of the integer ``idx`` (b = 0..N-1) is 1 iff w_b = +1. Hamming distance
  between two vectors = popcount(idx1 XOR idx2). Enumeration order = increasing idx; among several
  maximisers the one with the smallest idx is returned.
* The comparison Delta >= kappa is made on the unnormalised field h = w.xi >= kappa sqrt(N) - eps
  with eps = 1e-12 max(1, |kappa| sqrt(N)), so that a kappa equal to a reported (rounded) margin
  counts as reached. With ±1 patterns fields are integers of the parity of N and eps changes
  nothing else (for even N, Delta = 0 occurs and counts as >= 0); with Gaussian patterns a field
  within eps of the threshold has probability ~1e-12.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from .._numba import jit
from ..errors import ReplicaInputError, check_int, check_memory, check_range, check_work
from ..gauss import h2

__all__ = [
    "N_MAX", "PATTERNS", "make_patterns", "instance_seeds", "n_patterns", "field_thresholds",
    "InstanceResult", "enumerate_instance", "distance_profile", "enumerate_perceptron",
    "EnumerationRun", "quenched_summary", "extrapolate_in_1_over_n", "count_numpy",
    "index_to_weights", "weights_to_index", "profile_local_entropy",
]

#: Largest N accepted by the enumerator (2^25 = 3.4e7 weight vectors).
N_MAX = 25
PATTERNS = ("gaussian", "pm1")
_EPS = 1e-12


# --------------------------------------------------------------------------------------------------
# instances
# --------------------------------------------------------------------------------------------------
def _check_patterns(patterns: str) -> str:
    if patterns not in PATTERNS:
        raise ReplicaInputError(f"patterns must be one of {', '.join(PATTERNS)}, got {patterns!r}")
    return patterns


def instance_seeds(seed: int, instances: int) -> list[np.random.SeedSequence]:
    """Independent seed sequences of the instances: ``SeedSequence(seed).spawn(instances)``.

    Instance ``i`` of a run with seed ``s`` is the same whatever the other arguments (N aside)."""
    if int(instances) < 1:
        raise ReplicaInputError(f"instances must be >= 1, got {instances}")
    return np.random.SeedSequence(int(seed)).spawn(int(instances))


def make_patterns(n: int, p: int, seed, patterns: str = "gaussian") -> np.ndarray:
    """Patterns of one instance, shape (p, n), labels absorbed (xi^mu <- sigma^mu xi^mu).

    ``gaussian``: i.i.d. N(0, 1); ``pm1``: i.i.d. uniform ±1 (float64, exact integers).
    ``seed`` is an int or a SeedSequence; rows are generated in order, so the first rows do not
    depend on ``p`` (patterns of a smaller alpha are a prefix of those of a larger one)."""
    _check_patterns(patterns)
    check_memory("alpha", 16.0 * int(p) * int(n),
                 f"the patterns (P = {int(p)} x N = {int(n)} floats)")
    rng = np.random.default_rng(seed)
    if patterns == "gaussian":
        return rng.standard_normal((int(p), int(n)))
    return (2.0 * rng.integers(0, 2, size=(int(p), int(n))) - 1.0)


def n_patterns(n: int, alpha: float) -> int:
    """P = round(alpha N) (>= 1 required); the effective alpha reported is P/N."""
    a = check_range("alpha", alpha, 0.0)
    p = int(round(a * n))
    if p < 1:
        raise ReplicaInputError(f"alpha*N must round to at least one pattern, got alpha={a}, N={n}")
    return p


def field_thresholds(kappas, n: int) -> np.ndarray:
    """Field thresholds h >= kappa sqrt(N) - eps (see the module docstring for eps)."""
    k = np.asarray(kappas, dtype=float)
    s = math.sqrt(n)
    return k * s - _EPS * np.maximum(1.0, np.abs(k) * s)


def index_to_weights(idx: int, n: int) -> np.ndarray:
    """Weight vector (int8 ±1) of enumeration index ``idx`` (bit b set <=> w_b = +1)."""
    bits = (int(idx) >> np.arange(n)) & 1
    return (2 * bits - 1).astype(np.int8)


def weights_to_index(w) -> int:
    """Inverse of :func:`index_to_weights`."""
    w = np.asarray(w)
    if not np.all(np.abs(w) == 1):
        raise ReplicaInputError("weights must be ±1")
    return int(np.sum((w > 0).astype(np.int64) << np.arange(w.size, dtype=np.int64)))


def _half_fields(xi: np.ndarray, lo: int, hi: int) -> np.ndarray:
    """Partial fields of all 2^(hi-lo) sign vectors on coordinates lo..hi-1: shape (2^(hi-lo), P)."""
    nb = hi - lo
    idx = np.arange(1 << nb, dtype=np.int64)
    signs = 2.0 * ((idx[:, None] >> np.arange(nb)) & 1) - 1.0
    return np.ascontiguousarray(signs @ xi[:, lo:hi].T)


# --------------------------------------------------------------------------------------------------
# numba kernels
# --------------------------------------------------------------------------------------------------
@jit
def _popcount(x):
    # SWAR popcount for 0 <= x < 2^32 (indices have at most 25 bits)
    x = x - ((x >> 1) & 0x55555555)
    x = (x & 0x33333333) + ((x >> 2) & 0x33333333)
    x = (x + (x >> 4)) & 0x0F0F0F0F
    return ((x * 0x01010101) & 0xFFFFFFFF) >> 24


@jit
def _count_kernel(FL, FR, pcut, thr, n_left):
    """Pass 1: counts[c, k] = #{w: min_{mu<pcut[c]} h_mu >= thr[k]} (thr ascending), best field
    margin per cut, its smallest index and the number of maximisers."""
    ncut = pcut.size
    nk = thr.size
    counts = np.zeros((ncut, nk), dtype=np.int64)
    best = np.full(ncut, -np.inf)
    best_idx = np.full(ncut, -1, dtype=np.int64)
    n_best = np.zeros(ncut, dtype=np.int64)
    pmax = pcut[ncut - 1]
    thr0 = thr[0]
    for j in range(FR.shape[0]):
        for i in range(FL.shape[0]):
            m = np.inf
            c = 0
            floor = min(thr0, best[ncut - 1])
            for mu in range(pmax):
                h = FL[i, mu] + FR[j, mu]
                if h < m:
                    m = h
                    if m < floor:
                        break  # can neither be counted nor be a maximiser at any later cut
                if mu + 1 == pcut[c]:
                    for k in range(nk):
                        if m >= thr[k]:
                            counts[c, k] += 1
                        else:
                            break
                    if m > best[c]:
                        best[c] = m
                        best_idx[c] = (j << n_left) | i
                        n_best[c] = 1
                    elif m == best[c]:
                        n_best[c] += 1
                    c += 1
                    floor = min(thr0, best[ncut - 1])
    return counts, best, best_idx, n_best


@jit
def _profile_kernel(FL, FR, pcut, thr, n_left, n, refs, kth):
    """Passes 2–3: hist[c, r, D] = #{solutions at cut c (min field >= thr) at Hamming distance D
    from refs[c, r]} (refs < 0 skipped); found[c] = index of the kth[c]-th solution (0-based)."""
    ncut = pcut.size
    nref = refs.shape[1]
    hist = np.zeros((ncut, nref, n + 1), dtype=np.int64)
    seen = np.zeros(ncut, dtype=np.int64)
    found = np.full(ncut, -1, dtype=np.int64)
    pmax = pcut[ncut - 1]
    for j in range(FR.shape[0]):
        for i in range(FL.shape[0]):
            m = np.inf
            c = 0
            for mu in range(pmax):
                h = FL[i, mu] + FR[j, mu]
                if h < m:
                    m = h
                    if m < thr:
                        break
                if mu + 1 == pcut[c]:
                    idx = (j << n_left) | i
                    for r in range(nref):
                        ref = refs[c, r]
                        if ref >= 0:
                            hist[c, r, _popcount(idx ^ ref)] += 1
                    if seen[c] == kth[c]:
                        found[c] = idx
                    seen[c] += 1
                    c += 1
    return hist, seen, found


@jit
def _reference_profile_kernel(FL, FR, pmax, thr, n_left, n, ref):
    """Distance profile of the solutions of the first ``pmax`` patterns around one index."""
    hist = np.zeros(n + 1, dtype=np.int64)
    for j in range(FR.shape[0]):
        for i in range(FL.shape[0]):
            ok = True
            for mu in range(pmax):
                if FL[i, mu] + FR[j, mu] < thr:
                    ok = False
                    break
            if ok:
                hist[_popcount(((j << n_left) | i) ^ ref)] += 1
    return hist


# --------------------------------------------------------------------------------------------------
# one instance
# --------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class InstanceResult:
    """Enumeration of one instance at several P (arrays indexed [P index, ...]).

    ``counts[c, k]``: #solutions of margin >= kappas[k] with the first ps[c] patterns;
    ``max_margin[c]``, ``argmax[c]`` (enumeration index), ``n_maximisers[c]``;
    ``profile_max[c, D]`` / ``profile_random[c, D]``: #solutions of margin >= profile_kappa at
    Hamming distance D from the max-margin / a uniformly drawn solution (``random_ref[c]``, -1 and an
    all-zero profile when there is no solution); ``n_solutions[c]`` = #solutions of margin >=
    profile_kappa (each profile sums to it)."""
    n: int
    ps: np.ndarray
    kappas: np.ndarray
    counts: np.ndarray
    max_margin: np.ndarray
    argmax: np.ndarray
    n_maximisers: np.ndarray
    profile_kappa: float
    n_solutions: np.ndarray
    profile_max: np.ndarray | None = None
    profile_random: np.ndarray | None = None
    random_ref: np.ndarray | None = None

    @property
    def alphas(self) -> np.ndarray:
        return self.ps / self.n


def _prepare(xi, ps):
    xi = np.ascontiguousarray(np.asarray(xi, dtype=float))
    if xi.ndim != 2:
        raise ReplicaInputError("patterns must be a 2-D array (P, N)")
    pmax_avail, n = xi.shape
    if n < 2 or n > N_MAX:
        raise ReplicaInputError(f"N must be in [2, {N_MAX}] for exact enumeration, got {n}")
    if not np.all(np.isfinite(xi)):
        raise ReplicaInputError("patterns must be finite")
    ps = np.asarray(ps, dtype=np.int64)
    if ps.ndim != 1 or ps.size == 0 or np.any(ps < 1) or np.any(ps > pmax_avail):
        raise ReplicaInputError(f"numbers of patterns must be in [1, {pmax_avail}], got {ps.tolist()}")
    n_left = n // 2
    FL = _half_fields(xi, 0, n_left)
    FR = _half_fields(xi, n_left, n)
    return xi, n, n_left, FL, FR, ps


def enumerate_instance(xi, ps, kappas=(0.0,), *, profile_kappa: float = 0.0, profiles: bool = True,
                       rng=None) -> InstanceResult:
    """Enumerate all 2^N weight vectors for the patterns ``xi`` (P_max, N) at the pattern numbers
    ``ps`` (any order, duplicates allowed; results follow the sorted unique values).

    ``rng`` draws the random reference: k uniform in [0, #solutions) and the k-th solution in
    enumeration order. A numpy Generator (or an int seed) draws k for the sorted P in turn; a
    ``SeedSequence`` gives each P its own stream (child key P), so that the reference at a given P
    does not depend on which other P are requested."""
    kappas = np.atleast_1d(np.asarray(kappas, dtype=float))
    if kappas.size == 0 or not np.all(np.isfinite(kappas)):
        raise ReplicaInputError("kappas must be a non-empty list of finite numbers")
    profile_kappa = float(profile_kappa)
    xi, n, n_left, FL, FR, ps = _prepare(xi, ps)
    pcut = np.unique(ps)
    all_k = np.unique(np.concatenate([kappas, [profile_kappa]]))
    thr = field_thresholds(all_k, n)
    counts_all, best, best_idx, n_best = _count_kernel(FL, FR, pcut, thr, n_left)
    col = np.searchsorted(all_k, kappas)
    counts = counts_all[:, col]
    n_sol = counts_all[:, int(np.searchsorted(all_k, profile_kappa))]
    sqn = math.sqrt(n)
    res = dict(n=n, ps=pcut, kappas=kappas, counts=counts, max_margin=best / sqn, argmax=best_idx,
               n_maximisers=n_best, profile_kappa=profile_kappa, n_solutions=n_sol)
    if profiles:
        if isinstance(rng, np.random.SeedSequence):
            gens = [np.random.default_rng(np.random.SeedSequence(rng.entropy,
                                                                 spawn_key=rng.spawn_key + (int(p),)))
                    for p in pcut]
        else:
            g = np.random.default_rng(rng)
            gens = [g] * pcut.size
        kth = np.array([g.integers(0, c) if c > 0 else -1 for g, c in zip(gens, n_sol)],
                       dtype=np.int64)
        thr_p = float(field_thresholds([profile_kappa], n)[0])
        refs = best_idx.reshape(-1, 1).copy()
        hist_max, seen, found = _profile_kernel(FL, FR, pcut, thr_p, n_left, n, refs, kth)
        if not np.array_equal(seen, n_sol):  # both passes use identical arithmetic
            raise RuntimeError(f"enumeration passes disagree: {seen} vs {n_sol}")
        hist_rand, _, _ = _profile_kernel(FL, FR, pcut, thr_p, n_left, n, found.reshape(-1, 1),
                                          np.full(pcut.size, -1, dtype=np.int64))
        res.update(profile_max=hist_max[:, 0, :], profile_random=hist_rand[:, 0, :], random_ref=found)
    return InstanceResult(**res)


def distance_profile(xi, p: int, ref_w, kappa: float = 0.0) -> np.ndarray:
    """#solutions (margin >= kappa on the first ``p`` patterns) at each Hamming distance D = 0..N
    from the ±1 vector ``ref_w`` (any reference, e.g. a solution returned by a learning algorithm)."""
    xi, n, n_left, FL, FR, ps = _prepare(xi, [p])
    ref = weights_to_index(np.asarray(ref_w).reshape(-1)[:n]) if np.size(ref_w) == n else None
    if ref is None:
        raise ReplicaInputError(f"reference must have N={n} entries")
    thr = float(field_thresholds([kappa], n)[0])
    return _reference_profile_kernel(FL, FR, int(p), thr, n_left, n, ref)


# --------------------------------------------------------------------------------------------------
# vectorised numpy baseline (benchmarks; a second implementation for tests)
# --------------------------------------------------------------------------------------------------
def count_numpy(xi, ps, kappas=(0.0,), chunk: int = 1 << 16):
    """Counts and maximum margins by plain vectorised numpy (fields of blocks of w by a matrix
    product, running minimum by ``np.minimum.accumulate``); cost 2^N P_max N. Returns
    ``(counts[c, k], max_margin[c])`` for the sorted unique ``ps``."""
    xi = np.asarray(xi, dtype=float)
    n = xi.shape[1]
    pcut = np.unique(np.asarray(ps, dtype=np.int64))
    pmax = int(pcut[-1])
    thr = field_thresholds(kappas, n)
    counts = np.zeros((pcut.size, thr.size), dtype=np.int64)
    best = np.full(pcut.size, -np.inf)
    bits = np.arange(n, dtype=np.int64)
    xt = xi[:pmax].T
    for start in range(0, 1 << n, chunk):
        idx = np.arange(start, min(start + chunk, 1 << n), dtype=np.int64)
        w = 2.0 * ((idx[:, None] >> bits) & 1) - 1.0
        m = np.minimum.accumulate(w @ xt, axis=1)[:, pcut - 1]
        counts += (m[:, :, None] >= thr[None, None, :]).sum(axis=0)
        best = np.maximum(best, m.max(axis=0))
    return counts, best / math.sqrt(n)


# --------------------------------------------------------------------------------------------------
# many instances: quenched averages
# --------------------------------------------------------------------------------------------------
@dataclass
class EnumerationRun:
    """Results of :func:`enumerate_perceptron`: per-instance results and the run's parameters."""
    n: int
    alphas: list
    ps: np.ndarray                   # P for each requested alpha (same order)
    kappas: np.ndarray
    patterns: str
    seed: int
    profile_kappa: float
    results: list = field(default_factory=list)  # InstanceResult per instance

    def rows(self) -> list[dict]:
        """One dict per (instance, alpha) with counts, max margin and (if computed) profiles."""
        out = []
        for inst, r in enumerate(self.results):
            for a, p in zip(self.alphas, self.ps):
                c = int(np.searchsorted(r.ps, p))
                row = {"instance": inst, "alpha": float(p) / self.n, "alpha_requested": float(a),
                       "n": self.n, "p": int(p), "kappa": float(self.kappas[0]),
                       "count": int(r.counts[c, 0]), "max_margin": float(r.max_margin[c]),
                       "n_maximisers": int(r.n_maximisers[c]),
                       "argmax": index_to_weights(r.argmax[c], self.n).tolist()}
                if self.kappas.size > 1:
                    row["kappas"] = self.kappas.tolist()
                    row["counts"] = r.counts[c].tolist()
                if r.profile_max is not None:
                    row["profile_kappa"] = self.profile_kappa
                    row["profile_max_margin"] = r.profile_max[c].tolist()
                    row["profile_random"] = r.profile_random[c].tolist()
                out.append(row)
        return out

    def counts(self) -> np.ndarray:
        """counts[instance, alpha index, kappa index]."""
        return np.array([[r.counts[int(np.searchsorted(r.ps, p))] for p in self.ps]
                         for r in self.results])

    def max_margins(self) -> np.ndarray:
        """max_margin[instance, alpha index]."""
        return np.array([[r.max_margin[int(np.searchsorted(r.ps, p))] for p in self.ps]
                         for r in self.results])

    def profiles(self, which: str = "max") -> np.ndarray:
        """profile[instance, alpha index, D] around the max-margin ("max") or random ("random")
        solution."""
        key = {"max": "profile_max", "random": "profile_random"}[which]
        return np.array([[getattr(r, key)[int(np.searchsorted(r.ps, p))] for p in self.ps]
                         for r in self.results])

    def summary(self) -> list[dict]:
        return quenched_summary(self)


def enumerate_perceptron(n: int, alphas, kappas=(0.0,), *, instances: int = 10, seed: int = 0,
                         patterns: str = "gaussian", profile_kappa: float = 0.0,
                         profiles: bool = True) -> EnumerationRun:
    """Enumerate ``instances`` seeded instances of size ``n`` at every alpha (P = round(alpha N))
    and every kappa; instance i uses ``instance_seeds(seed, instances)[i]`` (patterns from its first
    child seed, the random reference at each P from the second child's stream keyed by P)."""
    n = int(n)
    if n < 2 or n > N_MAX:
        raise ReplicaInputError(f"N must be in [2, {N_MAX}] for exact enumeration, got {n}")
    _check_patterns(patterns)
    alphas = [float(a) for a in np.atleast_1d(alphas)]
    if not alphas:
        raise ReplicaInputError("give at least one alpha")
    ps = np.array([n_patterns(n, a) for a in alphas], dtype=np.int64)
    kappas = np.atleast_1d(np.asarray([check_range("kappa", k) for k in np.atleast_1d(kappas)]))
    profile_kappa = check_range("profile_kappa", profile_kappa)
    instances = check_int("instances", instances, 1)
    check_memory("alpha", 16.0 * int(ps.max()) * n, f"the patterns (P = {int(ps.max())} x N = "
                 f"{n} floats)")
    # meet in the middle: the 2^N sums of the two halves' fields, for every pattern and kappa
    check_work("instances", float(instances) * 2.0 ** n * int(ps.max()) * (kappas.size + 2),
               f"{instances} instance(s) of 2^{n} weight vectors x {int(ps.max())} patterns")
    run = EnumerationRun(n=n, alphas=alphas, ps=ps, kappas=kappas, patterns=patterns,
                         seed=int(seed), profile_kappa=profile_kappa)
    for ss in instance_seeds(seed, instances):
        ss_pat, ss_ref = ss.spawn(2)
        xi = make_patterns(n, int(ps.max()), ss_pat, patterns)
        run.results.append(enumerate_instance(xi, ps, kappas, profile_kappa=profile_kappa,
                                              profiles=profiles, rng=ss_ref))
    return run


def _mean_se(x):
    x = np.asarray(x, dtype=float)
    if x.size == 0:
        return None, None
    se = float(np.std(x, ddof=1) / math.sqrt(x.size)) if x.size > 1 else None
    return float(np.mean(x)), se


def quenched_summary(run: EnumerationRun) -> list[dict]:
    """Averages over instances with standard errors, one dict per (alpha, kappa).

    * ``entropy`` = (1/N) mean ln count over the instances with count > 0, ``entropy_se`` its
      standard error; ``frac_zero`` = fraction of instances with count 0 (they are not dropped
      silently: E ln count is -inf whenever frac_zero > 0, and ``entropy`` is then the conditional
      average, flagged by ``entropy_conditional``);
    * ``entropy_annealed`` = (1/N) ln mean count (an upper bound on the quenched one, by Jensen);
    * ``max_margin`` mean and standard error."""
    counts = run.counts()
    mm = run.max_margins()
    out = []
    for ia, p in enumerate(run.ps):
        m_mean, m_se = _mean_se(mm[:, ia])
        for ik, kappa in enumerate(run.kappas):
            c = counts[:, ia, ik]
            pos = c[c > 0]
            s_mean, s_se = _mean_se(np.log(pos) / run.n) if pos.size else (None, None)
            c_mean, c_se = _mean_se(c)
            out.append({"n": run.n, "alpha": float(p) / run.n, "p": int(p), "kappa": float(kappa),
                        "instances": int(c.size), "count_mean": c_mean, "count_se": c_se,
                        "frac_zero": float(np.mean(c == 0)), "entropy": s_mean, "entropy_se": s_se,
                        "entropy_conditional": bool(np.any(c == 0)),
                        "entropy_annealed": (math.log(c_mean) / run.n) if c_mean else None,
                        "max_margin": m_mean, "max_margin_se": m_se})
    return out


def profile_local_entropy(profiles, n: int) -> dict:
    r"""Local-entropy estimates from distance profiles ``profiles[instance, D]`` (D = 0..N).

    For each D (d = D/N), over the instances with n(D) > 0 (``frac_zero`` = fraction with
    n(D) = 0, reported, never dropped silently):

    * ``raw`` = (1/N) mean ln n(D) and ``raw_se``;
    * ``norm`` = H2(d) + (1/N) mean ln[n(D)/C(N, D)] and ``norm_se``: the fraction of the vectors at
      distance D that are solutions, with the exact binomial replaced by its large-N exponent. It
      removes the Stirling term -(1/2N) ln(2 pi N d(1-d)) of (1/N) ln C(N, D), is exactly H2(d)
      at alpha = 0, and has the same N -> infinity limit S(d) (docs/THEORY.md §2)."""
    from scipy.special import gammaln

    prof = np.asarray(profiles)
    if prof.ndim != 2 or prof.shape[1] != n + 1:
        raise ReplicaInputError(f"profiles must have shape (instances, N+1) with N={n}")
    D = np.arange(n + 1)
    d = D / n
    lbin = gammaln(n + 1) - gammaln(D + 1) - gammaln(n - D + 1)
    h2d = h2(d)
    out = {k: np.full(n + 1, np.nan) for k in ("raw", "raw_se", "norm", "norm_se")}
    out["frac_zero"] = np.mean(prof == 0, axis=0) if prof.shape[0] else np.full(n + 1, np.nan)
    out["d"] = d
    for k in D:
        v = prof[:, k]
        pos = v[v > 0].astype(float)
        if pos.size:
            m, se = _mean_se(np.log(pos) / n)
            out["raw"][k] = m
            out["norm"][k] = m + h2d[k] - lbin[k] / n
            if se is not None:
                out["raw_se"][k] = out["norm_se"][k] = se
    return out


def extrapolate_in_1_over_n(ns, values, errors, order: int = 1) -> dict:
    r"""Weighted least-squares fit ``y = a + b/N (+ c/N^2 + ...)``, a polynomial of degree
    ``order`` in 1/N (weights 1/err^2).

    Returns the intercept ``a`` (the N -> infinity estimate) with its standard error from the
    covariance matrix ``(X^T W X)^{-1}``, the slope (coefficient of 1/N), all ``coefficients``
    (ascending powers of 1/N), chi^2, dof and chi^2/dof, the standardised ``residuals``
    ``(y - fit)/err``, and ``intercept_err_scaled`` = err * sqrt(max(1, chi^2/dof)) (inflated
    when the fit is poor)."""
    x = 1.0 / np.asarray(ns, dtype=float)
    y = np.asarray(values, dtype=float)
    e = np.asarray(errors, dtype=float)
    if int(order) != order or order < 1:
        raise ReplicaInputError(f"order must be a positive integer, got {order!r}")
    order = int(order)
    if x.size < order + 1 or y.shape != x.shape or e.shape != x.shape:
        raise ReplicaInputError(f"need at least {order + 1} (N, value, error) points of equal "
                                f"length for a fit of order {order} in 1/N")
    if not np.all(np.isfinite(y)) or not np.all(e > 0):
        raise ReplicaInputError("values must be finite and errors positive")
    wgt = 1.0 / e**2
    X = np.stack([x**k for k in range(order + 1)], axis=1)
    A = X.T @ (wgt[:, None] * X)
    cov = np.linalg.inv(A)
    coef = cov @ (X.T @ (wgt * y))
    resid = (y - X @ coef) / e
    chi2 = float(np.sum(resid ** 2))
    dof = x.size - (order + 1)
    chi2_dof = chi2 / dof if dof > 0 else None
    err = float(math.sqrt(cov[0, 0]))
    return {"intercept": float(coef[0]), "intercept_err": err, "slope": float(coef[1]),
            "slope_err": float(math.sqrt(cov[1, 1])), "coefficients": [float(c) for c in coef],
            "order": order, "residuals": [float(r) for r in resid],
            "chi2": chi2, "dof": dof, "chi2_dof": chi2_dof,
            "intercept_err_scaled": err * math.sqrt(max(1.0, chi2_dof or 1.0))}
