"""The order queries that must stay flat at a million orders use an index, checked on the
plan (bench/README.md, findings 1–4): searches by phone, AWB or reference, the next page
of the keyset, name fragments on PostgreSQL, and the time-dependent part of the tab counts.

With a handful of test rows PostgreSQL would rather read the table, so its plans are taken
with sequential scans disabled: a plan that still reads the orders table whole means no
index can serve the query."""

import datetime as dt
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tokodesk.orders import selectors
from tokodesk.orders.models import Order
from tokodesk.orders.tests.factories import make_order, order_in

PG = connection.vendor == "postgresql"


@pytest.fixture(autouse=True)
def _statistics_as_stored(db):
    """SQLite keeps the statistics an ANALYZE loaded in the connection even when that
    transaction was rolled back: a test that ran the worker over 20,000 generated orders
    (exports' test_a_big_export_through_the_worker) left the phone search planned as a full
    scan for whatever test came next in its process (under pytest-xdist, sometimes this one).
    `ANALYZE sqlite_schema` reloads them from the database."""
    if not PG:
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE sqlite_schema")


def plan(sql, params=(), *, ordered=False, bitmap=False) -> str:
    """The query plan. With a handful of rows and whatever statistics earlier tests left,
    PostgreSQL may prefer any index plus a sort or a filter, so (PostgreSQL only):
    ordered disables sorting, and the plan must read an index in the query's order;
    bitmap disables plain index scans, and the plan must use an index that can find the
    rows by the condition itself (a GIN trigram index serves only bitmap scans)."""
    with connection.cursor() as cursor:
        if PG:
            cursor.execute("SET LOCAL enable_seqscan = off")
            cursor.execute(f"SET LOCAL enable_sort = {'off' if ordered else 'on'}")
            cursor.execute(f"SET LOCAL enable_indexscan = {'off' if bitmap else 'on'}")
            cursor.execute("EXPLAIN " + sql, params)
            return "\n".join(row[0] for row in cursor.fetchall())
        cursor.execute("EXPLAIN QUERY PLAN " + sql, params)
        return "\n".join(row[-1] for row in cursor.fetchall())


def qs_plan(qs, **options) -> str:
    return plan(*qs.query.sql_with_params(), **options)


def reads_whole_orders_table(text: str) -> bool:
    """A sequential scan (PostgreSQL), or a SCAN of the orders table or of any of its
    indexes from end to end (SQLite; subqueries name it U0, U1…)."""
    if PG:
        return "Seq Scan on orders_order " in text + " "
    return any(
        re.match(r"SCAN (orders_order|U\d+)( |$)", line.strip()) for line in text.splitlines()
    )


def list_qs(user, **filters):
    f = selectors.OrderFilters(**filters)
    return selectors.filter_orders(selectors.order_queryset_for(user), f).order_by(
        "-created_at", "-id"
    )[:51]


@pytest.fixture
def orders(shop, users):
    owner = users["owner"]
    made = [make_order(owner, agent="agent") for _ in range(3)]
    order_in("awaiting_pickup", owner, agent="agent2")
    return made


def test_search_by_digits_is_exact_and_indexed(orders, users):
    owner = users["owner"]
    order = orders[0]
    Order.objects.filter(pk=order.pk).update(awb="SCP0001")
    for term in ["081234567890", "+6281234567890", order.reference.lower(), "SCP0001"]:
        q = selectors.search_q(term)
        assert "recipient_name" not in str(q), term  # no name fragment with digits
        text = qs_plan(list_qs(owner, q=term))
        assert not reads_whole_orders_table(text), (term, text)
        assert order.pk in {o.pk for o in list_qs(owner, q=term)}, term
    # A name fragment without a digit is matched in the name only; words with a digit
    # ("Toko 2") are looked for in the name too, beside the exact matches.
    assert selectors.search_q("siti") == selectors.Q(recipient_name__icontains="siti")
    assert len(list_qs(owner, q="rahayu")) == 4
    assert "recipient_name" in str(selectors.search_q("Toko 2"))
    Order.objects.filter(pk=orders[1].pk).update(recipient_name="Toko 2 Rahayu")
    assert [o.pk for o in list_qs(owner, q="toko 2")] == [orders[1].pk]
    assert list(list_qs(owner, q="Siti 5")) == []


@pytest.mark.skipif(not PG, reason="the trigram index is PostgreSQL's")
def test_name_fragment_uses_the_trigram_index(orders, users):
    text = qs_plan(list_qs(users["owner"], q="ahay"), bitmap=True)
    assert "order_name_trgm" in text, text


@pytest.mark.parametrize("sort", ["-created_at", "created_at", "-total", "total"])
def test_next_page_starts_the_index_at_the_cursor(orders, users, sort):
    owner = users["owner"]
    _page, cursor = selectors.order_list(
        user=owner, filters=selectors.OrderFilters(), sort=sort, limit=1
    )
    assert cursor
    with CaptureQueriesContext(connection) as ctx:
        selectors.order_list(
            user=owner, filters=selectors.OrderFilters(), sort=sort, cursor=cursor, limit=1
        )
    sql = next(q["sql"] for q in ctx.captured_queries if 'FROM "orders_order"' in q["sql"])
    field = sort.lstrip("-")
    op = "<=" if sort.startswith("-") else ">="
    assert f'"orders_order"."{field}" {op}' in sql, sql  # the redundant bound is there
    text = plan(sql.replace("%", "%%"), ordered=True)
    if PG:
        assert "Index Cond" in text and field in text.split("Index Cond", 1)[1], text
    else:
        assert f"{field}<" in text or f"{field}>" in text, (
            text
        )  # a range, not a walk from the start


def test_tab_counts_read_the_counters_and_index_the_late_orders(orders, users):
    owner = users["owner"]
    Order.objects.filter(status="awaiting_pickup").update(
        status="ready_to_ship", ship_by=timezone.now() - dt.timedelta(days=1)
    )
    for user, index in [(owner, "order_status_ship_by"), (users["agent2"], "order_agent_ship_by")]:
        with CaptureQueriesContext(connection) as ctx:
            counts = selectors.tab_counts(user=user)
        assert counts["action_needed"] == 1 and counts["to_ship"] == 1
        sqls = [q["sql"] for q in ctx.captured_queries if "orders_" in q["sql"]]  # not permissions
        assert len(sqls) == 1 and 'FROM "orders_ordercount"' in sqls[0], sqls
        text = plan(sqls[0].replace("%", "%%"))
        assert not reads_whole_orders_table(text), text
        if not PG:  # PostgreSQL may take either ship_by index at this size
            assert index in text, text


TABS_AND_STATUSES = [
    {"tab": "pending"},
    {"tab": "to_ship"},
    {"tab": "shipped"},
    {"tab": "cancelled"},
    {"tab": "action_needed"},
    {"tab": "action_needed", "status": ["confirmed", "delivery_problem", "paid"]},
    {"status": ["new", "confirmed", "paid"]},
    {"tab": "to_ship", "payment_method": "cod"},
    {"tab": "pending", "status": ["completed"]},  # nothing can match
    {"tab": "cancelled", "tag": "no-such-tag"},  # an empty queryset
]


@pytest.mark.parametrize("sort", ["-created_at", "created_at", "deadline"])
def test_tabs_of_several_statuses_page_like_the_plain_query(shop, users, sort):
    """order_list merges one index range per status for these filters: every page, followed
    by its cursor, is the plain query's ordering (ties on created_at broken by id, late
    and not-late orders, COD and not), for the owner and an agent."""
    import random

    from django.contrib.auth import get_user_model

    from tokodesk.customers.models import Customer

    rng = random.Random(7)
    agents = list(get_user_model().objects.filter(username__in=["agent", "agent2"])) + [None]
    customer = Customer.objects.create(name="Ani", phone="+6281311112222", address="Jl. 2")
    now = timezone.now()
    stamps = [now - dt.timedelta(hours=h) for h in range(12)]  # few stamps: many ties
    orders = Order.objects.bulk_create(
        Order(
            reference=f"ORD-M{i:05d}",
            customer=customer,
            recipient_name="Ani",
            recipient_phone=customer.phone,
            destination_address="Jl. 2",
            status=rng.choice(
                [
                    "new",
                    "confirmed",
                    "paid",
                    "ready_to_ship",
                    "in_transit",
                    "delivery_problem",
                    "cancelled",
                    "returned",
                    "completed",
                    "cancellation_requested",
                    "invoice_issued",
                ]
            ),
            payment_method=rng.choice(["cod", "bank_transfer"]),
            assigned_agent=rng.choice(agents),
            ship_by=now + dt.timedelta(days=rng.choice([-2, 1])) if rng.random() < 0.6 else None,
        )
        for i in range(120)
    )
    for order in orders:
        Order.objects.filter(pk=order.pk).update(created_at=rng.choice(stamps))
    for user in [users["owner"], users["agent"]]:
        for params in TABS_AND_STATUSES:
            f = selectors.OrderFilters(**params)
            plain = list(
                selectors.filter_orders(selectors.order_queryset_for(user), f)
                .order_by(*selectors.SORTS[sort])
                .values_list("pk", flat=True)
            )
            for limit in (1, 4, 50):
                seen, cursor = [], None
                while True:
                    page, cursor = selectors.order_list(
                        user=user, filters=f, sort=sort, cursor=cursor, limit=limit
                    )
                    seen += [o.pk for o in page]
                    if not cursor:
                        break
                assert seen == plain, (user, params, limit)
    assert (
        selectors._status_candidates(selectors.OrderFilters(tab="pending", status=["completed"]))
        == set()
    )
