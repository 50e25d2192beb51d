"""Finite-d Gaussian-mixture classification (the data of :mod:`replica.models.gmm`): samples
x = y v*/sqrt(d) + sqrt(Delta) z, the finite-d Bayes rule, the bias-free max-margin classifier
and a Gibbs sampler of the version space (zero-error bias-free classifiers)."""
from __future__ import annotations

import math

import numpy as np

from .._numba import jit
from ..errors import ConvergenceError, ReplicaInputError
from ..gauss import H
from .spherical import max_margin_spherical

__all__ = ["sample_gmm", "bayes_estimator", "bayes_error_simulation", "max_margin_classifier",
           "sample_version_space", "sample_cone"]


def sample_gmm(n: int, d: int, delta: float, rho: float = 0.5, rng=None, v_star=None):
    """Draw (X, y, v*) with x = y v*/sqrt(d) + sqrt(Delta) z, P(y=+1) = rho, v* ~ N(0, I_d)."""
    rng = np.random.default_rng(rng)
    if v_star is None:
        v_star = rng.standard_normal(d)
    y = np.where(rng.random(n) < rho, 1.0, -1.0)
    X = np.outer(y, v_star) / math.sqrt(d) + math.sqrt(delta) * rng.standard_normal((n, d))
    return X, y, v_star


def bayes_estimator(X, y, delta: float, rho: float = 0.5):
    """Finite-d Bayes rule (posterior mean v_hat and exact predictive bias c/2 ln(rho/(1-rho)))."""
    n, d = X.shape
    alpha = n / d
    v_hat = (y @ X) / (math.sqrt(d) * (delta + alpha))
    c = delta + delta / (d * (delta + alpha))
    return v_hat, 0.5 * c * (math.log(rho) - math.log1p(-rho))


def _exact_test_error(w, b, v_star, delta, rho):
    """Exact test error of sign(x.w/sqrt d + b) given v*: the pre-activation is y m + sqrt(Delta Q) xi."""
    d = v_star.size
    m = w @ v_star / d
    Q = w @ w / d
    s = math.sqrt(delta * Q)
    return float(rho * H((m + b) / s) + (1 - rho) * H((m - b) / s))


def bayes_error_simulation(alpha: float, delta: float, rho: float = 0.5, d: int = 2000,
                           seeds=range(8)) -> dict:
    """Monte Carlo of the Bayes rule at finite d: mean and standard error of the exact
    (test-set-free) error over seeds, and the mean normalised overlap R."""
    errs, Rs = [], []
    n = int(round(alpha * d))
    for s in seeds:
        rng = np.random.default_rng(s)
        X, y, v = sample_gmm(n, d, delta, rho, rng)
        w, b = bayes_estimator(X, y, delta, rho)
        errs.append(_exact_test_error(w, b, v, delta, rho))
        Rs.append(w @ v / (np.linalg.norm(w) * np.linalg.norm(v)))
    errs = np.array(errs)
    return {"error": errs.mean(), "stderr": errs.std(ddof=1) / math.sqrt(len(errs)),
            "R": float(np.mean(Rs)), "errors": errs}


def max_margin_classifier(X, y, *, method: str = "nnls", tol: float = 1e-7):
    """Bias-free hard-margin classifier: min |w|^2 s.t. y_mu w.x_mu >= 1 (A = y x, rows), by
    :func:`replica.finite_n.spherical.max_margin_spherical` on the signed patterns A
    (``method`` "nnls": Lawson–Hanson LDP, KKT-certified; "slsqp": the independent path).

    Returns (w, kappa): w the QP's optimum (|w| = 1/kappa) and kappa = min_mu y w'.x/sqrt(d) for
    w' = sqrt(d) w/|w| (the Gardner margin convention |w'|^2 = d). Raises ConvergenceError if
    the data are not linearly separable.
    """
    A = y[:, None] * X
    n, d = A.shape
    r = max_margin_spherical(A, method=method, tol=tol)
    if not r.separable:
        raise ConvergenceError("max-margin QP: the data are not linearly separable",
                               model="gmm", params={"n": n, "d": d}, method=method)
    kappa = float(r.margin)
    return r.w / (kappa * math.sqrt(d)), kappa


@jit
def _sample_trunc(lo, hi, state):
    """Standard normal truncated to [lo, hi] by rejection (Robert 1995 exponential proposals in
    the tails, uniform proposals for narrow intervals). ``state`` is an np.random Generator-free
    xorshift state (1-element uint64 array) so that the kernel stays seeded and reproducible."""
    while True:
        if lo > 0.0 and hi - lo > 0.3 / max(lo, 1.0) or (hi < 0.0 and hi - lo > 0.3 / max(-hi, 1.0)):
            flip = hi < 0.0
            a = -hi if flip else lo
            b = -lo if flip else hi
            lam = 0.5 * (a + math.sqrt(a * a + 4.0))
            x = a - math.log(_unif(state)) / lam
            if x > b:
                continue
            if _unif(state) <= math.exp(-0.5 * (x - lam) ** 2):
                return -x if flip else x
        elif hi - lo < 2.5:
            x = lo + (hi - lo) * _unif(state)
            # acceptance relative to the max of the density on [lo, hi]
            m = 0.0 if lo <= 0.0 <= hi else (lo if lo > 0.0 else hi)
            if _unif(state) <= math.exp(-0.5 * (x * x - m * m)):
                return x
        else:
            x = _normal(state)
            if lo <= x <= hi:
                return x


@jit
def _unif(state):
    # xorshift64* -> double in (0, 1)
    x = state[0]
    x ^= x >> np.uint64(12)
    x ^= x << np.uint64(25)
    x ^= x >> np.uint64(27)
    state[0] = x
    r = (x * np.uint64(2685821657736338717)) >> np.uint64(11)
    return (float(r) + 0.5) / 9007199254740992.0


@jit
def _normal(state):
    u1 = _unif(state)
    u2 = _unif(state)
    return math.sqrt(-2.0 * math.log(u1)) * math.cos(2.0 * math.pi * u2)


@jit
def _gibbs_sweeps(A, w, Aw, sweeps, state, v_star, thin):
    """Coordinate-wise Gibbs sampling of N(0, I) restricted to the cone {A w >= 0}; records the
    normalised overlap with v* every ``thin`` sweeps."""
    n, d = A.shape
    nrec = sweeps // thin
    out = np.empty(nrec)
    vn = math.sqrt(np.sum(v_star * v_star))
    k = 0
    for s in range(sweeps):
        for i in range(d):
            lo = -1e300
            hi = 1e300
            wi = w[i]
            for mu in range(n):
                a = A[mu, i]
                rest = Aw[mu] - a * wi
                # rest + a * t >= 0
                if a > 0.0:
                    b = -rest / a
                    if b > lo:
                        lo = b
                elif a < 0.0:
                    b = -rest / a
                    if b < hi:
                        hi = b
            t = _sample_trunc(lo, hi, state)
            dt = t - wi
            for mu in range(n):
                Aw[mu] += A[mu, i] * dt
            w[i] = t
        if (s + 1) % thin == 0:
            out[k] = np.dot(w, v_star) / (math.sqrt(np.dot(w, w)) * vn)
            k += 1
    return out


def sample_cone(A, w0, *, sweeps: int = 1000, seed: int = 0) -> np.ndarray:
    """One (approximately) uniform point of {w on the sphere : A w >= 0} after ``sweeps`` Gibbs
    sweeps of the cone-restricted Gaussian started at the strictly feasible ``w0``; returned
    with |w|^2 = N. Used for typical zero-error perceptron solutions (rows of A = y x)."""
    A = np.ascontiguousarray(np.asarray(A, dtype=float))
    w = np.array(w0, dtype=float) / np.linalg.norm(w0) * math.sqrt(A.shape[1])
    Aw = A @ w
    if Aw.min() <= 0:
        raise ReplicaInputError("sample_cone: w0 is not strictly feasible")
    state = np.array([np.random.default_rng(seed).integers(1, 2**63 - 1)], dtype=np.uint64)
    _gibbs_sweeps(A, w, Aw, int(sweeps), state, np.ones(A.shape[1]), int(sweeps))
    return w / np.linalg.norm(w) * math.sqrt(A.shape[1])


def sample_version_space(X, y, v_star, w0, *, sweeps: int = 2000, burn: int = 500, thin: int = 10,
                         seed: int = 0) -> np.ndarray:
    """Normalised overlaps R of (approximately) uniform samples of the zero-error version space
    {w on the sphere : y_mu w.x_mu >= 0}, by Gibbs sampling of the cone-restricted Gaussian
    (its direction is uniform on sphere ∩ cone). ``w0`` must be strictly feasible (e.g. the
    max-margin solution). Returns the recorded R after ``burn`` sweeps."""
    A = np.ascontiguousarray(y[:, None] * X)
    w = np.array(w0, dtype=float) / np.linalg.norm(w0) * math.sqrt(X.shape[1])
    Aw = A @ w
    if Aw.min() <= 0:
        raise ReplicaInputError("sample_version_space: w0 is not strictly feasible")
    state = np.array([np.random.default_rng(seed).integers(1, 2**63 - 1)], dtype=np.uint64)
    Rs = _gibbs_sweeps(A, w, Aw, int(sweeps), state, np.asarray(v_star, dtype=float), int(thin))
    return Rs[int(burn) // int(thin):]
