"""The "How to add a model" recipe (docs/DEVELOPING.md) exercised from this file alone: a toy
model with a closed-form branch is registered here and then scanned, continued through its
folds, and its events, folds and first-order crossing are found by the generic machinery —
with no edit to replica/.

The toy is the mean-field (Curie–Weiss) ferromagnet in a field h at inverse temperature beta,
with the free entropy phi(m) = ln 2 + ln cosh(beta (m + h)) - beta m^2 / 2 (per spin, the
auxiliary field m being the magnetisation at the saddle point m = tanh(beta (m + h))). Its
branch is known in closed form, h(m) = atanh(m)/beta - m; for beta > 1 it is S-shaped with
spinodals at m_s = +-sqrt(1 - 1/beta), h_s = -+(m_s - atanh(m_s)/beta), and by symmetry the
two stable branches exchange stability at h = 0 (a first-order transition).
"""
import json
import math

import numpy as np
import pytest

from replica import continuation as C
from replica import models, thresholds
from replica.cli import main
from replica.models.base import Param, SaddleModel
from replica.scan import Paths, scan


class CurieWeiss(SaddleModel):
    name = "toy-curie-weiss"
    description = "mean-field ferromagnet in a field (a test model)"
    params = (Param("beta", 0.0, None, doc="inverse temperature"),
              Param("h", default=0.0, doc="field"))
    order_names = ("m",)
    method = "hybrid"
    tol = 1e-13

    def residual(self, x, p):
        return np.array([x[0] - math.tanh(p["beta"] * (x[0] + p["h"]))])

    def known_point(self, p):
        return {**p, "beta": 0.0}, np.array([0.0])      # beta = 0: m = 0 exactly

    def free_entropy(self, order, p):
        m, b, h = order["m"], p["beta"], p["h"]
        ent = math.log(2.0) + math.log(math.cosh(b * (m + h)))
        return {"entropic": ent, "interaction": -b * m * m / 2,
                "free_entropy": ent - b * m * m / 2}

    def thermo(self, x, p):
        m = float(x[0])
        f = self.free_entropy({"m": m}, p)
        # stability: d^2 phi/dm^2 < 0  <=>  beta (1 - m^2) < 1
        return {"free_entropy": f["free_entropy"], "m": m,
                "stability": 1.0 - p["beta"] * (1.0 - m * m)}


@pytest.fixture
def toy():
    m = models.register(CurieWeiss())
    yield m
    models.unregister(m.name)


BETA = 2.0
M_S = math.sqrt(1 - 1 / BETA)
H_S = M_S - math.atanh(M_S) / BETA          # the up branch's spinodal is at h = -H_S


def test_registered_and_validated(toy):
    assert "toy-curie-weiss" in models.available()
    assert models.get("toy-curie-weiss") is toy
    with pytest.raises(ValueError, match="beta must be >= 0"):
        toy.validate(beta=-1)


def test_scan_through_the_registry(toy):
    hs = [0.5, 0.3, 0.1, 0.0, -0.1]
    res = scan("toy-curie-weiss", Paths.line("h", hs), fixed={"beta": BETA},
               executor="serial", quiet=True)
    t = res.load()
    assert res.ok == len(hs)
    m = t["m"]
    # every point on the closed-form branch h(m) = atanh(m)/beta - m
    np.testing.assert_allclose(np.arctanh(m) / BETA - m, hs, atol=1e-12)
    assert np.all(m > 0)       # continuation keeps the up branch below h = 0 (metastable)


def test_fold_event_and_crossing_through_the_generic_machinery(toy):
    start = C.reach(toy, {"beta": BETA, "h": 0.5})
    assert start.m > 0
    br = C.follow(toy, {"beta": BETA, "h": 0.5}, "h", -0.5, x0=start.u,
                  events=["stability", "m"], max_steps=500)
    folds = sorted(f.value for f in br.folds)
    assert len(folds) == 2
    assert abs(folds[0] + H_S) < 1e-8 and abs(folds[1] - H_S) < 1e-8
    # stability changes sign exactly at the folds; m = 0 on the unstable middle branch at h = 0
    st = sorted(e.value for e in br.events if e.name == "stability")
    np.testing.assert_allclose(st, [-H_S, H_S], atol=1e-8)
    m0 = [e.value for e in br.events if e.name == "m"]
    assert len(m0) == 1 and abs(m0[0]) < 1e-10
    # the thresholds front door gives the same fold
    f = thresholds.fold("toy-curie-weiss", {"beta": BETA, "h": 0.5}, "h", to=-0.5, x0=start.u)
    assert abs(f.value + H_S) < 1e-8 and f.details["order"]["m"] == pytest.approx(M_S, abs=1e-4)
    # first-order transition: the up and down branches' free entropies cross at h = 0
    down0 = C.reach(toy, {"beta": BETA, "h": -0.5})
    down = C.follow(toy, {"beta": BETA, "h": -0.5}, "h", 0.2, x0=down0.u, stop_at_fold=True)
    up = C.follow(toy, {"beta": BETA, "h": 0.5}, "h", -0.2, x0=start.u, stop_at_fold=True)
    cr = C.crossing(up, down, "free_entropy")
    assert abs(cr.value) < 1e-10


def test_cli_solves_the_registered_model(toy, capsys):
    assert main(["solve", "toy-curie-weiss", "--param", "beta=2", "--param", "h=0.3",
                 "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert abs(out["m"] - math.tanh(2 * (out["m"] + 0.3))) < 1e-13 and out["m"] > 0.98
    assert main(["solve", "toy-curie-weiss", "--param", "beta=2", "--param", "h=0.5",
                 "--along", "h", "--to", "-0.5", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert len(out["folds"]) == 2 and out["end"] == "reached"
    assert main(["solve", "toy-curie-weiss", "--param", "gamma=1"]) == 2
