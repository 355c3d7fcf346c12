"""Every main page under the Content-Security-Policy, in a real browser: no violation is
reported (the `page` fixture fails the test on any, conftest.py) and the interactions that
used inline scripts and handlers before still work from the static app.js/storefront.js —
row menu → modal, bulk bar on tick, filters toggle, manual order's extra line, edit
order's extra row, the landing page's quantity stepper, WhatsApp's logging POST.

With TOKODESK_SCREENSHOTS=<dir> the main pages are saved there, 1440 px wide."""

import os
import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import PASSWORD, csp_violations, htmx_settled, login
from tokodesk.catalog.models import Product
from tokodesk.orders.models import Order, OrderEvent
from tokodesk.orders.tests.factories import make_order, order_in
from tokodesk.returns.models import ReturnReason
from tokodesk.returns.tests.factories import paid_order, return_in
from tokodesk.storefront.links import order_link_url
from tokodesk.storefront.models import LandingPage

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def shoot(page, name):
    folder = os.environ.get("TOKODESK_SCREENSHOTS")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(folder) / f"{name}.png"), full_page=True)


def visit(page, path, name=None):
    response = page.goto(page.base + path)
    assert response.status < 400, (path, response.status)
    page.wait_for_load_state("load")
    assert "Content-Security-Policy" in response.headers.get("content-security-policy", "") or \
        "default-src" in response.headers.get("content-security-policy", ""), path
    assert csp_violations(page) == [], path
    if name:
        shoot(page, name)
    return response


def test_desk_pages_under_the_policy(page, shop, users):
    owner = users["owner"]
    fresh = make_order(owner)
    confirmed = order_in("confirmed", owner)
    Order.objects.filter(pk=fresh.pk).update(payment_link="https://pay.example/inv/1")
    login(page, "owner")

    # Orders list: a tick shows the bulk bar, the row menu loads and opens a modal.
    visit(page, "/orders/", "orders-list")
    expect(page.locator("#bulk")).to_be_hidden()
    page.locator(f"#order-{fresh.reference} input.rowcheck").check()
    expect(page.locator("#bulk")).to_be_visible()
    expect(page.locator("#selected-count")).to_have_text("1")
    page.locator(f"#order-{fresh.reference} input.rowcheck").uncheck()
    expect(page.locator("#bulk")).to_be_hidden()
    page.locator("[data-toggle-open=filters]").click()
    expect(page.locator("#filters")).to_have_attribute("open", "")
    menu = page.locator(f"#order-{confirmed.reference} details.menu")
    menu.locator("summary").click()
    menu.locator("[data-action=confirm_payment]").click()
    expect(page.locator("#modal")).to_be_visible()
    expect(page.locator("#modal input[name=amount]")).to_be_visible()
    page.keyboard.press("Escape")
    expect(page.locator("#modal")).to_be_hidden()
    # The sort select sends its form by itself.
    page.locator("select[name=sort]").select_option(index=1)
    page.wait_for_url(re.compile(r".*sort=.*"))
    assert csp_violations(page) == []

    visit(page, "/orders/?view=card", "orders-cards")
    expect(page.locator(f"#order-{fresh.reference}")).to_be_visible()

    # Order detail: an action with inputs opens the modal.
    visit(page, f"/orders/{confirmed.reference}/", "order-detail")
    page.locator(".detail-actions [hx-target='#modal-body']").first.click()
    expect(page.locator("#modal")).to_be_visible()
    page.keyboard.press("Escape")
    visit(page, f"/orders/{fresh.reference}/")
    link = page.locator("[data-payment-link] a")
    expect(link).to_have_attribute("rel", "noopener noreferrer")

    # Manual order: one more product line (htmx), the lines' price shown by app.js.
    visit(page, "/orders/new/", "manual-order")
    page.select_option("#id_warehouse", "jkt")
    htmx_settled(page)
    rows = page.locator("#lines-body [data-line]")
    expect(rows).to_have_count(1)
    rows.nth(0).locator("select[name=sku]").select_option("MADU-500")
    expect(rows.nth(0).locator("[data-cell=price]")).not_to_have_text("—")
    page.click("#add-line")
    expect(rows).to_have_count(2)

    # Edit order: one more product row (app.js from the <template>).
    visit(page, f"/orders/{fresh.reference}/edit/", "edit-order")
    before = page.locator("#line-rows tr").count()
    page.click("#add-line")
    expect(page.locator("#line-rows tr")).to_have_count(before + 1)

    visit(page, "/orders/settings/", "settings")
    expect(page.locator("section#returns")).to_be_visible()
    visit(page, "/exports/")
    visit(page, "/exports/templates/")
    visit(page, "/exports/templates/new/")
    visit(page, "/landing-pages/")
    visit(page, "/landing-pages/new/")
    assert csp_violations(page) == []


def test_returns_pages_under_the_policy(page, shop, users):
    owner = users["owner"]
    ReturnReason.objects.get_or_create(code="size_too_small", defaults={"label": "Ukuran kekecilan"})
    ret = return_in("awaiting_item", owner)
    delivered = paid_order(owner, status="delivered")
    login(page, "owner")
    visit(page, "/returns/", "returns-list")
    page.locator("[data-toggle-open=filters]").click()
    expect(page.locator("#filters")).to_have_attribute("open", "")
    visit(page, f"/returns/{ret.reference}/", "return-detail")
    visit(page, f"/returns/new/?order={delivered.reference}", "return-create")
    visit(page, "/returns/calendar/", "returns-calendar")
    visit(page, f"/returns/{ret.reference}/slip/")
    assert csp_violations(page) == []


def test_whatsapp_is_logged_by_the_post_and_opens_wa_me(page, shop, users):
    owner = users["owner"]
    order = make_order(owner)
    page.context.route("https://wa.me/**", lambda route: route.fulfill(
        status=200, content_type="text/html", body="<title>wa.me</title>WhatsApp"))
    login(page, "owner")
    visit(page, f"/orders/{order.reference}/")
    assert not OrderEvent.objects.filter(order=order, kind="chat").exists()
    page.locator("[data-whatsapp-open]").click()  # the dialog: purpose, template, text
    expect(page.locator("#modal [data-wa-text]")).to_be_visible()
    htmx_settled(page)
    with page.context.expect_page() as opened:
        page.locator("button[data-whatsapp]").click()
    tab = opened.value
    tab.wait_for_url(re.compile(r"^https://wa\.me/6281234567890\?text="))
    assert OrderEvent.objects.filter(order=order, kind="chat").count() == 1
    # The detail redraws itself and shows the chat on the timeline.
    expect(page.locator("[data-kind=chat]")).to_have_count(1, timeout=10000)


def test_buyer_pages_under_the_policy(page, shop, users):
    LandingPage.objects.create(
        name="Kaos Polos – Promo", slug="kaos", product=Product.objects.get(slug="kaos-polos"),
        warehouse=shop["jkt"], payment_methods=["cod", "bank_transfer"],
        image_url="javascript:alert(1)")
    visit(page, "/p/kaos/", "landing")
    page.locator("label.sf-variant", has=page.locator("input[value=KAOS-M]")).click()
    page.click("button[data-step='1']")
    expect(page.locator("#id_qty")).to_have_value("2")
    expect(page.locator("[data-subtotal]")).to_contain_text("Rp 150.000")
    page.fill("#id_name", "Dewi Lestari")
    page.fill("#id_phone", "0812 3456 7890")
    page.fill("#id_address", "Jl. Kenanga 12, Coblong")
    page.fill("#id_city", "Bandung")
    page.locator("label.sf-method", has=page.locator("input[value=cod]")).click()
    page.click("button.sf-submit")
    page.wait_for_url("**/p/kaos/thanks/**")
    shoot(page, "thanks")
    assert csp_violations(page) == []

    delivered = paid_order(users["owner"], status="delivered")
    visit(page, order_link_url(Order.objects.get(channel="landing_page")), "customer-link")
    visit(page, order_link_url(delivered) + "return/", "customer-return-request")
    page.locator(".rr-line [data-step='1']").first.click()
    expect(page.locator(".rr-line").first).to_have_class(re.compile(r"is-picked"))


def test_login_and_lockout_pages_under_the_policy(page, shop, users):
    visit(page, "/accounts/login/", "login")
    for _ in range(6):
        page.fill("input[name=username]", "owner")
        page.fill("input[name=password]", "not-" + PASSWORD)
        page.click("button[type=submit]")
        page.wait_for_load_state("load")
    expect(page.locator("body")).to_contain_text("Too many wrong passwords")
    assert csp_violations(page) == []


def test_admin_under_the_policy(page, shop, users):
    visit(page, "/admin/login/")
    page.fill("input[name=username]", "admin")
    page.fill("input[name=password]", PASSWORD)
    page.click("input[type=submit]")
    page.wait_for_url("**/admin/")
    visit(page, "/admin/")
    expect(page.locator("#site-name")).to_be_visible()
    assert csp_violations(page) == []


def test_api_docs_under_the_policy(page, shop, users):
    """django-ninja's Swagger page: served from our origin (ninja in INSTALLED_APPS: its
    bundled Swagger UI, no CDN, no inline script), and it works under the policy."""
    from django.contrib.staticfiles import finders
    from django.test import modify_settings

    with modify_settings(INSTALLED_APPS={"append": "ninja"}):
        finders.get_finder.cache_clear()  # the live server finds ninja's static files now
        login(page, "owner")
        visit(page, "/api/v1/docs")
        # openapi.json is built per request: seconds on a loaded machine.
        expect(page.locator(".swagger-ui .info .title")).to_contain_text("tokodesk API", timeout=60000)
        expect(page.locator(".opblock").first).to_be_visible()
        assert csp_violations(page) == []
    finders.get_finder.cache_clear()
