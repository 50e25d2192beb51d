"""Robustness of the 1RSB / m-clone / spherical-1RSB entry points over their parameter range:
cold starts far from the known point, the domain's edges (q1 below the typical overlap, beyond
the SAT/UNSAT line, before the AT line, a branch leaving the AT line backwards) answered by a
clear error, and hostile input."""
import json

import pytest

from replica.errors import ConvergenceError
from replica.models import gardner, rsb1
from replica.testing import assert_stationary


# --- the m-clone domain: q1 below the typical overlap ------------------------------------------

@pytest.mark.parametrize("weights,alpha,kappa,m", [("spherical", 1.0, 0.0, 2),
                                                   ("binary", 0.5, 0.0, 2)])
def test_mclone_below_typical_overlap_says_why(weights, alpha, kappa, m):
    # for q1 < q_RS the saddle has q0 > q1, outside the ansatz (q0 <= q1): a clear error
    q = gardner.gardner(weights, alpha, kappa).order["q"]
    with pytest.raises(ConvergenceError, match="typical overlap"):
        rsb1.mclone_saddle(weights, alpha, kappa, m, 0.5 * q)
    # and just above it the clones decorrelate continuously (q0 -> q1)
    s = rsb1.mclone_saddle(weights, alpha, kappa, m, q + 1e-4)
    assert 0 <= q + 1e-4 - s.order["q0"] < 1e-3


# --- spherical 1RSB: cold starts and the ends of the branch -------------------------------------

@pytest.mark.slow
@pytest.mark.parametrize("alpha,kappa,m", [(10.5, -1.0, 0.5), (4.5, -0.5, 0.1),
                                           (4.5, -0.5, 0.5)])
def test_spherical_1rsb_cold_starts_far_from_the_at_line(alpha, kappa, m):
    # these cold starts (the branch linearised at the AT line) used to fail; the solve now falls
    # back to continuation from the bifurcation. The result is a stationary 1RSB point
    s = rsb1.rsb1_spherical(alpha, kappa, m=m)
    o = s.order
    assert max(abs(r) for r in s.residual) < 1e-10 and o["q1"] - o["q0"] > 1e-2
    f = lambda v: rsb1.free_entropy("spherical", alpha, kappa, m, v[0], v[1])["free_entropy"]
    assert_stationary(f, [o["q0"], o["q1"]], ["q0", "q1"], atol=1e-7, noise=1e-13)
    # and a warm start from a perturbed point returns it
    w = rsb1.rsb1_spherical(alpha, kappa, m=m, x0=[o["q0"] - 0.01, o["q1"] - 0.005])
    assert abs(w.order["q1"] - o["q1"]) < 1e-9 and abs(w.order["q0"] - o["q0"]) < 1e-9


@pytest.mark.parametrize("alpha,kappa,m,why", [
    (5.531, -0.5, 0.5, "beyond the RS SAT/UNSAT line"), (7.7, -1.0, 0.5, "only RS exists"),
    (3090.0, -3.0, 0.9, "towards smaller alpha")])
def test_spherical_1rsb_outside_its_branch_says_why(alpha, kappa, m, why):
    with pytest.raises(ConvergenceError, match=why):
        rsb1.rsb1_spherical(alpha, kappa, m=m)


# --- hostile input ------------------------------------------------------------------------------

@pytest.mark.parametrize("argv", [
    ["rsb1", "mclone", "--model", "sbp", "--alpha", "nan", "--m", "3", "--q1", "0.9"],
    ["rsb1", "mclone", "--model", "sbp", "--alpha", "1", "--m", "3", "--q1", "0.9",
     "--kappa", "-1"],
    ["rsb1", "mclone", "--model", "binary", "--alpha", "0.5", "--m", "-2", "--q1", "0.9"],
    ["rsb1", "mclone", "--model", "spherical", "--alpha", "inf", "--m", "2", "--q1", "0.9"],
    ["rsb1", "mclone", "--model", "binary", "--alpha", "0.5", "--m", "1e300", "--q1", "0.9"],
    ["rsb1", "sbp", "--kappa", "0"], ["rsb1", "sbp", "--kappa", "1e300"],
    ["rsb1", "sbp", "--kappa", "1", "--alpha", "-1"],
    ["rsb1", "spherical", "--alpha", "9", "--kappa", "-1", "--m", "1.5"],
    ["rsb1", "spherical", "--alpha", "9", "--kappa", "nan", "--m", "0.5"],
    ["rsb1", "jamming", "--kappa", "inf"],
    ["rsb1", "frozen", "--alpha", "0.7", "--q1", "1.5"],
    ["threshold", "ogp", "--model", "sbp", "--m", "3", "--kappa", "-0.5"],
    ["threshold", "ogp", "--model", "binary", "--m", "1"],
    ["solve", "rsb1-spherical", "--param", "m=0", "--json"],
])
def test_cli_hostile_input_exits_2(argv, capsys):
    from replica.cli import main
    assert main(argv) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "Traceback" not in err[0]


def test_cli_spherical_beyond_capacity_exits_3_fast(capsys):
    from replica.cli import main
    assert main(["rsb1", "spherical", "--alpha", "20", "--kappa", "-1", "--m", "0.5",
                 "--json"]) == 3
    assert "SAT/UNSAT" in capsys.readouterr().err


def test_cli_sbp_large_kappa_is_finite(capsys):
    from replica.cli import main
    assert main(["rsb1", "sbp", "--kappa", "9", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert 3.0e18 < out["alpha_c"] < 3.1e18


# --- binary m clones near q1 = 1 ----------------------------------------------------------------

@pytest.mark.slow
def test_binary_mclone_at_one_minus_q1_1e6_is_a_stationary_saddle():
    # the cold start used to wander off (Newton, 60 iterations, |residual| ~ 0.04): now a
    # continuation in log(1 - q1) from q1 = 0.999
    a, k, m, q1 = 0.5, 0.0, 2, 1 - 1e-6
    s = rsb1.mclone_saddle("binary", a, k, m, q1)
    o = s.order
    assert max(abs(r) for r in s.residual) < 1e-11 and 0 < o["q0"] < q1
    f = lambda v: rsb1.free_entropy("binary", a, k, m, v[0], q1, v[1], v[2])["free_entropy"]
    assert_stationary(f, [o["q0"], o["qh0"], o["qh1"]], ["q0", "qh0", "qh1"], atol=1e-7,
                      noise=1e-13)
    # phi_m(q1) is continuous in q1 towards 1 (the saddle one decade further out)
    s2 = rsb1.mclone_saddle("binary", a, k, m, 1 - 1e-5)
    assert abs(s2.thermo["free_entropy"] - s.thermo["free_entropy"]) < 5e-3


# --- m-overlap-gap threshold away from kappa = 0 ------------------------------------------------

@pytest.mark.slow
@pytest.mark.parametrize("kappa,m", [(0.5, 2), (-0.5, 3)])
def test_binary_alpha_ogp_at_nonzero_margin_is_the_minimum_of_alpha_m(kappa, m):
    # the start used to be alpha = 0.8, beyond the capacity for kappa = 0.5 (saddle lost)
    from replica import rsb1_thresholds as rt
    r = rt.alpha_ogp("binary", kappa, m)
    assert r["alpha"] < gardner.capacity("binary", kappa) and 0 < r["q0"] < r["q1"] < 1
    # a minimum of alpha_m(q1): both neighbours lie above it (quadratically)
    for d in (-2e-3, 2e-3):
        a, _ = rt.alpha_m("binary", kappa, m, r["q1"] + d)
        assert 0 < a - r["alpha"] < 1e-3
