# Two commands on a fresh machine (Python 3.11+ and make): `make demo` and `make test`.
# Each creates the virtual environment from uv.lock first; uv itself comes from PyPI at a pinned version.

SHELL := /bin/bash
PYTHON ?= python3
UV_VERSION := 0.13.8
TOOLS := .tools
UV := $(TOOLS)/bin/uv
VENV := .venv
BIN := $(VENV)/bin
# Every CPT_* setting, DAGSTER_HOME and their defaults are in orchestration/settings.py: `cpt` fills them in itself,
# and the targets below that start Dagster or dbt directly go through it ($(SETTINGS) COMMAND…).
SETTINGS = $(BIN)/python -m orchestration.settings
export DBT_PROFILES_DIR := $(CURDIR)/dbt_project
UI_PORT ?= 3000
DOCS_PORT ?= 8580
MANIFEST := dbt_project/target/manifest.json
# The Azure Storage emulator (Azurite, from the npm registry, pinned by its lock file) the Azure Blob tests start.
AZURITE := tests/azurite/node_modules/.bin/azurite-blob
DBT_SOURCES := $(shell find dbt_project -path dbt_project/target -prune -o -type f \( -name '*.sql' -o -name '*.yml' -o -name '*.csv' \) -print)

.PHONY: demo test ui docs lint format install clean focus-validate bench-tokens bench bench-backfill bench-engines bench-forecast kill-loop \
	system-packages browser reports-preview

demo: $(VENV)/.synced $(MANIFEST) system-packages  ## generate the sample months, run every asset through Dagster, print CPT and where the reports are
	$(BIN)/cpt demo

test: $(VENV)/.synced $(MANIFEST) $(AZURITE) system-packages browser  ## lint, then the whole test suite (a file's tests on one of TEST_WORKERS workers)
	$(BIN)/ruff check . && $(BIN)/ruff format --check . && $(BIN)/mypy
	$(BIN)/pytest -n $(or $(TEST_WORKERS),2) --dist loadfile --durations=15

ui: $(VENV)/.synced $(MANIFEST)  ## the Dagster UI on http://127.0.0.1:$(UI_PORT)
	$(SETTINGS) $(BIN)/python -m orchestration.housekeeping
	PATH="$(CURDIR)/$(BIN):$$PATH" env --default-signal=INT,TERM $(SETTINGS) $(BIN)/dagster dev -w workspace.yaml -h 127.0.0.1 -p $(UI_PORT)

# The catalog (column types) is read from the warehouse build of $CPT_DATA_DIR (after `make demo` or `cpt run`).
docs: $(VENV)/.synced $(MANIFEST)  ## the dbt docs site (models, columns, tests, lineage) on http://127.0.0.1:$(DOCS_PORT)
	$(SETTINGS) sh -c 'mkdir -p "$$CPT_DATA_DIR/warehouse/build"'
	$(SETTINGS) $(BIN)/dbt docs generate --quiet --project-dir dbt_project --target-path target/docs
	$(SETTINGS) $(BIN)/dbt docs serve --project-dir dbt_project --host 127.0.0.1 --port $(DOCS_PORT) --no-browser --target-path target/docs

focus-validate: $(VENV)/.synced  ## FOCUS 1.2 conformance (installs the validator's own Python 3.12 venv)
	$(BIN)/pytest tests/conformance -s -q

bench: $(VENV)/.synced  ## the whole pipeline at SCALE=S|M|L|3L against the DuckDB floor; appends to BENCHMARKS.md
	$(BIN)/python -m orchestration.bench.pipeline --scale $(or $(SCALE),S) --repeat $(or $(REPEAT),3) --write BENCHMARKS.md

bench-engines: $(VENV)/.synced system-packages  ## the dbt build and an incremental day on DuckDB and on Spark (local session) at SCALE=M; tables compared; appends to BENCHMARKS.md
	$(BIN)/python -m orchestration.bench.engines --scale $(or $(SCALE),M) --write BENCHMARKS.md

bench-backfill: $(VENV)/.synced  ## N months of history through `cpt run` (MONTHS="1 3 6" at SCALE=M): seconds per month; appends to BENCHMARKS.md
	$(BIN)/python -m orchestration.bench.backfill --scale $(or $(SCALE),M) --months $(or $(MONTHS),1 3 6) --write BENCHMARKS.md

bench-tokens: $(VENV)/.synced  ## 5M gateway log lines → bronze: records/s and peak RSS against DuckDB's floor
	$(BIN)/python -m ingest.bench.token_logs --lines $(or $(LINES),5000000) --repeat $(or $(REPEAT),3)

bench-forecast: $(VENV)/.synced  ## 1,000 daily series through the forecast step against the seasonal naive baseline
	$(BIN)/python -m ingest.bench.forecast --series $(or $(SERIES),1000) --days 180 --repeat $(or $(REPEAT),3) --write BENCHMARKS.md

kill-loop: $(VENV)/.synced $(MANIFEST)  ## kill `cpt run` at named points and KILLS random moments; each rerun must match
	$(BIN)/python -m tests.reliability.kill_loop --kills $(or $(KILLS),20) --seed $(or $(SEED),1)

lint: $(VENV)/.synced  ## ruff (style, imports, format), mypy (types of ingest/ and orchestration/), sqlfluff (dbt SQL)
	$(BIN)/ruff check . && $(BIN)/ruff format --check . && $(BIN)/mypy
	$(call with_scratch_warehouse,$(BIN)/sqlfluff lint dbt_project --processes 2)

format: $(VENV)/.synced
	$(BIN)/ruff format . && $(BIN)/ruff check --fix .
	$(call with_scratch_warehouse,$(BIN)/sqlfluff fix dbt_project --processes 2)

# sqlfluff's dbt templater compiles the project, which opens the profile's DuckDB file: give it a scratch one.
with_scratch_warehouse = scratch=$$(mktemp -d) && mkdir -p "$$scratch/warehouse/build" && \
	CPT_DATA_DIR="$$scratch" $(1); status=$$?; rm -rf "$$scratch"; exit $$status

install: $(VENV)/.synced system-packages

$(AZURITE): tests/azurite/package-lock.json
	npm ci --prefix tests/azurite --no-audit --no-fund --ignore-scripts --loglevel=error
	touch $@

# Debian packages the monthly reports need, installed with apt-get when one is missing (as root, or with sudo):
# Pango for WeasyPrint's text layout and DejaVu fonts (the PDFs), poppler-utils (pdftoppm, pdftotext: previews and
# the tests that read the PDFs), and Java 17 for the Spark engine's local session (dbt-spark, pyspark).
SYSTEM_PACKAGES := libpango-1.0-0 libpangoft2-1.0-0 fonts-dejavu-core poppler-utils openjdk-17-jre-headless
SUDO := $(if $(filter 0,$(shell id -u)),,sudo)
define apt_install
	@missing=$$(for p in $(1); do dpkg -s $$p >/dev/null 2>&1 || echo $$p; done); \
	if [ -n "$$missing" ]; then \
		echo "installing Debian packages: $$missing"; \
		$(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq $$missing >/dev/null; \
	fi
endef

system-packages:
	$(call apt_install,$(SYSTEM_PACKAGES))

# Debian's Chromium, headless: the showback page's screenshot (make reports-preview, and its test in make test).
browser:
	$(call apt_install,chromium)

reports-preview: $(VENV)/.synced system-packages browser  ## every PDF page of a month's reports as PNG, the showback page in headless Chromium
	$(SETTINGS) $(BIN)/python -m ingest.reports.preview $(if $(MONTH),--month $(MONTH))

$(UV):
	$(PYTHON) -m venv $(TOOLS)
	$(TOOLS)/bin/pip install --quiet --disable-pip-version-check uv==$(UV_VERSION)

# Where the environment sets PYTHONDONTWRITEBYTECODE (this CI machine does), Python never caches compiled
# modules, so every dbt and Dagster process would compile their sources again (~2 s each): compile once here.
SYNC_FLAGS := $(if $(PYTHONDONTWRITEBYTECODE),--compile-bytecode)

$(VENV)/.synced: uv.lock pyproject.toml | $(UV)
	$(UV) sync --quiet --frozen $(SYNC_FLAGS) --python $(PYTHON)
	touch $@

$(MANIFEST): $(VENV)/.synced $(DBT_SOURCES)
	cd dbt_project && ../$(BIN)/dbt parse --quiet
	touch $@

clean:
	rm -rf data dbt_project/target dbt_project/logs .pytest_cache .focus-venv
