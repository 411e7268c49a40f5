# todo-api: `make run` serves the API locally, `make test` proves it. Both set up .venv first.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 3000
STATE ?=

FUZZ_EXAMPLES ?= 2000

.PHONY: run test lint typecheck unit fuzz bench clean lock image-test

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
	$(BIN)/hadolint Dockerfile image/stand-in/Dockerfile

typecheck: $(VENV)/.dev-installed
	$(BIN)/mypy .

unit: $(VENV)/.dev-installed
	$(BIN)/pytest -q -m "not image"

test: lint typecheck unit image-test

# The property-based fuzz of every route, longer than the 200 examples per route of `make test`.
fuzz: $(VENV)/.dev-installed
	FUZZ_EXAMPLES=$(FUZZ_EXAMPLES) $(BIN)/pytest -q tests/test_fuzz.py

# Cold start, DynamoDB requests per route, list cost, warm latency, image size:
# prints the table and writes docs/PERFORMANCE.md.
bench: $(VENV)/.dev-installed
	$(BIN)/python -m bench.run

# requirements.txt: the image's runtime closure from pyproject.toml, pinned with hashes, for
# Python 3.12 on linux/arm64 (it is pure Python, so it installs on the host's too).
lock: $(VENV)/.dev-installed
	$(BIN)/python image/lock.py

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
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
