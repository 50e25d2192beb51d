"""Flat minima of deep linear networks (Mulayoff & Michaeli, ICML 2020; docs/THEORY.md, deep
linear networks).

* :mod:`replica.linear_nets.networks` — exact sharpness (top Hessian eigenvalue at a global
  minimum), the minimum sharpness, balanced and flattest minima, gradient descent;
* :mod:`replica.linear_nets.diagnostics` — balancedness and the coupling of consecutive layers;
* :mod:`replica.linear_nets.experiments` — GD step size, linear ResNets, ReLU networks.

Main entry points are re-exported lazily.
"""
from .._lazy import lazy_exports

_EXPORTS = {
    "sharpness": "networks", "min_sharpness": "networks", "balanced_minimum": "networks",
    "flattest_minimum": "networks", "layer_pairs": "diagnostics",
}
__all__ = sorted(_EXPORTS)

__getattr__ = lazy_exports(__name__, _EXPORTS)
