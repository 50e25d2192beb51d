"""Gallery: the local entropy of the densest regions (large-deviation reference measure,
y = infinity) next to the local entropy around the max-margin solution, and the thresholds of
the binary perceptron (kappa = 0) on one alpha axis.

RS, kappa = 0 (docs/THEORY.md §8.2). Data cached in data_dir (JSON). The large-deviation
thresholds drawn in panel (b) are computed by

    replica threshold nonmonotonic --model binary --measure large-deviation [--free-reference]
    replica threshold negative     --model binary --measure large-deviation [--free-reference]

(too slow for a figure build: the constants below, which those commands reproduce; the test
suite checks their brackets). alpha_OGP(4) and the capacity are computed here.
"""
from __future__ import annotations

import numpy as np

from . import Figure
from ._cache import cached

__all__ = ["FIGURES", "ld_curve_data"]

#: large-deviation thresholds at y = infinity, kappa = 0 (commands in the module docstring):
#: unconstrained reference and reference a solution of margin 0
ALPHA_LD_NONMONOTONIC_FREE = 0.75530
ALPHA_LD_NEGATIVE_FREE = 0.81422
ALPHA_LD_NONMONOTONIC_CON = 0.75529
ALPHA_LD_NEGATIVE_CON = 0.81423
#: the max-margin proxies (Franz-Parisi around the max-margin solution: PRL 127, 278301
#: (2021); reproduced by ``replica threshold nonmonotonic|negative --kappa-ref max``)
ALPHA_MM_NONMONOTONIC = 0.729
ALPHA_MM_NEGATIVE = 0.748
#: range where the best algorithms stop finding solutions (published; Baldassi et al. 2021)
ALGORITHMIC = (0.75, 0.77)


def ld_curve_data(data_dir, alpha, d, quick=False):
    """S_I(d) at y = infinity (unconstrained reference) on the grid d: both branches (from
    small d upwards and from d = 0.05 downwards), cached."""
    d = [float(x) for x in d]
    params = {"alpha": alpha, "d": d, "quick": bool(quick), "kind": "ld-free-inf", "v": 2}

    def compute():
        from ..ld_thresholds import _start_small
        from ..models.large_deviation import sweep
        x0 = _start_small(alpha, 0.0, None, d[0])
        lo, lost_lo = sweep(alpha, d, 0.0, None, x0=x0, start_d=d[0])
        hi, lost_hi = sweep(alpha, d, 0.0, None, start_d=0.05)
        val = lambda s, k: None if s is None else float(s.thermo[k])
        return {"d": d, "S_small": [val(s, "entropy") for s in lo],
                "S_large": [val(s, "entropy") for s in hi],
                "end_small": lost_lo["above"], "end_large": lost_hi["below"]}
    return cached(data_dir, "ld_curve", params, compute)


def _context(data_dir, quick):
    """alpha_OGP(4) (replica.models.rsb1, binary, kappa = 0) and the capacity alpha_c(0)."""
    def compute():
        from ..models.gardner import capacity
        from ..rsb1_thresholds import alpha_ogp
        out = {"capacity": float(capacity("binary", 0.0))}
        if not quick:
            out["ogp4"] = float(alpha_ogp("binary", 0.0, 4)["alpha"])
        return out
    return cached(data_dir, "ld_context", {"quick": bool(quick)}, compute)


def _arr(v):
    return np.array([np.nan if x is None else x for x in v], dtype=float)


def build(out_dir, quick, data_dir):
    from ..models.franz_parisi import h2
    from ..plotting import new_figure, place_legend, save
    from .local_entropy import curve_data

    alphas = [0.76] if quick else [0.60, 0.70, 0.74, 0.76, 0.78]
    d = np.geomspace(1e-3, 0.12, 8 if quick else 48)
    fig, (ax, bx) = new_figure(ncols=2, width=3.9, height=3.4)
    dd = np.linspace(1e-4, 0.05, 200)
    ax.plot(dd, h2(dd), ":", color="k", lw=0.8, label=r"$H_2(d)$")
    colors = ["C0", "C1", "C2", "C3", "C4"]
    for a, c in zip(alphas, colors):
        r = ld_curve_data(data_dir, a, d, quick)
        ax.plot(d, _arr(r["S_small"]), "-", color=c, lw=1.2, label=r"$\alpha=%g$" % a)
        ax.plot(d, _arr(r["S_large"]), "-", color=c, lw=1.2)
        mm = curve_data(data_dir, "binary", a, "max", 0.0, d, quick)
        ax.plot(d, _arr(mm["S"]), "--", color=c, lw=0.9)
    ax.plot([], [], "k-", lw=1.2, label=r"$S_I$, $y=\infty$")
    ax.plot([], [], "k--", lw=0.9, label="max-margin")
    ax.axhline(0, color="0.6", lw=0.5)
    ax.set_xlim(0, 0.12)
    ax.set_ylim(-0.03, 0.32)
    ax.set_xlabel(r"distance $d$")
    ax.set_ylabel(r"local entropy")
    ax.set_title(r"(a) binary, $\kappa=0$: densest vs max-margin")
    place_legend(ax, loc="upper right", ncol=2)
    # (b) thresholds on one alpha axis, from the top in increasing alpha
    ctx = _context(data_dir, quick)
    rows = [("max-margin non-monotonic", ALPHA_MM_NONMONOTONIC, "C0", "o"),
            ("max-margin negative", ALPHA_MM_NEGATIVE, "C0", "o"),
            ("LD non-monotonic, free ref.", ALPHA_LD_NONMONOTONIC_FREE, "C3", "D"),
            ("LD non-monotonic, ref. sol.", ALPHA_LD_NONMONOTONIC_CON, "C3", "s"),
            (r"$\alpha_{\rm OGP}(4)$, 4 clones", ctx.get("ogp4"), "C2", "^"),
            ("LD negative shell, free ref.", ALPHA_LD_NEGATIVE_FREE, "C3", "D"),
            ("LD negative shell, ref. sol.", ALPHA_LD_NEGATIVE_CON, "C3", "s"),
            ("capacity", ctx["capacity"], "k", "o")]
    bx.axvspan(*ALGORITHMIC, color="0.88", label="algorithms stop (published)")
    n = len(rows)
    for i, (lab, a, c, mk) in enumerate(rows):
        if a is None:
            continue
        yv = n - 1 - i
        bx.plot([a], [yv], mk, color=c, ms=4)
        right = a > 0.79
        bx.annotate(f"{lab}: {a:.5g}", (a, yv), xytext=(-6 if right else 6, 0),
                    textcoords="offset points", fontsize=7.5, va="center",
                    ha="right" if right else "left")
    bx.set_yticks([])
    bx.set_xlim(0.70, 0.86)
    bx.set_ylim(-2.2, n - 0.4)
    bx.set_xlabel(r"load $\alpha$")
    bx.set_title("(b) thresholds, RS")
    place_legend(bx, loc="lower left")
    fig.tight_layout()
    return save(fig, out_dir, "large_deviation_local_entropy")


FIGURES = [
    Figure(name="large_deviation_local_entropy",
           title="Local entropy of the densest regions (large deviations, y = inf) vs max-margin",
           build=build,
           description="(a) S_I(d): the local entropy of the densest regions, i.e. around the "
                       "reference selected by the large-deviation measure "
                       "X(w~) exp(y N S(w~, d)) at y = infinity (RS, kappa = 0), solid, for "
                       "several alpha; dashed, same colour: the Franz-Parisi local entropy "
                       "around the max-margin solution; dotted: H2(d). Drawn: the "
                       "unconstrained reference; with the reference a solution (kappa~ = 0) "
                       "the curves coincide at small d (the constraint does not bind, R = 0) "
                       "and differ by < 1e-5 elsewhere on the plot. Below alpha ~ 0.7553 S_I "
                       "is one monotonic branch; beyond it the branch from small d ends at a "
                       "maximum (ph = 0) and a second branch starts at larger d (both drawn; "
                       "neither exists in the gap). (b) On one alpha axis: the large-deviation "
                       "thresholds (S_I stops being monotonic; S_I < 0 on a shell) for both "
                       "references (free ref.: unconstrained; ref. sol.: a solution of margin "
                       "0); the max-margin proxies (PRL 2021); alpha_OGP(4) of four "
                       "clones (RS in the clones, replica.models.rsb1); the range where the "
                       "best algorithms stop (published); the capacity. Caveats: RS in the "
                       "references at y = infinity; finite y approaches it only at the percent "
                       "level, and the complexity of the selected references decreases with y "
                       "(it may vanish at a finite y*, where RS in the references ends and "
                       "these thresholds would move down). Published context: a different "
                       "method (fully lifted random duality, Stojnic, arXiv:2506.19276) places "
                       "the breakdown of the local entropy in (0.77, 0.78).",
           source="Baldassi, Ingrosso, Lucibello, Saglietti, Zecchina, PRL 115, 128101 (2015); "
                  "Baldassi et al., PRL 127, 278301 (2021); Malatesta, arXiv:2309.09240; "
                  "Stojnic, arXiv:2506.19276",
           params="kappa = 0, y = inf, alpha in {0.6, 0.7, 0.74, 0.76, 0.78}",
           order=62),
]
