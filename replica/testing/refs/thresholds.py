"""Reference values for the local-entropy transitions around the max-margin binary reference.

Certified by two independent event finders at the time of writing (replica 0.1): Brent on
min_d dS/dd (resp. min_d S) from replica.thresholds (profiles on 12 geometric distances, minima
refined in ln d), and a dense scan of the same indicators with alpha step 0.001 through the scan
engine (interpolated zeros 0.7290324 and 0.7477345), plus the Franz-Parisi module's own
curve-summary bracketing (0.72904, 0.74773). Tolerance 1e-5: the spread of the three.
"""
from ..references import Reference


def _nonmono():
    from replica.thresholds import alpha_nonmonotonic
    return alpha_nonmonotonic("binary", "max", 0.0, alpha_range=(0.72, 0.74), n_grid=2).value


def _negative():
    from replica.thresholds import alpha_negative
    return alpha_negative("binary", "max", 0.0, alpha_range=(0.74, 0.755), n_grid=2).value


_SRC = ("RS Franz-Parisi, binary perceptron, kappa = 0, max-margin reference (PRL 127, 278301 "
        "(2021), Fig. 2); three independent event finders agree (see module docstring)")

REFERENCES = [
    Reference("binary.alpha_nonmonotonic.kappa_ref=max.kappa=0", 0.729033, 1e-5,
              _SRC + ": S(d) stops being monotonic", "binary",
              {"kappa_ref": "max", "kappa": 0.0}, _nonmono),
    Reference("binary.alpha_negative.kappa_ref=max.kappa=0", 0.747736, 1e-5,
              _SRC + ": S(d) < 0 on a shell (max-margin solutions isolated)", "binary",
              {"kappa_ref": "max", "kappa": 0.0}, _negative),
]
