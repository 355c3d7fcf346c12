"""Two threads, each on its own PostgreSQL connection, race for what only one may have:
the last returnable unit of an order line (SPEC 3 invariant), or the last refundable
amount of an order. The order's row lock makes the second wait for the first and then see
its write, so exactly one wins and the other is refused with a clear code.

PostgreSQL only: SQLite has no row locks (its IMMEDIATE transactions serialize writers)."""

from __future__ import annotations

import threading

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.db.models import Sum

from tokodesk.core.errors import Conflict
from tokodesk.returns.models import Refund, Return, ReturnLine
from tokodesk.returns.refunds import goodwill_refund
from tokodesk.returns.services import return_create
from tokodesk.returns.tests.factories import paid_order, return_data

pytestmark = [
    pytest.mark.postgres_only,
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="needs PostgreSQL row locks (select_for_update); run with DATABASE_URL=postgresql://…",
    ),
    # The roles come back after each test's flush by post_migrate (no serialized rollback).
    pytest.mark.django_db(transaction=True),
]

ROUNDS = 5


def _race(user_pk: int, calls: list) -> list:
    """Each call in its own thread (so on its own connection), released together."""
    barrier = threading.Barrier(len(calls))
    results: list = [None] * len(calls)

    def run(i):
        try:
            actor = get_user_model().objects.get(pk=user_pk)  # this thread's own copy
            barrier.wait(timeout=30)
            results[i] = calls[i](actor)
        except Exception as exc:  # noqa: BLE001 - the test inspects what each thread got
            results[i] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(calls))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert not any(t.is_alive() for t in threads), "a thread is stuck (lock never released?)"
    return results


def _returned(order) -> int:
    return ReturnLine.objects.filter(order_line__order=order, order_line__sku="KAOS-M").exclude(
        return_order__status__in=["cancelled", "rejected"]).aggregate(s=Sum("qty"))["s"] or 0


def test_two_returns_race_for_the_last_unit(shop, owner):
    for _round in range(ROUNDS):
        order = paid_order(owner, lines=(("KAOS-M", 2),))
        return_create(data=return_data(order, lines=[("KAOS-M", 1)]), actor=owner)  # one unit left
        before = Return.objects.count()
        results = _race(owner.pk, [
            lambda actor, order=order: return_create(data=return_data(order, lines=[("KAOS-M", 1)]), actor=actor),
            lambda actor, order=order: return_create(data=return_data(order, lines=[("KAOS-M", 1)],
                                                                      resolution="store_credit"), actor=actor),
        ])
        won = [r for r in results if isinstance(r, Return)]
        lost = [r for r in results if not isinstance(r, Return)]
        assert len(won) == 1, results
        assert len(lost) == 1 and isinstance(lost[0], Conflict), results
        assert lost[0].code == "qty_exceeds_returnable"
        assert Return.objects.count() == before + 1
        assert _returned(order) == 2  # never more than delivered


def test_two_refunds_race_for_the_last_rupiah(shop, owner):
    for _round in range(ROUNDS):
        order = paid_order(owner)
        results = _race(owner.pk, [
            lambda actor, order=order: goodwill_refund(order_reference=order.reference, amount=order.paid_total,
                                                       method="store_credit", actor=actor),
            lambda actor, order=order: goodwill_refund(order_reference=order.reference, amount=order.paid_total,
                                                       method="cash", actor=actor),
        ])
        won = [r for r in results if isinstance(r, Refund)]
        lost = [r for r in results if not isinstance(r, Refund)]
        assert len(won) == 1 and len(lost) == 1, results
        assert isinstance(lost[0], Conflict) and lost[0].code == "refund_exceeds_paid"
        assert Refund.objects.filter(order=order).aggregate(s=Sum("amount"))["s"] == order.paid_total
