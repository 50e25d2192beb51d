r"""Thresholds of the large-deviation local entropy at y = infinity (docs/THEORY.md §8.2).

Along the branch of S_I(d) followed upwards from small d (where S_I ~ H2(d)):

* ``nonmonotonic``: the load alpha at which min_d dS_I/dd reaches 0 on that branch. For the
  unconstrained reference dS_I/dd = 2 ph (the energetic term does not depend on p), and beyond
  this alpha the small-d branch ends at the distance where ph = 0 (the local entropy has a
  maximum there and the branch does not connect to the large-d one).
* ``negative``: the load at which S_I becomes negative on a shell d1 < d < d2: the minimum of
  S_I over the distances reached by the large-d branch (followed downwards from d = 0.05) is 0.

Both are located as zeros of an indicator in alpha (bisection on the sign, then the secant on
its value), to ``xtol`` (default 1e-5).
"""
from __future__ import annotations

import math

import numpy as np
from scipy import optimize

from .errors import ConvergenceError, ReplicaInputError
from .models.large_deviation import local_entropy_inf, sweep

__all__ = ["min_slope", "nonmonotonic_threshold", "min_entropy_large_d",
           "negative_threshold"]

D_GRID = np.geomspace(1e-3, 0.12, 36)


def _start_small(alpha, kappa, kappa_ref, d0=2e-3, quad=None):
    kw = {} if quad is None else {"quad": quad}
    s = local_entropy_inf(min(alpha, 0.7), d0, kappa, kappa_ref, **kw)
    x = np.array(s.u)
    if alpha > 0.7:
        for a in np.linspace(0.7, alpha, 6)[1:]:
            x = np.array(local_entropy_inf(a, d0, kappa, kappa_ref, x0=x, **kw).u)
    return x


def min_slope(alpha, kappa=0.0, kappa_ref=None, *, d_grid=D_GRID, refine=True):
    """min over d of dS_I/dd on the branch followed from d = d_grid[0] upwards.

    Returns dict(min_dS_dd, d_min, lost_above, connected): ``connected`` is False when the
    branch ended (ph -> 0) before the last grid point; then min_dS_dd is the last value
    reached (<= its true minimum, which is 0 at the end of the branch)."""
    d0 = float(d_grid[0])
    x0 = _start_small(alpha, kappa, kappa_ref, d0)
    sols, lost = sweep(alpha, d_grid, kappa, kappa_ref, x0=x0, start_d=d0)
    ok = [i for i, s in enumerate(sols) if s is not None]
    if not ok:
        raise ConvergenceError("no point of the small-d branch converged",
                               model="ld-binary", params={"alpha": alpha})
    sl = np.array([sols[i].thermo["dS_dd"] for i in ok])
    dd = np.array([d_grid[i] for i in ok])
    j = int(np.argmin(sl))
    connected = lost["above"] is None
    out = {"alpha": alpha, "min_dS_dd": float(sl[j]), "d_min": float(dd[j]),
           "lost_above": lost["above"], "connected": connected}
    if not connected:
        out["min_dS_dd"] = 0.0 if lost["above"] is None else min(float(sl[j]), 0.0)
        return out
    if refine and 0 < j < len(ok) - 1:
        xs = {dd[k]: np.array(sols[ok[k]].u) for k in (j - 1, j, j + 1)}

        def f(ld):
            d = math.exp(ld)
            x = xs[min(xs, key=lambda e: abs(math.log(e) - ld))]
            return local_entropy_inf(alpha, d, kappa, kappa_ref, x0=x).thermo["dS_dd"]
        try:
            r = optimize.minimize_scalar(f, bounds=(math.log(dd[j - 1]), math.log(dd[j + 1])),
                                         method="bounded", options={"xatol": 1e-6})
            out.update(min_dS_dd=float(r.fun), d_min=float(math.exp(r.x)))
        except ConvergenceError:
            # the branch breaks between the grid points (ph -> 0 there)
            out.update(min_dS_dd=0.0, connected=False)
    return out


def nonmonotonic_threshold(kappa=0.0, kappa_ref=None, *, bracket=(0.70, 0.80), xtol=1e-5):
    """alpha at which min_d dS_I/dd reaches 0 (y = infinity). Bisection on ``connected``
    (and the sign of min dS_I/dd), then a secant refinement on min dS_I/dd. Returns dict with
    alpha, the bracket, and the indicator at its ends."""
    lo, hi = map(float, bracket)
    ind = lambda a: min_slope(a, kappa, kappa_ref)
    mlo, mhi = ind(lo), ind(hi)
    if not (mlo["connected"] and mlo["min_dS_dd"] > 0):
        raise ReplicaInputError(f"bracket: S_I(d) is not monotonic at alpha = {lo}")
    if mhi["connected"] and mhi["min_dS_dd"] > 0:
        raise ReplicaInputError(f"bracket: S_I(d) is still monotonic at alpha = {hi}")
    while hi - lo > xtol:
        mid = 0.5 * (lo + hi)
        m = ind(mid)
        if m["connected"] and m["min_dS_dd"] > 0:
            lo, mlo = mid, m
        else:
            hi, mhi = mid, m
    return {"alpha": 0.5 * (lo + hi), "bracket": (lo, hi), "min_dS_dd_at_lo": mlo["min_dS_dd"],
            "d_min": mlo["d_min"], "xtol": xtol}


def min_entropy_large_d(alpha, kappa=0.0, kappa_ref=None, *, d_start=0.05):
    """Minimum of S_I over the large-d branch followed downwards from ``d_start`` (the
    branch ends where ph -> 0). Returns dict(min_S, d_min_S, lost_below)."""
    grid = np.geomspace(1e-3, d_start, 40)
    sols, lost = sweep(alpha, grid, kappa, kappa_ref, start_d=d_start)
    vals = [(s.thermo["entropy"], d) for s, d in zip(sols, grid) if s is not None]
    S, d = min(vals)
    return {"alpha": alpha, "min_S": float(S), "d_min_S": float(d), "lost_below": lost["below"]}


def negative_threshold(kappa=0.0, kappa_ref=None, *, bracket=(0.76, 0.833), xtol=1e-5):
    """alpha at which min S_I over the large-d branch reaches 0 (a negative shell), by
    Brent's method on min_S(alpha)."""
    f = lambda a: min_entropy_large_d(a, kappa, kappa_ref)["min_S"]
    lo, hi = map(float, bracket)
    flo, fhi = f(lo), f(hi)
    if flo * fhi > 0:
        raise ReplicaInputError(f"bracket: min S_I has the same sign at alpha = {lo} and {hi}")
    a = optimize.brentq(f, lo, hi, xtol=xtol)
    return {"alpha": float(a), "bracket": (lo, hi), "xtol": xtol}
