"""Deep linear networks: exact Hessian, flattest minima, GD stability (Mulayoff & Michaeli 2020).

Every number is checked against an independent route: finite differences of the loss and of the
gradient, closed forms, brute-force grids, direct numerical minimisation over the gauge orbit.
"""
import io
import json
import math
from contextlib import redirect_stderr, redirect_stdout

import numpy as np
import pytest

from replica.errors import ReplicaInputError
from replica.linear_nets import diagnostics as dg
from replica.linear_nets import networks as ln
from replica.linear_nets.experiments import relu_forward_backward, relu_masks

SIGMA_NONWHITE = [[1.0, 0.0], [0.0, 4.0]]


def _random_net(seed, dims):
    rng = np.random.default_rng(seed)
    return [0.7 * rng.standard_normal((dims[i + 1], dims[i])) for i in range(len(dims) - 1)]


def _random_data(seed, dx, dy, n=40):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, dx)) @ rng.standard_normal((dx, dx))
    Y = rng.standard_normal((n, dy))
    return ln.Moments.from_data(X, Y), X, Y


def _random_cov(rng, d):
    C = rng.standard_normal((d, d))
    return C @ C.T + 0.2 * np.eye(d)


# ------------------------------------------------------------------ derivatives
def test_loss_from_moments_equals_data_loss():
    ws = _random_net(0, [3, 4, 2, 2])
    m, X, Y = _random_data(1, 3, 2)
    W = ln.end_to_end(ws)
    direct = 0.5 * np.mean(np.sum((Y - X @ W.T) ** 2, axis=1))
    assert ln.loss(ws, m) == pytest.approx(direct, rel=1e-12)


def test_gradient_and_hessian_match_finite_differences():
    ws = _random_net(2, [2, 3, 4, 2])
    m, _, _ = _random_data(3, 2, 2)
    shapes = [w.shape for w in ws]
    th = ln.flatten(ws)
    P = th.size
    h = 1e-5
    L = lambda t: ln.loss(ln.unflatten(t, shapes), m)
    G = lambda t: ln.flatten(ln.gradient(ln.unflatten(t, shapes), m))
    g_fd = np.array([(L(th + h * e) - L(th - h * e)) / (2 * h) for e in np.eye(P)])
    assert np.max(np.abs(ln.flatten(ln.gradient(ws, m)) - g_fd)) < 1e-7
    H = ln.hessian(ws, m)
    H_fd = np.array([(G(th + h * e) - G(th - h * e)) / (2 * h) for e in np.eye(P)]).T
    assert np.max(np.abs(H - H_fd)) < 1e-7 * max(1.0, np.max(np.abs(H)))
    # second differences of the loss itself along random directions (not via the gradient)
    rng = np.random.default_rng(4)
    for _ in range(3):
        v = rng.standard_normal(P)
        h2 = 1e-4
        q_fd = (L(th + h2 * v) - 2 * L(th) + L(th - h2 * v)) / h2 ** 2
        assert v @ H @ v == pytest.approx(q_fd, rel=1e-5)


def test_gauss_newton_identity_at_global_minimum():
    rng = np.random.default_rng(5)
    T = rng.standard_normal((2, 3))
    S = _random_cov(rng, 3)
    m = ln.Moments.from_target(T, S, noise=0.3)   # noise: a non-zero minimal loss
    ws = ln.random_global_minimum(T, 3, [3, 3], seed=1)
    assert np.max(np.abs(ln.gradient(ws, m)[0])) < 1e-12
    R = m.sigma_x_sqrt
    A, B = ln._prefix_suffix(ws)
    for _ in range(4):
        V = [rng.standard_normal(w.shape) for w in ws]
        dT = sum(A[i] @ V[i] @ B[i] for i in range(3))
        quad = float(ln.flatten(V) @ ln.hvp(ws, m, ln.flatten(V)))
        assert quad == pytest.approx(np.sum((dT @ R) ** 2), rel=1e-10)
    H = ln.hessian(ws, m)
    assert np.max(np.abs(H - ln.hessian(ws, m, gauss_newton=True))) < 1e-10
    # function-space operator: same non-zero spectrum as the parameter-space Hessian
    lam = ln.hessian_spectrum(ws, m)
    k = ln.gauss_newton_spectrum(ws, m)
    np.testing.assert_allclose(lam[:k.size], k, rtol=1e-9, atol=1e-10)
    assert np.max(np.abs(lam[k.size:])) < 1e-9


def test_lanczos_agrees_with_dense_spectrum():
    ws = _random_net(6, [5, 8, 8, 8, 4])
    m, _, _ = _random_data(7, 5, 4)
    dense = ln.sharpness(ws, m, method="dense")
    lanc = ln.sharpness(ws, m, method="lanczos")
    assert lanc == pytest.approx(dense, rel=1e-9)


def test_balanced_spectrum_closed_form():
    rng = np.random.default_rng(8)
    T = rng.standard_normal((2, 3))
    for N in (1, 2, 3, 4):
        ws = ln.balanced_minimum(T, N, [3] * (N - 1), seed=N)
        for D in dg.imbalance(ws):
            assert np.max(np.abs(D)) < 1e-12
        lam = ln.hessian_spectrum(ws, ln.Moments.from_target(T))
        closed = ln.balanced_spectrum(T, depth=N)
        np.testing.assert_allclose(lam[:closed.size], closed, rtol=1e-9, atol=1e-12)
        assert np.all(np.abs(lam[closed.size:]) < 1e-10)


# ------------------------------------------------------------------ flattest minima
def test_whitened_min_sharpness_closed_form_and_balanced_equality():
    rng = np.random.default_rng(9)
    T = rng.standard_normal((3, 2))
    s1 = np.linalg.svd(T, compute_uv=False)[0]
    for N in (1, 2, 3, 5):
        val = ln.min_sharpness(T, N)
        assert val == pytest.approx(N * s1 ** (2 - 2 / N), rel=1e-12)
        ws = ln.balanced_minimum(T, N, [3] * (N - 1))
        assert ln.sharpness(ws, ln.Moments.from_target(T)) == pytest.approx(val, rel=1e-10)


@pytest.mark.parametrize("white", [True, False])
def test_sharpness_above_bound_on_gauge_orbit(white):
    rng = np.random.default_rng(10 + white)
    T = rng.standard_normal((2, 2))
    S = None if white else _random_cov(rng, 2)
    m = ln.Moments.from_target(T, S)
    for N in (2, 3):
        bound = ln.min_sharpness(T, N, S)
        for seed in range(6):
            ws = ln.random_global_minimum(T, N, [2] * (N - 1), seed=seed, spread=1.0)
            assert ln.loss(ws, m) - m.min_loss < 1e-10
            assert ln.sharpness(ws, m) >= bound * (1 - 1e-10)


def test_rotation_invariance_between_layers():
    rng = np.random.default_rng(12)
    T = rng.standard_normal((2, 3))
    S = _random_cov(rng, 3)
    m = ln.Moments.from_target(T, S)
    ws = ln.random_global_minimum(T, 3, [4, 4], seed=3)
    Q = [np.linalg.qr(rng.standard_normal((4, 4)))[0] for _ in range(2)]
    rot = ln.gauge_transform(ws, Q)
    np.testing.assert_allclose(ln.hessian_spectrum(rot, m), ln.hessian_spectrum(ws, m),
                               rtol=1e-9, atol=1e-10)
    np.testing.assert_allclose(ln.end_to_end(rot), ln.end_to_end(ws), atol=1e-12)


def test_scalar_chain_minimum_and_gd_threshold():
    m = ln.Moments.from_target([[2.0]])
    val = ln.min_sharpness([[2.0]], 3)
    assert val == pytest.approx(3 * 2 ** (4 / 3), rel=1e-14)
    assert val == pytest.approx(7.5595, abs=5e-5)
    eta_star = ln.eta_star([[2.0]], 3)
    assert eta_star == pytest.approx(0.26457, abs=5e-6)
    # scalar chain closed form lambda = T^2 sum_i w_i^{-2}: check against the Hessian
    w = [[[1.0]], [[0.8]], [[2.5]]]
    assert ln.sharpness(w, m) == pytest.approx(4 * (1 + 1 / 0.64 + 1 / 6.25), rel=1e-12)
    rng = np.random.default_rng(13)
    inits = [rng.uniform(1.0, 1.5, size=3) for _ in range(4)]
    for w0 in inits:
        ws0 = [np.array([[x]]) for x in w0]
        below = ln.gd(ws0, m, 0.9 * eta_star, 20000, tol=1e-14, record=10)
        assert below.converged
        assert val - 1e-9 <= ln.sharpness(below.weights, m) <= 2 / (0.9 * eta_star)
        above = ln.gd(ws0, m, 1.1 * eta_star, 5000, tol=1e-14, record=10)
        assert not above.converged
        assert above.diverged or above.losses[-1] - m.min_loss > 1e-6


def test_nonwhite_example_and_brute_force_over_minima():
    info = ln.min_sharpness_details([[1.0, 0.0]], 2, SIGMA_NONWHITE)
    assert info.value == pytest.approx(4 / math.sqrt(3), rel=1e-10)
    assert info.balanced == pytest.approx(4.0, rel=1e-12)
    # all global minima with hidden width 1: W_2 = c, W_1 = (1/c, 0); dense Hessian on a c-grid
    m = ln.Moments.from_target([[1.0, 0.0]], SIGMA_NONWHITE)
    f = lambda c: ln.sharpness([np.array([[1 / c, 0.0]]), np.array([[c]])], m, method="dense")
    coarse = np.linspace(0.3, 3.0, 541)
    c0 = coarse[int(np.argmin([f(c) for c in coarse]))]
    fine = np.linspace(c0 - 0.01, c0 + 0.01, 2001)     # spacing 1e-5; slope of lambda ~ 6
    sh = [f(c) for c in fine]
    assert min(sh) == pytest.approx(4 / math.sqrt(3), rel=1e-4)
    assert min(sh) >= info.value * (1 - 1e-12)
    c_bal = 1.0
    assert ln.sharpness([np.array([[1 / c_bal, 0.0]]), np.array([[c_bal]])], m) == pytest.approx(4.0)


def test_profile_maximisation_against_angle_grid():
    rng = np.random.default_rng(14)
    for N in (2, 3, 6):
        T = rng.standard_normal((3, 2))
        S = _random_cov(rng, 2)
        R = ln._psd_sqrt(S)
        th = np.linspace(0, np.pi, 200001)
        W = np.stack([np.cos(th), np.sin(th)])
        grid = N * np.max(ln._profile(W, T @ R, R, N))
        assert ln.min_sharpness(T, N, S) == pytest.approx(grid, rel=1e-9)


@pytest.mark.parametrize("shape,depth", [((2, 2), 2), ((2, 2), 3), ((1, 3), 3)])
def test_bound_attained_by_direct_minimisation_over_gauge_orbit(shape, depth):
    """Independent check of the non-white formula: minimise the sharpness directly over the gauge
    orbit W_i -> G_i W_i G_{i-1}^{-1} of a global minimum (with square hidden layers of width
    rank T this orbit is the set of all global minima)."""
    rng = np.random.default_rng(15)
    T = rng.standard_normal(shape)
    S = _random_cov(rng, shape[1])
    m = ln.Moments.from_target(T, S)
    bound = ln.min_sharpness(T, depth, S)
    ws = ln.flattest_minimum(T, depth, S)  # raises ConvergenceError if the bound is not reached
    assert ln.loss(ws, m) - m.min_loss < 1e-10
    assert ln.sharpness(ws, m, method="dense") == pytest.approx(bound, rel=1e-6)
    assert ln.balanced_sharpness(T, depth, S) > bound * (1 + 1e-3)  # balanced is not the flattest


# ------------------------------------------------------------------ conservation law
def test_conserved_imbalance_changes_at_order_eta_squared():
    rng = np.random.default_rng(16)
    ws = [rng.standard_normal((3, 3)) * 0.6 for _ in range(3)]
    m = ln.Moments.from_target(rng.standard_normal((3, 3)), _random_cov(rng, 3))
    D0 = dg.imbalance(ws)
    g = ln.gradient(ws, m)
    changes = []
    for eta in (1e-2, 1e-3, 1e-4):
        D1 = dg.imbalance([w - eta * gi for w, gi in zip(ws, g)])
        changes.append(max(np.max(np.abs(a - b)) for a, b in zip(D0, D1)))
    # exact: Delta D_i = eta^2 (grad_{i+1}^T grad_{i+1} - grad_i grad_i^T)
    expect = [np.max(np.abs(g[i + 1].T @ g[i + 1] - g[i] @ g[i].T)) for i in range(2)]
    assert changes[0] / changes[1] == pytest.approx(100, rel=1e-4)
    assert changes[1] / changes[2] == pytest.approx(100, rel=1e-3)
    assert changes[0] == pytest.approx(1e-4 * max(expect), rel=1e-8)
    # along a trajectory of fixed length t = k eta the drift is O(eta)
    drifts = []
    for eta in (2e-3, 1e-3):
        res = ln.gd(ws, m, eta, int(round(0.2 / eta)), tol=0)
        D1 = dg.imbalance(res.weights)
        drifts.append(max(np.max(np.abs(a - b)) for a, b in zip(D0, D1)))
    assert drifts[0] / drifts[1] == pytest.approx(2, rel=0.05)


# ------------------------------------------------------------------ diagnostics, ReLU
def test_diagnostics_at_balanced_minimum():
    T = np.diag([3.0, 1.0])
    ws = ln.balanced_minimum(T, 3, [2, 2], seed=4)
    for p in dg.layer_pairs(ws):
        assert p.frobenius < 1e-12 and p.spectral < 1e-12
        assert p.top_overlap == pytest.approx(1.0, abs=1e-12)
        assert p.coupled_fraction == pytest.approx(1.0, abs=1e-12)
    np.testing.assert_allclose(dg.path_gains(ws), 3 ** (1 / 3), rtol=1e-12)
    rnd = _random_net(17, [2, 2, 2, 2])
    assert max(p.frobenius for p in dg.layer_pairs(rnd)) > 0.05


def test_relu_gradient_and_frozen_mask_hessian():
    rng = np.random.default_rng(18)
    X = rng.standard_normal((30, 3))
    Y = rng.standard_normal((30, 1))
    ws = [rng.standard_normal((4, 3)), rng.standard_normal((4, 4)), rng.standard_normal((1, 4))]
    _, g = relu_forward_backward(ws, X, Y)
    h = 1e-6
    for k in range(3):
        for idx in [(0, 0), (0, 1)]:
            wp = [w.copy() for w in ws]; wp[k][idx] += h
            wm = [w.copy() for w in ws]; wm[k][idx] -= h
            fd = (relu_forward_backward(wp, X, Y, grad=False)[0]
                  - relu_forward_backward(wm, X, Y, grad=False)[0]) / (2 * h)
            assert g[k][idx] == pytest.approx(fd, rel=1e-6, abs=1e-9)
    # frozen masks reproduce the ReLU network exactly at the current weights
    masks = relu_masks(ws, X)
    assert relu_forward_backward(ws, X, Y, masks=masks, grad=False)[0] == pytest.approx(
        relu_forward_backward(ws, X, Y, grad=False)[0], rel=1e-14)


# ------------------------------------------------------------------ CLI and input errors
def _cli(argv):
    from replica.cli import main

    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        rc = main(argv)
    return rc, out.getvalue(), err.getvalue()


def test_cli_min_sharpness_json():
    rc, out, _ = _cli(["linear", "min-sharpness", "--depth", "2", "--target", "[[1,0]]",
                       "--input-cov", "[[1,0],[0,4]]", "--json"])
    assert rc == 0
    data = json.loads(out)
    assert data["min_sharpness"] == pytest.approx(4 / math.sqrt(3), rel=1e-10)
    assert data["balanced_sharpness"] == pytest.approx(4.0)
    assert data["eta_star"] == pytest.approx(2 / data["min_sharpness"])


@pytest.mark.parametrize("argv", [
    ["--depth", "0", "--target", "[[1]]"],
    ["--depth", "2", "--target", "[[1,0]]", "--input-cov", "[[1,0]]"],
    ["--depth", "2", "--target", "[[1,0]]", "--input-cov", "[[1,0],[0,-1]]"],
    ["--depth", "2", "--target", "[[1,0"],
    ["--depth", "2", "--target", "[[1,0]]", "--input-cov", "[[1,0,0],[0,1,0],[0,0,1]]"],
])
def test_cli_bad_input(argv):
    rc, out, err = _cli(["linear", "min-sharpness"] + argv)
    assert rc == 2 and out == ""
    assert err.startswith("replica: error:") and err.count("\n") == 1


def test_api_input_errors():
    with pytest.raises(ReplicaInputError):
        ln.min_sharpness([[1.0]], 0)
    with pytest.raises(ReplicaInputError):
        ln.min_sharpness([[1.0, 0.0]], 2, [[1.0, 2.0], [2.0, 1.0]])  # indefinite
    with pytest.raises(ReplicaInputError):
        ln.min_sharpness([[float("nan")]], 2)
    with pytest.raises(ReplicaInputError):
        ln.balanced_minimum(np.eye(3), 2, [2])   # hidden width below rank T


def test_references_reproduce():
    from replica.testing.refs.linear_networks import REFERENCES

    assert len(REFERENCES) >= 3
    for ref in REFERENCES:
        assert abs(ref.compute() - ref.value) <= ref.tol, ref.name


# ------------------------------------------------------------------ experiments (reduced size)
def test_experiments_respect_the_bounds():
    from replica.linear_nets.experiments import (gd_step_size_experiment, relu_experiment,
                                                     resnet_experiment)

    a = gd_step_size_experiment(quick=True)
    for r in a["rows"]:
        if r["converged"]:
            assert a["min_sharpness"] * (1 - 1e-9) <= r["sharpness"] <= r["two_over_eta"] * (1 + 1e-9)
        if r["eta"] > a["eta_star"]:
            assert not r["converged"]
    assert any(r["converged"] for r in a["rows"] if r["eta_over_eta_star"] >= 0.9)

    b = resnet_experiment(quick=True)
    white, nonwhite = b["cases"]
    assert white["converged"] and nonwhite["converged"]
    assert white["imbalance_frobenius"] < 5e-3 and nonwhite["imbalance_frobenius"] < 5e-3
    # whitened: balanced = flattest (up to the O(eta) imbalance); non-white: far from flattest
    assert white["ratio_to_min"] == pytest.approx(1.0, abs=1e-3)
    assert nonwhite["sharpness"] == pytest.approx(nonwhite["balanced_sharpness"], rel=1e-3)
    assert nonwhite["ratio_to_min"] > 1.3

    c = relu_experiment(quick=True, steps=200, etas=(0.05,), init_scales=(0.5,))
    run = c["inits"][0]["runs"][0]
    assert not run["diverged"] and run["final_loss"] < c["inits"][0]["initial_loss"]
    assert 0.0 <= run["summary"]["top_overlap"] <= 1.0 + 1e-12
