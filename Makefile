# The README's commands. `make run` and `make test` set everything up themselves.
#
#   make run     venv + requirements + Debian packages, migrate, demo county, then web + Celery
#                worker + beat on SQLite and the filesystem broker; one Ctrl-C stops all three
#   make test    venv + dev requirements + Debian packages (incl. chromium), then the whole suite
#   make lint    ruff check + ruff format --check + lint-imports (the import contract, pyproject.toml)
#   make check   manage.py check + makemigrations --check --dry-run
#
# Variables: HOST, PORT, DEMO_PASSWORD, RELOAD=1 (make run), PYTEST_ARGS, PYTEST_WORKERS (make test),
# PYTHON (interpreter used to create .venv), VENV.

SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON ?= python3
VENV ?= .venv
HOST ?= 0.0.0.0
PORT ?= 8000
DEMO_PASSWORD ?=
PYTEST_ARGS ?=
# pytest-xdist workers; 0 runs serially.
PYTEST_WORKERS ?= 2

RELOAD ?=

export VENV PYTHON HOST PORT DEMO_PASSWORD RELOAD

# Tests marked `services` need the real PostgreSQL and Redis: without both URLs they are
# deselected (a -m in PYTEST_ARGS comes later on the command line and wins).
ifeq ($(and $(DATABASE_URL),$(REDIS_URL)),)
PYTEST_MARK := -m "not services"
else
PYTEST_MARK :=
endif
ifeq ($(filter-out 0 1,$(PYTEST_WORKERS)),)
PYTEST_XDIST :=
else
PYTEST_XDIST := -n $(PYTEST_WORKERS)
endif

.PHONY: help run test lint format check setup-run setup-dev venv-dev clean

help:
	@echo "make run     set up and start web + worker + beat at http://127.0.0.1:$(PORT)/ (Ctrl-C stops all)"
	@echo "make test    set up and run the whole test suite (PYTEST_ARGS='...' to pass options)"
	@echo "make lint    ruff check + ruff format --check + lint-imports"
	@echo "make format  ruff format + ruff check --fix"
	@echo "make check   manage.py check + makemigrations --check --dry-run"

setup-run:
	@scripts/ensure_venv.sh run
	@scripts/sysdeps.sh run

venv-dev:
	@scripts/ensure_venv.sh dev

setup-dev: venv-dev
	@scripts/sysdeps.sh test

run: setup-run
	$(VENV)/bin/python scripts/run_all.py --host $(HOST) --port $(PORT)

# pytest's exit code 5 means "no tests collected": reported, but not a failure.
test: setup-dev
	@echo "==> pytest on $(if $(DATABASE_URL),$(firstword $(subst :, ,$(DATABASE_URL))),SQLite)$(if $(REDIS_URL), + Redis,)$(if $(PYTEST_MARK), (services tests deselected: DATABASE_URL and REDIS_URL not both set),)"
	@rc=0; $(VENV)/bin/pytest $(PYTEST_XDIST) $(PYTEST_MARK) $(PYTEST_ARGS) || rc=$$?; \
	if [ $$rc -eq 5 ]; then echo "make test: WARNING: pytest collected no tests"; rc=0; fi; \
	exit $$rc

lint: venv-dev
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports

format: venv-dev
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

check: venv-dev
	$(VENV)/bin/python manage.py check
	$(VENV)/bin/python manage.py makemigrations --check --dry-run

clean:
	rm -rf .pytest_cache test-artifacts
	find . -path ./$(VENV) -prune -o -name __pycache__ -type d -prune -exec rm -rf {} +
