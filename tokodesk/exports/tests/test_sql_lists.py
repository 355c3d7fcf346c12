"""PostgreSQL reads an order's payments once for both payment columns, and its tags, by
LATERAL aggregates (sqllists.py) rather than one correlated subquery per column; SQLite
keeps its scalar subqueries. The bytes are test_sql_bytes.py's on both databases."""

import pytest
from django.db import connection

from tokodesk.exports.columns import REGISTRY, ExportContext
from tokodesk.exports.sqlrender import Dialect
from tokodesk.exports.sqltz import transitions
from tokodesk.orders.models import Payment


def _sql(vendor: str, keys) -> tuple[list[str], Dialect]:
    ctx = ExportContext.build()
    d = Dialect(vendor=vendor, decimal_comma=False, labels=ctx.labels, tz_name="Asia/Jakarta")
    if vendor == "sqlite":
        d.transitions = transitions("Asia/Jakarta")
    return [REGISTRY[key].sql(d) for key in keys], d


def test_postgresql_reads_payments_and_tags_once_per_order():
    exprs, d = _sql("postgresql", ["payments", "last_payment_date", "tags"])
    joins = d.laterals_join()
    assert (
        joins.count("LEFT JOIN LATERAL") == 2 and joins.count(f'"{Payment._meta.db_table}" p') == 1
    )
    assert all("SELECT" not in e for e in exprs)  # columns of the joins, no subquery each
    payments, last, tags = exprs
    assert payments.startswith("CASE WHEN ascii(pa.pa0)") and last == "pa.pa1"
    assert "ta.ta0" in tags
    assert (
        "string_agg" in joins
        and "array_agg" in joins
        and "ORDER BY p.recorded_at DESC, p.id DESC" in joins
    )


def test_sqlite_keeps_scalar_subqueries():
    exprs, d = _sql("sqlite", ["payments", "last_payment_date", "tags"])
    assert d.laterals_join() == "" and all("(SELECT" in e for e in exprs)
    assert exprs[1].endswith("ORDER BY p.recorded_at DESC, p.id DESC LIMIT 1)")


@pytest.mark.django_db
@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's planner settings")
def test_postgresql_exports_without_hash_joins_nor_jit(shop, monkeypatch):
    """The planner hashed every customer for each chunk (growing with the shop, not the
    export): the export's connection plans with index lookups, and gets its settings back."""
    from tokodesk.exports.sqlrender import Compiled
    from tokodesk.exports.writer import Plan, iter_csv
    from tokodesk.orders.models import Order

    seen = []
    copy = Compiled._copy

    def spy(self, conn, sql, params):
        with conn.cursor() as cursor:
            cursor.execute("SELECT current_setting('enable_hashjoin'), current_setting('jit')")
            seen.append(cursor.fetchone())
        return copy(self, conn, sql, params)

    monkeypatch.setattr(Compiled, "_copy", spy)
    from tokodesk.customers.models import Customer

    customer = Customer.objects.create(name="C", phone="+6281100000009")
    Order.objects.create(reference="HJ-1", customer=customer, recipient_name="R", currency="IDR")
    plan = Plan.build([{"field": key} for key in ("reference", "customer_name", "tags")])
    assert b"HJ-1" in b"".join(iter_csv(Order.objects.all(), plan, engine="sql"))
    assert seen == [("off", "off")]
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_setting('enable_hashjoin')")
        assert cursor.fetchone() == ("on",)


@pytest.mark.django_db
@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's DateStyle")
@pytest.mark.parametrize("zone", ["Asia/Jakarta", "Europe/Paris"])
def test_postgresql_times_are_iso_whatever_the_server_datestyle(shop, users, settings, zone):
    """Times and dates are written as their text in the ISO DateStyle (faster than
    to_char), which the export's session sets: a server whose default is another style
    writes the same bytes. Money: currency codes as stored (upper case) are matched
    before upper() is called; codes in other cases and unknown ones still render as in
    Python."""
    from tokodesk.exports.tests.test_sql_bytes import COPY_QUOTED, TEMPLATES, _dst_orders
    from tokodesk.exports.tests.test_sql_render import _varied_orders
    from tokodesk.exports.writer import Plan, iter_csv
    from tokodesk.orders.models import Order

    settings.TIME_ZONE = zone
    from tokodesk.customers.models import Customer
    from tokodesk.orders.models import Payment

    _dst_orders("IDR")
    _varied_orders()
    customer = Customer.objects.create(name="Cur", phone="+6281100000077")
    for i, code in enumerate(["idr", "Eur", "jPy", "XYZ", "usd", "EUR", "VND"]):
        order = Order.objects.create(
            reference=f"CUR-{i}",
            customer=customer,
            recipient_name="R",
            currency=code,
            subtotal=123457,
            total=7 if i == 3 else 123457,
            paid_total=1205,
        )
        Payment.objects.create(order=order, kind="transfer", amount=1205)
    plan = Plan.build([{"field": key} for key in TEMPLATES["full"]])
    python = b"".join(iter_csv(Order.objects.all(), plan, delimiter=";", engine="python"))
    with connection.cursor() as cursor:
        cursor.execute("SET DateStyle = 'SQL, DMY'")
    info = {}
    sql = b"".join(
        iter_csv(Order.objects.all(), plan, delimiter=";", engine="sql", info=info, chunk_size=7)
    )
    assert info["engine"] == "sql"
    assert COPY_QUOTED.sub(rb"\\.", sql) == python
