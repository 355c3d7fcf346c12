"""The order counters (OrderCount, kept by database triggers) stay exact whatever writes the
orders: the services, bulk_create, queryset updates, raw SQL, deletes; and the tab counts
read from them equal the aggregate over the orders, for the owner and for each agent."""

import datetime as dt
import random

import pytest
from django.core.management import CommandError, call_command
from django.db import connection, transaction
from django.db.models import Count
from django.utils import timezone

from tokodesk.core.errors import DomainError
from tokodesk.customers.models import Customer
from tokodesk.orders import counters, selectors
from tokodesk.orders.models import Order, OrderCount
from tokodesk.orders.services import order_assign_agent, order_edit
from tokodesk.orders.states import AWAITING_SHIPMENT, ORDER_TRANSITIONS, PaymentMethod, Status
from tokodesk.orders.tabs import TABS
from tokodesk.orders.tests.factories import make_order, order_in, run, valid_inputs

AGENTS = [None, "agent", "agent2"]


def aggregate_tab_counts(user, filters=None):
    """The tab counts straight from the orders (what tab_counts does with other filters)."""
    filters = selectors.OrderFilters(
        **{**(filters or selectors.OrderFilters()).__dict__, "tab": None}
    )
    now = timezone.now()
    base = selectors.filter_orders(selectors.order_queryset_for(user), filters)
    return base.aggregate(**{tab: Count("pk", filter=selectors.tab_q(tab, now)) for tab in TABS})


FILTERS = [
    selectors.OrderFilters(),
    selectors.OrderFilters(tab="pending"),
    selectors.OrderFilters(payment_method="cod"),
    selectors.OrderFilters(status=["confirmed", "paid", "delivery_problem"]),
    selectors.OrderFilters(agent="agent"),
    selectors.OrderFilters(agent="none", payment_method="bank_transfer"),
]


def assert_counts_exact(users):
    assert counters.check() == []
    for user in [users["owner"], users["agent"], users["agent2"], users["viewer"], None]:
        for f in FILTERS:
            assert selectors.tab_counts(user=user, filters=f) == aggregate_tab_counts(user, f), (
                user,
                f,
            )


def _bulk_orders(rng, n, users, start):
    customer = Customer.objects.create(
        name="Pembeli Massal", phone=f"+6281300{start:06d}", address="Jl. 1"
    )
    statuses = list(Status.values)
    now = timezone.now()
    return Order.objects.bulk_create(
        [
            Order(
                reference=f"ORD-B{start + i:06d}",
                customer=customer,
                recipient_name="Pembeli Massal",
                recipient_phone=customer.phone,
                destination_address="Jl. 1",
                payment_method=rng.choice(PaymentMethod.values),
                status=rng.choice(statuses),
                assigned_agent=users.get(rng.choice(AGENTS)) if rng.random() < 0.8 else None,
                ship_by=now + dt.timedelta(days=rng.choice([-3, -1, 2]))
                if rng.random() < 0.7
                else None,
            )
            for i in range(n)
        ]
    )



def _order_references() -> list[tuple[str, str]]:
    """(table, column) of every foreign key to orders_order, the many-to-many tags included."""
    refs = []
    for rel in Order._meta.get_fields(include_hidden=True):  # related_name="+" ones too
        if not (rel.auto_created and not rel.concrete) or rel.many_to_many:
            continue
        refs.append((rel.related_model._meta.db_table, rel.field.column))
    tags = Order._meta.get_field("tags").remote_field.through._meta
    refs.append((tags.db_table, tags.get_field("order").column))
    return refs

def _step(rng, users, made):
    owner = users["owner"]
    orders = list(Order.objects.values_list("pk", "reference", "status"))
    op = rng.choice(
        [
            "create",
            "path",
            "transition",
            "transition",
            "assign",
            "edit_method",
            "bulk",
            "bulk_update",
            "raw_update",
            "raw_delete",
            "delete",
            "late",
        ]
    )
    if op == "create" or not orders:
        agent = rng.choice(AGENTS)
        make_order(owner, method=rng.choice(PaymentMethod.values), agent=agent)
    elif op == "path":
        order_in(
            rng.choice(
                [
                    "confirmed",
                    "paid",
                    "ready_to_ship",
                    "delivery_problem",
                    "cancelled",
                    "invoice_paid",
                    "payment_completed",
                    "cancellation_requested",
                ]
            ),
            owner,
            agent=rng.choice(AGENTS),
        )
    elif op == "transition":
        order = Order.objects.get(pk=rng.choice(orders)[0])
        actions = ORDER_TRANSITIONS.available(order, owner)
        if actions:
            action = rng.choice(actions).action
            try:
                run(order, action, owner, **valid_inputs(action, order))
            except DomainError:
                pass
    elif op == "assign":
        _pk, reference, _status = rng.choice(orders)
        try:
            order_assign_agent(reference=reference, actor=owner, agent=rng.choice(AGENTS))
        except DomainError:
            pass
    elif op == "edit_method":
        _pk, reference, _status = rng.choice(orders)
        try:
            order_edit(
                reference=reference,
                actor=owner,
                changes={"payment_method": rng.choice(PaymentMethod.values)},
            )
        except DomainError:
            pass
    elif op == "bulk":
        made["bulk"] += 1
        _bulk_orders(rng, rng.randint(1, 8), users, start=made["bulk"] * 100)
    elif op == "bulk_update":
        pks = [pk for pk, _r, _s in rng.sample(orders, min(len(orders), 4))]
        Order.objects.filter(pk__in=pks).update(status=rng.choice(Status.values))
        Order.objects.filter(pk__in=pks[:2]).update(
            assigned_agent=users.get(rng.choice(AGENTS)),
            payment_method=rng.choice(PaymentMethod.values),
        )
    elif op == "raw_update":
        pk = rng.choice(orders)[0]
        agent = users.get(rng.choice(AGENTS))
        with connection.cursor() as cursor:
            cursor.execute(
                "UPDATE orders_order SET assigned_agent_id = %s, status = %s WHERE id = %s",
                [agent.pk if agent else None, rng.choice(Status.values), pk],
            )
            # An update that changes none of the counted columns.
            cursor.execute("UPDATE orders_order SET customer_note = 'x' WHERE id = %s", [pk])
    elif op == "raw_delete":
        pk = rng.choice(orders)[0]
        with connection.cursor() as cursor:
            # Every row that points at the order first (its lines, events, payments, tags,
            # notes, and whatever other apps keep per order: stock movements, RTS fees …),
            # read from the models so a new app's table can't be missed; the database
            # checks the foreign keys at the end of the test.
            for table, column in _order_references():
                cursor.execute(f"DELETE FROM {table} WHERE {column} = %s", [pk])  # noqa: S608
            cursor.execute("DELETE FROM orders_order WHERE id = %s", [pk])
    elif op == "delete":
        Order.objects.filter(
            pk__in=[pk for pk, _r, _s in rng.sample(orders, min(len(orders), 2))]
        ).delete()
    elif op == "late":
        pk = rng.choice(orders)[0]
        days = rng.choice([-2, 3])
        Order.objects.filter(pk=pk).update(
            ship_by=timezone.now() + dt.timedelta(days=days), status=rng.choice(AWAITING_SHIPMENT)
        )
    return op


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_random_writes_keep_the_counters_exact(shop, users, seed):
    rng = random.Random(seed)
    made = {"bulk": seed * 1000}
    ops = set()
    for i in range(45):
        ops.add(_step(rng, users, made))
        if i % 9 == 8:
            assert_counts_exact(users)
    assert_counts_exact(users)
    assert Order.objects.exists()
    # The counters are what they claim to be, not a copy of the aggregate path.
    assert OrderCount.objects.filter(n__gt=0).exists()
    assert selectors.tab_counts(user=users["owner"])["all"] == Order.objects.count()
    assert len(ops) >= 8, ops


def test_action_needed_adds_late_orders_once(shop, users):
    owner = users["owner"]
    late = order_in("paid", owner, agent="agent")
    order_in("delivery_problem", owner, agent="agent")
    order_in("cancellation_requested", owner)
    Order.objects.filter(pk=late.pk).update(ship_by=timezone.now() - dt.timedelta(hours=1))
    assert selectors.tab_counts(user=owner)["action_needed"] == 3
    assert selectors.tab_counts(user=users["agent"])["action_needed"] == 2
    assert selectors.tab_counts(user=users["agent2"])["action_needed"] == 0
    assert (
        selectors.tab_counts(user=owner, filters=selectors.OrderFilters(agent="none"))[
            "action_needed"
        ]
        == 1
    )


def test_filters_beyond_the_counters_use_the_aggregate(shop, users, django_assert_num_queries):
    owner = users["owner"]
    order_in("paid", owner, agent="agent")
    make_order(owner, method="cod")
    for f in [
        selectors.OrderFilters(q="Siti"),
        selectors.OrderFilters(courier="jne"),
        selectors.OrderFilters(date_from=timezone.localdate()),
        selectors.OrderFilters(min_total=1),
    ]:
        assert selectors.tab_counts(user=owner, filters=f) == aggregate_tab_counts(owner, f)
    # Blank and unbounded filters still read the counters: one query, on the counters.
    f = selectors.OrderFilters(q="  ", status=[], date_from=dt.date.min)
    with django_assert_num_queries(1) as ctx:
        counts = selectors.tab_counts(user=owner, filters=f)
    assert 'FROM "orders_ordercount"' in ctx.captured_queries[0]["sql"]
    assert counts == aggregate_tab_counts(owner, f) and counts["all"] == 2


def test_rollback_takes_the_counts_back(shop, users):
    owner = users["owner"]
    order_in("confirmed", owner, agent="agent")
    before = selectors.tab_counts(user=owner)
    rows = sorted(OrderCount.objects.values_list("agent_id", "status", "payment_method", "n"))
    with pytest.raises(RuntimeError), transaction.atomic():
        order = make_order(owner, agent="agent2")
        run(order, "confirm", owner)
        Order.objects.filter(status="confirmed").update(assigned_agent=None)
        assert selectors.tab_counts(user=owner) != before
        raise RuntimeError
    assert selectors.tab_counts(user=owner) == before
    assert (
        sorted(OrderCount.objects.values_list("agent_id", "status", "payment_method", "n")) == rows
    )
    assert counters.check() == []


@pytest.mark.django_db(transaction=True)
def test_rollback_of_a_whole_transaction(shop, users):
    owner = users["owner"]
    make_order(owner, agent="agent")
    rows = sorted(OrderCount.objects.values_list("agent_id", "status", "payment_method", "n"))
    try:
        with transaction.atomic():
            make_order(owner, method="cod", agent="agent2")
            Order.objects.all().delete()
            raise RuntimeError
    except RuntimeError:
        pass
    assert (
        sorted(OrderCount.objects.values_list("agent_id", "status", "payment_method", "n")) == rows
    )
    assert counters.check() == []


def test_recount_repairs_and_check_reports(shop, users):
    owner = users["owner"]
    order_in("paid", owner, agent="agent")
    make_order(owner)
    OrderCount.objects.filter(status="paid").update(n=7)
    OrderCount.objects.filter(status="new").delete()
    wrong = counters.check()
    assert {(key[1], stored, actual) for key, stored, actual in wrong} == {
        ("paid", 7, 1),
        ("new", 0, 1),
    }
    with pytest.raises(CommandError, match="counter"):
        call_command("recount_orders", "--check", verbosity=0)
    call_command("recount_orders", verbosity=0)
    assert counters.check() == []
    assert selectors.tab_counts(user=owner) == aggregate_tab_counts(owner)


def test_ensure_puts_back_missing_triggers(shop, users):
    owner = users["owner"]
    counters.drop_triggers()
    make_order(owner)  # not counted: no trigger
    assert counters.check() != []
    assert counters.ensure() is True
    assert counters.check() == []
    assert counters.installed_triggers() >= counters.expected_triggers()
    assert counters.ensure() is False
    make_order(owner, agent="agent")
    assert counters.check() == []
