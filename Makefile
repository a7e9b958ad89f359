# LKK — the two commands: `make run` and `make test`. See README.md.
SHELL := /bin/bash
.DEFAULT_GOAL := help
PYTHON ?= python3
UV ?= uv
HOST ?= 127.0.0.1
PORT ?= 8000
WORKERS ?= 3
PYTEST_WORKERS ?= 2
APT_GET := DEBIAN_FRONTEND=noninteractive apt-get

.PHONY: help run test deps assets messages pdf-libs system-packages lint test-sqlite test-postgres bench bench-data makemessages

help:
	@echo "make run   — install, migrate, load demo data, serve http://$(HOST):$(PORT)"
	@echo "make test  — install what the tests need and run the whole suite"

## Installs -------------------------------------------------------------------------------
deps:
	@command -v $(UV) >/dev/null 2>&1 || $(PYTHON) -m pip install --quiet "uv>=0.5"
	$(UV) sync --frozen --quiet

assets: node_modules/.package-lock.json
node_modules/.package-lock.json: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error

# Debian packages, installed only when missing (root on a fresh machine).
define apt_need
	@command -v $(1) >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ]; then ($(APT_GET) install -y -qq $(2) >/dev/null || \
	    ($(APT_GET) update -qq && $(APT_GET) install -y -qq $(2) >/dev/null)); \
	  else echo "please install the Debian package $(2)" >&2; exit 1; fi; }
endef

# WeasyPrint (invoices, reports in PDF) draws with Pango; DejaVu has the Cyrillic glyphs.
define lib_need
	@$(1) 2>/dev/null | grep -q $(2) || { \
	  if [ "$$(id -u)" = 0 ]; then ($(APT_GET) install -y -qq $(3) >/dev/null || \
	    ($(APT_GET) update -qq && $(APT_GET) install -y -qq $(3) >/dev/null)); \
	  else echo "please install the Debian packages $(3)" >&2; exit 1; fi; }
endef

pdf-libs:
	$(call lib_need,ldconfig -p,libpangoft2-1.0.so.0,libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0)
	$(call lib_need,fc-list,DejaVuSans,fontconfig fonts-dejavu-core)

system-packages: pdf-libs
	$(call apt_need,msgfmt,gettext)
	$(call apt_need,chromium,chromium)
	$(call apt_need,redis-server,redis-server)

messages:
	$(call apt_need,msgfmt,gettext)
	SECRET_KEY=$${SECRET_KEY:-build-only} $(UV) run python manage.py compilemessages -v0 -i .venv -i node_modules -i var

makemessages:
	SECRET_KEY=$${SECRET_KEY:-build-only} $(UV) run python manage.py makemessages -l en -i .venv -i node_modules -i var -i tests --no-obsolete

## make run --------------------------------------------------------------------------------
run: export DEMO_MODE = 1
run: deps assets pdf-libs messages
	$(UV) run python manage.py migrate --noinput -v0
	$(UV) run python manage.py seed_demo --scale small
	$(UV) run python manage.py collectstatic --noinput -v0
	@echo
	@echo "ЛКК: http://$(HOST):$(PORT)/  (Ctrl-C — остановить)"
	$(UV) run gunicorn lkk.wsgi:application --bind $(HOST):$(PORT) --workers $(WORKERS) \
	  --access-logfile - --log-level warning

## make test -------------------------------------------------------------------------------
test: deps assets system-packages messages lint test-sqlite test-postgres

lint:
	$(UV) run ruff check .
	$(UV) run ruff format --check .
	SECRET_KEY=$${SECRET_KEY:-build-only} $(UV) run python manage.py makemigrations --check --dry-run -v1

# The whole suite on SQLite; the Redis and PostgreSQL-only tests run in the next pass.
test-sqlite:
	$(UV) run pytest -n $(PYTEST_WORKERS) -m "not redis and not postgres" -q --durations=20

# The whole suite again on a throw-away PostgreSQL cluster, with a loopback Redis.
# Browser tests ran in the SQLite pass: what they check is the pages, not the database.
test-postgres:
	$(UV) run python scripts/services.py --postgres --redis -- \
	  $(UV) run pytest -n $(PYTEST_WORKERS) -m "not browser" -q --durations=20

## Benchmarks (README: "Benchmarks") -------------------------------------------------------
BENCH_DATA ?= var/bench-pg
bench: deps assets messages
	$(call apt_need,wrk,wrk)
	$(UV) run python scripts/services.py --postgres --redis --keep-data $(BENCH_DATA) -- \
	  $(UV) run python scripts/bench.py
