"""m clones at fixed mutual overlap in the binary teacher-student setting (model
ts-mclone-binary): m = 1 is the teacher-student RS entropy for every q1, the storage limit
equals replica.models.rsb1, derivatives against finite differences (Price's term for r)."""
import math

import numpy as np
import pytest

from replica import models
from replica.models import rsb1
from replica.models import ts_mclone as T
from replica.models.teacher_student import BINARY

M = models.get("ts-mclone-binary")


@pytest.mark.parametrize("q1", [0.7, 0.95])
def test_m1_is_the_teacher_student_entropy_for_every_q1(q1):
    """At m = 1 the RS teacher-student point (q0 = q, r, qh1 = qh0) is a saddle point with
    phi_1(q1) = the version-space entropy, whatever q1."""
    a = 1.0
    s = BINARY.saddle({"alpha": a})
    p = M.validate({"alpha": a, "m": 1, "q1": q1})
    x = np.array([s.order["q"], s.order["r"], s.order["qh"]])
    assert np.max(np.abs(M.residual(x, p))) < 1e-10
    th = M.thermo(x, p)
    assert abs(th["free_entropy"] - s.thermo["entropy"]) < 1e-10
    assert abs(th["qh0"] - s.order["qh"]) < 1e-9 and abs(th["rh"] - s.order["rh"]) < 1e-9


def test_storage_limit_equals_rsb1():
    """r = rh = 0: the teacher drops out; G_E, its q-derivatives and G_S equal rsb1's."""
    q0, q1, m, kappa = 0.3, 0.85, 3, 0.2
    e = T.energetic(q0, q1, 0.0, m, kappa, rule=rsb1.COARSE_RULE)
    st = rsb1.energetic_terms("margin", q0, q1, m, kappa, rule=rsb1.COARSE_RULE)
    for k in ("G_E", "dq0", "dq1"):
        assert abs(e[k] - st[k]) < 1e-10, k
    qh0, qh1 = 0.8, 2.5
    es = T.entropic(q0, q1, 0.0, qh0, qh1, 0.0, m)
    sb = rsb1.entropic_binary_terms(q0, q1, qh0, qh1, m)
    assert abs(es["G_S"] - sb["G_S"]) < 1e-10
    assert abs(es["q0_eq"] - sb["q0_eq"]) < 1e-10 and abs(es["M2"] - sb["M2"]) < 1e-10
    assert abs(es["r_eq"]) < 1e-12


def test_energetic_derivatives_against_finite_differences():
    rule = None                      # the default rule (the coarse one is not smooth enough)
    args = dict(q0=0.5, q1=0.9, r=0.5)
    e = T.energetic(0.5, 0.9, 0.5, 3, 0.0, rule=rule)
    h = 1e-5
    for key, name in (("dq0", "q0"), ("dq1", "q1"), ("dr", "r")):
        up, dn = dict(args), dict(args)
        up[name] += h
        dn[name] -= h
        fd = (T.energetic(up["q0"], up["q1"], up["r"], 3, 0.0, rule=rule)["G_E"]
              - T.energetic(dn["q0"], dn["q1"], dn["r"], 3, 0.0, rule=rule)["G_E"]) / (2 * h)
        assert abs(e[key] - fd) < 1e-7, (key, e[key], fd)


def test_entropic_moments_against_finite_differences():
    """r = dG_S/drh + r (the -r rh term removed), q0 and M2 from dG_S/dqh0, dG_S/dqh1."""
    m, q0, q1, r = 3, 0.4, 0.8, 0.3
    qh0, qh1, rh = 0.7, 2.0, 0.5
    es = T.entropic(q0, q1, r, qh0, qh1, rh, m)
    h = 1e-5

    def G(**k):
        a = dict(qh0=qh0, qh1=qh1, rh=rh)
        a.update(k)
        return T.entropic(q0, q1, r, a["qh0"], a["qh1"], a["rh"], m)["G_S"]

    assert abs((G(rh=rh + h) - G(rh=rh - h)) / (2 * h) - (es["r_eq"] - r)) < 1e-8
    assert abs((G(qh0=qh0 + h) - G(qh0=qh0 - h)) / (2 * h)
               - 0.5 * m * (q0 - es["q0_eq"])) < 1e-8
    assert abs((G(qh1=qh1 + h) - G(qh1=qh1 - h)) / (2 * h)
               - (-0.5 * (1 - q1) - 0.5 * m * q1 + 0.5 * es["M2"] / m)) < 1e-8


def test_clones_generalise_better_than_gibbs():
    """Two clones at overlap 0.9 (a denser region) have a larger teacher overlap than a typical
    student at the same load, and less entropy per clone."""
    a = 1.0
    mod = T.COARSE
    s = mod.saddle({"alpha": a, "m": 2, "q1": 0.9}, x0=[0.65, 0.6, 1.6])
    g = BINARY.saddle({"alpha": a})
    assert s.thermo["eps_g"] < g.thermo["eps_g"]
    assert s.thermo["free_entropy"] < g.thermo["entropy"]
    assert math.isfinite(s.thermo["dphi_dq1"])


def test_alpha_m_is_a_zero_with_the_envelope_slope():
    """phi_m(alpha_m) = 0, and G_E is the alpha-slope of phi_m (envelope theorem) against a
    central difference of two saddle solves."""
    mod = T.COARSE
    a, s = T.alpha_m(3, 0.97, alpha0=1.17, x0=[0.76, 0.69, 1.38], model=mod)
    assert abs(s.thermo["free_entropy"]) < 1e-9
    h = 1e-4
    up = mod.saddle({"alpha": a + h, "m": 3, "q1": 0.97}, x0=s.unknowns)
    dn = mod.saddle({"alpha": a - h, "m": 3, "q1": 0.97}, x0=s.unknowns)
    fd = (up.thermo["free_entropy"] - dn.thermo["free_entropy"]) / (2 * h)
    assert abs(fd - s.thermo["G_E"]) < 1e-6
    # alpha_m(q1) is below the information-theoretic transition, above the Gibbs OGP
    assert 1.1 < a < 1.2446839899


def test_cli_ogp_rejects_m1(capsys):
    from replica.cli import main

    rc = main(["threshold", "ogp", "--model", "teacher-student-binary", "--m", "1", "--json"])
    assert rc == 2
    assert "m must be >= 2" in capsys.readouterr().err


@pytest.mark.slow
def test_alpha_ogp_m4_is_the_published_value():
    """alpha_OGP(m = 4) at zero training error: ~1.154 (Malatesta, Passalacqua, Zecchina,
    arXiv:2607.27000, Sec. V), below alpha_IT; the joint system is solved to 1e-10. Reduced
    q1 grid around the minimum (the full default grid gives the same value)."""
    res = T.alpha_ogp(4, q1_grid=(0.98, 0.99, 0.995))
    assert abs(res["alpha"] - 1.154) < 5e-4
    assert res["alpha"] < 1.2446839899
    assert res["residual"] < 1e-10
    assert 0.98 < res["q1"] < 0.995
