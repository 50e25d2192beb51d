"""The figure gallery: every figure ``replica figures`` draws is declared here.

Each module ``replica/gallery/<topic>.py`` defines ``FIGURES``, a list of :class:`Figure`. A
figure's ``build(out_dir, quick, data_dir)`` computes (or reloads from ``data_dir``) what it needs
and writes ``<out_dir>/<name>.pdf`` and ``.png`` through :func:`replica.plotting.save`; it
returns the written paths. Data are cached in ``data_dir`` (scan stores or ``.npz``) so that a
second run only redraws.
"""
from __future__ import annotations

import importlib
import pkgutil
from dataclasses import dataclass, field
from typing import Callable

__all__ = ["Figure", "all_figures"]


@dataclass(frozen=True)
class Figure:
    name: str                      # file stem, e.g. "gardner_entropy"
    title: str                     # one line
    build: Callable                # build(out_dir: Path, quick: bool, data_dir: Path) -> list[Path]
    description: str               # one paragraph for figures/README.md: what it shows
    source: str                    # the paper figure / equation it corresponds to
    params: str = ""               # parameters used
    order: int = 100               # position in the gallery
    tags: tuple = field(default_factory=tuple)

    @property
    def command(self) -> str:
        return f"replica figures --only {self.name}"


def all_figures() -> list[Figure]:
    """All figures declared in the gallery modules, in gallery order."""
    from . import __path__ as pkg_path

    figs = []
    for info in pkgutil.iter_modules(pkg_path):
        if info.name.startswith("_"):
            continue
        module = importlib.import_module(f"{__name__}.{info.name}")
        figs.extend(getattr(module, "FIGURES", []))
    names = [f.name for f in figs]
    dup = {n for n in names if names.count(n) > 1}
    if dup:
        raise RuntimeError(f"duplicate figure names in the gallery: {sorted(dup)}")
    return sorted(figs, key=lambda f: (f.order, f.name))
