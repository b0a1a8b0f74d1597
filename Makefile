# Two commands on a fresh machine: `make lab` (the main job) and `make test` (every test).
PYTHON ?= python3
VENV ?= .venv
BIN = $(VENV)/bin

.PHONY: lab test lock offline-kit screenshots notebooks bench images docs messages clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed-%: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[$*]'
	touch $@

# JupyterLab on the notebooks, opening the first; as root (a container, a workshop VM) JupyterLab needs --allow-root.
LAB_ARGS ?= $(if $(filter 0,$(shell id -u)),--allow-root)

lab: $(VENV)/.installed-lab
	cd notebooks && $(abspath $(BIN))/python -m jupyterlab $(LAB_ARGS) 00_start_here.ipynb

# The browser tests (tests/browser) drive Debian's chromium, never a browser downloaded by playwright; the charts in
# Chinese need a CJK font (Debian's Noto Sans CJK). Each is installed with apt when missing (as root).
CHROMIUM ?= /usr/bin/chromium
CJK_FONT ?= /usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc

define apt_install
	@if [ "$$(id -u)" != 0 ]; then \
		echo "The tests need $(1) ($@). Install it as root:" >&2; \
		echo "    sudo apt-get update && sudo apt-get install -y $(1)" >&2; \
		exit 1; \
	fi
	apt-get update
	DEBIAN_FRONTEND=noninteractive apt-get install -y $(1)
endef

$(CHROMIUM):
	$(call apt_install,chromium)

$(CJK_FONT):
	$(call apt_install,fonts-noto-cjk)

# ruff, mypy (the package's type hints, [tool.mypy] in pyproject.toml), then every test (unit, widget, browser, and the notebooks under strict nbval), then the Binder check and the
# offline kit check (each a fresh environment: from binder/, and from the kit with no index)
test: $(VENV)/.installed-dev | $(CHROMIUM) $(CJK_FONT)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/python -m pytest
	PYTHON=$(PYTHON) bash .ci/binder_check.sh
	PYTHON=$(PYTHON) bash .ci/offline_kit_check.sh

# binder/requirements.lock: every package of the lab and check extras, pinned (Binder and the offline kit use it).
# Keeps the pins that still fit pyproject.toml; `make lock LOCK_ARGS=--upgrade` moves every pin to the newest release.
lock: $(VENV)/.installed-dev
	CUSTOM_COMPILE_COMMAND="make lock" $(BIN)/pip-compile --quiet --extra lab --extra check --strip-extras \
		--allow-unsafe --no-emit-index-url --no-emit-find-links --no-emit-trusted-host $(LOCK_ARGS) \
		--output-file binder/requirements.lock pyproject.toml

# dist/offline-kit/: wheels of the project and of everything the lock pins, for a room without internet (INSTALL.md);
# for the Python of the room's machines (KIT_PYTHON=python3.12), which must be this OS and processor
KIT_PYTHON ?= $(BIN)/python
offline-kit: | $(BIN)/python
	PYTHON=$(KIT_PYTHON) bash offline/build.sh dist/offline-kit

# the pictures of the app in JupyterLab and Voila (README.md, docs/reference.md), taken by the browser tests
screenshots: $(VENV)/.installed-dev | $(CHROMIUM) $(CJK_FONT)
	ESL_SCREENSHOTS=docs/img $(BIN)/python -m pytest -p no:cacheprovider tests/browser

bench: $(VENV)/.installed-dev
	$(BIN)/python bench/bench_core.py
	$(BIN)/python bench/bench_views.py
	$(BIN)/python bench/bench_widgets.py
	$(BIN)/python bench/bench_wire.py

# run the notebooks again and store their outputs (after a change that alters what they print)
notebooks: $(VENV)/.installed-dev
	$(BIN)/python docs/execute_notebooks.py

images: $(VENV)/.installed-dev
	$(BIN)/python docs/make_images.py

# docs/rules.md from the rule table (ecs_snap_lab/rules/checks.toml); tests/test_rule_table.py fails when it is stale
# the translation catalogs: new messages extracted into each .po, translations kept (docs/update_messages.py)
messages: $(VENV)/.installed-dev
	$(BIN)/python docs/update_messages.py

docs: $(VENV)/.installed-dev
	$(BIN)/python docs/make_rules.py

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache .mypy_cache .hypothesis
