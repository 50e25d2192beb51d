"""replica — replica-method computations for neural-network models.

Gardner volumes, Franz–Parisi local entropies, phase diagrams, flatness measures and finite-N
ground truth for perceptrons and small networks. Submodules are imported lazily so that
``import replica`` stays fast; see the README for the map of the package.
"""
from __future__ import annotations

import importlib

__version__ = "0.1.0"

_LAZY = {
    "gauss": "replica.gauss",
    "solve": "replica.solve",
    "models": "replica.models",
    "scan": "replica.scan",
    "thresholds": "replica.thresholds",
    "finite_n": "replica.finite_n",
    "flatness": "replica.flatness",
    "testing": "replica.testing",
    "plotting": "replica.plotting",
    "errors": "replica.errors",
}


def __getattr__(name):
    if name in _LAZY:
        return importlib.import_module(_LAZY[name])
    if name in ("gardner",):
        from .models.gardner import gardner
        return gardner
    raise AttributeError(f"module 'replica' has no attribute {name!r}")
