#!/usr/bin/env bash
# The whole test suite: always on SQLite, and on PostgreSQL when one answers
# (TEST_DATABASE_URL, default postgresql://postgres@127.0.0.1:5432/test).
# Exits non-zero when any test fails or when no test ran.
# Each pass runs in parallel (pytest-xdist): TOKODESK_TEST_WORKERS processes, 2 by default
# ("auto": one per CPU; 0: serial, in this process). Every worker has its own test database
# (conftest.py) and the tests under tests/served share one worker and its gunicorn.
set -u
cd "$(dirname "$0")/.."
BIN=.venv/bin
# Compiled bytecode (and pytest's rewritten test modules) go to one cache outside the source
# tree, not to __pycache__ folders beside the sources, and not nowhere: without a cache every
# process of the run (each xdist worker of each pass, each `tokodesk` subprocess, gunicorn and
# its workers) compiled Django, the app and the tests anew — 4.0 s CPU to start the app in a
# process instead of 2.7 s, 21 s CPU to collect the suite instead of 10 s.
unset PYTHONDONTWRITEBYTECODE
export PYTHONPYCACHEPREFIX="${PYTHONPYCACHEPREFIX:-$PWD/.venv/.pycache}"
unset DATABASE_URL
PG_URL="${TEST_DATABASE_URL:-postgresql://postgres@127.0.0.1:5432/test}"
WORKERS="${TOKODESK_TEST_WORKERS:-2}"
status=0

PARALLEL=()
# The slowest tests of each pass are listed after it: where the suite's time goes.
REPORT=(--durations="${TOKODESK_TEST_DURATIONS:-30}" --durations-min=1.0)
if [ "$WORKERS" != "0" ]; then
  PARALLEL=(-n "$WORKERS" --dist loadgroup)
fi

# One pass of the suite: pytest with the given environment, its duration printed after it.
run_pass() {
  local name=$1 started rc
  shift
  started=$(date +%s)
  env "$@"
  rc=$?
  echo "== $name: $(( $(date +%s) - started )) s, exit $rc (workers: $WORKERS) =="
  return $rc
}

# Browser tests drive Debian's chromium (never a browser downloaded by Playwright).
if [ ! -x /usr/bin/chromium ]; then
  echo "== installing Debian's chromium for the browser tests =="
  SUDO=""
  [ "$(id -u)" = 0 ] || SUDO="sudo -n"
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get install -y -q chromium >/tmp/tokodesk-apt.log 2>&1 \
    || { $SUDO apt-get update -q >>/tmp/tokodesk-apt.log 2>&1 && $SUDO apt-get install -y -q chromium >>/tmp/tokodesk-apt.log 2>&1; } \
    || echo "   could not install chromium (see /tmp/tokodesk-apt.log): browser tests will say so"
fi

# Return slips are PDFs made by WeasyPrint, which loads Pango and HarfBuzz (and needs a font).
if ! $BIN/python -c "import weasyprint" >/dev/null 2>&1 || [ ! -d /usr/share/fonts/truetype/dejavu ]; then
  echo "== installing the Pango libraries WeasyPrint needs for the return slip PDF =="
  SUDO=""
  [ "$(id -u)" = 0 ] || SUDO="sudo -n"
  export DEBIAN_FRONTEND=noninteractive
  PDF_LIBS="libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core"
  $SUDO apt-get install -y -q $PDF_LIBS >>/tmp/tokodesk-apt.log 2>&1 \
    || { $SUDO apt-get update -q >>/tmp/tokodesk-apt.log 2>&1 && $SUDO apt-get install -y -q $PDF_LIBS >>/tmp/tokodesk-apt.log 2>&1; } \
    || echo "   could not install them (see /tmp/tokodesk-apt.log): the return slip PDF tests will fail"
fi

echo "== lint (ruff) =="
$BIN/ruff check . || status=1

echo "== tests on SQLite =="
run_pass "SQLite" TOKODESK_DATA_DIR="$(mktemp -d)" $BIN/pytest "${PARALLEL[@]}" "${REPORT[@]}" "$@"
rc=$?
[ $rc -eq 0 ] || status=$rc

if $BIN/python - "$PG_URL" <<'PY'
import sys
import psycopg
try:
    psycopg.connect(sys.argv[1].replace("postgresql://", "postgresql://", 1), connect_timeout=3).close()
except Exception as exc:  # noqa: BLE001 - any failure means "not reachable"
    print(f"PostgreSQL not reachable at {sys.argv[1]}: {exc}".strip())
    sys.exit(1)
PY
then
  # The PostgreSQL pass leaves out the tests that cannot depend on the database (conftest.py,
  # DB_INDEPENDENT, with the reason for each; or marked db_independent): those that run
  # `tokodesk` in a subprocess with DATABASE_URL removed (SQLite in both passes: the same run
  # twice) and those that only read the source. They ran in the SQLite pass above. Everything
  # that queries, locks, migrates or serves the database runs here too: the served concurrency
  # tests, the fuzz tests, the property tests. The browser tests run in the SQLite pass, and
  # here only those marked postgres_too (conftest.py, _browser_once: chromium's time, not the
  # database's, and the same pages' queries run here through the other tests).
  # The API fuzz (tests/fuzz) is derandomized: the SQLite pass sent its 40 (positive) / 30
  # (negative) examples per operation, and this pass would send the very same requests again
  # (>= 17 % of the SQLite pass's time in this session's run). Here each operation and mode
  # gets 20 (the same derandomized search, stopped sooner): every operation still meets
  # PostgreSQL's types, constraints and locks, at about half the cost (TOKODESK_FUZZ_EXAMPLES
  # set by the caller wins, in both passes).
  echo "== tests on PostgreSQL ($PG_URL) =="
  run_pass "PostgreSQL" TOKODESK_DATA_DIR="$(mktemp -d)" DATABASE_URL="$PG_URL" \
    TOKODESK_TEST_DB_NAME="test_tokodesk_$$" TOKODESK_TEST_SKIP_DB_INDEPENDENT=1 \
    TOKODESK_FUZZ_EXAMPLES="${TOKODESK_FUZZ_EXAMPLES:-20}" \
    $BIN/pytest "${PARALLEL[@]}" "${REPORT[@]}" "$@"
  rc=$?
  # 5: every test selected was one of those (e.g. `scripts/test.sh tokodesk/ops/tests`); they
  # ran in the SQLite pass, which fails by itself when no test ran at all.
  if [ $rc -eq 5 ] && [ $status -eq 0 ]; then
    echo "   (no test left for PostgreSQL: all selected tests are database-independent)"
    rc=0
  fi
  [ $rc -eq 0 ] || status=$rc
else
  echo "== PostgreSQL tests SKIPPED: no server answered at $PG_URL (set TEST_DATABASE_URL) =="
  if [ "${CI:-}" = "true" ] && [ "${TOKODESK_REQUIRE_POSTGRES:-1}" = "1" ]; then
    echo "CI expects PostgreSQL: failing."
    status=1
  fi
fi

if [ $status -eq 0 ]; then echo "== all tests passed =="; else echo "== FAILED (exit $status) =="; fi
exit $status
