r"""Phase diagrams of wide flat minima (docs/THEORY.md §3), built from stored scan results.

* ``phase_diagram_binary`` — binary perceptron in the (alpha, kappa_ref) plane, neighbours
  counted with kappa = 0 (Baldassi, Lauditi, Malatesta, Perugini, Zecchina, PRL 127, 278301
  (2021)). At every grid point the Franz–Parisi local entropy S(d) around references of margin
  kappa_ref is sampled on d in [d_lo, 0.8 d*] (:func:`replica.thresholds.local_entropy_profile`)
  and classified: *dense* (S increasing on (0, d*): min dS/dd > 0), *non-monotonic* (min dS/dd < 0,
  S > 0) and *isolated* (S < 0 on a shell at small d). The zero lines of the two indicators are
  interpolated from the grid; the max-margin references (kappa_ref = kappa_max(alpha)) are a
  separate row along the kappa_max curve. Regions beyond kappa_max(alpha) (no reference exists)
  and beyond the capacity alpha_c(0) = 0.833 are shaded; the band 0.75–0.77 marks where the best
  known algorithms stop finding solutions (Baldassi et al. PRL 2015, PNAS 2016; Braunstein &
  Zecchina 2006).
* ``phase_diagram_spherical`` — spherical perceptron in the (alpha, kappa) plane including
  negative margins: capacity alpha_c(kappa) (Gardner 1988 closed form) and the de
  Almeida–Thouless line (replicon = 0, :func:`replica.thresholds.at_alpha`, events refined to
  1e-6), on top of the sign of the RS replicon from a continuation scan of the Gardner volume.

Data: scan stores (:mod:`replica.store`) under ``data_dir``; a rerun reloads them and computes
nothing that is already stored (an interrupted build resumes point by point).
"""
from __future__ import annotations

from pathlib import Path

import numpy as np

from . import Figure

__all__ = ["FIGURES", "build_binary", "build_spherical", "binary_data", "spherical_data",
           "profile_point", "at_point", "BINARY_DEFAULT", "BINARY_QUICK"]

#: the algorithmic threshold range of the binary perceptron (kappa = 0): Baldassi et al.
#: PRL 115, 128101 (2015) and PNAS 113, E7655 (2016); Braunstein & Zecchina PRL 96 (2006)
ALGORITHMIC_RANGE = (0.75, 0.77)

BINARY_DEFAULT = {
    "alphas": [0.35, 0.4, 0.45, 0.5, 0.55, 0.6, 0.65, 0.7, 0.725, 0.75, 0.775, 0.8],
    "kappa_refs": [0.0, 0.01, 0.02, 0.03, 0.04, 0.06, 0.08, 0.12, 0.16, 0.24, 0.32, 0.45],
    "d_lo": 1e-4, "n_d": 9,
}
BINARY_QUICK = {
    "alphas": [0.5, 0.7],
    "kappa_refs": [0.0, 0.05],
    "d_lo": 4e-3, "n_d": 4,
}
#: scan summaries of the last build in this process (read by ``replica phase-diagram``)
LAST_BUILD: dict = {}

SPHERICAL_DEFAULT = {"kappas": list(np.round(np.linspace(-2.0, 1.0, 16), 10)), "n_alpha": 24,
                     "at_kappas": list(np.round(np.linspace(-2.0, -0.1, 12), 10))}
SPHERICAL_QUICK = {"kappas": [-1.5, -0.5, 0.0, 0.5], "n_alpha": 8,
                   "at_kappas": [-1.5, -1.0, -0.5]}


# ---------------------------------------------------------------------------------------------
# Point functions (module level: picklable for process pools and dask)
# ---------------------------------------------------------------------------------------------

def profile_point(params, warm_start=None) -> dict:
    """Local-entropy profile indicators at (alpha, kappa_ref) with neighbours of margin kappa:
    min dS/dd and min S over d in [d_lo, 0.8 d*] (grid minima refined by Brent in ln d only when
    the grid leaves their sign undecided; the descent in d stops at the first S < 0, which
    decides the class "isolated", or where the RS saddle point is lost — see ``truncated``)."""
    from ..thresholds import local_entropy_profile

    kref = params["kappa_ref"]
    kref = kref if isinstance(kref, str) else float(kref)
    prof = local_entropy_profile("binary", float(params["alpha"]), kref,
                                 float(params.get("kappa", 0.0)), d_lo=float(params["d_lo"]),
                                 n_d=int(params["n_d"]), refine=("slope", "S"),
                                 refine_below={"slope": 0.3, "S": 0.01}, truncate=True,
                                 stop_at_negative=True)
    return prof.as_results()


profile_point.PARAMS = ("alpha", "kappa_ref", "kappa", "d_lo", "n_d")

EVENTS = ("nonmonotonic", "negative")


def event_point(params, warm_start=None) -> dict:
    """A max-margin local-entropy transition refined by brentq (xtol 1e-6) inside the bracket
    [lo, hi] of stored alphas where the scan saw the indicator change sign."""
    from ..thresholds import alpha_negative, alpha_nonmonotonic

    which = EVENTS[int(params["which"])]
    fn = alpha_nonmonotonic if which == "nonmonotonic" else alpha_negative
    t = fn("binary", "max", 0.0, alpha_range=(params["lo"], params["hi"]), n_grid=2)
    return {"event": which, "alpha": t.value, "indicator_lo": t.indicator_values[0],
            "indicator_hi": t.indicator_values[1], "refined_lo": t.refined_bracket[0],
            "refined_hi": t.refined_bracket[1], "evaluations": t.evaluations}


event_point.PARAMS = ("which", "lo", "hi")


def at_point(params, warm_start=None) -> dict:
    """The AT event alpha_AT(kappa) of the spherical model as a scan point."""
    from ..thresholds import at_alpha

    t = at_alpha(float(params["kappa"]))
    return {"alpha_at": t.value, "bracket_lo": t.bracket[0], "bracket_hi": t.bracket[1],
            "alpha_c": float(t.details["alpha_c"])}


at_point.PARAMS = ("kappa",)


# ---------------------------------------------------------------------------------------------
# Data (scan stores)
# ---------------------------------------------------------------------------------------------

def _tag(quick, cfg) -> str:
    """Store-name tag: resolution and a hash of the configuration, so that changed grids get
    new stores (a store refuses to be reused by a different scan)."""
    from ..store import identity_hash

    return f"{'quick' if quick else 'default'}-{identity_hash(cfg)[:8]}"


def _note(result) -> None:
    from . import _cache

    _cache.STATS["misses" if result.computed else "hits"] += 1


def binary_data(data_dir, quick=False, *, executor=None, workers=None, scheduler=None,
                quiet=True, json=False, config=None, events=None,
                retry_failed=False) -> dict:
    """Run (or resume, or reload) the scans of the binary phase diagram; return the tables.

    ``events`` (default: not quick): also refine the max-margin transitions (non-monotonic S,
    negative S) by brentq inside the brackets the stored max-margin row shows."""
    events = (not quick) if events is None else events
    from ..models.gardner import capacity, kappa_max
    from ..scan import Grid, Paths, scan
    from ..store import load

    cfg = dict(config or (BINARY_QUICK if quick else BINARY_DEFAULT))
    tag = _tag(quick, cfg)
    data_dir = Path(data_dir)
    ac = capacity("binary", 0.0)
    kmax = {a: kappa_max("binary", a) for a in cfg["alphas"]}
    # only references that exist: kappa_ref <= kappa_max(alpha) (checked here, not by failing)
    # largest alpha first: those profiles cost most, and starting them first balances the
    # workers (longest-first scheduling); the store is ordered by path index either way
    pts = [[{"alpha": a, "kappa_ref": k}] for a in sorted(cfg["alphas"], reverse=True)
           for k in cfg["kappa_refs"] if a < ac and k <= kmax[a]]
    fixed = {"kappa": 0.0, "d_lo": cfg["d_lo"], "n_d": cfg["n_d"]}
    common = dict(executor=executor, workers=workers, scheduler=scheduler, quiet=quiet,
                  json=json, retry_failed=retry_failed)
    r1 = scan(profile_point, Paths(pts), fixed=fixed,
              store=data_dir / f"phase_binary_{tag}_ref.sqlite", **common)
    r2 = scan(profile_point, Grid({"alpha": sorted((a for a in cfg["alphas"] if a < ac),
                                                   reverse=True)}),
              fixed={**fixed, "kappa_ref": "max"},
              store=data_dir / f"phase_binary_{tag}_max.sqlite", **common)
    for r in (r1, r2):
        _note(r)
    out = {"ref": load(r1.store), "max": load(r2.store), "capacity": ac, "config": cfg,
           "scans": [r1.summary(), r2.summary()], "events": None}
    if events:
        # thresholds found on the way: the max-margin row's first sign changes, refined by
        # brentq between the two stored alphas that bracket them (both events in parallel)
        mx = out["max"]
        okm = mx["status"] == "ok"
        order = np.argsort(mx["alpha"][okm])
        am = mx["alpha"][okm][order]
        paths = []
        for i, key in enumerate(("min_slope", "min_S")):
            v = mx[key][okm][order]
            for j in range(len(am) - 1):
                if v[j] > 0 > v[j + 1]:
                    paths.append([{"which": float(i), "lo": float(am[j]),
                                   "hi": float(am[j + 1])}])
                    break
        if paths:
            r3 = scan(event_point, Paths(paths), store=data_dir / f"phase_binary_{tag}_events.sqlite",
                      **common)
            _note(r3)
            out["events"] = load(r3.store)
            out["scans"].append(r3.summary())
    return out


def spherical_data(data_dir, quick=False, *, executor=None, workers=None, scheduler=None,
                   quiet=True, json=False, retry_failed=False) -> dict:
    """Gardner continuation scans along alpha at each kappa, and the AT events."""
    from ..models.gardner import capacity_spherical_closed_form as acf
    from ..scan import Grid, Paths, scan
    from ..store import load

    cfg = SPHERICAL_QUICK if quick else SPHERICAL_DEFAULT
    tag = _tag(quick, cfg)
    data_dir = Path(data_dir)
    paths = [[{"kappa": float(k), "alpha": float(f * acf(k))}
              for f in np.linspace(0.04, 0.96, cfg["n_alpha"])] for k in cfg["kappas"]]
    common = dict(executor=executor, workers=workers, scheduler=scheduler, quiet=quiet,
                  json=json, retry_failed=retry_failed)
    r1 = scan("gardner-spherical", Paths(paths),
              store=data_dir / f"phase_spherical_{tag}_gardner.sqlite", **common)
    r2 = scan(at_point, Grid({"kappa": [float(k) for k in cfg["at_kappas"]]}),
              store=data_dir / f"phase_spherical_{tag}_at.sqlite", **common)
    for r in (r1, r2):
        _note(r)
    return {"gardner": load(r1.store), "at": load(r2.store), "config": cfg,
            "scans": [r1.summary(), r2.summary()]}


# ---------------------------------------------------------------------------------------------
# Figures
# ---------------------------------------------------------------------------------------------

def classify(min_slope, min_S):
    """0 dense (monotonic S), 1 non-monotonic with S > 0, 2 isolated (S < 0 near the reference)."""
    min_slope, min_S = np.asarray(min_slope, float), np.asarray(min_S, float)
    return np.where(min_S < 0, 2, np.where(min_slope < 0, 1, 0))


def _zero_crossings(x, y):
    """Linear-interpolated zero crossings of y(x) along a 1-D sequence."""
    out = []
    for i in range(len(x) - 1):
        if np.isfinite(y[i]) and np.isfinite(y[i + 1]) and y[i] * y[i + 1] < 0:
            out.append(x[i] - y[i] * (x[i + 1] - x[i]) / (y[i + 1] - y[i]))
    return out


def build_binary(out_dir: Path, quick: bool, data_dir: Path, **scan_kw) -> list[Path]:
    from ..models.gardner import kappa_max
    from ..plotting import PALETTE, new_figure, save

    data = binary_data(data_dir, quick, **scan_kw)
    LAST_BUILD["binary"] = data["scans"]
    ref, mx, ac = data["ref"], data["max"], data["capacity"]
    fig, ax = new_figure(width=4.6, height=3.4)
    a_line = np.linspace(0.05, ac, 60 if not quick else 20)
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
        for a0 in _zero_crossings(am, mx[key][okm][order])[:1]:
            ax.axvline(a0, color="0.3", lw=0.9, ls=ls, label=lab + r" ($\approx$%.3f)" % a0)
    # zero lines of the indicators at fixed alpha, interpolated along kappa_ref
    for key, col, lab in [("min_slope", colors[1], r"min$_d\,$dS/dd = 0 (interpolated)"),
                          ("min_S", colors[2], r"min$_d\,$S = 0 (interpolated)")]:
        xs, ys = [], []
        for a in np.unique(ref["alpha"][ok]):
            m = ok & (ref["alpha"] == a)
            order = np.argsort(ref["kappa_ref"][m])
            for k0 in _zero_crossings(ref["kappa_ref"][m][order], ref[key][m][order]):
                xs.append(a)
                ys.append(k0)
        if len(xs) > 1:
            ax.plot(xs, ys, color=col, lw=1.0, ls="--", label=lab)
    ax.set_xlim(min(0.25, float(np.min(ref["alpha"])) - 0.05), 0.9)
    ax.set_ylim(0.0, top)
    ax.set_xlabel(r"$\alpha = P/N$")
    ax.set_ylabel(r"reference margin $\kappa_{\rm ref}$")
    ax.set_title(r"Binary perceptron: local entropy around references ($\kappa = 0$)")
    ax.legend(loc="upper left", bbox_to_anchor=(1.02, 1.0), fontsize=6, ncol=1)
    return save(fig, out_dir, "phase_diagram_binary")


def build_spherical(out_dir: Path, quick: bool, data_dir: Path, **scan_kw) -> list[Path]:
    from ..models.gardner import capacity_spherical_closed_form as acf
    from ..plotting import LEGEND_FONTSIZE, PALETTE, new_figure, save

    data = spherical_data(data_dir, quick, **scan_kw)
    LAST_BUILD["spherical"] = data["scans"]
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
            "mark where their S first becomes non-monotonic and then negative (interpolated from "
            "the stored scan; refined values: `replica threshold nonmonotonic|negative --model "
            "binary --kappa-ref max`). Shaded: no reference (kappa_ref > kappa_max), beyond "
            "capacity 0.833, and the range 0.75–0.77 where algorithms stop."),
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
