"""The API create's write block without the ORM's per-statement work (issue 16): the
order's, lines', event's and key record's INSERTs compiled once (core.compiled_sql), the
customer upserted in one statement (customers.services), the answer rendered with ninja's
public API (core.api.write_block.rendered with its schema). Each is compared with the
ORM's / ninja's own result for the same input: the rows written, the objects as saved,
the answer's bytes."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest
from django.utils import timezone

from conftest import order_payload
from tokodesk.core.api.write_block import rendered
from tokodesk.core.compiled_sql import CompiledInsert
from tokodesk.customers import services as customers
from tokodesk.customers.models import Customer
from tokodesk.orders import services
from tokodesk.orders.api import order_detail_out
from tokodesk.orders.models import Order, OrderEvent, OrderLine
from tokodesk.orders.schemas import OrderDetailOut

URL = "/api/v1/orders"
NOW = dt.datetime(2026, 3, 4, 5, 6, 7, 891011, tzinfo=dt.UTC)


@pytest.fixture
def frozen(monkeypatch):
    clock = [NOW]
    monkeypatch.setattr(timezone, "now", lambda: clock[0])
    return clock


def _row(model, pk, *skip) -> dict:
    return {
        k: v
        for k, v in model.objects.filter(pk=pk).values().get().items()
        if k not in ("id", *skip)
    }


def _state(obj) -> dict:
    return {
        f.attname: getattr(obj, f.attname) for f in obj._meta.concrete_fields if not f.primary_key
    } | {
        "adding": obj._state.adding,
        "db": obj._state.db,
    }


@pytest.mark.django_db
def test_compiled_inserts_write_what_the_orm_writes(shop, api_as, frozen):
    """Orders, lines and events inserted compiled (the first time compiled by Django and
    checked, then from the kept SQL) are the rows, and the objects, the ORM gives."""
    r = api_as("owner").post(
        URL, order_payload(lines=[{"sku": "MADU-500", "qty": 2}, {"sku": "KAOS-M", "qty": 1}])
    )
    assert r.status_code == 201, r.content
    source = Order.objects.get(reference=r.json()["reference"])
    lines = list(source.lines.order_by("pk"))
    inserts = {model: CompiledInsert(model) for model in (Order, OrderLine, OrderEvent)}
    for attempt in range(3):  # compiled, then kept
        frozen[0] = NOW + dt.timedelta(minutes=attempt)
        orm, compiled = (Order.objects.get(pk=source.pk) for _ in range(2))
        for i, order in enumerate((orm, compiled)):
            order.pk = None
            order._state.adding = True
            order.reference = f"T-{attempt}-{i}"
        orm.save(force_insert=True)
        inserts[Order].insert([compiled])
        assert _state(compiled) | {"reference": ""} == _state(orm) | {"reference": ""}
        assert compiled.pk and _row(Order, compiled.pk, "reference") == _row(
            Order, orm.pk, "reference"
        )
        assert compiled.deadline_sort == orm.deadline_sort

        def copies(order):
            return [
                OrderLine(
                    order=order,
                    variant_id=li.variant_id,
                    sku=li.sku,
                    name=li.name,
                    qty=li.qty,
                    unit_price=li.unit_price,
                    weight_grams=li.weight_grams,
                )
                for li in lines
            ]

        orm_lines, compiled_lines = copies(orm), copies(compiled)
        OrderLine.objects.bulk_create(orm_lines)
        inserts[OrderLine].insert(compiled_lines)
        for a, b in zip(orm_lines, compiled_lines, strict=True):
            assert b.pk and _state(b) | {"order_id": 0} == _state(a) | {"order_id": 0}
            assert _row(OrderLine, b.pk, "order_id") == _row(OrderLine, a.pk, "order_id")

        events = [
            OrderEvent(
                order=o,
                kind=OrderEvent.Kind.CREATED,
                source="api",
                to_status="new",
                data={"channel": "api", "total": 123, "when": "x"},
            )
            for o in (orm, compiled)
        ]
        events[0].save(force_insert=True)
        inserts[OrderEvent].insert([events[1]])
        assert _state(events[1]) | {"order_id": 0} == _state(events[0]) | {"order_id": 0}
        assert _row(OrderEvent, events[1].pk, "order_id") == _row(
            OrderEvent, events[0].pk, "order_id"
        )
    assert all(len(insert._sql) == 1 for insert in inserts.values())  # one kept statement each


def _upserts(upsert, phone):
    """A new customer, the same again with blanks, then with a changed name and e-mail:
    each returned customer and the row after it."""
    out = []
    for at, values in enumerate(
        [
            {
                "name": "Siti",
                "email": "siti@example.com",
                "address": "Jl. Melati 5",
                "postcode": "",
            },
            {"name": "Siti", "email": "", "address": "", "postcode": ""},
            {
                "name": "Siti Rahayu",
                "email": "s.rahayu@example.com",
                "address": "Jl. Melati 5",
                "postcode": "",
            },
            {"name": "Siti Rahayu", "email": "", "address": "Jl. Mawar 1", "postcode": "40111"},
        ]
    ):
        timezone.now = lambda at=at: NOW + dt.timedelta(hours=at)
        customer = upsert(phone, values)
        out.append((_state(customer) | {"phone": ""}, _row(Customer, customer.pk, "phone")))
    return out


@pytest.mark.django_db
def test_customer_upsert_in_one_statement_is_the_orm_one(
    shop, monkeypatch, django_assert_num_queries
):
    monkeypatch.setattr(timezone, "now", timezone.now)  # restored after _upserts' clocks
    one = _upserts(
        lambda phone, values: customers.customer_upsert(phone=phone, **values), "081234500001"
    )
    orm = _upserts(
        lambda phone, values: customers._customer_upsert_orm(phone, values), "+6281234500002"
    )
    assert one == orm
    assert one[1][1]["updated_at"] == one[0][1]["updated_at"]  # nothing new: not moved
    assert one[2][1]["updated_at"] > one[1][1]["updated_at"]
    with django_assert_num_queries(1):
        customers.customer_upsert(name="Siti", phone="+6281234500001", normalized=True)


@pytest.mark.django_db
@pytest.mark.parametrize(
    "overrides",
    [
        {},
        {
            "lines": [
                {"sku": "MADU-500", "qty": 2},
                {"sku": "KAOS-M", "qty": 1},
                {"sku": "KAOS-L", "qty": 3, "unit_price": 70000},
            ],
            "tags": ["VIP", "reseller"],
            "discount": 5000,
            "note": "Tolong dikirim pagi",
            "agent": "agent",
            "payment_method": "cod",
        },
    ],
)
def test_the_answer_has_ninjas_bytes(shop, users, api_as, overrides):
    """rendered() with the schema (ninja's public API) gives the bytes of ninja's own
    rendering of the view's Status(201, data), and of GET /orders/{reference}."""
    api = api_as("owner")
    r = api.post(URL, order_payload(**overrides), headers={"Idempotency-Key": uuid.uuid4().hex})
    assert r.status_code == 201, r.content
    again = api.get(f"{URL}/{r.json()['reference']}")
    assert r.content == again.content
    order = Order.objects.get(reference=r.json()["reference"])
    order.written_lines = list(order.lines.order_by("pk"))
    order.written_tags = list(order.tags.all())
    request = r.wsgi_request
    data = order_detail_out(order, users["owner"], just_created=True)
    ours = rendered(request, 201, data, OrderDetailOut)
    ninjas = rendered(request, 201, data)
    assert ours.content == ninjas.content == r.content
    assert ours.status_code == ninjas.status_code == 201
    assert ours["Content-Type"] == ninjas["Content-Type"]
    assert ours["ETag"] == ninjas["ETag"] == r["ETag"]


def test_order_write_uses_the_compiled_inserts():
    assert (
        isinstance(services._ORDER_INSERT, CompiledInsert) and services._ORDER_INSERT.model is Order
    )
    assert (
        isinstance(services._LINES_INSERT, CompiledInsert)
        and services._LINES_INSERT.model is OrderLine
    )


def _fields(obj) -> dict:
    return {f.attname: getattr(obj, f.attname) for f in obj._meta.concrete_fields} | {
        "adding": obj._state.adding,
        "db": obj._state.db,
    }


@pytest.mark.django_db
def test_compiled_selects_read_what_the_orm_reads(shop, api_as, django_assert_num_queries):
    """order_prepare's variants (with their product) and stock rows, and the key's record,
    by SQL written once: the same instances and values as the ORM's queries."""
    from tokodesk.api.idempotency import IdempotencyRecord, _record
    from tokodesk.catalog.models import Stock, Variant
    from tokodesk.orders import prepare

    r = api_as("owner").post(URL, order_payload(), headers={"Idempotency-Key": "k-1"})
    assert r.status_code == 201, r.content
    skus = ["MADU-500", "KAOS-M", "KAOS-L", "NO-SUCH-SKU"]
    for n in (1, 3, 4, 3):  # new shapes, then one kept
        orm = {v.sku: v for v in Variant.objects.select_related("product").filter(sku__in=skus[:n])}
        with django_assert_num_queries(1):
            ours = {v.sku: v for v in prepare._VARIANTS.fetch(sku=skus[:n])}
            assert {sku: (_fields(v), _fields(v.product)) for sku, v in ours.items()} == {
                sku: (_fields(v), _fields(v.product)) for sku, v in orm.items()
            }
        ids = [v.pk for v in orm.values()] + [10**9]
        warehouse = shop["jkt"]
        assert {
            i
            for (i,) in prepare._STOCKED.fetch(
                warehouse=warehouse.pk, variant=ids, only=("variant",)
            )
        } == set(
            Stock.objects.filter(warehouse=warehouse, variant_id__in=ids).values_list(
                "variant_id", flat=True
            )
        )
    assert prepare._VARIANTS.fetch(sku=[]) == []
    record = IdempotencyRecord.objects.get()
    assert _fields(_record(record.scope, "k-1")) == _fields(
        IdempotencyRecord.objects.filter(scope=record.scope, key="k-1").first()
    )
    assert bytes(_record(record.scope, "k-1").body) == r.content
    assert _record(record.scope, "k-2") is None
