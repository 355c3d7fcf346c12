"""A French shop from nothing (issue 17): `tokodesk demo --no-demo` loads nothing,
`tokodesk setup` makes the shop (EUR, fr, Europe/Paris, FR phones), its owner logs in from an
English browser and lands on the first-login page in French, completes it and finds the same
values on the settings page; the pages run under the CSP (open_page)."""

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import open_page
from tests.browser.steps import (
    FRENCH_OWNER,
    FRENCH_PASSWORD,
    fill_first_run,
    finish_first_run,
    log_in,
    make_french_shop,
    shoot,
)
from tokodesk.catalog.models import Warehouse
from tokodesk.core.models import ShopSettings
from tokodesk.orders.models import Order

pytestmark = pytest.mark.browser


@pytest.fixture
def page_en(browser, live_server):
    with open_page(
        browser, live_server, viewport={"width": 1440, "height": 1000}, locale="en-US"
    ) as pg:
        yield pg


def test_a_french_shop_from_nothing(page_en, transactional_db):
    make_french_shop()
    assert not Order.objects.exists()
    page = page_en
    page.goto(page.base + "/accounts/login/")
    expect(page.locator("html")).to_have_attribute("lang", "fr")  # the shop's staff language
    log_in(page, FRENCH_OWNER, FRENCH_PASSWORD, then="**/welcome/")
    first = page.locator("[data-page=first-run]")
    expect(page.locator("html")).to_have_attribute("lang", "fr")
    expect(first.locator("input[name=shop_name]")).to_have_value("Boutique Lumière")
    expect(first.locator("select[name=currency]")).to_have_value("EUR")
    expect(first.locator("select[name=time_zone]")).to_have_value("Europe/Paris")
    expect(first.locator("input[name=phone_region]")).to_have_value("FR")
    fill_first_run(page, "sav@example.fr", "Entrepôt Lyon", "Lyon")  # what setup left out
    shoot(page, "first-run.png", env="TOKODESK_SHOT_DIR")
    finish_first_run(page)
    region = page.locator("section#region")
    expect(region.locator("select[name=currency]")).to_have_value("EUR")
    expect(region.locator("select[name=staff_language]")).to_have_value("fr")
    expect(region.locator("select[name=time_zone]")).to_have_value("Europe/Paris")
    mail = page.locator("section#customer_email")
    expect(mail.locator("select[name=customer_language]")).to_have_value("fr")
    expect(mail.locator("input[name=reply_to]")).to_have_value("sav@example.fr")
    shoot(page, "settings-region.png", env="TOKODESK_SHOT_DIR")
    assert not ShopSettings.get().setup_pending
    assert Warehouse.objects.get().name == "Entrepôt Lyon"
    # The orders page opens now (no more first-login page), in French, empty.
    page.goto(page.base + "/orders/")
    expect(page).to_have_url(page.base + "/orders/")
    expect(page.locator("html")).to_have_attribute("lang", "fr")
