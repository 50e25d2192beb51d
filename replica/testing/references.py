"""Registry of reference values: published constants and numbers certified by an independent
high-precision path.

Each :class:`Reference` has a name, the model and parameters, the value, an absolute tolerance,
its source (paper + equation/table, or the independent method and precision that produced it),
and ``compute``: a zero-argument callable with which replica reproduces the value (CI checks
every entry with it). Entries live in topic modules ``replica/testing/refs/<topic>.py``, each
defining ``REFERENCES = [...]``; they are collected here.
"""
from __future__ import annotations

import importlib
import pkgutil
from dataclasses import dataclass, field
from typing import Callable, Optional

__all__ = ["Reference", "all_references", "get_reference"]


@dataclass(frozen=True)
class Reference:
    name: str
    value: float
    tol: float                      # absolute tolerance
    source: str                     # paper + equation/table, or method + precision
    model: str = ""
    params: dict = field(default_factory=dict)
    compute: Optional[Callable[[], float]] = field(default=None, compare=False, repr=False)
    description: str = ""

    def as_dict(self) -> dict:
        return {"name": self.name, "model": self.model, "params": dict(self.params),
                "value": self.value, "tol": self.tol, "source": self.source,
                "description": self.description}


_CACHE: dict[str, Reference] | None = None


def all_references() -> dict[str, Reference]:
    """All registered references by name (topic modules are imported on first use)."""
    global _CACHE
    if _CACHE is None:
        from . import refs

        table: dict[str, Reference] = {}
        for info in sorted(pkgutil.iter_modules(refs.__path__), key=lambda m: m.name):
            module = importlib.import_module(f"{refs.__name__}.{info.name}")
            for ref in getattr(module, "REFERENCES", []):
                if ref.name in table:
                    raise RuntimeError(f"duplicate reference name {ref.name!r}")
                table[ref.name] = ref
        _CACHE = table
    return _CACHE


def get_reference(name: str) -> Reference:
    table = all_references()
    if name not in table:
        raise KeyError(f"no reference named {name!r}; known: {', '.join(sorted(table))}")
    return table[name]
