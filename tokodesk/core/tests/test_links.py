"""Stored URLs drawn as links (core.links, the `links` template library): only http(s),
always with rel="noopener noreferrer". A bad value stored before input was validated (a
`javascript:` payment link, a courier's tracking address, a landing page photo) is shown
as plain text and never becomes a clickable link or a source."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from tokodesk.core.links import safe_url
from tokodesk.orders.models import Order
from tokodesk.orders.tests.factories import make_order, order_in
from tokodesk.shipping.models import Courier
from tokodesk.storefront.links import order_link_url
from tokodesk.storefront.models import LandingPage

pytestmark = pytest.mark.django_db

BAD = [
    "javascript:alert(document.cookie)",
    "JavaScript:alert(1)",
    " javascript:alert(1)",
    "java\tscript:alert(1)",
    "java\nscript:alert(1)",
    "\x01javascript:alert(1)",
    "data:text/html,<script>alert(1)</script>",
    "vbscript:msgbox(1)",
    "//evil.example/pay",
    "/relative/path",
    "https:/\\evil.example",
    "http://",
    "mailto:a@b.example",
    "",
    None,
    42,
]


@pytest.mark.parametrize("value", BAD)
def test_safe_url_refuses_anything_but_http_s(value):
    assert safe_url(value) == ""


@pytest.mark.parametrize("value", ["https://pay.example/inv/1?x=1&y=2", "http://track.example/a", "HTTPS://Pay.Example/x"])
def test_safe_url_keeps_http_s(value):
    assert safe_url(value) == value


def _owner_client(owner) -> Client:
    c = Client(HTTP_ACCEPT_LANGUAGE="en")
    c.force_login(owner)
    return c


def test_legacy_javascript_payment_link_is_not_a_link_on_the_order_page(shop, owner):
    order = make_order(owner)
    # As an older version could have stored it (the API refuses it now).
    Order.objects.filter(pk=order.pk).update(payment_link="javascript:alert(document.cookie)")
    html = _owner_client(owner).get(f"/orders/{order.reference}/").content.decode()
    cell = re.search(r'<dd class="wrap" data-payment-link>(.*?)</dd>', html, re.S).group(1)
    assert "<a" not in cell and "javascript:alert(document.cookie)" in cell  # shown, not clickable
    assert 'href="javascript:' not in html.lower()

    Order.objects.filter(pk=order.pk).update(payment_link="https://pay.example/inv/1?a=1&b=2")
    html = _owner_client(owner).get(f"/orders/{order.reference}/").content.decode()
    cell = re.search(r'<dd class="wrap" data-payment-link>(.*?)</dd>', html, re.S).group(1)
    assert 'href="https://pay.example/inv/1?a=1&amp;b=2"' in cell
    assert 'target="_blank"' in cell and 'rel="noopener noreferrer"' in cell


def test_legacy_javascript_payment_link_is_not_a_button_on_the_order_link(shop, owner):
    order = make_order(owner, method="payment_gateway")
    Order.objects.filter(pk=order.pk).update(status="awaiting_payment", payment_link="javascript:alert(1)")
    html = Client(HTTP_ACCEPT_LANGUAGE="en").get(order_link_url(order)).content.decode()
    assert 'href="javascript:' not in html.lower() and "Pay now" not in html
    Order.objects.filter(pk=order.pk).update(payment_link="https://pay.example/x")
    html = Client(HTTP_ACCEPT_LANGUAGE="en").get(order_link_url(order)).content.decode()
    assert '<a class="ol-btn ol-btn-primary" href="https://pay.example/x" rel="noopener noreferrer">' in html


def test_courier_tracking_url_is_a_link_only_when_http_s(shop, owner):
    order = order_in("in_transit", owner)
    c = _owner_client(owner)
    Courier.objects.filter(pk=order.courier_id).update(tracking_url="javascript:alert('{awb}')")
    html = c.get(f"/orders/{order.reference}/").content.decode()
    awb = re.search(r'<dd class="awb">(.*?)</dd>', html, re.S).group(1)
    assert order.awb in awb and "<a" not in awb
    assert 'href="javascript:' not in html.lower()

    Courier.objects.filter(pk=order.courier_id).update(tracking_url="https://track.example/?awb={awb}")
    html = c.get(f"/orders/{order.reference}/").content.decode()
    awb = re.search(r'<dd class="awb">(.*?)</dd>', html, re.S).group(1)
    assert f'href="https://track.example/?awb={order.awb}"' in awb and 'rel="noopener noreferrer"' in awb


def test_landing_page_photo_only_from_http_s(shop):
    from tokodesk.catalog.models import Product

    page = LandingPage.objects.create(name="Kaos", slug="kaos", product=Product.objects.get(slug="kaos-polos"),
                                      warehouse=shop["jkt"], payment_methods=["cod"])
    LandingPage.objects.filter(pk=page.pk).update(image_url="javascript:alert(1)")
    html = Client(HTTP_ACCEPT_LANGUAGE="en").get("/p/kaos/").content.decode()
    assert "javascript:" not in html and "<img" not in html and "og:image" not in html
    LandingPage.objects.filter(pk=page.pk).update(image_url="https://cdn.example/kaos.jpg")
    html = Client(HTTP_ACCEPT_LANGUAGE="en").get("/p/kaos/").content.decode()
    assert '<img src="https://cdn.example/kaos.jpg"' in html and 'content="https://cdn.example/kaos.jpg"' in html
