# Two commands on a fresh machine: `make run` and `make test`.
SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON ?= $(shell for p in python3.13 python3.12 python3.11 python3; do command -v $$p >/dev/null && $$p -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null && echo $$p && break; done)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
FLASK := $(BIN)/flask --app tracker
HOST ?= 127.0.0.1
PORT ?= 5000
# Debian packages the PDFs, the browser tests and the contract tests (biber, the Nu checker's Java) need.
DEBIAN_PACKAGES := chromium poppler-utils fonts-noto-core fonts-noto-cjk libharfbuzz-subset0 libpango-1.0-0 libpangoft2-1.0-0 biber default-jre-headless
PYTEST_ARGS ?=

.PHONY: help install system-deps fonts-check setup run test lint clean user password

help:
	@echo "make run    set everything up and serve http://$(HOST):$(PORT) (SQLite in instance/)"
	@echo "make test   set everything up and run the test suite"
	@echo "             (PostgreSQL too: TRACKER_TEST_DATABASE_URL=postgresql://postgres@127.0.0.1:5432/test make test)"
	@echo "make lint   ruff check, ruff format --check and mypy tracker (CI runs it before the tests)"
	@echo "make user EMAIL=you@example.org ROLE=editor   an account (admin, editor or reviewer); asks for its password"
	@echo "make password EMAIL=you@example.org           a new password for an account"

$(STAMP): pyproject.toml
	@test -n "$(PYTHON)" || { echo "Python 3.11 or newer is required."; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@touch $(STAMP)

install: $(STAMP)

# Installs what is missing when run as root with apt (CI, these dev machines);
# elsewhere says exactly what to install and stops.
system-deps:
	@missing=""; for p in $(DEBIAN_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    echo "Installing Debian packages:$$missing"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; \
	  else \
	    echo "Missing Debian packages:$$missing"; echo "Install them with: sudo apt-get install$$missing"; exit 1; \
	  fi; \
	fi

fonts-check:
	@if ! fc-list 2>/dev/null | grep -q "Noto Sans CJK"; then \
	  echo "WARNING: Noto CJK fonts are missing: Japanese, Korean and Chinese titles will show as empty boxes in PDFs."; \
	  echo "         Install them with: sudo apt-get install fonts-noto-core fonts-noto-cjk"; \
	fi
	@if ! fc-list 2>/dev/null | grep -q "Noto Naskh Arabic"; then \
	  echo "WARNING: Noto core fonts are missing: Arabic titles will not render properly in PDFs."; \
	  echo "         Install them with: sudo apt-get install fonts-noto-core"; \
	fi

setup: install fonts-check
	@mkdir -p instance
	TRACKER_ENV=development $(FLASK) setup

run: setup
	TRACKER_ENV=development $(FLASK) run --host $(HOST) --port $(PORT)

test: install system-deps fonts-check
	$(BIN)/python -m pytest -n 2 --dist loadgroup $(PYTEST_ARGS)

# Accounts. TRACKER_ENV defaults to development (the local SQLite database in instance/);
# set TRACKER_ENV=production with TRACKER_DATABASE_URL and TRACKER_SECRET_KEY for a server.
ENV_OR_DEV := TRACKER_ENV=$${TRACKER_ENV:-development}

user: install
	@test -n "$(EMAIL)" && test -n "$(ROLE)" || { echo "Usage: make user EMAIL=you@example.org ROLE=admin|editor|reviewer [NAME='Your Name']"; exit 2; }
	@mkdir -p instance
	@$(ENV_OR_DEV) $(FLASK) db upgrade
	@$(ENV_OR_DEV) $(FLASK) users create "$(EMAIL)" --role "$(ROLE)" --name "$(NAME)"

password: install
	@test -n "$(EMAIL)" || { echo "Usage: make password EMAIL=you@example.org"; exit 2; }
	@$(ENV_OR_DEV) $(FLASK) users set-password "$(EMAIL)"

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy tracker

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache build *.egg-info
