"""Figure style and saving: every figure of replica goes through :func:`style` and :func:`save`.

Publication defaults: serif text with mathtext symbols, thin frames, inward ticks, colour-blind
safe palette (Okabe–Ito), vector PDF plus a 200-dpi PNG for the gallery.
"""
from __future__ import annotations

from pathlib import Path

import logging

import matplotlib

matplotlib.use("Agg", force=False)
# fontTools (font subsetting for the PDF's embedded TrueType fonts) warns about the font files'
# header timestamps; harmless, and noise in every figure build.
logging.getLogger("fontTools").setLevel(logging.ERROR)
import matplotlib.pyplot as plt  # noqa: E402

__all__ = ["PALETTE", "style", "new_figure", "save"]

#: Okabe–Ito colour-blind safe palette.
PALETTE = ["#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#F0E442", "#000000"]

_RC = {
    "font.family": "serif",
    "mathtext.fontset": "cm",
    "font.size": 9,
    "axes.labelsize": 10,
    "axes.titlesize": 10,
    "legend.fontsize": 8,
    "legend.frameon": False,
    "xtick.direction": "in",
    "ytick.direction": "in",
    "xtick.top": True,
    "ytick.right": True,
    "axes.linewidth": 0.8,
    "lines.linewidth": 1.4,
    "axes.prop_cycle": matplotlib.cycler(color=PALETTE),
    "savefig.bbox": "tight",
    "pdf.fonttype": 42,
}


def style() -> None:
    """Apply replica's rc parameters (idempotent)."""
    matplotlib.rcParams.update(_RC)


def new_figure(ncols: int = 1, nrows: int = 1, width: float = 3.4, height: float = 2.6, **kw):
    """A figure with ``nrows x ncols`` panels of the given size (inches) per panel."""
    style()
    fig, axes = plt.subplots(nrows, ncols, figsize=(width * ncols, height * nrows), **kw)
    return fig, axes


def save(fig, out_dir, name: str) -> list[Path]:
    """Write ``<out_dir>/<name>.pdf`` and ``.png``; close the figure; return both paths."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    paths = [out / f"{name}.pdf", out / f"{name}.png"]
    fig.savefig(paths[0])
    fig.savefig(paths[1], dpi=200)
    plt.close(fig)
    return paths
