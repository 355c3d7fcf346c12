"""Create a return from an order (Tambah) and record a goodwill refund: the order is found
by its reference or invoice number among those the user may see, only returnable
quantities are offered, the service's refusals come back next to the fields."""

from __future__ import annotations

import re

from django.test import Client

from tokodesk.orders.models import Order
from tokodesk.orders.tests.factories import order_in
from tokodesk.returns.ledger import StoreCreditEntry
from tokodesk.returns.models import Refund, Return
from tokodesk.returns.tests.factories import paid_order, return_in


def client_for(user):
    c = Client()
    c.force_login(user)
    c.cookies["django_language"] = "en"
    return c


def returnable(html, line):
    return int(re.search(rf'data-line="{line.pk}".*?data-returnable="(\d+)"', html, re.S).group(1))


def create_post(order, **extra):
    lines = list(order.lines.order_by("id"))
    data = {"order": order.reference, "reason": "size_too_small", "resolution": "refund", "responsible": "",
            **{f"qty_{line.pk}": "0" for line in lines}}
    data.update(extra)
    return data


def test_lookup_then_only_returnable_quantities(shop, users):
    owner = users["owner"]
    order = paid_order(owner, lines=(("KAOS-M", 2), ("MADU-500", 1)))
    kaos, madu = order.lines.order_by("id")
    c = client_for(owner)
    html = c.get("/returns/new/").content.decode()
    assert 'id="order-lookup"' in html and 'name="order"' in html
    return_in("draft", owner, order=order, lines=[("KAOS-M", 1)])
    html = c.get("/returns/new/", {"order": order.reference.lower()}).content.decode()
    assert returnable(html, kaos) == 1 and returnable(html, madu) == 1
    assert re.search(rf'name="qty_{kaos.pk}"[^>]*max="1"', html)
    for text in ('name="reason"', 'name="resolution"', 'name="responsible"', 'name="target_date"', "Size too small"):
        assert text in html, text


def test_create_a_draft_and_open_it(shop, users):
    owner = users["owner"]
    order = paid_order(owner, lines=(("KAOS-M", 2), ("MADU-500", 1)))
    kaos, _madu = order.lines.order_by("id")
    r = client_for(owner).post("/returns/new/", create_post(
        order, **{f"qty_{kaos.pk}": "2", f"serials_{kaos.pk}": "A1, A2"}, reason_text="kekecilan satu nomor",
        responsible="group:warehouse", target_date="2030-04-01", fee_description_0="Ongkir retur",
        fee_amount_0="10000"))
    ret = Return.objects.get()
    assert r.status_code == 302 and r["Location"] == f"/returns/{ret.reference}/"
    assert (ret.status, ret.order_id, ret.resolution, ret.responsible_group.name, str(ret.target_date)) == (
        "draft", order.pk, "refund", "warehouse", "2030-04-01")
    assert [(li.sku, li.qty, li.serial_numbers) for li in ret.lines.all()] == [("KAOS-M", 2, ["A1", "A2"])]
    assert [(e.description, e.amount) for e in ret.extra_lines.all()] == [("Ongkir retur", 10000)]
    assert ret.reason.code == "size_too_small" and ret.reason_text == "kekecilan satu nomor"


def test_find_the_order_by_invoice_number(shop, users):
    owner = users["owner"]
    order = paid_order(owner)
    Order.objects.filter(pk=order.pk).update(invoice_number="INV/2026/0042")
    html = client_for(owner).get("/returns/new/", {"order": "INV/2026/0042"}).content.decode()
    assert f'data-order="{order.reference}"' in html


def test_nothing_picked_or_too_many_is_refused_in_the_form(shop, users):
    owner = users["owner"]
    order = paid_order(owner, lines=(("KAOS-M", 2),))
    (kaos,) = order.lines.all()
    c = client_for(owner)
    r = c.post("/returns/new/", create_post(order))
    assert r.status_code == 422 and "Pick at least one item" in r.content.decode()
    r = c.post("/returns/new/", create_post(order, **{f"qty_{kaos.pk}": "3"}))
    assert r.status_code == 422 and re.search(rf'name="qty_{kaos.pk}"[^>]*>\s*<span class="field-error">',
                                              r.content.decode())
    assert not Return.objects.exists()


def test_other_reason_needs_the_customer_words(shop, users):
    owner = users["owner"]
    order = paid_order(owner, lines=(("KAOS-M", 1),))
    (kaos,) = order.lines.all()
    r = client_for(owner).post("/returns/new/", create_post(order, reason="other", **{f"qty_{kaos.pk}": "1"}))
    assert r.status_code == 422
    assert re.search(r'name="reason_text"[^>]*>\s*</textarea>\s*<span class="field-error">', r.content.decode())
    assert not Return.objects.exists()


def test_order_not_delivered_cannot_take_a_return(shop, users):
    order = order_in("in_transit", users["owner"])
    html = client_for(users["owner"]).get("/returns/new/", {"order": order.reference}).content.decode()
    assert "only a delivered or completed order can be returned" in html
    assert 'id="return-form"' not in html


def test_agents_create_returns_only_for_their_orders(shop, users):
    owner = users["owner"]
    mine = paid_order(owner, agent="agent", lines=(("KAOS-M", 1),))
    other = paid_order(owner, agent="agent2", lines=(("KAOS-M", 1),))
    c = client_for(users["agent"])
    html = c.get("/returns/new/", {"order": other.reference}).content.decode()
    assert "not found" in html and 'id="return-form"' not in html
    (line,) = mine.lines.all()
    r = c.post("/returns/new/", create_post(mine, **{f"qty_{line.pk}": "1"}))
    assert r.status_code == 302 and Return.objects.get().order_id == mine.pk
    assert client_for(users["viewer"]).get("/returns/new/").status_code == 403
    assert client_for(users["warehouse"]).get("/returns/new/").status_code == 403


def test_goodwill_store_credit_and_bank_refund(shop, users):
    owner = users["owner"]
    order = paid_order(owner)
    c = client_for(users["finance"])
    html = c.get("/returns/goodwill/", {"order": order.reference}).content.decode()
    assert 'id="goodwill-form"' in html and 'data-money="left"' in html
    r = c.post("/returns/goodwill/", {"order": order.reference, "amount": "20000", "method": "store_credit",
                                      "note": "Maaf terlambat"})
    assert r.status_code == 302
    assert StoreCreditEntry.objects.balance_of(order.customer_id) == 20000
    # A bank transfer needs the bank details.
    r = c.post("/returns/goodwill/", {"order": order.reference, "amount": "5000", "method": "bank_transfer"})
    assert r.status_code == 422 and "field-error" in r.content.decode()
    r = c.post("/returns/goodwill/", {"order": order.reference, "amount": "5000", "method": "bank_transfer",
                                      "bank_name": "BNI", "account_number": "998877", "account_holder": "Siti"})
    assert r.status_code == 302
    refund = Refund.objects.get(method="bank_transfer")
    assert (refund.amount, refund.status, refund.return_order_id) == (5000, "pending", None)
    html = c.get("/returns/goodwill/", {"order": order.reference}).content.decode()
    assert f"/returns/refunds/{refund.pk}/paid/" in html and "Mark as paid" in html
    # More than was paid is refused.
    r = c.post("/returns/goodwill/", {"order": order.reference, "amount": str(order.paid_total), "method": "cash"})
    assert r.status_code == 422 and "more than" in r.content.decode()


def test_goodwill_is_for_finance(shop, users):
    order = paid_order(users["owner"], agent="agent")
    for role in ("agent", "warehouse", "viewer"):
        assert client_for(users[role]).get("/returns/goodwill/", {"order": order.reference}).status_code == 403
    assert client_for(users["owner"]).get("/returns/goodwill/", {"order": order.reference}).status_code == 200
