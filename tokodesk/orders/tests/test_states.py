"""Every action from every status: allowed where the table says (reaching its target,
one timeline event, version bumped), refused everywhere else (nothing changes)."""

import pytest

from tokodesk.catalog.models import Stock
from tokodesk.core.errors import Conflict
from tokodesk.orders.models import OrderEvent
from tokodesk.orders.services import order_apply_action
from tokodesk.orders.states import ORDER_TRANSITIONS, Status
from tokodesk.orders.tests.factories import STATUS_PATHS, order_in, valid_inputs

# The payment method an action needs when the status does not already fix it.
ACTION_METHOD = {
    "request_payment": "payment_gateway",
    "create_invoice": "invoice",
    "confirm_payment": "bank_transfer",
    "mark_ready": "cod",
}

ALLOWED = [(t.action, s) for t in ORDER_TRANSITIONS for s in t.sources]
REFUSED = [(t.action, s) for t in ORDER_TRANSITIONS for s in Status.values if s not in t.sources]


def test_every_status_is_reachable():
    assert set(STATUS_PATHS) == set(Status.values)


def _snapshot(order):
    stock = list(Stock.objects.order_by("pk").values_list("on_hand", "reserved"))
    order.refresh_from_db()
    return order.status, order.version, order.events.count(), order.paid_total, stock


@pytest.mark.parametrize(("action", "status"), ALLOWED, ids=[f"{a}-from-{s}" for a, s in ALLOWED])
def test_allowed(shop, owner, action, status):
    order = order_in(status, owner, method=ACTION_METHOD.get(action))
    transition = ORDER_TRANSITIONS.get(action)
    before_version, before_events = order.version, order.events.count()
    stored = order.status_before_cancellation
    if action in ("pay_store_credit", "prepay_store_credit"):  # the customer has the credit to spend
        from tokodesk.returns.ledger import StoreCreditEntry

        StoreCreditEntry.objects.create(customer_id=order.customer_id, amount=order.total, kind="goodwill")

    order = order_apply_action(reference=order.reference, action=action, actor=owner,
                               inputs=valid_inputs(action, order))

    if transition.target:
        assert order.status == transition.target
    elif action == "confirm_payment":
        assert order.status == Status.PAID  # the full amount was paid
    elif action == "pay_store_credit":  # what is due, paid with store credit
        assert order.status == Status.PAID
    else:
        assert order.status == stored  # reopen / reject_cancellation go back
    assert order.version == before_version + 1
    assert order.events.count() == before_events + 1
    event = order.events.order_by("-id").first()
    assert (event.kind, event.action, event.from_status, event.to_status, event.actor) == (
        OrderEvent.Kind.ACTION, action, status, order.status, owner)
    for stock in Stock.objects.all():
        assert 0 <= stock.reserved <= stock.on_hand


@pytest.mark.parametrize(("action", "status"), REFUSED, ids=[f"{a}-from-{s}" for a, s in REFUSED])
def test_refused(shop, owner, action, status):
    order = order_in(status, owner, method=ACTION_METHOD.get(action))
    before = _snapshot(order)
    with pytest.raises(Conflict) as exc:
        order_apply_action(reference=order.reference, action=action, actor=owner,
                           inputs=valid_inputs(action, order))
    assert exc.value.code == "not_allowed_in_status"
    assert _snapshot(order) == before
