"""Store credit on the pages (issue 12 item 3): the manual order's lookup and field, the
confirm form, the order page's section and the customer's store-credit page."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from tokodesk.orders.models import Order
from tokodesk.orders.store_credit import balance
from tokodesk.orders.tests.test_pages_create import URL, client_for, error_of, form_data
from tokodesk.orders.tests.test_store_credit import credit, new_order

HTMX = {"HTTP_HX_REQUEST": "true"}


def _one_product(**overrides):
    # MADU-500 at Rp 150.000 + shipping Rp 18.000 = Rp 168.000
    return form_data(
        sku=["MADU-500"], qty=["1"], unit_price=[""], insurance_cost="", discount="", **overrides
    )


@pytest.mark.django_db
class TestManualOrder:
    def test_lookup_shows_the_balance_in_rupiah(self, shop, users):
        credit(125000)
        html = (
            client_for(users["owner"]).get(URL, {"lookup_phone": "081234567890"}).content.decode()
        )
        assert 'data-store-credit-balance="125000"' in html and "Rp 125.000" in html

    def test_the_agent_sees_the_balance_of_their_customer(self, shop, users):
        customer = credit(40000)
        new_order(users["agent"])  # an order of theirs with this customer
        assert customer.pk
        html = (
            client_for(users["agent"]).get(URL, {"lookup_phone": "081234567890"}).content.decode()
        )
        assert 'data-store-credit-balance="40000"' in html

    def test_page_offers_the_field(self, shop, users):
        html = client_for(users["owner"]).get(URL).content.decode()
        assert 'data-field="store_credit"' in html and "Use store credit" in html

    def test_summary_counts_what_is_left_to_pay(self, shop, users):
        html = (
            client_for(users["owner"])
            .post(f"{URL}?part=summary", _one_product(store_credit="50.000"))
            .content.decode()
        )
        assert re.search(r'data-total="store_credit">−Rp 50\.000<', html)
        assert re.search(r'data-total="to_pay">Rp 118\.000<', html)

    def test_post_pays_part_with_credit(self, shop, users):
        customer = credit(100000)
        r = client_for(users["owner"]).post(URL, _one_product(store_credit="60.000"))
        assert r.status_code == 302, r.content.decode()[:2000]
        order = Order.objects.get()
        assert order.paid_total == 60000 and order.payments.get().kind == "store_credit"
        assert balance(customer.pk) == 40000

    def test_over_the_balance_comes_back_next_to_the_field(self, shop, users):
        customer = credit(30000)
        r = client_for(users["owner"]).post(URL, _one_product(store_credit="60.000"))
        assert r.status_code == 422
        html = r.content.decode()
        assert "Rp 30.000" in error_of(html, "store_credit")
        assert not Order.objects.exists() and balance(customer.pk) == 30000


@pytest.mark.django_db
class TestConfirm:
    def _form(self, client, order):
        return client.get(
            reverse("orders:action", args=[order.reference, "confirm"]) + "?display=detail", **HTMX
        ).content.decode()

    def test_confirm_form_offers_the_credit_with_the_balance(self, shop, users):
        credit(50000)
        order = new_order(users["owner"])
        html = self._form(client_for(users["owner"]), order)
        assert 'name="store_credit"' in html and "Rp 50.000" in html

    def test_no_credit_no_field(self, shop, users):
        order = new_order(users["owner"])
        html = self._form(client_for(users["owner"]), order)
        assert 'name="store_credit"' not in html and "data-confirm-step" in html

    def test_confirm_with_credit(self, shop, users):
        customer = credit(50000)
        order = new_order(users["owner"])
        r = client_for(users["owner"]).post(
            reverse("orders:action", args=[order.reference, "confirm"]),
            {"display": "detail", "version": order.version, "store_credit": "50000"},
            **HTMX,
        )
        assert r.status_code == 200, r.content.decode()[:1000]
        order.refresh_from_db()
        assert order.status == "partially_paid" and order.paid_total == 50000
        assert balance(customer.pk) == 0
        assert 'data-section="store_credit"' in r.content.decode()

    def test_confirm_over_the_balance_says_so(self, shop, users):
        credit(50000)
        order = new_order(users["owner"])
        r = client_for(users["owner"]).post(
            reverse("orders:action", args=[order.reference, "confirm"]),
            {"display": "detail", "version": order.version, "store_credit": "90000"},
            **HTMX,
        )
        assert "Rp 50.000" in r.content.decode()
        order.refresh_from_db()
        assert order.status == "new" and order.paid_total == 0


@pytest.mark.django_db
class TestOrderAndCustomerPages:
    def test_order_page_shows_the_balance_and_the_credit_paid(self, shop, users):
        credit(100000)
        order = new_order(users["owner"], store_credit=60000)
        html = (
            client_for(users["owner"])
            .get(reverse("orders:detail", args=[order.reference]))
            .content.decode()
        )
        assert 'data-store-credit-balance="40000"' in html and "Rp 40.000" in html
        assert re.search(r'data-money="store_credit_paid">Rp 60\.000<', html)
        assert "Store credit" in html

    def test_customer_page_has_the_balance_and_the_ledger(self, shop, users):
        customer = credit(100000)
        order = new_order(users["owner"], store_credit=60000)
        html = (
            client_for(users["owner"])
            .get(reverse("returns:customer_credit", args=[customer.pk]))
            .content.decode()
        )
        assert 'data-store-credit-balance="40000"' in html
        assert (
            'data-entry="spent"' in html
            and order.reference in html
            and "−Rp 60.000" in html.replace("-Rp", "−Rp")
        )

    def test_agent_only_sees_customers_of_their_orders(self, shop, users):
        customer = credit(100000)
        new_order(users["agent2"])
        url = reverse("returns:customer_credit", args=[customer.pk])
        assert client_for(users["agent"]).get(url).status_code == 404
        assert client_for(users["agent2"]).get(url).status_code == 200
