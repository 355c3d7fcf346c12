"""The tabs are declared once (orders.tabs) and everything reads that declaration: the
lists, the trigger-kept counters, the page's strip, the API and the docs.

The counter triggers (orders.counters) are SQL keyed on (agent, status, payment method),
not generated from the tabs; what ties them to the declaration is proven here: after
random inserts, updates and deletes by every kind of write, for every tab and every part
of it, the counters summed through the part's condition equal a COUNT of the orders
through the same declaration (run on SQLite and on PostgreSQL)."""

import datetime as dt
import re

import pytest
from django.db import connection, transaction
from django.db.models import Count, Sum
from django.utils import timezone, translation
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tokodesk.customers.models import Customer
from tokodesk.orders import counters, selectors, tabs
from tokodesk.orders.models import Order, OrderCount
from tokodesk.orders.schemas import TabCountsOut
from tokodesk.orders.states import PaymentMethod, Status
from tokodesk.orders.tabs import ORDER_TABS, TABS, Part, Tab

AGENTS = [None, "agent", "agent2"]


def test_the_declaration_is_consistent():
    tabs.check()
    assert [t.key for t in ORDER_TABS][0] == "all" and TABS["all"].parts is None
    # Every status is in some tab besides "all" (an order never vanishes from the strip).
    shown = set().union(*(t.statuses for t in ORDER_TABS if t.parts))
    assert shown == set(Status.values)


def test_overlapping_parts_are_refused():
    bad = Tab("x", "x", (Part((Status.CONFIRMED,)), Part((Status.CONFIRMED,), payment_methods=("cod",))))
    with pytest.raises(AssertionError, match="overlap"):
        tabs.check((bad,))
    with pytest.raises(AssertionError, match="shipping deadline"):
        tabs.check((Tab("y", "y", (Part((Status.COMPLETED,), late=True),)),))


def test_the_readers_follow_the_declaration(shop, users, client):
    keys = [t.key for t in ORDER_TABS]
    assert list(TabCountsOut.model_fields) == keys
    from tokodesk.orders.forms import OrderFilterForm

    assert [v for v, _l in OrderFilterForm(user=users["owner"]).fields["tab"].choices] == keys
    client.force_login(users["owner"])
    html = client.get("/orders/tabs/", HTTP_HX_REQUEST="true", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert re.findall(r'data-tab="(\w+)"', html) == keys
    with translation.override("en"):
        labels = [str(t.label) for t in ORDER_TABS]
    assert [label.strip() for label in re.findall(r'data-tab="\w+"[^>]*>\s*([^<]+)<span', html)] == labels
    from tokodesk.ops.management.commands.render_states import documents

    doc = documents()["docs/order-states.md"]
    for t in ORDER_TABS:
        assert f"| `{t.key}` | " in doc and f"| `{t.default_sort}` |" in doc


def test_a_new_part_changes_every_reader(shop, users, monkeypatch):
    """Declaring a tab differently changes the list and the counts alike (nothing else
    holds the rule): moving confirmed COD orders out of To ship empties it of them."""
    from tokodesk.orders.tests.factories import order_in

    owner = users["owner"]
    order_in("confirmed", owner, method="cod")
    assert selectors.tab_counts(user=owner)["to_ship"] == 1
    assert len(selectors.order_list(user=owner, filters=selectors.OrderFilters(tab="to_ship"))[0]) == 1
    narrowed = Tab("to_ship", "To ship", TABS["to_ship"].parts[:1])
    monkeypatch.setitem(TABS, "to_ship", narrowed)
    assert selectors.tab_counts(user=owner)["to_ship"] == 0
    assert selectors.order_list(user=owner, filters=selectors.OrderFilters(tab="to_ship"))[0] == []


# --- the counters against the declaration, under random writes ----------------------------

STATUSES = st.sampled_from(Status.values)
METHODS = st.sampled_from(PaymentMethod.values)
AGENT = st.sampled_from(AGENTS)
SHIP_BY = st.one_of(st.none(), st.sampled_from([-48, -1, 1, 48]))

OPS = st.one_of(
    st.tuples(st.just("insert"), st.lists(st.tuples(STATUSES, METHODS, AGENT, SHIP_BY), min_size=1, max_size=6)),
    st.tuples(st.just("status"), st.integers(0, 50), STATUSES),
    st.tuples(st.just("method"), st.integers(0, 50), METHODS),
    st.tuples(st.just("agent"), st.integers(0, 50), AGENT),
    st.tuples(st.just("ship_by"), st.integers(0, 50), SHIP_BY),
    st.tuples(st.just("raw_status"), st.integers(0, 50), STATUSES),
    st.tuples(st.just("move_all"), STATUSES, STATUSES),
    st.tuples(st.just("delete"), st.integers(0, 50)),
    st.tuples(st.just("delete_status"), STATUSES),
    st.tuples(st.just("save"), st.integers(0, 50), STATUSES, METHODS),
)


class _Rollback(Exception):
    pass


def _pick(i):
    pks = list(Order.objects.order_by("pk").values_list("pk", flat=True))
    return pks[i % len(pks)] if pks else None


def _apply(op, users, customer, serial):
    kind = op[0]
    now = timezone.now()
    if kind == "insert":
        Order.objects.bulk_create([
            Order(reference=f"ORD-H{next(serial):06d}", customer=customer, recipient_name=customer.name,
                  recipient_phone=customer.phone, destination_address="Jl. 1", status=status,
                  payment_method=method, assigned_agent=users.get(agent) if agent else None,
                  ship_by=None if hours is None else now + dt.timedelta(hours=hours))
            for status, method, agent, hours in op[1]
        ])
        return
    if kind == "move_all":
        Order.objects.filter(status=op[1]).update(status=op[2])
        return
    if kind == "delete_status":
        Order.objects.filter(status=op[1]).delete()
        return
    pk = _pick(op[1])
    if pk is None:
        return
    rows = Order.objects.filter(pk=pk)
    if kind == "status":
        rows.update(status=op[2])
    elif kind == "method":
        rows.update(payment_method=op[2])
    elif kind == "agent":
        rows.update(assigned_agent=users.get(op[2]) if op[2] else None)
    elif kind == "ship_by":
        rows.update(ship_by=None if op[2] is None else now + dt.timedelta(hours=op[2]))
    elif kind == "raw_status":
        with connection.cursor() as cursor:
            cursor.execute("UPDATE orders_order SET status = %s WHERE id = %s", [op[2], pk])
    elif kind == "delete":
        rows.delete()
    elif kind == "save":
        order = rows.get()
        order.status, order.payment_method = op[2], op[3]
        order.save()


def _counter_sum(q, agent_id=None):
    rows = OrderCount.objects.filter(q)
    if agent_id is not None:
        rows = rows.filter(agent_id=agent_id)
    return rows.aggregate(n=Sum("n"))["n"] or 0


def _assert_counters_follow_the_declaration(users):
    now = timezone.now()
    assert counters.check() == []
    for name in (None, "agent", "agent2"):
        orders = Order.objects.all()
        agent_id = None
        if name:
            agent_id = users[name].pk
            orders = orders.filter(assigned_agent_id=agent_id)
        for t in ORDER_TABS:
            for part in t.counted_parts:
                assert _counter_sum(part.counter_q(), agent_id) == orders.filter(part.q()).count(), (
                    t.key, part, name)
    owner = users["owner"]
    expected = Order.objects.aggregate(**{t.key: Count("pk", filter=t.q(now)) for t in ORDER_TABS})
    assert selectors.tab_counts(user=owner) == expected
    agent = users["agent"]
    mine = Order.objects.filter(assigned_agent=agent)
    assert selectors.tab_counts(user=agent) == mine.aggregate(
        **{t.key: Count("pk", filter=t.q(now)) for t in ORDER_TABS})


@pytest.mark.django_db
@settings(max_examples=30, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(ops=st.lists(OPS, min_size=1, max_size=10))
def test_counters_equal_a_count_through_the_declaration(shop, users, ops):
    serial = iter(range(1, 10**6))
    try:
        with transaction.atomic():
            customer = Customer.objects.create(name="Pembeli Acak", phone="+6281300000001", address="Jl. 1")
            for op in ops:
                _apply(op, users, customer, serial)
            _assert_counters_follow_the_declaration(users)
            raise _Rollback
    except _Rollback:
        pass
    assert not Order.objects.exists()
