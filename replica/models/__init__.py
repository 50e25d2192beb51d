"""Saddle-point models and their registry.

Every model implements the protocol of :mod:`replica.models.base` and is registered here under
a name; scans, the continuation engine, thresholds and the CLI (``replica solve MODEL``) look
models up with :func:`get` and list them with :func:`available`.

Built-in models are registered lazily (name -> ``"module:attribute"``) so that importing this
package imports no numerics. A model defined elsewhere (a user's file, a test) calls
:func:`register` with an instance; third-party packages can also expose models through the
entry-point group ``replica.models``.
"""
from __future__ import annotations

import importlib

from ..errors import ReplicaInputError

__all__ = ["register", "get", "available", "unregister"]

# name -> "module:attribute" of a SaddleModel instance (imported on first use)
_BUILTIN = {
    "gardner-binary": "replica.models.gardner:BINARY",
    "gardner-spherical": "replica.models.gardner:SPHERICAL",
    "fp-binary": "replica.models.franz_parisi:FP_BINARY",
    "fp-spherical": "replica.models.franz_parisi:FP_SPHERICAL",
    "gmm-typical": "replica.models.gmm:TYPICAL",
    "mclone-binary": "replica.models.rsb1:MCLONE_BINARY",
    "mclone-sbp": "replica.models.rsb1:MCLONE_SBP",
    "mclone-spherical": "replica.models.rsb1:MCLONE_SPHERICAL",
    "sbp-rs": "replica.models.rsb1:SBP_RS",
    "ogp-binary": "replica.models.rsb1:MCLONE_ZERO_BINARY",
    "ogp-sbp": "replica.models.rsb1:MCLONE_ZERO_SBP",
    "rsb1-spherical": "replica.models.rsb1_spherical:RSB1_SPHERICAL",
    "ld-binary": "replica.models.large_deviation:LD_BINARY",
    "ld-binary-free": "replica.models.large_deviation:LD_BINARY_FREE",
    "teacher-student-binary": "replica.models.teacher_student:BINARY",
    "teacher-student-spherical": "replica.models.teacher_student:SPHERICAL",
    "teacher-student-binary-qr": "replica.models.teacher_student:BINARY_QR",
    "teacher-student-spherical-qr": "replica.models.teacher_student:SPHERICAL_QR",
    "ts-fp-binary": "replica.models.ts_fp:TS_FP_BINARY",
    "ts-mclone-binary": "replica.models.ts_mclone:TS_MCLONE_BINARY",
    "committee-binary": "replica.models.committee:BINARY",
    "committee-spherical": "replica.models.committee:SPHERICAL",
    "committee-wide-binary": "replica.models.committee:WIDE_BINARY",
    "committee-wide-spherical": "replica.models.committee:WIDE_SPHERICAL",
    "committee-wide-fp-binary": "replica.models.committee_fp:WIDE_FP_BINARY",
    "committee-wide-fp-spherical": "replica.models.committee_fp:WIDE_FP_SPHERICAL",
}
_REGISTRY: dict = {}
_ENTRY_POINTS_LOADED = False


def register(model, name: str | None = None, *, replace: bool = False):
    """Register a model instance (an object implementing :class:`~replica.models.base.SaddleModel`)
    under ``name`` (default ``model.name``); returns the model. Re-registering a name raises
    unless ``replace``."""
    name = name or getattr(model, "name", "")
    if not name:
        raise ValueError("a registered model needs a name")
    for attr in ("validate", "residual", "saddle", "known_point", "thermo"):
        if not callable(getattr(model, attr, None)):
            raise TypeError(f"model {name!r} does not implement {attr}() of the model protocol")
    if not replace and (name in _REGISTRY or name in _BUILTIN):
        existing = _REGISTRY.get(name)
        if existing is not model:
            raise ValueError(f"a model named {name!r} is already registered")
    _REGISTRY[name] = model
    return model


def unregister(name: str) -> None:
    """Remove a model registered with :func:`register` (built-ins stay)."""
    _REGISTRY.pop(name, None)


def _load_entry_points():
    global _ENTRY_POINTS_LOADED
    if _ENTRY_POINTS_LOADED:
        return
    _ENTRY_POINTS_LOADED = True
    try:
        from importlib.metadata import entry_points
        for ep in entry_points(group="replica.models"):
            if ep.name not in _REGISTRY and ep.name not in _BUILTIN:
                _BUILTIN[ep.name] = ep.value
    except Exception:  # pragma: no cover - broken third-party metadata must not break replica
        pass


def available() -> list[str]:
    """Names of every registered model, sorted."""
    _load_entry_points()
    return sorted(set(_BUILTIN) | set(_REGISTRY))


def get(name: str):
    """The registered model ``name`` (a SaddleModel instance); ReplicaInputError if unknown."""
    if name in _REGISTRY:
        return _REGISTRY[name]
    _load_entry_points()
    if name in _BUILTIN:
        mod, _, attr = _BUILTIN[name].partition(":")
        try:
            obj = importlib.import_module(mod)
            for part in attr.split("."):
                obj = getattr(obj, part)
        except (ImportError, AttributeError) as exc:
            raise ReplicaInputError(f"model: {name!r} is registered as {_BUILTIN[name]} but "
                                    f"cannot be loaded ({exc})") from None
        _REGISTRY[name] = obj
        return obj
    raise ReplicaInputError(f"model: unknown model {name!r}; choose one of "
                            f"{', '.join(available())}")
