"""Two workers at once on PostgreSQL: each runs the deadline jobs in its own thread on its
own connection, released together. Every overdue order is approved (or completed) exactly
once: one timeline event, one release of stock, one COD payment.

PostgreSQL only: SQLite has no row locks (its IMMEDIATE transactions serialize writers,
and the status check under the transition turns a second attempt into a Conflict)."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from django.db import connection
from django.db.models import Count
from django.utils import timezone

from tokodesk.catalog.models import Stock
from tokodesk.orders import deadlines
from tokodesk.orders.models import Order, OrderEvent, Payment
from tokodesk.orders.tests.factories import order_in

pytestmark = [
    pytest.mark.postgres_only,
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="needs PostgreSQL row locks (SELECT … FOR UPDATE SKIP LOCKED); run with DATABASE_URL=postgresql://…",
    ),
    # The roles survive the flush after each test: post_migrate re-syncs them.
    pytest.mark.django_db(transaction=True),
]

WORKERS = 2
ROUNDS = 3


def _race(job, now, workers=WORKERS) -> list:
    """`job(now)` in `workers` threads at once; what each returned (or raised)."""
    barrier = threading.Barrier(workers)
    results: list = [None] * workers

    def run(i):
        try:
            barrier.wait(timeout=30)
            results[i] = job(now)
        except Exception as exc:  # noqa: BLE001 - the test inspects what each thread got
            results[i] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(workers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert not any(t.is_alive() for t in threads), "a worker is stuck (lock never released?)"
    assert all(isinstance(r, dict) for r in results), results
    return results


@pytest.mark.parametrize("size", [1, 8])
def test_two_workers_approve_each_cancellation_once(shop, owner, size):
    for _round in range(ROUNDS):
        orders = [order_in("cancellation_requested", owner) for _ in range(size)]
        later = timezone.now() + dt.timedelta(hours=49)

        results = _race(deadlines.approve_overdue_cancellations, later)

        assert sum(r["done"] for r in results) == size, results
        assert all(r["failed"] == 0 for r in results), results
        pks = [o.pk for o in orders]
        assert set(Order.objects.filter(pk__in=pks).values_list("status", flat=True)) == {"cancelled"}
        per_order = dict(
            OrderEvent.objects.filter(order__in=pks, action="approve_cancellation")
            .values_list("order").annotate(n=Count("pk"))
        )
        assert per_order == {pk: 1 for pk in pks}
        assert all(
            e.data["automatic"] and e.source == "system"
            for e in OrderEvent.objects.filter(order__in=pks, action="approve_cancellation")
        )
        # released once each: nothing stays reserved, and nothing went negative
        assert Stock.objects.get(variant=shop["madu"], warehouse=shop["jkt"]).reserved == 0

        # a third worker afterwards finds nothing to do
        assert deadlines.approve_overdue_cancellations(later)["done"] == 0


def test_two_workers_complete_each_delivery_once(shop, owner):
    orders = [order_in("delivered", owner) for _ in range(6)]  # COD
    later = timezone.now() + dt.timedelta(days=8)

    results = _race(deadlines.complete_delivered, later)

    assert sum(r["done"] for r in results) == 6, results
    for order in orders:
        order.refresh_from_db()
        assert order.status == "completed"
        assert Payment.objects.filter(order=order, kind="cod").count() == 1
        assert order.paid_total == order.total
        assert OrderEvent.objects.filter(order=order, action="complete").count() == 1
