"""replica — replica-method computations for neural-network models.

Gardner volumes, Franz–Parisi local entropies, phase diagrams, flatness measures and finite-N
ground truth for perceptrons and small networks. Everything public is listed once, in
:data:`API` (grouped as on the documentation's API page) and ``__all__``; names and submodules
are imported lazily on first access, so that ``import replica`` stays fast.
"""
from __future__ import annotations

import importlib

__version__ = "0.1.0"

#: The public API, grouped: (group title, {public name: "module:attribute" or "module"}).
#: ``replica.<name>`` resolves through this table for the names without a dot (``__all__``);
#: dotted names are submodules documented as a whole (their own ``__all__``). The API page of
#: the documentation is generated from this table.
API = (
    ("Gardner volume (docs/THEORY.md §1)", {
        "gardner": "replica.models.gardner:gardner",
        "capacity": "replica.models.gardner:capacity",
        "kappa_max": "replica.models.gardner:kappa_max",
    }),
    ("Franz–Parisi local entropy (§2)", {
        "local_entropy": "replica.models.franz_parisi:local_entropy",
        "local_entropy_curve": "replica.models.franz_parisi:local_entropy_curve",
        "legendre": "replica.models.franz_parisi:legendre",
        "h2": "replica.models.franz_parisi:h2",
    }),
    ("Result types", {
        "Solution": "replica.solve:Solution",
        "Curve": "replica.arrays:Curve",
        "CurveResult": "replica.models.franz_parisi:CurveResult",
        "Threshold": "replica.thresholds:Threshold",
        "Profile": "replica.thresholds:Profile",
        "ScanResult": "replica.scan:ScanResult",
    }),
    ("Errors", {
        "ConvergenceError": "replica.errors:ConvergenceError",
        "ReplicaInputError": "replica.errors:ReplicaInputError",
    }),
    ("Thresholds and events (§3)", {
        "thresholds": "replica.thresholds",
    }),
    ("Scans, stores and data out", {
        "scan": "replica.scan",
        "store": "replica.store",
        "export": "replica.export",
        "to_dataframe": "replica.export:to_dataframe",
        "to_dataset": "replica.export:to_dataset",
    }),
    ("Models: protocol and registry", {
        "models": "replica.models",
        "models.base": "replica.models.base",
        "models.gmm": "replica.models.gmm",
        "models.rsb1": "replica.models.rsb1",
        "models.large_deviation": "replica.models.large_deviation",
        "models.teacher_student": "replica.models.teacher_student",
        "models.committee": "replica.models.committee",
    }),
    ("Flatness and entropic algorithms (§4)", {
        "flatness.local_energy": "replica.flatness.local_energy",
        "flatness.entropic": "replica.flatness.entropic",
    }),
    ("Deep linear networks (§5)", {
        "linear_nets.networks": "replica.linear_nets.networks",
        "linear_nets.diagnostics": "replica.linear_nets.diagnostics",
    }),
    ("Finite-N ground truth (§7)", {
        "finite_n.enumerate": "replica.finite_n.enumerate",
        "finite_n.spherical": "replica.finite_n.spherical",
        "finite_n.algorithms": "replica.finite_n.algorithms",
        "finite_n.gmm": "replica.finite_n.gmm",
        "finite_n.amp": "replica.finite_n.amp",
        "finite_n.mp_solvers": "replica.finite_n.mp_solvers",
        "finite_n.local_entropy_bp": "replica.finite_n.local_entropy_bp",
    }),
    ("Numerics: special functions, quadrature, solver, continuation, arrays", {
        "gauss": "replica.gauss",
        "solve": "replica.solve",
        "continuation": "replica.continuation",
        "arrays": "replica.arrays",
    }),
    ("Testing kit", {
        "testing": "replica.testing",
    }),
)

_TARGETS = {name: target for _, group in API for name, target in group.items() if "." not in name}
# other subpackages reachable as attributes (not documented as API entries of their own)
_MODULES = {"finite_n": "replica.finite_n", "flatness": "replica.flatness",
            "linear_nets": "replica.linear_nets",
            "plotting": "replica.plotting", "errors": "replica.errors"}

__all__ = list(_TARGETS)


def __getattr__(name):
    target = _TARGETS.get(name) or _MODULES.get(name)
    if target is None:
        raise AttributeError(f"module 'replica' has no attribute {name!r}")
    module, _, attr = target.partition(":")
    mod = importlib.import_module(module)
    return getattr(mod, attr) if attr else mod


def __dir__():
    return sorted(set(globals()) | set(_TARGETS) | set(_MODULES))
