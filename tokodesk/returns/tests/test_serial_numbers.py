"""Issue 17 (InvenTree's serial-tracked stock): a serial-tracked variant's serials are recorded
when the order ships (API), a return line picks among them, receiving checks them; a serial
not sold on the order is refused with a 422 on the line's field and nothing written."""

from __future__ import annotations

import pytest

from tokodesk.catalog.models import Variant
from tokodesk.orders.models import OrderEvent
from tokodesk.orders.tests.factories import make_order, run

URL = "/api/v1/returns"
SOLD = ["SN-001", "SN-002"]


@pytest.fixture
def shipped(shop, users, api_as):
    """KAOS-M serial-tracked; 2 sold with their serials recorded at ship time, delivered."""
    owner = users["owner"]
    Variant.objects.filter(sku="KAOS-M").update(serial_tracked=True)
    order = make_order(owner, method="bank_transfer", lines=(("KAOS-M", 2), ("MADU-500", 1)))
    for action in ["confirm", "confirm_payment", "mark_ready"]:
        order = run(order, action, owner)
    wh = api_as("warehouse")
    kaos = order.lines.get(sku="KAOS-M")
    r = wh.post(f"/api/v1/orders/{order.reference}/serials",
                {"lines": [{"line": kaos.pk, "serial_numbers": SOLD}]})
    assert r.status_code == 200, r.content
    assert [li["serial_numbers"] for li in r.json()["lines"] if li["sku"] == "KAOS-M"] == [SOLD]
    event = OrderEvent.objects.filter(order=order, kind="edited").latest("id")
    assert event.data["changes"]["serial_numbers"] == {"KAOS-M": [[], SOLD]}
    order.refresh_from_db()
    for action in ["ship", "picked_up", "delivered"]:
        order = run(order, action, owner)
    return order


def test_serials_sent_are_returned_and_checked_at_receipt(shipped, api_as, snapshot):
    api = api_as("owner")
    body = {"order": shipped.reference, "reason": "Ukuran kekecilan", "resolution": "refund",
            "lines": [{"sku": "KAOS-M", "qty": 1, "serial_numbers": ["SN-999"]}]}
    before = snapshot()
    r = api.post(URL, body)
    assert r.status_code == 422 and "lines.0.serial_numbers" in r.json()["fields"], r.content
    assert "SN-999" in r.json()["fields"]["lines.0.serial_numbers"]
    assert snapshot() == before

    body["lines"][0]["serial_numbers"] = ["SN-002"]
    r = api.post(URL, body)
    assert r.status_code == 201, r.content
    ref = r.json()["reference"]
    assert r.json()["lines"][0]["serial_numbers"] == ["SN-002"]
    # The same unit cannot be in a second return.
    r = api.post(URL, body)
    assert r.status_code == 422 and "Sudah ada di retur lain" in r.json()["fields"]["lines.0.serial_numbers"]

    assert api.post(f"{URL}/{ref}/actions/approve", {}).status_code == 200
    before = snapshot()
    r = api.post(f"{URL}/{ref}/actions/receive", {"warehouse": "jkt", "lines": [
        {"sku": "KAOS-M", "qty": 1, "serial_numbers": ["SN-001"]}]})
    assert r.status_code == 422 and "lines.0.serial_numbers" in r.json()["fields"], r.content
    assert snapshot() == before
    r = api.post(f"{URL}/{ref}/actions/receive", {"warehouse": "jkt", "lines": [
        {"sku": "KAOS-M", "qty": 1, "serial_numbers": ["SN-002"]}]})
    assert r.status_code == 200 and r.json()["status"] == "item_received"


def test_recording_serials_is_checked(shop, users, api_as, snapshot):
    owner = users["owner"]
    Variant.objects.filter(sku="KAOS-M").update(serial_tracked=True)
    order = make_order(owner, method="bank_transfer", lines=(("KAOS-M", 1), ("MADU-500", 1)))
    wh = api_as("warehouse")
    url = f"/api/v1/orders/{order.reference}/serials"
    # Not yet packed: refused.
    r = wh.post(url, {"lines": [{"sku": "KAOS-M", "serial_numbers": ["A"]}]})
    assert r.status_code == 409
    for action in ["confirm", "confirm_payment", "mark_ready"]:
        order = run(order, action, owner)
    before = snapshot()
    for lines, field in (
        ([{"sku": "KAOS-M", "serial_numbers": ["A", "B"]}], "lines.0.serial_numbers"),  # more than shipped
        ([{"sku": "MADU-500", "serial_numbers": ["A"]}], "lines.0.serial_numbers"),  # not serial-tracked
        ([{"sku": "NOPE", "serial_numbers": ["A"]}], "lines.0.sku"),
    ):
        r = wh.post(url, {"lines": lines})
        assert r.status_code == 422 and field in r.json()["fields"], r.content
    assert snapshot() == before
    # An agent may not record them (shipping is the warehouse's).
    assert api_as("agent").post(url, {"lines": [{"sku": "KAOS-M", "serial_numbers": ["A"]}]}).status_code in (403, 404)


def test_warehouse_records_serials_from_the_order_page(shop, users, snapshot):
    from django.test import Client

    owner = users["owner"]
    Variant.objects.filter(sku="KAOS-M").update(serial_tracked=True)
    order = make_order(owner, method="bank_transfer", lines=(("KAOS-M", 2), ("MADU-500", 1)))
    for action in ["confirm", "confirm_payment", "mark_ready"]:
        order = run(order, action, owner)
    c = Client()
    c.force_login(users["warehouse"])
    c.cookies["django_language"] = "en"
    page = c.get(f"/orders/{order.reference}/").content.decode()
    assert f'href="/orders/{order.reference}/serials/"' in page
    form = c.get(f"/orders/{order.reference}/serials/").content.decode()
    kaos = order.lines.get(sku="KAOS-M")
    assert f'name="serials_{kaos.pk}"' in form and "MADU-500" not in form  # only serial-tracked lines
    before = snapshot()
    r = c.post(f"/orders/{order.reference}/serials/", {"version": order.version,
                                                       f"serials_{kaos.pk}": "A1\nA2\nA3"})
    assert r.status_code == 422 and "3 serial numbers for 2 items" in r.content.decode()
    assert snapshot() == before
    r = c.post(f"/orders/{order.reference}/serials/", {"version": order.version, f"serials_{kaos.pk}": "A1\nA2"})
    assert r.status_code == 302
    kaos.refresh_from_db()
    assert kaos.serial_numbers == ["A1", "A2"]
    assert "S/N: A1, A2" in c.get(f"/orders/{order.reference}/").content.decode()
    # A stale form (the version moved) is refused.
    r = c.post(f"/orders/{order.reference}/serials/", {"version": order.version, f"serials_{kaos.pk}": "B1"})
    assert r.status_code == 422 and "changed" in r.content.decode()


def test_return_forms_show_the_serials_shipped(shipped, users):
    from django.test import Client

    c = Client()
    c.force_login(users["owner"])
    c.cookies["django_language"] = "en"
    form = c.get(f"/returns/new/?order={shipped.reference}").content.decode()
    assert "data-sold-serials" in form and "SN-001, SN-002" in form
    kaos = shipped.lines.get(sku="KAOS-M")
    r = c.post("/returns/new/", {"order": shipped.reference, "reason": "size_too_small", "resolution": "refund",
                                 f"qty_{kaos.pk}": 1, f"serials_{kaos.pk}": "SN-404"})
    assert r.status_code == 422 and "Not sold on this order: SN-404" in r.content.decode()
