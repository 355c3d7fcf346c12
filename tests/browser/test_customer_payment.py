"""Issue 12 in the browser, in Indonesian: a buyer on a 390 px phone pays a bank-transfer
order with a unique code, sends the proof from their order page and finds the WhatsApp
button to the shop (item 14); an agent creates a manual order with a note for the courier
and an internal note, each labelled and each landing where it belongs (item 18)."""

from __future__ import annotations

import io
import os
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

import pytest
from PIL import Image
from playwright.sync_api import expect

from tests.browser.conftest import htmx_settled, login, open_page
from tokodesk.core.models import ShopSettings
from tokodesk.orders import transfer_codes
from tokodesk.orders.models import Order, OrderEvent, OrderNote
from tokodesk.orders.tests.factories import make_order
from tokodesk.storefront.links import order_link_url

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {
    "viewport": {"width": 390, "height": 844},
    "is_mobile": True,
    "has_touch": True,
    "device_scale_factor": 2,
}
# Where the pictures of these pages go when asked (TOKODESK_SHOTS=dir), to look at them.
SHOTS = os.environ.get("TOKODESK_SHOTS", "")


def shoot(pg, name: str) -> None:
    if SHOTS:
        Path(SHOTS).mkdir(parents=True, exist_ok=True)
        pg.screenshot(path=str(Path(SHOTS) / name), full_page=True)


@pytest.fixture
def phone(browser, live_server):
    """A 390 px wide phone whose browser speaks Indonesian, with no account."""
    with open_page(browser, live_server, locale="id-ID", **PHONE) as pg:
        yield pg


@pytest.fixture
def desk(browser, live_server):
    """The team's 1440 px screen, in Indonesian."""
    with open_page(
        browser, live_server, locale="id-ID", viewport={"width": 1440, "height": 900}
    ) as pg:
        yield pg


def receipt(tmp_path) -> Path:
    path = tmp_path / "bukti-transfer.jpg"
    buffer = io.BytesIO()
    Image.new("RGB", (300, 500), (240, 240, 240)).save(buffer, "JPEG")
    path.write_bytes(buffer.getvalue())
    return path


def test_buyer_sends_the_proof_and_finds_the_whatsapp_button(
    phone, shop, users, tmp_path, monkeypatch
):
    ShopSettings.get()
    ShopSettings.objects.filter(pk=1).update(whatsapp="0811-2233-4455")
    monkeypatch.setattr(transfer_codes, "codes_enabled", lambda: True)
    order = make_order(users["owner"], method="bank_transfer", agent="agent")
    assert order.transfer_code > 0

    phone.goto(phone.base + order_link_url(order))
    expect(phone.locator("html")).to_have_attribute("lang", "id")
    expect(phone.locator("#payment")).to_have_attribute("data-kind", "bank_transfer")
    # The amount to transfer is the total with the unique code, and the page says why.
    expect(phone.locator("#transfer-code")).to_be_visible()
    expect(phone.locator("[data-testid=transfer-code]")).to_be_visible()
    amount = f"Rp {order.total:,}".replace(",", ".")
    expect(phone.locator("#payment .ol-amount strong")).to_have_text(amount)

    # WhatsApp to the shop, the message naming the order and the amount.
    button = phone.locator("#whatsapp-seller")
    expect(button).to_be_visible()
    href = urlsplit(button.get_attribute("href"))
    assert (href.scheme, href.netloc, href.path) == ("https", "wa.me", "/6281122334455")
    message = unquote(parse_qs(href.query)["text"][0])
    assert order.reference in message and amount in message
    box = button.bounding_box()
    assert box["height"] >= 44 and box["width"] >= 300  # a thumb-sized button
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    shoot(phone, "customer-payment-390.png")

    # The proof, from the phone's files.
    phone.locator("#proof-form input[type=file]").set_input_files(str(receipt(tmp_path)))
    phone.locator("#send-proof").tap()
    expect(phone.locator(".ol-msg.success")).to_be_visible()
    expect(phone.locator("#proof-sent")).to_be_visible()
    expect(phone.locator("#timeline li.mine").first).to_be_visible()
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    shoot(phone, "customer-payment-sent-390.png")

    order.refresh_from_db()
    assert order.customer_proof.name.endswith("/bukti-transfer.jpg")
    event = OrderEvent.objects.get(order=order, kind=OrderEvent.Kind.PROOF_SENT)
    assert event.source == "customer" and event.actor_id is None


def test_a_file_that_is_not_a_receipt_is_refused_next_to_the_field(phone, shop, users, tmp_path):
    order = make_order(users["owner"], method="bank_transfer")
    fake = tmp_path / "bukti.jpg"
    fake.write_text("<html>bukan gambar</html>")
    phone.goto(phone.base + order_link_url(order))
    phone.locator("#proof-form input[type=file]").set_input_files(str(fake))
    phone.locator("#send-proof").tap()
    expect(phone.locator("#proof-error")).to_be_visible()
    expect(phone.locator("#proof-form")).to_have_class("ol-form ol-proof-form has-error")
    order.refresh_from_db()
    assert not order.customer_proof


def test_manual_order_offers_a_courier_note_and_an_internal_note(desk, shop, users):
    login(desk, "agent")
    desk.goto(desk.base + "/orders/new/")
    courier_note, internal_note = desk.locator("#id_note"), desk.locator("#id_internal_note")
    expect(courier_note).to_be_visible()
    expect(internal_note).to_be_visible()
    # Side by side, each with its own label and help.
    note_box, internal_box = courier_note.bounding_box(), internal_note.bounding_box()
    assert abs(note_box["y"] - internal_box["y"]) < 4 and note_box["x"] < internal_box["x"]
    expect(desk.locator("[data-field=note] .mo-help")).to_be_visible()
    expect(desk.locator("[data-field=internal_note] .mo-help")).to_be_visible()
    assert (
        desk.locator("[data-field=note] > span").first.inner_text()
        != desk.locator("[data-field=internal_note] > span").first.inner_text()
    )

    desk.fill("#id_phone", "0812 3456 7890")
    desk.fill("#id_name", "Dewi Lestari")
    desk.fill("#id_address", "Jl. Kenanga 12, Bandung")
    desk.select_option("#id_warehouse", "jkt")
    htmx_settled(desk)
    desk.locator("#lines-body [data-line]").nth(0).locator("select[name=sku]").select_option(
        "MADU-500"
    )
    desk.select_option("#id_courier", "jne")
    desk.check("input[name=payment_method][value=bank_transfer]")
    courier_note.fill("Antar setelah jam 5 sore")
    internal_note.fill("Pelanggan lama, beri bonus stiker")
    expect(desk.locator("[data-total=subtotal]")).to_have_text("Rp 150.000")
    desk.locator("[data-field=note]").scroll_into_view_if_needed()
    if SHOTS:
        desk.screenshot(path=str(Path(SHOTS) / "manual-order-notes-1440.png"))
    desk.click("#create-order")
    desk.wait_for_url("**/orders/ORD-*/")

    order = Order.objects.get()
    assert order.customer_note == "Antar setelah jam 5 sore"
    assert OrderNote.objects.get(order=order).body == "Pelanggan lama, beri bonus stiker"
    expect(desk.locator("body")).to_contain_text("Pelanggan lama, beri bonus stiker")
    # The buyer sees the courier's note, never the team's.
    desk.goto(desk.base + order_link_url(order))
    expect(desk.locator("#order-note")).to_contain_text("Antar setelah jam 5 sore")
    expect(desk.locator("body")).not_to_contain_text("Pelanggan lama")


def test_finance_sees_the_buyers_proof_and_code_on_the_order(
    desk, shop, users, tmp_path, monkeypatch
):
    from tokodesk.orders.proofs import order_receive_customer_proof

    monkeypatch.setattr(transfer_codes, "codes_enabled", lambda: True)
    order = make_order(users["owner"], method="bank_transfer")
    with open(receipt(tmp_path), "rb") as fh:
        from django.core.files.uploadedfile import SimpleUploadedFile

        order_receive_customer_proof(
            order_id=order.pk, file=SimpleUploadedFile("bukti.jpg", fh.read())
        )
    login(desk, "finance")
    desk.goto(desk.base + f"/orders/{order.reference}/")
    section = desk.locator("[data-section=customer_payment]")
    expect(section).to_be_visible()
    expect(section.locator(f"[data-transfer-code='{order.transfer_code}']")).to_be_visible()
    expect(section).to_contain_text(f"Rp {order.total:,}".replace(",", "."))
    # The totals add up: the code has its own line above the total.
    expect(desk.locator("[data-money=transfer_code]")).to_have_text(f"Rp {order.transfer_code}")
    link = section.locator("#customer-proof-link")
    expect(link).to_be_visible()
    shoot(desk, "order-detail-customer-proof-1440.png")
    response = desk.request.get(desk.base + link.get_attribute("href"))
    assert response.status == 200 and response.headers["content-type"] == "image/jpeg"
