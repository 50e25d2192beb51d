r"""Learning algorithms for the binary perceptron at finite N, and local-entropy probes around
the solutions they find.

All algorithms take patterns ``xi`` (P, N) with labels absorbed and look for
:math:`w\in\{-1,+1\}^N` with every stability :math:`\Delta_\mu = w\cdot\xi^\mu/\sqrt N \ge 0`
(margin kappa = 0, the boundary counted as satisfied). A returned ``solved=True`` is always
re-verified from scratch on the final w (``verify_solution``). Randomness comes from a numpy
``Generator`` seeded by the caller and passed into the numba kernels (no global state).

* **SBPI** — stochastic binary perceptron with hidden states (Baldassi, Braunstein, Brunel &
  Zecchina, PNAS 104, 11079 (2007)). Each synapse has a hidden integer state h_i (odd, start ±1
  at random) and w_i = sign(h_i). Patterns are presented in a random order each sweep; with field
  F = w.xi: if F < 0 (error) every hidden state moves, h_i += 2 xi_i (the clipped perceptron);
  if 0 <= F <= theta_m (correct but barely), with probability p_s only the synapses already agreeing
  with the pattern (h_i xi_i > 0) are reinforced, h_i += 2 xi_i (this never flips a weight).
  Hidden states are clipped to |h_i| <= h_max. For Gaussian patterns the same rule is applied
  with real xi_i (our extension; the paper uses ±1 inputs).
* **SA** — Metropolis simulated annealing with single-weight flips on
  :math:`E(w) = \sum_\mu c(\Delta_\mu)`, with c = (-Delta)_+ ("hinge", default) or
  c = theta(-Delta) (error count), inverse temperature increased geometrically from ``beta0`` to
  ``beta1`` over ``max_sweeps`` sweeps (N proposals each); stops at E = 0.
* **Replicated SA** (robust ensemble; Baldassi, Borgs, Chayes, Ingrosso, Lucibello, Saglietti &
  Zecchina, PNAS 113, E7655 (2016)): y replicas w^a sampled from
  :math:`\exp(-\beta\sum_a E(w^a))\sum_{\tilde w}\exp(\gamma\sum_a \tilde w\cdot w^a)
  \propto \exp(-\beta\sum_a E(w^a) + \sum_i \ln 2\cosh(\gamma\sum_a w_i^a))` (the centre
  :math:`\tilde w` traced out), with beta and the coupling gamma both increased geometrically
  ("annealing" and "scoping"). Stops when one replica, or the centre sign(sum_a w^a), is a
  solution.

Cost per sweep: SBPI O(P N); SA and each replica of RSA O(N P) (a flip updates the P fields).
"""
from __future__ import annotations

import inspect
import math
from dataclasses import dataclass, field

import numpy as np

from .._numba import jit
from ..errors import ReplicaInputError, check_int, check_memory, check_range, check_work

__all__ = ["LearningResult", "ALGORITHMS", "sbpi", "simulated_annealing", "replicated_sa",
           "solve_binary", "all_algorithms", "verify_solution", "margin_of", "flip_survival",
           "local_entropy_from_flips", "success_probability"]


@dataclass(frozen=True)
class LearningResult:
    """Outcome of a learning run: ``solved`` (verified), ``iterations`` (sweeps done), ``w`` (±1,
    int8), ``margin`` = min_mu Delta_mu of w, ``errors`` = #{mu: Delta_mu < 0}, parameters."""
    algorithm: str
    solved: bool
    iterations: int
    w: np.ndarray
    margin: float
    errors: int
    n: int
    p: int
    seed: int | None
    params: dict = field(default_factory=dict)

    def as_dict(self, with_weights: bool = False) -> dict:
        d = {"algorithm": self.algorithm, "solved": self.solved, "iterations": self.iterations,
             "margin": self.margin, "errors": self.errors, "n": self.n, "p": self.p,
             "alpha": self.p / self.n, "seed": self.seed, "params": dict(self.params)}
        if with_weights:
            d["w"] = self.w.tolist()
        return d


def _check_xi(xi) -> np.ndarray:
    X = np.ascontiguousarray(np.asarray(xi, dtype=float))
    if X.ndim != 2 or X.shape[0] < 1 or X.shape[1] < 1:
        raise ReplicaInputError("patterns must be a non-empty 2-D array (P, N)")
    if not np.all(np.isfinite(X)):
        raise ReplicaInputError("patterns must be finite")
    return X


def margin_of(xi, w) -> float:
    """min_mu w.xi^mu / sqrt(N), computed directly."""
    X = np.asarray(xi, dtype=float)
    return float(np.min(X @ np.asarray(w, dtype=float)) / math.sqrt(X.shape[1]))


def verify_solution(xi, w, kappa: float = 0.0) -> bool:
    """True iff w is ±1 and every stability w.xi^mu/sqrt(N) >= kappa (recomputed from scratch)."""
    w = np.asarray(w)
    if w.shape != (np.shape(xi)[1],) or not np.all(np.abs(w) == 1):
        return False
    return margin_of(xi, w) >= kappa


def _result(name, X, w, sweeps, seed, params):
    w = np.asarray(w, dtype=np.int8)
    stab = X @ w.astype(float) / math.sqrt(X.shape[1])
    m = float(stab.min())
    return LearningResult(name, bool(m >= 0.0), int(sweeps), w, m, int(np.sum(stab < 0)),
                          X.shape[1], X.shape[0], seed, params)


# --------------------------------------------------------------------------------------------------
# SBPI
# --------------------------------------------------------------------------------------------------
@jit
def _sbpi_kernel(X, h, theta_m, p_s, h_max, max_sweeps, rng):
    p, n = X.shape
    w = np.empty(n)
    for i in range(n):
        w[i] = 1.0 if h[i] > 0 else -1.0
    order = np.arange(p)
    for sweep in range(1, max_sweeps + 1):
        # random order of presentation (Fisher–Yates)
        for k in range(p - 1, 0, -1):
            r = rng.integers(0, k + 1)
            t = order[k]
            order[k] = order[r]
            order[r] = t
        for k in range(p):
            mu = order[k]
            f = 0.0
            for i in range(n):
                f += w[i] * X[mu, i]
            if f < 0.0:
                for i in range(n):
                    h[i] = min(h_max, max(-h_max, h[i] + 2.0 * X[mu, i]))
                    w[i] = 1.0 if h[i] > 0 else -1.0
            elif f <= theta_m:
                if rng.random() < p_s:
                    for i in range(n):
                        if h[i] * X[mu, i] > 0:
                            h[i] = min(h_max, max(-h_max, h[i] + 2.0 * X[mu, i]))
        # solved? (full check on the current weights)
        ok = True
        for mu in range(p):
            f = 0.0
            for i in range(n):
                f += w[i] * X[mu, i]
            if f < 0.0:
                ok = False
                break
        if ok:
            return w, sweep
    return w, max_sweeps


def sbpi(xi, *, seed: int = 0, max_sweeps: int = 1000, theta_m: float = 1.0, p_s: float = 0.3,
         h_max: float = 1e9) -> LearningResult:
    """SBPI (see the module docstring). ``theta_m`` is in field units (w.xi, not divided by
    sqrt(N)); with ±1 patterns theta_m = 1 is the paper's choice. Hidden states start at ±1."""
    X = _check_xi(xi)
    check_range("p_s", p_s, 0.0, 1.0)
    check_range("theta_m", theta_m, 0.0)
    rng = np.random.default_rng(seed)
    h = 2.0 * rng.integers(0, 2, X.shape[1]) - 1.0
    w, sweeps = _sbpi_kernel(X, h, float(theta_m), float(p_s), float(h_max), int(max_sweeps), rng)
    return _result("sbpi", X, w, sweeps, seed,
                   {"max_sweeps": max_sweeps, "theta_m": theta_m, "p_s": p_s, "h_max": h_max})


# --------------------------------------------------------------------------------------------------
# simulated annealing (single and replicated)
# --------------------------------------------------------------------------------------------------
@jit
def _cost(f, hinge, inv_sqrt_n):
    if f >= 0.0:
        return 0.0
    return -f * inv_sqrt_n if hinge else 1.0


@jit
def _flip_delta(XT, fields, i, wi, hinge, inv_sqrt_n):
    """Energy change when w_i = wi flips (fields unchanged)."""
    d = 0.0
    col = XT[i]
    for mu in range(fields.size):
        f = fields[mu]
        g = f - 2.0 * wi * col[mu]
        d += _cost(g, hinge, inv_sqrt_n) - _cost(f, hinge, inv_sqrt_n)
    return d


@jit
def _apply_flip(XT, fields, i, wi):
    col = XT[i]
    nerr = 0
    for mu in range(fields.size):
        fields[mu] -= 2.0 * wi * col[mu]
        if fields[mu] < 0.0:
            nerr += 1
    return nerr


@jit
def _log2cosh(x):
    a = abs(x)
    return a + math.log1p(math.exp(-2.0 * a))


@jit
def _sa_kernel(XT, W, beta0, beta1, gamma0, gamma1, max_sweeps, hinge, centre_only, rng):
    """Replicated Metropolis annealing; y = W.shape[0] replicas (y = 1, gamma = 0: plain SA).
    Returns (W, sweeps, index of the solved replica (-1: none, y: the centre)). With
    ``centre_only`` only the centre stops the run."""
    y, n = W.shape
    p = XT.shape[1]
    inv_sqrt_n = 1.0 / math.sqrt(n)
    fields = np.zeros((y, p))
    nerr = np.zeros(y, dtype=np.int64)
    s = np.zeros(n)
    for a in range(y):
        for i in range(n):
            s[i] += W[a, i]
            for mu in range(p):
                fields[a, mu] += W[a, i] * XT[i, mu]
        for mu in range(p):
            if fields[a, mu] < 0.0:
                nerr[a] += 1
    for a in range(y):
        if nerr[a] == 0 and not centre_only:
            return W, 0, a
    rb = (beta1 / beta0) ** (1.0 / max(1, max_sweeps - 1))
    rg = (gamma1 / gamma0) ** (1.0 / max(1, max_sweeps - 1)) if gamma0 > 0 else 1.0
    beta = beta0
    gamma = gamma0
    centre = np.empty(p)
    for sweep in range(1, max_sweeps + 1):
        for a in range(y):
            for step in range(n):
                i = rng.integers(0, n)
                wi = W[a, i]
                dE = _flip_delta(XT, fields[a], i, wi, hinge, inv_sqrt_n)
                dlog = -beta * dE
                if y > 1:
                    dlog += _log2cosh(gamma * (s[i] - 2.0 * wi)) - _log2cosh(gamma * s[i])
                if dlog >= 0.0 or rng.random() < math.exp(dlog):
                    nerr[a] = _apply_flip(XT, fields[a], i, wi)
                    W[a, i] = -wi
                    s[i] -= 2.0 * wi
                    if nerr[a] == 0 and not centre_only:
                        return W, sweep, a
        if y > 1:
            # the centre sign(sum_a w^a) (y odd: no ties; ties -> +1)
            for mu in range(p):
                centre[mu] = 0.0
            for i in range(n):
                ci = 1.0 if s[i] >= 0 else -1.0
                for mu in range(p):
                    centre[mu] += ci * XT[i, mu]
            ok = True
            for mu in range(p):
                if centre[mu] < 0.0:
                    ok = False
                    break
            if ok:
                return W, sweep, y
        beta *= rb
        gamma *= rg
    return W, max_sweeps, -1


def _energy_flag(energy: str) -> bool:
    if energy not in ("hinge", "errors"):
        raise ReplicaInputError(f"energy must be 'hinge' or 'errors', got {energy!r}")
    return energy == "hinge"


def simulated_annealing(xi, *, seed: int = 0, max_sweeps: int = 2000, beta0: float = 1.0,
                        beta1: float = 100.0, energy: str = "hinge") -> LearningResult:
    """Simulated annealing on E(w) (module docstring); geometric schedule beta0 -> beta1."""
    X = _check_xi(xi)
    hinge = _energy_flag(energy)
    check_range("beta0", beta0, 0.0, lo_open=True)
    check_range("beta1", beta1, beta0)
    rng = np.random.default_rng(seed)
    W = (2 * rng.integers(0, 2, (1, X.shape[1])) - 1).astype(np.float64)
    W, sweeps, _ = _sa_kernel(np.ascontiguousarray(X.T), W, float(beta0), float(beta1), 0.0, 0.0,
                              int(max_sweeps), hinge, False, rng)
    return _result("sa", X, W[0], sweeps, seed, {"max_sweeps": max_sweeps, "beta0": beta0,
                                                 "beta1": beta1, "energy": energy})


def replicated_sa(xi, *, seed: int = 0, y: int = 5, max_sweeps: int = 2000, beta0: float = 1.0,
                  beta1: float = 100.0, gamma0: float = 0.05, gamma1: float = 5.0,
                  energy: str = "hinge", stop: str = "any") -> LearningResult:
    """Replicated simulated annealing (robust ensemble with y replicas and a traced-out centre;
    module docstring). ``iterations`` counts sweeps of all replicas (y N proposals each).
    ``stop="any"``: the returned w is the first replica (or the centre) found to be a solution;
    ``stop="centre"``: the run continues until the centre sign(sum_a w^a) is a solution (the
    point the robust ensemble is designed to find); if it never is, a solved replica is returned
    if there is one, else the replica with the fewest errors (``params["found_by"]`` says which)."""
    X = _check_xi(xi)
    hinge = _energy_flag(energy)
    if int(y) < 1:
        raise ReplicaInputError(f"y (number of replicas) must be >= 1, got {y}")
    check_range("beta0", beta0, 0.0, lo_open=True)
    check_range("beta1", beta1, beta0)
    check_range("gamma0", gamma0, 0.0, lo_open=True)
    check_range("gamma1", gamma1, gamma0)
    if stop not in ("any", "centre"):
        raise ReplicaInputError(f"stop must be 'any' or 'centre', got {stop!r}")
    rng = np.random.default_rng(seed)
    W = (2 * rng.integers(0, 2, (int(y), X.shape[1])) - 1).astype(np.float64)
    W, sweeps, who = _sa_kernel(np.ascontiguousarray(X.T), W, float(beta0), float(beta1),
                                float(gamma0), float(gamma1), int(max_sweeps), hinge,
                                stop == "centre", rng)
    if who == int(y):
        w = np.where(W.sum(axis=0) >= 0, 1, -1)
    elif who >= 0:
        w = W[who]
    else:
        errs = [int((X @ W[a] < 0).sum()) for a in range(int(y))]
        w = W[int(np.argmin(errs))]
        if min(errs) == 0:
            who = int(np.argmin(errs))
    return _result("replicated", X, w, sweeps, seed,
                   {"y": y, "max_sweeps": max_sweeps, "beta0": beta0, "beta1": beta1,
                    "gamma0": gamma0, "gamma1": gamma1, "energy": energy, "stop": stop,
                    "found_by": "centre" if who == int(y) else ("replica" if who >= 0 else "none")})


ALGORITHMS = {"sbpi": sbpi, "sa": simulated_annealing, "replicated": replicated_sa}


def check_budget(algorithm: str, n: int, p: int, *, max_sweeps=None, y=None,
                 names=None) -> None:
    """Refuse (before allocating or running) a run beyond the machine: replicas and their
    fields in memory (y (N + P) floats, a few copies), and the planned work
    ``max_sweeps * y * P * N`` (field updates) against :data:`replica.errors.WORK_LIMIT`.
    ``names`` maps ``max_sweeps`` / ``y`` to the names the caller uses (CLI options)."""
    names = {"max_sweeps": "max_sweeps", "y": "y", **(names or {})}
    fn = ALGORITHMS[algorithm]
    defaults = {k: v.default for k, v in inspect.signature(fn).parameters.items()}
    sweeps = defaults.get("max_sweeps") if max_sweeps is None else max_sweeps
    reps = (defaults.get("y") or 1) if y is None else y
    sweeps = check_int(names["max_sweeps"], sweeps, 1)
    reps = check_int(names["y"], reps, 1)
    check_memory(names["y"], 4 * 8 * reps * (n + p), f"{reps} replica(s) with their fields")
    check_work(names["max_sweeps"], float(sweeps) * reps * p * n,
               f"{sweeps} sweep(s) of {reps} replica(s) over P = {p} patterns of N = {n}")


def all_algorithms() -> dict:
    """:data:`ALGORITHMS` and the message-passing solvers of :mod:`replica.finite_n.mp_solvers`
    (amp, rbp, fbp, bp-sample)."""
    from .mp_solvers import MP_ALGORITHMS

    return {**ALGORITHMS, **MP_ALGORITHMS}


def solve_binary(algorithm: str, xi, *, seed: int = 0, **options) -> LearningResult:
    """Front door: ``algorithm`` in :func:`all_algorithms`; unknown options raise (TypeError ->
    ReplicaInputError); the run's memory and work are checked first (:func:`check_budget`, for
    the sweep-based algorithms)."""
    algos = all_algorithms()
    if algorithm not in algos:
        raise ReplicaInputError(f"algorithm must be one of {', '.join(algos)}, got {algorithm!r}")
    if algorithm in ALGORITHMS:
        p, n = np.shape(xi)
        check_budget(algorithm, n, p, max_sweeps=options.get("max_sweeps"), y=options.get("y"))
    try:
        return algos[algorithm](xi, seed=seed, **options)
    except TypeError as exc:
        raise ReplicaInputError(f"bad option for {algorithm}: {exc}") from None


def success_probability(algorithm: str, n: int, alphas, *, instances: int, seed: int = 0,
                        patterns: str = "pm1", **options) -> list[dict]:
    """Fraction of seeded instances solved at each alpha (P = round(alpha N)), with the binomial
    standard error sqrt(f(1-f)/instances) and the median number of sweeps of the successes.
    Instance i of each alpha uses patterns from ``instance_seeds(seed, instances)[i]`` and the
    algorithm seed ``seed + i``."""
    from .enumerate import instance_seeds, make_patterns, n_patterns

    out = []
    for a in np.atleast_1d(alphas):
        p = n_patterns(n, a)
        res = []
        for k, ss in enumerate(instance_seeds(seed, instances)):
            xi = make_patterns(n, p, ss, patterns)
            r = solve_binary(algorithm, xi, seed=seed + k, **options)
            if r.solved and not verify_solution(xi, r.w):
                raise RuntimeError("algorithm reported a solution that fails verification")
            res.append(r)
        f = float(np.mean([r.solved for r in res]))
        its = [r.iterations for r in res if r.solved]
        out.append({"algorithm": algorithm, "n": n, "alpha": p / n, "p": p, "instances": instances,
                    "success": f, "success_se": math.sqrt(f * (1 - f) / instances),
                    "median_sweeps": float(np.median(its)) if its else None})
    return out


# --------------------------------------------------------------------------------------------------
# local entropy around a solution by random flips (large N)
# --------------------------------------------------------------------------------------------------
@jit
def _flip_kernel(X, w, ks, samples, thr, rng):
    p, n = X.shape
    base = np.zeros(p)
    for mu in range(p):
        for i in range(n):
            base[mu] += w[i] * X[mu, i]
    ok = np.zeros(ks.size, dtype=np.int64)
    perm = np.arange(n)
    for a in range(ks.size):
        k = ks[a]
        for s in range(samples):
            # k distinct sites by a partial Fisher–Yates shuffle
            for t in range(k):
                r = t + rng.integers(0, n - t)
                tmp = perm[t]
                perm[t] = perm[r]
                perm[r] = tmp
            good = True
            for mu in range(p):
                v = base[mu]
                for t in range(k):
                    i = perm[t]
                    v -= 2.0 * w[i] * X[mu, i]
                if v < thr:
                    good = False
                    break
            if good:
                ok[a] += 1
    return ok


def flip_survival(xi, w, ks, *, samples: int = 2000, seed: int = 0, kappa: float = 0.0) -> np.ndarray:
    """Fraction of ``samples`` vectors obtained from w by flipping k distinct random weights that are
    still solutions of margin >= kappa, for each k in ``ks``."""
    X = _check_xi(xi)
    w = np.asarray(w, dtype=float)
    ks = np.asarray(ks, dtype=np.int64)
    if np.any(ks < 0) or np.any(ks > X.shape[1]):
        raise ReplicaInputError("flip numbers must be in [0, N]")
    rng = np.random.default_rng(seed)
    thr = kappa * math.sqrt(X.shape[1]) - 1e-12 * max(1.0, abs(kappa) * math.sqrt(X.shape[1]))
    return _flip_kernel(X, w, ks, int(samples), thr, rng) / float(samples)


def local_entropy_from_flips(xi, w, ks, *, samples: int = 2000, seed: int = 0,
                             kappa: float = 0.0) -> dict:
    r"""Estimate of the local entropy :math:`S(d) = \frac1N\ln\#\{\text{solutions at Hamming
    distance } k = dN\}` around w as :math:`\frac1N[\ln\binom Nk + \ln f_k]`, f_k the flip survival
    fraction (unbiased for the count; its log is reliable where f_k * samples >> 1). Where no
    sample survives ``entropy`` is None and ``entropy_upper`` gives the bound with f < 1/samples."""
    from scipy.special import gammaln

    X = _check_xi(xi)
    n = X.shape[1]
    ks = np.asarray(ks, dtype=np.int64)
    f = flip_survival(X, w, ks, samples=samples, seed=seed, kappa=kappa)
    lbin = gammaln(n + 1) - gammaln(ks + 1) - gammaln(n - ks + 1)
    ent = [float((lb + math.log(fk)) / n) if fk > 0 else None for lb, fk in zip(lbin, f)]
    return {"d": ks / n, "k": ks, "survival": f, "entropy": ent, "h2_bound": lbin / n,
            "entropy_upper": (lbin + np.log(np.maximum(f, 1.0 / samples))) / n, "samples": samples}
