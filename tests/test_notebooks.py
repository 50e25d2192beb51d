"""The theory notebooks (jupytext percent scripts) execute without error, headless."""
import os
import subprocess
import sys
from pathlib import Path

import pytest

NOTEBOOKS = sorted((Path(__file__).parent.parent / "theory_notebooks").glob("*.py"))


def test_there_are_notebooks():
    assert len(NOTEBOOKS) >= 1


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_executes(path, tmp_path):
    env = dict(os.environ, MPLBACKEND="agg")
    r = subprocess.run([sys.executable, str(path)], cwd=tmp_path, env=env, capture_output=True,
                       text=True, timeout=900)
    assert r.returncode == 0, f"{path.name} failed:\n{r.stdout[-3000:]}\n{r.stderr[-3000:]}"


def test_notebook_is_valid_jupytext():
    jupytext = pytest.importorskip("jupytext")
    for path in NOTEBOOKS:
        nb = jupytext.read(path)
        kinds = {c.cell_type for c in nb.cells}
        assert {"markdown", "code"} <= kinds, path.name
