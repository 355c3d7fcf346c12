"""Phone numbers are shown one way on every page: national for the shop's country,
international for any other (core.phones.format_phone, the `phone_local` filter)."""

import re

import pytest
from django.test import Client

from tokodesk.core.phones import format_phone
from tokodesk.customers.models import Customer
from tokodesk.notifications.slips import render_slip_html
from tokodesk.orders.tests.factories import make_order
from tokodesk.returns.tests.factories import return_in

LOCAL = "0812-3456-7890"  # the factories' buyer, stored as +6281234567890


@pytest.mark.parametrize(
    ("stored", "shown"),
    [
        ("+6281234567890", LOCAL),
        ("081234567890", LOCAL),
        ("+6221345678", "(021) 345678"),
        ("+33612345678", "+33 6 12 34 56 78"),
        ("+6591234567", "+65 9123 4567"),
        ("", ""),
        ("not a phone", "not a phone"),
    ],
)
def test_format(stored, shown):
    assert format_phone(stored) == shown


def test_a_foreign_shop_shows_its_own_numbers_nationally(settings):
    settings.TOKODESK_PHONE_REGION = "FR"
    assert format_phone("+33612345678") == "06 12 34 56 78"
    assert format_phone("+6281234567890") == "+62 812-3456-7890"


def phones_in(html: str) -> set[str]:
    """Every phone-looking text of a page outside attributes (tel: links keep E.164)."""
    text = re.sub(r"<[^>]+>", " ", html)
    return set(re.findall(r"\+?\d[\d\s().-]{8,}\d", text))


def test_every_page_shows_the_same_format(shop, users):
    owner = users["owner"]
    order = make_order(owner)
    ret = return_in("awaiting_item", owner)
    c = Client()
    c.force_login(owner)
    pages = {
        "list": c.get("/orders/", {"tab": "all"}).content.decode(),
        "cards": c.get("/orders/", {"tab": "all", "view": "card"}).content.decode(),
        "detail": c.get(f"/orders/{order.reference}/").content.decode(),
        "lookup": c.get("/orders/new/", {"lookup_phone": "081234567890"}).content.decode(),
        "return": c.get(f"/returns/{ret.reference}/").content.decode(),
        "returns": c.get("/returns/").content.decode(),
        "slip": render_slip_html(ret, "id"),
    }
    assert Customer.objects.get().phone == "+6281234567890"
    for name, html in pages.items():
        assert LOCAL in html, name
        assert "+6281234567890" not in re.sub(r'href="tel:[^"]*"', "", html), name
