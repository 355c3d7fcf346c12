"""Issue 13's walk, in a real browser and in Indonesian: the owner creates a product with
three variants, receives it into two warehouses, transfers some, runs a stocktake with one
difference, sells one through a landing page (the editor shows the availability), sees
reserved / available change on the product page when the order is confirmed, cancels it
and sees the stock released — and the ledger shows every step with who and why."""

import os
import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import htmx_settled, login, open_page
from tokodesk.catalog.models import Stock, StockMovement
from tokodesk.catalog.services.ledger import open_ledger, stock_differences
from tokodesk.orders.models import Order

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = os.environ.get("TOKODESK_SHOTS", "")


def _shot(pg, name):
    if SHOTS:
        os.makedirs(SHOTS, exist_ok=True)
        pg.screenshot(path=os.path.join(SHOTS, name), full_page=True)


def cell(page, sku, wh):
    """The product page's stock grid cell of one variant in one warehouse."""
    column = page.locator(f"#stock-grid thead th[data-warehouse='{wh}']")
    index = page.locator("#stock-grid thead th").evaluate_all(
        "(ths, wh) => ths.findIndex(th => th.dataset.warehouse === wh)", wh
    )
    expect(column).to_have_count(1)
    return page.locator(f"#stock-grid tbody tr[data-sku='{sku}'] td").nth(index)


def stock(sku, wh):
    row = Stock.objects.get(variant__sku=sku, warehouse__code=wh)
    return row.on_hand, row.reserved


def receive(page, wh, supplier, lines):
    page.goto(page.base + "/stock/receive/")
    page.select_option("select[name=warehouse]", wh)
    page.fill("input[name=supplier]", supplier)
    for i, (sku, qty) in enumerate(lines):
        page.fill(f"input[name=sku-{i}]", sku)
        page.fill(f"input[name=qty-{i}]", str(qty))
    page.click("#receive-form button[type=submit]")
    page.wait_for_url(f"**/stock/?warehouse={wh}")


def test_catalog_walk_in_indonesian(browser, live_server, shop, users):
    open_ledger()
    with open_page(
        browser, live_server, viewport={"width": 1440, "height": 900}, locale="id-ID"
    ) as page:
        # The server's first request imports every URL and API schema: on a loaded machine
        # that alone can take longer than a step's timeout.
        page.goto(page.base + "/accounts/login/", timeout=120_000)
        login(page, "owner")

        # 1. A product with three variants.
        page.goto(page.base + "/catalog/new/")
        page.fill("#id_name", "Kemeja Batik")
        page.click("#add-variant")
        page.click("#add-variant")
        for i, (sku, size) in enumerate([("BATIK-S", "S"), ("BATIK-M", "M"), ("BATIK-L", "L")]):
            page.fill(f"#id_v-{i}-sku", sku)
            page.fill(f"#id_v-{i}-options", f"size={size}")
            page.fill(f"#id_v-{i}-price", "120000")
        page.click("#save-product")
        page.wait_for_url(re.compile(r".*/catalog/\d+/$"))
        product_url = page.url
        expect(page.locator("#variants tbody tr")).to_have_count(3)

        # 2. Receipts into Jakarta and Surabaya.
        receive(
            page, "jkt", "CV Batik Pekalongan", [("BATIK-S", 10), ("BATIK-M", 10), ("BATIK-L", 5)]
        )
        receive(page, "sby", "CV Batik Solo", [("BATIK-M", 3)])
        assert [stock(s, "jkt")[0] for s in ("BATIK-S", "BATIK-M", "BATIK-L")] == [10, 10, 5]

        # 3. A transfer: four BATIK-M from Jakarta to Surabaya.
        page.goto(page.base + "/stock/transfer/")
        page.select_option("select[name=from]", "jkt")
        page.select_option("select[name=to]", "sby")
        page.fill("input[name=sku-0]", "BATIK-M")
        page.fill("input[name=qty-0]", "4")
        page.click("#transfer-form button[type=submit]")
        page.wait_for_url("**/stock/?kind=transfer_in&warehouse=sby")
        assert (stock("BATIK-M", "jkt")[0], stock("BATIK-M", "sby")[0]) == (6, 7)

        # 4. A stocktake in Jakarta: one BATIK-S missing from the shelf.
        page.goto(page.base + "/stock/stocktakes/")
        page.select_option("#stocktake-start select[name=warehouse]", "jkt")
        page.fill("#stocktake-start input[name=note]", "Opname akhir bulan")
        page.click("#stocktake-start button[type=submit]")
        page.wait_for_url("**/stock/stocktakes/*/")
        for sku, counted in [("BATIK-S", 9), ("BATIK-M", 6), ("BATIK-L", 5)]:
            page.locator(f"tr[data-sku='{sku}'] input.count-input").fill(str(counted))
        page.click("#stocktake-form button[value=count]")
        page.wait_for_url("**/stock/stocktakes/*/")
        expect(page.locator("tr[data-sku='BATIK-S'] td.diff")).to_have_text("-1")
        expect(page.locator("tr[data-sku='BATIK-M'] td.diff")).to_have_text("0")
        page.click("#stocktake-post")
        page.wait_for_url("**/stock/stocktakes/*/")
        assert stock("BATIK-S", "jkt") == (9, 0)

        # 5. A landing page for it: the editor shows what Jakarta has available.
        page.goto(page.base + "/landing-pages/new/")
        page.fill("#id_name", "Kemeja Batik – Promo")
        page.fill("#id_slug", "batik")
        page.select_option("#id_product", label="Kemeja Batik")
        page.select_option("#id_warehouse", label="Gudang Jakarta")
        htmx_settled(page)
        avail = page.locator("#lp-availability tr[data-sku='BATIK-M'] td[data-available]")
        expect(avail).to_have_attribute("data-available", "6")
        expect(
            page.locator("#lp-availability tr[data-sku='BATIK-S'] td[data-available]")
        ).to_have_attribute("data-available", "9")
        page.check("#fs-payment_methods input[value=cod]")
        page.click("form.panel button[type=submit]")
        page.wait_for_url("**/landing-pages/")

        # 6. A buyer orders one BATIK-M on the landing page (another browser).
        with open_page(
            browser, live_server, viewport={"width": 390, "height": 844}, locale="id-ID"
        ) as buyer:
            buyer.goto(buyer.base + "/p/batik/")
            buyer.locator("label.sf-variant", has=buyer.locator("input[value=BATIK-M]")).click()
            buyer.fill("#id_name", "Dewi Lestari")
            buyer.fill("#id_phone", "0812 3456 7890")
            buyer.fill("#id_address", "Jl. Kenanga 12, Coblong")
            buyer.fill("#id_city", "Bandung")
            buyer.locator("label.sf-method", has=buyer.locator("input[value=cod]")).click()
            buyer.click("button.sf-submit")
            buyer.wait_for_url("**/p/batik/thanks/**")
        order = Order.objects.get(channel="landing_page")

        # 7. Confirming it reserves the one: the product page shows it.
        page.goto(f"{page.base}/orders/{order.reference}/")
        htmx_settled(page)
        page.locator(".detail-actions [data-action=confirm]").first.click()
        dialog = page.locator("#modal")
        confirm_step = dialog.locator(
            "[data-confirm-action=confirm], #modal-body button[type=submit]"
        )
        try:
            expect(page.locator(".detail-head .badge")).to_have_text("Dikonfirmasi", timeout=3000)
        except AssertionError:  # the action asks first (optional inputs): confirm in the modal
            htmx_settled(page)
            confirm_step.first.click()
            expect(page.locator(".detail-head .badge")).to_have_text("Dikonfirmasi")
        assert stock("BATIK-M", "jkt") == (6, 1)
        page.goto(product_url)
        c = cell(page, "BATIK-M", "jkt")
        expect(c).to_have_attribute("data-reserved", "1")
        expect(c).to_have_attribute("data-available", "5")
        expect(cell(page, "BATIK-M", "sby")).to_have_attribute("data-available", "7")
        _shot(page, "walk-product-reserved.png")

        # 8. Cancelling it releases the reservation.
        page.goto(f"{page.base}/orders/{order.reference}/")
        htmx_settled(page)
        actions = page.locator(".detail-actions")
        actions.locator("details[data-action-menu] summary").click()
        actions.locator("[data-action=cancel]").click()
        expect(dialog).to_be_visible()
        htmx_settled(page)
        dialog.locator("textarea[name=reason]").fill("Pembeli membatalkan lewat WhatsApp")
        dialog.locator("[data-confirm-action=cancel]").click()
        expect(page.locator(".detail-head .badge")).to_have_text("Dibatalkan")
        page.goto(product_url)
        c = cell(page, "BATIK-M", "jkt")
        expect(c).to_have_attribute("data-reserved", "0")
        expect(c).to_have_attribute("data-available", "6")

        # 9. The ledger of BATIK-M and BATIK-S: every step, who and why.
        page.goto(page.base + "/stock/?sku=BATIK-M")
        ledger = page.locator("#ledger tbody tr")
        kinds = ledger.evaluate_all(
            "rows => rows.map(r => r.dataset.kind + '@' + r.cells[1].innerText)"
        )
        assert kinds == [
            "release@jkt",
            "reservation@jkt",
            "transfer_in@sby",
            "transfer_out@jkt",
            "receipt@sby",
            "receipt@jkt",
        ], kinds
        for row in ledger.all():
            expect(row.locator(".who-cell")).to_have_text("owner")
        expect(page.locator("#ledger tr[data-kind='release'] .why-cell")).to_have_text(
            "Pembeli membatalkan lewat WhatsApp"
        )
        for kind in ("reservation", "release"):
            expect(page.locator(f"#ledger tr[data-kind='{kind}'] a")).to_have_text(order.reference)
        expect(page.locator("#ledger tr[data-kind='transfer_out'] .why-cell")).to_have_text(
            "jkt → sby"
        )
        expect(
            page.locator("#ledger tr[data-kind='receipt']", has_text="sby").locator(".why-cell")
        ).to_have_text("CV Batik Solo")
        _shot(page, "walk-ledger.png")

        page.goto(page.base + "/stock/?sku=BATIK-S")
        take = page.locator("#ledger tr[data-kind='stocktake']")
        expect(take).to_have_count(1)
        expect(take.locator(".who-cell")).to_have_text("owner")
        expect(take.locator(".why-cell")).to_have_text("Opname akhir bulan")
        expect(take.locator("td").nth(4)).to_have_text("-1")

    actors = set(
        StockMovement.objects.filter(variant__sku__startswith="BATIK-").values_list(
            "actor__username", flat=True
        )
    )
    assert actors == {"owner"}
    assert stock_differences() == []
