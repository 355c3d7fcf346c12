"""Issue 17: the ship action asks for the serial numbers sent. A line of a serial-tracked
variant whose serials were not recorded yet (the serials page / POST …/serials) ships only
with one serial per unit, given in the ship dialog or the API's `serials`; otherwise 422 on
the field and nothing changes. The separate serials page stays for editing."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from tokodesk.catalog.models import Variant
from tokodesk.orders.models import OrderEvent
from tokodesk.orders.tests.factories import make_order, run

pytestmark = pytest.mark.django_db
HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def ready(shop, users):
    """2 × KAOS-M (serial-tracked) and 1 × MADU-500, ready to ship."""
    Variant.objects.filter(sku="KAOS-M").update(serial_tracked=True)
    order = make_order(users["owner"], lines=(("KAOS-M", 2), ("MADU-500", 1)))
    for action in ["confirm", "confirm_payment", "mark_ready"]:
        order = run(order, action, users["owner"])
    return order


def _state(order):
    order.refresh_from_db()
    return order.status, order.awb, order.version, list(order.lines.order_by("id").values_list("serial_numbers",
                                                                                               flat=True))


def test_api_ship_refuses_without_the_right_count_and_records_the_serials(ready, users, api_as):
    wh = api_as("warehouse")
    url = f"/api/v1/orders/{ready.reference}/actions/ship"
    kaos, madu = ready.lines.get(sku="KAOS-M"), ready.lines.get(sku="MADU-500")
    before = _state(ready)
    refusals = [
        ({"awb": "JNE1"}, "serials"),
        ({"awb": "JNE1", "serials": [{"line": kaos.pk, "serial_numbers": ["SN-1"]}]}, "serials.0.serial_numbers"),
        ({"awb": "JNE1", "serials": [{"line": kaos.pk, "serial_numbers": ["SN-1", "SN-1"]}]},
         "serials.0.serial_numbers"),
        ({"awb": "JNE1", "serials": [{"line": kaos.pk, "serial_numbers": ["SN-1", "SN-2", "SN-3"]}]},
         "serials.0.serial_numbers"),
        ({"awb": "JNE1", "serials": [{"line": madu.pk, "serial_numbers": ["X"]}]}, "serials.0.serial_numbers"),
        ({"awb": "JNE1", "serials": [{"line": 10**6, "serial_numbers": ["X"]}]}, "serials.0.line"),
    ]
    for body, field in refusals:
        r = wh.post(url, body)
        assert r.status_code == 422, (body, r.content)
        assert field in r.json()["fields"], (body, r.json())
        assert _state(ready) == before

    r = wh.post(url, {"awb": "JNE1", "serials": [{"sku": "KAOS-M", "serial_numbers": ["SN-1", "SN-2"]}]})
    assert r.status_code == 200, r.content
    assert r.json()["status"] == "awaiting_pickup"
    kaos.refresh_from_db()
    assert kaos.serial_numbers == ["SN-1", "SN-2"]
    event = OrderEvent.objects.get(order=ready, action="ship")
    assert event.data["serial_numbers"] == {"KAOS-M": ["SN-1", "SN-2"]} and event.data["awb"] == "JNE1"

    # A unit cannot leave in two parcels: the same serial on another order is refused.
    other = make_order(users["owner"], lines=(("KAOS-M", 1),))
    for action in ["confirm", "confirm_payment", "mark_ready"]:
        other = run(other, action, users["owner"])
    r = wh.post(f"/api/v1/orders/{other.reference}/actions/ship",
                {"awb": "JNE2", "serials": [{"sku": "KAOS-M", "serial_numbers": ["SN-2"]}]})
    assert r.status_code == 422 and "serials.0.serial_numbers" in r.json()["fields"], r.content


def test_api_ship_needs_no_serials_once_recorded(ready, api_as):
    wh = api_as("warehouse")
    r = wh.post(f"/api/v1/orders/{ready.reference}/serials",
                {"lines": [{"sku": "KAOS-M", "serial_numbers": ["SN-7", "SN-8"]}]})
    assert r.status_code == 200, r.content
    r = wh.post(f"/api/v1/orders/{ready.reference}/actions/ship", {"awb": "JNE9"})
    assert r.status_code == 200 and r.json()["status"] == "awaiting_pickup", r.content
    assert ready.lines.get(sku="KAOS-M").serial_numbers == ["SN-7", "SN-8"]


def _client(user):
    c = Client()
    c.force_login(user)
    c.cookies["django_language"] = "en"
    return c


def test_ship_dialog_asks_for_the_serials_and_keeps_the_refusal_on_the_line(ready, users):
    c = _client(users["warehouse"])
    url = f"/orders/{ready.reference}/actions/ship/"
    kaos = ready.lines.get(sku="KAOS-M")
    dialog = c.get(url, **HTMX).content.decode()
    assert f'name="serials_{kaos.pk}"' in dialog and 'data-serials="KAOS-M"' in dialog
    assert 'data-serials="MADU-500"' not in dialog
    assert "Serial numbers of 2 × KAOS-M" in dialog

    before = _state(ready)
    # Missing: the form says the field is required; one serial for two units: the service's 422.
    r = c.post(url, {"display": "detail", "version": ready.version, "awb": "JNE1", "courier": "jne"}, **HTMX)
    assert re.search(r'has-error">[^<]*Serial numbers of 2 × KAOS-M', r.content.decode())
    assert _state(ready) == before
    r = c.post(url, {"display": "detail", "version": ready.version, "awb": "JNE1", "courier": "jne",
                     f"serials_{kaos.pk}": "SN-1"}, **HTMX)
    page = r.content.decode()
    assert "KAOS-M ships with 2 serial numbers (1 given)." in page and 'data-serials="KAOS-M"' in page
    assert _state(ready) == before
    # Without htmx the refusal is a 422.
    r = c.post(url, {"display": "detail", "version": ready.version, "awb": "JNE1", "courier": "jne",
                     f"serials_{kaos.pk}": "SN-1"})
    assert r.status_code == 422

    r = c.post(url, {"display": "detail", "version": ready.version, "awb": "JNE1", "courier": "jne",
                     f"serials_{kaos.pk}": "SN-1\nSN-2"}, **HTMX)
    assert r.status_code == 200
    status, awb, _v, serials = _state(ready)
    assert (status, awb) == ("awaiting_pickup", "JNE1") and ["SN-1", "SN-2"] in serials
    # The history names them; the serials page still edits them.
    detail = c.get(f"/orders/{ready.reference}/").content.decode()
    assert "KAOS-M: SN-1, SN-2" in detail
    r = c.post(f"/orders/{ready.reference}/serials/", {"version": "",
                                                      f"serials_{kaos.pk}": "SN-1\nSN-3"})
    assert r.status_code == 302
    assert ready.lines.get(sku="KAOS-M").serial_numbers == ["SN-1", "SN-3"]


def test_ship_dialog_without_missing_serials_has_no_serial_field(ready, users, api_as):
    api_as("warehouse").post(f"/api/v1/orders/{ready.reference}/serials",
                             {"lines": [{"sku": "KAOS-M", "serial_numbers": ["SN-7", "SN-8"]}]})
    dialog = _client(users["warehouse"]).get(f"/orders/{ready.reference}/actions/ship/", **HTMX).content.decode()
    assert "data-serials" not in dialog and 'name="awb"' in dialog
