"""POST /api/v1/orders reads and checks before its write block, then claims the
Idempotency-Key in that block with the writes (issue 16, core.api.write_block). A request
with the same key that commits while this one prepares has passed the middleware's lookup
too: this one's block must fail on the key, write nothing, and answer as the other did."""

from __future__ import annotations

import pytest

from conftest import order_payload
from tokodesk.api.idempotency import IdempotencyRecord
from tokodesk.orders import services
from tokodesk.orders.models import Order, OrderEvent

URL = "/api/v1/orders"
KEY = {"Idempotency-Key": "race-7f3a"}


@pytest.fixture
def race(monkeypatch, api_as):
    """While the next create prepares, another request with its key (and `body`) is made
    and committed: what a concurrent client sees. Returns that request's answers."""
    api = api_as("owner")
    prepare = services.order_prepare
    answers = []

    def arm(body):
        armed = [True]

        def preparing(**kwargs):
            prepared = prepare(**kwargs)
            if armed.pop() if armed else False:  # once: not in the other request itself
                answers.append(api.post(URL, body, headers=KEY))
            return prepared

        monkeypatch.setattr(services, "order_prepare", preparing)

    return arm, answers


@pytest.mark.django_db
def test_a_key_committed_while_preparing_is_replayed(shop, api_as, race):
    arm, others = race
    body = order_payload()
    arm(body)
    mine = api_as("owner").post(URL, body, headers=KEY)
    (other,) = others
    assert other.status_code == 201 and "Idempotent-Replayed" not in other
    assert mine.status_code == 201, mine.content
    assert mine["Idempotent-Replayed"] == "true"
    assert mine.content == other.content  # byte-identical
    assert mine["ETag"] == other["ETag"]
    # One order, one created event, one record: this request's writes were rolled back.
    assert Order.objects.count() == 1
    assert OrderEvent.objects.filter(kind=OrderEvent.Kind.CREATED).count() == 1
    assert IdempotencyRecord.objects.count() == 1


@pytest.mark.django_db
def test_a_key_committed_with_another_body_while_preparing_is_422(shop, api_as, race):
    arm, others = race
    arm(order_payload(lines=[{"sku": "KAOS-M", "qty": 2}]))
    mine = api_as("owner").post(URL, order_payload(), headers=KEY)
    assert others[0].status_code == 201
    assert mine.status_code == 422, mine.content
    assert mine.json()["code"] == "idempotency_key_reused"
    assert Order.objects.count() == 1
    assert Order.objects.get().lines.get().sku == "KAOS-M"


@pytest.mark.django_db
def test_the_stored_answer_is_the_answer(shop, api_as):
    """What the block stores is what it answers, with its ETag and Location-less headers."""
    api = api_as("owner")
    first = api.post(URL, order_payload(tags=["vip"]), headers=KEY)
    assert first.status_code == 201, first.content
    record = IdempotencyRecord.objects.get()
    assert bytes(record.body) == first.content
    assert record.status_code == 201
    assert record.headers == {"ETag": first["ETag"]}
    got = api.get(f"{URL}/{first.json()['reference']}")
    assert got.json() == first.json() and got["ETag"] == first["ETag"]


@pytest.mark.django_db
def test_without_a_key_nothing_is_stored(shop, api_as):
    api = api_as("owner")
    first = api.post(URL, order_payload())
    assert first.status_code == 201, first.content
    assert first["ETag"]
    assert IdempotencyRecord.objects.count() == 0
    assert api.get(f"{URL}/{first.json()['reference']}").json() == first.json()
