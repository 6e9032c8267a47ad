# The two commands of the README: `make run` and `make test`.
SHELL := /bin/bash
VENV := .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000
PYTEST_ARGS ?=
TOKENTOOLS := tests/tokentools
# npm installs the token tools in tests/tokentools; without npm, make test
# still runs and leaves their tests out (in CI that is an error).
NPM := $(shell command -v npm 2>/dev/null)

.PHONY: run test lint format setup clean

$(PY):
	@scripts/bootstrap-venv $(VENV)

$(VENV)/.installed-run: requirements.txt | $(PY)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements.txt
	@touch $@

$(VENV)/.installed-test: requirements.txt requirements-dev.txt | $(PY)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	@touch $@ $(VENV)/.installed-run

$(TOKENTOOLS)/node_modules/.package-lock.json: $(TOKENTOOLS)/package-lock.json
	npm ci --prefix $(TOKENTOOLS) --no-audit --no-fund
	@touch $@

.env:
	cp .env.example .env
	@echo "Created .env from .env.example (development settings)."

## setup: create the virtualenv and install what Janus needs to run
setup: $(VENV)/.installed-run .env

## run: migrate, seed demo data, ensure the admin account, serve the admin
run: setup
	$(PY) manage.py migrate --noinput
	$(PY) manage.py seed
	$(PY) manage.py ensure_admin
	@echo "Janus admin: http://$(HOST):$(PORT)/admin/"
	$(PY) manage.py runserver $(HOST):$(PORT)

## test: run the test suite (SQLite unless DATABASE_URL says otherwise)
test: $(VENV)/.installed-test $(if $(NPM),$(TOKENTOOLS)/node_modules/.package-lock.json)
	$(PY) -m pytest $(PYTEST_ARGS)

## lint: ruff check and format check
lint: $(VENV)/.installed-test
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: $(VENV)/.installed-test
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

clean:
	rm -rf $(VENV) var/static $(TOKENTOOLS)/node_modules
