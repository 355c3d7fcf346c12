"""Issue 12 items 9 and 4, in a real browser, in Indonesian: the order page groups its
actions (one primary next step, the rest in a menu) and asks before undoing work; the bulk
bar offers only what the ticked orders allow and asks an AWB per order to ship them."""

import os
import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import login, open_page
from tokodesk.orders.models import Order
from tokodesk.orders.tests.factories import make_order, order_in
from tokodesk.returns.tests.factories import return_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = os.environ.get("TOKODESK_SCREENSHOTS")  # a folder: keep the screenshots there


def shot(page, name, **kwargs):
    if SHOTS:
        page.screenshot(path=os.path.join(SHOTS, f"{name}.png"), **kwargs)


@pytest.fixture
def page_id(browser, live_server):
    with open_page(
        browser, live_server, viewport={"width": 1440, "height": 900}, locale="id-ID"
    ) as pg:
        yield pg


def test_order_actions_grouped_and_unconfirm_asks_first(page_id, shop, users):
    page = page_id
    order = order_in("confirmed", users["owner"])
    login(page, "owner")
    page.goto(f"{page.base}/orders/{order.reference}/")
    actions = page.locator(".detail-actions")
    expect(actions.locator("> button.btn.primary")).to_have_count(1)
    expect(actions.locator(".btn.danger")).to_have_count(0)  # no row of red buttons any more
    menu = actions.locator("details[data-action-menu]")
    unconfirm = menu.locator("[data-action=unconfirm]")
    expect(unconfirm).to_be_hidden()  # in the closed menu
    menu.locator("summary").click()
    expect(unconfirm).to_be_visible()
    expect(unconfirm).to_contain_text("Batalkan Konfirmasi Pesanan")
    expect(menu.locator("[data-action=cancel]")).to_contain_text("Batalkan Pesanan")
    shot(page, "order-detail-action-menu")

    unconfirm.click()  # one click: only the confirmation step
    expect(unconfirm).to_be_hidden()  # the menu closed behind the modal
    dialog = page.locator("#modal")
    expect(dialog).to_be_visible()
    expect(dialog.locator("[data-confirm-step]")).to_have_text(
        "Batalkan Konfirmasi Pesanan: Anda yakin?"
    )
    shot(page, "order-confirm-step")
    assert Order.objects.get(pk=order.pk).status == "confirmed"
    dialog.get_by_role("button", name="Tutup").click()
    expect(dialog).to_be_hidden()
    assert Order.objects.get(pk=order.pk).status == "confirmed"

    menu.locator("summary").click()
    unconfirm.click()
    dialog.locator("[data-confirm-action=unconfirm]").click()
    expect(page.locator(".detail-head .badge")).to_have_text("Baru")
    assert Order.objects.get(pk=order.pk).status == "new"


def test_approve_cancellation_is_not_one_click(page_id, shop, users):
    page = page_id
    order = order_in("cancellation_requested", users["owner"])
    login(page, "owner")
    page.goto(f"{page.base}/orders/{order.reference}/")
    page.locator(".detail-actions [data-action=approve_cancellation]").click()
    dialog = page.locator("#modal")
    expect(dialog.locator("[data-confirm-step]")).to_contain_text("Setujui Pembatalan")
    assert Order.objects.get(pk=order.pk).status == "cancellation_requested"
    dialog.locator("[data-confirm-action=approve_cancellation]").click()
    expect(page.locator(".detail-head .badge")).to_have_text("Dibatalkan")


def test_return_detail_groups_its_actions(page_id, shop, users):
    page = page_id
    ret = return_in("requested", users["owner"])
    login(page, "owner")
    page.goto(f"{page.base}/returns/{ret.reference}/")
    actions = page.locator(".detail-actions")
    expect(actions.locator("> button.btn.primary")).to_have_count(1)
    expect(actions.locator("> button.btn.primary")).to_have_attribute("data-action", "approve")
    actions.locator("details[data-action-menu] summary").click()
    actions.locator("[data-action=cancel]").click()
    dialog = page.locator("#modal")
    expect(dialog.locator("textarea[name=reason]")).to_be_visible()  # asked, not run
    shot(page, "return-cancel-step")
    assert type(ret).objects.get(pk=ret.pk).status == "requested"


def test_bulk_ship_asks_an_awb_per_order(page_id, shop, users):
    page = page_id
    owner = users["owner"]
    ready = [order_in("ready_to_ship", owner), order_in("ready_to_ship", owner)]
    fresh = make_order(owner)
    login(page, "owner")
    bar = page.locator("#bulk")
    operation = bar.locator("select[name=operation]")
    for order in ready:
        page.locator(f"#order-{order.reference} input.rowcheck").check()
    expect(page.locator("#selected-count")).to_have_text("2")
    # Only what a ticked order allows: ship yes (for both), confirm (a new order's) no.
    expect(operation.locator("option[value=ship]")).to_have_text("Kirim Pesanan (2)")
    expect(operation.locator("option[value=confirm]")).to_be_disabled()
    expect(operation.locator("option[value=ship]")).to_be_enabled()
    assert (
        bar.locator("input[name=reason]").count() == 0
    )  # no input the chosen action does not need
    page.locator(f"#order-{fresh.reference} input.rowcheck").check()
    expect(operation.locator("option[value=confirm]")).to_have_text("Konfirmasi Pesanan (1)")
    page.locator(f"#order-{fresh.reference} input.rowcheck").uncheck()
    expect(operation.locator("option[value=confirm]")).to_be_disabled()

    operation.select_option("ship")
    shot(page, "bulk-bar", clip={"x": 0, "y": 0, "width": 1440, "height": 420})
    bar.locator("button[type=submit]").click()
    dialog = page.locator("#modal")
    table = dialog.locator("[data-awb-table]")
    expect(table).to_be_visible()
    expect(table.locator("tbody tr")).to_have_count(2)
    expect(table.locator("thead")).to_contain_text("Nomor Resi/AWB")
    table.locator(f"input[name=awb_{ready[0].reference}]").fill("JNE-A-001")
    # The second AWB left empty: the browser asks for it (required), nothing is sent.
    dialog.locator("[data-bulk-run]").click()
    assert Order.objects.get(pk=ready[0].pk).status == "ready_to_ship"
    table.locator(f"input[name=awb_{ready[1].reference}]").fill("JNE-A-002")
    shot(page, "bulk-ship-awb-table")
    dialog.locator("[data-bulk-run]").click()
    result = page.locator("#bulk-result")
    expect(result.locator("[data-changed]")).to_have_attribute("data-changed", "2")
    assert {o.awb for o in Order.objects.filter(pk__in=[o.pk for o in ready])} == {
        "JNE-A-001",
        "JNE-A-002",
    }
    assert set(
        Order.objects.filter(pk__in=[o.pk for o in ready]).values_list("status", flat=True)
    ) == {"awaiting_pickup"}


def test_bulk_cancel_asks_the_reason_in_words(page_id, shop, users):
    page = page_id
    order = make_order(users["owner"])
    login(page, "owner")
    page.locator(f"#order-{order.reference} input.rowcheck").check()
    page.locator("#bulk select[name=operation]").select_option("cancel")
    page.locator("#bulk button[type=submit]").click()
    dialog = page.locator("#modal")
    expect(dialog.locator("textarea[name=reason]")).to_be_visible()
    expect(dialog.locator("label", has=page.locator("textarea[name=reason]"))).to_contain_text(
        re.compile("^Alasan")
    )
    dialog.locator("textarea[name=reason]").fill("Pembeli minta batal")
    dialog.locator("[data-bulk-run]").click()
    expect(page.locator("#bulk-result [data-changed]")).to_have_attribute("data-changed", "1")
    assert Order.objects.get(pk=order.pk).status == "cancelled"
