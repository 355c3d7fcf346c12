"""ORDER_TRANSITIONS against SPEC 2.1 and 2.2, copied here literally on purpose.

The expected data below is a copy of the spec's tables, not derived from the code: when
the code's table and the spec drift apart, these tests fail and one of the two is wrong.
"""

from types import SimpleNamespace

import pytest
from django.utils import translation

from tokodesk.orders.states import FINAL, ORDER_TRANSITIONS, PRE_SHIPMENT

# SPEC 2.1: code -> en label, in the spec's order.
SPEC_STATUSES = {
    "new": "New",
    "confirmed": "Confirmed",
    "paid": "Paid",
    "partially_paid": "Partially paid",
    "ready_to_ship": "Ready to ship",
    "cancellation_requested": "Cancellation requested",
    "cancelled": "Cancelled",
    "awaiting_pickup": "Awaiting pickup",
    "in_transit": "In transit",
    "delivered": "Delivered",
    "delivery_problem": "Delivery problem",
    "lost_or_damaged": "Lost or damaged",
    "returning": "Returning to seller",
    "returned": "Returned to seller",
    "awaiting_payment": "Awaiting payment",
    "payment_processing": "Payment processing",
    "payment_completed": "Payment completed",
    "invoice_pending": "Invoice pending",
    "invoice_issued": "Invoice issued",
    "invoice_paid": "Invoice paid",
    "completed": "Completed",
}

# SPEC 2.2: "Pre-shipment = ..."
SPEC_PRE_SHIPMENT = {
    "new",
    "confirmed",
    "awaiting_payment",
    "payment_processing",
    "payment_completed",
    "paid",
    "partially_paid",
    "invoice_pending",
    "invoice_issued",
    "invoice_paid",
    "ready_to_ship",
}

# The "to" of reject_cancellation ("the stored status") and reopen ("the status before
# cancellation"): a status stored by request_cancellation / cancel, so a pre-shipment one.
STORED = "<the stored status>"

# SPEC 2.2: action -> (from, to). "any pre-shipment status" is SPEC_PRE_SHIPMENT;
# "paid or partially_paid" is a set of possible targets.
SPEC_TRANSITIONS = {
    "confirm": ({"new"}, "confirmed"),
    "unconfirm": ({"confirmed"}, "new"),
    "request_payment": ({"confirmed"}, "awaiting_payment"),
    "payment_pending": ({"awaiting_payment"}, "payment_processing"),
    "payment_succeeded": ({"awaiting_payment", "payment_processing"}, "payment_completed"),
    "payment_failed": ({"payment_processing"}, "awaiting_payment"),
    "confirm_payment": ({"confirmed", "partially_paid"}, {"paid", "partially_paid"}),
    "unconfirm_payment": ({"paid", "partially_paid"}, "confirmed"),
    "create_invoice": ({"confirmed"}, "invoice_pending"),
    "issue_invoice": ({"invoice_pending"}, "invoice_issued"),
    "record_invoice_payment": ({"invoice_issued"}, "invoice_paid"),
    # "paid, payment_completed, invoice_paid; confirmed if `cod`"
    "mark_ready": ({"paid", "payment_completed", "invoice_paid", "confirmed"}, "ready_to_ship"),
    "ship": ({"ready_to_ship"}, "awaiting_pickup"),
    "cancel_shipment": ({"awaiting_pickup"}, "ready_to_ship"),
    "picked_up": ({"awaiting_pickup"}, "in_transit"),
    "delivered": ({"in_transit", "delivery_problem"}, "delivered"),
    "report_problem": ({"in_transit"}, "delivery_problem"),
    "resume_delivery": ({"delivery_problem"}, "in_transit"),
    "mark_lost": ({"in_transit", "delivery_problem"}, "lost_or_damaged"),
    "return_to_sender": ({"in_transit", "delivery_problem"}, "returning"),
    "returned_to_sender": ({"returning"}, "returned"),
    "complete": ({"delivered"}, "completed"),
    "request_cancellation": (SPEC_PRE_SHIPMENT, "cancellation_requested"),
    "approve_cancellation": ({"cancellation_requested"}, "cancelled"),
    "reject_cancellation": ({"cancellation_requested"}, STORED),
    "cancel": (SPEC_PRE_SHIPMENT, "cancelled"),
    "reopen": ({"cancelled", "cancellation_requested"}, STORED),
}
# Beyond the seed's 27: store credit paying an order (issue 12 item 3).
ADDED_TRANSITIONS = {
    "prepay_store_credit": ({"new"}, "new"),
    "pay_store_credit": ({"confirmed", "partially_paid"}, {"confirmed", "paid", "partially_paid"}),
}


def test_spec_copy_is_complete():
    assert len(SPEC_STATUSES) == 21
    assert len(SPEC_TRANSITIONS) == 27
    for sources, target in SPEC_TRANSITIONS.values():
        assert sources <= set(SPEC_STATUSES)
        assert target == STORED or ({target} if isinstance(target, str) else target) <= set(
            SPEC_STATUSES
        )


def test_exactly_the_21_statuses_of_the_spec():
    assert len(ORDER_TRANSITIONS.statuses) == 21
    assert set(ORDER_TRANSITIONS.statuses) == set(SPEC_STATUSES)


def test_status_labels_in_english():
    with translation.override("en"):
        labels = {code: str(label) for code, label in ORDER_TRANSITIONS.statuses.items()}
    assert labels == SPEC_STATUSES


def test_exactly_the_27_actions_of_the_spec():
    actions = [t.action for t in ORDER_TRANSITIONS]
    assert len(actions) == 27 + len(ADDED_TRANSITIONS)
    assert set(actions) == set(SPEC_TRANSITIONS) | set(ADDED_TRANSITIONS)


def test_pre_shipment_is_the_spec_set():
    assert len(PRE_SHIPMENT) == len(SPEC_PRE_SHIPMENT) == 11
    assert set(PRE_SHIPMENT) == SPEC_PRE_SHIPMENT


def test_final_statuses_have_no_way_out_but_reopen():
    for status in FINAL:
        leaving = {t.action for t in ORDER_TRANSITIONS if status in t.sources}
        assert leaving <= {"reopen"}, (status, leaving)


@pytest.mark.parametrize("action", list(SPEC_TRANSITIONS) + list(ADDED_TRANSITIONS))
def test_from_and_to_match_the_spec(action):
    t = ORDER_TRANSITIONS.get(action)
    spec_sources, spec_target = {**SPEC_TRANSITIONS, **ADDED_TRANSITIONS}[action]
    assert set(t.sources) == spec_sources, (
        f"{action}: from {sorted(t.sources)} != spec {sorted(spec_sources)}"
    )
    assert len(t.sources) == len(set(t.sources)), f"{action}: a source is repeated"
    if spec_target == STORED:
        assert t.target is None, f"{action}: the spec goes back to a stored status"
        assert set(t.possible_targets) == SPEC_PRE_SHIPMENT
    elif isinstance(spec_target, set):
        assert t.target is None
        assert set(t.possible_targets) == spec_target
    else:
        assert t.target == spec_target, f"{action}: to {t.target} != spec {spec_target}"
        assert not t.possible_targets


# --- guards the spec names, checked on the menus (guards read only the order) ---------------


def _order(status, method="bank_transfer", **extra):
    fields = dict(
        status=status,
        payment_method=method,
        paid_total=0,
        warehouse_id=1,
        status_before_cancellation="",
    )
    fields.update(extra)
    return SimpleNamespace(**fields)


def _menu(order):
    return {t.action for t in ORDER_TRANSITIONS.available(order)}


def test_mark_ready_from_confirmed_only_for_cod():
    assert "mark_ready" in _menu(_order("confirmed", "cod"))
    for method in ("bank_transfer", "payment_gateway", "invoice"):
        assert "mark_ready" not in _menu(_order("confirmed", method))
    for status in ("paid", "payment_completed", "invoice_paid"):
        assert "mark_ready" in _menu(_order(status, "bank_transfer"))


def test_payment_method_guards():
    assert "confirm_payment" not in _menu(_order("confirmed", "cod"))
    assert "confirm_payment" in _menu(_order("confirmed", "bank_transfer"))
    assert "request_payment" in _menu(_order("confirmed", "payment_gateway"))
    assert "request_payment" not in _menu(_order("confirmed", "bank_transfer"))
    assert "create_invoice" in _menu(_order("confirmed", "invoice"))
    assert "create_invoice" not in _menu(_order("confirmed", "bank_transfer"))


def test_unconfirm_only_without_payment():
    assert "unconfirm" in _menu(_order("confirmed"))
    assert "unconfirm" not in _menu(_order("confirmed", paid_total=1000))
