"""COD in Indonesian (issue 12 item 1, issue 15): a delivered COD order shows the courier's
cash as paid, remittance pending, and its return completes with a refund in the browser;
the owner imports a courier's remittance report (mapping, preview, post) and sees the
outstanding COD fall on the reconciliation page."""

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import htmx_settled, login, open_page
from tokodesk.orders.tests.factories import order_in
from tokodesk.payments.models import Remittance
from tokodesk.payments.tests.factories import TOTAL, cod_orders, report_csv
from tokodesk.returns.models import Refund
from tokodesk.returns.services import return_create
from tokodesk.returns.tests.factories import act, return_data

pytestmark = pytest.mark.browser


@pytest.fixture
def page_id(browser, live_server):
    with open_page(
        browser, live_server, viewport={"width": 1440, "height": 900}, locale="id-ID"
    ) as pg:
        yield pg


def test_return_on_a_delivered_cod_order_completes_with_a_refund(
    page_id, shop, users, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    page, owner = page_id, users["owner"]
    order = order_in("delivered", owner)  # COD, 2 × Madu 150 000 + ongkir 18 000
    ret = act(
        return_create(data=return_data(order, lines=[("MADU-500", 1)]), actor=owner),
        "approve",
        owner,
    )
    ret = act(ret, "receive", owner, lines=[{"sku": "MADU-500", "qty": 1, "condition": "damaged"}])
    login(page, "owner")

    page.goto(page.base + f"/orders/{order.reference}/")
    expect(page.locator("html")).to_have_attribute("lang", "id")
    payments = page.locator("[data-section=payments]")
    expect(payments.locator("[data-cod-remittance=pending]")).to_be_visible()
    expect(page.locator("[data-money=paid_total]")).to_have_text("Rp 318.000")
    expect(page.locator("[data-money=outstanding]")).to_have_text("Rp 0")
    page.screenshot(path=str(tmp_path / "cod-order.png"))

    page.goto(page.base + f"/returns/{ret.reference}/")
    detail = page.locator(".return-detail")
    detail.locator("[data-action=complete]").first.click()
    modal = page.locator("#modal")
    form = modal.locator("[data-form=complete]")
    expect(form).to_be_visible()
    form.locator("select[name=refund_method]").select_option("cash")
    form.locator("button[type=submit]").click()
    htmx_settled(page)
    skip = modal.locator("button[name=notify][value=skip]")
    if skip.count():
        skip.click()
    expect(detail.locator(".detail-title .badge")).to_have_text("Selesai")
    refund = Refund.objects.get(return_order=ret)
    assert (refund.amount, refund.method) == (150000, "cash")


def test_owner_imports_a_remittance_and_outstanding_cod_falls(page_id, shop, users, tmp_path):
    page = page_id
    orders = cod_orders(4, prefix="JNA")
    report = tmp_path / "remit-jne.csv"
    report.write_bytes(
        report_csv(
            [
                (orders[0].awb, TOTAL, 9000, 3000, 0, "28/11/2026"),
                (orders[1].awb, TOTAL, 9000, 3000, 0, "28/11/2026"),
                (orders[2].awb, TOTAL - 5000, 9000, 3000, 0, "28/11/2026"),
                ("TIDAKADA01", 50000, 0, 0, 0, "28/11/2026"),
            ]
        )
    )
    login(page, "owner")
    page.goto(page.base + "/payments/cod/")
    expect(page.locator("html")).to_have_attribute("lang", "id")
    total = page.locator("[data-outstanding-total]")
    expect(total).to_have_attribute("data-outstanding-total", str(4 * TOTAL))
    expect(total).to_contain_text("Rp 672.000")
    page.screenshot(path=str(tmp_path / "before.png"), full_page=True)

    page.locator("[data-import-remittance]").click()
    form = page.locator("#remittance-form")
    form.locator("select[name=courier]").select_option("jne")
    form.locator("input[name=file]").set_input_files(str(report))
    form.locator("[data-preview]").click()
    result = page.locator("[data-preview-result]")
    expect(result.locator("[data-flag-count=matched]")).to_contain_text("2")
    expect(result.locator("[data-flag-count=amount_short]")).to_contain_text("1")
    expect(result.locator("[data-flag-count=unknown_awb]")).to_contain_text("1")
    expect(page.locator("select[name=map_awb]")).to_have_value("No Resi")
    page.screenshot(path=str(tmp_path / "import-preview.png"), full_page=True)
    assert Remittance.objects.count() == 0  # the preview writes nothing
    page.locator("[data-post]").click()

    expect(page.locator("[data-remittance]").first).to_be_visible()
    expect(page.locator("#messages .msg")).to_be_visible()
    assert Remittance.objects.get().matched_count == 2
    page.goto(page.base + "/payments/cod/")
    expect(total).to_have_attribute("data-outstanding-total", str(2 * TOTAL))
    expect(total).to_contain_text("Rp 336.000")
    expect(page.locator("[data-mismatches] tr[data-flag=amount_short]")).to_have_count(1)
    page.screenshot(path=str(tmp_path / "after.png"), full_page=True)
    page.set_viewport_size({"width": 390, "height": 844})
    page.screenshot(path=str(tmp_path / "after-phone.png"), full_page=True)
    page.goto(page.base + f"/payments/cod/remittances/{Remittance.objects.get().pk}/")
    expect(page.locator("[data-lines] tr[data-flag]")).to_have_count(4)
    page.screenshot(path=str(tmp_path / "remittance-phone.png"), full_page=True)
