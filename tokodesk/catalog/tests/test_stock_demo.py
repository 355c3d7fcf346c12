"""The demo shop's stock arrives by receipts through the ledger: its history starts with
the warehouse clerk's receipts before the first order, and the ledger adds up."""

import io

import pytest
from django.core.management import call_command

from tokodesk.catalog.models import Stock, StockMovement, StockReceipt
from tokodesk.catalog.services.ledger import stock_differences
from tokodesk.orders.models import Order

pytestmark = pytest.mark.django_db(transaction=True)


def test_demo_stock_comes_from_receipts_and_adds_up():
    call_command("demo", orders=40, stdout=io.StringIO())
    receipts = list(StockReceipt.objects.select_related("created_by"))
    assert receipts and {r.created_by.username for r in receipts} == {"gudang"}
    first_order = Order.objects.order_by("created_at").values_list("created_at", flat=True).first()
    assert max(r.created_at for r in receipts) < first_order
    assert not StockMovement.objects.filter(kind="opening").exists()
    assert StockMovement.objects.filter(doc_type="order").exists()  # orders moved stock too
    assert Stock.objects.exists() and stock_differences() == []
