"""The source distribution builds and carries what a user needs to check the package: the tests,
the theory notebooks, the docs, the licence, the citation file and the gallery README."""
import subprocess
import sys
import tarfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def test_sdist_contents(tmp_path):
    pytest.importorskip("build")
    # --no-isolation: no download of a fresh build environment; -x: the venv's setuptools is used
    # as it is (wheel is not needed for an sdist).
    r = subprocess.run([sys.executable, "-m", "build", "--sdist", "--no-isolation", "-x",
                        "--outdir", str(tmp_path), str(ROOT)], capture_output=True, text=True,
                       timeout=300)
    assert r.returncode == 0, r.stdout[-2000:] + r.stderr[-2000:]
    (sdist,) = tmp_path.glob("replica-*.tar.gz")
    with tarfile.open(sdist) as tar:
        names = {n.split("/", 1)[1] for n in tar.getnames() if "/" in n}
    for required in ["LICENSE", "CITATION.cff", "CHANGELOG.md", "README.md", "setup.cfg",
                     "docs/THEORY.md", "docs/DEVELOPING.md", "figures/README.md",
                     "replica/__init__.py", "replica/cli.py"]:
        assert required in names, required
    for folder, pattern in [("tests", "*.py"), ("theory_notebooks", "*.py")]:
        expected = {f"{folder}/{p.name}" for p in (ROOT / folder).glob(pattern)}
        assert expected and expected <= names, sorted(expected - names)
    assert not any(n.startswith("figures/data/") for n in names)


def test_licence_matches_metadata():
    text = (ROOT / "LICENSE").read_text()
    assert text.startswith("MIT License")
    assert "license = MIT" in (ROOT / "setup.cfg").read_text()
    version = subprocess.run([sys.executable, "-c", "import replica; print(replica.__version__)"],
                             capture_output=True, text=True, cwd=ROOT).stdout.strip()
    assert f"## [{version}]" in (ROOT / "CHANGELOG.md").read_text()
