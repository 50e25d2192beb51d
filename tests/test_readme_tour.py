"""The README's Python tour runs as written and prints the numbers it claims."""
import re
from pathlib import Path


def test_readme_tour_runs():
    text = (Path(__file__).parent.parent / "README.md").read_text()
    block = re.search(r"## A tour\n\n```python\n(.*?)```", text, re.S).group(1)
    ns = {}
    exec(compile(block, "README-tour", "exec"), ns)
    assert abs(ns["sol"].entropy - 0.31439) < 1e-5
    assert abs(ns["capacity"]("binary", 0.0) - 0.8330785997) < 1e-9
    assert list(ns["curve"].status) == ["converged"] * 3
