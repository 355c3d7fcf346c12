"""The order link follows the buyer's language the order keeps (issue 17), with French
formats, whatever the browser opening it reads; the page's own switch still wins."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.test import Client

from tokodesk.orders.models import Order
from tokodesk.orders.tests.factories import make_order
from tokodesk.storefront.links import order_link_url

pytestmark = pytest.mark.django_db
NNBSP, NBSP = "\u202f", "\u00a0"


def french_order(owner):
    order = make_order(owner)
    Order.objects.filter(pk=order.pk).update(language="fr")
    order.refresh_from_db()
    return order


def test_french_buyer_reads_french_from_an_english_browser(shop, owner):
    order = french_order(owner)
    html = Client(HTTP_ACCEPT_LANGUAGE="en").get(order_link_url(order)).content.decode()
    assert 'lang="fr"' in html
    # CLDR French money: U+202F between thousands, U+00A0 before the currency.
    total = f"{order.total:,}".replace(",", NNBSP) + f"{NBSP}IDR"
    assert total in html, total
    assert "Rp " not in html


def test_the_page_switch_wins_over_the_order_s_language(shop, owner):
    order = french_order(owner)
    c = Client(HTTP_ACCEPT_LANGUAGE="fr")
    c.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    assert 'lang="en"' in c.get(order_link_url(order)).content.decode()


def test_an_order_without_a_language_follows_the_browser(shop, owner):
    order = make_order(owner)
    assert order.language in ("", "id")
    if order.language:
        Order.objects.filter(pk=order.pk).update(language="")
    html = Client(HTTP_ACCEPT_LANGUAGE="en").get(order_link_url(order)).content.decode()
    assert 'lang="en"' in html
