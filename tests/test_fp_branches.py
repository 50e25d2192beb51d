"""Thermodynamic integration along the branches the gallery draws (binary, alpha = 0.5, the PRL's
figure): on each branch the integral of dS/dd (the envelope-theorem derivative returned with every
saddle point) between two distances equals the change of S (computed from the free entropy at the
saddle point), within the quadrature error of a Richardson-extrapolated Simpson rule in ln d."""
import numpy as np
import pytest
from scipy import integrate

from replica.models import franz_parisi as fp


def _ti_mismatch(kappa_ref, lo, hi, n=21):
    d = np.geomspace(hi, lo, n)
    c = fp.local_entropy_curve("binary", 0.5, kappa_ref, 0.0, d)
    assert all(st == "converged" for st in c.status), c.status
    S, dS = np.asarray(c["entropy"]), np.asarray(c["dS_dd"])
    u, g = np.log(d), d * np.asarray(dS)            # dS = (d dS/dd) d(ln d)
    fine = integrate.simpson(g, x=u)
    coarse = integrate.simpson(g[::2], x=u[::2])
    rich = fine + (fine - coarse) / 15.0             # Simpson's error is O(h^4)
    return S[-1] - S[0], rich, abs(fine - coarse), c


@pytest.mark.parametrize("kappa_ref", [0.03, "max"])
def test_thermodynamic_integration_on_drawn_branches(kappa_ref):
    dS, integral, err, c = _ti_mismatch(kappa_ref, 1e-5, 0.15)
    assert abs(dS - integral) < max(0.05 * err, 2e-6)
    assert np.all(np.asarray(c.values["replicon"]) > 0)      # drawn solid: RS stable


@pytest.mark.slow
def test_thermodynamic_integration_typical_reference():
    """kappa_ref = 0: the RS-stable stretch [2.2e-3, 0.15] and the RS-unstable (dotted) stretch
    [6e-4, 2.2e-3] the figure draws."""
    dS, integral, err, c = _ti_mismatch(0.0, 2.2e-3, 0.15)
    assert abs(dS - integral) < max(0.05 * err, 2e-6)
    assert np.all(np.asarray(c.values["replicon"]) > 0)
    dS, integral, err, c = _ti_mismatch(0.0, 6e-4, 2.2e-3)
    assert abs(dS - integral) < max(0.05 * err, 2e-6)
    assert np.asarray(c.values["replicon"])[-1] < 0
