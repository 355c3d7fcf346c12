"""Issue 17: a variant can be serial-tracked, set on the product page or through the API
(shipping then records its serials: orders.serials)."""

from django.urls import reverse

from tokodesk.catalog.models import Variant
from tokodesk.catalog.tests.test_catalog_pages import client_for, variant_post


def test_serial_tracked_set_on_the_product_page(shop, users):
    c = client_for(users["owner"])
    form = c.get(reverse("catalog:new")).content.decode()
    assert 'name="v-0-serial_tracked"' in form and "Serial numbers tracked" in form
    r = c.post(reverse("catalog:new"), variant_post([
        {"sku": "SCOPE-1", "price": "2500000", "serial_tracked": "on"},
        {"sku": "CABLE-1", "price": "50000"},
    ]))
    assert r.status_code == 302, r.content.decode()[:2000]
    assert dict(Variant.objects.filter(sku__in=["SCOPE-1", "CABLE-1"]).values_list("sku", "serial_tracked")) == {
        "SCOPE-1": True, "CABLE-1": False}


def test_serial_tracked_through_the_api(shop, api):
    r = api.post("/api/v1/products", {"name": "Oscilloscope", "variants": [
        {"sku": "SCOPE-2", "price": 1, "serial_tracked": True}]})
    assert r.status_code == 201, r.content
    assert r.json()["variants"][0]["serial_tracked"] is True
    assert Variant.objects.get(sku="SCOPE-2").serial_tracked
