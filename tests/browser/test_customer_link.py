"""A buyer on a phone opens their order link and asks to cancel; the seller finds the
request in the Action Needed tab."""

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import login, open_page
from tokodesk.orders.models import Order, OrderEvent
from tokodesk.orders.tests.factories import order_in
from tokodesk.storefront.links import order_link_url

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True,
         "device_scale_factor": 2}


@pytest.fixture
def phone(browser, live_server):
    """A 390 px wide phone whose browser speaks Indonesian, with no account."""
    with open_page(browser, live_server, locale="id-ID", **PHONE) as pg:
        yield pg


def test_buyer_requests_cancellation_and_the_seller_sees_it(phone, page, shop, users):
    order = order_in("confirmed", users["owner"], method="bank_transfer")

    phone.goto(phone.base + order_link_url(order))
    expect(phone.locator("html")).to_have_attribute("lang", "id")
    expect(phone.locator("[data-testid=reference]")).to_have_text(order.reference)
    expect(phone.locator("#status")).to_have_attribute("data-status", "confirmed")
    expect(phone.locator("#payment")).to_be_visible()  # bank transfer, not paid yet
    # One column that fits the phone: nothing scrolls sideways.
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    # No seller navigation on the buyer's page.
    expect(phone.locator("a[href^='/orders/']")).to_have_count(0)

    phone.locator("#cancel summary").tap()
    phone.locator("#cancel-form textarea[name=reason]").fill("Salah pilih varian, mau pesan ulang")
    phone.locator("#cancel-form button[type=submit]").tap()

    expect(phone.locator("#status")).to_have_attribute("data-status", "cancellation_requested")
    expect(phone.locator("#cancellation-pending")).to_be_visible()
    expect(phone.locator(".ol-msg.success")).to_be_visible()
    expect(phone.locator("#cancel-form")).to_have_count(0)
    expect(phone.locator("#timeline")).to_contain_text("Salah pilih varian, mau pesan ulang")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390

    order.refresh_from_db()
    assert order.status == "cancellation_requested"
    assert order.status_before_cancellation == "confirmed"
    assert order.cancellation_deadline is not None
    event = OrderEvent.objects.get(order=order, action="request_cancellation")
    assert event.source == "customer" and event.actor_id is None

    # Reloading the page (or going back and submitting again) does not ask twice.
    phone.reload()
    expect(phone.locator("#status")).to_have_attribute("data-status", "cancellation_requested")
    assert OrderEvent.objects.filter(order=order, action="request_cancellation").count() == 1

    # The seller sees it among the orders that need action.
    login(page, "owner")
    page.click("a[data-tab=action_needed]")
    expect(page.locator(f"#order-{order.reference}")).to_be_visible()
    expect(page.locator(f"#order-{order.reference}")).to_have_attribute("data-status", "cancellation_requested")
    assert Order.objects.get(pk=order.pk).status == "cancellation_requested"
    # ... with the time left before it is approved automatically (48 h by default) ...
    countdown = page.locator(f"#order-{order.reference} [data-deadline=auto_approve]")
    expect(countdown).to_contain_text("Auto-approve in")
    assert 47 * 3600 < int(countdown.get_attribute("data-seconds-left")) <= 48 * 3600
    # ... and rejects it from the row menu: the order goes back to where it was.
    row = page.locator(f"#order-{order.reference}")
    row.locator("summary").click()
    row.locator("[data-action=reject_cancellation]").click()
    page.locator("#modal textarea[name=reason]").fill("Sudah dikemas, hubungi kami via WhatsApp")
    page.locator("#modal button[type=submit]").click()
    expect(page.locator(f"#order-{order.reference} .badge")).to_have_text("Confirmed")
    order.refresh_from_db()
    assert (order.status, order.cancellation_deadline) == ("confirmed", None)


def test_a_shipped_order_shows_tracking_and_no_cancel_on_a_phone(phone, shop, users):
    from tokodesk.shipping.models import Courier

    Courier.objects.filter(code="jne").update(tracking_url="https://track.example/jne?awb={awb}")
    order = order_in("in_transit", users["owner"])
    phone.goto(phone.base + order_link_url(order))
    expect(phone.locator("#status")).to_have_attribute("data-status", "in_transit")
    expect(phone.locator("[data-testid=awb]")).to_have_text(order.awb)
    expect(phone.locator("#tracking-link")).to_have_attribute("href", f"https://track.example/jne?awb={order.awb}")
    expect(phone.locator("#cancel-form")).to_have_count(0)
    expect(phone.locator("#cancel")).to_have_count(0)
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390


def test_a_wrong_link_is_not_found(phone, shop, users):
    order = order_in("new", users["owner"])
    url = order_link_url(order)
    response = phone.goto(phone.base + url[:-3] + ("A" if url[-3] != "A" else "B") + url[-2:])
    assert response.status == 404
