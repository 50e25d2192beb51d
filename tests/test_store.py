"""The resumable SQLite store: self-description, exact round trip, WAL, refusal of other scans."""
from __future__ import annotations

import sqlite3

import numpy as np
import pytest

from replica import __version__
from replica.errors import ReplicaInputError
from replica.store import ScanStore, StoreMismatchError, identity_hash, load, point_key

ID = {"model": "m", "fixed": {"kappa": 0.0}, "grid": {"kind": "grid", "axes": {"a": [0.1, 0.2]}}}


def test_round_trip_and_metadata(tmp_path):
    path = tmp_path / "s.sqlite"
    vals = [0.1, 1 / 3, np.float64(2.0 ** -1074), 1e308]
    with ScanStore(path, ID) as st:
        for i, v in enumerate(vals):
            st.write(params={"a": float(i)}, results={"y": v, "tag": "x", "n": i}, status="ok",
                     residual=1e-13, path=0, step=i)
        st.write(params={"a": 9.0}, results={}, status="failed", message="boom", path=0, step=9)
        assert len(st) == 5
    t = load(path)
    assert [float(x) for x in t["y"][:4]] == [float(v) for v in vals]  # bit-exact
    assert np.isnan(t["y"][4]) and t["status"][4] == "failed" and t["message"][4] == "boom"
    assert list(t["n"][:4]) == [0, 1, 2, 3] and t["tag"][0] == "x"
    assert set(t["version"]) == {__version__}
    assert list(load(path, status="ok")["a"]) == [0.0, 1.0, 2.0, 3.0]
    con = sqlite3.connect(path)
    assert con.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    meta = dict(con.execute("SELECT key, value FROM meta"))
    con.close()
    assert meta["identity_hash"] == identity_hash(ID) and meta["format"].startswith("replica")


def test_rewrite_same_point_keeps_one_row(tmp_path):
    path = tmp_path / "s.sqlite"
    with ScanStore(path, ID) as st:
        st.write(params={"a": 0.1}, results={"y": 1.0}, status="failed", message="first")
        st.write(params={"a": 0.1}, results={"y": 2.0}, status="ok")
        assert len(st) == 1
        assert st.finished()[point_key({"a": 0.1})]["results"] == {"y": 2.0}


def test_other_identity_refused_and_untouched(tmp_path):
    path = tmp_path / "s.sqlite"
    with ScanStore(path, ID) as st:
        st.write(params={"a": 0.1}, results={"y": 1.0}, status="ok")
    other = dict(ID, fixed={"kappa": 0.5})
    with pytest.raises(StoreMismatchError, match=r"fixed.kappa: stored 0.0 vs requested 0.5"):
        ScanStore(path, other)
    assert len(load(path)["a"]) == 1
    with pytest.raises(ReplicaInputError, match="no scan store"):
        load(tmp_path / "missing.sqlite")
    with pytest.raises(ValueError, match="status"):
        with ScanStore(path, ID) as st:
            st.write(params={"a": 0.2}, results={}, status="weird")


def test_as_frame(tmp_path):
    path = tmp_path / "s.sqlite"
    with ScanStore(path, ID) as st:
        st.write(params={"a": 0.1}, results={"y": 1.0}, status="ok")
    try:
        import pandas  # noqa: F401
    except ImportError:
        with pytest.raises(ImportError, match="needs pandas"):
            load(path, as_frame=True)
    else:
        df = load(path, as_frame=True)
        assert list(df["y"]) == [1.0]
