"""A seller handles a return from start to finish in a real browser: from a delivered
order to a completed return with store credit (one item refused at inspection), the
approval e-mail previewed and sent with the label."""

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import login
from tokodesk.core.tests import files
from tokodesk.notifications.models import Notification
from tokodesk.orders.models import Order
from tokodesk.returns.models import Return, ReturnReason, StoreCreditEntry
from tokodesk.returns.tests.factories import paid_order

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_create_approve_receive_complete_with_store_credit(page, shop, users, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    # The default reasons come from a data migration; an earlier transactional test's
    # flush may have emptied the table.
    ReturnReason.objects.get_or_create(
        code="size_too_small", defaults={"label": "Ukuran kekecilan"}
    )
    order = paid_order(users["owner"], status="delivered", lines=(("KAOS-M", 2), ("MADU-500", 1)))
    Order.objects.filter(pk=order.pk).update(recipient_email="siti@example.com")
    label = tmp_path / "label-retur.pdf"
    label.write_bytes(files.PDF)  # a real PDF: the upload check parses labels
    kaos = order.lines.get(sku="KAOS-M")
    madu = order.lines.get(sku="MADU-500")
    login(page, "owner")

    # Retur Pesanan → Tambah: paste the order number, pick the item, reason and resolution.
    page.goto(page.base + "/returns/")
    page.get_by_role("link", name="+ Add return").click()
    page.fill("#order-lookup input[name=order]", order.reference)
    page.get_by_role("button", name="Find order").click()
    form = page.locator("#return-form")
    expect(form.locator(f"tr[data-line='{kaos.pk}'] [data-returnable]")).to_have_text("2")
    form.locator(f"input[name=qty_{kaos.pk}]").fill("2")
    form.locator(f"input[name=qty_{madu.pk}]").fill("1")
    form.locator("select[name=reason]").select_option(value="size_too_small")  # its label follows the staff language
    form.get_by_label("Store credit").check()
    form.get_by_role("button", name="Create return").click()

    detail = page.locator(".return-detail")
    expect(detail.locator(".detail-title .badge")).to_have_text("Draft")
    ret = Return.objects.get()
    assert page.url.endswith(f"/returns/{ret.reference}/")

    # Setuju Pengembalian with the label; the e-mail is previewed, then sent.
    detail.locator("[data-action=approve]").click()
    modal = page.locator("#modal")
    expect(modal).to_be_visible()
    modal.locator("textarea[name=message]").fill("Silakan kirim barangnya ke gudang kami.")
    modal.locator("input[name=label]").set_input_files(str(label))
    modal.get_by_role("button", name="Approve return").click()
    preview = modal.locator("#email-preview")
    expect(preview).to_contain_text("siti@example.com")
    expect(preview).to_contain_text("Silakan kirim barangnya ke gudang kami.")
    expect(preview).to_contain_text("label-retur.pdf")
    modal.get_by_role("button", name="Change the status and send the e-mail").click()
    expect(detail.locator(".detail-title .badge")).to_have_text("Awaiting item")
    expect(modal).to_be_hidden()
    expect(detail.locator("[data-label]")).to_contain_text("label-retur")
    assert Notification.objects.get().to == "siti@example.com"

    # Item Retur Diterima: both shirts and the honey arrive, back to the Jakarta shelf.
    shirt_line = ret.lines.get(order_line=kaos)
    honey_line = ret.lines.get(order_line=madu)
    detail.locator("[data-action=receive]").click()
    expect(modal.locator("[data-form=receive]")).to_be_visible()
    expect(modal.locator(f"input[name=qty_{shirt_line.pk}]")).to_have_value("2")
    expect(modal.locator(f"input[name=qty_{honey_line.pk}]")).to_have_value("1")
    modal.get_by_role("button", name="Items received").click()
    modal.get_by_role("button", name="Change the status only").click()
    expect(detail.locator(".detail-title .badge")).to_have_text("Item received")
    expect(detail.locator("[data-restocked]")).to_have_count(2)

    # Complete: accept the shirts, refuse the opened honey; only the shirts' value goes
    # onto the customer's store credit.
    detail.locator("[data-action=complete]").click()
    expect(modal.locator("[data-form=complete]")).to_be_visible()
    modal.locator(f"input[name=decision_{honey_line.pk}][value=refuse]").check()
    modal.get_by_role("button", name="Complete return").click()
    modal.get_by_role("button", name="Change the status only").click()
    expect(detail.locator(".detail-title .badge")).to_have_text("Completed")
    expect(detail.locator("[data-store-credit]")).to_contain_text("Rp 150.000")
    expect(page.locator("#messages .msg")).to_contain_text(ret.reference)
    assert StoreCreditEntry.objects.balance_of(order.customer_id) == 150000
    honey_line.refresh_from_db()
    shirt_line.refresh_from_db()
    assert (shirt_line.decision, honey_line.decision) == ("accept", "refuse")

    # The list shows it completed.
    page.goto(page.base + "/returns/?status=completed")
    expect(page.locator(f"#return-{ret.reference} .badge")).to_have_text("Completed")
