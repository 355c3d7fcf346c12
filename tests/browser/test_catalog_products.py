"""Katalog in Indonesian, in a real browser: the owner creates a product with three
variants, finds it in the list and on its page, and the manual order and the landing page
editor offer it with the same availability."""

import os
import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import login, open_page
from tokodesk.catalog.models import Product, Stock

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = os.environ.get("TOKODESK_SHOTS", "")


def _shot(pg, name):
    if SHOTS:
        os.makedirs(SHOTS, exist_ok=True)
        pg.screenshot(path=os.path.join(SHOTS, name), full_page=True)


@pytest.mark.parametrize("width", [1440, 390])
def test_create_a_product_with_three_variants_in_indonesian(
    browser, live_server, shop, users, width
):
    with open_page(
        browser, live_server, viewport={"width": width, "height": 900}, locale="id-ID"
    ) as page:
        login(page, "owner")
        page.goto(page.base + "/catalog/")
        page.click("#new-product")
        page.wait_for_url("**/catalog/new/")
        page.fill("#id_name", "Kemeja Batik")
        page.fill("#id_category", "Pakaian")
        rows = page.locator("[data-variant-row]")
        expect(rows).to_have_count(1)
        page.click("#add-variant")
        page.click("#add-variant")
        expect(rows).to_have_count(3)
        for i, (sku, size, price) in enumerate(
            [("BATIK-S", "S", "120000"), ("BATIK-M", "M", "120000"), ("BATIK-L", "L", "125000")]
        ):
            page.fill(f"#id_v-{i}-sku", sku)
            page.fill(f"#id_v-{i}-options", f"size={size}")
            page.fill(f"#id_v-{i}-price", price)
        _shot(page, f"product-edit-{width}.png")
        page.click("#save-product")
        page.wait_for_url(re.compile(r".*/catalog/\d+/$"))
        product = Product.objects.get(name="Kemeja Batik")
        assert sorted(product.variants.values_list("sku", flat=True)) == [
            "BATIK-L",
            "BATIK-M",
            "BATIK-S",
        ]
        expect(page.locator("#variants tbody tr")).to_have_count(3)
        expect(page.locator("h1")).to_have_text("Kemeja Batik")

        # Goods arrive in Jakarta (the stock ledger's receipt): the stock grid shows them.
        from tokodesk.catalog.services.stock_ops import receive_stock

        receive_stock(actor=None, warehouse="jkt", lines=[{"sku": "BATIK-M", "qty": 7}])
        page.reload()
        cell = page.locator('#stock-grid tr[data-sku="BATIK-M"] td[data-available]')
        expect(cell).to_have_attribute("data-available", "7")
        _shot(page, f"product-{width}.png")

        page.goto(page.base + "/catalog/?q=BATIK")
        expect(page.locator('#products tr[data-slug="kemeja-batik"]')).to_have_count(1)
        _shot(page, f"catalog-{width}.png")

        # The manual order offers it from Jakarta with the same availability.
        page.goto(page.base + "/orders/new/")
        page.select_option("#id_warehouse", "jkt")
        page.wait_for_function(
            "() => !!document.querySelector('#lines-body select[name=sku] option[value=\"BATIK-M\"]')"
        )
        stock = Stock.objects.get(variant__sku="BATIK-M", warehouse=shop["jkt"])
        assert stock.available == 7

        if SHOTS:
            Stock.objects.filter(variant__sku="BATIK-M").update(reorder_point=10)
            for path, name in [
                ("/catalog/warehouses/", "warehouses"),
                ("/catalog/low-stock/", "low-stock"),
                ("/catalog/import/", "import"),
            ]:
                page.goto(page.base + path)
                _shot(page, f"{name}-{width}.png")

        # The landing page editor lists the product.
        page.goto(page.base + "/landing-pages/new/")
        expect(page.locator("#id_product option", has_text="Kemeja Batik")).to_have_count(1)
