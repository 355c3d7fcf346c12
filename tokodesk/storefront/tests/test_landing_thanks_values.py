"""The thank-you page read as plain values (issue 16): the same bytes as the page built from
the order's model instances, for each kind of payment, language, discount, transfer code and
a method with its own labels and instructions; and two queries."""

from __future__ import annotations

import pytest
from django.db import connection
from django.shortcuts import render
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from tokodesk.orders.models import Order
from tokodesk.orders.states import PaymentMethod as Flow
from tokodesk.storefront import services
from tokodesk.storefront.links import order_link_url
from tokodesk.storefront.tests.test_landing import buyer, make_page, submit


def model_render(order: Order, lang: str) -> str:
    """The page as it was built from model instances before (the reference)."""
    request = RequestFactory().get("/")
    with translation.override(lang):
        response = render(
            request,
            "storefront/thanks.html",
            {
                "page": order.landing_page,
                "order": order,
                "lines": list(order.lines.all()),
                "link": request.build_absolute_uri(order_link_url(order)),
                "is_transfer": order.payment_method == Flow.BANK_TRANSFER,
                "is_cod": order.payment_method == Flow.COD,
                "instructions": (
                    order.payment_option.display_instructions if order.payment_option_id else ""
                )
                or order.landing_page.payment_instructions.strip(),
            },
        )
    return response.content.decode()


def body(html: str) -> str:
    """The page without the header's language form (its CSRF token and path differ)."""
    return html.split('<main class="sf-main">', 1)[1]


@pytest.mark.django_db
@pytest.mark.parametrize("lang", ["id", "en", "fr"])
def test_thanks_page_from_values_is_the_model_page(shop, lang):
    from tokodesk.payments.models import PaymentMethod

    PaymentMethod.objects.create(
        code="paypal",
        label="PayPal",
        labels={"fr": "PayPal (carte)"},
        flow=Flow.PAYMENT_GATEWAY,
        instructions={"fr": "Payez sur le lien.", "en": "Pay with the link."},
    )
    make_page(
        shop,
        methods=("cod", "bank_transfer", "paypal"),
        payment_instructions="BCA 523-081-2245\nToko",
    )
    client = buyer(lang=lang)
    for i, method in enumerate(("cod", "bank_transfer", "paypal")):
        response = submit(
            client, "kaos", payment_method=method, phone=f"08123456780{i}", note="<b>rapi</b>"
        )
        assert response.status_code == 303, response.content[:300]
        order = Order.objects.latest("pk")
        if method == "bank_transfer":
            Order.objects.filter(pk=order.pk).update(
                discount=5000, transfer_code=123, shipping_cost=0
            )
        with CaptureQueriesContext(connection) as queries:
            page = client.get(response["Location"])
        assert page.status_code == 200
        assert (
            len(
                [
                    q
                    for q in queries.captured_queries
                    if "orders_order" in q["sql"] or "orders_orderline" in q["sql"]
                ]
            )
            == 2
        )
        # The method's label and instructions come with the order (not one more query).
        assert not any(
            'FROM "payments_paymentmethod"' in q["sql"] for q in queries.captured_queries
        )
        order = Order.objects.get(pk=order.pk)
        assert body(page.content.decode()) == body(model_render(order, lang)), method


@pytest.mark.django_db
def test_thanks_values_refuses_wrong_tokens_and_orders_of_no_page(shop):
    make_page(shop)
    client = buyer()
    submit(client, "kaos")
    order = Order.objects.latest("pk")
    token = services.thanks_token(order)
    assert services.thanks_values(token)["reference"] == order.reference
    assert services.thanks_values(token[:-1] + "x") is None
    assert services.thanks_values("") is None
    Order.objects.filter(pk=order.pk).update(landing_page=None)
    assert services.thanks_values(token) is None


def orm_values(token: str) -> dict | None:
    """thanks_values as the ORM read it before its SQL was written once (the reference)."""
    from django.db.models import F

    from tokodesk.core.labels import localized
    from tokodesk.orders.models import OrderLine
    from tokodesk.orders.payment_options import label_of

    pk = services._thanks_pk(token)
    if pk is None:
        return None
    row = (
        Order.objects.filter(pk=pk, landing_page__isnull=False)
        .values(
            "pk",
            *services.THANKS_FIELDS,
            page_slug=F("landing_page__slug"),
            page_instructions=F("landing_page__payment_instructions"),
            option_id=F("payment_option_id"),
            option_label=F("payment_option__label"),
            option_labels=F("payment_option__labels"),
            option_instructions=F("payment_option__instructions"),
        )
        .first()
    )
    if row is None:
        return None
    row["payment_method_label"] = label_of(
        row["payment_method"], row["option_label"], row["option_labels"]
    )
    row["instructions"] = (localized(row["option_instructions"]) if row["option_id"] else "") or (
        row["page_instructions"] or ""
    ).strip()
    row["lines"] = [
        {**line, "line_total": line["qty"] * line["unit_price"]}
        for line in OrderLine.objects.filter(order_id=row["pk"])
        .order_by("pk")
        .values("name", "qty", "unit_price")
    ]
    return row


@pytest.mark.django_db
@pytest.mark.parametrize("lang", ["id", "fr"])
def test_thanks_values_from_sql_are_the_orm_values(shop, lang):
    """Each kind of method (its flow only, a method row with labels and instructions, none),
    two lines, a discount and a transfer code: the same dict, value for value and type for type."""
    from tokodesk.orders.models import OrderLine
    from tokodesk.payments.models import PaymentMethod

    PaymentMethod.objects.create(
        code="paypal",
        label="PayPal",
        labels={"fr": "PayPal (carte)"},
        flow=Flow.PAYMENT_GATEWAY,
        instructions={"fr": "Payez sur le lien."},
    )
    make_page(shop, methods=("cod", "bank_transfer", "paypal"), payment_instructions=" BCA 523\n ")
    client = buyer(lang=lang)
    tokens = []
    for i, method in enumerate(("cod", "bank_transfer", "paypal")):
        response = submit(client, "kaos", payment_method=method, phone=f"08123456781{i}", note="n")
        assert response.status_code == 303, response.content[:300]
        order = Order.objects.latest("pk")
        tokens.append(services.thanks_token(order))
    first = Order.objects.order_by("pk").first()
    line = OrderLine.objects.filter(order=first).first()
    OrderLine.objects.create(
        order=first, variant=line.variant, sku="X-2", name="Kaos <b>", qty=3, unit_price=1250
    )
    Order.objects.filter(pk=first.pk).update(discount=500, transfer_code=7)
    with translation.override(lang):
        for token in tokens:
            new, old = services.thanks_values(token), orm_values(token)
            assert new == old
            assert [type(v) for v in new.values()] == [type(old[k]) for k in new]
        assert services.thanks_values(tokens[0][:-1] + "x") is None
        Order.objects.filter(pk=first.pk).update(landing_page=None)
        assert services.thanks_values(tokens[0]) is None and orm_values(tokens[0]) is None
