"""``replica figures``: build every figure of the gallery (the main job) and its README."""
from __future__ import annotations

import multiprocessing
import os
import sys
import time
from concurrent.futures import as_completed
from pathlib import Path

from ._common import check_out_dir, emit, positive_int


def register(sub) -> None:
    p = sub.add_parser("figures", help="reproduce the figures of the gallery (incremental)")
    p.add_argument("--only", nargs="+", metavar="NAME", help="build only these figures")
    p.add_argument("--out", default="figures", help="output directory (default: figures)")
    p.add_argument("--data", default=None,
                   help="data/cache directory (default: OUT/data); reused on reruns")
    p.add_argument("--quick", action="store_true", help="reduced resolution (CI)")
    p.add_argument("--list", action="store_true", help="list the figures and exit")
    p.add_argument("--no-gallery", action="store_true", help="do not (re)write OUT/README.md")
    p.add_argument("--jobs", type=positive_int, default=None,
                   help="figures built in parallel processes (default: the number of cores)")
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    p.add_argument("--json", action="store_true", help="print the summary as JSON")
    p.set_defaults(func=run)


def _data_files(data: Path) -> dict:
    """{file: (size, mtime)} of the data directory, ignoring SQLite's transient side files."""
    if not data.exists():
        return {}
    out = {}
    for p in data.rglob("*"):
        if p.is_file() and not p.name.endswith(("-wal", "-shm", "-journal", ".tmp")):
            st = p.stat()
            out[str(p)] = (st.st_size, st.st_mtime_ns)
    return out


def build_one(name: str, out: str, quick: bool, data: str) -> dict:
    """Build one figure (in this process) and report status, data state, time and files."""
    from ..gallery import _cache, all_figures

    fig = {f.name: f for f in all_figures()}[name]
    before = dict(_cache.STATS)
    files_before = _data_files(Path(data))
    t0 = time.perf_counter()
    try:
        paths = fig.build(Path(out), quick, Path(data))
        status, error = "ok", ""
    except Exception as exc:  # recorded, reported, and the exit code says so
        paths, status, error = [], "failed", f"{type(exc).__name__}: {exc}"
    dt = time.perf_counter() - t0
    misses = _cache.STATS["misses"] - before["misses"]
    hits = _cache.STATS["hits"] - before["hits"]
    if misses:
        state = "computed"
    elif hits:
        state = "reused"
    else:  # builders with their own caches (npz, scan stores): did the build write data?
        state = "computed" if _data_files(Path(data)) != files_before else "reused"
    return {"name": name, "status": status, "data": state, "seconds": round(dt, 2),
            "files": [str(p) for p in paths], "error": error}


def run(args):
    from ..gallery import all_figures
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
    check_out_dir("--out", out)
    out.mkdir(parents=True, exist_ok=True)
    from ..errors import check_workers

    jobs = check_workers("--jobs", args.jobs) or os.cpu_count() or 1
    t_all = time.perf_counter()
    try:
        from tqdm import tqdm
        bar = tqdm(total=len(figs), disable=args.quiet or args.json, unit="fig", file=sys.stderr)
    except ImportError:  # pragma: no cover
        bar = None
    tasks = [(f.name, str(out), args.quick, str(data)) for f in figs]
    results = {}
    if jobs == 1 or len(figs) == 1:
        for t in tasks:
            results[t[0]] = build_one(*t)
            if bar is not None:
                bar.set_description(t[0])
                bar.update()
    else:
        # independent figures in parallel processes; each caches its own data files
        from .._process import process_pool

        with process_pool(min(jobs, len(figs)),
                          mp_context=multiprocessing.get_context("spawn")) as ex:
            futures = {ex.submit(build_one, *t): t[0] for t in tasks}
            for fut in as_completed(futures):
                name = futures[fut]
                try:
                    results[name] = fut.result()
                except Exception as exc:  # the worker itself died
                    results[name] = {"name": name, "status": "failed", "data": "n/a",
                                     "seconds": 0.0, "files": [],
                                     "error": f"{type(exc).__name__}: {exc}"}
                if bar is not None:
                    bar.set_description(name)
                    bar.update()
    if bar is not None:
        bar.close()
    summary = [results[f.name] for f in figs]
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
