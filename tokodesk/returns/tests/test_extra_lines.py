"""Issue 17 (InvenTree's extra line items): extra lines of any kind (fee, service, shipping
charged or refunded, other), charged to or credited to the customer, with a tax note; in the
totals (what the customer gets back, estimated then fixed at completion), on the return page,
on the slip and in the API."""

from __future__ import annotations

import pytest

from tokodesk.notifications import slips
from tokodesk.notifications.tests.test_slips import pdf_text
from tokodesk.returns.tests.factories import BANK, paid_order
from tokodesk.returns.tests.test_pages_actions import client_for

URL = "/api/v1/returns"
EXTRAS = [
    {"kind": "fee", "description": "Restocking", "amount": 10000, "tax_note": "PPN 11% incl."},
    {"kind": "shipping_refunded", "amount": 18000},  # credited by default
    {"kind": "service", "description": "Cleaning", "amount": 5000, "direction": "charge"},
    {"kind": "other", "description": "Goodwill", "amount": 2000, "direction": "credit"},
]


@pytest.fixture
def made(shop, users, api_as):
    order = paid_order(users["owner"])
    api = api_as("owner")
    r = api.post(URL, {"order": order.reference, "reason": "Ukuran kekecilan", "resolution": "refund",
                       "lines": [{"sku": "KAOS-M", "qty": 2}], "extra_lines": EXTRAS})
    assert r.status_code == 201, r.content
    return order, api, r.json()


def test_extra_lines_in_the_api_and_the_estimated_refund(made):
    order, _api, body = made
    price = order.lines.get(sku="KAOS-M").unit_price
    got = [(e["kind"], e["direction"], e["amount"], e["label"], e["tax_note"]) for e in body["extra_lines"]]
    assert got == [("fee", "charge", 10000, "Restocking", "PPN 11% incl."),
                   ("shipping_refunded", "credit", -18000, "Ongkir dikembalikan", ""),
                   ("service", "charge", 5000, "Cleaning", ""),
                   ("other", "credit", -2000, "Goodwill", "")]
    assert body["totals"] == {"items_value": 2 * price, "charged": 15000, "credited": 20000,
                              "credit": 2 * price - 15000 + 20000, "final": False}


def test_completion_fixes_the_refund_with_the_extra_lines(made):
    order, api, body = made
    ref, price = body["reference"], order.lines.get(sku="KAOS-M").unit_price
    for action, payload in (("approve", {}),
                            ("receive", {"warehouse": "jkt", "lines": [{"sku": "KAOS-M", "qty": 2}]}),
                            ("complete", {"lines": [{"sku": "KAOS-M", "decision": "accept", "qty": 1}], **BANK})):
        r = api.post(f"{URL}/{ref}/actions/{action}", payload)
        assert r.status_code == 200, r.content
    done = r.json()
    expected = price - 15000 + 20000  # one accepted, fees charged, shipping and goodwill credited
    assert done["accepted_total"] == price and done["fees_total"] == 15000 - 20000
    assert done["totals"]["credit"] == expected and done["totals"]["final"] is True
    assert [rf["amount"] for rf in done["refunds"]] == [expected]


def test_return_page_and_slip_show_the_extra_lines_and_totals(made, users):
    order, _api, body = made
    from tokodesk.returns.models import Return

    ret = Return.objects.get(reference=body["reference"])
    page = client_for(users["owner"]).get(f"/returns/{ret.reference}/").content.decode()
    for text in ("Restocking", "PPN 11% incl.", "Shipping refunded", "Cleaning", "Goodwill",
                 "charged to the customer", "credited to the customer", "estimate"):
        assert text in page, text
    assert 'data-kind="shipping_refunded" data-direction="credit"' in page
    text = pdf_text(slips.render_slip_pdf(ret, "en"))
    for word in ("Restocking", "PPN 11% incl.", "Shipping refunded", "Cleaning", "Goodwill", "Unit price",
                 "To give back to the customer (estimate)"):
        assert word.lower() in text.lower(), word  # headings print upper-case
    price = order.lines.get(sku="KAOS-M").unit_price
    html = slips.render_slip_html(ret, "en")
    from tokodesk.core.templatetags.tokodesk import money

    assert str(money(2 * price - 15000 + 20000, ret.currency)) in html


def test_edit_replaces_the_extra_lines_and_records_them(made, users):
    _order, api, body = made
    r = api.patch(f"{URL}/{body['reference']}", {"extra_lines": [{"kind": "shipping_charged", "amount": 9000}],
                                                  "version": body["version"]})
    assert r.status_code == 200, r.content
    assert [(e["kind"], e["amount"]) for e in r.json()["extra_lines"]] == [("shipping_charged", 9000)]
    events = api.get(f"{URL}/{body['reference']}/timeline").json()
    change = events[-1]["data"]["changes"]["extra_lines"]
    assert len(change[0]) == 4 and change[1] == [{"kind": "shipping_charged", "description": "", "amount": 9000,
                                                  "tax_note": ""}]
