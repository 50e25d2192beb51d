"""Teacher-student perceptron (Gibbs learning, RS): limits, the binary first-order transition
located by the continuation engine (published values), the spherical learning curve and its
large-alpha law, an independent mpmath path, stationarity, q = r off the Nishimori line,
solver agreement, robustness near r -> 1 and error handling."""
import math

import numpy as np
import pytest

import mp_teacher_student as mpts
from replica import models, thresholds
from replica.continuation import follow
from replica.errors import ConvergenceError, ReplicaInputError
from replica.models import teacher_student as ts
from replica.models.ts_kernels import WG, XG, binary_entropic, binary_log_tails

BIN = models.get("teacher-student-binary")
SPH = models.get("teacher-student-spherical")
LN2 = math.log(2.0)


def test_registered_and_validated():
    for name in ("teacher-student-binary", "teacher-student-spherical",
                 "teacher-student-binary-qr", "teacher-student-spherical-qr"):
        assert name in models.available()
    with pytest.raises(ReplicaInputError, match="alpha"):
        BIN.saddle({"alpha": -1.0})
    with pytest.raises(ReplicaInputError, match="alpha"):
        SPH.saddle({"alpha": float("nan")})


# --- limits --------------------------------------------------------------------------------

def test_small_alpha_binary():
    # r = (2/pi) alpha + O(alpha^2); phi = (1 - alpha) ln 2 + O(alpha^2)
    dev = []
    for a in (1e-3, 2e-3):
        s = BIN.saddle({"alpha": a})
        assert abs(s.order["r"] / a - 2 / math.pi) < 2 * a
        dev.append((s.thermo["entropy"] - (1 - a) * LN2) / a ** 2)
    assert abs(dev[0]) < 1.0 and abs(dev[1] / dev[0] - 1) < 0.05   # O(alpha^2), not O(alpha)
    assert BIN.saddle({"alpha": 0.0}).thermo["entropy"] == pytest.approx(LN2, abs=1e-15)


def test_tiny_alpha_relative_precision():
    # r = (2/pi) alpha to full relative precision even where 1 - r rounds to 1
    for m in (BIN, SPH):
        s = m.saddle({"alpha": 1e-200})
        assert abs(s.order["r"] / 1e-200 / (2 / math.pi) - 1) < 1e-12
    with pytest.raises(ReplicaInputError, match="alpha"):
        SPH.saddle({"alpha": 1e200})
    s = SPH.saddle({"alpha": 1e100})              # 1 - r ~ 1e-200, still a saddle point
    C = ts.gibbs_large_alpha_constant()
    assert abs(1e100 * s.thermo["eps_g"] / C["eps_g"] - 1) < 1e-9


def test_small_alpha_spherical():
    # the entropic term is O(r^2): phi = -alpha ln 2 + O(alpha^2)
    for a in (1e-3, 2e-3):
        s = SPH.saddle({"alpha": a})
        assert abs(s.thermo["entropy"] / a + LN2) < 2 * a
        assert abs(s.order["r"] / a - 2 / math.pi) < 2 * a


def test_teacher_state_zero_entropy():
    t = ts.teacher_state("binary")
    assert t["entropy"] == 0.0 and t["eps_g"] == 0.0 and t["r"] == 1.0
    # the r = 1 limit of the free entropy itself: on the Nishimori line with r -> 1 and the
    # conjugate at its stationary value, phi -> 0 like sqrt(1 - r)
    vals = []
    for v in (1e-6, 1e-10):
        r = 1 - v
        rh = ts.conjugates(1.3, r, r, one_minus_q=v, one_minus_r=v)["rh"]
        vals.append(ts.free_entropy("binary", 1.3, r, r, rh, rh)["free_entropy"])
    assert abs(vals[0]) < 5e-3 and abs(vals[1]) < 5e-5
    assert abs(vals[0] / vals[1] / 100 - 1) < 0.05     # ~ sqrt(1 - r)
    with pytest.raises(ReplicaInputError, match="weights"):
        ts.teacher_state("spherical")


# --- the binary first-order transition -----------------------------------------------------

@pytest.fixture(scope="module")
def binary_fold():
    return thresholds.fold("teacher-student-binary", {"alpha": 0.5}, "alpha", to=1.7)


def test_spinodal_is_a_fold_of_the_engine(binary_fold):
    a_amp = binary_fold.value
    # Sompolinsky, Tishby & Seung; Barbier et al. PNAS 116, 5451 (2019): 1.49 / 1.493
    assert abs(a_amp - 1.492) < 1e-3 and round(a_amp, 2) == 1.49
    # independent: R(x) = 0 and dR/dx = 0 solved by scipy from the fold's neighbourhood
    from scipy import optimize

    def F(y):
        x, a = y
        p = {"alpha": a}
        h = 1e-6
        r0 = BIN.residual([x], p)[0]
        d = (BIN.residual([x + h], p)[0] - BIN.residual([x - h], p)[0]) / (2 * h)
        return [r0, d]

    x_f = binary_fold.details["order"]["r"]
    sol = optimize.fsolve(F, [math.log1p(-x_f) + 0.01, a_amp - 1e-3], xtol=1e-13)
    assert abs(sol[1] - a_amp) < 1e-7
    # no r < 1 solution beyond it; one just below it
    with pytest.raises(ConvergenceError, match="spinodal"):
        BIN.saddle({"alpha": a_amp + 1e-4})
    assert BIN.saddle({"alpha": a_amp - 1e-4}).order["r"] < 0.9


def test_information_theoretic_transition_is_an_event():
    it = thresholds.event("teacher-student-binary", {"alpha": 0.5}, "alpha", "entropy", to=1.45)
    a_it = it.value
    assert round(a_it, 3) == 1.245                       # Gyorgyi, PRA 41, 7097 (1990)
    # independent: Brent on the entropy of cold saddle points
    from scipy import optimize
    root = optimize.brentq(lambda a: BIN.saddle({"alpha": a}).thermo["entropy"], 1.2, 1.3,
                           xtol=1e-13)
    assert abs(root - a_it) < 1e-9
    # eps_g jumps at alpha_IT from the r < 1 branch's value to the teacher's 0
    below = BIN.saddle({"alpha": a_it}).thermo["eps_g"]
    assert 0.25 < below < 0.26 and ts.teacher_state()["eps_g"] == 0.0


def test_branch_through_the_fold_returns_to_the_teacher(binary_fold):
    br = follow(BIN, {"alpha": 0.0}, "alpha", to=1.7, max_steps=120)
    assert len(br.folds) == 1 and abs(br.folds[0].value - binary_fold.value) < 1e-8
    k = br.folds[0].index
    r, a, s = br.values("r"), br.param, br.values("entropy")
    assert np.all(np.diff(r[: k + 1]) > 0) and np.all(np.diff(a[k + 1:]) < 0)
    # the unstable branch runs to r -> 1 as alpha decreases, its entropy to 0 from below
    assert r[-1] > 1 - 1e-6 and a[-1] < 0.5 and -1e-3 < s[-1] < 0


# --- spherical learning curve --------------------------------------------------------------

def test_spherical_eps_g_monotone_and_large_alpha_law():
    br = follow(SPH, {"alpha": 0.0}, "alpha", to=200.0, max_steps=400)
    assert br.reached and not br.folds
    eps = br.values("eps_g")
    assert np.all(np.diff(eps) < 0) and eps[0] == pytest.approx(0.5)
    C = ts.gibbs_large_alpha_constant()
    # Engel & Van den Broeck: eps_g ~ 0.625/alpha (Gibbs), 0.442/alpha (Bayes)
    assert round(C["eps_g"], 3) == 0.625 and round(C["eps_bayes"], 3) == 0.442
    import mpmath as mp
    with mp.workdps(30):   # the tails beyond |s| = 40 are below 1e-340
        i1 = mp.quad(lambda s: mp.npdf(s) ** 2 / (mp.erfc(s / mp.sqrt(2)) / 2), [-40, 0, 40])
    assert abs(C["I1"] / float(i1) - 1) < 1e-12
    dev = []
    for a in (1e3, 1e4, 1e5):
        s = SPH.saddle({"alpha": a})
        dev.append(a * s.thermo["eps_g"] - C["eps_g"])
        assert abs(a * s.thermo["eps_bayes"] / C["eps_bayes"] - 1) < 20 / a
    # alpha eps_g - C = O(1/alpha^2): the relative corrections are second order
    assert abs(dev[0]) < 1e-5 and abs(dev[1] / dev[0] - 0.01) < 1e-3


def test_near_r_equal_one_full_precision():
    s = SPH.saddle({"alpha": 1e7})
    v = s.thermo["one_minus_r"]
    assert 1e-16 < v < 1e-13 and s.residual_norm < 1e-12
    # 1 - r from the closed asymptote sqrt(1 - r) = sqrt(pi/2)/(alpha I(1)) (1 + O(1/alpha))
    C = ts.gibbs_large_alpha_constant()
    assert abs(math.sqrt(v) * 1e7 * C["I1"] / math.sqrt(math.pi / 2) - 1) < 1e-5
    # log-domain tails of the binary entropic term agree with the direct integrals
    for qh, rh in ((0.7, 0.7), (3.0, 2.0), (50.0, 50.0), (200.0, 200.0)):
        omr, omq, _, _, _, _ = binary_entropic(qh, rh, XG, WG)
        lr, lq = binary_log_tails(qh, rh, XG, WG)
        assert abs(lr - math.log(omr)) < 1e-13 * max(1, abs(lr))
        assert abs(lq - math.log(omq)) < 1e-13 * max(1, abs(lq))
    # and where 1 - r underflows: 1 - r = pi exp(-rh/2)/sqrt(2 pi rh) (1 - pi^2/(8 rh) + ...)
    # (expanding exp(-h^2/(2 rh)) in int dh e^h 2 sigma(-2h) = int dh sech h = pi, and
    # int dh h^2 sech h = pi^3/4)
    rh = 4000.0
    lr, lq = binary_log_tails(rh, rh, XG, WG)
    asym = math.log(math.pi) - rh / 2 - 0.5 * math.log(2 * math.pi * rh) - math.pi ** 2 / (8 * rh)
    assert abs(lr - asym) < 5 / rh ** 2                  # the next term is O(1/rh^2)
    assert lr == pytest.approx(lq, abs=1e-12)            # Nishimori: 1 - q = 1 - r


# --- independent mpmath path ---------------------------------------------------------------

@pytest.mark.slow
@pytest.mark.parametrize("weights,alpha", [("spherical", 0.5), ("spherical", 10.0),
                                           ("binary", 1.2)])
def test_against_mpmath(weights, alpha):
    import mpmath as mp
    mp.mp.dps = 18
    m = SPH if weights == "spherical" else BIN
    s = m.saddle({"alpha": alpha})
    f = mpts.spherical if weights == "spherical" else mpts.binary
    r, phi = f(alpha, s.order["r"])
    assert abs(s.order["r"] - float(r)) < 1e-9
    assert abs(s.thermo["entropy"] - float(phi)) < 1e-9
    assert abs(s.thermo["eps_g"] - float(mp.acos(r) / mp.pi)) < 1e-9


# --- equations: stationarity, q = r, solver agreement --------------------------------------

@pytest.mark.parametrize("alpha", [0.4, 1.1, 1.45])
def test_binary_stationary_by_finite_differences(alpha):
    s = BIN.saddle({"alpha": alpha})
    o = dict(s.order)
    f = lambda oo: BIN.free_entropy(oo, {"alpha": alpha})["free_entropy"]
    assert f(o) == pytest.approx(s.thermo["entropy"], abs=1e-13)
    for k in ("q", "r", "qh", "rh"):
        h = 1e-5
        up, dn = dict(o), dict(o)
        up[k] += h
        dn[k] -= h
        d = (f(up) - f(dn)) / (2 * h)
        d2 = (f(up) - 2 * f(o) + f(dn)) / h ** 2
        assert abs(d) < 1e-8, (k, d)
        assert abs(d2) > 1e-3, (k, d2)                 # a genuine saddle, not a flat function


@pytest.mark.parametrize("alpha", [0.4, 3.0])
def test_spherical_stationary_by_finite_differences(alpha):
    s = SPH.saddle({"alpha": alpha})
    o = dict(s.order)
    f = lambda oo: SPH.free_entropy(oo, {"alpha": alpha})["free_entropy"]
    assert f(o) == pytest.approx(s.thermo["entropy"], abs=1e-13)
    for k in ("q", "r"):
        h = 1e-5
        up, dn = dict(o), dict(o)
        up[k] += h
        dn[k] -= h
        assert abs((f(up) - f(dn)) / (2 * h)) < 1e-8


def test_energetic_derivatives_off_the_nishimori_line():
    q, r, h = 0.6, 0.5, 1e-6
    e = ts.energetic(q, r)
    fq = (ts.energetic(q + h, r)["G_E"] - ts.energetic(q - h, r)["G_E"]) / (2 * h)
    fr = (ts.energetic(q, r + h)["G_E"] - ts.energetic(q, r - h)["G_E"]) / (2 * h)
    assert abs(e["dG_dq"] - fq) < 1e-8 and abs(e["dG_dr"] - fr) < 1e-8
    # on the line: -2 dG/dq = dG/dr (Nishimori) and G_E = 2E
    e = ts.energetic(0.7, 0.7)
    assert abs(-2 * e["dG_dq"] - e["dG_dr"]) < 1e-12
    assert abs(e["G_E"] - 2 * ts.energetic_nishimori(0.3)["E"]) < 1e-14


@pytest.mark.parametrize("name,alpha", [("teacher-student-binary-qr", 0.7),
                                        ("teacher-student-binary-qr", 1.4),
                                        ("teacher-student-spherical-qr", 2.0)])
def test_gibbs_saddle_lands_on_the_nishimori_line(name, alpha):
    m = models.get(name)
    ref = (BIN if "binary" in name else SPH).saddle({"alpha": alpha})
    r = ref.order["r"]
    # start far off the line: q = r^2 + 0.3 (r^2 < q), r lower by 0.1
    x0 = [math.log1p(-(r * r + 0.5 * (r - r * r))), math.log1p(-(r - 0.1))]
    s = m.saddle({"alpha": alpha}, x0=x0)
    assert abs(s.order["q"] - s.order["r"]) < 1e-10
    assert abs(s.order["r"] - r) < 1e-10
    assert abs(s.order["qh"] - s.order["rh"]) < 1e-8
    assert abs(s.thermo["entropy"] - ref.thermo["entropy"]) < 1e-11


@pytest.mark.parametrize("alpha", [0.3, 1.0, 1.4])
def test_iteration_and_newton_agree(alpha):
    ref = BIN.saddle({"alpha": alpha})
    it = BIN.saddle({"alpha": alpha}, x0=[0.0], method="iterate", mixing=1.0, max_iter=5000)
    nw = BIN.saddle({"alpha": alpha}, x0=[ref.u[0] + 0.05], method="newton")
    assert abs(it.order["r"] - ref.order["r"]) < 1e-10
    assert abs(nw.order["r"] - ref.order["r"]) < 1e-10
    s_it = SPH.saddle({"alpha": alpha}, x0=[0.0], method="iterate", mixing=1.0)
    assert abs(s_it.order["r"] - SPH.saddle({"alpha": alpha}).order["r"]) < 1e-10


def test_replicon_positive_on_the_nishimori_line():
    for m in (BIN, SPH):
        for a in (0.2, 1.0, 1.4):
            assert 0 < m.saddle({"alpha": a}).thermo["replicon"] < 1


# --- margin-kappa students (item: high-margin references generalise better) ---------------

def test_margin_students_generalise_better():
    m = models.get("teacher-student-binary-qr")
    # kappa = 0 is Gibbs learning
    s0 = m.saddle({"alpha": 0.5, "kappa": 0.0})
    assert abs(s0.order["r"] - BIN.saddle({"alpha": 0.5}).order["r"]) < 1e-10
    # derivatives of G_E with a margin against finite differences
    q, r, h = 0.6, 0.5, 1e-6
    e = ts.energetic(q, r, kappa=0.3)
    fq = (ts.energetic(q + h, r, kappa=0.3)["G_E"] - ts.energetic(q - h, r, kappa=0.3)["G_E"])
    fr = (ts.energetic(q, r + h, kappa=0.3)["G_E"] - ts.energetic(q, r - h, kappa=0.3)["G_E"])
    assert abs(e["dG_dq"] - fq / (2 * h)) < 1e-7 and abs(e["dG_dr"] - fr / (2 * h)) < 1e-7
    # along kappa at alpha = 0.5: the entropy vanishes at kappa_max (an engine event), and up
    # to there the typical margin-kappa student has a smaller eps_g than the Gibbs one
    br = follow(m, {"alpha": 0.5, "kappa": 0.0}, "kappa", to=0.7, events=["entropy"],
                max_steps=200)
    ev = [x for x in br.events if x.name == "entropy"]
    assert len(ev) == 1 and 0.5 < ev[0].value < 0.65
    k, eps = br.values("kappa"), br.values("eps_g")
    ok = k <= ev[0].value
    assert np.all(np.diff(eps[ok]) < 0)
    assert eps[ok][-1] < s0.thermo["eps_g"] - 0.03
    # stationarity of the margin free entropy
    s = m.saddle({"alpha": 0.5, "kappa": 0.3})
    f = lambda oo: m.free_entropy(oo, {"alpha": 0.5, "kappa": 0.3})["free_entropy"]
    o = dict(s.order)
    for key in ("q", "r", "qh", "rh"):
        up, dn = dict(o), dict(o)
        up[key] += 1e-5
        dn[key] -= 1e-5
        assert abs((f(up) - f(dn)) / 2e-5) < 1e-8, key
