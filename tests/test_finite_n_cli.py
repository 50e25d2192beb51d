"""``replica enumerate`` and ``replica solve-finite``: JSON shape, consistency with the library,
one-line errors for bad input."""
import json

import numpy as np
import pytest

from replica.cli import main
from replica.finite_n.enumerate import make_patterns, n_patterns
from replica.finite_n.algorithms import verify_solution


def _run(capsys, argv):
    rc = main(argv)
    out = capsys.readouterr()
    return rc, out.out, out.err


def test_enumerate_json(capsys):
    rc, out, _ = _run(capsys, ["enumerate", "--n", "12", "--alpha", "0.25", "--alpha", "0.5",
                               "--kappa", "0", "--kappa", "0.3", "--instances", "3", "--seed", "4",
                               "--patterns", "pm1", "--profiles", "--json"])
    assert rc == 0
    data = json.loads(out)
    rows = data["instances"]
    assert len(rows) == 6
    for r in rows:
        assert {"alpha", "count", "counts", "max_margin"} <= set(r)
        assert r["count"] == r["counts"][0] >= r["counts"][1]
        assert sum(r["profile_max_margin"]) == r["count"] == sum(r["profile_random"])
    by_inst = {}
    for r in rows:
        by_inst.setdefault(r["instance"], []).append(r)
    for rs in by_inst.values():
        a = sorted(rs, key=lambda r: r["alpha"])
        assert a[0]["count"] >= a[1]["count"]
    summ = data["summary"]
    assert len(summ) == 4
    s = [x for x in summ if x["alpha"] == 0.5 and x["kappa"] == 0.0][0]
    counts = [r["count"] for r in rows if r["alpha"] == 0.5]
    assert s["count_mean"] == pytest.approx(np.mean(counts))
    assert s["frac_zero"] == pytest.approx(np.mean(np.array(counts) == 0))


@pytest.mark.parametrize("argv,msg", [
    (["enumerate", "--n", "26", "--alpha", "0.5"], "--n"),
    (["enumerate", "--n", "10", "--alpha", "-0.5"], "--alpha"),
    (["enumerate", "--n", "10", "--alpha", "0.5", "--patterns", "uniform"], "patterns"),
    (["enumerate", "--n", "10", "--alpha", "nan"], "not a finite number"),
    (["solve-finite", "--algorithm", "gd", "--n", "50", "--alpha", "0.5"], "--algorithm"),
    (["solve-finite", "--algorithm", "sa", "--n", "50", "--alpha", "-1"], "--alpha"),
    (["solve-finite", "--algorithm", "sa", "--n", "50", "--alpha", "0.5", "--y", "3"], "--y"),
])
def test_bad_input_one_line(capsys, argv, msg):
    try:
        rc = main(argv)
    except SystemExit as exc:  # argparse-level errors
        rc = exc.code
    err = capsys.readouterr().err
    assert rc == 2
    assert msg in err and err.count("\n") == 1 and "Traceback" not in err


@pytest.mark.parametrize("algorithm", ["sbpi", "sa", "replicated"])
def test_solve_finite_json(capsys, algorithm):
    rc, out, _ = _run(capsys, ["solve-finite", "--algorithm", algorithm, "--n", "101", "--alpha",
                               "0.3", "--seed", "3", "--max-sweeps", "500", "--weights", "--json"])
    assert rc == 0
    d = json.loads(out)
    assert {"solved", "iterations", "margin"} <= set(d)
    xi = make_patterns(101, n_patterns(101, 0.3), 3, "pm1")
    assert d["solved"] and verify_solution(xi, np.array(d["w"]))
    assert d["margin"] == pytest.approx(np.min(xi @ np.array(d["w"])) / np.sqrt(101))
