"""The outbox (tokodesk.core.outbox): every transition writes exactly one row in its own
transaction, a refused or failed one writes none, a bulk confirm one per order in one
insert, and money movements write their own events."""

from __future__ import annotations

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from tokodesk.core import outbox
from tokodesk.core.errors import Conflict
from tokodesk.core.outbox import OutboxEvent
from tokodesk.orders import services as order_services
from tokodesk.orders.models import Order, OrderEvent
from tokodesk.orders.tests.factories import make_order, order_in, run
from tokodesk.returns.models import ReturnEvent
from tokodesk.returns.refunds import goodwill_refund
from tokodesk.returns.tests.factories import return_in

pytestmark = pytest.mark.django_db


def test_each_order_transition_writes_one_outbox_row(shop, owner):
    order = order_in("completed", owner)  # confirm, mark_ready, ship, picked_up, delivered, complete (COD)
    actions = list(OrderEvent.objects.filter(order=order, kind="action").order_by("id"))
    rows = list(OutboxEvent.objects.filter(doc_kind="order", doc_id=order.pk, type="order.status_changed"))
    assert [(r.payload["action"], r.payload["from_status"], r.payload["status"]) for r in rows] == [
        (e.action, e.from_status, e.to_status) for e in actions]
    assert len(rows) == 6
    last = rows[-1]
    assert last.doc_reference == order.reference
    assert last.payload["order"]["status"] == "completed" and last.payload["order"]["total"] == order.total
    assert last.payload["actor"] == owner.username
    # The COD cash recorded at delivery is a money movement of its own.
    payments = OutboxEvent.objects.filter(type="payment.recorded", doc_id=order.pk)
    assert [p.payload["amount"] for p in payments] == [order.total]
    assert len({r.uuid for r in OutboxEvent.objects.all()}) == OutboxEvent.objects.count()


def test_the_api_action_writes_its_row_in_the_transition_transaction(shop, owner, api):
    order = make_order(owner)
    before = OutboxEvent.objects.count()
    r = api.post(f"/api/v1/orders/{order.reference}/actions/confirm", {})
    assert r.status_code == 200, r.content
    row = OutboxEvent.objects.get(pk__gt=0, doc_id=order.pk, type="order.status_changed")
    assert OutboxEvent.objects.count() == before + 1
    assert row.payload["status"] == "confirmed" and row.dispatched_at is None


def test_a_refused_transition_writes_nothing(shop, owner):
    order = make_order(owner)
    with pytest.raises(Conflict):
        run(order, "ship", owner)  # not possible while new
    assert not OutboxEvent.objects.filter(doc_id=order.pk).exists()


def test_a_transition_whose_effect_fails_writes_nothing(shop, owner):
    order = make_order(owner, lines=(("SEPATU-42", 9),), warehouse="sby")  # 5 in stock
    with pytest.raises(Conflict) as exc:
        run(order, "confirm", owner)
    assert exc.value.code == "insufficient_stock"
    assert not OutboxEvent.objects.filter(doc_id=order.pk).exists()
    assert Order.objects.get(pk=order.pk).status == "new"


def test_a_rolled_back_transaction_takes_its_outbox_row_with_it(shop, owner):
    order = make_order(owner)
    with pytest.raises(RuntimeError), transaction.atomic():
        run(order, "confirm", owner)
        assert OutboxEvent.objects.filter(doc_id=order.pk).count() == 1
        raise RuntimeError("the caller's transaction fails after the transition")
    assert not OutboxEvent.objects.filter(doc_id=order.pk).exists()
    assert Order.objects.get(pk=order.pk).status == "new"


@pytest.mark.django_db(transaction=True)
def test_emit_refuses_to_write_outside_a_transaction():
    with pytest.raises(RuntimeError, match="transaction"):
        outbox.emit("order.status_changed", kind="order", id=1, data={})


def test_bulk_confirm_writes_one_row_per_order_in_one_insert(shop, owner):
    orders = [make_order(owner, lines=(("KAOS-M", 1),)) for _ in range(7)]
    refused = make_order(owner, lines=(("SEPATU-42", 9),), warehouse="sby")
    refs = [o.reference for o in orders] + [refused.reference]
    with CaptureQueriesContext(connection) as ctx:
        changed, no = order_services.order_apply_action_many(references=refs, action="confirm", actor=owner)
    assert changed == [o.reference for o in orders] and [r for r, _e in no] == [refused.reference]
    rows = OutboxEvent.objects.filter(type="order.status_changed")
    assert sorted(r.doc_reference for r in rows) == sorted(changed)
    assert all(r.payload["status"] == "confirmed" and r.payload["action"] == "confirm" for r in rows)
    inserts = [q["sql"] for q in ctx.captured_queries
               if q["sql"].startswith("INSERT") and OutboxEvent._meta.db_table in q["sql"]]
    assert len(inserts) == 1


def test_payments_returns_refunds_and_store_credit_write_their_events(shop, owner):
    ret = return_in("completed", owner)  # a bank-transfer refund on completion (pending)
    returns = OutboxEvent.objects.filter(doc_kind="return", doc_id=ret.pk)
    assert [r.type for r in returns] == ["return.status_changed", "return.status_changed", "return.completed"]
    assert len(returns) == ReturnEvent.objects.filter(return_order=ret, kind="action").count()
    assert returns.last().payload["return"]["status"] == "completed"
    assert returns.last().types == ("return.completed", "return.status_changed")
    order = ret.order
    paid = OutboxEvent.objects.get(type="payment.recorded", doc_id=order.pk)  # confirm_payment by transfer
    assert paid.payload["amount"] == order.total and paid.payload["order"] == order.reference

    other = return_in("completed", owner).order
    refund = goodwill_refund(order_reference=other.reference, amount=1000, method="store_credit", actor=owner)
    credit = OutboxEvent.objects.get(type="store_credit.changed")
    assert credit.payload["amount"] == 1000 and credit.payload["refund_id"] == refund.pk
    assert credit.payload["balance"] == 1000
    paid_refund = OutboxEvent.objects.get(type="refund.paid", doc_id=refund.pk)
    assert paid_refund.payload["status"] == "paid" and paid_refund.payload["method"] == "store_credit"


def test_dispatch_hands_each_event_to_the_consumers_once(shop, owner):
    seen = []
    outbox.register_consumer("test", lambda events: seen.extend(e.pk for e in events))
    try:
        order_in("confirmed", owner)
        pending = list(OutboxEvent.objects.filter(dispatched_at__isnull=True).values_list("pk", flat=True))
        assert outbox.dispatch() == {"dispatched": len(pending)}
        assert outbox.dispatch() == {"dispatched": 0}
        assert seen == pending
    finally:
        outbox._CONSUMERS.pop("test")
