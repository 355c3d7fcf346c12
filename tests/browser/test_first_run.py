"""A French shop from nothing (issue 17): `tokodesk demo --no-demo` loads nothing,
`tokodesk setup` makes the shop (EUR, fr, Europe/Paris, FR phones), its owner logs in from an
English browser and lands on the first-login page in French, completes it and finds the same
values on the settings page; the pages run under the CSP (open_page)."""

import io
import os

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from tests.browser.conftest import open_page
from tokodesk.catalog.models import Warehouse
from tokodesk.core.models import ShopSettings
from tokodesk.orders.models import Order

pytestmark = pytest.mark.browser
SHOT = os.environ.get("TOKODESK_SHOT_DIR", "")
PASSWORD = "Lumiere-2026-secret"


@pytest.fixture
def page_en(browser, live_server):
    with open_page(
        browser, live_server, viewport={"width": 1440, "height": 1000}, locale="en-US"
    ) as pg:
        yield pg


def shot(page, name):
    if SHOT:
        page.screenshot(path=os.path.join(SHOT, name), full_page=True)


def test_a_french_shop_from_nothing(page_en, transactional_db):
    out = io.StringIO()
    call_command("demo", "--no-demo", stdout=out)
    call_command(
        "setup",
        "--no-input",
        "--shop-name",
        "Boutique Lumière",
        "--country",
        "FR",
        "--currency",
        "EUR",
        "--staff-language",
        "fr",
        "--customer-language",
        "fr",
        "--time-zone",
        "Europe/Paris",
        "--phone-region",
        "FR",
        "--sender-email",
        "boutique@example.fr",
        "--owner",
        "marie",
        "--owner-email",
        "marie@example.fr",
        "--owner-password",
        PASSWORD,
        stdout=out,
    )
    assert not Order.objects.exists()
    page = page_en
    page.goto(page.base + "/accounts/login/")
    expect(page.locator("html")).to_have_attribute("lang", "fr")  # the shop's staff language
    page.fill("input[name=username]", "marie")
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url("**/welcome/")
    first = page.locator("[data-page=first-run]")
    expect(first).to_be_visible()
    expect(page.locator("html")).to_have_attribute("lang", "fr")
    expect(first.locator("input[name=shop_name]")).to_have_value("Boutique Lumière")
    expect(first.locator("select[name=currency]")).to_have_value("EUR")
    expect(first.locator("select[name=time_zone]")).to_have_value("Europe/Paris")
    expect(first.locator("input[name=phone_region]")).to_have_value("FR")
    # What setup left out: the reply-to address and the first warehouse.
    first.locator("input[name=reply_to]").fill("sav@example.fr")
    first.locator("input[name=warehouse_name]").fill("Entrepôt Lyon")
    first.locator("input[name=warehouse_city]").fill("Lyon")
    shot(page, "first-run.png")
    first.locator("[data-action=finish-setup]").click()
    page.wait_for_url("**/orders/settings/")
    region = page.locator("section#region")
    expect(region.locator("select[name=currency]")).to_have_value("EUR")
    expect(region.locator("select[name=staff_language]")).to_have_value("fr")
    expect(region.locator("select[name=time_zone]")).to_have_value("Europe/Paris")
    mail = page.locator("section#customer_email")
    expect(mail.locator("select[name=customer_language]")).to_have_value("fr")
    expect(mail.locator("input[name=reply_to]")).to_have_value("sav@example.fr")
    shot(page, "settings-region.png")
    assert not ShopSettings.get().setup_pending
    assert Warehouse.objects.get().name == "Entrepôt Lyon"
    # The orders page opens now (no more first-login page), in French, empty.
    page.goto(page.base + "/orders/")
    expect(page).to_have_url(page.base + "/orders/")
    expect(page.locator("html")).to_have_attribute("lang", "fr")
