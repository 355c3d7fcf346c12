"""The landing submit's last two ORM reads in SQL written once (storefront.options_sql,
issue 16) give what the ORM gave: the shop's payment method rows (values, types, order)
and so the form's choices; the page's active agents in the round robin's order. Both are
read at each call (a method or agent changed is seen at the next submit), in as many
statements."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from tokodesk.orders.payment_options import method_choices
from tokodesk.payments.models import PaymentMethod
from tokodesk.storefront import options_sql, services
from tokodesk.storefront.tests.test_landing import make_agents, make_page
from tokodesk.storefront.tests.test_landing_options_sql import values


def orm_methods() -> list:
    return list(PaymentMethod.objects.order_by("position", "id"))


def orm_choices(page) -> list:
    return method_choices(page.payment_methods or [], flows=services.LANDING_PAYMENT_METHODS)


def orm_agents(page) -> list:
    return list(page.agents.filter(is_active=True).order_by("pk").values_list("pk", flat=True))


@pytest.mark.django_db
def test_methods_from_sql_are_the_orm_methods(shop):
    PaymentMethod.objects.update_or_create(code="cod", defaults={"position": 5})
    PaymentMethod.objects.create(
        code="bca",
        label="Transfer BCA",
        flow="bank_transfer",
        position=5,
        labels={"id": "Transfer Bank BCA"},
        instructions={"id": "Rek 123"},
    )
    PaymentMethod.objects.create(code="old", label="Old", flow="bank_transfer", active=False)
    PaymentMethod.objects.create(code="paypal", label="PayPal", flow="payment_gateway", position=1)
    PaymentMethod.objects.create(code="faktur", label="Invoice", flow="invoice", position=2)
    with CaptureQueriesContext(connection) as ours:
        new = options_sql.payment_methods()
    with CaptureQueriesContext(connection) as theirs:
        old = orm_methods()
    assert [values(m) for m in new] == [values(m) for m in old]
    assert len(new) >= 5
    assert len(ours.captured_queries) == len(theirs.captured_queries) == 1
    codes = ["faktur", "bca", "old", "cod", "paypal", "bank_transfer", "nope"]
    for methods in (codes, ["cod"], [], codes[::-1]):
        page = make_page(shop, slug=f"p{len(methods)}-{methods[:1]}", methods=methods)
        for lang in ("en", "id"):
            with translation.override(lang):
                orm_choices(page)  # the labels' languages (core.labels) read once
                with CaptureQueriesContext(connection) as ours:
                    shown = services.payment_choices(page)
                with CaptureQueriesContext(connection) as theirs:
                    assert shown == orm_choices(page)
                assert len(ours.captured_queries) == len(theirs.captured_queries)
    assert ("faktur", "Invoice") not in shown  # not a landing flow
    # Read at each call: a method changed is offered (or not) at the next one.
    page = make_page(shop, slug="again", methods=["bca", "paypal"])
    before = services.payment_choices(page)
    PaymentMethod.objects.filter(code="bca").update(label="BCA baru", labels={})
    PaymentMethod.objects.filter(code="paypal").update(active=False)
    after = services.payment_choices(page)
    assert after == orm_choices(page) == [("bca", "BCA baru")] != before


@pytest.mark.django_db
def test_a_removed_flow_row_stands_for_itself(shop):
    PaymentMethod.objects.filter(code="cod").delete()
    page = make_page(shop, methods=("cod", "bank_transfer"))
    assert services.payment_choices(page) == orm_choices(page)
    assert "cod" in {code for code, _label in services.payment_choices(page)}


@pytest.mark.django_db
def test_agents_from_sql_are_the_orm_agents(shop):
    one, two, three, four = make_agents(4)
    page = make_page(shop, agents=(four, two, one))
    make_page(shop, slug="other", agents=(three,))
    four.is_active = False
    four.save(update_fields=["is_active"])
    with CaptureQueriesContext(connection) as ours:
        new = services._agent_ids(page)
    with CaptureQueriesContext(connection) as theirs:
        old = orm_agents(page)
    assert new == old == sorted([one.pk, two.pk])
    assert [type(i) for i in new] == [type(i) for i in old] == [int, int]
    assert len(ours.captured_queries) == len(theirs.captured_queries) == 1
    # Read at each call: an agent added or deactivated counts at the next submit.
    page.agents.add(three)
    type(one).objects.filter(pk=one.pk).update(is_active=False)
    assert services._agent_ids(page) == orm_agents(page) == sorted([two.pk, three.pk])
    page.agents.clear()
    assert services._agent_ids(page) == orm_agents(page) == []
