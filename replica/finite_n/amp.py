r"""Approximate message passing (AMP, the dense-graph limit of BP) for the binary perceptron.

Problem (docs/THEORY.md §0, §8.5). Patterns ``xi`` (P, N) with labels absorbed, weights
:math:`w\in\{-1,+1\}^N`, stabilities :math:`\Delta_\mu = w\cdot\xi^\mu/\sqrt N`, the measure

.. math:: P(w) \propto \prod_\mu K(\Delta_\mu)\ \prod_i e^{b_i w_i},\qquad
          K(\Delta) = e^{-\beta} + (1 - e^{-\beta})\,\theta(\Delta - \kappa)

(storage at margin kappa; beta = inf counts solutions; ``b`` an optional external field, used by
reinforcement, focusing and the tilted measure of the local entropy). A teacher–student instance
is the same problem on patterns whose labels come from a teacher (``make_teacher_student``).

AMP (arXiv:2607.27000 eqs. 92–99; the GAMP form of Rangan 2011 with an Ising prior), with
x = xi/sqrt(N), a_i the magnetisations, g the output messages of the previous iteration:

.. math::
    V_\mu = \sum_i x_{\mu i}^2 (1 - a_i^2),\quad
    \omega_\mu = \sum_i x_{\mu i} a_i - V_\mu g_\mu,\quad
    u_\mu = (\kappa - \omega_\mu)/\sqrt{V_\mu},

.. math::
    g_\mu = \partial_\omega \ln Z_{\rm out},\ Z_{\rm out} = e^{-\beta} + (1-e^{-\beta}) H(u_\mu);
    \quad \beta=\infty:\ g_\mu = G(u_\mu)/\sqrt{V_\mu},\
    \partial_\omega g_\mu = -G(u_\mu)\,[G(u_\mu) - u_\mu]/V_\mu,

.. math::
    A_i = -\sum_\mu x_{\mu i}^2\,\partial_\omega g_\mu,\quad
    h_i = \sum_\mu x_{\mu i} g_\mu + a_i A_i + b_i,\quad a_i \leftarrow \tanh h_i .

Bethe (TAP) free entropy of the instance at a fixed point, per weight (Krzakala et al., J. Stat.
Mech. (2012) P08009, GLM form; with w_i^2 = 1 the prior terms in A_i cancel):

.. math::
    \phi = \frac1N\Big[\sum_i \big(\ln 2\cosh h_i - (h_i - b_i)\, a_i\big)
           + \sum_\mu \big(\ln Z_{\rm out}(\omega_\mu, V_\mu) + \tfrac12 V_\mu g_\mu^2\big)\Big],

so that phi = ln 2 at P = 0 and, with b = gamma w~, d phi/d gamma = p = a.w~/N (the fixed point is
stationary). At large N phi tends to the RS Gardner–Derrida entropy and q_N = sum_i a_i^2 / N to
its overlap q (state evolution, :mod:`replica.finite_n.state_evolution`).

Numerics. One iteration is one fused pass over the rows of xi (O(N P) operations, the patterns
read once from memory): for each mu the row gives omega_mu and V_mu, then g_mu, then — while the
row is still in cache — its contributions to h and A. The same pass measures the stabilities of
sign(a) and counts the violated constraints, so that solvers see at no extra cost whether the
current signs are a solution. G, G - u and ln H come from :mod:`replica.gauss` (stable for any
u). V is floored at 1e-300 (a fully polarised state). Damping mixes the magnetisations,
a <- (1 - damping) tanh(h) + damping a_old; convergence is judged on max_i |tanh h_i - a_i| (the
undamped change).

±1 patterns are stored as int8 (:func:`check_patterns`; 8x less memory traffic than float64)
and have their own pass: with x_{mu i}^2 = 1/N, V_mu = sum_i (1 - a_i^2)/N is the same for every
pattern and A_i = -sum_mu dg_mu/N the same for every weight, so only the two dot products remain
per entry. That pass runs in double precision or — ``precision="single"``, used by the solvers —
with the N-vectors (a, sign(a), the accumulated h) and the row sums in float32, twice the SIMD
width; the per-pattern output channel stays in float64, and the stability count is exact (sums of
±1 below 2^24). Single precision perturbs the trajectory at the 1e-7 relative level, so it is
for solvers (whose solutions are verified exactly), not for free entropies.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from .._numba import jit
from ..errors import ConvergenceError, ReplicaInputError, check_range
from ..gauss import G_minus_x_s, G_s, H_s, log_2cosh_s, log_H_s, phi_s

__all__ = ["AMPResult", "AMPState", "amp", "amp_iteration", "bethe_free_entropy",
           "check_patterns", "check_problem_size", "MAX_PATTERN_ENTRIES", "make_teacher_student",
           "PRECISIONS", "pattern_pair_overlap"]

#: Largest N * P accepted (float64 patterns: 2.4 GB); larger instances are refused up front.
MAX_PATTERN_ENTRIES = 3 * 10 ** 8
_V_FLOOR = 1e-300
PRECISIONS = ("double", "single")


def check_problem_size(n: int, p: int, *, copies: int = 1) -> None:
    """Refuse instances whose ``copies`` float64 N x P arrays would not fit
    (N P copies <= :data:`MAX_PATTERN_ENTRIES`), with a one-line message naming the parameters."""
    if int(n) < 1:
        raise ReplicaInputError(f"n (number of weights) must be >= 1, got {n}")
    if int(p) < 1:
        raise ReplicaInputError(f"number of patterns P = round(alpha N) must be >= 1, got {p}")
    if int(n) * int(p) * int(copies) > MAX_PATTERN_ENTRIES:
        gb = 8e-9 * int(n) * int(p) * int(copies)
        raise ReplicaInputError(f"n * alpha * n = {int(n) * int(p)} pattern entries ({gb:.1f} GB) "
                                f"exceeds the limit {MAX_PATTERN_ENTRIES}: lower --n or --alpha")


def check_patterns(xi) -> np.ndarray:
    """Patterns as a C-contiguous (P, N) array: int8 if every entry is ±1, else finite float64
    (ReplicaInputError otherwise). An int8 array is passed through after the ±1 check."""
    X = np.asarray(xi)
    if X.ndim != 2 or X.shape[0] < 1 or X.shape[1] < 1:
        raise ReplicaInputError("patterns must be a non-empty 2-D array (P, N)")
    check_problem_size(X.shape[1], X.shape[0])
    if X.dtype == np.int8:
        if not np.all(np.abs(X) == 1):
            raise ReplicaInputError("int8 patterns must have entries ±1")
        return np.ascontiguousarray(X)
    X = np.asarray(X, dtype=np.float64)
    if not np.all(np.isfinite(X)):
        raise ReplicaInputError("patterns must be finite")
    if np.all(np.abs(X) == 1.0):
        return np.ascontiguousarray(X, dtype=np.int8)
    return np.ascontiguousarray(X)


def pattern_pair_overlap(xi) -> float:
    r"""C = (1/N) sum_{mu<nu} u^mu . u^nu with u^mu = xi^mu/|xi^mu| (the normalised patterns):
    a statistic of the instance with E[C] = 0 (i.i.d. patterns with a symmetric law) and standard
    deviation sqrt(P(P - 1)/2)/N^{3/2} ~ alpha/sqrt(2N). To first order in the pair overlaps the
    entropy per weight of the instance moves by (2/pi) C (two patterns at overlap rho are both
    satisfied by a fraction 1/4 + arcsin(rho)/(2 pi) of the weights), so C carries a large part
    of its O(1/sqrt N) sample fluctuation; having mean exactly 0, it is a control variate for
    averages over instances (regress the per-instance values on C, keep the intercept)."""
    X = np.asarray(xi, dtype=np.float64)
    u = X / np.linalg.norm(X, axis=1, keepdims=True)
    p, n = X.shape
    return float((np.sum(u.sum(axis=0) ** 2) - p) / (2.0 * n))


def make_teacher_student(n: int, p: int, seed, patterns: str = "gaussian"):
    """Teacher–student instance: a teacher w* uniform in {-1,+1}^N, inputs i.i.d. (Gaussian or ±1),
    labels sigma_mu = sign(w*.x^mu) (ties +1), returned with labels absorbed,
    ``(xi, w_teacher)`` with xi^mu = sigma_mu x^mu. The teacher is a solution at kappa = 0."""
    from .enumerate import make_patterns

    check_problem_size(n, p)
    ss = seed if isinstance(seed, np.random.SeedSequence) else np.random.SeedSequence(int(seed))
    s_teacher, s_inputs = ss.spawn(2)
    rng = np.random.default_rng(s_teacher)
    w = (2 * rng.integers(0, 2, int(n)) - 1).astype(np.int8)
    x = make_patterns(n, p, s_inputs, patterns)
    sigma = np.where(x @ w.astype(float) >= 0, 1.0, -1.0)
    return x * sigma[:, None], w


# --------------------------------------------------------------------------------------------------
# the kernel: one fused pass over the patterns
# --------------------------------------------------------------------------------------------------
@jit(fastmath=True)
def _row_sums(X, mu, a, v, s):
    """sum_i x a_i, sum_i x^2 v_i, sum_i x s_i over row mu (plain sums: fastmath only lets the
    compiler reorder them into SIMD lanes; no special function is involved)."""
    om = 0.0
    V = 0.0
    st = 0.0
    for i in range(a.size):
        x = X[mu, i]
        om += x * a[i]
        V += x * x * v[i]
        st += x * s[i]
    return om, V, st


@jit
def _channel(u, sV, V, eps):
    """Output channel at u = (kappa - omega)/sqrt(V): g = d ln Z_out / d omega, its derivative
    dg, and ln Z_out (module docstring); eps = exp(-beta)."""
    if eps == 0.0:
        Gu = G_s(u)
        return Gu / sV, -Gu * G_minus_x_s(u) / V, log_H_s(u)
    Z = eps + (1.0 - eps) * H_s(u)
    r = (1.0 - eps) * phi_s(u) / Z
    return r / sV, (u * r - r * r) / V, math.log(Z)


@jit
def _amp_pass(X, a, g, kappa, eps, h, A, lnz, thr):
    """One AMP iteration (module docstring), general float64 patterns. Reads a (magnetisations
    used this iteration), g (the previous output messages, overwritten by the new ones); writes h
    (the message field sum_mu x g + a A, without the external field), A, lnz[mu] = ln Z_out +
    V g^2/2. Returns the number of patterns violated by s = sign(a) (field < thr,
    thr = kappa sqrt(N) - tolerance)."""
    p, n = X.shape
    inv_sqrt_n = 1.0 / math.sqrt(n)
    inv_n = 1.0 / n
    v = np.empty(n)
    s = np.empty(n)
    for i in range(n):
        v[i] = 1.0 - a[i] * a[i]
        s[i] = 1.0 if a[i] >= 0.0 else -1.0
        h[i] = 0.0
        A[i] = 0.0
    nerr = 0
    for mu in range(p):
        om, V, st = _row_sums(X, mu, a, v, s)
        if st < thr:
            nerr += 1
        V *= inv_n
        if V < _V_FLOOR:
            V = _V_FLOOR
        om = om * inv_sqrt_n - V * g[mu]
        sV = math.sqrt(V)
        gn, dg, lz = _channel((kappa - om) / sV, sV, V, eps)
        g[mu] = gn
        lnz[mu] = lz + 0.5 * V * gn * gn
        c = gn * inv_sqrt_n
        d = -dg * inv_n
        for i in range(n):
            x = X[mu, i]
            h[i] += x * c
            A[i] += x * x * d
    for i in range(n):
        h[i] += a[i] * A[i]
    return nerr


@jit(fastmath=True)
def _row_sums_pm1(X, mu, av, sv):
    """sum_i x a_i and sum_i x s_i over the int8 row mu, accumulated in the dtype of av."""
    om = av[0] - av[0]
    st = om
    for i in range(av.size):
        x = X[mu, i]
        om += x * av[i]
        st += x * sv[i]
    return om, st


@jit(fastmath=True)
def _add_row_pm1(X, mu, hv, c):
    """hv += c[0] * row mu (c a one-element array of the dtype of hv)."""
    cc = c[0]
    for i in range(hv.size):
        hv[i] += X[mu, i] * cc


@jit
def _amp_pass_pm1(X, a, av, sv, hv, c, cmax, g, kappa, eps, h, A, lnz, thr):
    """One AMP iteration on int8 ±1 patterns (module docstring); same contract as
    :func:`_amp_pass`. av, sv, hv (length N) and c (length 1) are work arrays of the working
    precision (float32 or float64): av <- a, sv <- sign(a), hv the accumulated field. A row's
    coefficient g/sqrt(N) is clipped to ±cmax (float32: 1e30, so that P of them cannot overflow;
    it is that large only in a fully polarised state, where tanh of the field is ±1 anyway)."""
    p, n = X.shape
    inv_sqrt_n = 1.0 / math.sqrt(n)
    V = 0.0
    for i in range(n):
        V += 1.0 - a[i] * a[i]
        av[i] = a[i]
        sv[i] = 1.0 if a[i] >= 0.0 else -1.0
        hv[i] = 0.0
    V /= n
    if V < _V_FLOOR:
        V = _V_FLOOR
    sV = math.sqrt(V)
    dsum = 0.0
    nerr = 0
    for mu in range(p):
        om, st = _row_sums_pm1(X, mu, av, sv)
        if st < thr:
            nerr += 1
        omega = om * inv_sqrt_n - V * g[mu]
        gn, dg, lz = _channel((kappa - omega) / sV, sV, V, eps)
        g[mu] = gn
        lnz[mu] = lz + 0.5 * V * gn * gn
        dsum += dg
        c[0] = min(cmax, max(-cmax, gn * inv_sqrt_n))
        _add_row_pm1(X, mu, hv, c)
    Ai = -dsum / n
    for i in range(n):
        A[i] = Ai
        h[i] = hv[i] + a[i] * Ai
    return nerr


@jit
def _bethe_sites(h, b, a):
    """sum_i [ln 2cosh(h_i + b_i) - h_i a_i] (h the message field without the external one)."""
    tot = 0.0
    for i in range(h.size):
        tot += log_2cosh_s(h[i] + b[i]) - h[i] * a[i]
    return tot


@dataclass
class AMPState:
    """Mutable state carried between iterations (warm starts): magnetisations ``a``, output
    messages ``g``, the last message field ``h`` (external field excluded), ``A``, the output
    terms ``lnz``, and ``nerr`` = constraints violated by ``signs_in`` = sign(a) (ties +1) of the
    magnetisations that entered the last pass."""
    a: np.ndarray
    g: np.ndarray
    h: np.ndarray
    A: np.ndarray
    lnz: np.ndarray
    nerr: int = -1
    signs_in: np.ndarray | None = None

    @classmethod
    def start(cls, n: int, p: int, a0=None) -> "AMPState":
        a = np.zeros(n) if a0 is None else np.array(a0, dtype=np.float64)
        if a.shape != (n,) or not np.all(np.abs(a) <= 1.0):
            raise ReplicaInputError(f"a0 must be a length-{n} vector with entries in [-1, 1]")
        return cls(a, np.zeros(p), np.zeros(n), np.zeros(n), np.zeros(p))

    def copy(self) -> "AMPState":
        return AMPState(self.a.copy(), self.g.copy(), self.h.copy(), self.A.copy(),
                        self.lnz.copy(), self.nerr,
                        None if self.signs_in is None else self.signs_in.copy())


def _threshold(kappa: float, n: int) -> float:
    s = math.sqrt(n)
    return kappa * s - 1e-12 * max(1.0, abs(kappa) * s)


def amp_iteration(X, state: AMPState, b, *, kappa: float = 0.0, eps: float = 0.0,
                  damping: float = 0.0, precision: str = "double") -> float:
    """One AMP iteration in place on ``state`` with external field ``b`` (length N array);
    returns the undamped change max_i |tanh(h_i + b_i) - a_i|. ``eps`` = exp(-beta). ``X`` as
    returned by :func:`check_patterns`; ``precision`` ("double" or "single") applies to int8
    patterns (module docstring)."""
    state.signs_in = np.where(state.a >= 0.0, 1, -1).astype(np.int8)
    thr = _threshold(kappa, X.shape[1])
    if X.dtype == np.int8:
        dt, cmax = (np.float32, 1e30) if precision == "single" else (np.float64, math.inf)
        n = X.shape[1]
        state.nerr = int(_amp_pass_pm1(X, state.a, np.empty(n, dt), np.empty(n, dt),
                                       np.empty(n, dt), np.empty(1, dt), cmax, state.g, float(kappa),
                                       float(eps), state.h, state.A, state.lnz, thr))
    else:
        state.nerr = int(_amp_pass(X, state.a, state.g, float(kappa), float(eps), state.h,
                                   state.A, state.lnz, thr))
    new = np.tanh(state.h + b)
    delta = float(np.max(np.abs(new - state.a)))
    if damping > 0.0:
        new = (1.0 - damping) * new + damping * state.a
    state.a[:] = new
    return delta


def bethe_free_entropy(state: AMPState, b) -> float:
    """Bethe free entropy per weight (module docstring) of the last pass, with field ``b``."""
    n = state.a.size
    a = np.tanh(state.h + b)
    return float((_bethe_sites(state.h, b, a) + state.lnz.sum()) / n)


@dataclass(frozen=True)
class AMPResult:
    """AMP fixed point: ``a`` magnetisations, ``h`` total fields, ``free_entropy`` (Bethe, per
    weight; at beta = inf the entropy of the instance), ``q`` = sum a^2/N, ``converged``,
    ``iterations``, ``delta`` (last undamped change), ``errors`` (constraints violated by
    sign(a)), ``history`` (q after each iteration), ``params``."""
    a: np.ndarray
    h: np.ndarray
    free_entropy: float
    q: float
    converged: bool
    iterations: int
    delta: float
    errors: int
    history: np.ndarray
    params: dict = field(default_factory=dict)
    state: AMPState | None = None

    def as_dict(self) -> dict:
        return {"free_entropy": self.free_entropy, "q": self.q, "converged": self.converged,
                "iterations": self.iterations, "delta": self.delta, "errors": self.errors,
                "n": int(self.a.size), "params": dict(self.params)}


def _beta_eps(beta) -> float:
    try:
        b = float(beta)
    except (TypeError, ValueError):
        raise ReplicaInputError(f"beta must be a number, got {beta!r}") from None
    if b == math.inf:
        return 0.0
    return math.exp(-check_range("beta", b, 0.0, lo_open=True))


def amp(xi, *, kappa: float = 0.0, beta: float = math.inf, field=None, damping: float = 0.0,
        tol: float = 1e-8, max_iter: int = 1000, a0=None, state: AMPState | None = None,
        raise_on_failure: bool = False) -> AMPResult:
    """Run AMP to a fixed point (module docstring). ``field`` = external field b (scalar or
    length-N array, default 0); start from ``state`` (warm) or magnetisations ``a0`` (default 0).
    Not converged within ``max_iter`` (undamped change > ``tol``): ``converged=False``, or
    :class:`~replica.errors.ConvergenceError` with ``raise_on_failure``."""
    X = check_patterns(xi)
    p, n = X.shape
    kappa = float(check_range("kappa", kappa))
    eps = _beta_eps(beta)
    check_range("damping", damping, 0.0, 1.0, hi_open=True)
    if int(max_iter) < 1:
        raise ReplicaInputError(f"max_iter must be >= 1, got {max_iter}")
    b = np.zeros(n) if field is None else np.broadcast_to(np.asarray(field, float), (n,)).copy()
    if not np.all(np.isfinite(b)):
        raise ReplicaInputError("field must be finite")
    st = state.copy() if state is not None else AMPState.start(n, p, a0)
    hist = []
    delta = math.inf
    it = 0
    for it in range(1, int(max_iter) + 1):
        delta = amp_iteration(X, st, b, kappa=kappa, eps=eps, damping=damping)
        hist.append(float(np.mean(st.a ** 2)))
        if not np.isfinite(delta):
            break
        if delta < tol:
            break
    converged = bool(np.isfinite(delta) and delta < tol)
    if not converged and raise_on_failure:
        raise ConvergenceError(f"AMP did not converge: max |da| = {delta:.3g} > tol = {tol:g} "
                               f"after {it} iterations (N = {n}, P = {p}, kappa = {kappa}); "
                               "try damping > 0", model="amp", params={"alpha": p / n, "kappa": kappa},
                               iterations=it)
    # the free entropy and the fields of the last pass, with a = tanh(h + b) of that pass
    phi = bethe_free_entropy(st, b)
    return AMPResult(a=np.tanh(st.h + b), h=st.h + b, free_entropy=phi,
                     q=float(np.mean(np.tanh(st.h + b) ** 2)), converged=converged, iterations=it,
                     delta=float(delta), errors=st.nerr, history=np.array(hist),
                     params={"kappa": kappa, "beta": float(beta), "damping": damping, "tol": tol,
                             "max_iter": int(max_iter), "alpha": p / n},
                     state=st)
