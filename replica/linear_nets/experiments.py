"""Seeded CPU experiments on flat minima of deep networks (Mulayoff & Michaeli, ICML 2020).

(a) :func:`gd_step_size_experiment`: full-batch GD from random initialisations of a deep linear
    network at several step sizes; final sharpness vs eta against the stability line 2/eta and
    the minimum sharpness (GD converges only for eta <= eta* = 2/min sharpness).
(b) :func:`resnet_experiment`: the linear ResNet ``W_i = I + A_i`` from ``A_i = 0`` with whitened and
    with non-white inputs: imbalance and sharpness vs the minimum. Gradient flow conserves
    ``W_{i+1}^T W_{i+1} - W_i W_i^T`` (= 0 at the identity), so GD (up to O(eta) per unit time)
    converges to a balanced minimum. For whitened inputs that is a flattest minimum; for non-white
    inputs balanced minima are in general *not* the flattest, so the claim fails there.
(c) :func:`relu_experiment`: a bias-free ReLU MLP trained by full-batch GD on data from a random
    ReLU teacher, at a small and at a large step size: coupling, balancedness and sharpness.

Every function returns plain dicts/lists (JSON-ready) and is deterministic given its seed.

Findings (seed 0, full size; ``replica linear experiment <name> --json``)
-------------------------------------------------------------------------
(a) N = 3, s = (2, 1, 0.5): min sharpness 3 * 2^(4/3) = 7.5595, eta* = 0.26457. All 48 runs with
    eta <= 0.95 eta* converge, each with min <= lambda_max <= 2/eta; at 0.05 eta* the final
    sharpness depends on the initialisation (8.29 to 21.7), at 0.95 eta* it is 7.69-7.91
    (2/eta = 7.96). At 1.05 and 1.2 eta* no run converges (7 settle into bounded oscillations with
    excess loss 0.045-0.29, one diverges).
(b) depth 4: whitened inputs, eta = 0.0174: relative imbalance 5.6e-4, sharpness 11.51864 vs
    minimum 11.51858 (ratio 1.0000055; the imbalance halves with eta). Non-white inputs
    (variances 1, 4, 0.25): imbalance 4.0e-4, sharpness 33.46 = the balanced minimum's 33.49 (up to
    O(eta)), while the minimum over all global minima is 23.04: ratio 1.45. The zero-init ResNet
    finds the flattest minimum only for whitened inputs.
(c) 6-12-12-1 ReLU MLP, 20000 GD steps. From He initialisation, eta = 0.01 and 0.1 keep the
    initial imbalance (spectral 0.48 / 0.47, top coupling 0.19 / 0.20, sharpness 14.9 / 13.3);
    eta = 0.6 ends much flatter (sharpness 1.79 vs 2/eta = 3.33) with more coupling (0.55; 0.93
    for the last pair) and spectral imbalance 0.34, but at a higher loss (0.032). From 0.3 x He,
    every step size gives strongly coupled (0.72-0.77) and spectrally balanced (0.04-0.13) layers;
    at eta = 0.6 the sharpness sits at the stability edge (3.33 = 2/eta).
"""
from __future__ import annotations

import numpy as np
from scipy.sparse.linalg import LinearOperator, eigsh

from . import diagnostics as diag
from .networks import (Moments, gd, loss, min_sharpness_details,
                              sharpness)

__all__ = ["gd_step_size_experiment", "resnet_experiment", "relu_experiment", "EXPERIMENTS",
           "relu_forward_backward", "relu_masks", "relu_sharpness"]


# ------------------------------------------------------------------------------------------
# (a) sharpness vs step size
# ------------------------------------------------------------------------------------------
def gd_step_size_experiment(quick: bool = False, *, seed: int = 0, depth: int = 3,
                            singular_values=(2.0, 1.0, 0.5), init_scale: float = 1.0,
                            tol: float = 1e-10) -> dict:
    """GD on a depth-``depth`` linear network (square width d = len(singular_values), whitened
    inputs, target ``T = Q_1 diag(s) Q_2^T`` with random orthogonal Q) from Gaussian initial
    weights of entry std ``init_scale / sqrt(d)``, at step sizes from 0.05 eta* to 1.2 eta*.

    For each (eta, seed) records whether GD converged to a global minimum (excess loss < tol),
    the final sharpness (dense Hessian), and the bounds: every converged run must satisfy
    ``min_sharpness <= lambda_max <= 2/eta`` (linear stability of GD), so no run converges for
    eta > eta*."""
    rng = np.random.default_rng(seed)
    s = np.asarray(singular_values, dtype=float)
    d = s.size
    q1 = np.linalg.qr(rng.standard_normal((d, d)))[0]
    q2 = np.linalg.qr(rng.standard_normal((d, d)))[0]
    T = q1 @ np.diag(s) @ q2.T
    m = Moments.from_target(T)
    info = min_sharpness_details(T, depth)
    fracs = (np.array([0.1, 0.4, 0.7, 0.9, 1.1]) if quick
             else np.array([0.05, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 0.95, 1.05, 1.2]))
    n_init = 2 if quick else 4
    max_steps = 8000 if quick else 60000
    rows = []
    for frac in fracs:
        eta = float(frac * info.eta_star)
        for k in range(n_init):
            r = np.random.default_rng([seed, k])
            w0 = [init_scale / np.sqrt(d) * r.standard_normal((d, d)) for _ in range(depth)]
            res = gd(w0, m, eta, max_steps, tol=tol, record=10)
            row = {"eta": eta, "eta_over_eta_star": float(frac), "init": k,
                   "converged": res.converged, "diverged": res.diverged, "steps": res.steps,
                   "final_excess_loss": float(res.losses[-1] - m.min_loss)
                   if np.isfinite(res.losses[-1]) else None,
                   "sharpness": sharpness(res.weights, m) if res.converged else None,
                   "two_over_eta": 2.0 / eta}
            rows.append(row)
    return {"experiment": "gd-step-size", "depth": depth, "singular_values": s.tolist(),
            "min_sharpness": info.value, "eta_star": info.eta_star, "seed": seed,
            "init_scale": init_scale, "rows": rows}


# ------------------------------------------------------------------------------------------
# (b) linear ResNet from zero residuals
# ------------------------------------------------------------------------------------------
def resnet_experiment(quick: bool = False, *, seed: int = 0, depth: int = 4,
                      eigenvalues=(2.0, 1.2, 0.6), input_variances=(1.0, 4.0, 0.25),
                      skew: float = 0.4, eta: float | None = None, tol: float = 1e-12) -> dict:
    """Linear ResNet ``W_i = I + A_i``, ``A_i(0) = 0``, square width d, target
    ``T = Q diag(eigenvalues) Q^T + skew K`` with K a random antisymmetric matrix of unit spectral
    norm (positive-definite symmetric part, so GD from the identity converges; the skew part makes
    T non-normal, so the layers do not stay equal to each other as they would for symmetric T), trained
    by GD with whitened inputs (Sigma_x = I) and with non-white inputs
    (``Sigma_x = diag(input_variances)``, same target). Records along the trajectory the relative
    Frobenius imbalance and the sharpness, and at the end compares with the minimum sharpness and
    the balanced-minimum sharpness. ``eta`` defaults to 0.2 / (balanced sharpness)."""
    rng = np.random.default_rng(seed)
    lam = np.asarray(eigenvalues, dtype=float)
    d = lam.size
    q = np.linalg.qr(rng.standard_normal((d, d)))[0]
    K = rng.standard_normal((d, d))
    K = K - K.T
    T = q @ np.diag(lam) @ q.T + skew * K / np.linalg.norm(K, 2)
    cases = []
    for name, var in (("whitened", np.ones(d)), ("non-white", np.asarray(input_variances, float))):
        S = np.diag(var)
        m = Moments.from_target(T, S)
        info = min_sharpness_details(T, depth, S)
        step = eta if eta is not None else 0.2 / info.balanced
        traj = []
        n_rec = 30 if quick else 80

        def cb(t, ws, traj=traj):
            traj.append((t, float(loss(ws, m) - m.min_loss),
                         float(np.mean([p.frobenius for p in diag.layer_pairs(ws)])),
                         float(sharpness(ws, m))))

        w0 = [np.eye(d) for _ in range(depth)]
        max_steps = 20000 if quick else 100000
        # record geometrically spaced steps through the callback: run GD in chunks
        ws = w0
        t_done = 0
        cb(0, ws)
        marks = np.unique(np.geomspace(1, max_steps, n_rec).astype(int))
        res = None
        for mark in marks:
            res = gd(ws, m, step, int(mark - t_done), tol=tol, record=max(1, int(mark - t_done)))
            ws = res.weights
            t_done = mark
            cb(t_done, ws)
            if res.diverged:
                break
            if loss(ws, m) - m.min_loss <= tol:
                break
        excess = loss(ws, m) - m.min_loss
        pairs = diag.layer_pairs(ws)
        sh = sharpness(ws, m)
        cases.append({
            "inputs": name, "input_variances": var.tolist(), "eta": step, "steps": int(t_done),
            "converged": bool(excess <= tol), "final_excess_loss": float(excess),
            "imbalance_frobenius": float(max(p.frobenius for p in pairs)),
            "imbalance_abs": float(max(np.linalg.norm(D) for D in diag.imbalance(ws))),
            "sharpness": sh, "min_sharpness": info.value, "balanced_sharpness": info.balanced,
            "ratio_to_min": sh / info.value,
            "trajectory": {"step": [t[0] for t in traj], "excess_loss": [t[1] for t in traj],
                           "imbalance": [t[2] for t in traj], "sharpness": [t[3] for t in traj]},
        })
    return {"experiment": "resnet", "depth": depth, "eigenvalues": lam.tolist(), "skew": skew,
            "target": T.tolist(), "seed": seed,
            "cases": cases}


# ------------------------------------------------------------------------------------------
# (c) ReLU MLP
# ------------------------------------------------------------------------------------------
def relu_masks(weights, X):
    """Activation patterns (boolean, one array per hidden layer) of the ReLU MLP on rows of X."""
    masks, h = [], X
    for w in weights[:-1]:
        z = h @ w.T
        masks.append(z > 0)
        h = z * masks[-1]
    return masks


def relu_forward_backward(weights, X, Y, *, grad: bool = True, masks=None):
    """Bias-free ReLU MLP ``f(x) = W_N relu(... relu(W_1 x))`` on rows of X; loss
    ``1/(2n) sum |y - f(x)|^2`` and (if ``grad``) its gradient by backpropagation. With ``masks``
    (from :func:`relu_masks`) the activation pattern is frozen: the network is then a polynomial
    of the weights that coincides with the ReLU network on the current linear region."""
    hs = [X]
    for k, w in enumerate(weights[:-1]):
        z = hs[-1] @ w.T
        hs.append(z * masks[k] if masks is not None else np.maximum(z, 0.0))
    out = hs[-1] @ weights[-1].T
    n = X.shape[0]
    err = out - Y
    L = 0.5 * float(np.sum(err * err)) / n
    if not grad:
        return L, None
    g = [None] * len(weights)
    delta = err / n
    for i in range(len(weights) - 1, -1, -1):
        g[i] = delta.T @ hs[i]
        if i > 0:
            delta = (delta @ weights[i]) * (masks[i - 1] if masks is not None else (hs[i] > 0))
    return L, g


def relu_sharpness(weights, X, Y, *, h: float = 1e-4, seed: int = 0) -> float:
    """Top Hessian eigenvalue of the ReLU-MLP loss by Lanczos on central finite differences of
    the gradient with the activation pattern frozen at ``weights`` (:func:`relu_masks`). The loss
    is piecewise polynomial in the weights and this is the Hessian of the current piece (the
    Hessian of the ReLU loss wherever it exists); freezing the masks keeps a pre-activation that
    sits near 0 from turning the difference quotient into a gradient jump / (2h). The frozen-mask
    loss is a polynomial of degree 2N, so central differences are accurate to O(h^2)."""
    masks = relu_masks(weights, X)
    shapes = [w.shape for w in weights]
    sizes = [a * b for a, b in shapes]
    theta = np.concatenate([w.ravel() for w in weights])

    def unflat(t):
        out, k = [], 0
        for s, n in zip(shapes, sizes):
            out.append(t[k:k + n].reshape(s)); k += n
        return out

    def g(t):
        return np.concatenate([x.ravel() for x in
                               relu_forward_backward(unflat(t), X, Y, masks=masks)[1]])

    def mv(v):
        v = np.asarray(v).ravel()
        return (g(theta + h * v) - g(theta - h * v)) / (2 * h)

    P = theta.size
    op = LinearOperator((P, P), matvec=mv, dtype=float)
    v0 = np.random.default_rng(seed).standard_normal(P)
    return float(eigsh(op, k=1, which="LA", v0=v0, tol=1e-8, return_eigenvectors=False)[0])


def relu_experiment(quick: bool = False, *, seed: int = 0, d_in: int = 6, width: int = 12,
                    depth: int = 3, n: int = 200, etas=(0.01, 0.1, 0.6), steps: int | None = None,
                    init_scales=(1.0, 0.3)) -> dict:
    """Student: bias-free ReLU MLP ``d_in -> width -> ... -> 1`` (``depth`` layers) with Gaussian
    initialisation of entry std ``init_scale * sqrt(2/fan_in)`` (He for init_scale = 1), trained by
    full-batch GD on n samples from a random bias-free ReLU teacher ``d_in -> 4 -> 1`` (Gaussian
    inputs, no noise). For every initial scale and step size (small to large) it reports the final
    loss, the sharpness (vs 2/eta) and, per layer pair, the relative Frobenius / spectral /
    per-neuron imbalance and the coupling overlaps (:mod:`replica.linear_nets.diagnostics`), next to
    the same numbers at initialisation."""
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, d_in))
    t1 = rng.standard_normal((4, d_in)) / np.sqrt(d_in)
    t2 = rng.standard_normal((1, 4))
    Y = np.maximum(X @ t1.T, 0) @ t2.T
    dims = [d_in] + [width] * (depth - 1) + [1]
    base = [rng.standard_normal((dims[i + 1], dims[i])) * np.sqrt(2.0 / dims[i])
            for i in range(depth)]
    if steps is None:
        steps = 2000 if quick else 20000

    def strip(d):
        return {k: v for k, v in d.items() if k != "path_gains"}

    blocks = []
    for scale in init_scales:
        init = [scale * w for w in base]
        runs = []
        for eta in etas:
            ws = [w.copy() for w in init]
            for t in range(steps):
                L, g = relu_forward_backward(ws, X, Y)
                if not np.isfinite(L) or L > 1e6:
                    break
                ws = [w - eta * gi for w, gi in zip(ws, g)]
            L = relu_forward_backward(ws, X, Y, grad=False)[0]
            finite = bool(np.isfinite(L) and L < 1e6)
            runs.append({
                "eta": float(eta), "two_over_eta": 2.0 / eta, "steps": steps,
                "final_loss": float(L) if finite else None, "diverged": not finite,
                "sharpness": relu_sharpness(ws, X, Y) if finite else None,
                "pairs": [p.as_dict() for p in diag.layer_pairs(ws)] if finite else None,
                "summary": strip(diag.summary(ws)) if finite else None,
            })
        blocks.append({"init_scale": float(scale),
                       "initial_loss": relu_forward_backward(init, X, Y, grad=False)[0],
                       "initial_sharpness": relu_sharpness(init, X, Y),
                       "initial_summary": strip(diag.summary(init)), "runs": runs})
    return {"experiment": "relu", "seed": seed, "dims": dims, "n": n, "inits": blocks}


EXPERIMENTS = {"gd-step-size": gd_step_size_experiment, "resnet": resnet_experiment,
               "relu": relu_experiment}
