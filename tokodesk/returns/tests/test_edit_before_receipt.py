"""Issue 17 (InvenTree's editable return): before its goods are received a return's items,
quantities, reason and extra lines change from its page (or the API's PATCH) by a user with
`returns.change_return`; each change is on the timeline (what, who); after receipt it is
refused with a message; a concurrent edit is refused by the version."""

from __future__ import annotations

from tokodesk.returns.models import Return, ReturnEvent
from tokodesk.returns.tests.factories import act, return_in
from tokodesk.returns.tests.test_pages_actions import client_for

URL = "/api/v1/returns"


def items_url(ret):
    return f"/returns/{ret.reference}/items/"


def form_data(ret, **over):
    lines = {li.order_line_id: li for li in ret.lines.all()}
    data = {"version": ret.version, "reason": ret.reason.code, "reason_text": ret.reason_text}
    for ol in ret.order.lines.all():
        data[f"qty_{ol.pk}"] = lines[ol.pk].qty if ol.pk in lines else 0
        data[f"serials_{ol.pk}"] = ""
    data.update(over)
    return data


def test_approved_return_edited_from_its_page_with_the_change_on_the_timeline(shop, users):
    owner = users["owner"]
    ret = return_in("awaiting_item", owner, lines=[("KAOS-M", 1)])
    c = client_for(owner)
    page = c.get(f"/returns/{ret.reference}/").content.decode()
    assert "data-edit-items" in page
    madu = ret.order.lines.get(sku="MADU-500")
    kaos = ret.order.lines.get(sku="KAOS-M")
    r = c.post(items_url(ret), form_data(ret, **{
        f"qty_{kaos.pk}": 2, f"qty_{madu.pk}": 1, "reason": "other", "reason_text": "Warna beda",
        "fee_kind_0": "shipping_charged", "fee_amount_0": "12000", "fee_tax_note_0": "incl. PPN"}))
    assert r.status_code == 302, r.content.decode()[:3000]
    ret = Return.objects.get(pk=ret.pk)
    assert ret.status == "awaiting_item"
    assert sorted((li.sku, li.qty) for li in ret.lines.all()) == [("KAOS-M", 2), ("MADU-500", 1)]
    assert ret.reason_text == "Warna beda"
    assert [(e.kind, e.amount, e.tax_note) for e in ret.extra_lines.all()] == [("shipping_charged", 12000,
                                                                                 "incl. PPN")]
    event = ret.events.filter(kind=ReturnEvent.Kind.EDITED).get()
    assert event.actor == owner and event.source == "web"
    assert set(event.data["changes"]) == {"lines", "reason", "extra_lines"}
    assert event.data["changes"]["lines"][0] == [{"sku": "KAOS-M", "qty": 1, "serial_numbers": []}]


def test_on_hold_before_receipt_is_editable_and_nothing_changed_writes_nothing(shop, users):
    owner = users["owner"]
    ret = return_in("on_hold", owner, lines=[("KAOS-M", 1)])
    c = client_for(owner)
    events = ret.events.count()
    r = c.post(items_url(ret), form_data(ret))
    assert r.status_code == 302 and ret.events.count() == events
    kaos = ret.order.lines.get(sku="KAOS-M")
    r = c.post(items_url(ret), form_data(ret, **{f"qty_{kaos.pk}": 2}))
    assert r.status_code == 302 and Return.objects.get(pk=ret.pk).lines.get().qty == 2


def test_received_return_refused_with_a_message(shop, users, api_as, snapshot):
    owner = users["owner"]
    ret = act(return_in("awaiting_item", owner, lines=[("KAOS-M", 1)]), "receive", owner)
    c = client_for(owner)
    assert "data-edit-items" not in c.get(f"/returns/{ret.reference}/").content.decode()
    before = snapshot()
    r = c.get(items_url(ret), follow=True)
    assert "can no longer change" in r.content.decode()
    r = api_as("owner").patch(f"{URL}/{ret.reference}", {"lines": [{"sku": "KAOS-M", "qty": 2}]})
    assert r.status_code == 409 and r.json()["code"] == "already_received"
    assert "sudah diterima" in r.json()["message"] and "lines" in r.json()["fields"]  # the shop default, Indonesian
    r = api_as("owner").patch(f"{URL}/{ret.reference}", {"reason": "other", "reason_text": "x"})
    assert r.status_code == 409 and set(r.json()["fields"]) == {"reason", "reason_text"}
    assert snapshot() == before


def test_concurrent_edit_refused_by_the_version(shop, users, snapshot):
    owner = users["owner"]
    ret = return_in("awaiting_item", owner, lines=[("KAOS-M", 1)])
    c = client_for(owner)
    kaos = ret.order.lines.get(sku="KAOS-M")
    stale = form_data(ret, **{f"qty_{kaos.pk}": 2})
    # Someone else changes it first.
    r = c.post(items_url(ret), form_data(ret, reason_text="Kekecilan satu nomor"))
    assert r.status_code == 302
    before = snapshot()
    r = c.post(items_url(ret), stale)
    assert r.status_code == 422 and "changed by someone else" in r.content.decode()
    assert snapshot() == before


def test_without_the_permission_the_page_is_refused(shop, users):
    ret = return_in("awaiting_item", users["owner"], lines=[("KAOS-M", 1)])
    r = client_for(users["warehouse"]).get(items_url(ret))
    assert r.status_code == 403


def test_quantity_over_what_is_left_is_refused_on_the_field(shop, users, snapshot):
    owner = users["owner"]
    ret = return_in("awaiting_item", owner, lines=[("KAOS-M", 1)])
    kaos = ret.order.lines.get(sku="KAOS-M")
    before = snapshot()
    r = client_for(owner).post(items_url(ret), form_data(ret, **{f"qty_{kaos.pk}": kaos.qty + 1}))
    assert r.status_code == 422 and "has-error" in r.content.decode()
    assert snapshot() == before
