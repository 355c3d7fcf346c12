"""Each guard and check of the order table refuses with its own code and changes nothing."""

import pytest

from tokodesk.catalog.models import Stock
from tokodesk.core.errors import Conflict, ValidationFailed
from tokodesk.orders.models import Order
from tokodesk.orders.order_settings import OrderSettings
from tokodesk.orders.services import order_apply_action
from tokodesk.orders.states import ORDER_TRANSITIONS
from tokodesk.orders.tests.factories import make_order, order_in, run


def refused(order, action, actor, inputs=None):
    order.refresh_from_db()
    version, events = order.version, order.events.count()
    stock = list(Stock.objects.order_by("pk").values_list("on_hand", "reserved"))
    with pytest.raises(Conflict) as exc:
        order_apply_action(reference=order.reference, action=action, actor=actor, inputs=inputs or {})
    order.refresh_from_db()
    assert (order.version, order.events.count()) == (version, events)
    assert list(Stock.objects.order_by("pk").values_list("on_hand", "reserved")) == stock
    return exc.value.code


def test_confirm_needs_a_warehouse(shop, owner):
    order = make_order(owner)
    Order.objects.filter(pk=order.pk).update(warehouse=None)  # e.g. an imported order
    assert refused(order, "confirm", owner) == "warehouse_required"
    assert "confirm" not in [t.action for t in ORDER_TRANSITIONS.available(Order.objects.get(pk=order.pk), owner)]


def test_confirm_reserves_and_refuses_when_stock_is_short(shop, owner):
    order = make_order(owner, lines=(("SEPATU-42", 4),), warehouse="sby")
    run(order, "confirm", owner)
    assert Stock.objects.get(variant=shop["sepatu"]).reserved == 4
    other = make_order(owner, lines=(("SEPATU-42", 2),), warehouse="sby")
    assert refused(other, "confirm", owner) == "insufficient_stock"


def test_unconfirm_refused_once_a_payment_is_recorded(shop, owner):
    order = order_in("confirmed", owner, method="bank_transfer")
    Order.objects.filter(pk=order.pk).update(paid_total=1000)  # a payment arriving mid-flight
    assert refused(order, "unconfirm", owner) == "payment_recorded"


@pytest.mark.parametrize(("action", "method"), [
    ("request_payment", "bank_transfer"), ("request_payment", "cod"),
    ("create_invoice", "bank_transfer"), ("create_invoice", "payment_gateway"),
    ("confirm_payment", "cod"),
])
def test_payment_method_guards(shop, owner, action, method):
    order = order_in("confirmed", owner, method=method)
    inputs = {"amount": 1000} if action == "confirm_payment" else {}
    assert refused(order, action, owner, inputs) == "wrong_payment_method"


def test_confirm_payment_partial_then_full_and_no_overpayment(shop, owner):
    order = order_in("confirmed", owner, method="bank_transfer")
    assert order.total == 318000
    assert refused(order, "confirm_payment", owner, {"amount": 318001}) == "overpayment"
    order = run(order, "confirm_payment", owner, amount=100000)
    assert (order.status, order.paid_total) == ("partially_paid", 100000)
    assert refused(order, "confirm_payment", owner, {"amount": 218001}) == "overpayment"
    order = run(order, "confirm_payment", owner, amount=218000)
    assert (order.status, order.paid_total, order.payments.count()) == ("paid", 318000, 2)


def test_unconfirm_payment_voids_but_keeps_payments(shop, owner):
    order = order_in("paid", owner)
    order = run(order, "unconfirm_payment", owner)
    assert (order.status, order.paid_total) == ("confirmed", 0)
    assert order.payments.count() == 1 and order.payments.get().voided_at is not None


def test_mark_ready_from_confirmed_only_for_cod(shop, owner):
    order = order_in("confirmed", owner, method="bank_transfer")
    assert refused(order, "mark_ready", owner) == "payment_required"
    cod = order_in("confirmed", owner, method="cod")
    assert run(cod, "mark_ready", owner).status == "ready_to_ship"


def test_mark_ready_checks_stock_on_hand(shop, owner):
    order = order_in("paid", owner)
    # The reservation row disappeared (stock recount wiped the link): nothing to ship from.
    Stock.objects.filter(variant=shop["madu"], warehouse=shop["jkt"]).delete()
    assert refused(order, "mark_ready", owner) == "insufficient_stock"


def test_ship_needs_a_known_courier(shop, owner):
    order = order_in("ready_to_ship", owner)
    with pytest.raises(ValidationFailed) as exc:  # bad input: 422 naming the field
        order_apply_action(reference=order.reference, action="ship", actor=owner, inputs={"courier": "dhl", "awb": "X1"})
    assert "courier" in exc.value.fields
    Order.objects.filter(pk=order.pk).update(courier=None)
    assert refused(order, "ship", owner, {"awb": "X1"}) == "courier_required"
    with pytest.raises(ValidationFailed):
        order_apply_action(reference=order.reference, action="ship", actor=owner, inputs={"courier": "jne"})
    order = order_apply_action(reference=order.reference, action="ship", actor=owner,
                               inputs={"courier": "sicepat", "awb": "SCP123"})
    assert (order.status, order.courier.code, order.awb) == ("awaiting_pickup", "sicepat", "SCP123")


def test_stock_moves_along_the_flow(shop, owner):
    stock = Stock.objects.get(variant=shop["madu"], warehouse=shop["jkt"])

    def counts():
        stock.refresh_from_db()
        return stock.on_hand, stock.reserved

    order = make_order(owner, method="cod")
    assert counts() == (100, 0)
    order = run(order, "confirm", owner)
    assert counts() == (100, 2)
    order = run(run(order, "mark_ready", owner), "ship", owner)
    assert counts() == (98, 0)
    order = run(order, "cancel_shipment", owner)
    assert counts() == (100, 2) and order.awb == ""
    assert order.events.order_by("-id").first().data["awb"].startswith("JNE")
    order = run(run(run(order, "ship", owner), "picked_up", owner), "return_to_sender", owner)
    assert counts() == (98, 0)
    order = run(order, "returned_to_sender", owner)
    assert counts() == (100, 0)


def test_cancel_and_reopen_release_and_reserve(shop, owner):
    stock = Stock.objects.get(variant=shop["madu"], warehouse=shop["jkt"])
    order = order_in("paid", owner)
    order = run(order, "cancel", owner)
    stock.refresh_from_db()
    assert (order.status, stock.reserved) == ("cancelled", 0)
    order = run(order, "reopen", owner)
    stock.refresh_from_db()
    assert (order.status, stock.reserved, order.paid_total) == ("paid", 2, 318000)


def test_reopen_refused_when_stock_was_sold_meanwhile(shop, owner):
    order = order_in("confirmed", owner, lines=(("SEPATU-42", 3),), warehouse="sby")
    order = run(order, "cancel", owner)
    other = order_in("confirmed", owner, lines=(("SEPATU-42", 4),), warehouse="sby")
    assert other.status == "confirmed"
    assert refused(order, "reopen", owner) == "insufficient_stock"


def test_cancellation_request_stores_status_and_deadline(shop, owner):
    OrderSettings.objects.update_or_create(pk=1, defaults={"cancellation_window_hours": 24})
    order = order_in("paid", owner)
    order = run(order, "request_cancellation", owner)
    assert order.status_before_cancellation == "paid"
    assert 23.9 < (order.cancellation_deadline - order.updated_at).total_seconds() / 3600 <= 24
    order = run(order, "reject_cancellation", owner)
    assert (order.status, order.cancellation_deadline) == ("paid", None)
    order = run(run(order, "request_cancellation", owner), "approve_cancellation", owner)
    assert order.status == "cancelled"
    assert Stock.objects.get(variant=shop["madu"], warehouse=shop["jkt"]).reserved == 0


def test_complete_records_cod_cash(shop, owner):
    order = order_in("delivered", owner)
    order = run(order, "complete", owner)
    assert (order.status, order.paid_total) == ("completed", order.total)
    assert order.payments.get().kind == "cod"


def test_gateway_and_invoice_payments(shop, owner):
    order = order_in("payment_completed", owner)
    assert order.paid_total == order.total and order.payments.get().kind == "gateway"
    order = order_in("invoice_paid", owner)
    assert order.invoice_number.startswith("INV-") and order.paid_total == order.total


def test_stale_version_refused(shop, owner):
    from tokodesk.core.errors import StaleVersion

    order = make_order(owner)
    with pytest.raises(StaleVersion):
        order_apply_action(reference=order.reference, action="confirm", actor=owner, expected_version=7)
    order.refresh_from_db()
    assert (order.status, order.version) == ("new", 1)
    order = order_apply_action(reference=order.reference, action="confirm", actor=owner, expected_version=1)
    assert order.version == 2


def test_gateway_invoice_and_cod_amounts_are_bounded(shop, owner):
    order = order_in("awaiting_payment", owner)
    assert refused(order, "payment_succeeded", owner, {"amount": order.total + 1}) == "overpayment"
    order = order_in("invoice_issued", owner)
    assert refused(order, "record_invoice_payment", owner, {"amount": order.total - 1}) == "amount_mismatch"
    order = order_in("delivered", owner)
    assert refused(order, "complete", owner, {"cash_collected": order.total + 1}) == "overpayment"


def test_shipping_clock_starts_when_the_order_may_ship(shop, owner):
    from datetime import timedelta

    from django.utils import timezone

    from tokodesk.orders.selectors import OrderFilters, order_list

    transfer = order_in("confirmed", owner, method="bank_transfer")
    assert transfer.ship_by is None  # unpaid: not late to ship
    cod = order_in("confirmed", owner, method="cod")
    assert cod.ship_by is not None
    transfer = run(transfer, "confirm_payment", owner)
    assert transfer.ship_by is not None
    invoice = order_in("invoice_issued", owner)
    assert invoice.ship_by is None
    late = timezone.now() - timedelta(hours=1)
    Order.objects.filter(pk__in=[transfer.pk, cod.pk]).update(ship_by=late)
    Order.objects.filter(pk=invoice.pk).update(ship_by=late)  # not shippable yet: ignored
    page, _cursor = order_list(user=owner, filters=OrderFilters(tab="action_needed"))
    assert {o.reference for o in page} == {transfer.reference, cod.reference}
    transfer = run(transfer, "unconfirm_payment", owner)
    assert transfer.ship_by is None
