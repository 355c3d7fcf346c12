"""Refunds to pay (issue 12, item 11): finance sees the pending bank refunds, the oldest
first, with their age, from a link of the main menu; in Indonesian (the app's default)."""

import datetime as dt
import re

from django.test import Client
from django.utils import timezone

from tokodesk.orders.tests.factories import order_in
from tokodesk.returns.models import Refund


def _refund(order, amount, days, **fields):
    refund = Refund.objects.create(order=order, amount=amount, method=fields.pop("method", "bank_transfer"),
                                   bank_name="BCA", account_number="1234567890", account_holder="Siti", **fields)
    Refund.objects.filter(pk=refund.pk).update(created_at=timezone.now() - dt.timedelta(days=days))
    return refund


def test_finance_sees_pending_bank_refunds_oldest_first(shop, users):
    owner = users["owner"]
    order = order_in("completed", owner)
    newer = _refund(order, 50000, 1)
    older = _refund(order, 75000, 3)
    _refund(order, 20000, 5, method="store_credit")  # not paid by finance's bank
    _refund(order, 30000, 6, status="paid")  # done
    client = Client()
    client.force_login(users["finance"])
    html = client.get("/orders/").content.decode()
    assert 'href="/returns/refunds/"' in html  # in the main menu
    html = client.get("/returns/refunds/").content.decode()
    assert re.findall(r'data-refund="(\d+)"', html) == [str(older.pk), str(newer.pk)]
    row = re.search(rf'<tr data-refund="{older.pk}">.*?</tr>', html, re.S).group(0)
    assert re.search(r"Rp\s75\.000", row) and re.search(r">3\shari<", row) and "BCA 1234567890" in row


def test_refunds_to_pay_needs_the_refund_permission(shop, users):
    client = Client()
    client.force_login(users["warehouse"])
    assert client.get("/returns/refunds/").status_code == 403
    assert 'href="/returns/refunds/"' not in client.get("/orders/").content.decode()
