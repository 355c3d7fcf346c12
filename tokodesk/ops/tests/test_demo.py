"""`tokodesk demo`: every status present (orders and returns), every timeline a consistent
story told by the services, stock consistent with the orders, and a second run changes
nothing.

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
from tokodesk.notifications.emails import notify_return_status
from tokodesk.notifications.models import Notification
from tokodesk.ops.demo import DEFAULT_ORDERS
from tokodesk.ops.management.commands.demo import Command
from tokodesk.orders.models import Order, OrderEvent, OrderLine, Payment
from tokodesk.orders.states import FINAL, Status, StockState
from tokodesk.payments.models import Claim, Remittance, RemittanceLine
from tokodesk.returns.ledger import StoreCreditEntry
from tokodesk.returns.models import Refund, Return, ReturnEvent, ReturnMessage, ReturnPhoto
from tokodesk.returns.return_settings import ReturnSettings
from tokodesk.returns.states import Resolution
from tokodesk.returns.states import Status as ReturnStatus
from tokodesk.tracking.models import TrackingEvent

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
    # The demo's orders, and the replacement orders of exchange returns.
    assert Order.objects.filter(replaces_return__isnull=True).count() == ORDERS
    assert Order.objects.filter(replaces_return__isnull=False).count() >= 2
    assert set(Order.objects.values_list("status", flat=True)) == set(Status.values)
    assert set(Order.objects.values_list("payment_method", flat=True)) == {
        "cod",
        "bank_transfer",
        "payment_gateway",
        "invoice",
    }
    channels = Counter(Order.objects.values_list("channel", flat=True))
    assert channels["landing_page"] > channels["manual"] > 0
    assert "Demo data loaded" in demo and "demo12345" in demo


def check_users_and_roles(demo):
    users = {u.username: u for u in get_user_model().objects.all()}
    expected = {
        "owner": "owner",
        "admin": "admin",
        "agent1": "agent",
        "agent2": "agent",
        "agent3": "agent",
        "gudang": "warehouse",
        "keuangan": "finance",
        "viewer": "viewer",
    }
    for username, role in expected.items():
        assert role_of(users[username]) == role
        assert users[username].check_password("demo12345")
    assert all(users[a].first_name for a in ("agent1", "agent2", "agent3"))


def check_timelines_chain_from_new_to_the_current_status(demo):
    now = timezone.now()
    for order in Order.objects.prefetch_related("events"):
        events = sorted(order.events.all(), key=lambda e: (e.created_at, e.id))
        assert [e.id for e in events] == sorted(e.id for e in events), (
            order.reference
        )  # dates keep the order
        first = events[0]
        assert first.kind == OrderEvent.Kind.CREATED and first.to_status == Status.NEW, (
            order.reference
        )
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
            assert order.ship_by >= order.confirmed_at + dt.timedelta(hours=48) - dt.timedelta(
                seconds=1
            )
    for order in Order.objects.filter(status=Status.CANCELLATION_REQUESTED):
        assert order.cancellation_deadline > timezone.now()  # the worker has not approved them yet


def check_money_matches_the_statuses(demo):
    for order in Order.objects.filter(
        status__in=[Status.PAID, Status.PAYMENT_COMPLETED, Status.INVOICE_PAID, Status.COMPLETED]
    ):
        assert order.paid_total == order.total, order.reference
    for order in Order.objects.filter(status=Status.PARTIALLY_PAID):
        assert 0 < order.paid_total < order.total
    for order in Order.objects.all():
        live = (
            Payment.objects.filter(order=order, voided_at=None).aggregate(s=Sum("amount"))["s"] or 0
        )
        assert live == order.paid_total, order.reference


def check_stock_invariants(demo):
    reserved = Counter()
    lines = OrderLine.objects.filter(order__stock_state=StockState.RESERVED).values_list(
        "order__warehouse_id", "variant_id", "qty"
    )
    for warehouse_id, variant_id, qty in lines:
        reserved[(warehouse_id, variant_id)] += qty
    for stock in Stock.objects.all():
        assert 0 <= stock.reserved <= stock.on_hand
        assert stock.reserved == reserved[(stock.warehouse_id, stock.variant_id)]
    assert not Order.objects.filter(status__in=FINAL, stock_state=StockState.RESERVED).exists()


def check_every_return_status_and_resolution(demo):
    returns = Return.objects.all()
    assert set(returns.values_list("status", flat=True)) == set(ReturnStatus.values)
    completed = returns.filter(status=ReturnStatus.COMPLETED)
    assert set(completed.values_list("resolution", flat=True)) == set(Resolution.values)
    assert "Returns:" in demo
    # refund: a bank transfer still to pay, and one paid with its proof.
    transfers = Refund.objects.filter(method="bank_transfer", return_order__isnull=False)
    assert transfers.filter(status="pending").exists()
    paid = transfers.filter(status="paid").first()
    assert paid is not None and paid.proof and paid.paid_on and paid.account_holder
    # store credit: on a customer's ledger.
    customers = StoreCreditEntry.objects.values_list("customer_id", flat=True).distinct()
    assert any(StoreCreditEntry.objects.balance_of(c) > 0 for c in customers)
    assert not Refund.objects.filter(method="store_credit", status="pending").exists()
    # exchanges: a linked replacement order each.
    for ret in completed.filter(resolution__startswith="exchange"):
        assert ret.replacement_order is not None, ret.reference
        assert ret.replacement_order.external_reference == ret.reference
    assert completed.filter(resolution="exchange_other", exchange_difference__isnull=False).exists()
    # rejected with a message to the customer; a rejected one recreated as a draft.
    for ret in returns.filter(status=ReturnStatus.REJECTED):
        assert (
            ReturnMessage.objects.filter(return_order=ret, action="reject")
            .exclude(body="")
            .exists()
        )
    assert returns.filter(status=ReturnStatus.DRAFT, recreated_from__status="rejected").exists()
    # the calendar, custom states, responsibles, a label, photos.
    today = timezone.localdate()
    targets = list(
        returns.exclude(status__in=["completed", "rejected", "cancelled"])
        .exclude(target_date=None)
        .values_list("target_date", flat=True)
    )
    assert min(targets) < today + dt.timedelta(days=2) and max(targets) > today
    assert returns.filter(status="item_received", custom_state__label="Menunggu inspeksi").exists()
    assert returns.exclude(custom_state=None).count() >= 2
    for ret in returns.exclude(custom_state=None):
        assert ret.custom_state.status == ret.status
    assert returns.exclude(responsible_user=None).exists()
    assert returns.exclude(responsible_group=None).exists()
    labelled = returns.exclude(label="").exclude(approved_at=None).first()
    assert labelled is not None and labelled.label.read(4) == b"%PDF"
    assert ReturnPhoto.objects.filter(uploaded_by="customer").exists()
    assert returns.filter(origin="customer").exists() and returns.filter(origin="seller").exists()


def check_return_timelines(demo):
    """Each return: asked for inside the return window after delivery, its timeline in
    date order chaining from its entry status to its status, everything before now."""
    now = timezone.now()
    window = dt.timedelta(days=ReturnSettings.get().return_window_days)
    for ret in Return.objects.select_related("order").prefetch_related("events"):
        events = sorted(ret.events.all(), key=lambda e: (e.created_at, e.id))
        assert [e.id for e in events] == sorted(e.id for e in events), ret.reference
        first = events[0]
        assert first.kind == ReturnEvent.Kind.CREATED, ret.reference
        assert abs(first.created_at - ret.created_at) < dt.timedelta(seconds=5)
        delivered = ret.order.delivered_at
        assert delivered < ret.created_at <= delivered + window, ret.reference
        current = first.to_status
        for event in events:
            assert event.created_at <= now
            if event.kind == ReturnEvent.Kind.ACTION:
                assert event.from_status == current, (ret.reference, event.action)
                current = event.to_status
        assert current == ret.status, ret.reference
        for stamp in (
            ret.approved_at,
            ret.received_at,
            ret.completed_at,
            ret.rejected_at,
            ret.cancelled_at,
        ):
            assert stamp is None or ret.created_at <= stamp <= now, ret.reference
    for refund in Refund.objects.exclude(return_order=None).select_related("return_order"):
        assert refund.created_at >= refund.return_order.created_at
        assert refund.paid_on is None or refund.paid_on <= timezone.localdate()
    for order in Order.objects.filter(replaces_return__isnull=False).select_related(
        "replaces_return"
    ):
        assert abs(order.created_at - order.replaces_return.completed_at) < dt.timedelta(seconds=5)
    created = list(Return.objects.values_list("created_at", flat=True))
    assert max(created) - min(created) > dt.timedelta(days=10)


def check_every_timeline_row_is_valid(demo):
    """Every ReturnEvent written by the returns and notifications code is a valid row
    (its kind one of the model's choices), including the e-mail and WhatsApp notes."""
    events = {
        "approve": "awaiting_item",
        "receive": "item_received",
        "complete": "completed",
        "reject": "rejected",
    }
    emailed = next(
        ret
        for ret in Return.objects.filter(status__in=events.values()).select_related(
            "order__customer"
        )
        if ret.order.recipient_email or ret.order.customer.email
    )
    event = next(e for e, status in events.items() if status == emailed.status)
    owner = get_user_model().objects.get(username="owner")
    assert (
        notify_return_status(emailed, event, send=True, actor=owner, message="Terima kasih.")
        is not None
    )
    assert Notification.objects.filter(channel="whatsapp").exists()  # the demo's WhatsApp notes
    kinds = set()
    for row in ReturnEvent.objects.all():
        row.full_clean()
        kinds.add(row.kind)
    assert kinds == set(ReturnEvent.Kind.values)  # the demo shows every kind of timeline row


def check_shop_profile(_demo):
    """A realistic Indonesian shop profile: name, address with district and city, contacts,
    two bank accounts offered (an old one kept, not offered), in their order."""
    from tokodesk.core.models import BankAccount, ShopSettings

    shop = ShopSettings.get()
    assert shop.shop_name and shop.district and shop.city and shop.whatsapp and shop.email
    assert "tokodesk" not in shop.shop_name.lower()
    offered = list(BankAccount.objects.filter(active=True).values_list("bank_name", flat=True))
    assert len(offered) == 2 and BankAccount.objects.filter(active=False).count() == 1


def check_running_twice_changes_nothing(_demo):
    def snapshot():
        return (
            Order.objects.count(),
            OrderEvent.objects.count(),
            get_user_model().objects.count(),
            list(Stock.objects.order_by("pk").values_list("on_hand", "reserved")),
            list(Order.objects.order_by("pk").values_list("status", "version", "updated_at")),
            list(Return.objects.order_by("pk").values_list("status", "version", "updated_at")),
            ReturnEvent.objects.count(),
            list(Refund.objects.order_by("pk").values_list("status", "amount")),
            StoreCreditEntry.objects.count(),
        )

    before = snapshot()
    out = run_demo()
    assert "already loaded" in out
    assert snapshot() == before


def check_courier_side(demo):
    """Shipped orders carry the courier's history, applied by the tracking worker (issue 15);
    two events wait for a person on Action needed; part of the COD money is remitted and two
    lost parcels are claimed."""
    E = TrackingEvent.Status
    past_pickup = Order.objects.filter(
        status__in=("in_transit", "delivery_problem", "delivered", "returning", "returned",
                    "lost_or_damaged"),
        replaces_return__isnull=True,
    )
    for order in past_pickup:
        events = list(TrackingEvent.objects.filter(order=order, status=E.APPLIED).order_by("at"))
        assert events and events[0].event == "picked_up", order.reference
        assert all(e.at <= timezone.now() for e in events)
        # Each applied event moved the order: the timeline row is the courier's, at its time.
        courier_rows = OrderEvent.objects.filter(order=order, source="courier")
        assert courier_rows.count() == len(events), order.reference
        assert {r.created_at for r in courier_rows} == {e.at for e in events}
    problem = Order.objects.filter(status="delivery_problem").first()
    assert TrackingEvent.objects.filter(order=problem, event="problem").exists()
    attention = TrackingEvent.objects.filter(status=E.NOT_APPLIED)
    assert sorted(attention.values_list("event", flat=True)) == ["delivered", "problem"]
    lines = RemittanceLine.objects.all()
    flags = Counter(lines.values_list("flag", flat=True))
    assert flags["matched"] > 0 and flags["amount_short"] >= 1
    remitted = set(lines.values_list("order_id", flat=True))
    cod_delivered = Order.objects.filter(payment_method="cod", status__in=("delivered", "completed"))
    assert 0 < len(remitted) < cod_delivered.count()  # some COD money is still outstanding
    lost = Order.objects.filter(status="lost_or_damaged").count()
    claims = list(Claim.objects.order_by("reference").values_list("status", flat=True))
    assert claims == ["paid", "submitted"][: min(2, lost)] and claims


def test_demo_loads_a_consistent_shop():
    demo = run_demo()
    check_every_status_is_present(demo)
    check_users_and_roles(demo)
    check_timelines_chain_from_new_to_the_current_status(demo)
    check_dates_are_spread_and_consistent(demo)
    check_money_matches_the_statuses(demo)
    check_stock_invariants(demo)
    check_every_return_status_and_resolution(demo)
    check_return_timelines(demo)
    check_every_timeline_row_is_valid(demo)
    check_shop_profile(demo)
    check_courier_side(demo)
    check_running_twice_changes_nothing(demo)


def courier_side():
    """The courier's side of the demo: its tracking events, remittance lines and claims."""
    return (
        list(
            TrackingEvent.objects.order_by("event_id").values_list(
                "event_id", "awb", "event", "status", "order__reference"
            )
        ),
        list(
            RemittanceLine.objects.order_by("awb").values_list(
                "awb", "flag", "cod_amount", "order__reference"
            )
        ),
        list(Claim.objects.order_by("reference").values_list("order__reference", "status", "amount")),
    )


def test_the_same_seed_gives_the_same_shop():
    run_demo()
    first = list(
        Order.objects.order_by("reference").values_list(
            "reference", "status", "total", "recipient_name", "recipient_phone"
        )
    )
    first_returns = list(
        Return.objects.order_by("reference").values_list(
            "reference",
            "status",
            "resolution",
            "order__reference",
            "accepted_total",
            "resolution_amount",
        )
    )
    first_courier = courier_side()
    Claim.objects.all().delete()
    Remittance.objects.all().delete()
    TrackingEvent.objects.all().delete()
    StoreCreditEntry.objects.all().delete()
    Refund.objects.all().delete()
    Return.objects.all().delete()
    Order.objects.all().delete()
    from tokodesk.core.models import Sequence

    Sequence.objects.all().delete()
    Stock.objects.update(reserved=0)
    run_demo()
    again = list(
        Order.objects.order_by("reference").values_list(
            "reference", "status", "total", "recipient_name", "recipient_phone"
        )
    )
    assert again == first
    assert courier_side() == first_courier
    again_returns = list(
        Return.objects.order_by("reference").values_list(
            "reference",
            "status",
            "resolution",
            "order__reference",
            "accepted_total",
            "resolution_amount",
        )
    )
    assert again_returns == first_returns
