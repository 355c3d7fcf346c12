"""The shop profile on the settings page, in Indonesian: the owner fills the name, the
address with district and city, the contacts and two bank accounts, uploads a logo, saves;
the page shows the logo back and the buyer's landing page carries the shop's name."""

import io
import os

import pytest
from django.utils import translation
from PIL import Image
from playwright.sync_api import expect

from tests.browser.conftest import login, open_page
from tokodesk.core.models import BankAccount, ShopSettings

pytestmark = pytest.mark.browser
SHOT = os.environ.get("TOKODESK_SHOT_DIR", "")


@pytest.fixture
def page_id(browser, live_server):
    with open_page(browser, live_server, viewport={"width": 1440, "height": 1000}, locale="id-ID") as pg:
        yield pg


def test_owner_fills_the_shop_profile(page_id, shop, users, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    logo = tmp_path / "logo.png"
    img = Image.new("RGB", (120, 120), (15, 118, 110))
    out = io.BytesIO()
    img.save(out, "PNG")
    logo.write_bytes(out.getvalue())
    page = page_id
    login(page, "owner")
    page.goto(page.base + "/orders/settings/")
    expect(page.locator("html")).to_have_attribute("lang", "id")
    section = page.locator("section#shop")
    with translation.override("id"):
        expect(section.locator("h2")).to_have_text(str(translation.gettext("Shop profile")))
    section.locator("input[name=shop-shop_name]").fill("Toko Berkah Jaya")
    section.locator("textarea[name=shop-address]").fill("Jl. Daan Mogot KM 12 No. 8")
    section.locator("input[name=shop-district]").fill("Cengkareng")
    section.locator("input[name=shop-city]").fill("Jakarta Barat")
    section.locator("input[name=shop-province]").fill("DKI Jakarta")
    section.locator("input[name=shop-postal_code]").fill("11730")
    section.locator("input[name=shop-whatsapp]").fill("0812 8765 4321")
    section.locator("input[name=shop-email]").fill("halo@berkahjaya.co.id")
    section.locator("input[name=shop-logo_file]").set_input_files(str(logo))
    rows = section.locator("[data-bank-row]")
    rows.nth(0).locator("input[name$=bank_name]").fill("BCA")
    rows.nth(0).locator("input[name$=account_number]").fill("5230812245")
    rows.nth(0).locator("input[name$=account_holder]").fill("Toko Berkah Jaya")
    section.locator("button[type=submit]").click()
    page.wait_for_url("**/orders/settings/#shop")
    # A second account in the new blank row.
    rows = page.locator("section#shop [data-bank-row]")
    expect(rows).to_have_count(2)
    rows.nth(1).locator("input[name$=bank_name]").fill("Mandiri")
    rows.nth(1).locator("input[name$=account_number]").fill("1310012345678")
    rows.nth(1).locator("input[name$=account_holder]").fill("Toko Berkah Jaya")
    page.locator("section#shop button[type=submit]").click()
    page.wait_for_url("**/orders/settings/#shop")
    expect(page.locator("section#shop img.set-logo")).to_be_visible()
    assert page.locator("section#shop img.set-logo").evaluate("img => img.naturalWidth") == 120
    if SHOT:
        page.locator("section#shop").screenshot(path=os.path.join(SHOT, "settings-shop.png"))
        page.screenshot(path=os.path.join(SHOT, "settings-page.png"), full_page=True)
    row = ShopSettings.get()
    assert (row.shop_name, row.district, row.city) == ("Toko Berkah Jaya", "Cengkareng", "Jakarta Barat")
    assert list(BankAccount.objects.values_list("bank_name", flat=True)) == ["BCA", "Mandiri"]
