"""What keeps the kept export rows honest (kept.py): a revision per order, moved by triggers.

A kept row is an order's CSV line for one "form" (a compiled template: columns, separator,
language, time zone, currency …) and the order's revision when it was rendered
(`exports_orderrev`: order id → rev, no row = 0). It is used only while the order's
revision is the same, and the triggers here move that revision whenever anything the line
is made of changes, in the writing transaction, on every write path (services,
bulk_create, `.update()`, raw SQL, the bench generator):

* `orders_order` itself: any UPDATE, and a DELETE (so an id used again — a sequence reset,
  `loaddata` — never meets the deleted order's line; its kept lines are deleted too);
* the order's lines, payments and tags (the through table): INSERT, UPDATE, DELETE
  (PostgreSQL: per statement over its rows, so a bulk insert of lines is one upsert; the
  orders' rows are locked first, in id order, as every writer of an order locks it before
  its revision — else a line inserted by one transaction and the order updated by another
  would wait on each other);
* the customer (the "as now" customer columns): an UPDATE that changes one of the fields
  the registry reads queues the customer (`exports_customerchange`, a plain insert); an
  export, before it reads kept lines, moves the revisions of the queued customers' orders
  in a transaction of its own (`kept.apply_customer_changes`; the worker's
  `kept_customer_changes` job too, so the queue stays short). Not done by the trigger: a
  fan-out there took the orders' revisions after the customer's lock — a deadlock with a
  writer holding an order and then upserting its customer — and, on PostgreSQL, saw only
  the orders committed by then; a line rendered with the old name before the change
  committed is made stale once the export after it applies the queue;
* the small tables the rows name (couriers, warehouses, landing pages, users, payment
  methods, tags): an UPDATE that changes a field the registry reads, or a DELETE, moves
  that table's generation (`exports_keptgen`), which is part of every form whose SQL reads
  the table: a courier renamed makes new forms, it does not touch a million orders;
* PostgreSQL TRUNCATE of any of these tables (no row trigger fires): every kept line goes.

The revisions live in their own table rather than a column of `orders_order`: Django never
writes them from a stale model instance, the orders table is not rewritten by a line
insert (PostgreSQL: no new order tuple per line), and a SQLite migration that rebuilds a
table drops only that table's triggers — never a column the other triggers write, which
would make every write to them fail until the migration ended. `ensure()`, after every
migrate and flush, puts back what is missing (or disabled, or made by an older registry:
the DDL's digest is kept in `exports_keptgen`, row "ddl") and then empties the kept rows,
since changes may have been made without the triggers.
"""

from __future__ import annotations

import hashlib
import logging

from django.apps import apps
from django.conf import settings
from django.db import transaction

logger = logging.getLogger("tokodesk.exports")

REVS = "exports_orderrev"
CHANGES = "exports_customerchange"
ROWS = "exports_keptrow"
FORMS = "exports_keptform"
GEN = "exports_keptgen"
PREFIX = "kept_"
MIGRATION = ("exports", "0005_kept_rows")


def _q(name: str) -> str:
    return '"' + name + '"'


def _order():
    return apps.get_model("orders", "Order")


def per_order_tables() -> list[tuple[str, str]]:
    """(table, order id column) of the rows an order's line is made of besides its own."""
    order = _order()
    line = apps.get_model("orders", "OrderLine")
    payment = apps.get_model("orders", "Payment")
    through = order.tags.through
    return [
        (line._meta.db_table, line._meta.get_field("order").column),
        (payment._meta.db_table, payment._meta.get_field("order").column),
        (through._meta.db_table, through._meta.get_field("order").column),
    ]


def customer_watch() -> tuple[str, str, list[str]]:
    """(customer table, the order's customer column, the customer columns the registry reads)."""
    from tokodesk.exports.columns import COLUMNS

    order = _order()
    fk = order._meta.get_field("customer")
    model = fk.related_model
    names = sorted(
        {p.split("__", 1)[1] for c in COLUMNS for p in c.values if p.startswith("customer__")}
    )
    return model._meta.db_table, fk.column, [model._meta.get_field(n).column for n in names]


def small_tables() -> dict[str, list[str]]:
    """{table: the columns the rows show} of the small tables named in the rows."""
    from tokodesk.exports.columns import LOOKUP_FIELDS

    out: dict[str, list[str]] = {}
    for label, fields in LOOKUP_FIELDS.values():
        model = apps.get_model(label)
        out[model._meta.db_table] = [model._meta.get_field(f).column for f in fields]
    method = apps.get_model(LOOKUP_FIELDS["payment_option"][0])
    out[method._meta.db_table].append(method._meta.get_field("labels").column)
    tag = apps.get_model("orders", "Tag")
    out[tag._meta.db_table] = [tag._meta.get_field("name").column]
    return out


def _changed(columns: list[str], pg: bool) -> str:
    op = "IS DISTINCT FROM" if pg else "IS NOT"
    return " OR ".join(f"OLD.{_q(c)} {op} NEW.{_q(c)}" for c in columns)


def _bump_gen(table: str) -> str:
    return (
        f"INSERT INTO {GEN} (name, n) VALUES ('{table}', 1) "
        f"ON CONFLICT (name) DO UPDATE SET n = {GEN}.n + 1"
    )


def _bump(select: str) -> str:
    """Move the revision of the orders `select` gives (one column of order ids)."""
    return (
        f"INSERT INTO {REVS} (order_id, rev) {select} "
        f"ON CONFLICT (order_id) DO UPDATE SET rev = {REVS}.rev + 1"
    )


def _queue_customer(expr: str) -> str:
    return f"INSERT INTO {CHANGES} (customer_id) VALUES ({expr})"


def _sqlite_ddl() -> list[tuple[str, str]]:
    """[(trigger name, CREATE TRIGGER …)] for SQLite."""
    orders = _order()._meta.db_table

    def one(expr: str) -> str:  # (a SELECT with a WHERE: SQLite's upsert needs one)
        return _bump(f"SELECT {expr}, 1 WHERE {expr} IS NOT NULL")

    def trigger(name: str, event: str, table: str, body: str, when: str = "") -> tuple[str, str]:
        when = f" WHEN {when}" if when else ""
        return name, f"CREATE TRIGGER {name} AFTER {event} ON {table}{when} BEGIN {body}; END"

    out = [
        trigger(f"{PREFIX}order_upd", "UPDATE", orders, one("NEW.id")),
        trigger(
            f"{PREFIX}order_del",
            "DELETE",
            orders,
            f"{one('OLD.id')}; DELETE FROM {ROWS} WHERE form_id IN (SELECT id FROM {FORMS}) "
            "AND order_id = OLD.id",
        ),
    ]
    for table, fk in per_order_tables():
        out += [
            trigger(f"{PREFIX}{table}_ins", "INSERT", table, one(f"NEW.{_q(fk)}")),
            trigger(
                f"{PREFIX}{table}_upd",
                "UPDATE",
                table,
                f"{one(f'OLD.{_q(fk)}')}; {one(f'NEW.{_q(fk)}')}",
            ),
            trigger(f"{PREFIX}{table}_del", "DELETE", table, one(f"OLD.{_q(fk)}")),
        ]
    table, fk, columns = customer_watch()
    out.append(
        trigger(
            f"{PREFIX}{table}_upd",
            "UPDATE",
            table,
            _queue_customer("NEW.id"),
            _changed(columns, False),
        )
    )
    for table, columns in small_tables().items():
        out += [
            trigger(
                f"{PREFIX}{table}_upd", "UPDATE", table, _bump_gen(table), _changed(columns, False)
            ),
            trigger(f"{PREFIX}{table}_del", "DELETE", table, _bump_gen(table)),
        ]
    return out


def _pg_ddl() -> list[tuple[str, str]]:
    """[(trigger name, its function and CREATE TRIGGER …)] for PostgreSQL."""
    orders = _order()._meta.db_table

    def function(name: str, body: str, returns: str = "NULL") -> str:
        return (
            f"CREATE OR REPLACE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$ "
            f"BEGIN {body}; RETURN {returns}; END $$; "
        )

    def locked(source: str, column: str) -> str:
        """The orders of `source` locked (id order), then their revisions moved."""
        return (
            f"PERFORM 1 FROM {orders} WHERE id IN (SELECT {_q(column)} FROM {source}) "
            f"ORDER BY id FOR NO KEY UPDATE; {rows(source, column)}"
        )

    def rows(source: str, column: str) -> str:
        # distinct and in order: an upsert may not touch a row twice, and two statements
        # moving the same orders take their locks in the same order
        return _bump(
            f"SELECT DISTINCT {_q(column)}, 1 FROM {source} WHERE {_q(column)} IS NOT NULL ORDER BY 1"
        )

    def per_statement(
        name: str, event: str, table: str, body: str, transition: str = ""
    ) -> tuple[str, str]:
        ref = f" REFERENCING {transition}" if transition else ""
        return name, (
            function(name, body)
            + f"CREATE TRIGGER {name} AFTER {event} ON {table}{ref} FOR EACH STATEMENT EXECUTE FUNCTION {name}()"
        )

    drop_all = f"DELETE FROM {ROWS}"
    out = [
        per_statement(
            f"{PREFIX}order_upd", "UPDATE", orders, rows("kept_new", "id"), "NEW TABLE AS kept_new"
        ),
        per_statement(
            f"{PREFIX}order_del",
            "DELETE",
            orders,
            f"{rows('kept_old', 'id')}; DELETE FROM {ROWS} k USING kept_old d "
            f"WHERE k.form_id IN (SELECT id FROM {FORMS}) AND k.order_id = d.id",
            "OLD TABLE AS kept_old",
        ),
        per_statement(f"{PREFIX}order_trunc", "TRUNCATE", orders, drop_all),
    ]
    for table, fk in per_order_tables():
        upd = f"{PREFIX}{table}_upd"
        out += [
            per_statement(
                f"{PREFIX}{table}_ins",
                "INSERT",
                table,
                locked("kept_new", fk),
                "NEW TABLE AS kept_new",
            ),
            per_statement(
                upd,
                "UPDATE",
                table,
                f"{locked('kept_old', fk)}; {locked('kept_new', fk)}",
                "OLD TABLE AS kept_old NEW TABLE AS kept_new",
            ),
            per_statement(
                f"{PREFIX}{table}_del",
                "DELETE",
                table,
                locked("kept_old", fk),
                "OLD TABLE AS kept_old",
            ),
            per_statement(f"{PREFIX}{table}_trunc", "TRUNCATE", table, drop_all),
        ]
    table, fk, columns = customer_watch()
    name = f"{PREFIX}{table}_upd"
    out += [
        (
            name,
            function(name, _queue_customer("NEW.id"))
            + f"CREATE TRIGGER {name} AFTER UPDATE ON {table} FOR EACH ROW "
            f"WHEN ({_changed(columns, True)}) EXECUTE FUNCTION {name}()",
        ),
        per_statement(f"{PREFIX}{table}_trunc", "TRUNCATE", table, drop_all),
    ]
    gen = f"{PREFIX}gen"
    gen_function = (
        f"CREATE OR REPLACE FUNCTION {gen}() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
        f"INSERT INTO {GEN} (name, n) VALUES (TG_TABLE_NAME, 1) "
        f"ON CONFLICT (name) DO UPDATE SET n = {GEN}.n + 1; RETURN NULL; END $$; "
    )
    for table, columns in small_tables().items():
        out += [
            (
                f"{PREFIX}{table}_upd",
                gen_function
                + f"CREATE TRIGGER {PREFIX}{table}_upd AFTER UPDATE ON {table} FOR EACH ROW "
                f"WHEN ({_changed(columns, True)}) EXECUTE FUNCTION {gen}()",
            ),
            (
                f"{PREFIX}{table}_del",
                gen_function
                + f"CREATE TRIGGER {PREFIX}{table}_del AFTER DELETE OR TRUNCATE ON {table} "
                f"FOR EACH STATEMENT EXECUTE FUNCTION {gen}()",
            ),
        ]
    return out


def ddl(connection) -> list[tuple[str, str]]:
    return _pg_ddl() if connection.vendor == "postgresql" else _sqlite_ddl()


def ddl_digest(connection) -> int:
    text = "\n".join(sql for _name, sql in ddl(connection))
    return int(hashlib.sha256(text.encode()).hexdigest()[:12], 16)


def installed(connection) -> set[str]:
    """The names of our triggers in the database."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                f"SELECT tgname FROM pg_trigger WHERE tgname LIKE '{PREFIX}%%' AND NOT tgisinternal "
                "AND tgenabled <> 'D'"
            )
        else:
            cursor.execute(
                f"SELECT name FROM sqlite_master WHERE type = 'trigger' AND name LIKE '{PREFIX}%'"
            )
        return {row[0] for row in cursor.fetchall()}


def drop(connection) -> None:
    """Drop our triggers (and their functions)."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                f"SELECT tgname, relname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid "
                f"WHERE tgname LIKE '{PREFIX}%%' AND NOT tgisinternal"
            )
            for name, table in cursor.fetchall():
                cursor.execute(f"DROP TRIGGER IF EXISTS {name} ON {table}")
            cursor.execute(
                f"SELECT proname FROM pg_proc WHERE proname LIKE '{PREFIX}%%' AND pg_function_is_visible(oid)"
            )
            for (name,) in cursor.fetchall():
                cursor.execute(f"DROP FUNCTION IF EXISTS {name}()")
        else:
            for name in installed(connection):
                cursor.execute(f"DROP TRIGGER IF EXISTS {name}")


def install(connection) -> None:
    """(Re)create the triggers and the DDL's digest; empty the kept rows (they may be
    stale: what changed meanwhile moved no revision)."""
    with transaction.atomic(using=connection.alias), connection.cursor() as cursor:
        drop(connection)
        for _name, sql in ddl(connection):
            cursor.execute(sql)
        cursor.execute(f"DELETE FROM {ROWS}")
        cursor.execute(f"DELETE FROM {FORMS}")
        cursor.execute(
            f"INSERT INTO {GEN} (name, n) VALUES ('ddl', %s) ON CONFLICT (name) DO UPDATE SET n = %s",
            [ddl_digest(connection), ddl_digest(connection)],
        )


def uninstall(connection) -> None:
    drop(connection)


def ensure(connection) -> bool:
    """After a migrate (or flush): put back what is missing or out of date. True when
    something was repaired. One look at the schema when all is well."""
    with connection.cursor() as cursor:
        tables = set(connection.introspection.table_names(cursor))
    if not {ROWS, FORMS, GEN, REVS, CHANGES, _order()._meta.db_table} <= tables:
        return False
    from django.db.migrations.recorder import MigrationRecorder

    if MIGRATION not in MigrationRecorder(connection).applied_migrations():
        return False
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT n FROM {GEN} WHERE name = 'ddl'")
        row = cursor.fetchone()
    expected = {name for name, _sql in ddl(connection)}
    if row is not None and row[0] == ddl_digest(connection) and installed(connection) == expected:
        return False
    if row is not None:  # not a fresh flush: say so
        logger.warning("kept export rows: triggers missing, disabled or outdated; reinstalled")
    install(connection)
    return True


def keep_forms() -> int:
    """How many forms (compiled templates) keep their rows: TOKODESK_EXPORT_KEEP_FORMS (3;
    0 turns kept rows off)."""
    import os

    value = getattr(settings, "TOKODESK_EXPORT_KEEP_FORMS", None)
    if value is None:
        value = os.environ.get("TOKODESK_EXPORT_KEEP_FORMS", "3")
    try:
        return max(0, int(value))
    except (TypeError, ValueError):
        return 3
