r"""Scan results out of their store: pandas DataFrames, xarray Datasets with labelled
dimensions, CSV / JSON / netCDF files, and a one-screen summary (``replica export``,
``replica show``).

Columns of a store (:func:`replica.store.load`, one row per finished point, grid order)
---------------------------------------------------------------------------------------
=================  ==========================================================================
``path``, ``step``  which continuation path the point belongs to and its position along it
``status``          ``ok`` | ``failed`` (the point function raised or reported failure) |
                    ``nonfinite`` (a result was NaN or inf; the values are kept)
``message``         the reason of a failure (empty for ``ok``)
``residual``        the undamped residual norm of the saddle point (the convergence criterion)
``halvings``        step halvings the continuation needed to reach the point
``elapsed``         seconds spent on the point
``version``,        replica version and UTC time that wrote the row; ``key`` is the canonical
``timestamp``,      JSON of the parameters (the row's identity)
``key``
parameters          one column per parameter (``alpha``, ``kappa``, ``kappa_ref``, ``d``, ...)
results             one column per result of the point function. Gardner models: ``entropy``,
                    ``q``, ``one_minus_q``, ``qh``, ``replicon``, ``energetic``, ``entropic``,
                    ``iterations``, ``method``. Local-entropy models: ``entropy`` (S(d)),
                    ``dS_dd``, ``q``, ``t``, ``p``, ``qh``, ``th``, ``ph`` (or ``b`` for the
                    spherical max-margin reference), ``one_minus_q``, ``C2``, ``entropic``,
                    ``energetic``, ``iterations``, ``method`` and ``_x`` (the solver's
                    unknowns, a list, kept for warm starts; left out of tables and Datasets)
=================  ==========================================================================

A result whose name is also a parameter's appears as ``result.<name>``. Numeric columns hold NaN
where a row has no value (a failed point): ``status`` and ``message`` say why.

Datasets (:func:`to_dataset`): for a grid scan the dimensions are the grid's axes in their
order (coordinates = the axis values), every numeric result and the meta columns ``residual``,
``halvings``, ``elapsed`` are data variables on those dimensions (NaN where a point is missing
or failed), ``status`` and ``message`` are string variables ("missing" for a point not yet
computed), and the store's identity (model, fixed parameters, grid) is in ``attrs``. A scan
along explicit paths has one dimension ``point`` with the parameters as coordinates.
"""
from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np

from .errors import ReplicaInputError
from .store import ScanStore, STATUSES, _columns

__all__ = ["FORMATS", "to_dataframe", "to_dataset", "export", "summary", "table"]

FORMATS = ("csv", "json", "netcdf")


def _rows(store):
    with ScanStore(store) as st:
        return st.rows(), dict(st.identity)


def _plain_column(col: np.ndarray) -> bool:
    """A column that fits a table cell: numbers, booleans, strings (not lists or dicts)."""
    return col.ndim == 1 and not any(isinstance(v, (list, dict, np.ndarray)) for v in col)


def table(store, *, status=None) -> dict:
    """The store's columns as a dict of numpy arrays, without list-valued columns (``_x``)."""
    rows, _ = _rows(store)
    cols = _columns(rows, status=status)
    return {k: v for k, v in cols.items() if _plain_column(v)}


def to_dataframe(store, *, status=None):
    """All rows as a pandas DataFrame (the columns of :func:`table`)."""
    import pandas as pd

    return pd.DataFrame(table(store, status=status))


def _numeric(col: np.ndarray) -> bool:
    return col.dtype.kind in "fiub"


def to_dataset(store, *, status=None):
    """The scan as an xarray Dataset with labelled dimensions (see the module docstring)."""
    import xarray as xr

    rows, identity = _rows(store)
    cols = _columns(rows, status=status)
    grid = identity.get("grid", {})
    attrs = {"model": str(identity.get("model", "")),
             "identity": json.dumps(identity, sort_keys=True),
             "fixed": json.dumps(identity.get("fixed", {}), sort_keys=True)}
    params = set()
    for r in rows:
        params.update(r["params"])
    skip = set(params) | {"path", "step", "key", "version", "timestamp", "status", "message"}
    variables = [k for k, v in cols.items() if k not in skip and _plain_column(v)]
    if grid.get("kind") == "grid":
        axes = {k: np.asarray(v, dtype=float) for k, v in grid["axes"].items()}
        dims = list(axes)
        shape = tuple(len(v) for v in axes.values())
        index = {k: {float(x): i for i, x in enumerate(v)} for k, v in axes.items()}
        n = len(cols["status"])
        where = []
        for i in range(n):
            try:
                where.append(tuple(index[k][float(cols[k][i])] for k in dims))
            except (KeyError, TypeError, ValueError):
                raise ReplicaInputError(f"store row {cols['key'][i]} is not on the stored grid "
                                        f"{dims}") from None
        data = {}
        for k in variables:
            col = cols[k]
            if _numeric(col):
                arr = np.full(shape, np.nan)
                for i, ix in enumerate(where):
                    arr[ix] = float(col[i])
            else:
                arr = np.full(shape, "", dtype=object)
                for i, ix in enumerate(where):
                    arr[ix] = "" if col[i] is None else str(col[i])
            data[k] = (dims, arr)
        for k, missing in (("status", "missing"), ("message", "")):
            arr = np.full(shape, missing, dtype=object)
            for i, ix in enumerate(where):
                arr[ix] = str(cols[k][i])
            data[k] = (dims, arr)
        coords = dict(axes)
        for k, v in identity.get("fixed", {}).items():
            if k not in coords and isinstance(v, (int, float, str)):
                coords[k] = v
        return xr.Dataset(data, coords=coords, attrs=attrs)
    # explicit paths (or any other layout): one row per point
    data = {k: ("point", cols[k] if _numeric(cols[k]) else cols[k].astype(str))
            for k in variables + ["status", "message"]}
    coords = {k: ("point", cols[k]) for k in sorted(params) if _plain_column(cols[k])}
    coords.update(path=("point", cols["path"]), step=("point", cols["step"]))
    return xr.Dataset(data, coords=coords, attrs=attrs)


def _json_value(v):
    if isinstance(v, (np.floating, float)):
        v = float(v)
        return v if math.isfinite(v) else None
    if isinstance(v, np.integer):
        return int(v)
    if isinstance(v, np.bool_):
        return bool(v)
    return v


def export(store, fmt: str, out=None, *, status=None) -> Path:
    """Write the store as ``csv`` (one row per point), ``json`` (``{"identity": ..., "rows":
    [...]}``, NaN written as null) or ``netcdf`` (the :func:`to_dataset` Dataset, netCDF-3 via
    scipy). ``out`` defaults to the store's name with the format's suffix. Returns the path."""
    if fmt not in FORMATS:
        raise ReplicaInputError(f"format: choose one of {', '.join(FORMATS)}, got {fmt!r}")
    store = Path(store)
    suffix = {"csv": ".csv", "json": ".json", "netcdf": ".nc"}[fmt]
    out = Path(out) if out is not None else store.with_suffix(suffix)
    if out.resolve() == store.resolve():
        raise ReplicaInputError(f"out: {out} is the store itself")
    if fmt == "csv":
        to_dataframe(store, status=status).to_csv(out, index=False)
    elif fmt == "json":
        cols = table(store, status=status)
        names = list(cols)
        n = len(cols["status"]) if cols else 0
        rows = [{k: _json_value(cols[k][i]) for k in names} for i in range(n)]
        with ScanStore(store) as st:
            identity = dict(st.identity)
        out.write_text(json.dumps({"identity": identity, "columns": names, "rows": rows},
                                  indent=1, allow_nan=False) + "\n")
    else:
        ds = to_dataset(store, status=status)
        for k in list(ds.data_vars) + list(ds.coords):
            if ds[k].dtype == object:
                ds[k] = ds[k].astype(str)
        ds.to_netcdf(out, engine="scipy")
    return out


def summary(store) -> dict:
    """What a store holds: model, grid axes, fixed parameters, points stored against the grid's
    size, counts by status, result columns, creation time and version."""
    with ScanStore(store) as st:
        identity = dict(st.identity)
        rows = st.rows()
        created = st._meta("created")
        version = st._meta("replica_version")
    grid = identity.get("grid", {})
    counts = {s: 0 for s in STATUSES}
    for r in rows:
        counts[r["status"]] = counts.get(r["status"], 0) + 1
    if grid.get("kind") == "grid":
        axes = {k: {"n": len(v), "min": min(v), "max": max(v)} for k, v in grid["axes"].items()}
        total = int(np.prod([len(v) for v in grid["axes"].values()]))
    else:
        paths = grid.get("paths", [])
        axes = {"paths": {"n": len(paths)}}
        total = sum(len(p) for p in paths)
    results = []
    for r in rows:
        for k, v in r["results"].items():
            if k not in results and not isinstance(v, (list, dict)) and k != "residual":
                results.append(k)
    return {"store": str(store), "model": identity.get("model"), "axes": axes,
            "along": grid.get("along"), "fixed": identity.get("fixed", {}),
            "points_stored": len(rows), "points_in_grid": total, "by_status": counts,
            "results": results, "created": created, "replica_version": version}
