# Two commands on a fresh Debian 12 machine: `make run` and `make test`. Everything else
# here is what they are made of. See README.md.
SHELL := /bin/bash
.DEFAULT_GOAL := run

PYTHON   ?= $(shell command -v python3.11 || command -v python3)
VENV     := .venv
PY       := $(VENV)/bin/python
FRONTEND := gis_core/frontend
PORT     ?= 8000
TEST_PROCESSES ?= 2
EMBEDDED := $(PYTHON) -m devstack.embedded

.PHONY: run test setup system venv frontend services migrate messages static seed stop reset \
        bench lock shell psql status screenshots

## run: set up, load the demo district if the database is empty, serve on $(PORT)
run: setup
	$(PY) manage.py seed_demo --if-empty
	@$(PY) manage.py demo_banner --port $(PORT)
	PORT=$(PORT) $(VENV)/bin/honcho start

## test: set up, then the whole suite against the embedded PostGIS and Mosquitto, in $(TEST_PROCESSES) processes
test: setup
	$(PY) -m pytest -n $(TEST_PROCESSES) --dist loadgroup $(PYTEST_ARGS)

setup: system venv frontend services migrate messages static

system:
	@bash devstack/system_packages.sh

venv: $(VENV)/.installed
$(VENV)/.installed: requirements.lock
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet --require-hashes -r requirements.lock
	@touch $@

frontend: var/vendor/.installed
var/vendor/.installed: $(FRONTEND)/package-lock.json $(FRONTEND)/vendor.py
	cd $(FRONTEND) && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error
	$(PYTHON) $(FRONTEND)/vendor.py
	@touch $@

services:
	@$(EMBEDDED) up

migrate:
	$(PY) manage.py migrate --no-input -v 0

messages:
	@$(PY) manage.py compilemessages -v 0 --ignore=.venv

static:
	@$(PY) manage.py collectstatic --no-input -v 0

## seed: (re)load the demo district, e.g. `make seed PEOPLE=1000000`
seed: setup
	$(PY) manage.py seed_demo --replace $(if $(PEOPLE),--people $(PEOPLE))

## bench: every benchmark in bench/ in turn, a failure not stopping the others (see README), e.g. `make bench BENCH_ARGS=--quick`
bench: setup
	$(PY) bench/run_all.py $(BENCH_ARGS)

## screenshots: each demo role's main page at phone, tablet and desktop size into docs/screenshots/ (own server; ends by itself)
screenshots: setup
	$(PY) docs/take_screenshots.py

stop:
	@$(EMBEDDED) down

status:
	@$(EMBEDDED) status

reset: stop
	@$(EMBEDDED) reset

## lock: recompile requirements.lock from requirements.in (needs network)
lock:
	$(PY) -m pip install --quiet pip-tools
	$(VENV)/bin/pip-compile --generate-hashes --strip-extras --allow-unsafe -q -o requirements.lock requirements.in

shell: setup
	$(PY) manage.py shell

psql: services
	@$(PY) manage.py dbshell
