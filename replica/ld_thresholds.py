r"""Thresholds of the large-deviation local entropy at y = infinity (docs/THEORY.md §8.2), as
events of :func:`replica.thresholds.find_event` (first sign change on an alpha grid, refined by
brentq) whose indicators are branches of S_I(d) continued in ln d by
:func:`replica.models.large_deviation.sweep` (:func:`replica.continuation.march`).

* ``nonmonotonic``: indicator min_d dS_I/dd on the branch followed upwards from small d (where
  S_I ~ H2(d)). Beyond the threshold the small-d branch ends where dS_I/dd -> 0 (for the
  unconstrained reference dS_I/dd = 2 ph: the local entropy has a maximum there and the
  branch does not connect to the large-d one); the indicator is then negative, minus the
  ln d-length of the part of the grid the branch does not reach (it changes sign, by a jump,
  at the event; brentq then bisects).
* ``negative``: indicator min S_I over the large-d branch followed downwards from d = 0.08
  (beyond the non-monotonicity threshold: S_I at the lower end of that branch, where
  dS_I/dd -> 0): S_I becomes negative on a shell d1 < d < d2.

Both for a reference that is a solution of margin kappa_ref and for an unconstrained one
(``kappa_ref=None``). The constrained small-d branch starts at ``D_START_CON`` (below it the
constraint does not bind and the two references coincide, docs/THEORY.md §8.2).
"""
from __future__ import annotations

import math

import numpy as np
from scipy import optimize

from .errors import ConvergenceError, ReplicaInputError
from .models.large_deviation import constrained_unknowns_from_free, local_entropy_inf, sweep
from .thresholds import Threshold, find_event

__all__ = ["min_slope", "nonmonotonic_threshold", "min_entropy_large_d",
           "negative_threshold", "D_GRID"]

D_GRID = np.geomspace(1e-3, 0.12, 36)
#: first distance of the constrained small-d branch: started from the unconstrained solution
#: (the constraint does not bind there: R = tau = 0 to double precision at alpha >= 0.7)
D_START_CON = 1e-2


def _grid(kappa_ref, d_grid):
    if kappa_ref is None:
        return np.asarray(d_grid, dtype=float)
    g = np.asarray(d_grid, dtype=float)
    return g[g >= D_START_CON] if g[0] < D_START_CON else g


def _start_small(alpha, kappa, kappa_ref, d0):
    """Unknowns at (alpha, d0), continued in alpha from 0.7 (below the thresholds, where the
    anchor reaches small d) by :func:`replica.continuation.march` on the unconstrained
    problem; a constrained reference starts from the unconstrained solution mapped by
    :func:`constrained_unknowns_from_free` (at d0 the constraint does not bind)."""
    from .continuation import Lost, march

    a0 = min(alpha, 0.7)
    x = np.array(local_entropy_inf(a0, d0, kappa, None).u)
    if alpha == a0:
        return _to_constrained(alpha, d0, kappa, kappa_ref, x)

    def solve_at(a, x_pred):
        s = local_entropy_inf(a, d0, kappa, None, x0=x_pred)
        return np.array(s.u), s
    try:
        for _, x, _, _ in march(solve_at, a0, alpha, x, h=(alpha - a0) / 5, h_min=1e-4):
            pass
    except Lost as exc:
        raise ConvergenceError(f"small-d start lost in alpha at {exc.at:.6g}",
                               model="ld-binary", params={"alpha": alpha, "d": d0}) from None
    return _to_constrained(alpha, d0, kappa, kappa_ref, x)


def _to_constrained(alpha, d0, kappa, kappa_ref, x_free):
    if kappa_ref is None:
        return x_free
    th = local_entropy_inf(alpha, d0, kappa, None, x0=x_free).thermo
    x = constrained_unknowns_from_free(th)
    return np.array(local_entropy_inf(alpha, d0, kappa, kappa_ref, x0=x).u)


def min_slope(alpha, kappa=0.0, kappa_ref=None, *, d_grid=D_GRID, refine=True):
    """min over d of dS_I/dd on the branch followed from d = d_grid[0] upwards.

    Returns dict(min_dS_dd, d_min, lost_above, connected, indicator): ``connected`` is False
    when the branch ended (ph -> 0) before the last grid point; ``indicator`` is min_dS_dd if
    connected, else -ln(d_last/d_lost) < 0."""
    grid = _grid(kappa_ref, d_grid)
    d0 = float(grid[0])
    x0 = _start_small(alpha, kappa, kappa_ref, d0)
    sols, lost = sweep(alpha, grid, kappa, kappa_ref, x0=x0, start_d=d0)
    ok = [i for i, s in enumerate(sols) if s is not None]
    if not ok:
        raise ConvergenceError("no point of the small-d branch converged",
                               model="ld-binary", params={"alpha": alpha})
    sl = np.array([sols[i].thermo["dS_dd"] for i in ok])
    dd = np.array([grid[i] for i in ok])
    j = int(np.argmin(sl))
    connected = lost["above"] is None
    out = {"alpha": alpha, "min_dS_dd": float(sl[j]), "d_min": float(dd[j]),
           "lost_above": lost["above"], "connected": connected}
    if connected and refine and 0 < j < len(ok) - 1:
        xs = {dd[k]: np.array(sols[ok[k]].u) for k in (j - 1, j, j + 1)}

        def f(ld):
            x = xs[min(xs, key=lambda e: abs(math.log(e) - ld))]
            return local_entropy_inf(alpha, math.exp(ld), kappa, kappa_ref,
                                     x0=x).thermo["dS_dd"]
        try:
            r = optimize.minimize_scalar(f, bounds=(math.log(dd[j - 1]), math.log(dd[j + 1])),
                                         method="bounded", options={"xatol": 1e-6})
            out.update(min_dS_dd=float(min(r.fun, sl[j])), d_min=float(math.exp(r.x)))
        except ConvergenceError:
            # a cold warm start failed: decide by continuation on a fine grid across the
            # minimum whether the branch breaks there (ph -> 0) or only the start was poor
            fine = np.geomspace(dd[j - 1], dd[j + 1], 17)
            fs, fl = sweep(alpha, fine, kappa, kappa_ref, x0=np.array(sols[ok[j - 1]].u),
                           start_d=float(dd[j - 1]))
            if fl["above"] is not None:
                out.update(connected=False, lost_above=float(fl["above"]))
            else:
                m = min(s.thermo["dS_dd"] for s in fs)
                out.update(min_dS_dd=float(min(m, sl[j])))
    if out["connected"]:
        out["indicator"] = out["min_dS_dd"]
    else:
        out["indicator"] = -math.log(float(grid[-1]) / out["lost_above"])
    return out


def _event(which, f, kappa, kappa_ref, bracket, xtol, progress):
    lo, hi = map(float, bracket)
    if not 0 < lo < hi:
        raise ReplicaInputError(f"alpha range must satisfy 0 < lo < hi, got {bracket}")
    params = {"kappa": kappa, "kappa_ref": "free" if kappa_ref is None else kappa_ref,
              "measure": "large-deviation", "y": "inf"}
    try:
        root, br, vals, ref, n = find_event(f, [lo, hi], xtol=xtol, name=f"alpha_{which}",
                                            variable="alpha", context=params,
                                            progress=progress)
    except ConvergenceError as exc:
        raise ReplicaInputError(f"--alpha-range {lo} {hi}: {str(exc).split(';')[0]}") from None
    ind = ("min_d dS_I/dd on the small-d branch (negative: branch ends)"
           if which == "nonmonotonic" else "min_d S_I on the large-d branch")
    return Threshold(name=which, model="ld-binary-free" if kappa_ref is None else "ld-binary",
                     variable="alpha", value=float(root), bracket=tuple(map(float, br)),
                     indicator=ind, indicator_values=tuple(map(float, vals)),
                     refined_bracket=tuple(map(float, ref)), params=params, xtol=xtol,
                     evaluations=n)


def nonmonotonic_threshold(kappa=0.0, kappa_ref=None, *, bracket=(0.70, 0.80), xtol=1e-5,
                           progress=None) -> Threshold:
    """alpha at which S_I(d) (y = infinity) stops being monotonic: the event of the indicator
    of :func:`min_slope` on [bracket], refined by brentq to ``xtol``."""
    return _event("nonmonotonic", lambda a: min_slope(a, kappa, kappa_ref)["indicator"],
                  kappa, kappa_ref, bracket, xtol, progress)


def _start_at(alpha, kappa, kappa_ref, d0):
    """Unknowns at (alpha, d0) on the large-d branch: the anchor at (0.7, d0), continued in
    alpha by :func:`replica.continuation.march`."""
    from .continuation import Lost, march

    a0 = min(alpha, 0.7)
    x = np.array(local_entropy_inf(a0, d0, kappa, kappa_ref).u)

    def solve_at(a, x_pred):
        s = local_entropy_inf(a, d0, kappa, kappa_ref, x0=x_pred)
        return np.array(s.u), s
    try:
        for _, x, _, _ in march(solve_at, a0, alpha, x, h=max(alpha - a0, 1e-9) / 4,
                                h_min=1e-4):
            pass
    except Lost as exc:
        raise ConvergenceError(f"large-d start lost in alpha at {exc.at:.6g}",
                               model="ld-binary", params={"alpha": alpha, "d": d0}) from None
    return x


def min_entropy_large_d(alpha, kappa=0.0, kappa_ref=None, *, d_start=0.08):
    """Minimum of S_I over the large-d branch followed downwards from ``d_start`` (the
    branch ends where ph -> 0; beyond the non-monotonicity threshold S_I is smallest at that
    end). Returns dict(min_S, d_min_S, lost_below)."""
    grid = np.geomspace(1e-3, d_start, 44)
    x0 = _start_at(alpha, kappa, kappa_ref, d_start) if alpha > 0.7 else None
    sols, lost = sweep(alpha, grid, kappa, kappa_ref, start_d=d_start, x0=x0)
    ok = [i for i, s in enumerate(sols) if s is not None]
    S = np.array([sols[i].thermo["entropy"] for i in ok])
    j = int(np.argmin(S))
    out = {"alpha": alpha, "min_S": float(S[j]), "d_min_S": float(grid[ok[j]]),
           "lost_below": lost["below"]}
    end = lost["last_below"]
    if lost["below"] is not None and end.thermo["entropy"] < out["min_S"]:
        # the branch ends (ph -> 0, dS_I/dd -> 0) between grid points: S_I is smallest at its
        # end, reached by the march to within a factor 1.002 in d
        return dict(out, min_S=float(end.thermo["entropy"]), d_min_S=float(end.thermo["d"]),
                    at_branch_end=True)
    if 0 < j < len(ok) - 1:
        # the grid minimum refined by bounded Brent in ln d (warm start at the grid minimum)
        x = np.array(sols[ok[j]].u)
        f = lambda ld: local_entropy_inf(alpha, math.exp(ld), kappa, kappa_ref,
                                         x0=x).thermo["entropy"]
        try:
            r = optimize.minimize_scalar(f, bounds=(math.log(grid[ok[j - 1]]),
                                                    math.log(grid[ok[j + 1]])),
                                         method="bounded", options={"xatol": 1e-6})
            if r.fun < out["min_S"]:
                out.update(min_S=float(r.fun), d_min_S=float(math.exp(r.x)))
        except ConvergenceError:
            pass
    return out


def negative_threshold(kappa=0.0, kappa_ref=None, *, bracket=(0.76, 0.833), xtol=1e-5,
                       progress=None) -> Threshold:
    """alpha at which min S_I over the large-d branch reaches 0 (a negative shell): the event
    of :func:`min_entropy_large_d` on [bracket], refined by brentq to ``xtol``."""
    return _event("negative", lambda a: min_entropy_large_d(a, kappa, kappa_ref)["min_S"],
                  kappa, kappa_ref, bracket, xtol, progress)
