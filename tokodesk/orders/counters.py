"""The order counters: how many orders each agent has in each status and payment method
(`OrderCount`, agent 0 = unassigned), so that the tab counts read a few hundred counter
rows instead of every order (`selectors.tab_counts`).

They are kept by triggers on orders_order, in the writing transaction (a rollback takes
the counts back with the rows):

* SQLite: one row trigger per event. INSERT adds one with an UPSERT
  (`INSERT … ON CONFLICT … DO UPDATE SET n = n + 1`); an UPDATE of status, payment_method
  or assigned_agent_id that changes one of them moves one from the old key to the new;
  DELETE takes one off.
* PostgreSQL: INSERT and DELETE are statement triggers over the statement's rows (a COPY
  or bulk insert of thousands of orders is one grouped UPSERT, not one per row); UPDATE is
  a row trigger that runs only when one of the three columns changes, and touches the two
  counter rows in key order, so two transactions moving orders between the same two
  counters cannot deadlock. TRUNCATE of the orders empties the counters.

Because they live in the database, every write path counts: the services, bulk_create,
`.update()`, the bench generator's executemany/COPY, raw SQL. A decrement never creates a
row, so emptying the tables in any order (Django's flush) leaves nothing behind.

SQLite drops a table's triggers with the table, and Django's SQLite schema editor alters
a table by copying it into a new one; `ensure()` (run after every migrate, see
`tokodesk.core.apps`) puts missing triggers back and recounts. `recount()` rebuilds the
counters from the orders (`tokodesk recount_orders`), `check()` compares them with them.
"""

from __future__ import annotations

import logging

from django.db import connection as default_connection
from django.db import transaction

logger = logging.getLogger("tokodesk.orders")

TRIGGERS = ("ordercount_insert", "ordercount_update", "ordercount_delete")
PG_TRIGGERS = (*TRIGGERS, "ordercount_truncate")

_KEY = "agent_id, status, payment_method"

_SQLITE_INSERT = f"""
CREATE TRIGGER ordercount_insert AFTER INSERT ON orders_order
BEGIN
    INSERT INTO orders_ordercount ({_KEY}, n)
    VALUES (COALESCE(NEW.assigned_agent_id, 0), NEW.status, NEW.payment_method, 1)
    ON CONFLICT ({_KEY}) DO UPDATE SET n = n + 1;
END
"""
_SQLITE_UPDATE = f"""
CREATE TRIGGER ordercount_update
AFTER UPDATE OF status, payment_method, assigned_agent_id ON orders_order
WHEN OLD.status IS NOT NEW.status
    OR OLD.payment_method IS NOT NEW.payment_method
    OR OLD.assigned_agent_id IS NOT NEW.assigned_agent_id
BEGIN
    UPDATE orders_ordercount SET n = n - 1
    WHERE agent_id = COALESCE(OLD.assigned_agent_id, 0)
        AND status = OLD.status AND payment_method = OLD.payment_method;
    INSERT INTO orders_ordercount ({_KEY}, n)
    VALUES (COALESCE(NEW.assigned_agent_id, 0), NEW.status, NEW.payment_method, 1)
    ON CONFLICT ({_KEY}) DO UPDATE SET n = n + 1;
END
"""
_SQLITE_DELETE = """
CREATE TRIGGER ordercount_delete AFTER DELETE ON orders_order
BEGIN
    UPDATE orders_ordercount SET n = n - 1
    WHERE agent_id = COALESCE(OLD.assigned_agent_id, 0)
        AND status = OLD.status AND payment_method = OLD.payment_method;
END
"""

_PG_FUNCTIONS = f"""
CREATE OR REPLACE FUNCTION orders_ordercount_insert() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO orders_ordercount ({_KEY}, n)
    SELECT COALESCE(assigned_agent_id, 0), status, payment_method, COUNT(*)
    FROM ordercount_new GROUP BY 1, 2, 3 ORDER BY 1, 2, 3
    ON CONFLICT ({_KEY}) DO UPDATE SET n = orders_ordercount.n + EXCLUDED.n;
    RETURN NULL;
END $$;

CREATE OR REPLACE FUNCTION orders_ordercount_delete() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    UPDATE orders_ordercount AS c SET n = c.n - d.n
    FROM (SELECT COALESCE(assigned_agent_id, 0) AS agent_id, status, payment_method,
                 COUNT(*) AS n
          FROM ordercount_old GROUP BY 1, 2, 3) AS d
    WHERE c.agent_id = d.agent_id AND c.status = d.status
        AND c.payment_method = d.payment_method;
    RETURN NULL;
END $$;

CREATE OR REPLACE FUNCTION orders_ordercount_update() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    old_agent bigint := COALESCE(OLD.assigned_agent_id, 0);
    new_agent bigint := COALESCE(NEW.assigned_agent_id, 0);
    old_first boolean := (old_agent, OLD.status::text, OLD.payment_method::text)
                         < (new_agent, NEW.status::text, NEW.payment_method::text);
BEGIN
    IF old_first THEN
        UPDATE orders_ordercount SET n = n - 1
        WHERE agent_id = old_agent AND status = OLD.status
            AND payment_method = OLD.payment_method;
    END IF;
    INSERT INTO orders_ordercount ({_KEY}, n)
    VALUES (new_agent, NEW.status, NEW.payment_method, 1)
    ON CONFLICT ({_KEY}) DO UPDATE SET n = orders_ordercount.n + 1;
    IF NOT old_first THEN
        UPDATE orders_ordercount SET n = n - 1
        WHERE agent_id = old_agent AND status = OLD.status
            AND payment_method = OLD.payment_method;
    END IF;
    RETURN NULL;
END $$;

CREATE OR REPLACE FUNCTION orders_ordercount_truncate() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM orders_ordercount;
    RETURN NULL;
END $$
"""
_PG_TRIGGERS = """
CREATE TRIGGER ordercount_insert AFTER INSERT ON orders_order
    REFERENCING NEW TABLE AS ordercount_new
    FOR EACH STATEMENT EXECUTE FUNCTION orders_ordercount_insert();
CREATE TRIGGER ordercount_delete AFTER DELETE ON orders_order
    REFERENCING OLD TABLE AS ordercount_old
    FOR EACH STATEMENT EXECUTE FUNCTION orders_ordercount_delete();
CREATE TRIGGER ordercount_update
    AFTER UPDATE OF status, payment_method, assigned_agent_id ON orders_order
    FOR EACH ROW
    WHEN (OLD.status IS DISTINCT FROM NEW.status
          OR OLD.payment_method IS DISTINCT FROM NEW.payment_method
          OR OLD.assigned_agent_id IS DISTINCT FROM NEW.assigned_agent_id)
    EXECUTE FUNCTION orders_ordercount_update();
CREATE TRIGGER ordercount_truncate AFTER TRUNCATE ON orders_order
    FOR EACH STATEMENT EXECUTE FUNCTION orders_ordercount_truncate()
"""
_PG_DROP = """
DROP TRIGGER IF EXISTS ordercount_insert ON orders_order;
DROP TRIGGER IF EXISTS ordercount_update ON orders_order;
DROP TRIGGER IF EXISTS ordercount_delete ON orders_order;
DROP TRIGGER IF EXISTS ordercount_truncate ON orders_order;
DROP FUNCTION IF EXISTS orders_ordercount_insert();
DROP FUNCTION IF EXISTS orders_ordercount_update();
DROP FUNCTION IF EXISTS orders_ordercount_delete();
DROP FUNCTION IF EXISTS orders_ordercount_truncate()
"""

_COUNT = """
SELECT COALESCE(assigned_agent_id, 0), status, payment_method, COUNT(*)
FROM orders_order GROUP BY 1, 2, 3
"""
_RECOUNT = f"INSERT INTO orders_ordercount ({_KEY}, n) {_COUNT}"


def install_triggers(connection=None) -> None:
    """(Re)create the triggers: drops them first, so it may run on a database that has them."""
    connection = connection or default_connection
    with connection.cursor() as cursor:
        drop_triggers(connection)
        if connection.vendor == "postgresql":
            cursor.execute(_PG_FUNCTIONS)
            cursor.execute(_PG_TRIGGERS)
        else:
            for statement in (_SQLITE_INSERT, _SQLITE_UPDATE, _SQLITE_DELETE):
                cursor.execute(statement)


def drop_triggers(connection=None) -> None:
    connection = connection or default_connection
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(_PG_DROP)
        else:
            for name in TRIGGERS:
                cursor.execute(f"DROP TRIGGER IF EXISTS {name}")


def installed_triggers(connection=None) -> set[str]:
    connection = connection or default_connection
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT tgname FROM pg_trigger "
                "WHERE tgrelid = 'orders_order'::regclass AND NOT tgisinternal"
            )
        else:
            cursor.execute(
                "SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'orders_order'"
            )
        return {row[0] for row in cursor.fetchall()}


def expected_triggers(connection=None) -> set[str]:
    connection = connection or default_connection
    return set(PG_TRIGGERS if connection.vendor == "postgresql" else TRIGGERS)


def recount(connection=None) -> int:
    """Rebuild every counter from the orders table; returns the number of orders counted.
    On PostgreSQL the orders table is locked against writes until the transaction ends, so
    no order is written between the count and the commit."""
    connection = connection or default_connection
    with transaction.atomic(using=connection.alias), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("LOCK TABLE orders_order IN SHARE MODE")
        cursor.execute("DELETE FROM orders_ordercount")
        cursor.execute(_RECOUNT)
        cursor.execute("SELECT COALESCE(SUM(n), 0) FROM orders_ordercount")
        return int(cursor.fetchone()[0])


def check(connection=None) -> list[tuple[tuple[int, str, str], int, int]]:
    """The counters that differ from the orders: [((agent, status, method), counter,
    actual)], empty when every counter is exact (counters at 0 count as absent)."""
    connection = connection or default_connection
    with transaction.atomic(using=connection.alias), connection.cursor() as cursor:
        cursor.execute(f"SELECT {_KEY}, n FROM orders_ordercount WHERE n <> 0")
        stored = {(int(a), s, m): int(n) for a, s, m, n in cursor.fetchall()}
        cursor.execute(_COUNT)
        actual = {(int(a), s, m): int(n) for a, s, m, n in cursor.fetchall()}
    return sorted(
        (key, stored.get(key, 0), actual.get(key, 0))
        for key in stored.keys() | actual.keys()
        if stored.get(key, 0) != actual.get(key, 0)
    )


def ensure(connection=None) -> bool:
    """Put back missing triggers (and then recount) once migration 0003 has installed them.
    True when something was repaired. Cheap when all is well: one look at the schema."""
    connection = connection or default_connection
    with connection.cursor() as cursor:
        tables = connection.introspection.table_names(cursor)
    if "orders_order" not in tables or "orders_ordercount" not in tables:
        return False
    if expected_triggers(connection) <= installed_triggers(connection):
        return False
    from django.db.migrations.recorder import MigrationRecorder

    if ("orders", "0003_ordercount_triggers") not in MigrationRecorder(
        connection
    ).applied_migrations():
        return False  # migrated back to before the triggers
    logger.warning("order counter triggers were missing: reinstalling them and recounting")
    with transaction.atomic(using=connection.alias):
        install_triggers(connection)
        recount(connection)
    return True
