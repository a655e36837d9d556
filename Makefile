# ankommen — two commands on a fresh machine: `make run` and `make test`.
# Everything else is installed by these targets: uv (pinned, into .tools/), then the locked
# workspace (into .venv/).

PYTHON ?= python3
UV_VERSION := 0.13.8
UV := .tools/bin/uv
RUN := $(UV) run --frozen

.PHONY: run test test-services verify install browser fonts dev-idp asyncapi-validator lint schemas migrate topics broker clean help demo bench bench-all wrk duplicate-report

help:
	@echo "make run      start the whole system (embedded broker, SQLite, four services)"
	@echo "make test     install everything and run all tests"
	@echo "make verify   the reliability proof alone, then its figures into docs/reliability.md"
	@echo "make demo     load a populated Landkreis Heidekreis into the running stack (PEOPLE=1500)"
	@echo "make bench    benchmarks B1-B8 with baselines; writes bench/results.json (ONLY=B5,"
	@echo "              BROKER=kafka for Apache Kafka, DATABASE=postgresql for PostgreSQL)"
	@echo "make bench-all  make bench on SQLite and PostgreSQL, each with both brokers"
	@echo "make lint     ruff, pyright (strict) and the import-linter contracts"
	@echo "make duplicate-report  retrain the duplicate check, its holdout figures into docs/intake.md"
	@echo "make schemas  regenerate docs/events/ and docs/asyncapi/ from the code"

$(UV):
	$(PYTHON) -m venv .tools
	.tools/bin/pip install --quiet --disable-pip-version-check uv==$(UV_VERSION)

.venv/.installed: $(UV) uv.lock pyproject.toml shared/pyproject.toml services/*/pyproject.toml \
                  tools/pyproject.toml
	$(UV) sync --frozen
	@touch $@

install: .venv/.installed

# The whole system on one machine. The broker is Apache Kafka where Java 17+ and Maven are
# installed (Maven resolves it on the first run only; its log in var/kafka survives restarts),
# else the in-memory Tansu broker; the first line says which (ANKOMMEN_EMBEDDED_BROKER forces it).
run: install fonts dev-idp
	$(RUN) ankommen run

# Intake's invitation letter (and assignment's coordination-round PDF) is set in Debian's Noto
# fonts (Arabic, Ethiopic, Latin, Cyrillic): found by path at run time, never downloaded.
NOTO_ARABIC := /usr/share/fonts/truetype/noto/NotoNaskhArabic-Regular.ttf
fonts:
	@test -f $(NOTO_ARABIC) || { \
	  echo "installing Debian's fonts-noto-core for intake's invitation letter"; \
	  SUDO=$$([ "$$(id -u)" = 0 ] || echo sudo); \
	  $$SUDO apt-get update -qq && $$SUDO apt-get install -y -qq fonts-noto-core; }

# The identity provider of development and tests (deploy/dev-idp: panva's oidc-provider, a real
# OpenID Connect server with the five roles as ready-made users) needs Node.js 20.19+; `npm ci`
# installs exactly package-lock.json once, and nothing is fetched after that.
DEV_IDP := deploy/dev-idp
dev-idp: $(DEV_IDP)/node_modules/.installed
$(DEV_IDP)/node_modules/.installed: $(DEV_IDP)/package.json $(DEV_IDP)/package-lock.json
	@command -v node >/dev/null 2>&1 || { \
	  echo "installing Debian's nodejs and npm for the development identity provider"; \
	  SUDO=$$([ "$$(id -u)" = 0 ] || echo sudo); \
	  $$SUDO apt-get update -qq && $$SUDO apt-get install -y -qq nodejs npm; }
	cd $(DEV_IDP) && npm ci --no-audit --no-fund --loglevel=error
	@touch $@

# The official AsyncAPI parser (@asyncapi/parser, Node.js like the identity provider above),
# with which a test validates docs/asyncapi/; `npm ci` installs exactly its package-lock.json.
ASYNCAPI_VALIDATOR := deploy/asyncapi-validator
asyncapi-validator: $(ASYNCAPI_VALIDATOR)/node_modules/.installed
$(ASYNCAPI_VALIDATOR)/node_modules/.installed: $(ASYNCAPI_VALIDATOR)/package.json \
                                               $(ASYNCAPI_VALIDATOR)/package-lock.json | dev-idp
	cd $(ASYNCAPI_VALIDATOR) && npm ci --no-audit --no-fund --loglevel=error
	@touch $@

# Page tests drive Debian's chromium (no browser download by a test tool).
browser:
	@command -v chromium >/dev/null 2>&1 || { \
	  echo "installing Debian's chromium and kcat for the browser and provider tests"; \
	  SUDO=$$([ "$$(id -u)" = 0 ] || echo sudo); \
	  $$SUDO apt-get update -qq && $$SUDO apt-get install -y -qq chromium kcat; }
	@command -v kcat >/dev/null 2>&1 || { SUDO=$$([ "$$(id -u)" = 0 ] || echo sudo); \
	  $$SUDO apt-get install -y -qq kcat || { $$SUDO apt-get update -qq && $$SUDO apt-get install -y -qq kcat; }; }

# What the tests need besides Python: PostgreSQL (Debian's, installed and started by the script
# unless one already listens on 127.0.0.1:5432), Java 17+ and Maven (Debian's, if missing), and
# the pinned Apache Kafka (org.apache.kafka:kafka_2.13, see
# tools/src/ankommen/tools/apache_kafka/pom.xml) resolved once from Maven Central.
ANKOMMEN_TEST_POSTGRES_URL ?= postgresql+asyncpg://postgres@127.0.0.1:5432/test
export ANKOMMEN_TEST_POSTGRES_URL

test-services: install
	bash tools/test-postgres.sh
	@{ command -v java >/dev/null 2>&1 && command -v mvn >/dev/null 2>&1; } || { \
	  echo "installing Debian's Java and Maven (they run and resolve Apache Kafka)"; \
	  SUDO=$$([ "$$(id -u)" = 0 ] || echo sudo); \
	  $$SUDO apt-get update -qq && $$SUDO apt-get install -y -qq default-jre-headless maven; }
	$(RUN) python -m ankommen.tools.apache_kafka

# Three workers (pytest-xdist) on the two cores, each with its own Kafka broker: most tests wait
# on a broker, a browser or a deliberate outage (a quarter of the CPU stayed idle with two), so
# three fill the waits. They take the tests one at a time, longest first (tests/conftest.py), so
# that no long test is left for the end. Bytecode caches go to the temporary folder: no test
# writes into the source tree (a test checks that). They must be written: a machine that sets
# PYTHONDONTWRITEBYTECODE makes every service process compile its imports again (6.5 s of CPU
# per start instead of 2 s; the suite starts a few hundred processes).
PYTEST_WORKERS ?= 3
export PYTHONPYCACHEPREFIX ?= $(or $(TMPDIR),/tmp)/ankommen-pycache
unexport PYTHONDONTWRITEBYTECODE

test: install browser fonts dev-idp asyncapi-validator wrk test-services
	$(RUN) pytest -n $(PYTEST_WORKERS) --dist load --maxschedchunk 1 --durations=25

# The reliability proof (tests marked `reliability`; the crash proof with 10,000 cases where
# `make test` streams 500; the full attribute-disclosure attack, ANKOMMEN_VERIFY=1, where
# `make test` runs its quick version): fresh figures, the tests, then the figures section of
# docs/reliability.md rewritten from them — also when a test failed, so the document shows what
# the run found; the exit status is the tests'.
FIGURES := var/verify/figures.json
verify: install browser fonts test-services
	rm -f $(FIGURES)
	ANKOMMEN_VERIFY=1 ANKOMMEN_CRASH_CASES=$${ANKOMMEN_CRASH_CASES:-10000} \
	  ANKOMMEN_FIGURES_FILE=$(FIGURES) \
	  $(RUN) pytest -m reliability -p no:cacheprovider; \
	  status=$$?; ANKOMMEN_FIGURES_FILE=$(FIGURES) $(RUN) python -m tests.reliability.report; \
	  exit $$status

# A synthetic county through the services' real APIs; needs `make run` in another terminal.
demo: install
	$(RUN) ankommen-demo $(if $(PEOPLE),--people $(PEOPLE))

# B3's load comes from Debian's wrk (a compiled load generator), installed here if missing; the
# tests check its request script (tests/tools/test_bench_b3_wrk.py), so `make test` needs it too.
wrk:
	@command -v wrk >/dev/null 2>&1 || { \
	  echo "installing Debian's wrk for B3's load"; \
	  SUDO=$$([ "$$(id -u)" = 0 ] || echo sudo); \
	  $$SUDO apt-get update -qq && $$SUDO apt-get install -y -qq wrk; }

# Each benchmark against a baseline measured in the same run (docs/performance.md).
# BROKER=kafka: Apache Kafka (ankommen.tools.apache_kafka) instead of the embedded broker;
# DATABASE=postgresql: fresh PostgreSQL databases on the test server (tools/test-postgres.sh
# starts it if none answers) instead of SQLite. results.json keeps a line per benchmark,
# figure, database and broker, so the four combinations sit side by side.
BENCH_POSTGRES_URL ?= postgresql+asyncpg://postgres@127.0.0.1:5432/test
BENCH_COMBINATIONS ?= sqlite/embedded sqlite/kafka postgresql/embedded postgresql/kafka
bench: install wrk
	$(if $(filter postgresql,$(DATABASE)),bash tools/test-postgres.sh)
	env $(if $(filter sqlite,$(DATABASE)),-u ANKOMMEN_BENCH_POSTGRES_URL) \
	  $(if $(filter postgresql,$(DATABASE)),ANKOMMEN_BENCH_POSTGRES_URL=$(BENCH_POSTGRES_URL)) \
	  ANKOMMEN_BENCH_BROKER=$(or $(BROKER),embedded) $(RUN) python -m bench $(if $(ONLY),--only $(ONLY))

# Every combination of database and broker in turn (ONLY= applies to each).
bench-all: install wrk
	bash tools/test-postgres.sh
	@for combination in $(BENCH_COMBINATIONS); do \
	  database=$${combination%/*}; broker=$${combination#*/}; \
	  echo "== make bench on $$database with the $$broker broker"; \
	  $(MAKE) --no-print-directory bench DATABASE=$$database BROKER=$$broker \
	    $(if $(ONLY),ONLY=$(ONLY)) || exit 1; \
	done

# Duplicate detection: the match model trained on the train split of the labelled pairs, then
# evaluated on the holdout split only; figures and per-category table into docs/intake.md.
duplicate-report: install
	$(RUN) python -m tests.intake.matching.train
	$(RUN) python -m tests.intake.matching.evaluate holdout --write-docs

lint: install
	$(RUN) ruff check shared services tests tools bench
	$(RUN) pyright --project .
	$(RUN) lint-imports

# The event schemas (docs/events/) and each service's AsyncAPI document (docs/asyncapi/, as
# its GET /asyncapi.json serves it); tests fail when either is stale.
ASYNCAPI_SERVICES := intake assignment progress monitoring
schemas: install
	$(RUN) ankommen events schemas --out docs/events
	@mkdir -p docs/asyncapi
	@for service in $(ASYNCAPI_SERVICES); do \
	  $(RUN) ankommen-$$service asyncapi --out docs/asyncapi/$$service.json || exit 1; \
	  echo "docs/asyncapi/$$service.json written"; \
	done

migrate: install
	$(RUN) ankommen migrate

# As the admin of `make run`'s Kafka (its password under var/kafka/credentials) when there is one.
topics: install
	$(if $(wildcard var/kafka/credentials/admin),ANKOMMEN_KAFKA_USERNAME=admin ANKOMMEN_KAFKA_PASSWORD_FILE=var/kafka/credentials/admin ANKOMMEN_KAFKA_CREDENTIALS_DIR=var/kafka/credentials) $(RUN) ankommen topics create

# The broker of `make run` alone (Apache Kafka or Tansu, as above), with every topic.
broker: install
	$(RUN) ankommen broker

clean:
	rm -rf .venv .tools var .pytest_cache .ruff_cache
