"""Reference values for flatness measures and Gaussian-mixture classification.

Values were produced by an independent path: mpmath at 15-25 digits (``mp.quad`` on the original
integrals — the stability distribution integrated against H(Delta/sigma) directly in Delta, not
through replica's truncated-Gaussian ratio; ``mp.findroot`` on the saddle-point equations and on
the R-derivative of the capacity functional, with ``mp.diff``). ``compute`` reproduces each with
replica's own code.
"""
from __future__ import annotations


from ..references import Reference


def _gmm_alpha_c():
    from ...models.gmm import capacity
    return capacity(1.0)


def _gmm_alpha_c_R():
    from ...models.gmm import capacity_R
    return capacity_R(1.0)


def _gmm_typ_R():
    from ...models.gmm import typical
    return typical(1.0, 1.0).R


def _gmm_typ_q():
    from ...models.gmm import typical
    return typical(1.0, 1.0).q


def _gmm_mm_kappa():
    from ...models.gmm import max_margin
    return max_margin(1.0, 1.0).kappa_max


def _gmm_mm_R():
    from ...models.gmm import max_margin
    return max_margin(1.0, 1.0).R


def _gmm_bayes():
    from ...models.gmm import bayes_error
    return bayes_error(1.0, 1.0, 0.5)


def _le(kref):
    def f():
        from ...flatness.local_energy import local_energy_replica
        return float(local_energy_replica("spherical", 1.0, kref, [0.5])["local_energy"][0])
    return f


def _slope():
    from ...flatness.local_energy import small_sigma_slope
    from ...models.gardner import gardner
    return small_sigma_slope(gardner("spherical", 1.0, 0.0).q, 0.0)


_MP = "mpmath (dps 25) findroot/quad, independent of replica's quadrature"

REFERENCES = [
    Reference(name="gmm_alpha_c_delta1", value=3.700033455685676, tol=1e-9,
              source="max_R (1-R^2)/F(-R), F(x)=(1+x^2)Phi(x)+x phi(x) (q->1 limit of the RS "
                     "volume, derived in replica.models.gmm); " + _MP +
                     "; Pittorino et al. 2021 quote 3.70",
              model="gmm", params={"delta": 1.0, "kappa": 0.0}, compute=_gmm_alpha_c),
    Reference(name="gmm_alpha_c_R_delta1", value=0.6120031809624808, tol=1e-9,
              source="argmax of the same functional; " + _MP,
              model="gmm", params={"delta": 1.0}, compute=_gmm_alpha_c_R),
    Reference(name="gmm_typical_R_alpha1_delta1", value=0.421848186885428486, tol=1e-8,
              source="RS saddle point (q, R) of s(q,R); " + _MP + " (dps 18); Gibbs sampling "
                     "of the version space at d=100 agrees within finite-size error",
              model="gmm", params={"alpha": 1.0, "delta": 1.0}, compute=_gmm_typ_R),
    Reference(name="gmm_typical_q_alpha1_delta1", value=0.472592740728274519, tol=1e-8,
              source="RS saddle point; " + _MP + " (dps 18)",
              model="gmm", params={"alpha": 1.0, "delta": 1.0}, compute=_gmm_typ_q),
    Reference(name="gmm_max_margin_kappa_alpha1_delta1", value=0.7671443875655835, tol=1e-9,
              source="alpha_c(kappa) = 1 solved for kappa; " + _MP,
              model="gmm", params={"alpha": 1.0, "delta": 1.0}, compute=_gmm_mm_kappa),
    Reference(name="gmm_max_margin_R_alpha1_delta1", value=0.5291718034352944, tol=1e-9,
              source="maximiser R at kappa_max; " + _MP,
              model="gmm", params={"alpha": 1.0, "delta": 1.0}, compute=_gmm_mm_R),
    Reference(name="gmm_bayes_error_alpha1_delta1", value=0.2397500610934767, tol=1e-13,
              source="H(sqrt(alpha/(Delta(alpha+Delta)))) at alpha=Delta=1, i.e. H(1/sqrt 2); mpmath",
              model="gmm", params={"alpha": 1.0, "delta": 1.0, "rho": 0.5},
              compute=_gmm_bayes),
    Reference(name="local_energy_spherical_typical_alpha1_sigma0.5", value=0.201724042793373,
              tol=1e-9,
              source="int Dt int_0^inf dDelta N(Delta; sqrt(q)t, 1-q)/H(a) H(Delta/sigma), "
                     "q = 0.585311851791098 from mpmath findroot; mpmath quad (dps 15)",
              model="spherical", params={"alpha": 1.0, "kappa": 0.0, "sigma": 0.5},
              compute=_le(0.0)),
    Reference(name="local_energy_spherical_maxmargin_alpha1_sigma0.5", value=0.132423226673702,
              tol=1e-11,
              source="Phi(k)H(k/sigma) + int_k^inf Dt H(t/sigma), k = kappa_max(1) = "
                     "0.470655352618325; mpmath quad (dps 15)",
              model="spherical", params={"alpha": 1.0, "kappa_ref": "max", "sigma": 0.5},
              compute=_le("max")),
    Reference(name="local_energy_small_sigma_slope_spherical_alpha1", value=0.584483547744026,
              tol=1e-8,
              source="p(0+)/sqrt(2 pi), p(0+) = (1/s) int Dt G(sqrt(q)t/s); mpmath quad (dps 15)",
              model="spherical", params={"alpha": 1.0, "kappa": 0.0}, compute=_slope),
]
