"""Tambah Pesanan in a real browser: a customer, two products, shipping, create."""

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import htmx_settled, login
from tokodesk.orders.models import Order

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_create_a_manual_order_with_two_products(page, shop, users):
    login(page, "agent")
    page.goto(page.base + "/orders/new/")
    page.fill("#id_phone", "0812 3456 7890")
    page.fill("#id_name", "Dewi Lestari")
    page.fill("#id_address", "Jl. Kenanga 12, Bandung")
    page.fill("#id_city", "Bandung")
    page.select_option("#id_warehouse", "jkt")
    htmx_settled(page)
    rows = page.locator("#lines-body [data-line]")
    rows.nth(0).locator("select[name=sku]").select_option("MADU-500")
    rows.nth(0).locator("input[name=qty]").fill("2")
    page.click("#add-line")
    expect(rows).to_have_count(2)
    rows.nth(1).locator("select[name=sku]").select_option("KAOS-M")
    rows.nth(1).locator("input[name=qty]").fill("1")
    page.select_option("#id_courier", "jne")
    page.fill("#id_shipping_cost", "18000")
    page.check("input[name=payment_method][value=cod]")
    expect(page.locator("[data-total=subtotal]")).to_have_text("Rp 375.000")
    page.click("#create-order")
    page.wait_for_url("**/orders/ORD-*/")
    order = Order.objects.get()
    assert order.channel == "manual" and order.payment_method == "cod"
    assert order.assigned_agent == users["agent"]
    assert sorted((line.sku, line.qty) for line in order.lines.all()) == [("KAOS-M", 1), ("MADU-500", 2)]
    assert order.total == 375000 + 18000
    expect(page.locator("body")).to_contain_text(order.reference)
