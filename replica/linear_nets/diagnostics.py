"""Diagnostics of trained weights (linear or ReLU networks): balancedness, path gains, coupling.

Signatures of flat minima in deep networks (Mulayoff & Michaeli, ICML 2020; docs/THEORY.md §5):

* **balancedness** of consecutive layers: ``D_i = W_{i+1}^T W_{i+1} - W_i W_i^T`` (a d_i x d_i
  matrix in hidden layer i). Gradient flow on any loss of a linear network conserves D_i (Arora
  et al. 2018; Du et al. 2018); for a bias-free ReLU network only its diagonal (the per-neuron
  ``|column j of W_{i+1}|^2 - |row j of W_i|^2``) is conserved, by positive homogeneity.
* **path gains** along the top signal direction: ``g_i = |W_i h_{i-1}| / |h_{i-1}|`` with
  ``h_0`` the top right singular vector of the end-to-end matrix and ``h_i = W_i h_{i-1}``; at a
  flattest minimum (whitened data) all gains equal ``sigma_1(T)^{1/N}``.
* **coupling** of consecutive layers: with SVDs ``W_i = U_i S_i V_i^T`` the overlap matrix
  ``C_i = |U_i^T V_{i+1}|`` (entrywise absolute value; rows: left singular vectors of W_i, columns:
  right singular vectors of W_{i+1}, both in hidden layer i, ordered by decreasing singular
  value). A left singular vector of W_i equal to a right singular vector of W_{i+1} shows as an
  entry 1; at balanced minima ``C_i`` is a permutation-like matrix with ``C_i[0, 0] = 1``.
  (Singular vectors of repeated singular values are defined only up to rotation within the
  degenerate block; the overlaps are then basis-dependent.)
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

__all__ = ["PairDiagnostics", "layer_pairs", "imbalance", "path_gains", "coupling_matrix",
           "summary"]


def _ws(weights):
    return [np.asarray(w, dtype=float) for w in weights]


@dataclass(frozen=True)
class PairDiagnostics:
    """Layer pair (i, i+1), 1-based ``i`` as in ``W_i``.

    ``frobenius``: ``|D_i|_F / (|W_{i+1}^T W_{i+1}|_F + |W_i W_i^T|_F)`` (0 = balanced, in [0, 1]);
    ``spectral``: ``|sigma_1(W_{i+1})^2 - sigma_1(W_i)^2| / (sigma_1(W_{i+1})^2 + sigma_1(W_i)^2)``;
    ``neuron``: the same relative measure for diag(D_i) (the ReLU-conserved part);
    ``top_overlap``: ``C_i[0, 0]`` = |<u_1(W_i), v_1(W_{i+1})>|; ``max_overlap``: max entry of C_i;
    ``coupled_fraction``: mean over rows of C_i of the largest entry (1 = every left singular
    vector of W_i is a right singular vector of W_{i+1})."""

    layer: int
    frobenius: float
    spectral: float
    neuron: float
    top_overlap: float
    max_overlap: float
    coupled_fraction: float

    def as_dict(self) -> dict:
        return dict(self.__dict__)


def imbalance(weights) -> list[np.ndarray]:
    """``[W_{i+1}^T W_{i+1} - W_i W_i^T for i = 1..N-1]``."""
    ws = _ws(weights)
    return [ws[i + 1].T @ ws[i + 1] - ws[i] @ ws[i].T for i in range(len(ws) - 1)]


def coupling_matrix(w_in, w_out) -> np.ndarray:
    """``|U_in^T V_out|``: overlaps of the left singular vectors of ``w_in`` (W_i) with the right
    singular vectors of ``w_out`` (W_{i+1}), both living in the hidden layer between them."""
    U = np.linalg.svd(np.asarray(w_in, dtype=float), full_matrices=True)[0]
    Vt = np.linalg.svd(np.asarray(w_out, dtype=float), full_matrices=True)[2]
    return np.abs(U.T @ Vt.T)


def path_gains(weights, direction=None) -> np.ndarray:
    """Gains ``|W_i h_{i-1}| / |h_{i-1}|`` along ``h_0 = direction`` (default: the top right
    singular vector of ``W_N ... W_1``). For a ReLU network pass the activations' direction
    yourself; the default uses the linear product of the weights."""
    ws = _ws(weights)
    if direction is None:
        P = ws[0]
        for w in ws[1:]:
            P = w @ P
        direction = np.linalg.svd(P)[2][0]
    h = np.asarray(direction, dtype=float)
    gains = []
    for w in ws:
        nh = np.linalg.norm(h)
        h2 = w @ h
        gains.append(np.linalg.norm(h2) / nh if nh > 0 else 0.0)
        h = h2
    return np.array(gains)


def _rel(a, b):
    s = a + b
    return float(abs(a - b) / s) if s > 0 else 0.0


def layer_pairs(weights) -> list[PairDiagnostics]:
    """:class:`PairDiagnostics` for every consecutive pair of layers."""
    ws = _ws(weights)
    out = []
    for i in range(len(ws) - 1):
        a = ws[i + 1].T @ ws[i + 1]
        b = ws[i] @ ws[i].T
        den = np.linalg.norm(a) + np.linalg.norm(b)
        fro = float(np.linalg.norm(a - b) / den) if den > 0 else 0.0
        s_out = np.linalg.norm(ws[i + 1], 2) ** 2
        s_in = np.linalg.norm(ws[i], 2) ** 2
        da, db = np.diag(a), np.diag(b)
        den_n = np.sum(da + db)
        neuron = float(np.sum(np.abs(da - db)) / den_n) if den_n > 0 else 0.0
        C = coupling_matrix(ws[i], ws[i + 1])
        out.append(PairDiagnostics(i + 1, fro, _rel(s_out, s_in), neuron, float(C[0, 0]),
                                   float(C.max()), float(np.mean(C.max(axis=1)))))
    return out


def summary(weights) -> dict:
    """Means over layer pairs of the :class:`PairDiagnostics` fields plus the path gains and their
    relative spread ``(max - min) / mean``."""
    pairs = layer_pairs(weights)
    g = path_gains(weights)
    out = {}
    if pairs:
        for key in ("frobenius", "spectral", "neuron", "top_overlap", "max_overlap",
                    "coupled_fraction"):
            out[key] = float(np.mean([getattr(p, key) for p in pairs]))
    out["path_gains"] = g.tolist()
    out["gain_spread"] = float((g.max() - g.min()) / g.mean()) if g.mean() > 0 else 0.0
    return out
