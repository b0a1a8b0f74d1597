# Two commands on a fresh machine: `make lab` (the main job) and `make test` (every test).
PYTHON ?= python3
VENV ?= .venv
BIN = $(VENV)/bin

.PHONY: lab test bench images clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed-%: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[$*]'
	touch $@

lab: $(VENV)/.installed-lab
	$(BIN)/ecs-snap-lab tour

test: $(VENV)/.installed-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/python -m pytest

bench: $(VENV)/.installed-dev
	$(BIN)/python bench/bench_core.py
	$(BIN)/python bench/bench_views.py
	$(BIN)/python bench/bench_widgets.py

images: $(VENV)/.installed-dev
	$(BIN)/python docs/make_images.py

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache .hypothesis
