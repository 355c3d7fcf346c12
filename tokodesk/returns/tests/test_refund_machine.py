"""Refunds through the core machine (returns.refunds.REFUND_TRANSITIONS): the status moves
only there, each payment writes one timeline row where the refund belongs (its return's
timeline, or its order's for a goodwill refund) and one `refund.paid` outbox row."""

from __future__ import annotations

import pytest
from django.test import Client
from django.utils import timezone

from tokodesk.core.errors import Conflict, PermissionDenied
from tokodesk.core.outbox import OutboxEvent
from tokodesk.orders.models import OrderEvent
from tokodesk.returns.models import ReturnEvent
from tokodesk.returns.refunds import REFUND_TRANSITIONS, goodwill_refund, refund_mark_paid
from tokodesk.returns.tests.factories import return_in

pytestmark = pytest.mark.django_db


def test_a_goodwill_refund_paid_goes_on_the_order_timeline_once(shop, owner):
    order = return_in("completed", owner).order
    refund = goodwill_refund(
        order_reference=order.reference, amount=1000, method="cash", actor=owner
    )
    assert (refund.status, refund.version) == ("pending", 1)
    paid = refund_mark_paid(
        refund_id=refund.pk,
        actor=owner,
        paid_on=timezone.localdate(),
        reference="KAS-1",
        source="web",
    )
    assert (paid.status, paid.version, paid.reference, paid.paid_recorded_by) == (
        "paid",
        2,
        "KAS-1",
        owner,
    )
    [row] = OrderEvent.objects.filter(order=order, kind="refund_paid")
    assert (row.action, row.actor, row.source, row.from_status, row.to_status) == (
        "mark_paid",
        owner,
        "web",
        "",
        "",
    )
    assert row.data["refund_id"] == refund.pk and row.data["amount"] == 1000
    [event] = OutboxEvent.objects.filter(type="refund.paid", doc_id=refund.pk)
    assert event.payload["status"] == "paid" and event.payload["reference"] == "KAS-1"
    with pytest.raises(Conflict) as exc:
        refund_mark_paid(refund_id=refund.pk, actor=owner, paid_on=timezone.localdate())
    assert exc.value.code == "already_paid"
    assert OutboxEvent.objects.filter(type="refund.paid", doc_id=refund.pk).count() == 1

    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(owner)
    page = client.get(f"/orders/{order.reference}/")
    assert page.status_code == 200 and "Refund paid" in page.content.decode()


def test_store_credit_at_completion_is_the_credit_transition_on_the_return_timeline(shop, owner):
    ret = return_in("completed", owner, resolution="store_credit")
    refund = ret.refunds.get()
    assert (refund.status, refund.version, refund.store_credit_entry.amount) == (
        "paid",
        2,
        refund.amount,
    )
    [row] = ReturnEvent.objects.filter(return_order=ret, kind="refund_paid")
    assert (row.action, row.data["store_credit_entry_id"]) == (
        "credit",
        refund.store_credit_entry.pk,
    )
    assert not OrderEvent.objects.filter(order=ret.order, kind="refund_paid").exists()
    assert OutboxEvent.objects.filter(type="refund.paid", doc_id=refund.pk).count() == 1


def test_the_table_refuses_a_user_without_the_permission(shop, users):
    owner = users["owner"]
    order = return_in("completed", owner).order
    refund = goodwill_refund(
        order_reference=order.reference, amount=1000, method="cash", actor=owner
    )
    with pytest.raises(PermissionDenied):
        refund_mark_paid(refund_id=refund.pk, actor=users["agent"], paid_on=timezone.localdate())
    assert REFUND_TRANSITIONS.available(refund, users["agent"]) == []
    assert "mark_paid" in [t.action for t in REFUND_TRANSITIONS.available(refund, users["finance"])]
    refund.refresh_from_db()
    assert refund.status == "pending"
