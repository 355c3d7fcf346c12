"""POST /api/v1/orders answers with the order as written, without reading it back: the
answer must be exactly what GET /api/v1/orders/{reference} then says, ETag included, in a
bounded number of queries."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from conftest import order_payload
from tokodesk.orders.models import Order

URL = "/api/v1/orders"


@pytest.mark.parametrize(
    "overrides",
    [
        {},
        {
            "lines": [{"sku": "MADU-500", "qty": 2}, {"sku": "KAOS-M", "qty": 1},
                      {"sku": "KAOS-L", "qty": 3, "unit_price": 70000}],
            "tags": ["VIP", "reseller", "VIP", " batch "],
            "discount": 5000,
            "note": "Tolong dikirim pagi",
            "agent": "agent",
        },
    ],
)
def test_created_answer_is_what_get_says(shop, users, api_as, overrides):
    api = api_as("owner")
    r = api.post(URL, order_payload(**overrides))
    assert r.status_code == 201, r.content
    created = r.json()
    again = api.get(f"{URL}/{created['reference']}")
    assert again.status_code == 200
    assert created == again.json()
    assert r.headers["ETag"] == again.headers["ETag"]
    order = Order.objects.get(reference=created["reference"])
    assert order.subtotal == sum(li["line_total"] for li in created["lines"])
    assert order.total == created["total"]
    if overrides:
        assert created["tags"] == ["VIP", "batch", "reseller"]  # unique, by name
        assert [li["sku"] for li in created["lines"]] == ["MADU-500", "KAOS-M", "KAOS-L"]


def test_create_runs_a_bounded_number_of_queries(shop, api):
    api.post(URL, order_payload())  # warm: the customer exists, the sequence row too
    with CaptureQueriesContext(connection) as ctx:
        r = api.post(URL, order_payload(tags=["VIP"]))
    assert r.status_code == 201
    selects = [q["sql"] for q in ctx.captured_queries if q["sql"].startswith("SELECT")]
    # Nothing of the order is read back after it is written.
    assert not any('FROM "orders_order"' in sql for sql in selects), selects
    assert not any('FROM "orders_orderline"' in sql for sql in selects), selects
    assert len(ctx.captured_queries) <= 30, [q["sql"][:120] for q in ctx.captured_queries]


def test_too_large_total_writes_nothing(shop, api):
    before = Order.objects.count()
    r = api.post(URL, order_payload(lines=[{"sku": "MADU-500", "qty": 10**6, "unit_price": 10**12}]))
    assert r.status_code in (400, 422) and r.json()["fields"]
    assert Order.objects.count() == before
