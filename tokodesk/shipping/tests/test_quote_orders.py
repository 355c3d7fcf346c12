"""Orders created with a destination district get their shipping cost from the rates."""

from conftest import order_payload
from tokodesk.catalog.models import Warehouse
from tokodesk.orders.models import Order
from tokodesk.shipping.models import Courier, ShippingRate
from tokodesk.shipping.quote import quote
from tokodesk.shipping.regions_testing import CILEUNGSI, demo_rates, regions  # noqa: F401


def _payload(**overrides):
    """The usual test order without a courier nor shipping cost: the rates price it."""
    body = order_payload(**overrides)
    for key in ("courier", "shipping_cost"):
        if key not in overrides:
            body.pop(key)
    return body


def test_api_order_with_destination_is_priced(api, demo_rates):  # noqa: F811
    # 2 × MADU-500 (700 g) = 1,400 g → 2 kg at the cheapest rate to Cileungsi.
    body = _payload(
        destination=CILEUNGSI, payment_method="cod", lines=[{"sku": "MADU-500", "qty": 2}]
    )
    r = api.post("/api/v1/orders", body)
    assert r.status_code == 201, r.content
    data = r.json()
    best = quote(
        demo_rates,
        1400,
        payment_method="cod",
        value=300000,
        warehouse=Warehouse.objects.get(code="jkt"),
    )[0]
    assert best.billable_kg == 2
    assert data["shipping_cost"] == best.price > 0
    assert (data["courier"], data["courier_service"]) == (best.courier, best.service)
    assert data["destination"] == CILEUNGSI
    assert data["total"] == 300000 + best.price
    order = Order.objects.get(reference=data["reference"])
    assert order.destination_district_id == CILEUNGSI
    assert order.destination_city == "Cileungsi, Kab. Bogor, Jawa Barat"  # no city given


def test_api_order_courier_chosen_and_cost_given(api, demo_rates):  # noqa: F811
    body = _payload(destination=CILEUNGSI, courier="jne", courier_service="YES")
    data = api.post("/api/v1/orders", body).json()
    jne = Courier.objects.get(code="jne")
    expected = quote(demo_rates, 700, courier_id=jne.pk, service="YES")[0].price
    assert (data["courier"], data["courier_service"], data["shipping_cost"]) == (
        "jne",
        "YES",
        expected,
    )
    # A cost given wins over the rates.
    data = api.post("/api/v1/orders", _payload(destination=CILEUNGSI, shipping_cost=1234)).json()
    assert data["shipping_cost"] == 1234 and data["courier"] is None


def test_api_order_without_rates_or_destination(api, regions, shop):  # noqa: F811
    ShippingRate.objects.all().delete()
    data = api.post("/api/v1/orders", _payload(destination=CILEUNGSI)).json()
    assert data["shipping_cost"] == 0 and data["destination"] == CILEUNGSI
    data = api.post("/api/v1/orders", _payload()).json()
    assert data["shipping_cost"] == 0 and data["destination"] is None
    r = api.post("/api/v1/orders", _payload(destination=999999))
    assert r.status_code == 422 and "destination" in r.json()["fields"]
