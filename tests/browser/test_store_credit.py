"""Store credit ("Saldo Toko", issue 12 item 3) in a real browser, in Indonesian: a customer
with credit, the agent's manual order uses part of it (the phone lookup shows the balance),
the balance falls on the order page, the order is cancelled, the balance is back."""

import os

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import htmx_settled, login, open_page
from tokodesk.customers.models import Customer
from tokodesk.orders.models import Order
from tokodesk.returns.ledger import StoreCreditEntry

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = os.environ.get("TOKODESK_SHOTS", "")


def shot(page, name):
    if SHOTS:
        page.screenshot(path=os.path.join(SHOTS, f"{name}.png"), full_page=True)


@pytest.fixture
def page_id(browser, live_server):
    with open_page(
        browser, live_server, viewport={"width": 1440, "height": 900}, locale="id-ID"
    ) as pg:
        yield pg


def test_manual_order_spends_part_of_the_credit_and_cancel_gives_it_back(page_id, shop, users):
    page = page_id
    customer = Customer.objects.create(
        name="Dewi Lestari", phone="+6281234567890", address="Jl. Kenanga 12, Bandung", postcode="40115"
    )
    StoreCreditEntry.objects.create(customer=customer, amount=100000, kind="goodwill")
    login(page, "owner")
    page.goto(page.base + "/orders/new/")
    expect(page.locator("html")).to_have_attribute("lang", "id")

    page.fill("#id_phone", "0812 3456 7890")
    lookup = page.locator("#customer-lookup [data-store-credit-balance]")
    expect(lookup).to_have_attribute("data-store-credit-balance", "100000")
    expect(lookup).to_contain_text("Rp 100.000")
    htmx_settled(page)
    page.locator("[data-fill-customer]").click()
    expect(page.locator("#id_postcode")).to_have_value("40115")  # the postcode too (issue 17)
    page.select_option("#id_warehouse", "jkt")
    htmx_settled(page)
    rows = page.locator("#lines-body [data-line]")
    rows.nth(0).locator("select[name=sku]").select_option("MADU-500")
    rows.nth(0).locator("input[name=qty]").fill("1")
    page.select_option("#id_courier", "jne")
    page.fill("#id_shipping_cost", "18000")
    page.check("input[name=payment_method][value=bank_transfer]")
    page.fill("#id_store_credit", "60.000")
    expect(page.locator("[data-total=to_pay]")).to_have_text("Rp 108.000")
    shot(page, "store-credit-manual-order")
    htmx_settled(page)
    page.click("#create-order")
    page.wait_for_url("**/orders/ORD-*/")

    order = Order.objects.get()
    assert order.paid_total == 60000 and order.destination_postcode == "40115"
    section = page.locator("[data-section=store_credit]")
    expect(section.locator("[data-store-credit-balance]")).to_have_text("Rp 40.000")
    expect(section.locator("[data-money=store_credit_paid]")).to_have_text("Rp 60.000")
    expect(page.locator("[data-money=outstanding]")).to_have_text("Rp 108.000")
    shot(page, "store-credit-order-page")

    htmx_settled(page)
    actions = page.locator(".detail-actions")
    actions.locator("details[data-action-menu] summary").click()
    actions.locator("[data-action=cancel]").click()
    dialog = page.locator("#modal")
    expect(dialog).to_be_visible()
    htmx_settled(page)
    dialog.locator("textarea[name=reason]").fill("Pembeli berubah pikiran")
    dialog.locator("[data-confirm-action=cancel]").click()
    expect(page.locator(".detail-head .badge")).to_have_text("Dibatalkan")
    expect(page.locator("[data-section=store_credit] [data-store-credit-balance]")).to_have_text(
        "Rp 100.000"
    )
    assert StoreCreditEntry.objects.balance_of(customer.pk) == 100000

    htmx_settled(page)
    page.locator("[data-customer-credit-link]").click()
    page.wait_for_url(f"**/returns/store-credit/{customer.pk}/")
    expect(page.locator("[data-store-credit-balance]")).to_contain_text("Rp 100.000")
    expect(page.locator("[data-ledger] [data-entry=given_back]")).to_contain_text("+Rp 60.000")
    expect(page.locator("[data-ledger] [data-entry=spent]")).to_contain_text("-Rp 60.000")
    shot(page, "store-credit-customer")
