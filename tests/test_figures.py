"""`replica figures --quick` builds every figure of the gallery into a temporary directory; the
gallery page lists exactly the figures produced; a rerun reuses the cached data."""
import json
import re

from replica.cli import main
from replica.gallery import all_figures


def test_figures_quick_build_and_gallery(tmp_path, capsys, monkeypatch):
    out = tmp_path / "figs"
    report = tmp_path / "layout.jsonl"              # legends over data, legend text size
    monkeypatch.setenv("REPLICA_LAYOUT_REPORT", str(report))
    rc = main(["figures", "--quick", "--out", str(out), "--json", "--quiet"])
    summary = json.loads(capsys.readouterr().out)
    failed = [r for r in summary["figures"] if r["status"] != "ok"]
    assert rc == 0 and not failed, failed
    from test_figure_layout import layout_problems
    lines = [json.loads(s) for s in report.read_text().splitlines()]
    assert {f.name for f in all_figures()} <= {r["name"] for r in lines}
    assert not layout_problems(lines), layout_problems(lines)
    declared = {f.name for f in all_figures()}
    produced = {p.stem for p in out.glob("*.png")}
    assert produced == declared
    for name in declared:
        for ext in ("png", "pdf"):
            path = out / f"{name}.{ext}"
            assert path.exists() and path.stat().st_size > 1000, path
    gallery = (out / "README.md").read_text()
    listed = set(re.findall(r"!\[([\w\-]+)\]\(\1\.png\)", gallery))
    assert listed == produced
    # the committed gallery lists the same figures
    from pathlib import Path
    committed = Path(__file__).parent.parent / "figures" / "README.md"
    if committed.exists():
        assert set(re.findall(r"^## ([\w\-]+)$", committed.read_text(), re.M)) == declared

    # second run: everything reused from the cache
    rc = main(["figures", "--quick", "--out", str(out), "--json", "--quiet"])
    again = json.loads(capsys.readouterr().out)
    assert rc == 0
    assert all(r["data"] != "computed" for r in again["figures"]), again


def test_unknown_figure_is_an_error(tmp_path, capsys):
    rc = main(["figures", "--only", "no_such_figure", "--out", str(tmp_path)])
    assert rc == 2
    assert "unknown figure" in capsys.readouterr().err
