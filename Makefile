# fastml's tasks.  Two of them do all set-up on a fresh machine with nothing but Python:
#   make demo   generate a project and show it working
#   make test   lint fastml and run its whole test suite (what CI runs)
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: help install demo test lint unit bench bench-peers clean container-tools browser check-assets release-template

help:  ## List the tasks
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-10s %s\n", $$1, $$2}'

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@

install: $(STAMP)  ## Create .venv with fastml (editable) and its test tools

demo: $(STAMP)  ## Generate "Iris Service", install it, train, test, serve and call it
	$(BIN)/python scripts/demo.py

lint: $(STAMP)  ## ruff and mypy on fastml itself
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

unit: $(STAMP)  ## The fast tests only (no template installs)
	$(BIN)/python -m pytest -m "not template"

test: lint  ## Lint, then every test, template tests included
	$(BIN)/python -m pytest

bench: $(STAMP)  ## Start-up, generation and serving benchmarks (installs wrk: root, Debian)
	@command -v wrk >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null; }
	$(BIN)/python bench/cli_startup.py
	$(BIN)/python bench/generation.py
	$(BIN)/python bench/serving.py

bench-peers: $(STAMP)  ## The project against LitServe, MLServer and BentoML (about 15 min; installs them)
	@command -v wrk >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null; }
	$(BIN)/python bench/peers.py

clean:  ## Remove the virtualenv, builds and the demo
	rm -rf $(VENV) build dist .pytest_cache .mypy_cache .ruff_cache

container-tools:  ## Install buildah and debootstrap for the container test (root, Debian)
	bash scripts/install-container-tools.sh

browser:  ## Install chromium for the docs pages' browser test (root, Debian)
	bash scripts/install-browser.sh

check-assets: $(STAMP)  ## Tell whether the generated docs pages' files (fastapi-offline) are current
	$(BIN)/python scripts/check-docs-assets.py

release-template: $(STAMP)  ## Archive the live templates as template VERSION=x.y.z (after changing them)
	$(BIN)/python scripts/release-template.py $(VERSION)
