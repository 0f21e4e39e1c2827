# JoinedUp task runner. `make` (or `make help`) lists the targets.
# Every Python command runs through `uv run --locked`: the environment is the locked one, and a
# uv.lock that no longer matches pyproject.toml is an error rather than a silent re-lock.

SHELL := bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help
MAKEFLAGS += --no-print-directory

# JoinedUp runs on the machine's own Python 3.11; uv must never download an interpreter.
export UV_PYTHON_DOWNLOADS := never
# uv on PATH, else the one scripts/bootstrap.sh installed with pip (run as `python3 -m uv`).
# Expanded when used, so after the bootstrap prerequisite has run.
export PYTHON ?= python3
UV = $(shell command -v uv >/dev/null 2>&1 && echo uv || echo $(PYTHON) -m uv)
UV_RUN = $(UV) run --locked
ARGS ?=
PYTEST_ARGS ?=

.PHONY: help bootstrap demo test check lint-fix test-fast bench lock

help: ## List the targets
	@echo "JoinedUp: make <target>"
	@echo
	@grep -E '^[a-z][a-z-]*:.*## ' $(MAKEFILE_LIST) \
	  | awk 'BEGIN {FS = ":.*## "} {printf "  %-10s %s\n", $$1, $$2}'
	@echo
	@echo 'Pass arguments with ARGS, e.g. make demo ARGS="--scale 0.1 --no-serve",'
	@echo 'and to pytest with PYTEST_ARGS, e.g. make test-fast PYTEST_ARGS="-k synth -x".'

bootstrap: ## Install uv if missing (pip), then the locked dependencies (uv sync --locked)
	@bash scripts/bootstrap.sh

demo: bootstrap ## Run `joinedup demo` (pass options with ARGS=...)
	$(UV_RUN) joinedup demo $(ARGS)

check: bootstrap ## Static checks: ruff format --check, ruff check, mypy
	$(UV_RUN) ruff format --check .
	$(UV_RUN) ruff check .
	$(UV_RUN) mypy
	$(UV_RUN) mypy scripts

# pytest exits 5 when it collects no tests; make already fails on it, and we say why.
define run_pytest
	$(UV_RUN) pytest $(1) $(PYTEST_ARGS) || { rc=$$?; \
	  if [ $$rc -eq 5 ]; then echo "make: pytest collected no tests; that is a failure" >&2; fi; \
	  exit $$rc; }
endef

test: check ## The whole test suite: check, then pytest (what CI runs)
	$(call run_pytest,)

test-fast: bootstrap ## pytest without the slow tests (-m "not slow")
	$(call run_pytest,-m "not slow")

bench: bootstrap ## Every benchmarks/bench_*.py at smoke scale (--smoke)
	@shopt -s nullglob; benches=(benchmarks/bench_*.py); failed=(); \
	if [ $${#benches[@]} -eq 0 ]; then echo "make: no benchmarks/bench_*.py found" >&2; exit 1; fi; \
	for bench in "$${benches[@]}"; do \
	  echo "==> $(UV_RUN) python $$bench --smoke"; \
	  $(UV_RUN) python "$$bench" --smoke || failed+=("$$bench"); \
	done; \
	if [ $${#failed[@]} -ne 0 ]; then echo "make: benchmarks failed: $${failed[*]}" >&2; exit 1; fi

lint-fix: bootstrap ## Fix what can be fixed: ruff check --fix, then ruff format
	$(UV_RUN) ruff check --fix .
	$(UV_RUN) ruff format .

lock: ## Re-resolve uv.lock after changing dependencies in pyproject.toml
	$(UV) lock
