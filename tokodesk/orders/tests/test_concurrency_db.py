"""Two threads, each on its own PostgreSQL connection, apply conflicting actions to one
order with the same expected version: the row lock makes the second wait for the first,
then see the new version, so exactly one change happens.

PostgreSQL only: SQLite has no row locks (select_for_update is a no-op there; its
IMMEDIATE transactions serialize writers instead, which the served tests cover)."""

from __future__ import annotations

import threading

import pytest
from django.contrib.auth import get_user_model
from django.db import connection

from tokodesk.core.errors import Conflict, StaleVersion
from tokodesk.orders import services
from tokodesk.orders.models import Order, OrderEvent

pytestmark = [
    pytest.mark.postgres_only,
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="needs PostgreSQL row locks (select_for_update); run with DATABASE_URL=postgresql://…",
    ),
    # The roles survive the flush after each test: post_migrate re-syncs them.
    pytest.mark.django_db(transaction=True),
]

ROUNDS = 5


def _order(actor, prepare=()) -> Order:
    order = services.order_create(
        data=services.OrderInput(
            customer=services.CustomerInput(
                name="Siti Rahayu", phone="081234567890", address="Jl. Melati 5, Bandung"
            ),
            lines=[services.LineInput(sku="MADU-500", qty=1)],
            payment_method="bank_transfer",
            warehouse="jkt",
            courier="jne",
            shipping_cost=18000,
        ),
        actor=actor,
    )
    for action in prepare:
        order = services.order_apply_action(
            reference=order.reference, action=action, actor=actor, expected_version=order.version
        )
    return order


def _race(user_pk: int, reference: str, version: int, moves: list[tuple[str, dict]]) -> list:
    """Each move in its own thread (so on its own connection), released together."""
    barrier = threading.Barrier(len(moves))
    results: list = [None] * len(moves)

    def run(i):
        try:
            actor = get_user_model().objects.get(pk=user_pk)  # this thread's own copy
            action, inputs = moves[i]
            barrier.wait(timeout=30)
            results[i] = services.order_apply_action(
                reference=reference,
                action=action,
                actor=actor,
                inputs=inputs,
                expected_version=version,
            )
        except Exception as exc:  # noqa: BLE001 - the test inspects what each thread got
            results[i] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(moves))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert not any(t.is_alive() for t in threads), "a thread is stuck (lock never released?)"
    return results


RACES = {
    "confirm_vs_cancel": ((), lambda o: [("confirm", {}), ("cancel", {"reason": "sold out"})]),
    # each would complete the payment on its own
    "two_full_payments": (
        ("confirm",),
        lambda o: [
            ("confirm_payment", {"amount": o.total, "reference": "A"}),
            ("confirm_payment", {"amount": o.total, "reference": "B"}),
        ],
    ),
}


@pytest.mark.parametrize("race", list(RACES))
def test_same_version_one_wins(shop, owner, race):
    prepare, make_moves = RACES[race]
    for _round in range(ROUNDS):
        order = _order(owner, prepare)
        v0, moves = order.version, make_moves(order)
        racing = {action for action, _inputs in moves}
        results = _race(owner.pk, order.reference, order.version, moves)

        won = [i for i, r in enumerate(results) if isinstance(r, Order)]
        lost = [r for r in results if not isinstance(r, Order)]
        assert len(won) == 1, results
        assert len(lost) == 1 and isinstance(lost[0], StaleVersion | Conflict), results
        winner_action, winner_inputs = moves[won[0]]

        order.refresh_from_db()
        assert order.version == results[won[0]].version == v0 + 1  # exactly one change
        assert order.status == results[won[0]].status
        events = list(
            OrderEvent.objects.filter(order=order, kind=OrderEvent.Kind.ACTION, action__in=racing)
        )
        assert len(events) == 1, events
        assert events[0].action == winner_action and events[0].to_status == order.status
        if winner_action == "confirm_payment":
            payments = list(order.payments.filter(voided_at__isnull=True))
            assert [p.reference for p in payments] == [winner_inputs["reference"]]
            assert order.paid_total == order.total and order.status == "paid"
