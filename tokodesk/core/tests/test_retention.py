"""The outbox retention: old dispatched events go, pending webhook deliveries pin theirs."""

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.db import transaction
from django.utils import timezone

from tokodesk.core import outbox, retention
from tokodesk.core.outbox import OutboxEvent
from tokodesk.webhooks.models import WebhookDelivery, WebhookSubscription

pytestmark = pytest.mark.django_db(transaction=False)


def _event(days_old: float, *, dispatched=True) -> OutboxEvent:
    with transaction.atomic():
        event = outbox.emit("order.status_changed", kind="order", id=1, reference="ORD-1", data={})
    when = timezone.now() - timedelta(days=days_old)
    OutboxEvent.objects.filter(pk=event.pk).update(
        created_at=when, dispatched_at=when if dispatched else None
    )
    return event


def _subscription() -> WebhookSubscription:
    return WebhookSubscription.objects.create(
        url="https://example.com/hook", secret="s" * 32, event_types=["order.status_changed"]
    )


def test_old_dispatched_events_go_and_recent_ones_stay(settings):
    settings.TOKODESK_OUTBOX_RETENTION_DAYS = 30
    # Ids follow creation time (created_at is set at insert), as in a real table.
    stuck = _event(45, dispatched=False)  # never dispatched: a consumer has yet to see it
    old = [_event(40) for _ in range(5)]
    recent = _event(10)
    result = retention.prune(batch=2)
    assert result == {"pruned": 5, "kept": 1}
    left = set(OutboxEvent.objects.values_list("pk", flat=True))
    assert left == {recent.pk, stuck.pk}
    assert not left & {e.pk for e in old}


def test_a_pending_delivery_pins_its_event_and_the_log_goes_with_a_finished_one(settings):
    settings.TOKODESK_OUTBOX_RETENTION_DAYS = 7
    sub = _subscription()
    pending, delivered = _event(20), _event(20)
    WebhookDelivery.objects.create(subscription=sub, event=pending, status=WebhookDelivery.Status.PENDING)
    done = WebhookDelivery.objects.create(subscription=sub, event=delivered, status=WebhookDelivery.Status.DELIVERED)
    assert retention.prune() == {"pruned": 1, "kept": 1}
    assert OutboxEvent.objects.filter(pk=pending.pk).exists()
    assert not OutboxEvent.objects.filter(pk=delivered.pk).exists()
    assert not WebhookDelivery.objects.filter(pk=done.pk).exists()
    # Once delivered, the pin lets go.
    WebhookDelivery.objects.filter(event=pending).update(status=WebhookDelivery.Status.DELIVERED)
    assert retention.prune() == {"pruned": 1, "kept": 0}
    assert not OutboxEvent.objects.exists()


def test_the_pass_stops_at_the_first_young_event(settings, django_assert_max_num_queries):
    settings.TOKODESK_OUTBOX_RETENTION_DAYS = 30
    for _ in range(3):
        _event(1)
    # One read of the first batch, no delete, however many young rows follow.
    with django_assert_max_num_queries(2):
        assert retention.prune(batch=2) == {"pruned": 0, "kept": 0}


def test_the_worker_prunes_at_most_once_an_hour(settings, monkeypatch):
    settings.TOKODESK_OUTBOX_RETENTION_DAYS = 30
    monkeypatch.setattr(retention, "_last_run", None)
    _event(31)
    call_command("worker", "--once", verbosity=0)
    assert not OutboxEvent.objects.filter(created_at__lt=timezone.now() - timedelta(days=30)).exists()
    _event(31)
    call_command("worker", "--once", verbosity=0)  # within the hour: not again
    assert OutboxEvent.objects.filter(created_at__lt=timezone.now() - timedelta(days=30)).count() == 1
