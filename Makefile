# Two commands do everything on a fresh Debian/Ubuntu machine with Python 3.11+:
#   make run   set up, load the demo course and serve on http://127.0.0.1:8000 with a Celery worker
#   make test  set up what the tests need and run the whole suite
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
# Debian packages: WeasyPrint's Pango/HarfBuzz, poppler-utils for the PDF checks,
# Chromium for the browser tests, gettext for translation catalogues.
# (poppler-utils also draws the certificate preview in the admin).
DEB_RUN := libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz0b libharfbuzz-subset0 poppler-utils
DEB_TEST := $(DEB_RUN) chromium gettext
QUEUES := grading,certificates,notifications,default

.PHONY: run test install install-test system-deps-run system-deps-test worker lint lint-imports test-minimal-host lock lock-compile lock-check audit clean

# Installs come from the lock files in requirements/ (exact versions with hashes, for
# Python 3.11+ on every platform); pyproject.toml keeps the compatible ranges they are
# compiled from. A hash-checked install refuses an editable requirement, so the plugin set
# (pyproject.toml) and the site (site/pyproject.toml) are installed after the lock, without
# their dependencies and with the locked setuptools.
LOCK_BASE := requirements/base.txt
LOCK_TEST := requirements/test.txt
LOCK_INPUTS := pyproject.toml site/pyproject.toml requirements/build.in
PIP_LOCKED = $(PY) -m pip install --quiet --require-hashes
PIP_PROJECT = $(PY) -m pip install --quiet --no-deps --no-build-isolation -e . -e site/

$(PY):
	$(PYTHON) -m venv $(VENV)

$(VENV)/.installed: $(LOCK_BASE) pyproject.toml site/pyproject.toml | $(PY)
	$(PIP_LOCKED) -r $(LOCK_BASE)
	$(PIP_PROJECT)
	touch $@

$(VENV)/.installed-test: $(LOCK_TEST) pyproject.toml site/pyproject.toml | $(PY)
	$(PIP_LOCKED) -r $(LOCK_TEST)
	$(PIP_PROJECT)
	touch $@ $(VENV)/.installed

# make lock: compile the lock files again from pyproject.toml, keeping every pin that still
# satisfies its range (so it changes only what pyproject.toml changed).
# make lock UPGRADE=1: every dependency to its newest allowed version;
# make lock UPGRADE=django: just that one (and what it needs).
LOCK_UPGRADE = $(if $(UPGRADE),$(if $(filter 1,$(UPGRADE)),--upgrade,$(foreach p,$(UPGRADE),--upgrade-package $(p))))
lock: $(VENV)/.installed-test
	$(MAKE) --no-print-directory lock-compile UV=$(CURDIR)/$(VENV)/bin/uv

# The test lock is compiled under the production one (-c), so both pin a shared package alike.
UV ?= $(VENV)/bin/uv
lock-compile:
	$(UV) pip compile --quiet --universal --python-version 3.11 --generate-hashes \
	  --custom-compile-command "make lock" $(LOCK_UPGRADE) $(LOCK_INPUTS) -o $(LOCK_BASE)
	$(UV) pip compile --quiet --universal --python-version 3.11 --generate-hashes \
	  --custom-compile-command "make lock" $(LOCK_UPGRADE) --extra test $(LOCK_INPUTS) \
	  -c $(LOCK_BASE) -o $(LOCK_TEST)

# Fails when the lock files no longer match pyproject.toml (a dependency added, removed or
# given a range the lock does not satisfy). It compiles a copy again without upgrading, so a
# new upstream release alone changes nothing and never fails it.
lock-check: $(VENV)/.installed-test
	@tmp=$$(mktemp -d); trap 'rm -rf "$$tmp"' EXIT; \
	mkdir "$$tmp"/requirements; \
	mkdir "$$tmp"/site; cp site/pyproject.toml "$$tmp"/site/; \
	cp pyproject.toml README.md "$$tmp"/; cp requirements/* "$$tmp"/requirements/; \
	$(MAKE) --no-print-directory -C "$$tmp" -f $(CURDIR)/Makefile lock-compile UV=$(CURDIR)/$(VENV)/bin/uv \
	  && diff -u $(LOCK_BASE) "$$tmp"/$(LOCK_BASE) && diff -u $(LOCK_TEST) "$$tmp"/$(LOCK_TEST) \
	  && echo "Lock files match pyproject.toml." \
	  || { echo "The lock files do not match pyproject.toml: run 'make lock' and commit requirements/." >&2; exit 1; }

install: system-deps-run $(VENV)/.installed
install-test: system-deps-test $(VENV)/.installed-test

# Installs missing Debian packages when run as root; otherwise names them and stops.
define ensure_debs
	@missing=""; for deb in $(1); do \
	  dpkg-query -W -f='$${Status}' $$deb 2>/dev/null | grep -q "install ok installed" || missing="$$missing $$deb"; \
	done; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    echo "Installing Debian packages:$$missing"; \
	    apt-get update -qq || true; \
	    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$missing >/dev/null; \
	  else \
	    echo "Missing Debian packages:$$missing. Install them with: sudo apt-get install$$missing" >&2; \
	    exit 1; \
	  fi; \
	fi
endef

system-deps-run:
	$(call ensure_debs,$(DEB_RUN))
system-deps-test:
	$(call ensure_debs,$(DEB_TEST))

# make run ADDRESS=0.0.0.0:8080 SITE_URL=http://192.168.1.20:8080 serves elsewhere (phones on
# the same Wi-Fi, another port); SITE_URL is the address people open, which QR codes, claim
# links and the printed demo logins use. ALLOWED_HOSTS must name its host.
ADDRESS ?= 127.0.0.1:8000
SITE_URL ?= http://$(ADDRESS)
run: export SITE_URL := $(SITE_URL)
run: install
	$(PY) manage.py migrate --noinput
	# The design first: the demo cohort's certificates are issued with it.
	$(PY) manage.py load_demo_certificate_design
	$(PY) manage.py load_demo_course
	@echo "Serving on $(SITE_URL) (admin: /admin/). Ctrl-C stops the web server and the worker."
	@trap 'kill 0' INT TERM EXIT; \
	  $(VENV)/bin/celery -A npv_site worker --beat -Q $(QUEUES) --concurrency 2 --loglevel INFO & \
	  $(PY) manage.py runserver $(ADDRESS) & \
	  wait

worker: install
	$(VENV)/bin/celery -A npv_site worker --beat -Q $(QUEUES) --concurrency 2 --loglevel INFO

# Second step: the plugins in a minimal host of their own (tests/minimal_host/: its own
# settings, home page, user model and base.html, none of the site), in a pytest of its own,
# with the plugins' tests that need nothing of the site: grading rules, Thai dates, quiz
# attempts and grading, progress, the quiz admin, the base-template contract, My learning's
# panels, certificate fonts, rendering and WeasyPrint internals (docs/plugins.md says which
# stay in the site's suite).
MINIMAL_HOST_TESTS = tests/minimal_host tests/test_grading.py tests/test_thai_dates.py \
  tests/test_quiz_attempts.py tests/test_progress.py tests/test_quiz_admin.py \
  tests/test_plugin_templates.py \
  tests/test_my_learning_panels.py tests/test_certificate_fonts.py \
  tests/test_certificate_rendering.py tests/test_weasyprint_internals.py
MINIMAL_HOST_PYTEST = $(VENV)/bin/pytest -p no:cacheprovider --confcutdir=tests/minimal_host \
  --ds=tests.minimal_host.settings $(MINIMAL_HOST_TESTS)
# Both steps run even when the first fails, so a run names every failure; either fails it.
test: install-test
	@status=0; \
	$(VENV)/bin/pytest $(PYTEST_ARGS) || status=$$?; \
	echo "== The plugins in a minimal host (tests/minimal_host)"; \
	$(MINIMAL_HOST_PYTEST) || status=$$?; \
	exit $$status

test-minimal-host: install-test
	$(MINIMAL_HOST_PYTEST)

lint: install-test
	$(VENV)/bin/ruff check .
	$(VENV)/bin/lint-imports
	$(PY) manage.py check
	$(PY) manage.py makemigrations --check --dry-run

# The import-linter contracts in pyproject.toml ([tool.importlinter]): the plugins never import
# the site, certificates reaches courses only through its public modules, no cycles inside an app.
lint-imports: install-test
	$(VENV)/bin/lint-imports --no-cache

# Known vulnerabilities in the installed packages. Asks PyPI's vulnerability data, so it needs
# the network; --strict fails the run when a package could not be checked, rather than
# reporting "no known vulnerabilities" for packages it never saw.
audit: install-test
	$(VENV)/bin/pip-audit --local --skip-editable --strict --progress-spinner off

clean:
	rm -rf $(VENV) var staticfiles .pytest_cache .ruff_cache
