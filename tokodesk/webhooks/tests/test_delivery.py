"""Deliveries to a real HTTP receiver on 127.0.0.1 (a thread of this process): the body and
headers, the signature checked with the documented snippet, retries while the receiver is
down, no redirect followed, auto-disable, resend and ping, and the SSRF check at delivery."""

from __future__ import annotations

import datetime as dt
import json

import pytest
import time_machine
from django.contrib.auth import get_user_model
from django.core import mail
from django.utils import timezone

from tokodesk.core import outbox
from tokodesk.core.outbox import OutboxEvent
from tokodesk.orders.tests.factories import make_order, run
from tokodesk.webhooks import delivery, services
from tokodesk.webhooks.models import WebhookAttempt, WebhookDelivery, WebhookSubscription
from tokodesk.webhooks.tests.receiver import documented_verify

pytestmark = pytest.mark.django_db


def subscribe(owner, url, types=("*",)):
    return services.subscription_create(actor=owner, url=url, event_types=list(types))


def pump():
    """What a worker pass does: dispatch the outbox, then deliver what is due."""
    outbox.dispatch()
    return delivery.deliver_due(budget_seconds=10)


def test_a_confirmed_order_is_delivered_signed_as_documented(shop, owner, receiver, allow_private):
    sub = subscribe(owner, receiver.url, ["order.status_changed"])
    order = make_order(owner)
    run(order, "confirm", owner)
    assert pump() == {"delivered": 1, "failed": 0, "exhausted": 0}

    [req] = receiver.requests
    event = OutboxEvent.objects.get(type="order.status_changed", doc_id=order.pk)
    body = json.loads(req.body)
    assert body["id"] == str(event.uuid) == req.headers["Tokodesk-Event-Id"]
    assert body["type"] == "order.status_changed" == req.headers["Tokodesk-Event-Type"]
    assert body["data"]["reference"] == order.reference and body["data"]["status"] == "confirmed"
    assert body["data"]["order"]["total"] == order.total
    assert set(body) == {"id", "type", "created_at", "data"}
    assert req.path == "/hooks/tokodesk" and req.headers["Host"] == f"127.0.0.1:{receiver.port}"

    verify = documented_verify()
    assert verify(sub.secret, req.body, req.headers["Tokodesk-Signature"])
    assert not verify(sub.secret, req.body + b" ", req.headers["Tokodesk-Signature"])
    assert not verify("whsec_other", req.body, req.headers["Tokodesk-Signature"])
    with time_machine.travel(timezone.now() + dt.timedelta(minutes=10)):
        assert not verify(sub.secret, req.body, req.headers["Tokodesk-Signature"])  # a replay

    d = WebhookDelivery.objects.get()
    assert (d.status, d.attempts, d.last_status_code) == ("delivered", 1, 200)
    [attempt] = WebhookAttempt.objects.all()
    assert attempt.ok and attempt.status_code == 200 and attempt.response_excerpt == '{"ok":true}'
    # Types not subscribed are not sent; a second pass sends nothing again.
    run(order, "confirm_payment", owner)  # order.status_changed and payment.recorded
    assert OutboxEvent.objects.filter(type="payment.recorded").exists()
    assert pump()["delivered"] == 1
    assert WebhookDelivery.objects.count() == 2
    assert pump()["delivered"] == 0 and len(receiver.requests) == 2


def test_receiver_down_for_a_while_is_retried_then_delivered_once(shop, owner, receiver, allow_private):
    subscribe(owner, receiver.url)
    receiver.stop()  # down: connections refused
    order = make_order(owner)
    start = timezone.now()
    with time_machine.travel(start, tick=False) as clock:
        run(order, "confirm", owner)
        assert pump() == {"delivered": 0, "failed": 1, "exhausted": 0}
        d = WebhookDelivery.objects.get()
        assert d.next_attempt_at == start + dt.timedelta(minutes=1)
        assert pump()["failed"] == 0  # not due yet
        clock.move_to(start + dt.timedelta(minutes=1, seconds=1))
        assert pump()["failed"] == 1
        d.refresh_from_db()
        assert d.failures == 2 and d.next_attempt_at > timezone.now() + dt.timedelta(minutes=4)
        receiver.start()  # back, on the same port
        clock.move_to(start + dt.timedelta(minutes=7))
        assert pump() == {"delivered": 1, "failed": 0, "exhausted": 0}
        assert pump() == {"delivered": 0, "failed": 0, "exhausted": 0}
    d.refresh_from_db()
    assert (d.status, d.attempts) == ("delivered", 3)
    assert len(receiver.requests) == 1
    log = list(WebhookAttempt.objects.order_by("number"))
    assert [a.ok for a in log] == [False, False, True]
    assert "ConnectError" in log[0].error
    sub = WebhookSubscription.objects.get()
    assert sub.consecutive_failures == 0 and sub.last_success_at and sub.is_active


def test_the_schedule_spans_more_than_a_day_with_at_least_8_attempts():
    assert delivery.MAX_ATTEMPTS >= 8
    assert sum(delivery.SCHEDULE, dt.timedelta()) >= dt.timedelta(hours=24)
    assert list(delivery.SCHEDULE) == sorted(delivery.SCHEDULE)


def test_redirects_are_not_followed_and_the_excerpt_is_capped(shop, owner, receiver, allow_private):
    subscribe(owner, receiver.url)
    receiver.status, receiver.headers = 302, {"Location": "http://127.0.0.1:9/elsewhere"}
    receiver.answer = b"x" * 5000
    run(make_order(owner), "confirm", owner)
    assert pump()["failed"] == 1
    attempt = WebhookAttempt.objects.get()
    assert attempt.status_code == 302 and not attempt.ok and "redirect" in attempt.error
    assert len(attempt.response_excerpt) == 1024
    assert len(receiver.requests) == 1


def test_an_event_out_of_attempts_turns_the_subscription_off_and_tells_the_owner(
        shop, owner, receiver, allow_private, django_capture_on_commit_callbacks):
    owner.email = "owner@toko.example"
    owner.save()
    sub = subscribe(owner, receiver.url)
    receiver.status = 500
    start = timezone.now()
    with time_machine.travel(start, tick=False) as clock:
        run(make_order(owner), "confirm", owner)
        outbox.dispatch()
        for _ in range(delivery.MAX_ATTEMPTS):
            with django_capture_on_commit_callbacks(execute=True):
                assert delivery.deliver_due()["failed"] == 1
            d = WebhookDelivery.objects.get()
            if d.next_attempt_at:
                clock.move_to(d.next_attempt_at)
    d = WebhookDelivery.objects.get()
    assert (d.status, d.attempts) == ("failed", delivery.MAX_ATTEMPTS)
    sub.refresh_from_db()
    assert not sub.is_active and sub.disabled_at and "HTTP 500" in sub.disabled_reason
    assert len(receiver.requests) == delivery.MAX_ATTEMPTS
    [message] = mail.outbox
    assert message.to == ["owner@toko.example"] and receiver.url in message.body
    # No new deliveries while off; on again, a manual resend goes out with the same event id.
    run(make_order(owner), "confirm", owner)
    outbox.dispatch()
    assert WebhookDelivery.objects.count() == 1
    receiver.status = 200
    services.subscription_update(actor=owner, subscription_id=sub.pk, changes={"is_active": True})
    resent = services.delivery_resend(actor=owner, delivery_id=d.pk)
    assert resent.status == "delivered" and resent.attempts == delivery.MAX_ATTEMPTS + 1
    ids = {r.headers["Tokodesk-Event-Id"] for r in receiver.requests}
    assert ids == {str(d.event.uuid)}


def test_an_exhausted_event_keeps_the_subscription_on_when_others_got_through(
        shop, owner, receiver, allow_private):
    sub = subscribe(owner, receiver.url)
    receiver.status = 500
    start = timezone.now()
    with time_machine.travel(start, tick=False) as clock:
        run(make_order(owner), "confirm", owner)
        outbox.dispatch()
        for i in range(delivery.MAX_ATTEMPTS):
            delivery.deliver_due()
            if i == 3:  # the receiver answers the next event
                receiver.status = 200
                run(make_order(owner), "confirm", owner)
                outbox.dispatch()
                delivery.deliver_due()
                receiver.status = 500
            d = WebhookDelivery.objects.order_by("id").first()
            if d.next_attempt_at:
                clock.move_to(d.next_attempt_at)
    assert WebhookDelivery.objects.order_by("id").first().status == "failed"
    sub.refresh_from_db()
    assert sub.is_active


def test_ping_goes_to_one_subscription_and_is_tried_at_once(shop, owner, receiver, allow_private):
    sub = subscribe(owner, receiver.url)
    other = subscribe(owner, receiver.url + "?other=1")
    d = services.subscription_ping(actor=owner, subscription_id=sub.pk)
    assert d.status == "delivered"
    [req] = receiver.requests
    assert req.headers["Tokodesk-Event-Type"] == "ping"
    assert documented_verify()(sub.secret, req.body, req.headers["Tokodesk-Signature"])
    outbox.dispatch()
    assert not WebhookDelivery.objects.filter(subscription=other).exists()


def test_a_private_address_is_refused_at_delivery(shop, owner, receiver, allow_private):
    subscribe(owner, receiver.url)
    allow_private.TOKODESK_WEBHOOKS_ALLOW_PRIVATE = False  # e.g. the name now resolves to 127.0.0.1
    run(make_order(owner), "confirm", owner)
    assert pump()["failed"] == 1
    attempt = WebhookAttempt.objects.get()
    assert attempt.error.startswith("refused:") and "127.0.0.1" in attempt.error
    assert attempt.status_code is None
    assert receiver.requests == []


def test_only_the_owner_manages_webhooks(shop, users, receiver, allow_private):
    from tokodesk.core.errors import PermissionDenied

    for role in ("admin", "agent", "finance"):
        with pytest.raises(PermissionDenied):
            services.subscription_create(actor=users[role], url=receiver.url, event_types=["*"])
    assert users["owner"].has_perm("webhooks.manage_webhooks")
    assert not get_user_model().objects.get(username="admin").has_perm("webhooks.manage_webhooks")
