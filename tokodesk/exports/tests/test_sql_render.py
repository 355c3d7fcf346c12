"""SQL rendering (sqlrender.py) writes what the Python renderer writes: a varied set of
orders through both, every column, both separators, three languages — the same parsed
rows (and on SQLite the same bytes). Run on SQLite and on PostgreSQL."""

import datetime as dt

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.utils import translation

from tokodesk.catalog.models import Product, Variant, Warehouse
from tokodesk.customers.models import Customer
from tokodesk.exports.columns import REGISTRY, ExportContext
from tokodesk.exports.sqlrender import compile_plan
from tokodesk.exports.tests.helpers import read_csv
from tokodesk.exports.writer import Plan, iter_csv
from tokodesk.orders.models import Order, OrderLine, Payment, Tag
from tokodesk.orders.states import Channel, PaymentMethod, Status
from tokodesk.payments.models import PaymentMethod as ShopMethod
from tokodesk.shipping.models import Courier
from tokodesk.storefront.models import LandingPage

UTC = dt.UTC
NASTY = [
    'He said "hi", then left',
    "=cmd|' /C calc'!A0",
    "+6281234",
    "-5",
    "@SUM(A1)",
    "\tTab",
    "\rCR",
    "line1\nline2",
    "semi;colon",
    "Ñoño – ü 名前 🚚",
    "",
    "'quoted",
    " spaced ",
    "a,b;c\r\nd",
    "\\.",
]


def _varied_orders():
    User = get_user_model()
    agents = [
        User.objects.create(username="ag1", first_name="Budi", last_name="Santoso"),
        User.objects.create(username="=ag2", first_name="", last_name=""),
        User.objects.create(username="ag3", first_name="Siti", last_name=""),
        User.objects.create(username="ag4", first_name="", last_name='-Nur "X"'),
    ]
    jkt = Warehouse.objects.get(code="jkt")
    wh_odd = Warehouse.objects.create(code="odd", name='=Gudang, "Aneh"', city="Bogor")
    couriers = list(Courier.objects.order_by("code"))
    odd_courier = Courier.objects.create(code="odd", name="+Kurir; baru")
    page = LandingPage.objects.create(
        name='Madu "asli", promo', slug="madu-promo", product=Product.objects.order_by("pk").first()
    )
    tags = [Tag.objects.create(name=n) for n in ("vip", "=evil", "grosir, besar", "zeta")]
    customers = [
        Customer.objects.create(
            name=n or "x",
            phone=f"+62811000{i:04d}",
            address=NASTY[-i - 1],
            email=f"c{i}@example.com",
            postcode=["75011", "", "-12", "=1", "40 115", "K1A 0B1"][i],
        )
        for i, n in enumerate(NASTY[:6])
    ]
    # The shop's payment methods (issue 17): labels per language or not, a code that needs
    # the formula guard, labels that need it or quotes; orders without one show their flow.
    methods = [None, *ShopMethod.objects.filter(code__in=["cod", "invoice"]).order_by("code")] + [
        ShopMethod.objects.create(code=code, label=label, labels=labels, flow=flow)
        for code, label, labels, flow in [
            ("-kartu", "=Kartu", {"fr": 'Carte "bancaire", CB', "id": "@Kartu; kredit"}, "payment_gateway"),
            ("paypal", "PayPal", {}, "payment_gateway"),
            ("bca", "Transfer BCA", {"id": "Transfer\r\nBCA", "en": "+BCA transfer"}, "bank_transfer"),
        ]
    ]
    statuses = list(Status.values)
    flows = list(PaymentMethod.values)
    currencies = ["IDR", "EUR", "JPY", "usd", "XXX"]
    amounts = [0, 1, 5, 99, 100, 12345, 10**12 + 7, 987654321012]
    base = dt.datetime(2025, 3, 1, 16, 59, 59, 999999, tzinfo=UTC)
    n = max(len(statuses), len(NASTY) * 2)
    variant = Variant.objects.order_by("pk").first()
    for i in range(n):
        cur = currencies[i % len(currencies)]
        total = amounts[i % len(amounts)]
        order = Order.objects.create(
            reference=f"EQ-{i:03d}",
            channel=list(Channel.values)[i % len(Channel.values)],
            landing_page=page if i % 3 == 0 else None,
            external_reference=NASTY[(i + 1) % len(NASTY)],
            customer=customers[i % len(customers)],
            recipient_name=NASTY[i % len(NASTY)] or "R",
            recipient_phone=f"+62812{i:06d}",
            recipient_email="" if i % 2 else f"r{i}@example.com",
            destination_address=NASTY[(i + 3) % len(NASTY)] or "Jl. Mawar 1, Bandung",
            destination_city=NASTY[(i + 5) % len(NASTY)],
            destination_postcode=["", "75011", "-1", "=2; x", '1 "2"'][i % 5],
            warehouse=[jkt, wh_odd, None][i % 3],
            courier=(couriers + [odd_courier, None])[i % (len(couriers) + 2)],
            courier_service=["REG", "", "-YES"][i % 3],
            awb="" if i % 4 else f"=AWB{i}",
            payment_method=flows[i % len(flows)],
            payment_option=methods[i % len(methods)],
            currency=cur,
            subtotal=total,
            shipping_cost=amounts[(i + 1) % len(amounts)],
            insurance_cost=i,
            discount=-amounts[(i + 2) % len(amounts)]
            if i % 5 == 0
            else amounts[(i + 2) % len(amounts)],
            total=total,
            paid_total=[0, total, total // 2, total + 500][i % 4],
            status=statuses[i % len(statuses)],
            assigned_agent=(agents + [None])[i % 5],
            created_by=agents[(i + 1) % 4] if i % 2 else None,
            customer_note=NASTY[(i + 7) % len(NASTY)],
            cancellation_reason=NASTY[(i + 9) % len(NASTY)],
            problem_reason="" if i % 2 else "@problem",
            ship_by=None if i % 3 == 1 else base + dt.timedelta(days=i, seconds=i * 3607),
            invoice_number=f"INV/{i}" if i % 2 else "",
            payment_link="" if i % 3 else f"https://pay.example/{i}",
            invoice_due_date=None if i % 2 else dt.date(2025, 1, 1) + dt.timedelta(days=i),
            confirmed_at=base + dt.timedelta(hours=i * 5, microseconds=i),
            shipped_at=None if i % 2 else base,
            delivered_at=base + dt.timedelta(days=400) if i % 3 == 0 else None,
            completed_at=None if i % 2 else base + dt.timedelta(minutes=i * 17),
            cancelled_at=base if statuses[i % len(statuses)] == "cancelled" else None,
            cancellation_deadline=base + dt.timedelta(hours=7) if i % 4 == 1 else None,
        )
        # created_at / updated_at are set on save: put varied times (around local midnight)
        Order.objects.filter(pk=order.pk).update(
            created_at=base + dt.timedelta(hours=i * 7, seconds=i),
            updated_at=base - dt.timedelta(days=i, microseconds=1),
        )
        for j in range(i % 4):  # 0 to 3 lines
            OrderLine.objects.create(
                order=order,
                variant=variant,
                sku=["KAOS-M", "=SKU", "MADU; 500", 'X"Y'][(i + j) % 4],
                name=NASTY[(i + j) % len(NASTY)] or "Barang",
                qty=1 + (i * j) % 7,
                unit_price=amounts[j],
                weight_grams=[0, 1, 250, 999, 1000, 123456][(i + j) % 6],
            )
        order.tags.set(tags[: i % 5])
        for j in range(i % 3):
            p = Payment.objects.create(
                order=order,
                kind=list(Payment.Kind.values)[(i + j) % 4],
                amount=amounts[(i + j) % len(amounts)] or 250,
                paid_on=None if j % 2 else dt.date(2025, 2, 1 + i % 27),
                voided_at=base if (i + j) % 5 == 0 else None,
            )
            Payment.objects.filter(pk=p.pk).update(
                recorded_at=base + dt.timedelta(hours=j * 11 + i)
            )
    return n


def _both(plan, delimiter, language):
    with translation.override(language):
        python = b"".join(iter_csv(Order.objects.all(), plan, delimiter=delimiter, engine="python"))
        info = {}
        sql = b"".join(
            iter_csv(
                Order.objects.all(),
                plan,
                delimiter=delimiter,
                engine="sql",
                info=info,
                chunk_size=7,
            )
        )
    assert info["engine"] == "sql"
    return python, sql


@pytest.mark.parametrize("language", ["id", "en", "fr"])
@pytest.mark.parametrize("delimiter", [",", ";"])
def test_sql_rendering_writes_what_python_writes(shop, users, delimiter, language):
    n = _varied_orders()
    plan = Plan.build([{"field": key, "header": ""} for key in REGISTRY])
    python, sql = _both(plan, delimiter, language)
    expected, got = read_csv(python, delimiter), read_csv(sql, delimiter)
    assert len(expected) == n + 1
    for want, have in zip(expected, got, strict=True):
        assert dict(zip(expected[0], have, strict=True)) == dict(
            zip(expected[0], want, strict=True)
        )
    if connection.vendor == "sqlite":
        assert sql == python  # same csv module, same bytes


def test_each_column_alone_and_one_column_templates(shop, users):
    """A one-column template (empty cells are "" for Python's csv, and so for COPY)."""
    _varied_orders()
    for key in REGISTRY:
        plan = Plan.build([{"field": key}])
        python, sql = _both(plan, ",", "en")
        assert read_csv(sql) == read_csv(python), key


def test_what_falls_back_to_python(shop, users, settings):
    plan = Plan.build([{"field": "agent"}, {"field": "created_at"}])
    ctx = ExportContext.build()
    assert compile_plan(plan, ctx, ",") is not None
    user = get_user_model().objects.create(username="tabby", first_name="\tTab", last_name="")
    assert compile_plan(plan, ctx, ",") is None  # strip() ≠ TRIM(): rendered in Python
    user.delete()
    settings.TIME_ZONE = "Europe/Paris"  # summer time
    from django.utils import timezone

    ctx = ExportContext.build()
    assert ctx.tz == timezone.get_default_timezone()
    # SQLite has no time zone database, but the zone's offsets are in the SQL
    # (test_sql_bytes.py): rendered in SQL on both databases
    assert compile_plan(plan, ctx, ",") is not None


def test_selected_filtered_and_agent_scoped_exports_are_the_same_both_ways(shop, users):
    _varied_orders()
    plan = Plan.build([{"field": key} for key in ("reference", "status", "items", "tags", "total")])
    agent = get_user_model().objects.get(username="ag1")
    for qs in (
        Order.objects.filter(reference__in=["EQ-001", "EQ-007", "EQ-020"]),
        Order.objects.filter(assigned_agent=agent),
        Order.objects.filter(tags__name="vip"),
        Order.objects.filter(status__in=["new", "cancelled"]),
        Order.objects.none(),
    ):
        python = read_csv(b"".join(iter_csv(qs, plan, engine="python")))
        sql = read_csv(b"".join(iter_csv(qs, plan, engine="sql", chunk_size=2)))
        assert sql == python


@pytest.mark.django_db(transaction=True)
def test_chunks_rendered_in_parallel_come_out_in_order(shop, users, monkeypatch):
    """workers > 1: chunks rendered on connections of their own, handed over in order —
    the same file as one connection, and what Python writes (outside a transaction only:
    other connections would not see its rows)."""
    from tokodesk.exports.sqlrender import Compiled

    n = _varied_orders()
    parallel = []
    original = Compiled._parallel

    def spy(self, queryset, size, workers):
        parallel.append(workers)
        yield from original(self, queryset, size, workers)

    monkeypatch.setattr(Compiled, "_parallel", spy)
    plan = Plan.build([{"field": key, "header": ""} for key in REGISTRY])
    python = b"".join(iter_csv(Order.objects.all(), plan, engine="python"))
    one = b"".join(iter_csv(Order.objects.all(), plan, engine="sql", chunk_size=3))
    assert parallel == []
    for workers in (2, 3):
        got = b"".join(iter_csv(Order.objects.all(), plan, engine="sql", chunk_size=3, workers=workers))
        assert got == one
    assert parallel == [2, 3]
    assert read_csv(one) == read_csv(python) and len(read_csv(one)) == n + 1
    agent = get_user_model().objects.get(username="ag1")
    qs = Order.objects.filter(assigned_agent=agent)
    assert read_csv(b"".join(iter_csv(qs, plan, engine="sql", chunk_size=2, workers=2))) == read_csv(
        b"".join(iter_csv(qs, plan, engine="python"))
    )
    # an error in a worker reaches the consumer, the threads stop
    monkeypatch.setattr(Compiled, "_render", lambda *a: 1 / 0)
    with pytest.raises(ZeroDivisionError):
        b"".join(iter_csv(Order.objects.all(), plan, engine="sql", chunk_size=3, workers=2))
    # inside a transaction: one connection
    from django.db import transaction

    parallel.clear()
    with transaction.atomic():
        monkeypatch.setattr(Compiled, "_render", lambda self, c, sql, params: (0, []))
        b"".join(iter_csv(Order.objects.all(), plan, engine="sql", chunk_size=3, workers=2))
    assert parallel == []


def test_sqlite_renders_wide_templates_on_two_connections(settings, monkeypatch):
    """SQLite evaluates the cells without the GIL: a wide template (the full export) gets
    a second connection, a narrow one (courier list) keeps one; PostgreSQL two; the
    setting wins."""
    import importlib

    from tokodesk.exports import services

    builtin = importlib.import_module("tokodesk.exports.migrations.0002_builtin_templates")
    full = Plan.build([{"field": key} for key in builtin.FULL])
    courier = Plan.build([{"field": key} for key in builtin.COURIER])
    monkeypatch.delenv("TOKODESK_EXPORT_WORKERS", raising=False)
    monkeypatch.setattr(services.os, "cpu_count", lambda: 2)
    if connection.vendor == "sqlite":
        assert (services.workers(full), services.workers(courier), services.workers()) == (2, 1, 1)
    else:
        assert (services.workers(full), services.workers(courier)) == (2, 2)
    monkeypatch.setattr(services.os, "cpu_count", lambda: 1)
    assert services.workers(full) == 1
    settings.TOKODESK_EXPORT_WORKERS = "3"
    assert services.workers(courier) == 3
