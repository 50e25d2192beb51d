r"""Where wide flat minima appear in the infinite-width tree committee: thresholds in alpha of
the shape of the Franz–Parisi local entropy S(d) (:mod:`replica.models.committee_fp`,
docs/THEORY.md §8.4), as for the perceptron (:func:`replica.thresholds.alpha_nonmonotonic`,
:func:`replica.thresholds.alpha_negative`; PRL 127, 278301 (2021)).

The profile S(d), dS/dd is computed at ``n_d`` geometric distances from 0.8 d* (d* = (1 -
Q_w)/2, the typical distance) down to ``d_lo``, each saddle point warm-started from the previous
one (continuation in d from the typical point where a warm start fails), stopped where the
replicon of the constrained replicas turns negative (RS unstable below) or the RS saddle point
is lost. The grid minimum of dS/dd (of S) is refined by bounded Brent minimisation in ln d. For
binary weights and a reference counted with its own margin (kappa_ref >= kappa) S(0) = 0
exactly, and the smallest chord S(d_j)/d_j also bounds min dS/dd from above.

* ``nonmonotonic``: min_d dS/dd crosses 0 (S stops increasing monotonically towards d*);
* ``negative`` (binary): min_d S crosses 0 (the reference becomes isolated).

The zero in alpha is located by :func:`replica.thresholds.find_event` on an alpha grid.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
from scipy import optimize

from . import models
from .continuation import follow
from .errors import ConvergenceError, ReplicaInputError
from .thresholds import Threshold, _threshold_from, find_event

__all__ = ["WideProfile", "wide_profile", "wide_alpha_event"]


@dataclass
class WideProfile:
    """S(d) and dS/dd on the solved distances (descending), their refined minima, and where
    and why the descent stopped (``status``: "complete", "rs_unstable", "lost")."""

    weights: str
    activation: str
    alpha: float
    kappa_ref: float
    Q: float
    d: np.ndarray
    S: np.ndarray
    dS_dd: np.ndarray
    replicon: np.ndarray
    status: str = "complete"
    min_slope: float = math.nan
    d_min_slope: float = math.nan
    min_S: float = math.nan
    d_min_S: float = math.nan
    note: str = ""
    xs: list = field(default_factory=list, repr=False)


def _params(activation, alpha, kappa_ref, kappa, d):
    return {"alpha": alpha, "activation": activation, "kappa_ref": kappa_ref, "kappa": kappa,
            "d": d}


def _solve_at(m, p, d, x, d_prev):
    """Saddle point at distance d warm-started from x (the solution at d_prev); on failure,
    continuation in d from d_prev."""
    try:
        return m.saddle({**p, "d": d}, x0=x, validate=False)
    except ConvergenceError:
        br = follow(m, {**p, "d": d_prev}, "d", d, x0=x, mode="natural")
        if not br.reached:
            raise ConvergenceError(f"RS saddle point lost between d = {d_prev:.6g} and "
                                   f"{d:.6g}: {br.end}", model=m.name, params=dict(p),
                                   method="continuation") from None
        return br.solution(-1)


def wide_profile(weights: str, activation: str, alpha: float, kappa_ref, kappa: float = 0.0,
                 *, d_lo: float = 1e-4, n_d: int = 12, refine: bool = True) -> WideProfile:
    """The local-entropy profile of the infinite-width committee (module docstring)."""
    m = models.get(f"committee-wide-fp-{weights}")
    p = m.validate(_params(activation, alpha, kappa_ref, kappa, 0.25))
    p0, x = m.known_point(p)
    dstar = p0["d"]
    ds = np.geomspace(0.8 * dstar, d_lo, int(n_d))
    rows, xs, status, note = [], [], "complete", ""
    d_prev = dstar
    for d in ds:
        try:
            s = _solve_at(m, p, float(d), x, d_prev)
        except ConvergenceError as exc:
            if len(rows) < 3:
                raise
            status, note = "lost", str(exc)[:300]
            break
        th = s.thermo
        if rows and th["replicon"] < 0:
            status, note = "rs_unstable", f"replicon {th['replicon']:.3g} < 0 at d = {d:.4g}"
            break
        rows.append((float(d), th["entropy"], th["dS_dd"], th["replicon"]))
        x, d_prev = s.u, float(d)
        xs.append(x)
    arr = np.array(rows)
    ref = m.reference(p)
    prof = WideProfile(weights, activation, float(alpha), float(ref.kappa_ref), float(ref.Q),
                       arr[:, 0], arr[:, 1], arr[:, 2], arr[:, 3], status, note=note, xs=xs)

    def at(d, which, x0):
        th = m.saddle({**p, "d": d}, x0=x0, validate=False).thermo
        return th["entropy"] if which == 0 else th["dS_dd"]

    for which, vals in ((1, prof.dS_dd), (0, prof.S)):
        i = int(np.argmin(vals))
        v, dm = float(vals[i]), float(prof.d[i])
        if refine and 0 < i < len(vals) - 1:
            res = optimize.minimize_scalar(lambda u: at(math.exp(u), which, xs[i]),
                                           bounds=(math.log(prof.d[i + 1]),
                                                   math.log(prof.d[i - 1])),
                                           method="bounded", options={"xatol": 1e-3})
            if res.fun < v:
                v, dm = float(res.fun), float(math.exp(res.x))
        if which == 1:
            prof.min_slope, prof.d_min_slope = v, dm
        else:
            prof.min_S, prof.d_min_S = v, dm
    if weights == "binary" and prof.kappa_ref >= float(kappa):
        ch = prof.S / prof.d
        k = int(np.argmin(ch))
        if ch[k] < min(prof.min_slope, 0.0):
            prof.min_slope, prof.d_min_slope = float(ch[k]), float(prof.d[k])
    return prof


def wide_alpha_event(which: str, weights: str, activation: str, kappa_ref, kappa: float = 0.0,
                     *, alpha_grid, xtol: float = 1e-5, d_lo: float = 1e-4,
                     n_d: int = 12) -> Threshold:
    """The alpha at which S(d) stops being monotonic (``which="nonmonotonic"``: min dS/dd = 0)
    or turns negative (``"negative"``, binary: min S = 0), first sign change along
    ``alpha_grid`` refined by Brent (:func:`replica.thresholds.find_event`)."""
    if which not in ("nonmonotonic", "negative"):
        raise ReplicaInputError(f"which must be 'nonmonotonic' or 'negative', got {which!r}")
    if which == "negative" and weights == "spherical":
        raise ReplicaInputError("which: 'negative' is defined for binary weights (the spherical "
                                "S(d) -> -inf as d -> 0)")

    def f(a):
        prof = wide_profile(weights, activation, a, kappa_ref, kappa, d_lo=d_lo, n_d=n_d)
        return prof.min_slope if which == "nonmonotonic" else prof.min_S

    params = {"weights": weights, "activation": activation, "kappa_ref": kappa_ref,
              "kappa": kappa}
    root, br, vals, refb, n = find_event(f, alpha_grid, xtol=xtol, name=f"alpha_{which}",
                                         variable="alpha", context=params)
    return _threshold_from(which, f"committee-wide-fp-{weights}", "alpha", root, br, vals, refb,
                           n, "min_d dS/dd" if which == "nonmonotonic" else "min_d S(d)",
                           params, xtol, {"d_lo": d_lo, "n_d": n_d, "d_hi": "0.8 d*"})
