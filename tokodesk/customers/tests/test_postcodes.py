"""Issue 17: the delivery address has a postcode, asked for and checked per the shop's country
(a French shop requires its five digits, an Indonesian one takes five digits or none): on the
API's create, read and update, kept on the customer; bad input is a 422 naming the field, in
the reader's language, and writes nothing."""

from __future__ import annotations

import re

import pytest

from conftest import order_payload
from tokodesk.core.errors import ValidationFailed
from tokodesk.core.models import ShopSettings
from tokodesk.customers.models import Customer
from tokodesk.customers.postcodes import clean_postcode
from tokodesk.orders.models import Order

pytestmark = pytest.mark.django_db
URL = "/api/v1/orders"


def shop_in(country: str) -> None:
    row = ShopSettings.get()
    row.country = country
    row.save()


@pytest.mark.parametrize(("country", "value", "expected"), [
    ("FR", " 75011 ", "75011"), ("ID", "", ""), ("ID", "40131", "40131"), ("NL", "1012ab", "1012AB"),
    ("GB", "sw1a 1aa", "SW1A 1AA"), ("ZZ", "", ""), ("ZZ", "AB-12", "AB-12"),
])
def test_postcode_rules_accept(country, value, expected):
    assert clean_postcode(value, country=country) == expected


@pytest.mark.parametrize(("country", "value"), [
    ("FR", ""), ("FR", "7501"), ("FR", "75O11"), ("ID", "4013"), ("ID", "401311"), ("ZZ", "x" * 13),
    ("ZZ", "<script>"),
])
def test_postcode_rules_refuse_on_the_field(country, value):
    with pytest.raises(ValidationFailed) as caught:
        clean_postcode(value, country=country, field="customer.postcode")
    assert list(caught.value.fields) == ["customer.postcode"]


def _customer(**extra):
    return {"name": "Claire Martin", "phone": "081234567890", "address": "12 rue Oberkampf, Paris"} | extra


def test_french_shop_requires_the_postcode_on_create_and_update(shop, api_as):
    shop_in("FR")
    api = api_as("owner")
    for customer, message in ((_customer(), "Obligatoire."),
                              (_customer(postcode="7501"), "75011")):
        r = api.post(URL, order_payload(customer=customer), headers={"Accept-Language": "fr"})
        assert r.status_code == 422, r.content
        assert message in r.json()["fields"]["customer.postcode"]
    assert not Order.objects.exists() and not Customer.objects.exists()

    r = api.post(URL, order_payload(customer=_customer(postcode=" 75011")))
    assert r.status_code == 201, r.content
    body = r.json()
    assert body["recipient"]["postcode"] == "75011"
    ref = body["reference"]
    assert Customer.objects.get().postcode == "75011"
    assert api.get(f"{URL}/{ref}").json()["recipient"]["postcode"] == "75011"
    listed = api.get(URL).json()["items"]
    assert [item["recipient"]["postcode"] for item in listed] == ["75011"]

    version = body["version"]
    r = api.patch(f"{URL}/{ref}", {"destination_postcode": "", "version": version})
    assert r.status_code == 422 and "destination_postcode" in r.json()["fields"], r.content
    r = api.patch(f"{URL}/{ref}", {"destination_postcode": "69OO2", "version": version})
    assert r.status_code == 422 and "destination_postcode" in r.json()["fields"], r.content
    r = api.patch(f"{URL}/{ref}", {"destination_postcode": "69002", "version": version})
    assert r.status_code == 200 and r.json()["recipient"]["postcode"] == "69002", r.content
    edited = Order.objects.get(reference=ref).events.filter(kind="edited").latest("id")
    assert edited.data["changes"]["destination_postcode"] == ["75011", "69002"]
    # The history says "Code postal", not the field's name.
    from django.test import Client

    c = Client()
    c.force_login(api.user)
    c.cookies["django_language"] = "fr"
    page = c.get(f"/orders/{ref}/").content.decode()
    assert "<dt>Code postal</dt>" in page and "destination_postcode" not in page


def test_indonesian_shop_takes_no_postcode_or_five_digits(shop, api_as):
    shop_in("ID")
    api = api_as("owner")
    r = api.post(URL, order_payload())
    assert r.status_code == 201 and r.json()["recipient"]["postcode"] == "", r.content
    r = api.post(URL, order_payload(customer=_customer(postcode="4013")))
    assert r.status_code == 422 and "customer.postcode" in r.json()["fields"]
    r = api.post(URL, order_payload(customer=_customer(postcode="40131")))
    assert r.status_code == 201 and r.json()["recipient"]["postcode"] == "40131"


# --- the pages: landing page, manual order, order edit; labels and slip -------------------


def _page_client(user=None, language="en"):
    from django.test import Client

    c = Client(HTTP_ACCEPT_LANGUAGE=language)
    if user is not None:
        c.force_login(user)
    c.cookies["django_language"] = language
    return c


def test_landing_page_asks_the_postcode_per_country(shop):
    from tokodesk.storefront.tests.test_landing import make_page, submit

    page = make_page(shop)
    shop_in("FR")
    c = _page_client()
    form = c.get(f"/p/{page.slug}/").content.decode()
    assert re.search(r'<input[^>]*name="postcode"[^>]*required', form)
    r = submit(c, page.slug)
    assert r.status_code == 422 and not Order.objects.exists()
    assert re.search(r'postcode.*?Required\.', r.content.decode(), re.S)
    r = submit(c, page.slug, postcode="7501")
    assert r.status_code == 422 and "75011" in r.content.decode() and not Order.objects.exists()
    r = submit(c, page.slug, postcode="75011")
    assert r.status_code == 303, r.content[:300]
    assert Order.objects.get().destination_postcode == "75011"

    shop_in("ID")
    form = _page_client().get(f"/p/{page.slug}/").content.decode()
    assert 'name="postcode"' in form and not re.search(r'<input[^>]*name="postcode"[^>]*required', form)
    r = submit(_page_client(), page.slug, phone="081234567891")
    assert r.status_code == 303


def test_manual_order_and_edit_take_the_postcode(shop, users):
    from tokodesk.orders.tests.test_pages_create import form_data
    from tokodesk.orders.tests.test_pages_detail import edit_data

    shop_in("FR")
    c = _page_client(users["owner"])
    r = c.post("/orders/new/", form_data())
    assert r.status_code == 422 and not Order.objects.exists()
    assert re.search(r'data-field="postcode".*?field-error[^>]*>Required\.', r.content.decode(), re.S)
    r = c.post("/orders/new/", form_data(postcode="75011"))
    assert r.status_code == 302, r.content[:500]
    order = Order.objects.get()
    assert order.destination_postcode == "75011" and order.customer.postcode == "75011"

    page = c.get(f"/orders/{order.reference}/edit/").content.decode()
    assert re.search(r'name="destination_postcode"[^>]*value="75011"', page)
    r = c.post(f"/orders/{order.reference}/edit/", edit_data(order, destination_postcode="ABC"))
    assert r.status_code == 422 and 'data-error-for="destination_postcode"' in r.content.decode()
    r = c.post(f"/orders/{order.reference}/edit/", edit_data(order, destination_postcode="69002"))
    assert r.status_code == 302
    order.refresh_from_db()
    assert order.destination_postcode == "69002"
    assert "data-postcode>69002<" in c.get(f"/orders/{order.reference}/").content.decode()


def test_label_and_slip_print_the_postcode(shop, users):
    from tokodesk.dispatch.labels import _label
    from tokodesk.notifications.slips import render_slip_html
    from tokodesk.orders.tests.factories import make_order
    from tokodesk.returns.tests.factories import return_in

    order = make_order(users["owner"])
    Order.objects.filter(pk=order.pk).update(destination_postcode="75011", destination_city="Paris")
    order.refresh_from_db()
    assert _label(order)["city"] == "75011 Paris"
    ret = return_in("awaiting_item", users["owner"])
    Order.objects.filter(pk=ret.order_id).update(destination_postcode="75011", destination_city="Paris")
    ret.order.refresh_from_db()
    assert "75011 Paris" in render_slip_html(ret, "fr")
