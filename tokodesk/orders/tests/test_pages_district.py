"""District in the manual order and the order edit (issue 14): the searchable district, the
couriers with their prices from the rate tables for the products' weight, the cost computed
when none is typed, and the agent's override of the cost with a reason on the timeline."""

import re

from django.test import Client
from django.urls import reverse

from tokodesk.orders import services
from tokodesk.orders.models import Order, OrderEvent
from tokodesk.orders.tests.factories import make_order
from tokodesk.shipping.models import District
from tokodesk.shipping.quote import quote
from tokodesk.shipping.regions_testing import CILEUNGSI, demo_rates, regions  # noqa: F401

URL = reverse("orders:create")


def client_for(user, language="en"):
    c = Client()
    c.force_login(user)
    c.cookies["django_language"] = language
    return c


def form_data(**overrides):
    data = {
        "name": "Siti Rahayu", "phone": "081234567890", "address": "Jl. Melati 5", "city": "",
        "destination": str(CILEUNGSI), "warehouse": "jkt",
        "sku": ["MADU-500", "KAOS-M"], "qty": ["2", "1"], "unit_price": ["", ""],
        "courier": "", "courier_service": "", "shipping_cost": "", "payment_method": "cod",
    }  # fmt: skip
    data.update(overrides)
    return data


def test_manual_order_lists_couriers_with_prices_for_the_district(shop, users, demo_rates):  # noqa: F811
    c = client_for(users["agent"])
    page = c.get(URL).content.decode()
    assert "data-district-picker" in page and 'name="destination"' in page
    r = c.post(URL + "?part=shipping", form_data())
    assert r.status_code == 200
    html = r.content.decode()
    weight = 2 * 700 + 200  # from the variants
    options = quote(demo_rates, weight, warehouse=shop["jkt"], payment_method="cod", value=375000)
    assert options and html.count('name="ship_option"') == len(options)
    first = re.search(r'data-courier="(\w+)" data-service="(\w+)"', html).groups()
    assert first == (options[0].courier, options[0].service)
    assert "Cileungsi, Kab. Bogor, Jawa Barat" in html
    with_fee = next(o for o in options if o.cod_fee)  # COD chosen: the courier's COD fee
    assert f'data-cod-fee="{with_fee.cod_fee}"' in html
    # The chosen courier's option is the checked one; the summary counts its price.
    r = c.post(URL + "?part=shipping", form_data(courier="jne", courier_service="YES"))
    assert re.search(r'data-courier="jne" data-service="YES"[^>]*checked', r.content.decode())
    summary = c.post(
        URL + "?part=summary", form_data(courier="jne", courier_service="YES")
    ).content.decode()
    jne_yes = next(o for o in options if (o.courier, o.service) == ("jne", "YES"))
    assert f"{jne_yes.price:,}".replace(",", ".") in summary
    # No district: no list (a shop abroad types the city).
    r = c.post(URL + "?part=shipping", form_data(destination=""))
    assert 'name="ship_option"' not in r.content.decode()


def test_manual_order_is_priced_from_the_rate_tables(shop, users, demo_rates):  # noqa: F811
    c = client_for(users["owner"])
    r = c.post(URL, form_data(courier="jne", courier_service="REG"))
    assert r.status_code == 302, r.content.decode()[:2000]
    order = Order.objects.get()
    expected = quote(
        demo_rates, 1600, warehouse=shop["jkt"], courier_id=order.courier_id, service="REG"
    )[0]
    assert order.destination_district_id == CILEUNGSI
    assert (order.courier.code, order.courier_service, order.shipping_cost) == (
        "jne",
        "REG",
        expected.price,
    )
    assert order.destination_city == "Cileungsi, Kab. Bogor, Jawa Barat"
    # No courier chosen: the cheapest option, with its courier and service.
    r = c.post(URL, form_data(phone="081234567891"))
    order = Order.objects.exclude(pk=order.pk).get()
    cheapest = quote(demo_rates, 1600, warehouse=shop["jkt"], payment_method="cod", value=375000)[0]
    assert (order.courier.code, order.shipping_cost) == (cheapest.courier, cheapest.price)
    # A typed cost is kept; a free-text city without a district still works (cost 0 if blank).
    c.post(
        URL,
        form_data(
            phone="081234567892", shipping_cost="15.000", courier="jne", courier_service="REG"
        ),
    )
    assert Order.objects.get(recipient_phone="+6281234567892").shipping_cost == 15000
    c.post(URL, form_data(phone="081234567893", destination="", city="Kuala Lumpur"))
    abroad = Order.objects.get(recipient_phone="+6281234567893")
    assert (abroad.destination_district_id, abroad.destination_city, abroad.shipping_cost) == (
        None,
        "Kuala Lumpur",
        0,
    )
    # An unknown district comes back next to the district field.
    r = c.post(URL, form_data(phone="081234567894", destination="999999"))
    assert r.status_code == 422 and 'id="id_destination-error"' in r.content.decode()


def _edit_data(order, **overrides):
    lines = list(order.lines.all())
    data = {
        "version": str(order.version), "recipient_name": order.recipient_name,
        "recipient_phone": order.recipient_phone, "recipient_email": order.recipient_email,
        "destination_address": order.destination_address, "destination_city": order.destination_city,
        "warehouse": order.warehouse.code if order.warehouse_id else "",
        "courier": order.courier.code if order.courier_id else "", "courier_service": order.courier_service,
        "shipping_cost": str(order.shipping_cost), "insurance_cost": str(order.insurance_cost),
        "discount": str(order.discount), "payment_method": order.payment_method,
        "customer_note": order.customer_note,
        "destination": str(order.destination_district_id or ""),
        "lines-TOTAL_FORMS": str(len(lines)), "lines-INITIAL_FORMS": str(len(lines)),
        "lines-MIN_NUM_FORMS": "0", "lines-MAX_NUM_FORMS": "50",
    }  # fmt: skip
    for i, line in enumerate(lines):
        data[f"lines-{i}-sku"], data[f"lines-{i}-qty"] = line.sku, str(line.qty)
    data.update(overrides)
    return data


def test_edit_sets_the_district_and_overrides_the_cost_with_a_reason(shop, owner, regions):  # noqa: F811
    order = make_order(owner)
    c = client_for(owner)
    page = c.get(f"/orders/{order.reference}/edit/").content.decode()
    assert "data-district-picker" in page
    r = c.post(f"/orders/{order.reference}/edit/", _edit_data(order, destination=str(CILEUNGSI)))
    assert r.status_code == 302
    order.refresh_from_db()
    assert order.destination_district_id == CILEUNGSI
    edited = OrderEvent.objects.filter(order=order, kind="edited").last()
    assert edited.data["changes"]["destination"] == [None, "Cileungsi, Kab. Bogor, Jawa Barat"]
    # Changing the cost of an order with a district needs a reason, shown next to its field.
    r = c.post(f"/orders/{order.reference}/edit/", _edit_data(order, shipping_cost="9000"))
    assert r.status_code == 422
    assert 'data-error-for="shipping_cost_reason"' in r.content.decode()
    assert Order.objects.get(pk=order.pk).shipping_cost == order.shipping_cost
    r = c.post(
        f"/orders/{order.reference}/edit/",
        _edit_data(order, shipping_cost="9000", shipping_cost_reason="Ongkir promo JNE"),
    )
    assert r.status_code == 302
    order.refresh_from_db()
    assert order.shipping_cost == 9000
    edited = OrderEvent.objects.filter(order=order, kind="edited").last()
    assert edited.data["reason"] == "Ongkir promo JNE"
    assert edited.data["changes"]["shipping_cost"][1] == 9000
    # The timeline row on the order page: the cost change and the reason.
    html = c.get(f"/orders/{order.reference}/").content.decode()
    row = html[html.index('data-kind="edited"') :]
    row = row[: row.index("</li>")]
    assert "Ongkir promo JNE" in row and "Rp 9.000" in row


def test_api_override_needs_a_reason(shop, owner, api, regions):  # noqa: F811
    order = make_order(owner)
    services.order_edit(reference=order.reference, actor=owner, changes={"destination": CILEUNGSI})
    r = api.patch(f"/api/v1/orders/{order.reference}", {"shipping_cost": 7000})
    assert r.status_code == 422 and "shipping_cost_reason" in r.json()["fields"]
    r = api.patch(
        f"/api/v1/orders/{order.reference}",
        {"shipping_cost": 7000, "shipping_cost_reason": "Pelanggan ambil di agen"},
    )
    assert r.status_code == 200
    event = OrderEvent.objects.filter(order=order, kind="edited").last()
    assert event.data["reason"] == "Pelanggan ambil di agen"
    assert District.objects.get(pk=CILEUNGSI) == Order.objects.get(pk=order.pk).destination_district
