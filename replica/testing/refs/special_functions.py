r"""Far-tail values of ln H(x) and G(x) = phi(x)/H(x), certified with mpmath at 50 digits.

These points are where naive double-precision code fails: ``log(erfc(x/sqrt2)/2)`` underflows to
``-inf`` for x > 38.5 (H < 1e-308) and returns 0 for x < -8.3 (H rounds to 1), and ``phi/H``
becomes 0/0 beyond x ~ 38. The values were computed once, at 50 significant digits, with

* ``H(x) = erfc(x/sqrt 2)/2`` (``mpmath.erfc``),
* ``ln H(x) = log1p(-H(-x))`` for x < 0 (a plain ``log`` of H ~ 1 - 5e-198 would lose the result
  even at 50 digits) and ``log(H(x))`` for x > 0,
* ``G(x) = npdf(x) / H(x)``,

cross-checked against ``log(H(x))`` at 600 digits (agreement to better than 1e-47 relative), and
are stored below as the 25-digit decimals of those results (rounded to double when parsed).
``tests/test_references.py`` recomputes them with :class:`replica.testing.references.MpGauss`, so
a mistyped literal cannot survive. Tolerances are 1e-14 relative (about 45 ulp): replica.gauss
claims a few ulp.
"""
from __future__ import annotations

from ..references import Reference

_SOURCE = ("mpmath 1.4, 50 significant digits: {formula}; cross-checked with log(H) at 600 "
           "digits; stored as the 25-digit decimal")
_REL_TOL = 1e-14


def _log_H(x: float):
    def compute() -> float:
        from replica.gauss import log_H
        return float(log_H(x))
    return compute


def _G(x: float):
    def compute() -> float:
        from replica.gauss import G
        return float(G(x))
    return compute


# (x, 25-digit value) — see the module docstring for the method.
_LOG_H = [
    (-30.0, -4.906713927148187059533809e-198),
    (-10.0, -7.619853024160526065973372e-24),
    (-3.0, -1.350809964748193798841110e-3),
    (5.0, -15.06499839398872573608370),
    (20.0, -203.9171553710972639368045),
    (40.0, -804.6084420137537881666068),
    (1000.0, -5.000078266948121843098062e+5),
]
_G_VALUES = [
    (-30.0, 1.473646134878547519049493e-196),
    (-10.0, 7.694598626706419346339092e-23),
    (5.0, 5.186503967125842115616509),
    (20.0, 20.04975306852785054221402),
    (40.0, 40.02496884720726372324487),
    (1000.0, 1000.000999998000009999926),
]


def _fmt(x: float) -> str:
    return f"{x:g}"


REFERENCES = [
    Reference(
        name=f"special.log_H.x={_fmt(x)}", value=v, tol=_REL_TOL * abs(v),
        source=_SOURCE.format(formula="log1p(-erfc(-x/sqrt2)/2)" if x < 0
                              else "log(erfc(x/sqrt2)/2)"),
        model="special", params={"x": x}, compute=_log_H(x),
        description="ln H(x), H(x) = int_x^inf Dz; compute = replica.gauss.log_H")
    for x, v in _LOG_H
] + [
    Reference(
        name=f"special.G.x={_fmt(x)}", value=v, tol=_REL_TOL * abs(v),
        source=_SOURCE.format(formula="npdf(x) / (erfc(x/sqrt2)/2)"),
        model="special", params={"x": x}, compute=_G(x),
        description="G(x) = phi(x)/H(x), the inverse Mills ratio; compute = replica.gauss.G")
    for x, v in _G_VALUES
]
