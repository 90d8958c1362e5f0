# Village: `make run` serves the embedded default; `make test` runs lint and the whole suite.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP_RUN := $(VENV)/.installed-run
STAMP := $(VENV)/.installed-dev
MANAGE := $(PY) backend/manage.py
EMBEDDED := DEBUG=true VILLAGE_EMBEDDED_WORKER=true
SERVICES_ENV = $(shell scripts/services.sh env | xargs)
# Tests reach Redis only where they ask for it (VILLAGE_TEST_REDIS_URL); the app runs without.
TEST_SERVICES_ENV = $(SERVICES_ENV) VILLAGE_TEST_REDIS_URL=$$(scripts/services.sh env | sed -n 's/^REDIS_URL=//p') REDIS_URL=
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run demo test lint audit test-sqlite test-postgres fuzz-deep services services-down bench format clean

# `make run` installs only what serving needs; `make test` adds the test and lint tools.
$(STAMP_RUN): pyproject.toml
	@test -d $(VENV) || $(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --progress-bar on -e .
	@touch $(STAMP_RUN)

$(STAMP): $(STAMP_RUN)
	$(VENV)/bin/pip install --quiet --progress-bar on -e '.[dev]'
	@touch $(STAMP)

node_modules/.installed: package.json
	npm install --no-audit --no-fund --loglevel=error
	@touch node_modules/.installed

var:
	@mkdir -p var/mail

run: $(STAMP_RUN) var
	$(EMBEDDED) $(MANAGE) migrate --noinput
	$(EMBEDDED) $(MANAGE) demo
	$(EMBEDDED) $(MANAGE) serve $(HOST):$(PORT)

demo: $(STAMP_RUN) var
	$(EMBEDDED) $(MANAGE) migrate --noinput
	$(EMBEDDED) $(MANAGE) demo --reset

lint: $(STAMP)
	$(VENV)/bin/ruff format --check backend tests scripts
	$(VENV)/bin/ruff check backend tests scripts
	SECRET_KEY=lint-only $(VENV)/bin/mypy backend
	scripts/security.sh bandit

# pip-audit against the installed environment (needs PyPI's vulnerability data; see scripts/security.sh).
audit: $(STAMP)
	scripts/security.sh audit

services:
	scripts/services.sh up

services-down:
	scripts/services.sh down

# SQLite pass: everything that does not need the real PostgreSQL/Redis/worker.
test-sqlite: $(STAMP) node_modules/.installed var
	DATABASE_URL=sqlite:///$(CURDIR)/var/test.sqlite3 $(VENV)/bin/pytest -m "not postgres and not services" $(PYTEST_ARGS)

# PostgreSQL pass: the whole suite, with the real Redis for tests that need it.
test-postgres: $(STAMP) node_modules/.installed var services
	$(TEST_SERVICES_ENV) $(VENV)/bin/pytest $(PYTEST_ARGS)

test: lint test-sqlite test-postgres

# Not in `make test`: the schema fuzzer with five times CI's examples and a new seed each run.
fuzz-deep: $(STAMP) var services
	$(TEST_SERVICES_ENV) VILLAGE_FUZZ_DEEP=1 $(VENV)/bin/pytest --timeout=1800 tests/village/test_fuzz.py $(PYTEST_ARGS)

# The HTTP entry drives gunicorn with wrk (a C load generator: a Python client would take a
# core from the server it measures); installed here when we are root, else say how.
bench: $(STAMP) node_modules/.installed var services
	@command -v wrk >/dev/null || { \
	  if [ "$$(id -u)" = 0 ]; then apt-get install -y -qq wrk || { apt-get update -qq && apt-get install -y -qq wrk; }; \
	  else echo "make bench needs wrk (HTTP load generator): sudo apt-get install -y wrk" >&2; exit 1; fi; }
	$(SERVICES_ENV) $(PY) -m tests.load.bench

format: $(STAMP)
	$(VENV)/bin/ruff format backend tests scripts
	$(VENV)/bin/ruff check --fix backend tests scripts

clean:
	rm -rf $(VENV) node_modules var
