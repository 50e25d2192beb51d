"""Finite-N ground truth: exact enumeration, max-margin solvers and learning algorithms.

* :mod:`replica.finite_n.enumerate` — exact enumeration of binary perceptrons (N <= 25):
  counts at several margins, max margin, distance profiles; quenched averages, 1/N extrapolation;
* :mod:`replica.finite_n.spherical` — the spherical hard-margin classifier (QP) with
  separability certificates;
* :mod:`replica.finite_n.algorithms` — SBPI, simulated annealing, replicated SA;
* :mod:`replica.finite_n.gmm` — Gaussian-mixture data, the finite-d Bayes rule, the bias-free
  max-margin classifier and the version-space sampler;
* :mod:`replica.finite_n.amp` — AMP for the binary perceptron, its Bethe free entropy;
  :mod:`replica.finite_n.state_evolution` — its large-N recursion;
* :mod:`replica.finite_n.mp_solvers` — reinforced and focusing BP, BP-decimation sampling;
* :mod:`replica.finite_n.local_entropy_bp` — local entropy around a configuration by tilted BP;
* :mod:`replica.finite_n.success` — the fitted 50% point of a success probability.

The main entry points are re-exported lazily (importing this package compiles nothing).
"""
from .._lazy import lazy_exports

_EXPORTS = {
    "enumerate_perceptron": "enumerate", "enumerate_instance": "enumerate",
    "distance_profile": "enumerate", "extrapolate_in_1_over_n": "enumerate",
    "max_margin_spherical": "spherical", "solve_binary": "algorithms",
    "amp": "amp", "state_evolution": "state_evolution", "reinforced_bp": "mp_solvers",
    "focusing_bp": "mp_solvers", "tilted_local_entropy": "local_entropy_bp",
}
__all__ = sorted(_EXPORTS)

__getattr__ = lazy_exports(__name__, _EXPORTS)
