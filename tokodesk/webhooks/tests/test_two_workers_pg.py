"""Two workers at once on PostgreSQL never send one attempt twice: each claims its batch with
SELECT … FOR UPDATE SKIP LOCKED and a lease, so every event reaches the receiver exactly
once, with one logged attempt each.

PostgreSQL only (SQLite serialises writers with its IMMEDIATE transactions)."""

from __future__ import annotations

import threading
from collections import Counter

import pytest
from django.db import connection

from tokodesk.core import outbox
from tokodesk.orders.services import order_apply_action_many
from tokodesk.orders.tests.factories import make_order
from tokodesk.webhooks import delivery, services
from tokodesk.webhooks.models import WebhookAttempt, WebhookDelivery

pytestmark = [
    pytest.mark.postgres_only,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL row locks (SKIP LOCKED)"),
    pytest.mark.django_db(transaction=True),
]

EVENTS = 60


def test_two_workers_deliver_each_event_once(shop, owner, receiver, allow_private):
    services.subscription_create(actor=owner, url=receiver.url, event_types=["*"])
    orders = [make_order(owner, lines=(("KAOS-M", 1),)) for _ in range(EVENTS)]
    order_apply_action_many(references=[o.reference for o in orders], action="confirm", actor=owner)
    outbox.dispatch()
    assert WebhookDelivery.objects.count() == EVENTS
    receiver.delay = 0.01  # each batch takes a while: the two workers' claims interleave

    barrier = threading.Barrier(2)
    results = [None, None]

    def work(i):
        try:
            barrier.wait(30)
            results[i] = delivery.deliver_due(limit=5, worker=f"test-worker-{i}")
        except Exception as exc:  # noqa: BLE001 - inspected below
            results[i] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=work, args=(i,)) for i in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    assert all(isinstance(r, dict) for r in results), results
    assert sum(r["delivered"] for r in results) == EVENTS and all(r["delivered"] for r in results), results

    ids = Counter(r.headers["Tokodesk-Event-Id"] for r in receiver.requests)
    assert len(ids) == EVENTS and set(ids.values()) == {1}
    assert WebhookAttempt.objects.count() == EVENTS
    assert set(WebhookAttempt.objects.values_list("worker", flat=True)) == {"test-worker-0", "test-worker-1"}
    assert set(WebhookDelivery.objects.values_list("status", "attempts")) == {("delivered", 1)}
