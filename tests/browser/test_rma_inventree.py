"""Issue 17 (RMA as complete as InvenTree's) in a real browser: the hold dialog picks a
custom state (shown in the list), the return's items and extra lines are edited before
receipt, and the return page shows the extra lines in the totals. Screenshots go to
$TOKODESK_SHOTS when set (looked at by the author)."""

import os

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import htmx_settled, login
from tokodesk.returns.models import CustomState, Return, ReturnReason
from tokodesk.returns.services import return_apply_action, return_create
from tokodesk.returns.tests.factories import paid_order, return_data

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def shot(page, name):
    folder = os.environ.get("TOKODESK_SHOTS")
    if folder:
        page.screenshot(path=os.path.join(folder, f"{name}.png"), full_page=True)


def test_hold_with_a_custom_state_then_edit_items_and_extra_lines(page, shop, users):
    ReturnReason.objects.get_or_create(code="size_too_small", defaults={"label": "Ukuran kekecilan"})
    owner = users["owner"]
    waiting = CustomState.objects.create(label="Waiting for parts", status="on_hold", color="orange")
    order = paid_order(owner, status="delivered", lines=(("KAOS-M", 2), ("MADU-500", 1)))
    ret = return_create(data=return_data(order, lines=[("KAOS-M", 1)]), actor=owner)
    ret = return_apply_action(reference=ret.reference, action="approve", actor=owner, inputs={})
    login(page, "owner")

    page.goto(page.base + "/returns/")
    row = page.locator(f"#return-{ret.reference}")
    row.locator("summary").first.click()
    row.locator("[data-action=hold]").click()
    dialog = page.locator("#modal")
    expect(dialog.locator("select[name=custom_state]")).to_be_visible()
    dialog.locator("select[name=custom_state]").select_option(label="Waiting for parts")
    dialog.locator("textarea[name=reason]").fill("Spare part ordered")
    shot(page, "rma-hold-dialog")
    dialog.get_by_role("button", name="Put on hold").click()
    htmx_settled(page)
    expect(page.locator(f"#return-{ret.reference}")).to_contain_text("Waiting for parts")
    assert Return.objects.get(pk=ret.pk).custom_state == waiting
    shot(page, "rma-list-custom-state")

    # Edit before receipt: a second item and a shipping refund credited to the customer.
    page.goto(page.base + f"/returns/{ret.reference}/")
    page.locator("[data-edit-items]").click()
    madu = order.lines.get(sku="MADU-500")
    form = page.locator("#return-items-form")
    form.locator(f"input[name=qty_{madu.pk}]").fill("1")
    form.locator("select[name=fee_kind_0]").select_option("shipping_refunded")
    form.locator("input[name=fee_amount_0]").fill("18000")
    form.locator("select[name=fee_kind_1]").select_option("fee")
    form.locator("input[name=fee_description_1]").fill("Restocking")
    form.locator("input[name=fee_amount_1]").fill("5000")
    form.locator("input[name=fee_tax_note_1]").fill("PPN 11% incl.")
    shot(page, "rma-edit-items")
    form.get_by_role("button", name="Save").click()
    detail = page.locator(".return-detail")
    expect(detail.locator("[data-section=fees]")).to_contain_text("Shipping refunded")
    expect(detail.locator("[data-section=fees]")).to_contain_text("PPN 11% incl.")
    expect(detail.locator("[data-sku=MADU-500]")).to_be_visible()
    ret.refresh_from_db()
    assert sorted((li.sku, li.qty) for li in ret.lines.all()) == [("KAOS-M", 1), ("MADU-500", 1)]
    value = sum(li.qty * li.unit_price for li in ret.lines.all())
    credit = detail.locator("[data-money=credit]")
    from django.utils import translation

    from tokodesk.core.templatetags.tokodesk import money

    with translation.override("en"):  # the browser's language
        expected = str(money(value + 18000 - 5000, ret.currency))
        fee = str(money(5000, ret.currency))
    expect(credit).to_have_text(expected)
    # The timeline says what the edit changed, money and all.
    expect(detail.locator("[data-section=timeline]")).to_contain_text(f"Restocking − {fee}")
    shot(page, "rma-return-page")
