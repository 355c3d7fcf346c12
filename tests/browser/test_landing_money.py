"""Issue 17: the landing page's subtotal, which storefront.js writes when the buyer changes the
quantity, reads exactly as the prices the server wrote (Babel, core.l10n): "1 500,00 €" on a
French shop's page read in French, "Rp 225.000" on the Indonesian demo's page in Indonesian,
"€1,500.00"-style in English. The script formats with the parts the server gives it
(data-money-format), never its own idea of a currency."""

import pytest
from django.utils import translation
from playwright.sync_api import expect

from tests.browser.conftest import open_page
from tokodesk.catalog.models import Product
from tokodesk.core.l10n import format_money
from tokodesk.core.models import ShopSettings
from tokodesk.storefront.models import LandingPage

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _shop(country: str, currency: str) -> None:
    row = ShopSettings.get()
    row.country, row.currency = country, currency
    row.save()


def _expected(amount: int, currency: str, lang: str, country: str) -> str:
    from tokodesk.core import shop_locale

    token = shop_locale._current.set(ShopSettings(country=country))
    try:
        with translation.override(lang):
            return format_money(amount, currency)
    finally:
        shop_locale._current.reset(token)


@pytest.mark.parametrize(
    ("lang", "browser_locale", "country", "currency"),
    [
        ("fr", "fr-FR", "FR", "EUR"),
        ("id", "id-ID", "ID", "IDR"),
        ("en", "en-US", "FR", "EUR"),
        ("fr", "fr-FR", "ID", "IDR"),
    ],
)
def test_subtotal_reads_as_the_server_writes(
    browser, live_server, shop, lang, browser_locale, country, currency
):
    _shop(country, currency)
    LandingPage.objects.create(
        name="Kaos Polos – Promo",
        slug="kaos",
        product=Product.objects.get(slug="kaos-polos"),
        warehouse=shop["jkt"],
        payment_methods=["cod"],
    )
    price = shop["kaos_m"].price
    with open_page(
        browser, live_server, viewport={"width": 1200, "height": 900}, locale=browser_locale
    ) as page:
        page.goto(page.base + "/p/kaos/")
        expect(page.locator("html")).to_have_attribute("lang", lang)
        page.locator("label.sf-variant", has=page.locator("input[value=KAOS-M]")).click()
        server_price = (
            page.locator("label.sf-variant", has=page.locator("input[value=KAOS-M]"))
            .locator(".sf-variant-price")
            .inner_text()
        )
        assert server_price == _expected(price, currency, lang, country)
        page.fill("#id_qty", "20")
        page.locator("#id_qty").dispatch_event("input")
        expect(page.locator("[data-subtotal]")).to_have_text(
            _expected(20 * price, currency, lang, country)
        )
        expect(page.locator("[data-calc]")).to_have_text(f"(20 × {server_price})")
        page.click("button[data-step='1']")
        expect(page.locator("[data-subtotal]")).to_have_text(
            _expected(21 * price, currency, lang, country)
        )
    if (lang, currency) == ("id", "IDR"):
        assert (
            _expected(3 * 75000, "IDR", "id", "ID") == "Rp 225.000"
        )  # Babel id, with our documented override
    if (lang, currency) == ("fr", "EUR"):
        assert _expected(20 * price, "EUR", "fr", "FR").endswith(",00\u00a0€")
