"""Franz–Parisi local entropy in the binary teacher–student setting (model ts-fp-binary): the
typical point, the storage limit, derivatives against finite differences (Price's term for r
included), the Nishimori symmetry of the typical reference, stationarity, S <= H2(d) and
thermodynamic integration along d."""
import math

import numpy as np
import pytest

from replica import models
from replica.errors import ReplicaInputError
from replica.models import franz_parisi as fp
from replica.models import ts_fp
from replica.models.fp_kernels import binary_entropic_terms, energetic_terms
from replica.models.gardner import gardner
from replica.models.teacher_student import BINARY, BINARY_QR

M = models.get("ts-fp-binary")


def test_registered():
    assert M is ts_fp.TS_FP_BINARY


@pytest.mark.parametrize("alpha, kappa_ref", [(1.0, 0.0), (0.5, 0.05), (1.0, "max")])
def test_typical_point_is_the_reference(alpha, kappa_ref):
    """At d* = (1-Q)/2, kappa = kappa_ref: a saddle point with S = entropy of the students of
    margin kappa_ref (teacher-student Gardner, solved independently), dS/dd = 0, r = R."""
    p0, x0 = M.typical_point(M.validate({"alpha": alpha, "kappa_ref": kappa_ref, "d": 0.2}))
    assert np.max(np.abs(M.residual(x0, p0))) < 1e-10
    th = M.thermo(x0, p0)
    kr = th["kappa_ref_value"]
    g = BINARY_QR.saddle({"alpha": alpha, "kappa": kr})
    assert abs(th["entropy"] - g.thermo["entropy"]) < 1e-10
    assert abs(th["dS_dd"]) < 1e-9
    assert abs(th["r"] - g.order["r"]) < 1e-9 and abs(th["q"] - g.order["q"]) < 1e-9
    assert abs(th["eps_g"] - g.thermo["eps_g"]) < 1e-9
    if kappa_ref == "max":
        assert abs(th["entropy"]) < 1e-9          # kappa_max: zero entropy of the reference


def test_max_margin_reference_generalises_better():
    """Students of larger margin have a larger teacher overlap (below alpha_IT), monotonically
    in kappa_ref, but stay above the Bayes-optimal error (the gallery caption's claims)."""
    for a in (0.5, 1.0):
        typ, mx = ts_fp.ts_reference(a, 0.0), ts_fp.ts_reference(a, "max")
        mid = ts_fp.ts_reference(a, 0.5 * mx.kappa_ref)
        assert typ.eps_g > mid.eps_g > mx.eps_g
        th = BINARY.saddle({"alpha": a}).thermo
        assert abs(typ.eps_g - th["eps_g"]) < 1e-10
        assert mx.eps_g > th["eps_bayes"]


def _storage_reference(alpha, kappa_ref):
    g = gardner("binary", alpha, kappa_ref)
    return ts_fp.TSReference(alpha, kappa_ref, g.q, 0.0, g.qh, 0.0, g.entropy, 0.5)


def test_storage_limit_equals_franz_parisi():
    """R = r = Rh = rh = 0: the teacher drops out, every term equals the storage FP model's
    (energetic_terms, binary_entropic_terms, franz_parisi.free_entropy) to 1e-10."""
    alpha, kr, kappa, d = 0.6, 0.2, 0.1, 0.15
    ref = _storage_reference(alpha, kr)
    q, t, p = 0.72, 0.55, 1 - 2 * d
    quad = fp.DEFAULT_QUAD
    xg, wg, base = quad.rule()
    en = ts_fp.energetic(ref, kappa, 1 - q, t, p, 0.0)
    st = energetic_terms(ref.Q, kr, kappa, 1 - q, t, p, xg, wg, base)
    for key, i in (("G_E", 0), ("dG_dq", 1), ("dG_dt", 2), ("dG_dp", 3), ("C2", 4), ("K", 6)):
        assert abs(en[key] - st[i]) < 1e-10 * max(1.0, abs(st[i])), key
    qh, th, ph = 2.1, 0.9, 0.4
    es = ts_fp.entropic(ref, qh, th, ph, 0.0)
    sb = binary_entropic_terms(ref.Qh, qh, th, ph, xg, wg, base)
    assert abs(es["G_S"] - sb[0]) < 1e-10
    assert abs(es["one_minus_q"] - sb[1]) < 1e-10
    assert abs(es["t"] - sb[2]) < 1e-10
    assert abs(es["d"] - sb[3]) < 1e-10
    order = {"q": q, "t": t, "r": 0.0, "qh": qh, "th": th, "ph": ph, "rh": 0.0}
    mine = ts_fp.free_entropy(ref, kappa, d, order)["entropy"]
    theirs = fp.free_entropy("binary", alpha, kr, kappa, d,
                             {"q": q, "t": t, "qh": qh, "th": th, "ph": ph})["entropy"]
    assert abs(mine - theirs) < 1e-10


def test_energetic_derivatives_against_finite_differences():
    """dG_E/dq, dt, dp (chain rule) and dG_E/dr (Price's term at z* = 0) vs central
    differences of G_E itself, off the typical point, with a high-margin reference."""
    ref = ts_fp.ts_reference(0.8, 0.1)
    kappa, omq, t, p, r = 0.05, 0.3, 0.5, 0.7, 0.5
    e = ts_fp.energetic(ref, kappa, omq, t, p, r)
    assert e["C2"] > 0.1                            # inside the physical domain
    h = 1e-5

    def g(**k):
        a = dict(omq=omq, t=t, p=p, r=r)
        a.update(k)
        return ts_fp.energetic(ref, kappa, a["omq"], a["t"], a["p"], a["r"])["G_E"]

    fd = {"dG_dq": (g(omq=omq - h) - g(omq=omq + h)) / (2 * h),
          "dG_dt": (g(t=t + h) - g(t=t - h)) / (2 * h),
          "dG_dp": (g(p=p + h) - g(p=p - h)) / (2 * h),
          "dG_dr": (g(r=r + h) - g(r=r - h)) / (2 * h)}
    for k, v in fd.items():
        assert abs(e[k] - v) < 2e-8, (k, e[k], v)


def test_entropic_moments_against_finite_differences():
    """1-q = 1 - 2 dG_S/dqh, p - t = dG_S/dth, p = dG_S/dph, r = dG_S/drh."""
    ref = ts_fp.ts_reference(1.0, 0.0)
    qh, th, ph, rh = 1.3, 1.1, 0.3, 0.9
    es = ts_fp.entropic(ref, qh, th, ph, rh)
    h = 1e-5

    def G(**k):
        a = dict(qh=qh, th=th, ph=ph, rh=rh)
        a.update(k)
        return ts_fp.entropic(ref, a["qh"], a["th"], a["ph"], a["rh"])["G_S"]

    p = 1 - 2 * es["d"]
    assert abs((G(qh=qh + h) - G(qh=qh - h)) / (2 * h) - es["one_minus_q"] / 2) < 1e-8
    assert abs((G(th=th + h) - G(th=th - h)) / (2 * h) - (p - es["t"])) < 1e-8
    assert abs((G(ph=ph + h) - G(ph=ph - h)) / (2 * h) - p) < 1e-8
    assert abs((G(rh=rh + h) - G(rh=rh - h)) / (2 * h) - es["r"]) < 1e-8


@pytest.fixture(scope="module")
def solved():
    p = {"alpha": 1.0, "kappa_ref": 0.0, "kappa": 0.0, "d": 0.2}
    p0, x0 = M.known_point(p)
    return p, M.saddle(p, x0=x0)


def test_nishimori_symmetry_of_the_typical_reference(solved):
    """On the Nishimori line a typical student is statistically the teacher: around it
    (kappa = kappa_ref = 0) t = r and th = rh at every d (not imposed by the equations)."""
    _, s = solved
    o = s.order
    assert abs(o["t"] - o["r"]) < 1e-9 and abs(o["th"] - o["rh"]) < 1e-8
    assert 0 < s.thermo["entropy"] < fp.h2(0.2)
    assert s.thermo["dS_dd"] > 0                  # below d*: S grows with d


@pytest.mark.slow
def test_stationarity_against_finite_differences(solved):
    """The free entropy as a function of all order parameters is stationary at the solved point
    in every direction but p (whose slope is dS/dp = -dS/dd/2)."""
    p, s = solved
    o = dict(s.order)
    h = 1e-5
    for k in ("q", "t", "r", "qh", "th", "ph", "rh"):
        up, dn = dict(o), dict(o)
        up[k] += h
        dn[k] -= h
        g = (M.free_entropy(up, p)["entropy"] - M.free_entropy(dn, p)["entropy"]) / (2 * h)
        assert abs(g) < 1e-7, (k, g)


@pytest.mark.slow
def test_thermodynamic_integration_along_d():
    """S(d2) - S(d1) = int dS/dd along a branch followed by the continuation engine (Simpson on
    the engine's points vs the trapezoid: the difference bounds the quadrature error)."""
    from replica.continuation import follow

    p0, x0 = M.known_point({"alpha": 0.5, "kappa_ref": 0.0, "kappa": 0.0, "d": 0.1})
    br = follow(M, p0, "d", to=p0["d"] - 0.03, x0=x0, mode="natural", ds=0.01, ds_max=0.01)
    d = br.param
    S = br.values("entropy")
    slope = br.values("dS_dd")
    assert len(d) >= 4 and abs(slope[0]) < 1e-9
    trap = np.sum(0.5 * (slope[1:] + slope[:-1]) * np.diff(d))
    assert abs((S[-1] - S[0]) - trap) < 2e-5
    for di, si in zip(d, S):
        assert si <= fp.h2(di) + 1e-12


def test_bad_input():
    with pytest.raises(ReplicaInputError, match="kappa_ref"):
        M.validate({"alpha": 1.0, "kappa_ref": 0.5, "d": 0.1})
    with pytest.raises(ReplicaInputError, match="alpha"):
        M.validate({"alpha": 1.6, "kappa_ref": 0.0, "d": 0.1})
    with pytest.raises(ReplicaInputError, match="d"):
        M.validate({"alpha": 1.0, "kappa_ref": 0.0, "d": 0.7})
    assert math.isnan(M.residual(np.array([0.5, 0.1, 0.0, 0.2]), M.validate(
        {"alpha": 1.0, "kappa_ref": 0.0, "d": 0.1}))[0])
