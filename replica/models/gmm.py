r"""Classification of a two-cluster Gaussian mixture: Bayes-optimal error, Gardner volume of the
zero-error (version-space) solutions, linear-separability threshold and maximum margin.

Data (Pittorino et al., ICLR 2021, §6; Mignacco et al. 2020):
:math:`x^\mu = y^\mu v^*/\sqrt d + \sqrt\Delta\, z^\mu`, :math:`z^\mu \sim N(0, I_d)`,
:math:`v^* \sim N(0, I_d)` (so :math:`|v^*|^2/d \to 1`), :math:`P(y=+1) = \rho`,
:math:`\alpha = n/d`.

Bayes-optimal classifier (derived here; docs/THEORY.md §4.3)
-----------------------------------------------------------
The labels are observed, so :math:`y^\mu x^\mu = v^*/\sqrt d + \sqrt\Delta\, y^\mu z^\mu` is a
Gaussian observation of :math:`v^*` and the posterior is Gaussian with precision
:math:`(1 + \alpha/\Delta)` and mean :math:`\hat v = \sum_\mu y^\mu x^\mu / (\sqrt d(\Delta+\alpha))`
(the Hebbian direction). The predictive law of a new x given y is
:math:`N(y\hat v/\sqrt d, c I)` with :math:`c = \Delta + \Delta/(d(\Delta+\alpha)) \to \Delta`, the
same covariance for both classes, so the Bayes-optimal pointwise rule is linear:

.. math:: \hat y = \mathrm{sign}\big(x\cdot\hat v/\sqrt d + b\big),\qquad
          b = \tfrac{c}{2}\ln\frac{\rho}{1-\rho} \to \tfrac{\Delta}{2}\ln\frac{\rho}{1-\rho}.

The bias refers to :math:`\hat v` normalised as the posterior mean (not to a unit vector). With
:math:`M = \hat v\cdot v^*/d \to \alpha/(\alpha+\Delta)` and :math:`Q = |\hat v|^2/d \to M`, the
pre-activation of a test point is :math:`yM + \sqrt{\Delta Q}\,\xi`, hence

.. math:: \varepsilon_{BO} = \rho\, H\!\Big(\frac{M+b}{\sqrt{\Delta M}}\Big)
          + (1-\rho)\, H\!\Big(\frac{M-b}{\sqrt{\Delta M}}\Big),

(docs/THEORY.md §4.3). Balanced: :math:`H(\sqrt{\alpha/(\Delta(\alpha+\Delta))})`.
Limits: alpha -> 0 gives min(rho, 1-rho); alpha -> inf gives the oracle error with v* known.
The normalised Bayes overlap is :math:`R_{BO} = M/\sqrt Q = \sqrt{\alpha/(\alpha+\Delta)}`.

Gardner volume of bias-free classifiers (derived; docs/THEORY.md §4.3)
---------------------------------------------------------------------
For :math:`|w|^2 = d`, :math:`y\, w\cdot x/\sqrt d = R + \sqrt\Delta\,\zeta` with
:math:`R = w\cdot v^*/d` (the normalised overlap, since :math:`|w|^2 = |v^*|^2 = d`) and
:math:`\zeta \sim N(0,1)` independent of the label; rho drops out. Replicas of w have mutual
overlap q; conditioning the sphere on R gives the entropic term
:math:`\tfrac12\ln(1-R^2) + \tfrac12\ln\frac{1-q}{1-R^2} + \frac{q-R^2}{2(1-q)}`, so

.. math:: s(q,R) = \tfrac12\ln(1-q) + \frac{q-R^2}{2(1-q)}
          + \alpha\int Dt\,\ln H\!\Big(\frac{\kappa' - \sqrt q\, t}{\sqrt{1-q}}\Big),
          \qquad \kappa' = \frac{\kappa - R}{\sqrt\Delta}.

Saddle point: :math:`(q-R^2)/(1-q) = \alpha\int Dt\,G(u)^2`,
:math:`R = \alpha\sqrt{(1-q)/\Delta}\int Dt\,G(u)`. Any bias-free w has test error
:math:`H(R/\sqrt\Delta)`.

Capacity and maximum margin: as q -> 1,
:math:`s \approx [1 - R^2 - \alpha F(\kappa')]/(2(1-q))` with
:math:`F(x) = \int_{-x}^\infty Dt\,(t+x)^2 = (1+x^2)\Phi(x) + x\phi(x)`; the version space at
margin kappa is non-empty iff some R makes the bracket positive:

.. math:: \alpha_c(\kappa,\Delta) = \max_R \frac{1-R^2}{F((\kappa-R)/\sqrt\Delta)} .

At kappa = 0: Delta -> inf gives 2 (Cover), Delta = 1 gives 3.6995 (Pittorino et al. 2021 quote 3.70).
The maximiser R is the overlap of the max-margin classifier at alpha = alpha_c(kappa).

Ordering (computed here, Delta = 1): R_typical < R_max-margin < R_Bayes holds at alpha = 1
(0.4218 < 0.5292 < 0.7071; errors 0.3366 > 0.2983 > 0.2398) and for alpha < 2.347; between
2.347 and alpha_c = 3.700 the typical zero-error R exceeds the max-margin R slightly (by at
most ~0.014; both tend to R = 0.6120 at alpha_c). Crossing at alpha = 4.08 for Delta = 0.5 and
1.785 for Delta = 2. So "max-margin generalises better than typical" is not true at every load.
"""
from __future__ import annotations

import math

import numpy as np
from scipy import optimize, special

from .._numba import jit
from ..errors import ConvergenceError, ReplicaInputError, check_finite, check_range
from ..gauss import G, H, log_H, graded_gaussian_rule, phi
from ..solve import Solution

__all__ = [
    "bayes_overlap", "bayes_bias", "bayes_error", "bayes_R", "generalization_error",
    "free_entropy", "typical", "capacity", "capacity_R", "alpha_c_at_margin", "max_margin",
    "sample_gmm", "bayes_estimator", "bayes_error_simulation", "max_margin_classifier",
    "sample_version_space", "sample_cone", "F_margin",
]


def _check_delta(delta):
    return check_range("delta", delta, 0.0, lo_open=True)


def _check_rho(rho):
    return check_range("rho", rho, 0.0, 1.0, lo_open=True, hi_open=True)


# ---------------------------------------------------------------------------------------------
# Bayes-optimal
# ---------------------------------------------------------------------------------------------


def bayes_overlap(alpha: float, delta: float) -> float:
    """M = Q = alpha/(alpha + Delta): overlaps of the posterior mean with v* and with itself."""
    alpha = check_range("alpha", alpha, 0.0)
    delta = _check_delta(delta)
    return alpha / (alpha + delta)


def bayes_R(alpha: float, delta: float) -> float:
    """Normalised overlap of the Bayes (Hebbian) direction with v*: sqrt(alpha/(alpha+Delta))."""
    return math.sqrt(bayes_overlap(alpha, delta))


def bayes_bias(delta: float, rho: float) -> float:
    """b = (Delta/2) ln(rho/(1-rho)), the bias of the large-d Bayes rule (posterior-mean scale)."""
    delta = _check_delta(delta)
    rho = _check_rho(rho)
    return 0.5 * delta * (math.log(rho) - math.log1p(-rho))


def bayes_error(alpha: float, delta: float, rho: float = 0.5) -> float:
    """Bayes-optimal test error eps_BO = rho H((M+b)/sqrt(Delta M)) + (1-rho) H((M-b)/sqrt(Delta M)).

    alpha = 0: the prior rule, error min(rho, 1-rho).
    """
    alpha = check_range("alpha", alpha, 0.0)
    delta = _check_delta(delta)
    rho = _check_rho(rho)
    b = bayes_bias(delta, rho)
    if alpha == 0.0:
        return min(rho, 1.0 - rho)
    M = alpha / (alpha + delta)
    s = math.sqrt(delta * M)
    return float(rho * H((M + b) / s) + (1.0 - rho) * H((M - b) / s))


def generalization_error(R, delta: float):
    """Test error of a bias-free linear classifier with normalised overlap R: H(R/sqrt(Delta))."""
    delta = _check_delta(delta)
    return H(np.asarray(R, dtype=float) / math.sqrt(delta))


# ---------------------------------------------------------------------------------------------
# Gardner volume with the teacher overlap R
# ---------------------------------------------------------------------------------------------


_LAG_X, _LAG_W = np.polynomial.laguerre.laggauss(60)
# numpy's Laguerre weights carry ~1e-13 relative error; normalising by the exact moments
# (int u e^-u = 1, int u^2 e^-u = 2) removes it to first order
_LAG_N1 = float((_LAG_W * _LAG_X).sum())
_LAG_N2 = float((_LAG_W * _LAG_X ** 2).sum()) / 2.0


def _tail_moments(a):
    """(I1, I2) = int_0^inf s^k exp(-a s - s^2/2) ds for k = 1, 2 and a >= 2, by Gauss–Laguerre in
    u = a s: I_k = a^{-k-1} int_0^inf u^k e^{-u} exp(-u^2/(2a^2)) du (smooth, no cancellation)."""
    a = np.asarray(a, dtype=float)[..., None]
    g = np.exp(-0.5 * (_LAG_X / a) ** 2)
    I1 = (_LAG_W * _LAG_X * g).sum(-1) / (_LAG_N1 * a[..., 0] ** 2)
    I2 = (_LAG_W * _LAG_X ** 2 * g).sum(-1) / (_LAG_N2 * a[..., 0] ** 3)
    return I1, I2


def F_margin(x):
    """F(x) = int_{-x}^inf Dt (t + x)^2 = (1 + x^2) Phi(x) + x phi(x)  (the q -> 1 energetic cost).

    For x < -2 the closed form cancels (relative loss ~ x^4); there F = phi(x) I2(|x|) with the
    tail moment of :func:`_tail_moments`."""
    x = np.asarray(x, dtype=float)
    out = (1.0 + x * x) * special.ndtr(x) + x * phi(x)
    neg = x < -2.0
    if np.any(neg):
        _, I2 = _tail_moments(-x[neg] if x.ndim else -x)
        out = np.where(neg, phi(x) * (I2 if x.ndim == 0 else _scatter(I2, neg, x)), out)
    return out


def _scatter(vals, mask, like):
    full = np.ones_like(like)
    full[mask] = vals
    return full


def _dlogF(x):
    """F'(x)/F(x), F'(x) = 2 [x Phi(x) + phi(x)]; for x < -2 the ratio 2 I1/I2 (phi(x) cancels)."""
    x = float(x)
    if x < -2.0:
        I1, I2 = _tail_moments(-x)
        return float(2.0 * I1 / I2)
    return float(2.0 * (x * special.ndtr(x) + phi(x)) / F_margin(x))


def _rule(kp, q):
    sq = math.sqrt(q)
    sv = math.sqrt(1.0 - q)
    return graded_gaussian_rule([kp / max(sq, 1e-300)], [sv / max(sq, 1e-300)], n=16)


def _energetic(q, kp):
    """(E, I_G, I_G2) = int Dt (ln H(u), G(u), G(u)^2), u = (kp - sqrt(q) t)/sqrt(1-q)."""
    z, w = _rule(kp, q)
    u = (kp - math.sqrt(q) * z) / math.sqrt(1.0 - q)
    g = G(u)
    return float(w @ log_H(u)), float(w @ g), float(w @ (g * g))


def free_entropy(q: float, R: float, alpha: float, delta: float, kappa: float = 0.0) -> float:
    """s(q, R) = 1/2 ln(1-q) + (q - R^2)/(2(1-q)) + alpha int Dt ln H(((kappa-R)/sqrt(Delta)
    - sqrt(q) t)/sqrt(1-q)) at arbitrary (q, R) with R^2 <= q < 1 (module docstring)."""
    q = check_range("q", q, 0.0, 1.0, hi_open=True)
    R = check_finite("R", R)
    if R * R > q + 1e-15:
        raise ReplicaInputError(f"need R^2 <= q, got R = {R}, q = {q}")
    kp = (kappa - R) / math.sqrt(delta)
    E, _, _ = _energetic(q, kp)
    return 0.5 * math.log1p(-q) + (q - R * R) / (2.0 * (1.0 - q)) + alpha * E


def typical(alpha: float, delta: float, kappa: float = 0.0, *, x0=None, tol: float = 1e-11) -> Solution:
    """Typical zero-error (margin kappa) bias-free classifiers: RS saddle point (q, R) of s(q, R).

    Solved in the variables (ln(1-q), R) by MINPACK's hybrid method on the stationarity
    conditions (module docstring), warm-started along alpha from alpha -> 0 (q = R = 0).
    Returns a Solution with order ``q``, ``R`` and thermo ``entropy``, ``error`` = H(R/sqrt Delta).
    """
    alpha = check_range("alpha", alpha, 0.0)
    delta = _check_delta(delta)
    kappa = check_finite("kappa", kappa)
    ac = capacity(delta, kappa)
    if alpha >= ac:
        raise ReplicaInputError(f"alpha = {alpha} is at or beyond the separability threshold "
                                f"alpha_c(Delta={delta}, kappa={kappa}) = {ac:.8g}: no solutions")
    params = {"alpha": alpha, "delta": delta, "kappa": kappa}

    def equations(x, a):
        lv, R = x
        v = math.exp(lv)
        q = 1.0 - v
        kp = (kappa - R) / math.sqrt(delta)
        _, IG, IG2 = _energetic(q, kp)
        r1 = (q - R * R) - v * a * IG2
        r2 = R - a * math.sqrt(v / delta) * IG
        return np.array([r1, r2])

    if alpha == 0.0:
        return Solution(order={"q": 0.0, "R": 0.0}, residual=np.zeros(2), status="converged",
                        iterations=0, method="closed form", model="gmm", params=params,
                        thermo={"entropy": 0.0, "error": 0.5})
    # continuation in alpha from a small load (q, R ~ O(alpha))
    steps = [alpha] if x0 is not None else list(np.linspace(0, alpha, 9)[1:])
    x = np.array([math.log(1 - x0[0]), x0[1]]) if x0 is not None else np.array([-1e-3, 0.0])
    it = 0
    for a in steps:
        sol = optimize.root(lambda x: equations(x, a), x, method="hybr",
                            options={"xtol": 1e-14, "maxfev": 400})
        it += sol.nfev
        x = sol.x
    res = equations(x, alpha)
    if not np.all(np.isfinite(res)) or np.max(np.abs(res)) > tol:
        raise ConvergenceError("GMM typical saddle point did not converge", model="gmm",
                               params=params, x=x, residual=res, iterations=it, method="hybrid")
    q, R = 1.0 - math.exp(x[0]), float(x[1])
    s = free_entropy(q, R, alpha, delta, kappa)
    return Solution(order={"q": q, "R": R}, residual=res, status="converged", iterations=it,
                    method="hybrid", model="gmm", params=params,
                    thermo={"entropy": s, "error": float(H(R / math.sqrt(delta)))})


def capacity_R(delta: float, kappa: float = 0.0) -> float:
    """The R maximising (1 - R^2)/F((kappa - R)/sqrt(Delta)): root of
    -2R/(1-R^2) + F'(x)/(sqrt(Delta) F(x)) = 0 on (R_lo, 1) (Brent)."""
    delta = _check_delta(delta)
    sd = math.sqrt(delta)

    def dlog(R):
        x = (kappa - R) / sd
        return -2.0 * R / (1.0 - R * R) + _dlogF(x) / sd

    lo = -1.0 + 1e-12
    if dlog(lo) < 0:
        raise ConvergenceError("capacity_R: no interior maximum", model="gmm",
                               params={"delta": delta, "kappa": kappa}, method="bracket")
    hi = 1.0 - 1e-15
    return optimize.brentq(dlog, lo, hi, xtol=1e-15, rtol=1e-15, maxiter=300)


def alpha_c_at_margin(delta: float, kappa: float = 0.0) -> tuple[float, float]:
    """(alpha_c, R*) = (max_R (1-R^2)/F((kappa-R)/sqrt Delta), argmax) (module docstring)."""
    R = capacity_R(delta, kappa)
    F = float(F_margin((kappa - R) / math.sqrt(delta)))
    if F == 0.0:
        raise ReplicaInputError(f"Delta = {delta} is too small: alpha_c exceeds the float range")
    return (1.0 - R * R) / F, R


def capacity(delta: float, kappa: float = 0.0) -> float:
    """Linear-separability threshold alpha_c(Delta) (kappa = 0) or its margin-kappa version."""
    delta = _check_delta(delta)
    kappa = check_finite("kappa", kappa)
    return alpha_c_at_margin(delta, kappa)[0]


def max_margin(alpha: float, delta: float) -> Solution:
    """Maximum margin kappa_max(alpha, Delta) of bias-free classifiers (|w|^2 = d) and its overlap R.

    kappa_max solves alpha_c(kappa, Delta) = alpha (Brent); R is the maximiser at that kappa;
    the test error is H(R/sqrt(Delta)). kappa_max < 0 beyond the separability threshold (the
    'max-margin' point is then the least-violating hard-margin solution of the RS theory).
    """
    alpha = check_range("alpha", alpha, 0.0, lo_open=True)
    delta = _check_delta(delta)
    f = lambda k: alpha_c_at_margin(delta, k)[0] - alpha
    lo, hi = -1.0, 1.0
    while f(lo) < 0:
        lo *= 2.0
    while f(hi) > 0:
        hi *= 2.0
    k = optimize.brentq(f, lo, hi, xtol=1e-14, rtol=1e-15, maxiter=300)
    ac, R = alpha_c_at_margin(delta, k)
    return Solution(order={"kappa_max": k, "R": R}, residual=np.array([ac - alpha]),
                    status="converged", iterations=0, method="bracket", model="gmm",
                    params={"alpha": alpha, "delta": delta},
                    thermo={"error": float(H(R / math.sqrt(delta)))})


# ---------------------------------------------------------------------------------------------
# Finite d: data, estimators, max-margin QP, version-space sampler
# ---------------------------------------------------------------------------------------------


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


def max_margin_classifier(X, y, *, method: str = "nnls", tol: float = 1e-10):
    """Bias-free hard-margin classifier: min |w|^2 s.t. y_mu w.x_mu >= 1 (A = y x, rows).

    ``method="nnls"`` (default): the least-distance programme min |w| s.t. A w >= 1 by Lawson &
    Hanson's reduction to non-negative least squares (1974, ch. 23): u = argmin_{u>=0}
    |E u - f| with E = [A^T; 1^T], f = e_{d+1}; r = E u - f, w = -r_{1..d}/r_{d+1} (r = 0 means
    not separable). ``method="dual"``: max_{lam >= 0} sum lam - |A^T lam|^2/2 by L-BFGS-B,
    w = A^T lam (slower, an independent cross-check).

    Returns (w, kappa) with kappa = min_mu y w'.x/sqrt(d) for the rescaled w' = sqrt(d) w/|w|
    (the Gardner margin convention |w'|^2 = d), i.e. kappa = 1/|w| at the optimum. Raises
    ConvergenceError if the data are not linearly separable or the solution is not feasible.
    """
    A = y[:, None] * X
    n, d = A.shape
    if method == "nnls":
        E = np.vstack([A.T, np.ones((1, n))])
        f = np.zeros(d + 1)
        f[-1] = 1.0
        u, _ = optimize.nnls(E, f, maxiter=50 * (n + d))
        r = E @ u - f
        if abs(r[-1]) < 1e-12:
            raise ConvergenceError("max-margin LDP: constraints incompatible (not separable)",
                                   model="gmm", params={"n": n, "d": d}, method="nnls")
        w = -r[:d] / r[-1]
    elif method == "dual":
        K = A @ A.T

        def fg(lam):
            Kl = K @ lam
            return 0.5 * lam @ Kl - lam.sum(), Kl - 1.0

        res = optimize.minimize(fg, np.zeros(n), jac=True, method="L-BFGS-B",
                                bounds=[(0, None)] * n,
                                options={"maxiter": 20000, "ftol": 1e-16, "gtol": tol,
                                         "maxcor": 30})
        w = A.T @ res.x
    else:
        raise ReplicaInputError(f"unknown method {method!r}; choose nnls or dual")
    marg = A @ w
    if not np.all(np.isfinite(w)) or np.linalg.norm(w) > 1e8 or marg.min() < 1 - 1e-4:
        raise ConvergenceError("max-margin QP failed (data not separable, or not converged)",
                               model="gmm", params={"n": n, "d": d}, residual=[1 - marg.min()],
                               method=method)
    kappa = float(marg.min() / np.linalg.norm(w))
    return w, kappa


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
