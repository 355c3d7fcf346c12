"""Issue 14's walk in a real browser, in Indonesian: a buyer on a phone (390 px) picks her
district (kecamatan) on the landing page and sees the shipping cost and the total change;
the agent (1440 px) confirms her order with the cost it carries, and is asked for the
courier and cost of an order that has none; the warehouse (1440 px) ticks 20 orders on To
ship, books them with the sandbox courier, prints their labels (the PDF's text: AWBs, COD
amounts, districts) and the picking list, types the AWBs of 5 more in the AWB table, and
previews a CSV with one unknown reference and one duplicate AWB: both refused, nothing
written.

TOKODESK_SHOTS=<folder> keeps screenshots (the landing page with its shipping cost, the
confirm dialog, the booking, the AWB table, the CSV preview) and the label PDF there."""

import base64
import io
import os
import re

import pytest
from playwright.sync_api import expect
from pypdf import PdfReader

from tests.browser.conftest import htmx_settled, login, open_page
from tests.browser.test_dispatch import POST_FORM, tick
from tokodesk.catalog.models import Product
from tokodesk.core.money import format_money
from tokodesk.dispatch.booking import cod_amount
from tokodesk.orders.models import Order
from tokodesk.orders.tests.factories import make_order, order_in, run
from tokodesk.shipping.models import Courier, District
from tokodesk.shipping.quote import quote
from tokodesk.shipping.rates_demo import load_demo_rates
from tokodesk.shipping.regions_testing import CILEUNGSI, regions  # noqa: F401
from tokodesk.storefront.models import LandingPage

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = os.environ.get("TOKODESK_SHOTS", "")
DISTRICT = "Cileungsi, Kab. Bogor, Jawa Barat"


def shot(pg, name):
    if SHOTS:
        os.makedirs(SHOTS, exist_ok=True)
        pg.screenshot(path=os.path.join(SHOTS, name), full_page=True)


def rupiah(amount: int) -> str:
    return f"Rp {amount:,}".replace(",", ".")


def squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


def post_for_pdf(page, selector, tool) -> bytes:
    """The dispatch bar's form posted as its button would, the PDF read back by the page."""
    status, content_type, body = page.evaluate(POST_FORM, [selector, tool])
    assert status == 200 and content_type == "application/pdf"
    return base64.b64decode(body)


def pdf_text(document: bytes) -> str:
    return "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(document)).pages)


def confirm_on_the_order_page(page, order, *, choose: str = ""):
    """The order page's Confirm; in its dialog, pick the shipping option `choose` (courier:
    SERVICE) when one is asked. True when the dialog asked for a courier."""
    page.goto(f"{page.base}/orders/{order.reference}/")
    htmx_settled(page)
    page.locator(".detail-actions [data-action=confirm]").first.click()
    dialog = page.locator("#modal")
    badge = page.locator(".detail-head .badge")
    try:
        expect(badge).to_have_text("Dikonfirmasi", timeout=3000)
        return False
    except AssertionError:  # the action asks first (optional inputs): confirm in the dialog
        pass
    expect(dialog).to_be_visible()
    htmx_settled(page)
    options = dialog.locator("input[name=shipping_option]")
    asked = options.count() > 0
    if asked:
        dialog.locator(f"input[name=shipping_option][value='{choose}']").check()
        shot(page, "walk-confirm-asks-shipping-1440.png")
    dialog.locator("[data-confirm-action=confirm], #modal-body button[type=submit]").first.click()
    expect(badge).to_have_text("Dikonfirmasi")
    return asked


def test_buyer_agent_and_warehouse_ship_in_indonesian(browser, live_server, shop, users, regions):  # noqa: F811
    owner = users["owner"]
    load_demo_rates(Courier.objects.all())
    LandingPage.objects.create(
        name="Madu Hutan Asli",
        slug="madu",
        product=Product.objects.get(slug="madu-hutan"),
        warehouse=shop["jkt"],
        payment_methods=["cod"],
    )
    cileungsi = District.objects.get(pk=CILEUNGSI)
    cheapest = quote(cileungsi, 700, warehouse=shop["jkt"], payment_method="cod", value=150000)[0]

    # 1. The buyer, on a phone: the district moves the shipping cost and the total.
    with open_page(
        browser,
        live_server,
        viewport={"width": 390, "height": 844},
        locale="id-ID",
        is_mobile=True,
        has_touch=True,
    ) as phone:
        phone.goto(phone.base + "/p/madu/")
        expect(phone.locator("html")).to_have_attribute("lang", "id")
        expect(phone.locator("[data-shipping-row]")).to_be_hidden()
        total_before = phone.locator("[data-total]").inner_text()
        phone.fill("#id_district_search", "cileungsi")
        option = phone.locator("#district-results li", has_text=DISTRICT)
        expect(option).to_be_visible()
        option.click()
        expect(phone.locator("[data-shipping]")).to_have_text(rupiah(cheapest.price))
        expect(phone.locator("[data-total]")).to_have_text(rupiah(150000 + cheapest.price))
        assert total_before != rupiah(150000 + cheapest.price)
        expect(phone.locator("[data-shipping-detail]")).to_contain_text(cheapest.courier_name)
        assert phone.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
        shot(phone, "walk-landing-shipping-390.png")
        phone.fill("#id_name", "Dewi Lestari")
        phone.fill("#id_phone", "0812 3456 7890")
        phone.fill("#id_address", "Jl. Raya Narogong km 15")
        phone.click("button.sf-submit")
        phone.wait_for_url("**/p/madu/thanks/**")
        expect(phone.locator(".sf-total dd")).to_have_text(rupiah(150000 + cheapest.price))
    bought = Order.objects.get(channel="landing_page")
    assert bought.destination_district_id == CILEUNGSI and bought.shipping_cost == cheapest.price

    # An order to Cileungsi that came in with no courier and no shipping cost.
    unpriced = make_order(owner, method="cod", courier=None, shipping_cost=0)
    Order.objects.filter(pk=unpriced.pk).update(destination_district=cileungsi)
    jne_reg = quote(
        cileungsi,
        1400,
        warehouse=shop["jkt"],
        payment_method="cod",
        value=unpriced.subtotal,
        courier_id=Courier.objects.get(code="jne").pk,
        service="REG",
    )[0]

    # Both are the agent's (agents see the orders assigned to them).
    Order.objects.filter(pk__in=[bought.pk, unpriced.pk]).update(assigned_agent=users["agent"])
    with open_page(
        browser, live_server, viewport={"width": 1440, "height": 900}, locale="id-ID"
    ) as desk:
        # 2. The agent confirms: the buyer's cost is carried, the unpriced order asks.
        login(desk, "agent")
        assert confirm_on_the_order_page(desk, bought) is False  # nothing asked: cost carried
        bought.refresh_from_db()
        assert (bought.status, bought.shipping_cost) == ("confirmed", cheapest.price)
        assert bought.courier.name == cheapest.courier_name
        assert confirm_on_the_order_page(desk, unpriced, choose="jne:REG") is True
        unpriced.refresh_from_db()
        assert (unpriced.status, unpriced.courier.code, unpriced.courier_service) == (
            "confirmed",
            "jne",
            "REG",
        )
        assert (unpriced.shipping_cost, unpriced.total) == (
            jne_reg.price,
            unpriced.subtotal + jne_reg.price,
        )
        desk.context.clear_cookies()  # signed out: the warehouse signs in next

        # 3. The warehouse: 20 orders (the buyer's among them) booked with the sandbox.
        run(bought, "mark_ready", owner)
        others = [order_in("ready_to_ship", owner) for _ in range(19)]
        for i, order in enumerate(others):
            Order.objects.filter(pk=order.pk).update(
                destination_address=f"Jl. Raya Cileungsi No. {i + 1}",
                destination_district=cileungsi,
                destination_city="",
            )
        booked = [bought, *others]
        typed = [order_in("ready_to_ship", owner) for _ in range(5)]
        imported = [order_in("ready_to_ship", owner) for _ in range(2)]
        login(desk, "warehouse")
        desk.goto(desk.base + "/orders/?tab=to_ship&limit=100")
        expect(desk.locator("html")).to_have_attribute("lang", "id")
        htmx_settled(desk)
        tick(desk, booked)
        expect(desk.locator("#dispatch-bar [data-dispatch-count]")).to_have_text("20")
        desk.click("#dispatch-bar [data-dispatch=book]")
        expect(desk.locator("[data-dispatch-book] tr[data-reference]")).to_have_count(20)
        desk.select_option("select[name=adapter]", "sandbox")
        shot(desk, "walk-book-1440.png")
        desk.click("[data-book-submit]")
        expect(desk.locator("[data-shipped]")).to_have_attribute("data-shipped", "20")
        fresh = {o.reference: Order.objects.get(pk=o.pk) for o in booked}
        assert all(o.status == "awaiting_pickup" and o.awb for o in fresh.values())

        # Labels: every AWB, every COD amount to collect, the district with its postal code.
        labels = post_for_pdf(desk, "form:has([data-print-labels])", "labels")
        if SHOTS:
            with open(os.path.join(SHOTS, "walk-labels.pdf"), "wb") as fh:
                fh.write(labels)
        text = squash(pdf_text(labels))
        assert len(PdfReader(io.BytesIO(labels)).pages) == 20
        for order in fresh.values():
            assert order.awb in text and order.reference in text
            assert squash(format_money(cod_amount(order), order.currency)) in text
        assert text.count(squash(f"{DISTRICT} 16820")) == 20
        assert "Jl.RayaNarogongkm15" in text  # the buyer's own address
        picking = pdf_text(post_for_pdf(desk, "form:has([data-print-picking])", "picking"))
        assert "Gudang Jakarta" in picking and "MADU-500" in picking
        assert "39" in picking  # 19 orders × 2 jars + the buyer's 1

        # 4. Five AWBs typed in the table, the scanner's Enter moving down the rows.
        desk.goto(desk.base + "/orders/?tab=to_ship&limit=100")
        htmx_settled(desk)
        tick(desk, typed)
        desk.click("#dispatch-bar [data-dispatch=awb]")
        inputs = desk.locator("[data-awb-input]")
        expect(inputs).to_have_count(5)
        inputs.first.focus()
        for i in range(5):
            desk.keyboard.type(f"JP77000000{i:02d}")
            desk.keyboard.press("Enter")
            if i < 4:
                expect(inputs.nth(i + 1)).to_be_focused()
        expect(desk.locator("[data-awb-submit]")).to_be_focused()
        shot(desk, "walk-awb-table-1440.png")
        desk.click("[data-awb-submit]")
        expect(desk.locator("[data-shipped]")).to_have_attribute("data-shipped", "5")
        assert sorted(Order.objects.get(pk=o.pk).awb for o in typed) == [
            f"JP77000000{i:02d}" for i in range(5)
        ]

        # 5. A CSV with an unknown reference and a duplicate AWB: both refused, nothing written.
        desk.goto(desk.base + "/orders/?tab=to_ship&limit=100")
        htmx_settled(desk)
        tick(desk, imported)
        desk.click("#dispatch-bar [data-dispatch=csv]")
        csv = (
            f"reference,courier,awb\n{imported[0].reference},jne,CSV-7001\n"
            f"ORD-TIDAK-ADA,jne,CSV-7002\n{imported[1].reference},jnt,CSV-7001\n"
        )
        desk.set_input_files(
            "input[name=file]",
            files=[{"name": "resi.csv", "mimeType": "text/csv", "buffer": csv.encode()}],
        )
        desk.click("[data-csv-preview]")
        expect(desk.locator("[data-csv-refused]")).to_have_attribute("data-csv-refused", "2")
        expect(desk.locator("tr[data-refused-row]")).to_have_count(2)
        expect(desk.locator("[data-csv-apply]")).to_have_count(0)
        shot(desk, "walk-csv-preview-1440.png")
        for order in imported:
            order.refresh_from_db()
            assert (order.awb, order.status) == ("", "ready_to_ship")
