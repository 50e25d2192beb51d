"""Teacher-student figures: the learning curves eps_g(alpha) with the binary first-order
transition, and the local entropy around flat vs typical students with their generalisation
errors (exact enumeration)."""
from __future__ import annotations

import math
from pathlib import Path

import numpy as np

from . import Figure
from ._cache import cached


def _curves(quick: bool) -> dict:
    from .. import models, thresholds
    from ..continuation import follow
    from ..finite_n.teacher_student import enumerate_teacher_student
    from ..models.teacher_student import gibbs_large_alpha_constant

    b = models.get("teacher-student-binary")
    s = models.get("teacher-student-spherical")
    br = follow(b, {"alpha": 0.0}, "alpha", to=1.7, max_steps=150 if quick else 600,
                ds_max=0.05 if quick else 0.01)
    k = br.folds[0].index
    it = thresholds.event(b, {"alpha": 0.5}, "alpha", "entropy", to=1.45).value
    sp = follow(s, {"alpha": 0.0}, "alpha", to=10.0, max_steps=400, ds_max=0.1)
    big = np.logspace(0, 4, 9 if quick else 25)
    large = [s.saddle({"alpha": float(a)}).thermo for a in big]
    # finite-N ground truth for the binary Gibbs student (exact enumeration)
    n, inst = (14, 20) if quick else (20, 60)
    alphas = [a for a in np.arange(0.1, 1.45, 0.1 if not quick else 0.2)
              if abs(a * n - round(a * n)) < 1e-9] or [0.5, 1.0]
    rows = enumerate_teacher_student(n, alphas, instances=inst, seed=11).summary()
    return {
        "binary": {"alpha": br.param.tolist(), "eps_g": br.values("eps_g").tolist(),
                   "eps_bayes": br.values("eps_bayes").tolist(),
                   "entropy": br.values("entropy").tolist(), "fold_index": int(k),
                   "alpha_amp": float(br.folds[0].value), "alpha_it": float(it)},
        "spherical": {"alpha": sp.param.tolist(), "eps_g": sp.values("eps_g").tolist(),
                      "eps_bayes": sp.values("eps_bayes").tolist(),
                      "C": gibbs_large_alpha_constant()["eps_g"],
                      "C_bayes": gibbs_large_alpha_constant()["eps_bayes"],
                      "large_alpha": big.tolist(), "large_eps_g": [t["eps_g"] for t in large],
                      "large_eps_bayes": [t["eps_bayes"] for t in large]},
        "finite_n": {"n": n, "instances": inst, "alpha": [r["alpha"] for r in rows],
                     "eps_g": [r["eps_g"] for r in rows], "eps_g_se": [r["eps_g_se"] for r in rows]},
    }


def build_learning_curves(out_dir: Path, quick: bool, data_dir: Path):
    from ..plotting import new_figure, place_legend, save

    d = cached(data_dir, "teacher_student_curves", {"quick": quick, "layout": 2}, lambda: _curves(quick))
    fig, (ax1, ax2, ax3) = new_figure(ncols=3)
    bd = d["binary"]
    a, e, s = (np.array(bd[k]) for k in ("alpha", "eps_g", "entropy"))
    k, a_it, a_amp = bd["fold_index"], bd["alpha_it"], bd["alpha_amp"]
    stable = np.arange(len(a)) <= k
    e_it = float(np.interp(a_it, a[stable], e[stable]))
    s_it = 0.0
    below, above = stable & (a <= a_it), stable & (a >= a_it)
    a_eq, e_eq, s_eq = (np.r_[v[below], x] for v, x in ((a, a_it), (e, e_it), (s, s_it)))
    a_me, e_me, s_me = (np.r_[x, v[above]] for v, x in ((a, a_it), (e, e_it), (s, s_it)))
    col = "C0"
    ax1.plot(a_eq, e_eq, color=col, label="binary, Gibbs (r < 1 branch)")
    ax1.plot(a_me, e_me, color=col, ls="--", lw=0.9, label="binary, metastable")
    ax1.plot(a[~stable], e[~stable], color=col, ls=":", lw=0.9, label="binary, unstable")
    ax1.plot([a_it, a_it], [0, e_it], color=col, lw=1.5)
    ax1.plot([a_it, 2.0], [0, 0], color=col, lw=2.0)
    ax1.axvline(a_it, color="grey", lw=0.5, ls=":")
    ax1.axvline(a_amp, color="grey", lw=0.5, ls="-.")
    ax1.text(a_it, 0.02, r" $\alpha_{\rm IT}$", fontsize=7.5)
    ax1.text(a_amp, 0.06, r" $\alpha_{\rm AMP}$", fontsize=7.5)
    sd = d["spherical"]
    sa, se = np.array(sd["alpha"]), np.array(sd["eps_g"])
    ax1.plot(sa, se, color="C1", label="spherical, Gibbs")
    fn = d["finite_n"]
    ax1.errorbar(fn["alpha"], fn["eps_g"], yerr=fn["eps_g_se"], fmt="o", ms=2.5, color="k",
                 elinewidth=0.6, label=f"binary, exact enumeration N = {fn['n']}")
    ax1.set(xlabel=r"$\alpha = P/N$", ylabel=r"$\epsilon_g = \arccos(r)/\pi$", xlim=(0, 2.0),
            ylim=(0, 0.52), title="generalisation error (Gibbs learning, RS)")
    place_legend(ax1, loc="upper right")
    ax2.plot(a_eq, s_eq, color=col, label=r"$r<1$ branch")
    ax2.plot(a_me, s_me, color=col, ls="--", lw=0.9)
    ax2.plot(a[~stable], s[~stable], color=col, ls=":", lw=0.9)
    ax2.plot([0, 2.0], [0, 0], color="C3", lw=1.2, label=r"teacher state $r = 1$")
    ax2.plot(a, (1 - a) * math.log(2), color="grey", lw=0.6, ls=":",
             label=r"$(1-\alpha)\ln 2$")
    ax2.axvline(a_it, color="grey", lw=0.5, ls=":")
    ax2.axvline(a_amp, color="grey", lw=0.5, ls="-.")
    ax2.set(xlabel=r"$\alpha$", ylabel=r"version-space entropy $\phi$", xlim=(0, 2.0),
            ylim=(-0.12, 0.72), title="binary: first-order transition")
    place_legend(ax2)
    la = np.array(sd["large_alpha"])
    ax3.semilogx(la, la * np.array(sd["large_eps_g"]), "o-", ms=2.5, color="C1",
                 label="spherical Gibbs")
    ax3.semilogx(la, la * np.array(sd["large_eps_bayes"]), "s-", ms=2.5, color="C4",
                 label="spherical centre of mass (Bayes)")
    ax3.axhline(sd["C"], color="C1", ls=":", lw=0.8, label=f"{sd['C']:.4f}")
    ax3.axhline(sd["C_bayes"], color="C4", ls=":", lw=0.8, label=f"{sd['C_bayes']:.4f}")
    ax3.set(xlabel=r"$\alpha$", ylabel=r"$\alpha\,\epsilon$", title="large-alpha law")
    place_legend(ax3)
    return save(fig, out_dir, "teacher_student_learning_curves")


def _local(quick: bool) -> dict:
    from ..finite_n.enumerate import (enumerate_instance, index_to_weights, instance_seeds,
                                      profile_local_entropy)
    from ..finite_n.teacher_student import planted_instance

    n, inst = (14, 20) if quick else (20, 60)
    out = {"n": n, "instances": inst, "alpha": {}}
    for a in (0.5, 1.0):
        p = int(round(a * n))
        prof = {"max": [], "random": []}
        eps = {"max": [], "random": []}
        for ss in instance_seeds(21, inst):
            xi, teacher = planted_instance(n, p, ss)
            res = enumerate_instance(xi, [p], (0.0,), profile_kappa=0.0, profiles=True, rng=ss)
            for key, idx, pr in (("max", res.argmax[0], res.profile_max[0]),
                                 ("random", res.random_ref[0], res.profile_random[0])):
                w = index_to_weights(idx, n).astype(float)
                eps[key].append(math.acos(float(w @ teacher) / n) / math.pi)
                prof[key].append(pr)
        entry = {}
        for key in ("max", "random"):
            le = profile_local_entropy(np.array(prof[key]), n)
            entry[key] = {"d": le["d"].tolist(),
                          "S": [None if not np.isfinite(v) else float(v) for v in le["norm"]],
                          "S_se": [None if not np.isfinite(v) else float(v)
                                   for v in le["norm_se"]],
                          "eps_g": float(np.mean(eps[key])),
                          "eps_g_se": float(np.std(eps[key], ddof=1) / math.sqrt(inst))}
        out["alpha"][str(a)] = entry
    return out


def _rs_local(quick: bool) -> dict:
    """RS Franz–Parisi S(d) (counted margin kappa = 0) around the typical (kappa_ref = 0) and the
    maximum-margin reference, and eps_g of the reference vs kappa_ref (model ts-fp-binary)."""
    from .. import models
    from ..continuation import follow
    from ..models.ts_fp import ts_kappa_max, ts_reference

    fp = models.get("ts-fp-binary")
    ts = models.get("teacher-student-binary")
    out = {}
    for a in (0.5, 1.0):
        entry = {"refs": {}}
        for key in ("0", "max"):
            kr = 0.0 if key == "0" else "max"
            ref = ts_reference(a, kr)
            if quick:        # the exact typical point only (kappa = kappa_ref): no continuation
                p0, x0 = fp.typical_point(fp.validate({"alpha": a, "kappa_ref": kr, "d": 0.25}))
                pts = [(p0["d"], fp.thermo(x0, p0))]
            else:
                p0, x0 = fp.known_point({"alpha": a, "kappa_ref": kr, "kappa": 0.0, "d": 0.25})
                pts = [(p0["d"], fp.thermo(x0, p0))]
                for to in (0.02, min(0.45, p0["d"] + 0.08)):
                    br = follow(fp, p0, "d", to=to, x0=x0, mode="natural", ds=0.04,
                                ds_max=0.05, max_steps=30)
                    pts += [(pt.params["d"], pt.thermo) for pt in br.points[1:]]
            pts.sort(key=lambda v: v[0])
            entry["refs"][key] = {
                "kappa_ref": ref.kappa_ref, "eps_g_ref": ref.eps_g, "R": ref.R,
                "entropy_ref": ref.entropy, "d_star": (1 - ref.Q) / 2,
                "d": [v[0] for v in pts], "S": [v[1]["entropy"] for v in pts],
                "eps_g": [v[1]["eps_g"] for v in pts],
                "replicon": [v[1]["replicon"] for v in pts]}
        km = ts_kappa_max(a)
        krs = np.linspace(0.0, km, 4 if quick else 12)
        entry["kappa_max"] = km
        entry["kappa_ref"] = krs.tolist()
        entry["eps_g_ref"] = [ts_reference(a, float(k)).eps_g for k in krs[:-1]] + \
            [ts_reference(a, "max").eps_g]
        th = ts.saddle({"alpha": a}).thermo
        entry["eps_gibbs"], entry["eps_bayes"] = th["eps_g"], th["eps_bayes"]
        entry["entropy"] = th["entropy"]
        out[str(a)] = entry
    return out


def build_local_entropy(out_dir: Path, quick: bool, data_dir: Path):
    from ..plotting import new_figure, place_legend, save

    d = cached(data_dir, "teacher_student_local", {"quick": quick}, lambda: _local(quick))
    rs = cached(data_dir, "teacher_student_fp", {"quick": quick}, lambda: _rs_local(quick))
    fig, axes = new_figure(ncols=3)
    fig.subplots_adjust(wspace=0.45)
    cols = {"max": "C2", "random": "C0"}
    for ax, (a, entry) in zip(axes, d["alpha"].items()):
        r = rs[a]
        dd = np.linspace(1e-4, 0.5, 200)
        ax.plot(dd, -dd * np.log(dd) - (1 - dd) * np.log1p(-dd), color="grey", ls="--", lw=0.7)
        ax.axhline(r["entropy"], color="k", lw=0.5, ls=":")
        for key, rkey, lab in (("max", "max", "max-margin"), ("random", "0", "typical")):
            rr = r["refs"][rkey]
            ax.plot(rr["d"], rr["S"], color=cols[key], lw=1.2,
                    marker="o" if len(rr["d"]) < 3 else None, ms=3,
                    label=fr"{lab} ($\kappa_{{\rm ref}}$ = {rr['kappa_ref']:.3f}): "
                          fr"$\epsilon_g$ = {rr['eps_g_ref']:.3f}")
            e = entry[key]
            S = np.array([np.nan if v is None else v for v in e["S"]])
            se = np.array([np.nan if v is None else v for v in e["S_se"]])
            ax.errorbar(e["d"], S, yerr=se, fmt="o", ms=2.2, color=cols[key], elinewidth=0.6,
                        alpha=0.6)
        ax.set(xlabel=r"distance $d$ from the reference", ylabel=r"local entropy $S(d)$",
               xlim=(0, 0.5), ylim=(-0.03, 1.0), title=fr"$\alpha = {float(a):g}$")
        place_legend(ax, loc="upper left")
    ax = axes[2]
    for i, (a, r) in enumerate(rs.items()):
        c = f"C{i + 3}"
        ax.plot(r["kappa_ref"], r["eps_g_ref"], "o-", ms=2.5, color=c,
                label=fr"$\alpha$ = {float(a):g}: margin-$\kappa_{{\rm ref}}$ student")
        ax.axhline(r["eps_gibbs"], color=c, ls="--", lw=0.8)
        ax.axhline(r["eps_bayes"], color=c, ls=":", lw=0.8)
    ax.set(xlabel=r"$\kappa_{\rm ref}$ (up to $\kappa_{\max}(\alpha)$)",
           ylabel=r"$\epsilon_g$ of the reference", title="flatter students generalise better")
    place_legend(ax)
    return save(fig, out_dir, "teacher_student_local_entropy")


FIGURES = [
    Figure(
        name="teacher_student_learning_curves",
        title="Teacher-student perceptron: eps_g(alpha) and the binary first-order transition",
        build=build_learning_curves,
        description=(
            "Left: generalisation error of Gibbs learning (a student drawn uniformly from the "
            "version space), eps_g = arccos(r)/pi, RS on the Nishimori line. Binary weights: "
            "the r < 1 branch (solid) becomes metastable at alpha_IT = 1.2447 (its free "
            "entropy crosses the teacher state's phi = 0; eps_g jumps to 0) and ends at the "
            "spinodal alpha_AMP = 1.4926, a fold located by the continuation engine (dashed: "
            "metastable; dotted: the unstable branch beyond the fold, which returns to r -> 1). "
            "Black points: exact enumeration of the version space of planted binary instances "
            "(all 2^N students; finite N, no extrapolation). Spherical weights: a continuous "
            "decay. Middle: the binary version-space entropy, (1 - alpha) ln 2 at small alpha, "
            "against the teacher state's 0. Right: alpha eps for the spherical student tends "
            "to 0.6247 = 1/(sqrt(pi) int Ds G(s)) (Gibbs) and 0.4417 = 0.6247/sqrt 2 (centre "
            "of mass of the version space, the Bayes-optimal student)."),
        source="Györgyi, PRA 41, 7097 (1990); Sompolinsky, Tishby, Seung, PRL 65, 1683 (1990); "
               "Engel & Van den Broeck (2001) ch. 2 and 7; docs/THEORY.md §8.3",
        params="alpha in [0, 1.7] (binary), [0, 10] (spherical); enumeration N = 20, "
               "60 teachers per alpha",
        order=60,
    ),
    Figure(
        name="teacher_student_local_entropy",
        title="Flat students generalise better: local entropy around typical and max-margin "
              "students, and eps_g of the reference vs its margin",
        build=build_local_entropy,
        description=(
            "Binary teacher-student perceptron at alpha = 0.5 and 1 (below alpha_IT). Left and "
            "middle: Franz-Parisi local entropy S(d) (RS, model ts-fp-binary) of the consistent "
            "students (kappa = 0) at distance d from a reference student: a typical (Gibbs) "
            "student of the version space (kappa_ref = 0) and the maximum-margin student "
            "(kappa_ref = kappa_max(alpha), where the entropy of the students of margin "
            "kappa_ref vanishes); their generalisation errors in the legend; dashed grey: H2(d); dotted: the "
            "version-space entropy. Points: exact enumeration of planted instances at N = 20 "
            "(60 teachers; finite N, no extrapolation) around the finite-N max-margin and a "
            "random consistent student (same colours). The "
            "max-margin reference has more consistent neighbours at small d (a flatter region) "
            "and a smaller eps_g; around the typical reference S reaches the version-space "
            "entropy (dotted) at d* = (1-Q)/2. Right: eps_g = arccos(R)/pi of a student of margin "
            "kappa_ref (the reference sector) against kappa_ref, next to Gibbs learning (dashed, "
            "= kappa_ref 0) and the Bayes-optimal error (dotted): the flatter the student, the better it "
            "generalises, approaching but not reaching Bayes."),
        source="Baldassi et al., PRL 115, 128101 (2015) (dense regions generalise); Baldassi "
               "et al., PRL 127, 278301 (2021) (Franz-Parisi local entropy); docs/THEORY.md "
               "§2, §8.3; theory_notebooks/teacher_student_fp_derivation.py",
        params="alpha = 0.5, 1; kappa = 0; N = 20, 60 teachers",
        order=61,
    ),
]
