"""The README's Python tour runs as written and prints the numbers it claims: every expression
statement followed by a comment line ``# -> value`` must evaluate to that value to the digits
printed."""
import ast
import re
from pathlib import Path


def _tour():
    text = (Path(__file__).parent.parent / "README.md").read_text()
    return re.search(r"## A tour\n\n```python\n(.*?)```", text, re.S).group(1)


def test_readme_tour_runs():
    block = _tour()
    lines = block.splitlines()
    tree = ast.parse(block)
    claims = {}
    for i, node in enumerate(tree.body):
        if isinstance(node, ast.Expr) and node.end_lineno < len(lines):
            m = re.match(r"\s*#\s*->\s*([-+0-9.eE]+)", lines[node.end_lineno])
            if m:           # keep the value: `_tour_values[i] = <expr>`
                claims[i] = m.group(1).rstrip(".:")
                tree.body[i] = ast.copy_location(ast.Assign(
                    targets=[ast.Subscript(value=ast.Name("_tour_values", ast.Load()),
                                           slice=ast.Constant(i), ctx=ast.Store())],
                    value=node.value), node)
    ast.fix_missing_locations(tree)
    ns = {"_tour_values": {}}
    exec(compile(tree, "README-tour", "exec"), ns)
    assert abs(ns["sol"].entropy - 0.31439) < 1e-5
    assert abs(ns["capacity"]("binary", 0.0) - 0.8330785997) < 1e-9
    assert list(ns["curve"].status) == ["converged"] * 3
    assert claims, "the tour states no '# -> value' result"
    for i, printed in claims.items():
        decimals = len(printed.split(".")[1]) if "." in printed else 0
        got = ns["_tour_values"][i]
        assert abs(got - float(printed)) <= 0.5 * 10.0 ** -decimals, (printed, got)
