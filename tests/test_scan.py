"""The scan engine: grids, continuation with warm starts and step halving, failures recorded in
rows, executors (serial / process pool / dask) giving identical tables, kill -9 and resume, and
clear errors for bad input. Point functions here are cheap closed forms, so every expected value
is computed independently in the test."""
from __future__ import annotations

import hashlib
import io
import json
import math
import os
import signal
import sqlite3
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import numpy as np
import pytest

from replica.errors import ReplicaInputError
from replica.scan import Grid, Paths, get_model, linspace_axis, parse_range, scan
from replica.store import StoreMismatchError, load

ROOT = Path(__file__).resolve().parents[1]
PY = str(ROOT / ".venv" / "bin" / "python") if (ROOT / ".venv").exists() else sys.executable
COMPARE_SKIP = {"elapsed", "timestamp"}


# -- cheap point functions (module level: picklable for process pools) ----------------------

def quad_point(params, warm_start=None):
    """y = a^2 + b; records where the warm start came from (depends on the path order)."""
    a, b = params["a"], params.get("b", 0.0)
    return {"y": a * a + b, "from": -1.0 if warm_start is None else warm_start["y"]}


quad_point.PARAMS = ("a", "b", "c")


def newton_point(params, warm_start=None):
    """Solve x^3 = a by Newton from the warm start (default x0 = 1); fails if more than 8
    iterations are needed — far jumps fail, halved steps succeed (a continuation test)."""
    a = params["a"]
    x = 1.0 if warm_start is None else warm_start["x"]
    for it in range(1, 9):
        x = x - (x ** 3 - a) / (3 * x * x)
        if abs(x ** 3 - a) < 1e-13 * a:
            return {"x": x, "iterations": it, "residual": abs(x ** 3 - a)}
    raise ArithmeticError(f"Newton for x^3={a} did not converge from x0 (8 iterations)")


def flaky_point(params, warm_start=None):
    a = params["a"]
    if a == 0.5:
        raise ValueError("no solution at a=0.5")
    if a == 0.75:
        return {"y": math.inf}
    return {"y": a}


def _same_table(t1, t2):
    assert set(t1) == set(t2)
    for k in t1:
        if k in COMPARE_SKIP:
            continue
        a, b = t1[k], t2[k]
        assert len(a) == len(b), k
        if a.dtype.kind == "f":
            np.testing.assert_array_equal(a, b, err_msg=k)
        else:
            assert list(a) == list(b), k


# -- grids, parsing -----------------------------------------------------------------------

def test_parse_range_and_linspace():
    name, v = parse_range("alpha=0.1:0.5:5")
    assert name == "alpha"
    np.testing.assert_allclose(v, [0.1, 0.2, 0.3, 0.4, 0.5], rtol=0, atol=1e-15)
    assert list(linspace_axis("k", 2.0, 2.0, 1)) == [2.0]
    for text, msg in [("alpha=0.5:0.1:5", "inverted"), ("alpha=0.1:0.5:0", "empty"),
                      ("alpha=0.1:0.1:3", "empty"), ("alpha=0.1:0.5", "NAME=start:stop:num"),
                      ("alpha=a:b:3", "not numbers"), ("alpha=0:nan:3", "finite"),
                      ("alpha=0:1:2.5", "empty")]:
        with pytest.raises(ReplicaInputError, match=msg):
            parse_range(text)


def test_grid_paths_order():
    g = Grid({"a": [1, 2], "b": [10, 20, 30]}, along="b")
    paths = g.as_paths()
    assert len(paths) == 2 and all(len(p) == 3 for p in paths)
    assert paths[1] == [{"a": 2.0, "b": 10.0}, {"a": 2.0, "b": 20.0}, {"a": 2.0, "b": 30.0}]
    assert len(Grid({"a": [1, 2], "b": [10, 20, 30]}).as_paths()) == 6
    with pytest.raises(ReplicaInputError, match="not an axis"):
        Grid({"a": [1]}, along="z")
    with pytest.raises(ReplicaInputError, match="empty"):
        Grid({"a": []})


# -- results, failures, continuation ------------------------------------------------------

def test_grid_values_and_warm_starts():
    res = scan(quad_point, Grid({"b": [0.0, 1.0], "a": [0.0, 0.5, 1.0]}, along="a"),
               executor="serial", quiet=True)
    t = res.load()
    assert res.ok == 6 and res.failed == 0 and res.evaluations == 6
    np.testing.assert_array_equal(t["y"], t["a"] ** 2 + t["b"])
    # along a: the first point has no warm start, the others start from the previous y
    exp_from = [-1.0, 0.0, 0.25, -1.0, 1.0, 1.25]
    np.testing.assert_array_equal(t["from"], exp_from)
    assert list(t["status"]) == ["ok"] * 6
    assert list(t["path"]) == [0, 0, 0, 1, 1, 1] and list(t["step"]) == [0, 1, 2] * 2
    assert all(v == __import__("replica").__version__ for v in t["version"])


def test_failures_recorded_never_fatal():
    res = scan(flaky_point, {"a": [0.25, 0.5, 0.75, 1.0]}, executor="serial", quiet=True)
    t = res.load()
    assert (res.ok, res.failed, res.nonfinite) == (2, 1, 1)
    assert list(t["status"]) == ["ok", "failed", "nonfinite", "ok"]
    assert "ValueError: no solution at a=0.5" in t["message"][1]
    assert "non-finite result(s): y" in t["message"][2]
    assert math.isnan(t["y"][1]) and math.isinf(t["y"][2]) and t["y"][3] == 1.0
    ok = res.load(status="ok")
    assert list(ok["a"]) == [0.25, 1.0]


def test_continuation_halves_the_step():
    # x^3 = a along a = 1 -> 100: jumping from a = 1 to 100 needs > 8 Newton steps
    values = [1.0, 100.0, 120.0]
    res = scan(newton_point, Paths.line("a", values), executor="serial", quiet=True)
    t = res.load()
    assert list(t["status"]) == ["ok"] * 3
    np.testing.assert_allclose(t["x"], np.cbrt(values), rtol=1e-13)
    assert t["halvings"][1] >= 1 and t["halvings"][2] == 0
    # without warm starts there is nothing to halve towards: recorded failure, scan goes on
    res2 = scan(newton_point, Paths.line("a", values), executor="serial", quiet=True,
                warm_start=False)
    t2 = res2.load()
    assert list(t2["status"]) == ["ok", "failed", "failed"]
    assert "did not converge" in t2["message"][1]
    # with too few halvings allowed the failure says so
    res3 = scan(newton_point, Paths.line("a", values), executor="serial", quiet=True,
                max_halvings=1)
    msg = res3.load()["message"][1]
    assert "halved 1 times" in msg and "ArithmeticError" in msg


def test_unknown_parameter_and_model_errors(tmp_path):
    store = tmp_path / "s.sqlite"
    with pytest.raises(ReplicaInputError, match="has no parameter.*'zeta'"):
        scan(quad_point, {"a": [1.0], "zeta": [1.0]}, store=store, quiet=True)
    with pytest.raises(ReplicaInputError, match="has no parameter.*'beta'"):
        scan("gardner-binary", {"beta": [0.1, 0.2]}, store=store, quiet=True)
    with pytest.raises(ReplicaInputError, match="unknown model"):
        scan("gardner-ternary", {"alpha": [0.1]}, store=store, quiet=True)
    with pytest.raises(ReplicaInputError, match="both scanned and fixed"):
        scan(quad_point, {"a": [1.0]}, fixed={"a": 2.0}, store=store, quiet=True)
    assert not store.exists()  # checked before anything is created
    assert "kappa" in get_model("gardner-spherical").params


def _digest(path: Path) -> str:
    h = hashlib.sha256()
    for p in sorted(path.parent.glob(path.name + "*")):
        h.update(p.name.encode() + p.read_bytes())
    return h.hexdigest()


def test_store_of_another_scan_is_refused(tmp_path):
    store = tmp_path / "s.sqlite"
    scan(quad_point, {"a": [0.0, 1.0]}, store=store, executor="serial", quiet=True)
    before = _digest(store)
    for kw in [dict(grid={"a": [0.0, 0.5, 1.0]}), dict(grid={"a": [0.0, 1.0]}, fixed={"b": 1.0}),
               dict(grid={"a": [0.0, 1.0], "b": [0.0]})]:
        with pytest.raises(StoreMismatchError, match="different scan"):
            scan(quad_point, kw["grid"], fixed=kw.get("fixed"), store=store, quiet=True)
    with pytest.raises(StoreMismatchError, match="different scan.*model"):
        scan(flaky_point, {"a": [0.0, 1.0]}, store=store, quiet=True)
    assert _digest(store) == before
    other = tmp_path / "notes.txt"
    other.write_text("my notes\n")
    with pytest.raises(StoreMismatchError, match="not a replica scan store"):
        scan(quad_point, {"a": [0.0]}, store=other, quiet=True)
    assert other.read_text() == "my notes\n"
    foreign = tmp_path / "foreign.sqlite"
    con = sqlite3.connect(foreign)
    con.execute("CREATE TABLE t(x)")
    con.commit()
    con.close()
    size = foreign.stat().st_size
    with pytest.raises(StoreMismatchError, match="not a replica scan store"):
        scan(quad_point, {"a": [0.0]}, store=foreign, quiet=True)
    assert foreign.stat().st_size == size


def test_rerun_recomputes_nothing(tmp_path):
    store = tmp_path / "s.sqlite"
    r1 = scan(newton_point, Paths.line("a", [1.0, 8.0, 27.0]), store=store, executor="serial",
              quiet=True)
    r2 = scan(newton_point, Paths.line("a", [1.0, 8.0, 27.0]), store=store, executor="serial",
              quiet=True)
    assert r1.computed == 3 and r2.computed == 0 and r2.evaluations == 0 and r2.already_done == 3
    _same_table(r1.load(), load(store))


def test_json_progress_lines():
    buf = io.StringIO()
    scan(flaky_point, {"a": [0.25, 0.5]}, executor="serial", json=True, stream=buf)
    lines = [json.loads(x) for x in buf.getvalue().splitlines()]
    assert [x["event"] for x in lines] == ["start", "point", "point", "end"]
    assert lines[2]["status"] == "failed" and lines[2]["done"] == 2 and lines[2]["total"] == 2
    assert lines[-1]["failed"] == 1
    buf = io.StringIO()
    scan(flaky_point, {"a": [0.25]}, executor="serial", quiet=True, json=True, stream=buf)
    assert buf.getvalue() == ""


# -- executors give identical tables -----------------------------------------------------------

GRID = Grid({"b": [0.0, 1.0, 2.0], "a": [1.0, 30.0, 60.0, 400.0]}, along="a")


def _newton_b(params, warm_start=None):
    if params["b"] == 2.0 and params["a"] == 60.0:
        raise ValueError("no solution here")
    return {**newton_point({"a": params["a"] * (1 + params["b"])}, warm_start),
            "b_seen": params["b"]}


def test_process_pool_matches_serial(tmp_path):
    ref = scan(_newton_b, GRID, executor="serial", quiet=True).load()
    t = scan(_newton_b, GRID, executor="process", workers=2, quiet=True,
             store=tmp_path / "p.sqlite").load()
    _same_table(ref, t)
    assert list(ref["status"]) == ["ok"] * 10 + ["failed", "ok"]
    assert ref["halvings"].max() >= 1
    np.testing.assert_allclose(ref["x"][:10], np.cbrt(ref["a"] * (1 + ref["b"]))[:10],
                               rtol=1e-13)


def test_dask_matches_serial():
    distributed = pytest.importorskip("distributed")
    ref = scan(_newton_b, GRID, executor="serial", quiet=True).load()
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=False,
                                  dashboard_address=None, protocol="tcp://") as cluster, \
            distributed.Client(cluster) as client:
        t1 = scan(_newton_b, GRID, executor=client, quiet=True).load()
        # the scheduler-address route (what `--scheduler tcp://...` uses)
        t2 = scan(_newton_b, GRID, scheduler=cluster.scheduler_address, quiet=True).load()
    _same_table(ref, t1)
    _same_table(ref, t2)


# -- kill -9 mid-scan and resume (a real subprocess running the CLI) -------------------------

POINT_MODULE = '''
import os, time

def point(params, warm_start=None):
    """Slow x^3 = a by Newton from the warm start; logs every evaluation to COUNTER_FILE."""
    time.sleep(0.05)
    a = params["a"] * (1 + params["b"])
    x = 1.0 if warm_start is None else warm_start["x"]
    for it in range(60):
        x = x - (x ** 3 - a) / (3 * x * x)
        if abs(x ** 3 - a) < 1e-12 * a:
            break
    with open(os.environ["COUNTER_FILE"], "a") as fh:
        fh.write(f"{params['a']!r} {params['b']!r}\\n")
    return {"x": x, "iterations": it + 1, "from": -1.0 if warm_start is None else warm_start["x"]}
'''


def _cli(tmp_path, store, *extra):
    env = dict(os.environ, PYTHONPATH=f"{tmp_path}{os.pathsep}{ROOT}",
               COUNTER_FILE=str(store) + ".count")
    cmd = [PY, "-m", "replica", "scan", "--model", "slowpoint:point", "--allow-user-code",
           "--param", "b=0:1:2", "--param", "a=1:40:20", "--along", "a",
           "--store", str(store), "--quiet", *extra]
    return cmd, env


def _rows(store):
    if not store.exists():
        return 0
    con = sqlite3.connect(store, timeout=10)
    try:
        return con.execute("SELECT COUNT(*) FROM points").fetchone()[0]
    except sqlite3.OperationalError:
        return 0
    finally:
        con.close()


@pytest.mark.parametrize("executor", ["serial", "process"])
def test_kill9_and_resume(tmp_path, executor):
    (tmp_path / "slowpoint.py").write_text(textwrap.dedent(POINT_MODULE))
    extra = ("--executor", executor, "--workers", "2")
    # the uninterrupted reference
    full = tmp_path / "full.sqlite"
    cmd, env = _cli(tmp_path, full, *extra)
    subprocess.run(cmd, env=env, check=True, timeout=120)
    # interrupted: SIGKILL the whole process group (driver and pool workers) mid-scan
    part = tmp_path / "part.sqlite"
    cmd, env = _cli(tmp_path, part, *extra)
    proc = subprocess.Popen(cmd, env=env, start_new_session=True)
    t0 = time.time()
    while _rows(part) < 12 and time.time() - t0 < 60:
        time.sleep(0.02)
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    stored_before = _rows(part)
    assert 12 <= stored_before < 40, "the kill must land mid-scan"
    evaluated_before = set(Path(str(part) + ".count").read_text().splitlines())
    # rerun the same command: resumes
    subprocess.run(cmd, env=env, check=True, timeout=120)
    t_full, t_part = load(full), load(part)
    _same_table(t_full, t_part)
    counts = Path(str(part) + ".count").read_text().splitlines()
    assert len(set(counts)) == 40
    repeated = [c for c in set(counts) if counts.count(c) > 1]
    # only points in flight at the kill (evaluated but not yet stored) may be computed twice
    assert len(repeated) <= 2 * 2
    assert all(c in evaluated_before for c in repeated)
    # every repeated point was evaluated exactly twice (once before the kill, once after)
    assert len(counts) - 40 == len(repeated)
    assert all(counts.count(c) == 2 for c in repeated)


def test_cli_errors(tmp_path):
    (tmp_path / "slowpoint.py").write_text(textwrap.dedent(POINT_MODULE))
    store = tmp_path / "s.sqlite"
    env = dict(os.environ, PYTHONPATH=f"{tmp_path}{os.pathsep}{ROOT}",
               COUNTER_FILE=str(tmp_path / "c"))
    base = [PY, "-m", "replica", "scan", "--store", str(store), "--quiet"]

    def run(*args):
        return subprocess.run(base + list(args), env=env, capture_output=True, text=True,
                              timeout=60)

    r = run("--model", "gardner-binary", "--param", "alpha=0.5:0.1:3")
    assert r.returncode == 2 and "inverted range" in r.stderr and "Traceback" not in r.stderr
    r = run("--model", "gardner-binary", "--param", "alpha=0.1:0.5:0")
    assert r.returncode == 2 and "empty range" in r.stderr
    r = run("--model", "gardner-binary", "--param", "temperature=0.1:0.5:3")
    assert r.returncode == 2 and "has no parameter(s) 'temperature'" in r.stderr
    assert not store.exists()
    r = run("--model", "slowpoint:point", "--allow-user-code", "--param", "a=1:2:2", "--fixed", "b=0",
            "--executor", "serial")
    assert r.returncode == 0, r.stderr
    before = _digest(store)
    r = run("--model", "slowpoint:point", "--allow-user-code", "--param", "a=1:2:3", "--fixed", "b=0")
    assert r.returncode == 2 and "different scan" in r.stderr and "Traceback" not in r.stderr
    assert _digest(store) == before


# -- a real model ------------------------------------------------------------------------------

def test_gardner_scan_matches_direct_solves(tmp_path):
    from replica.models.gardner import gardner

    grid = Grid({"kappa": [0.0, 0.3], "alpha": [0.2, 0.5, 0.8]}, along="alpha")
    res = scan("gardner-binary", grid, store=tmp_path / "g.sqlite", executor="process",
               workers=2, quiet=True)
    t = load(tmp_path / "g.sqlite")
    ser = scan("gardner-binary", grid, executor="serial", quiet=True).load()
    # kappa = 0.3 at alpha = 0.8 is beyond kappa_max (negative RS entropy): a recorded failure
    assert list(t["status"]) == ["ok"] * 5 + ["failed"]
    assert "kappa_max" in t["message"][5]
    for i in range(5):
        direct = gardner("binary", t["alpha"][i], t["kappa"][i])
        assert abs(t["entropy"][i] - direct.entropy) < 1e-10
        assert abs(t["q"][i] - direct.q) < 1e-10
        assert abs(ser["entropy"][i] - t["entropy"][i]) < 1e-12
    assert res.ok == 5 and res.failed == 1
    # the spherical model through the same registry, with a warm-started continuation in kappa
    sph = scan("gardner-spherical", Paths.line("kappa", [-0.5, 0.0, 0.4], alpha=1.0),
               executor="serial", quiet=True).load()
    for k, s, r in zip(sph["kappa"], sph["entropy"], sph["replicon"]):
        d = gardner("spherical", 1.0, k)
        assert abs(s - d.entropy) < 1e-10 and abs(r - d.replicon) < 1e-10


def test_local_entropy_model_continuation_in_d():
    from replica.models import franz_parisi as fp

    ds = [0.2, 0.1, 0.05]
    t = scan("local-entropy-binary", Paths.line("d", ds), fixed={"alpha": 0.5, "kappa_ref": 0.2},
             executor="serial", quiet=True).load()
    assert list(t["status"]) == ["ok"] * 3
    for d, s, sl in zip(t["d"], t["entropy"], t["dS_dd"]):
        direct = fp.local_entropy("binary", 0.5, 0.2, 0.0, d)   # cold start, same saddle
        assert abs(direct.entropy - s) < 1e-9 and abs(direct.dS_dd - sl) < 1e-7
        assert s <= fp.h2(d)
    with pytest.raises(ReplicaInputError, match="has no parameter.*'kappa_max'"):
        scan("local-entropy-binary", {"d": [0.1]}, fixed={"alpha": 0.5, "kappa_max": 1.0},
             quiet=True)
