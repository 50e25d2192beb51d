"""``replica figures``: build every figure of the gallery (the main job) and its README."""
from __future__ import annotations

import json
import sys
import time
from pathlib import Path

from ._common import emit


def register(sub) -> None:
    p = sub.add_parser("figures", help="reproduce the figures of the gallery (incremental)")
    p.add_argument("--only", nargs="+", metavar="NAME", help="build only these figures")
    p.add_argument("--out", default="figures", help="output directory (default: figures)")
    p.add_argument("--data", default=None,
                   help="data/cache directory (default: OUT/data); reused on reruns")
    p.add_argument("--quick", action="store_true", help="reduced resolution (CI)")
    p.add_argument("--list", action="store_true", help="list the figures and exit")
    p.add_argument("--no-gallery", action="store_true", help="do not (re)write OUT/README.md")
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    p.add_argument("--json", action="store_true", help="print the summary as JSON")
    p.set_defaults(func=run)


def run(args):
    from ..gallery import _cache, all_figures
    from ..gallery.readme import write_gallery

    figs = all_figures()
    if args.list:
        emit([{"name": f.name, "title": f.title} for f in figs], args.json)
        return 0
    names = {f.name for f in figs}
    if args.only:
        unknown = [n for n in args.only if n not in names]
        if unknown:
            raise ValueError(f"unknown figure(s) {', '.join(unknown)}; known: {', '.join(sorted(names))}")
        figs = [f for f in figs if f.name in args.only]
    out = Path(args.out)
    data = Path(args.data) if args.data else out / "data"
    out.mkdir(parents=True, exist_ok=True)
    summary = []
    t_all = time.perf_counter()
    try:
        from tqdm import tqdm
        bar = tqdm(figs, disable=args.quiet or args.json, unit="fig", file=sys.stderr)
    except ImportError:  # pragma: no cover
        bar = figs
    for fig in bar:
        if hasattr(bar, "set_description"):
            bar.set_description(fig.name)
        before = dict(_cache.STATS)
        t0 = time.perf_counter()
        try:
            paths = fig.build(out, args.quick, data)
            status = "ok"
            error = ""
        except Exception as exc:  # recorded, reported, and the exit code says so
            paths, status, error = [], "failed", f"{type(exc).__name__}: {exc}"
        dt = time.perf_counter() - t0
        misses = _cache.STATS["misses"] - before["misses"]
        hits = _cache.STATS["hits"] - before["hits"]
        data_state = "computed" if misses else ("reused" if hits else "n/a")
        summary.append({"name": fig.name, "status": status, "data": data_state,
                        "seconds": round(dt, 2), "files": [str(p) for p in paths],
                        "error": error})
    if not args.no_gallery:
        write_gallery(out, all_figures())
    total = time.perf_counter() - t_all
    if args.json:
        emit({"figures": summary, "seconds": round(total, 2), "out": str(out)}, True)
    else:
        for row in summary:
            line = f"{row['name']:<32} {row['status']:<7} data {row['data']:<9} {row['seconds']:8.2f} s"
            if row["error"]:
                line += f"  {row['error']}"
            print(line)
        print(f"{len(summary)} figure(s) in {total:.1f} s -> {out}/")
    failed = [r["name"] for r in summary if r["status"] != "ok"]
    if failed:
        print(f"replica: error: {len(failed)} figure(s) failed: {', '.join(failed)}", file=sys.stderr)
        return 1
    return 0
