"""Crafted input never reaches a 500 (issue 10): deep and huge JSON bodies, wrong content
types, crafted cursors, unknown paths and methods, bools for numbers, dates out of range,
script URLs — each answered as a 4xx with our JSON error {code, message, fields}."""

from __future__ import annotations

import base64
import json

import pytest
from django.test import Client

from conftest import order_payload


def _error(r, status):
    assert r.status_code == status, (r.status_code, r.content[:300])
    assert r["Content-Type"].startswith("application/json"), r["Content-Type"]
    body = r.json()
    assert set(body) == {"code", "message", "fields"}, body
    assert body["message"]
    return body


def _cursor(raw: str) -> str:
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


@pytest.fixture
def order(shop, api):
    r = api.post("/api/v1/orders", order_payload())
    assert r.status_code == 201, r.content
    return r.json()


# --- JSON depth and size ------------------------------------------------------------------


@pytest.mark.parametrize("opener, closer", [("[", "]"), ('{"a":', "}")])
def test_deep_json_on_an_action_is_400(order, api, opener, closer):
    deep = opener * 100_000 + "1" + closer * 100_000
    r = api.post(f"/api/v1/orders/{order['reference']}/actions/cancel", raw=deep)
    assert _error(r, 400)["code"] == "invalid_json"


def test_json_nested_past_the_limit_on_a_schema_body_is_400(shop, api):
    body = order_payload()
    nested = "x"
    for _ in range(40):
        nested = [nested]
    body["note"] = nested
    r = api.post("/api/v1/orders", body)
    assert _error(r, 400)["code"] == "invalid_json"


def test_deep_json_on_create_is_400(shop, api):
    r = api.post("/api/v1/orders", raw="[" * 100_000 + "]" * 100_000)
    assert _error(r, 400)["code"] == "invalid_json"


def test_nan_in_a_body_is_400(order, api):
    r = api.post(f"/api/v1/orders/{order['reference']}/actions/confirm", raw='{"version": NaN}')
    assert _error(r, 400)["code"] == "invalid_json"


@pytest.mark.parametrize("key", [None, "big-1"])
def test_20_mb_body_is_413_json(order, api, key):
    big = json.dumps({"reason": "x" * (20 * 1024 * 1024)})
    headers = {"Idempotency-Key": key} if key else None
    r = api.post(f"/api/v1/orders/{order['reference']}/actions/cancel", raw=big, headers=headers)
    assert _error(r, 413)["code"] == "too_large"


def test_20_mb_body_on_create_is_413_json(shop, api):
    r = api.post("/api/v1/orders", raw=json.dumps({"note": "x" * (20 * 1024 * 1024)}))
    assert _error(r, 413)["code"] == "too_large"


# --- content type --------------------------------------------------------------------------


def test_json_sent_as_text_plain_is_415(shop, api):
    r = api.client.post("/api/v1/orders", data=json.dumps(order_payload()), content_type="text/plain",
                        HTTP_AUTHORIZATION=f"Bearer {api.token}")
    body = _error(r, 415)
    assert body["code"] == "unsupported_media_type"
    assert "Content-Type" in body["fields"]


def test_form_body_on_a_json_operation_is_415(order, api):
    r = api.client.post(f"/api/v1/orders/{order['reference']}/notes", data={"body": "hi"},
                        HTTP_AUTHORIZATION=f"Bearer {api.token}")
    assert _error(r, 415)["code"] == "unsupported_media_type"


def test_text_plain_action_body_is_415(order, api):
    r = api.client.post(f"/api/v1/orders/{order['reference']}/actions/cancel", data='{"reason": "x"}',
                        content_type="text/plain", HTTP_AUTHORIZATION=f"Bearer {api.token}")
    assert _error(r, 415)["code"] == "unsupported_media_type"


def test_json_with_charset_and_vendor_json_are_accepted(order, api):
    auth = {"HTTP_AUTHORIZATION": f"Bearer {api.token}"}
    r = api.client.post(f"/api/v1/orders/{order['reference']}/notes", data=json.dumps({"body": "one"}),
                        content_type="application/json; charset=utf-8", **auth)
    assert r.status_code == 201, r.content
    r = api.client.post(f"/api/v1/orders/{order['reference']}/notes", data=json.dumps({"body": "two"}),
                        content_type="application/merge-patch+json", **auth)
    assert r.status_code == 201, r.content


def test_an_action_without_a_body_needs_no_content_type(order, api):
    r = api.client.post(f"/api/v1/orders/{order['reference']}/actions/confirm", data=b"", content_type="",
                        HTTP_AUTHORIZATION=f"Bearer {api.token}")
    assert r.status_code == 200, r.content


# --- every error under /api/v1/ is JSON ------------------------------------------------------


@pytest.mark.parametrize("path", ["/api/v1/nope", "/api/v1/orders/X/nope/deeper", "/api/v1/orders/"])
def test_unknown_api_path_is_404_json(api, path):
    assert _error(api.get(path), 404)["code"] == "not_found"


def test_unknown_api_path_without_auth_is_404_json(db):
    assert _error(Client().post("/api/v1/nope", data="{}", content_type="application/json"), 404)


def test_wrong_method_is_405_json(order, api):
    r = api.client.delete(f"/api/v1/orders/{order['reference']}", HTTP_AUTHORIZATION=f"Bearer {api.token}")
    body = _error(r, 405)
    assert body["code"] == "method_not_allowed"
    assert "GET" in r["Allow"]


def test_an_unexpected_server_error_is_500_json(shop, api, monkeypatch):
    from tokodesk.orders import selectors

    def boom(**kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(selectors, "order_list", boom)
    client = Client(raise_request_exception=False)
    r = client.get("/api/v1/orders", HTTP_AUTHORIZATION=f"Bearer {api.token}")
    body = _error(r, 500)
    assert body["code"] == "server_error" and "boom" not in r.content.decode()


def test_pages_keep_their_html_404(owner, client):
    client.force_login(owner)
    r = client.get("/orders/nope/deeper/")
    assert r.status_code == 404
    assert not r["Content-Type"].startswith("application/json")


# --- cursors ----------------------------------------------------------------------------------

BAD_CURSORS = [
    _cursor('[Infinity, 1]'),
    _cursor('["2024-01-01T00:00:00+00:00", Infinity]'),
    _cursor('[NaN, 1]'),
    _cursor('[1e400, 1]'),
    _cursor('[1, 1e400]'),
    _cursor('["2024-01-01T00:00:00+00:00", 99999999999999999999999]'),
    _cursor('["0001-01-01T00:00:00+14:00", 1]'),
    _cursor('["2024-01-01T00:00:00", 1]'),
    _cursor('[true, true]'),
    _cursor('[{"a": 1}, [1]]'),
    _cursor('[1, 2, 3]'),
    _cursor('"x"'),
    "%%%",
    "w6k",
]


@pytest.mark.parametrize("cursor", BAD_CURSORS)
@pytest.mark.parametrize("sort", ["-created_at", "total"])
def test_crafted_cursor_on_the_api_orders_list_is_422(order, api, cursor, sort):
    body = _error(api.get("/api/v1/orders", {"cursor": cursor, "sort": sort}), 422)
    assert "cursor" in body["fields"]


@pytest.mark.parametrize("cursor", BAD_CURSORS)
def test_crafted_cursor_on_the_api_returns_list_is_422(shop, api, cursor):
    body = _error(api.get("/api/v1/returns", {"cursor": cursor}), 422)
    assert "cursor" in body["fields"]


@pytest.mark.parametrize("cursor", [_cursor("[Infinity, 1]"), _cursor('[1, 1e400]')])
@pytest.mark.parametrize("sort", ["", "total"])
def test_crafted_cursor_on_the_orders_page_shows_the_first_page(order, owner, client, cursor, sort):
    client.force_login(owner)
    r = client.get("/orders/", {"cursor": cursor, **({"sort": sort} if sort else {})})
    assert r.status_code == 200
    assert order["reference"] in r.content.decode()


def test_crafted_cursor_on_the_returns_page_shows_the_first_page(shop, owner, client):
    client.force_login(owner)
    r = client.get("/returns/", {"cursor": _cursor('["2024-01-01T00:00:00+14:00", Infinity]')})
    assert r.status_code == 200


def test_a_real_cursor_still_pages(shop, api):
    refs = {api.post("/api/v1/orders", order_payload()).json()["reference"] for _ in range(3)}
    for sort in ("-created_at", "total"):
        r = api.get("/api/v1/orders", {"limit": 2, "sort": sort})
        first = r.json()
        assert first["next_cursor"]
        r = api.get("/api/v1/orders", {"limit": 2, "sort": sort, "cursor": first["next_cursor"]})
        assert r.status_code == 200, r.content
        seen = {o["reference"] for o in first["items"]} | {o["reference"] for o in r.json()["items"]}
        assert seen == refs


# --- strict types and dates ---------------------------------------------------------------------


@pytest.mark.parametrize("field, value", [
    ("lines.0.qty", True),
    ("lines.0.qty", False),
    ("lines.0.unit_price", True),
    ("shipping_cost", True),
    ("discount", False),
])
def test_bool_for_a_number_on_create_is_422(shop, api, field, value):
    body = order_payload()
    if field.startswith("lines"):
        body["lines"][0][field.rsplit(".", 1)[1]] = value
    else:
        body[field] = value
    r = api.post("/api/v1/orders", body)
    assert field in _error(r, 422)["fields"]


def test_bool_for_a_number_on_edit_payment_and_return_is_422(order, api):
    ref = order["reference"]
    r = api.patch(f"/api/v1/orders/{ref}", {"lines": [{"sku": "MADU-500", "qty": True}]})
    assert "lines.0.qty" in _error(r, 422)["fields"]
    r = api.patch(f"/api/v1/orders/{ref}", {"shipping_cost": True})
    assert "shipping_cost" in _error(r, 422)["fields"]
    api.post(f"/api/v1/orders/{ref}/actions/confirm")
    r = api.post(f"/api/v1/orders/{ref}/actions/confirm_payment", {"amount": True})
    assert "amount" in _error(r, 422)["fields"]
    r = api.post("/api/v1/returns", {"order": ref, "reason": "damaged", "resolution": "refund",
                                     "lines": [{"sku": "MADU-500", "qty": True}]})
    assert "lines.0.qty" in _error(r, 422)["fields"]
    r = api.post("/api/v1/refunds", {"order": ref, "amount": True, "method": "bank_transfer"})
    assert "amount" in _error(r, 422)["fields"]


def test_whole_numbers_still_come_as_numbers_or_numeric_text(shop, api):
    body = order_payload(lines=[{"sku": "MADU-500", "qty": 2}], shipping_cost="18000")
    r = api.post("/api/v1/orders", body)
    assert r.status_code == 201, r.content
    assert r.json()["lines"][0]["qty"] == 2 and r.json()["shipping_cost"] == 18000


@pytest.mark.parametrize("day", ["9999-01-01", "0001-01-01", "1999-12-31", "2101-01-01"])
def test_dates_out_of_range_are_422(order, api, day):
    ref = order["reference"]
    api.post(f"/api/v1/orders/{ref}/actions/confirm")
    r = api.post(f"/api/v1/orders/{ref}/actions/confirm_payment", {"amount": 1000, "paid_on": day})
    body = _error(r, 422)
    assert "paid_on" in body["fields"]
    assert "2000" in body["fields"]["paid_on"]


def test_invoice_due_date_out_of_range_is_422(shop, api):
    ref = api.post("/api/v1/orders", order_payload(payment_method="invoice")).json()["reference"]
    assert api.post(f"/api/v1/orders/{ref}/actions/confirm").status_code == 200
    assert api.post(f"/api/v1/orders/{ref}/actions/create_invoice").status_code == 200
    r = api.post(f"/api/v1/orders/{ref}/actions/issue_invoice", {"number": "INV-1", "due_date": "9999-01-01"})
    assert "due_date" in _error(r, 422)["fields"]


def test_a_date_in_range_is_accepted(order, api):
    ref = order["reference"]
    api.post(f"/api/v1/orders/{ref}/actions/confirm")
    r = api.post(f"/api/v1/orders/{ref}/actions/confirm_payment", {"amount": 1000, "paid_on": "2025-03-01"})
    assert r.status_code == 200, r.content


# --- stored URLs ------------------------------------------------------------------------------

BAD_LINKS = ["javascript:alert(1)", " JaVaScRiPt:alert(1)", "java\tscript:alert(1)",
             "data:text/html,<script>alert(1)</script>", "vbscript:msgbox(1)", "//evil.example/x",
             "/relative", "https:\\\\evil.example", "ftp://files.example/x"]


@pytest.fixture
def gateway_order(shop, api):
    r = api.post("/api/v1/orders", order_payload(payment_method="payment_gateway"))
    ref = r.json()["reference"]
    assert api.post(f"/api/v1/orders/{ref}/actions/confirm").status_code == 200
    return ref


@pytest.mark.parametrize("link", BAD_LINKS)
def test_script_payment_link_is_422(gateway_order, api, link):
    r = api.post(f"/api/v1/orders/{gateway_order}/actions/request_payment", {"payment_link": link})
    body = _error(r, 422)
    assert "payment_link" in body["fields"]
    assert "https://" in body["fields"]["payment_link"]
    assert api.get(f"/api/v1/orders/{gateway_order}").json()["status"] == "confirmed"


def test_https_payment_link_is_stored(gateway_order, api):
    r = api.post(f"/api/v1/orders/{gateway_order}/actions/request_payment",
                 {"payment_link": "https://pay.example/i/1"})
    assert r.status_code == 200, r.content
    from tokodesk.orders.models import Order

    assert Order.objects.get(reference=gateway_order).payment_link == "https://pay.example/i/1"


def test_script_payment_link_is_refused_on_the_page_too(gateway_order, owner):
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(owner)
    from tokodesk.orders.models import Order

    order = Order.objects.get(reference=gateway_order)
    r = client.post(f"/orders/{gateway_order}/actions/request_payment/",
                    {"payment_link": "javascript:alert(1)", "version": order.version})
    assert r.status_code in (200, 400, 422), r.status_code
    order.refresh_from_db()
    assert order.payment_link == "" and order.status == "confirmed"
    assert "https://" in r.content.decode()  # the field's message, not only "not valid"


@pytest.mark.parametrize("link", ["javascript:alert(1)", "data:image/svg+xml,<svg onload=alert(1)>",
                                  "ftp://files.example/a.png"])
def test_landing_page_image_url_must_be_http(shop, users, link):
    from tokodesk.catalog.models import Product
    from tokodesk.storefront.models import LandingPage

    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(users["owner"])
    r = client.post(_landing_new(), {
        "name": "Madu", "slug": "madu-promo", "product": Product.objects.get(slug="madu-hutan").pk,
        "warehouse": "", "image_url": link, "payment_methods": ["cod"], "payment_instructions": "",
        "active": "on"})
    assert r.status_code == 422
    assert not LandingPage.objects.exists()


def _landing_new():
    from django.urls import reverse

    return reverse("storefront:manage_new")


@pytest.mark.parametrize("model_field", ["shipping.Courier.tracking_url", "storefront.LandingPage.image_url",
                                         "notifications.NotificationSettings.site_url"])
@pytest.mark.parametrize("link", ["javascript:alert(1)", " JaVaScRiPt:alert(1)", "data:text/html,x"])
def test_stored_url_fields_refuse_script_urls(db, model_field, link):
    from django.apps import apps
    from django.core.exceptions import ValidationError

    app, model, name = model_field.split(".")
    field = apps.get_model(app, model)._meta.get_field(name)
    with pytest.raises(ValidationError):
        field.run_validators(link)
    field.run_validators("https://example.com/track?awb={awb}")


@pytest.mark.parametrize("link", ["ftp://desk.example", "javascript:alert(1)"])
def test_site_url_is_refused_in_the_admin(db, link):
    from django.contrib.auth import get_user_model

    from tokodesk.notifications.models import NotificationSettings

    admin = get_user_model().objects.create_superuser("root", "root@example.com", "pw-123456")
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(admin)
    r = client.post("/admin/notifications/notificationsettings/add/", {
        "shop_name": "Toko", "customer_language": "", "reply_to": "", "site_url": link,
        "whatsapp_return_template": ""})
    assert r.status_code == 200  # the form again, with the error
    assert not NotificationSettings.objects.exists()
    if link.startswith("ftp"):
        assert "https://" in r.content.decode()


# --- idempotent replay after authentication ----------------------------------------------------------


def test_revoked_token_replaying_a_key_gets_401(shop, api):
    from django.utils import timezone

    from tokodesk.accounts.models import ApiToken

    first = api.post("/api/v1/orders", order_payload(), headers={"Idempotency-Key": "k-1"})
    assert first.status_code == 201
    ApiToken.objects.filter(user=api.user).update(revoked_at=timezone.now())
    r = api.post("/api/v1/orders", order_payload(), headers={"Idempotency-Key": "k-1"})
    body = _error(r, 401)
    assert body["code"] == "unauthenticated"
    assert first.json()["reference"].encode() not in r.content
    assert "Idempotent-Replayed" not in r


def test_inactive_user_replaying_a_key_gets_401(shop, api):
    first = api.post("/api/v1/orders", order_payload(), headers={"Idempotency-Key": "k-2"})
    assert first.status_code == 201
    api.user.is_active = False
    api.user.save(update_fields=["is_active"])
    r = api.post("/api/v1/orders", order_payload(), headers={"Idempotency-Key": "k-2"})
    assert _error(r, 401)["code"] == "unauthenticated"


def test_a_garbage_token_with_a_used_key_gets_401(shop, api):
    api.post("/api/v1/orders", order_payload(), headers={"Idempotency-Key": "k-3"})
    r = api.client.post("/api/v1/orders", data=json.dumps(order_payload()), content_type="application/json",
                        HTTP_AUTHORIZATION="Bearer tdk_nope", HTTP_IDEMPOTENCY_KEY="k-3")
    assert _error(r, 401)["code"] == "unauthenticated"


def test_session_replay_needs_the_same_user(shop, users):
    from django.middleware.csrf import _get_new_csrf_string

    token = _get_new_csrf_string()
    owner = Client(enforce_csrf_checks=True)
    owner.force_login(users["owner"])
    owner.cookies["csrftoken"] = token
    post = {"data": json.dumps(order_payload()), "content_type": "application/json",
            "HTTP_X_CSRFTOKEN": token, "HTTP_IDEMPOTENCY_KEY": "s-1"}
    first = owner.post("/api/v1/orders", **post)
    assert first.status_code == 201, first.content
    again = owner.post("/api/v1/orders", **post)
    assert again.status_code == 201 and again["Idempotent-Replayed"] == "true"
    # Without its CSRF token the same session gets no replay (the view refuses it).
    no_csrf = owner.post("/api/v1/orders", data=post["data"], content_type="application/json",
                         HTTP_IDEMPOTENCY_KEY="s-1")
    assert no_csrf.status_code == 403 and "Idempotent-Replayed" not in no_csrf
    # Logged out: 401, not the stored order.
    owner.logout()
    r = owner.post("/api/v1/orders", **post)
    assert r.status_code in (401, 403) and first.json()["reference"].encode() not in r.content
