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
