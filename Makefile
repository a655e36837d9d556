# ankommen — two commands on a fresh machine: `make run` and `make test`.
# Everything else is installed by these targets: uv (pinned, into .tools/), then the locked
# workspace (into .venv/).

PYTHON ?= python3
UV_VERSION := 0.13.8
UV := .tools/bin/uv
RUN := $(UV) run --frozen

.PHONY: run test verify install browser lint schemas migrate topics broker clean help demo bench

help:
	@echo "make run      start the whole system (embedded broker, SQLite, four services)"
	@echo "make test     install everything and run all tests"
	@echo "make verify   the reliability proof alone, then its figures into docs/reliability.md"
	@echo "make demo     load a populated Landkreis Heidekreis into the running stack (PEOPLE=1500)"
	@echo "make bench    benchmarks B1-B7 with baselines; writes bench/results.json (ONLY=B5)"
	@echo "make lint     ruff and the import-linter contracts"
	@echo "make schemas  regenerate docs/events/ from the event models"

$(UV):
	$(PYTHON) -m venv .tools
	.tools/bin/pip install --quiet --disable-pip-version-check uv==$(UV_VERSION)

.venv/.installed: $(UV) uv.lock pyproject.toml shared/pyproject.toml services/*/pyproject.toml
	$(UV) sync --frozen
	@touch $@

install: .venv/.installed

run: install
	$(RUN) ankommen run

# Page tests drive Debian's chromium (no browser download by a test tool).
browser:
	@command -v chromium >/dev/null 2>&1 || { \
	  echo "installing Debian's chromium and kcat for the browser and provider tests"; \
	  SUDO=$$([ "$$(id -u)" = 0 ] || echo sudo); \
	  $$SUDO apt-get update -qq && $$SUDO apt-get install -y -qq chromium kcat; }
	@command -v kcat >/dev/null 2>&1 || { SUDO=$$([ "$$(id -u)" = 0 ] || echo sudo); \
	  $$SUDO apt-get install -y -qq kcat || { $$SUDO apt-get update -qq && $$SUDO apt-get install -y -qq kcat; }; }

test: install browser
	$(RUN) pytest

# The reliability proof (tests marked `reliability`; the crash proof with 10,000 cases where
# `make test` streams 1,000): fresh figures, the tests, then the figures section of
# docs/reliability.md rewritten from them — also when a test failed, so the document shows what
# the run found; the exit status is the tests'.
FIGURES := var/verify/figures.json
verify: install browser
	rm -f $(FIGURES)
	ANKOMMEN_CRASH_CASES=$${ANKOMMEN_CRASH_CASES:-10000} ANKOMMEN_FIGURES_FILE=$(FIGURES) \
	  $(RUN) pytest -m reliability -p no:cacheprovider; \
	  status=$$?; ANKOMMEN_FIGURES_FILE=$(FIGURES) $(RUN) python -m tests.reliability.report; \
	  exit $$status

# A synthetic county through the services' real APIs; needs `make run` in another terminal.
demo: install
	$(RUN) ankommen-demo $(if $(PEOPLE),--people $(PEOPLE))

# Each benchmark against a baseline measured in the same run (bench/README.md).
bench: install
	$(RUN) python -m bench $(if $(ONLY),--only $(ONLY))

lint: install
	$(RUN) ruff check shared services tests tools bench
	$(RUN) lint-imports

schemas: install
	$(RUN) ankommen events schemas --out docs/events

migrate: install
	$(RUN) ankommen migrate

topics: install
	$(RUN) ankommen topics create

broker: install
	$(RUN) ankommen broker

clean:
	rm -rf .venv .tools var .pytest_cache .ruff_cache
