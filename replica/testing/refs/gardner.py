"""Reference values for the RS Gardner volume (replica.models.gardner).

Published constants (docs/THEORY.md §6) keep the digits the paper prints, with a tolerance of half a
unit in the last digit; values certified by replica's independent high-precision path
(``tests/mp_gardner.py``: mpmath quadrature with a breakpoint at the kink, 30 significant digits,
and mpmath root finding) carry a tolerance of 1e-10 absolute.
"""
from ..references import Reference


def _cap(model, kappa):
    def f():
        from replica.models.gardner import capacity
        return capacity(model, kappa)
    return f


def _kmax(model, alpha):
    def f():
        from replica.models.gardner import kappa_max
        return kappa_max(model, alpha)
    return f


def _entropy(model, alpha, kappa):
    def f():
        from replica.models.gardner import gardner
        return gardner(model, alpha, kappa).entropy
    return f


_GARDNER = "Gardner 1988, J. Phys. A 21, 257: alpha_c = 1/[(1+k^2)Phi(k) + k phi(k)]"
_MP = "independent path tests/mp_gardner.py: mpmath quad + findroot at 30 digits (replica 0.1)"

REFERENCES = [
    Reference("spherical.alpha_c.kappa=-1", 13.2732, 5e-5, _GARDNER + " (RS; an upper bound for "
              "kappa < 0, Franz & Parisi 2016)", "spherical", {"kappa": -1.0}, _cap("spherical", -1.0)),
    Reference("spherical.alpha_c.kappa=-0.5", 4.770099, 5e-7, _GARDNER + " (RS upper bound)",
              "spherical", {"kappa": -0.5}, _cap("spherical", -0.5)),
    Reference("spherical.alpha_c.kappa=0", 2.0, 1e-14, "Cover 1965; Gardner 1988", "spherical",
              {"kappa": 0.0}, _cap("spherical", 0.0)),
    Reference("spherical.alpha_c.kappa=0.5", 0.961205, 5e-7, _GARDNER, "spherical",
              {"kappa": 0.5}, _cap("spherical", 0.5)),
    Reference("spherical.alpha_c.kappa=1", 0.519572, 5e-7, _GARDNER, "spherical",
              {"kappa": 1.0}, _cap("spherical", 1.0)),
    Reference("spherical.kappa_max.alpha=1", 0.47066, 5e-6, "inverse of Gardner 1988 alpha_c(kappa)",
              "spherical", {"alpha": 1.0}, _kmax("spherical", 1.0)),
    Reference("spherical.kappa_max.alpha=0.5", 1.0343, 5e-5, "inverse of Gardner 1988 alpha_c(kappa)",
              "spherical", {"alpha": 0.5}, _kmax("spherical", 0.5)),
    Reference("spherical.kappa_max.alpha=1.5", 0.1861, 5e-5, "inverse of Gardner 1988 alpha_c(kappa)",
              "spherical", {"alpha": 1.5}, _kmax("spherical", 1.5)),
    Reference("binary.alpha_c.kappa=0", 0.8331, 5e-5, "Krauth & Mezard 1989, J. Phys. France 50, "
              "3057 (zero of the RS entropy)", "binary", {"kappa": 0.0}, _cap("binary", 0.0)),
    Reference("binary.alpha_c.kappa=0.certified", 0.8330785995, 1e-9, "certified interval "
              "[0.833078599, 0.833078600] (docs/THEORY.md §6)", "binary", {"kappa": 0.0},
              _cap("binary", 0.0)),
    Reference("spherical.entropy.alpha=0.5.kappa=0", -0.37766957513168414, 1e-10, _MP,
              "spherical", {"alpha": 0.5, "kappa": 0.0}, _entropy("spherical", 0.5, 0.0)),
    Reference("spherical.entropy.alpha=1.kappa=0.3", -1.5892612416331837, 1e-10, _MP,
              "spherical", {"alpha": 1.0, "kappa": 0.3}, _entropy("spherical", 1.0, 0.3)),
    Reference("spherical.entropy.alpha=3.kappa=-0.5", -1.4293184606693106, 1e-10, _MP,
              "spherical", {"alpha": 3.0, "kappa": -0.5}, _entropy("spherical", 3.0, -0.5)),
    Reference("spherical.entropy.alpha=1.95.kappa=0", -3.805397809432094, 1e-10,
              _MP + "; near capacity, 1-q = 0.014", "spherical", {"alpha": 1.95, "kappa": 0.0},
              _entropy("spherical", 1.95, 0.0)),
    Reference("binary.entropy.alpha=0.5.kappa=0", 0.3143900668556251, 1e-10, _MP, "binary",
              {"alpha": 0.5, "kappa": 0.0}, _entropy("binary", 0.5, 0.0)),
    Reference("binary.entropy.alpha=0.3.kappa=0.5", 0.28895088690396187, 1e-10, _MP, "binary",
              {"alpha": 0.3, "kappa": 0.5}, _entropy("binary", 0.3, 0.5)),
]
