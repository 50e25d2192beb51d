"""Lazy re-exports for package ``__init__`` files (PEP 562), so that importing a sub-package
compiles nothing until a name is used."""
from __future__ import annotations

import importlib

__all__ = ["lazy_exports"]


def lazy_exports(package: str, exports: dict):
    """A module ``__getattr__`` for ``package`` that imports ``name`` from its submodule
    ``exports[name]`` on first use."""
    def __getattr__(name):
        if name in exports:
            return getattr(importlib.import_module(f"{package}.{exports[name]}"), name)
        raise AttributeError(f"module {package!r} has no attribute {name!r}")
    return __getattr__
