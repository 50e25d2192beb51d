"""Gallery: the local entropy of the densest regions (large-deviation reference measure,
y = infinity) next to the local entropy around the max-margin solution.

Binary perceptron, kappa = 0, RS, unconstrained reference (docs/THEORY.md §8.2). Data cached in
data_dir (JSON). The thresholds drawn in panel (b) are computed by
``replica threshold nonmonotonic|negative --model binary --measure large-deviation
--free-reference`` (quick mode: read from the constants below, which those commands reproduce;
the test suite recomputes the non-monotonicity bracket).
"""
from __future__ import annotations

import numpy as np

from . import Figure
from ._cache import cached

__all__ = ["FIGURES", "ld_curve_data"]

#: thresholds (RS, kappa = 0): large-deviation y = inf with an unconstrained reference
#: (this package; commands in the module docstring), the max-margin proxies (PRL 127, 278301
#: (2021)), the algorithmic range and the capacity (Krauth–Mézard)
ALPHA_LD_NONMONOTONIC = 0.75524
ALPHA_LD_NEGATIVE = 0.81434
ALPHA_MM_NONMONOTONIC = 0.729
ALPHA_MM_NEGATIVE = 0.748
ALGORITHMIC = (0.75, 0.77)
CAPACITY = 0.8331


def ld_curve_data(data_dir, alpha, d, quick=False):
    """S_I(d) at y = infinity (unconstrained reference) on the grid d: both branches (from
    small d upwards and from d = 0.05 downwards), cached."""
    d = [float(x) for x in d]
    params = {"alpha": alpha, "d": d, "quick": bool(quick), "kind": "ld-free-inf"}

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


def _arr(v):
    return np.array([np.nan if x is None else x for x in v], dtype=float)


def build(out_dir, quick, data_dir):
    from ..models.franz_parisi import h2
    from ..plotting import new_figure, save
    from .local_entropy import curve_data

    alphas = [0.76] if quick else [0.60, 0.70, 0.74, 0.76, 0.78]
    d = np.geomspace(1e-3, 0.12, 8 if quick else 48)
    fig, (ax, bx) = new_figure(ncols=2, width=3.6, height=3.0)
    dd = np.linspace(1e-4, 0.12, 300)
    ax.plot(dd, h2(dd), "k--", lw=0.8, label=r"$H_2(d)$")
    colors = ["C0", "C1", "C2", "C3", "C4"]
    for a, c in zip(alphas, colors):
        r = ld_curve_data(data_dir, a, d, quick)
        ax.plot(d, _arr(r["S_small"]), "-", color=c, lw=1.2, label=r"$\alpha=%g$" % a)
        ax.plot(d, _arr(r["S_large"]), "-", color=c, lw=1.2)
        mm = curve_data(data_dir, "binary", a, "max", 0.0, d, quick)
        ax.plot(d, _arr(mm["S"]), ":", color=c, lw=1.0)
    ax.axhline(0, color="0.6", lw=0.5)
    ax.set_xlim(0, 0.12)
    ax.set_ylim(-0.02, 0.12)
    ax.set_xlabel(r"$d$")
    ax.set_ylabel(r"$S_I(d)$ (solid), max-margin $S(d)$ (dotted)")
    ax.set_title(r"binary, $\kappa=0$, $y=\infty$")
    ax.legend(fontsize=6, loc="upper left")
    # (b) thresholds on the alpha axis
    rows = [("capacity", CAPACITY, "k"),
            ("LD: negative shell", ALPHA_LD_NEGATIVE, "C3"),
            ("LD: non-monotonic", ALPHA_LD_NONMONOTONIC, "C3"),
            ("max-margin: negative", ALPHA_MM_NEGATIVE, "C0"),
            ("max-margin: non-monotonic", ALPHA_MM_NONMONOTONIC, "C0")]
    bx.axvspan(*ALGORITHMIC, color="0.85", label="best algorithms")
    for i, (lab, a, c) in enumerate(rows):
        bx.plot([a], [i], "o", color=c)
        bx.annotate(f"{lab}  {a:g}", (a, i), xytext=(4, 3), textcoords="offset points",
                    fontsize=6)
    bx.set_yticks([])
    bx.set_xlim(0.70, 0.86)
    bx.set_ylim(-0.7, len(rows) - 0.3)
    bx.set_xlabel(r"$\alpha$")
    bx.set_title("thresholds (RS)")
    bx.legend(fontsize=6, loc="lower left")
    return save(fig, out_dir, "large_deviation_local_entropy")


FIGURES = [
    Figure(name="large_deviation_local_entropy",
           title="Local entropy of the densest regions (large deviations, y = inf) vs max-margin",
           build=build,
           description="(a) S_I(d): the local entropy of the densest regions, i.e. the local "
                       "entropy around the reference selected by the large-deviation measure "
                       "X(w~) exp(y N S(w~, d)) at y = infinity (RS, unconstrained reference, "
                       "kappa = 0), solid, for several alpha; dotted, same colour: the "
                       "Franz-Parisi local entropy around the max-margin solution; dashed: "
                       "H2(d). S_I lies between the two. Below alpha_LD ~ 0.7552 S_I is one "
                       "monotonic branch; beyond it the branch followed from small d ends at "
                       "a maximum (ph = 0) and a second branch starts at larger d (both are "
                       "drawn; the gap between them is where neither exists). (b) the "
                       "thresholds: large-deviation (this package) and max-margin proxies "
                       "(PRL 2021), the range reached by the best solvers and the capacity.",
           source="Baldassi, Ingrosso, Lucibello, Saglietti, Zecchina, PRL 115, 128101 (2015); "
                  "Baldassi et al., PRL 127, 278301 (2021); Malatesta, arXiv:2309.09240",
           params="kappa = 0, y = inf, unconstrained reference, alpha in {0.6, 0.7, 0.74, "
                  "0.76, 0.78}",
           order=62),
]
