# Two commands for a newcomer: `make run` (the product, embedded default) and `make test`.
# Both create .venv and install the pinned dependencies themselves.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PIP := $(BIN)/pip --disable-pip-version-check -q
RUN_STAMP := $(VENV)/.run-installed
DEV_STAMP := $(VENV)/.dev-installed
AGENTE_URL ?= http://127.0.0.1:8002

.PHONY: run install install-dev test lint format bench health clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(PIP) install --upgrade pip==25.3

$(RUN_STAMP): $(BIN)/python pyproject.toml requirements.lock
	$(PIP) install -c requirements.lock -e .
	@touch $@

$(DEV_STAMP): $(RUN_STAMP) pyproject.toml requirements.lock
	$(PIP) install -c requirements.lock -e ".[dev]"
	@touch $@

install: $(RUN_STAMP)
install-dev: $(DEV_STAMP)

## run: migrate the embedded database and serve the API on :8002 (no configuration needed)
run: $(RUN_STAMP)
	$(BIN)/agente db upgrade
	exec $(BIN)/agente serve

## test: the whole suite (needs PostgreSQL and Redis on 127.0.0.1; see .ci/run)
test: $(DEV_STAMP)
	$(BIN)/pytest $(PYTEST_ARGS)

lint: $(DEV_STAMP)
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench
	$(BIN)/mypy

format: $(DEV_STAMP)
	$(BIN)/ruff format src tests bench
	$(BIN)/ruff check --fix src tests bench

bench: $(DEV_STAMP)
	$(BIN)/python bench/http_load.py

## health: readiness of the running service (AGENTE_URL), pretty-printed
health: $(RUN_STAMP)
	$(BIN)/agente health --url $(AGENTE_URL)/health/ready

clean:
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache
