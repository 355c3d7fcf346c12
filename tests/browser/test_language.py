"""Switching the language in a real browser: an English browser sees English, the ID and FR
choices of the top bar translate the page, and the choice stays on the next visits."""

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import login
from tokodesk.orders.tests.factories import make_order, order_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

BADGES = {
    "en": ("New", "Confirmed", "Ready to ship"),
    "id": ("Baru", "Dikonfirmasi", "Siap Dikirim"),
    "fr": ("Nouvelle", "Confirmée", "Prête à expédier"),
}
HEADINGS = {"en": "Orders", "id": "Pesanan", "fr": "Commandes"}
ALL_TAB = {"en": "All", "id": "Semua", "fr": "Toutes"}


def expect_language(page, orders, lang):
    expect(page.locator("html")).to_have_attribute("lang", lang)
    expect(page.locator("h1")).to_have_text(HEADINGS[lang])
    expect(page.locator("select[name=language]")).to_have_value(lang)
    expect(page.locator("a[data-tab=all]")).to_contain_text(ALL_TAB[lang])
    for order, label in zip(orders, BADGES[lang], strict=True):
        expect(page.locator(f"#order-{order.reference} .badge")).to_have_text(label)


def switch_to(page, lang):
    with page.expect_navigation():
        page.select_option("select[name=language]", lang)


def test_switch_language_and_keep_it(page, shop, users):
    owner = users["owner"]
    orders = [make_order(owner), order_in("confirmed", owner), order_in("ready_to_ship", owner)]
    login(page, "owner")  # the browser asks for en-US
    expect_language(page, orders, "en")

    switch_to(page, "id")
    assert page.url.endswith("/orders/")
    expect_language(page, orders, "id")
    page.goto(page.base + "/orders/")  # a new visit: the choice is remembered
    expect_language(page, orders, "id")

    switch_to(page, "fr")
    expect_language(page, orders, "fr")
    page.reload()
    expect_language(page, orders, "fr")
    page.goto(page.base + f"/orders/{orders[0].reference}/")
    expect(page.locator("html")).to_have_attribute("lang", "fr")
    expect(page.locator(".detail-title .badge")).to_have_text("Nouvelle")
