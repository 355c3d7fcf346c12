"""The words of the return pages (issue 12 item 10): a toast says a status once when the
action and the status share their name (Item Retur Diterima), and the total a customer gets
is named after the resolution — a bank refund is not "credit"."""

from __future__ import annotations

from django.test import Client

from tokodesk.returns.tests.factories import paid_order, return_in

HTMX = {"HTTP_HX_REQUEST": "true"}


def client_for(user, language) -> Client:
    c = Client()
    c.force_login(user)
    c.cookies["django_language"] = language
    return c


def test_receive_toast_does_not_repeat_the_status(shop, users):
    owner = users["owner"]
    ret = return_in("awaiting_item", owner, order=paid_order(owner, lines=(("KAOS-M", 1),)))
    (line,) = ret.lines.all()
    r = client_for(users["warehouse"], "id").post(
        f"/returns/{ret.reference}/actions/receive/",
        {
            "display": "row",
            "version": ret.version,
            "warehouse": "jkt",
            f"qty_{line.pk}": "1",
            f"condition_{line.pk}": "resellable",
            f"serials_{line.pk}": "",
        },
        **HTMX,
    )
    toast = r.content.decode().split('id="messages"')[1]
    assert f"{ret.reference}: Item Retur Diterima" in toast
    assert "→" not in toast  # not "Item Retur Diterima → Item Retur Diterima"


def test_the_total_is_named_after_the_resolution(shop, users):
    owner = users["owner"]
    refund = return_in("completed", owner, resolution="refund")
    credit = return_in("completed", owner, resolution="store_credit")
    c = client_for(owner, "en")
    html = c.get(f"/returns/{refund.reference}/").content.decode()
    assert "To refund to the customer" in html and "Credit for the customer" not in html
    html = c.get(f"/returns/{credit.reference}/").content.decode()
    assert "Store credit for the customer" in html
