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
    from ..plotting import PALETTE, new_figure, place_legend, save

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
    place_legend(axes[1], outside="right")
    fig.suptitle(fr"binary perceptron, $\alpha$ = {par['alpha']}, $\kappa$ = 0, N = {par['n']}: "
                 r"tilted BP, $S = \phi(\gamma) - \gamma p$ (converged points, mean $\pm$ s.e.)",
                 fontsize=7.5)
    return save(fig, out_dir, "finite_n_mp_local_entropy")


#: the solvers of the stored study (label -> legend text), in drawing order
SOLVER_LABELS = {
    "rbp-linear-1e-3": "rBP, linear, step 1e-3",
    "rbp-geometric-1e-3": "rBP, geometric, step 1e-3",
    "fbp-1e-3": r"fBP, $\gamma$ step 1e-3",
    "rbp-linear-1e-2": "rBP, linear, step 1e-2 (earlier)",
    "fbp-1e-2": r"fBP, $\gamma$ step 1e-2 (earlier)",
}
MAIN_SOLVER = "rbp-linear-1e-3"


def _success_rows(quick, data_dir):
    if not quick:
        return json.loads(SUCCESS_DATA.read_text())["rows"]
    from ..finite_n.success import run_instance, success_rows

    par = {"ns": [100, 200], "alphas": [0.55, 0.7, 0.85], "instances": 3, "seed": 11}
    solvers = {MAIN_SOLVER: ("rbp", {"step": 2e-2, "max_iter": 300}),
               "fbp-1e-2": ("fbp", {"y": 7.0, "gamma_step": 2e-2, "max_iter": 300})}

    def compute():
        recs = [run_instance(lab, alg, opts, n, a, i, par["instances"], seed=par["seed"])
                for lab, (alg, opts) in solvers.items() for n in par["ns"]
                for a in par["alphas"] for i in range(par["instances"])]
        return {"records": np.array(json.dumps(recs))}

    recs = json.loads(str(_cached(data_dir, "mp_success_quick", par, compute)["records"]))
    return success_rows(recs)


def success_fits(rows) -> list[dict]:
    """The fitted 50% point of every (solver, N) in ``rows`` (None where not bracketed)."""
    from ..errors import ReplicaInputError
    from ..finite_n.success import fit_fifty_percent

    fits = []
    for solver in [s for s in SOLVER_LABELS if any(r["solver"] == s for r in rows)]:
        for n in sorted({r["n"] for r in rows if r["solver"] == solver}):
            sel = sorted((r for r in rows if r["solver"] == solver and r["n"] == n),
                         key=lambda r: r["alpha"])
            try:
                f = fit_fifty_percent([r["alpha"] for r in sel], [r["successes"] for r in sel],
                                      [r["instances"] for r in sel])
            except ReplicaInputError:
                f = None
            fits.append({"solver": solver, "n": n, "fit": f, "rows": sel})
    return fits


def _thresholds(quick, data_dir) -> dict:
    """Theory thresholds for the success figure: the RS capacity, the onset of non-monotonicity
    and of negativity of the RS Franz–Parisi local entropy around the max-margin reference, and
    the m = 4 overlap-gap threshold of the m-clone potential (replica.thresholds,
    replica.rsb1_thresholds). The quick build draws only the published capacity."""
    if quick:
        return {"capacity": np.array(CAPACITY)}

    def compute():
        from ..rsb1_thresholds import alpha_ogp
        from ..thresholds import alpha_negative, alpha_nonmonotonic, capacity

        return {"capacity": np.array(capacity("binary").value),
                "nonmonotonic": np.array(alpha_nonmonotonic("binary", "max", 0.0,
                                                            alpha_range=(0.72, 0.74),
                                                            n_grid=2).value),
                "negative": np.array(alpha_negative("binary", "max", 0.0,
                                                    alpha_range=(0.74, 0.755), n_grid=2).value),
                "ogp4": np.array(alpha_ogp("binary", 0.0, 4)["alpha"])}

    return _cached(data_dir, "mp_success_thresholds", {"kappa": 0.0, "m": 4}, compute)


_THR_STYLE = {  # key -> (label, colour, linestyle)
    "capacity": (r"capacity $\alpha_c$ = {:.3f}", "k", "--"),
    "ogp4": (r"m-clone OGP, $m$ = 4: {:.3f}", "0.35", ":"),
    "negative": ("max-margin S(d) < 0: {:.3f}", "0.55", (0, (5, 1, 1, 1))),
    "nonmonotonic": ("max-margin S(d) non-monotone: {:.3f}", "0.7", "-."),
}


def build_success(out_dir: Path, quick: bool, data_dir: Path) -> list[Path]:
    from ..plotting import PALETTE, new_figure, place_legend, save

    fits = success_fits(_success_rows(quick, data_dir))
    thr = {k: float(v) for k, v in _thresholds(quick, data_dir).items()}
    fig, (ax, bx) = new_figure(ncols=2, width=3.3, height=2.8)
    fig.subplots_adjust(wspace=0.35)
    main = [f for f in fits if f["solver"] == MAIN_SOLVER]
    for c, f in enumerate(main):
        a = np.array([r["alpha"] for r in f["rows"]])
        s = np.array([r["success"] for r in f["rows"]])
        e = np.array([r["success_se"] for r in f["rows"]])
        m = min(r["instances"] for r in f["rows"])
        if f["fit"] is not None:
            aa = np.linspace(a.min(), a.max(), 200)
            ax.plot(aa, 1 / (1 + np.exp((aa - f["fit"]["alpha50"]) / f["fit"]["width"])),
                    lw=0.8, color=PALETTE[c])
        lab = f"N = {f['n']}, {m}+ per load"
        if f["fit"] is not None:
            lab += fr": $\alpha_{{50}}$ = {f['fit']['alpha50']:.3f}"
        ax.errorbar(a, s, e, fmt="os^D"[c % 4], ms=3, lw=0, elinewidth=0.7, color=PALETTE[c],
                    label=lab)
    for k, (lab, col, ls) in _THR_STYLE.items():
        if k in thr:
            ax.axvline(thr[k], color=col, ls=ls, lw=0.8)
            bx.axhline(thr[k], color=col, ls=ls, lw=0.8, label=lab.format(thr[k]))
    bx.axhline(RBP_ANCHOR, color=PALETTE[4], ls="-", lw=0.8,
               label=f"published rBP, N = 4000: {RBP_ANCHOR}")
    ax.set_ylim(-0.05, 1.05)
    ax.set_xlabel(r"$\alpha$")
    ax.set_ylabel("success probability")
    ax.set_title(SOLVER_LABELS[MAIN_SOLVER], fontsize=7.5)
    place_legend(ax)
    for c, solver in enumerate(s_ for s_ in SOLVER_LABELS if any(f["solver"] == s_ for f in fits)):
        pts = [(f["n"], f["fit"]) for f in fits if f["solver"] == solver and f["fit"] is not None
               and f["fit"]["alpha50_hi"] - f["fit"]["alpha50_lo"] < 0.1]
        if not pts:
            continue
        x = np.array([1.0 / n for n, _ in pts])
        y = np.array([fi["alpha50"] for _, fi in pts])
        err = np.array([[fi["alpha50"] - fi["alpha50_lo"] for _, fi in pts],
                        [fi["alpha50_hi"] - fi["alpha50"] for _, fi in pts]])
        legacy = solver.endswith("1e-2")
        if solver == MAIN_SOLVER and len(pts) >= 3:
            from ..finite_n.success import fit_inverse_n

            fi = fit_inverse_n([n for n, _ in pts], y, err.mean(axis=0))
            xx = np.linspace(0.0, x.max(), 50)
            bx.plot(xx, fi["v_inf"] + fi["c"] * xx, color=PALETTE[c], lw=0.7, ls="--",
                    label=fr"$a + c/N$ fit: $a$ = {fi['v_inf']:.3f} $\pm$ {fi['v_inf_err']:.3f}")
        bx.errorbar(x * (1.0 + 0.04 * (c - 1.5)), y, err, fmt="os^Dv"[c % 5], ms=3.5, lw=0.8, capsize=2, color=PALETTE[c],
                    mfc="white" if legacy else PALETTE[c], label=SOLVER_LABELS[solver])
    ns = sorted({f["n"] for f in fits})
    bx.set_xticks([1.0 / n for n in ns], [str(n) for n in ns])
    bx.set_xlim(0, 1.25 / min(ns))
    bx.set_ylim(0.68, 0.87)
    bx.set_xlabel(r"$N$ (axis linear in $1/N$)")
    bx.set_ylabel(r"50% point $\alpha_{50}$")
    bx.set_title("fitted 50% points and theory", fontsize=7.5)
    place_legend(bx, outside="right")
    fig.suptitle(r"binary perceptron storage, $\kappa$ = 0, $\pm1$ patterns: verified solutions, "
                 "logistic ML fits" + (" (quick: small N)" if quick else ""), fontsize=7.5)
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
           title="Success probability of reinforced BP vs alpha at N = 1000, 2000, 4000 (step "
                 "1e-3), fitted 50% points and the theory thresholds",
           build=build_success,
           description="Left: fraction of seeded ±1 storage instances (kappa = 0) on which "
                       "reinforced AMP with the published schedule (linear, r_t = t x 1e-3) returns "
                       "a verified solution, with binomial standard errors and the maximum-"
                       "likelihood logistic fit. Right: the fitted 50% points with their 68% "
                       "profile-likelihood intervals against 1/N for every stored solver (also "
                       "the geometric schedule r_t = 1 - (1 - 1e-3)^t; open markers: the earlier, "
                       "faster step 1e-2), the weighted fit a + c/N of the linear-schedule points, "
                       "next to the theory: the RS capacity, the onset of non-"
                       "monotonicity and of negativity of the Franz–Parisi local entropy around "
                       "the max-margin reference (its proxies of the algorithmic threshold), the "
                       "m = 4 overlap-gap threshold of the m-clone potential (all computed), and the "
                       "published reinforced relaxed BP threshold ~0.77 at N = 4000. Vertical lines "
                       "on the left: the same thresholds. Data: "
                       "replica/gallery/data/mp_success.json (one record per instance) from "
                       "benchmarks/success_probability_mp.py.",
           source="Braunstein & Zecchina PRL 96, 030201 (2006); Baldassi et al. PNAS 113, E7655 "
                  "(2016); PRL 127, 278301 (2021); arXiv:2607.27000 §7 and App. A.2",
           params="rBP step 1e-3; N = 1000, 2000, 4000; instances per point in the legend",
           order=65),
]

__all__ = ["FIGURES", "success_fits"]
