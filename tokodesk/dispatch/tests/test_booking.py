"""Booking through a courier adapter (dispatch/booking.py and POST /api/v1/shipping/book):
each order shipped with its own AWB (awaiting pickup) or refused with a code and a message,
and nothing half-written when refused."""

from __future__ import annotations

import re

import pytest
from django.utils import translation

from tokodesk.dispatch import booking
from tokodesk.orders.models import Order, OrderEvent
from tokodesk.orders.tests.factories import make_order, order_in
from tokodesk.shipping.couriers import AdapterError, get_adapter
from tokodesk.shipping.couriers.base import Booking


def test_api_books_ready_orders_and_refuses_the_others_per_order(shop, users, api_as):
    owner = users["owner"]
    a, b = order_in("ready_to_ship", owner), order_in("ready_to_ship", owner, courier="jnt")
    new = make_order(owner)
    r = api_as("warehouse").post(
        "/api/v1/shipping/book",
        {"adapter": "sandbox", "references": [a.reference, new.reference, b.reference, "ORD-NOPE"]},
    )
    assert r.status_code == 200, r.content
    body = r.json()
    assert [row["reference"] for row in body] == [
        a.reference,
        new.reference,
        b.reference,
        "ORD-NOPE",
    ]
    assert [row["ok"] for row in body] == [True, False, True, False]
    assert body[1]["code"] == "not_allowed_in_status" and body[1]["message"]
    assert body[3]["code"] == "not_found"
    a.refresh_from_db()
    b.refresh_from_db()
    assert (a.status, a.awb) == ("awaiting_pickup", body[0]["awb"])
    assert re.fullmatch(r"\d{16}", a.awb)  # JNE's shape
    assert (b.status, b.awb) == ("awaiting_pickup", body[2]["awb"]) and re.fullmatch(
        r"JP\d{10}", b.awb
    )
    assert Order.objects.get(pk=new.pk).status == "new" and Order.objects.get(pk=new.pk).awb == ""
    ship_event = OrderEvent.objects.get(order=a, action="ship")
    assert ship_event.data["awb"] == a.awb and ship_event.source == "api"


def test_courier_refusal_leaves_the_order_as_it_was(shop, users):
    owner = users["owner"]
    order = order_in("ready_to_ship", owner)
    Order.objects.filter(pk=order.pk).update(destination_address="Jl. SANDBOX-REFUSE 1")
    version = Order.objects.get(pk=order.pk).version
    # In the shop's language (an earlier test in this worker may have left another active).
    with translation.override("id"):
        [result] = booking.orders_book(adapter="sandbox", references=[order.reference], actor=owner)
    assert not result.ok and result.code == "courier_refused" and "menolak" in result.message
    order.refresh_from_db()
    assert (order.status, order.awb, order.version) == ("ready_to_ship", "", version)
    assert not OrderEvent.objects.filter(order=order, action="ship").exists()


def test_a_booking_the_order_refuses_is_cancelled_with_the_provider(shop, users, monkeypatch):
    owner = users["owner"]
    taken = order_in("awaiting_pickup", owner)
    order = order_in("ready_to_ship", owner)
    cancelled = []
    adapter = get_adapter("sandbox")
    monkeypatch.setattr(
        type(adapter), "book", lambda self, parcel: Booking(awb=taken.awb, courier="jne")
    )
    monkeypatch.setattr(type(adapter), "cancel", lambda self, b: cancelled.append(b.awb))
    [result] = booking.orders_book(adapter="sandbox", references=[order.reference], actor=owner)
    assert not result.ok and result.code == "awb_in_use" and taken.awb in result.message
    assert cancelled == [taken.awb]
    order.refresh_from_db()
    assert (order.status, order.awb) == ("ready_to_ship", "")


def test_order_without_courier_is_refused_before_booking(shop, users, monkeypatch):
    owner = users["owner"]
    order = order_in("ready_to_ship", owner, courier=None)
    calls = []
    adapter = get_adapter("sandbox")
    monkeypatch.setattr(type(adapter), "book", lambda self, parcel: calls.append(parcel))
    [result] = booking.orders_book(adapter="sandbox", references=[order.reference], actor=owner)
    assert (result.ok, result.code, calls) == (False, "courier_required", [])


def test_manual_adapter_cannot_book_and_unknown_adapter_is_422(shop, users, api_as):
    order = order_in("ready_to_ship", users["owner"])
    for adapter in ("manual", "nope"):
        r = api_as("owner").post(
            "/api/v1/shipping/book", {"adapter": adapter, "references": [order.reference]}
        )
        assert r.status_code == 422 and "adapter" in r.json()["fields"]
    assert Order.objects.get(pk=order.pk).status == "ready_to_ship"


def test_book_needs_the_ship_permission(shop, users, api_as):
    order = order_in("ready_to_ship", users["owner"])
    r = api_as("finance").post(
        "/api/v1/shipping/book", {"adapter": "sandbox", "references": [order.reference]}
    )
    assert r.status_code == 403
    assert Order.objects.get(pk=order.pk).status == "ready_to_ship"


def test_typed_awbs_ship_and_refuse_used_or_missing_ones(shop, users, api_as):
    owner = users["owner"]
    a, b, c = (order_in("ready_to_ship", owner) for _ in range(3))
    taken = order_in("awaiting_pickup", owner)
    r = api_as("warehouse").post(
        "/api/v1/shipping/ship",
        {
            "rows": [
                {"reference": a.reference, "awb": "JP1234567890", "courier": "jnt"},
                {"reference": b.reference, "awb": taken.awb},
            ]
        },
    )
    assert r.status_code == 200, r.content
    body = r.json()
    assert [row["ok"] for row in body] == [True, False]
    assert body[1]["code"] == "awb_in_use" and taken.awb in body[1]["message"]
    blank = api_as("warehouse").post(
        "/api/v1/shipping/ship", {"rows": [{"reference": c.reference, "awb": " "}]}
    )
    assert blank.status_code == 422 and "rows.0.awb" in blank.json()["fields"]
    [result] = booking.orders_ship_typed(rows=[(c.reference, " ", "")], actor=owner)
    assert (result.ok, result.code) == (False, "awb_required")
    a.refresh_from_db()
    assert (a.status, a.awb, a.courier.code) == ("awaiting_pickup", "JP1234567890", "jnt")
    assert Order.objects.get(pk=b.pk).status == "ready_to_ship"


def test_sandbox_awbs_are_unique_and_shaped_per_courier():
    sandbox = get_adapter("sandbox")
    from tokodesk.shipping.couriers.base import Parcel

    def parcel(courier):
        return Parcel(
            reference="ORD-1",
            courier=courier,
            service="REG",
            weight_grams=500,
            cod_amount=0,
            currency="IDR",
            sender_name="Toko",
            sender_phone="",
            sender_address="",
            recipient_name="Siti",
            recipient_phone="0812",
            recipient_address="Jl. Melati 5",
        )

    awbs = [sandbox.book(parcel("sicepat")).awb for _ in range(300)]
    assert len(set(awbs)) == 300 and all(re.fullmatch(r"00\d{10}", awb) for awb in awbs)
    assert re.fullmatch(r"1000\d{10}", sandbox.book(parcel("anteraja")).awb)
    with pytest.raises(AdapterError):
        get_adapter("manual").book(parcel("jne"))
    typed = Parcel(**{**parcel("jne").__dict__, "awb": " CGK0001 "})
    assert get_adapter("manual").book(typed).awb == "CGK0001"
