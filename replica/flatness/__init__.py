"""Flatness beyond the perceptron.

* :mod:`replica.flatness.local_energy` — local energy dE(sigma): Monte Carlo, the perceptron
  closed form, and the replica prediction for typical and max-margin references;
* :mod:`replica.flatness.entropic` — SGD, Entropy-SGD, Replicated-SGD;
  :mod:`replica.flatness.small_nets` — perceptron, tree committee, MLP on teacher-student data;
  :mod:`replica.flatness.experiments` — the algorithm comparisons;
Deep linear networks (sharpness, flattest minima, balancedness) are :mod:`replica.linear_nets`.

Main entry points are re-exported lazily.
"""
from .._lazy import lazy_exports

_EXPORTS = {
    "local_energy_perceptron": "local_energy", "local_energy_replica": "local_energy",
    "local_energy_mc": "local_energy",
    "sgd": "entropic", "entropy_sgd": "entropic", "replicated_sgd": "entropic",
}
__all__ = sorted(_EXPORTS)

__getattr__ = lazy_exports(__name__, _EXPORTS)
