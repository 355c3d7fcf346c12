"""Issue 17: address fields are called as the shop's country calls them. An Indonesian shop keeps
"District (kecamatan)" / "City / regency" and the district picker (the Indonesian regions list
the rate tables price); a shop anywhere else says "District", "City", "Region / province" and
has no picker on the landing page, the manual order or the order edit (an order that already
has a district keeps its picker on the edit page, so the district is neither lost nor stuck)."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.utils import translation

from tokodesk.core.addresses import address_labels
from tokodesk.core.models import ShopSettings
from tokodesk.orders.models import Order

pytestmark = pytest.mark.django_db


def shop_in(country: str) -> None:
    row = ShopSettings.get()
    row.country = country
    row.save()


def _client(user=None):
    c = Client(HTTP_ACCEPT_LANGUAGE="en")
    if user is not None:
        c.force_login(user)
    c.cookies["django_language"] = "en"
    return c


@translation.override("en")
def test_labels_per_country():
    indonesia = address_labels("ID")
    assert (str(indonesia.district), str(indonesia.city), indonesia.district_picker) == (
        "District (kecamatan)",
        "City / regency",
        True,
    )
    for country in ("FR", "de", "US", ""):
        elsewhere = address_labels(country)
        assert (str(elsewhere.district), str(elsewhere.city), str(elsewhere.province)) == (
            "District",
            "City",
            "Region / province",
        )
        assert not elsewhere.district_picker and "RT/RW" not in str(elsewhere.street_placeholder)


def test_labels_follow_the_shop_country(shop):
    shop_in("FR")
    assert address_labels().country == "FR" and not address_labels().district_picker
    shop_in("ID")
    assert address_labels().district_picker


def _profile_labels(page: str) -> dict:
    return {
        name: re.sub(r"\s+", " ", label).strip()
        for name, label in re.findall(
            r'data-setting="(district|city|province|postal_code)">([^<]*)<', page
        )
    }


def test_settings_page_profile_labels(shop, users):
    c = _client(users["owner"])
    shop_in("ID")
    labels = _profile_labels(c.get("/orders/settings/").content.decode())
    assert labels == {
        "district": "District (kecamatan)",
        "city": "City / regency",
        "province": "Province",
        "postal_code": "Postal code",
    }
    shop_in("FR")
    page = c.get("/orders/settings/").content.decode()
    assert _profile_labels(page) == {
        "district": "District",
        "city": "City",
        "province": "Region / province",
        "postal_code": "Postal code",
    }
    assert "kecamatan" not in page and "regency" not in page


def test_landing_page_has_the_district_picker_in_indonesia_only(shop):
    from tokodesk.storefront.tests.test_landing import make_page, submit

    page = make_page(shop)
    shop_in("ID")
    form = _client().get(f"/p/{page.slug}/").content.decode()
    assert 'id="district-field"' in form and "District (kecamatan)" in form and "RT/RW" in form

    shop_in("FR")
    form = _client().get(f"/p/{page.slug}/").content.decode()
    assert 'id="district-field"' not in form and 'name="district"' not in form
    assert "kecamatan" not in form and "RT/RW" not in form and "Bandung" not in form
    r = submit(_client(), page.slug, postcode="75011")
    assert r.status_code == 303, r.content[:300]
    assert Order.objects.get().destination_district_id is None


def test_manual_order_and_edit_have_the_district_picker_in_indonesia_only(shop, users):
    from tokodesk.orders.tests.test_pages_create import form_data
    from tokodesk.orders.tests.test_pages_detail import edit_data
    from tokodesk.shipping.models import District

    c = _client(users["owner"])
    shop_in("ID")
    page = c.get("/orders/new/").content.decode()
    assert "data-district-picker" in page and "District (kecamatan)" in page

    shop_in("FR")
    page = c.get("/orders/new/").content.decode()
    assert "data-district-picker" not in page and "kecamatan" not in page
    assert re.search(r'<input[^>]*name="destination"', page)  # hidden, empty: none is sent
    r = c.post("/orders/new/", form_data(postcode="75011"))
    assert r.status_code == 302, r.content[:500]
    order = Order.objects.get()

    edit = c.get(f"/orders/{order.reference}/edit/").content.decode()
    assert 'data-section="destination"' not in edit and "kecamatan" not in edit
    r = c.post(
        f"/orders/{order.reference}/edit/",
        edit_data(order, destination_postcode="75011", customer_note="Sonner deux fois"),
    )
    assert r.status_code == 302, r.content[:500]

    # An order that has a district (made while the shop was in Indonesia) keeps it, and its
    # picker stays on the edit page to change or remove it.
    district = District.objects.first()
    Order.objects.filter(pk=order.pk).update(destination_district=district)
    order.refresh_from_db()
    edit = c.get(f"/orders/{order.reference}/edit/").content.decode()
    assert 'data-section="destination"' in edit and "<h2>District</h2>" in edit
    r = c.post(
        f"/orders/{order.reference}/edit/",
        edit_data(
            order,
            destination=str(district.pk),
            destination_postcode="75011",
            customer_note="Étage 3",
        ),
    )
    assert r.status_code == 302, r.content[:500]
    order.refresh_from_db()
    assert order.destination_district_id == district.pk and order.customer_note == "Étage 3"
