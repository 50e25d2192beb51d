"""The continuation engine on problems with known answers: a scalar fold, an S-shaped curve with
two folds, the Gardner entropy along alpha against direct solves, the end of the binary RS
branch at q -> 1 (closed form), events (capacity), first-order crossings, and a toy model
registered from this file that goes through the generic machinery."""
import math

import numpy as np
import pytest

from replica import continuation as C
from replica import models
from replica.errors import ConvergenceError, ReplicaInputError
from replica.models.base import Param, SaddleModel
from replica.models.gardner import capacity, capacity_spherical_closed_form, gardner


class Fold(SaddleModel):
    """x^2 + lam = 0: two branches x = +-sqrt(-lam) joined by a fold at lam = 0."""
    name = "test-fold"
    params = (Param("lam", None, None),)
    order_names = ("x",)
    method = "newton"

    def residual(self, x, p):
        return np.array([x[0] ** 2 + p["lam"]])

    def known_point(self, p):
        return {**p, "lam": -1.0}, np.array([1.0])

    def thermo(self, x, p):
        return {"entropy": float(x[0]) - 0.5, "free_entropy": -abs(x[0]) ** 3 / 3}


class SCurve(SaddleModel):
    """x^3 - x - lam = 0: folds at lam = -+2/(3 sqrt 3) (x = +-1/sqrt 3)."""
    name = "test-s"
    params = (Param("lam", None, None),)
    order_names = ("x",)
    method = "newton"

    def residual(self, x, p):
        return np.array([x[0] ** 3 - x[0] - p["lam"]])

    def known_point(self, p):
        return {**p, "lam": -6.0}, np.array([-2.0])

    def thermo(self, x, p):
        return {"entropy": float(x[0])}


def test_scalar_fold_is_passed_and_located():
    m = Fold()
    br = C.follow(m, {"lam": -1.0}, "lam", 1.0, x0=[1.0], max_steps=40)
    assert len(br.folds) == 1
    f = br.folds[0]
    assert abs(f.value) < 1e-8
    assert abs(f.point.x[0]) < 1e-4
    # after the fold the branch comes back on x < 0, every point a solution
    xs = br.values("x")
    assert xs[-1] < -1.0
    for p in br.points:
        assert abs(m.residual(p.x, p.params)[0]) < 1e-10
    # natural-parameter steps cannot pass it: the branch is lost just before lam = 0
    nat = C.follow(m, {"lam": -1.0}, "lam", 1.0, x0=[1.0], mode="natural")
    assert nat.end.startswith("lost") and -1e-6 < nat.param[-1] <= 0


def test_s_curve_two_folds_and_the_far_branch():
    m = SCurve()
    br = C.follow(m, {"lam": -6.0}, "lam", 6.0, x0=[-2.0], max_steps=500)
    assert br.reached
    lam_f = 2 / (3 * math.sqrt(3))
    vals = sorted(f.value for f in br.folds)
    assert len(vals) == 2
    assert abs(vals[0] + lam_f) < 1e-8 and abs(vals[1] - lam_f) < 1e-8
    x_end = br.points[-1].x[0]
    assert abs(x_end ** 3 - x_end - 6.0) < 1e-10 and x_end > 1.9
    # the first monotone segment stops at the first fold: lam = 1 is not on it...
    assert br.at([1.0])[0] is None
    # ...but lam = -1 is, on the lower branch
    s = br.at([-1.0])[0]
    assert s is not None and s.u[0] < -1 / math.sqrt(3)


def test_events_on_the_toy_and_terminal_events():
    m = Fold()
    br = C.follow(m, {"lam": -1.0}, "lam", 1.0, x0=[1.0], events=["entropy"], max_steps=40)
    ev = [e for e in br.events if e.name == "entropy"]
    assert len(ev) == 1 and abs(ev[0].value + 0.25) < 1e-10   # x = 1/2 at lam = -1/4
    br = C.follow(m, {"lam": -1.0}, "lam", 1.0, x0=[1.0],
                  events=[C.Event("entropy", terminal=True)])
    assert br.end == "event: entropy" and len(br.folds) == 0


def test_gardner_entropy_along_alpha_matches_direct_solves():
    g = models.get("gardner-spherical")
    br = C.follow(g, {"alpha": 0.2, "kappa": 0.3}, "alpha", 0.9, events=["replicon"])
    assert br.reached
    targets = np.linspace(0.25, 0.9, 7)
    for a, sol in zip(targets, br.at(targets)):
        direct = gardner("spherical", a, 0.3)
        assert abs(sol.entropy - direct.entropy) < 1e-12
        assert abs(sol.q - direct.q) < 1e-12
    for p in br.points:   # every accepted point is a saddle point
        assert abs(g.residual(p.x, p.params)[0]) < 1e-11


def test_binary_capacity_is_an_event_and_the_branch_ends_at_q_to_1():
    """The entropy's zero along alpha is the Krauth–Mézard capacity (independent Brent search in
    replica.models.gardner.capacity); the RS branch ends where q -> 1, at
    alpha = (2/pi) alpha_c^sph(kappa) (from qh ~ alpha J(1)/(1-q)^2 and
    1 - q ~ sqrt(2/pi)/sqrt(qh)): no fold on the binary Gardner branch."""
    g = models.get("gardner-binary")
    for kappa in (0.0, 2.5):
        br = C.follow(g, {"alpha": 0.001, "kappa": kappa, "allow_negative_entropy": True},
                      "alpha", 3.0, events=["entropy"], max_steps=400)
        ev = [e.value for e in br.events if e.name == "entropy"]
        assert len(ev) == 1 and abs(ev[0] - capacity("binary", kappa)) < 1e-10
        assert br.end.startswith("lost") and not br.folds
        a_end = 2 / math.pi * capacity_spherical_closed_form(kappa)
        assert abs(br.param[-1] - a_end) < 1e-8 * a_end
        assert br.points[-1].thermo["one_minus_q"] < 1e-10


def test_reach_from_the_known_point():
    g = models.get("gardner-binary")
    s = C.reach(g, {"alpha": 0.6, "kappa": 0.2})
    d = gardner("binary", 0.6, 0.2)
    assert abs(s.entropy - d.entropy) < 1e-12
    with pytest.raises(ConvergenceError, match="did not reach"):
        C.reach(Fold(), {"lam": 0.5})


def test_crossing_of_two_branches():
    """Two branches of the toy: x = +sqrt(-lam) with f = -x^3/3 and a second toy whose
    'free_entropy' is constant; they cross where x^3/3 = 1/24, lam = -(1/8)^(2/3)."""
    class Flat(Fold):
        name = "test-flat"

        def thermo(self, x, p):
            return {"entropy": 0.0, "free_entropy": -1.0 / 24}
    a = C.follow(Fold(), {"lam": -2.0}, "lam", -0.01, x0=[math.sqrt(2.0)])
    b = C.follow(Flat(), {"lam": -2.0}, "lam", -0.01, x0=[math.sqrt(2.0)])
    found = C.crossing(a, b, "free_entropy")
    assert abs(found.value + 0.125 ** (2 / 3)) < 1e-10


def test_bad_options_are_refused():
    m = Fold()
    with pytest.raises(ReplicaInputError, match="mode"):
        C.follow(m, {"lam": -1.0}, "lam", 1.0, x0=[1.0], mode="zigzag")
    with pytest.raises(ReplicaInputError, match="ds_min"):
        C.follow(m, {"lam": -1.0}, "lam", 1.0, x0=[1.0], ds_min=0)
    with pytest.raises(ReplicaInputError, match="already"):
        C.follow(m, {"lam": -1.0}, "lam", -1.0, x0=[1.0])
    with pytest.raises(ConvergenceError, match="not a saddle point"):
        C.follow(m, {"lam": -1.0}, "lam", 1.0, x0=[3.0])
    with pytest.raises(ReplicaInputError, match="kappa_ref"):
        C.follow(models.get("gardner-binary"), {"alpha": 0.5}, "kappa_ref", 1.0)
