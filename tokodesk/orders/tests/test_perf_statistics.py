"""SQLite's planner statistics are refreshed after migrate and by the worker, only for the
tables that need it (none on a small database), including tables that gained an index."""

import time

import pytest
from django.db import connection

from tokodesk.core import apps as core_apps
from tokodesk.orders.tests.factories import make_order

pytestmark = pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite statistics")


def _stat_tables():
    with connection.cursor() as cursor:
        cursor.execute("SELECT name FROM sqlite_master WHERE name = 'sqlite_stat1'")
        if not cursor.fetchone():
            return set()
        cursor.execute("SELECT DISTINCT tbl FROM sqlite_stat1")
        return {row[0] for row in cursor.fetchall()}


def test_small_database_is_left_alone_and_quick(shop, users):
    make_order(users["owner"])
    started = time.perf_counter()
    assert core_apps.refresh_sqlite_statistics(connection) == []
    assert time.perf_counter() - started < 1.0


def test_missing_grown_and_new_index_statistics_are_refreshed(shop, users, monkeypatch):
    monkeypatch.setattr(core_apps, "STATS_MIN_ROWS", 1)
    make_order(users["owner"])
    done = core_apps.refresh_sqlite_statistics(connection)
    assert "orders_order" in done and "orders_order" in _stat_tables()
    assert core_apps.refresh_sqlite_statistics(connection) == []  # nothing changed since
    with connection.cursor() as cursor:
        cursor.execute("CREATE INDEX test_order_city ON orders_order (destination_city)")
    assert core_apps.refresh_sqlite_statistics(connection) == ["orders_order"]
    for _ in range(3):
        make_order(users["owner"])  # 1 → 4 orders: more than doubled
    assert "orders_order" in core_apps.refresh_sqlite_statistics(connection)
