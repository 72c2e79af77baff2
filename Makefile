# 稳评 — two commands: `make run` and `make test`. Both set up whatever is missing first.
SHELL := /bin/bash
.DEFAULT_GOAL := help

VENV := .venv
PY := $(VENV)/bin/python
HOST_PORT ?= 127.0.0.1:8000
# The address printed in issued reports' QR code and verification link: the one the server
# is started on, unless set explicitly (production sets it to the public address).
ZHOUCUN_PUBLIC_URL ?= http://$(HOST_PORT)
export ZHOUCUN_PUBLIC_URL
# Debian packages the product needs: CJK fonts for the PDF, HarfBuzz subsetting (without it
# WeasyPrint silently falls back to a 30x slower path), pango, poppler for PDF checks,
# gettext for the translations, Chromium for the browser tests, zbar to read QR codes back.
SYSTEM_PACKAGES := fonts-noto-cjk fonts-lxgw-wenkai libharfbuzz-subset0 libpango-1.0-0 \
	libpangoft2-1.0-0 poppler-utils gettext chromium zbar-tools

# Django 6 needs Python >= 3.12; honour PYTHON=, else look for one (pyenv first).
PYTHON ?= $(shell for p in $$HOME/.pyenv/versions/3.12.*/bin/python3 \
	$$HOME/.pyenv/versions/3.13.*/bin/python3 python3.13 python3.12 python3; do \
	command -v $$p >/dev/null 2>&1 && $$p -c 'import sys; sys.exit(sys.version_info < (3, 12))' \
	2>/dev/null && { echo $$p; break; }; done)

.PHONY: help setup setup-dev system-packages run test test-unit test-browser lint docs messages bench-small clean

help:
	@echo "make run   — set up, migrate, load the demo data, serve on http://$(HOST_PORT) with a worker"
	@echo "make test  — set up and run the whole suite (lint, checks, unit, browser)"

setup: system-packages $(VENV)/.installed messages

# Test, lint and documentation tools: only `make test` (and lint, docs) need them.
setup-dev: setup $(VENV)/.dev-installed

system-packages:
	@missing=$$(for p in $(SYSTEM_PACKAGES); do \
		dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q 'install ok installed' || echo $$p; \
	done); \
	if [ -n "$$missing" ]; then \
		echo "Installing system packages:" $$missing; \
		if [ "$$(id -u)" = 0 ]; then SUDO=; elif command -v sudo >/dev/null; then SUDO=sudo; \
		else echo "Please install as root: apt-get install $$missing" >&2; exit 1; fi; \
		$$SUDO apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq --no-install-recommends \
			$$missing >/dev/null; \
	fi

$(VENV)/.installed: requirements.txt
	@if [ -z "$(PYTHON)" ]; then \
		echo "No Python >= 3.12 found (Django 6 needs it). Install one or pass PYTHON=/path/to/python3.12" >&2; \
		exit 1; fi
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	@$(PY) -m pip install -qq --disable-pip-version-check -r requirements.txt
	@touch $@

$(VENV)/.dev-installed: requirements-dev.txt requirements.txt $(VENV)/.installed
	@$(PY) -m pip install -qq --disable-pip-version-check -r requirements-dev.txt
	@touch $@

messages: $(VENV)/.installed
	@$(PY) manage.py compilemessages -v0 --ignore=.venv

lint: setup-dev
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports
	$(PY) manage.py check --fail-level WARNING
	$(PY) manage.py makemigrations --check --dry-run

# The documentation under docs/, built strictly (a broken link fails).
docs: setup-dev
	$(VENV)/bin/mkdocs build --strict --quiet

run: setup
	@$(PY) manage.py migrate -v0
	@$(PY) manage.py create_dev_ca
	@echo "Serving on http://$(HOST_PORT)/ with one issuing worker and the development TSA — stop all with Ctrl-C"
	@# The worker runs beside the server. Ctrl-C reaches both; if the server stops otherwise,
	@# the trap stops the worker. It signals the reloading child, which finishes its task and
	@# removes its heartbeat (killing the watching parent first would SIGKILL the child).
	@# The development CA's TSA, OCSP and CRL (127.0.0.1:8765) start first: the demo issues
	@# its reference report with them.
	@$(PY) manage.py run_dev_pki & pki=$$!; \
	trap 'kill $$pki 2>/dev/null' EXIT; \
	$(PY) manage.py wait_dev_pki && $(PY) manage.py load_demo || exit 1; \
	$(PY) manage.py worker & worker=$$!; \
	trap 'child=$$(pgrep -P $$worker); kill $${child:-$$worker} $$pki 2>/dev/null; wait $$worker' EXIT; \
	$(PY) manage.py runserver $(HOST_PORT)

# Browser tests run in their own process: Playwright's event loop breaks the sync ORM.
test: lint docs
	$(PY) -m pytest -m "not browser"
	$(PY) -m pytest -m browser

# Every benchmark at a small size (PostgreSQL at DATABASE_URL): a benchmark that no longer
# runs on today's schema fails here. Full sizes are run by hand (docs/scale.md).
bench-small: setup-dev
	$(PY) benchmarks/ci_small.py

clean:
	rm -rf $(VENV) staticfiles .pytest_cache .ruff_cache test-artifacts site
