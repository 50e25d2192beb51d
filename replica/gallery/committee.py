"""Committee-machine figures: RS capacity versus the number of hidden units K (with the
perceptron at K = 1 and the infinite-width limits), and the local energy of typical solutions
as K, the activation and alpha vary (docs/THEORY.md §8.4)."""
from __future__ import annotations

import math
from pathlib import Path

import numpy as np

from . import Figure
from ._cache import cached

#: stored data of the flat-minima figure (minutes of CPU), written by :func:`write_flat_minima`
FLAT_MINIMA_DATA = Path(__file__).resolve().parent / "data" / "committee_flat_minima.json"


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



_FM_GRIDS = {"relu": [0.75, 0.8, 0.85, 0.9], "sign": [0.2, 0.3, 0.4, 0.5, 0.6],
             "linear": [0.72, 0.74, 0.76]}


def write_flat_minima(path=FLAT_MINIMA_DATA, activations=("relu", "sign", "linear"), alpha=0.6):
    """Compute the data of ``committee_flat_minima`` (binary weights, infinite width, kappa = 0):
    S(d) at ``alpha`` around typical (kappa_ref = 0) and max-margin references (16 distances,
    unrefined), and the thresholds alpha_nonmonotonic, alpha_negative of the max-margin
    reference (:func:`replica.committee_thresholds.wide_alpha_event`, xtol 1e-3, 10 distances)
    on the alpha grids ``_FM_GRIDS`` (linear: the perceptron, a check of the pipeline), and
    min_d S around typical references at alpha = 0.3, 0.6 (ReLU, sign; 10 distances). Writes
    JSON after every item (resumable)."""
    import json

    from ..committee_thresholds import wide_alpha_event, wide_profile
    from ..errors import ConvergenceError

    path = Path(path)
    out = json.loads(path.read_text()) if path.exists() else {}
    out.setdefault("profiles", {})
    out.setdefault("thresholds", {})
    for act in activations:
        for kr in (0.0, "max"):
            key = f"{act}-{kr}"
            if key not in out["profiles"]:
                pr = wide_profile("binary", act, alpha, kr, refine=False, n_d=16)
                out["profiles"][key] = {"alpha": alpha, "d": pr.d.tolist(), "S": pr.S.tolist(),
                                        "status": pr.status, "note": pr.note}
                path.write_text(json.dumps(out, indent=1))
    for act in activations:
        for which in ("nonmonotonic", "negative"):
            key = f"{act}-{which}"
            if key in out["thresholds"]:
                continue
            try:
                th = wide_alpha_event(which, "binary", act, "max", alpha_grid=_FM_GRIDS[act],
                                      xtol=1e-3, n_d=10)
                out["thresholds"][key] = {"value": th.value, "bracket": th.refined_bracket,
                                          "status": "found", "xtol": 1e-3}
            except ConvergenceError as exc:
                out["thresholds"][key] = {"value": None, "status": str(exc)[:300]}
            path.write_text(json.dumps(out, indent=1))
    out.setdefault("typical_min_S", {})
    for act in ("relu", "sign"):
        if act in out["typical_min_S"]:
            continue
        rows = []
        for a in (0.3, 0.6):
            pr = wide_profile("binary", act, a, 0.0, n_d=10)
            rows.append({"alpha": a, "min_S": pr.min_S, "d_min_S": pr.d_min_S,
                         "status": pr.status})
        out["typical_min_S"][act] = rows
        path.write_text(json.dumps(out, indent=1))
    return out


def build_flat_minima(out_dir: Path, quick: bool, data_dir: Path):
    import json

    from ..models.committee import capacity
    from ..models.franz_parisi import h2
    from ..models.gardner import capacity as gardner_capacity
    from ..plotting import PALETTE, new_figure, place_legend, save
    from ..testing.refs.thresholds import REFERENCES

    d = json.loads(FLAT_MINIMA_DATA.read_text())
    ref = {r.name.split(".")[1]: r.value for r in REFERENCES}
    fig, ax = new_figure(ncols=2, width=6.8, height=2.9)
    a0 = ax[0]
    cols = {"linear": "k", "relu": PALETTE[1], "sign": PALETTE[0]}
    a0.plot([1], [ref["alpha_nonmonotonic"]], "o", color="k", ms=5,
            label="S(d) stops being monotonic")
    a0.plot([1], [ref["alpha_negative"]], "v", color="k", ms=5,
            label="max-margin solutions isolated (S < 0)")
    a0.plot([1], [gardner_capacity("binary", 0.0)], "_", color="k", ms=14, mew=1.5,
            label=r"$\alpha_c$ (RS)")
    for which, mk in (("nonmonotonic", "o"), ("negative", "v")):
        t = d["thresholds"].get(f"linear-{which}", {})
        if t.get("value") is not None:
            a0.plot([1.25], [t["value"]], mk, mfc="none", color="k", ms=5)
    a0.text(1.25, 0.775, "linear,\nK = $\\infty$", ha="center", va="bottom", fontsize=7.5)
    lows = [ref["alpha_nonmonotonic"]]
    for j, act in enumerate(("relu", "sign")):
        x = 2.0 + j * 0.3
        for which, mk in (("nonmonotonic", "o"), ("negative", "v")):
            t = d["thresholds"].get(f"{act}-{which}", {})
            if t.get("value") is not None:
                a0.plot([x], [t["value"]], mk, color=cols[act], ms=5)
                lows.append(t["value"])
        ac = capacity("binary", None, activation=act, tol=1e-6)
        a0.plot([x], [ac], "_", color=cols[act], ms=14, mew=1.5)
        a0.text(x, ac + 0.012, {"relu": "ReLU", "sign": "sign"}[act], color=cols[act],
                ha="center", va="bottom", fontsize=8)
    lo = math.floor(10 * (min(lows) - 0.04)) / 10 - 0.15
    a0.set(xticks=[1.1, 2.15], xticklabels=["K = 1\n(perceptron)", r"K = $\infty$"],
           xlim=(0.5, 2.8), ylim=(lo, 1.0), ylabel=r"$\alpha$",
           title="max-margin reference, binary weights")
    place_legend(a0, loc="lower left")
    a1 = ax[1]
    dd = np.geomspace(1e-4, 0.3, 200)
    a1.plot(dd, h2(dd), color="0.6", lw=0.8, label=r"$H_2(d)$ (bound)")
    for act in ("relu", "sign"):
        for kr, ls in (("max", "-"), ("0.0", "--")):
            pr = d["profiles"].get(f"{act}-{kr}")
            if pr is None:
                continue
            lab = (f"{'ReLU' if act == 'relu' else 'sign'}, "
                   f"{'max-margin' if kr == 'max' else 'typical'}")
            a1.plot(pr["d"], pr["S"], ls, color=cols[act], label=lab)
            if pr["status"] == "rs_unstable":
                a1.plot(pr["d"][-1], pr["S"][-1], "x", color=cols[act], ms=5)
    a1.axhline(0.0, color="k", lw=0.5)
    alpha = next(iter(d["profiles"].values()))["alpha"]
    a1.set(xscale="log", xlabel="distance d", ylabel="local entropy S(d)",
           title=fr"K = $\infty$, $\alpha = {alpha:g}$ (x: RS unstable below)", ylim=(-0.1, 0.35))
    place_legend(a1, loc="upper left")
    return save(fig, out_dir, "committee_flat_minima")

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
    Figure(name="committee_flat_minima",
           title="Where wide flat minima appear: infinite-width committees versus the perceptron",
           build=build_flat_minima,
           description="Franz–Parisi local entropy S(d) of binary infinite-width tree committees "
                       "(the perceptron's with every overlap mapped through Q(q) = "
                       "Delta(q)/Delta(1)), kappa = 0. Left: the loads at which S(d) around the "
                       "max-margin reference stops being monotonic (circles) and turns negative "
                       "(triangles: max-margin solutions isolated), with the RS capacity (bars), "
                       "for the perceptron (K = 1, the reference values of replica.testing) and "
                       "for ReLU and sign hidden units at K = infinity (open symbols: the linear "
                       "activation at K = infinity, which is the perceptron, computed by the "
                       "same pipeline). ReLU networks keep "
                       "monotonic local entropies (wide flat minima) to a larger load than the "
                       "perceptron; with sign units both thresholds come earlier than the "
                       "perceptron's (the max-margin reference is isolated at alpha = 0.6). "
                       "Right: S(d) at alpha = 0.6 around max-margin "
                       "(solid) and typical (dashed) references; around typical references S is "
                       "negative at small d (isolated, as for the perceptron) until RS breaks "
                       "down (crosses). Finite K >= 3 is not computed (the K-dimensional "
                       "Franz–Parisi term is not implemented). Data: "
                       "replica/gallery/data/committee_flat_minima.json, written by "
                       "replica.gallery.committee.write_flat_minima (thresholds to xtol 1e-3).",
           source="Baldassi, Malatesta & Zecchina PRL 123, 170602 (2019); Baldassi et al. PRL "
                  "127, 278301 (2021) (perceptron thresholds); docs/THEORY.md §2, §8.4",
           params="binary weights, kappa = 0; profiles at alpha = 0.6; thresholds on alpha "
                  "grids relu 0.75..0.9, sign 0.2..0.6",
           order=902, tags=("committee", "flatness", "local entropy")),
]
