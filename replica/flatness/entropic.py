r"""Entropic training algorithms (numpy): plain SGD/GD, Entropy-SGD and Replicated-SGD.

Both entropic algorithms descend the *local free entropy*
:math:`\Phi(\tilde w;\beta,\gamma) = \ln\int dw\, e^{-\beta L(w) - \frac\gamma2|w-\tilde w|^2}`,
whose gradient is :math:`-\nabla_{\tilde w}\Phi = \gamma(\tilde w - \langle w\rangle)`
(docs/THEORY.md §4.2; Pittorino et al., ICLR 2021, §4; Chaudhari et al., ICLR 2017; Baldassi et al.,
PNAS 2016). On the sphere at beta -> inf, Phi/N = max_d [S(d) - 2 gamma d] with S the
Franz–Parisi local entropy: the coupling gamma is the Legendre conjugate of the distance
(see :func:`replica.models.franz_parisi.legendre`).

Entropy-SGD (:func:`entropy_sgd`; Chaudhari et al. 2017, Algorithm 1, with the outer step of
Pittorino et al. 2021 eq. 8). One outer iteration at parameters x:

.. math::
    x' \leftarrow x,\ \mu \leftarrow x;\quad \text{repeat } L \text{ times:}\quad
    x' \leftarrow x' - \eta'\,[\nabla L_{B}(x') + \gamma (x' - x)] + \sqrt{\eta'}\,\epsilon\,\xi,
    \quad \mu \leftarrow (1-a)\mu + a x';

.. math:: x \leftarrow x - \eta\,(x - \mu).

(:math:`B` a fresh minibatch per inner step, :math:`\xi\sim N(0,I)`, :math:`\epsilon` the
Langevin noise, a the averaging weight; ``mean="uniform"`` uses a = 1/l instead, the plain
running mean.) Scoping: :math:`\gamma_t = \min(\gamma_0 (1+\gamma_1)^{t}, \gamma_{\max})`, t = outer iteration.
Defaults: L = 5, eta' = lr, eta = 1, gamma0 = 0.03, gamma1 = 1e-3, epsilon = 1e-4, a = 0.75.
Degenerate case: L = 1, gamma = 0, a = 1, epsilon = 0, eta = 1 gives x <- x - eta' grad L_B(x),
i.e. SGD with the same minibatch stream (tested). L = 0 would leave x unchanged and is refused.

Replicated-SGD (:func:`replicated_sgd`; Pittorino et al. 2021 eq. 10): y replicas w^a, each with
its own minibatch stream, coupled elastically to their centre of mass (treated as a constant,
"detached", in each step):

.. math:: w^a \leftarrow w^a - \eta\,[\nabla L_{B_a}(w^a) + 2 g\,(w^a - \bar w)],\qquad
          \bar w = \frac1y\sum_a w^a,

i.e. gradient steps on :math:`\sum_a L(w^a) + g\sum_a|w^a-\bar w|^2`. Coupling schedule
:math:`g_t = \min(g_0(1+g_1)^{t}, g_{\max})` with t = epoch (fractional within an epoch). The centre is the
returned (evaluated) network. Defaults: y = 3, g0 = 0.01, g1 = 0.1 per epoch. y = 1 is SGD
exactly (same seed, tested).

Seeding: every stream is derived from ``SeedSequence(seed, spawn_key=(k, a))`` — k = 0 initial
weights of replica a, k = 1 minibatches of replica a, k = 2 Langevin noise — so that SGD (a = 0),
Entropy-SGD and replica 0 of Replicated-SGD see the same initialisation and batches.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from ..errors import ReplicaInputError, check_range

__all__ = ["TrainResult", "sgd", "gd", "entropy_sgd", "entropy_sgd_inner", "replicated_sgd",
           "train", "ALGORITHMS", "BatchStream"]

ALGORITHMS = ("sgd", "gd", "esgd", "rsgd")


def _rng(seed, k, a=0):
    return np.random.default_rng(np.random.SeedSequence(int(seed), spawn_key=(k, a)))


class BatchStream:
    """Minibatch indices: a fresh random permutation of the n samples every epoch, cut into
    consecutive batches (the last, shorter batch of an epoch is dropped unless it is the only one)."""

    def __init__(self, n: int, batch_size: int, rng):
        self.n, self.b, self.rng = int(n), int(min(batch_size, n)), rng
        self.per_epoch = max(1, self.n // self.b)
        self._perm, self._k = None, self.per_epoch

    def next(self):
        if self._k >= self.per_epoch:
            self._perm = self.rng.permutation(self.n) if self.b < self.n else np.arange(self.n)
            self._k = 0
        i = self._k * self.b
        self._k += 1
        return self._perm[i:i + self.b]


@dataclass
class TrainResult:
    """Final parameters (the centre for Replicated-SGD), errors and a per-epoch history."""

    algorithm: str
    params: np.ndarray
    train_error: float
    test_error: float | None
    history: dict = field(default_factory=dict)
    replicas: np.ndarray | None = None
    settings: dict = field(default_factory=dict)

    def as_dict(self) -> dict:
        out = {"algorithm": self.algorithm, "train_error": self.train_error,
               "test_error": self.test_error}
        out.update(self.settings)
        out["history"] = {k: list(map(float, v)) for k, v in self.history.items()}
        return out


def _check_common(lr, epochs, batch_size):
    check_range("lr", lr, 0.0, lo_open=True)
    if int(epochs) < 1:
        raise ReplicaInputError("epochs must be >= 1")
    if int(batch_size) < 1:
        raise ReplicaInputError("batch_size must be >= 1")


def _finish(name, model, w, X, y, Xt, yt, hist, settings, replicas=None):
    tr = float(np.mean(model.predict(w, X) != y))
    te = float(np.mean(model.predict(w, Xt) != yt)) if Xt is not None else None
    if not np.all(np.isfinite(w)):
        raise ReplicaInputError(f"{name}: parameters diverged (non-finite); lower the learning rate")
    return TrainResult(name, w, tr, te, {k: np.array(v) for k, v in hist.items()}, replicas,
                       settings)


def sgd(model, X, y, *, lr: float = 0.5, epochs: int = 50, batch_size: int = 20, seed: int = 0,
        w0=None, X_test=None, y_test=None, stop_at_zero: bool = False) -> TrainResult:
    """Plain minibatch SGD: w <- w - lr grad L_B(w) (B from :class:`BatchStream`).

    ``stop_at_zero``: stop at the end of the first epoch with zero training error (all
    algorithms support it, so that minima are compared where each algorithm first lands)."""
    _check_common(lr, epochs, batch_size)
    w = model.init(_rng(seed, 0, 0)) if w0 is None else np.array(w0, dtype=float)
    stream = BatchStream(len(y), batch_size, _rng(seed, 1, 0))
    hist = {"loss": [], "train_error": []}
    for ep in range(int(epochs)):
        for _ in range(stream.per_epoch):
            idx = stream.next()
            _, g = model.loss_grad(w, X[idx], y[idx])
            w = w - lr * g
        L, _ = model.loss_grad(w, X, y)
        hist["loss"].append(L)
        hist["train_error"].append(float(np.mean(model.predict(w, X) != y)))
        if stop_at_zero and hist["train_error"][-1] == 0.0:
            break
    return _finish("sgd", model, w, X, y, X_test, y_test, hist,
                   {"lr": lr, "epochs": epochs, "batch_size": batch_size, "seed": seed,
                    "epochs_run": len(hist["loss"])})


def gd(model, X, y, *, lr: float = 0.5, epochs: int = 50, seed: int = 0, w0=None,
       X_test=None, y_test=None, stop_at_zero: bool = False, batch_size=None) -> TrainResult:
    """Full-batch gradient descent (SGD with one batch of all samples)."""
    r = sgd(model, X, y, lr=lr, epochs=epochs, batch_size=len(y), seed=seed, w0=w0,
            X_test=X_test, y_test=y_test, stop_at_zero=stop_at_zero)
    r.algorithm = "gd"
    return r


def entropy_sgd_inner(grad, x, *, gamma: float, L: int, inner_lr: float, noise: float = 0.0,
                      mean_weight: float = 0.75, mean: str = "exp", rng=None):
    """The Entropy-SGD inner loop (module docstring) for a gradient callable ``grad(x')`` (which
    may draw its own minibatch). Returns the running mean mu after L steps.

    For a quadratic L(x) = (x-w*)^T A (x-w*)/2 the Gibbs measure of the inner problem is Gaussian
    with mean (A + gamma I)^{-1}(A w* + gamma x), which mu approaches as L grows."""
    if int(L) < 1:
        raise ReplicaInputError("Entropy-SGD needs L >= 1 inner steps (L = 0 never moves x)")
    if mean not in ("exp", "uniform"):
        raise ReplicaInputError("mean must be 'exp' or 'uniform'")
    xp = x.copy()
    mu = x.copy()
    for l in range(1, int(L) + 1):
        g = grad(xp) + gamma * (xp - x)
        xp = xp - inner_lr * g
        if noise > 0:
            xp = xp + math.sqrt(inner_lr) * noise * rng.standard_normal(x.shape)
        a = mean_weight if mean == "exp" else 1.0 / l
        mu = (1.0 - a) * mu + a * xp
    return mu


def entropy_sgd(model, X, y, *, lr: float = 1.0, inner_lr: float = 0.5, L: int = 5,
                gamma0: float = 0.03, gamma1: float = 1e-3, gamma_max: float | None = None,
                noise: float = 1e-4,
                mean_weight: float = 0.75, mean: str = "exp", epochs: int = 50,
                batch_size: int = 20, seed: int = 0, w0=None, X_test=None,
                y_test=None, stop_at_zero: bool = False) -> TrainResult:
    """Entropy-SGD (module docstring). ``epochs`` counts minibatch gradients as for SGD (one epoch
    = n/batch_size gradient evaluations), so budgets are comparable: one outer iteration uses L.
    Outer step x <- x - lr (x - mu); scoping gamma_t = min(gamma0 (1 + gamma1)^t, gamma_max),
    gamma_max defaulting to 1/inner_lr (the inner elastic step inner_lr*gamma stays <= 1)."""
    _check_common(inner_lr, epochs, batch_size)
    check_range("lr", lr, 0.0, lo_open=True)
    check_range("gamma0", gamma0, 0.0)
    check_range("gamma1", gamma1, 0.0)
    check_range("noise", noise, 0.0)
    x = model.init(_rng(seed, 0, 0)) if w0 is None else np.array(w0, dtype=float)
    stream = BatchStream(len(y), batch_size, _rng(seed, 1, 0))
    nrng = _rng(seed, 2, 0)
    gam_cap = 1.0 / inner_lr if gamma_max is None else float(gamma_max)

    def grad(xp):
        idx = stream.next()
        return model.loss_grad(xp, X[idx], y[idx])[1]

    hist = {"loss": [], "train_error": [], "gamma": []}
    per_epoch = stream.per_epoch
    total = int(epochs) * per_epoch
    done, t, next_epoch = 0, 0, per_epoch
    while done < total:
        gam = min(gamma0 * (1.0 + gamma1) ** t, gam_cap)
        Ls = min(int(L), total - done) if L >= 1 else L
        mu = entropy_sgd_inner(grad, x, gamma=gam, L=Ls, inner_lr=inner_lr, noise=noise,
                               mean_weight=mean_weight, mean=mean, rng=nrng)
        # lr = 1 is the plain 'move to the mean' step (written so that it is exact)
        x = mu if lr == 1.0 else x - lr * (x - mu)
        done += Ls
        t += 1
        while done >= next_epoch:
            Lx, _ = model.loss_grad(x, X, y)
            hist["loss"].append(Lx)
            hist["train_error"].append(float(np.mean(model.predict(x, X) != y)))
            hist["gamma"].append(gam)
            next_epoch += per_epoch
        if stop_at_zero and hist["train_error"] and hist["train_error"][-1] == 0.0:
            break
    return _finish("esgd", model, x, X, y, X_test, y_test, hist,
                   {"lr": lr, "inner_lr": inner_lr, "L": L, "gamma0": gamma0, "gamma1": gamma1,
                    "gamma_max": gam_cap, "noise": noise, "epochs": epochs, "batch_size": batch_size, "seed": seed,
                    "epochs_run": len(hist["loss"])})


def replicated_sgd(model, X, y, *, n_replicas: int = 3, lr: float = 0.5, g0: float = 0.01,
                   g1: float = 0.1, g_max: float | None = None, epochs: int = 50,
                   batch_size: int = 20, seed: int = 0, init: str = "independent", X_test=None,
                   y_test=None, stop_at_zero: bool = False) -> TrainResult:
    """Replicated-SGD (module docstring). ``init="independent"``: replica a starts from its own
    seed stream (replica 0 = SGD's start); ``"same"``: all replicas start at replica 0's start.
    The coupling is capped at ``g_max`` (default 0.5/lr: beyond 2 lr g = 1 the elastic step
    overshoots the centre, beyond 2 it diverges). Returns the centre of mass; history records the mean distance d = (1 - cos)/2 of the replicas
    from the centre and the coupling g."""
    _check_common(lr, epochs, batch_size)
    yr = int(n_replicas)
    if yr < 1:
        raise ReplicaInputError("n_replicas must be >= 1")
    if init not in ("independent", "same"):
        raise ReplicaInputError("init must be 'independent' or 'same'")
    check_range("g0", g0, 0.0)
    check_range("g1", g1, 0.0)
    g_cap = 0.5 / lr if g_max is None else float(g_max)
    W = np.stack([model.init(_rng(seed, 0, a if init == "independent" else 0)) for a in range(yr)])
    streams = [BatchStream(len(y), batch_size, _rng(seed, 1, a)) for a in range(yr)]
    per_epoch = streams[0].per_epoch
    hist = {"loss": [], "train_error": [], "g": [], "replica_distance": []}
    step = 0
    for ep in range(int(epochs)):
        for _ in range(per_epoch):
            g = min(g0 * (1.0 + g1) ** (step / per_epoch), g_cap)
            centre = W.mean(0)                       # detached: a constant within the step
            newW = np.empty_like(W)
            for a in range(yr):
                idx = streams[a].next()
                _, gr = model.loss_grad(W[a], X[idx], y[idx])
                newW[a] = W[a] - lr * (gr + 2.0 * g * (W[a] - centre))
            W = newW
            step += 1
        c = W.mean(0)
        Lx, _ = model.loss_grad(c, X, y)
        hist["loss"].append(Lx)
        hist["train_error"].append(float(np.mean(model.predict(c, X) != y)))
        hist["g"].append(g)
        cos = (W @ c) / (np.linalg.norm(W, axis=1) * np.linalg.norm(c))
        hist["replica_distance"].append(float(np.mean((1.0 - cos) / 2.0)))
        if stop_at_zero and hist["train_error"][-1] == 0.0:
            break
    centre = W[0].copy() if yr == 1 else W.mean(0)
    return _finish("rsgd", model, centre, X, y, X_test, y_test, hist,
                   {"n_replicas": yr, "lr": lr, "g0": g0, "g1": g1, "g_max": g_cap,
                    "epochs": epochs, "batch_size": batch_size, "seed": seed, "init": init,
                    "epochs_run": len(hist["loss"])}, replicas=W)


def train(algorithm: str, model, X, y, **kw) -> TrainResult:
    """Dispatch by name: "sgd", "gd", "esgd", "rsgd"."""
    fn = {"sgd": sgd, "gd": gd, "esgd": entropy_sgd, "rsgd": replicated_sgd}.get(algorithm)
    if fn is None:
        raise ReplicaInputError(f"unknown algorithm {algorithm!r}; choose one of "
                                f"{', '.join(ALGORITHMS)}")
    return fn(model, X, y, **kw)
