"""GET /api/v1/orders/{reference} is built from values (selectors.order_detail_values,
issue 16): the answer must stay byte for byte what the model-instance implementation gave
(order_detail_out over order_get's Order, kept in orders.api for the just-created answer),
ETag included, for orders with and without every related row; and its query count does
not grow with the order's lines, tags, payments and notes."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tokodesk.catalog.models import Product
from tokodesk.orders import api as orders_api
from tokodesk.orders import selectors
from tokodesk.orders.models import Order, OrderLine, OrderNote, Payment
from tokodesk.orders.tests.test_api_queries import _make_orders
from tokodesk.payments.models import PaymentMethod as ShopPaymentMethod
from tokodesk.storefront.models import LandingPage

URL = "/api/v1/orders/"


@pytest.fixture
def owner(users):
    return users["owner"]


def _reference(user, reference):
    order = selectors.order_get(user=user, reference=reference)
    if order is None:
        return None
    return orders_api.order_detail_out(order, user), order.etag


def _variety(owner, users):
    """Orders with every kind of related row, and some with none."""
    _make_orders(14, owner)
    orders = list(Order.objects.order_by("id"))
    product = Product.objects.first()
    page = LandingPage.objects.create(name="Promo", slug="promo", product=product)
    paypal = ShopPaymentMethod.objects.create(code="paypal", label="PayPal", labels={"fr": "PayPal FR"},
                                              flow="payment_gateway")
    now = timezone.now()
    for i, order in enumerate(orders):
        if i % 2:
            Payment.objects.create(order=order, kind="transfer", amount=1000 + i, paid_on=dt.date(2026, 11, 3),
                                   account="BCA 123", reference=f"TRX{i}", recorded_by=owner)
            Payment.objects.create(order=order, kind="cod", amount=500, voided_at=now, remitted_at=now)
        if i % 3 == 0:
            OrderNote.objects.create(order=order, author=users["agent"], body=f"Catatan {i} «ü»")
            OrderNote.objects.create(order=order, author=None, body="sistem")
        if i % 4 == 0:
            order.landing_page = page
            order.payment_option = paypal
            order.payment_method = "payment_gateway"
            order.language = "fr"
            order.customer_note = "Tolong cepat"
            order.awb = f"JNE{i:08d}"
            order.save()
            line = OrderLine.objects.filter(order=order).order_by("id").first()
            line.serial_numbers = [f"SN-{i}-1"]
            line.save()
        if i == 5:
            OrderLine.objects.filter(order=order).delete()
            order.tags.clear()
            order.courier = None
            order.warehouse = None
            order.save()
    return orders


@pytest.mark.parametrize("language", ["id", "en", "fr"])
def test_detail_is_byte_for_byte_the_model_instance_answer(shop, users, owner, api_as, monkeypatch,
                                                           language):
    orders = _variety(owner, users)
    for role in ("owner", "agent"):
        client = api_as(role)
        user = users[role]
        for order in orders:
            path = URL + order.reference
            new = client.get(path, headers={"Accept-Language": language})
            with monkeypatch.context() as m:
                m.setattr(orders_api, "order_detail", _reference)
                old = client.get(path, headers={"Accept-Language": language})
            assert new.status_code == old.status_code, (role, order.reference)
            assert new.content == old.content, (role, order.reference)
            assert new.get("ETag") == old.get("ETag")
            if new.status_code == 200:
                body = new.json()
                assert body["reference"] == order.reference
                assert [p["id"] for p in body["payments"]] == list(
                    Payment.objects.filter(order=order).order_by("recorded_at", "id").values_list("id", flat=True))
            else:
                assert role == "agent" and order.assigned_agent_id != user.pk


def test_detail_queries_do_not_grow_with_the_order(shop, users, owner, api_as):
    """The order, its lines, tags, payments and notes: one query each, whatever their number."""
    orders = _variety(owner, users)
    client = api_as("owner")
    counts = {}
    for order in (orders[0], orders[1], orders[5], orders[3]):
        client.get(URL + order.reference)  # the token's first use
        with CaptureQueriesContext(connection) as ctx:
            r = client.get(URL + order.reference)
        assert r.status_code == 200
        view = [q["sql"] for q in ctx.captured_queries
                if any(t in q["sql"] for t in ('FROM "orders_', 'FROM "payments_'))]
        counts[order.reference] = len(view)
        for sql in view:
            assert '"auth_user"' not in sql or '"orders_ordernote"' in sql or '"orders_order"' in sql, sql
    assert set(counts.values()) == {5}, counts
    # No model instance: the view's selector returns plain values.
    found = selectors.order_detail_values(user=owner, reference=orders[3].reference,
                                          related=orders_api._LIST_RELATED)
    assert isinstance(found.row, dict) and all(isinstance(x, dict) for x in found.lines + found.payments)
