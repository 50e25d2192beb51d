"""Reference-margin thresholds of the binary local entropy at fixed alpha, found with the
default grids: kappa_min(alpha) (S < 0 on a shell below it) and kappa_u(alpha) (S
non-monotonic below it), read off the PRL's inset at alpha = 0.5 (Baldassi, Lauditi, Malatesta,
Perugini, Zecchina, PRL 127, 278301 (2021), Fig. 1: kappa_ref = 0.02 negative, 0.03 positive but
non-monotonic, 0.04 monotonic), ordered kappa_min < kappa_u < kappa_max, and consistent with the
indicators evaluated on both sides."""
import pytest

from replica import thresholds as T
from replica.gallery.local_entropy import KAPPA_MIN_05, KAPPA_U_05


@pytest.mark.slow
def test_kappa_min_and_kappa_u_at_alpha_05():
    neg = T.kappa_ref_negative("binary", 0.5, xtol=1e-6)
    nm = T.kappa_ref_nonmonotonic("binary", 0.5, xtol=1e-6)
    assert 0.02 < neg.value < 0.03
    assert 0.03 < nm.value < 0.04
    assert neg.value < nm.value < neg.details["kappa_max"]
    # the figure caption quotes these refined values
    assert abs(neg.value - KAPPA_MIN_05) < 1e-5 and abs(nm.value - KAPPA_U_05) < 1e-5
    # the indicators change sign across the events (independent evaluations off the grid)
    h = 1e-3
    assert T.negative_indicator("binary", 0.5, neg.value - h) < 0 \
        < T.negative_indicator("binary", 0.5, neg.value + h)
    assert T.nonmonotonic_indicator("binary", 0.5, nm.value - h) < 0 \
        < T.nonmonotonic_indicator("binary", 0.5, nm.value + h)


@pytest.mark.slow
@pytest.mark.parametrize("alpha", [0.3])
def test_events_exist_and_are_ordered_at_the_ends_of_the_range(alpha):
    neg = T.kappa_ref_negative("binary", alpha, xtol=1e-3)
    nm = T.kappa_ref_nonmonotonic("binary", alpha, xtol=1e-3)
    assert 0 < neg.value < nm.value < nm.details["kappa_max"]


def test_typical_reference_profile_says_why_it_stops():
    """Around the typical reference the profile stops where the replicon turns negative and
    says so; S < 0 on the RS-stable window and the chord from S(0) = 0 makes the
    non-monotonic indicator negative."""
    p = T.local_entropy_profile("binary", 0.5, 0.0, 0.0, d_lo=1e-3, d_hi=6e-3, n_d=5)
    assert p.status == "rs_unstable" and "replicon" in p.truncated
    assert p.min_S < 0 and p.min_chord < 0 and p.min_slope <= p.min_chord
    assert all(r > 0 for r in p.replicon)
    res = p.as_results()
    assert res["profile_status"] == "rs_unstable" and res["slope_from_chord"]


def test_absent_above_the_max_margin_events_api_and_cli():
    """alpha = 0.78 lies above both max-margin events (alpha_nonmonotonic(max) ~ 0.729,
    alpha_negative(max) ~ 0.748): every reference up to kappa_max is isolated, so neither
    kappa_u nor kappa_min exists. The answer says so (status "absent", JSON null, exit 0) and the
    reason names the bounding event; independently, the Franz-Parisi curve around the
    max-margin reference (local_entropy_curve on its own grid) is negative on a shell."""
    import json
    import subprocess
    import sys

    import numpy as np

    from replica.models.franz_parisi import local_entropy_curve
    from replica.models.gardner import kappa_max

    for fn, ev in ((T.kappa_ref_nonmonotonic, "nonmonotonic"), (T.kappa_ref_negative,
                                                               "negative")):
        r = fn("binary", 0.78, d_lo=3e-3, n_d=5)
        assert r.status == "absent" and not r.found and r.value != r.value   # NaN
        assert f"alpha_{ev}(kappa_ref = max)" in r.reason
        assert r.indicator_values[0] < 0 and r.evaluations == 1
        out = r.as_dict()
        assert out["kappa_ref"] is None and out["status"] == "absent"
        assert out["kappa_max"] == pytest.approx(kappa_max("binary", 0.78), abs=1e-12)
    c = local_entropy_curve("binary", 0.78, "max", 0.0, np.geomspace(2e-3, 0.03, 6))
    assert np.nanmin(c["entropy"]) < 0
    p = subprocess.run([sys.executable, "-m", "replica", "threshold", "negative", "--model",
                        "binary", "--alpha", "0.78", "--d-lo", "3e-3", "--json"],
                       capture_output=True, text=True, timeout=300)
    assert p.returncode == 0, p.stderr
    js = json.loads(p.stdout)
    assert js["kappa_ref"] is None and js["status"] == "absent" and "reason" in js
    assert js["threshold"] == "negative" and js["alpha"] == 0.78


@pytest.mark.slow
def test_events_in_the_band_070_075_and_a_dense_scan():
    """alpha = 0.72 (below both max-margin events): kappa_min < kappa_u < kappa_max, found with
    the default grids. alpha = 0.74 (between alpha_nonmonotonic(max) ~ 0.729 and
    alpha_negative(max) ~ 0.748): kappa_u is absent, kappa_min exists (searched from a guess,
    the alpha = 0.72 value). Dense scan: the minimum of S on a dense grid of distances
    (local_entropy_curve + parabolic refinement, another code path) at five reference margins
    around kappa_min(0.74) changes sign where the event is (linear interpolation)."""
    import numpy as np

    from replica.models.franz_parisi import shape_summary

    nm = T.kappa_ref_nonmonotonic("binary", 0.72, xtol=1e-4, n_d=10)
    neg = T.kappa_ref_negative("binary", 0.72, xtol=1e-4, n_d=10)
    assert nm.found and neg.found
    assert 0 < neg.value < nm.value < nm.details["kappa_max"]
    assert T.kappa_ref_nonmonotonic("binary", 0.74, n_d=10).status == "absent"
    neg2 = T.kappa_ref_negative("binary", 0.74, xtol=1e-5, n_d=10, guess=neg.value)
    assert neg2.found and neg.value < neg2.value < neg2.details["kappa_max"]
    d = np.geomspace(2e-3, 0.05, 40)
    ks = neg2.value + np.array([-4e-3, -2e-3, 2e-3, 4e-3])
    mins = np.array([shape_summary("binary", 0.74, k, 0.0, d)["min_S"] for k in ks])
    assert mins[0] < mins[1] < 0 < mins[2] < mins[3]
    k0 = ks[1] - mins[1] * (ks[2] - ks[1]) / (mins[2] - mins[1])
    assert abs(k0 - neg2.value) < 2e-4
