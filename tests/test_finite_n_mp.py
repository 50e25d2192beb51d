"""Message passing at finite N (replica.finite_n.amp, state_evolution, mp_solvers,
local_entropy_bp) against the RS theory (replica.models), exact enumeration and identities."""
import math

import numpy as np
import pytest

from replica.errors import ReplicaInputError
from replica.finite_n.algorithms import verify_solution
from replica.finite_n.amp import amp, check_problem_size, make_teacher_student, pattern_pair_overlap
from replica.finite_n.enumerate import enumerate_instance, instance_seeds, make_patterns
from replica.finite_n.local_entropy_bp import default_gammas, tilted_local_entropy
from replica.finite_n.mp_solvers import amp_solve, bp_sample, focusing_bp, reinforced_bp
from replica.finite_n.state_evolution import state_evolution
from replica.models.gardner import gardner


def _h2(d):
    d = np.asarray(d, float)
    return -d * np.log(d) - (1 - d) * np.log1p(-d)


# --------------------------------------------------------------------------------------------------
# state evolution: its fixed point is the RS saddle point of Gardner–Derrida
# --------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("alpha,kappa", [(0.3, 0.0), (0.5, 0.0), (0.7, 0.0), (0.5, 0.3), (0.2, -0.5)])
def test_state_evolution_fixed_point_is_rs(alpha, kappa):
    se = state_evolution(alpha, kappa)
    s = gardner("binary", alpha, kappa)
    assert se["converged"]
    assert se["q_star"] == pytest.approx(s.order["q"], abs=1e-9)
    assert se["qh_star"] == pytest.approx(s.order["qh"], rel=1e-8)
    assert se["entropy"] == pytest.approx(s.thermo["entropy"], abs=1e-10)
    assert np.all(np.diff(se["q"]) >= -1e-14)  # q_t increases monotonically from q_0 = 0


# --------------------------------------------------------------------------------------------------
# AMP at N = 2000 against the RS theory (several instances)
# --------------------------------------------------------------------------------------------------
def _controlled_mean(values, controls):
    """OLS intercept of values = a + b controls, its standard error, and the slope b."""
    v, c = np.asarray(values, float), np.asarray(controls, float)
    A = np.stack([np.ones_like(c), c], axis=1)
    coef = np.linalg.lstsq(A, v, rcond=None)[0]
    r = v - A @ coef
    cov = np.linalg.inv(A.T @ A) * float(r @ r) / (v.size - 2)
    return float(coef[0]), float(math.sqrt(cov[0, 0])), float(coef[1])


@pytest.mark.slow
def test_amp_overlap_and_bethe_entropy_match_rs_at_n2000():
    """The Bethe entropy of an instance fluctuates by O(1/sqrt N) around s(alpha), mostly through
    the pair overlaps of its patterns (C = pattern_pair_overlap, mean exactly 0, first-order
    slope 2/pi). Averaged over instances with C as a control variate, it matches the RS entropy
    within 3 standard errors plus 1/N (the measured finite-size slope of the controlled gap is
    c = +0.3 ... +0.5 at alpha = 0.3, 0.5: benchmarks/bench_mp_bethe_finite_size.py)."""
    n, instances = 2000, 12
    for alpha in (0.3, 0.5, 0.7):
        p = int(round(alpha * n))
        s = gardner("binary", alpha, 0.0)
        se = state_evolution(alpha)
        phis, qs, cs = [], [], []
        for ss in instance_seeds(5, instances):
            X = make_patterns(n, p, ss, "gaussian")
            r = amp(X, tol=1e-9, max_iter=500)
            assert r.converged
            phis.append(r.free_entropy)
            qs.append(r.q)
            cs.append(pattern_pair_overlap(X))
            # the first iterations follow the state-evolution trajectory from q_0 = 0
            t = min(6, r.history.size, se["q"].size - 1)
            np.testing.assert_allclose(r.history[:t], se["q"][1:t + 1], atol=0.02)
        phis, qs = np.array(phis), np.array(qs)
        gap, err, slope = _controlled_mean(phis - s.thermo["entropy"], cs)
        raw_err = phis.std(ddof=1) / math.sqrt(instances)
        assert abs(gap) < 3 * err + 1.0 / n, (alpha, gap, err)
        assert err < raw_err                      # the control variate earns its keep
        assert 0.3 < slope < 1.2, slope           # first order: 2/pi
        assert abs(phis.mean() - s.thermo["entropy"]) < 3 * raw_err + 1.0 / n, (alpha, phis)
        se_q = qs.std(ddof=1) / math.sqrt(instances)
        assert abs(qs.mean() - s.order["q"]) < 3 * se_q + 4.0 / n, (alpha, qs)
        # and not trivially: the entropy is far from the alpha = 0 value ln 2
        assert phis.mean() < math.log(2) - 0.1


def test_pattern_pair_overlap_is_the_pair_sum():
    X = make_patterns(7, 5, 1, "gaussian")
    u = X / np.linalg.norm(X, axis=1, keepdims=True)
    direct = sum(u[i] @ u[j] for i in range(5) for j in range(i + 1, 5)) / 7
    assert pattern_pair_overlap(X) == pytest.approx(direct, abs=1e-14)
    # mean 0 and standard deviation sqrt(P(P-1)/2)/N^1.5 over instances (N = 50, P = 20)
    c = np.array([pattern_pair_overlap(make_patterns(50, 20, k, "pm1")) for k in range(400)])
    sd = math.sqrt(20 * 19 / 2) / 50 ** 1.5
    assert abs(c.mean()) < 4 * sd / math.sqrt(400)
    assert c.std() == pytest.approx(sd, rel=0.15)


def _exact_marginals(X):
    p, n = X.shape
    idx = np.arange(1 << n)
    W = (2 * ((idx[:, None] >> np.arange(n)) & 1) - 1).astype(np.float64)
    ok = np.all(W @ X.T >= 0, axis=1)
    return ok.sum(), W[ok].mean(axis=0)


@pytest.mark.parametrize("alpha", [0.3, 0.5])
def test_amp_vs_exact_enumeration_small_n(alpha):
    """At N = 18 the Bethe entropy is within ~0.01 of (1/N) ln #solutions and the marginals are
    close (not equal: AMP is exact only as N -> inf)."""
    n, diffs, errs, sizes = 18, [], [], []
    p = int(round(alpha * n))
    for seed in range(8):
        X = make_patterns(n, p, seed, "gaussian")
        count = int(enumerate_instance(X, [p], profiles=False).counts[0, 0])
        c2, m = _exact_marginals(X)
        assert c2 == count  # two independent enumerations agree
        if count == 0:
            continue
        r = amp(X, tol=1e-10, max_iter=3000, damping=0.3)
        if not r.converged:
            continue
        diffs.append(r.free_entropy - math.log(count) / n)
        errs.append(np.sqrt(np.mean((r.a - m) ** 2)))
        sizes.append(np.sqrt(np.mean(m ** 2)))
    assert len(diffs) >= 5
    assert abs(np.mean(diffs)) < 0.015 and np.max(np.abs(diffs)) < 0.04, diffs
    assert np.mean(errs) < 0.2 * np.mean(sizes), (errs, sizes)


def test_bethe_free_entropy_is_stationary_in_the_field():
    """d phi / d gamma = p on the tilted measure (phi is a Bethe free entropy at a fixed point)."""
    n, alpha = 600, 0.4
    X = make_patterns(n, int(alpha * n), 3, "gaussian")
    wt = np.where(np.random.default_rng(0).random(n) < 0.5, 1.0, -1.0)
    gamma, h = 0.3, 1e-4
    rs = [amp(X, field=g * wt, tol=1e-12, max_iter=2000, damping=0.2) for g in (gamma - h, gamma, gamma + h)]
    assert all(r.converged for r in rs)
    dphi = (rs[2].free_entropy - rs[0].free_entropy) / (2 * h)
    p = float(np.dot(rs[1].a, wt) / n)
    assert dphi == pytest.approx(p, abs=1e-6)
    assert abs(p) > 0.05


def test_amp_limits_and_temperature():
    n = 400
    X = make_patterns(n, 1, 0, "gaussian")
    # one pattern: the entropy is ln 2 + (1/N) ln(fraction ~ 1/2)
    r = amp(X, tol=1e-12)
    assert r.free_entropy == pytest.approx(math.log(2) + math.log(0.5) / n, abs=2e-4)
    X = make_patterns(n, 200, 1, "gaussian")
    r_inf = amp(X, tol=1e-11, max_iter=2000)
    r_40 = amp(X, beta=40.0, tol=1e-11, max_iter=2000)
    r_0 = amp(X, beta=1e-8, tol=1e-11, max_iter=2000)
    assert r_40.free_entropy == pytest.approx(r_inf.free_entropy, abs=1e-8)
    assert r_0.free_entropy == pytest.approx(math.log(2), abs=1e-6)   # beta -> 0: no constraint
    assert r_inf.free_entropy < math.log(2) - 0.1


def test_amp_input_validation():
    with pytest.raises(ReplicaInputError, match="pattern entries"):
        check_problem_size(10 ** 6, 10 ** 6)
    with pytest.raises(ReplicaInputError, match="patterns must be finite"):
        amp(np.full((3, 4), np.nan))
    with pytest.raises(ReplicaInputError, match="damping"):
        amp(np.ones((3, 4)), damping=1.0)
    with pytest.raises(ReplicaInputError, match="beta"):
        amp(np.ones((3, 4)), beta=-1.0)


# --------------------------------------------------------------------------------------------------
# solvers: every returned solution verified; failures reported
# --------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("solver,opts", [
    (reinforced_bp, {"schedule": "linear", "step": 1e-2}),
    (reinforced_bp, {"schedule": "geometric", "step": 1e-2}),
    (focusing_bp, {"gamma_step": 1e-2, "y": 7}),
])
def test_mp_solvers_return_verified_solutions(solver, opts):
    n, alpha = 500, 0.6
    for seed in range(2):
        X = make_patterns(n, int(alpha * n), seed, "pm1")
        r = solver(X, seed=seed, **opts)
        assert r.solved and r.errors == 0 and r.params["reason"] == "solved"
        assert verify_solution(X, r.w)
    # with a margin
    X = make_patterns(n, int(0.3 * n), 7, "gaussian")
    r = solver(X, kappa=0.3, **opts)
    assert r.solved and verify_solution(X, r.w, kappa=0.3) and r.margin >= 0.3


def test_mp_solvers_fail_clearly_beyond_capacity():
    n = 300
    X = make_patterns(n, int(1.2 * n), 0, "gaussian")   # alpha = 1.2 > alpha_c = 0.833
    r = reinforced_bp(X, step=0.02, max_iter=400)
    assert not r.solved and r.errors > 0 and r.params["reason"] in ("max_iter", "stuck")
    assert not verify_solution(X, r.w)
    r = focusing_bp(X, gamma_step=0.05, max_iter=300)
    assert not r.solved and r.errors > 0


def test_amp_clipping_and_teacher_student():
    n = 1000
    X = make_patterns(n, 30, 2, "gaussian")
    r = amp_solve(X)
    assert r.solved and verify_solution(X, r.w)
    X, wt = make_teacher_student(n, 400, 5)
    assert verify_solution(X, wt)
    r = reinforced_bp(X, step=1e-2)
    assert r.solved and verify_solution(X, r.w)
    with pytest.raises(ReplicaInputError, match="schedule"):
        reinforced_bp(X, schedule="cosine")


# --------------------------------------------------------------------------------------------------
# local entropy by the tilted measure
# --------------------------------------------------------------------------------------------------
def _fp_typical(alpha, d, d_min=3e-3):
    """Franz–Parisi S(d) of a typical reference (NaN below d_min, where the RS march is slow and
    at alpha = 0.5 has no solution)."""
    from replica.models.franz_parisi import local_entropy_curve
    d = np.asarray(d, float)
    out = np.full(d.shape, np.nan)
    sel = d >= d_min
    out[sel] = np.asarray(local_entropy_curve("binary", alpha, 0.0, 0.0, d[sel])["entropy"], float)
    return out


@pytest.mark.slow
def test_tilted_local_entropy_around_fbp_solutions():
    n, alpha = 1000, 0.5
    X = make_patterns(n, int(alpha * n), 11, "gaussian")
    r = focusing_bp(X, gamma_step=1e-2)
    assert r.solved and verify_solution(X, r.w)
    le = tilted_local_entropy(X, r.w)
    ok = le["converged"]
    assert ok.sum() >= 15
    d, S = le["d"][ok], le["entropy"][ok]
    assert np.all(np.diff(d) > 0)                          # decreasing gamma: increasing d
    assert np.all(S <= _h2(d) + 1e-4)                      # the counting bound
    assert S[0] < 0.012 and d[0] < 2e-3                    # S -> 0 as d -> 0
    # a dense region: above the local entropy of a typical solution (Franz–Parisi, kappa_ref = 0)
    fp = _fp_typical(alpha, d)
    sel = (d < 0.15) & np.isfinite(fp)       # (no RS solution of the typical reference at tiny d)
    assert sel.sum() >= 12
    assert np.all(S[sel] > fp[sel] + 0.005)


@pytest.mark.slow
def test_tilted_local_entropy_around_equilibrium_like_solutions_is_franz_parisi_typical():
    """At alpha = 0.1, around solutions sampled by BP decimation, the tilted-BP S(d) agrees with
    the Franz–Parisi curve of a typical reference (mean over instances), and not with H2."""
    n, alpha = 1000, 0.1
    g = default_gammas(6, 5e-3, 0.2)
    diffs = []
    for seed in range(3):
        X = make_patterns(n, int(alpha * n), 10 + seed, "gaussian")
        r = bp_sample(X, seed=seed, damping=0.5, tol=1e-5, max_iter=300)
        if not r.solved:
            continue
        assert verify_solution(X, r.w)
        le = tilted_local_entropy(X, r.w, gammas=g)
        assert np.all(le["converged"])
        diffs.append(le["entropy"] - _fp_typical(alpha, le["d"]))
        gap = le["h2"] - _fp_typical(alpha, le["d"])
    assert len(diffs) >= 2
    diffs = np.array(diffs)
    mean = diffs.mean(axis=0)
    se = diffs.std(axis=0, ddof=1) / math.sqrt(len(diffs))
    ok = np.isfinite(mean)                 # (the theory curve is evaluated from d = 3e-3)
    assert ok.sum() >= 4
    assert np.all(np.abs(mean[ok]) < 3 * se[ok] + 0.002), (mean, se)
    assert np.all(gap[-3:] > 0.01)      # the test can tell the typical curve from H2


def test_tilted_input_validation():
    X = make_patterns(50, 10, 0, "gaussian")
    with pytest.raises(ReplicaInputError, match="w_ref"):
        tilted_local_entropy(X, np.ones(49))
    with pytest.raises(ReplicaInputError, match="gammas"):
        tilted_local_entropy(X, np.ones(50), gammas=[-1.0])


def test_fifty_percent_fit_recovers_a_known_logistic():
    from replica.finite_n.success import fit_fifty_percent

    rng = np.random.default_rng(5)
    a = np.linspace(0.6, 0.9, 13)
    m = np.full(a.size, 400)
    k = rng.binomial(m, 1 / (1 + np.exp((a - 0.75) / 0.02)))
    f = fit_fifty_percent(a, k, m)
    assert abs(f["alpha50"] - 0.75) < 3 * f["alpha50_err"] and f["alpha50_err"] < 0.005
    assert f["width"] == pytest.approx(0.02, rel=0.2)
    # exact data at two points: the logistic through them
    f = fit_fifty_percent([0.7, 0.8], [90, 10], [100, 100])
    assert f["alpha50"] == pytest.approx(0.75, abs=1e-6)
    assert f["width"] == pytest.approx(0.05 / math.log(9), rel=1e-4)
    with pytest.raises(ReplicaInputError, match="bracketed"):
        fit_fifty_percent([0.6, 0.7], [10, 9], [10, 10])
    # separated data: the 50% point lies between the loads 0.74 and 0.76, the interval says so
    f = fit_fifty_percent([0.70, 0.72, 0.74, 0.76, 0.78], [8, 8, 8, 0, 0], [8] * 5)
    assert 0.74 <= f["alpha50"] <= 0.76
    assert f["alpha50_lo"] == pytest.approx(0.74, abs=2e-3)
    assert f["alpha50_hi"] == pytest.approx(0.76, abs=2e-3)
    # with plenty of data the profile interval is the Hessian error (a Gaussian likelihood)
    f = fit_fifty_percent(a, k, m)
    assert f["alpha50_hi"] - f["alpha50"] == pytest.approx(f["alpha50"] - f["alpha50_lo"], rel=0.15)


def test_int8_pass_matches_the_general_pass():
    """±1 patterns go through the int8 pass (uniform V and A); in double precision it is the
    general float64 pass to rounding, in single precision to float32 accuracy."""
    from replica.finite_n.amp import AMPState, amp_iteration, check_patterns

    n, p = 300, 180
    Xf = make_patterns(n, p, 3, "pm1")
    X8 = check_patterns(Xf)
    assert X8.dtype == np.int8 and check_patterns(make_patterns(n, p, 3, "gaussian")).dtype == float
    b = 0.3 * np.random.default_rng(0).standard_normal(n)
    s64, s8, s32 = (AMPState.start(n, p) for _ in range(3))
    for _ in range(25):
        d64 = amp_iteration(Xf, s64, b)
        d8 = amp_iteration(X8, s8, b)
        amp_iteration(X8, s32, b, precision="single")
        assert s8.nerr == s64.nerr
    assert d8 == pytest.approx(d64, rel=1e-9, abs=1e-13)
    np.testing.assert_allclose(s8.a, s64.a, atol=1e-12)
    np.testing.assert_allclose(s8.lnz, s64.lnz, atol=1e-12)
    np.testing.assert_allclose(s32.a, s64.a, atol=1e-4)
    # a fully polarised state (V at its floor): the single pass stays finite
    st = AMPState.start(n, p, np.where(b > 0, 1.0, -1.0))
    amp_iteration(X8, st, b, precision="single")
    assert np.all(np.isfinite(st.h))
    with pytest.raises(ReplicaInputError, match="±1"):
        check_patterns(np.zeros((3, 4), dtype=np.int8))


def test_inverse_n_fit():
    from replica.finite_n.success import fit_inverse_n

    ns = np.array([500, 1000, 2000, 4000])
    f = fit_inverse_n(ns, 0.75 + 20.0 / ns, np.full(4, 1e-3))
    assert f["v_inf"] == pytest.approx(0.75, abs=1e-12) and f["c"] == pytest.approx(20.0, rel=1e-9)
    assert f["chi2"] == pytest.approx(0.0, abs=1e-12) and f["dof"] == 2
    # the intercept error against a Monte Carlo of the same fit
    rng = np.random.default_rng(2)
    v = [fit_inverse_n(ns, 0.75 + 20.0 / ns + 1e-3 * rng.standard_normal(4), np.full(4, 1e-3))["v_inf"]
         for _ in range(2000)]
    assert np.std(v) == pytest.approx(f["v_inf_err"], rel=0.08)
    with pytest.raises(ReplicaInputError):
        fit_inverse_n([1000], [0.7], [0.01])
