"""Scan results out of the store: DataFrames, xarray Datasets with labelled dimensions, CSV /
JSON / netCDF files and ``replica show`` — every export read back equals the stored values."""
import json
import math

import numpy as np
import pytest

from replica.cli import main
from replica.scan import Grid, Paths, scan
from replica.store import load

pd = pytest.importorskip("pandas")
xr = pytest.importorskip("xarray")


def closed_form_point(params, warm_start=None):
    """A point with a known answer: x = a^2 + b / 3 (irrational floats exercise round trips);
    b = 2 fails on purpose, so the exports have to carry a failed point."""
    a, b = params["a"], params.get("b", 0.0)
    if b == 2.0:
        raise ArithmeticError("no solution at b = 2")
    return {"x": a * a + b / 3.0, "y": math.sin(a) / 7.0, "residual": 1e-15 * (1 + a),
            "method": "closed", "_x": [a, b]}


@pytest.fixture
def grid_store(tmp_path):
    store = tmp_path / "grid.sqlite"
    scan(closed_form_point, Grid({"a": [0.1, 0.2, 0.7], "b": [0.0, 1.0, 2.0]}), store=store,
         executor="serial", quiet=True)
    return store


def test_no_duplicated_columns(grid_store):
    cols = load(grid_store)
    assert "residual" in cols and "result.residual" not in cols
    ok = cols["status"] == "ok"
    np.testing.assert_array_equal(cols["residual"][ok], 1e-15 * (1 + cols["a"][ok]))
    frame = load(grid_store, as_frame=True)         # pandas is installed by run.sh (data extra)
    assert list(frame.columns) == list(cols) and not frame.columns.duplicated().any()


def test_dataset_has_labelled_dimensions(grid_store):
    from replica.export import to_dataset

    ds = to_dataset(grid_store)
    assert ds["x"].dims == ("a", "b")
    np.testing.assert_array_equal(ds["a"].values, [0.1, 0.2, 0.7])
    np.testing.assert_array_equal(ds["b"].values, [0.0, 1.0, 2.0])
    for a in (0.1, 0.2, 0.7):
        for b in (0.0, 1.0):
            assert ds["x"].sel(a=a, b=b).item() == a * a + b / 3.0
            assert ds["status"].sel(a=a, b=b).item() == "ok"
        assert math.isnan(ds["x"].sel(a=a, b=2.0).item())
        assert ds["status"].sel(a=a, b=2.0).item() == "failed"
        assert "b = 2" in ds["message"].sel(a=a, b=2.0).item()
    assert "_x" not in ds and ds.attrs["model"]


def test_csv_json_netcdf_round_trips(grid_store, tmp_path):
    from replica.export import export

    cols = load(grid_store)
    csv = pd.read_csv(export(grid_store, "csv", tmp_path / "t.csv"))
    for k in ("a", "b", "x", "y", "residual"):
        np.testing.assert_array_equal(csv[k].to_numpy(), cols[k])   # exact: repr round trip
    assert list(csv["status"]) == list(cols["status"])

    doc = json.loads(export(grid_store, "json", tmp_path / "t.json").read_text())
    assert doc["identity"]["grid"]["axes"] == {"a": [0.1, 0.2, 0.7], "b": [0.0, 1.0, 2.0]}
    assert [r["x"] for r in doc["rows"]] == [None if math.isnan(v) else v for v in cols["x"]]

    nc = export(grid_store, "netcdf", tmp_path / "t.nc")
    with xr.open_dataset(nc, engine="scipy") as ds:
        for i in range(len(cols["key"])):
            point = ds.sel(a=cols["a"][i], b=cols["b"][i])
            assert str(point["status"].item()) == cols["status"][i]
            if cols["status"][i] == "ok":
                assert point["x"].item() == cols["x"][i]
                assert point["y"].item() == cols["y"][i]


def test_paths_dataset(tmp_path):
    from replica.export import to_dataset

    store = tmp_path / "paths.sqlite"
    scan(closed_form_point, Paths([[{"a": 0.1}, {"a": 0.3}], [{"a": 0.5}]]), store=store,
         executor="serial", quiet=True)
    ds = to_dataset(store)
    assert ds["x"].dims == ("point",)
    np.testing.assert_array_equal(ds["x"].values, ds["a"].values ** 2)
    np.testing.assert_array_equal(ds["path"].values, [0, 0, 1])


def test_cli_export_and_show(grid_store, tmp_path, capsys):
    assert main(["show", str(grid_store)]) == 0
    out = capsys.readouterr().out
    assert "points     9 stored of 9" in out and "ok 6, failed 3" in out
    assert main(["show", str(grid_store), "--json"]) == 0
    info = json.loads(capsys.readouterr().out)
    assert info["by_status"] == {"ok": 6, "failed": 3, "nonfinite": 0}
    assert info["axes"]["a"] == {"n": 3, "min": 0.1, "max": 0.7}
    out_csv = tmp_path / "cli.csv"
    assert main(["export", str(grid_store), "--format", "csv", "--out", str(out_csv),
                 "--status", "ok"]) == 0
    assert len(pd.read_csv(out_csv)) == 6
    assert main(["export", str(grid_store), "--format", "netcdf"]) == 0
    assert grid_store.with_suffix(".nc").is_file()
    assert main(["export", str(tmp_path / "missing.sqlite"), "--format", "csv"]) == 2
    assert main(["show", str(out_csv)]) == 2          # not a store: one-line error, exit 2
    assert "error" in capsys.readouterr().err
