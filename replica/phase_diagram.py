r"""Phase diagrams of wide flat minima: the data and the classification (docs/THEORY.md §3);
the gallery module :mod:`replica.gallery.phase_diagrams` only draws them.

* Binary perceptron in the (alpha, kappa_ref) plane, neighbours counted with kappa = 0
  (Baldassi, Lauditi, Malatesta, Perugini, Zecchina, PRL 127, 278301 (2021)). At every grid
  point the Franz–Parisi local entropy S(d) around references of margin kappa_ref is sampled on
  d in [d_lo, 0.8 d*] (:func:`replica.thresholds.local_entropy_profile`) and classified
  (:func:`classify`): *dense* (S increasing on (0, d*)), *non-monotonic* (min dS/dd < 0, S > 0)
  and *isolated* (S < 0 on a shell at small d). The two boundaries are refined as events at
  fixed alpha (:func:`kappa_ref_event_point`: kappa_min(alpha), where min_d S crosses 0, and
  kappa_u(alpha), where min_d dS/dd crosses 0, each to 1e-5 by brentq), and the max-margin
  references (kappa_ref = kappa_max(alpha)) are a separate row whose transitions in alpha are
  refined by :func:`event_point`.
* Spherical perceptron in the (alpha, kappa) plane: the Gardner volume's replicon along
  continuation paths in alpha and the de Almeida–Thouless events (:func:`at_point`).

Data: scan stores (:mod:`replica.store`) under ``data_dir``; a rerun reloads them and computes
nothing that is already stored (an interrupted build resumes point by point). The scan
summaries are returned with the data (key ``"scans"``) for the caller to report.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np

__all__ = ["binary_data", "spherical_data", "profile_point", "event_point", "at_point",
           "kappa_ref_event_point", "classify", "event_lines", "BINARY_DEFAULT",
           "BINARY_QUICK",
           "SPHERICAL_DEFAULT", "SPHERICAL_QUICK", "ALGORITHMIC_RANGE", "EVENT_ALPHAS"]

#: the algorithmic threshold range of the binary perceptron (kappa = 0): Baldassi et al.
#: PRL 115, 128101 (2015) and PNAS 113, E7655 (2016); Braunstein & Zecchina PRL 96 (2006)
ALGORITHMIC_RANGE = (0.75, 0.77)

BINARY_DEFAULT = {
    "alphas": [0.35, 0.45, 0.55, 0.65, 0.7, 0.725, 0.75, 0.8],
    "kappa_refs": [0.0, 0.01, 0.02, 0.03, 0.05, 0.08, 0.12, 0.2, 0.32, 0.45],
    "d_lo": 1e-4, "n_d": 9,
}
BINARY_QUICK = {
    "alphas": [0.5, 0.7],
    "kappa_refs": [0.0, 0.05],
    "d_lo": 4e-3, "n_d": 4,
}
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
    from .thresholds import local_entropy_profile

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
    from .thresholds import alpha_negative, alpha_nonmonotonic

    which = EVENTS[int(params["which"])]
    fn = alpha_nonmonotonic if which == "nonmonotonic" else alpha_negative
    t = fn("binary", "max", 0.0, alpha_range=(params["lo"], params["hi"]), n_grid=2)
    return {"event": which, "alpha": t.value, "indicator_lo": t.indicator_values[0],
            "indicator_hi": t.indicator_values[1], "refined_lo": t.refined_bracket[0],
            "refined_hi": t.refined_bracket[1], "evaluations": t.evaluations}


event_point.PARAMS = ("which", "lo", "hi")


def at_point(params, warm_start=None) -> dict:
    """The AT event alpha_AT(kappa) of the spherical model as a scan point."""
    from .thresholds import at_alpha

    t = at_alpha(float(params["kappa"]))
    return {"alpha_at": t.value, "bracket_lo": t.bracket[0], "bracket_hi": t.bracket[1],
            "alpha_c": float(t.details["alpha_c"])}


at_point.PARAMS = ("kappa",)


#: alphas at which kappa_min(alpha) and kappa_u(alpha) are refined as events (ascending: each
#: alpha's search starts from the previous alpha's event); above the max-margin events
#: (alpha_nonmonotonic(max), alpha_negative(max)) the events are absent and the lines end on the
#: kappa_max(alpha) curve
EVENT_ALPHAS = [0.3, 0.35, 0.4, 0.45, 0.5, 0.55, 0.6, 0.65, 0.7, 0.715, 0.725, 0.735, 0.745,
                0.76, 0.8]
EVENT_ALPHAS_QUICK = [0.5]
KAPPA_REF_EVENTS = ("negative", "nonmonotonic")


def kappa_ref_event_point(params, warm_start=None) -> dict:
    """kappa_min(alpha) (``which`` = 0: min_d S crosses 0) or kappa_u(alpha) (``which`` = 1:
    min_d dS/dd crosses 0) at fixed alpha, by :func:`replica.thresholds.kappa_ref_negative` /
    :func:`~replica.thresholds.kappa_ref_nonmonotonic`, refined to ``xtol``. Along a path in
    alpha the previous point's event (``warm_start``) is the search's ``guess``. An event that
    does not exist at this alpha (above the max-margin event) is a result: ``event_status`` =
    "absent", ``kappa_ref`` = None and the ``reason``."""
    import math

    from .thresholds import kappa_ref_negative, kappa_ref_nonmonotonic

    which = KAPPA_REF_EVENTS[int(params["which"])]
    fn = kappa_ref_negative if which == "negative" else kappa_ref_nonmonotonic
    guess = None
    if warm_start and isinstance(warm_start.get("kappa_ref"), float) and \
            math.isfinite(warm_start["kappa_ref"]):
        guess = warm_start["kappa_ref"]
    t = fn("binary", float(params["alpha"]), 0.0, xtol=float(params.get("xtol", 1e-5)),
           n_d=int(params.get("n_d", 12)), guess=guess)
    out = {"event": which, "event_status": t.status, "kappa_max": float(t.details["kappa_max"]),
           "indicator_at_kappa_max": float(t.details["indicator_at_top"]),
           "evaluations": t.evaluations, "reason": t.reason}
    if t.found:
        out.update(kappa_ref=t.value, bracket_lo=min(t.bracket), bracket_hi=max(t.bracket),
                   refined_lo=t.refined_bracket[0], refined_hi=t.refined_bracket[1])
    else:
        out.update(kappa_ref=None)
    return out


kappa_ref_event_point.PARAMS = ("alpha", "which", "xtol", "n_d")


# ---------------------------------------------------------------------------------------------
# Data (scan stores)
# ---------------------------------------------------------------------------------------------

def _tag(quick, cfg) -> str:
    """Store-name tag: resolution and a hash of the configuration, so that changed grids get
    new stores (a store refuses to be reused by a different scan)."""
    from .store import identity_hash

    return f"{'quick' if quick else 'default'}-{identity_hash(cfg)[:8]}"


def _note(result, note) -> None:
    if note is not None:
        note(result)


def binary_data(data_dir, quick=False, *, executor=None, workers=None, scheduler=None,
                quiet=True, json=False, config=None, events=None,
                retry_failed=False, note=None, kappa_ref_events=None) -> dict:
    """Run (or resume, or reload) the scans of the binary phase diagram; return the tables.

    ``events`` (default: not quick): also refine the max-margin transitions (non-monotonic S,
    negative S) by brentq inside the brackets the stored max-margin row shows."""
    events = (not quick) if events is None else events
    from .models.gardner import capacity, kappa_max
    from .scan import Grid, Paths, scan
    from .store import load

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
    kre = (not quick) if kappa_ref_events is None else kappa_ref_events
    kref = (None, None)
    if kre:
        # kappa_min(alpha) and kappa_u(alpha): one continuation path in alpha per event (each
        # alpha's bracket grown from the previous alpha's event), the two paths in parallel
        from .store import identity_hash
        alphas = sorted(float(a) for a in cfg.get(
            "event_alphas", EVENT_ALPHAS_QUICK if quick else EVENT_ALPHAS))
        ecfg = {"xtol": 1e-4 if quick else 1e-5, "n_d": 8 if quick else 12}
        paths = [[{"alpha": a, "which": float(w)} for a in alphas] for w in (0, 1)]
        r4 = scan(kappa_ref_event_point, Paths(paths), fixed=ecfg,
                  store=data_dir / (f"phase_binary_kref_{'quick' if quick else 'default'}-"
                                    f"{identity_hash({'a': alphas, **ecfg})[:8]}.sqlite"),
                  **common)
        _note(r4, note)
        kref = (load(r4.store), r4.summary())
    r1 = scan(profile_point, Paths(pts), fixed=fixed,
              store=data_dir / f"phase_binary_{tag}_ref.sqlite", **common)
    r2 = scan(profile_point, Grid({"alpha": sorted((a for a in cfg["alphas"] if a < ac),
                                                   reverse=True)}),
              fixed={**fixed, "kappa_ref": "max"},
              store=data_dir / f"phase_binary_{tag}_max.sqlite", **common)
    for r in (r1, r2):
        _note(r, note)
    out = {"ref": load(r1.store), "max": load(r2.store), "capacity": ac, "config": cfg,
           "scans": [r1.summary(), r2.summary()] + ([kref[1]] if kref[1] else []),
           "events": None, "kappa_ref_events": kref[0]}
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
            r3 = scan(event_point, Paths(paths),
                      store=data_dir / f"phase_binary_{tag}_events.sqlite",
                      **common)
            _note(r3, note)
            out["events"] = load(r3.store)
            out["scans"].append(r3.summary())
    return out


def spherical_data(data_dir, quick=False, *, executor=None, workers=None, scheduler=None,
                   quiet=True, json=False, retry_failed=False, note=None) -> dict:
    """Gardner continuation scans along alpha at each kappa, and the AT events."""
    from .models.gardner import capacity_spherical_closed_form as acf
    from .scan import Grid, Paths, scan
    from .store import load

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
        _note(r, note)
    return {"gardner": load(r1.store), "at": load(r2.store), "config": cfg,
            "scans": [r1.summary(), r2.summary()]}



def classify(min_slope, min_S):
    """0 dense (monotonic S), 1 non-monotonic with S > 0, 2 isolated (S < 0 near the reference)."""
    min_slope, min_S = np.asarray(min_slope, float), np.asarray(min_S, float)
    return np.where(min_S < 0, 2, np.where(min_slope < 0, 1, 0))


def zero_crossings(x, y):
    """Linear-interpolated zero crossings of y(x) along a 1-D sequence."""
    out = []
    for i in range(len(x) - 1):
        if np.isfinite(y[i]) and np.isfinite(y[i + 1]) and y[i] * y[i + 1] < 0:
            out.append(x[i] - y[i] * (x[i + 1] - x[i]) / (y[i + 1] - y[i]))
    return out


def event_lines(data) -> dict:
    """The lines kappa_min(alpha) ("negative") and kappa_u(alpha) ("nonmonotonic") of
    :func:`binary_data`: ``{event: (alphas, kappa_refs)}``, the refined events at the alphas
    where they exist, closed on the kappa_max(alpha) curve at the max-margin event (refined in
    alpha, ``data["events"]``) where the line meets it. Raises ConvergenceError if the lines
    cross (kappa_min >= kappa_u at an alpha where both exist: negative S implies non-monotonic
    S, so a crossing is a numerical failure, never drawn)."""
    from .errors import ConvergenceError
    from .models.gardner import kappa_max

    kre = data.get("kappa_ref_events")
    if kre is None or not len(kre["alpha"]):
        return {}
    ends = {}
    ev = data.get("events")
    if ev is not None:
        for e, a0, st in zip(ev["event"], ev["alpha"], ev["status"]):
            if st == "ok":
                ends[str(e)] = float(a0)
    found = {}
    for name in KAPPA_REF_EVENTS:
        m = (kre["status"] == "ok") & (kre["event"] == name) & \
            (kre["event_status"] == "found")
        a = np.asarray(kre["alpha"][m], float)
        k = np.asarray(kre["kappa_ref"][m], float)
        o = np.argsort(a)
        found[name] = dict(zip(a[o].tolist(), k[o].tolist()))
    for a in set(found["negative"]) & set(found["nonmonotonic"]):
        if not found["negative"][a] < found["nonmonotonic"][a]:
            raise ConvergenceError(f"phase diagram: kappa_min = {found['negative'][a]:.6g} >= "
                                   f"kappa_u = {found['nonmonotonic'][a]:.6g} at alpha = {a}",
                                   params={"alpha": a})
    out = {}
    for name, pts in found.items():
        a, k = list(pts), list(pts.values())
        if name in ends and (not a or ends[name] > a[-1]):
            a.append(ends[name])
            k.append(kappa_max("binary", ends[name]))
        out[name] = (np.array(a), np.array(k))
    return out
