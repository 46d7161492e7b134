# Iran–Iraq trade collection. `make help` lists the targets.
# Everything runs inside .venv, created from python3 on first use; nothing is installed globally.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
PARAMS ?= params/default.yaml
KERNEL_NAME := iran-iraq-trade
export UV_PYTHON_DOWNLOADS := never
# no bytecode compiled at install (18 s for 6,000 files): the set-up imports what the collection and its
# tests use once, which compiles and keeps just those modules (see PYTHONDONTWRITEBYTECODE below)
export UV_COMPILE_BYTECODE := 0
WARM_IMPORTS := helpers.evidence, helpers.pipeline.runner, helpers.official.read, matplotlib.pyplot, seaborn, \
  papermill, nbconvert, ipykernel.kernelapp, pytest, nbval, playwright.sync_api
# bytecode is cached (an empty value is "unset" for Python): pytest keeps its rewritten test modules between
# runs instead of rewriting all of them at every collection, which was a quarter of `make check`
export PYTHONDONTWRITEBYTECODE :=
export MPLBACKEND := Agg

.DEFAULT_GOAL := help
.PHONY: help setup report notebooks test check lint lab bench clean lock samples screenshots

help: ## List the targets
	@grep -hE '^[a-zA-Z_-]+:.*## ' $(MAKEFILE_LIST) | awk 'BEGIN {FS = ":.*## "}; {printf "  \033[36m%-12s\033[0m %s\n", $$1, $$2}'

$(STAMP): pyproject.toml requirements.lock
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	# uv installs the locked versions in seconds; pip is the fallback if uv cannot be had
	($(BIN)/python -m pip install --quiet --disable-pip-version-check uv==0.13.9 && \
	  $(BIN)/uv pip install --python $(BIN)/python -r requirements.lock && \
	  $(BIN)/uv pip install --python $(BIN)/python --no-deps -e .) || \
	($(BIN)/python -m pip install --quiet -r requirements.lock && \
	  $(BIN)/python -m pip install --quiet --no-deps -e .)
	$(BIN)/python -c "import $(WARM_IMPORTS)"
	touch $(STAMP)

setup: $(STAMP) ## Create .venv and install the package with its locked dependencies

report: $(STAMP) ## Run the notebooks with $(PARAMS) and render the HTML reports into reports/ (FORCE=1: execute all, reuse nothing)
	$(BIN)/python -m helpers run --params $(PARAMS) $(if $(filter 1,$(FORCE)),--force)

notebooks: $(STAMP) ## Regenerate the stored outputs in notebooks/ on their own defaults (nothing injected; params/default.yaml must agree)
	$(BIN)/python -m helpers run --params params/default.yaml --in-place
	$(BIN)/python -m helpers findings --write
	$(BIN)/python -m helpers parameters --write

lint: $(STAMP) ## ruff: lint src, tests, benchmarks and notebooks; check the formatting of src, tests and benchmarks
	$(BIN)/ruff check src tests benchmarks notebooks
	$(BIN)/ruff format --check src tests benchmarks

test: $(STAMP) lint ## Lint, then unit, integration, browser and server tests plus nbval (strict) over every notebook
	$(BIN)/python -m pytest -p no:cacheprovider -n 2 --dist loadfile tests notebooks --nbval --nbval-current-env --nbval-sanitize-with tests/nbval_sanitize.cfg

check: $(STAMP) lint ## Fast inner loop: lint, then the tests that start no kernel (no notebooks)
	$(BIN)/python -m pytest -p no:cacheprovider -n 2 --dist worksteal tests -m "not slow"

# transport_encryption=auto: the server provisions CurveZMQ keys for every kernel whose kernelspec declares
# support (ipykernel's does), so no kernel talks plain-text TCP or warns "running over TCP without encryption"
lab: $(STAMP) ## JupyterLab on notebooks/ with the project's kernel
	$(BIN)/python -m ipykernel install --sys-prefix --name $(KERNEL_NAME) --display-name "Python ($(KERNEL_NAME))" >/dev/null
	$(BIN)/jupyter lab --notebook-dir=notebooks --MappingKernelManager.transport_encryption=auto \
	  $(if $(filter 0,$(shell id -u)),--allow-root)

screenshots: $(STAMP) ## Full-page screenshots of reports/default/ pages (needs Debian chromium) into reports/default/screenshots/
	$(BIN)/python -m helpers screenshots --run reports/default

samples: $(STAMP) ## Write small SYNTHETIC Comtrade/BACI files to downloads/ (to try the official-data parameter sets)
	$(BIN)/python -m helpers samples --out downloads

bench: $(STAMP) ## Benchmarks (on demand, never in tests)
	@for b in benchmarks/*.py; do echo "== $$b"; $(BIN)/python $$b || exit 1; done

lock: ## Re-resolve requirements.lock from pyproject.toml (needs uv)
	$(BIN)/uv pip compile pyproject.toml --extra lab --extra test --python-version 3.11 -o requirements.lock

clean: ## Remove generated reports (keeps .venv)
	rm -rf reports/*
