"""Franz–Parisi local entropy of the infinite-width tree committee (replica.models.committee_fp):
the linear activation is the perceptron's model, the typical point is the infinite-width Gardner
saddle point, the bound S <= H2(d), stationarity of the free entropy, and the chain rule of the
mapped energetic term against finite differences."""
import numpy as np
import pytest

from replica import models
from replica.models import committee as C
from replica.models import committee_fp as W
from replica.models import franz_parisi as F
from replica.testing import assert_stationary


def _p(act, alpha=0.5, kr=0.0, kappa=0.0, d=0.05):
    return {"alpha": alpha, "activation": act, "kappa_ref": kr, "kappa": kappa, "d": d}


def test_registered():
    assert isinstance(models.get("committee-wide-fp-binary"), W.WideFPModel)
    assert isinstance(models.get("committee-wide-fp-spherical"), W.WideFPModel)


@pytest.mark.parametrize("weights,alpha,d", [("binary", 0.5, 0.05), ("spherical", 1.0, 0.1)])
def test_linear_activation_is_the_perceptron_fp(weights, alpha, d):
    m = models.get(f"committee-wide-fp-{weights}")
    s = m.saddle(_p("linear", alpha, d=d))
    f = F.local_entropy(weights, alpha, 0.0, 0.0, d)
    assert abs(s.thermo["entropy"] - f.thermo["entropy"]) < 1e-10
    assert abs(s.thermo["dS_dd"] - f.thermo["dS_dd"]) < 1e-8
    assert abs(s.thermo["replicon"] - f.thermo["replicon"]) < 1e-8
    # the free entropy at the same unknowns, term by term
    fm = models.get(f"fp-{weights}")
    pf = {"alpha": alpha, "kappa_ref": 0.0, "kappa": 0.0, "d": d}
    a = m.free_entropy(m.order(f.x, _p("linear", alpha, d=d)), _p("linear", alpha, d=d))
    b = fm.free_entropy(fm.order(f.x, pf), pf)
    assert abs(a["free_entropy"] - b["free_entropy"]) < 1e-12
    assert abs(a["dPhi_dp"] - b["dPhi_dp"]) < 1e-10


@pytest.mark.parametrize("weights,act,alpha", [("binary", "relu", 0.5), ("binary", "sign", 0.5),
                                               ("spherical", "relu", 1.0),
                                               ("spherical", "sign", 1.0)])
def test_typical_point_is_the_wide_gardner_entropy(weights, act, alpha):
    m = models.get(f"committee-wide-fp-{weights}")
    p0, x0 = m.known_point(_p(act, alpha))
    s = m.solution(x0, p0)
    g = C.committee(weights, alpha, None, activation=act)
    assert abs(p0["d"] - 0.5 * (1 - g.order["q"])) < 1e-14
    assert np.max(np.abs(s.residual)) < 1e-10
    assert abs(s.thermo["entropy"] - g.thermo["entropy"]) < 1e-10
    assert abs(s.thermo["dS_dd"]) < 1e-9
    # the constrained replicas' replicon at d* is the reference's (same saddle point)
    assert abs(s.thermo["replicon"] - g.thermo["replicon"]) < 1e-8


@pytest.mark.parametrize("act,kr", [("relu", 0.0), ("sign", "max")])
def test_binary_bound_and_stationarity(act, kr):
    m = W.WIDE_FP_BINARY
    p = _p(act, 0.5, kr=kr, d=0.04)
    s = m.saddle(p)
    assert s.thermo["entropy"] <= F.h2(0.04)
    assert s.thermo["C2"] >= 0
    o = s.order
    names = ["q", "t", "qh", "th", "ph"]
    phi = lambda x: m.free_entropy(dict(zip(names, x)), p)["free_entropy"]
    assert_stationary(phi, np.array([o[k] for k in names]), names, atol=1e-7, step=1e-4)
    # dS/dd = -2 dPhi/dp (partial derivative at the saddle point) against a finite difference
    h = 1e-4
    sp = m.saddle({**p, "d": 0.04 + h}, x0=s.u).thermo["entropy"]
    sm = m.saddle({**p, "d": 0.04 - h}, x0=s.u).thermo["entropy"]
    assert abs((sp - sm) / (2 * h) - s.thermo["dS_dd"]) < 1e-6


def test_spherical_stationarity():
    m = W.WIDE_FP_SPHERICAL
    p = _p("relu", 1.0, kr=0.0, d=0.1)
    s = m.saddle(p)
    names = ["q", "t"]
    phi = lambda x: m.free_entropy({"q": x[0], "t_or_b": x[1]}, p)["free_entropy"]
    assert_stationary(phi, np.array([s.order["q"], s.order["t_or_b"]]), names, atol=1e-7,
                      step=1e-4)


@pytest.mark.parametrize("act", ["relu", "sign", "erf"])
def test_mapped_energetic_chain_rule(act):
    """dG/dq, dG/dt, dG/dp of the mapped term against central differences of G itself."""
    Qw, omq, t, p = 0.55, 0.3, 0.45, 0.8
    f = lambda o, tt, pp: W.energetic_wide_fp(act, Qw, 0.0, 0.0, o, tt, pp)[0]
    e = W.energetic_wide_fp(act, Qw, 0.0, 0.0, omq, t, p)
    h = 1e-5
    assert abs(-(f(omq + h, t, p) - f(omq - h, t, p)) / (2 * h) - e[1]) < 1e-7
    assert abs((f(omq, t + h, p) - f(omq, t - h, p)) / (2 * h) - e[2]) < 1e-7
    assert abs((f(omq, t, p + h) - f(omq, t, p - h)) / (2 * h) - e[3]) < 1e-7


def test_binary_max_margin_reference():
    kmax = W.wide_kappa_max("binary", 0.5, "relu")
    g = C.committee("binary", 0.5, None, activation="relu", kappa=kmax,
                    allow_negative_entropy=True)
    assert abs(g.thermo["entropy"]) < 1e-9
    ref = W.wide_reference("binary", 0.5, "relu", "max")
    assert ref.is_max and abs(ref.kappa_ref - kmax) < 1e-15


def test_bad_input():
    from replica.errors import ReplicaInputError
    with pytest.raises(ReplicaInputError, match="kappa_ref"):
        W.WIDE_FP_SPHERICAL.saddle(_p("relu", 1.0, kr="max"))
    with pytest.raises(ReplicaInputError, match="kappa_ref"):
        W.WIDE_FP_BINARY.saddle(_p("relu", 0.5, kr=2.0))
    with pytest.raises(ReplicaInputError, match="activation"):
        W.WIDE_FP_BINARY.saddle(_p("tanh", 0.5))


# --- the stored data of the gallery figure committee_flat_minima ----------------------------------

def _stored():
    import json
    from replica.gallery.committee import FLAT_MINIMA_DATA
    return json.loads(FLAT_MINIMA_DATA.read_text())


def test_flat_minima_data_supports_the_caption():
    from replica.testing.refs.thresholds import REFERENCES
    d = _stored()
    k1 = {r.name.split(".")[1]: r.value for r in REFERENCES}
    relu = d["thresholds"]["relu-nonmonotonic"]["value"]
    # ReLU networks keep a monotonic S(d) around the max-margin reference beyond the perceptron's
    assert k1["alpha_nonmonotonic"] < relu < C.capacity("binary", None, activation="relu")
    assert relu <= d["thresholds"]["relu-negative"]["value"]
    # sign units: both thresholds below the perceptron's
    for which in ("nonmonotonic", "negative"):
        assert d["thresholds"][f"sign-{which}"]["value"] < k1[f"alpha_{which}"]
    # sign units: the max-margin reference is isolated at alpha = 0.6; typical references too
    assert d["profiles"]["sign-max"]["alpha"] == 0.6
    assert min(d["profiles"]["sign-max"]["S"]) < 0
    for act in ("relu", "sign"):
        assert min(d["profiles"][f"{act}-0.0"]["S"]) < 0
    # the same pipeline with the linear activation gives the perceptron's thresholds (xtol 1e-3)
    for which in ("nonmonotonic", "negative"):
        assert abs(d["thresholds"][f"linear-{which}"]["value"] - k1[f"alpha_{which}"]) < 2e-3


@pytest.mark.slow
def test_stored_relu_threshold_recomputed():
    """min_d dS/dd around the max-margin ReLU reference changes sign across the stored
    threshold (xtol 1e-3)."""
    from replica.committee_thresholds import wide_profile
    a = _stored()["thresholds"]["relu-nonmonotonic"]["value"]
    lo = wide_profile("binary", "relu", a - 0.004, "max", n_d=10).min_slope
    hi = wide_profile("binary", "relu", a + 0.004, "max", n_d=10).min_slope
    assert lo > 0 > hi
