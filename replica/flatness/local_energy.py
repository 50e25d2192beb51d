r"""Local energy: how much the training error grows when the weights are perturbed — a flatness
measure (Pittorino et al., ICLR 2021, §3; docs/THEORY.md §4.1).

Definitions
-----------
Multiplicative Gaussian noise (any weights, any network):

.. math:: \delta E(\sigma) = \mathbb E_z\big[E_{\rm train}(w\odot(1+\sigma z))\big] - E_{\rm train}(w),

with :math:`E_{\rm train}` the fraction of misclassified training patterns and
:math:`z \sim N(0, I)`. Binary weights can instead be flipped independently with probability p.

Perceptron closed form (derived). With :math:`\Delta_\mu = y_\mu w\cdot x_\mu/|w|` the stability
(normalised by |w|), the perturbed pre-activation is :math:`\Delta_\mu + \sigma s_\mu \eta_\mu`,
:math:`\eta_\mu\sim N(0,1)`, with :math:`s_\mu^2 = \sum_i w_i^2 x_{\mu i}^2/|w|^2` (exact for
Gaussian z); :math:`s_\mu \to 1` at large N. Hence

.. math:: \delta E(\sigma) = \frac1P\sum_\mu H\Big(\frac{\Delta_\mu}{\sigma s_\mu}\Big) - E_{\rm train},

``exact=False`` (default) uses :math:`s_\mu = 1` (the large-N law of docs/THEORY.md §4.1), ``exact=True``
keeps the per-pattern :math:`s_\mu` (then the formula is the exact noise average for the given
data). Bit flips with probability p: :math:`\Delta \to (1-2p)\Delta + 2\sqrt{p(1-p)}\,\eta` (CLT),
i.e. the same formula with :math:`\sigma_{\rm eff}(p) = 2\sqrt{p(1-p)}/(1-2p)`.

Replica prediction (derived)
----------------------------
Typical solutions of margin kappa (RS, overlap q from :func:`replica.models.gardner.gardner`):
:math:`P(\Delta) = \theta(\Delta-\kappa)\int Dt\, N(\Delta; m, s^2)/H(a)`, :math:`m=\sqrt q t`,
:math:`s = \sqrt{1-q}`, :math:`a = (\kappa-m)/s` (docs/THEORY.md §4.1; it is normalised, and it holds for
both weight models with their own q). Then
:math:`\delta E = \int Dt\,[C(t) - E_{\rm tr}(t)]` with the Delta-integral done in closed form for
each noise value: :math:`H(\Delta/\sigma) = P(\sigma\eta > \Delta)` and
:math:`\int_\kappa^{\sigma\eta} N(\Delta;m,s^2)\,d\Delta = H(a) - H(x)`, :math:`x = (\sigma\eta - m)/s`, so

.. math:: C(t) = \int_{\kappa/\sigma}^\infty D\eta\,\Big[1 - \frac{H(x)}{H(a)}\Big],\qquad
          E_{\rm tr}(t) = \theta(-\kappa)\Big[1 - \frac{H(-m/s)}{H(a)}\Big].

The ratio :math:`H(x)/H(a)\in[0,1]` (x >= a) is evaluated as ``exp(lnH(x) - lnH(a))``, so nothing
underflows when the reference constraint is deep in the tail (a ~ 1/sqrt(1-q) as q -> 1). The
remaining eta- and t-integrals are composite Gauss–Legendre rules graded around their boundary
layers (eta: at kappa/sigma with width s/(sigma max(1,a)), and at m/sigma with width s/sigma;
t: at kappa/sqrt q with width s/sqrt q and at 0 with width sqrt(sigma^2+s^2)/sqrt q). This stays
accurate for q -> 1 (checked in the tests against the Owen's-T bivariate-normal closed form at
moderate q and against Monte Carlo sampling of Delta from the RS measure). A naive quadrature in
Delta loses the narrow N(Delta; m, 1-q) peak for q > 0.95.

Max-margin reference (spherical; q -> 1):
:math:`P(\Delta) = \Phi(\kappa)\delta(\Delta-\kappa) + \theta(\Delta-\kappa)\phi(\Delta)`. With
Owen's identity :math:`\int_h^\infty \phi(x)\Phi(bx)\,dx = T(h,b) + H(h)/2` this gives the closed form

.. math:: \delta E_{\max}(\sigma) = \tfrac12 H(\kappa/\sigma) + T(\kappa/\sigma, \sigma),

(T = Owen's T function), a sum of positive terms, accurate for all sigma; sigma -> inf gives 1/2.
The typical-reference curve tends to it as kappa -> kappa_max (tested).

Documented checks: small sigma, :math:`\delta E \approx \sigma\,p(0^+)/\sqrt{2\pi}` (p(0+) the
stability density at 0, non-zero only at kappa = 0 — for kappa < 0 the O(sigma) terms of the
errors made and undone cancel and dE = O(sigma^2)); with margin kappa > 0,
:math:`\delta E \le H(\kappa/\sigma)` (every stability is >= kappa).
"""
from __future__ import annotations

import math

import numpy as np
from scipy import special

from .._numba import jit
from ..gauss import graded_edges_on as _edges
from ..errors import ReplicaInputError, check_finite, check_range
from ..gauss import G, H, gauss_legendre, graded_gaussian_rule, log_H_s, phi_s

__all__ = [
    "stabilities", "sigma_from_flip", "local_energy_from_stabilities", "local_energy_perceptron",
    "local_energy_mc", "perceptron_error_fn", "rs_reference", "local_energy_typical",
    "local_energy_max_margin", "local_energy_replica", "stability_density", "p0_plus",
    "small_sigma_slope", "sample_rs_stabilities", "NOISES",
]

NOISES = ("gaussian", "flip")
_XG, _WG = (np.array(a) for a in gauss_legendre(16))


def _sigmas(sigmas, noise="gaussian"):
    if noise not in NOISES:
        raise ReplicaInputError(f"unknown noise {noise!r}; choose one of {', '.join(NOISES)}")
    s = np.atleast_1d(np.asarray(sigmas, dtype=float))
    if s.size == 0:
        raise ReplicaInputError("need at least one sigma")
    if not np.all(np.isfinite(s)):
        raise ReplicaInputError("sigma values must be finite")
    if noise == "gaussian" and np.any(s <= 0):
        raise ReplicaInputError("sigma must be > 0 (noise standard deviation)")
    if noise == "flip" and (np.any(s <= 0) or np.any(s > 0.5)):
        raise ReplicaInputError("flip probability p must be in (0, 0.5]")
    return s


def sigma_from_flip(p):
    """Effective multiplicative-noise sigma of flipping each binary weight with probability p:
    2 sqrt(p(1-p))/(1-2p) (inf at p = 1/2)."""
    p = np.asarray(p, dtype=float)
    with np.errstate(divide="ignore"):
        return 2.0 * np.sqrt(p * (1.0 - p)) / (1.0 - 2.0 * p)


def _effective(sigmas, noise):
    s = _sigmas(sigmas, noise)
    return sigma_from_flip(s) if noise == "flip" else s


# ---------------------------------------------------------------------------------------------
# Finite samples: stabilities, closed form, Monte Carlo
# ---------------------------------------------------------------------------------------------


def stabilities(w, X, y):
    """Delta_mu = y_mu w.x_mu/|w| (normalised by |w|; with |w|^2 = N this is the Delta of docs/THEORY.md §0)."""
    w = np.asarray(w, dtype=float)
    return y * (X @ w) / np.linalg.norm(w)


def local_energy_from_stabilities(delta, sigmas, noise: str = "gaussian", scale=None):
    """(1/P) sum_mu H(Delta_mu/(sigma s_mu)) - E_train for each sigma (``scale`` = s_mu, default 1).

    noise="flip": sigmas are flip probabilities p, mapped to sigma_eff(p)."""
    s_eff = _effective(sigmas, noise)
    d = np.asarray(delta, dtype=float)
    sc = np.ones_like(d) if scale is None else np.asarray(scale, dtype=float)
    e0 = float(np.mean(d < 0))
    out = np.empty(s_eff.size)
    for k, s in enumerate(s_eff):
        arg = np.zeros_like(d) if np.isinf(s) else d / (s * sc)
        out[k] = float(np.mean(H(arg))) - e0
    return out


def local_energy_perceptron(w, X, y, sigmas, noise: str = "gaussian", exact: bool = False):
    """Closed-form local energy of a perceptron from its stabilities (module docstring).

    ``exact=True`` (Gaussian noise only) keeps the per-pattern noise scale
    s_mu^2 = sum_i w_i^2 x_mu,i^2/|w|^2, making the formula the exact average over z."""
    w = np.asarray(w, dtype=float)
    delta = stabilities(w, X, y)
    scale = None
    if exact:
        if noise != "gaussian":
            raise ReplicaInputError("exact=True is available for Gaussian noise only")
        scale = np.sqrt((X * X) @ (w * w)) / np.linalg.norm(w)
    return local_energy_from_stabilities(delta, sigmas, noise, scale)


def perceptron_error_fn(X, y):
    """Training-error function of a perceptron for a batch of weight vectors (rows)."""
    def err(W):
        W = np.atleast_2d(W)
        return np.mean(y[:, None] * (X @ W.T) <= 0, axis=0)
    return err


def local_energy_mc(error_fn, w, sigmas, *, noise: str = "gaussian", n_samples: int = 200,
                    seed: int = 0, batch: int = 50):
    """Monte Carlo local energy for any model: ``error_fn(W)`` maps a (k, n_params) batch of
    weight vectors to their k training errors. Gaussian: w*(1 + sigma z); flip: each weight's sign
    flipped with probability p (= sigma). Returns (mean dE, standard error) arrays over sigmas."""
    s = _sigmas(sigmas, noise)
    w = np.asarray(w, dtype=float)
    rng = np.random.default_rng(seed)
    e0 = float(np.atleast_1d(error_fn(w[None, :]))[0])
    mean = np.empty(s.size)
    se = np.empty(s.size)
    for k, sig in enumerate(s):
        vals = []
        left = int(n_samples)
        while left > 0:
            b = min(batch, left)
            if noise == "gaussian":
                W = w[None, :] * (1.0 + sig * rng.standard_normal((b, w.size)))
            else:
                W = w[None, :] * np.where(rng.random((b, w.size)) < sig, -1.0, 1.0)
            vals.append(np.asarray(error_fn(W), dtype=float))
            left -= b
        v = np.concatenate(vals) - e0
        mean[k] = v.mean()
        se[k] = v.std(ddof=1) / math.sqrt(v.size) if v.size > 1 else math.inf
    return mean, se


# ---------------------------------------------------------------------------------------------
# Replica prediction
# ---------------------------------------------------------------------------------------------


@jit
def _cond_error(m, s, kappa, sigma, xg, wg):
    """C = P(sigma eta > Delta | Delta ~ N(m, s^2) truncated to Delta >= kappa)
    = int_{kappa/sigma}^inf D eta [1 - H(x)/H(a)], x = (sigma eta - m)/s, a = (kappa - m)/s."""
    a = (kappa - m) / s
    la = log_H_s(a)
    eta0 = kappa / sigma
    if eta0 > 40.0:
        return 0.0  # < H(40) ~ 4e-350
    hi = max(eta0, 0.0) + 12.0
    lo = max(eta0, -12.0)
    # within [-12, eta0) nothing (the integrand is 0 below eta0)
    am = a if a > 1.0 else 1.0
    centers = np.array([eta0, eta0, m / sigma])
    widths = np.array([s / (sigma * am), 1.0 / max(1.0, abs(eta0)), s / sigma])
    edges = _edges(lo, hi, centers, widths, 1.0)
    tot = 0.0
    n = xg.shape[0]
    for p in range(edges.shape[0] - 1):
        e0 = edges[p]
        e1 = edges[p + 1]
        half = 0.5 * (e1 - e0)
        mid = 0.5 * (e1 + e0)
        for i in range(n):
            eta = mid + half * xg[i]
            x = (sigma * eta - m) / s
            if x < a:
                x = a
            r = math.exp(log_H_s(x) - la)
            tot += half * wg[i] * phi_s(eta) * (1.0 - r)
    return tot


@jit
def _typical_kernel(q, kappa, sigmas, xg, wg):
    """dE(sigma) = int Dt [C(t) - E_tr(t)] for each sigma (module docstring)."""
    sq = math.sqrt(q)
    s = math.sqrt(1.0 - q)
    out = np.empty(sigmas.shape[0])
    n = xg.shape[0]
    for k in range(sigmas.shape[0]):
        sig = sigmas[k]
        centers = np.array([kappa / sq, 0.0])
        widths = np.array([s / sq, math.sqrt(sig * sig + s * s) / sq])
        edges = _edges(-12.0, 12.0, centers, widths, 1.0)
        tot = 0.0
        for p in range(edges.shape[0] - 1):
            e0 = edges[p]
            e1 = edges[p + 1]
            half = 0.5 * (e1 - e0)
            mid = 0.5 * (e1 + e0)
            for i in range(n):
                t = mid + half * xg[i]
                m = sq * t
                if math.isinf(sig):
                    c = 0.5
                else:
                    c = _cond_error(m, s, kappa, sig, xg, wg)
                etr = 0.0
                if kappa < 0.0:
                    a = (kappa - m) / s
                    etr = 1.0 - math.exp(log_H_s(-m / s) - log_H_s(a))
                tot += half * wg[i] * phi_s(t) * (c - etr)
        out[k] = tot
    return out


def rs_reference(model: str, alpha: float, kappa_ref) -> dict:
    """RS description of the reference: ``kappa`` (numeric; kappa_max(alpha) for "max"), ``q``
    (q = 1 for the spherical max-margin reference; binary "max" = typical at kappa_max, Q < 1)
    and the RS ``replicon`` (> 0: RS locally stable; spherical max margin: 1 - alpha Phi(kappa))."""
    from ..models.gardner import check_model, gardner, kappa_max

    check_model(model)
    alpha = check_range("alpha", alpha, 0.0, lo_open=True)
    if isinstance(kappa_ref, str):
        if kappa_ref.strip().lower() != "max":
            raise ReplicaInputError(f"kappa_ref must be a number or 'max', got {kappa_ref!r}")
        k = kappa_max(model, alpha)
        if model == "spherical":
            return {"kappa": k, "q": 1.0, "max_margin": True,
                    "replicon": 1.0 - alpha * float(special.ndtr(k))}
        sol = gardner(model, alpha, k, allow_negative_entropy=True)
        return {"kappa": k, "q": sol.q, "max_margin": True, "replicon": sol.replicon}
    k = check_finite("kappa", kappa_ref)
    sol = gardner(model, alpha, k)
    return {"kappa": k, "q": sol.q, "max_margin": False, "replicon": sol.replicon}


def local_energy_typical(q: float, kappa: float, sigmas, noise: str = "gaussian") -> np.ndarray:
    """Replica local energy of typical margin-kappa solutions with RS overlap q < 1."""
    q = check_range("q", q, 0.0, 1.0, hi_open=True)
    kappa = check_finite("kappa", kappa)
    s_eff = _effective(sigmas, noise)
    return _typical_kernel(float(q), float(kappa), s_eff, _XG, _WG)


def local_energy_max_margin(kappa: float, sigmas, noise: str = "gaussian") -> np.ndarray:
    """Spherical max-margin reference: dE = H(kappa/sigma)/2 + T(kappa/sigma, sigma) - E_tr
    (Owen's T), with the training error E_tr = theta(-kappa)/2 of the reference (for kappa < 0,
    alpha > 2, the delta peak at kappa and the density on (kappa, 0) hold half the patterns;
    noise undoes some of these errors, so dE < 0 there is the physics, not a rounding)."""
    kappa = check_finite("kappa", kappa)
    s = _effective(sigmas, noise)
    out = np.empty(s.size)
    e_train = 0.5 if kappa < 0 else 0.0
    for k, sig in enumerate(s):
        if np.isinf(sig):
            out[k] = 0.5 - e_train
        else:
            h = max(-60.0, min(60.0, kappa / sig))   # H and T are flat beyond |h| = 40
            # T(h, a) is even in h and below exp(-h^2/2) arctan(a)/(2 pi): it underflows for
            # |h| > 38 (where scipy's owens_t returns NaN for huge |h|)
            t = 0.0 if abs(h) > 38.0 else float(special.owens_t(abs(h), sig))
            out[k] = 0.5 * float(H(h)) + t - e_train
    return out


def local_energy_replica(model: str, alpha: float, kappa_ref, sigmas, noise: str = "gaussian") -> dict:
    """Front door: replica prediction of dE(sigma) around a typical margin-kappa_ref solution or
    around the max-margin solution (kappa_ref = "max"). Returns a dict with the reference
    (kappa, q), the sigmas and ``local_energy`` (array)."""
    ref = rs_reference(model, alpha, kappa_ref)
    if ref["q"] >= 1.0:
        le = local_energy_max_margin(ref["kappa"], sigmas, noise)
    else:
        le = local_energy_typical(ref["q"], ref["kappa"], sigmas, noise)
    return {**ref, "sigmas": _sigmas(sigmas, noise), "local_energy": le}


def stability_density(q: float, kappa: float, delta):
    """RS density P(Delta) = theta(Delta-kappa) int Dt N(Delta; sqrt q t, 1-q)/H(a(t)), for q < 1."""
    delta = np.atleast_1d(np.asarray(delta, dtype=float))
    sq, s = math.sqrt(q), math.sqrt(1 - q)
    z, w = graded_gaussian_rule([kappa / sq], [s / sq], n=16)
    m = sq * z
    a = (kappa - m) / s
    out = np.zeros_like(delta)
    ok = delta >= kappa
    # N(D; m, s^2)/H(a) = phi((D-m)/s)/(s H(a)), in the log domain
    from ..gauss import log_H
    lh = log_H(a)
    for j in np.nonzero(ok)[0]:
        u = (delta[j] - m) / s
        out[j] = float(w @ np.exp(-0.5 * u * u - lh)) / (s * math.sqrt(2 * math.pi))
    return out


def p0_plus(q: float, kappa: float) -> float:
    """Stability density at 0+: P(0+) (zero for kappa > 0; for kappa = 0 it equals
    (1/s) int Dt G(sqrt(q) t/s), s = sqrt(1-q))."""
    if kappa > 0:
        return 0.0
    return float(stability_density(q, kappa, [0.0])[0]) if kappa < 0 else _p0_kappa0(q)


def _p0_kappa0(q):
    sq, s = math.sqrt(q), math.sqrt(1 - q)
    z, w = graded_gaussian_rule([0.0], [s / sq], n=16)
    return float(w @ G(sq * z / s)) / s


def small_sigma_slope(q: float, kappa: float) -> float:
    """lim_{sigma -> 0} dE/sigma = p(0+)/sqrt(2 pi) (kappa >= 0; zero for kappa > 0)."""
    if kappa < 0:
        raise ReplicaInputError("for kappa < 0 the local energy is O(sigma^2): no linear slope")
    return p0_plus(q, kappa) / math.sqrt(2 * math.pi)


def sample_rs_stabilities(q: float, kappa: float, size: int, seed: int = 0) -> np.ndarray:
    """Draw Delta from the RS measure: t ~ N(0,1), Delta = sqrt(q) t + sqrt(1-q) Y with Y a
    standard normal truncated to Y >= a(t) (scipy's truncnorm, exact inverse-CDF sampling)."""
    from scipy.stats import truncnorm

    rng = np.random.default_rng(seed)
    t = rng.standard_normal(size)
    sq, s = math.sqrt(q), math.sqrt(1 - q)
    a = (kappa - sq * t) / s
    y = truncnorm.rvs(a, np.inf, random_state=rng)
    return sq * t + s * y
