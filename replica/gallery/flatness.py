"""Flatness figures (Pittorino et al., ICLR 2021): local energy of typical vs max-margin
perceptron solutions (theory + finite N), local energy vs local entropy, entropic algorithms vs
SGD, and Gaussian-mixture overlaps/errors vs alpha."""
from __future__ import annotations

from pathlib import Path

import numpy as np

from . import Figure
from ._cache import cached


def _js(obj):
    from .._json import to_jsonable

    return to_jsonable(obj)


# ---------------------------------------------------------------------------------------------
# 1. Local energy: typical vs max-margin references, theory and finite N
# ---------------------------------------------------------------------------------------------


def _perceptron_data(quick):
    from ..flatness.experiments import perceptron_flatness

    r = perceptron_flatness(1.0, N=400, seeds=range(4), quick=quick)
    r["finite"] = {k: [list(m), list(s)] for k, (m, s) in r["finite"].items()}
    return _js(r)


def build_local_energy(out_dir: Path, quick: bool, data_dir: Path):
    from ..plotting import PALETTE, new_figure, place_legend, save

    d = cached(data_dir, "flatness_local_energy", {"quick": quick, "v": 2}, lambda: _perceptron_data(quick))
    sig = np.array(d["sigmas"])
    fig, ax = new_figure(width=4.2, height=3.0)
    ax.plot(sig, d["theory_typical"], color="k", label=r"theory: typical, $\kappa=0$")
    ax.plot(sig, d["theory_max_margin"], color="k", ls="--",
            label=fr"theory: max margin, $\kappa_{{\max}}={d['kappa_max']:.3f}$")
    labels = {"sgd": "SGD (stop at 0 error)", "esgd": "Entropy-SGD", "rsgd": "Replicated-SGD",
              "sgd_long": "SGD, CE, long", "max_margin": "max-margin QP",
              "typical_gibbs": "typical (Gibbs sampling)"}
    marks = {"sgd": "o", "esgd": "s", "rsgd": "^", "sgd_long": "v", "max_margin": "D",
             "typical_gibbs": "x"}
    for i, (k, (m, s)) in enumerate(d["finite"].items()):
        m, s = np.array(m), np.array(s)
        # on a log axis: lower bar clipped at 90% of the value; zeros (no pattern flipped at
        # these sigma) are not drawn
        lo = np.minimum(s, 0.9 * m)
        pos = m > 0
        te = d.get("train_error", {}).get(k, 0.0)
        extra = f" (train err {te:.3f})" if te > 0 else ""
        ax.errorbar(sig[pos], m[pos], yerr=[lo[pos], s[pos]], ls="none", marker=marks[k], ms=3,
                    color=PALETTE[i % len(PALETTE)], label=f"N={d['N']}: {labels[k]}{extra}")
    ax.set(xscale="log", yscale="log", xlabel=r"noise $\sigma$", ylabel=r"local energy $\delta E(\sigma)$",
           title=fr"spherical perceptron, random labels, $\alpha={d['alpha']:g}$", ylim=(1e-4, 0.6))
    place_legend(ax, loc="lower right")
    return save(fig, out_dir, "flatness_local_energy")


# ---------------------------------------------------------------------------------------------
# 2. Local energy vs local entropy (Franz–Parisi) and the Legendre link
# ---------------------------------------------------------------------------------------------


def _entropy_data(quick):
    from ..flatness.experiments import _fp_curves, energy_vs_entropy, legendre_link

    d_grid = np.geomspace(1e-2, 0.25, 4) if quick else np.geomspace(2e-3, 0.25, 20)
    curves = _fp_curves(1.0, 0.0, d_grid)
    return _js({"ee": energy_vs_entropy(1.0, d_grid=d_grid, curves=curves),
                "leg": legendre_link(1.0, quick=quick, curves=curves)})


def build_energy_entropy(out_dir: Path, quick: bool, data_dir: Path):
    from ..plotting import new_figure, place_legend, save

    d = cached(data_dir, "flatness_energy_entropy", {"quick": quick}, lambda: _entropy_data(quick))
    ee, leg = d["ee"], d["leg"]
    fig, (a1, a2, a3) = new_figure(ncols=3, width=2.8, height=2.6)
    fig.subplots_adjust(wspace=0.5)
    dd = np.array(ee["d"])
    for (label, r), c in zip(ee["refs"].items(), ("C0", "C1")):
        name = "typical" if label == "typical" else "max margin"
        a1.plot(dd, np.array(r["local_energy"], dtype=float), color=c, label=name)
        a2.plot(dd, np.array(r["deficit"], dtype=float), color=c, label=name)
        a3.plot(leg["gammas"], np.array(leg["refs"][label]["d_star"], dtype=float), "o-", ms=3,
                color=c, label=name)
    a1.set(xscale="log", yscale="log", xlabel=r"$d(\sigma)=(1-1/\sqrt{1+\sigma^2})/2$",
           ylabel=r"$\delta E$", title="local energy")
    a2.set(xscale="log", yscale="log", xlabel=r"distance $d$",
           ylabel=r"$S_{\max}(d) - S(d)$", title="local-entropy deficit")
    a3.set(xscale="log", yscale="log", xlabel=r"coupling $\gamma$", ylabel=r"$d^*(\gamma)$",
           title=r"Legendre: $\max_d[S(d)-2\gamma d]$")
    place_legend(a1)
    return save(fig, out_dir, "flatness_energy_entropy")


# ---------------------------------------------------------------------------------------------
# 3. Algorithms: SGD vs Entropy-SGD vs Replicated-SGD
# ---------------------------------------------------------------------------------------------

_MODELS = (("perceptron", 99, 2.0), ("committee", 99, 2.0), ("mlp", 50, 4.0))


def _algo_data(quick):
    from ..flatness.experiments import compare_algorithms

    out = {}
    for model, N, alpha in _MODELS:
        r = compare_algorithms(model, N=N, alpha=alpha, seeds=range(6),
                               sigmas=(0.05, 0.1, 0.2, 0.3, 0.5), stop_at_zero=False,
                               epochs=150, quick=quick)
        out[model] = r
    return _js(out)


def build_algorithms(out_dir: Path, quick: bool, data_dir: Path):
    from ..plotting import new_figure, place_legend, save

    d = cached(data_dir, "flatness_algorithms", {"quick": quick, "v": 2}, lambda: _algo_data(quick))
    fig, axes = new_figure(ncols=4, width=2.7, height=2.5,
                           gridspec_kw={"width_ratios": [1, 1, 1, 1.5]})
    fig.subplots_adjust(wspace=0.5)
    names = {"sgd": "SGD", "esgd": "Entropy-SGD", "rsgd": "Replicated-SGD"}
    for ax, (model, r) in zip(axes[:3], d.items()):
        sig = np.array(r["sigmas"])
        for alg, v in r["algorithms"].items():
            ax.errorbar(sig, v["local_energy"], yerr=v["local_energy_se"], marker="o", ms=3,
                        label=names[alg])
        ax.set(xlabel=r"$\sigma$", ylabel=r"$\delta E(\sigma)$")
        ax.set_title(f"{model} (N={r['N']}, {len(r['seeds'])} seeds)", fontsize=8)
    place_legend(axes[0])
    ax = axes[3]
    for i, (model, r) in enumerate(d.items()):
        for j, (alg, v) in enumerate(r["algorithms"].items()):
            if "paired_test_error" not in v:
                continue
            ax.errorbar(i + 0.25 * (j - 1), v["paired_test_error"], yerr=v["paired_test_error_se"],
                        marker="os^"[j], color=f"C{j}", ms=4, label=names[alg] if i == 0 else None)
    ax.axhline(0, color="k", lw=0.5)
    ax.set_xticks(range(len(d)), list(d), fontsize=7.5)
    ax.set_xlim(-0.6, len(d) - 0.4)
    ax.set(ylabel="test error $-$ SGD's (paired)")
    ax.set_title("generalisation", fontsize=8)
    place_legend(ax)
    return save(fig, out_dir, "flatness_algorithms")


# ---------------------------------------------------------------------------------------------
# 4. Gaussian mixture: overlaps and errors vs alpha
# ---------------------------------------------------------------------------------------------


def _gmm_data(quick, delta=1.0):
    from ..finite_n import gmm as fgmm
    from ..models import gmm

    ac = gmm.capacity(delta)
    alphas = np.linspace(0.1, 0.97 * ac, 8 if quick else 40)
    typ, mm, bay = [], [], []
    x0 = None
    for a in alphas:
        s = gmm.typical(a, delta, x0=x0)
        x0 = (s.q, s.R)
        typ.append([s.R, s.error])
        m = gmm.max_margin(a, delta)
        mm.append([m.R, m.error])
        bay.append([gmm.bayes_R(a, delta), gmm.bayes_error(a, delta)])
    # finite-d checks at alpha = 1 (and 2): max-margin QP and Bayes estimator
    d = 100 if quick else 300
    seeds = range(3 if quick else 8)
    fin = {}
    for a in (1.0, 2.0):
        Rm, Em, Rb, Eb = [], [], [], []
        n = int(a * d)
        for s in seeds:
            X, y, v = fgmm.sample_gmm(n, d, delta, 0.5, np.random.default_rng(1000 + s))
            w, _ = fgmm.max_margin_classifier(X, y)
            R = w @ v / (np.linalg.norm(w) * np.linalg.norm(v))
            Rm.append(R)
            Em.append(float(gmm.generalization_error(R, delta)))
            wb, b = fgmm.bayes_estimator(X, y, delta)
            Rb.append(wb @ v / (np.linalg.norm(wb) * np.linalg.norm(v)))
            Eb.append(fgmm._exact_test_error(wb, b, v, delta, 0.5))
        se = lambda x: float(np.std(x, ddof=1) / np.sqrt(len(x)))
        fin[str(a)] = {"R_mm": [float(np.mean(Rm)), se(Rm)], "E_mm": [float(np.mean(Em)), se(Em)],
                       "R_bo": [float(np.mean(Rb)), se(Rb)], "E_bo": [float(np.mean(Eb)), se(Eb)]}
    return _js({"alpha": alphas, "typical": typ, "max_margin": mm, "bayes": bay, "alpha_c": ac,
                "delta": delta, "finite": fin, "d": d})


def build_gmm(out_dir: Path, quick: bool, data_dir: Path):
    from ..plotting import new_figure, place_legend, save

    dat = cached(data_dir, "flatness_gmm", {"quick": quick}, lambda: _gmm_data(quick))
    a = np.array(dat["alpha"])
    fig, (a1, a2) = new_figure(ncols=2)
    fig.subplots_adjust(wspace=0.35)
    for key, lab, c in (("typical", "typical zero-error", "C0"), ("max_margin", "max margin", "C1"),
                        ("bayes", "Bayes optimal", "C2")):
        v = np.array(dat[key])
        a1.plot(a, v[:, 0], color=c, label=lab)
        a2.plot(a, v[:, 1], color=c, label=lab)
    for al, f in dat["finite"].items():
        x = float(al)
        a1.errorbar([x], [f["R_mm"][0]], yerr=[f["R_mm"][1]], marker="D", ms=3, color="C1", ls="none")
        a1.errorbar([x], [f["R_bo"][0]], yerr=[f["R_bo"][1]], marker="s", ms=3, color="C2", ls="none")
        a2.errorbar([x], [f["E_mm"][0]], yerr=[f["E_mm"][1]], marker="D", ms=3, color="C1", ls="none")
        a2.errorbar([x], [f["E_bo"][0]], yerr=[f["E_bo"][1]], marker="s", ms=3, color="C2", ls="none")
    for ax in (a1, a2):
        ax.axvline(dat["alpha_c"], color="grey", lw=0.6, ls=":")
        ax.axvline(1.0, color="grey", lw=0.4)
    a1.set(xlabel=r"$\alpha = n/d$", ylabel=r"overlap $R$ with $v^*$",
           title=fr"GMM, $\Delta={dat['delta']:g}$ (points: d={dat['d']})")
    a2.set(xlabel=r"$\alpha = n/d$", ylabel=r"test error $H(R/\sqrt{\Delta})$",
           title=fr"$\alpha_c={dat['alpha_c']:.4f}$ (dotted)")
    place_legend(a1)
    return save(fig, out_dir, "flatness_gmm")


FIGURES = [
    Figure(name="flatness_local_energy", title="Local energy: typical vs max-margin perceptron solutions",
           build=build_local_energy,
           description="Local energy dE(sigma) (multiplicative Gaussian weight noise) of the "
                       "random-label spherical perceptron at alpha = 1: replica prediction for "
                       "typical zero-error solutions (RS stability distribution) and for the "
                       "max-margin solution (closed form with Owen's T), and finite-N solutions "
                       "found by SGD, Entropy-SGD, Replicated-SGD, long CE training, the "
                       "max-margin QP and Gibbs sampling of the version space (typical "
                       "solutions); closed form from their stabilities; mean +- s.e. over seeds. "
                       "The comparison is not on equal terms for a run that stops at a non-zero "
                       "training error with its budget (its training error is given in the "
                       "legend; e.g. Entropy-SGD at 0.013 in the full build): dE(sigma) measures "
                       "the growth above that error, so at small sigma its points are not "
                       "comparable with those of the zero-error solutions.",
           source="Pittorino et al., ICLR 2021, §3 (local energy); docs/THEORY.md §4.1",
           params="alpha=1, N=400 (quick: 120), 4 seeds (quick: 2)", order=700,
           tags=("flatness",)),
    Figure(name="flatness_energy_entropy", title="Local energy vs local entropy, and the Legendre link",
           build=build_energy_entropy,
           description="Typical (kappa_ref = 0) vs max-margin references of the spherical "
                       "perceptron at alpha = 1: replica local energy on the distance axis "
                       "d(sigma), the Franz-Parisi local-entropy deficit S_max(d) - S(d), and the "
                       "distance d*(gamma) selected by an elastic coupling gamma "
                       "(Phi(gamma) = max_d [S(d) - 2 gamma d]).",
           source="Pittorino et al., ICLR 2021, §3-4; Baldassi et al. PRL 2021 (local entropy)",
           params="alpha=1, kappa=0", order=701, tags=("flatness",)),
    Figure(name="flatness_algorithms", title="SGD vs Entropy-SGD vs Replicated-SGD: flatness and test error",
           build=build_algorithms,
           description="Teacher-student perceptron, tree committee (K=9) and MLP (9 hidden): "
                       "Monte Carlo local energy of the network returned by each algorithm and its "
                       "test error (mean +- s.e. over 6 seeds, equal gradient budgets of 150 epochs). "
                       "At this toy scale the three algorithms agree within their standard "
                       "errors in local energy and in test error: the experiment shows no "
                       "significant difference between SGD, Entropy-SGD and Replicated-SGD (the "
                       "flatter, better-generalising minima Pittorino et al. report for the "
                       "entropic algorithms are not resolved with this power).",
           source="Pittorino et al., ICLR 2021, §5 (at toy scale)",
           params="perceptron/committee N=99 alpha=2; MLP N=50 alpha=4; quick: N<=45, 2 seeds",
           order=702, tags=("flatness",)),
    Figure(name="flatness_gmm", title="Gaussian mixture: typical vs max-margin vs Bayes",
           build=build_gmm,
           description="Normalised overlap R with the centre v* and test error vs alpha for "
                       "typical zero-error classifiers (RS saddle point), the maximum-margin "
                       "classifier (RS) and the Bayes-optimal estimator, Delta = 1; points: "
                       "finite-d max-margin QP and Bayes estimator (mean +- s.e.).",
           source="Pittorino et al., ICLR 2021, §6; docs/THEORY.md §4.3",
           params="Delta=1, rho=1/2", order=703, tags=("flatness", "gmm")),
]
