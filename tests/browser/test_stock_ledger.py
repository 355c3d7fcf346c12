"""Stock in Indonesian, in a real browser: the warehouse clerk receives two lines into
Jakarta, transfers some to Surabaya, runs a stocktake with one difference and posts it,
and the ledger shows every step with who and why."""

import os

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import login, open_page
from tokodesk.catalog.models import Stock, StockMovement
from tokodesk.catalog.services.ledger import open_ledger, stock_differences

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = os.environ.get("TOKODESK_SHOTS", "")


def _shot(pg, name):
    if SHOTS:
        os.makedirs(SHOTS, exist_ok=True)
        pg.screenshot(path=os.path.join(SHOTS, name), full_page=True)


def on_hand(sku, wh):
    return Stock.objects.get(variant__sku=sku, warehouse__code=wh).on_hand


@pytest.mark.parametrize("width", [1440, 390])
def test_receive_transfer_stocktake_in_the_ledger(browser, live_server, shop, users, width):
    open_ledger()
    with open_page(
        browser, live_server, viewport={"width": width, "height": 900}, locale="id-ID"
    ) as page:
        login(page, "warehouse")
        page.goto(page.base + "/stock/")
        expect(page.locator("nav.mainnav a[href='/stock/']")).to_have_class("active")

        # Receive two lines into Jakarta from a supplier.
        page.goto(page.base + "/stock/receive/")
        page.select_option("select[name=warehouse]", "jkt")
        page.fill("input[name=supplier]", "CV Kain Jaya")
        page.fill("input[name=sku-0]", "KAOS-M")
        page.fill("input[name=qty-0]", "20")
        page.fill("input[name=unit_cost-0]", "40000")
        page.fill("input[name=sku-1]", "KAOS-L")
        page.fill("input[name=qty-1]", "10")
        _shot(page, f"stock-receive-{width}.png")
        page.click("#receive-form button[type=submit]")
        page.wait_for_url("**/stock/?warehouse=jkt")
        assert (on_hand("KAOS-M", "jkt"), on_hand("KAOS-L", "jkt")) == (120, 110)

        # A wrong line is shown next to its field and nothing moves.
        page.goto(page.base + "/stock/transfer/")
        page.select_option("select[name=from]", "jkt")
        page.select_option("select[name=to]", "sby")
        page.fill("input[name=sku-0]", "KAOS-M")
        page.fill("input[name=qty-0]", "500")
        page.click("#transfer-form button[type=submit]")
        expect(page.locator(".msg.error")).to_be_visible()
        assert on_hand("KAOS-M", "jkt") == 120
        page.fill("input[name=qty-0]", "15")
        _shot(page, f"stock-transfer-{width}.png")
        page.click("#transfer-form button[type=submit]")
        page.wait_for_url("**/stock/?kind=transfer_in&warehouse=sby")
        assert (on_hand("KAOS-M", "jkt"), on_hand("KAOS-M", "sby")) == (105, 15)

        # Stocktake in Jakarta: KAOS-L is two short on the shelf.
        page.goto(page.base + "/stock/stocktakes/")
        page.select_option("#stocktake-start select[name=warehouse]", "jkt")
        page.fill("#stocktake-start input[name=note]", "Opname bulanan")
        page.click("#stocktake-start button[type=submit]")
        page.wait_for_url("**/stock/stocktakes/*/")
        row = page.locator("tr[data-sku='KAOS-L']")
        row.locator("input.count-input").fill("108")
        page.locator("tr[data-sku='KAOS-M'] input.count-input").fill("105")
        page.click("#stocktake-form button[value=count]")
        page.wait_for_url("**/stock/stocktakes/*/")
        expect(page.locator("tr[data-sku='KAOS-L'] td.diff")).to_have_text("-2")
        expect(page.locator("tr[data-sku='KAOS-M'] td.diff")).to_have_text("0")
        _shot(page, f"stock-stocktake-{width}.png")
        page.click("#stocktake-post")
        page.wait_for_url("**/stock/stocktakes/*/")
        assert on_hand("KAOS-L", "jkt") == 108

        # The ledger: every step with who and why.
        page.goto(page.base + "/stock/?warehouse=jkt")
        rows = page.locator("#ledger tbody tr")
        stocktake = page.locator("#ledger tr[data-kind='stocktake']")
        expect(stocktake).to_have_count(1)
        expect(stocktake.locator(".who-cell")).to_have_text("warehouse")
        expect(stocktake.locator(".why-cell")).to_have_text("Opname bulanan")
        receipts = page.locator("#ledger tr[data-kind='receipt']")
        expect(receipts).to_have_count(2)
        expect(receipts.first.locator(".why-cell")).to_have_text("CV Kain Jaya")
        expect(page.locator("#ledger tr[data-kind='transfer_out'] .why-cell")).to_have_text(
            "jkt → sby"
        )
        expect(rows.first).to_have_attribute("data-kind", "stocktake")
        _shot(page, f"stock-ledger-{width}.png")
    assert set(
        StockMovement.objects.exclude(kind="opening").values_list("actor__username", flat=True)
    ) == {"warehouse"}
    assert stock_differences() == []
