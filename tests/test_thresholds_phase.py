"""Phase diagrams from stored scans: classification, the spherical AT line and capacity as
stored events, the binary profiles against direct local-entropy solves and bounds, and
re-running without recomputing."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from replica import phase_diagram as pd
from replica import thresholds as T
from replica.gallery import phase_diagrams as gpd
from replica.models import gardner as gd
from replica.store import load

ROOT = Path(__file__).resolve().parents[1]
PY = str(ROOT / ".venv" / "bin" / "python") if (ROOT / ".venv").exists() else sys.executable


def test_classify_and_crossings():
    assert list(pd.classify([0.5, -0.1, -0.2, 0.3], [0.01, 0.01, -0.001, -0.002])) == [0, 1, 2, 2]
    xs = pd.zero_crossings(np.array([0.0, 1.0, 2.0]), np.array([1.0, -1.0, -2.0]))
    assert xs == [0.5]


def test_spherical_phase_diagram_quick_and_rerun(tmp_path):
    data = pd.spherical_data(tmp_path / "data", True, executor="serial")
    paths = gpd.draw_spherical(data, tmp_path, True)
    assert all(p.exists() and p.stat().st_size > 1000 for p in paths)
    first = data["scans"]
    assert sum(s["computed"] for s in first) > 0
    at = load(next((tmp_path / "data").glob("phase_spherical_quick-*_at.sqlite")))
    assert list(at["status"]) == ["ok"] * len(at["kappa"])
    for k, a_at, ac, lo, hi in zip(at["kappa"], at["alpha_at"], at["alpha_c"],
                                   at["bracket_lo"], at["bracket_hi"]):
        assert lo < a_at < hi < ac                   # the AT line lies below capacity
        assert ac == pytest.approx(gd.capacity("spherical", k), rel=1e-12)
        r_lo = gd.gardner("spherical", a_at - 1e-5, k).replicon
        r_hi = gd.gardner("spherical", a_at + 1e-5, k).replicon
        assert r_lo > 0 > r_hi                       # the stored event is the replicon's zero
    g = load(next((tmp_path / "data").glob("phase_spherical_quick-*_gardner.sqlite")))
    ok = g["status"] == "ok"
    assert ok.all()
    # kappa >= 0: RS stable everywhere below capacity (docs/THEORY.md §1.5)
    assert np.all(g["replicon"][g["kappa"] >= 0] > 0)
    # rerun: nothing recomputed, the figure is redrawn from the stores
    again = pd.spherical_data(tmp_path / "data", True, executor="serial")
    assert sum(s["computed"] for s in again["scans"]) == 0
    assert gpd.build_spherical(tmp_path, True, tmp_path / "data", executor="serial")


def test_binary_profiles_tiny(tmp_path):
    from replica.models import franz_parisi as fp

    cfg = {"alphas": [0.5], "kappa_refs": [0.0, 0.6], "d_lo": 4e-3, "n_d": 4}
    data = pd.binary_data(tmp_path, True, config=cfg, executor="serial")
    ref, mx = data["ref"], data["max"]
    # kappa_ref = 0.6 > kappa_max(0.5) = 0.418 is not a point of the scan (no such reference)
    assert list(ref["kappa_ref"]) == [0.0]
    assert list(ref["status"]) == ["ok"] and list(mx["status"]) == ["ok"]
    assert mx["kappa_ref_value"][0] == pytest.approx(gd.kappa_max("binary", 0.5), abs=1e-10)
    # typical solutions are isolated (Huang & Kabashima 2014); max-margin ones are dense (PRL)
    assert pd.classify(ref["min_slope"], ref["min_S"])[0] == 2
    assert pd.classify(mx["min_slope"], mx["min_S"])[0] == 0
    for tab, kref in [(ref, 0.0), (mx, "max")]:
        d, S, slope = (np.array(tab[k][0]) for k in ("d_grid", "S", "dS_dd"))
        assert np.all(S <= fp.h2(d) + 1e-12)              # S(d) <= H2(d)
        assert tab["min_S"][0] <= S.min() + 1e-15        # refined minimum <= grid minimum
        assert tab["min_slope"][0] <= slope.min() + 1e-15
        direct = fp.local_entropy("binary", 0.5, kref, 0.0, d[1])
        assert abs(direct.entropy - S[1]) < 1e-8 and abs(direct.dS_dd - slope[1]) < 1e-6
    # rerun reuses the stores
    again = pd.binary_data(tmp_path, True, config=cfg, executor="serial")
    assert sum(s["computed"] for s in again["scans"]) == 0


def test_phase_diagram_cli_errors(tmp_path):
    r = subprocess.run([PY, "-m", "replica", "phase-diagram", "--model", "ternary", "--out",
                        str(tmp_path)], capture_output=True, text=True, timeout=60)
    assert r.returncode == 2 and "unknown model 'ternary'" in r.stderr
    r = subprocess.run([PY, "-m", "replica", "phase-diagram", "--model", "binary", "--out",
                        str(tmp_path), "--workers", "0"], capture_output=True, text=True,
                       timeout=60)
    assert r.returncode == 2 and "--workers" in r.stderr and "Traceback" not in r.stderr


def test_profile_matches_franz_parisi_curve():
    """The profile's own continuation in d agrees with fp.local_entropy_curve (adaptive
    continuation from d*, a different path through the same saddle points)."""
    from replica.models import franz_parisi as fp

    p = T.local_entropy_profile("binary", 0.6, 0.04, 0.0, n_d=8, d_lo=1e-3, refine=("slope",))
    c = fp.local_entropy_curve("binary", 0.6, 0.04, 0.0, p.d)
    assert c.ok.all()
    np.testing.assert_allclose(c["entropy"], p.S, rtol=0, atol=1e-10)
    np.testing.assert_allclose(c["dS_dd"], p.dS_dd, rtol=0, atol=1e-7)
    # the refined minimum of dS/dd is not above the grid minimum and sits inside the window
    assert p.min_slope <= p.dS_dd.min() + 1e-15
    assert p.d[-1] <= p.d_min_slope <= p.d[0]


def test_event_lines_close_on_kappa_max_and_refuse_crossings():
    """The kappa_min / kappa_u lines: found events in alpha order, closed on kappa_max(alpha) at
    the max-margin event; absent rows are not drawn; a crossing (kappa_min >= kappa_u) raises."""
    from replica.errors import ConvergenceError

    def kre(rows):
        cols = ("alpha", "event", "event_status", "kappa_ref", "status")
        return {c: np.array([r[i] for r in rows], dtype=object if c != "alpha" else float)
                for i, c in enumerate(cols)}

    rows = [(0.6, "negative", "found", 0.0429, "ok"), (0.5, "negative", "found", 0.0291, "ok"),
            (0.6, "nonmonotonic", "found", 0.0546, "ok"),
            (0.5, "nonmonotonic", "found", 0.0364, "ok"),
            (0.76, "negative", "absent", None, "ok"), (0.76, "nonmonotonic", "absent", None, "ok")]
    events = {"event": np.array(["nonmonotonic", "negative"]), "alpha": np.array([0.729, 0.748]),
              "status": np.array(["ok", "ok"])}
    lines = pd.event_lines({"kappa_ref_events": kre(rows), "events": events})
    a, k = lines["negative"]
    assert list(a[:2]) == [0.5, 0.6] and list(k[:2]) == [0.0291, 0.0429]
    assert a[-1] == 0.748 and k[-1] == pytest.approx(gd.kappa_max("binary", 0.748), abs=1e-12)
    assert lines["nonmonotonic"][0][-1] == 0.729 and len(lines["nonmonotonic"][0]) == 3
    bad = rows[:2] + [(0.6, "nonmonotonic", "found", 0.04, "ok")]
    with pytest.raises(ConvergenceError, match="kappa_min"):
        pd.event_lines({"kappa_ref_events": kre(bad), "events": None})
