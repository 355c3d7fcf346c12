"""The index and query changes the bench recommends, in a form that can be measured.

Not application code: the models and selectors are unchanged. This module holds

* INDEXES: the indexes to add, as SQL for SQLite and PostgreSQL. Create or drop them in a
  bench database (never a real one) with

      .venv/bin/python bench/proposals.py --create-indexes [--database-url URL]
      .venv/bin/python bench/proposals.py --drop-indexes   [--database-url URL]

* apply(): replaces, in the running process only, `selectors.search_q`,
  `selectors.order_list` and `selectors.tab_counts` with the proposed versions below.
  `bench/measure_pages.py --proposed` calls it before measuring.

Each proposal returns exactly what the current code returns (same rows, same order, same
counts); only the SQL differs. See bench/README.md for the measurements.
"""

from __future__ import annotations

import argparse
import sys

# name: (SQLite DDL, PostgreSQL DDL or None). Names start with "bench_" so that they are
# recognisable as hand-made in a bench database.
INDEXES = {
    # The agent's own orders, newest first (every page an agent opens; the owner's agent
    # filter). Today: the FK index on assigned_agent_id, then a sort of all the agent's rows.
    "bench_order_agent_created": (
        "CREATE INDEX bench_order_agent_created ON orders_order (assigned_agent_id, created_at DESC, id DESC)",
        "CREATE INDEX bench_order_agent_created ON orders_order (assigned_agent_id, created_at DESC, id DESC)",
    ),
    # Everything the tab counts read, so they scan this narrow index instead of the table
    # (owner: whole index; agent: its prefix).
    "bench_order_tab_counts": (
        "CREATE INDEX bench_order_tab_counts ON orders_order (assigned_agent_id, status, payment_method, ship_by)",
        "CREATE INDEX bench_order_tab_counts ON orders_order (assigned_agent_id, status, payment_method, ship_by)",
    ),
    # PostgreSQL only: name fragments (icontains is UPPER(name) LIKE UPPER('%x%')) through
    # trigrams, which also lets the search's OR use a BitmapOr of four indexes.
    "bench_order_name_trgm": (
        None,
        "CREATE INDEX bench_order_name_trgm ON orders_order USING gin (UPPER(recipient_name::text) gin_trgm_ops)",
    ),
}


def create_indexes(connection) -> list[str]:
    done = []
    with connection.cursor() as cursor:
        for name, (sqlite_sql, pg_sql) in INDEXES.items():
            sql = pg_sql if connection.vendor == "postgresql" else sqlite_sql
            if not sql:
                continue
            if "gin_trgm_ops" in sql:
                cursor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
            cursor.execute(sql)
            done.append(name)
        if connection.vendor == "postgresql":
            cursor.execute(
                "VACUUM ANALYZE orders_order"
                if connection.get_autocommit()
                else "ANALYZE orders_order"
            )
    return done


def drop_indexes(connection) -> list[str]:
    with connection.cursor() as cursor:
        for name in INDEXES:
            cursor.execute(f"DROP INDEX IF EXISTS {name}")
    return list(INDEXES)


# --- query changes ---------------------------------------------------------------------------


def search_q(term: str):
    """A term with a digit is a reference, an AWB or a phone: matched exactly, through
    their indexes. A term without one is a name fragment. (Today the name LIKE '%term%' is
    ORed into every search, so no index can serve the OR: a full scan for each phone,
    AWB or reference search, for the list and again for the tab counts.)"""
    from django.db.models import Q

    from tokodesk.customers.phones import phone_search_key

    term = term[:100]
    if not any(ch.isdigit() for ch in term):
        return Q(recipient_name__icontains=term)
    q = Q(reference=term.upper()) | Q(awb=term)
    phone = phone_search_key(term)
    if phone:
        q |= Q(recipient_phone=phone)
    return q


def order_list(
    *, user, filters, sort: str = "-created_at", cursor: str | None = None, limit: int = 50
):
    """The current order_list with one more condition on a next page: `field <= value`
    (`>=` ascending) before the `(field < value OR (field = value AND id < pk))`. The rows
    are the same; the index range now starts at the cursor instead of at the first row,
    so a page costs the same at any depth (today it grows with the rows skipped)."""
    from django.db.models import Q
    from django.utils.translation import gettext_lazy as _

    from tokodesk.core.errors import ValidationFailed
    from tokodesk.orders import selectors as s

    if sort not in s.SORTS:
        raise ValidationFailed(
            "invalid_input", _("Unknown sort."), fields={"sort": ", ".join(s.SORTS)}
        )
    field = sort.lstrip("-")
    desc = sort.startswith("-")
    qs = s.filter_orders(s.order_queryset_for(user), filters)
    if cursor:
        value, pk = s._decode_cursor(cursor, sort)
        if desc:
            qs = qs.filter(
                Q(**{f"{field}__lte": value}) & (Q(**{f"{field}__lt": value}) | Q(id__lt=pk))
            )
        else:
            qs = qs.filter(
                Q(**{f"{field}__gte": value}) & (Q(**{f"{field}__gt": value}) | Q(id__gt=pk))
            )
    page = list(s.with_list_relations(qs.order_by(*s.SORTS[sort]))[: limit + 1])
    next_cursor = None
    if len(page) > limit:
        page = page[:limit]
        last = page[-1]
        next_cursor = s._encode_cursor([getattr(last, field), last.pk])
    return page, next_cursor


def tab_counts(*, user, filters=None) -> dict[str, int]:
    """PostgreSQL: the same counts from one GROUP BY status, payment_method, ship_by < now
    (a few dozen groups), folded into the tabs in Python with the tabs' own rules; the
    groups come from an index-only scan of bench_order_tab_counts, where the current query
    evaluates seven FILTER conditions on every row of a sequential scan. SQLite: the
    current query (its planner picks a worse plan for the GROUP BY: a temporary B-tree,
    and without statistics a non-covering index), which the covering index already speeds up."""
    from django.db import connection
    from django.db.models import BooleanField, Case, Count, Value, When
    from django.utils import timezone

    from tokodesk.orders import selectors as s
    from tokodesk.orders.states import AWAITING_SHIPMENT, TABS, PaymentMethod, Status

    if connection.vendor != "postgresql":
        return _current_tab_counts(user=user, filters=filters)
    filters = filters or s.OrderFilters()
    base = s.filter_orders(
        s.order_queryset_for(user), s.OrderFilters(**{**filters.__dict__, "tab": None})
    )
    now = timezone.now()
    rows = (
        base.annotate(
            late=Case(
                When(ship_by__lt=now, then=Value(True)),
                default=Value(False),
                output_field=BooleanField(),
            )
        )
        .order_by()
        .values_list("status", "payment_method", "late")
        .annotate(n=Count("*"))
    )
    counts = dict.fromkeys(TABS, 0)
    for status, method, late, n in rows:
        cod_confirmed = status == Status.CONFIRMED and method == PaymentMethod.COD
        for tab, statuses in TABS.items():
            if tab == "all":
                hit = True
            elif tab == "pending":
                hit = status in statuses and not cod_confirmed
            elif tab == "to_ship":
                hit = status in statuses or cod_confirmed
            elif tab == "action_needed":
                hit = status in statuses or (status in AWAITING_SHIPMENT and late)
            else:
                hit = status in statuses
            if hit:
                counts[tab] += n
    return counts


_current_tab_counts = None


def apply() -> None:
    """Use the proposed queries in this process (the files are not changed)."""
    from tokodesk.orders import selectors

    global _current_tab_counts
    _current_tab_counts = _current_tab_counts or selectors.tab_counts
    selectors.search_q = search_q
    selectors.order_list = order_list
    selectors.tab_counts = tab_counts


def main(argv=None) -> int:
    p = argparse.ArgumentParser(
        description="Create or drop the proposed indexes in a bench database."
    )
    p.add_argument("--database-url")
    group = p.add_mutually_exclusive_group(required=True)
    group.add_argument("--create-indexes", action="store_true")
    group.add_argument("--drop-indexes", action="store_true")
    args = p.parse_args(argv)
    sys.path.insert(0, str(__import__("pathlib").Path(__file__).resolve().parent))
    from measure_pages import setup_django

    setup_django(args.database_url)
    from django.db import connection

    names = create_indexes(connection) if args.create_indexes else drop_indexes(connection)
    print(("created: " if args.create_indexes else "dropped (if present): ") + ", ".join(names))
    return 0


if __name__ == "__main__":
    sys.exit(main())
