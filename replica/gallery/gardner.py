"""Gardner-volume figures: entropy vs alpha, and capacity / maximum margin with the AT line."""
from __future__ import annotations

import math
from pathlib import Path

import numpy as np

from . import Figure
from ._cache import cached


def _entropy_curves(quick: bool) -> dict:
    from ..errors import ConvergenceError
    from ..models.gardner import capacity, gardner

    n = 25 if quick else 120
    out = {}
    for model, kappas in [("binary", [-0.5, 0.0, 0.25, 0.5]), ("spherical", [-0.5, 0.0, 0.5, 1.0])]:
        for kappa in kappas:
            ac = capacity(model, kappa)
            if model == "binary":
                # RS continuation a little beyond the zero of the entropy (dashed in the plot)
                alphas = np.union1d(np.linspace(0, 1.15 * ac, n), [ac])
            else:
                alphas = ac * (1 - np.logspace(0, -4, n))
                alphas[0] = 0.0
            s, rep = [], []
            for a in alphas:
                try:
                    sol = gardner(model, a, kappa, allow_negative_entropy=True)
                    s.append(sol.entropy)
                    rep.append(sol.replicon)
                except ConvergenceError:
                    s.append(np.nan)  # past the RS spinodal: not drawn
                    rep.append(np.nan)
            out[f"{model}:{kappa}"] = {"alpha": alphas.tolist(), "entropy": s, "replicon": rep,
                                       "alpha_c": ac}
    return out


def build_entropy(out_dir: Path, quick: bool, data_dir: Path):
    from ..plotting import new_figure, place_legend, save

    data = cached(data_dir, "gardner_entropy", {"quick": quick, "v": 2},
                  lambda: _entropy_curves(quick))
    fig, (ax1, ax2) = new_figure(ncols=2)
    for key, d in data.items():
        model, kappa = key.split(":")
        a, s = np.array(d["alpha"]), np.array(d["entropy"], dtype=float)
        rep = np.array(d["replicon"], dtype=float)
        ax = ax1 if model == "binary" else ax2
        # solid: an RS solution that is locally stable (replicon > 0; binary: and s >= 0);
        # dashed: the RS branch where it is not physical (s < 0) or unstable (replicon < 0)
        good = rep > 0
        if model == "binary":
            good &= s >= -1e-12
        solid = np.where(good, s, np.nan)
        dashed = np.where(~good, s, np.nan)
        edges = np.flatnonzero(np.diff(good.astype(int)) != 0)
        for i in edges:                    # join the two styles at each change
            dashed[i], dashed[i + 1] = s[i], s[i + 1]
        line, = ax.plot(a, solid, label=fr"$\kappa={float(kappa):g}$")
        ax.plot(a, dashed, ls="--", color=line.get_color(), lw=0.9)
        if model == "binary":
            ax.plot([d["alpha_c"]], [0], "o", ms=3, color=line.get_color())
        else:
            ax.axvline(d["alpha_c"], color=line.get_color(), lw=0.6, ls=":")
    ax1.axhline(0, color="k", lw=0.5)
    ax1.axhline(math.log(2), color="grey", lw=0.5, ls=":")
    ax1.set(xlabel=r"$\alpha = P/N$", ylabel=r"entropy $s(\alpha,\kappa)$",
            title="binary perceptron (RS)", ylim=(-0.25, 0.75))
    ax2.set(xlabel=r"$\alpha = P/N$", ylabel=r"entropy $s(\alpha,\kappa)$",
            title="spherical perceptron (RS)", ylim=(-4, 0.1), xlim=(0, 5))
    place_legend(ax1)
    place_legend(ax2, loc="lower left")
    return save(fig, out_dir, "gardner_entropy")


def _capacity_curves(quick: bool) -> dict:
    from ..models.gardner import capacity
    from ..thresholds import at_alpha

    nk = 16 if quick else 60
    k_sph = np.linspace(-1.5, 2.0, 2 * nk)
    k_bin = np.linspace(-1.0, 1.5, nk)
    k_at = -np.logspace(-2, math.log10(1.5), nk)[::-1]
    return {
        "spherical": {"kappa": k_sph.tolist(), "alpha_c": [capacity("spherical", k) for k in k_sph]},
        "binary": {"kappa": k_bin.tolist(), "alpha_c": [capacity("binary", k) for k in k_bin]},
        "at": {"kappa": k_at.tolist(), "alpha": [at_alpha(k).value for k in k_at]},
    }


def build_capacity(out_dir: Path, quick: bool, data_dir: Path):
    from ..plotting import new_figure, place_legend, save

    d = cached(data_dir, "gardner_capacity", {"quick": quick}, lambda: _capacity_curves(quick))
    fig, ax = new_figure(width=4.2, height=3.2)
    ks, acs = np.array(d["spherical"]["kappa"]), np.array(d["spherical"]["alpha_c"])
    ax.plot(acs, ks, label=r"spherical $\kappa_{\max}(\alpha)$ [$\alpha_c(\kappa)$]")
    kb, acb = np.array(d["binary"]["kappa"]), np.array(d["binary"]["alpha_c"])
    ax.plot(acb, kb, label=r"binary $\kappa_{\max}(\alpha)$ [$\alpha_c(\kappa)$]")
    ax.plot(d["at"]["alpha"], d["at"]["kappa"], ls="--", color="k", lw=1,
            label="spherical AT line (RS unstable to its right)")
    ax.fill_betweenx(np.array(d["at"]["kappa"]), d["at"]["alpha"],
                     [float(np.interp(k, ks, acs)) for k in d["at"]["kappa"]],
                     color="0.85", lw=0)
    ax.plot([2.0], [0.0], "o", color="C0", ms=3)
    ax.plot([0.8331], [0.0], "o", color="C1", ms=3)
    ax.annotate("Cover: 2", (2.0, 0.0), xytext=(2.4, 0.3), fontsize=7.5,
                arrowprops={"arrowstyle": "-", "lw": 0.5})
    ax.annotate("Krauth–Mézard: 0.833", (0.8331, 0.0), xytext=(0.12, -0.8), fontsize=7.5,
                arrowprops={"arrowstyle": "-", "lw": 0.5})
    ax.axhline(0, color="k", lw=0.4)
    ax.set(xlabel=r"$\alpha = P/N$", ylabel=r"margin $\kappa$", xlim=(0, 8), ylim=(-1.5, 2.0),
           title="capacity and maximum margin (RS)")
    place_legend(ax, loc="upper right")
    return save(fig, out_dir, "gardner_capacity")


FIGURES = [
    Figure(
        name="gardner_entropy",
        title="Gardner entropy vs alpha for several margins",
        build=build_entropy,
        description=(
            "RS entropy of the weights that classify P = alpha N random patterns with stability "
            "at least kappa. Left, binary weights: s starts at ln 2 and vanishes at the capacity "
            "alpha_c(kappa) (dots; alpha_c(0) = 0.8331, Krauth–Mézard); the dashed continuation "
            "past the zero is the unphysical RS branch. Right, spherical weights (entropy relative "
            "to the sphere): s -> -inf at alpha_c(kappa) (dotted lines), where q -> 1. Dashed "
            "everywhere: where the RS solution is not valid — negative binary entropy, or a "
            "negative replicon (RS unstable): for kappa = -0.5 beyond the AT line, "
            "alpha_AT = 3.95, up to the RS capacity 4.77, an upper bound there."),
        source="Gardner 1988 (spherical, eq. for phi(q)); Gardner & Derrida 1988 (binary); "
               "docs/THEORY.md §1",
        params="kappa in {-0.5, 0, 0.25, 0.5} (binary), {-0.5, 0, 0.5, 1} (spherical)",
        order=10,
    ),
    Figure(
        name="gardner_capacity",
        title="Capacity alpha_c(kappa) / maximum margin kappa_max(alpha), with the AT line",
        build=build_capacity,
        description=(
            "The curve kappa_max(alpha) — equivalently alpha_c(kappa) — for spherical (closed "
            "form 1/[(1+k^2)Phi(k)+k phi(k)]) and binary weights (zero of the RS entropy). For "
            "kappa < 0 the spherical solution space is non-convex and RS breaks down to the right "
            "of the de Almeida–Thouless line (dashed; replicon 1 - alpha int Dz [G(G-u)]^2 = 0), "
            "which meets capacity at kappa = 0, alpha = 2: in the grey band the RS capacity is "
            "only an upper bound."),
        source="Gardner 1988; Gardner & Derrida 1988; Krauth & Mézard 1989; docs/THEORY.md §1",
        params="kappa in [-1.5, 2] (spherical), [-1, 1.5] (binary)",
        order=11,
    ),
]
