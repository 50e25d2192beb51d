"""``replica solve-finite --algorithm {amp,rbp,fbp,bp-sample}`` and ``replica
local-entropy-finite``: JSON shape, verified solutions, agreement with the library, one-line
errors for bad input (exit 2)."""
import json
import math

import numpy as np
import pytest

from replica.cli import main
from replica.finite_n.algorithms import verify_solution
from replica.finite_n.amp import make_teacher_student
from replica.finite_n.enumerate import make_patterns, n_patterns
from replica.finite_n.local_entropy_bp import default_gammas, local_entropy_instances


def _run(capsys, argv):
    rc = main(argv)
    out = capsys.readouterr()
    return rc, out.out, out.err


@pytest.mark.parametrize("alg,extra", [("rbp", ["--step", "0.01"]),
                                       ("rbp", ["--step", "0.01", "--schedule", "geometric"]),
                                       ("fbp", ["--gamma-step", "0.01", "--y", "15"]),
                                       ("rbp", ["--step", "0.01", "--precision", "double"]),
                                       ("amp", [])])
def test_solve_finite_message_passing(capsys, alg, extra):
    n, alpha = 400, (0.05 if alg == "amp" else 0.6)
    rc, out, _ = _run(capsys, ["solve-finite", "--algorithm", alg, "--n", str(n), "--alpha",
                               str(alpha), "--seed", "3", "--weights", "--json"] + extra)
    assert rc == 0
    d = json.loads(out)
    assert {"algorithm", "solved", "iterations", "margin", "errors", "n", "p", "alpha", "seed",
            "params", "patterns", "verified"} <= set(d)
    assert d["solved"] and d["errors"] == 0
    xi = make_patterns(n, n_patterns(n, alpha), 3, "pm1")
    assert verify_solution(xi, np.array(d["w"]))


def test_solve_finite_margin_and_teacher(capsys):
    rc, out, _ = _run(capsys, ["solve-finite", "--algorithm", "fbp", "--n", "400", "--alpha", "0.3",
                               "--kappa", "0.3", "--gamma-step", "0.01", "--patterns", "gaussian",
                               "--weights", "--json"])
    d = json.loads(out)
    assert rc == 0 and d["solved"] and d["margin"] >= 0.3
    xi = make_patterns(400, 120, 0, "gaussian")
    assert verify_solution(xi, np.array(d["w"]), kappa=0.3)
    rc, out, _ = _run(capsys, ["solve-finite", "--algorithm", "rbp", "--n", "600", "--alpha", "1.5",
                               "--teacher", "--step", "0.01", "--patterns", "gaussian", "--json",
                               "--weights"])
    d = json.loads(out)
    xi, wt = make_teacher_student(600, 900, 0, "gaussian")
    assert rc == 0 and d["solved"] and verify_solution(xi, np.array(d["w"]))
    assert d["teacher_overlap"] == pytest.approx(np.dot(d["w"], wt) / 600)
    assert d["teacher_overlap"] > 0.5   # alpha = 1.5 > alpha_IT: the solutions are near the teacher


@pytest.mark.parametrize("argv,msg", [
    (["--algorithm", "fbp", "--n", "100000", "--alpha", "0.7"], "pattern entries"),
    (["--algorithm", "sbpi", "--n", "50", "--alpha", "0.5", "--step", "0.1"], "--step"),
    (["--algorithm", "rbp", "--n", "50", "--alpha", "0.5", "--max-sweeps", "3"], "--max-iter"),
    (["--algorithm", "rbp", "--n", "50", "--alpha", "0.5", "--schedule", "cosine"], "schedule"),
    (["--algorithm", "rbp", "--n", "50", "--alpha", "0.5", "--precision", "half"], "precision"),
    (["--algorithm", "amp", "--n", "50", "--alpha", "0.5", "--precision", "single"], "--precision"),
    (["--algorithm", "bp", "--n", "50", "--alpha", "0.5"], "--algorithm"),
])
def test_solve_finite_bad_input(capsys, argv, msg):
    rc, _, err = _run(capsys, ["solve-finite"] + argv)
    assert rc == 2 and msg in err and "Traceback" not in err
    assert len(err.strip().splitlines()) == 1


def test_local_entropy_finite_json(capsys):
    argv = ["local-entropy-finite", "--n", "300", "--alpha", "0.4", "--reference", "fbp",
            "--instances", "2", "--points", "5", "--seed", "4", "--json"]
    rc, out, err = _run(capsys, argv)
    assert rc == 0
    d = json.loads(out)
    for key in ("d", "entropy", "stderr", "converged"):
        assert len(d[key]) == 5
    assert "instance 1/2" in err          # progress on stderr
    lib = local_entropy_instances(300, 0.4, "fbp", instances=2, seed=4,
                                  gammas=default_gammas(5, 1e-3, 0.3))
    np.testing.assert_allclose(d["entropy"], lib["entropy"], rtol=1e-12)
    assert d["instances_used"] == 2 and sum(d["converged"]) >= 3
    for dd, s, e, ok in zip(d["d"], d["entropy"], d["stderr"], d["converged"]):
        if not ok:
            continue
        h2 = -dd * math.log(dd) - (1 - dd) * math.log1p(-dd)
        assert 0 < s <= h2 + 1e-4 and math.isfinite(e) and e >= 0
    dc = [x for x, ok in zip(d["d"], d["converged"]) if ok]
    assert np.all(np.diff(dc) > 0)


@pytest.mark.parametrize("argv,msg", [
    (["--n", "300", "--alpha", "0.4", "--reference", "magic"], "reference"),
    (["--n", "300", "--alpha", "0.4", "--d-min", "0.3", "--d-max", "0.1"], "--d-min"),
    (["--n", "200000", "--alpha", "0.4"], "pattern entries"),
    (["--n", "300", "--alpha", "0.4", "--reference", "sbpi", "--kappa", "0.2"], "kappa"),
])
def test_local_entropy_finite_bad_input(capsys, argv, msg):
    rc, _, err = _run(capsys, ["local-entropy-finite"] + argv)
    assert rc == 2 and msg in err and len(err.strip().splitlines()) == 1
