"""A small content-addressed cache for figure data: ``cached(data_dir, name, params, compute)``.

The result of ``compute()`` (JSON-serialisable) is stored in ``<data_dir>/<name>-<hash>.json``
where the hash covers ``params`` and the package version, so that changed parameters or a new
version recompute, and a rerun reuses. ``STATS`` counts hits and misses for the summary of
``replica figures``. Long computations should use the scan store (:mod:`replica.store`) instead,
which also survives interruption point by point.
"""
from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

import numpy as np

from .. import __version__

__all__ = ["cached", "STATS"]

STATS = {"hits": 0, "misses": 0}


def cached(data_dir, name: str, params: dict, compute, *, fmt: str = "json"):
    """``compute()`` once per (name, params, package version), stored atomically in
    ``<data_dir>/<name>-<hash>.<fmt>``: ``fmt="json"`` for JSON-serialisable results,
    ``"npz"`` for a dict of numpy arrays. An unreadable file (interrupted write) is recomputed."""
    if fmt not in ("json", "npz"):
        raise ValueError(f"fmt must be 'json' or 'npz', got {fmt!r}")
    data_dir = Path(data_dir)
    data_dir.mkdir(parents=True, exist_ok=True)
    key = json.dumps({"params": params, "version": __version__}, sort_keys=True, default=str)
    digest = hashlib.sha1(key.encode()).hexdigest()[:12]
    path = data_dir / f"{name}-{digest}.{fmt}"
    if path.exists():
        try:
            if fmt == "npz":
                with np.load(path, allow_pickle=False) as z:
                    data = {k: z[k] for k in z.files if k != "params"}
            else:
                with open(path) as fh:
                    data = json.load(fh)["data"]
            STATS["hits"] += 1
            return data
        except (OSError, ValueError, KeyError):
            pass  # unreadable (e.g. interrupted write): recompute
    data = compute()
    tmp = path.with_name(path.stem + ".tmp." + fmt)
    if fmt == "npz":
        np.savez(tmp, params=np.array(key), **data)
    else:
        with open(tmp, "w") as fh:
            json.dump({"params": params, "version": __version__, "data": data}, fh)
    os.replace(tmp, path)  # atomic: an interrupted run never leaves a half-written cache
    STATS["misses"] += 1
    return data
