"""The deadline sort (issue 12, item 12): every tab can be sorted by the next deadline, most
urgent first; Action needed is by default; the API's orders carry `deadline`. Keyset pages
under it and the query counts are the same as under the other sorts."""

import datetime as dt
import random
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tokodesk.customers.models import Customer
from tokodesk.orders import selectors
from tokodesk.orders.models import NO_DEADLINE, Order
from tokodesk.orders.states import Status
from tokodesk.orders.tabs import ORDER_TABS
from tokodesk.orders.tests.factories import order_in, run

AGENTS = [None, "agent", "agent2"]


def _orders(users, n=60, seed=7):
    """n orders in every status with random deadlines (and ties), written in bulk."""
    rng = random.Random(seed)
    now = timezone.now().replace(microsecond=0)
    customer = Customer.objects.create(name="Pembeli Tenggat", phone="+6281300000009", address="Jl. 9")
    hours = [-30, -2, 1, 5, 5, 40]
    return Order.objects.bulk_create([
        Order(reference=f"ORD-D{i:04d}", customer=customer, recipient_name=customer.name,
              recipient_phone=customer.phone, destination_address="Jl. 9",
              status=rng.choice(Status.values), payment_method=rng.choice(["cod", "bank_transfer"]),
              assigned_agent=users.get(rng.choice(AGENTS)) if rng.random() < 0.7 else None,
              ship_by=now + dt.timedelta(hours=rng.choice(hours)) if rng.random() < 0.8 else None,
              cancellation_deadline=now + dt.timedelta(hours=rng.choice(hours)) if rng.random() < 0.5 else None)
        for i in range(n)
    ])


def _key(order):
    return (order.deadline or NO_DEADLINE, -order.pk)


def test_the_column_is_the_rule_of_order_deadline(shop, users):
    _orders(users, 80)
    Order.objects.filter(status=Status.PAID).update(status=Status.CANCELLATION_REQUESTED)  # any write
    for order in Order.objects.all():
        assert order.deadline_sort == (order.deadline or NO_DEADLINE), order.status
        if order.status == Status.CANCELLATION_REQUESTED:
            assert order.deadline == order.cancellation_deadline
        elif order.status in ("confirmed", "paid", "payment_completed", "invoice_paid", "ready_to_ship"):
            assert order.deadline == order.ship_by
        else:
            assert order.deadline is None


def _walk(user, filters, limit):
    seen, cursor = [], None
    while True:
        page, cursor = selectors.order_list(user=user, filters=filters, sort="deadline", cursor=cursor, limit=limit)
        seen += page
        if cursor is None:
            return seen


@pytest.mark.parametrize("tab", [t.key for t in ORDER_TABS])
def test_every_tab_pages_by_deadline(shop, users, tab):
    _orders(users)
    for name in ("owner", "agent"):
        user = users[name]
        filters = selectors.OrderFilters(tab=tab)
        expected = sorted(
            selectors.filter_orders(selectors.order_queryset_for(user), filters), key=_key
        )
        walked = _walk(user, filters, limit=4)
        assert [o.pk for o in walked] == [o.pk for o in expected], (tab, name)


def test_action_needed_is_soonest_first_by_default(shop, users):
    owner = users["owner"]
    later = order_in("cancellation_requested", owner)
    late = order_in("paid", owner)
    Order.objects.filter(pk=late.pk).update(ship_by=timezone.now() - dt.timedelta(hours=3))
    problem = order_in("delivery_problem", owner)
    Order.objects.filter(pk=later.pk).update(cancellation_deadline=timezone.now() + dt.timedelta(hours=5))
    page, _ = selectors.order_list(user=owner, filters=selectors.OrderFilters(tab="action_needed"), sort=None)
    # Overdue first, then the request that approves itself in 5 h, then no clock at all.
    assert [o.reference for o in page] == [late.reference, later.reference, problem.reference]
    # The other tabs keep newest first.
    page, _ = selectors.order_list(user=owner, filters=selectors.OrderFilters(tab="all"), sort=None)
    assert [o.reference for o in page] == [problem.reference, late.reference, later.reference]


def test_api_orders_carry_the_deadline_and_action_needed_is_soonest_first(shop, users, api_as):
    owner = users["owner"]
    request = order_in("cancellation_requested", owner)
    late = order_in("paid", owner)
    soon = timezone.now() - dt.timedelta(hours=1)
    Order.objects.filter(pk=late.pk).update(ship_by=soon)
    done = order_in("completed", owner)
    api = api_as("owner")
    items = api.get("/api/v1/orders", {"tab": "action_needed"}).json()["items"]
    assert [o["reference"] for o in items] == [late.reference, request.reference]
    request.refresh_from_db()
    # ISO times (the API writes milliseconds).
    assert abs(dt.datetime.fromisoformat(items[0]["deadline"]) - soon) < dt.timedelta(milliseconds=1)
    assert abs(dt.datetime.fromisoformat(items[1]["deadline"]) - request.cancellation_deadline) < dt.timedelta(
        milliseconds=1)
    detail = api.get(f"/api/v1/orders/{done.reference}").json()
    assert detail["deadline"] is None
    # Asked for explicitly on any tab, and refused when unknown.
    items = api.get("/api/v1/orders", {"sort": "deadline"}).json()["items"]
    assert [o["reference"] for o in items] == [late.reference, request.reference, done.reference]
    assert api.get("/api/v1/orders", {"sort": "urgent"}).status_code == 422
    # The answer of an action shows the deadline it set.
    shipped = order_in("confirmed", owner, method="cod")
    answer = api.get(f"/api/v1/orders/{shipped.reference}").json()
    assert answer["deadline"] and answer["deadline"] == answer["ship_by"]
    run(shipped, "mark_ready", owner)
    run(shipped, "ship", owner, awb="JNE000111")
    assert api.get(f"/api/v1/orders/{shipped.reference}").json()["deadline"] is None


def _count(fn):
    with CaptureQueriesContext(connection) as ctx:
        fn()
    return len(ctx.captured_queries)


@pytest.mark.parametrize("tab", ["all", "pending", "action_needed", "completed"])
def test_the_deadline_sort_costs_what_newest_first_costs(shop, users, tab):
    owner = users["owner"]
    _orders(users, 30)
    f = selectors.OrderFilters(tab=tab)

    def page(sort, limit, cursor=None):
        return selectors.order_list(user=owner, filters=f, sort=sort, limit=limit, cursor=cursor)

    page("-created_at", 5)  # warm: the user's permissions are read once
    newest = _count(lambda: page("-created_at", 5))
    assert _count(lambda: page("deadline", 5)) == _count(lambda: page("deadline", 50)) == newest
    _p, cursor = page("deadline", 2)
    if cursor:
        assert _count(lambda: page("deadline", 2, cursor)) == newest


def test_the_page_sorts_by_deadline(shop, users, client):
    owner = users["owner"]
    request = order_in("cancellation_requested", owner)
    late = order_in("paid", owner)
    Order.objects.filter(pk=late.pk).update(ship_by=timezone.now() - dt.timedelta(hours=3))
    fresh = order_in("new", owner)
    client.force_login(owner)

    def refs(html):
        return list(dict.fromkeys(re.findall(r"ORD-\d+", html)))

    html = client.get("/orders/", {"tab": "action_needed"}).content.decode()
    assert re.search(r'<option value="deadline" selected>', html)
    assert refs(html)[:2] == [late.reference, request.reference]
    html = client.get("/orders/", {"sort": "deadline"}).content.decode()
    assert refs(html)[:3] == [late.reference, request.reference, fresh.reference]
    html = client.get("/orders/").content.decode()
    assert re.search(r'<option value="-created_at" selected>', html)
    assert refs(html)[0] == fresh.reference


@pytest.fixture
def _statistics_as_stored(db):
    """The planner statistics of the database, not whatever an earlier test in this process
    left loaded in the connection (SQLite keeps an ANALYZE's statistics after that
    transaction was rolled back; see test_perf_plans). Statistics of an orders table of a
    few rows (test_perf_statistics analyses 1 to 4 orders) make the outer query of a merged
    page SCAN the 80 orders here, testing each against the short list of ids, instead of
    reading those ids by rowid: cheap at 4 orders, and not what a real table's statistics
    give (refresh_sqlite_statistics re-analyses a table that grew). With statistics of
    20,000 or (scaled) 1,000,000 orders the plan is the same as with none."""
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE sqlite_schema")


@pytest.mark.usefixtures("_statistics_as_stored")
@pytest.mark.parametrize("tab", ["all", "to_ship", "action_needed"])
def test_deadline_pages_are_index_ranges(shop, users, tab):
    """The next page by deadline reads one short range of order_status_deadline (or
    order_agent_deadline) per status, never the orders table whole."""
    from tokodesk.orders.tests.test_perf_plans import PG, plan, reads_whole_orders_table

    _orders(users, 80)
    for name, index in (("owner", "order_status_deadline"), ("agent", "order_agent_deadline")):
        f = selectors.OrderFilters(tab=tab)
        _page, cursor = selectors.order_list(user=users[name], filters=f, sort="deadline", limit=1)
        with CaptureQueriesContext(connection) as ctx:
            selectors.order_list(user=users[name], filters=f, sort="deadline", cursor=cursor, limit=1)
        sql = next(q["sql"] for q in ctx.captured_queries if 'FROM "orders_order"' in q["sql"])
        text = plan(sql.replace("%", "%%"))
        assert not reads_whole_orders_table(text), text
        if not PG:
            assert index in text, text
