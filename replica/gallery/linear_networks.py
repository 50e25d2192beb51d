"""Figures: flat minima of deep linear (and small ReLU) networks, Mulayoff & Michaeli (ICML 2020).

Data come from :mod:`replica.linear_nets.experiments` (seeded, CPU) and are cached as JSON in
``data_dir`` keyed by the parameters (:func:`replica.gallery._cache.cached`).
"""
from __future__ import annotations

from pathlib import Path

import numpy as np

from .._json import to_jsonable
from . import Figure
from ._cache import cached


#: bump when an experiment's defaults change, so that cached data are recomputed
_REV = 2


def _data(data_dir, name, quick, fn):
    par = {"experiment": name, "quick": bool(quick), "seed": 0, "rev": _REV}
    return cached(data_dir, f"linear_{name.replace('-', '_')}", par,
                  lambda: to_jsonable(fn(quick=quick, seed=0)))


def build_gd_step_size(out_dir: Path, quick: bool, data_dir: Path) -> list[Path]:
    from ..linear_nets.experiments import gd_step_size_experiment
    from ..plotting import PALETTE, new_figure, place_legend, save

    d = _data(data_dir, "gd-step-size", quick, gd_step_size_experiment)
    fig, ax = new_figure(width=4.2, height=3.0)
    rows = d["rows"]
    eta_c = np.array([r["eta"] for r in rows if r["converged"]])
    sh_c = np.array([r["sharpness"] for r in rows if r["converged"]])
    eta_n = np.array([r["eta"] for r in rows if not r["converged"]])
    etas = np.geomspace(min(r["eta"] for r in rows) * 0.8, max(r["eta"] for r in rows) * 1.2, 200)
    ax.plot(etas, 2 / etas, color=PALETTE[7], lw=1.0, label=r"$2/\eta$ (GD stability)")
    ax.axhline(d["min_sharpness"], color=PALETTE[1], ls="--", lw=1.0,
               label=rf"min sharpness ${d['min_sharpness']:.4g}$")
    ax.axvline(d["eta_star"], color=PALETTE[2], ls=":", lw=1.0, label=r"$\eta^*$")
    ax.plot(eta_c, sh_c, "o", ms=4, color=PALETTE[0], label="GD converged (final $\\lambda_{max}$)")
    if eta_n.size:
        ymark = d["min_sharpness"] * 0.8
        ax.plot(eta_n, np.full(eta_n.size, ymark), "x", ms=5, color=PALETTE[3],
                label="GD did not converge")
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_ylim(d["min_sharpness"] * 0.6, max(sh_c.max() if sh_c.size else 1, 2 / etas.max()) * 3)
    from matplotlib.ticker import LogLocator, NullFormatter, ScalarFormatter
    for axis in (ax.xaxis, ax.yaxis):
        axis.set_major_locator(LogLocator(base=10, subs=(1.0, 2.0, 5.0)))
        axis.set_major_formatter(ScalarFormatter())
        axis.set_minor_formatter(NullFormatter())
    ax.set_xlabel(r"step size $\eta$")
    ax.set_ylabel(r"sharpness $\lambda_{\max}$ at the end of GD")
    ax.set_title(f"depth {d['depth']} linear net, whitened inputs", fontsize=9)
    place_legend(ax, loc="upper right")
    return save(fig, out_dir, "linear_gd_step_size")


def build_resnet(out_dir: Path, quick: bool, data_dir: Path) -> list[Path]:
    from ..linear_nets.experiments import resnet_experiment
    from ..plotting import PALETTE, new_figure, place_legend, save, suptitle

    d = _data(data_dir, "resnet", quick, resnet_experiment)
    fig, (a1, a2) = new_figure(ncols=2, width=3.3, height=2.7)
    for k, c in enumerate(d["cases"]):
        tr = c["trajectory"]
        step = np.array(tr["step"], dtype=float)
        keep = step >= 1  # step 0 is the identity, exactly balanced (imbalance 0)
        col = PALETTE[k]
        a1.plot(step[keep], np.array(tr["imbalance"])[keep], "-", color=col,
                label=f"{c['inputs']} ($\\eta$={c['eta']:.3g})")
        step = np.maximum(step, 0.5)
        a2.plot(step, tr["sharpness"], "-", color=col, label=f"{c['inputs']}: GD")
        a2.axhline(c["min_sharpness"], color=col, ls="--", lw=1.0,
                   label=f"{c['inputs']}: min over minima")
        if abs(c["balanced_sharpness"] - c["min_sharpness"]) > 1e-6 * c["min_sharpness"]:
            a2.axhline(c["balanced_sharpness"], color=col, ls=":", lw=1.0,
                       label=f"{c['inputs']}: balanced minimum")
    a1.set_xscale("log"); a1.set_yscale("log")
    a1.set_xlabel("GD step"); a1.set_ylabel("relative imbalance (max over layer pairs)")
    place_legend(a1)
    a2.set_xscale("log")
    a2.set_xlabel("GD step"); a2.set_ylabel(r"sharpness $\lambda_{\max}$")
    place_legend(a2, loc="center right")
    suptitle(fig, f"linear ResNet $W_i = I + A_i$, $A_i(0)=0$, depth {d['depth']}")
    return save(fig, out_dir, "linear_resnet")


def build_relu(out_dir: Path, quick: bool, data_dir: Path) -> list[Path]:
    from ..linear_nets.experiments import relu_experiment
    from ..plotting import PALETTE, new_figure, place_legend, save, suptitle

    d = _data(data_dir, "relu", quick, relu_experiment)
    blocks = d["inits"]
    # two kinds of quantity, two rows: the coupling (1 = coupled) and the imbalances (0 = balanced)
    fig, axes = new_figure(ncols=len(blocks), nrows=2, width=3.4, height=2.2, squeeze=False,
                           sharex="col")
    coupling = [("top_overlap", r"$|\langle u_1(W_i), v_1(W_{i+1})\rangle|$")]
    imbalance = [("spectral", "spectral imbalance"),
                 ("frobenius", "Frobenius imbalance"),
                 ("gain_spread", "path-gain spread")]
    for col, b in enumerate(blocks):
        labels = ["init"] + [f"$\\eta$={r['eta']:g}" for r in b["runs"]]
        sums = [b["initial_summary"]] + [r["summary"] or {} for r in b["runs"]]
        sharp = [b["initial_sharpness"]] + [r["sharpness"] for r in b["runs"]]
        x = np.arange(len(labels))
        for row, metrics in enumerate((coupling, imbalance)):
            ax = axes[row][col]
            w = 0.8 / len(metrics)
            for j, (key, lab) in enumerate(metrics):
                vals = [s.get(key, np.nan) for s in sums]
                ax.bar(x + (j - (len(metrics) - 1) / 2) * w, vals, w,
                       color=PALETTE[j + row], label=lab)
            top = max([1.05] + [s.get(k, 0) * 1.1 for s in sums for k, _ in metrics])
            ax.set_ylim(0, top)
        axes[0][col].set_title(f"init scale {b['init_scale']:g} x He", fontsize=9)
        axes[1][col].set_xticks(x)
        axes[1][col].set_xticklabels([f"{lb}\n$\\lambda$={sv:.3g}" if sv is not None else lb
                                      for lb, sv in zip(labels, sharp)], fontsize=7)
    axes[0][0].set_ylabel("layer coupling\n(1: coupled)")
    axes[1][0].set_ylabel("relative imbalance\n(0: balanced)")
    place_legend(axes[0][-1], outside="right")
    place_legend(axes[1][-1], outside="right")
    suptitle(fig, f"bias-free ReLU MLP {d['dims']} on ReLU-teacher data, full-batch GD "
             r"(tick labels: final sharpness $\lambda$)")
    return save(fig, out_dir, "linear_relu")


FIGURES = [
    Figure(name="linear_gd_step_size", title="Deep linear net: GD final sharpness vs step size",
           build=build_gd_step_size,
           description="Full-batch GD on a depth-3 linear network (3x3 layers, whitened inputs, "
                       "target with singular values 2, 1, 0.5) from Gaussian initialisations at step "
                       "sizes from 0.05 to 1.2 eta*. Converged runs (points) end at minima whose "
                       "top Hessian eigenvalue lies between the exact minimum sharpness over all "
                       "global minima, N sigma_1^(2-2/N) (dashed), and the linear-stability line "
                       "2/eta; no run converges above eta* = 2/min sharpness (crosses). Small steps "
                       "keep the sharpness set by the initialisation; large steps select flatter "
                       "minima, up to the flattest at eta*.",
           source="Mulayoff & Michaeli, ICML 2020 (flattest minima, GD stability); docs/THEORY.md §5",
           params="N=3, d=3, s=(2,1,0.5), init std 1/sqrt(d), seed 0; quick: 5 step sizes x 2 inits",
           order=800, tags=("flatness", "linear")),
    Figure(name="linear_resnet", title="Linear ResNet from zero residuals: balanced, flattest only for white inputs",
           build=build_resnet,
           description="Linear ResNet W_i = I + A_i with A_i(0) = 0 (depth 4, width 3, target with "
                       "positive-definite symmetric part plus a skew part) trained by GD with "
                       "whitened and with non-white inputs (variances 1, 4, 0.25). Left: the "
                       "relative imbalance W_{i+1}^T W_{i+1} - W_i W_i^T stays at O(eta) (gradient "
                       "flow conserves it, zero at the identity). Right: the sharpness converges to "
                       "that of the balanced minimum; for whitened inputs this is the minimum over "
                       "all global minima (dashed, coinciding), for non-white inputs it stays well "
                       "above the minimum (dashed) at the balanced value (dotted): the "
                       "'ResNets find the flattest minimum' claim holds only for whitened data.",
           source="Mulayoff & Michaeli, ICML 2020 (linear ResNets); docs/THEORY.md §5",
           params="N=4, eigenvalues (2, 1.2, 0.6), skew 0.4, eta = 0.2/balanced sharpness, seed 0",
           order=801, tags=("flatness", "linear")),
    Figure(name="linear_relu", title="ReLU MLP: layer coupling and balancedness vs step size",
           build=build_relu,
           description="Bias-free ReLU MLP 6-12-12-1 trained by full-batch GD on 200 samples of a "
                       "random ReLU teacher at small and large step sizes, from He initialisation "
                       "(left) and from 0.3 x He (right). Bars: coupling of the top left singular "
                       "vector of W_i with the top right singular vector of W_{i+1} (top row; 1 = "
                       "coupled), and the spectral and Frobenius imbalance and the relative spread "
                       "of the gains along the top signal path (bottom row; 0 = balanced), means "
                       "over layer pairs; tick labels give the final sharpness "
                       "(Hessian of the current linear region). From He initialisation only the "
                       "largest step size moves the weights towards coupled, balanced, flat "
                       "solutions; from the smaller initialisation all step sizes give strongly "
                       "coupled and spectrally balanced layers.",
           source="Mulayoff & Michaeli, ICML 2020 (signatures in non-linear networks)",
           params="d_in=6, width 12, depth 3, n=200, etas (0.01, 0.1, 0.6), 20000 steps (quick 2000)",
           order=802, tags=("flatness", "linear")),
]
