"""On PostgreSQL the API's compiled-once queries (the detail's five, the list's page, the tab
counts) run as server-side prepared statements, once per connection (core.pg_prepare,
issue 16): the answers stay byte for byte those of Django's client-side binding, with the
same statements counted and logged (their values in the text); the second request on the same connection runs the statements
prepared by the first; a failing statement inside a transaction leaves the connection
usable; TOKODESK_PG_PREPARE=0 and SQLite prepare nothing."""

from __future__ import annotations

import re

import pytest
from django.db import DataError, connection, transaction
from django.test.utils import CaptureQueriesContext

from tokodesk.core import pg_prepare
from tokodesk.orders.tabs import TABS
from tokodesk.orders.tests.test_api_detail_values import _variety

pg_only = pytest.mark.skipif("connection.vendor != 'postgresql'")


def _prepared() -> dict[str, str]:
    with connection.cursor() as c:
        c.execute("SELECT name, statement FROM pg_prepared_statements")
        return dict(c.fetchall())


def _paths(orders) -> list[str]:
    paths = [f"/api/v1/orders?tab={tab}" for tab in TABS] + [
        "/api/v1/orders",
        "/api/v1/orders/tab-counts",
    ]
    paths += [f"/api/v1/orders/{order.reference}" for order in orders]
    paths += ["/api/v1/orders?tab=all&limit=2", "/api/v1/orders?tab=pending&sort=deadline&limit=1"]
    return paths


def _answers(client, paths):
    answers, counts = [], []
    for path in paths:
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(path)
        assert response.status_code in (200, 404), (
            path,
            response.content[:300],
        )  # 404: not the agent's
        answers.append((path, response.content, sorted(response.headers.items())))
        # Logged as before (the time in the text aside: a late part's ship_by < now).
        counts.append(
            [re.sub(r"'\d{4}-\d\d-\d\d[^']*'", "'TIME'", q["sql"]) for q in ctx.captured_queries]
        )
        data = response.json()
        if response.status_code == 200 and data.get(
            "next_cursor"
        ):  # the next page too (a cursor's values put in)
            next_path = f"{path}&cursor={data['next_cursor']}"
            answers.append((next_path, client.get(next_path).content, None))
    return answers, counts


@pg_only
def test_same_answers_and_statements_prepared_or_not(shop, users, api_as, monkeypatch):
    orders = _variety(users["owner"], users)
    for role in ("owner", "agent"):
        monkeypatch.setenv("TOKODESK_PG_PREPARE", "0")
        client = api_as(role)
        client.get("/api/v1/orders/tab-counts")  # the token's first use
        paths = _paths(orders)
        _answers(client, paths)  # compiled (the first run of a list or a detail compiles)
        old, old_counts = _answers(client, paths)
        assert role != "owner" or not _prepared()  # none yet (the agent's: after the owner's)
        monkeypatch.setenv("TOKODESK_PG_PREPARE", "1")
        for _run in range(7):  # past PostgreSQL's first five (custom) plans: generic ones
            new, new_counts = _answers(client, paths)
            assert new == old
            assert new_counts == old_counts
        assert _prepared()


@pg_only
def test_the_second_request_runs_the_prepared_statements(shop, users, api_as, monkeypatch):
    monkeypatch.setenv("TOKODESK_PG_PREPARE", "1")
    orders = _variety(users["owner"], users)
    client = api_as("owner")
    paths = [
        "/api/v1/orders?tab=pending",
        "/api/v1/orders/tab-counts",
        f"/api/v1/orders/{orders[0].reference}",
    ]
    # Django closes a connection older than CONN_MAX_AGE when a request ends, and its prepared
    # statements with it: a worker's connection opened by earlier tests could reach that age
    # between these requests (the count was 6, the page's lost, now and then in parallel runs).
    monkeypatch.setitem(connection.settings_dict, "CONN_MAX_AGE", None)  # and on a reconnect
    monkeypatch.setattr(connection, "close_at", None)
    for path in paths:  # compiled, and prepared on this connection
        client.get(path)
    first = _prepared()
    assert len(first) == 1 + 1 + 5, first  # the page, the counts, the detail's five
    for path in paths:
        client.get(path)
    for path in paths:
        client.get(path)
    assert _prepared() == first  # no statement prepared again


@pg_only
def test_a_failing_statement_in_a_transaction(db, monkeypatch):
    monkeypatch.setenv("TOKODESK_PG_PREPARE", "1")
    with transaction.atomic():
        with pytest.raises(DataError), transaction.atomic(), pg_prepare.cursor() as c:
            c.execute("SELECT 1 / %s", [0])
        # psycopg does not keep a statement whose first run failed (PostgreSQL keeps it, as
        # the session's, until the connection closes): prepared anew here, then reused.
        with pg_prepare.cursor() as c:
            c.execute("SELECT 1 / %s", [1])
            assert c.fetchone() == (1,)
            prepared = _prepared()
            c.execute("SELECT 1 / %s", [2])
            assert c.fetchone() == (0,)
        assert _prepared() == prepared
    assert list(prepared.values()) == ["SELECT 1 / $1"] * 2


def test_switched_off_or_sqlite_prepares_nothing(db, monkeypatch):
    monkeypatch.setenv("TOKODESK_PG_PREPARE", "0")
    assert not pg_prepare.enabled()
    with pg_prepare.cursor() as c:
        c.execute("SELECT 1")
        assert c.fetchone() == (1,)
    monkeypatch.setenv("TOKODESK_PG_PREPARE", "1")
    assert pg_prepare.enabled() == (connection.vendor == "postgresql")
    if connection.vendor != "postgresql":
        assert type(pg_prepare.cursor().__enter__()) is type(connection.cursor())
