# Adroit: `make run` to try it, `make test` to check it. Both set everything up from a fresh clone.
# The newest Python 3.11 or later on PATH that runs (a pyenv shim for a version that is not enabled
# is on PATH but does not run), else python3. `make test PYTHON=python3.13 VENV=.venv-3.13` picks one.
PYTHON ?= $(or $(shell for v in 19 18 17 16 15 14 13 12 11; do \
  p=$$(command -v python3.$$v) && $$p -c 'import venv' >/dev/null 2>&1 && { echo $$p; break; }; \
  done),python3)
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
PORT ?= 8000
# The ADR corpus beside the checkout (../shared/corpus) feeds the import tests when it is there.
ADROIT_CORPUS ?= $(abspath $(wildcard ../shared/corpus))
export ADROIT_CORPUS
PYTEST_ARGS ?= $(if $(ADROIT_CORPUS),,-m "not corpus")

.PHONY: run test test-unit test-browser lint format setup migrate example browser oidc-provider sshd worker scale bench bench-site bench-packs clean load fault interop hostile

$(STAMP): pyproject.toml constraints.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c constraints.txt -e ".[dev]"
	touch $(STAMP)

setup: $(STAMP)

migrate: setup
	$(BIN)/python manage.py migrate --noinput

example: migrate
	$(BIN)/python manage.py load_example
	$(BIN)/python manage.py load_kits

# A background worker runs beside the development server, so exports and board packs finish.
# `manage.py worker` serves the database queue, or Redis when REDIS_URL is set.
run: example
	@PORT=$(PORT) $(BIN)/python manage.py demo_login
	@$(BIN)/python manage.py worker --queue default -v 0 & WORKER=$$!; \
	  $(BIN)/python manage.py worker --queue packs -v 0 & PACKS=$$!; \
	  trap 'kill $$WORKER $$PACKS 2>/dev/null' EXIT INT TERM; \
	  DEBUG=$${DEBUG:-1} $(BIN)/python manage.py runserver 127.0.0.1:$(PORT)

# Two workers: board packs on their own queue, so they never hold up quick exports.
worker: migrate
	$(BIN)/python manage.py worker --queue packs & PACKS=$$!; \
	  trap 'kill $$PACKS 2>/dev/null' EXIT INT TERM; \
	  $(BIN)/python manage.py worker --queue default

# Browser tests drive Debian's Chromium (Playwright's own browser download cannot work here).
browser:
	@command -v chromium >/dev/null 2>&1 || { \
	  echo "Installing Debian's chromium for the browser tests (needs root)"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-dejavu-core; }

# The SSH deploy key tests push to a real sshd of their own on a free port: Debian's
# openssh-server (and the ssh client) if missing (as root).
sshd:
	@test -x /usr/sbin/sshd && command -v ssh >/dev/null 2>&1 || { \
	  echo "Installing Debian's openssh-server for the SSH deploy key tests (needs root)"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq openssh-server openssh-client; }

# The single sign-on tests run a real OpenID Connect provider (the npm package oidc-provider) with
# Node.js: Debian's nodejs and npm if missing (as root), then npm ci into tests/oidc/provider/.
OIDC_PROVIDER := tests/oidc/provider/node_modules/oidc-provider/package.json
oidc-provider: $(OIDC_PROVIDER)

$(OIDC_PROVIDER): tests/oidc/provider/package-lock.json
	@{ command -v node && command -v npm; } >/dev/null 2>&1 || { \
	  echo "Installing Debian's nodejs and npm for the single sign-on tests (needs root)"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nodejs npm; }
	cd tests/oidc/provider && npm ci --no-audit --no-fund --loglevel=error
	touch $@

lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports --no-cache

format: setup
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

test: setup browser oidc-provider sshd lint
	$(BIN)/python manage.py makemigrations --check --dry-run
	$(BIN)/pytest $(PYTEST_ARGS)

# make test without the browser: what CI runs again on the newest Python the machine has (on
# PostgreSQL). UNIT_ARGS adds pytest options (.ci/run leaves out tests/corpus there).
test-unit: setup oidc-provider sshd
	$(BIN)/python manage.py makemigrations --check --dry-run
	$(BIN)/pytest -m "not browser$(if $(ADROIT_CORPUS),, and not corpus)" $(UNIT_ARGS)

# The browser tests alone: what CI runs beside test-unit, on SQLite and then on PostgreSQL. They
# spend most of their time waiting for pages, not on a core. BROWSER_ARGS adds pytest options.
test-browser: setup browser oidc-provider sshd
	$(BIN)/pytest -m browser $(BROWSER_ARGS)

# Not part of `make test`: seeds bench/bench.sqlite3 (or DATABASE_URL, a database named *bench*),
# serves it with gunicorn, loads it with locust. BENCH_SECONDS=5 for a quick look.
$(VENV)/.installed-bench: $(STAMP)
	$(BIN)/python -m pip install --quiet -c constraints.txt -e ".[dev,bench]"
	touch $@

# Not part of `make test`: two gunicorn servers and two workers on PostgreSQL (a database named
# adroit_scale, made again each run) and Redis (127.0.0.1:6379/5), 100 people for 60 s
# (SCALE_SECONDS). Needs both running; figures in docs/scaling.md.
scale: setup
	$(BIN)/python bench/scale.py

bench: $(VENV)/.installed-bench
	$(BIN)/python bench/run.py
	$(BIN)/python bench/site.py
	$(MAKE) bench-packs

# Board packs (issue 16): a 50-decision pack beside WeasyPrint alone on the same document (<= 1.3x)
# and a 200-decision pack's peak memory (< 1 GiB); bench/results/packs.json, a few minutes.
bench-packs: $(STAMP)
	$(BIN)/python bench/packs.py

# Issue 20, also the last step of `make bench`: the static site of 1,000 decisions beside
# log4brains 1.1's build (installed from npm into .interop-cache/; its recorded figure without npm).
bench-site: setup
	$(BIN)/python bench/site.py

clean:
	rm -rf $(VENV) .venv-newest staticfiles .pytest_cache .ruff_cache

# Reliability (issue 8): exit non-zero when a check fails; figures go to bench/results/reliability.json
# and docs/reliability.md. `fault` restarts the local PostgreSQL for a few seconds.
load: setup
	$(BIN)/python bench/reliability.py load

fault: setup
	DATABASE_URL=$${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/adroit} $(BIN)/python bench/reliability.py fault

# Issue 13: each kind of hostile request beside a normal user, on gunicorn as the Dockerfile runs
# it; fails when the user's page p95 doubles, a 5xx answers or a worker is killed (a few minutes).
hostile: setup
	$(BIN)/python bench/hostile.py

# Not part of `make test` (needs node, npm and the npm registry; a few minutes): installs
# log4brains 1.1 and adr-tools into .interop-cache/, exports the example workspace and checks that
# both tools read every decision, status, date and link. Results go to docs/interop.md.
interop: setup
	$(BIN)/python interop/check.py
