"""Confirming an order that has a destination district but no courier or shipping cost asks
for them: the courier list with prices for that destination (issue 14)."""

from django.test import Client

from conftest import order_payload
from tokodesk.orders.models import Order
from tokodesk.shipping.models import Courier, ShippingRate
from tokodesk.shipping.quote import quote
from tokodesk.shipping.rates_demo import load_demo_rates
from tokodesk.shipping.regions_testing import CILEUNGSI, regions  # noqa: F401


def _unpriced_order(api):
    """An order to Cileungsi created while no rate covered it: no courier, no shipping cost."""
    body = order_payload(destination=CILEUNGSI, payment_method="cod")
    body.pop("courier")
    body.pop("shipping_cost")
    data = api.post("/api/v1/orders", body).json()
    assert data["shipping_cost"] == 0 and data["courier"] is None
    return data["reference"]


def test_confirm_asks_for_courier_and_cost_then_carries_them(api, regions, shop):  # noqa: F811
    ShippingRate.objects.all().delete()
    reference = _unpriced_order(api)
    r = api.post(f"/api/v1/orders/{reference}/actions/confirm", {})
    assert r.status_code in (409, 422), r.content
    assert r.json()["code"] == "shipping_required"
    assert Order.objects.get(reference=reference).status == "new"

    load_demo_rates(Courier.objects.all())
    # The page's confirm form lists the couriers with their prices for Cileungsi.
    client = Client()
    client.force_login(api.user)
    html = client.get(f"/orders/{reference}/actions/confirm/").content.decode()
    jne_reg = quote(
        regions,
        700,
        payment_method="cod",
        value=150000,
        courier_id=Courier.objects.get(code="jne").pk,
        service="REG",
    )[0]
    assert 'value="jne:REG"' in html and "Rp 9.000" in html and jne_reg.price == 9000

    bad = api.post(f"/api/v1/orders/{reference}/actions/confirm", {"shipping_option": "nope:REG"})
    assert bad.status_code == 422 and "shipping_option" in bad.json()["fields"]
    r = api.post(f"/api/v1/orders/{reference}/actions/confirm", {"shipping_option": "jne:REG"})
    assert r.status_code == 200, r.content
    order = Order.objects.get(reference=reference)
    assert order.status == "confirmed"
    assert (order.courier.code, order.courier_service, order.shipping_cost) == (
        "jne",
        "REG",
        jne_reg.price,
    )
    assert order.total == order.subtotal + jne_reg.price


def test_confirm_without_asking_when_priced_or_without_district(api, regions, shop):  # noqa: F811
    load_demo_rates(Courier.objects.all())
    priced = api.post("/api/v1/orders", order_payload(destination=CILEUNGSI)).json()["reference"]
    old_style = api.post("/api/v1/orders", {**order_payload(), "courier": None}).json()["reference"]
    for reference in (priced, old_style):
        r = api.post(f"/api/v1/orders/{reference}/actions/confirm", {})
        assert r.status_code == 200, r.content
