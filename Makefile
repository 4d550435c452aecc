# Two commands: `make run` serves the app with demo data; `make test` runs every test.
# `make test-fast` runs every test but the browser and fuzz ones, for local work.
PYTHON ?= python3
SHELL := /bin/bash
VENV := .venv
BIN := $(VENV)/bin
export FLASK_APP := server

.PHONY: run test test-fast bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: requirements.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.dev-installed: requirements.txt requirements-dev.txt $(VENV)/.installed
	$(BIN)/pip install --quiet -r requirements-dev.txt
	@# Browser tests use the system Chromium when there is one, else Playwright's own.
	@command -v chromium >/dev/null || command -v chromium-browser >/dev/null || $(BIN)/playwright install chromium
	touch $@

run: $(VENV)/.installed
	mkdir -p var
	$(BIN)/flask db upgrade
	$(BIN)/flask seed-demo --if-empty
	@# The alert worker runs beside gunicorn; Ctrl-C (or either one ending) stops both.
	@trap 'kill $$(jobs -p) 2>/dev/null; wait' INT TERM EXIT; \
	$(BIN)/flask alerts-worker & \
	WEB_CONCURRENCY=1 HOST=127.0.0.1 PORT=8000 $(BIN)/gunicorn --config server/gunicorn_conf.py "server:create_app()" & \
	wait -n

test: $(VENV)/.dev-installed
	$(BIN)/python -m pytest $(PYTEST_ARGS)

test-fast: $(VENV)/.dev-installed
	$(BIN)/python -m pytest -m "not e2e and not fuzz" $(PYTEST_ARGS)

bench: $(VENV)/.dev-installed
	@command -v wrk >/dev/null || (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk)
	$(BIN)/python -m bench

clean:
	rm -rf $(VENV) var .pytest_cache
