"""Retries and stale copies on returns, as on orders (SPEC 7): Idempotency-Key on POSTs,
If-Match / `version` on PATCH and actions (412 / 409), an ETag on every answer."""

import pytest

from tokodesk.returns.ledger import StoreCreditEntry
from tokodesk.returns.models import Refund, Return, ReturnEvent
from tokodesk.returns.tests.factories import BANK, paid_order

URL = "/api/v1/returns"


@pytest.fixture
def api(api_as):
    return api_as("owner")


@pytest.fixture
def order(shop, users):
    return paid_order(users["owner"])


def body(order, **overrides):
    return {"order": order.reference, "reason": "Ukuran kekecilan", "resolution": "store_credit",
            "lines": [{"sku": "KAOS-M", "qty": 1}], **overrides}


def state(ref):
    ret = Return.objects.get(reference=ref)
    return ret.status, ret.version, ReturnEvent.objects.filter(return_order=ret).count(), ret.target_date


def test_same_key_same_body_replays_the_create(order, api):
    key = {"Idempotency-Key": "rma-form-1"}
    first = api.post(URL, body(order), headers=key)
    assert first.status_code == 201, first.content
    second = api.post(URL, body(order), headers=key)
    assert (second.status_code, second["Idempotent-Replayed"], second.content) == (201, "true", first.content)
    assert second["ETag"] == first["ETag"] == '"1"'
    assert Return.objects.count() == 1
    other = api.post(URL, body(order), headers={"Idempotency-Key": "rma-form-2"})
    assert other.status_code == 201 and other.json()["reference"] != first.json()["reference"]
    reused = api.post(URL, body(order, resolution="refund"), headers=key)
    assert reused.status_code == 422 and reused.json()["code"] == "idempotency_key_reused"
    assert Return.objects.count() == 2


def test_a_failed_create_does_not_burn_the_key(order, api):
    key = {"Idempotency-Key": "rma-form-3"}
    bad = api.post(URL, body(order, lines=[{"sku": "KAOS-M", "qty": 9}]), headers=key)
    assert bad.status_code == 409
    good = api.post(URL, body(order), headers=key)
    assert good.status_code == 201 and Return.objects.count() == 1


def test_a_retried_complete_gives_one_refund(order, api):
    ref = api.post(URL, body(order, resolution="refund")).json()["reference"]
    api.post(f"{URL}/{ref}/actions/approve")
    api.post(f"{URL}/{ref}/actions/receive", {"lines": [{"sku": "KAOS-M", "qty": 1}]})
    key = {"Idempotency-Key": "complete-1"}
    done = {"lines": [{"sku": "KAOS-M", "decision": "accept"}], **BANK}
    first = api.post(f"{URL}/{ref}/actions/complete", done, headers=key)
    second = api.post(f"{URL}/{ref}/actions/complete", done, headers=key)
    assert first.status_code == second.status_code == 200
    assert second["Idempotent-Replayed"] == "true"
    assert Refund.objects.count() == 1


def test_a_retried_goodwill_gives_one_credit(order, api):
    key = {"Idempotency-Key": "gw-1"}
    payload = {"order": order.reference, "amount": 5000, "method": "store_credit"}
    assert api.post("/api/v1/refunds", payload, headers=key).status_code == 201
    assert api.post("/api/v1/refunds", payload, headers=key).status_code == 201
    assert StoreCreditEntry.objects.count() == 1


@pytest.fixture
def ref(order, api):
    r = api.post(URL, body(order))
    assert r["ETag"] == '"1"'
    return r.json()["reference"]


def test_if_match_stale_is_412(ref, api):
    before = state(ref)
    r = api.post(f"{URL}/{ref}/actions/approve", {}, headers={"If-Match": '"7"'})
    assert r.status_code == 412 and r.json()["code"] == "stale_version"
    r = api.patch(f"{URL}/{ref}", {"target_date": "2030-01-01"}, headers={"If-Match": 'W/"7"'})
    assert r.status_code == 412
    assert state(ref) == before
    r = api.post(f"{URL}/{ref}/actions/approve", {}, headers={"If-Match": '"1"'})
    assert r.status_code == 200 and r["ETag"] == '"2"'
    r = api.patch(f"{URL}/{ref}", {"target_date": "2030-01-01"}, headers={"If-Match": '"2"'})
    assert r.status_code == 200 and r["ETag"] == '"3"'


def test_version_field_stale_is_409(ref, api):
    before = state(ref)
    r = api.post(f"{URL}/{ref}/actions/approve", {"version": 5})
    assert r.status_code == 409 and r.json()["code"] == "stale_version"
    r = api.patch(f"{URL}/{ref}", {"version": 5, "target_date": "2030-01-01"})
    assert r.status_code == 409 and r.json()["code"] == "stale_version"
    assert state(ref) == before
    assert api.post(f"{URL}/{ref}/actions/approve", {"version": 1}).status_code == 200


def test_two_clients_with_the_same_copy(ref, api_as):
    """The second of two clients acting on version 1 is told to reload, not applied twice."""
    a, b = api_as("owner"), api_as("admin")
    assert a.post(f"{URL}/{ref}/actions/approve", {"version": 1}).status_code == 200
    r = b.post(f"{URL}/{ref}/actions/cancel", {"version": 1})
    assert r.status_code == 409 and r.json()["code"] == "stale_version"
    assert Return.objects.get(reference=ref).status == "awaiting_item"


def test_bad_if_match(ref, api):
    r = api.post(f"{URL}/{ref}/actions/approve", {}, headers={"If-Match": "abc"})
    assert r.status_code == 422 and "If-Match" in r.json()["fields"]
    assert api.post(f"{URL}/{ref}/actions/approve", {}, headers={"If-Match": "*"}).status_code == 200
