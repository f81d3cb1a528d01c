# Two commands do all the setup on a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python

.PHONY: run test stop lint messages bench

$(VENV)/.installed: requirements.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements.txt
	touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --silent --no-audit --no-fund
	touch $@

# node_modules holds Designsystemet's CSS, which every page links (settings.STATICFILES_DIRS).
run: $(VENV)/.installed node_modules/.installed
	$(PY) -m config.dev.devstack

test: $(VENV)/.installed node_modules/.installed
	$(VENV)/bin/lint-imports
	sh tests/setup_browser.sh
	$(PY) -m pytest

stop: $(VENV)/.installed
	$(PY) -m config.dev.embedded stop

lint: $(VENV)/.installed
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

messages: $(VENV)/.installed
	$(PY) manage.py makemessages -l nb --ignore=.venv --ignore=node_modules --ignore=.data --ignore=tests
	$(PY) manage.py compilemessages -l nb --ignore=.venv
