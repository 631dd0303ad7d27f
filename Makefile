# vouchflow: `make demo` runs the main job on embedded defaults; `make test` runs the suite.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed-stamp
EXTRAS ?= dev

.PHONY: install demo up down status test lint format gateway samples bench clean browser eval-extraction promtool alerts

$(STAMP): pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check --upgrade pip
	$(PY) -m pip install --quiet --disable-pip-version-check -e '.[$(EXTRAS)]'
	@touch $(STAMP)

install: $(STAMP)

demo: install  ## start Temporal + worker, run the sample invoices, print where each rests
	$(PY) starter.py demo

up: install    ## Temporal dev server + worker in the background (logs in .vouchflow/logs)
	$(PY) -m vouchflow.runtime.services up

down:          ## stop what `make up` / `make demo` started
	@test -x $(PY) && $(PY) -m vouchflow.runtime.services down || true

status: install
	$(PY) -m vouchflow.runtime.services status

browser:       ## Chromium for the review page's browser test (Debian package; needs root or sudo)
	@command -v chromium >/dev/null || { \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get install -y -q chromium >/dev/null 2>&1 || \
	  { $$SUDO apt-get update -q >/dev/null && $$SUDO apt-get install -y -q chromium >/dev/null; }; }
	@command -v chromium

promtool:      ## promtool for the alert rules (Debian package prometheus; needs root or sudo)
	@command -v promtool >/dev/null || { \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get install -y -q --no-install-recommends prometheus >/dev/null 2>&1 || \
	  { $$SUDO apt-get update -q >/dev/null && \
	    $$SUDO apt-get install -y -q --no-install-recommends prometheus >/dev/null; }; }
	@command -v promtool

alerts: promtool  ## check deploy/prometheus/alerts.yml and run its unit tests
	cd deploy/prometheus && promtool check rules alerts.yml && promtool test rules alerts_test.yml

test: install  ## the whole suite
	$(PY) -m pytest -q

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy .

format: install
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

gateway: install  ## the HTTP gateway (Slack interactions, intake webhook)
	$(PY) -m vouchflow.gateway

samples: install  ## regenerate the bundled sample invoices
	$(PY) -m vouchflow.samples.generate

eval-extraction: install  ## field accuracy, auto-route precision and automation (needs ../shared/corpus)
	$(PY) -m evals.extraction_report

bench: install    ## throughput and latency on the embedded dev server
	$(PY) bench/bench_workflow.py

clean: down
	rm -rf .vouchflow
