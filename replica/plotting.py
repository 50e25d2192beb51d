"""Figure style and saving: every figure of replica goes through :func:`style` and :func:`save`.

Publication defaults: serif text with mathtext symbols, thin frames, inward ticks, colour-blind
safe palette (Okabe–Ito), vector PDF plus a 200-dpi PNG for the gallery.
"""
from __future__ import annotations

import json
import logging
import os
from pathlib import Path

import matplotlib

matplotlib.use("Agg", force=False)
# fontTools (font subsetting for the PDF's embedded TrueType fonts) warns about the font files'
# header timestamps; harmless, and noise in every figure build.
logging.getLogger("fontTools").setLevel(logging.ERROR)
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
from matplotlib.collections import LineCollection, PathCollection  # noqa: E402

__all__ = ["PALETTE", "LEGEND_FONTSIZE", "style", "new_figure", "save", "place_legend",
           "legend_overlaps", "data_points", "suptitle"]

#: smallest legend text (points) readable in a two-column journal figure
LEGEND_FONTSIZE = 7.5

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


#: metadata that makes the files byte-reproducible: no creation date (PDF), no software
#: version stamp that changes between matplotlib releases (PNG)
_PDF_METADATA = {"CreationDate": None, "Creator": None, "Producer": None}
_PNG_METADATA = {"Software": None}


def save(fig, out_dir, name: str) -> list[Path]:
    """Write ``<out_dir>/<name>.pdf`` and ``.png``; close the figure; return both paths.

    Both files are byte-reproducible: the same figure drawn twice gives identical bytes (no
    creation date or software stamp; fonts subset deterministically). With the environment
    variable ``REPLICA_LAYOUT_REPORT`` set to a file, a line of JSON per figure is appended to
    it: the legends or insets that cover data (:func:`legend_overlaps`) and the legend text
    sizes (the gallery's layout test reads it)."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    paths = [out / f"{name}.pdf", out / f"{name}.png"]
    report = os.environ.get("REPLICA_LAYOUT_REPORT")
    if report:  # the layout check of the test suite (legends over data, legend text size)
        sizes = [t.get_fontsize() for ax in fig.get_axes() if ax.get_legend()
                 for t in ax.get_legend().get_texts()]
        with open(report, "a") as fh:
            fh.write(json.dumps({"name": name, "overlaps": legend_overlaps(fig),
                                 "legend_fontsizes": sizes}) + "\n")
    fig.savefig(paths[0], metadata=_PDF_METADATA)
    fig.savefig(paths[1], dpi=200, metadata=_PNG_METADATA)
    plt.close(fig)
    return paths


# ---------------------------------------------------------------------------------------------
# Legends that do not cover data
# ---------------------------------------------------------------------------------------------

_LOCS = ("upper right", "upper left", "lower left", "lower right", "center right",
         "center left", "upper center", "lower center")


def _densify(xy: np.ndarray, step: float = 2.0) -> np.ndarray:
    """Points along a polyline (display coordinates) at most ``step`` pixels apart."""
    xy = xy[np.all(np.isfinite(xy), axis=1)] if xy.size else xy
    if len(xy) < 2:
        return xy
    out = [xy[:1]]
    for a, b in zip(xy[:-1], xy[1:]):
        n = int(np.ceil(np.hypot(*(b - a)) / step))
        if n > 1:
            t = np.linspace(0, 1, n + 1)[1:, None]
            out.append(a + t * (b - a))
        else:
            out.append(b[None])
    return np.concatenate(out)


def data_points(ax) -> np.ndarray:
    """The plotted data of ``ax`` as points in display coordinates: lines (densified along their
    segments, so a segment crossing a box is seen), markers, scatter points and error bars.
    Reference lines drawn in axes coordinates (axhline, axvline) and filled areas are not data."""
    pts = []
    for line in ax.get_lines():
        if not line.get_visible() or line.get_transform() != ax.transData:
            continue
        xy = ax.transData.transform(np.column_stack(line.get_data()).astype(float))
        pts.append(_densify(xy) if line.get_linestyle() not in ("None", "", " ") else xy)
    for coll in ax.collections:
        if not coll.get_visible():
            continue
        if isinstance(coll, LineCollection) and coll.get_transform() == ax.transData:
            for seg in coll.get_segments():
                if len(seg):
                    pts.append(_densify(ax.transData.transform(np.asarray(seg, float))))
        elif isinstance(coll, PathCollection):
            off = coll.get_offsets()
            if len(off):
                pts.append(coll.get_offset_transform().transform(np.asarray(off, float)))
    if not pts:
        return np.zeros((0, 2))
    allp = np.concatenate([p for p in pts if len(p)]) if any(len(p) for p in pts) else np.zeros((0, 2))
    bb = ax.get_window_extent()
    inside = ((allp[:, 0] >= bb.x0) & (allp[:, 0] <= bb.x1) & (allp[:, 1] >= bb.y0)
              & (allp[:, 1] <= bb.y1))
    return allp[inside]


def _count_inside(points: np.ndarray, bbox, pad: float = 1.0) -> int:
    if not len(points):
        return 0
    return int(np.sum((points[:, 0] > bbox.x0 - pad) & (points[:, 0] < bbox.x1 + pad)
                      & (points[:, 1] > bbox.y0 - pad) & (points[:, 1] < bbox.y1 + pad)))


def _overlap_area(a, b) -> float:
    w = min(a.x1, b.x1) - max(a.x0, b.x0)
    h = min(a.y1, b.y1) - max(a.y0, b.y0)
    return w * h if w > 0 and h > 0 else 0.0


def legend_overlaps(fig) -> list[dict]:
    """Layout problems a referee would see: legends and inset axes that cover plotted data (of
    any panel) or another panel, tick labels that overlap each other, a panel's labels that run
    into another panel, a figure title over the panels. One dict per offender with the axes'
    index, ``what`` (``legend`` / ``inset`` / ``ticklabels`` / ``labels`` / ``suptitle``), how
    many data points lie under it and which other panels it runs into."""
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    out = []
    axes = [ax for ax in fig.get_axes() if ax.get_visible()]
    pts = {id(ax): data_points(ax) for ax in axes}
    for i, ax in enumerate(axes):
        covers = []
        leg = ax.get_legend()
        if leg is not None and leg.get_visible():
            covers.append(("legend", leg.get_window_extent(renderer)))
        for child in ax.child_axes:
            covers.append(("inset", child.get_window_extent(renderer)))
        for what, box in covers:
            n = _count_inside(pts[id(ax)], box)
            others = [j for j, other in enumerate(axes) if other is not ax
                      and other not in ax.child_axes and other.get_visible()
                      and (_count_inside(pts[id(other)], box)
                           or _overlap_area(box, other.get_window_extent(renderer)) > 4.0)]
            if n or others:
                out.append({"axes": i, "what": what, "points": n, "panels": others,
                            "title": ax.get_title()})
    for i, ax in enumerate(axes):
        # tick labels that run into each other, and a panel's labels that run into another panel
        for axis in (ax.xaxis, ax.yaxis):
            boxes = [t.get_window_extent(renderer) for t in axis.get_ticklabels()
                     if t.get_visible() and t.get_text()]
            if any(_overlap_area(a, b) > 1.0 for k, a in enumerate(boxes) for b in boxes[k + 1:]):
                out.append({"axes": i, "what": "ticklabels", "points": 0, "panels": [],
                            "title": ax.get_title()})
        texts = [ax.xaxis.label, ax.yaxis.label, ax.title, getattr(ax, "_left_title", ax.title),
                 getattr(ax, "_right_title", ax.title)]
        texts += ax.xaxis.get_ticklabels() + ax.yaxis.get_ticklabels()
        boxes = [t.get_window_extent(renderer) for t in texts if t.get_visible() and t.get_text()]
        hit = [j for j, other in enumerate(axes) if other is not ax and other not in ax.child_axes
               and ax not in other.child_axes
               and any(_overlap_area(b, other.get_window_extent(renderer)) > 1.0 for b in boxes)]
        if hit:
            out.append({"axes": i, "what": "labels", "points": 0, "panels": hit,
                        "title": ax.get_title()})
    sup = getattr(fig, "_suptitle", None)
    if sup is not None and sup.get_text():
        box = sup.get_window_extent(renderer)
        hit = [j for j, ax in enumerate(axes) if _overlap_area(box, ax.get_tightbbox(renderer)) > 0]
        if hit:
            out.append({"axes": None, "what": "suptitle", "points": 0, "panels": hit,
                        "title": sup.get_text()})
    return out


def suptitle(fig, text: str, *, pad: float = 4.0, **kw):
    """A figure title placed above every panel's title and labels (no collision)."""
    kw.setdefault("fontsize", 9)
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    top = max(ax.get_tightbbox(renderer).y1 for ax in fig.get_axes())
    y = fig.transFigure.inverted().transform((0, top + pad))[1]
    return fig.suptitle(text, y=y, va="bottom", **kw)


def _collides(fig, ax, box, renderer) -> bool:
    for other in fig.get_axes():
        if other is ax or not other.get_visible():
            continue
        if _overlap_area(box, other.get_tightbbox(renderer)) > 0 or _count_inside(
                data_points(other), box):
            return True
    return False


def place_legend(ax, *args, loc: str | None = None, outside: str = "right", **kw):
    """A legend (text at least :data:`LEGEND_FONTSIZE`) placed where it covers no data: ``loc``
    first if given, then the corners and edges of the axes; if every position covers data, it
    goes outside the axes (``outside="right"`` or ``"below"`` first, then the other), next to
    the panel's labels and clear of the other panels. Returns the legend."""
    kw.setdefault("fontsize", LEGEND_FONTSIZE)
    if isinstance(kw["fontsize"], (int, float)) and kw["fontsize"] < LEGEND_FONTSIZE:
        kw["fontsize"] = LEGEND_FONTSIZE
    fig = ax.figure
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    pts = data_points(ax)
    for cand in ([loc] if loc else []) + [c for c in _LOCS if c != loc]:
        leg = ax.legend(*args, loc=cand, **kw)
        box = leg.get_window_extent(renderer)
        if _count_inside(pts, box) == 0 and not _collides(fig, ax, box, renderer):
            return leg
    ax.get_legend().remove()            # the panel's own extent, without a legend inside
    tight = ax.get_tightbbox(renderer)
    frame = ax.get_window_extent(renderer)
    to_fig = fig.transFigure.inverted()
    right = dict(loc="upper left", bbox_to_anchor=to_fig.transform((tight.x1 + 4, frame.y1)))
    below = dict(loc="upper center", ncol=2,
                 bbox_to_anchor=to_fig.transform(((frame.x0 + frame.x1) / 2, tight.y0 - 4)))
    order = [right, below] if outside == "right" else [below, right]
    for place in order:
        extra = dict(kw)
        if "ncol" in place:
            extra.setdefault("ncol", place["ncol"])
        leg = ax.legend(*args, loc=place["loc"], bbox_to_anchor=tuple(place["bbox_to_anchor"]),
                        bbox_transform=fig.transFigure,
                        **{k: v for k, v in extra.items() if k != "loc"})
        if not _collides(fig, ax, leg.get_window_extent(renderer), renderer):
            return leg
    return leg
