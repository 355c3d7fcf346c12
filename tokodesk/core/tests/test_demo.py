"""`tokodesk demo`: every status present, every timeline a consistent story told by the
services, stock consistent with the orders, and a second run changes nothing.

Loading takes a second or two, so one test loads the shop and runs every check on it."""

import datetime as dt
import io
from collections import Counter

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db.models import Sum
from django.utils import timezone

from tokodesk.accounts.roles import role_of
from tokodesk.catalog.models import Stock
from tokodesk.core.demo import DEFAULT_ORDERS
from tokodesk.core.management.commands.demo import Command
from tokodesk.orders.models import Order, OrderEvent, OrderLine, Payment
from tokodesk.orders.states import FINAL, Status, StockState

pytestmark = pytest.mark.django_db

ORDERS = 60


def run_demo(**options):
    out = io.StringIO()
    call_command("demo", orders=ORDERS, stdout=out, **options)
    return out.getvalue()


def test_default_is_about_500_orders():
    options = Command().create_parser("tokodesk", "demo").parse_args([])
    assert options.orders == DEFAULT_ORDERS == 500


def check_every_status_is_present(demo):
    assert Order.objects.count() == ORDERS
    assert set(Order.objects.values_list("status", flat=True)) == set(Status.values)
    assert set(Order.objects.values_list("payment_method", flat=True)) == {
        "cod", "bank_transfer", "payment_gateway", "invoice"}
    channels = Counter(Order.objects.values_list("channel", flat=True))
    assert channels["landing_page"] > channels["manual"] > 0
    assert "Demo data loaded" in demo and "demo12345" in demo


def check_users_and_roles(demo):
    users = {u.username: u for u in get_user_model().objects.all()}
    expected = {"owner": "owner", "admin": "admin", "agent1": "agent", "agent2": "agent", "agent3": "agent",
                "gudang": "warehouse", "keuangan": "finance", "viewer": "viewer"}
    for username, role in expected.items():
        assert role_of(users[username]) == role
        assert users[username].check_password("demo12345")
    assert all(users[a].first_name for a in ("agent1", "agent2", "agent3"))


def check_timelines_chain_from_new_to_the_current_status(demo):
    now = timezone.now()
    for order in Order.objects.prefetch_related("events"):
        events = sorted(order.events.all(), key=lambda e: (e.created_at, e.id))
        assert [e.id for e in events] == sorted(e.id for e in events), order.reference  # dates keep the order
        first = events[0]
        assert first.kind == OrderEvent.Kind.CREATED and first.to_status == Status.NEW, order.reference
        assert abs(first.created_at - order.created_at) < dt.timedelta(seconds=5)
        current = Status.NEW
        for event in events:
            assert event.created_at >= order.created_at - dt.timedelta(seconds=5)
            assert event.created_at <= now
            if event.kind == OrderEvent.Kind.ACTION:
                assert event.from_status == current, (order.reference, event.action)
                current = event.to_status
        assert current == order.status, order.reference
        assert now - order.created_at < dt.timedelta(days=92)


def check_dates_are_spread_and_consistent(demo):
    created = list(Order.objects.values_list("created_at", flat=True))
    assert max(created) - min(created) > dt.timedelta(days=20)
    for order in Order.objects.exclude(confirmed_at=None):
        assert order.created_at <= order.confirmed_at <= timezone.now()
        if order.ship_by is not None:  # starts at confirmation (COD) or at full payment
            assert order.ship_by >= order.confirmed_at + dt.timedelta(hours=48) - dt.timedelta(seconds=1)
    for order in Order.objects.filter(status=Status.CANCELLATION_REQUESTED):
        assert order.cancellation_deadline > timezone.now()  # the worker has not approved them yet


def check_money_matches_the_statuses(demo):
    for order in Order.objects.filter(status__in=[Status.PAID, Status.PAYMENT_COMPLETED, Status.INVOICE_PAID,
                                                  Status.COMPLETED]):
        assert order.paid_total == order.total, order.reference
    for order in Order.objects.filter(status=Status.PARTIALLY_PAID):
        assert 0 < order.paid_total < order.total
    for order in Order.objects.all():
        live = Payment.objects.filter(order=order, voided_at=None).aggregate(s=Sum("amount"))["s"] or 0
        assert live == order.paid_total, order.reference


def check_stock_invariants(demo):
    reserved = Counter()
    lines = OrderLine.objects.filter(order__stock_state=StockState.RESERVED).values_list(
        "order__warehouse_id", "variant_id", "qty")
    for warehouse_id, variant_id, qty in lines:
        reserved[(warehouse_id, variant_id)] += qty
    for stock in Stock.objects.all():
        assert 0 <= stock.reserved <= stock.on_hand
        assert stock.reserved == reserved[(stock.warehouse_id, stock.variant_id)]
    assert not Order.objects.filter(status__in=FINAL, stock_state=StockState.RESERVED).exists()


def check_running_twice_changes_nothing(_demo):
    def snapshot():
        return (Order.objects.count(), OrderEvent.objects.count(), get_user_model().objects.count(),
                list(Stock.objects.order_by("pk").values_list("on_hand", "reserved")),
                list(Order.objects.order_by("pk").values_list("status", "version", "updated_at")))

    before = snapshot()
    out = run_demo()
    assert "already loaded" in out
    assert snapshot() == before


def test_demo_loads_a_consistent_shop():
    demo = run_demo()
    check_every_status_is_present(demo)
    check_users_and_roles(demo)
    check_timelines_chain_from_new_to_the_current_status(demo)
    check_dates_are_spread_and_consistent(demo)
    check_money_matches_the_statuses(demo)
    check_stock_invariants(demo)
    check_running_twice_changes_nothing(demo)


def test_the_same_seed_gives_the_same_shop():
    run_demo()
    first = list(Order.objects.order_by("reference").values_list(
        "reference", "status", "total", "recipient_name", "recipient_phone"))
    Order.objects.all().delete()
    from tokodesk.core.models import Sequence

    Sequence.objects.all().delete()
    Stock.objects.update(reserved=0)
    run_demo()
    again = list(Order.objects.order_by("reference").values_list(
        "reference", "status", "total", "recipient_name", "recipient_phone"))
    assert again == first
