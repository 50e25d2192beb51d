r"""Small networks for the entropic-algorithm experiments, in plain numpy, with teacher-student
data. Every model exposes the same interface on a flat parameter vector ``w``:

* ``init(rng)`` — initial parameters (Gaussian, variance 1 per weight);
* ``loss_grad(w, X, y)`` — mean training loss on (X, y) and its gradient;
* ``predict(w, X)`` — labels in {-1, +1};
* ``errors(W, X, y)`` — 0-1 training error for a batch of parameter vectors (rows of W), used by
  the Monte Carlo local energy.

Models (Pittorino et al., ICLR 2021, §5 use the same three families at larger scale):

``Perceptron(N, loss)``: :math:`f = w\cdot x/\sqrt N`; loss ``"ce"`` = softplus(-y f)
(cross-entropy / logistic) or ``"hinge"`` = max(0, 1 - y f); prediction sign(f).

``TreeCommittee(N, K)``: K hidden units on disjoint blocks of N/K inputs,
:math:`h_k = w_k\cdot x_k/\sqrt{N/K}`; the network is :math:`\mathrm{sign}\sum_k \mathrm{sign}(h_k)`
(K odd); it is trained on the smooth surrogate :math:`f = \sum_k \tanh(h_k)` with the loss
softplus(-y f).

``MLP(N, hidden, activation)``: :math:`f = a\cdot g(W x/\sqrt N)/\sqrt{H}`, g = tanh or relu,
both layers trained, loss softplus(-y f), prediction sign(f).

Teacher-student data (:func:`teacher_student`): x ~ N(0, I_N), labels from a teacher of the same
architecture with random Gaussian weights (MLP teacher: output weights +-1), optionally flipped
with probability ``label_noise``.
"""
from __future__ import annotations

import math

import numpy as np

from ..errors import ReplicaInputError

__all__ = ["Perceptron", "TreeCommittee", "MLP", "make_model", "teacher_student", "MODELS"]

MODELS = ("perceptron", "committee", "mlp")


def _softplus(x):
    # ln(1 + e^x) without overflow
    return np.logaddexp(0.0, x)


def _sigmoid(x):
    return 0.5 * (1.0 + np.tanh(0.5 * x))


class Perceptron:
    """Perceptron with continuous weights; loss "ce" (softplus(-y w.x/sqrt N)) or "hinge"."""

    name = "perceptron"

    def __init__(self, N: int, loss: str = "ce"):
        if loss not in ("ce", "hinge"):
            raise ReplicaInputError(f"unknown perceptron loss {loss!r}; choose ce or hinge")
        self.N, self.loss = int(N), loss
        self.n_params = self.N

    def init(self, rng):
        return rng.standard_normal(self.N)

    def field(self, w, X):
        return X @ w / math.sqrt(self.N)

    def loss_grad(self, w, X, y):
        m = y * self.field(w, X)
        if self.loss == "ce":
            L = float(np.mean(_softplus(-m)))
            dm = -_sigmoid(-m)
        else:
            L = float(np.mean(np.maximum(0.0, 1.0 - m)))
            dm = -(m < 1.0).astype(float)
        g = X.T @ (dm * y) / (len(y) * math.sqrt(self.N))
        return L, g

    def predict(self, w, X):
        return np.where(self.field(w, X) > 0, 1.0, -1.0)

    def errors(self, W, X, y):
        W = np.atleast_2d(W)
        return np.mean(y[:, None] * (X @ W.T) <= 0, axis=0)


class TreeCommittee:
    """Tree committee machine with K (odd) hidden sign units on disjoint input blocks."""

    name = "committee"

    def __init__(self, N: int, K: int = 3):
        if K < 1 or K % 2 == 0 or N % K:
            raise ReplicaInputError(f"committee needs odd K dividing N, got N={N}, K={K}")
        self.N, self.K = int(N), int(K)
        self.n_params = self.N
        self.block = self.N // self.K

    def init(self, rng):
        return rng.standard_normal(self.N)

    def hidden(self, w, X):
        Xb = X.reshape(X.shape[0], self.K, self.block)
        return np.einsum("nkb,kb->nk", Xb, w.reshape(self.K, self.block)) / math.sqrt(self.block)

    def loss_grad(self, w, X, y):
        h = self.hidden(w, X)
        t = np.tanh(h)
        f = t.sum(1)
        m = y * f
        L = float(np.mean(_softplus(-m)))
        dm = -_sigmoid(-m) * y                           # dL/df per pattern
        dh = dm[:, None] * (1.0 - t * t)                  # (n, K)
        Xb = X.reshape(X.shape[0], self.K, self.block)
        g = np.einsum("nk,nkb->kb", dh, Xb) / (len(y) * math.sqrt(self.block))
        return L, g.ravel()

    def predict(self, w, X):
        return np.where(np.sign(self.hidden(w, X)).sum(1) > 0, 1.0, -1.0)

    def errors(self, W, X, y):
        W = np.atleast_2d(W)
        Xb = X.reshape(X.shape[0], self.K, self.block)
        h = np.einsum("nkb,skb->snk", Xb, W.reshape(W.shape[0], self.K, self.block))
        out = np.where(np.sign(h).sum(2) > 0, 1.0, -1.0)
        return np.mean(out != y[None, :], axis=1)


class MLP:
    """One-hidden-layer network f = a.g(W x/sqrt N)/sqrt H, both layers trained."""

    name = "mlp"

    def __init__(self, N: int, hidden: int = 10, activation: str = "tanh"):
        if activation not in ("tanh", "relu"):
            raise ReplicaInputError(f"unknown activation {activation!r}; choose tanh or relu")
        self.N, self.H, self.activation = int(N), int(hidden), activation
        self.n_params = self.H * self.N + self.H

    def init(self, rng):
        return rng.standard_normal(self.n_params)

    def _split(self, w):
        return w[: self.H * self.N].reshape(self.H, self.N), w[self.H * self.N:]

    def _act(self, h):
        if self.activation == "tanh":
            t = np.tanh(h)
            return t, 1.0 - t * t
        return np.maximum(h, 0.0), (h > 0).astype(float)

    def field(self, w, X):
        W, a = self._split(w)
        z, _ = self._act(X @ W.T / math.sqrt(self.N))
        return z @ a / math.sqrt(self.H)

    def loss_grad(self, w, X, y):
        W, a = self._split(w)
        h = X @ W.T / math.sqrt(self.N)
        z, dz = self._act(h)
        f = z @ a / math.sqrt(self.H)
        m = y * f
        L = float(np.mean(_softplus(-m)))
        df = -_sigmoid(-m) * y / len(y)
        ga = z.T @ df / math.sqrt(self.H)
        dh = (df[:, None] * a[None, :] / math.sqrt(self.H)) * dz
        gW = dh.T @ X / math.sqrt(self.N)
        return L, np.concatenate([gW.ravel(), ga])

    def predict(self, w, X):
        return np.where(self.field(w, X) > 0, 1.0, -1.0)

    def errors(self, W, X, y):
        W = np.atleast_2d(W)
        return np.array([np.mean(self.predict(w, X) != y) for w in W])


def make_model(name: str, N: int, **kw):
    """Model by name: "perceptron" (loss=), "committee" (K=), "mlp" (hidden=, activation=)."""
    if name == "perceptron":
        return Perceptron(N, **kw)
    if name == "committee":
        return TreeCommittee(N, **kw)
    if name == "mlp":
        return MLP(N, **kw)
    raise ReplicaInputError(f"unknown model {name!r}; choose one of {', '.join(MODELS)}")


def teacher_student(model, n_train: int, n_test: int, seed: int = 0, label_noise: float = 0.0):
    """(X_train, y_train, X_test, y_test, w_teacher): Gaussian inputs labelled by a random teacher
    of the same architecture (MLP teacher output weights +-1), seeded."""
    if not 0.0 <= label_noise < 0.5:
        raise ReplicaInputError("label_noise must be in [0, 0.5)")
    rng = np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(7,)))
    wt = model.init(rng)
    if isinstance(model, MLP):
        wt[model.H * model.N:] = np.where(rng.random(model.H) < 0.5, -1.0, 1.0)
    X = rng.standard_normal((n_train + n_test, model.N))
    y = model.predict(wt, X)
    if label_noise > 0:
        flip = rng.random(n_train) < label_noise
        y[:n_train][flip] *= -1
    return X[:n_train], y[:n_train], X[n_train:], y[n_train:], wt
