r"""Flatness experiments (small scale, CPU): do entropic algorithms find flatter minima, and do
flatter minima generalise better? (Pittorino et al., ICLR 2021.)

* :func:`compare_algorithms` — SGD vs Entropy-SGD vs Replicated-SGD on teacher-student data
  (perceptron, tree committee, MLP), several seeds: training/test error and the Monte Carlo local
  energy dE(sigma) of the network each algorithm returns. By default every algorithm is stopped at
  the end of the first epoch with zero training error (``stop_at_zero``), so that the solutions
  are compared where each algorithm first lands; budgets (minibatch gradients) are equal otherwise.
* :func:`perceptron_flatness` — random-label spherical perceptron at load alpha: the local energy
  of finite-N solutions (SGD, Entropy-SGD, Replicated-SGD, SGD run long, max-margin QP; closed
  form from the stabilities) next to the replica curves of typical (kappa = 0) and max-margin
  references (:mod:`replica.flatness.local_energy`).
* :func:`energy_vs_entropy` — local energy vs Franz–Parisi local entropy for the same two
  references (:func:`replica.models.franz_parisi.local_entropy_curve`), on a common distance axis:
  multiplicative noise sigma moves a spherical w to overlap p = 1/sqrt(1+sigma^2), i.e.
  d(sigma) = (1 - 1/sqrt(1+sigma^2))/2; the entropy deficit S_max(d) - S(d) with
  S_max(d) = 1/2 ln(1-p^2) (alpha = 0) is the entropic counterpart of dE.
* :func:`legendre_link` — Phi(gamma) = max_d [S(d) - 2 gamma d] and d*(gamma)
  (:func:`replica.models.franz_parisi.legendre`): the coupling of the entropic algorithms selects
  the distance d*(gamma) at which the local entropy is probed.

Every function is seeded; ``quick=True`` variants run in seconds.

Findings (full-mode gallery data, ``replica figures --only flatness_algorithms`` etc.; numbers are
means +- s.e. over seeds, "paired" = difference to SGD on the same seed):

* Teacher-student, 150 epochs, 6 seeds, sigma = 0.5: the three algorithms give the same test
  error within error bars (perceptron N=99, alpha=2: 0.178/0.179/0.177 for SGD/eSGD/rSGD;
  committee K=9: 0.292/0.290/0.290; MLP N=50, H=9, alpha=4: 0.153/0.153/0.155). Replicated-SGD
  returns slightly flatter networks for the committee (paired dE(0.5) = -0.005 +- 0.002) and the
  MLP (-0.011 +- 0.004), with no test-error gain (MLP paired +0.002 +- 0.004); Entropy-SGD is
  indistinguishable from SGD (|paired dE| <= 0.001). At this scale the paper's "flatter and better
  generalising" claim is at most weakly visible (flatter: rSGD yes, marginally; better: no).
* Random-label perceptron, alpha = 1, N = 400: solutions where SGD first reaches zero error are
  far flatter than typical solutions (dE(0.01) = 0.0016 vs the replica 0.0058), yet sharper than
  the max-margin solution at small sigma; at sigma >~ 0.3 they are as flat as or flatter than the
  max-margin solution (dE(0.83) = 0.198 vs 0.233 theory / 0.236 finite N), because the max margin
  puts a fraction Phi(kappa_max) = 0.68 of the patterns exactly at the margin: local-energy
  rankings depend on sigma. The finite-N max-margin curve matches the replica prediction
  (0.068 +- 0.011 vs 0.062 at sigma = 0.34; 0.372 vs 0.371 at sigma = 2), and so do typical
  solutions sampled by Gibbs sampling of the version space (0.0229 +- 0.0015 vs 0.0213 at
  sigma = 0.038; 0.274 +- 0.009 vs 0.273 at sigma = 0.83). Entropy-SGD with the default budget
  (300 epochs) did not reach zero training error on every seed here (mean 0.0125), so its curve
  is not a zero-error comparison.
* Local energy vs local entropy (alpha = 1): around the max-margin reference dE(sigma(d)) and
  the entropy deficit S_max(d) - S(d) nearly coincide for d < 0.01 (0.00203 vs 0.00206 at
  d = 0.0071); both rank the max-margin reference flatter than typical ones at small d. At
  d >~ 0.17 the entropy deficit ranks them the other way (S around a typical reference peaks at
  the typical distance d* = (1-Q)/2 = 0.207), while dE keeps max margin below typical for all
  sigma: the two measures agree at small distances only.
"""
from __future__ import annotations

import math
import time

import numpy as np

from ..errors import ReplicaInputError, check_int, check_memory, check_range, check_work
from . import entropic as en
from . import small_nets as sn
from .local_energy import local_energy_mc, local_energy_perceptron, local_energy_replica

__all__ = ["ALGO_DEFAULTS", "MODEL_DEFAULTS", "train_one", "compare_algorithms",
           "perceptron_flatness", "energy_vs_entropy", "legendre_link", "max_margin_weights",
           "distance_from_sigma"]

#: Model constructors' defaults (input size N is an argument).
MODEL_DEFAULTS = {"perceptron": {"loss": "ce"}, "committee": {"K": 9}, "mlp": {"hidden": 9}}

#: Algorithm defaults used by the experiments (teacher-student, N ~ 100, batch 20).
ALGO_DEFAULTS = {
    "sgd": dict(lr=3.0, batch_size=20, epochs=300),
    "gd": dict(lr=3.0, epochs=1000),
    "esgd": dict(lr=1.0, inner_lr=3.0, L=5, gamma0=1e-3, gamma1=1e-2, noise=1e-4,
                 batch_size=20, epochs=300),
    "rsgd": dict(lr=3.0, n_replicas=3, g0=3e-3, g1=0.05, batch_size=20, epochs=300),
}


def distance_from_sigma(sigma):
    """Distance d = (1 - p)/2 between w and w(1 + sigma z) at large N: p = 1/sqrt(1 + sigma^2)."""
    s = np.asarray(sigma, dtype=float)
    return 0.5 * (1.0 - 1.0 / np.sqrt(1.0 + s * s))


def _model(name, N, hidden=None):
    kw = dict(MODEL_DEFAULTS.get(name, {}))
    if hidden is not None and name == "committee":
        kw["K"] = hidden
    if hidden is not None and name == "mlp":
        kw["hidden"] = hidden
    return sn.make_model(name, N, **kw)


def train_one(model: str, algorithm: str, *, N: int = 99, alpha: float = 2.0, seed: int = 0,
              hidden: int | None = None, replicas: int = 3, sigmas=(0.1, 0.3, 0.5),
              noise_samples: int = 200, n_test: int = 2000, stop_at_zero: bool = True,
              **overrides) -> dict:
    """Train one network on teacher-student data (P = alpha N) and measure it: train/test error,
    epochs used, and the Monte Carlo local energy at ``sigmas`` (list of {sigma, local_energy,
    stderr})."""
    if algorithm not in en.ALGORITHMS:
        raise ReplicaInputError(f"unknown algorithm {algorithm!r}; choose one of "
                                f"{', '.join(en.ALGORITHMS)}")
    N = check_int("N", N, 3)
    alpha = check_range("alpha", alpha, 0.0, lo_open=True)
    replicas = check_int("replicas", replicas, 1)
    noise_samples = check_int("noise_samples", noise_samples, 1)
    n_test = check_int("n_test", n_test, 1)
    sigmas = [check_range("sigma", s, 0.0) for s in np.atleast_1d(sigmas)]
    if hidden is not None:
        hidden = check_int("hidden", hidden, 1)
    P = int(round(alpha * N))
    if P < 1:
        raise ReplicaInputError("alpha * N must be >= 1")
    kw = dict(ALGO_DEFAULTS[algorithm])
    if algorithm == "rsgd":
        kw["n_replicas"] = replicas
    kw.update(overrides)
    # sizes and work before anything is allocated (data, replicas, noise samples)
    width = N if model != "mlp" else (hidden or MODEL_DEFAULTS["mlp"]["hidden"]) * (N + 1)
    reps = int(kw.get("n_replicas", 1)) * int(kw.get("L", 1))
    check_memory("N", 16.0 * (P + n_test) * N, f"the data ({P + n_test} samples of {N} inputs)")
    check_memory("replicas", 32.0 * reps * width + 16.0 * P * max(reps, 1),
                 f"{reps} replica(s) of {width} parameters")
    epochs = check_int("epochs", kw.get("epochs", 1), 1)
    check_work("epochs", float(epochs) * reps * P * width,
               f"{epochs} epoch(s) x {reps} replica(s) x {P} samples x {width} parameters")
    check_work("noise_samples", float(noise_samples) * len(sigmas) * P * width,
               f"{noise_samples} noise sample(s) x {len(sigmas)} sigma(s) of the local energy")
    m = _model(model, N, hidden)
    X, y, Xt, yt, _ = sn.teacher_student(m, P, n_test, seed=seed)
    if algorithm == "gd":
        kw.pop("batch_size", None)
    t0 = time.perf_counter()
    r = en.train(algorithm, m, X, y, seed=seed, X_test=Xt, y_test=yt, stop_at_zero=stop_at_zero,
                 **kw)
    t1 = time.perf_counter()
    sig = np.atleast_1d(np.asarray(sigmas, dtype=float))
    rows = []
    if sig.size:
        le, se = local_energy_mc(lambda W: m.errors(W, X, y), r.params, sig,
                                 n_samples=noise_samples, seed=seed + 1000)
        rows = [{"sigma": float(s), "local_energy": float(v), "stderr": float(e)}
                for s, v, e in zip(sig, le, se)]
    return {"model": model, "algorithm": algorithm, "N": N, "alpha": alpha, "P": P,
            "seed": seed, "train_error": r.train_error, "test_error": r.test_error,
            "epochs_run": r.settings.get("epochs_run"), "settings": r.settings,
            "train_seconds": t1 - t0, "local_energy": rows}


def compare_algorithms(model: str = "perceptron", *, N: int = 99, alpha: float = 2.0,
                       seeds=range(5), sigmas=(0.05, 0.1, 0.2, 0.3, 0.5),
                       algorithms=("sgd", "esgd", "rsgd"), noise_samples: int = 200,
                       stop_at_zero: bool = True, quick: bool = False, **overrides) -> dict:
    """Seeds x algorithms table; returns per algorithm the mean and standard error over seeds of
    the test error, training error, epochs and dE(sigma)."""
    if quick:
        N, seeds, noise_samples = min(N, 45), range(2), min(noise_samples, 40)
        overrides.setdefault("epochs", 60)
    out = {"model": model, "N": N, "alpha": alpha, "sigmas": np.asarray(sigmas, float),
           "seeds": list(seeds), "algorithms": {}}
    for alg in algorithms:
        rows = [train_one(model, alg, N=N, alpha=alpha, seed=s, sigmas=sigmas,
                          noise_samples=noise_samples, stop_at_zero=stop_at_zero, **overrides)
                for s in seeds]
        le = np.array([[r["local_energy"][k]["local_energy"] for k in range(len(sigmas))]
                       for r in rows])
        te = np.array([r["test_error"] for r in rows])
        tr = np.array([r["train_error"] for r in rows])
        ep = np.array([r["epochs_run"] for r in rows], dtype=float)
        n = len(rows)
        sem = lambda a: a.std(0, ddof=1) / math.sqrt(n) if n > 1 else np.full_like(a.mean(0), np.nan)
        out["algorithms"][alg] = {
            "test_error": te.mean(), "test_error_se": float(sem(te)),
            "train_error": tr.mean(), "train_error_se": float(sem(tr)),
            "epochs": ep.mean(), "local_energy": le.mean(0), "local_energy_se": sem(le),
            "per_seed_test_error": te, "per_seed_local_energy": le}
    # paired differences against SGD (same data, initialisation and batch stream per seed)
    if "sgd" in out["algorithms"] and len(out["seeds"]) > 1:
        b = out["algorithms"]["sgd"]
        n = len(out["seeds"])
        for alg, v in out["algorithms"].items():
            dte = v["per_seed_test_error"] - b["per_seed_test_error"]
            dle = v["per_seed_local_energy"] - b["per_seed_local_energy"]
            v["paired_test_error"] = float(dte.mean())
            v["paired_test_error_se"] = float(dte.std(ddof=1) / math.sqrt(n))
            v["paired_local_energy"] = dle.mean(0)
            v["paired_local_energy_se"] = dle.std(0, ddof=1) / math.sqrt(n)
    return out


def max_margin_weights(X_signed):
    """Max-margin spherical perceptron for patterns with labels absorbed (rows), via
    :func:`replica.finite_n.spherical.max_margin_spherical` (NNLS, KKT-certified)."""
    from ..finite_n.spherical import max_margin_spherical

    r = max_margin_spherical(X_signed)
    if not r.separable:
        raise ReplicaInputError("instance not linearly separable: no max-margin solution")
    return r.w, r.margin


def perceptron_flatness(alpha: float = 1.0, *, N: int = 400, seeds=range(4),
                        sigmas=None, quick: bool = False) -> dict:
    """Random-label perceptron (P = alpha N, Gaussian patterns): local energy of solutions found
    by SGD (CE loss, stopped at zero error), SGD run long (CE drives the direction to the max
    margin), Entropy-SGD, Replicated-SGD, the max-margin QP and typical solutions (Gibbs
    sampling of the version space, :func:`replica.models.gmm.sample_cone`), by the large-N closed
    form from their stabilities, with the replica curves (typical kappa = 0 and max-margin)."""
    if sigmas is None:
        sigmas = np.geomspace(0.01, 2.0, 25 if not quick else 10)
    sigmas = np.asarray(sigmas, dtype=float)
    if quick:
        N, seeds = min(N, 120), range(2)
    th_typ = local_energy_replica("spherical", alpha, 0.0, sigmas)
    th_max = local_energy_replica("spherical", alpha, "max", sigmas)
    m = sn.Perceptron(N, loss="ce")
    P = int(round(alpha * N))
    runs = {"sgd": dict(ALGO_DEFAULTS["sgd"], stop_at_zero=True),
            "esgd": dict(ALGO_DEFAULTS["esgd"], stop_at_zero=True),
            "rsgd": dict(ALGO_DEFAULTS["rsgd"], stop_at_zero=True),
            "sgd_long": dict(ALGO_DEFAULTS["sgd"], epochs=300 if not quick else 60)}
    finite = {k: [] for k in list(runs) + ["max_margin", "typical_gibbs"]}
    margins = {k: [] for k in finite}
    train_err = {k: [] for k in finite}
    for s in seeds:
        rng = np.random.default_rng(np.random.SeedSequence(s, spawn_key=(9,)))
        X = rng.standard_normal((P, N))
        y = np.where(rng.random(P) < 0.5, 1.0, -1.0)
        for name, kw in runs.items():
            alg = "sgd" if name == "sgd_long" else name
            r = en.train(alg, m, X, y, seed=s, **kw)
            finite[name].append(local_energy_perceptron(r.params, X, y, sigmas))
            d = y * (X @ r.params) / np.linalg.norm(r.params)
            margins[name].append(float(d.min()))
            train_err[name].append(r.train_error)
        w, k = max_margin_weights(y[:, None] * X)
        finite["max_margin"].append(local_energy_perceptron(w, X, y, sigmas))
        margins["max_margin"].append(k)
        train_err["max_margin"].append(0.0)
        # typical zero-error solution: Gibbs sampling of the version space from the max margin
        from ..finite_n.gmm import sample_cone
        wt = sample_cone(y[:, None] * X, w, sweeps=300 if quick else 1500, seed=s)
        finite["typical_gibbs"].append(local_energy_perceptron(wt, X, y, sigmas))
        margins["typical_gibbs"].append(float((y * (X @ wt)).min() / np.linalg.norm(wt)))
        train_err["typical_gibbs"].append(0.0)
    res = {"alpha": alpha, "N": N, "sigmas": sigmas, "theory_typical": th_typ["local_energy"],
           "theory_max_margin": th_max["local_energy"], "q_typical": th_typ["q"],
           "kappa_max": th_max["kappa"], "finite": {}, "margins": {},
           "train_error": {k: float(np.mean(v)) for k, v in train_err.items()}}
    for k, v in finite.items():
        a = np.array(v)
        res["finite"][k] = (a.mean(0), a.std(0, ddof=1) / math.sqrt(len(a)) if len(a) > 1
                            else np.zeros(a.shape[1]))
        res["margins"][k] = (float(np.mean(margins[k])), float(np.std(margins[k])))
    return res


def _fp_curves(alpha, kappa, d_grid):
    from ..models import franz_parisi as fp

    return {label: fp.local_entropy_curve("spherical", alpha, kref, kappa, d_grid)
            for label, kref in (("typical", 0.0), ("max_margin", "max"))}


def energy_vs_entropy(alpha: float = 1.0, *, kappa: float = 0.0, d_grid=None,
                      quick: bool = False, curves=None) -> dict:
    """Local energy and Franz–Parisi local entropy around typical (kappa_ref = 0) and max-margin
    references of the spherical perceptron, on the common axis d (see module docstring).
    ``curves``: precomputed {"typical", "max_margin"} local_entropy_curve results on d_grid."""
    if d_grid is None:
        d_grid = np.geomspace(2e-3, 0.2, 5 if quick else 16)
    d_grid = np.asarray(d_grid, dtype=float)
    if curves is None:
        curves = _fp_curves(alpha, kappa, d_grid)
    # sigma with d(sigma) = d: p = 1 - 2d = 1/sqrt(1+sigma^2)
    p = 1.0 - 2.0 * d_grid
    sig = np.sqrt(1.0 / (p * p) - 1.0)
    out = {"alpha": alpha, "d": d_grid, "sigma": sig, "S_max": 0.5 * np.log1p(-p * p), "refs": {}}
    for label, kref in (("typical", 0.0), ("max_margin", "max")):
        curve = curves[label]
        le = local_energy_replica("spherical", alpha, kref, sig)["local_energy"]
        S = np.where(curve.ok, curve["entropy"], np.nan)
        out["refs"][label] = {"entropy": S, "status": list(curve.status), "local_energy": le,
                              "deficit": out["S_max"] - S}
    return out


def legendre_link(alpha: float = 1.0, gammas=(0.25, 0.5, 1, 2, 5, 10, 20), *,
                  kappa: float = 0.0, quick: bool = False, curves=None, d_grid=None) -> dict:
    """d*(gamma) and Phi(gamma) = max_d [S(d) - 2 gamma d] for typical and max-margin spherical
    references (franz_parisi.legendre), i.e. the distance an entropic algorithm at coupling gamma
    probes around each kind of solution."""
    from ..models import franz_parisi as fp

    if curves is None:
        if d_grid is None:
            d_grid = np.geomspace(2e-3, 0.3, 8 if quick else 24)
        curves = _fp_curves(alpha, kappa, np.asarray(d_grid, dtype=float))
    if quick:
        gammas = tuple(gammas)[::2]
    out = {"alpha": alpha, "gammas": np.asarray(gammas, float), "refs": {}}
    for label, kref in (("typical", 0.0), ("max_margin", "max")):
        rows = fp.legendre("spherical", alpha, kref, kappa, list(gammas), curve=curves[label])
        out["refs"][label] = {"d_star": np.array([r.get("d", np.nan) for r in rows]),
                              "Phi": np.array([r.get("Phi", np.nan) for r in rows]),
                              "status": [r["status"] for r in rows]}
    return out
