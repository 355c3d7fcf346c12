"""Issue 17: shipping many orders at once gives no serial numbers, so an order whose
serial-tracked lines have none recorded is refused (by design). The refusal says where to
record them and links the order's Serial numbers page: the order list's bulk ship, courier
booking (refused before the courier is booked), the AWB table, the AWB import's preview and
apply, and the dispatch API's message. Once recorded, the same order ships."""

from __future__ import annotations

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from tokodesk.catalog.models import Variant
from tokodesk.orders.models import Order
from tokodesk.orders.tests.factories import make_order, order_in, run

pytestmark = pytest.mark.django_db
HTMX = {"HTTP_HX_REQUEST": "true"}
HINT = "Record its serial numbers first, on the order's “Serial numbers” page."


@pytest.fixture
def orders(shop, users):
    """A ready order with 2 × KAOS-M (serial-tracked, no serials recorded), and a plain one."""
    Variant.objects.filter(sku="KAOS-M").update(serial_tracked=True)
    tracked = make_order(users["owner"], lines=(("KAOS-M", 2), ("MADU-500", 1)))
    for action in ["confirm", "confirm_payment", "mark_ready"]:
        tracked = run(tracked, action, users["owner"])
    plain = order_in("ready_to_ship", users["owner"])
    return tracked, plain


def client_for(user) -> Client:
    c = Client()
    c.force_login(user)
    c.cookies["django_language"] = "en"
    return c


def _link(html: str, reference: str) -> bool:
    return bool(
        re.search(
            rf'<a href="/orders/{reference}/serials/" data-serials-link>Serial numbers</a>', html
        )
    )


def status_of(order) -> str:
    return Order.objects.get(pk=order.pk).status


def _hint(html: str) -> bool:
    return HINT.replace("'", "&#x27;") in html


def test_bulk_ship_refusal_points_to_the_serials_page(orders, users):
    tracked, plain = orders
    c = client_for(users["warehouse"])
    post = {"operation": "ship", "step": "run", "refs": [tracked.reference, plain.reference]}
    for order, awb in ((tracked, "JNE0001"), (plain, "JNE0002")):
        post |= {f"awb_{order.reference}": awb, f"courier_{order.reference}": "jne"}
    html = c.post("/orders/bulk/", post, **HTMX).content.decode()
    assert 'data-changed="1"' in html and 'data-refused="1"' in html
    assert "KAOS-M ships with 2 serial numbers (0 given)." in html and _hint(html)
    assert _link(html, tracked.reference) and not _link(html, plain.reference)
    assert (status_of(tracked), status_of(plain)) == ("ready_to_ship", "awaiting_pickup")

    # The serials page the link names records them; the same bulk ship then ships it.
    kaos = tracked.lines.get(sku="KAOS-M")
    r = c.post(
        f"/orders/{tracked.reference}/serials/", {"version": "", f"serials_{kaos.pk}": "SN-1\nSN-2"}
    )
    assert r.status_code == 302
    post["refs"] = [tracked.reference]
    html = c.post("/orders/bulk/", post, **HTMX).content.decode()
    assert (
        'data-changed="1"' in html
        and "data-refused" not in html
        and status_of(tracked) == "awaiting_pickup"
    )


def test_booking_refuses_before_booking_and_points_to_the_serials_page(orders, users, monkeypatch):
    from tokodesk.shipping.couriers import sandbox

    tracked, plain = orders
    booked = []
    original = sandbox.SandboxAdapter.book

    def book(self, parcel):
        booked.append(parcel)
        return original(self, parcel)

    monkeypatch.setattr(sandbox.SandboxAdapter, "book", book)
    html = (
        client_for(users["warehouse"])
        .post(
            "/shipping/dispatch/book/",
            {"adapter": "sandbox", "refs": [tracked.reference, plain.reference]},
        )
        .content.decode()
    )
    assert 'data-shipped="1"' in html and 'data-refused="1"' in html
    assert _hint(html) and _link(html, tracked.reference) and not _link(html, plain.reference)
    assert len(booked) == 1  # no pickup booked (and cancelled) for the refused order
    assert (status_of(tracked), status_of(plain)) == ("ready_to_ship", "awaiting_pickup")


def test_awb_table_and_dispatch_api_say_where_to_record_them(orders, users, api_as):
    tracked, plain = orders
    html = (
        client_for(users["warehouse"])
        .post(
            "/shipping/dispatch/awb/",
            {
                "refs": [tracked.reference],
                f"awb_{tracked.reference}": "JNE0009",
                f"courier_{tracked.reference}": "jne",
            },
        )
        .content.decode()
    )
    assert 'data-refused="1"' in html and _hint(html) and _link(html, tracked.reference)

    from tokodesk.dispatch.booking import orders_ship_typed

    result = orders_ship_typed(
        rows=[(tracked.reference, "JNE0010", "jne")], actor=users["warehouse"]
    )[0]
    assert not result.ok and result.serials_url == f"/orders/{tracked.reference}/serials/"
    assert result.message.endswith(HINT)
    assert status_of(tracked) == "ready_to_ship"


def test_awb_import_preview_refuses_the_row_with_the_link(orders, users):
    tracked, plain = orders
    csv = f"reference,courier,awb\n{tracked.reference},jne,AWB-1\n{plain.reference},jne,AWB-2\n"
    c = client_for(users["warehouse"])
    r = c.post(
        "/shipping/dispatch/csv/", {"file": SimpleUploadedFile("awb.csv", csv.encode(), "text/csv")}
    )
    html = r.content.decode()
    assert r.status_code == 422 and 'data-csv-refused="1"' in html
    assert _hint(html) and _link(html, tracked.reference) and not _link(html, plain.reference)
    r = c.post("/shipping/dispatch/csv/", {"step": "apply", "text": csv})
    assert r.status_code == 422 and (status_of(tracked), status_of(plain)) == (
        "ready_to_ship",
        "ready_to_ship",
    )
