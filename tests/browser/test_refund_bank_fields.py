"""Refund forms in Indonesian show the customer's bank fields only while "Transfer bank"
is the method: "Tunai" (cash) or store credit hides them (CSS :has() on the form, no
script, under the CSP), the complete-return modal and the goodwill refund page alike."""

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import login, open_page
from tokodesk.returns.models import Refund
from tokodesk.returns.tests.factories import return_in

pytestmark = pytest.mark.browser


@pytest.fixture
def page_id(browser, live_server):
    with open_page(
        browser, live_server, viewport={"width": 1440, "height": 900}, locale="id-ID"
    ) as pg:
        yield pg


def test_goodwill_bank_fields_follow_the_method(page_id, shop, users, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    page = page_id
    ret = return_in("item_received", users["owner"])
    order = ret.order
    login(page, "finance")
    page.goto(page.base + f"/returns/goodwill/?order={order.reference}")
    form = page.locator("#goodwill-form")
    bank = form.locator(".rt-bank")
    expect(page.locator("html")).to_have_attribute("lang", "id")
    expect(bank).to_be_hidden()  # store credit is the default
    form.locator("input[name=method][value=bank_transfer]").check()
    expect(bank).to_be_visible()
    form.locator("input[name=bank_name]").fill("BCA")
    form.locator("input[name=method][value=cash]").check()
    expect(bank).to_be_hidden()
    page.screenshot(path=str(tmp_path / "goodwill-cash.png"))
    form.locator("input[name=amount]").fill("5000")
    form.locator("button[type=submit]").click()
    expect(page.locator("#messages .msg")).to_contain_text(order.reference)
    refund = Refund.objects.get()
    assert (refund.method, refund.bank_name) == ("cash", "")

    # The complete-return modal: the refund method select.
    page.goto(page.base + f"/returns/{ret.reference}/")
    page.locator("[data-action=complete]").first.click()
    modal = page.locator("[data-form=complete]")
    expect(modal).to_be_visible()
    method = modal.locator("select[name=refund_method]")
    modal_bank = modal.locator(".rt-bank")
    method.select_option("bank_transfer")
    expect(modal_bank).to_be_visible()
    method.select_option("cash")
    expect(modal_bank).to_be_hidden()
    page.screenshot(path=str(tmp_path / "complete-cash.png"))
    method.select_option("bank_transfer")
    expect(modal_bank).to_be_visible()
