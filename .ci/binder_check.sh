#!/usr/bin/env bash
# The Binder check (run by `make test`): build a fresh environment from binder/ exactly as repo2docker would, then
# run every notebook in it with nbval, strict, with the options `make test` uses (pyproject's addopts).
#
# Faithful: a new virtual environment holding only what binder/requirements.txt brings (the project with its lab
# extra, every package pinned by binder/requirements.lock), installed from the repository's root (where repo2docker
# resolves "-e .[lab]"), on the Python binder/runtime.txt names (python3.11 where it is on PATH, else $PYTHON with a
# note), then binder/postBuild run with that environment's `jupyter` first on PATH, as in the image. Not faithful:
# repo2docker's image itself (conda, Docker). The lock is resolved for Python 3.11 (`make lock` runs on it), hence
# runtime.txt's python-3.11: Binder, the lock and this check use one Python, so no pin differs by an environment marker.
# pytest and nbval (the package's check extra, pinned by the lock too) are added after the Binder install: they are
# the test tools, not part of the Binder image. Then every installed package must be the version the lock pins.
# binder/apt.txt's Debian packages cannot be installed into a venv: the check requires them on this machine (`make
# test` installs fonts-noto-cjk), so the notebooks run with what Binder's image has.
# pip's cache is reused between runs (nothing here passes --no-cache-dir), so only a first run downloads.
set -euo pipefail
cd "$(dirname "$0")/.."
runtime=$(sed -n 's/^python-\([0-9.]*\).*/python\1/p' binder/runtime.txt)
PYTHON=${PYTHON:-python3}
if command -v "$runtime" >/dev/null && "$runtime" -c "" 2>/dev/null; then
    PYTHON=$runtime
fi
start=$SECONDS
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
venv="$work/venv"

for package in $(grep -v '^#' binder/apt.txt); do
    if ! dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed"; then
        echo "binder check: FAILED: binder/apt.txt's $package is not installed here (apt-get install -y $package)" >&2
        exit 1
    fi
done
echo "binder check: fresh venv with $("$PYTHON" --version) (binder/runtime.txt: $(cat binder/runtime.txt))"
"$PYTHON" -m venv "$venv"
"$venv/bin/python" -m pip install --quiet -r binder/requirements.txt
echo "binder check: binder/requirements.txt installed ($((SECONDS - start)) s); running binder/postBuild"
PATH="$venv/bin:$PATH" bash binder/postBuild
if ! PATH="$venv/bin:$PATH" jupyter labextension list 2>&1 | grep -q "@jupyterlab/apputils-extension:announcements"; then
    echo "binder check: FAILED: binder/postBuild did not disable JupyterLab's news toast" >&2
    exit 1
fi
"$venv/bin/python" -m pip install --quiet -c binder/requirements.lock "ecs-snap-lab[check]"
"$venv/bin/python" .ci/lock_check.py binder/requirements.lock
notebooks=(notebooks)
if compgen -G "instructor/*.ipynb" >/dev/null; then
    notebooks+=(instructor)
fi
echo "binder check: running ${notebooks[*]} with nbval in the Binder environment"
"$venv/bin/python" -m pytest -p no:cacheprovider "${notebooks[@]}"
echo "binder check: passed in $((SECONDS - start)) s"
