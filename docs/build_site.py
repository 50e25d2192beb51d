"""Build the documentation site: stage the pages, then ``mkdocs build --strict``.

    python docs/build_site.py                 # executes the theory notebooks (a few minutes)
    python docs/build_site.py --no-execute    # notebooks rendered without outputs (fast)

The pages come from files the repository already has, so nothing is written twice:
``docs/index.md`` (getting started), the conventions (section 0 of ``docs/THEORY.md``),
``docs/THEORY.md``, the command line (every subcommand's ``--help``), the API reference
(generated from ``replica.API``, the table behind ``replica.__all__``), the gallery
(``figures/README.md`` and its images), the theory notebooks (jupytext scripts executed by
nbclient, converted to Markdown with their outputs), ``docs/DEVELOPING.md`` and the changelog.
They are staged into ``build/site_src/`` (with a generated MkDocs configuration) and built into
``site/``. Warnings fail the build.
"""
from __future__ import annotations

import argparse
import base64
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
STAGE = ROOT / "build" / "site_src"

#: links written for the repository (GitHub) view -> the staged page
LINKS = {"../figures/README.md": "gallery/index.md", "../README.md": "index.md",
         "../CHANGELOG.md": "CHANGELOG.md"}

MATHJAX = """window.MathJax = {
  tex: {inlineMath: [["\\\\(", "\\\\)"]], displayMath: [["\\\\[", "\\\\]"]],
        processEscapes: true, processEnvironments: true},
  options: {ignoreHtmlClass: ".*|", processHtmlClass: "arithmatex"}
};
"""


def _relink(text: str) -> str:
    for old, new in LINKS.items():
        text = text.replace(f"]({old}", f"]({new}")
    return text


def _conventions(theory: str) -> str:
    m = re.search(r"^## 0\. Conventions\n(.*?)(?=^## 1\.)", theory, re.S | re.M)
    if not m:
        raise SystemExit("docs/THEORY.md has no section '## 0. Conventions'")
    return ("# Conventions\n\nThe conventions used everywhere in replica (section 0 of the "
            "[theory notes](THEORY.md#0-conventions)).\n\n" + m.group(1))


def _cli_page() -> str:
    sys.path.insert(0, str(ROOT))
    from replica.cli import build_parser

    parser = build_parser()
    sub = next(a for a in parser._actions if a.__class__.__name__ == "_SubParsersAction")
    out = ["# Command line\n\nThe `replica` command; `replica COMMAND --help` prints the same. "
           "Exit status 0 on success, 2 for bad input (a one-line message naming the "
           "parameter), 3 when a solver does not converge.\n\n```text\n",
           parser.format_help(), "```\n"]
    for name, p in sorted(sub.choices.items()):
        out += [f"\n## replica {name}\n\n```text\n", p.format_help(), "```\n"]
    return "".join(out)


def _api_page() -> str:
    sys.path.insert(0, str(ROOT))
    import replica

    out = ["# API reference\n\nGenerated from the docstrings. The public API is listed in one "
           "place, `replica.API` (its undotted names are `replica.__all__` and resolve as "
           "`replica.NAME`); submodules are documented with their own `__all__`.\n"]
    for title, group in replica.API:
        out.append(f"\n## {title}\n")
        for name, target in group.items():
            module, _, attr = target.partition(":")
            path = f"{module}.{attr}" if attr else module
            opts = "" if attr else "\n    options:\n      show_submodules: false\n      heading_level: 3"
            out.append(f"\n::: {path}{opts}\n")
    return "".join(out)


def _gallery(dest: Path) -> None:
    dest.mkdir(parents=True, exist_ok=True)
    figs = ROOT / "figures"
    text = (figs / "README.md").read_text()
    for f in figs.iterdir():
        if f.suffix in (".png", ".pdf"):
            shutil.copy2(f, dest / f.name)
    text = text.replace("](../docs/THEORY.md", "](../THEORY.md")
    (dest / "index.md").write_text(text)


def _cell_outputs(cell, images: Path, stem: str, counter: list) -> list[str]:
    out = []
    for o in cell.get("outputs", []):
        kind = o.get("output_type")
        if kind == "stream":
            out.append("```text\n" + "".join(o["text"]).rstrip() + "\n```\n")
        elif kind in ("execute_result", "display_data"):
            data = o.get("data", {})
            if "image/png" in data:
                counter[0] += 1
                name = f"{stem}_{counter[0]}.png"
                (images / name).write_bytes(base64.b64decode(data["image/png"]))
                out.append(f"![output](img/{name})\n")
            elif "text/plain" in data:
                out.append("```text\n" + "".join(data["text/plain"]).rstrip() + "\n```\n")
        elif kind == "error":
            raise SystemExit(f"notebook {stem}: {o.get('ename')}: {o.get('evalue')}")
    return out


def notebook_markdown(path: Path, dest: Path, *, execute: bool, timeout: int = 600) -> Path:
    """Convert one jupytext percent script to a Markdown page (executed if ``execute``)."""
    import jupytext

    nb = jupytext.read(path)
    if execute:
        from nbclient import NotebookClient

        workdir = STAGE.parent / "notebook_runs" / path.stem
        workdir.mkdir(parents=True, exist_ok=True)
        env_path = os.environ.get("PYTHONPATH", "")
        os.environ["PYTHONPATH"] = os.pathsep.join(p for p in (str(ROOT), env_path) if p)
        saved = os.environ.get("MPLBACKEND")
        os.environ["MPLBACKEND"] = "module://matplotlib_inline.backend_inline"  # figures inline
        try:
            NotebookClient(nb, timeout=timeout, kernel_name="python3",
                           resources={"metadata": {"path": str(workdir)}}).execute()
        finally:
            if saved is None:
                os.environ.pop("MPLBACKEND", None)
            else:
                os.environ["MPLBACKEND"] = saved
    images = dest / "img"
    images.mkdir(parents=True, exist_ok=True)
    parts, counter = [], [0]
    for cell in nb.cells:
        src = cell.source if isinstance(cell.source, str) else "".join(cell.source)
        if cell.cell_type == "markdown":
            parts.append(src.strip() + "\n")
        elif cell.cell_type == "code" and src.strip():
            parts.append("```python\n" + src.rstrip() + "\n```\n")
            parts += _cell_outputs(cell, images, path.stem, counter)
    note = ("" if execute else "\n!!! note\n    Rendered without executing the notebook "
            "(`--no-execute`): outputs are not shown.\n")
    text = "\n".join(parts)
    first, _, rest = text.partition("\n")
    text = first + "\n" + note + rest
    text = text.replace("docs/THEORY.md", "[docs/THEORY.md](../THEORY.md)")
    page = dest / f"{path.stem}.md"
    page.write_text(text + f"\n\n*Source: `theory_notebooks/{path.name}` — run it with "
                           f"`python theory_notebooks/{path.name}`.*\n")
    return page


def stage(*, execute: bool) -> dict:
    """Write every page into build/site_src and return the MkDocs configuration to use."""
    import yaml

    if STAGE.exists():
        shutil.rmtree(STAGE)
    STAGE.mkdir(parents=True)
    theory = (ROOT / "docs" / "THEORY.md").read_text()
    (STAGE / "index.md").write_text(_relink((ROOT / "docs" / "index.md").read_text()))
    (STAGE / "THEORY.md").write_text(theory)
    (STAGE / "conventions.md").write_text(_conventions(theory))
    (STAGE / "DEVELOPING.md").write_text(_relink((ROOT / "docs" / "DEVELOPING.md").read_text()))
    (STAGE / "CHANGELOG.md").write_text((ROOT / "CHANGELOG.md").read_text())
    (STAGE / "cli.md").write_text(_cli_page())
    (STAGE / "api.md").write_text(_api_page())
    (STAGE / "javascripts").mkdir()
    (STAGE / "javascripts" / "mathjax.js").write_text(MATHJAX)
    _gallery(STAGE / "gallery")
    nb_dir = STAGE / "notebooks"
    nb_dir.mkdir()
    nav_nb = []
    for path in sorted((ROOT / "theory_notebooks").glob("*.py")):
        page = notebook_markdown(path, nb_dir, execute=execute)
        title = page.read_text().split("\n", 1)[0].lstrip("# ").strip() or path.stem
        nav_nb.append({title: f"notebooks/{page.name}"})
    config = yaml.safe_load((ROOT / "mkdocs.yml").read_text())
    config["docs_dir"] = str(STAGE)
    config["site_dir"] = str(ROOT / "site")
    config["plugins"][1]["mkdocstrings"]["handlers"]["python"]["paths"] = [str(ROOT)]
    config["nav"] = [{k: (nav_nb if v == "notebooks" else v)} for item in config["nav"]
                     for k, v in item.items()]
    return config


def build(*, execute: bool = True, site_dir: Path | None = None) -> Path:
    import yaml

    config = stage(execute=execute)
    if site_dir is not None:
        config["site_dir"] = str(site_dir)
    cfg = STAGE.parent / "mkdocs.generated.yml"
    cfg.write_text(yaml.safe_dump(config, sort_keys=False, allow_unicode=True))
    env = dict(os.environ, NO_MKDOCS_2_WARNING="1")
    r = subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "--quiet",
                        "-f", str(cfg)], cwd=ROOT, env=env)
    if r.returncode != 0:
        raise SystemExit(f"mkdocs build failed (exit {r.returncode})")
    return Path(config["site_dir"])


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description="Build the documentation site into site/.")
    ap.add_argument("--no-execute", action="store_true",
                    help="render the theory notebooks without executing them (default: execute)")
    ap.add_argument("--site-dir", type=Path, help="output directory (default: site/)")
    args = ap.parse_args(argv)
    out = build(execute=not args.no_execute, site_dir=args.site_dir)
    print(f"documentation site built in {out} (open {out / 'index.html'})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
