"""PostgreSQL reads an order's payments once for both payment columns, and its tags, by
LATERAL aggregates (sqllists.py) rather than one correlated subquery per column; SQLite
keeps its scalar subqueries. The bytes are test_sql_bytes.py's on both databases."""

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
