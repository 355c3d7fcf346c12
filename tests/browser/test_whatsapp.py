"""Issue 12, item 13 in the browser, in Indonesian: the agent opens an order, picks "ask for
payment" in the WhatsApp dialog, sees the text with the shop's bank account and the total in
rupiah (in the buyer's language), opens wa.me with it; the copy button copies the buyer's
order link. Screenshots at 1440 px and 390 px when TOKODESK_SHOTS is set."""

from __future__ import annotations

import os
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import htmx_settled, login, open_page
from tokodesk.core.models import BankAccount
from tokodesk.orders.links import order_link_url
from tokodesk.orders.models import Order, OrderEvent
from tokodesk.orders.tests.factories import order_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
SHOTS = os.environ.get("TOKODESK_SHOTS", "")


def shoot(pg, name: str) -> None:
    if SHOTS:
        Path(SHOTS).mkdir(parents=True, exist_ok=True)
        pg.screenshot(path=str(Path(SHOTS) / name), full_page=True)


@pytest.fixture
def desk(browser, live_server):
    """The agent's 1440 px screen, in Indonesian, allowed to use the clipboard."""
    with open_page(
        browser,
        live_server,
        locale="id-ID",
        viewport={"width": 1440, "height": 900},
        permissions=["clipboard-read", "clipboard-write"],
    ) as pg:
        yield pg


def test_agent_asks_for_payment_on_whatsapp_and_copies_the_order_link(desk, shop, users):
    BankAccount.objects.create(
        bank_name="BCA", account_number="5230812245", account_holder="Toko Berkah Jaya"
    )
    order = order_in(
        "confirmed", users["owner"], agent="agent"
    )  # a bank transfer waiting for its money
    Order.objects.filter(pk=order.pk).update(language="id")
    login(desk, "agent")
    desk.goto(desk.base + f"/orders/{order.reference}/")

    # The buyer's order link: the button copies it; the field holds it, read-only.
    link = desk.base + order_link_url(order)
    expect(desk.locator("[data-order-link]")).to_have_value(link)
    desk.locator("[data-copy-link]").click()
    expect(desk.locator("[data-copy-link]")).to_contain_text("✓")
    assert desk.evaluate("navigator.clipboard.readText()") == link

    desk.locator("[data-whatsapp-open]").click()
    dialog = desk.locator("#modal")
    expect(dialog.locator("[data-wa-dialog]")).to_be_visible()
    htmx_settled(desk)
    desk.select_option("select[data-wa-purpose]", "ask_payment")
    htmx_settled(desk)
    text = dialog.locator("[data-wa-text]")
    expect(text).to_contain_text("Halo Kak Siti Rahayu")
    expect(text).to_contain_text("BCA 5230812245 a.n. Toko Berkah Jaya")
    expect(text).to_contain_text("Silakan transfer Rp 318.000")
    expect(text).to_contain_text(link)
    shoot(desk, "order-whatsapp-dialog-1440.png")

    desk.context.route(
        "https://wa.me/**",
        lambda route: route.fulfill(
            status=200, content_type="text/html", body="<title>wa.me</title>WhatsApp"
        ),
    )
    with desk.expect_popup() as popup:
        dialog.locator("button[data-whatsapp]").click()
    popup.value.wait_for_url("https://wa.me/**")
    sent = parse_qs(urlparse(popup.value.url).query)["text"][0]
    assert sent == text.input_value()
    chat = OrderEvent.objects.get(order=order, kind="chat")
    assert chat.data["purpose"] == "ask_payment" and chat.actor == users["agent"]


def test_the_dialog_on_a_phone(browser, live_server, shop, users):
    order = order_in("confirmed", users["owner"], agent="agent")
    with open_page(
        browser,
        live_server,
        locale="id-ID",
        viewport={"width": 390, "height": 844},
        is_mobile=True,
        has_touch=True,
        device_scale_factor=2,
    ) as phone:
        login(phone, "agent")
        phone.goto(phone.base + f"/orders/{order.reference}/")
        expect(phone.locator("[data-order-link]")).to_be_visible()
        phone.locator("[data-whatsapp-open]").click()
        expect(phone.locator("[data-wa-text]")).to_be_visible()
        assert phone.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
        shoot(phone, "order-whatsapp-dialog-390.png")


def test_owner_writes_a_template_with_the_live_preview(desk, shop, users):
    BankAccount.objects.create(
        bank_name="BCA", account_number="5230812245", account_holder="Toko Berkah Jaya"
    )
    login(desk, "owner")
    desk.goto(desk.base + "/orders/settings/")
    desk.locator("[data-link=wa-templates]").click()
    desk.wait_for_url("**/orders/settings/whatsapp/")
    expect(desk.locator("[data-language=id] [data-purpose=ask_payment]").first).to_be_visible()
    shoot(desk, "wa-templates-1440.png")
    desk.locator("[data-new-template]").click()
    desk.select_option("select[name=purpose]", "ask_payment")
    desk.fill("input[name=name]", "Tagih singkat")
    desk.locator("textarea[name=body]").fill("Kak {nama}, mohon transfer ya.")
    expect(desk.locator("[data-preview-error]")).to_contain_text("{nama}")
    desk.locator("textarea[name=body]").fill(
        "Kak {name}, mohon transfer ya.\n{payment_instructions}"
    )
    preview = desk.locator("[data-preview-text]")
    expect(preview).to_contain_text("Kak Siti Rahayu, mohon transfer ya.")
    expect(preview).to_contain_text("BCA 5230812245 a.n. Toko Berkah Jaya")
    shoot(desk, "wa-template-edit-1440.png")
    desk.locator("[data-template-form] button[type=submit]").click()
    desk.wait_for_url("**/orders/settings/whatsapp/")
    expect(desk.locator("body")).to_contain_text("Tagih singkat")


def test_finance_lands_on_the_transfers_to_verify(desk, shop, users):
    import datetime as dt

    from django.utils import timezone

    proof = order_in("confirmed", users["owner"])
    waiting = order_in("confirmed", users["owner"])
    Order.objects.filter(pk=proof.pk).update(
        customer_proof="payment-proofs/2026/12/bukti.jpg",
        customer_proof_at=timezone.now() - dt.timedelta(hours=1),
    )
    login(desk, "finance")
    desk.wait_for_url("**/orders/transfers/")
    rows = desk.locator("tr[data-transfer]")
    expect(rows).to_have_count(2)
    expect(rows.nth(0)).to_have_attribute("data-transfer", proof.reference)
    expect(rows.nth(0).locator("[data-proof-badge]")).to_be_visible()
    expect(rows.nth(1)).to_have_attribute("data-transfer", waiting.reference)
    expect(rows.nth(1)).to_contain_text("Rp 318.000")
    shoot(desk, "transfers-to-verify-1440.png")
