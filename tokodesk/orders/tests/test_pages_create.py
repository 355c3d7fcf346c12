"""The manual order page (/orders/new/): who may open it, what it offers, what a POST
creates, and that every bad input comes back next to its field with nothing written."""

import re

import pytest
from django.test import Client
from django.urls import reverse

from tokodesk.customers.models import Customer
from tokodesk.orders.models import Order
from tokodesk.orders.services import CustomerInput, LineInput, OrderInput, order_create

URL = reverse("orders:create")


def client_for(user):
    client = Client()
    client.force_login(user)
    client.cookies["django_language"] = "en"  # the messages below are checked in English
    return client


def form_data(**overrides):
    data = {
        "name": "Siti Rahayu", "phone": "081234567890", "email": "siti@example.com",
        "address": "Jl. Melati 5", "city": "Bandung",
        "warehouse": "jkt",
        "sku": ["KAOS-M", "MADU-500"], "qty": ["2", "1"], "unit_price": ["", "140000"],
        "courier": "jne", "courier_service": "REG", "shipping_cost": "18.000", "insurance_cost": "2000",
        "discount": "5000", "payment_method": "bank_transfer", "tags": "vip, reseller", "note": "Bungkus rapi",
    }
    data.update(overrides)
    return data


def error_of(html: str, field: str) -> str:
    """The error shown inside the label of the field (data-field=…)."""
    match = re.search(rf'data-field="{field}".*?</label>', html, re.S)
    assert match, f"no field {field}"
    errors = re.findall(r'class="field-error"[^>]*>([^<]+)<', match.group(0))
    return " ".join(errors)


def row_errors(html: str) -> list[dict]:
    rows = re.findall(r"<tr class=\"mo-line.*?</tr>", html, re.S)
    return [dict(re.findall(r'data-error="(\w+)">([^<]+)<', row)) for row in rows]


def make_order(user, phone, name, address="Jl. Lama 1", city="Depok", postcode=""):
    return order_create(data=OrderInput(
        customer=CustomerInput(name=name, phone=phone, address=address, city=city, postcode=postcode),
        lines=[LineInput(sku="KAOS-L", qty=1)], payment_method="cod", warehouse="jkt", agent=user.username),
        actor=None, source="test")


@pytest.mark.django_db
class TestAccess:
    def test_owner_and_agent_see_the_page(self, shop, users):
        for role in ("owner", "agent"):
            response = client_for(users[role]).get(URL)
            assert response.status_code == 200, role
            html = response.content.decode()
            assert 'name="phone"' in html and 'name="warehouse"' in html and 'name="payment_method"' in html
            assert "Gudang Jakarta" in html and "J&amp;T Express" in html
        # only those who may assign see the agent select
        assert 'name="agent"' in client_for(users["owner"]).get(URL).content.decode()
        assert 'name="agent"' not in client_for(users["agent"]).get(URL).content.decode()

    def test_viewer_is_refused(self, shop, users):
        assert client_for(users["viewer"]).get(URL).status_code == 403
        assert client_for(users["viewer"]).post(URL, form_data()).status_code == 403
        assert Order.objects.count() == 0

    def test_anonymous_goes_to_login(self, shop):
        response = Client().get(URL)
        assert response.status_code == 302 and "login" in response["Location"]


@pytest.mark.django_db
class TestProducts:
    def test_only_variants_stocked_in_the_warehouse(self, shop, users):
        client = client_for(users["owner"])
        html = client.get(URL, {"part": "line", "warehouse": "jkt"}).content.decode()
        offered = set(re.findall(r'<option value="([A-Z0-9-]+)"', html))
        assert offered == {"KAOS-M", "KAOS-L", "MADU-500"}
        assert "Rp 150.000" in html  # price shown
        assert 'data-available="100"' in html
        html = client.get(URL, {"part": "line", "warehouse": "sby"}).content.decode()
        assert set(re.findall(r'<option value="([A-Z0-9-]+)"', html)) == {"SEPATU-42"}

    def test_changing_the_warehouse_keeps_rows_and_offers_its_stock(self, shop, users):
        html = client_for(users["owner"]).post(
            URL + "?part=products", form_data(warehouse="sby", sku=["SEPATU-42"], qty=["3"], unit_price=[""])
        ).content.decode()
        assert 'id="products-step"' in html
        assert set(re.findall(r'<option value="([A-Z0-9-]+)"', html)) == {"SEPATU-42"}
        assert re.search(r'<option value="SEPATU-42"[^>]*selected', html)
        assert 'name="qty" value="3"' in html

    def test_summary_counts_in_major_units(self, shop, users):
        html = client_for(users["owner"]).post(URL + "?part=summary", form_data()).content.decode()
        # 2 × 75.000 + 140.000 = 290.000; + 18.000 + 2.000 − 5.000 = 305.000
        assert re.search(r'data-total="subtotal">Rp 290\.000<', html)
        assert re.search(r'data-total="total">Rp 305\.000<', html)
        assert Order.objects.count() == 0


@pytest.mark.django_db
class TestCreate:
    def test_valid_post_creates_one_order(self, shop, users):
        client = client_for(users["owner"])
        response = client.post(URL, form_data(agent="agent"))
        assert Order.objects.count() == 1
        order = Order.objects.get()
        assert response.status_code == 302
        assert response["Location"] == reverse("orders:detail", args=[order.reference])
        assert order.channel == "manual"
        lines = {line.sku: (line.qty, line.unit_price) for line in order.lines.all()}
        assert lines == {"KAOS-M": (2, 75000), "MADU-500": (1, 140000)}
        assert (order.subtotal, order.shipping_cost, order.insurance_cost, order.discount, order.total) == (
            290000, 18000, 2000, 5000, 305000)
        assert order.recipient_phone == "+6281234567890" and order.destination_city == "Bandung"
        assert order.warehouse.code == "jkt" and order.courier.code == "jne" and order.courier_service == "REG"
        assert order.payment_method == "bank_transfer" and order.customer_note == "Bungkus rapi"
        assert sorted(order.tags.values_list("name", flat=True)) == ["reseller", "vip"]
        assert order.assigned_agent == users["agent"]
        assert order.events.filter(kind="created", source="web").exists()
        followed = client.get(URL)  # the success message waits for the next page
        assert any(order.reference in str(m) for m in followed.context["messages"])

    def test_agent_order_is_theirs(self, shop, users):
        response = client_for(users["agent"]).post(URL, form_data(phone="+62 812-9999-0000"))
        assert response.status_code == 302
        order = Order.objects.get()
        assert order.assigned_agent == users["agent"] and order.recipient_phone == "+6281299990000"

    def test_agent_cannot_assign_someone_else(self, shop, users):
        client_for(users["agent"]).post(URL, form_data(agent="agent2"))
        assert Order.objects.get().assigned_agent == users["agent"]  # the field is not theirs to send

    def test_a_second_submit_of_the_same_form_opens_the_first_order(self, shop, users):
        client = client_for(users["owner"])
        first = client.post(URL, form_data(form_token="abc123"))
        second = client.post(URL, form_data(form_token="abc123"))
        assert Order.objects.count() == 1
        assert first["Location"] == second["Location"]


@pytest.mark.django_db
class TestErrors:
    def _post(self, users, **overrides):
        response = client_for(users["owner"]).post(URL, form_data(**overrides))
        assert response.status_code == 422
        assert Order.objects.count() == 0 and Customer.objects.count() == 0
        return response.content.decode()

    def test_invalid_phone(self, shop, users):
        html = self._post(users, phone="12345")
        assert "not a valid phone number" in error_of(html, "phone")
        assert 'value="12345"' in html and 'value="Siti Rahayu"' in html  # what was typed stays

    def test_unknown_sku(self, shop, users):
        html = self._post(users, sku=["KAOS-M", "NOPE-1"])
        errors = row_errors(html)
        assert errors[0] == {} and "Unknown product" in errors[1]["sku"]
        assert '<option value="NOPE-1" selected>' in html

    def test_variant_not_stocked_in_the_warehouse(self, shop, users):
        errors = row_errors(self._post(users, sku=["SEPATU-42", "MADU-500"]))
        assert "Not stocked" in errors[0]["sku"] and errors[1] == {}

    def test_qty_zero(self, shop, users):
        html = self._post(users, qty=["2", "0"])
        errors = row_errors(html)
        assert errors[0] == {} and "at least 1" in errors[1]["qty"]
        assert 'name="qty" value="0"' in html

    def test_missing_address(self, shop, users):
        html = self._post(users, address="  ")
        assert error_of(html, "address")
        assert error_of(html, "phone") == ""

    def test_several_errors_at_once(self, shop, users):
        html = self._post(users, name="", shipping_cost="abc", payment_method="", unit_price=["-5", ""])
        assert error_of(html, "name") and error_of(html, "shipping_cost")
        assert re.search(r'data-field="payment_method".*?field-error', html, re.S)
        assert "unit_price" in row_errors(html)[0]

    def test_no_products(self, shop, users):
        html = self._post(users, sku=[""], qty=["1"], unit_price=[""])
        assert 'data-error="lines"' in html

    def test_service_error_goes_next_to_its_field(self, shop, users):
        # a discount above the order passes the form; the service refuses it
        html = self._post(users, discount="10000000")
        assert error_of(html, "discount")

    @pytest.mark.parametrize("junk", [
        {"qty": ["99999999999999999999", "1"]}, {"shipping_cost": "1e400"}, {"warehouse": "nope"},
        {"courier": "nope"}, {"courier_service": "NOPE"}, {"payment_method": "cash"}, {"agent": "nobody"},
        {"sku": ["x" * 500]}, {"tags": ",".join(f"t{i}" for i in range(30))}, {"email": "not-an-email"},
        {"unit_price": ["1.5", ""]}, {"discount": "NaN"},
    ])
    def test_junk_never_500(self, shop, users, junk):
        self._post(users, **junk)


@pytest.mark.django_db
class TestLookup:
    def test_finds_the_customer_for_the_owner(self, shop, users):
        make_order(users["agent"], "081211112222", "Budi Santoso", city="Depok")
        html = client_for(users["owner"]).get(URL, {"lookup_phone": "+62 812-1111-2222"}).content.decode()
        assert 'data-lookup="found"' in html and "Budi Santoso" in html
        assert 'data-city="Depok"' in html and 'data-address="Jl. Lama 1"' in html

    def test_the_found_customer_brings_the_postcode(self, shop, users):
        """Issue 17: "Use these details" fills the postal code too (app.js reads data-postcode),
        for the owner (the customer's) and for an agent (their own latest order's)."""
        make_order(users["agent"], "081211112222", "Budi Santoso", city="Depok", postcode="16424")
        for role in ("owner", "agent"):
            html = client_for(users[role]).get(URL, {"lookup_phone": "081211112222"}).content.decode()
            assert 'data-postcode="16424"' in html and 'data-city="Depok"' in html, role
            assert "Jl. Lama 1, 16424 Depok" in html, role

    def test_agent_sees_only_customers_of_their_orders(self, shop, users):
        make_order(users["agent"], "081211112222", "Budi Santoso")
        make_order(users["agent2"], "081233334444", "Dewi Lestari")
        agent = client_for(users["agent"])
        assert "Budi Santoso" in agent.get(URL, {"lookup_phone": "081211112222"}).content.decode()
        html = agent.get(URL, {"lookup_phone": "081233334444"}).content.decode()
        assert "Dewi" not in html and 'data-lookup="new"' in html

    def test_unknown_and_invalid_numbers(self, shop, users):
        client = client_for(users["owner"])
        assert 'data-lookup="new"' in client.get(URL, {"lookup_phone": "081299998888"}).content.decode()
        html = client.get(URL, {"lookup_phone": "12"}).content.decode()
        assert "data-lookup" not in html

    def test_courier_services(self, shop, users):
        html = client_for(users["owner"]).get(URL, {"part": "services", "courier": "jne"}).content.decode()
        assert '<option value="REG"' in html
