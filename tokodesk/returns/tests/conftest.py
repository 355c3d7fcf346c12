"""Fixtures of the returns tests: a snapshot of everything a refused write could have
half-written."""

import pytest

from tokodesk.catalog.models import Stock
from tokodesk.orders.models import Order, OrderEvent, OrderLine, Payment
from tokodesk.returns.ledger import StoreCreditEntry
from tokodesk.returns.models import (
    Refund,
    Return,
    ReturnEvent,
    ReturnExtraLine,
    ReturnLine,
    ReturnMessage,
    ReturnPhoto,
)


def world() -> dict:
    return {
        "returns": list(Return.objects.order_by("id").values_list(
            "reference", "status", "version", "resolution", "reason_id", "reason_text", "target_date",
            "responsible_user_id", "responsible_group_id", "custom_state_id", "accepted_total", "resolution_amount",
            "replacement_order_id", "label")),
        "lines": list(ReturnLine.objects.order_by("id").values_list(
            "return_order_id", "sku", "qty", "qty_received", "condition", "decision", "qty_accepted",
            "qty_restocked", "serial_numbers")),
        "extra": list(ReturnExtraLine.objects.order_by("id").values_list("description", "amount")),
        "events": ReturnEvent.objects.count(),
        "messages": ReturnMessage.objects.count(),
        "photos": ReturnPhoto.objects.count(),
        "refunds": list(Refund.objects.order_by("id").values_list("amount", "method", "status", "paid_on")),
        "ledger": list(StoreCreditEntry.objects.order_by("id").values_list("customer_id", "amount")),
        "orders": list(Order.objects.order_by("id").values_list(
            "reference", "status", "version", "total", "paid_total", "awb")),
        "order_lines": OrderLine.objects.count(),
        "order_events": OrderEvent.objects.count(),
        "payments": Payment.objects.count(),
        "stock": list(Stock.objects.order_by("id").values_list("variant_id", "warehouse_id", "on_hand", "reserved")),
    }


@pytest.fixture
def snapshot():
    return world
