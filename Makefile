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
# The Docker Compose deployment (docs/deploy.md); secrets in deploy/.env (from deploy/.env.example).
COMPOSE := docker compose -f deploy/compose.yaml --env-file deploy/.env
LOGS_TAIL ?= 200

.PHONY: run install install-dev test lint format bench health clean docker-env docker-up docker-stop docker-restart logs

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
	$(BIN)/lint-imports

format: $(DEV_STAMP)
	$(BIN)/ruff format src tests bench
	$(BIN)/ruff check --fix src tests bench

bench: $(DEV_STAMP)
	$(BIN)/python bench/http_load.py

## health: readiness of the running service (AGENTE_URL), pretty-printed
health: $(RUN_STAMP)
	$(BIN)/agente health --url $(AGENTE_URL)/health/ready

docker-env:
	@test -f deploy/.env || { echo "deploy/.env is missing: cp deploy/.env.example deploy/.env and replace its placeholders" >&2; exit 1; }

## docker-up: build the image and start every service (migrations run first, once)
docker-up: docker-env
	$(COMPOSE) up -d --build

## docker-stop: stop every service (containers and data are kept; docker-up starts them again)
docker-stop: docker-env
	$(COMPOSE) stop

## docker-restart: restart every service, each with its graceful stop
docker-restart: docker-env
	$(COMPOSE) restart

## logs: follow the API's logs (agente-api-prod), starting LOGS_TAIL lines back
logs: docker-env
	$(COMPOSE) logs -f --tail=$(LOGS_TAIL) agente-api-prod

## runbook-check: run docs/runbook.md's commands against a local stack of plain processes
.PHONY: runbook-check
runbook-check: $(RUN_STAMP)
	$(BIN)/python deploy/runbook-check

clean:
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache
