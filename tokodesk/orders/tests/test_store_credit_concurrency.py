"""Two agents spend one customer's store credit at the same moment (issue 12 item 3): each
alone would fit the balance, both together would not. The customer's row lock makes the
second wait for the first's debit, then refuses it: the balance never goes below zero.

PostgreSQL only: SQLite has no row locks (its IMMEDIATE transactions serialize writers)."""

from __future__ import annotations

import threading

import pytest
from django.contrib.auth import get_user_model
from django.db import connection

from tokodesk.core.errors import ValidationFailed
from tokodesk.orders import services
from tokodesk.orders.models import Order
from tokodesk.orders.tests.test_store_credit import credit, new_order
from tokodesk.returns.ledger import StoreCreditEntry

pytestmark = [
    pytest.mark.postgres_only,
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="needs PostgreSQL row locks; run with DATABASE_URL=postgresql://…",
    ),
    pytest.mark.django_db(transaction=True),
]

ROUNDS = 4


def _race(user_pk: int, references: list[str], amount: int) -> list:
    barrier = threading.Barrier(len(references))
    results: list = [None] * len(references)

    def run(i):
        try:
            actor = get_user_model().objects.get(pk=user_pk)
            barrier.wait(timeout=30)
            results[i] = services.order_apply_action(
                reference=references[i],
                action="pay_store_credit",
                actor=actor,
                inputs={"amount": amount},
            )
        except Exception as exc:  # noqa: BLE001 - the test inspects what each thread got
            results[i] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(references))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert not any(t.is_alive() for t in threads), "a thread is stuck (lock never released?)"
    return results


def test_two_spends_of_one_balance_one_wins(shop, owner):
    customer = credit(100000)
    for _round in range(ROUNDS):
        orders = [
            services.order_apply_action(
                reference=new_order(owner).reference, action="confirm", actor=owner
            )
            for _i in range(2)
        ]
        before = StoreCreditEntry.objects.balance_of(customer.pk)
        results = _race(owner.pk, [o.reference for o in orders], 70000)
        won = [r for r in results if isinstance(r, Order)]
        lost = [r for r in results if not isinstance(r, Order)]
        assert len(won) == 1 and len(lost) == 1, results
        # The loser is refused on the amount field (its wording is translated; the field is not).
        assert isinstance(lost[0], ValidationFailed) and "amount" in (lost[0].fields or {})
        after = StoreCreditEntry.objects.balance_of(customer.pk)
        assert after >= 0
        assert after == before - won[0].paid_total
        paid = sorted(
            Order.objects.filter(pk__in=[o.pk for o in orders]).values_list("paid_total", flat=True)
        )
        assert paid[0] == 0 and paid[1] == won[0].paid_total
        if after < 100000:  # top up for the next round
            StoreCreditEntry.objects.create(
                customer=customer, amount=100000 - after, kind="adjustment"
            )
