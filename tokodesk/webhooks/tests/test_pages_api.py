"""The owner's webhook pages and API: create, edit, delete, the delivery log, resend and the
test event; a private address refused at save (API 422, page error); owner only; no
inline script or style (CSP)."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from tokodesk.core import outbox
from tokodesk.orders.tests.factories import make_order, run
from tokodesk.webhooks import delivery
from tokodesk.webhooks.models import WebhookDelivery, WebhookSubscription

pytestmark = pytest.mark.django_db

PRIVATE = ["http://10.0.0.7/hook", "http://192.168.1.20/hook", "http://169.254.169.254/latest/meta-data",
           "http://[::1]:8000/hook", "http://[::ffff:127.0.0.1]/hook", "http://0.0.0.0/hook",
           "http://localhost/hook", "http://100.64.0.1/hook", "http://224.0.0.1/hook"]


@pytest.fixture
def page(owner):
    c = Client(HTTP_ACCEPT_LANGUAGE="en")  # the texts below are the English sources
    c.force_login(owner)
    return c


def assert_no_inline(html: str):
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html), "inline script"
    assert not re.search(r"\sstyle=", html), "style attribute"
    assert not re.search(r"\son[a-z]+=", html), "inline handler"
    assert "<style" not in html


@pytest.mark.parametrize("url", PRIVATE)
def test_the_api_refuses_a_private_address(api, url):
    r = api.post("/api/v1/webhooks/subscriptions", {"url": url, "event_types": ["*"]})
    assert r.status_code == 422, r.content
    body = r.json()
    assert body["code"] == "invalid_input" and "url" in body["fields"]
    assert not WebhookSubscription.objects.exists()


@pytest.mark.parametrize("url", ["ftp://example.com/x", "javascript:alert(1)", "http://user:pw@127.0.0.1/x", ""])
def test_the_api_refuses_other_bad_urls_as_422(api, allow_private, url):
    r = api.post("/api/v1/webhooks/subscriptions", {"url": url, "event_types": ["*"]})
    assert r.status_code == 422 and r.json()["code"] == "invalid_input", r.content


def test_the_api_refuses_unknown_event_types(api, receiver, allow_private):
    r = api.post("/api/v1/webhooks/subscriptions", {"url": receiver.url, "event_types": ["order.eaten"]})
    assert r.status_code == 422 and "event_types" in r.json()["fields"]
    r = api.post("/api/v1/webhooks/subscriptions", {"url": receiver.url, "event_types": []})
    assert r.status_code == 422


def test_the_page_refuses_a_private_address(page):
    r = page.post("/webhooks/new/", {"url": "http://127.0.0.1:8000/hook", "event_types": ["*"], "is_active": "on"})
    assert r.status_code == 200
    html = r.content.decode()
    assert "private, local or reserved address" in html and "has-error" in html
    assert not WebhookSubscription.objects.exists()


def test_api_lifecycle_with_ping_log_and_resend(shop, owner, api, receiver, allow_private):
    r = api.post("/api/v1/webhooks/subscriptions",
                 {"url": receiver.url, "event_types": ["order.status_changed"], "description": "ERP"})
    assert r.status_code == 201, r.content
    sub = r.json()
    assert sub["secret"].startswith("whsec_") and sub["is_active"]
    assert api.get("/api/v1/webhooks/event-types").status_code == 200
    assert [s["id"] for s in api.get("/api/v1/webhooks/subscriptions").json()] == [sub["id"]]

    r = api.post(f"/api/v1/webhooks/subscriptions/{sub['id']}/ping")
    assert r.status_code == 200 and r.json()["status"] == "delivered" and r.json()["event_type"] == "ping"

    receiver.status = 503
    run(make_order(owner), "confirm", owner)
    outbox.dispatch()
    delivery.deliver_due()
    log = api.get(f"/api/v1/webhooks/subscriptions/{sub['id']}/deliveries", {"status": "pending"}).json()
    [failed] = log
    assert failed["attempts"] == 1 and failed["log"][0]["status_code"] == 503
    assert failed["log"][0]["response_excerpt"] == '{"ok":true}'
    receiver.status = 200
    r = api.post(f"/api/v1/webhooks/deliveries/{failed['id']}/resend")
    assert r.status_code == 200 and r.json()["status"] == "delivered" and r.json()["attempts"] == 2
    assert r.json()["event_id"] == failed["event_id"]
    assert {q.headers["Tokodesk-Event-Id"] for q in receiver.requests[-2:]} == {failed["event_id"]}

    allow_private.TOKODESK_WEBHOOKS_ALLOW_PRIVATE = False
    r = api.patch(f"/api/v1/webhooks/subscriptions/{sub['id']}", {"url": "http://10.1.2.3/x"})
    assert r.status_code == 422 and "url" in r.json()["fields"]
    allow_private.TOKODESK_WEBHOOKS_ALLOW_PRIVATE = True
    r = api.patch(f"/api/v1/webhooks/subscriptions/{sub['id']}", {"is_active": False, "event_types": ["*"]})
    assert r.status_code == 200 and r.json()["is_active"] is False and r.json()["event_types"] == ["*"]
    old = sub["secret"]
    assert api.post(f"/api/v1/webhooks/subscriptions/{sub['id']}/secret").json()["secret"] != old
    assert api.client.delete(f"/api/v1/webhooks/subscriptions/{sub['id']}",
                             **api._headers(None)).status_code == 204
    assert api.get(f"/api/v1/webhooks/subscriptions/{sub['id']}").status_code == 404


def test_the_api_is_owner_only(api_as, receiver, allow_private):
    for role in ("admin", "agent", "finance", "viewer"):
        client = api_as(role)
        assert client.get("/api/v1/webhooks/subscriptions").status_code == 403
        r = client.post("/api/v1/webhooks/subscriptions", {"url": receiver.url, "event_types": ["*"]})
        assert r.status_code == 403 and r.json()["code"] == "permission_denied"


def test_pages_create_edit_log_resend_ping_delete(shop, owner, page, receiver, allow_private):
    r = page.get("/webhooks/")
    assert r.status_code == 200 and "No webhooks yet." in r.content.decode()
    assert_no_inline(r.content.decode())
    r = page.get("/webhooks/new/")
    assert_no_inline(r.content.decode())
    r = page.post("/webhooks/new/", {"url": receiver.url, "event_types": ["order.status_changed", "refund.paid"],
                                     "description": "Gudang", "is_active": "on"})
    sub = WebhookSubscription.objects.get()
    assert r.status_code == 302 and r["Location"] == f"/webhooks/{sub.pk}/"
    assert sub.event_types == ["order.status_changed", "refund.paid"]
    html = page.get(f"/webhooks/{sub.pk}/").content.decode()
    assert sub.secret in html
    assert_no_inline(html)

    assert page.post(f"/webhooks/{sub.pk}/ping/").status_code == 302
    receiver.status = 500
    run(make_order(owner), "confirm", owner)
    outbox.dispatch()
    delivery.deliver_due()
    d = WebhookDelivery.objects.exclude(event__type="ping").get()
    html = page.get(f"/webhooks/{sub.pk}/").content.decode()
    assert f'data-delivery="{d.pk}" data-status="pending"' in html and "HTTP 500" in html
    assert 'data-attempt="1"' in html
    assert_no_inline(html)
    receiver.status = 200
    r = page.post(f"/webhooks/deliveries/{d.pk}/resend/", follow=True)
    assert "delivered" in r.content.decode()
    d.refresh_from_db()
    assert d.status == "delivered"

    r = page.post(f"/webhooks/{sub.pk}/edit/", {"url": receiver.url, "event_types": ["*"], "description": ""})
    assert r.status_code == 302
    sub.refresh_from_db()
    assert sub.event_types == ["*"] and sub.is_active is False
    assert_no_inline(page.get(f"/webhooks/{sub.pk}/delete/").content.decode())
    assert page.post(f"/webhooks/{sub.pk}/delete/").status_code == 302
    assert not WebhookSubscription.objects.exists()


def test_a_turned_off_webhook_is_noticed_on_the_webhooks_and_settings_pages(shop, owner, page, receiver,
                                                                             allow_private):
    from django.utils import timezone

    sub = WebhookSubscription.objects.create(url=receiver.url, event_types=["*"], is_active=False,
                                             disabled_at=timezone.now(), disabled_reason="last: HTTP 500")
    for path in ("/webhooks/", "/orders/settings/", f"/webhooks/{sub.pk}/"):
        html = page.get(path).content.decode()
        assert "turned" in html and "last: HTTP 500" in html, path
        assert_no_inline(html)


def test_pages_are_owner_only(users):
    c = Client()
    c.force_login(users["admin"])
    assert c.get("/webhooks/").status_code == 403
    assert c.post("/webhooks/new/", {"url": "http://example.com/", "event_types": ["*"]}).status_code == 403


def test_the_settings_page_leads_to_the_webhooks(owner, client):
    client.force_login(owner)
    html = client.get("/orders/settings/").content.decode()
    assert 'href="/webhooks/"' in html
