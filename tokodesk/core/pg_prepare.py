"""A cursor that runs SQL compiled once per process as server-side prepared statements
on PostgreSQL, each statement prepared once per database connection (issue 16).

The API's hot queries (the order detail's five, the list page, the tab counts) are kept
as SQL text with only their values put in at each request (orders.detail_sql,
orders.list_by_status, selectors.tab_counts). Django's psycopg 3 backend binds values on
the client (ClientCursor), so PostgreSQL parsed and planned each of them anew at every
request, and planning cost more than running them at a million orders: 2.0 ms vs 0.26 for
the All tab's page, 12.5 vs 5.8 for Pending, 0.80 vs 0.07 for the detail's order.

`cursor()` gives Django's cursor wrapper (query logging, `execute_wrapper` hooks,
assertNumQueries, error wrapping and the broken-transaction check as for any query)
around a psycopg cursor that binds values on the server and asks psycopg to prepare
every statement it runs (`execute(..., prepare=True)`): psycopg keeps the names of the
statements prepared on its connection (keyed by the SQL and the types of the values), so
the first run on a connection prepares and later runs only execute. A new connection
(CONN_MAX_AGE, a reconnect) starts with none. psycopg forgets (and deallocates) them all
after a rollback of the connection's transaction, and does not keep a statement whose
first run failed. Django turns psycopg's preparing off for the connection
(prepare_threshold None), so it is turned on only while this cursor runs a statement:
Django's other queries are not counted or prepared.

Server-side prepared statements live in the database session: behind pgbouncer they need
session pooling, or pgbouncer >= 1.21 with max_prepared_statements set, in transaction
pooling. TOKODESK_PG_PREPARE=0 in the environment turns this off (Django's own cursor,
client-side binding, as before). On SQLite (and any other database) `cursor()` is
Django's own cursor."""

from __future__ import annotations

import os
from contextlib import contextmanager

from django.db import connection as default_connection

# psycopg prepares a statement run this many times unasked: never, here; only the
# statements this cursor runs, which ask for it.
_ONLY_WHEN_ASKED = 2**62
_CLASSES = None


def enabled(conn=None) -> bool:
    """Whether statements of `conn` (the default connection) are run prepared."""
    conn = conn or default_connection
    return conn.vendor == "postgresql" and os.environ.get("TOKODESK_PG_PREPARE", "1") != "0"


@contextmanager
def cursor(conn=None):
    """Django's cursor wrapper over a cursor whose statements are prepared on the server
    once per connection (PostgreSQL), or Django's own cursor."""
    conn = conn or default_connection
    if not enabled(conn):
        with conn.cursor() as plain:
            yield plain
        return
    conn.close_if_health_check_failed()
    conn.ensure_connection()
    raw = conn.connection
    factory = raw.cursor_factory
    # Django's create_cursor, with this cursor class (it registers the connection's time
    # zone on the cursor when needed, as for its own cursors).
    raw.cursor_factory = _classes()[0]
    try:
        with conn.wrap_database_errors:
            prepared = conn.create_cursor()
    finally:
        raw.cursor_factory = factory
    conn.validate_thread_sharing()
    # As Django's _prepare_cursor, logging the statement as it logs one bound on the client.
    wrapped = _classes()[1](prepared, conn) if conn.queries_logged else conn.make_cursor(prepared)
    with wrapped:
        yield wrapped


def _classes():
    global _CLASSES
    if _CLASSES is None:
        import psycopg
        from django.db.backends.postgresql.base import CursorDebugWrapper, ServerBindingCursor

        class PreparingCursor(ServerBindingCursor):
            """Binds on the server and prepares every statement (once per connection)."""

            def execute(self, query, params=None, *, prepare=None, binary=None):
                conn = self.connection
                threshold = conn.prepare_threshold
                if threshold is None:
                    conn.prepare_threshold = _ONLY_WHEN_ASKED
                try:
                    return super().execute(query, params, prepare=True, binary=binary)
                finally:
                    conn.prepare_threshold = threshold

        class LoggedAsBoundOnClient(CursorDebugWrapper):
            """Logs (queries_log, CaptureQueriesContext, django.db.backends) the statement
            with its values in the text, as Django logs its client-side bound statements:
            Django would log a prepared statement's text with $1... (or nothing)."""

            @contextmanager
            def debug_sql(self, sql=None, params=None, use_last_executed_query=False, many=False):
                if use_last_executed_query and not many and params is not None:
                    try:
                        sql = self.db.ops.compose_sql(sql, params)
                    except psycopg.Error:
                        pass
                    use_last_executed_query = False
                with super().debug_sql(sql, params, use_last_executed_query, many):
                    yield

        _CLASSES = (PreparingCursor, LoggedAsBoundOnClient)
    return _CLASSES
