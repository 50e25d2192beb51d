"""Flat minima of deep linear networks (Mulayoff & Michaeli, ICML 2020; docs/THEORY.md, deep
linear networks).

* :mod:`replica.linear_nets.networks` — exact sharpness (top Hessian eigenvalue at a global
  minimum), the minimum sharpness, balanced and flattest minima, gradient descent;
* :mod:`replica.linear_nets.diagnostics` — balancedness and the coupling of consecutive layers;
* :mod:`replica.linear_nets.experiments` — GD step size, linear ResNets, ReLU networks.

Main entry points are re-exported lazily.
"""
import importlib

_EXPORTS = {
    "sharpness": "networks", "min_sharpness": "networks", "balanced_minimum": "networks",
    "flattest_minimum": "networks", "layer_pairs": "diagnostics",
}
__all__ = sorted(_EXPORTS)


def __getattr__(name):
    if name in _EXPORTS:
        return getattr(importlib.import_module(f"{__name__}.{_EXPORTS[name]}"), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
