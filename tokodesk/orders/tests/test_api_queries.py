"""The orders list and tab counts run a fixed number of queries, whatever the page size
and however many orders, lines and tags there are."""

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tokodesk.catalog.models import Variant, Warehouse
from tokodesk.customers.models import Customer
from tokodesk.orders.models import Order, OrderLine, Tag
from tokodesk.shipping.models import Courier

User = get_user_model()

URL = "/api/v1/orders"
# token, user permissions, group permissions, orders, lines, tags (+ the tag lookup of ?tag=)
MAX_LIST_QUERIES = 7
# token, user permissions, group permissions, the one aggregate
MAX_COUNT_QUERIES = 4


def _make_orders(n, owner, start=0):
    """n orders with three lines and two tags each, spread over agents, methods, couriers
    and statuses. Written in bulk: the data is the point here, not how it was made."""
    agents = {u.username: u for u in User.objects.filter(username__in=["agent", "agent2"])}
    jkt = Warehouse.objects.get(code="jkt")
    couriers = {c.code: c for c in Courier.objects.all()}
    variants = list(Variant.objects.filter(sku__in=["KAOS-M", "KAOS-L", "MADU-500"]).order_by("sku"))
    tags = {name: Tag.objects.get_or_create(name=name)[0]
            for name in ["batch-0", "batch-1", "batch-2", "batch-3", "vip", "reseller"]}
    statuses = ["new", "confirmed", "paid", "ready_to_ship", "in_transit", "completed", "cancelled"]
    customers = Customer.objects.bulk_create([
        Customer(name=f"Pembeli {i}", phone=f"+62812{1000000 + i:07d}", address=f"Jl. Nomor {i}")
        for i in range(start, start + n)])
    orders = Order.objects.bulk_create([
        Order(reference=f"ORD-Q{i:05d}", channel="api", customer=c, recipient_name=c.name,
              recipient_phone=c.phone, destination_address=c.address, warehouse=jkt,
              courier=couriers["jne" if i % 3 else "jnt"], payment_method="cod" if i % 2 else "bank_transfer",
              shipping_cost=10000 + i, subtotal=300000, total=310000 + i, status=statuses[i % len(statuses)],
              assigned_agent=agents.get(["agent", "agent2", None][i % 3]), created_by=owner)
        for i, c in zip(range(start, start + n), customers, strict=True)])
    OrderLine.objects.bulk_create([
        OrderLine(order=o, variant=v, sku=v.sku, name=v.sku, qty=1 + (i + j) % 3, unit_price=v.price)
        for i, o in enumerate(orders) for j, v in enumerate(variants)])
    Through = Order.tags.through
    Through.objects.bulk_create([
        Through(order_id=o.pk, tag_id=tags[name].pk)
        for i, o in enumerate(orders, start) for name in (f"batch-{i % 4}", "vip" if i % 2 else "reseller")])


def _queries(client, path, params):
    client.get(path, params)  # warm: the token's first use stamps last_used_at
    with CaptureQueriesContext(connection) as ctx:
        r = client.get(path, params)
    assert r.status_code == 200, r.content
    return len(ctx.captured_queries), r.json(), [q["sql"] for q in ctx.captured_queries]


@pytest.fixture
def owner(users):
    return users["owner"]


LIST_PARAMS = [
    {},
    {"tab": "to_ship"},
    {"status": ["new", "confirmed"], "payment_method": "cod"},
    {"tag": "vip"},
    {"q": "Pembeli"},
    {"sort": "-total", "courier": "jne", "min_total": 1},
    {"agent": "agent", "warehouse": "jkt"},
    {"sort": "deadline"},
    {"sort": "deadline", "tab": "to_ship", "agent": "agent"},
]


def test_list_query_count_is_constant(shop, users, owner, api_as):
    """limit=5 and limit=50 over 10 orders, then limit=50 over 60 orders: the same count,
    under every filter."""
    owner_api = api_as("owner")
    _make_orders(10, owner)
    measured = {}
    for i, params in enumerate(LIST_PARAMS):
        small, page5, _ = _queries(owner_api, URL, {**params, "limit": 5})
        big, page10, _ = _queries(owner_api, URL, {**params, "limit": 50})
        assert page5["items"], params
        assert len(page10["items"]) >= len(page5["items"])
        measured[i] = [small, big, len(page10["items"])]
    _make_orders(50, owner, start=10)
    for i, params in enumerate(LIST_PARAMS):
        bigger, page60, sqls = _queries(owner_api, URL, {**params, "limit": 50})
        small, big, n10 = measured[i]
        assert len(page60["items"]) > n10, params
        assert small == big == bigger, (params, small, big, bigger)
        assert bigger <= MAX_LIST_QUERIES, "\n".join(sqls)
        # Every row carries its lines, tags and agent without a query each.
        assert all(len(o["lines"]) == 3 and len(o["tags"]) == 2 for o in page60["items"])


def test_list_query_count_for_an_agent_and_the_next_page(shop, users, owner, api_as):
    agent = api_as("agent")
    _make_orders(12, owner)
    first, page, _ = _queries(agent, URL, {"limit": 2})
    _make_orders(48, owner, start=12)
    second, page2, sqls = _queries(agent, URL, {"limit": 50})
    assert first == second <= MAX_LIST_QUERIES, "\n".join(sqls)
    assert {o["assigned_agent"] for o in page2["items"]} == {"agent"}
    # Following the cursor costs the same as the first page.
    nxt, _, _ = _queries(agent, URL, {"limit": 2, "cursor": page["next_cursor"]})
    assert nxt == first


def test_list_queries_do_not_touch_unrelated_tables_per_row(shop, users, owner, api_as):
    _make_orders(20, owner)
    _n, _page, sqls = _queries(api_as("owner"), URL, {"limit": 50})
    per_table = {}
    for sql in sqls:
        for table in ("orders_orderline", "orders_tag", "orders_order_tags", "auth_user", "catalog_warehouse"):
            if f'FROM "{table}"' in sql:
                per_table[table] = per_table.get(table, 0) + 1
    assert per_table.get("orders_orderline", 0) == 1, sqls
    assert per_table.get("orders_tag", 0) <= 1, sqls


COUNT_PARAMS = [{}, {"payment_method": "cod"}, {"q": "Pembeli"}, {"tag": "vip"},
                {"agent": "agent", "min_total": 1}]


def test_tab_counts_is_one_aggregate(shop, users, owner, api_as):
    owner_api = api_as("owner")
    _make_orders(10, owner)
    few = {i: _queries(owner_api, f"{URL}/tab-counts", p)[:2] for i, p in enumerate(COUNT_PARAMS)}
    _make_orders(50, owner, start=10)
    for i, params in enumerate(COUNT_PARAMS):
        many, counts60, sqls = _queries(owner_api, f"{URL}/tab-counts", params)
        n10, counts10 = few[i]
        assert n10 == many <= MAX_COUNT_QUERIES + (1 if "tag" in params else 0), "\n".join(sqls)
        on_orders = [s for s in sqls if 'FROM "orders_order"' in s]
        assert len(on_orders) == 1, sqls
        assert counts60["all"] > counts10["all"], params
    assert _queries(owner_api, f"{URL}/tab-counts", {})[1]["all"] == Order.objects.count() == 60


def test_tab_counts_for_an_agent(shop, users, owner, api_as):
    agent = api_as("agent")
    _make_orders(6, owner)
    few, _c, _ = _queries(agent, f"{URL}/tab-counts", {})
    _make_orders(30, owner, start=6)
    many, counts, sqls = _queries(agent, f"{URL}/tab-counts", {})
    assert few == many <= MAX_COUNT_QUERIES, "\n".join(sqls)
    assert counts["all"] == Order.objects.filter(assigned_agent__username="agent").count()
