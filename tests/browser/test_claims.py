"""Money back from the courier, in Indonesian (issue 15): the owner reconciles a remittance
report and sees the outstanding COD fall; a claim for a lost parcel goes submitted →
approved → paid through its pages and shows as money in on the reconciliation; the RTS
report and the claims list render. Screenshots at 1440 px go to TOKODESK_SHOTS (a folder)
when it is set, else to the test's tmp_path."""

import io
import os
from pathlib import Path

import pytest
from PIL import Image
from playwright.sync_api import expect

from tests.browser.conftest import login, open_page
from tokodesk.orders.tests.factories import order_in
from tokodesk.payments.models import Claim
from tokodesk.payments.tests.factories import TOTAL, cod_orders, report_csv

pytestmark = pytest.mark.browser


@pytest.fixture
def page_id(browser, live_server):
    with open_page(
        browser, live_server, viewport={"width": 1440, "height": 900}, locale="id-ID"
    ) as pg:
        yield pg


@pytest.fixture
def shots(tmp_path):
    folder = Path(os.environ.get("TOKODESK_SHOTS") or tmp_path)
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def test_owner_reconciles_then_a_claim_is_approved_and_paid(
    page_id, shop, users, settings, tmp_path, shots
):
    settings.MEDIA_ROOT = tmp_path / "media"
    page, owner = page_id, users["owner"]
    orders = cod_orders(3, prefix="JNB")
    lost = order_in("lost_or_damaged", owner)
    order_in("returned", owner, shipping_cost=21000)
    order_in("returned", owner, shipping_cost=18000)
    report = tmp_path / "remit-jne.csv"
    report.write_bytes(
        report_csv(
            [
                (orders[0].awb, TOTAL, 9000, 3000, 0, "28/11/2026"),
                (orders[1].awb, TOTAL - 5000, 9000, 3000, 0, "28/11/2026"),
                ("TIDAKADA02", 50000, 0, 0, 0, "28/11/2026"),
            ]
        )
    )
    photo = tmp_path / "paket-rusak.png"
    buf = io.BytesIO()
    Image.new("RGB", (64, 48), (180, 120, 60)).save(buf, "PNG")
    photo.write_bytes(buf.getvalue())
    login(page, "owner")

    # 1. Reconcile: the outstanding COD falls by the matched order.
    page.goto(page.base + "/payments/cod/")
    expect(page.locator("html")).to_have_attribute("lang", "id")
    total = page.locator("[data-outstanding-total]")
    expect(total).to_have_attribute("data-outstanding-total", str(3 * TOTAL))
    page.locator("[data-import-remittance]").click()
    form = page.locator("#remittance-form")
    form.locator("select[name=courier]").select_option("jne")
    form.locator("input[name=file]").set_input_files(str(report))
    form.locator("[data-preview]").click()
    expect(page.locator("[data-preview-result] [data-flag-count=matched]")).to_contain_text("1")
    page.locator("[data-post]").click()
    expect(page.locator("[data-remittance]").first).to_be_visible()
    page.goto(page.base + "/payments/cod/")
    expect(total).to_have_attribute("data-outstanding-total", str(2 * TOTAL))
    expect(total).to_contain_text("Rp 336.000")

    # 2. A claim for the lost parcel, from its order page.
    page.goto(page.base + f"/orders/{lost.reference}/")
    page.locator("[data-new-claim]").click()
    claim_form = page.locator("#claim-form")
    expect(claim_form.locator("select[name=reason]")).to_have_value("lost")
    claim_form.locator("input[name=amount]").fill("300000")
    claim_form.locator("textarea[name=note]").fill("Paket hilang di hub transit")
    claim_form.locator("input[name=evidence]").set_input_files(str(photo))
    claim_form.locator("[data-submit-claim]").click()
    status = page.locator("[data-claim-status]")
    expect(status).to_have_attribute("data-claim-status", "submitted")
    # (The claim's words are new: the lead's `make messages` translates them; codes here.)
    expect(page.locator("[data-evidence] li")).to_have_count(1)
    page.screenshot(path=str(shots / "claim-submitted.png"), full_page=True)

    approve = page.locator("form[data-action=approve]")
    approve.locator("input[name=amount]").fill("250000")
    approve.locator("button[type=submit]").click()
    expect(status).to_have_attribute("data-claim-status", "approved")
    pay = page.locator("form[data-action=pay]")
    expect(pay.locator("input[name=amount]")).to_have_value("250000")
    pay.locator("input[name=reference]").fill("TRF-JNE-881")
    pay.locator("button[type=submit]").click()
    expect(status).to_have_attribute("data-claim-status", "paid")
    expect(page.locator("[data-money=paid]")).to_contain_text("Rp 250.000")
    expect(page.locator("[data-claim-timeline] li")).to_have_count(3)
    page.screenshot(path=str(shots / "claim-detail.png"), full_page=True)
    claim = Claim.objects.get()
    assert (claim.status, claim.paid_amount, claim.payment_reference) == (
        "paid",
        250000,
        "TRF-JNE-881",
    )

    # 3. The paid claim is money in; the claims list and the RTS report.
    page.goto(page.base + "/payments/cod/")
    expect(page.locator("[data-claims-paid='250000']")).to_have_count(1)
    page.screenshot(path=str(shots / "cod-reconciliation.png"), full_page=True)
    page.locator("[data-claims-link]").click()
    expect(page.locator(f"[data-claims] tr[data-claim='{claim.reference}']")).to_have_attribute(
        "data-status", "paid"
    )
    page.screenshot(path=str(shots / "claims-list.png"), full_page=True)
    page.goto(page.base + "/payments/cod/")
    page.locator("[data-rts-link]").click()
    expect(page.locator("[data-rts-total-fees]")).to_have_attribute("data-rts-total-fees", "39000")
    page.screenshot(path=str(shots / "rts-report.png"), full_page=True)
