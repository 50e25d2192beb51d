"""The registry of reference values: every entry (whoever added it) is reproduced by its compute
callable within its tolerance; entries are well-formed; the special-function literals are
re-certified with mpmath; the `replica reference` CLI."""
from __future__ import annotations

import collections
import json
import math
import subprocess
import sys

import pytest

from replica.cli import main
from replica.testing import references as references_module
from replica.testing.references import Reference, all_references, load_references

REFS = all_references()


@pytest.mark.parametrize("name", sorted(REFS))
def test_entry_is_reproduced_by_its_compute_callable(name):
    ref = REFS[name]
    assert ref.compute is not None, f"{name}: no compute callable (CI must recompute every entry)"
    chk = ref.check()
    assert chk.failure is None, f"{name}: compute failed: {chk.failure}"
    assert chk.passed, chk.summary() + f"\n  source: {ref.source}"


@pytest.mark.parametrize("name", sorted(REFS))
def test_entry_is_well_formed(name):
    ref = REFS[name]
    assert isinstance(ref.source, str) and ref.source.strip(), f"{name}: empty source"
    assert math.isfinite(ref.tol) and ref.tol > 0, f"{name}: tol = {ref.tol}"
    assert math.isfinite(ref.value), f"{name}: value = {ref.value}"
    assert ref.model, f"{name}: no model"
    assert isinstance(ref.params, dict)
    json.dumps(ref.as_dict(), allow_nan=False)  # serialisable for `replica reference list --json`


def test_names_are_unique_across_topic_modules():
    counts = collections.Counter(ref.name for _, ref in load_references())
    dups = {n: c for n, c in counts.items() if c > 1}
    assert not dups, f"duplicate reference names: {dups}"
    assert len(counts) == len(REFS)


SPECIAL = sorted(n for n, r in REFS.items() if r.model == "special")


def test_special_function_entries_exist():
    assert {"special.log_H.x=-30", "special.log_H.x=40", "special.G.x=40",
            "special.G.x=1000"} <= set(SPECIAL)


@pytest.mark.parametrize("name", SPECIAL)
def test_special_function_literal_is_recertified_by_mpmath(name, mpmath_reference):
    """The stored decimal is the 50-digit mpmath value rounded to double (no typo)."""
    ref = REFS[name]
    x = ref.params["x"]
    func = {"log_H": mpmath_reference.log_H, "G": mpmath_reference.G}[name.split(".")[1]]
    exact = func(x)
    assert abs(ref.value - float(exact)) <= 2 ** -52 * abs(float(exact)), (name, exact)
    # and the value is far enough in the tail to be a real test of the stable formulas
    assert abs(x) >= 3


# ----------------------------------------------------------------------------------------------
# CLI
# ----------------------------------------------------------------------------------------------


def run_cli(capsys, *argv):
    rc = main(["reference", *argv])
    out, err = capsys.readouterr()
    return rc, out, err


def test_cli_list_json(capsys):
    rc, out, _ = run_cli(capsys, "list", "--json")
    assert rc == 0
    rows = json.loads(out)
    by_name = {r["name"]: r for r in rows}
    assert set(by_name) == set(REFS)
    for r in rows:
        assert {"name", "model", "params", "value", "tol", "source"} <= set(r)
    g40 = by_name["special.G.x=40"]
    assert g40["model"] == "special" and g40["params"] == {"x": 40.0}
    assert g40["value"] == REFS["special.G.x=40"].value and "mpmath" in g40["source"]


def test_cli_list_table_and_model_filter(capsys):
    rc, out, _ = run_cli(capsys, "list", "--model", "special")
    assert rc == 0 and "special.log_H.x=-10" in out
    rc, _, err = run_cli(capsys, "list", "--model", "nonsense")
    assert rc == 2 and err.count("\n") == 1 and "nonsense" in err


def test_cli_show(capsys):
    rc, out, _ = run_cli(capsys, "show", "special.log_H.x=20", "--json")
    assert rc == 0
    row = json.loads(out)
    assert row["name"] == "special.log_H.x=20"
    assert row["topic"] == "replica/testing/refs/special_functions.py"
    assert row["value"] == REFS["special.log_H.x=20"].value
    rc, out, _ = run_cli(capsys, "show", "special.log_H.x=20")
    assert rc == 0 and "source" in out and "special_functions.py" in out


def test_cli_show_unknown_name_exits_2_with_one_line(capsys):
    rc, out, err = run_cli(capsys, "show", "no.such.reference")
    assert rc == 2 and out == ""
    assert err.count("\n") == 1 and err.startswith("replica: error:")
    assert "no.such.reference" in err


def test_cli_check(capsys):
    rc, out, err = run_cli(capsys, "check", "special.G.x=-10", "special.log_H.x=1000", "--json")
    assert rc == 0
    rows = json.loads(out)
    assert [r["status"] for r in rows] == ["ok", "ok"]
    assert all(r["digits"] >= r["required_digits"] for r in rows)
    rc, _, err = run_cli(capsys, "check", "bogus")
    assert rc == 2 and err.count("\n") == 1


def test_cli_check_reports_failures_with_exit_1(capsys, monkeypatch):
    good = Reference("t.good", 1.0, 1e-9, "test", model="t", compute=lambda: 1.0)
    wrong = Reference("t.wrong", 1.0, 1e-9, "test", model="t", compute=lambda: 1.001)
    broken = Reference("t.broken", 1.0, 1e-9, "test", model="t",
                       compute=lambda: math.log(-1.0))
    table, topics = references_module._build([("t", good), ("t", wrong), ("t", broken)])
    monkeypatch.setattr(references_module, "_CACHE", table)
    monkeypatch.setattr(references_module, "_TOPIC", topics)
    rc, out, err = run_cli(capsys, "check", "--json")
    assert rc == 1
    status = {r["name"]: r for r in json.loads(out)}
    assert status["t.good"]["status"] == "ok"
    assert status["t.wrong"]["status"] == "FAIL" and status["t.wrong"]["digits"] == 3.0
    assert status["t.broken"]["status"] == "error"
    assert "math domain error" in status["t.broken"]["failure"]
    rc, out, err = run_cli(capsys, "check", "t.wrong")
    assert rc == 1 and "FAIL" in err and "matching digits 3.0" in err


def test_cli_entry_point_subprocess():
    proc = subprocess.run([sys.executable, "-m", "replica", "reference", "show", "nope"],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 2 and proc.stderr.count("\n") == 1 and "Traceback" not in proc.stderr
    proc = subprocess.run([sys.executable, "-m", "replica", "reference", "list", "--json"],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0
    assert "special.G.x=1000" in {r["name"] for r in json.loads(proc.stdout)}
