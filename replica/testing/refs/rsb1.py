"""Reference values for m real clones at fixed mutual overlap (the m-overlap-gap thresholds,
RS in the clones) and the symmetric binary perceptron.

Source: Malatesta, Passalacqua, Zecchina, arXiv:2607.27000 — Table 2 (SBP, kappa = 1, zero
temperature, storage: alpha_OGP(m), printed to 4 decimals, tolerance 5e-5 = half a unit of the
last digit), App. A.2 / Sec. IV (ABP, kappa = 0: alpha_OGP ~ 0.784, m = 4, 3 digits printed),
eq. after (49) (SBP capacity -ln 2 / ln(1 - 2 H(kappa)) at q = 0; 1.8159 at kappa = 1).
"""
from ..references import Reference

_T2 = "arXiv:2607.27000, Table 2 (SBP, kappa = 1, RS estimate of alpha_OGP(m))"


def _ogp(weights, constraint, kappa, m):
    def compute():
        from replica.rsb1_thresholds import alpha_ogp
        return alpha_ogp(weights, kappa, m, constraint=constraint)["alpha"]
    return compute


def _sbp_capacity():
    from replica.models.rsb1 import sbp_capacity
    return sbp_capacity(1.0)


REFERENCES = [
    Reference(f"sbp.alpha_ogp.kappa=1.m={m}", v, 5e-5, _T2, "mclone-sbp",
              {"kappa": 1.0, "m": m}, _ogp("binary", "symmetric", 1.0, m))
    for m, v in ((2, 1.7001), (3, 1.6664), (4, 1.6578), (5, 1.6593))
] + [
    Reference("binary.alpha_ogp.kappa=0.m=4", 0.784, 5e-4,
              "arXiv:2607.27000, Sec. IV and App. A.2 (ABP, storage, kappa = 0; Benedetti et al. "
              "JSTAT 2025): alpha_OGP ~ 0.784", "mclone-binary", {"kappa": 0.0, "m": 4},
              _ogp("binary", "margin", 0.0, 4)),
    Reference("sbp.alpha_c.kappa=1", 1.8159, 5e-5,
              "arXiv:2607.27000 App. A.1 (q = 0): -ln 2 / ln(1 - 2 H(1))", "sbp-rs",
              {"kappa": 1.0}, _sbp_capacity),
]
