"""``replica teacher-student`` and ``replica threshold spinodal|it --model
teacher-student-binary``: JSON keys, consistency with the library, the equilibrium branch across
alpha_IT, exit codes for bad input and for no solution."""
import json
import math

import pytest

from replica import models
from replica.cli import main


def _run(capsys, argv):
    rc = main(argv)
    out = capsys.readouterr()
    return rc, out.out, out.err


@pytest.mark.parametrize("weights,alpha", [("binary", 1.0), ("spherical", 3.0)])
def test_teacher_student_json(capsys, weights, alpha):
    rc, out, _ = _run(capsys, ["teacher-student", "--weights", weights, "--alpha", str(alpha),
                               "--json"])
    assert rc == 0
    d = json.loads(out)
    assert {"r", "q", "entropy", "eps_g", "branch", "status"} <= set(d)
    sol = models.get(f"teacher-student-{weights}").saddle({"alpha": alpha})
    assert d["r"] == pytest.approx(sol.order["r"], abs=1e-14)
    assert d["eps_g"] == pytest.approx(math.acos(d["r"]) / math.pi, abs=1e-12)
    assert d["branch"] == "student" and d["status"] == "converged"


def test_equilibrium_branch_across_the_transition(capsys):
    # 1.3 is between alpha_IT = 1.2447 and alpha_AMP = 1.4926: teacher dominates, student
    # branch metastable with negative free entropy; 1.6: beyond the spinodal
    rc, out, _ = _run(capsys, ["teacher-student", "--weights", "binary", "--alpha", "1.3",
                               "--json"])
    d = json.loads(out)
    assert rc == 0 and d["branch"] == "teacher" and d["eps_g"] == 0 and d["entropy"] == 0
    assert d["metastable"]["entropy"] < 0 < d["metastable"]["eps_g"]
    rc, out, _ = _run(capsys, ["teacher-student", "--weights", "binary", "--alpha", "1.6",
                               "--json"])
    d = json.loads(out)
    assert rc == 0 and d["branch"] == "teacher" and "metastable" not in d
    rc, _, err = _run(capsys, ["teacher-student", "--weights", "binary", "--alpha", "1.6",
                               "--branch", "student", "--json"])
    assert rc == 3 and "spinodal" in err


def test_bad_input_exit_2(capsys):
    rc, _, err = _run(capsys, ["teacher-student", "--weights", "binary", "--alpha", "-0.5"])
    assert rc == 2 and "alpha" in err
    rc, _, err = _run(capsys, ["teacher-student", "--weights", "spherical", "--alpha", "1",
                               "--branch", "teacher"])
    assert rc == 2 and "teacher" in err
    rc, _, err = _run(capsys, ["threshold", "it", "--model", "binary"])
    assert rc == 2


def test_threshold_spinodal_and_it(capsys):
    rc, out, _ = _run(capsys, ["threshold", "spinodal", "--model", "teacher-student-binary",
                               "--json"])
    assert rc == 0
    a_amp = json.loads(out)["alpha"]
    rc, out, _ = _run(capsys, ["threshold", "it", "--model", "teacher-student-binary", "--json"])
    assert rc == 0
    a_it = json.loads(out)["alpha"]
    assert round(a_it, 3) == 1.245 and abs(a_amp - 1.492) < 1e-3 and a_it < a_amp
