"""The warehouse's dispatch in a real browser, in Indonesian at 1440 px (issue 14): on To ship
it ticks 20 orders and books them with the sandbox courier, prints their labels (the PDF's
text: AWBs, COD amounts, addresses) and the picking list; types the AWBs of 5 more in the AWB
table (Enter goes to the next row, as a scanner does); and previews a CSV with one unknown
reference and one duplicate AWB: those two refused, nothing written."""

import base64
import io
import re

import pytest
from playwright.sync_api import expect
from pypdf import PdfReader

from tests.browser.conftest import htmx_settled, login, open_page
from tokodesk.orders.models import Order
from tokodesk.orders.tests.factories import order_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# The dispatch form posted as the button would, read back by the page's own fetch (a PDF in a
# new tab is a download in headless Chromium, which a test cannot read reliably).
POST_FORM = """async ([selector, tool]) => {
  const form = document.querySelector(selector);
  const data = new FormData(form);
  data.set("tool", tool);
  const r = await fetch(form.action, {method: "POST", body: data, credentials: "same-origin"});
  const bytes = new Uint8Array(await r.arrayBuffer());
  let s = ""; for (const b of bytes) { s += String.fromCharCode(b); }
  return [r.status, r.headers.get("content-type"), btoa(s)];
}"""


@pytest.fixture
def page_id(browser, live_server):
    with open_page(
        browser, live_server, viewport={"width": 1440, "height": 900}, locale="id-ID"
    ) as pg:
        yield pg


def pdf_text(page, selector, tool) -> str:
    status, content_type, body = page.evaluate(POST_FORM, [selector, tool])
    assert status == 200 and content_type == "application/pdf"
    reader = PdfReader(io.BytesIO(base64.b64decode(body)))
    return "\n".join(p.extract_text() for p in reader.pages)


def tick(page, orders):
    for order in orders:
        page.check(f"input.rowcheck[value='{order.reference}']")


def test_book_print_type_and_import_awbs(page_id, shop, users):
    page = page_id
    owner = users["owner"]
    booked = [order_in("ready_to_ship", owner) for _ in range(20)]
    for i, order in enumerate(booked):
        Order.objects.filter(pk=order.pk).update(
            destination_address=f"Jl. Raya Cileungsi No. {i + 1}",
            destination_city="Cileungsi, Kab. Bogor",
        )
    typed = [order_in("ready_to_ship", owner) for _ in range(5)]
    imported = [order_in("ready_to_ship", owner) for _ in range(2)]
    login(page, "warehouse")
    page.goto(page.base + "/orders/?tab=to_ship&limit=100")
    expect(page.locator("html")).to_have_attribute("lang", "id")
    htmx_settled(page)

    # Book 20 with the sandbox.
    tick(page, booked)
    expect(page.locator("#dispatch-bar [data-dispatch-count]")).to_have_text("20")
    page.click("#dispatch-bar [data-dispatch=book]")
    expect(page.locator("[data-dispatch-book] tr[data-reference]")).to_have_count(20)
    expect(page.locator("[data-dispatch-book] tbody")).to_contain_text("Siap Dikirim")
    page.screenshot(path="/tmp/shots/ship2/book-1440.png", full_page=True)
    page.select_option("select[name=adapter]", "sandbox")
    page.click("[data-book-submit]")
    expect(page.locator("[data-shipped]")).to_have_attribute("data-shipped", "20")
    page.screenshot(path="/tmp/shots/ship2/booked-1440.png", full_page=True)
    awbs = {o.reference: Order.objects.get(pk=o.pk).awb for o in booked}
    assert all(re.fullmatch(r"\d{16}", awb) for awb in awbs.values())  # JNE-shaped
    assert all(Order.objects.get(pk=o.pk).status == "awaiting_pickup" for o in booked)
    first = booked[0].reference
    expect(page.locator(f"[data-booked] tr[data-reference='{first}'] td.awb")).to_have_text(
        awbs[first]
    )

    # Labels and the picking list of the booked ones.
    text = pdf_text(page, "form:has([data-print-labels])", "labels").replace(" ", "")
    assert all(awb in text for awb in awbs.values())
    assert (
        text.count("Rp") >= 20 and f"{booked[0].total:,}".replace(",", ".") in text
    )  # COD to collect
    assert "Jl.RayaCileungsiNo.20" in text and "Cileungsi,Kab.Bogor" in text
    picking = pdf_text(page, "form:has([data-print-picking])", "picking")
    assert (
        "Gudang Jakarta" in picking and "MADU-500" in picking and "40" in picking
    )  # 20 orders × 2

    # Type 5 AWBs in the table, the scanner's Enter moving down the rows.
    page.goto(page.base + "/orders/?tab=to_ship&limit=100")
    htmx_settled(page)
    tick(page, typed)
    page.click("#dispatch-bar [data-dispatch=awb]")
    inputs = page.locator("[data-awb-input]")
    expect(inputs).to_have_count(5)
    inputs.first.focus()
    for i in range(5):
        page.keyboard.type(f"JP99000000{i:02d}")
        page.keyboard.press("Enter")
        if i < 4:
            expect(inputs.nth(i + 1)).to_be_focused()
    expect(page.locator("[data-awb-submit]")).to_be_focused()
    page.screenshot(path="/tmp/shots/ship2/awb-table-1440.png", full_page=True)
    page.click("[data-awb-submit]")
    expect(page.locator("[data-shipped]")).to_have_attribute("data-shipped", "5")
    # (the table lists them in the page's order: each typed AWB is on one of the five)
    got = sorted(Order.objects.get(pk=o.pk).awb for o in typed)
    assert got == [f"JP99000000{i:02d}" for i in range(5)]

    # A CSV with an unknown reference and a duplicate AWB: both refused, nothing written.
    page.goto(page.base + "/orders/?tab=to_ship&limit=100")
    htmx_settled(page)
    tick(page, imported)
    page.click("#dispatch-bar [data-dispatch=csv]")
    csv = (
        f"reference,courier,awb\n{imported[0].reference},jne,CSV-0001\nORD-TIDAK-ADA,jne,CSV-0002\n"
        f"{imported[1].reference},jnt,CSV-0001\n"
    )
    page.set_input_files(
        "input[name=file]",
        files=[{"name": "resi.csv", "mimeType": "text/csv", "buffer": csv.encode()}],
    )
    page.click("[data-csv-preview]")
    expect(page.locator("[data-csv-refused]")).to_have_attribute("data-csv-refused", "2")
    expect(page.locator("tr[data-refused-row]")).to_have_count(2)
    expect(page.locator("[data-csv-apply]")).to_have_count(0)
    page.screenshot(path="/tmp/shots/ship2/csv-preview-1440.png", full_page=True)
    assert all(Order.objects.get(pk=o.pk).awb == "" for o in imported)
    assert all(Order.objects.get(pk=o.pk).status == "ready_to_ship" for o in imported)
