"""Issue 17: the examples the forms give follow the shop's country. A French shop's settings
page offered "e.g. 0812 3456 7890" for its WhatsApp number and "a small code (up to Rp 999)"
for the unique transfer code of a shop selling in euros; a French buyer who mistyped a phone
number on a landing page was shown an Indonesian number as the example."""

from __future__ import annotations

import html
import re

import pytest
from django.test import Client
from django.utils import translation

from tokodesk.core import shop_locale
from tokodesk.core.models import ShopSettings

pytestmark = pytest.mark.django_db


def shop_in(region: str, currency: str) -> None:
    row = ShopSettings.get()
    row.country, row.phone_region, row.currency = region, region, currency
    row.save()


def _owner(users):
    c = Client(HTTP_ACCEPT_LANGUAGE="en")
    c.force_login(users["owner"])
    c.cookies["django_language"] = "en"
    return c


def test_phone_example_per_region():
    assert shop_locale.phone_example("ID") == "0812 3456 7890"  # what Indonesian sellers know
    assert shop_locale.phone_example("FR") == "06 12 34 56 78"
    assert shop_locale.phone_example("de").startswith("015")


def test_settings_page_examples_follow_the_shop(shop, users):
    c = _owner(users)
    shop_in("FR", "EUR")
    page = html.unescape(c.get("/orders/settings/").content.decode())
    assert "e.g. 06 12 34 56 78." in page and "0812" not in page
    assert "(up to 0,99\u00a0€)" in page and "Rp 999" not in page  # English in France

    shop_in("ID", "IDR")
    page = html.unescape(c.get("/orders/settings/").content.decode())
    assert "e.g. 0812 3456 7890." in page
    assert re.search(r"\(up to (Rp|IDR)\s?999\)", page)


def test_whatsapp_refusal_gives_the_shops_example(shop, users):
    from tokodesk.core.shop_profile import ShopProfileForm

    shop_in("FR", "EUR")
    with translation.override("en"):
        form = ShopProfileForm(
            data={"shop_name": "Boutique", "whatsapp": "06 12 34 56 78 x"},
            instance=ShopSettings.get(),
        )
        assert not form.is_valid()
        assert form.errors["whatsapp"] == ["Digits, spaces and + only, e.g. 06 12 34 56 78."]


def test_landing_phone_refusal_gives_the_shops_example(shop):
    from tokodesk.storefront.tests.test_landing import make_page, submit

    shop_in("FR", "EUR")
    page = make_page(shop)
    r = submit(Client(HTTP_ACCEPT_LANGUAGE="en"), page.slug, phone="12")
    body = html.unescape(r.content.decode())
    assert "Example: 06 12 34 56 78." in body and "0812" not in body
