"""Retries and stale copies: Idempotency-Key on POSTs, If-Match / `version` on PATCH and
actions (SPEC 7)."""

import json

import pytest

from conftest import order_payload
from tokodesk.catalog.models import Stock
from tokodesk.orders.models import Order, OrderEvent, Payment

URL = "/api/v1/orders"


def state(ref):
    order = Order.objects.get(reference=ref)
    return {
        "status": order.status, "version": order.version, "recipient_name": order.recipient_name,
        "assigned_agent": order.assigned_agent_id, "paid_total": order.paid_total,
        "events": OrderEvent.objects.filter(order=order).count(),
        "payments": Payment.objects.filter(order=order).count(),
        "stock": sorted(Stock.objects.values_list("variant_id", "on_hand", "reserved")),
    }


@pytest.fixture
def owner_api(api_as):
    return api_as("owner")


@pytest.fixture
def order(shop, owner_api):
    """A confirmed bank-transfer order at version 2."""
    ref = owner_api.post(URL, order_payload()).json()["reference"]
    assert owner_api.post(f"{URL}/{ref}/actions/confirm").json()["version"] == 2
    return ref


# --- Idempotency-Key ----------------------------------------------------------------------


def test_same_key_same_body_replays_the_answer(shop, owner_api):
    key = {"Idempotency-Key": "lp-form-7f3a"}
    first = owner_api.post(URL, order_payload(), headers=key)
    assert first.status_code == 201, first.content
    assert "Idempotent-Replayed" not in first
    second = owner_api.post(URL, order_payload(), headers=key)
    assert second.status_code == 201
    assert second["Idempotent-Replayed"] == "true"
    assert second.json() == first.json()
    assert second.content == first.content
    assert Order.objects.count() == 1
    assert Stock.objects.get(variant__sku="MADU-500").reserved == 0
    # A third time still replays, and another key makes another order.
    assert owner_api.post(URL, order_payload(), headers=key).json() == first.json()
    other = owner_api.post(URL, order_payload(), headers={"Idempotency-Key": "lp-form-8000"})
    assert other.status_code == 201 and other.json()["reference"] != first.json()["reference"]
    assert Order.objects.count() == 2


def test_no_key_means_no_replay(shop, owner_api):
    a = owner_api.post(URL, order_payload())
    b = owner_api.post(URL, order_payload())
    assert a.json()["reference"] != b.json()["reference"]
    assert Order.objects.count() == 2


def test_same_key_other_body_is_422(shop, owner_api):
    key = {"Idempotency-Key": "k-1"}
    first = owner_api.post(URL, order_payload(), headers=key)
    assert first.status_code == 201
    r = owner_api.post(URL, order_payload(shipping_cost=20000), headers=key)
    assert r.status_code == 422, r.content
    body = r.json()
    assert body["code"] == "idempotency_key_reused" and body["message"] and "Idempotency-Key" in body["fields"]
    assert "Idempotent-Replayed" not in r
    assert Order.objects.count() == 1
    # The same key on another endpoint is another request too.
    r = owner_api.post(f"{URL}/{first.json()['reference']}/notes", {"body": "x"}, headers=key)
    assert r.status_code == 422 and r.json()["code"] == "idempotency_key_reused"


def test_failed_request_does_not_burn_the_key(shop, owner_api):
    """Failed requests are rolled back with their idempotency record, so the client may
    correct the body and retry with the same key."""
    key = {"Idempotency-Key": "k-retry"}
    bad = owner_api.post(URL, order_payload(lines=[{"sku": "NOPE", "qty": 1}]), headers=key)
    assert bad.status_code == 422 and bad.json()["code"] == "invalid_input"
    again = owner_api.post(URL, order_payload(lines=[{"sku": "NOPE", "qty": 1}]), headers=key)
    assert again.status_code == 422 and "Idempotent-Replayed" not in again
    assert Order.objects.count() == 0
    good = owner_api.post(URL, order_payload(), headers=key)
    assert good.status_code == 201, good.content
    assert "Idempotent-Replayed" not in good
    assert Order.objects.count() == 1
    replay = owner_api.post(URL, order_payload(), headers=key)
    assert replay["Idempotent-Replayed"] == "true" and replay.json() == good.json()


def test_refused_action_does_not_burn_the_key(order, owner_api):
    key = {"Idempotency-Key": "pay-1"}
    r = owner_api.post(f"{URL}/{order}/actions/confirm_payment", {"amount": 10**9}, headers=key)
    assert r.status_code == 409 and r.json()["code"] == "overpayment"
    r = owner_api.post(f"{URL}/{order}/actions/confirm_payment", {"amount": 168000}, headers=key)
    assert r.status_code == 200 and r.json()["status"] == "paid"


def test_keys_are_scoped_per_token(shop, api_as):
    key = {"Idempotency-Key": "shared-key"}
    a = api_as("owner").post(URL, order_payload(), headers=key)
    b = api_as("admin").post(URL, order_payload(), headers=key)
    assert a.status_code == b.status_code == 201
    assert "Idempotent-Replayed" not in b
    assert a.json()["reference"] != b.json()["reference"]
    assert Order.objects.count() == 2
    # And each still replays its own.
    again = api_as("admin").post(URL, order_payload(), headers=key)
    assert again["Idempotent-Replayed"] == "true" and again.json()["reference"] == b.json()["reference"]


def test_action_retry_records_one_payment(order, owner_api):
    key = {"Idempotency-Key": "pay-retry"}
    path = f"{URL}/{order}/actions/confirm_payment"
    first = owner_api.post(path, {"amount": 100000}, headers=key)
    assert first.status_code == 200 and first.json()["status"] == "partially_paid"
    second = owner_api.post(path, {"amount": 100000}, headers=key)
    assert second.status_code == 200 and second["Idempotent-Replayed"] == "true"
    assert second.json() == first.json()
    assert Payment.objects.count() == 1
    assert Order.objects.get(reference=order).paid_total == 100000


def test_replay_answers_the_stored_body(shop, owner_api):
    """A replay answers the stored body; the order may have moved on since."""
    key = {"Idempotency-Key": "k-moved"}
    first = owner_api.post(URL, order_payload(), headers=key).json()
    owner_api.post(f"{URL}/{first['reference']}/actions/confirm")
    replay = owner_api.post(URL, order_payload(), headers=key)
    assert replay.json()["status"] == "new" and replay.json()["version"] == 1
    assert Order.objects.count() == 1


def test_key_too_long_is_400(shop, owner_api):
    r = owner_api.post(URL, order_payload(), headers={"Idempotency-Key": "k" * 201})
    assert r.status_code == 400 and r.json()["code"] == "invalid_input"
    assert Order.objects.count() == 0


def test_key_on_malformed_body_is_a_clean_4xx(shop, owner_api):
    key = {"Idempotency-Key": "k-bad-json"}
    r = owner_api.post(URL, raw="{oops", headers=key)
    assert r.status_code == 400 and set(r.json()) == {"code", "message", "fields"}
    r = owner_api.post(URL, order_payload(), headers=key)
    assert r.status_code == 201


# --- stale versions -----------------------------------------------------------------------


def test_action_with_stale_version_in_body_is_409(order, owner_api):
    before = state(order)
    r = owner_api.post(f"{URL}/{order}/actions/confirm_payment", {"amount": 168000, "version": 1})
    assert r.status_code == 409, r.content
    assert r.json()["code"] == "stale_version" and r.json()["message"]
    assert state(order) == before
    r = owner_api.post(f"{URL}/{order}/actions/cancel", {"reason": "x", "version": 3})  # from the future
    assert r.status_code == 409 and r.json()["code"] == "stale_version"
    assert state(order) == before
    r = owner_api.post(f"{URL}/{order}/actions/confirm_payment", {"amount": 168000, "version": 2})
    assert r.status_code == 200 and r.json()["version"] == 3


def test_action_with_stale_if_match_is_412(order, owner_api):
    before = state(order)
    path = f"{URL}/{order}/actions/confirm_payment"
    r = owner_api.post(path, {"amount": 168000}, headers={"If-Match": '"1"'})
    assert r.status_code == 412, r.content
    assert r.json()["code"] == "stale_version"
    assert state(order) == before
    r = owner_api.post(path, {"amount": 168000}, headers={"If-Match": 'W/"1"'})
    assert r.status_code == 412
    assert state(order) == before
    r = owner_api.post(path, {"amount": 168000}, headers={"If-Match": '"2"'})
    assert r.status_code == 200, r.content
    assert r.json()["version"] == 3 and r["ETag"] == '"3"'


def test_if_match_wins_over_body_version(order, owner_api):
    path = f"{URL}/{order}/actions/unconfirm"
    r = owner_api.post(path, {"version": 2}, headers={"If-Match": '"1"'})
    assert r.status_code == 412
    r = owner_api.post(path, {"version": 1}, headers={"If-Match": '"2"'})
    assert r.status_code == 200 and r.json()["status"] == "new"


def test_if_match_star_and_weak_current(order, owner_api):
    r = owner_api.post(f"{URL}/{order}/actions/unconfirm", headers={"If-Match": "*"})
    assert r.status_code == 200
    r = owner_api.post(f"{URL}/{order}/actions/confirm", headers={"If-Match": 'W/"3"'})
    assert r.status_code == 200 and r.json()["version"] == 4


def test_etag_round_trip(order, owner_api):
    """GET gives the ETag, the write sends it back as If-Match, a second writer with the
    same copy is refused."""
    etag = owner_api.get(f"{URL}/{order}")["ETag"]
    ok = owner_api.patch(f"{URL}/{order}", {"recipient_name": "Dewi"}, headers={"If-Match": etag})
    assert ok.status_code == 200 and ok["ETag"] == '"3"'
    late = owner_api.patch(f"{URL}/{order}", {"recipient_name": "Rina"}, headers={"If-Match": etag})
    assert late.status_code == 412 and late.json()["code"] == "stale_version"
    assert Order.objects.get(reference=order).recipient_name == "Dewi"


def test_patch_with_stale_version(order, owner_api):
    before = state(order)
    r = owner_api.patch(f"{URL}/{order}", {"recipient_name": "Baru", "version": 1})
    assert r.status_code == 409 and r.json()["code"] == "stale_version"
    assert state(order) == before
    r = owner_api.patch(f"{URL}/{order}", {"lines": [{"sku": "MADU-500", "qty": 9}]}, headers={"If-Match": '"1"'})
    assert r.status_code == 412 and r.json()["code"] == "stale_version"
    assert state(order) == before
    r = owner_api.patch(f"{URL}/{order}", {"recipient_name": "Baru", "version": 2})
    assert r.status_code == 200 and r.json()["version"] == 3
    r = owner_api.patch(f"{URL}/{order}", {"recipient_name": "Baru Lagi"}, headers={"If-Match": '"3"'})
    assert r.status_code == 200 and r.json()["version"] == 4


def test_assign_with_stale_version(order, api_as):
    owner = api_as("owner")
    before = state(order)
    r = owner.post(f"{URL}/{order}/assign", {"agent": "agent", "version": 1})
    assert r.status_code == 409 and r.json()["code"] == "stale_version"
    r = owner.post(f"{URL}/{order}/assign", {"agent": "agent"}, headers={"If-Match": '"1"'})
    assert r.status_code == 412
    assert state(order) == before
    r = owner.post(f"{URL}/{order}/assign", {"agent": "agent"}, headers={"If-Match": '"2"'})
    assert r.status_code == 200 and r.json()["assigned_agent"] == "agent"


def test_two_clients_with_one_copy(order, api_as):
    """Two users load version 2; the first write wins, the second is told to reload."""
    owner, finance = api_as("owner"), api_as("finance")
    v = owner.get(f"{URL}/{order}").json()["version"]
    assert finance.get(f"{URL}/{order}").json()["version"] == v
    r = owner.post(f"{URL}/{order}/actions/cancel", {"reason": "stok habis", "version": v})
    assert r.status_code == 200
    before = state(order)
    r = finance.post(f"{URL}/{order}/actions/confirm_payment", {"amount": 168000, "version": v})
    assert r.status_code == 409 and r.json()["code"] == "stale_version"
    assert state(order) == before
    assert Payment.objects.count() == 0


def test_stale_idempotent_retry_is_not_stored(order, owner_api):
    """A stale write (409) is not remembered under its key: after reloading, the client
    may send the corrected request with the same key."""
    key = {"Idempotency-Key": "edit-1"}
    r = owner_api.patch(f"{URL}/{order}", {"recipient_name": "A", "version": 1}, headers=key)
    assert r.status_code == 409  # PATCH does not take keys: answered normally
    path = f"{URL}/{order}/actions/unconfirm"
    r = owner_api.post(path, {"version": 1}, headers=key)
    assert r.status_code == 409
    r = owner_api.post(path, {"version": 2}, headers=key)
    assert r.status_code == 200 and "Idempotent-Replayed" not in r
    assert json.loads(r.content)["status"] == "new"


def test_a_replayed_answer_keeps_the_etag(shop, api_as):
    from conftest import order_payload

    client = api_as("owner")
    first = client.post("/api/v1/orders", order_payload(), headers={"Idempotency-Key": "etag-1"})
    again = client.post("/api/v1/orders", order_payload(), headers={"Idempotency-Key": "etag-1"})
    assert first.status_code == again.status_code == 201
    assert first["ETag"] == again["ETag"] == '"1"'
    assert again["Idempotent-Replayed"] == "true"
