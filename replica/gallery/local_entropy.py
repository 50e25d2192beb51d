"""Gallery: Franz–Parisi local entropy around references of various margins (RS).

(a) binary, kappa = 0, alpha = 0.5 (as in PRL 127, 278301 (2021), Fig. 1) and alpha = 0.6: S(d)
    around references of margin kappa_ref from 0 to kappa_max, with the upper bound H2(d), the
    Gardner entropy, RS-unstable stretches dotted and ended branches marked (E. M. Malatesta,
    arXiv:2309.09240, lecture notes);
(b) binary, max-margin reference, several alpha: S(d) and dS/dd (PRL 2021, Fig. 2);
(c) spherical: kappa = 0 at alpha = 1 and a negative margin kappa = -0.5 at alpha = 3
    (Baldassi et al., PRE 108, 024310 (2023)).
Data are cached under data_dir (JSON, keyed by the parameters).
"""
from __future__ import annotations


import numpy as np

from . import Figure
from ._cache import cached

__all__ = ["FIGURES", "curve_data"]


def curve_data(data_dir, model, alpha, kappa_ref, kappa, d, quick=False):
    """S(d), dS/dd, the replicon and status on the grid d (cached). Quick mode uses a coarser
    quadrature (6 nodes per panel: ~1e-7 on S, invisible on a plot)."""
    d = [float(x) for x in d]
    params = {"model": model, "alpha": alpha, "kappa_ref": kappa_ref, "kappa": kappa, "d": d,
              "quick": bool(quick), "version": 2}

    def compute():
        from ..models.franz_parisi import Quadrature, local_entropy_curve
        quad = Quadrature(6, 3.0) if quick else Quadrature()
        c = local_entropy_curve(model, alpha, kappa_ref, kappa, d, quad=quad,
                                tol=1e-8 if quick else 1e-11)
        clean = lambda a: [None if not np.isfinite(v) else float(v) for v in a]
        rep = c.values.get("replicon", np.full(len(d), np.nan))
        return {"d": d, "S": clean(c["entropy"]), "dS": clean(c["dS_dd"]), "replicon": clean(rep),
                "status": c.status, "kappa_ref": c.kappa_ref, "lost_below": c.lost_below,
                "lost_above": c.lost_above}
    return cached(data_dir, "local_entropy_curve", params, compute)


def _arr(v):
    return np.array([np.nan if x is None else x for x in v], dtype=float)


#: refined reference-margin thresholds at alpha = 0.5 (kappa = 0), for the caption:
#: ``replica threshold negative|nonmonotonic --model binary --alpha 0.5`` (xtol 1e-6; a test
#: recomputes them)
KAPPA_MIN_05 = 0.029118
KAPPA_U_05 = 0.036430


def _draw_curve(axes, x, S, rep, status, color, label):
    """S(d) on every axis: solid where the constrained replicas are RS-stable (replicon > 0),
    dotted where RS-unstable; an 'x' where the branch ends at the small-d side (no RS saddle
    point reached below). Returns (has_unstable, ended_at)."""
    ok = np.array([st == "converged" for st in status]) & np.isfinite(S)
    stable = ok & (np.nan_to_num(rep, nan=1.0) > 0)
    unstable = ok & ~stable
    # extend each stretch by one point so that solid and dotted pieces join
    st_line = np.where(stable | np.r_[stable[1:], False] & ok, S, np.nan)
    un_line = np.where(unstable | (np.r_[unstable[1:], False] | np.r_[False, unstable[:-1]]) & ok,
                       S, np.nan)
    ended = None
    if ok.any() and not ok[np.argmin(x)]:
        i = int(np.argmin(np.where(ok, x, np.inf)))
        ended = (float(x[i]), float(S[i]))
    for k, ax in enumerate(axes):
        ax.plot(x, st_line, lw=1.2 if k == 0 else 1.0, color=color,
                label=label if k == 0 else None)
        if unstable.any():
            ax.plot(x, un_line, lw=1.0, ls=":", color=color)
        if ended is not None:
            ax.plot(*ended, marker="x", ms=5, color=color)
    return bool(unstable.any()), ended


def _margins_figure(out_dir, quick, data_dir, alpha, refs, name, inset_ylim, ylim, title_extra=""):
    from ..models import franz_parisi as fp
    from ..models.gardner import gardner, kappa_max
    from ..plotting import PALETTE, new_figure, place_legend, save

    km = kappa_max("binary", alpha)
    d = (np.array([2e-5, 2e-4, 0.001, 0.002, 0.02, 0.08, 0.15]) if quick
         else np.concatenate([np.geomspace(1e-6, 0.002, 28), np.linspace(0.0025, 0.15, 40)]))
    s0 = gardner("binary", alpha, 0.0).entropy
    fig, ax = new_figure(width=4.4, height=3.6)
    # the inset sits above every curve (S <= H2(d) <= H2(0.15) = 0.42 < ylim[1] * 0.6)
    ins = ax.inset_axes([0.1, 0.66, 0.5, 0.3])
    dd = np.linspace(1e-7, 0.15, 600)
    for a_ in (ax, ins):
        a_.plot(dd, fp.h2(dd), "k--", lw=0.9, label=r"$H_2(d)$" if a_ is ax else None)
        a_.axhline(0.0, color="0.6", lw=0.5)
        a_.plot([0.0], [0.0], "ko", ms=3, zorder=5)       # S(0) = 0 exactly
    ax.axhline(s0, color="0.4", ls=":", lw=0.9, label=r"Gardner $s(\alpha,0)$")
    any_unstable, ends = False, []
    for j, kr in enumerate(refs):
        data = curve_data(data_dir, "binary", alpha, kr, 0.0, d, quick)
        x, S, rep = np.array(data["d"]), _arr(data["S"]), _arr(data.get("replicon", []) or
                                                              [None] * len(data["d"]))
        lab = (r"$\kappa_{\rm ref}=\kappa_{\max}=%.3f$" % km) if kr == "max" else \
            r"$\kappa_{\rm ref}=%g$" % kr
        un, end = _draw_curve((ax, ins), x, S, rep, data["status"], PALETTE[j % len(PALETTE)],
                              lab)
        any_unstable |= un
        if end is not None:
            ends.append((kr, end))
    if 0.0 in refs and not quick:
        # one constrained replica at t = Q p around typical references (the first moment at
        # leading order): H2(d) + 2 alpha C sqrt(d) at small d
        # (theory_notebooks/fp_small_distance.py)
        ref = fp.cached_reference("binary", alpha, 0.0)
        xb = np.geomspace(1e-7, 0.002, 60)
        sb = [fp.h2(v) + alpha * fp.first_moment_energetic(ref, 0.0, v) for v in xb]
        ins.plot(xb, sb, color="0.35", lw=0.8, ls="-.")
        ax.plot([], [], color="0.35", lw=0.8, ls="-.",
                label=r"first moment, $\kappa_{\rm ref}=0$")
    if any_unstable:
        ax.plot([], [], color="0.3", ls=":", lw=1.0, label="RS unstable (replicon < 0)")
    if ends:
        ax.plot([], [], "x", color="0.3", ms=5, label="branch ends (RS saddle lost)")
    ins.set_xlim(0, 0.002)
    ins.set_ylim(*inset_ylim)
    ins.set_xticks([0, 0.001, 0.002])
    ins.tick_params(labelsize=6.5)
    ax.set_xlim(0, 0.15)
    ax.set_ylim(*ylim)
    ax.set_xlabel(r"distance $d$")
    ax.set_ylabel(r"local entropy $S(d)$")
    ax.set_title(r"binary perceptron, $\alpha=%g$, $\kappa=0$ (RS)%s" % (alpha, title_extra),
                 fontsize=8)
    place_legend(ax, outside="right")
    return save(fig, out_dir, name)


def build_binary_prl(out_dir, quick, data_dir):
    refs = [0.02, "max"] if quick else [0.0, 0.02, 0.03, 0.04, 0.2, "max"]
    extra = "" if quick else (r"; $\kappa_{\min}=%.4f$, $\kappa_u=%.4f$" %
                              (KAPPA_MIN_05, KAPPA_U_05))
    return _margins_figure(out_dir, quick, data_dir, 0.5, refs, "local_entropy_binary_prl",
                           (-0.012, 0.016), (-0.03, 0.75), extra)


def build_binary_margins(out_dir, quick, data_dir):
    refs = [0.1, "max"] if quick else [0.0, 0.02, 0.04, 0.1, 0.2, "max"]
    return _margins_figure(out_dir, quick, data_dir, 0.6, refs, "local_entropy_binary_margins",
                           (-0.02, 0.016), (-0.03, 0.75))


def build_binary_maxmargin(out_dir, quick, data_dir):
    from ..models.franz_parisi import h2
    from ..plotting import new_figure, place_legend, save

    # 0.729: onset of non-monotonicity; 0.7477: S touches 0 on a shell (values found with
    # replica.thresholds.alpha_nonmonotonic / alpha_negative, see the figure description)
    alphas = [0.70, 0.78] if quick else [0.70, 0.72, 0.729, 0.74, 0.7477, 0.76, 0.78]
    d = (np.geomspace(1e-4, 0.01, 5) if quick
         else np.concatenate([np.geomspace(2e-6, 0.001, 20), np.linspace(0.0012, 0.012, 40)]))
    fig, (a1, a2) = new_figure(ncols=2, width=3.3, height=2.8)
    fig.subplots_adjust(wspace=0.3)
    dd = np.linspace(1e-7, 0.012, 300)
    a1.plot(dd, h2(dd), "k--", lw=0.9, label=r"$H_2(d)$")
    for al in alphas:
        data = curve_data(data_dir, "binary", al, "max", 0.0, d, quick)
        x, S, dS = np.array(data["d"]), _arr(data["S"]), _arr(data["dS"])
        a1.plot(x, S, lw=1.2, label=r"$\alpha=%g$" % al)
        a2.plot(x, dS, lw=1.2)
    a1.axhline(0, color="0.6", lw=0.5)
    a2.axhline(0, color="0.6", lw=0.5)
    a1.set_xlim(0, 0.01)
    a1.set_ylim(-0.02, 0.06)
    a2.set_xlim(0, 0.01)
    a2.set_ylim(-5, 12)
    a1.set_xlabel(r"$d$")
    a2.set_xlabel(r"$d$")
    a1.set_ylabel(r"$S(d)$")
    a2.set_ylabel(r"$dS/dd$")
    a1.set_title(r"binary, max-margin reference, $\kappa=0$")
    place_legend(a1)
    return save(fig, out_dir, "local_entropy_binary_maxmargin")


def build_spherical(out_dir, quick, data_dir):
    from ..models.gardner import gardner
    from ..plotting import new_figure, place_legend, save

    d = (np.array([0.01, 0.05, 0.15, 0.3]) if quick
         else np.concatenate([np.geomspace(1e-4, 0.01, 10), np.linspace(0.015, 0.49, 50)]))
    panels = [(1.0, 0.0, [0.0, 0.3, "max"] if not quick else [0.3, "max"]),
              (3.0, -0.5, [-0.5, -0.3, "max"] if not quick else [-0.5, "max"])]
    fig, axes = new_figure(ncols=2, width=3.3, height=2.8)
    fig.subplots_adjust(wspace=0.3)
    for ax, (alpha, kappa, refs) in zip(axes, panels):
        p = 1 - 2 * np.linspace(1e-4, 0.5, 300)
        ax.plot((1 - p) / 2, 0.5 * np.log1p(-p * p), "k--", lw=0.9,
                label=r"$\frac{1}{2}\ln(1-p^2)$ ($\alpha=0$)")
        ax.axhline(gardner("spherical", alpha, kappa).entropy, color="0.4", ls=":", lw=0.9,
                   label=r"Gardner $s(\alpha,\kappa)$")
        for kr in refs:
            data = curve_data(data_dir, "spherical", alpha, kr, kappa, d, quick)
            x, S = np.array(data["d"]), _arr(data["S"])
            lab = r"$\kappa_{\rm ref}=\kappa_{\max}$" if kr == "max" else \
                r"$\kappa_{\rm ref}=%g$" % kr
            ax.plot(x, S, lw=1.2, label=lab)
        ax.set_xlim(0, 0.5)
        ax.set_ylim(-3.0, 0.1)
        ax.set_xlabel(r"$d$")
        ax.set_ylabel(r"$S(d)$")
        ax.set_title(r"spherical, $\alpha=%g$, $\kappa=%g$" % (alpha, kappa))
        place_legend(ax, loc="lower right")
    return save(fig, out_dir, "local_entropy_spherical")


FIGURES = [
    Figure(name="local_entropy_binary_prl",
           title="Local entropy around references of several margins, as in the PRL (binary, "
                 "alpha = 0.5)",
           build=build_binary_prl,
           description="Franz-Parisi local entropy S(d) (RS) of kappa = 0 solutions at distance "
                       "d from a reference of margin kappa_ref = 0, 0.02, 0.03, 0.04, 0.2 and "
                       "kappa_max, binary perceptron at alpha = 0.5; dashed: H2(d); dotted grey: "
                       "the Gardner entropy; black dot: S(0) = 0 (exact). Inset d < 0.002. "
                       "Refined thresholds at alpha = 0.5: kappa_min = %.4f (S < 0 on a shell "
                       "below it), kappa_u = %.4f (S non-monotonic below it; `replica threshold "
                       "negative|nonmonotonic --model binary --alpha 0.5`): 0.02 is isolated, "
                       "0.03 positive but non-monotonic, 0.04 monotonic. Around the typical "
                       "reference (kappa_ref = 0) the RS branch is drawn dotted where the "
                       "replicon of the constrained replicas is negative (d < 1.95e-3) and "
                       "ends (x) where the constrained replicas freeze (followed down to "
                       "d = 4.59e-4, 1-q << d); "
                       "dash-dot: one constrained replica at t = Qp (the first moment at leading "
                       "order), H2(d) + 2 alpha C sqrt(d) at small d with C = -0.4926 "
                       "(theory_notebooks/fp_small_distance.py)."
                       % (KAPPA_MIN_05, KAPPA_U_05),
           source="Baldassi, Lauditi, Malatesta, Perugini, Zecchina, PRL 127, 278301 (2021), "
                  "Fig. 1; Huang & Kabashima, PRE 90, 052813 (2014)",
           params="alpha = 0.5, kappa = 0, kappa_ref in {0, 0.02, 0.03, 0.04, 0.2, kappa_max}",
           order=59),
    Figure(name="local_entropy_binary_margins",
           title="Local entropy around references of several margins (binary, kappa = 0)",
           build=build_binary_margins,
           description="Franz-Parisi local entropy S(d) (RS) of kappa = 0 solutions at distance "
                       "d from a reference drawn among the solutions of margin kappa_ref, binary "
                       "perceptron at alpha = 0.6; dashed: the upper bound H2(d); dotted: the "
                       "Gardner entropy (the value at the typical distance); black dot: S(0) = 0. "
                       "Low-margin references are isolated (S < 0 on a shell near d = 0); the "
                       "max-margin reference sits in a dense region (S close to H2 at small d). "
                       "Dotted: RS-unstable (replicon < 0); x: the branch ends. Inset: d < "
                       "0.002. The PRL's own alpha = 0.5 is the previous figure.",
           source="Baldassi, Lauditi, Malatesta, Perugini, Zecchina, PRL 127, 278301 (2021), "
                  "Fig. 1 (alpha not printed there)",
           params="alpha = 0.6, kappa = 0, kappa_ref in {0, 0.02, 0.04, 0.1, 0.2, kappa_max}",
           order=60),
    Figure(name="local_entropy_binary_maxmargin",
           title="Local entropy around the max-margin solution across alpha (binary)",
           build=build_binary_maxmargin,
           description="S(d) and dS/dd around the max-margin reference (kappa_ref = kappa_max("
                       "alpha)), kappa = 0, for alpha between 0.70 and 0.78: as alpha grows dS/dd "
                       "acquires a zero at small d (non-monotonic S: local-entropy transition, "
                       "alpha = 0.729 in RS), then S becomes negative on a shell not containing "
                       "d = 0 (isolated max-margin solutions, alpha = 0.748).",
           source="PRL 127, 278301 (2021), Fig. 2",
           params="kappa = 0, kappa_ref = kappa_max(alpha), alpha in 0.70..0.78",
           order=61),
    Figure(name="local_entropy_spherical",
           title="Local entropy around references, spherical perceptron (kappa = 0 and < 0)",
           build=build_spherical,
           description="S(d) (RS, normalised so that alpha = 0 gives 1/2 ln(1-p^2)) around "
                       "references of several margins, spherical perceptron: kappa = 0 at "
                       "alpha = 1, and the non-convex negative-margin case kappa = -0.5 at "
                       "alpha = 3. max_d S equals the Gardner entropy (dotted) when "
                       "kappa_ref >= kappa. For kappa < 0 RS may be unstable (see the replicon).",
           source="Baldassi et al., PRE 108, 024310 (2023) (arXiv:2304.13871)",
           params="alpha = 1, kappa = 0; alpha = 3, kappa = -0.5",
           order=62),
]
