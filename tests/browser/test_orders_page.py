"""A seller's day on the orders page, in a real browser."""

import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import login
from tokodesk.core.tests import files
from tokodesk.orders.models import Order
from tokodesk.orders.tests.factories import make_order, order_in

pytestmark = [
    pytest.mark.browser,
    pytest.mark.postgres_too,
    pytest.mark.django_db(transaction=True),
]


def row(page, order):
    return page.locator(f"#order-{order.reference}")


def test_tabs_views_and_filters(page, shop, users):
    owner = users["owner"]
    a = make_order(owner, method="cod", agent="agent")
    make_order(owner, method="bank_transfer", agent="agent")
    make_order(owner, method="cod", agent="agent2")
    order_in("paid", owner)
    login(page, "owner")
    expect(page.locator("h1")).to_have_text("Orders")

    page.click("a[data-tab=pending]")
    # The counts load after the list (orders:tabs).
    expect(page.locator("a[data-tab=pending].active .count")).to_have_text(re.compile(r"^\d+$"))
    count = int(page.locator("a[data-tab=pending] .count").inner_text())
    expect(page.locator("tr[data-reference]")).to_have_count(count)
    assert count == 3

    page.click("a[data-view=card]")
    expect(page.locator("#order-cards article.card")).to_have_count(count)
    page.click("a[data-view=list]")
    expect(page.locator("#order-table")).to_be_visible()

    page.click("a[data-tab=all]")
    page.get_by_role("button", name=re.compile("Filters")).click()
    page.select_option("select[name=agent]", "agent")
    page.select_option("select[name=payment_method]", "cod")
    page.get_by_role("button", name="Apply filters").click()
    expect(page.locator("tr[data-reference]")).to_have_count(1)
    expect(row(page, a)).to_be_visible()
    assert "agent=agent" in page.url and "payment_method=cod" in page.url


def test_confirm_from_the_row_menu(page, shop, users):
    order = make_order(users["owner"])
    login(page, "owner")
    row(page, order).locator("summary").click()
    row(page, order).locator("[data-action=confirm]").click()
    expect(row(page, order).locator(".badge")).to_have_text("Confirmed")
    expect(page.locator("#messages .msg")).to_contain_text(order.reference)
    assert Order.objects.get(pk=order.pk).status == "confirmed"


def test_confirm_payment_with_a_proof(page, shop, users, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    order = order_in("confirmed", users["owner"], method="bank_transfer")
    proof = tmp_path / "bukti-transfer.png"
    proof.write_bytes(files.PNG)  # a real PNG: the upload check decodes images
    login(page, "finance")  # finance lands on the transfers to verify: confirm from the orders list
    page.goto(page.base + "/orders/")
    row(page, order).locator("summary").click()
    row(page, order).locator("[data-action=confirm_payment]").click()
    dialog = page.locator("#modal")
    expect(dialog).to_be_visible()
    dialog.locator("input[name=amount]").fill("318000")
    dialog.locator("input[name=account]").fill("BCA 1234567")
    dialog.locator("input[name=proof]").set_input_files(str(proof))
    dialog.get_by_role("button", name="Confirm payment").click()
    expect(row(page, order).locator(".badge")).to_have_text("Paid")
    payment = Order.objects.get(pk=order.pk).payments.get()
    assert payment.amount == 318000 and payment.proof.name.endswith(".png")


def test_bulk_confirm_shows_the_refusal(page, shop, users):
    owner = users["owner"]
    fresh = [make_order(owner), make_order(owner)]
    done = order_in("confirmed", owner)
    login(page, "owner")
    for order in (*fresh, done):
        row(page, order).locator("input.rowcheck").check()
    expect(page.locator("#selected-count")).to_have_text("3")
    page.select_option("#bulk select[name=operation]", "confirm")
    page.locator("#bulk button[type=submit]").click()
    result = page.locator("#bulk-result")
    expect(result).to_be_visible()
    expect(result.locator("[data-changed]")).to_have_attribute("data-changed", "2")
    expect(result.locator("[data-refused]")).to_have_attribute("data-refused", "1")
    expect(result.locator(".refused")).to_contain_text(done.reference)
    assert Order.objects.filter(status="confirmed").count() == 3


def test_an_agent_sees_only_their_orders(page, shop, users):
    owner = users["owner"]
    mine = make_order(owner, agent="agent")
    theirs = make_order(owner, agent="agent2")
    login(page, "agent")
    expect(row(page, mine)).to_be_visible()
    expect(row(page, theirs)).to_have_count(0)
    expect(page.locator("a[data-tab=all] .count")).to_have_text("1")
