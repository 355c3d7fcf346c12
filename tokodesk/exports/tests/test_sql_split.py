"""SQLite: a large export rendered by two processes on the two halves of its id range
(sqlsplit.py) writes the one-process file byte for byte, with the threshold patched low.

The test database is in memory (another process cannot see it): the orders are copied
into a SQLite file of their own, read through a database alias made for the test."""

import importlib
import json
import os
import sqlite3
import subprocess
import sys
import time

import pytest
from django.db import connection, connections, transaction
from django.db.backends.base.base import BaseDatabaseWrapper

from tokodesk.exports import sqlsplit
from tokodesk.exports.columns import REGISTRY
from tokodesk.exports.tests.helpers import read_csv
from tokodesk.exports.tests.test_sql_render import _varied_orders
from tokodesk.exports.writer import Plan, iter_csv
from tokodesk.orders.models import Order

pytestmark = pytest.mark.skipif(
    connection.vendor != "sqlite", reason="SQLite only (processes on id ranges)"
)
builtin = importlib.import_module("tokodesk.exports.migrations.0002_builtin_templates")
ALIAS = "split_file"


@pytest.fixture
def on_file(tmp_path, monkeypatch):
    """The test database's rows in a SQLite file (WAL, as the app's), as alias ALIAS.
    Django's test case refuses to connect an alias it was not told about (its
    ensure_connection patch): the real method is put back for this test."""
    patched = BaseDatabaseWrapper.ensure_connection
    real = next(
        c.cell_contents
        for c in patched.__closure__ or ()
        if getattr(c.cell_contents, "__name__", "") == "ensure_connection"
    )
    monkeypatch.setattr(BaseDatabaseWrapper, "ensure_connection", real)
    path = tmp_path / "split.sqlite3"

    def copy():
        """The rows as they are now, in the file; the orders there."""
        target = sqlite3.connect(path)
        connection.ensure_connection()
        connection.connection.backup(target)
        target.execute("PRAGMA journal_mode=wal")
        target.close()
        connections.settings[ALIAS] = dict(connections["default"].settings_dict, NAME=str(path))
        return Order.objects.using(ALIAS).all()

    yield copy
    if ALIAS in connections.settings:
        connections[ALIAS].close()
        del connections[ALIAS]
        del connections.settings[ALIAS]


@pytest.fixture
def forks(monkeypatch):
    """The second processes the exports started (subprocess.Popen objects)."""
    started = []
    popen = subprocess.Popen

    def spy(*args, **kwargs):
        started.append(popen(*args, **kwargs))
        return started[-1]

    monkeypatch.setattr(sqlsplit.subprocess, "Popen", spy)
    return started


def _reaped(child) -> bool:
    return child.returncode is not None


@pytest.mark.django_db(transaction=True)
def test_two_processes_write_the_one_process_bytes(shop, users, settings, on_file, forks):
    n = _varied_orders()
    qs = on_file()
    settings.TOKODESK_EXPORT_SPLIT_ROWS = 0  # off
    for keys in (builtin.FULL, builtin.COURIER, list(REGISTRY)):
        plan = Plan.build([{"field": key, "header": ""} for key in keys])
        one = b"".join(iter_csv(qs, plan, engine="sql", chunk_size=3))
        python = b"".join(iter_csv(Order.objects.all(), plan, engine="python"))
        assert read_csv(one) == read_csv(python) and len(read_csv(one)) == n + 1
        for threshold, chunk in ((5, 3), (n, 2), (n, None)):
            settings.TOKODESK_EXPORT_SPLIT_ROWS = threshold
            progress = []
            info = {}
            got = b"".join(
                iter_csv(
                    qs.all(),
                    plan,
                    engine="sql",
                    chunk_size=chunk,
                    workers=2,
                    on_chunk=progress.append,
                    info=info,
                )
            )
            assert got == one and info["engine"] == "sql"
            assert progress[-1] == n and progress == sorted(progress)
    assert len(forks) == 9 and all(_reaped(pid) for pid in forks)
    # a filtered export: each half is the filtered orders of its ids
    settings.TOKODESK_EXPORT_SPLIT_ROWS = 3
    plan = Plan.build(
        [{"field": key} for key in ("reference", "status", "tags", "payments", "total")]
    )
    filtered = qs.filter(status__in=["new", "cancelled", "completed"])
    got = b"".join(iter_csv(filtered, plan, engine="sql", chunk_size=2, workers=2))
    assert len(forks) == 10
    settings.TOKODESK_EXPORT_SPLIT_ROWS = 0
    assert got == b"".join(iter_csv(filtered.all(), plan, engine="sql", chunk_size=2))


@pytest.mark.django_db(transaction=True)
def test_split_only_when_large_on_a_file_and_outside_a_transaction(
    shop, users, settings, on_file, forks
):
    n = _varied_orders()
    on_file = on_file()
    plan = Plan.build([{"field": key} for key in builtin.FULL])
    settings.TOKODESK_EXPORT_SPLIT_ROWS = n + 1  # below the threshold: threads (1 process)
    b"".join(iter_csv(on_file.all(), plan, engine="sql", workers=2))
    settings.TOKODESK_EXPORT_SPLIT_ROWS = 2
    b"".join(iter_csv(on_file.all(), plan, engine="sql", workers=1))  # one connection asked
    b"".join(iter_csv(Order.objects.all(), plan, engine="sql", workers=2))  # in memory
    with transaction.atomic(using=ALIAS):
        b"".join(iter_csv(on_file.all(), plan, engine="sql", workers=2))
    assert forks == []
    b"".join(iter_csv(on_file.all(), plan, engine="sql", workers=2))
    assert len(forks) == 1


@pytest.mark.django_db(transaction=True)
def test_a_failing_or_abandoned_second_process(shop, users, settings, on_file, forks, monkeypatch):
    _varied_orders()
    on_file = on_file()
    plan = Plan.build([{"field": key} for key in builtin.FULL])
    settings.TOKODESK_EXPORT_SPLIT_ROWS = 0
    one = b"".join(iter_csv(on_file.all(), plan, engine="sql", chunk_size=2))
    settings.TOKODESK_EXPORT_SPLIT_ROWS = 2
    warnings = []
    monkeypatch.setattr(sqlsplit.logger, "warning", lambda *args: warnings.append(args))
    with monkeypatch.context() as patch:  # the child fails: the parent renders its half
        patch.setattr(
            sqlsplit,
            "child_command",
            lambda: [sys.executable, "-c", "import sys; sys.exit('no disk left')"],
        )
        got = b"".join(iter_csv(on_file.all(), plan, engine="sql", workers=2, chunk_size=2))
    assert got == one
    assert len(forks) == 1 and forks[0].returncode == 1 and "no disk left" in warnings[0][-1]
    # the consumer stops after the first pieces: the child is killed and reaped
    pieces = iter_csv(on_file.all(), plan, engine="sql", workers=2, chunk_size=2)
    next(pieces), next(pieces)
    pieces.close()
    assert len(forks) == 2 and all(_reaped(child) for child in forks)
    assert Order.objects.using(ALIAS).count() == Order.objects.count()  # the parent reads on


@pytest.mark.django_db(transaction=True)
def test_each_half_bounds_its_chunks_once_each_way(shop, users, settings, on_file, monkeypatch):
    """SQLite searches a rowid range with one bound each way: the half's own limit (the
    middle id) is a chunk's bound, never a second `id <` / `id >=` beside the chunk's, which
    made every chunk's bound query and IN list search from the middle (quadratic at 1M)."""
    from django.test.utils import CaptureQueriesContext

    n = _varied_orders()
    qs = on_file()
    settings.TOKODESK_EXPORT_SPLIT_ROWS = 0
    plan = Plan.build([{"field": key} for key in ("reference", "items", "tags", "total")])
    one = b"".join(iter_csv(qs, plan, engine="sql", chunk_size=2))
    jobs = []
    child_job = sqlsplit._child_job
    monkeypatch.setattr(
        sqlsplit, "_child_job", lambda *args: jobs.append(child_job(*args)) or jobs[-1]
    )
    asked = []
    monkeypatch.setattr(sqlsplit, "prefetch", asked.append)
    settings.TOKODESK_EXPORT_SPLIT_ROWS = 2
    with CaptureQueriesContext(connections[ALIAS]) as parent:
        got = b"".join(iter_csv(qs.all(), plan, engine="sql", chunk_size=2, workers=2))
    assert got == one and len(read_csv(got)) == n + 1
    child = [sql for sql, _params in json.loads(jobs[0])["queries"]]
    rendered = [
        q["sql"] for q in parent.captured_queries if "OFFSET" in q["sql"] or " IN (" in q["sql"]
    ]
    assert len(child) >= n // 4 and len(rendered) >= n // 2
    for sql in child + rendered:
        assert sql.count('"orders_order"."id" < ') <= 1, sql
        assert sql.count('"orders_order"."id" >= ') <= 1, sql
    for _ in range(100):  # the database file was read ahead (a thread)
        if asked:
            break
        time.sleep(0.05)
    assert asked == [connections[ALIAS].settings_dict["NAME"]]


def test_prefetch_asks_the_kernel_for_the_files_that_fit(tmp_path, monkeypatch):
    db = tmp_path / "db.sqlite3"
    db.write_bytes(b"x" * (20 << 20))
    (tmp_path / "db.sqlite3-wal").write_bytes(b"y" * 10)
    calls = []

    def fadvise(fd, offset, length, advice):
        calls.append((os.fstat(fd).st_size, offset, length, advice))

    monkeypatch.setattr(sqlsplit.os, "posix_fadvise", fadvise, raising=False)
    monkeypatch.setattr(sqlsplit, "_available_memory", lambda: 1 << 30)
    assert sqlsplit.prefetch(str(db)) == [str(db), f"{db}-wal"]
    step, willneed = sqlsplit.PREFETCH_STEP, os.POSIX_FADV_WILLNEED
    assert calls == [
        (20 << 20, 0, step, willneed),
        (20 << 20, step, step, willneed),
        (20 << 20, 2 * step, step, willneed),
        (10, 0, step, willneed),
    ]
    calls.clear()  # more than half the available memory: not asked
    monkeypatch.setattr(sqlsplit, "_available_memory", lambda: 30 << 20)
    assert sqlsplit.prefetch(str(db)) == [f"{db}-wal"] and calls == [(10, 0, step, willneed)]
    monkeypatch.setattr(sqlsplit, "_available_memory", lambda: 0)  # unknown: never
    assert sqlsplit.prefetch(str(db)) == [] and sqlsplit.prefetch(str(tmp_path / "none")) == []
