r"""Phase-diagram figures (docs/THEORY.md §3): drawn from the data of
:mod:`replica.phase_diagram` (which computes, stores and classifies; this module only draws).

* ``phase_diagram_binary`` — binary perceptron in the (alpha, kappa_ref) plane, neighbours with
  kappa = 0 (PRL 127, 278301 (2021)): the class of every grid point (dense, non-monotonic,
  isolated), the refined lines kappa_min(alpha) and kappa_u(alpha) (events to 1e-5), the
  max-margin row on the kappa_max(alpha) curve with its refined transitions in alpha, the
  capacity and the algorithmic range.
* ``phase_diagram_spherical`` — spherical perceptron in the (alpha, kappa) plane: capacity and
  the de Almeida–Thouless line over the replicon sign of a Gardner continuation scan.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np

from . import Figure
from ..phase_diagram import (ALGORITHMIC_RANGE, BINARY_DEFAULT, BINARY_QUICK, at_point,
                             binary_data, classify, event_lines, event_point, profile_point,
                             spherical_data, zero_crossings)

__all__ = ["FIGURES", "build_binary", "build_spherical", "draw_binary", "draw_spherical",
           "binary_data", "spherical_data", "profile_point", "event_point", "at_point",
           "classify", "BINARY_DEFAULT", "BINARY_QUICK"]

_zero_crossings = zero_crossings


def _count_cache(result) -> None:
    from . import _cache

    _cache.STATS["misses" if result.computed else "hits"] += 1


def build_binary(out_dir: Path, quick: bool, data_dir: Path, **scan_kw) -> list[Path]:
    """Compute (or reload) :func:`replica.phase_diagram.binary_data` and draw it."""
    return draw_binary(binary_data(data_dir, quick, note=_count_cache, **scan_kw), out_dir, quick)


def build_spherical(out_dir: Path, quick: bool, data_dir: Path, **scan_kw) -> list[Path]:
    """Compute (or reload) :func:`replica.phase_diagram.spherical_data` and draw it."""
    return draw_spherical(spherical_data(data_dir, quick, note=_count_cache, **scan_kw), out_dir,
                          quick)


def draw_binary(data: dict, out_dir: Path, quick: bool) -> list[Path]:
    from ..models.gardner import kappa_max
    from ..plotting import PALETTE, new_figure, place_legend, save

    ref, mx, ac = data["ref"], data["max"], data["capacity"]
    fig, ax = new_figure(width=4.6, height=3.4)
    n_line = 60 if not quick else 20
    a_line = np.concatenate([np.linspace(0.05, 0.78, n_line), ac - (ac - 0.78) * np.linspace(
        1, 0, n_line) ** 2])   # denser towards the capacity, where kappa_max falls fastest
    k_line = np.array([kappa_max("binary", a) for a in a_line])
    top = max(0.8, float(np.max(data["config"]["kappa_refs"])) + 0.1)
    ax.fill_between(a_line, k_line, top, color="0.88", lw=0, label=r"$\kappa_{\rm ref} > "
                    r"\kappa_{\max}(\alpha)$: no reference")
    ax.axvspan(ac, 1.0, color="0.7", lw=0, label=r"$\alpha > \alpha_c = %.3f$" % ac)
    ax.axvspan(*ALGORITHMIC_RANGE, color=PALETTE[4], alpha=0.25, lw=0,
               label="algorithms stop (0.75–0.77)")
    ax.plot(a_line, k_line, color="k", lw=1.2, label=r"$\kappa_{\max}(\alpha)$")
    ax.axvline(ac, color="k", lw=0.8, ls=":")
    names = ["dense (S monotonic)", "non-monotonic S", "isolated (S < 0)"]
    colors = [PALETTE[2], PALETTE[4], PALETTE[1]]
    markers = ["s", "D", "v"]
    ok = ref["status"] == "ok"
    cls = classify(ref["min_slope"], ref["min_S"])
    for c in range(3):
        m = ok & (cls == c)
        if m.any():
            ax.scatter(ref["alpha"][m], ref["kappa_ref"][m], s=11, marker=markers[c],
                       color=colors[c], label=names[c], zorder=3)
    trunc = ok & np.array([str(t).startswith("no RS") for t in
                           ref.get("truncated", [""] * len(ok))], dtype=bool)
    if trunc.any():
        ax.scatter(ref["alpha"][trunc], ref["kappa_ref"][trunc], s=4, color="k", zorder=5,
                   label="RS saddle lost at small d (window truncated)")
    if (~ok).any():
        ax.scatter(ref["alpha"][~ok], ref["kappa_ref"][~ok], s=22, marker="o",
                   facecolor="none", edgecolor="r", label="no RS solution (see store)", zorder=3)
    # max-margin references along the kappa_max curve
    okm = mx["status"] == "ok"
    cm = classify(mx["min_slope"], mx["min_S"])
    for c in range(3):
        m = okm & (cm == c)
        if m.any():
            ax.scatter(mx["alpha"][m], mx["kappa_ref_value"][m], s=40, marker=markers[c],
                       color=colors[c], edgecolor="k", lw=0.6, zorder=4)
    # transitions of the max-margin row: refined events (brentq, 1e-6) when computed, else
    # linearly interpolated between stored alphas
    ev = data.get("events")
    refined = {}
    if ev is not None:
        for e, a0, st in zip(ev["event"], ev["alpha"], ev["status"]):
            if st == "ok":
                refined[e] = float(a0)
    order = np.argsort(mx["alpha"][okm])
    am = mx["alpha"][okm][order]
    for key, ev_name, ls, lab in [("min_slope", "nonmonotonic", "--",
                                   "max-margin: S non-monotonic"),
                                  ("min_S", "negative", "-.", "max-margin: S < 0")]:
        if ev_name in refined:
            a0 = refined[ev_name]
            ax.axvline(a0, color="0.3", lw=0.9, ls=ls, label=lab + r" ($\alpha$ = %.4f)" % a0)
            continue
        for a0 in zero_crossings(am, mx[key][okm][order])[:1]:
            ax.axvline(a0, color="0.3", lw=0.9, ls=ls, label=lab + r" ($\approx$%.3f)" % a0)
    # kappa_min(alpha) and kappa_u(alpha): events refined at fixed alpha (1e-5), each line
    # closed on the kappa_max curve at its max-margin event (replica.phase_diagram.event_lines)
    lines = event_lines(data)
    for ev_name, col, lab in [("nonmonotonic", colors[1],
                               r"$\kappa_u(\alpha)$: S non-monotonic below"),
                              ("negative", colors[2],
                               r"$\kappa_{\min}(\alpha)$: S < 0 on a shell below")]:
        if ev_name in lines:
            a_l, k_l = lines[ev_name]
            ax.plot(a_l, k_l, color=col, lw=1.4, marker="o", ms=2.5, label=lab, zorder=4)
    ax.set_xlim(min(0.25, float(np.min(ref["alpha"])) - 0.05), 0.9)
    ax.set_ylim(0.0, top)
    # square-root axis: the events at small kappa_ref are spread out, kappa_max stays in view
    ax.set_yscale("function", functions=(np.sqrt, np.square))
    ax.set_yticks([0.0, 0.01, 0.05, 0.1, 0.2, 0.4, 0.6, 0.8])
    ax.set_xlabel(r"$\alpha = P/N$")
    ax.set_ylabel(r"reference margin $\kappa_{\rm ref}$")
    ax.set_title(r"Binary perceptron: local entropy around references ($\kappa = 0$)")
    place_legend(ax, outside="right")
    return save(fig, out_dir, "phase_diagram_binary")


def draw_spherical(data: dict, out_dir: Path, quick: bool) -> list[Path]:
    from ..models.gardner import capacity_spherical_closed_form as acf
    from ..plotting import LEGEND_FONTSIZE, PALETTE, new_figure, save

    g, at = data["gardner"], data["at"]
    fig, ax = new_figure(width=4.2, height=3.2)
    k_line = np.linspace(-2.2, 1.2, 200)
    a_line = np.array([acf(k) for k in k_line])
    ax.fill_betweenx(k_line, a_line, 1e3, color="0.85", lw=0, label="UNSAT (no solutions)")
    ax.plot(a_line, k_line, color="k", lw=1.3, label=r"capacity $\alpha_c(\kappa)$")
    ok = g["status"] == "ok"
    stable = ok & (g["replicon"] > 0)
    ax.scatter(g["alpha"][stable], g["kappa"][stable], s=6, color=PALETTE[2],
               label="RS stable (replicon > 0)")
    ax.scatter(g["alpha"][ok & ~stable], g["kappa"][ok & ~stable], s=6, color=PALETTE[1],
               label="RS unstable")
    oka = at["status"] == "ok"
    order = np.argsort(at["kappa"][oka])
    ax.plot(at["alpha_at"][oka][order], at["kappa"][oka][order], color=PALETTE[3], lw=1.4,
            ls="--", marker="o", ms=3, label="AT line (replicon = 0)")
    ax.axhline(0.0, color="0.5", lw=0.6)
    ax.set_xscale("log")
    ax.set_xlim(0.05, 400)
    ax.set_ylim(-2.2, 1.2)
    ax.set_xlabel(r"$\alpha = P/N$")
    ax.set_ylabel(r"margin $\kappa$")
    ax.set_title("Spherical perceptron: capacity and AT line")
    ax.legend(loc="upper left", bbox_to_anchor=(1.02, 1.0), fontsize=LEGEND_FONTSIZE)
    return save(fig, out_dir, "phase_diagram_spherical")


FIGURES = [
    Figure(
        name="phase_diagram_binary",
        title="Binary perceptron: where wide flat minima exist, in the (alpha, kappa_ref) plane",
        build=build_binary,
        description=(
            "Franz–Parisi local entropy S(d) around references of margin kappa_ref, neighbours "
            "of margin 0, classified at each grid point: dense (S increasing up to the typical "
            "distance), non-monotonic, or isolated (S < 0 on a shell near the reference). Large "
            "markers on the kappa_max(alpha) curve are the max-margin references; vertical lines "
            "mark where their S first becomes non-monotonic and then negative (events refined "
            "by brentq). The lines kappa_u(alpha) (S non-monotonic below) and kappa_min(alpha) "
            "(S < 0 on a shell below) are events refined to 1e-5 at each alpha of the grid "
            "(`replica threshold nonmonotonic|negative --model binary --alpha A`), each alpha's "
            "search started from the previous alpha's event; above the max-margin events the "
            "searches report the event absent (every reference up to kappa_max is "
            "non-monotonic, resp. isolated), and each line ends on the kappa_max(alpha) curve at "
            "its max-margin event. The indicators use S(0) = 0 and stop at RS-unstable "
            "distances. Shaded: no reference (kappa_ref > "
            "kappa_max), beyond capacity 0.833, and the range 0.75–0.77 where algorithms "
            "stop."),
        source="Baldassi, Lauditi, Malatesta, Perugini, Zecchina, PRL 127, 278301 (2021), "
               "Figs. 1–2; docs/THEORY.md §2–3",
        params="kappa = 0; d in [1e-4, 0.8 d*]; alpha and kappa_ref grids in BINARY_DEFAULT",
        order=60, tags=("phase diagram", "local entropy")),
    Figure(
        name="phase_diagram_spherical",
        title="Spherical perceptron: capacity and AT line in the (alpha, kappa) plane",
        build=build_spherical,
        description=(
            "Capacity alpha_c(kappa) (Gardner 1988) and the de Almeida–Thouless line where the RS "
            "replicon 1 - alpha int Dz [G(G-u)]^2 vanishes (events refined by brentq to 1e-6), "
            "over the replicon sign of a warm-started continuation scan of the Gardner volume. "
            "For kappa < 0 RS is unstable between the AT line and capacity, where the RS "
            "capacity is only an upper bound."),
        source="Gardner 1988; Franz & Parisi 2016; Franz et al. 2017; docs/THEORY.md §1, §3",
        params="kappa in [-2, 1]; alpha up to 0.96 alpha_c(kappa)",
        order=61, tags=("phase diagram",)),
]
