"""The documentation site builds in strict mode (warnings fail), with every public name of
``replica.__all__`` on the API page, the gallery, the theory notebooks and the conventions."""
import importlib.util
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def _build_site_module():
    spec = importlib.util.spec_from_file_location("build_site", ROOT / "docs" / "build_site.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


@pytest.mark.slow
def test_site_builds_strict(tmp_path):
    pytest.importorskip("mkdocs")
    pytest.importorskip("mkdocstrings")
    site = tmp_path / "site"
    # notebooks rendered without execution here (tests/test_notebooks.py executes them)
    r = subprocess.run([sys.executable, str(ROOT / "docs" / "build_site.py"), "--no-execute",
                        "--site-dir", str(site)], capture_output=True, text=True, timeout=600)
    assert r.returncode == 0, r.stdout[-3000:] + r.stderr[-3000:]
    import replica

    api = (site / "api.html").read_text()
    for group, names in replica.API:
        for name, target in names.items():
            module, _, attr = target.partition(":")
            anchor = f"{module}.{attr}" if attr else module
            assert f'id="{anchor}"' in api, anchor
    assert set(replica.__all__) <= {n for _, g in replica.API for n in g}
    gallery = (site / "gallery" / "index.html").read_text()
    pngs = sorted(p.name for p in (ROOT / "figures").glob("*.png"))
    assert pngs and all((site / "gallery" / p).is_file() and p in gallery for p in pngs)
    for nb in (ROOT / "theory_notebooks").glob("*.py"):
        assert (site / "notebooks" / f"{nb.stem}.html").is_file(), nb.stem
    conv = (site / "conventions.html").read_text()
    assert "d = (1 - p)/2" in conv and "Natural logarithms" in conv
    cli = (site / "cli.html").read_text()
    assert "replica export" in cli and "replica show" in cli


def test_notebook_page_carries_outputs(tmp_path, monkeypatch):
    """The converter executes a notebook and keeps its printed output and figures."""
    pytest.importorskip("nbclient")
    pytest.importorskip("jupytext")
    mod = _build_site_module()
    monkeypatch.setattr(mod, "STAGE", tmp_path / "stage")
    src = tmp_path / "tiny.py"
    src.write_text("# %% [markdown]\n# # A tiny notebook\n# Text with docs/THEORY.md §1.\n\n"
                   "# %%\nprint(6 * 7)\n\n"
                   "# %%\nimport matplotlib.pyplot as plt\nplt.plot([0, 1], [1, 0])\nplt.show()\n")
    page = mod.notebook_markdown(src, tmp_path / "out", execute=True, timeout=120)
    text = page.read_text()
    assert text.startswith("# A tiny notebook")
    assert re.search(r"```text\n42\n```", text)
    (img,) = (tmp_path / "out" / "img").glob("tiny_*.png")
    assert img.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and f"img/{img.name}" in text
    assert "[docs/THEORY.md](../THEORY.md)" in text


def test_getting_started_code_runs_as_written():
    text = (ROOT / "docs" / "index.md").read_text()
    block = re.search(r"## First computations\n\n```python\n(.*?)```", text, re.S).group(1)
    ns = {}
    exec(compile(block, "getting-started", "exec"), ns)
    assert abs(ns["sol"].entropy - 0.31439) < 1e-5 and abs(ns["sol"].q - 0.32238) < 1e-5
    curve = ns["curve"]
    assert len(curve) == 10 and curve.parameter == "alpha"
    assert abs(curve.entropy[0] - ns["replica"].gardner("spherical", 0.1, 0.0).entropy) < 1e-12
    assert list(ns["le"].status) == ["converged"] * 3
