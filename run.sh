#!/usr/bin/env bash
# Set-up-and-run script behind the README's two commands. Idempotent: the virtual environment in
# .venv is created and the package installed only when missing or when setup.cfg changed.
#   bash run.sh figures [replica figures options]   -> reproduce every figure (the main job)
#   bash run.sh test [pytest options]               -> run the whole test suite
#   bash run.sh docs                                -> build the documentation site into site/
set -euo pipefail
cd "$(dirname "$0")"
VENV=.venv
STAMP="$VENV/.installed-$(cksum setup.cfg pyproject.toml | cksum | cut -d' ' -f1)"
if [ ! -f "$STAMP" ]; then
  python3 -m venv "$VENV"
  "$VENV/bin/python" -m pip install -q --upgrade pip
  "$VENV/bin/python" -m pip install -q -e ".[test,data,docs]"
  rm -f "$VENV"/.installed-*
  touch "$STAMP"
fi
export MPLBACKEND=agg
cmd="${1:-}"; shift || true
case "$cmd" in
  figures) exec "$VENV/bin/replica" figures "$@" ;;
  test)    exec "$VENV/bin/python" -m pytest -q -n 2 "$@" ;;
  docs)    exec "$VENV/bin/python" docs/build_site.py "$@" ;;
  *) echo "usage: bash run.sh {figures|test|docs} [options]" >&2; exit 2 ;;
esac
