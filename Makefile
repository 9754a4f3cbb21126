# erlen — the two commands a newcomer needs: `make run` and `make test`.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-dev
BENCH_STAMP := $(VENV)/.installed-bench

.PHONY: run test test-deps lint bench clean venv

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# setup.py and the C source: a change rebuilds the optional extension (erlen._speedups)
$(STAMP): $(BIN)/python pyproject.toml setup.py src/erlen/_speedups.c
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	touch $(STAMP)

$(BENCH_STAMP): $(STAMP)
	$(BIN)/python -m pip install --quiet -e ".[bench]"
	touch $(BENCH_STAMP)

venv: $(STAMP)

## make run: the example application (examples/taskmanager) on http://127.0.0.1:5000
## Migrates its database (instance/taskmanager.db, or DATABASE_URL), adds the demo
## account demo / demo-password when the database has no users, then serves it.
EXAMPLE_APP := examples.taskmanager:create_app
run: $(STAMP)
	$(BIN)/erlen --app $(EXAMPLE_APP) db upgrade
	$(BIN)/erlen --app $(EXAMPLE_APP) seed-demo --if-empty
	$(BIN)/erlen --app $(EXAMPLE_APP) run --host 127.0.0.1 --port 5000

## make lint: ruff over the sources, tests and benchmarks
lint: $(STAMP)
	$(BIN)/ruff check src tests benchmarks examples
	$(BIN)/ruff format --check src tests benchmarks examples

## make test-deps: what the tests need outside the virtualenv (a PostgreSQL server,
## and Chromium with chromedriver for the example app's browser test)
test-deps:
	sh scripts/ensure-postgres.sh
	sh scripts/ensure-chromium.sh

## make test: everything — lint, unit, differential and property tests (with the C
## extension required: a build that left it out fails); then the request-level suites
## again with erlen's inlined fast path off (the general lifecycle), the differential
## suite again over ASGI, and the HTTP and request suites with the pure-Python parser
test: $(STAMP) $(BENCH_STAMP) lint test-deps
	ERLEN_REQUIRE_EXTENSIONS=1 $(BIN)/python -m pytest -q
	ERLEN_GENERAL_PATH=1 $(BIN)/python -m pytest -q tests/differential tests/web tests/testing tests/wrappers tests/asgi tests/static tests/urls
	ERLEN_DIFF_ASGI=1 $(BIN)/python -m pytest -q tests/differential
	ERLEN_NO_EXTENSIONS=1 $(BIN)/python -m pytest -q tests/http tests/wrappers tests/web

## make bench: erlen side by side with its peers
bench: $(BENCH_STAMP)
	$(BIN)/python -m benchmarks

clean:
	rm -rf $(VENV) build dist *.egg-info src/*.egg-info .pytest_cache .ruff_cache
	rm -f src/erlen/_speedups*.so
