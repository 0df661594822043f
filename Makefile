# The tail-latency lab. `make help` lists the targets.
SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON ?= python3
GO ?= go
VENV := .venv
PY := $(VENV)/bin/python
TOOLS := .tools/bin
# The collector builder's release; keep it equal to the modules in otel-collector/builder-config.yaml.
OCB_VERSION := v0.161.0

.PHONY: help venv tools up down logs local-up local-down local-status seed loadtest compare diagnose diagnose-compare scenarios scenario fix break test clean

help: ## List the targets
	@grep -hE '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-14s %s\n", $$1, $$2}'

# --- with Docker -------------------------------------------------------------------------
up: ## Start the stack with Docker Compose, wait until healthy, print the URLs
	docker compose up --build --detach --wait
	@echo; echo "  Jaeger UI   http://localhost:16686"; echo "  chat API    http://localhost:8000/docs"

down: ## Stop the Docker Compose stack
	docker compose down

logs: ## Follow the Docker Compose logs
	docker compose logs --follow

# --- without Docker ----------------------------------------------------------------------
venv: $(VENV)/.installed ## Create the virtualenv with the pinned Python packages

$(VENV)/.installed: requirements.lock requirements-dev.lock
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' || { echo "Python 3.11+ is required"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --disable-pip-version-check -r requirements-dev.lock
	touch $@

tools: $(TOOLS)/jaeger $(TOOLS)/otelcol-lab $(TOOLS)/ferretdb $(TOOLS)/composecheck redis ## Build the pinned collector, Jaeger, FerretDB; install Redis

$(TOOLS)/jaeger: tools/jaeger/go.mod tools/jaeger/go.sum
	cd tools/jaeger && $(GO) build -o $(CURDIR)/$@ github.com/jaegertracing/jaeger/cmd/jaeger

$(TOOLS)/ferretdb: tools/ferretdb/go.mod tools/ferretdb/go.sum tools/ferretdb/main.go
	cd tools/ferretdb && $(GO) build -o $(CURDIR)/$@ .

$(TOOLS)/composecheck: tools/composecheck/go.mod tools/composecheck/go.sum tools/composecheck/main.go
	cd tools/composecheck && $(GO) build -o $(CURDIR)/$@ .

$(TOOLS)/builder:
	GOBIN=$(CURDIR)/$(TOOLS) $(GO) install go.opentelemetry.io/collector/cmd/builder@$(OCB_VERSION)

$(TOOLS)/otelcol-lab: otel-collector/builder-config.yaml | $(TOOLS)/builder
	$(TOOLS)/builder --config otel-collector/builder-config.yaml
	cp .tools/otelcol-build/otelcol-lab $@

redis:
	@command -v redis-server >/dev/null || { apt-get update -qq && apt-get install -y -qq redis-server >/dev/null; } \
	  || { echo "install Debian's redis-server package (needs root)"; exit 1; }

local-up: venv tools ## Start the whole stack as local processes on 127.0.0.1, print the URLs
	$(PY) -m local_stack up

local-down: ## Stop the processes local-up started
	$(PY) -m local_stack down

local-status: ## Show the state of each local process
	$(PY) -m local_stack status

seed: venv ## Reload the demo data into the Mongo on 127.0.0.1:27017 (either stack); SEED_MESSAGES=N sizes it
	$(PY) -m local_stack seed

# --- the lab: load, scenarios -------------------------------------------------------------
RATE ?= 5
DURATION ?= 60

loadtest: venv ## Open-model load test of chat: RATE=req/s DURATION=s; prints percentiles and trace links
	$(PY) -m loadgen run --rate $(RATE) --duration $(DURATION)

compare: venv ## The last two load test reports side by side (before and after a fix)
	$(PY) -m loadgen compare

diagnose: venv ## Name the culprit of the last load test's slow requests, with evidence (also reports/diagnose-latest.md)
	$(PY) -m diagnose --markdown reports/diagnose-latest.md

diagnose-compare: venv ## The last two diagnoses side by side: did the fix work?
	$(PY) -m diagnose compare

scenarios: venv ## Which latency scenarios are on
	$(PY) -m loadgen scenarios

scenario: venv ## Switch one scenario: make scenario NAME=n_plus_one STATE=on
	$(PY) -m loadgen scenario $(NAME) $(STATE)

fix: venv ## Apply every fix (all scenarios off)
	$(PY) -m loadgen fix

break: venv ## Back to the write-up's incident (only missing_index on)
	$(PY) -m loadgen break

# --- tests -------------------------------------------------------------------------------
test: venv tools ## Unit and end-to-end tests against the real local stack
	LAB_REQUIRE_E2E=1 $(VENV)/bin/pytest

clean: ## Remove the virtualenv, built tools and local stack state
	rm -rf $(VENV) .tools .local
