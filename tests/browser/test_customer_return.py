"""A buyer on a phone requests a return of one item, with a photo, from their order link
and sees it listed as requested; the seller finds it among the returns.

With TOKODESK_SCREENSHOTS=<dir> the form and the result are saved there, 390 px wide
(docs/screenshots/customer-return-request.png and customer-return-listed.png)."""

import os
import struct
import zlib
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import login, open_page
from tokodesk.returns.models import Return, ReturnEvent, ReturnPhoto, ReturnReason
from tokodesk.returns.tests.factories import paid_order
from tokodesk.storefront.links import order_link_url

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {
    "viewport": {"width": 390, "height": 844},
    "is_mobile": True,
    "has_touch": True,
    "device_scale_factor": 2,
}


@pytest.fixture
def phone(browser, live_server):
    """A 390 px wide phone with no account, reading English."""
    with open_page(browser, live_server, locale="en-US", **PHONE) as pg:
        yield pg


def png(width=8, height=8) -> bytes:
    """A small, real PNG (a torn-seam red square)."""

    def chunk(kind, data):
        return (
            struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        )

    rows = b"".join(b"\x00" + b"\xc0\x20\x20" * width for _ in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )


def shoot(page, name):
    folder = os.environ.get("TOKODESK_SCREENSHOTS")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(folder) / name), full_page=True, scale="css")


def test_buyer_requests_a_return_with_a_photo_and_the_seller_sees_it(
    phone, page, shop, users, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path / "media"
    # The default reasons come from a data migration that an earlier flush may have emptied.
    for position, (code, label, needs_text) in enumerate(
        [
            ("size_too_small", "Ukuran kekecilan", False),
            ("damaged", "Barang rusak atau cacat", False),
            ("wrong_item", "Barang tidak sesuai pesanan", False),
            ("other", "Lainnya", True),
        ]
    ):
        ReturnReason.objects.get_or_create(
            code=code, defaults={"label": label, "needs_text": needs_text, "position": position}
        )
    order = paid_order(users["owner"], status="delivered", lines=(("KAOS-M", 2), ("MADU-500", 1)))
    kaos = order.lines.get(sku="KAOS-M")
    photo = tmp_path / "jahitan-lepas.png"
    photo.write_bytes(png())

    phone.goto(phone.base + order_link_url(order))
    expect(phone.locator("#status")).to_have_attribute("data-status", "delivered")
    expect(phone.locator("#return-window")).to_contain_text("You can request a return until")
    phone.locator("#request-return").tap()

    form = phone.locator("#return-form")
    expect(form).to_be_visible()
    # Sent empty: the errors stand next to the fields, nothing is written.
    form.locator("button[type=submit]").tap()
    expect(phone.locator("#form-alert")).to_be_visible()
    expect(form.locator("#items-error")).to_contain_text("Choose at least one item to return")
    expect(form.locator("#id_reason-error")).to_have_text("Choose the reason for the return.")
    expect(form.locator("#id_resolution-error")).to_have_text("Choose what you would like instead.")
    assert Return.objects.count() == 0
    shoot(phone, "customer-return-errors.png")
    # Correcting a choice clears its message.
    form.locator("label.sf-method", has_text="Store credit").tap()
    expect(form.locator("#id_resolution-error")).to_be_hidden()

    phone.goto(phone.base + order_link_url(order) + "return/")  # a fresh form
    line = form.locator(f".rr-line[data-line='{kaos.pk}']")
    expect(line.locator("[data-returnable]")).to_have_text("2 can be returned")
    line.locator("[data-step='1']").tap()
    expect(line.locator("input[type=number]")).to_have_value("1")
    expect(line).to_have_class("rr-line is-picked")
    line.locator("input[type=file]").set_input_files(str(photo))
    expect(form.locator("#reason-text-field")).to_be_hidden()
    form.locator("label.sf-variant", has_text="Barang rusak atau cacat").tap()
    expect(form.locator("#reason-text-field")).to_be_hidden()
    form.locator("label.sf-method", has_text="Refund").tap()
    form.locator("textarea[name=message]").fill("Jahitan di bahu lepas setelah dicuci sekali.")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    shoot(phone, "customer-return-request.png")

    form.locator("button[type=submit]").tap()
    phone.wait_for_url(f"**{order_link_url(order)}#return-*")
    ret = Return.objects.get()
    listed = phone.locator(f"#return-{ret.reference}")
    expect(listed).to_have_attribute("data-status", "requested")
    expect(listed.locator("[data-testid=return-status]")).to_have_text("Requested")
    expect(listed).to_contain_text("Kaos Polos")
    expect(listed).to_contain_text("× 1")
    expect(listed).to_contain_text("1 photo")
    expect(phone.locator(".ol-msg.success")).to_contain_text(ret.reference)
    # The honey and the second shirt can still be returned.
    expect(phone.locator("#request-return")).to_be_visible()
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    shoot(phone, "customer-return-listed.png")

    assert (ret.status, ret.origin, ret.resolution, ret.reason.code) == (
        "requested",
        "customer",
        "refund",
        "damaged",
    )
    assert [(li.sku, li.qty) for li in ret.lines.all()] == [("KAOS-M", 1)]
    assert ReturnPhoto.objects.get(return_order=ret).line.sku == "KAOS-M"
    created = ReturnEvent.objects.get(return_order=ret, kind="created")
    assert (created.source, created.actor_id) == ("customer", None)

    # A refresh of the result GETs the page again: nothing is sent twice.
    phone.reload()
    expect(phone.locator(f"#return-{ret.reference}")).to_be_visible()
    assert Return.objects.count() == 1

    # The seller finds it among the returns, as requested by the customer.
    login(page, "owner")
    page.goto(page.base + "/returns/")
    row = page.locator(f"tr#return-{ret.reference}")
    expect(row).to_have_attribute("data-status", "requested")
    expect(row).to_contain_text("by the customer")
    page.goto(page.base + f"/returns/{ret.reference}/")
    detail = page.locator(".return-detail")
    expect(detail).to_have_attribute("data-status", "requested")
    expect(detail.locator(".detail-title")).to_contain_text("Requested by the customer")
    expect(detail.locator("[data-reason]")).to_contain_text("Jahitan di bahu lepas")
    assert Return.objects.get(pk=ret.pk).status == "requested"
