"""Finite-N ground truth next to the replica theory: exact enumeration (binary), max-margin QP
(spherical), learning algorithms.

Every figure caches its data in ``data_dir`` as an ``.npz`` keyed by its parameters (quick and full
modes have different keys), so a second run only redraws. Theory imports are lazy.
"""
from __future__ import annotations

import math
from pathlib import Path

import numpy as np

from ..gauss import h2
from . import Figure
from ._cache import cached

ALPHA_LE = 0.5          # alpha of the local-entropy figures
CAPACITY = 0.8331       # Krauth & Mezard 1989 (docs/THEORY.md §1)
ALGO_RANGE = (0.75, 0.77)


# --------------------------------------------------------------------------------------------------
# caching
# --------------------------------------------------------------------------------------------------
def _cached(data_dir: Path, name: str, params: dict, compute):
    """The gallery's cache (:func:`replica.gallery._cache.cached`) for dicts of arrays."""
    return cached(data_dir, name, params, compute, fmt="npz")


def _mean_se(v):
    v = np.asarray(v, dtype=float)
    if v.size == 0:
        return np.nan, np.nan
    return float(v.mean()), (float(v.std(ddof=1) / math.sqrt(v.size)) if v.size > 1 else np.nan)


# --------------------------------------------------------------------------------------------------
# figure 1: entropy and max margin, enumeration vs theory
# --------------------------------------------------------------------------------------------------
def _entropy_params(quick):
    if quick:
        return {"ns": [8, 12, 16], "instances": [80, 60, 30], "seed": 1, "alpha_max": 0.9}
    return {"ns": [12, 16, 20, 24], "instances": [400, 300, 200, 60], "seed": 1, "alpha_max": 0.9}


def _entropy_data(par):
    from ..finite_n.enumerate import enumerate_perceptron, quenched_summary

    out = {}
    for n, inst in zip(par["ns"], par["instances"]):
        alphas = [p / n for p in range(1, int(par["alpha_max"] * n) + 1)]
        run = enumerate_perceptron(n, alphas, [0.0], instances=inst, seed=par["seed"],
                                   profiles=False)
        rows = quenched_summary(run)
        for key in ("alpha", "entropy", "entropy_se", "frac_zero", "max_margin", "max_margin_se"):
            out[f"{key}_{n}"] = np.array([np.nan if r[key] is None else r[key] for r in rows])
    return out


def _theory_entropy(alphas):
    from ..models.gardner import gardner, kappa_max

    s = np.array([gardner("binary", a, 0.0).entropy for a in alphas])
    km = np.array([kappa_max("binary", a) for a in alphas])
    return s, km


def _extrapolate_at(data, ns, alpha, key, order=1):
    from ..finite_n.enumerate import extrapolate_in_1_over_n

    xs, ys, es = [], [], []
    for n in ns:
        a = data[f"alpha_{n}"]
        i = np.flatnonzero(np.isclose(a, alpha))
        if i.size and np.isfinite(data[f"{key}_{n}"][i[0]]) and data[f"{key}_se_{n}"][i[0]] > 0:
            xs.append(n)
            ys.append(data[f"{key}_{n}"][i[0]])
            es.append(data[f"{key}_se_{n}"][i[0]])
    if len(xs) < 2:
        return None
    if len(xs) < order + 1:
        return None
    fit = extrapolate_in_1_over_n(xs, ys, es, order=order)
    fit.update(ns=xs, values=ys, errors=es)
    return fit


def build_entropy(out_dir: Path, quick: bool, data_dir: Path) -> list[Path]:
    from ..plotting import PALETTE, new_figure, place_legend, save

    par = _entropy_params(quick)
    data = _cached(data_dir, "finite_n_entropy", par, lambda: _entropy_data(par))
    grid = np.linspace(0.02, 0.83, 12 if quick else 40)
    th = _cached(data_dir, "finite_n_entropy_theory", {"grid": grid.tolist()},
                 lambda: dict(zip(("s", "kmax"), _theory_entropy(grid))))
    fig, axes = new_figure(ncols=4, width=3.3, height=2.7)
    fig.subplots_adjust(wspace=0.42)
    ns = par["ns"]
    common = [a for a in (0.25, 0.5, 0.75) if all(abs(a * n - round(a * n)) < 1e-9 for n in ns)]
    for panel, (key, thkey, label) in enumerate([("entropy", "s", r"entropy $s$"),
                                                 ("max_margin", "kmax", r"$\kappa_{\max}$")]):
        ax = axes[panel]
        ax.plot(grid, th[thkey], color="k", lw=1.2, label="RS theory (N = inf)")
        for c, n in enumerate(ns):
            a, y, e = data[f"alpha_{n}"], data[f"{key}_{n}"], data[f"{key}_se_{n}"]
            cond = data[f"frac_zero_{n}"] > 0
            col = PALETTE[c % len(PALETTE)]
            ax.errorbar(a[~cond], y[~cond], e[~cond], fmt="o", ms=2.5, color=col, lw=0.8,
                        label=f"N = {n}")
            if key == "entropy" and cond.any():
                ax.errorbar(a[cond], y[cond], e[cond], fmt="o", ms=2.5, mfc="none", color=col,
                            lw=0.8)
        for alpha in common:
            fit = _extrapolate_at(data, ns, alpha, key)
            if fit:
                ax.errorbar([alpha], [fit["intercept"]], [fit["intercept_err_scaled"]], fmt="*",
                            ms=7, color="k", label="1/N extrapolation" if alpha == common[0] else None)
        ax.axvline(CAPACITY, color="0.6", ls=":", lw=0.8)
        ax.set_xlabel(r"$\alpha = P/N$")
        ax.set_ylabel(label)
    axes[0].set_ylim(-0.02, 0.72)
    place_legend(axes[0], loc="upper right")
    axes[0].set_title("binary perceptron, kappa = 0 (open: some counts 0)", fontsize=7)
    from ..models.gardner import gardner

    ax, axr = axes[2], axes[3]
    for c, alpha in enumerate(common):
        fit = _extrapolate_at(data, ns, alpha, "entropy")
        if not fit:
            continue
        s_th = gardner("binary", alpha, 0.0).entropy
        x = 1.0 / np.array(fit["ns"])
        ax.errorbar(x, fit["values"], fit["errors"], fmt="o", ms=3, color=PALETTE[c])
        xx = np.linspace(0, x.max() * 1.05, 40)
        chi = "n/a" if fit["chi2_dof"] is None else f"{fit['chi2_dof']:.2f}"
        dev = (fit["intercept"] - s_th) / fit["intercept_err_scaled"]
        ax.plot(xx, fit["intercept"] + fit["slope"] * xx, color=PALETTE[c], lw=0.8,
                label=fr"$\alpha$={alpha}: {fit['intercept']:.4f}$\pm${fit['intercept_err_scaled']:.4f}"
                      fr" ({dev:+.1f}$\sigma$, $\chi^2$/dof={chi})")
        ax.plot([0], [s_th], marker="D", color=PALETTE[c], mfc="none", ms=6)
        # the residuals of the linear fit, and the next order in 1/N
        axr.plot(x, fit["residuals"], "o-", ms=3, lw=0.7, color=PALETTE[c],
                 label=fr"$\alpha$={alpha}, a + b/N")
        q = _extrapolate_at(data, ns, alpha, "entropy", order=2)
        if q:
            cq = q["coefficients"]
            ax.plot(xx, cq[0] + cq[1] * xx + cq[2] * xx**2, color=PALETTE[c], lw=0.8, ls="--")
            devq = (q["intercept"] - s_th) / q["intercept_err_scaled"]
            axr.plot(x, q["residuals"], "s:", ms=3, lw=0.7, mfc="none", color=PALETTE[c],
                     label=fr"+ c/N$^2$: {q['intercept']:.4f}$\pm${q['intercept_err_scaled']:.4f}"
                           fr" ({devq:+.1f}$\sigma$)")
    ax.set_xlabel("1/N")
    ax.set_ylabel(r"$s_N$")
    ax.set_title("extrapolation (diamonds: RS; dashed: + 1/N$^2$)", fontsize=7)
    place_legend(ax, loc="lower left")
    axr.axhline(0, color="k", lw=0.5)
    axr.set_xlabel("1/N")
    axr.set_ylabel("fit residual / standard error")
    axr.set_title("residuals of the fits", fontsize=7)
    place_legend(axr, outside="below")
    return save(fig, out_dir, "finite_n_entropy")


# --------------------------------------------------------------------------------------------------
# figure 2: distance profiles (local entropy) vs Franz–Parisi
# --------------------------------------------------------------------------------------------------
def _profile_params(quick):
    if quick:
        return {"ns": [12, 16], "instances": [60, 30], "seed": 5, "alpha": ALPHA_LE,
                "algorithms_at_largest_n": ["sbpi", "sa", "replicated", "replicated:centre"]}
    return {"ns": [12, 16, 20, 24], "instances": [300, 200, 100, 40], "seed": 5, "alpha": ALPHA_LE,
            "algorithms_at_largest_n": ["sbpi", "sa", "replicated", "replicated:centre"]}


def _profile_data(par):
    from ..finite_n.algorithms import solve_binary
    from ..finite_n.enumerate import (distance_profile, enumerate_perceptron, instance_seeds,
                                      make_patterns, n_patterns)

    out = {}
    for n, inst in zip(par["ns"], par["instances"]):
        run = enumerate_perceptron(n, [par["alpha"]], [0.0], instances=inst, seed=par["seed"])
        out[f"max_{n}"] = run.profiles("max")[:, 0, :]
        out[f"random_{n}"] = run.profiles("random")[:, 0, :]
        # around solutions found by the algorithms on the same instances (SBPI at every N, SA and
        # replicated SA at the largest N; unsolved instances are skipped and counted)
        p = n_patterns(n, par["alpha"])
        algs = par["algorithms_at_largest_n"] if n == max(par["ns"]) else ("sbpi",)
        xis = [make_patterns(n, int(run.ps.max()), ss.spawn(2)[0], run.patterns)[:p]
               for ss in instance_seeds(par["seed"], inst)]
        for alg in algs:
            prof, unsolved = [], 0
            for k, xi in enumerate(xis):
                name, _, stop = alg.partition(":")
                opts = {"stop": stop} if stop else {}
                r = solve_binary(name, xi, seed=k, max_sweeps=2000, **opts)
                if r.solved:
                    prof.append(distance_profile(xi, p, r.w))
                else:
                    unsolved += 1
            out[f"{alg}_{n}"] = np.array(prof).reshape(-1, n + 1)
            out[f"{alg}_unsolved_{n}"] = np.array(unsolved)
    return out


def _fp_grid(quick):
    if quick:
        return np.array([0.005, 0.02, 0.05, 0.1, 0.2, 0.3, 0.4])
    return np.concatenate([np.geomspace(0.001, 0.04, 10), np.linspace(0.06, 0.5, 23)])


def _fp_data(alpha, d_grid):
    from ..models.franz_parisi import local_entropy_curve
    from ..models.gardner import kappa_max

    out = {"d": d_grid}
    for name, kr in (("max", kappa_max("binary", alpha)), ("random", 0.0)):
        c = local_entropy_curve("binary", alpha, kr, 0.0, d_grid)
        out[f"S_{name}"] = np.asarray(c["entropy"], dtype=float)  # NaN where no RS solution
        out[f"kappa_ref_{name}"] = np.array(kr)
    return out


def _fp_available():
    try:
        from ..models.franz_parisi import local_entropy_curve  # noqa: F401
        return True
    except ImportError:
        return False


def build_local_entropy(out_dir: Path, quick: bool, data_dir: Path) -> list[Path]:
    from ..plotting import PALETTE, new_figure, place_legend, save, suptitle

    par = _profile_params(quick)
    data = _cached(data_dir, "finite_n_profiles", par, lambda: _profile_data(par))
    fp = None
    if _fp_available():
        grid = _fp_grid(quick)
        fp = _cached(data_dir, "finite_n_fp", {"alpha": par["alpha"], "d": grid.tolist()},
                     lambda: _fp_data(par["alpha"], grid))
    from ..finite_n.enumerate import extrapolate_in_1_over_n, profile_local_entropy

    fig, axes = new_figure(ncols=4, width=3.0, height=2.7, sharey=True)
    dd = np.linspace(0, 0.5, 200)
    titles = {"max": "around the max-margin solution", "random": "around a random solution",
              "sbpi": "around SBPI solutions"}
    for ax, which in zip(axes[:3], ("max", "random", "sbpi")):
        ax.plot(dd, h2(dd), "k--", lw=0.8, label=r"$H_2(d)$ bound")
        est = {}
        for c, n in enumerate(par["ns"]):
            prof = data[f"{which}_{n}"]
            if prof.size == 0:
                continue
            le = profile_local_entropy(prof, n)
            est[n] = le
            ok = np.isfinite(le["norm"]) & (le["d"] <= 0.5) & (le["d"] > 0)
            ax.errorbar(le["d"][ok], le["norm"][ok], np.nan_to_num(le["norm_se"][ok]), fmt="o-",
                        ms=2.5, lw=0.6, color=PALETTE[c], label=f"N = {n}")
        # 1/N extrapolation at the distances present for every N
        for dstar in (0.125, 0.25, 0.375):
            xs, ys, es = [], [], []
            for n, le in est.items():
                D = dstar * n
                if abs(D - round(D)) < 1e-9 and np.isfinite(le["norm"][int(round(D))]) \
                        and le["norm_se"][int(round(D))] > 0:
                    xs.append(n)
                    ys.append(le["norm"][int(round(D))])
                    es.append(le["norm_se"][int(round(D))])
            if len(xs) >= 2:
                fit = extrapolate_in_1_over_n(xs, ys, es)
                ax.errorbar([dstar], [fit["intercept"]], [fit["intercept_err_scaled"]], fmt="*",
                            ms=7, color="k", label="1/N extrapolation" if dstar == 0.25 else None)
        if fp is not None:
            ref = "random" if which == "random" else "max"
            lab = (r"FP, $\kappa_{\rm ref}=\kappa_{\max}$" if ref == "max" else
                   r"FP, $\kappa_{\rm ref}=0$")
            ax.plot(fp["d"], fp[f"S_{ref}"], color="k", lw=1.2, label=lab)
            if which == "sbpi":
                ax.plot(fp["d"], fp["S_random"], color="0.5", lw=1.0,
                        label=r"FP, $\kappa_{\rm ref}=0$")
        title = titles[which]
        if which == "sbpi":
            uns = sum(int(data[f"sbpi_unsolved_{n}"]) for n in par["ns"])
            title += f"\n({uns} instance{'s' if uns != 1 else ''} unsolved, skipped)"
        ax.set_xlim(0, 0.5)
        ax.set_ylim(0, 0.45)
        ax.set_xlabel(r"$d$ = Hamming/N")
        ax.set_title(title, fontsize=8)
        place_legend(ax, loc="lower right")
    # last panel: every kind of reference at the largest N, small distances
    ax = axes[3]
    n = max(par["ns"])
    ax.plot(dd, h2(dd), "k--", lw=0.8, label=r"$H_2(d)$ bound")
    for c, (key, lab) in enumerate((("max", "max margin"), ("random", "random solution"),
                                    ("sbpi", "SBPI"), ("sa", "SA"),
                                    ("replicated", "replicated SA (first replica)"),
                                    ("replicated:centre", "replicated SA (centre)"))):
        prof = data.get(f"{key}_{n}")
        if prof is None or prof.size == 0:
            continue
        le = profile_local_entropy(prof, n)
        ok = np.isfinite(le["norm"]) & (le["d"] > 0) & (le["d"] <= 0.3)
        uns = data.get(f"{key}_unsolved_{n}")
        extra = f" ({int(uns)} unsolved)" if uns is not None and int(uns) else ""
        ax.errorbar(le["d"][ok] + 0.0015 * (c - 2.5), le["norm"][ok], np.nan_to_num(le["norm_se"][ok]),
                    fmt="os^vDP"[c] + "-", ms=2.5, lw=0.6, color=PALETTE[c], label=lab + extra)
    if fp is not None:
        ax.plot(fp["d"], fp["S_max"], color="k", lw=1.2, label=r"FP, $\kappa_{\rm ref}=\kappa_{\max}$")
        ax.plot(fp["d"], fp["S_random"], color="0.5", lw=1.0, label=r"FP, $\kappa_{\rm ref}=0$")
    ax.set_xlim(0, 0.3)
    ax.set_xlabel(r"$d$ = Hamming/N")
    ax.set_title(f"N = {n}: which solutions are in dense regions", fontsize=8)
    place_legend(ax, loc="lower right")
    axes[0].set_ylabel(r"$H_2(d) + \frac{1}{N}\mathbb{E}\ln[n(d)/\binom{N}{dN}]$")
    suptitle(fig, fr"binary perceptron, $\alpha$ = {par['alpha']}, $\kappa$ = 0: exact distance "
             "profiles (mean over instances with n(d) > 0) vs Franz–Parisi"
             + ("" if fp is not None else " (FP module missing)"), fontsize=9)
    return save(fig, out_dir, "finite_n_local_entropy")


# --------------------------------------------------------------------------------------------------
# figure 3: learning algorithms
# --------------------------------------------------------------------------------------------------
def _algo_params(quick):
    if quick:
        return {"ns": [51, 101], "alphas": [0.3, 0.5, 0.7], "instances": 3, "seed": 3,
                "sweeps": 300, "flip_n": 201, "flip_samples": 300}
    # sized so that the whole gallery builds in well under 15 minutes on 2 cores: failing runs
    # cost the full sweep budget, so the budget and the instance count dominate
    return {"ns": [101, 201, 401], "alphas": [0.3, 0.5, 0.6, 0.65, 0.7, 0.75, 0.8],
            "instances": 8, "seed": 3, "sweeps": 1000, "flip_n": 1001, "flip_samples": 4000}


ALGOS = ("sbpi", "sa", "replicated")
FLIP_ALGOS = ("sbpi", "sa", "replicated", "replicated:centre")


def _algo_data(par):
    from ..finite_n.algorithms import success_probability

    out = {}
    for alg in ALGOS:
        for n in par["ns"]:
            rows = success_probability(alg, n, par["alphas"], instances=par["instances"],
                                       seed=par["seed"], patterns="pm1", max_sweeps=par["sweeps"])
            out[f"{alg}_{n}_alpha"] = np.array([r["alpha"] for r in rows])
            out[f"{alg}_{n}_success"] = np.array([r["success"] for r in rows])
            out[f"{alg}_{n}_se"] = np.array([r["success_se"] for r in rows])
    return out


def _flip_data(par):
    from ..finite_n.algorithms import local_entropy_from_flips, solve_binary
    from ..finite_n.enumerate import make_patterns, n_patterns

    n = par["flip_n"]
    p = n_patterns(n, ALPHA_LE)
    xi = make_patterns(n, p, par["seed"], "pm1")
    ks = np.unique(np.round(np.geomspace(1, 0.1 * n, 14)).astype(int))
    out = {"k": ks, "n": np.array(n)}
    for alg in FLIP_ALGOS:
        name, _, stop = alg.partition(":")
        opts = {"stop": stop} if stop else {}
        r = solve_binary(name, xi, seed=par["seed"], max_sweeps=par["sweeps"], **opts)
        out[f"{alg}_solved"] = np.array(r.solved)
        if r.solved:
            le = local_entropy_from_flips(xi, r.w, ks, samples=par["flip_samples"], seed=1)
            out[f"{alg}_survival"] = le["survival"]
    return out


def build_algorithms(out_dir: Path, quick: bool, data_dir: Path) -> list[Path]:
    from ..plotting import PALETTE, new_figure, place_legend, save

    par = _algo_params(quick)
    data = _cached(data_dir, "finite_n_algorithms", par, lambda: _algo_data(par))
    flips = _cached(data_dir, "finite_n_flips", {**par, "flip_algorithms": list(FLIP_ALGOS)},
                    lambda: _flip_data(par))
    fig, axes = new_figure(ncols=2, width=3.6, height=2.7)
    fig.subplots_adjust(wspace=0.3)
    ax = axes[0]
    markers = ("o", "s", "^", "D")
    for c, alg in enumerate(ALGOS):
        for m, n in enumerate(par["ns"]):
            ax.errorbar(data[f"{alg}_{n}_alpha"], data[f"{alg}_{n}_success"], data[f"{alg}_{n}_se"],
                        fmt=markers[m % 4] + "-", ms=3, lw=0.7, color=PALETTE[c],
                        label=f"{alg}, N={n}")
    ax.axvspan(*ALGO_RANGE, color="0.85", lw=0, label="best solvers (0.75-0.77)")
    ax.axvline(CAPACITY, color="k", ls="--", lw=0.8, label=r"capacity $\alpha_c$=0.833")
    ax.set_xlabel(r"$\alpha$")
    ax.set_ylabel("success probability")
    ax.set_ylim(-0.05, 1.05)
    ax.set_title(f"±1 patterns, {par['instances']} instances, {par['sweeps']} sweeps", fontsize=7)
    place_legend(ax, ncol=2, loc="lower left")
    ax = axes[1]
    n = int(flips["n"])
    ks = flips["k"]
    d = ks / n
    ax.plot(d, h2(d), "k--", lw=0.8, label=r"$H_2(d)$ bound")
    for c, alg in enumerate(FLIP_ALGOS):
        if bool(flips[f"{alg}_solved"]) and f"{alg}_survival" in flips:
            f = flips[f"{alg}_survival"]
            ok = f > 0
            # binomial-normalised estimate, as for the exact profiles: H2(d) + (1/N) ln f_k
            none = "" if ok.any() else f": no k-flip survived ({int(flips['n'])} weights)"
            ax.plot(d[ok], h2(d[ok]) + np.log(f[ok]) / n, "o-", ms=3, lw=0.8, color=PALETTE[c],
                    label=f"around {alg.replace(':', ' ')} solution{none}")
        else:
            ax.plot([], [], " ", label=f"{alg.replace(':', ' ')}: not solved")
    if _fp_available():
        from ..models.gardner import kappa_max
        grid = np.geomspace(d.min(), d.max(), 6 if quick else 12)
        fp = _cached(data_dir, "finite_n_fp_small_d", {"alpha": ALPHA_LE, "d": grid.tolist()},
                     lambda: _fp_data(ALPHA_LE, grid))
        ax.plot(fp["d"], fp["S_max"], color="k", lw=1.0,
                label=fr"FP, $\kappa_{{\rm ref}}=\kappa_{{\max}}$={kappa_max('binary', ALPHA_LE):.3f}")
        ax.plot(fp["d"], fp["S_random"], color="0.5", lw=1.0, label=r"FP, $\kappa_{\rm ref}=0$")
    ax.set_xscale("log")
    ax.set_xlabel(r"$d = k/N$")
    ax.set_ylabel(r"$H_2(d) + \ln(f_k)/N$")
    ax.set_title(fr"local entropy by random flips, N={n}, $\alpha$={ALPHA_LE}", fontsize=7)
    place_legend(ax, loc="upper left")
    return save(fig, out_dir, "finite_n_algorithms")


# --------------------------------------------------------------------------------------------------
# figure 4: spherical max margin at finite N
# --------------------------------------------------------------------------------------------------
def _sph_params(quick):
    if quick:
        return {"ns": [20, 40], "alphas": [0.5, 1.0, 1.5], "instances": 10, "seed": 2, "hist_n": 60}
    return {"ns": [25, 50, 100, 200], "alphas": [0.25, 0.5, 0.75, 1.0, 1.25, 1.5, 1.75],
            "instances": 30, "seed": 2, "hist_n": 400}


def _sph_data(par):
    from ..finite_n.spherical import sample_max_margins

    out = {}
    for n in par["ns"]:
        m, me, f, fe, ns_frac, failed = [], [], [], [], [], []
        for a in par["alphas"]:
            s = sample_max_margins(n, a, par["instances"], seed=par["seed"])
            mm, ms = _mean_se(s["margin"])
            ff, fs = _mean_se(s["support_fraction"])
            m.append(mm), me.append(ms), f.append(ff), fe.append(fs)
            ns_frac.append(s["frac_nonseparable"])
            failed.append(s["frac_failed"])
        out.update({f"m_{n}": np.array(m), f"me_{n}": np.array(me), f"f_{n}": np.array(f),
                    f"fe_{n}": np.array(fe), f"nonsep_{n}": np.array(ns_frac),
                    f"failed_{n}": np.array(failed)})
    s = sample_max_margins(par["hist_n"], 1.0, par["instances"], seed=par["seed"] + 1)
    out["stab"] = s["stabilities"]
    out["hist_margin"] = s["margin"]
    return out


def build_spherical(out_dir: Path, quick: bool, data_dir: Path) -> list[Path]:
    from scipy import special, stats

    from ..finite_n.spherical import kappa_max_spherical
    from ..plotting import PALETTE, new_figure, place_legend, save

    par = _sph_params(quick)
    data = _cached(data_dir, "finite_n_spherical", par, lambda: _sph_data(par))
    fig, axes = new_figure(ncols=3, width=3.4, height=2.6)
    fig.subplots_adjust(wspace=0.35)
    aa = np.linspace(0.1, 1.95, 80)
    km = np.array([kappa_max_spherical(a) for a in aa])
    axes[0].plot(aa, km, "k", lw=1.2, label="Gardner (closed form)")
    axes[1].plot(aa, special.ndtr(km), "k", lw=1.2, label=r"$\Phi(\kappa_{\max})$")
    for c, n in enumerate(par["ns"]):
        a = np.array(par["alphas"])
        axes[0].errorbar(a, data[f"m_{n}"], data[f"me_{n}"], fmt="o", ms=3, color=PALETTE[c],
                         label=f"N = {n}")
        axes[1].errorbar(a, data[f"f_{n}"], data[f"fe_{n}"], fmt="o", ms=3, color=PALETTE[c],
                         label=f"N = {n}")
    axes[0].set_xlabel(r"$\alpha$")
    axes[0].set_ylabel(r"$\kappa_{\max}$ (QP, certified)")
    axes[1].set_xlabel(r"$\alpha$")
    axes[1].set_ylabel("support-vector fraction")
    place_legend(axes[0])
    place_legend(axes[1])
    ax = axes[2]
    k = kappa_max_spherical(1.0)
    stab = data["stab"]
    margins = data["hist_margin"]
    # support vectors sit at their own instance's margin (a delta peak smeared by the instance-to-
    # instance fluctuation of kappa_max); draw the continuous part above the margin
    frac_sv = float(np.mean(np.isclose(stab, np.repeat(margins, stab.size // margins.size),
                                       atol=1e-9)))
    above = stab[stab > np.repeat(margins, stab.size // margins.size) + 1e-9]
    bins = np.linspace(-0.5, 4, 46)
    h, e = np.histogram(above, bins=bins)
    ax.step(e[:-1], h / (stab.size * np.diff(e)), where="post", color=PALETTE[0],
            label=f"N={par['hist_n']}: Δ > κ (SV frac {frac_sv:.3f})")
    x = np.linspace(k, 4, 100)
    ax.plot(x, stats.norm.pdf(x), "k", lw=1.0,
            label=fr"$\phi(\Delta)$, $\Delta>\kappa_{{\max}}$ (SV frac $\Phi$={special.ndtr(k):.3f})")
    ax.axvline(k, color="k", ls=":", lw=0.8)
    ax.set_xlabel(r"stability $\Delta$ at the max margin, $\alpha=1$")
    ax.set_ylabel("density")
    place_legend(ax)
    return save(fig, out_dir, "finite_n_spherical")


FIGURES = [
    Figure(name="finite_n_entropy", title="Exact enumeration vs RS Gardner theory: entropy and "
           "maximum margin of the binary perceptron",
           build=build_entropy,
           description="(1/N) E ln #solutions (kappa = 0) and the maximum margin from exact "
                       "enumeration of all 2^N weight vectors, seeded Gaussian instances, averages "
                       "with standard errors (open symbols: some instances have no solution; their "
                       "fraction is in the cached data), next to the RS Gardner–Derrida entropy and "
                       "kappa_max (zero of s); stars: weighted linear extrapolation in 1/N. Third "
                       "panel: the extrapolations at alpha = 0.25, 0.5, 0.75 with their distance "
                       "from the RS value in standard errors and chi^2/dof (solid: a + b/N; "
                       "dashed: with the next order c/N^2); last panel: the standardised "
                       "residuals of both fits. With N = 12..24 the linear fits miss the RS "
                       "entropy by 2.0 (alpha = 0.5) and 2.8 (alpha = 0.75) standard errors "
                       "while their chi^2/dof is below 1: the residuals show no trend, so the "
                       "data cannot tell a + b/N from a + b/N + c/N^2. With the c/N^2 term the "
                       "RS values lie within 1.3 standard errors of the intercepts, whose errors "
                       "are 5-8 times larger. What remains: at these sizes the extrapolated "
                       "entropy is uncertain by the choice of the finite-size form, and the "
                       "2-3 sigma miss of the linear fit is not evidence against RS; larger N "
                       "(beyond exact enumeration) would be needed to pin the intercept.",
           source="Gardner & Derrida 1988; Krauth & Mezard 1989 (docs/THEORY.md §1)",
           params="N = 12..24, kappa = 0, Gaussian patterns", order=60),
    Figure(name="finite_n_local_entropy", title="Exact distance profiles around max-margin, random "
           "and SBPI solutions vs Franz–Parisi local entropy",
           build=build_local_entropy,
           description="Local entropy from exact enumeration (alpha = 0.5, kappa = 0): "
                       "H2(d) + (1/N) E ln[n(d)/C(N, dN)], n(d) the number of solutions at Hamming "
                       "distance dN from a reference (mean over the instances with n(d) > 0), around "
                       "the max-margin solution, a uniformly drawn solution and solutions found by "
                       "SBPI, for N = 12..24 with 1/N extrapolations (stars); last panel: all "
                       "references including SA and replicated SA at the largest N. Lines: RS "
                       "Franz–Parisi S(d) with kappa_ref = kappa_max and 0; dashed: H2(d).",
           source="Baldassi, Lauditi, Malatesta, Perugini, Zecchina PRL 127, 278301 (2021); "
                  "docs/THEORY.md §2",
           params="alpha = 0.5, N = 12..24", order=61),
    Figure(name="finite_n_algorithms", title="Learning algorithms on the binary perceptron: success "
           "probability and local entropy around their solutions",
           build=build_algorithms,
           description="Left: fraction of seeded ±1 instances solved by SBPI, simulated annealing "
                       "(hinge energy) and replicated SA (robust ensemble, y = 5) vs alpha, at "
                       "several N; capacity 0.833 and the algorithmic range 0.75–0.77 marked. Right: "
                       "local entropy around the solutions found at alpha = 0.5 estimated by random "
                       "k-flips, vs the Franz–Parisi curves.",
           source="Baldassi et al. PNAS 2007 (SBPI); Baldassi et al. PNAS 2016 (replicated SA)",
           params="N = 101..401 (flips: N = 1001)", order=62),
    Figure(name="finite_n_spherical", title="Spherical perceptron: certified finite-N max margin vs "
           "Gardner's kappa_max, support-vector fraction and stability distribution",
           build=build_spherical,
           description="Max margin of the hard-margin classifier through the origin (QP by NNLS with a "
                       "KKT certificate) averaged over seeded instances, vs the inverse of "
                       "alpha_c(kappa) = 1/[(1+k^2)Phi(k)+k phi(k)] (means over the separable instances; "
                       "the non-separable fraction, non-zero near alpha = 2 at small N, is stored "
                       "with the data); support-vector fraction vs "
                       "Phi(kappa_max); stability histogram above the margin vs phi(Delta).",
           source="Gardner 1988; docs/THEORY.md §1.4, §7",
           params="max margin: N = 25..200, 30 instances per point; stability histogram: N = 400",
           order=63),
]
