"""A buyer on a phone (390 px wide, Indonesian) orders on a landing page and reaches the
thank-you page with the order reference and the link to follow the order."""

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import open_page
from tokodesk.accounts.services import user_create
from tokodesk.catalog.models import Product, Stock
from tokodesk.orders.models import Order
from tokodesk.storefront.links import order_link_url
from tokodesk.storefront.models import LandingPage

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def phone(browser, live_server):
    with open_page(browser, live_server, viewport={"width": 390, "height": 844}, locale="id-ID", is_mobile=True,
                   has_touch=True, device_scale_factor=2) as pg:
        yield pg


def _fits(page):
    """Nothing wider than the screen (no sideways scrolling on a phone)."""
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_buyer_orders_on_a_phone_and_reaches_the_thank_you_page(phone, shop):
    agent = user_create(username="ayu", role="agent", password="pw-123456")
    Stock.objects.filter(variant=shop["kaos_l"]).update(on_hand=0)
    page = LandingPage.objects.create(
        name="Kaos Polos – Promo", slug="kaos", product=Product.objects.get(slug="kaos-polos"),
        warehouse=shop["jkt"], payment_methods=["cod", "bank_transfer"],
        payment_instructions="BCA 523-081-2245 a.n. Toko Berkah Jaya")
    page.agents.set([agent])

    phone.goto(phone.base + "/p/kaos/")
    expect(phone.locator("h1")).to_have_text("Kaos Polos – Promo")
    assert _fits(phone)
    expect(phone.locator("input[name=variant][value=KAOS-L]")).to_be_disabled()  # out of stock
    phone.locator("label.sf-variant", has=phone.locator("input[value=KAOS-M]")).click()
    phone.click("button[data-step='1']")  # qty 2
    expect(phone.locator("#id_qty")).to_have_value("2")
    expect(phone.locator("[data-subtotal]")).to_contain_text("Rp 150.000")
    phone.fill("#id_name", "Dewi Lestari")
    phone.fill("#id_phone", "0812 3456 7890")
    phone.fill("#id_address", "Jl. Kenanga 12, Coblong")
    phone.fill("#id_city", "Bandung")
    phone.locator("label.sf-method", has=phone.locator("input[value=bank_transfer]")).click()
    phone.click("button.sf-submit")
    phone.wait_for_url("**/p/kaos/thanks/**")

    order = Order.objects.get()
    assert order.assigned_agent == agent and order.channel == "landing_page"
    assert order.recipient_phone == "+6281234567890" and order.total == 150000
    expect(phone.locator("[data-reference]")).to_have_text(order.reference)
    expect(phone.locator("body")).to_contain_text("BCA 523-081-2245")
    expect(phone.locator("[data-order-link]")).to_have_attribute("href", phone.base + order_link_url(order))
    assert _fits(phone)

    phone.reload()  # a refresh of the thank-you page sends nothing again
    expect(phone.locator("[data-reference]")).to_have_text(order.reference)
    assert Order.objects.count() == 1
