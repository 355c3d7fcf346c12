"""The order keeps its buyer's language (issue 12, item 13): the landing page's language the
buyer ordered in, the API's `language`, else the shop's language for customers; staff may
change it on the order page or through the API, in any status."""

from __future__ import annotations

import re

from django.test import Client

from conftest import order_payload
from tokodesk.catalog.models import Product
from tokodesk.notifications.models import NotificationSettings
from tokodesk.orders.languages import order_language
from tokodesk.orders.models import Order
from tokodesk.orders.tests.factories import make_order, order_in
from tokodesk.storefront.models import LandingPage

URL = "/api/v1/orders"


def _landing_order(shop, language: str | None) -> Order:
    page = LandingPage.objects.create(
        name="Madu",
        slug="madu",
        product=Product.objects.get(slug="madu-hutan"),
        warehouse=shop["jkt"],
        payment_methods=["bank_transfer"],
    )
    buyer = Client()
    if language:
        buyer.cookies["django_language"] = language
    html = buyer.get(f"/p/{page.slug}/").content.decode()
    token = html.split('name="form_token" value="', 1)[1].split('"', 1)[0]
    r = buyer.post(
        f"/p/{page.slug}/",
        {
            "form_token": token,
            "variant": "MADU-500",
            "qty": 1,
            "name": "Claire",
            "phone": "081234567890",
            "address": "Jl. Melati 5",
            "city": "Bandung",
            "payment_method": "bank_transfer",
            "note": "",
        },
    )
    assert r.status_code == 303, r.content.decode()[:2000]
    return Order.objects.get(landing_page=page)


def test_landing_order_keeps_the_language_the_buyer_read(shop):
    order = _landing_order(shop, "fr")
    assert order.language == "fr" and order_language(order) == "fr"


def test_landing_order_in_the_default_language(shop):
    assert _landing_order(shop, None).language == "id"


def test_manual_order_follows_the_shops_language_for_customers(shop, users):
    order = make_order(users["owner"])
    assert order.language == ""  # not known: the shop's setting applies
    assert order_language(order) == "id"
    row = NotificationSettings.get()
    row.customer_language = "en"
    row.save()
    assert order_language(order) == "en"


def test_api_creates_and_changes_the_language(shop, users, api_as):
    api = api_as("owner")
    r = api.post(URL, order_payload(language="fr"))
    assert r.status_code == 201, r.content
    assert r.json()["language"] == "fr"
    reference = r.json()["reference"]
    assert api.post(URL, order_payload(language="de")).status_code == 422
    assert api.get(f"{URL}/{reference}").json()["language"] == "fr"
    r = api.patch(f"{URL}/{reference}", {"language": "en"})
    assert r.status_code == 200 and r.json()["language"] == "en"
    assert Order.objects.get(reference=reference).language == "en"
    assert api.post(URL, order_payload()).json()["language"] is None  # the shop's language applies


def test_language_changes_after_shipment_too(shop, users, api_as):
    order = order_in("in_transit", users["owner"])
    api = api_as("owner")
    r = api.patch(f"{URL}/{order.reference}", {"language": "fr"})
    assert r.status_code == 200, r.content
    assert r.json()["language"] == "fr"
    # Other fields still refuse after shipment.
    assert (
        api.patch(f"{URL}/{order.reference}", {"language": "en", "discount": 1}).status_code == 409
    )
    assert Order.objects.get(pk=order.pk).language == "fr"


def test_order_page_changes_the_language(shop, users):
    order = make_order(users["owner"])
    c = Client()
    c.force_login(users["owner"])
    r = c.post(
        f"/orders/{order.reference}/language/",
        {"language": "en", "version": order.version},
        HTTP_HX_REQUEST="true",
    )
    assert r.status_code == 200
    order.refresh_from_db()
    assert order.language == "en"
    event = order.events.filter(kind="edited").last()
    assert event.data == {"changes": {"language": ["", "en"]}}
    assert re.search(r"<option value=\"en\" selected>", r.content.decode())
    r = c.post(f"/orders/{order.reference}/language/", {"language": "xx"}, HTTP_HX_REQUEST="true")
    assert Order.objects.get(pk=order.pk).language == "en"
    viewer = Client()
    viewer.force_login(users["viewer"])
    viewer.post(f"/orders/{order.reference}/language/", {"language": "fr"}, HTTP_HX_REQUEST="true")
    assert Order.objects.get(pk=order.pk).language == "en"
