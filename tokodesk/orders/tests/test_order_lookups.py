"""order_prepare's lookups kept per process (orders.lookups, issue 16): the API's create
prepares outside any transaction, so its warehouse, courier, payment method, agent and
order settings come from the process's cache; saving one of those rows (any process:
core.stamps) makes the next create read it again. Transactional tests: the cache is never
used inside a transaction, which is where the other tests run."""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from conftest import order_payload
from tokodesk.core.stamps import ProcessCache
from tokodesk.orders.lookups import ORDER_LOOKUPS
from tokodesk.orders.models import Order
from tokodesk.orders.order_settings import OrderSettings
from tokodesk.shipping.models import Courier

URL = "/api/v1/orders"
CACHED = ("catalog_warehouse", "shipping_courier", "payments_paymentmethod", "orders_ordersettings")
AGENT = '"auth_user"."username" = \'agent\''

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def _fresh(settings, tmp_path):
    # Stamps of this test's own: another test process sharing the data directory (xdist)
    # that saves a courier or a user bumps the shared stamps.
    settings.DATA_DIR = tmp_path
    ProcessCache.clear_all()
    yield
    ProcessCache.clear_all()


def _tables_of(sql: str) -> set[str]:
    return set(re.findall(r'(?:FROM|JOIN) "([a-z_]+)"', sql))


def _create(api, **overrides):
    return api.post(URL, order_payload(agent="agent", **overrides))


def test_the_next_create_reads_none_of_them(shop, users, api_as):
    api = api_as("owner")
    assert _create(api).status_code == 201  # makes the settings rows: the cache starts again
    assert _create(api).status_code == 201
    with CaptureQueriesContext(connection) as ctx:
        r = _create(api)
    assert r.status_code == 201, r.content
    hits = [
        q["sql"][:300]
        for q in ctx.captured_queries
        if set(CACHED) & _tables_of(q["sql"]) or AGENT in q["sql"]
    ]
    assert not hits, hits
    assert r.json()["courier"] == "jne" and r.json()["assigned_agent"] == "agent"


def test_a_deactivated_courier_is_refused_at_the_next_create(shop, users, api_as):
    api = api_as("owner")
    assert _create(api).status_code == 201
    courier = Courier.objects.get(code="jne")
    courier.active = False
    courier.save()
    r = _create(api)
    assert r.status_code == 422, r.content
    assert "courier" in r.json()["fields"]
    assert Order.objects.count() == 1


def test_a_deactivated_agent_is_refused_at_the_next_create(shop, users, api_as):
    api = api_as("owner")
    assert _create(api).status_code == 201
    agent = users["agent"]
    agent.is_active = False
    agent.save()
    r = _create(api)
    assert r.status_code == 422, r.content
    assert "agent" in r.json()["fields"]


def test_a_new_reference_pattern_numbers_the_next_order(shop, users, api_as):
    api = api_as("owner")
    assert _create(api).json()["reference"].startswith("ORD-")
    row = OrderSettings.get()
    row.order_reference_pattern = "TK-{seq:05d}"
    row.save()
    assert _create(api).json()["reference"].startswith("TK-")


def test_a_change_in_another_process_is_seen_through_its_stamp(shop, users, api_as):
    api = api_as("owner")
    assert _create(api).status_code == 201
    # Another process saved the courier: this process only sees the stamp file change.
    Courier.objects.filter(code="jne").update(active=False)
    ORDER_LOOKUPS.clear()
    ORDER_LOOKUPS._stamp = ORDER_LOOKUPS._read_stamp()  # as if still in step with it
    ORDER_LOOKUPS.path.write_bytes(b"another process")
    assert _create(api).status_code == 422
