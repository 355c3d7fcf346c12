"""What keeps the kept export rows honest (kept.py): a revision per order, moved by triggers.

A kept row is an order's CSV line for one "form" (a compiled template: columns, separator,
language, time zone, currency …) and the order's `export_rev` when it was rendered. It is
used only while the order's `export_rev` is the same, and the triggers here move that
revision whenever anything the line is made of changes, in the writing transaction, on
every write path (services, bulk_create, `.update()`, raw SQL, the bench generator):

* `orders_order` itself: any UPDATE (SQLite: an AFTER trigger writes `export_rev + 1`;
  PostgreSQL: a BEFORE trigger sets it). The column is not a model field, so Django never
  writes it back from a stale instance;
* the order's lines, payments and tags (the through table): INSERT, UPDATE, DELETE move
  the revision of the orders concerned (PostgreSQL: INSERT and DELETE per statement over
  its rows, so a bulk insert of lines is one UPDATE);
* the customer (the "as now" customer columns): an UPDATE that changes one of the fields
  the registry reads moves the revision of the customer's orders;
* the small tables the rows name (couriers, warehouses, landing pages, users, payment
  methods, tags): an UPDATE that changes a field the registry reads, or a DELETE, moves
  that table's generation (`exports_keptgen`), which is part of every form whose SQL reads
  the table: a courier renamed makes new forms, it does not touch a million orders.

The revisions start at 0 for every order; ids are never reused (AUTOINCREMENT, sequences).

SQLite drops a table's triggers with the table, and Django's SQLite schema editor alters a
table by copying it into a new one (which also drops the column): `ensure()`, after every
migrate, puts back what is missing — and then empties the kept rows, since changes may
have been made without the triggers. The DDL's digest is stored too (`exports_keptgen`
row "ddl"): triggers of an older registry are replaced the same way.
"""

from __future__ import annotations

import hashlib
import logging

from django.apps import apps
from django.conf import settings
from django.db import transaction

logger = logging.getLogger("tokodesk.exports")

COLUMN = "export_rev"
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


def _sqlite_ddl() -> list[tuple[str, str]]:
    """[(trigger name, CREATE TRIGGER …)] for SQLite."""
    orders = _order()._meta.db_table
    bump = f"UPDATE {orders} SET {COLUMN} = {COLUMN} + 1 WHERE id"
    out = [
        (
            f"{PREFIX}order",
            f"CREATE TRIGGER {PREFIX}order AFTER UPDATE ON {orders} "
            f"WHEN NEW.{COLUMN} = OLD.{COLUMN} "
            f"BEGIN UPDATE {orders} SET {COLUMN} = OLD.{COLUMN} + 1 WHERE id = NEW.id; END",
        )
    ]
    for table, fk in per_order_tables():
        out += [
            (
                f"{PREFIX}{table}_ins",
                f"CREATE TRIGGER {PREFIX}{table}_ins AFTER INSERT ON {table} "
                f"BEGIN {bump} = NEW.{_q(fk)}; END",
            ),
            (
                f"{PREFIX}{table}_upd",
                f"CREATE TRIGGER {PREFIX}{table}_upd AFTER UPDATE ON {table} "
                f"BEGIN {bump} IN (OLD.{_q(fk)}, NEW.{_q(fk)}); END",
            ),
            (
                f"{PREFIX}{table}_del",
                f"CREATE TRIGGER {PREFIX}{table}_del AFTER DELETE ON {table} "
                f"BEGIN {bump} = OLD.{_q(fk)}; END",
            ),
        ]
    table, fk, columns = customer_watch()
    out.append(
        (
            f"{PREFIX}{table}_upd",
            f"CREATE TRIGGER {PREFIX}{table}_upd AFTER UPDATE ON {table} WHEN {_changed(columns, False)} "
            f"BEGIN UPDATE {orders} SET {COLUMN} = {COLUMN} + 1 WHERE {_q(fk)} = NEW.id; END",
        )
    )
    for table, columns in small_tables().items():
        out += [
            (
                f"{PREFIX}{table}_upd",
                f"CREATE TRIGGER {PREFIX}{table}_upd AFTER UPDATE ON {table} "
                f"WHEN {_changed(columns, False)} BEGIN {_bump_gen(table)}; END",
            ),
            (
                f"{PREFIX}{table}_del",
                f"CREATE TRIGGER {PREFIX}{table}_del AFTER DELETE ON {table} "
                f"BEGIN {_bump_gen(table)}; END",
            ),
        ]
    return out


def _pg_ddl() -> list[tuple[str, str]]:
    """[(trigger name, its function and CREATE TRIGGER …)] for PostgreSQL."""
    orders = _order()._meta.db_table
    bump = f"UPDATE {orders} SET {COLUMN} = {COLUMN} + 1 WHERE id"

    def function(name: str, body: str) -> str:
        return (
            f"CREATE OR REPLACE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$ "
            f"BEGIN {body}; RETURN NULL; END $$; "
        )

    out = [
        (
            f"{PREFIX}order",
            f"CREATE OR REPLACE FUNCTION {PREFIX}order() RETURNS trigger LANGUAGE plpgsql AS $$ "
            f"BEGIN NEW.{COLUMN} := OLD.{COLUMN} + 1; RETURN NEW; END $$; "
            f"CREATE TRIGGER {PREFIX}order BEFORE UPDATE ON {orders} FOR EACH ROW "
            f"WHEN (NEW.{COLUMN} = OLD.{COLUMN}) EXECUTE FUNCTION {PREFIX}order()",
        )
    ]
    for table, fk in per_order_tables():
        ins, upd, dele = f"{PREFIX}{table}_ins", f"{PREFIX}{table}_upd", f"{PREFIX}{table}_del"
        out += [
            (
                ins,
                function(ins, f"{bump} IN (SELECT {_q(fk)} FROM kept_new)")
                + f"CREATE TRIGGER {ins} AFTER INSERT ON {table} REFERENCING NEW TABLE AS kept_new "
                f"FOR EACH STATEMENT EXECUTE FUNCTION {ins}()",
            ),
            (
                upd,
                function(upd, f"{bump} IN (OLD.{_q(fk)}, NEW.{_q(fk)})")
                + f"CREATE TRIGGER {upd} AFTER UPDATE ON {table} FOR EACH ROW EXECUTE FUNCTION {upd}()",
            ),
            (
                dele,
                function(dele, f"{bump} IN (SELECT {_q(fk)} FROM kept_old)")
                + f"CREATE TRIGGER {dele} AFTER DELETE ON {table} REFERENCING OLD TABLE AS kept_old "
                f"FOR EACH STATEMENT EXECUTE FUNCTION {dele}()",
            ),
        ]
    table, fk, columns = customer_watch()
    name = f"{PREFIX}{table}_upd"
    out.append(
        (
            name,
            function(name, f"UPDATE {orders} SET {COLUMN} = {COLUMN} + 1 WHERE {_q(fk)} = NEW.id")
            + f"CREATE TRIGGER {name} AFTER UPDATE ON {table} FOR EACH ROW "
            f"WHEN ({_changed(columns, True)}) EXECUTE FUNCTION {name}()",
        )
    )
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
                + f"CREATE TRIGGER {PREFIX}{table}_del AFTER DELETE ON {table} FOR EACH STATEMENT "
                f"EXECUTE FUNCTION {gen}()",
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
                f"SELECT tgname FROM pg_trigger WHERE tgname LIKE '{PREFIX}%%' AND NOT tgisinternal"
            )
        else:
            cursor.execute(
                f"SELECT name FROM sqlite_master WHERE type = 'trigger' AND name LIKE '{PREFIX}%'"
            )
        return {row[0] for row in cursor.fetchall()}


def has_column(connection) -> bool:
    table = _order()._meta.db_table
    with connection.cursor() as cursor:
        return COLUMN in {
            c.name for c in connection.introspection.get_table_description(cursor, table)
        }


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
    """(Re)create the column when missing, the triggers, the DDL's digest; empty the kept
    rows (they may be stale: what changed meanwhile moved no revision)."""
    orders = _order()._meta.db_table
    with transaction.atomic(using=connection.alias), connection.cursor() as cursor:
        if not has_column(connection):
            kind = "bigint" if connection.vendor == "postgresql" else "integer"
            cursor.execute(f"ALTER TABLE {orders} ADD COLUMN {COLUMN} {kind} NOT NULL DEFAULT 0")
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
    orders = _order()._meta.db_table
    drop(connection)
    if has_column(connection):
        with connection.cursor() as cursor:
            cursor.execute(f"ALTER TABLE {orders} DROP COLUMN {COLUMN}")


def ensure(connection) -> bool:
    """After a migrate (or flush): put back what is missing or out of date. True when
    something was repaired. One look at the schema when all is well."""
    with connection.cursor() as cursor:
        tables = set(connection.introspection.table_names(cursor))
    if not {ROWS, FORMS, GEN, _order()._meta.db_table} <= tables:
        return False
    from django.db.migrations.recorder import MigrationRecorder

    if MIGRATION not in MigrationRecorder(connection).applied_migrations():
        return False
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT n FROM {GEN} WHERE name = 'ddl'")
        row = cursor.fetchone()
    expected = {name for name, _sql in ddl(connection)}
    if (
        row is not None
        and row[0] == ddl_digest(connection)
        and installed(connection) == expected
        and has_column(connection)
    ):
        return False
    if row is not None:  # not a fresh flush: say so
        logger.warning(
            "kept export rows: triggers or revision column missing or outdated; reinstalled"
        )
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
