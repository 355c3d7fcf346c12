"""The tracking pages and sections (issue 15): the order page's history, the buyer's order
link in their words, Action needed's notice, the events page with retry, the CSV import with
its preview, and the poll through the sandbox adapter's `track`."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone, translation

from tokodesk.orders.links import order_link_url
from tokodesk.orders.models import Order
from tokodesk.orders.tests.factories import order_in
from tokodesk.shipping.couriers.sandbox import stream
from tokodesk.tracking import codes, poll, processing
from tokodesk.tracking.models import TrackingEvent
from tokodesk.tracking.tests.helpers import SECRET, post

E = TrackingEvent.Status
NOW = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)


@pytest.fixture(autouse=True)
def _secret(settings):
    settings.TOKODESK_SANDBOX_WEBHOOK_SECRET = SECRET


@pytest.fixture
def shipped(shop, owner):
    return order_in("awaiting_pickup", owner)


@pytest.fixture
def browser(owner):
    c = Client()
    c.force_login(owner)
    c.cookies["django_language"] = "en"
    return c


def _ev(order, code, at, eid=None, note=""):
    return {
        "event_id": eid or f"{order.pk}-{code}",
        "awb": order.awb,
        "event": code,
        "at": at.isoformat(),
        "note": note,
    }


def test_order_page_and_buyer_link_show_the_history(shipped, browser):
    c = Client()
    post(c, _ev(shipped, "picked_up", NOW))
    post(c, _ev(shipped, "problem", NOW + dt.timedelta(days=1), note="Penerima tidak di tempat"))
    processing.process_due()
    page = browser.get(f"/orders/{shipped.reference}/").content.decode()
    assert 'data-section="tracking"' in page
    assert 'data-tracking-event="picked_up"' in page and 'data-tracking-event="problem"' in page
    buyer = Client()
    buyer.cookies["django_language"] = "en"
    link = buyer.get(order_link_url(shipped)).content.decode()
    assert 'id="tracking"' in link
    with translation.override("en"):
        assert str(codes.BUYER_WORDS["problem"]) in link
        assert str(codes.BUYER_WORDS["picked_up"]) in link
    assert "Penerima tidak di tempat" not in link  # the courier's internal note stays on the desk


def test_action_needed_shows_events_not_applied(shipped, browser):
    c = Client()
    post(c, _ev(shipped, "delivered", NOW))
    post(c, _ev(shipped, "lost", NOW + dt.timedelta(days=2)))
    processing.process_due()
    page = browser.get("/orders/", {"tab": "action_needed"}).content.decode()
    assert 'id="tracking-action-needed" data-count="1"' in page
    assert (
        'id="tracking-action-needed"'
        not in browser.get("/orders/", {"tab": "all"}).content.decode()
    )
    events = browser.get("/shipping/tracking/", {"status": "attention"})
    assert events.status_code == 200
    body = events.content.decode()
    assert 'data-status="recorded_not_applied"' in body and 'data-status="applied"' not in body
    # The event in the desk's words, not the provider's code.
    assert '<td data-event="lost">Lost or damaged</td>' in body
    lost = TrackingEvent.objects.get(event="lost")
    r = browser.post("/shipping/tracking/retry/", {"ids": [lost.pk]})
    assert r.status_code == 302
    assert TrackingEvent.objects.get(pk=lost.pk).status == E.RECEIVED
    processing.process_due()
    assert (
        TrackingEvent.objects.get(pk=lost.pk).status == E.NOT_APPLIED
    )  # still refused: a person decides


def test_the_events_page_needs_the_shipping_permission(db):
    from tokodesk.accounts.services import user_create

    c = Client()
    c.force_login(user_create(username="looker", role="viewer", password="pw-123456"))
    assert c.get("/shipping/tracking/").status_code == 403
    assert c.post("/shipping/tracking/retry/", {"ids": [1]}).status_code == 403


def test_csv_import_previews_then_stores_the_valid_rows(shipped, browser, owner):
    other = order_in("awaiting_pickup", owner)
    text = (
        "AWB,event,time,note\n"
        f"{shipped.awb},picked_up,2026-03-01 10:00,\n"
        f"{shipped.awb},delivered,2026-03-02T15:30:00+07:00,Diterima\n"
        f"{other.awb},teleported,2026-03-01 10:00,\n"
        f"{other.awb},picked_up,not a time,\n"
        "UNKNOWN-AWB,picked_up,2026-03-01 10:00,\n"
    )
    upload = SimpleUploadedFile("events.csv", text.encode(), content_type="text/csv")
    r = browser.post("/shipping/tracking/import/", {"file": upload})
    assert r.status_code == 200
    page = r.content.decode()
    assert page.count("data-refused-row") == 3 and 'data-csv-refused="3"' in page
    assert not TrackingEvent.objects.exists()  # a preview writes nothing
    r = browser.post("/shipping/tracking/import/", {"step": "apply", "text": text})
    assert r.status_code == 302
    assert TrackingEvent.objects.filter(source="csv").count() == 2
    browser.post(
        "/shipping/tracking/import/", {"step": "apply", "text": text}
    )  # the same file again
    assert TrackingEvent.objects.count() == 2
    processing.process_due()
    assert Order.objects.get(pk=shipped.pk).status == "delivered"
    bad = browser.post("/shipping/tracking/import/", {"step": "apply", "text": ""})
    assert bad.status_code == 422


def test_poll_stores_what_happened_by_now_through_track(shipped):
    shipped.refresh_from_db()
    now = shipped.shipped_at + dt.timedelta(days=10)
    full = stream(shipped.awb, shipped.shipped_at)
    result = poll.poll(adapter="sandbox", now=now)
    assert result["orders"] == 1 and result["new"] == len(full)
    assert poll.poll(adapter="sandbox", now=now)["new"] == 0  # asked again: nothing new
    processing.process_due()
    final = {"delivered": "delivered", "returned": "returned", "lost": "lost_or_damaged"}[
        full[-1].event
    ]
    assert Order.objects.get(pk=shipped.pk).status == final
    # early on, only the pickup has happened
    assert all(e.at <= timezone.now() + dt.timedelta(days=30) for e in full)


def test_sandbox_streams_are_believable_and_deterministic():
    start = NOW
    fates = {}
    for i in range(1000):
        events = stream(f"JP{i:010d}", start, seed=7)
        assert events == stream(f"JP{i:010d}", start, seed=7)
        assert events[0].event == "picked_up"
        assert [e.at for e in events] == sorted(e.at for e in events)
        last = events[-1].event
        fates[last] = fates.get(last, 0) + 1
        if last == "delivered":
            assert dt.timedelta(days=1) <= events[-1].at - start <= dt.timedelta(days=4)
    assert 800 <= fates["delivered"] <= 900
    assert 70 <= fates["returned"] <= 130  # ~10 % RTS
    assert 10 <= fates["lost"] <= 50


def test_the_pages_hold_nothing_the_csp_blocks(shipped, browser):
    import re

    post(Client(), _ev(shipped, "picked_up", NOW))
    processing.process_due()
    for path in (
        "/shipping/tracking/",
        "/shipping/tracking/import/",
        f"/orders/{shipped.reference}/",
        "/orders/?tab=action_needed",
        order_link_url(shipped),
    ):
        r = browser.get(path)
        assert r.status_code == 200, path
        html = r.content.decode()
        assert "Content-Security-Policy" in r.headers, path
        assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html), path
        assert not re.search(r"\sstyle=", html), path
        assert not re.search(r"\son[a-z]+=", html), path
