"""Message passing at large N next to the theory: the local entropy around solutions found by
algorithms (tilted BP) on the Franz–Parisi axes, and the success probability of reinforced and
focusing BP versus alpha.

The local-entropy data are computed here and cached (``.npz``); the success probabilities are
stored data (``replica/gallery/data/mp_success*.json``, written by
``benchmarks/success_probability_mp.py``), which this module only fits and draws (the quick mode
computes a small set of its own so that CI exercises the whole path).
"""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from ..gauss import h2 as _h2
from . import Figure
from .finite_n import CAPACITY, _cached, _fp_data

ALPHA = 0.5
SUCCESS_DATA = Path(__file__).resolve().parent / "data" / "mp_success.json"
RBP_ANCHOR = 0.77        # reinforced relaxed BP at N = 4000 stops near 0.77 (docs/THEORY.md §8.5)
OGP4 = 0.784             # m-clone overlap gap, m = 4 (arXiv:2607.27000 App. A.2)
REFS = ("fbp", "rbp", "sbpi", "sa")
_LABELS = {"fbp": "focusing BP", "rbp": "reinforced BP", "sbpi": "SBPI",
           "sa": "simulated annealing"}


def _le_params(quick):
    if quick:
        return {"n": 300, "alpha": ALPHA, "instances": 1, "seed": 21, "points": 8,
                "refs": ["fbp", "sbpi"], "fp_d": [0.02, 0.08, 0.2]}
    return {"n": 1000, "alpha": ALPHA, "instances": 3, "seed": 21, "points": 20,
            "refs": list(REFS),
            "fp_d": np.round(np.concatenate([np.geomspace(0.003, 0.04, 8),
                                             np.linspace(0.06, 0.3, 9)]), 6).tolist()}


def _le_data(par):
    from ..finite_n.local_entropy_bp import default_gammas, local_entropy_instances

    g = default_gammas(par["points"], 1e-3, 0.3)
    opts = {"fbp": {"y": 15.0, "gamma_step": 1e-2, "damping": 0.0}, "rbp": {"step": 1e-2},
            "sbpi": {"max_sweeps": 2000}, "sa": {"max_sweeps": 2000}}
    out = {}
    for ref in par["refs"]:
        r = local_entropy_instances(par["n"], par["alpha"], ref, instances=par["instances"],
                                    seed=par["seed"], gammas=g, solver_options=opts[ref])
        for k in ("d", "entropy", "stderr", "d_stderr"):
            out[f"{ref}_{k}"] = np.array([np.nan if v is None else v for v in r[k]], dtype=float)
        out[f"{ref}_converged_count"] = np.array(r["converged_count"])
        out[f"{ref}_used"] = np.array(r["instances_used"])
    return out


def build_local_entropy(out_dir: Path, quick: bool, data_dir: Path) -> list[Path]:
    from ..plotting import PALETTE, new_figure, save

    par = _le_params(quick)
    data = _cached(data_dir, "mp_local_entropy", par, lambda: _le_data(par))
    grid = np.asarray(par["fp_d"])
    fp = _cached(data_dir, "mp_fp", {"alpha": par["alpha"], "d": grid.tolist()},
                 lambda: _fp_data(par["alpha"], grid))
    fig, axes = new_figure(ncols=2, width=3.6, height=2.9)
    fig.subplots_adjust(wspace=0.3)
    dd = np.geomspace(1e-4, 0.5, 300)
    for ax, logx in zip(axes, (False, True)):
        ax.plot(dd, _h2(dd), "k--", lw=0.8, label=r"$H_2(d)$ bound")
        ax.plot(fp["d"], fp["S_max"], color="k", lw=1.2,
                label=r"Franz–Parisi, max-margin reference")
        ax.plot(fp["d"], fp["S_random"], color="0.55", lw=1.2,
                label=r"Franz–Parisi, typical reference")
        for c, ref in enumerate(par["refs"]):
            d, s = data[f"{ref}_d"], data[f"{ref}_entropy"]
            e = np.nan_to_num(data[f"{ref}_stderr"])
            ok = np.isfinite(d) & np.isfinite(s) & (data[f"{ref}_converged_count"] > 0)
            used = int(data[f"{ref}_used"])
            ax.errorbar(d[ok], s[ok], e[ok], fmt="os^v"[c], ms=3, lw=0.7, color=PALETTE[c],
                        label=f"around {_LABELS[ref]} ({used}/{par['instances']} instances)")
        if logx:
            ax.set_xscale("log")
            ax.set_xlim(5e-4, 0.1)
            ax.set_ylim(-0.02, 0.35)
        else:
            ax.set_xlim(0, 0.3)
            ax.set_ylim(-0.01, 0.65)
        ax.set_xlabel(r"$d$")
    axes[0].set_ylabel(r"local entropy $S(d)$")
    axes[0].legend(fontsize=5, loc="upper left")
    fig.suptitle(fr"binary perceptron, $\alpha$ = {par['alpha']}, $\kappa$ = 0, N = {par['n']}: "
                 r"tilted BP, $S = \phi(\gamma) - \gamma p$ (converged points, mean $\pm$ s.e.)",
                 fontsize=7.5)
    return save(fig, out_dir, "finite_n_mp_local_entropy")


def _success_rows(quick, data_dir):
    stored = sorted(SUCCESS_DATA.parent.glob("mp_success*.json"))
    if not quick and stored:
        return [r for f in stored for r in json.loads(f.read_text())["rows"]]
    from ..finite_n.algorithms import success_probability

    par = {"ns": [100, 200], "alphas": [0.55, 0.7, 0.85], "instances": 3, "seed": 11}

    def compute():
        rows = []
        for alg, opts in (("rbp", {"step": 2e-2, "max_iter": 300}),
                          ("fbp", {"y": 7.0, "gamma_step": 2e-2, "damping": 0.2, "max_iter": 300})):
            for n in par["ns"]:
                rows += success_probability(alg, n, par["alphas"], instances=par["instances"],
                                            seed=par["seed"], patterns="pm1", **opts)
        return {"table": np.array([[r["n"], r["alpha"], r["success"], r["instances"],
                                    0 if r["algorithm"] == "rbp" else 1] for r in rows])}

    t = _cached(data_dir, "mp_success_quick", par, compute)["table"]
    return [{"n": int(r[0]), "alpha": r[1], "success": r[2], "instances": int(r[3]),
             "success_se": float(np.sqrt(r[2] * (1 - r[2]) / r[3])),
             "algorithm": "rbp" if r[4] == 0 else "fbp"} for r in t]


def success_fits(rows) -> list[dict]:
    """The fitted 50% point of every (algorithm, N) in ``rows`` (None where not bracketed)."""
    from ..errors import ReplicaInputError
    from ..finite_n.success import fit_fifty_percent

    fits = []
    for alg in sorted({r["algorithm"] for r in rows}):
        for n in sorted({r["n"] for r in rows if r["algorithm"] == alg}):
            sel = sorted((r for r in rows if r["algorithm"] == alg and r["n"] == n),
                         key=lambda r: r["alpha"])
            try:
                f = fit_fifty_percent([r["alpha"] for r in sel],
                                      [round(r["success"] * r["instances"]) for r in sel],
                                      [r["instances"] for r in sel])
            except ReplicaInputError:
                f = None
            fits.append({"algorithm": alg, "n": n, "fit": f, "rows": sel})
    return fits


def build_success(out_dir: Path, quick: bool, data_dir: Path) -> list[Path]:
    from ..plotting import PALETTE, new_figure, save

    fits = success_fits(_success_rows(quick, data_dir))
    fig, axes = new_figure(ncols=2, width=3.6, height=2.8)
    fig.subplots_adjust(wspace=0.3)
    algs = sorted({f["algorithm"] for f in fits})
    for ax, alg in zip(axes, algs):
        for c, f in enumerate(x for x in fits if x["algorithm"] == alg):
            a = np.array([r["alpha"] for r in f["rows"]])
            s = np.array([r["success"] for r in f["rows"]])
            e = np.array([r["success_se"] for r in f["rows"]])
            lab = f"N = {f['n']}"
            if f["fit"] is not None:
                fi = f["fit"]
                aa = np.linspace(a.min(), a.max(), 200)
                ax.plot(aa, 1 / (1 + np.exp((aa - fi["alpha50"]) / fi["width"])), lw=0.8,
                        color=PALETTE[c])
                lab += fr": $\alpha_{{50}}$ = {fi['alpha50']:.3f} $\pm$ {fi['alpha50_err']:.3f}"
            ax.errorbar(a, s, e, fmt="os^D"[c % 4], ms=3, lw=0, elinewidth=0.7, color=PALETTE[c],
                        label=lab)
        ax.axvline(CAPACITY, color="k", ls="--", lw=0.8, label=r"capacity $\alpha_c$ = 0.833")
        ax.axvline(OGP4, color="0.5", ls=":", lw=0.8, label=r"$\alpha_{\rm OGP}(m=4)\approx$ 0.784")
        ax.axvline(RBP_ANCHOR, color="0.7", ls="-.", lw=0.8,
                   label="published rBP, N = 4000: 0.77")
        ax.set_ylim(-0.05, 1.05)
        ax.set_xlabel(r"$\alpha$")
        ax.set_title({"rbp": "reinforced AMP (linear schedule)", "fbp": "focusing BP"}[alg],
                     fontsize=7.5)
        ax.legend(fontsize=5, loc="lower left")
    axes[0].set_ylabel("success probability")
    fig.suptitle("binary perceptron storage, kappa = 0, ±1 patterns: verified solutions, "
                 "logistic ML fit" + (" (quick: small N)" if quick else ""), fontsize=7.5)
    return save(fig, out_dir, "finite_n_mp_success")


FIGURES = [
    Figure(name="finite_n_mp_local_entropy",
           title="Local entropy around solutions found by algorithms at N = 1000 (tilted BP) on "
                 "the Franz–Parisi axes",
           build=build_local_entropy,
           description="S(d) = phi(gamma) - gamma p(gamma), d = (1 - p)/2, from the Bethe free "
                       "entropy of AMP on the measure tilted by exp(gamma w.w_ref), swept in gamma, "
                       "around solutions found by focusing BP, reinforced AMP, SBPI and simulated "
                       "annealing (Gaussian patterns, alpha = 0.5, mean ± standard error over the "
                       "instances converged at each gamma; unconverged points are not drawn). "
                       "Lines: RS Franz–Parisi local entropy of a typical (kappa_ref = 0) and of the "
                       "max-margin reference, and the H2(d) bound; left linear, right log–log.",
           source="Baldassi, Ingrosso, Lucibello, Saglietti, Zecchina PRL 115, 128101 (2015), "
                  "Fig. 1; docs/THEORY.md §2, §8.5",
           params="N = 1000, alpha = 0.5, 3 instances per algorithm, 20 gammas", order=64),
    Figure(name="finite_n_mp_success",
           title="Success probability of reinforced and focusing BP vs alpha at N = 1000, 2000, "
                 "4000, with fitted 50% points",
           build=build_success,
           description="Fraction of seeded ±1 storage instances (kappa = 0) on which reinforced AMP "
                       "(linear schedule, step 1e-2) and focusing BP (y = 7, gamma step 1e-2, damping 0.2) "
                       "return a verified solution, with binomial standard errors, and the maximum-"
                       "likelihood logistic fit whose 50% point is in the legend. Vertical lines: "
                       "the capacity 0.833, the m = 4 overlap-gap threshold 0.784 and the published "
                       "reinforced relaxed BP threshold ~0.77 (N = 4000, step 1e-3: a slower "
                       "schedule than the one measured here). Data: "
                       "replica/gallery/data/mp_success.json from "
                       "benchmarks/success_probability_mp.py.",
           source="Braunstein & Zecchina PRL 96, 030201 (2006); Baldassi et al. PNAS 113, E7655 "
                  "(2016); arXiv:2607.27000 §7",
           params="N = 1000 (12 instances), 2000 (6), 4000 (3)", order=65),
]

__all__ = ["FIGURES", "success_fits"]
