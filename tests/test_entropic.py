"""Entropic algorithms: degenerate cases equal SGD exactly, the Entropy-SGD inner mean on a
quadratic, gradients of the small networks by finite differences, seeding."""
import numpy as np
import pytest

from replica.errors import ReplicaInputError
from replica.flatness import entropic as en
from replica.flatness import small_nets as sn


def _data(name="perceptron", N=30, **kw):
    m = sn.make_model(name, N, **kw)
    X, y, Xt, yt, _ = sn.teacher_student(m, 60, 200, seed=1)
    return m, X, y, Xt, yt


@pytest.mark.parametrize("name,kw", [("perceptron", {}), ("perceptron", {"loss": "hinge"}),
                                     ("committee", {"K": 3}), ("mlp", {"hidden": 4}),
                                     ("mlp", {"hidden": 4, "activation": "relu"})])
def test_gradients_by_finite_differences(name, kw):
    m, X, y, _, _ = _data(name, **kw)
    rng = np.random.default_rng(0)
    w = m.init(rng)
    _, g = m.loss_grad(w, X, y)
    for _ in range(3):
        e = rng.standard_normal(w.size)
        h = 1e-6
        fd = (m.loss_grad(w + h * e, X, y)[0] - m.loss_grad(w - h * e, X, y)[0]) / (2 * h)
        assert abs(fd - g @ e) < 1e-6 * (1 + abs(fd))


def test_errors_batch_matches_predict():
    for name, kw in [("perceptron", {}), ("committee", {"K": 3}), ("mlp", {"hidden": 4})]:
        m, X, y, _, _ = _data(name, **kw)
        W = np.stack([m.init(np.random.default_rng(s)) for s in range(4)])
        ref = [np.mean(m.predict(w, X) != y) for w in W]
        np.testing.assert_array_equal(m.errors(W, X, y), ref)


@pytest.mark.parametrize("name", ["perceptron", "committee", "mlp"])
def test_rsgd_one_replica_is_sgd(name):
    m, X, y, _, _ = _data(name)
    a = en.sgd(m, X, y, lr=0.3, epochs=5, batch_size=7, seed=11)
    b = en.replicated_sgd(m, X, y, n_replicas=1, lr=0.3, g0=0.5, g1=0.2, epochs=5, batch_size=7,
                          seed=11)
    np.testing.assert_array_equal(a.params, b.params)


@pytest.mark.parametrize("name", ["perceptron", "mlp"])
def test_esgd_degenerate_is_sgd(name):
    m, X, y, _, _ = _data(name)
    a = en.sgd(m, X, y, lr=0.3, epochs=5, batch_size=7, seed=5)
    b = en.entropy_sgd(m, X, y, lr=1.0, inner_lr=0.3, L=1, gamma0=0.0, gamma1=0.0, noise=0.0,
                       mean_weight=1.0, epochs=5, batch_size=7, seed=5)
    np.testing.assert_array_equal(a.params, b.params)
    with pytest.raises(ReplicaInputError):
        en.entropy_sgd(m, X, y, L=0)


def test_esgd_inner_mean_on_quadratic():
    rng = np.random.default_rng(3)
    n = 6
    B = rng.standard_normal((n, n))
    A = B @ B.T / n + 0.2 * np.eye(n)
    wstar = rng.standard_normal(n)
    x = rng.standard_normal(n)
    gamma = 0.7
    exact = np.linalg.solve(A + gamma * np.eye(n), A @ wstar + gamma * x)
    grad = lambda xp: A @ (xp - wstar)
    # deterministic inner dynamics: the error decays geometrically with L
    errs = [np.linalg.norm(en.entropy_sgd_inner(grad, x, gamma=gamma, L=L, inner_lr=0.2,
                                                mean_weight=0.75) - exact) for L in (5, 20, 80, 300)]
    assert errs[0] > errs[1] > errs[2] > errs[3]
    assert errs[-1] < 1e-10
    # Langevin noise with the uniform running mean: the Gibbs mean is still exact (Gaussian
    # measure), the estimate converges like L^{-1/2}
    noisy = [np.linalg.norm(en.entropy_sgd_inner(grad, x, gamma=gamma, L=L, inner_lr=0.05,
                                                 noise=0.3, mean="uniform",
                                                 rng=np.random.default_rng(4)) - exact)
             for L in (100, 20000)]
    assert noisy[1] < noisy[0] and noisy[1] < 0.03


def test_reproducible_and_seed_dependent():
    m, X, y, Xt, yt = _data("committee", K=3)
    r1 = en.replicated_sgd(m, X, y, n_replicas=3, epochs=4, seed=2)
    r2 = en.replicated_sgd(m, X, y, n_replicas=3, epochs=4, seed=2)
    r3 = en.replicated_sgd(m, X, y, n_replicas=3, epochs=4, seed=3)
    np.testing.assert_array_equal(r1.params, r2.params)
    assert not np.array_equal(r1.params, r3.params)
    e1 = en.entropy_sgd(m, X, y, epochs=3, seed=2)
    e2 = en.entropy_sgd(m, X, y, epochs=3, seed=2)
    np.testing.assert_array_equal(e1.params, e2.params)


def test_rsgd_coupling_pulls_replicas_together():
    m, X, y, _, _ = _data("perceptron")
    weak = en.replicated_sgd(m, X, y, n_replicas=4, g0=1e-4, g1=0.0, epochs=10, seed=0)
    strong = en.replicated_sgd(m, X, y, n_replicas=4, g0=0.5, g1=0.0, epochs=10, seed=0)
    assert strong.history["replica_distance"][-1] < 0.1 * weak.history["replica_distance"][-1]


def test_bad_input():
    m, X, y, _, _ = _data()
    with pytest.raises(ReplicaInputError):
        en.train("adam", m, X, y)
    with pytest.raises(ReplicaInputError):
        en.sgd(m, X, y, lr=-1)
    with pytest.raises(ReplicaInputError):
        en.replicated_sgd(m, X, y, n_replicas=0)
    with pytest.raises(ReplicaInputError):
        sn.make_model("committee", 10, K=2)


def test_cli_train_json(capsys):
    import json
    from replica.cli import main

    rc = main(["train", "--algorithm", "rsgd", "--model", "perceptron", "--N", "21", "--alpha",
               "2", "--epochs", "5", "--sigma", "0.3", "--noise-samples", "20", "--json"])
    assert rc == 0
    out = json.loads(capsys.readouterr().out)
    assert 0 <= out["train_error"] <= 1 and 0 <= out["test_error"] <= 1
    assert out["local_energy"][0]["sigma"] == 0.3
    assert main(["train", "--algorithm", "sgd", "--model", "resnet"]) == 2
    assert capsys.readouterr().err.count("\n") == 1
