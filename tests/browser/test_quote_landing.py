"""Issue 14: a buyer on a phone (390 px, Indonesian) types a district on the landing page,
picks it, and sees the shipping cost and the total change before sending; the order, the
thank-you page carry the same cost."""

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import open_page
from tokodesk.catalog.models import Product
from tokodesk.orders.models import Order
from tokodesk.shipping.models import Courier, District
from tokodesk.shipping.quote import quote
from tokodesk.shipping.rates_demo import load_demo_rates
from tokodesk.shipping.regions_testing import CILEUNGSI, regions  # noqa: F401
from tokodesk.storefront.models import LandingPage

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def phone(browser, live_server):
    with open_page(
        browser,
        live_server,
        viewport={"width": 390, "height": 844},
        locale="id-ID",
        is_mobile=True,
        has_touch=True,
        device_scale_factor=2,
    ) as pg:
        yield pg


def test_buyer_picks_a_district_and_sees_shipping_and_total(phone, shop, regions, tmp_path):  # noqa: F811
    load_demo_rates(Courier.objects.all())
    LandingPage.objects.create(
        name="Madu Hutan Asli",
        slug="madu",
        product=Product.objects.get(slug="madu-hutan"),
        warehouse=shop["jkt"],
        payment_methods=["cod"],
    )
    cileungsi = District.objects.get(pk=CILEUNGSI)
    one = quote(cileungsi, 700, warehouse=shop["jkt"], payment_method="cod", value=150000)[0]
    two = quote(cileungsi, 1400, warehouse=shop["jkt"], payment_method="cod", value=300000)[0]
    assert two.price > one.price  # 1.4 kg is 2 kg: the cost must move with the quantity

    phone.goto(phone.base + "/p/madu/")
    expect(phone.locator("[data-shipping-row]")).to_be_hidden()
    phone.fill("#id_district_search", "cileungsi")
    option = phone.locator("#district-results li", has_text="Cileungsi, Kab. Bogor, Jawa Barat")
    expect(option).to_be_visible()
    option.click()
    expect(phone.locator("[data-shipping]")).to_have_text(f"Rp {one.price:,}".replace(",", "."))
    expect(phone.locator("[data-total]")).to_have_text(
        f"Rp {150000 + one.price:,}".replace(",", ".")
    )
    expect(phone.locator("[data-shipping-detail]")).to_contain_text(one.courier_name)
    phone.screenshot(path=str(tmp_path / "landing-shipping-390.png"), full_page=True)

    phone.click("button[data-step='1']")  # 2 jars: 1.4 kg
    expect(phone.locator("[data-shipping]")).to_have_text(f"Rp {two.price:,}".replace(",", "."))
    expect(phone.locator("[data-total]")).to_have_text(
        f"Rp {300000 + two.price:,}".replace(",", ".")
    )
    assert phone.evaluate("document.documentElement.scrollWidth <= window.innerWidth")

    phone.fill("#id_name", "Dewi Lestari")
    phone.fill("#id_phone", "0812 3456 7890")
    phone.fill("#id_address", "Jl. Raya Narogong km 15, Cileungsi")
    phone.click("button.sf-submit")
    phone.wait_for_url("**/p/madu/thanks/**")
    order = Order.objects.get()
    assert order.destination_district_id == CILEUNGSI
    assert (order.shipping_cost, order.total) == (two.price, 300000 + two.price)
    assert order.courier.name == two.courier_name and order.courier_service == two.service
    expect(phone.locator(".sf-total dd")).to_have_text(
        f"Rp {300000 + two.price:,}".replace(",", ".")
    )
