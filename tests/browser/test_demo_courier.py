"""The issue 15 walk on the demo shop (`tokodesk demo`, 100 orders), in Indonesian: Action
needed shows the courier's undeliverable events (a delivery problem the courier reported, and
the events recorded but not applied); the agent opens the order, reads the courier's steps
and sends the parcel out again; the owner reconciles a remittance for an outstanding COD
order and sees the outstanding COD fall; the demo's claim waiting for the courier goes
submitted → approved → paid. Screenshots at 1440 px go to TOKODESK_SHOTS when it is set."""

import io
import os
from pathlib import Path

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from tests.browser.conftest import htmx_settled, login, open_page
from tokodesk.orders.models import Order
from tokodesk.payments.models import Claim
from tokodesk.payments.selectors import pending_cod
from tokodesk.payments.tests.factories import report_csv
from tokodesk.tracking.models import TrackingEvent

pytestmark = pytest.mark.browser
DEMO_PASSWORD = "demo12345"


@pytest.fixture
def page_id(browser, live_server):
    with open_page(
        browser, live_server, viewport={"width": 1440, "height": 900}, locale="id-ID"
    ) as pg:
        yield pg


def shot(page, tmp_path, name):
    folder = Path(os.environ.get("TOKODESK_SHOTS") or tmp_path)
    folder.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(folder / f"{name}.png"), full_page=True)


def test_demo_courier_walk(page_id, tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path / "media"
    call_command("demo", orders=100, stdout=io.StringIO())
    page = page_id
    login(page, "gudang", DEMO_PASSWORD)

    # 1. Action needed: the courier's events a person must look at, and the delivery
    #    problems the courier reported.
    page.goto(page.base + "/orders/?tab=action_needed")
    expect(page.locator("html")).to_have_attribute("lang", "id")
    notice = page.locator("#tracking-action-needed")
    expect(notice).to_have_attribute("data-count", "2")
    problem = (
        Order.objects.filter(status="delivery_problem", tracking_events__event="problem")
        .order_by("id")
        .first()
    )
    row = page.locator(f"#order-{problem.reference}")
    expect(row).to_have_attribute("data-status", "delivery_problem")
    shot(page, tmp_path, "demo-action-needed")
    notice.locator("a").click()
    for event in TrackingEvent.objects.filter(status="recorded_not_applied"):
        expect(page.get_by_text(event.awb).first).to_be_visible()

    # 2. The agent opens the problem order: the courier's steps, then sends it out again.
    page.goto(page.base + f"/orders/{problem.reference}/")
    history = page.locator("[data-section=tracking] .tracking-history li")
    expect(history.first).to_have_attribute("data-tracking-event", "picked_up")
    expect(
        page.locator("[data-section=tracking] [data-tracking-event=problem]")
    ).to_have_attribute("data-tracking-status", "applied")
    shot(page, tmp_path, "demo-order-tracking")
    actions = page.locator(".detail-actions")
    resume = actions.locator("[data-action=resume_delivery]")
    if not resume.is_visible():
        actions.locator("details[data-action-menu] summary").click()
    resume.click()  # one click: nothing to ask
    htmx_settled(page)
    expect(page.locator(".order-detail")).to_have_attribute("data-status", "in_transit")
    assert Order.objects.get(pk=problem.pk).status == "in_transit"

    # 3. The owner reconciles a remittance for one outstanding COD order.
    page.context.clear_cookies()
    login(page, "owner", DEMO_PASSWORD)
    waiting = pending_cod().select_related("order", "order__courier").order_by("id").first()
    before = sum(pending_cod().values_list("amount", flat=True))
    assert waiting is not None and before > 0
    report = tmp_path / "remitansi.csv"
    report.write_bytes(
        report_csv([(waiting.order.awb, waiting.amount, 9000, 3000, 0, "01/12/2026")])
    )
    page.goto(page.base + "/payments/cod/")
    total = page.locator("[data-outstanding-total]")
    expect(total).to_have_attribute("data-outstanding-total", str(before))
    page.locator("[data-import-remittance]").click()
    form = page.locator("#remittance-form")
    form.locator("select[name=courier]").select_option(waiting.order.courier.code)
    form.locator("input[name=file]").set_input_files(str(report))
    form.locator("[data-preview]").click()
    expect(page.locator("[data-preview-result] [data-flag-count=matched]")).to_contain_text("1")
    page.locator("[data-post]").click()
    expect(page.locator("[data-remittance]").first).to_be_visible()
    page.goto(page.base + "/payments/cod/")
    expect(total).to_have_attribute("data-outstanding-total", str(before - waiting.amount))
    shot(page, tmp_path, "demo-cod-reconciliation")

    # 4. The demo's claim still waiting for the courier: approved, then paid.
    claim = Claim.objects.get(status="submitted")
    page.goto(page.base + f"/payments/claims/{claim.reference}/")
    status = page.locator("[data-claim-status]")
    expect(status).to_have_attribute("data-claim-status", "submitted")
    page.locator("form[data-action=approve] button[type=submit]").click()
    expect(status).to_have_attribute("data-claim-status", "approved")
    pay = page.locator("form[data-action=pay]")
    pay.locator("input[name=reference]").fill("TRF-KLAIM-77")
    pay.locator("button[type=submit]").click()
    expect(status).to_have_attribute("data-claim-status", "paid")
    claim.refresh_from_db()
    assert (claim.status, claim.paid_amount, claim.payment_reference) == (
        "paid",
        claim.amount,
        "TRF-KLAIM-77",
    )
