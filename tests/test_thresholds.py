"""Thresholds as events: generic event finder, capacity/kappa_max against the foundation's
direct solves and published values, the spherical AT line against an independent quadrature of
the replicon, and the local-entropy transitions (bracket + sign change across the refined root)."""
from __future__ import annotations

import json
import math
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from scipy import integrate, special

from replica import thresholds as T
from replica.errors import ConvergenceError, ReplicaInputError
from replica.models import gardner as gd

ROOT = Path(__file__).resolve().parents[1]
PY = str(ROOT / ".venv" / "bin" / "python") if (ROOT / ".venv").exists() else sys.executable


def test_find_event_between_grid_points_and_dense_scan():
    f = lambda x: math.cos(x) - 0.3          # root arccos(0.3)
    grid = np.linspace(0.0, 3.0, 7)
    root, br, vals, refined, n = T.find_event(f, grid, xtol=1e-6)
    assert br[0] <= root <= br[1] and vals[0] * vals[1] < 0
    assert np.sign(f(br[0])) != np.sign(f(br[1]))
    assert abs(root - math.acos(0.3)) < 1e-6
    assert refined[1] - refined[0] < 1e-5 and refined[0] <= root <= refined[1]
    # a dense scan locates the same sign change (linear interpolation, error O(h^2))
    dense = np.linspace(br[0], br[1], 201)
    fd = np.array([f(x) for x in dense])
    k = np.nonzero(np.sign(fd[:-1]) != np.sign(fd[1:]))[0][0]
    x_dense = dense[k] - fd[k] * (dense[k + 1] - dense[k]) / (fd[k + 1] - fd[k])
    assert abs(root - x_dense) < 1e-5
    with pytest.raises(ConvergenceError, match="does not change sign"):
        T.find_event(lambda x: 1.0 + x, grid)
    # the *first* sign change along the grid is the event (events found on the way)
    root2, *_ = T.find_event(lambda x: math.sin(x), np.linspace(-4.0, 4.0, 9))
    assert abs(root2 + math.pi) < 1e-6


def test_capacity_matches_foundation_and_published():
    b = T.capacity("binary", 0.0)
    assert b.value == pytest.approx(gd.capacity("binary", 0.0), abs=1e-12)
    # Krauth & Mezard 1989: 0.8331; certified interval [0.833078599, 0.833078600]
    assert 0.833078599 - 1e-9 <= b.value <= 0.833078600 + 1e-9
    assert b.indicator_values[0] > 0 > b.indicator_values[1]
    assert b.bracket[0] < b.value < b.bracket[1] and b.bracket[1] - b.bracket[0] <= 2.1e-6
    for k, ref in [(-1.0, 13.2732), (-0.5, 4.770099), (0.0, 2.0), (0.5, 0.961205),
                   (1.0, 0.519572)]:
        s = T.capacity("spherical", k)
        # docs/THEORY.md §1.4 (Gardner 1988 closed form), and the closed form itself
        phi = math.exp(-k * k / 2) / math.sqrt(2 * math.pi)
        assert s.value == pytest.approx(1 / ((1 + k * k) * special.ndtr(k) + k * phi), rel=1e-12)
        assert abs(s.value - ref) < 1e-4 * max(1, ref)
        assert s.indicator_values[0] > 0 > s.indicator_values[1]


def test_kappa_max_matches_foundation_and_published():
    for a, ref in [(1.0, 0.47066), (0.5, 1.0343), (1.5, 0.1861)]:
        t = T.kappa_max("spherical", a)
        assert abs(t.value - ref) < 1e-4
        assert t.value == pytest.approx(gd.kappa_max("spherical", a), abs=1e-12)
    t = T.kappa_max("binary", 0.5)
    assert t.value == pytest.approx(gd.kappa_max("binary", 0.5), abs=1e-12)
    assert t.indicator_values[0] > 0 > t.indicator_values[1]
    # consistency of the two binary events: kappa_max(alpha_c(0)) = 0
    assert abs(T.kappa_max("binary", T.capacity("binary", 0.0).value).value) < 1e-8


def _replicon_quad(alpha, kappa):
    """1 - alpha int Dz [G(u)(G(u) - u)]^2, u = (kappa - sqrt(q) z)/sqrt(1-q) (docs/THEORY.md §1.5), with
    q from the foundation's saddle point and the integral by adaptive scipy quad (independent of
    the foundation's quadrature and of its closed-form q -> 1 subtraction)."""
    q = gd.gardner("spherical", alpha, kappa).q
    sq, sv = math.sqrt(q), math.sqrt(1 - q)

    def integrand(z):
        u = (kappa - sq * z) / sv
        G = math.sqrt(2 / math.pi) / special.erfcx(u / math.sqrt(2))
        return math.exp(-z * z / 2) / math.sqrt(2 * math.pi) * (G * (G - u)) ** 2

    c = kappa / sq
    val = sum(integrate.quad(integrand, a, b, epsabs=1e-13, epsrel=1e-12, limit=400)[0]
              for a, b in [(-40, c), (c, 40)])
    return 1 - alpha * val


def test_at_line_spherical():
    t = T.at_alpha(-1.0)
    assert t.bracket[0] < t.value < t.bracket[1]
    assert t.indicator_values[0] > 0 > t.indicator_values[1]      # stable below, unstable above
    assert t.value < t.details["alpha_c"]
    # independent replicon: changes sign across the refined root
    assert _replicon_quad(t.value - 1e-4, -1.0) > 0 > _replicon_quad(t.value + 1e-4, -1.0)
    assert abs(_replicon_quad(t.value, -1.0)) < 1e-5
    # the inverse event lands on the same line
    k = T.at_kappa(t.value)
    assert abs(k.value + 1.0) < 1e-5
    with pytest.raises(ReplicaInputError, match="kappa < 0"):
        T.at_alpha(0.5)


@pytest.mark.slow
def test_nonmonotonic_max_margin_binary():
    """The max-margin local-entropy transition (PRL 127, 278301, Fig. 2: between ~0.70 and
    0.75): the event lies between the grid points where min dS/dd changes sign, and the
    indicator changes sign across the refined root (reduced d grid to keep it quick)."""
    kw = dict(d_lo=1e-3, n_d=8)
    t = T.alpha_nonmonotonic("binary", "max", 0.0, alpha_range=(0.72, 0.735), n_grid=2, **kw)
    assert 0.72 < t.value < 0.735 and t.bracket == (0.72, 0.735)
    assert t.indicator_values[0] > 0 > t.indicator_values[1]
    lo = T.nonmonotonic_indicator("binary", t.value - 2e-5, "max", 0.0, **kw)
    hi = T.nonmonotonic_indicator("binary", t.value + 2e-5, "max", 0.0, **kw)
    assert lo > 0 > hi
    # the minimum of dS/dd sits inside (d_lo, d*) at the transition
    prof = T.local_entropy_profile("binary", t.value, "max", 0.0, refine=("slope",), **kw)
    assert kw["d_lo"] < prof.d_min_slope < 0.5 * (1 - prof.Q)
    assert abs(prof.min_slope) < 1e-3


def test_local_event_input_errors():
    with pytest.raises(ReplicaInputError, match="binary"):
        T.alpha_negative("spherical", "max")
    with pytest.raises(ReplicaInputError, match="'max'"):
        T.alpha_nonmonotonic("binary", "biggest")


def _cli(*args):
    return subprocess.run([PY, "-m", "replica", "threshold", *args], capture_output=True,
                          text=True, timeout=120)


def test_cli_threshold():
    r = _cli("capacity", "--model", "binary", "--kappa", "0", "--json")
    assert r.returncode == 0, r.stderr
    out = json.loads(r.stdout)
    assert abs(out["alpha"] - gd.capacity("binary", 0.0)) < 1e-12
    assert len(out["bracket"]) == 2 and len(out["indicator_values"]) == 2
    r = _cli("kappa-max", "--model", "spherical", "--alpha", "1", "--json")
    assert abs(json.loads(r.stdout)["kappa"] - 0.47066) < 1e-5
    r = _cli("at", "--model", "spherical", "--alpha", "5", "--json")
    out = json.loads(r.stdout)
    assert "kappa" in out and out["kappa"] < 0
    for bad, msg in [(["at", "--model", "binary", "--kappa", "-1"], "spherical"),
                     (["kappa-max", "--model", "binary"], "--alpha"),
                     (["nonmonotonic", "--model", "binary"], "--kappa-ref"),
                     (["capacity", "--model", "binary", "--kappa", "nan"], "finite")]:
        r = _cli(*bad)
        assert r.returncode == 2 and msg in r.stderr and "Traceback" not in r.stderr


def test_kappa_ref_isolation_threshold_at_fixed_alpha():
    # kappa_min(alpha = 0.6): below it S(d) is negative on a shell near the reference. The event
    # lies between the two bracket ends, where the indicator min_d S has opposite signs, and is
    # found by descending from kappa_max (first sign change met).
    res = T.kappa_ref_negative("binary", 0.6, 0.0, kappa_ref_range=(0.035, 0.05), n_grid=2,
                               xtol=1e-4, n_d=10)
    assert res.variable == "kappa_ref"
    lo, hi = sorted(res.bracket)
    assert lo < res.value < hi
    assert res.indicator_values[0] * res.indicator_values[1] < 0
    # independent estimate: the Franz-Parisi curve's own minimum (shape_summary, another grid)
    from replica.models.franz_parisi import shape_summary
    d = np.geomspace(1e-4, 0.05, 24)
    below = shape_summary("binary", 0.6, res.value - 2e-3, 0.0, d)["min_S"]
    above = shape_summary("binary", 0.6, res.value + 2e-3, 0.0, d)["min_S"]
    assert below < 0 < above
    with pytest.raises(ReplicaInputError, match="binary"):
        T.kappa_ref_negative("spherical", 1.0)
    with pytest.raises(ReplicaInputError, match="kappa_max"):
        T.kappa_ref_nonmonotonic("binary", 0.6, kappa_ref_range=(0.1, 0.5))


def test_find_event_progress_reports_every_new_evaluation():
    """The progress callback sees each indicator evaluation once, with its value; the root is
    the cube root of 2 (x^3 - 2 = 0)."""
    seen = []
    root, br, vals, ref, n = T.find_event(lambda x: x ** 3 - 2.0, [0.5, 1.0, 1.5, 2.0],
                                          xtol=1e-13, progress=lambda x, v: seen.append((x, v)))
    assert root == pytest.approx(2.0 ** (1 / 3), abs=1e-10)
    assert len(seen) == n
    assert len({x for x, _ in seen}) == n
    assert all(v == pytest.approx(x ** 3 - 2.0, abs=1e-15) for x, v in seen)
