"""A landing page submit holds the page's lock (on SQLite: the one writer of the database)
for the writes only: the catalog, stock, shipping quote and settings are read before it
(issue 16). What was read before is checked again when the page changed meanwhile."""

from __future__ import annotations

import pytest
from django.db import connection

from tokodesk.core.models import ShopSettings
from tokodesk.orders.models import Order
from tokodesk.orders.order_settings import OrderSettings
from tokodesk.storefront import services
from tokodesk.storefront.models import LandingPage
from tokodesk.storefront.tests.test_landing import PHONE, make_agents, make_page

READ_BEFORE_THE_LOCK = ("catalog_variant", "catalog_stock", "catalog_warehouse", "shipping_",
                        "core_shopsettings", "orders_ordersettings")


def data(**overrides):
    values = {"name": "Siti", "phone": PHONE, "address": "Jl. Melati 5, Bandung", "sku": "KAOS-M", "qty": 1,
              "payment_method": "cod"}
    values.update(overrides)
    return services.LandingOrderInput(**values)


@pytest.mark.django_db(transaction=True)
def test_catalog_and_settings_are_read_before_the_page_lock(shop):
    agents = make_agents(2)
    page = make_page(shop, agents=agents)
    ShopSettings.get(), OrderSettings.get()  # the rows exist (a new shop makes them on first read)
    seen = []

    def record(execute, sql, params, many, context):
        seen.append((connection.in_atomic_block, sql))
        return execute(sql, params, many, context)

    with connection.execute_wrapper(record):
        result = services.landing_order_submit(page_id=page.pk, form_token="t1", ip="10.0.0.1", data=data())
    assert result.created and result.order.assigned_agent == agents[0]
    before = [sql for locked, sql in seen if not locked]
    inside = [sql for locked, sql in seen if locked]
    assert any("catalog_stock" in sql for sql in before) and any("core_shopsettings" in sql for sql in before)
    reads_inside = [sql for sql in inside if sql.startswith("SELECT")]
    tables = [f'{word} "{table}' for table in READ_BEFORE_THE_LOCK for word in ("FROM", "JOIN")]
    assert not [sql for sql in reads_inside if any(table in sql for table in tables)]
    assert any('INSERT INTO "orders_order"' in sql for sql in inside)


@pytest.mark.django_db
def test_a_page_changed_after_the_first_checks_is_checked_again(shop):
    page = make_page(shop, agents=make_agents(1), methods=["cod", "bank_transfer"])
    ready = services._prepare(page.pk, data())
    assert ready.error is None
    LandingPage.objects.filter(pk=page.pk).update(payment_methods=["bank_transfer"])
    with pytest.raises(services.ValidationFailed) as exc:
        services._submit(page_id=page.pk, form_token="t1", ip="", data=data(), ready=ready)
    assert set(exc.value.fields) == {"payment_method"}
    assert not Order.objects.exists()


@pytest.mark.django_db
def test_errors_found_before_the_lock_come_after_the_resubmit_and_rate_checks(shop, settings):
    settings.TOKODESK_LANDING_RATE_LIMIT = 1
    page = make_page(shop, agents=make_agents(1))
    first = services.landing_order_submit(page_id=page.pk, form_token="t1", ip="10.0.0.9", data=data())
    # The same form again, now with a bad phone: the first order, not the phone's error.
    again = services.landing_order_submit(page_id=page.pk, form_token="t1", ip="10.0.0.9", data=data(phone="12"))
    assert again.order == first.order and not again.created
    # A new form from the same address, also invalid: the rate limit answers first.
    with pytest.raises(services.RateLimited):
        services.landing_order_submit(page_id=page.pk, form_token="t2", ip="10.0.0.9", data=data(phone="12"))
