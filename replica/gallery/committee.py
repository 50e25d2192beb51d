"""Committee-machine figures: RS capacity versus the number of hidden units K (with the
perceptron at K = 1 and the infinite-width limits), and the local energy of typical solutions
as K, the activation and alpha vary (docs/THEORY.md §8.4)."""
from __future__ import annotations

import math
from pathlib import Path

import numpy as np

from . import Figure
from ._cache import cached


def _capacity_data(quick):
    from ..models import committee as C

    ks = [1, 3, 5, 7, 9, 15, 21, 31, 51] + ([] if quick else [75, 101, 151, 201, 301])
    sph = [1.0 / C.A_K(k) for k in ks]
    kb = [1, 3]
    binary = [C.capacity("binary", k, tol=1e-8) for k in kb]
    return {"k": ks, "spherical": sph, "k_binary": kb, "binary": binary,
            "binary_wide": {a: C.capacity("binary", None, activation=a, tol=1e-8)
                            for a in ("sign", "relu")},
            "spherical_wide": {"relu": C.capacity_spherical(None, "relu"),
                               "erf": C.capacity_spherical(None, "erf")}}


def build_capacity(out_dir: Path, quick: bool, data_dir: Path):
    from ..plotting import PALETTE, new_figure, place_legend, save

    d = cached(data_dir, "committee_capacity", {"quick": quick, "v": 1},
               lambda: _capacity_data(quick))
    fig, ax = new_figure(ncols=2, width=6.8, height=2.8)
    k = np.array(d["k"], float)
    a0 = ax[0]
    a0.plot(k, d["spherical"], "o-", ms=3, color=PALETTE[0], label=r"RS, sign units: $1/A_K$")
    kk = np.linspace(3, k.max(), 200)
    a0.plot(kk, 16 / math.pi * np.sqrt(np.log(kk)), color="k", ls=":",
            label=r"$(16/\pi)\sqrt{\ln K}$ (RSB, Monasson–Zecchina)")
    a0.axhline(d["spherical_wide"]["relu"], color=PALETTE[1], ls="--",
               label=fr"$K=\infty$ ReLU: $2\pi/(\pi-1)={d['spherical_wide']['relu']:.3f}$")
    a0.axhline(d["spherical_wide"]["erf"], color=PALETTE[2], ls="--",
               label=fr"$K=\infty$ erf: {d['spherical_wide']['erf']:.3f}")
    a0.plot([1], [2.0], "s", color="k", ms=4, label="perceptron (K = 1): 2")
    a0.set(xscale="log", xlabel="hidden units K", ylabel=r"$\alpha_c$",
           title="spherical weights (K = inf, sign: diverges)")
    place_legend(a0, loc="upper left")
    a1 = ax[1]
    a1.plot(d["k_binary"], d["binary"], "o-", color=PALETTE[0], label="RS, sign units")
    a1.axhline(d["binary_wide"]["sign"], color=PALETTE[0], ls="--",
               label=fr"$K=\infty$ sign: {d['binary_wide']['sign']:.4f}")
    a1.axhline(d["binary_wide"]["relu"], color=PALETTE[1], ls="--",
               label=fr"$K=\infty$ ReLU: {d['binary_wide']['relu']:.4f}")
    a1.axhline(1.0, color="k", ls=":", label=r"bound $\alpha \leq 1$ (binary weights)")
    a1.set(xlabel="hidden units K", ylabel=r"$\alpha_c$ (zero of the RS entropy)",
           title="binary weights", xticks=[1, 3, 5], xlim=(0.5, 5.5))
    place_legend(a1, loc="lower right")
    return save(fig, out_dir, "committee_capacity")


_SIG = 0.1


def _flatness_data(quick):
    from ..flatness.committee import local_energy_committee, local_energy_wide
    from ..models import committee as C

    alphas = [0.5, 1.0, 1.5] if quick else [0.25, 0.5, 0.75, 1.0, 1.25, 1.5, 1.75]
    sigmas = list(np.geomspace(0.02, 1.0, 5 if quick else 10))
    rows = {}
    cases = [("sign", 1), ("sign", 3), ("sign", None), ("relu", None)]
    for act, k in cases:
        key = f"{act}-{'inf' if k is None else k}"
        rows[key] = {"alpha": [], "q": [], "replicon": [], "dE": []}
        x0 = None
        for a in alphas:
            sol = C.committee("spherical", a, k, activation=act, x0=x0)
            x0 = [sol.order["q"]]
            q = sol.order["q"]
            le = (local_energy_committee(q, k, [_SIG])[0] if k is not None
                  else local_energy_wide(q, act, [_SIG])[0])
            for name, v in (("alpha", a), ("q", q), ("replicon", sol.thermo["replicon"]),
                            ("dE", float(le))):
                rows[key][name].append(v)
    curves = {}
    a_ref = 1.0
    for act, k in cases:
        key = f"{act}-{'inf' if k is None else k}"
        q = rows[key]["q"][rows[key]["alpha"].index(a_ref)]
        curves[key] = list(map(float, local_energy_committee(q, k, sigmas) if k is not None
                               else local_energy_wide(q, act, sigmas)))
    return {"rows": rows, "sigmas": sigmas, "curves": curves, "alpha_ref": a_ref, "sigma": _SIG}


def build_flatness(out_dir: Path, quick: bool, data_dir: Path):
    from ..plotting import PALETTE, new_figure, place_legend, save

    d = cached(data_dir, "committee_flatness", {"quick": quick, "v": 1},
               lambda: _flatness_data(quick))
    labels = {"sign-1": "K = 1 (perceptron)", "sign-3": "K = 3, sign",
              "sign-inf": r"K = $\infty$, sign", "relu-inf": r"K = $\infty$, ReLU"}
    fig, ax = new_figure(ncols=2, width=6.8, height=2.8)
    for i, (key, r) in enumerate(d["rows"].items()):
        a = np.array(r["alpha"])
        e = np.array(r["dE"])
        st = np.array(r["replicon"]) > 0
        ax[0].plot(a, e, color=PALETTE[i], ls="-", lw=0.6, alpha=0.4)
        ax[0].plot(np.where(st, a, np.nan), np.where(st, e, np.nan), "o-", ms=3,
                   color=PALETTE[i], label=labels[key])
        if np.any(~st):
            ax[0].plot(a[~st], e[~st], "x", color=PALETTE[i], ms=4)
        ax[1].plot(d["sigmas"], d["curves"][key], "o-", ms=2.5, color=PALETTE[i],
                   label=labels[key])
    ax[0].set(xlabel=r"$\alpha$", ylabel=fr"$\delta E(\sigma={d['sigma']:g})$",
              title="typical solutions, spherical weights")
    place_legend(ax[0], loc="upper left", title="x: RS unstable (replicon < 0)")
    ax[1].set(xscale="log", yscale="log", xlabel=r"noise $\sigma$",
              ylabel=r"local energy $\delta E(\sigma)$",
              title=fr"$\alpha = {d['alpha_ref']:g}$")
    place_legend(ax[1], loc="upper left")
    return save(fig, out_dir, "committee_flatness")


FIGURES = [
    Figure(name="committee_capacity", title="Tree committee machines: RS capacity versus K",
           build=build_capacity,
           description="RS storage capacity of the tree committee machine with K sign hidden "
                       "units. Spherical weights (left): the q -> 1 limit 1/A_K (A_K the mean "
                       "cost of the cheapest majority, order statistics of the half-normal law), "
                       "from the perceptron's 2 at K = 1; it grows without bound (the RS "
                       "capacity of sign units diverges at infinite width), faster than the "
                       "RSB law (16/pi) sqrt(ln K) of Monasson & Zecchina for spherical "
                       "weights: RS overestimates the capacity for K >= 3. Dashed: the finite "
                       "infinite-width RS capacities of ReLU (2 pi/(pi-1)) and erf units. "
                       "Binary weights (right): the zero of the RS entropy at K = 1 (0.8331, "
                       "Krauth–Mézard), K = 3 and the infinite-width limits, below the bound "
                       "alpha <= 1. RS values are upper estimates for K >= 3.",
           source="Barkai, Hansel & Sompolinsky PRA 45, 4146 (1992); Monasson & Zecchina PRL 75, "
                  "2432 (1995) and arXiv:cond-mat/9601122 (large-K law); Baldassi, Malatesta & Zecchina PRL 123, 170602 (2019); "
                  "docs/THEORY.md §8.4",
           params="kappa = 0; spherical K = 1..301 (quick: ..51); binary K = 1, 3, inf",
           order=900, tags=("committee",)),
    Figure(name="committee_flatness",
           title="Local energy of typical solutions as K, the activation and alpha vary",
           build=build_flatness,
           description="Local energy dE(sigma) (multiplicative Gaussian weight noise) of "
                       "typical RS solutions of spherical tree committees: left, dE at "
                       "sigma = 0.1 versus alpha for the perceptron (K = 1), K = 3 sign units "
                       "and the infinite-width sign and ReLU networks (crosses: RS unstable); "
                       "right, dE(sigma) at alpha = 1. With sign units the typical solutions "
                       "of the infinite-width network are much sharper than the perceptron's "
                       "(dE ~ sqrt(sigma) at small sigma, since 1 - Q ~ sqrt(1 - q)), while "
                       "K = 3 is sharper than K = 1 at small alpha and flatter near the "
                       "perceptron's capacity (alpha > 1.1); ReLU units at infinite width stay "
                       "as flat as the perceptron at small alpha and flatter than it beyond "
                       "alpha ~ 0.8. These are typical (equilibrium) solutions; the rare dense "
                       "regions of Baldassi et al. need the large-deviation measure, not "
                       "computed here.",
           source="Baldassi, Malatesta & Zecchina PRL 123, 170602 (2019); Pittorino et al. "
                  "ICLR 2021 (local energy); docs/THEORY.md §4, §8.4",
           params="spherical weights, kappa = 0, sigma = 0.1 (left), alpha = 1 (right)",
           order=901, tags=("committee", "flatness")),
]
