# Two commands on a fresh machine: `make run` and `make test`.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
MANAGE := cd backend && ../$(BIN)/python manage.py
STAMP_PY := $(VENV)/.installed
STAMP_JS := frontend/node_modules/.installed
STATIC_BUILD := backend/web/static_build/css/application.css

.PHONY: run test setup install assets migrate demo lint typecheck pytest schemas fuzz lock clean fault-pg-restart

run: setup migrate demo  ## Set up everything, load demo data, serve on http://127.0.0.1:8000
	@$(MANAGE) demo_banner
	$(MANAGE) runserver 127.0.0.1:8000

test: setup lint typecheck pytest  ## Set up everything, then ruff, mypy and pytest

setup: install assets

$(STAMP_PY): requirements.lock pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.lock
	@touch $@

install: $(STAMP_PY)

$(STAMP_JS): frontend/package.json frontend/package-lock.json
	cd frontend && npm ci --no-audit --no-fund --loglevel=error
	@touch $@

$(STATIC_BUILD): $(STAMP_JS) $(shell find frontend/src -type f 2>/dev/null)
	cd frontend && npm run --silent build

assets: $(STATIC_BUILD)

migrate: install
	@mkdir -p .data
	$(MANAGE) migrate --no-input -v 0

demo: migrate
	$(MANAGE) seed_demo

lint: install
	$(BIN)/ruff check backend tests
	$(BIN)/ruff format --check backend tests
	cd backend && ../$(BIN)/lint-imports --config ../pyproject.toml --no-cache

typecheck: install
	$(BIN)/mypy backend tests

pytest: install assets
	@mkdir -p .data
	$(BIN)/pytest $(PYTEST_ARGS)

schemas: install  ## Write docs/api/openapi.yaml and docs/api/schema.graphql from the code
	$(MANAGE) publish_schemas

# A long schemathesis campaign (10,000+ cases over three principals), on demand; make
# test runs the same test bounded. Needs PostgreSQL: DATABASE_URL=postgres://...
FUZZ_MAX_EXAMPLES ?= 50
fuzz: install assets
	@mkdir -p .data
	FUZZ_MAX_EXAMPLES=$(FUZZ_MAX_EXAMPLES) $(BIN)/pytest -p no:cacheprovider -s tests/contract/test_schemathesis.py

lock:  ## Re-pin requirements.lock after changing pyproject.toml
	$(BIN)/uv pip compile pyproject.toml --extra dev --python-version 3.11 -q -o requirements.lock

clean:
	rm -rf $(VENV) frontend/node_modules backend/web/static_build/* .data

# A PostgreSQL restart under write load on a throwaway cluster (needs root and Redis);
# prints acknowledged writes against rows present, duplicates and the time to recover.
PG_RESTART_SECONDS ?= 60
fault-pg-restart: install
	$(BIN)/python tests/pg_restart.py --seconds $(PG_RESTART_SECONDS) --clients 8
