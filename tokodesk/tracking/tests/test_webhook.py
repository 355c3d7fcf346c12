"""Tracking in by signed webhook (issue 15): the signature and the window, replay safety,
each path of the sandbox's stream through the order table, events out of order, an event the
status does not allow (recorded, not applied, Action Needed), the API's history."""

from __future__ import annotations

import datetime as dt
import time

import pytest
from django.test import Client

from tokodesk.orders.models import Order, OrderEvent
from tokodesk.orders.tests.factories import order_in
from tokodesk.shipping.couriers.sandbox import outcome, stream
from tokodesk.tracking import processing, selectors
from tokodesk.tracking.models import TrackingEvent
from tokodesk.tracking.tests.helpers import SECRET, body_of, post

E = TrackingEvent.Status


@pytest.fixture(autouse=True)
def _secret(settings):
    settings.TOKODESK_SANDBOX_WEBHOOK_SECRET = SECRET


@pytest.fixture
def shipped(shop, owner):
    return order_in("awaiting_pickup", owner)


def _event(order, code, at, event_id=None, note=""):
    return {
        "event_id": event_id or f"e-{order.pk}-{code}",
        "awb": order.awb,
        "event": code,
        "at": at.isoformat(),
        "note": note,
    }


NOW = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)


def test_a_wrong_signature_is_refused_and_nothing_stored(shipped):
    c = Client()
    r = post(c, _event(shipped, "picked_up", NOW), signature="0" * 64)
    assert r.status_code == 401 and r.json()["code"] == "unauthenticated"
    r = post(c, _event(shipped, "picked_up", NOW), secret="another-secret")
    assert r.status_code == 401
    r = post(c, _event(shipped, "picked_up", NOW), signature="")
    assert r.status_code == 401
    assert not TrackingEvent.objects.exists()


def test_an_old_or_future_timestamp_is_refused(shipped):
    c = Client()
    assert (
        post(c, _event(shipped, "picked_up", NOW), timestamp=int(time.time()) - 301).status_code
        == 401
    )
    assert (
        post(c, _event(shipped, "picked_up", NOW), timestamp=int(time.time()) + 301).status_code
        == 401
    )
    assert (
        post(c, _event(shipped, "picked_up", NOW), timestamp=int(time.time()) - 200).status_code
        == 200
    )
    assert TrackingEvent.objects.count() == 1


def test_no_secret_set_refuses_everything(shipped, settings, monkeypatch):
    settings.TOKODESK_SANDBOX_WEBHOOK_SECRET = ""
    monkeypatch.delenv("TOKODESK_SANDBOX_WEBHOOK_SECRET", raising=False)
    assert post(Client(), _event(shipped, "picked_up", NOW), secret="").status_code == 401
    assert not TrackingEvent.objects.exists()


def test_bad_bodies_answer_4xx_never_500(shipped):
    c = Client()
    r = post(c, {"event_id": "x", "awb": shipped.awb, "event": "teleported", "at": "yesterday"})
    assert r.status_code == 422 and set(r.json()["fields"]) == {"event", "at"}
    assert post(c, ["not", "an", "object"]).status_code == 422
    r = post(c, {"event_id": {"x": 1}, "awb": [1], "event": 3, "at": 12345})
    assert r.status_code == 422 and set(r.json()["fields"]) == {"event_id", "awb", "event", "at"}
    assert (
        post(
            c,
            {
                "event_id": "x",
                "awb": shipped.awb,
                "event": "delivered",
                "at": NOW.isoformat(),
                "note": 5,
            },
        ).status_code
        == 422
    )
    assert (
        post(c, _event(shipped, "picked_up", NOW), url="/api/v1/shipping/webhooks/nope").status_code
        == 404
    )
    assert not TrackingEvent.objects.exists()


def test_the_same_event_twice_makes_one_transition(shipped):
    c = Client()
    body = _event(shipped, "picked_up", NOW)
    first = post(c, body)
    assert first.status_code == 200 and first.json()["duplicate"] is False
    processing.process_due()
    second = post(c, body)
    assert second.status_code == 200 and second.json()["duplicate"] is True
    assert second.json()["status"] == "applied"
    processing.process_due()
    assert TrackingEvent.objects.count() == 1
    assert OrderEvent.objects.filter(order=shipped, action="picked_up").count() == 1
    assert Order.objects.get(pk=shipped.pk).status == "in_transit"


def _awb_with(fate: str, base: str) -> tuple[str, int]:
    for seed in range(500):
        if outcome(base, seed) == fate:
            return base, seed
    raise AssertionError(fate)


@pytest.mark.parametrize(
    "fate,final,actions",
    [
        ("delivered", "delivered", ["picked_up", "delivered"]),
        ("problem_then_delivered", "delivered", ["picked_up", "report_problem", "delivered"]),
        (
            "returned",
            "returned",
            ["picked_up", "report_problem", "return_to_sender", "returned_to_sender"],
        ),
        ("lost", "lost_or_damaged", ["picked_up", "mark_lost"]),
    ],
)
def test_each_path_of_the_sandbox_stream(shipped, fate, final, actions):
    awb, seed = _awb_with(fate, shipped.awb)
    c = Client()
    for t in stream(awb, NOW, seed=seed):
        assert post(c, body_of(t)).status_code == 200
    assert TrackingEvent.objects.filter(status=E.RECEIVED).count() == len(actions)
    result = processing.process_due()
    assert result["applied"] == len(actions) and result["not_applied"] == result["failed"] == 0
    order = Order.objects.get(pk=shipped.pk)
    assert order.status == final
    assert (
        list(
            OrderEvent.objects.filter(order=order, source="courier")
            .order_by("id")
            .values_list("action", flat=True)
        )
        == actions
    )
    if fate == "returned":  # the parcel came back: restocked by the transition's effect
        assert order.stock_state == "restocked"


def test_delivered_before_picked_up_ends_delivered_with_both_recorded(shipped):
    c = Client()
    post(c, _event(shipped, "delivered", NOW + dt.timedelta(days=2)))
    processing.process_due()
    post(c, _event(shipped, "picked_up", NOW))
    processing.process_due()
    order = Order.objects.get(pk=shipped.pk)
    assert order.status == "delivered"
    rows = {e.event: e.status for e in TrackingEvent.objects.all()}
    assert rows == {"delivered": E.APPLIED, "picked_up": E.SUPERSEDED}
    # the missing step was applied once, by the delivered event
    assert list(
        OrderEvent.objects.filter(order=order, source="courier")
        .order_by("id")
        .values_list("action", flat=True)
    ) == ["picked_up", "delivered"]
    assert selectors.attention_count() == 0


def test_out_of_order_in_one_batch_is_applied_by_event_time(shipped):
    c = Client()
    post(c, _event(shipped, "delivered", NOW + dt.timedelta(days=3)))
    post(c, _event(shipped, "problem", NOW + dt.timedelta(days=1), note="Penerima tidak di tempat"))
    post(c, _event(shipped, "picked_up", NOW))
    processing.process_due()
    assert Order.objects.get(pk=shipped.pk).status == "delivered"
    assert set(TrackingEvent.objects.values_list("status", flat=True)) == {E.APPLIED}
    assert Order.objects.get(pk=shipped.pk).problem_reason == "Penerima tidak di tempat"


def test_an_event_the_status_does_not_allow_is_recorded_not_applied(shipped, owner):
    c = Client()
    post(c, _event(shipped, "delivered", NOW))
    processing.process_due()
    post(c, _event(shipped, "lost", NOW + dt.timedelta(days=1)))
    processing.process_due()
    lost = TrackingEvent.objects.get(event="lost")
    assert lost.status == E.NOT_APPLIED and lost.error and lost.order_id == shipped.pk
    assert Order.objects.get(pk=shipped.pk).status == "delivered"
    assert selectors.attention_count() == 1
    # no order with the AWB: recorded, not applied, too
    post(c, {"event_id": "ghost", "awb": "NOPE123", "event": "picked_up", "at": NOW.isoformat()})
    processing.process_due()
    assert TrackingEvent.objects.get(event_id="ghost").status == E.NOT_APPLIED
    assert selectors.attention_count() == 2


def test_retry_puts_the_event_back_and_the_worker_applies_it(shipped, owner, api):
    c = Client()
    post(c, _event(shipped, "problem", NOW, note="alamat salah"))  # awaiting pickup: bridged
    processing.process_due()
    assert Order.objects.get(pk=shipped.pk).status == "delivery_problem"
    # the event failed once (say a crash): a retry from the API queues it again
    TrackingEvent.objects.update(status=E.FAILED, error="RuntimeError: boom")
    r = api.post(
        "/api/v1/tracking/events/retry",
        {"ids": list(TrackingEvent.objects.values_list("pk", flat=True))},
    )
    assert r.status_code == 200 and r.json() == {"queued": 1}
    processing.process_due()
    assert TrackingEvent.objects.get().status == E.SUPERSEDED  # the order is there already


def test_the_order_tracking_api(shipped, api):
    c = Client()
    post(c, _event(shipped, "picked_up", NOW))
    post(c, _event(shipped, "delivered", NOW + dt.timedelta(days=1)))
    before = api.get(f"/api/v1/orders/{shipped.reference}/tracking")
    assert before.status_code == 200
    assert [e["status"] for e in before.json()] == [
        "received",
        "received",
    ]  # stored, not applied yet
    processing.process_due()
    r = api.get(f"/api/v1/orders/{shipped.reference}/tracking")
    assert [(e["event"], e["action"], e["status"]) for e in r.json()] == [
        ("picked_up", "picked_up", "applied"),
        ("delivered", "delivered", "applied"),
    ]
    assert api.get("/api/v1/orders/ORD-NOPE/tracking").status_code == 404


def test_the_webhook_is_documented_without_auth(client, db):
    doc = client.get("/api/v1/openapi.json").json()
    op = doc["paths"]["/api/v1/shipping/webhooks/{adapter}"]["post"]
    assert "security" not in op or op["security"] == [] or op["security"] == [{}]
    names = {p["name"] for p in op["parameters"]}
    assert {"X-Tokodesk-Timestamp", "X-Tokodesk-Signature"} <= names
    assert "event_id" in op["requestBody"]["content"]["application/json"]["schema"]["properties"]
    assert "/api/v1/orders/{reference}/tracking" in doc["paths"]
