"""Transfers to verify (issue 12, item 11): finance's landing lists the bank-transfer orders
whose buyer sent a proof first, the oldest proof first, with a "proof sent" badge, then the
orders awaiting payment, the oldest first; in Indonesian (the app's default)."""

from __future__ import annotations

import datetime as dt
import re

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tokodesk.orders.models import Order
from tokodesk.orders.tests.factories import make_order, order_in


def _ago(order, *, hours, proof_hours=None):
    now = timezone.now()
    fields = {"created_at": now - dt.timedelta(hours=hours)}
    if proof_hours is not None:
        fields.update(
            customer_proof="payment-proofs/2026/12/bukti.jpg",
            customer_proof_at=now - dt.timedelta(hours=proof_hours),
        )
    Order.objects.filter(pk=order.pk).update(**fields)


def _rows(html):
    return re.findall(r'<tr data-transfer="(ORD-\d+)"', html)


def test_proofs_first_oldest_proof_first_then_awaiting_payment_oldest_first(shop, users):
    owner = users["owner"]
    waiting_old = order_in("confirmed", owner)
    waiting_new = order_in("partially_paid", owner)
    proof_recent = order_in("confirmed", owner)
    proof_early = make_order(
        owner, method="bank_transfer"
    )  # still new: the buyer sent a proof anyway
    paid = order_in("paid", owner)  # checked already
    cod = order_in("confirmed", owner, method="cod")
    _ago(waiting_old, hours=50)
    _ago(waiting_new, hours=5)
    _ago(proof_recent, hours=60, proof_hours=1)
    _ago(proof_early, hours=2, proof_hours=3)
    _ago(paid, hours=70, proof_hours=69)
    _ago(cod, hours=80)

    client = Client()
    client.force_login(users["finance"])
    page = client.get("/orders/")
    assert 'href="/orders/transfers/"' in page.content.decode()  # in the main menu
    html = client.get("/orders/transfers/").content.decode()
    assert _rows(html) == [
        proof_early.reference,
        proof_recent.reference,
        waiting_old.reference,
        waiting_new.reference,
    ]
    row = re.search(rf'<tr data-transfer="{proof_early.reference}".*?</tr>', html, re.S).group(0)
    assert "data-proof-badge" in row
    assert re.search(r"Rp\s318\.000", row)
    row = re.search(rf'<tr data-transfer="{waiting_old.reference}".*?</tr>', html, re.S).group(0)
    assert "data-proof-badge" not in row and re.search(r">2\shari", row)


def test_queries_do_not_grow_with_the_list(shop, users):
    owner = users["owner"]
    client = Client()
    client.force_login(users["finance"])
    order_in("confirmed", owner, agent="agent")

    def count():
        with CaptureQueriesContext(connection) as ctx:
            assert client.get("/orders/transfers/").status_code == 200
        return len(ctx.captured_queries)

    before = count()
    for i in range(6):
        order = order_in("confirmed", owner, agent=["agent", "agent2"][i % 2])
        _ago(order, hours=i + 1, proof_hours=i if i % 2 else None)
    assert count() == before


def test_only_who_confirms_payments(shop, users):
    for role in ("warehouse", "viewer"):
        client = Client()
        client.force_login(users[role])
        assert client.get("/orders/transfers/").status_code == 403
        assert 'href="/orders/transfers/"' not in client.get("/orders/").content.decode()
