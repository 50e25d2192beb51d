"""Exact sharpness and flattest minima of deep linear networks (Mulayoff & Michaeli, ICML 2020).

Model and loss
--------------
A depth-``N`` linear network ``f(x) = W_N ... W_1 x`` with ``W_i`` of shape ``(d_i, d_{i-1})``
(``d_0 = d_x`` inputs, ``d_N = d_y`` outputs) is trained on the quadratic loss

    L(W) = 1/(2n) sum_mu |y_mu - W x_mu|^2,      W = W_N ... W_1 (end-to-end matrix).

The loss depends on the data only through the second moments ``Sigma_x = X^T X / n``,
``Sigma_yx = Y^T X / n`` and ``Sigma_y = Y^T Y / n`` (rows of X, Y are samples):

    L = 1/2 tr Sigma_y - tr(W Sigma_yx^T) + 1/2 tr(W Sigma_x W^T),

so everything here takes a :class:`Moments` record. The least-squares target is
``T = Sigma_yx Sigma_x^+`` and the global minima are the weights with ``W Sigma_x = Sigma_yx``
(``W = T`` when ``Sigma_x`` is invertible), which exist iff every hidden width is at least rank T.

Derivatives (derived here; notation ``A_i = W_N ... W_{i+1}``, ``B_i = W_{i-1} ... W_1``,
residual ``E = W Sigma_x - Sigma_yx``)
------------------------------------------------------------------------------------------
* gradient ``dL/dW_i = A_i^T E B_i^T``;
* along a direction ``V = (V_1, ..., V_N)`` the first-order change of the end-to-end matrix is
  ``dT = sum_i A_i V_i B_i`` and the second-order one ``2 sum_{i<j} A_j V_j W_{j-1:i+1} V_i B_i``;
  hence the exact Hessian quadratic form

      V^T Hess V = |dT Sigma_x^{1/2}|_F^2 + 2 sum_{i<j} < E, A_j V_j W_{j-1:i+1} V_i B_i >_F,

  the first term being the Gauss–Newton (GN) part and the second the residual part, which vanishes
  at a global minimum (E = 0 there). docs/THEORY.md §5.
* Hessian-vector product ``(Hess V)_i = dA_i^T E B_i^T + A_i^T (dT Sigma_x) B_i^T + A_i^T E dB_i^T``
  with ``dA_i, dB_i`` the directional derivatives of ``A_i, B_i``, accumulated by the recurrences
  ``dB_{i+1} = V_i B_i + W_i dB_i`` and ``dA_{i-1} = dA_i W_i + A_i V_i``.

Function-space form of the GN matrix
------------------------------------
GN = J^T J with ``J: V -> dT Sigma_x^{1/2}``; its non-zero spectrum equals that of
``J J^T: Z -> sum_i P_i Z Q_i`` with ``P_i = A_i A_i^T`` (d_y x d_y) and
``Q_i = Sigma_x^{1/2} B_i^T B_i Sigma_x^{1/2}`` (d_x x d_x), a ``d_y d_x``-dimensional operator
(:func:`gauss_newton_spectrum`). At a balanced minimum with whitened inputs ``P_i`` and ``Q_i``
are diagonal in the singular bases of T, which gives the closed form of
:func:`balanced_spectrum`.

Flattest minima (derivation of the lower bound used by :func:`min_sharpness`)
----------------------------------------------------------------------------
At a global minimum take a unit input direction ``w``, ``u = Sigma_x^{1/2} w``, ``r = T u/|T u|``
and rank-one perturbations ``V_i = c_i (A_i^T r / |A_i^T r|)(B_i u / |B_i u|)^T`` with
``sum c_i^2 = 1``. Then ``r^T dT Sigma_x^{1/2} w = sum_i c_i |A_i^T r| |B_i u|`` and, maximising
over c, ``lambda_max >= sum_i |A_i^T r|^2 |B_i u|^2``. Because ``|T u| = r^T A_i W_i B_i u <=
|A_i^T r| |B_{i+1} u|``, the product of the N terms is at least
``prod_i |T u|^2 |B_i u|^2 / |B_{i+1} u|^2 = |T u|^{2N-2} |u|^2``, and by AM-GM

    lambda_max >= N |T Sigma_x^{1/2} w|^{2-2/N} |Sigma_x^{1/2} w|^{2/N}     for every unit w.

This is the bound of docs/THEORY.md §5 (after Mulayoff & Michaeli 2020; the derivation above is ours).
For whitened inputs the maximum over w is ``sigma_1(T)^{2-2/N}`` and the bound is attained at
balanced minima (closed-form spectrum, :func:`balanced_spectrum`). For non-white inputs we have
not proved attainment; it is checked numerically (direct minimisation of the sharpness over the
gauge orbit reaches the bound to ~1e-15 in every case tried: 2x2, 2x3, 1x3, 3x2 targets, N = 2-4);
:func:`flattest_minimum` builds such a minimiser and raises if the bound is not reached.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import linalg, optimize
from scipy.sparse.linalg import ArpackNoConvergence, LinearOperator, eigsh

from ..errors import ConvergenceError, ReplicaInputError, check_memory, check_work

__all__ = [
    "Moments", "as_weights", "end_to_end", "loss", "gradient", "hvp", "hessian",
    "hessian_spectrum", "sharpness", "gauss_newton_spectrum", "gauss_newton_sharpness",
    "flatten", "unflatten", "min_sharpness", "MinSharpness", "min_sharpness_details",
    "balanced_minimum", "balanced_spectrum", "balanced_sharpness", "flattest_minimum",
    "eta_star", "gauge_transform", "random_global_minimum", "gd", "GDResult",
    "check_matrix", "check_covariance",
]


# --------------------------------------------------------------------------------------------
# input checking
# --------------------------------------------------------------------------------------------
def check_matrix(name: str, value, ndim: int = 2) -> np.ndarray:
    """Return ``value`` as a finite float array with ``ndim`` dimensions (a 1-D target is read as
    one output row), or raise ReplicaInputError naming the argument."""
    raw = np.asarray(value) if not isinstance(value, np.ndarray) else value
    if raw.dtype.kind in "USbO" and not (raw.dtype.kind == "O" and all(
            isinstance(v, (int, float)) and not isinstance(v, bool) for v in raw.ravel())):
        raise ReplicaInputError(f"{name} must be a matrix of numbers (no strings or booleans)")
    try:
        a = np.array(value, dtype=float)
    except (TypeError, ValueError, OverflowError):
        raise ReplicaInputError(f"{name} must be a numeric matrix") from None
    if a.ndim == 1 and ndim == 2:
        a = a[None, :]
    if a.ndim == 0 and ndim == 2:
        a = a.reshape(1, 1)
    if a.ndim != ndim or a.size == 0:
        raise ReplicaInputError(f"{name} must be a non-empty {ndim}-D matrix, got shape {a.shape}")
    if not np.all(np.isfinite(a)):
        raise ReplicaInputError(f"{name} must have finite entries")
    return a


def check_covariance(name: str, value, dim: int | None = None, *, rtol: float = 1e-10
                     ) -> np.ndarray:
    """A symmetric positive semi-definite matrix (symmetrised), or ReplicaInputError."""
    s = check_matrix(name, value)
    if s.shape[0] != s.shape[1]:
        raise ReplicaInputError(f"{name} must be square, got shape {s.shape}")
    if dim is not None and s.shape[0] != dim:
        raise ReplicaInputError(f"{name} must be {dim}x{dim} to match the target, got {s.shape}")
    scale = max(1.0, float(np.max(np.abs(s))))
    if np.max(np.abs(s - s.T)) > rtol * scale * 1e3:
        raise ReplicaInputError(f"{name} must be symmetric")
    s = 0.5 * (s + s.T)
    lo = float(np.linalg.eigvalsh(s)[0])
    if lo < -rtol * scale * 1e3:
        raise ReplicaInputError(f"{name} must be positive semi-definite (smallest eigenvalue {lo:.3g})")
    return s


def _check_depth(depth) -> int:
    try:
        n = int(depth)
    except (TypeError, ValueError):
        raise ReplicaInputError(f"depth must be an integer >= 1, got {depth!r}") from None
    if n != depth or n < 1 or n > 10 ** 5:
        raise ReplicaInputError(f"depth must be an integer in [1, 100000], got {depth!r}")
    return n


def _psd_sqrt(s: np.ndarray) -> np.ndarray:
    """Symmetric square root of a PSD matrix (tiny negative rounding eigenvalues clipped)."""
    lam, q = np.linalg.eigh(s)
    return (q * np.sqrt(np.clip(lam, 0.0, None))) @ q.T


# --------------------------------------------------------------------------------------------
# data
# --------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Moments:
    """Second moments of a regression data set: ``sigma_x`` (d_x x d_x), ``sigma_yx`` (d_y x d_x),
    ``sigma_y`` (d_y x d_y). Build with :meth:`from_data` or :meth:`from_target`."""

    sigma_x: np.ndarray
    sigma_yx: np.ndarray
    sigma_y: np.ndarray

    @classmethod
    def from_data(cls, X, Y) -> "Moments":
        """Moments of samples ``X`` (n x d_x) and ``Y`` (n x d_y): ``X^T X/n``, ``Y^T X/n``, ``Y^T Y/n``."""
        X = check_matrix("X", X)
        Y = check_matrix("Y", Y)
        if Y.shape[0] != X.shape[0]:
            if Y.shape[0] == 1 and Y.shape[1] == X.shape[0]:
                Y = Y.T
            else:
                raise ReplicaInputError(f"X and Y need the same number of rows, got {X.shape}, {Y.shape}")
        n = X.shape[0]
        return cls(X.T @ X / n, Y.T @ X / n, Y.T @ Y / n)

    @classmethod
    def from_target(cls, target, sigma_x=None, noise: float = 0.0) -> "Moments":
        """Teacher ``y = T x + noise``: ``Sigma_yx = T Sigma_x``, ``Sigma_y = T Sigma_x T^T + noise I``."""
        T = check_matrix("target", target)
        S = np.eye(T.shape[1]) if sigma_x is None else check_covariance("input covariance", sigma_x, T.shape[1])
        return cls(S, T @ S, T @ S @ T.T + float(noise) * np.eye(T.shape[0]))

    @property
    def d_x(self) -> int:
        return self.sigma_x.shape[0]

    @property
    def d_y(self) -> int:
        return self.sigma_yx.shape[0]

    @property
    def target(self) -> np.ndarray:
        """Least-squares target ``T = Sigma_yx Sigma_x^+``."""
        return self.sigma_yx @ np.linalg.pinv(self.sigma_x)

    @property
    def sigma_x_sqrt(self) -> np.ndarray:
        return _psd_sqrt(self.sigma_x)

    @property
    def min_loss(self) -> float:
        """Loss of the least-squares solution: ``1/2 tr(Sigma_y - T Sigma_x T^T)``."""
        T = self.target
        return 0.5 * float(np.trace(self.sigma_y - T @ self.sigma_x @ T.T))


# --------------------------------------------------------------------------------------------
# weights helpers
# --------------------------------------------------------------------------------------------
def as_weights(weights) -> list[np.ndarray]:
    """A list of float matrices ``[W_1, ..., W_N]`` with matching inner shapes."""
    ws = [np.array(w, dtype=float) for w in weights]
    if not ws:
        raise ReplicaInputError("need at least one weight matrix (depth >= 1)")
    for i, w in enumerate(ws):
        if w.ndim != 2:
            raise ReplicaInputError(f"W_{i + 1} must be a matrix, got shape {w.shape}")
    for i in range(1, len(ws)):
        if ws[i].shape[1] != ws[i - 1].shape[0]:
            raise ReplicaInputError(
                f"W_{i + 1} has {ws[i].shape[1]} columns but W_{i} has {ws[i - 1].shape[0]} rows")
    return ws


def _check_against(ws, m: Moments):
    if ws[0].shape[1] != m.d_x or ws[-1].shape[0] != m.d_y:
        raise ReplicaInputError(
            f"network maps R^{ws[0].shape[1]} -> R^{ws[-1].shape[0]} but the data are "
            f"R^{m.d_x} -> R^{m.d_y}")


def flatten(weights) -> np.ndarray:
    """Concatenate the row-major entries of ``W_1, ..., W_N`` (the parameter vector of the Hessian)."""
    return np.concatenate([np.asarray(w, dtype=float).ravel() for w in weights])


def unflatten(theta, shapes) -> list[np.ndarray]:
    out, k = [], 0
    for s in shapes:
        n = s[0] * s[1]
        out.append(np.asarray(theta[k:k + n], dtype=float).reshape(s))
        k += n
    return out


def end_to_end(weights) -> np.ndarray:
    """``W = W_N ... W_1``."""
    ws = as_weights(weights)
    W = ws[0]
    for w in ws[1:]:
        W = w @ W
    return W


def _prefix_suffix(ws):
    """``B[i] = W_{i-1} ... W_0`` (B[0] = I) and ``A[i] = W_{N-1} ... W_{i+1}`` (A[N-1] = I), 0-based."""
    N = len(ws)
    B = [np.eye(ws[0].shape[1])]
    for i in range(N - 1):
        B.append(ws[i] @ B[i])
    A = [None] * N
    A[N - 1] = np.eye(ws[-1].shape[0])
    for i in range(N - 2, -1, -1):
        A[i] = A[i + 1] @ ws[i + 1]
    return A, B


# --------------------------------------------------------------------------------------------
# loss, gradient, Hessian
# --------------------------------------------------------------------------------------------
def loss(weights, moments: Moments) -> float:
    """``L = 1/2 tr Sigma_y - tr(W Sigma_yx^T) + 1/2 tr(W Sigma_x W^T)`` (equal to the data loss)."""
    ws = as_weights(weights)
    _check_against(ws, moments)
    W = end_to_end(ws)
    return float(0.5 * np.trace(moments.sigma_y) - np.sum(W * moments.sigma_yx)
                 + 0.5 * np.sum((W @ moments.sigma_x) * W))


def gradient(weights, moments: Moments) -> list[np.ndarray]:
    """``dL/dW_i = A_i^T (W Sigma_x - Sigma_yx) B_i^T`` (module docstring)."""
    ws = as_weights(weights)
    _check_against(ws, moments)
    A, B = _prefix_suffix(ws)
    E = A[0] @ ws[0] @ moments.sigma_x - moments.sigma_yx
    return [A[i].T @ E @ B[i].T for i in range(len(ws))]


def _hvp_lists(ws, m: Moments, V, A, B, gauss_newton: bool):
    N = len(ws)
    E = A[0] @ ws[0] @ m.sigma_x - m.sigma_yx
    dT = sum(A[i] @ V[i] @ B[i] for i in range(N))
    dES = dT @ m.sigma_x
    out = [A[i].T @ dES @ B[i].T for i in range(N)]
    if gauss_newton:
        return out
    # residual part: needs dA_i and dB_i (directional derivatives of the partial products)
    dB = [np.zeros_like(B[0])]
    for i in range(N - 1):
        dB.append(V[i] @ B[i] + ws[i] @ dB[i])
    dA = [None] * N
    dA[N - 1] = np.zeros_like(A[N - 1])
    for i in range(N - 2, -1, -1):
        dA[i] = dA[i + 1] @ ws[i + 1] + A[i + 1] @ V[i + 1]
    for i in range(N):
        out[i] = out[i] + dA[i].T @ E @ B[i].T + A[i].T @ E @ dB[i].T
    return out


def hvp(weights, moments: Moments, v, *, gauss_newton: bool = False):
    """Exact Hessian-vector product of the loss (the GN part only if ``gauss_newton``).

    ``v`` is a flat parameter vector (see :func:`flatten`) or a list of matrices; the result has
    the same form. Formula in the module docstring."""
    ws = as_weights(weights)
    _check_against(ws, moments)
    shapes = [w.shape for w in ws]
    flat = not isinstance(v, (list, tuple))
    V = unflatten(v, shapes) if flat else [np.asarray(x, dtype=float) for x in v]
    A, B = _prefix_suffix(ws)
    out = _hvp_lists(ws, moments, V, A, B, gauss_newton)
    return flatten(out) if flat else out


def _operator(ws, m, gauss_newton):
    shapes = [w.shape for w in ws]
    P = sum(s[0] * s[1] for s in shapes)
    A, B = _prefix_suffix(ws)

    def mv(x):
        x = np.asarray(x, dtype=float).reshape(-1)
        return flatten(_hvp_lists(ws, m, unflatten(x, shapes), A, B, gauss_newton))

    return P, mv


def hessian(weights, moments: Moments, *, gauss_newton: bool = False) -> np.ndarray:
    """Dense Hessian (P x P, P = number of weights) built column by column from exact HVPs."""
    ws = as_weights(weights)
    _check_against(ws, moments)
    P, mv = _operator(ws, moments, gauss_newton)
    H = np.empty((P, P))
    e = np.zeros(P)
    for k in range(P):
        e[k] = 1.0
        H[:, k] = mv(e)
        e[k] = 0.0
    return 0.5 * (H + H.T)  # exact symmetry up to rounding


def hessian_spectrum(weights, moments: Moments, *, gauss_newton: bool = False) -> np.ndarray:
    """All Hessian eigenvalues, descending (dense; for small networks)."""
    return np.linalg.eigvalsh(hessian(weights, moments, gauss_newton=gauss_newton))[::-1]


DENSE_MAX = 600  # below this many parameters the dense spectrum is cheaper and exact


def sharpness(weights, moments: Moments, *, method: str = "auto", gauss_newton: bool = False,
              tol: float = 1e-10, seed: int = 0) -> float:
    """Largest (algebraic) eigenvalue of the Hessian of the loss.

    ``method="dense"``: full spectrum; ``"lanczos"``: ARPACK Lanczos (``scipy.sparse.linalg.eigsh``,
    ``which="LA"``) on exact Hessian-vector products; ``"auto"`` picks dense for at most
    ``DENSE_MAX`` parameters. Away from minima the Hessian can be indefinite; the sharpness is still
    its largest eigenvalue (the quantity GD stability refers to)."""
    ws = as_weights(weights)
    _check_against(ws, moments)
    P, mv = _operator(ws, moments, gauss_newton)
    if method == "auto":
        method = "dense" if P <= DENSE_MAX else "lanczos"
    if method == "dense":
        return float(hessian_spectrum(ws, moments, gauss_newton=gauss_newton)[0])
    if method != "lanczos":
        raise ReplicaInputError(f"method must be 'auto', 'dense' or 'lanczos', got {method!r}")
    if P <= 2:
        return float(hessian_spectrum(ws, moments, gauss_newton=gauss_newton)[0])
    op = LinearOperator((P, P), matvec=mv, dtype=float)
    v0 = np.random.default_rng(seed).standard_normal(P)
    try:
        val = eigsh(op, k=1, which="LA", v0=v0, tol=tol, maxiter=20 * P + 1000,
                    return_eigenvectors=False)
    except ArpackNoConvergence as exc:
        raise ConvergenceError("Lanczos (eigsh) did not converge for the top Hessian eigenvalue",
                               model="deep linear network", params={"P": P, "tol": tol},
                               iterations=20 * P + 1000, method="eigsh",
                               hint="use method='dense' for small networks") from exc
    return float(val[0])


def gauss_newton_spectrum(weights, moments: Moments) -> np.ndarray:
    """Eigenvalues (descending, d_y d_x of them) of the function-space GN operator
    ``Z -> sum_i P_i Z Q_i``, ``P_i = A_i A_i^T``, ``Q_i = Sigma_x^{1/2} B_i^T B_i Sigma_x^{1/2}``.

    They are the non-zero GN eigenvalues (padded with zeros); at a global minimum GN = Hessian, so
    the first entry is the sharpness. Cost independent of the hidden widths."""
    ws = as_weights(weights)
    _check_against(ws, moments)
    # row-major vec: vec(P Z Q) = kron(P, Q^T) vec(Z); Q symmetric
    return np.linalg.eigvalsh(_gn_matrix(ws, moments.sigma_x_sqrt))[::-1]


def gauss_newton_sharpness(weights, moments: Moments) -> float:
    """Top GN eigenvalue via :func:`gauss_newton_spectrum` (= sharpness at global minima)."""
    return float(gauss_newton_spectrum(weights, moments)[0])


# --------------------------------------------------------------------------------------------
# flattest minima
# --------------------------------------------------------------------------------------------
def _profile(u_dir, M, R, N):
    """``|M w|^{2-2/N} |R w|^{2/N}`` for unit ``w`` (M = T Sigma^{1/2}, R = Sigma^{1/2})."""
    a = np.sum((M @ u_dir) ** 2, axis=0)
    b = np.sum((R @ u_dir) ** 2, axis=0)
    return a ** (1.0 - 1.0 / N) * b ** (1.0 / N)


def _maximise_profile(M, R, N, seed=0, n_random=8):
    """max over unit w of ``|M w|^{2-2/N} |R w|^{2/N}``: multi-start BFGS on the sphere (the
    objective is homogeneous of degree 0 in w after normalisation), started from the singular
    vectors of M, the eigenvectors of R and random points; returns (value, w)."""
    d = M.shape[1]
    if N == 1:  # |R w|^2: top eigenvalue of Sigma
        lam, q = np.linalg.eigh(R @ R)
        return float(lam[-1]), q[:, -1]
    starts = [np.linalg.svd(M)[2].T, np.linalg.eigh(R)[1]]
    rng = np.random.default_rng(seed)
    starts = np.concatenate(starts + [rng.standard_normal((d, n_random))], axis=1)
    if d == 1:
        w = np.ones(1)
        return float(_profile(w[:, None], M, R, N)[0]), w

    def f(x):
        nx = np.linalg.norm(x)
        w = x / nx
        Mw, Rw = M @ w, R @ w
        a, b = Mw @ Mw, Rw @ Rw
        if a <= 0 or b <= 0:
            return 0.0, np.zeros_like(x)
        th = 1.0 - 1.0 / N
        val = a ** th * b ** (1 - th)
        gw = val * (th * 2 * (M.T @ Mw) / a + (1 - th) * 2 * (R.T @ Rw) / b)
        gx = (gw - w * (w @ gw)) / nx  # chain rule through the normalisation
        return -val, -gx

    best, best_w = -np.inf, None
    for k in range(starts.shape[1]):
        x0 = starts[:, k]
        if np.linalg.norm(x0) == 0:
            continue
        res = optimize.minimize(f, x0 / np.linalg.norm(x0), jac=True, method="BFGS",
                                options={"gtol": 1e-13, "maxiter": 2000})
        w = res.x / np.linalg.norm(res.x)
        v = float(_profile(w[:, None], M, R, N)[0])
        if v > best:
            best, best_w = v, w
    return best, best_w


@dataclass(frozen=True)
class MinSharpness:
    """Minimum sharpness over all global minima and related numbers.

    ``value``: ``N max_{|w|=1} |T Sigma^{1/2} w|^{2-2/N} |Sigma^{1/2} w|^{2/N}``; ``direction``: the
    maximising w; ``balanced``: sharpness of the balanced minimum (equal to ``value`` for whitened
    inputs); ``eta_star = 2/value``: above it GD cannot converge stably to any global minimum."""

    value: float
    direction: np.ndarray
    balanced: float
    eta_star: float
    depth: int
    whitened: bool

    def as_dict(self) -> dict:
        return {"min_sharpness": self.value, "eta_star": self.eta_star,
                "balanced_sharpness": self.balanced, "depth": self.depth,
                "whitened": self.whitened, "direction": self.direction.tolist()}


def min_sharpness_details(target, depth, input_cov=None, *, seed: int = 0) -> MinSharpness:
    """See :func:`min_sharpness`; also returns the maximising direction and balanced sharpness."""
    N = _check_depth(depth)
    T = check_matrix("target", target)
    # the balanced minimum's Gauss-Newton operator is dense in (d_y d_x)^2 entries, and the
    # N layers hold rank(T)^2 each: refuse what cannot be done in memory and minutes
    check_memory("target", 8.0 * 3 * float(T.size) ** 2 + 8.0 * N * min(T.shape) ** 2 * 4,
                 f"the dense Gauss-Newton operator of a {T.shape[0]} x {T.shape[1]} target")
    check_work("target", 10.0 * float(T.size) ** 3 + 10.0 * N * min(T.shape) ** 3,
               f"the eigenproblem of size d_y d_x = {T.size} (depth {N})", limit=2e10)
    S = np.eye(T.shape[1]) if input_cov is None else check_covariance("input covariance", input_cov, T.shape[1])
    R = _psd_sqrt(S)
    M = T @ R
    lam = np.linalg.eigvalsh(S)
    whitened = bool(np.allclose(lam, lam[-1], rtol=1e-12, atol=1e-14 * max(1.0, lam[-1])))
    if whitened:
        # Sigma = c I: max_w |M w|^{2-2/N} c^{1/N} = c^{1/N} (sqrt(c) sigma_1(T))^{2-2/N}
        U, s, Vt = np.linalg.svd(M)
        value = N * s[0] ** (2.0 - 2.0 / N) * lam[-1] ** (1.0 / N)
        w = Vt[0]
    else:
        v, w = _maximise_profile(M, R, N, seed=seed)
        value = N * v
    bal = balanced_sharpness(T, N, S)
    return MinSharpness(float(value), np.asarray(w), float(bal),
                        float(2.0 / value) if value > 0 else float("inf"), N, whitened)


def min_sharpness(target, depth, input_cov=None) -> float:
    """Minimum over all global minima of the top Hessian eigenvalue of a depth-N linear network.

    ``N max_{|w|=1} |T Sigma_x^{1/2} w|^{2-2/N} |Sigma_x^{1/2} w|^{2/N}`` (docs/THEORY.md §5; Mulayoff &
    Michaeli 2020): ``N sigma_1(T)^{2-2/N}`` for whitened inputs. Lower bound derived in the module
    docstring; its attainment is checked by direct minimisation in the tests. For non-white
    inputs the maximisation over the unit sphere is done by multi-start BFGS (d_x-dimensional)."""
    return min_sharpness_details(target, depth, input_cov).value


def eta_star(target, depth, input_cov=None) -> float:
    """GD stability threshold ``2 / min_sharpness``: a minimum with ``lambda_max > 2/eta`` is
    linearly unstable for GD with step eta, so above eta* no global minimum is reachable."""
    return min_sharpness_details(target, depth, input_cov).eta_star


def _orthogonal(d, rng):
    q, r = np.linalg.qr(rng.standard_normal((d, d)))
    return q * np.sign(np.diag(r))


def balanced_minimum(target, depth, widths=None, *, seed: int | None = None) -> list[np.ndarray]:
    """A balanced global minimum ``W_i = U_i S^{1/N} U_{i-1}^T`` of ``W_N ... W_1 = T``.

    With ``T = U S V^T`` (rank r), ``W_1 = U_1 S_r^{1/N} V_r^T``, ``W_i = U_i S_r^{1/N} U_{i-1}^T``,
    ``W_N = U_r S_r^{1/N} U_{N-1}^T`` where the hidden bases ``U_i`` are r orthonormal columns
    (the first r unit vectors, or random ones when ``seed`` is given). It satisfies
    ``W_{i+1}^T W_{i+1} = W_i W_i^T`` exactly (docs/THEORY.md §5). ``widths`` are the hidden widths
    (default ``max(d_x, d_y)`` each); each must be >= r."""
    N = _check_depth(depth)
    T = check_matrix("target", target)
    dy, dx = T.shape
    U, s, Vt = np.linalg.svd(T)
    r = int(np.sum(s > s[0] * 1e-13)) if s.size and s[0] > 0 else 0
    if widths is None:
        widths = [max(dx, dy)] * (N - 1)
    widths = [int(w) for w in widths]
    if len(widths) != N - 1:
        raise ReplicaInputError(f"need {N - 1} hidden widths for depth {N}, got {len(widths)}")
    if any(w < r for w in widths):
        raise ReplicaInputError(f"hidden widths {widths} below rank(T) = {r}: no global minimum")
    rng = None if seed is None else np.random.default_rng(seed)
    bases = [Vt[:r].T]
    for w in widths:
        bases.append(np.eye(w)[:, :r] if rng is None else _orthogonal(w, rng)[:, :r])
    bases.append(U[:, :r])
    root = np.diag(s[:r] ** (1.0 / N))
    return [bases[i + 1] @ root @ bases[i].T for i in range(N)]


def balanced_spectrum(singular_values_out, singular_values_in=None, depth: int = 2) -> np.ndarray:
    """Closed-form non-zero Hessian spectrum at a balanced minimum, whitened inputs.

    ``lambda_{ab} = sum_{i=1}^N s_a^{2(N-i)/N} s_b^{2(i-1)/N}`` (docs/THEORY.md §5), where ``s_a``
    runs over the d_y singular values of T (padded with zeros) and ``s_b`` over its d_x singular
    values (padded with zeros), with the convention ``0^0 = 1`` (the ``i = N`` term has ``A_N = I``
    and the ``i = 1`` term ``B_1 = I``). Derived from the function-space GN operator, which is
    diagonal in the singular bases there. Returns all d_y d_x values, descending. Pass a matrix T
    as the first argument to use its singular values."""
    N = _check_depth(depth)
    a = np.asarray(singular_values_out, dtype=float)
    if a.ndim == 2:
        T = a
        s = np.linalg.svd(T, compute_uv=False)
        a = np.zeros(T.shape[0]); a[:s.size] = s
        b = np.zeros(T.shape[1]); b[:s.size] = s
    else:
        b = a if singular_values_in is None else np.asarray(singular_values_in, dtype=float)
    i = np.arange(1, N + 1)
    ea = 2.0 * (N - i) / N
    eb = 2.0 * (i - 1) / N
    with np.errstate(divide="ignore"):
        pa = np.where(ea[None, :] == 0, 1.0, a[:, None] ** ea[None, :])  # (d_y, N)
        pb = np.where(eb[None, :] == 0, 1.0, b[:, None] ** eb[None, :])  # (d_x, N)
    lam = pa @ pb.T
    return np.sort(lam.ravel())[::-1]


def balanced_sharpness(target, depth, input_cov=None) -> float:
    """Sharpness of the balanced minimum (:func:`balanced_minimum`) under input covariance
    ``input_cov`` (identity by default); computed exactly from the function-space GN operator."""
    T = check_matrix("target", target)
    ws = balanced_minimum(T, depth, widths=[max(1, np.linalg.matrix_rank(T))] * (_check_depth(depth) - 1))
    return gauss_newton_sharpness(ws, Moments.from_target(T, input_cov))


def gauge_transform(weights, gauges) -> list[np.ndarray]:
    """``W_i -> G_i W_i G_{i-1}^{-1}`` for invertible hidden-layer matrices ``gauges = [G_1..G_{N-1}]``
    (``G_0 = G_N = I``): the product, hence the loss, is unchanged."""
    ws = as_weights(weights)
    if len(gauges) != len(ws) - 1:
        raise ReplicaInputError(f"need {len(ws) - 1} gauge matrices, got {len(gauges)}")
    G = [np.eye(ws[0].shape[1])] + [np.asarray(g, dtype=float) for g in gauges] + [np.eye(ws[-1].shape[0])]
    return [G[i + 1] @ ws[i] @ np.linalg.inv(G[i]) for i in range(len(ws))]


def random_global_minimum(target, depth, widths=None, *, seed: int = 0, spread: float = 0.5
                          ) -> list[np.ndarray]:
    """A random point of the gauge orbit of the balanced minimum: ``G_i = expm(spread * X_i)`` with
    Gaussian X_i (a random invertible matrix near the identity for small spread)."""
    ws = balanced_minimum(target, depth, widths)
    rng = np.random.default_rng(seed)
    gauges = [linalg.expm(spread * rng.standard_normal((w.shape[0], w.shape[0])) / np.sqrt(w.shape[0]))
              for w in ws[:-1]]
    return gauge_transform(ws, gauges)


def flattest_minimum(target, depth, input_cov=None, *, widths=None, tol: float = 1e-6,
                     seed: int = 0, max_restarts: int = 4):
    """A global minimum whose sharpness equals :func:`min_sharpness` (to relative ``tol``).

    Whitened inputs (Sigma = c I): the balanced minimum (Mulayoff & Michaeli 2020).
    Otherwise the sharpness (top eigenvalue of the function-space GN operator) is minimised
    numerically over the gauge orbit ``W_i -> G_i W_i G_{i-1}^{-1}`` of the balanced minimum
    (with square hidden layers of width rank T when ``widths`` is None), by BFGS from the
    identity and from random gauges. Raises ConvergenceError if the
    result is not within ``tol`` of the bound. Returns the weight list."""
    N = _check_depth(depth)
    info = min_sharpness_details(target, N, input_cov, seed=seed)
    T = check_matrix("target", target)
    m = Moments.from_target(T, input_cov)
    r = max(1, np.linalg.matrix_rank(T))
    base = balanced_minimum(T, N, widths if widths is not None else [r] * (N - 1))
    if info.whitened or N == 1:
        return base
    best, best_val = _minimise_over_gauge(base, m, info.value, seed=seed, restarts=max_restarts)
    best_val = gauss_newton_sharpness(best, m)
    if best_val > info.value * (1 + tol):
        raise ConvergenceError(
            "gauge-orbit minimisation did not reach the minimum-sharpness bound",
            model="deep linear network", params={"depth": N, "bound": info.value, "reached": best_val},
            method="BFGS over the gauge orbit", hint="increase max_restarts or loosen tol")
    return best


def _gn_matrix(ws, R):
    """Function-space GN matrix ``sum_i kron(A_i A_i^T, R B_i^T B_i R)`` (no input checks)."""
    A, B = _prefix_suffix(ws)
    K = sum(np.kron(A[i] @ A[i].T, R @ B[i].T @ B[i] @ R) for i in range(len(ws)))
    return 0.5 * (K + K.T)


def _minimise_over_gauge(base, m: Moments, target_value=None, *, seed=0, restarts=3):
    """Minimise the top GN eigenvalue over the gauge orbit ``G_i = expm(X_i)`` of ``base`` (hidden
    layers); returns (weights, sharpness). BFGS on the exact lambda_max (finite-difference
    gradients): the maximum eigenvalue is non-smooth only where it is degenerate, and at the
    minimisers found in practice it is simple, so BFGS converges to machine precision. Restarts
    from random gauges until ``target_value`` (if given) is reached. Used by
    :func:`flattest_minimum` and the tests."""
    shapes = [(w.shape[0], w.shape[0]) for w in base[:-1]]
    n = sum(a * b for a, b in shapes)
    rng = np.random.default_rng(seed)
    R = m.sigma_x_sqrt

    def weights_of(x):
        Xs = unflatten(x, shapes)
        G = [np.eye(base[0].shape[1])] + [linalg.expm(X) for X in Xs] + [np.eye(base[-1].shape[0])]
        return [G[i + 1] @ base[i] @ np.linalg.inv(G[i]) for i in range(len(base))]

    def top(x):
        return float(np.linalg.eigvalsh(_gn_matrix(weights_of(x), R))[-1])

    best_x, best_val = np.zeros(n), top(np.zeros(n))
    for k in range(restarts + 1):
        x0 = np.zeros(n) if k == 0 else 0.5 * rng.standard_normal(n)
        res = optimize.minimize(top, x0, method="BFGS", options={"gtol": 1e-10 * best_val})
        if res.fun < best_val:
            best_x, best_val = res.x, float(res.fun)
        if target_value is not None and best_val <= target_value * (1 + 1e-8):
            break
    return weights_of(best_x), best_val


# --------------------------------------------------------------------------------------------
# gradient descent
# --------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class GDResult:
    """Outcome of full-batch GD: final weights, loss history (every ``record`` steps), whether it
    reached ``loss - min_loss <= tol`` and at which step, and whether it diverged."""

    weights: list
    losses: np.ndarray
    converged: bool
    diverged: bool
    steps: int


def gd(weights, moments: Moments, eta: float, steps: int, *, tol: float = 1e-12,
       record: int = 1, callback=None, blowup: float = 1e8) -> GDResult:
    """Full-batch gradient descent ``W_i <- W_i - eta dL/dW_i`` from ``weights``.

    Stops when the excess loss ``L - L_min`` is below ``tol`` (converged) or when the loss exceeds
    ``blowup`` times its initial value or becomes non-finite (diverged; reported, not raised, since
    divergence above 2/lambda is the phenomenon studied). ``callback(step, weights)`` is called on
    every recorded step."""
    ws = [w.copy() for w in as_weights(weights)]
    eta = float(eta)
    if not np.isfinite(eta) or eta <= 0:
        raise ReplicaInputError(f"eta must be a positive number, got {eta}")
    lmin = moments.min_loss
    l0 = loss(ws, moments)
    hist = [l0]
    converged = diverged = False
    t = 0
    for t in range(1, steps + 1):
        g = gradient(ws, moments)
        ws = [w - eta * gi for w, gi in zip(ws, g)]
        if t % record == 0 or t == steps:
            lt = loss(ws, moments)
            hist.append(lt)
            if callback is not None:
                callback(t, ws)
            if not np.isfinite(lt) or lt - lmin > blowup * max(l0 - lmin, 1.0):
                diverged = True
                break
            if lt - lmin <= tol:
                converged = True
                break
    return GDResult(ws, np.array(hist), converged, diverged, t)
