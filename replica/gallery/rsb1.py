"""One-step RSB figures: the spherical jamming line (RS, AT, 1RSB) and the m-overlap-gap
thresholds alpha_OGP(m) of the binary perceptrons."""
from __future__ import annotations

from pathlib import Path

import numpy as np

from . import Figure
from ._cache import cached


def _jamming_curves(quick: bool) -> dict:
    from ..models.gardner import capacity_spherical_closed_form
    from ..rsb1_thresholds import jamming_line
    from ..thresholds import at_alpha

    k_rs = np.linspace(-3.0, 0.5, 71)
    # uniform in kappa below -1 (the crossing with the AT line near -2.87), geometric above
    k_1 = (np.array([-3.0, -1.5, -0.05]) if quick else
           np.concatenate([np.linspace(-3.0, -1.125, 16), -np.geomspace(0.05, 1.0, 10)[::-1]]))
    k_at = (np.array([-3.0, -1.5, -0.01]) if quick else
            np.concatenate([np.linspace(-3.0, -1.1, 20), -np.geomspace(0.01, 1.0, 14)[::-1]]))
    r1 = jamming_line([float(k) for k in k_1])
    return {"rs": {"kappa": k_rs.tolist(),
                   "alpha": [capacity_spherical_closed_form(k) for k in k_rs]},
            "at": {"kappa": k_at.tolist(), "alpha": [at_alpha(float(k)).value for k in k_at]},
            "rsb1": {"kappa": k_1.tolist(), "alpha": [r["alpha"] for r in r1],
                     "alpha_at": [r["alpha_at"] for r in r1],
                     "below_at": [r["below_at"] for r in r1],
                     "q0": [r["q0"] for r in r1], "mu": [r["mu"] for r in r1]}}


def _crossing(kappa, alpha, alpha_at):
    """kappa where alpha_c^1RSB = alpha_AT, by linear interpolation of ln(alpha/alpha_AT) between
    the two margins that bracket the sign change (None if the lines do not cross)."""
    g = np.log(np.asarray(alpha) / np.asarray(alpha_at))
    for i in range(len(g) - 1):
        if g[i] < 0 <= g[i + 1]:
            return kappa[i] - g[i] * (kappa[i + 1] - kappa[i]) / (g[i + 1] - g[i])
    return None


def build_jamming(out_dir: Path, quick: bool, data_dir: Path):
    from ..plotting import new_figure, place_legend, save

    d = cached(data_dir, "rsb1_jamming_v4", {"quick": quick}, lambda: _jamming_curves(quick))
    fig, ax = new_figure(width=4.6, height=3.6)
    k, a = np.array(d["rs"]["kappa"]), np.array(d["rs"]["alpha"])
    ax.plot(k[k >= 0], a[k >= 0], color="C0", label=r"$\alpha_c^{\rm RS}$ (Gardner, exact)")
    ax.plot(k[k <= 0], a[k <= 0], color="C0", ls=":",
            label=r"$\alpha_c^{\rm RS}$ beyond the AT line (RS unstable)")
    ax.plot(d["at"]["kappa"], d["at"]["alpha"], color="k", ls="--", lw=1,
            label=r"AT line $\alpha_{\rm AT}(\kappa)$")
    r = d["rsb1"]
    k1, a1, below = np.array(r["kappa"]), np.array(r["alpha"]), np.array(r["below_at"])
    ok = ~below
    if below.any():   # the two styles share the point where they meet
        ok[np.flatnonzero(below)[-1] + 1:] = True
        last = np.flatnonzero(below)[-1] + 2
        ax.plot(k1[:last], a1[:last], "o--", color="C3", ms=3, mfc="none", lw=1,
                label=r"$\alpha_c^{\rm 1RSB}$ below the AT line: discontinuous within 1RSB")
    ax.plot(k1[ok], a1[ok], "o-", color="C3", ms=2.5,
            label=r"$\alpha_c^{\rm 1RSB}(\kappa)$ (= RS for $\kappa \geq 0$)")
    ks = _crossing(k1, a1, r["alpha_at"])
    if ks is not None:
        ax.axvline(ks, color="0.5", lw=0.6, ls=":")
        ax.annotate(rf"$\kappa^*\approx{ks:.2f}$", (ks, 2.0), xytext=(3, 0),
                    textcoords="offset points", fontsize=7.5, color="0.3")
    ax.set(xlabel=r"margin $\kappa$", ylabel=r"$\alpha$", yscale="log", xlim=(-3.0, 0.5),
           title="spherical perceptron: SAT/UNSAT (jamming) line")
    place_legend(ax, loc="upper right")
    return save(fig, out_dir, "rsb1_jamming")


def _ogp_values(quick: bool) -> dict:
    from ..models.gardner import capacity
    from ..models.rsb1 import sbp_capacity
    from ..rsb1_thresholds import alpha_ogp

    ms = [2, 3] if quick else [2, 3, 4, 5, 6]
    abp = [alpha_ogp("binary", 0.0, m) for m in (ms[:1] if quick else ms)]
    sbp = [alpha_ogp("binary", 1.0, m, constraint="symmetric") for m in ms]
    strip = lambda r: {k: v for k, v in r.items() if not k.startswith("grid")}
    return {"m": ms, "abp": [strip(r) for r in abp], "sbp": [strip(r) for r in sbp],
            "abp_capacity": capacity("binary", 0.0), "sbp_capacity": sbp_capacity(1.0)}


def _physical_and_not(ax, ms, a):
    """alpha_OGP(m): filled up to the minimum over m, open (dashed) beyond it (unphysical)."""
    star = int(np.argmin(a))
    ax.plot(ms[:star + 1], a[:star + 1], "o-", color="C3", ms=3,
            label=r"$\alpha_{\rm OGP}(m)$ (RS in the clones)")
    if star + 1 < len(ms):
        ax.plot(ms[star:], a[star:], "--", color="C3")
        ax.plot(ms[star + 1:], a[star + 1:], "o", color="C3", ms=3, mfc="white",
                label="beyond the minimum over m: unphysical")


def build_ogp(out_dir: Path, quick: bool, data_dir: Path):
    from ..plotting import LEGEND_FONTSIZE, new_figure, save
    from ..testing.references import get_reference

    d = cached(data_dir, "rsb1_ogp_v2", {"quick": quick}, lambda: _ogp_values(quick))
    ms = np.array(d["m"])
    fig, (ax1, ax2) = new_figure(ncols=2, width=7.6, height=4.4)
    a = np.array([r["alpha"] for r in d["abp"]])
    _physical_and_not(ax1, ms[:len(a)], a)
    ax1.axhline(d["abp_capacity"], color="k", lw=0.8, label=r"capacity $\alpha_c = 0.8331$")
    for name, ls in (("binary.alpha_nonmonotonic.kappa_ref=max.kappa=0", ":"),
                     ("binary.alpha_negative.kappa_ref=max.kappa=0", "-.")):
        v = get_reference(name).value
        ax1.axhline(v, color="C0", ls=ls, lw=0.9, label=f"max-margin proxy {v:.3f}")
    ax1.axhspan(0.75, 0.77, color="C2", alpha=0.25, lw=0, label="algorithms (0.75–0.77)")
    ax1.set(xlabel="number of clones m", ylabel=r"$\alpha$", xticks=ms, ylim=(0.72, 0.84),
            title=r"binary perceptron, $\kappa = 0$")
    # below the panels: the horizontal lines span the whole axes
    ax1.legend(loc="upper center", bbox_to_anchor=(0.5, -0.16), ncol=2,
               fontsize=LEGEND_FONTSIZE)
    s = np.array([r["alpha"] for r in d["sbp"]])
    _physical_and_not(ax2, ms, s)
    pub = {2: 1.7001, 3: 1.6664, 4: 1.6578, 5: 1.6593}
    pm = [m for m in ms if m in pub]
    ax2.plot(pm, [pub[m] for m in pm], "x", color="k", ms=5,
             label="arXiv:2607.27000 Table 2")
    ax2.axhline(d["sbp_capacity"], color="k", lw=0.8, label=r"capacity 1.8159")
    ax2.set(xlabel="number of clones m", xticks=ms, ylim=(1.64, 1.83),
            title=r"symmetric binary perceptron, $\kappa = 1$")
    ax2.legend(loc="upper center", bbox_to_anchor=(0.5, -0.16), ncol=2,
               fontsize=LEGEND_FONTSIZE)
    return save(fig, out_dir, "rsb1_ogp")


def _frozen_values(quick: bool) -> dict:
    from ..models.gardner import gardner
    from ..models.rsb1 import frozen_m1_profile, frozen_m1_terms

    q0 = gardner("binary", 0.7, 0.0).order["q"]
    n = 6 if quick else 60
    lin = np.linspace(q0, 0.95, n // 2)
    tail = 1.0 - np.geomspace(0.05, 1e-6, n // 2)
    q1 = np.concatenate([lin, tail])
    prof = frozen_m1_profile(0.7, 0.0, q1.tolist())
    pt = [frozen_m1_terms(0.7, 0.0, float(q))["phi_tilde"] for q in q1]
    return {"q0": q0, "q1": q1.tolist(), "dphi_dqh1": prof["dphi_dqh1"], "phi_tilde": pt,
            "s_rs": float(gardner("binary", 0.7, 0.0).entropy)}


def build_frozen(out_dir: Path, quick: bool, data_dir: Path):
    from ..plotting import new_figure, place_legend, save

    d = cached(data_dir, "rsb1_frozen", {"quick": quick}, lambda: _frozen_values(quick))
    fig, (ax1, ax2) = new_figure(ncols=2, width=7.6, height=3.2)
    q1 = np.array(d["q1"])
    ax1.plot(q1, d["dphi_dqh1"], color="C3", label=r"$\partial\tilde\phi/\partial\hat q_1$, "
             r"$\beta = \infty$")
    ax1.axhline(0.0, color="k", lw=0.6)
    ax1.plot([d["q0"], 1.0], [0.0, 0.0], "o", color="k", ms=4,
             label=r"zeros: $q_1 = q_0$ (RS), $q_1 = 1$ (frozen)")
    ax1.set(xlabel=r"$q_1$", ylabel=r"$\partial\tilde\phi/\partial\hat q_1$",
            title=r"binary perceptron, $\alpha = 0.7$, $m \to 1$")
    place_legend(ax1, loc="lower left")
    ax2.plot(q1, d["phi_tilde"], color="C3", label=r"$\tilde\phi(q_1)$")
    ax2.axhline(-d["s_rs"], color="C0", ls="--", lw=0.9,
                label=r"$-S_{\rm RS}$ (frozen: no internal entropy)")
    ax2.set(xlabel=r"$q_1$", ylabel=r"$\tilde\phi$", title=r"$\tilde\phi = \partial_m\Phi|_{m=1}$ with "
            r"$\hat q_1 = \alpha Q_1(q_1)$")
    place_legend(ax2, loc="upper left")
    return save(fig, out_dir, "rsb1_frozen")


FIGURES = [
    Figure(
        name="rsb1_jamming",
        title="Spherical SAT/UNSAT line: RS capacity, AT line and the 1RSB jamming line",
        build=build_jamming,
        description=(
            "Spherical perceptron. Blue: Gardner's RS capacity 1/int Dt (kappa - t)_+^2. Dashed: "
            "the de Almeida–Thouless line, above which RS is unstable (kappa < 0). Red: the 1RSB "
            "SAT/UNSAT line, the stationary value of alpha = -A/B of Psi(q0, mu) = A + alpha B "
            "(the q1 -> 1 limit of the 1RSB free entropy with m = mu (1 - q1)); it equals the "
            "RS capacity for kappa >= 0 (the minimum sits at mu -> 0) and lies below it for "
            "kappa < 0, where the RS capacity is only an upper bound. 1RSB is itself not exact "
            "there (full RSB is needed; Franz et al. 2017). Dotted: the RS capacity for "
            "kappa < 0, above the AT line, where the RS solution is unstable (not a physical "
            "threshold). Below kappa* ~ -2.87 the 1RSB line falls below the AT line (open "
            "circles): the 1RSB branch born at the AT line folds back and its q1 -> 1 part "
            "(q0 ~ 0.02, small m) extends below alpha_AT, with a static m < 1 and a free "
            "entropy below RS where RS is "
            "still locally stable: a discontinuous transition within 1RSB (theory notebook "
            "rsb1_derivation §7b; whether full RSB keeps it is open), so it is not bounded "
            "below by the AT line. We found no published table of the 1RSB line to compare with (searched: "
            "Franz & Parisi 2016, Franz et al. 2017, Annesi, Malatesta, Zamponi 2025); the "
            "exact line needs full RSB, and further levels of breaking lower the estimate "
            "(Stojnic's lifted random-duality bounds, arXiv:2312.16531)."),
        source="Gardner 1988; Franz & Parisi 2016; Franz, Parisi, Sevelev, Urbani, Zamponi, "
               "SciPost Phys. 2, 019 (2017); docs/THEORY.md §8.1",
        params="kappa in [-3, 0.5]; 1RSB at 26 margins in [-3, -0.05]",
        order=40,
    ),
    Figure(
        name="rsb1_ogp",
        title="m-overlap-gap thresholds alpha_OGP(m) of the binary perceptrons",
        build=build_ogp,
        description=(
            "alpha_OGP(m) = min over q1 of the load where the entropy per clone of m clones at "
            "mutual overlap q1 vanishes (RS inside the clones). Left, binary perceptron at "
            "kappa = 0, with the capacity 0.8331, the local-entropy transitions around the "
            "max-margin solution (0.729: S(d) no longer monotone; 0.748: S(d) negative on a "
            "shell) and the range where the best algorithms stop (0.75–0.77, shaded). Right, "
            "the symmetric binary perceptron at kappa = 1 against the published Table 2. The "
            "increase beyond the minimum over m (open symbols, dashed) is unphysical: a "
            "physical alpha_OGP(m) is non-increasing in m; the minimum over m is the estimate."),
        source="Malatesta, Passalacqua, Zecchina, arXiv:2607.27000, eqs. 22–32, Table 2, "
               "App. A.2; docs/THEORY.md §8.1",
        params="m = 2..6; kappa = 0 (binary), kappa = 1 (SBP)",
        order=41,
    ),
    Figure(
        name="rsb1_frozen",
        title="Binary perceptron, m -> 1: the RS and the frozen zeros (zero temperature)",
        build=build_frozen,
        description=(
            "The m -> 1 expansion of the 1RSB free entropy of the binary perceptron at "
            "alpha = 0.7, kappa = 0 and zero temperature (the beta -> infinity limit of "
            "arXiv:2607.27000 Fig. 9): left, d phi~/d qh1 with qh1 = alpha Q1(q1) substituted; "
            "it vanishes at q1 = q0 (the RS solution) and as q1 -> 1 (the frozen solution, "
            "qh1 ~ C/sqrt(1 - q1)), and once more in between (an intermediate solution near "
            "q1 = 0.99). Right, phi~ = dPhi/dm at m = 1: it tends to -S_RS as q1 -> 1, i.e. "
            "the frozen states have no internal entropy and complexity S_RS at m = 1, which "
            "vanishes at the RS (Krauth–Mézard) capacity 0.8331."),
        source="Malatesta, Passalacqua, Zecchina, arXiv:2607.27000, App. B, eqs. 53–64, Fig. 9; "
               "Huang & Kabashima 2014; docs/THEORY.md §8.1",
        params="alpha = 0.7, kappa = 0, q1 from q0 to 1 - 1e-6",
        order=42,
    ),
]
