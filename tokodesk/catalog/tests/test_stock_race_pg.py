"""A receipt, a stocktake posting and an order confirmation on the same stock row at once,
each in its own thread and PostgreSQL connection: the row lock serialises them, nothing is
lost and the ledger still adds up.

PostgreSQL only: SQLite has no row locks (its IMMEDIATE transactions serialise writers)."""

from __future__ import annotations

import threading

import pytest
from django.db import connection

from tokodesk.accounts.services import user_create
from tokodesk.catalog.models import Product, Stock, StockMovement, Variant, Warehouse
from tokodesk.catalog.services import stock_ops
from tokodesk.catalog.services.ledger import stock_differences
from tokodesk.orders.services import order_apply_action
from tokodesk.orders.tests.factories import make_order
from tokodesk.shipping.models import Courier

pytestmark = [
    pytest.mark.postgres_only,
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="needs PostgreSQL row locks (select_for_update); run with DATABASE_URL=postgresql://…",
    ),
    pytest.mark.django_db(transaction=True),
]

ROUNDS = 5


def _race(calls) -> list:
    barrier = threading.Barrier(len(calls))
    results: list = [None] * len(calls)

    def run(i):
        try:
            barrier.wait(timeout=30)
            results[i] = calls[i]()
        except Exception as exc:  # noqa: BLE001 - the test inspects what each thread got
            results[i] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(calls))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    return results


def test_receipt_stocktake_and_confirm_at_once_lose_nothing():
    Warehouse.objects.create(code="jkt", name="Jakarta")
    product = Product.objects.create(name="Madu", slug="madu-race")
    variant = Variant.objects.create(product=product, sku="RACE-1", name="1 L", price=150000)
    Courier.objects.create(code="jne", name="JNE")
    owner = user_create(username="race-owner", role="owner")
    stock_ops.receive_stock(actor=owner, warehouse="jkt", lines=[{"sku": "RACE-1", "qty": 10}])
    on_hand, reserved = 10, 0
    for _round in range(ROUNDS):
        order = make_order(owner, lines=(("RACE-1", 2),))
        take = stock_ops.stocktake_start(actor=owner, warehouse="jkt")
        # One unit is missing on the shelf.
        stock_ops.stocktake_count(
            actor=owner, stocktake_id=take.pk, lines=[{"sku": "RACE-1", "counted": on_hand - 1}]
        )
        results = _race(
            [
                lambda: stock_ops.receive_stock(
                    actor=owner, warehouse="jkt", lines=[{"sku": "RACE-1", "qty": 5}]
                ),
                lambda take=take: stock_ops.stocktake_post(actor=owner, stocktake_id=take.pk),
                lambda order=order: order_apply_action(
                    reference=order.reference, action="confirm", actor=owner
                ),
            ]
        )
        assert not [r for r in results if isinstance(r, Exception)], results
        on_hand, reserved = on_hand + 5 - 1, reserved + 2
        stock = Stock.objects.get(variant=variant)
        assert (stock.on_hand, stock.reserved) == (on_hand, reserved)
        assert stock_differences() == []
    # Each movement's balance follows from the one before it: the row lock ordered them.
    h = r = 0
    for m in StockMovement.objects.filter(variant=variant).order_by("id"):
        h, r = h + m.on_hand_change, r + m.reserved_change
        assert (m.on_hand_after, m.reserved_after) == (h, r), m
    kinds = list(StockMovement.objects.values_list("kind", flat=True))
    assert kinds.count("receipt") == ROUNDS + 1
    assert kinds.count("stocktake") == ROUNDS and kinds.count("reservation") == ROUNDS
