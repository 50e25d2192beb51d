"""Checks that keep the house in order: the static check (ruff with pyflakes' rules) has no
findings, and imports point one way (kernels <- solver <- models <- continuation / thresholds /
scans <- figures / CLI)."""
import ast
import pathlib
import shutil
import subprocess
import sys

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[1]
PKG = ROOT / "replica"


def _ruff():
    exe = pathlib.Path(sys.executable).with_name("ruff")
    return str(exe) if exe.exists() else shutil.which("ruff")


def test_static_check_has_no_findings():
    ruff = _ruff()
    if ruff is None:
        pytest.fail("ruff is not installed (it is in the test extra: pip install -e '.[test]')")
    out = subprocess.run([ruff, "check", "--output-format", "concise", "replica", "tests",
                          "benchmarks", "theory_notebooks"], cwd=ROOT, capture_output=True,
                         text=True)
    assert out.returncode == 0, out.stdout + out.stderr


def _imports(path: pathlib.Path) -> set[str]:
    """Every module a file imports (top level or inside functions), as dotted names."""
    tree = ast.parse(path.read_text())
    rel = path.relative_to(ROOT).with_suffix("")
    pkg = list(rel.parts[:-1]) if rel.name != "__init__" else list(rel.parts[:-1])
    out = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            out.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = pkg[:len(pkg) - node.level + 1]
                mod = ".".join(base + ([node.module] if node.module else []))
            else:
                mod = node.module or ""
            out.add(mod)
            out.update(f"{mod}.{a.name}" for a in node.names)
    return out


def _files(sub):
    return sorted((PKG / sub).rglob("*.py")) if (PKG / sub).is_dir() else [PKG / f"{sub}.py"]


def _hits(files, forbidden):
    bad = []
    for f in files:
        for mod in _imports(f):
            if any(mod == x or mod.startswith(x + ".") for x in forbidden):
                bad.append(f"{f.relative_to(ROOT)} imports {mod}")
    return bad


def test_import_layers():
    bad = []
    # the gallery draws; it never calls the CLI
    bad += _hits(_files("gallery"), ["replica.commands", "replica.cli"])
    # a model never imports scans, thresholds, the gallery or the CLI
    bad += _hits(_files("models"), ["replica.scan", "replica.executors", "replica.thresholds",
                                    "replica.gallery", "replica.commands", "replica.cli",
                                    "replica.phase_diagram", "replica.store"])
    # finite-N ground truth never uses the theory models
    bad += _hits(_files("finite_n"), ["replica.models", "replica.thresholds",
                                      "replica.continuation"])
    # the engine, the solver and the kernels know only the protocol, never a particular model
    for core in ("continuation", "solve", "gauss", "errors", "executors", "store"):
        bad += _hits(_files(core), ["replica.models.gardner", "replica.models.franz_parisi",
                                    "replica.models.gmm", "replica.gallery", "replica.commands",
                                    "replica.thresholds", "replica.scan"])
    bad += _hits(_files("solve") + _files("gauss"), ["replica.models", "replica.continuation"])
    assert not bad, "\n".join(bad)


def test_layer_check_sees_an_offending_import(tmp_path):
    """The checker itself: a function-level import is found."""
    f = PKG / "models" / "_layer_probe_tmp.py"
    f.write_text("def f():\n    from ..gallery import gardner\n")
    try:
        assert _hits([f], ["replica.gallery"])
    finally:
        f.unlink()
