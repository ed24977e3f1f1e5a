# feedbridge: `make run` sets up and runs the demo; `make test` sets up and runs the whole suite.
PYTHON ?= python3
VENV ?= .venv
BIN = $(VENV)/bin

.PHONY: run test setup lint bench

$(BIN)/feedbridge: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev,postgres,redis]'
	touch $(BIN)/feedbridge

setup: $(BIN)/feedbridge

run: setup
	$(BIN)/feedbridge demo

test: setup
	VENV=$(VENV) bash scripts/test.sh

lint: setup
	$(BIN)/ruff check src tests bench
	$(BIN)/mypy

bench: setup
	$(BIN)/python -m bench
