#!/usr/bin/env bash
# The Binder check (run by `make test`): build a fresh environment from binder/ exactly as repo2docker would, then
# run every notebook in it with nbval, strict, with the options `make test` uses (pyproject's addopts).
#
# Faithful: a new virtual environment holding only what binder/requirements.txt brings, installed from the
# repository's root (where repo2docker resolves "-e .[lab]"), then binder/postBuild run with that environment's
# `jupyter` first on PATH, as in the image. Not faithful: repo2docker's image itself (conda, Docker), and the
# Python version: binder/runtime.txt asks for Python 3.12, while this machine's python3 is 3.11 (the package
# supports both: requires-python >= 3.11). PYTHON=python3.12 runs the check on 3.12 where one is installed.
# pytest and nbval are added after the Binder install: they are the test tools, not part of the Binder image.
# pip's cache is reused between runs (nothing here passes --no-cache-dir), so only a first run downloads.
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON=${PYTHON:-python3}
start=$SECONDS
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
venv="$work/venv"

echo "binder check: fresh venv with $("$PYTHON" --version) (binder/runtime.txt: $(cat binder/runtime.txt))"
"$PYTHON" -m venv "$venv"
"$venv/bin/python" -m pip install --quiet -r binder/requirements.txt
echo "binder check: binder/requirements.txt installed ($((SECONDS - start)) s); running binder/postBuild"
PATH="$venv/bin:$PATH" bash binder/postBuild
if ! PATH="$venv/bin:$PATH" jupyter labextension list 2>&1 | grep -q "@jupyterlab/apputils-extension:announcements"; then
    echo "binder check: FAILED: binder/postBuild did not disable JupyterLab's news toast" >&2
    exit 1
fi
"$venv/bin/python" -m pip install --quiet "pytest>=8" "nbval>=0.11"
echo "binder check: running the notebooks with nbval in the Binder environment"
"$venv/bin/python" -m pytest -p no:cacheprovider notebooks
echo "binder check: passed in $((SECONDS - start)) s"
