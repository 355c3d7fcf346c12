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
