# todo-api: `make run` serves the API locally, `make test` proves it. Both set up .venv first.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 3000
STATE ?=

FUZZ_EXAMPLES ?= 2000
NEWMAN := tests/newman/node_modules/.bin/newman

.PHONY: run test lint typecheck unit fuzz bench clean newman postman

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip

# The local server needs the runtime and the emulator only (no Pulumi).
$(VENV)/.local-installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install -q -e '.[local]'
	touch $@

$(VENV)/.dev-installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install -q -e '.[local,infra,dev]'
	touch $@ $(VENV)/.local-installed

run: $(VENV)/.local-installed
	$(BIN)/todo-api serve --host $(HOST) --port $(PORT) $(if $(STATE),--state $(STATE))

lint: $(VENV)/.dev-installed
	$(BIN)/ruff check .
	$(BIN)/hadolint Dockerfile

typecheck: $(VENV)/.dev-installed
	$(BIN)/mypy .

unit: $(VENV)/.dev-installed $(NEWMAN)
	$(BIN)/pytest -q

test: lint typecheck unit

# newman (npm, locked in tests/newman/package-lock.json) runs docs/postman/ against a local
# server in the tests: about 10 s and 66 MB in tests/newman/node_modules.
$(NEWMAN): tests/newman/package-lock.json
	npm ci --prefix tests/newman --no-audit --no-fund --loglevel=error
	touch $@

newman: $(NEWMAN)

# The Postman collection and `local` environment, generated from the OpenAPI document.
postman: $(VENV)/.local-installed
	$(BIN)/todo-api postman

# The property-based fuzz of every route, longer than the 200 examples per route of `make test`.
fuzz: $(VENV)/.dev-installed
	FUZZ_EXAMPLES=$(FUZZ_EXAMPLES) $(BIN)/pytest -q tests/test_fuzz.py

# Cold start, DynamoDB requests per route, list cost, warm latency, image size:
# prints the table and writes docs/PERFORMANCE.md.
bench: $(VENV)/.dev-installed
	$(BIN)/python -m bench.run

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache tests/newman/node_modules
