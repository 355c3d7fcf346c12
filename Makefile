# tokodesk — `make run` serves the app with demo data; `make test` runs the whole suite.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
UV_VERSION := 0.13.9
PORT ?= 8000
export TOKODESK_DATA_DIR ?= $(CURDIR)/data

.PHONY: install run test lint fmt states screenshots messages clean

$(BIN)/uv:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check uv==$(UV_VERSION)

$(VENV)/.installed: $(BIN)/uv pyproject.toml uv.lock
	UV_PYTHON_DOWNLOADS=never $(BIN)/uv sync --frozen --inexact --python $(BIN)/python
	touch $@

install: $(VENV)/.installed

run: install
	$(BIN)/tokodesk migrate --no-input
	$(BIN)/tokodesk demo
	$(BIN)/tokodesk collectstatic --no-input --verbosity 0
	@echo ""
	@echo "tokodesk is starting on http://127.0.0.1:$(PORT)/"
	@echo "  Log in at:  http://127.0.0.1:$(PORT)/accounts/login/"
	@echo "  API docs:   http://127.0.0.1:$(PORT)/api/v1/docs"
	@echo "  Admin:      http://127.0.0.1:$(PORT)/admin/"
	@if [ "$${TOKODESK_DEMO:-1}" = "0" ]; then echo "  No demo (TOKODESK_DEMO=0): create your shop with  $(BIN)/tokodesk setup"; \
	else echo "  Demo logins (password: demo12345): owner, admin, agent1, agent2, agent3, gudang, keuangan, viewer"; fi
	@echo ""
	@# The worker (deadlines, background tasks) runs beside gunicorn and stops with it.
	@$(BIN)/tokodesk worker & worker=$$!; \
	trap 'kill -TERM $$worker 2>/dev/null; wait $$worker 2>/dev/null' EXIT; \
	trap 'exit 130' INT; trap 'exit 143' TERM; \
	echo "tokodesk worker is running (pid $$worker): cancellation deadlines, auto-completion, background tasks"; \
	$(BIN)/gunicorn config.wsgi:application --bind 127.0.0.1:$(PORT) --workers 2 --threads 4 --graceful-timeout 5 --access-logfile -

test: install
	scripts/test.sh

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

fmt: install
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

states: install
	$(BIN)/tokodesk render_states

screenshots: install
	$(BIN)/python scripts/screenshots.py

# Benchmark (issue 6; BENCHMARKS.md, bench/README.md), not part of `make test`: for each
# size and database a new temporary SQLite database, and PostgreSQL database
# tokodesk_bench_<pid> when PostgreSQL answers on BENCH_PG_URL (dropped after), generated
# orders, then page/API latencies, CSV export, API order creation over gunicorn and bulk
# confirm; bench/results/series-<db>-<N>.json and the tables of BENCHMARKS.md.
#   make bench BENCH_SIZES=10000 BENCH_DB=sqlite
#   make bench BENCH_SIZES=1000000 BENCH_DB=sqlite,postgresql
BENCH_SIZES ?= 10000,100000,1000000
BENCH_DB ?=
BENCH_PG_URL ?= postgresql://postgres@127.0.0.1:5432
BENCH_ARGS ?=
# issue 13's catalog bench: 10,000 variants × 5 warehouses and this many ledger movements
BENCH_LEDGER ?= 10000000
.PHONY: bench
bench: install
	$(BIN)/python bench/run_series.py --sizes $(BENCH_SIZES) $(if $(BENCH_DB),--db $(BENCH_DB)) --pg-url $(BENCH_PG_URL) $(BENCH_ARGS)
	$(BIN)/python bench/measure_catalog.py $(if $(BENCH_DB),--db $(BENCH_DB)) --pg-url $(BENCH_PG_URL) --ledger $(BENCH_LEDGER)

# The step after adding or changing UI strings: extract every gettext string of the apps
# (Python and templates) into the id and fr catalogs and compile them. Then translate each
# new or fuzzy entry in tokodesk/locale/*/LC_MESSAGES/django.po (no empty msgstr, no
# "#, fuzzy" left), run `make messages` again and commit the .po AND the .mo files.
# English is the source language: it has no catalog.
messages: install
	cd tokodesk && ../$(BIN)/tokodesk makemessages -l id -l fr --ignore "tests/*" --add-location file --no-obsolete
	cd tokodesk && ../$(BIN)/tokodesk compilemessages

clean:
	rm -rf $(VENV) data
