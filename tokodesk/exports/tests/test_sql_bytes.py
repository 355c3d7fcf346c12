"""The SQL renderer writes the Python renderer's bytes (issue 16): the built-in full and
courier templates, an IDR shop (Indonesian, ";") and EUR shops (French ";", English ","),
Asia/Jakarta and Europe/Paris with times on both sides of both daylight-saving changes
(and outside the years the SQLite offset tree covers), NULLs, unicode, cells needing
quotes (separators, quotes, CR/LF), several tags and payments (some voided) per order, the
shop's payment methods (labels per language, none) and postcodes (issue 17).

SQLite: the same bytes. PostgreSQL: the same bytes except for the one documented case of
sqlrender.py (COPY quotes a cell that is exactly `\\.`, Python's csv does not), which is
put back before comparing. Both databases must render in SQL (`info["engine"]`), so the
Python fallback can never make the test pass by itself."""

import datetime as dt
import importlib
import re

import pytest
from django.db import connection
from django.utils import translation

from tokodesk.catalog.models import Variant
from tokodesk.customers.models import Customer
from tokodesk.exports.columns import ExportContext
from tokodesk.exports.sqlrender import compile_plan
from tokodesk.exports.sqltz import TREE_YEARS, transitions
from tokodesk.exports.tests.test_sql_render import _varied_orders
from tokodesk.exports.writer import Plan, iter_csv
from tokodesk.orders.models import Order, OrderLine, Payment, Tag
from tokodesk.payments.models import PaymentMethod

UTC = dt.UTC
builtin = importlib.import_module("tokodesk.exports.migrations.0002_builtin_templates")
# The full export as it is now: 0002's list and the payment method and postcode columns (0004).
full = importlib.import_module("tokodesk.exports.migrations.0004_full_export_payment_method_postcode")
TEMPLATES = {"full": full.FULL, "courier": builtin.COURIER}

# Europe/Paris changes in 2025: 30 March 01:00 UTC (+1 → +2), 26 October 01:00 UTC (+2 → +1).
SPRING = dt.datetime(2025, 3, 30, 1, 0, tzinfo=UTC)
AUTUMN = dt.datetime(2025, 10, 26, 1, 0, tzinfo=UTC)
AROUND = [
    dt.timedelta(seconds=-1, microseconds=999_999),  # x:59:59.999999 before: truncated, not rounded
    dt.timedelta(0),
    dt.timedelta(seconds=1),
    dt.timedelta(minutes=-30),
    dt.timedelta(minutes=30),
    dt.timedelta(hours=-2),  # local midnight moves with the offset
    dt.timedelta(hours=22),
    dt.timedelta(hours=23),
]
FAR = [  # outside the SQLite tree's years: zoneinfo through the SQL function
    dt.datetime(1969, 12, 31, 23, 30, tzinfo=UTC),
    dt.datetime(1960, 7, 1, 22, 15, tzinfo=UTC),
    dt.datetime(2100, 7, 1, 22, 30, tzinfo=UTC),
    dt.datetime(2100, 1, 1, 0, 0, tzinfo=UTC),
    dt.datetime(TREE_YEARS[0], 1, 1, 0, 0, tzinfo=UTC),
]
NAMES = ['Zoë, "la" Belle', "Müller\r\nGmbH", "名前 🚚; x", "=SUM(1)", "-", "\\.", ""]


def _dst_orders(currency: str) -> int:
    """Orders whose every timestamp sits next to a DST change (or far from the tree), with
    several tags and payments, in the shop's currency."""
    tags = [Tag.objects.get_or_create(name=n)[0] for n in ("été, promo", 'b"q', "ünï")]
    customers = [
        Customer.objects.create(
            name='Zoë "Ç", 名', phone="+6281100000001", address="Rue 1,\nParis", postcode="75011"
        ),
        Customer.objects.create(name="=B", phone="+33612345678", address="", email="b@example.com"),
    ]
    # The shop's payment methods: a starting one, one with a label per language (quotes,
    # separators, a formula start in one language), none (the order shows its flow).
    options = [
        None,
        PaymentMethod.objects.get(code="bank_transfer"),
        PaymentMethod.objects.create(
            code="carte", label="Carte", flow="payment_gateway",
            labels={"fr": 'Carte "bleue"; CB', "en": "Card, debit", "id": "=Kartu"},
        ),
    ]
    variant = Variant.objects.order_by("pk").first()
    stamps = [edge + delta for edge in (SPRING, AUTUMN) for delta in AROUND] + FAR
    amounts = [1, 99, 150_000, 1_234_567_89, 0]
    for i, at in enumerate(stamps):
        name = NAMES[i % len(NAMES)]
        order = Order.objects.create(
            reference=f"DST-{i:03d}",
            customer=customers[i % 2],
            recipient_name=name or "R",
            recipient_phone="" if i % 3 == 0 else f"+6281{i:08d}",
            destination_address=NAMES[(i + 1) % len(NAMES)],
            destination_city=NAMES[(i + 2) % len(NAMES)],
            customer_note=NAMES[(i + 3) % len(NAMES)],
            currency=currency,
            payment_method=["cod", "bank_transfer"][i % 2],
            payment_option=options[i % 3],
            destination_postcode=["", "75011", "-75", "2A004"][i % 4],
            subtotal=amounts[i % 5],
            shipping_cost=amounts[(i + 1) % 5],
            total=amounts[i % 5] + amounts[(i + 1) % 5],
            paid_total=amounts[(i + 2) % 5],
            ship_by=None if i % 4 == 3 else at,
            confirmed_at=at,
            shipped_at=None if i % 2 else at + dt.timedelta(hours=1),
            delivered_at=at - dt.timedelta(minutes=59) if i % 3 == 1 else None,
            completed_at=None if i % 5 == 4 else at + dt.timedelta(days=1),
            cancelled_at=at if i % 7 == 0 else None,
            cancellation_deadline=at - dt.timedelta(seconds=1),
        )
        Order.objects.filter(pk=order.pk).update(
            created_at=at, updated_at=at + dt.timedelta(seconds=i)
        )
        for j in range(i % 4):
            OrderLine.objects.create(
                order=order,
                variant=variant,
                sku=f'S-{j},"{i}"',
                name=NAMES[(i + j) % len(NAMES)] or "Barang",
                qty=1 + j,
                unit_price=amounts[j],
                weight_grams=[0, 250, 1001][j % 3],
            )
        order.tags.set(tags[: i % 4])
        # 0-3 payments, one voided, some without paid_on (then recorded_at, in local time)
        for j in range(i % 4):
            p = Payment.objects.create(
                order=order,
                kind=["transfer", "cod", "gateway"][j % 3],
                amount=amounts[(i + j) % 5] or 7,
                paid_on=dt.date(2025, 3, 30) if j == 1 else None,
                voided_at=at if j == 2 else None,
            )
            Payment.objects.filter(pk=p.pk).update(
                recorded_at=at + dt.timedelta(minutes=15 * j - 15)
            )
    return len(stamps)


SHOPS = {  # language, separator, currency of its orders
    "idr-id": ("id", ";", "IDR"),
    "eur-fr": ("fr", ";", "EUR"),
    "eur-en": ("en", ",", "EUR"),
}
COPY_QUOTED = re.compile(rb'(?<=[,;\n])"\\\."(?=[,;\r])')


@pytest.mark.parametrize("template", sorted(TEMPLATES))
@pytest.mark.parametrize("shop_kind", sorted(SHOPS))
@pytest.mark.parametrize("zone", ["Asia/Jakarta", "Europe/Paris"])
def test_sql_writes_the_python_bytes(shop, users, settings, template, shop_kind, zone):
    language, delimiter, currency = SHOPS[shop_kind]
    settings.TIME_ZONE = zone
    settings.LANGUAGE_CODE = language
    n = _dst_orders(currency) + _varied_orders()
    plan = Plan.build([{"field": key, "header": ""} for key in TEMPLATES[template]])
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
                chunk_size=9,
            )
        )
    assert info["engine"] == "sql"  # rendered by the database, not the fallback
    if template == "full":
        keys = {c.key for c in plan.columns}
        assert {"payment_method_code", "payment_method_label", "destination_postcode", "customer_postcode"} <= keys
    assert python.count(b"\r\n") >= n + 1
    if connection.vendor == "postgresql":
        sql = COPY_QUOTED.sub(rb"\\.", sql)
    assert sql == python


@pytest.mark.parametrize(
    ("utc", "local"),
    [
        (SPRING - dt.timedelta(microseconds=1), "2025-03-30 01:59:59"),
        (SPRING, "2025-03-30 03:00:00"),
        (AUTUMN - dt.timedelta(microseconds=1), "2025-10-26 02:59:59"),
        (AUTUMN, "2025-10-26 02:00:00"),
        (dt.datetime(1969, 12, 31, 23, 30, tzinfo=UTC), "1970-01-01 00:30:00"),
        (dt.datetime(2100, 7, 1, 22, 30, tzinfo=UTC), "2100-07-02 00:30:00"),
    ],
)
def test_paris_local_times_in_sql_are_right(shop, users, settings, utc, local):
    """Not only equal to Python: right (the Python renderer could be wrong the same way)."""
    settings.TIME_ZONE = "Europe/Paris"
    customer = Customer.objects.create(name="Zoë", phone="+6281100000001")
    order = Order.objects.create(reference="P-1", customer=customer, confirmed_at=utc)
    Order.objects.filter(pk=order.pk).update(created_at=utc)
    plan = Plan.build([{"field": "confirmed_at"}, {"field": "order_date"}])
    info = {}
    data = b"".join(iter_csv(Order.objects.filter(pk=order.pk), plan, engine="sql", info=info))
    assert info["engine"] == "sql"
    assert data.decode("utf-8-sig").split("\r\n")[1] == f"{local},{local[:10]}"


def test_offset_tree_holds_every_paris_change():
    """Two changes a year since 1976 (Paris had no summer time 1970-1975), to the second."""
    tr = transitions("Europe/Paris")
    assert tr.first == 3600
    assert ("2025-03-30 01:00:00", 7200) in tr.changes
    assert ("2025-10-26 01:00:00", 3600) in tr.changes
    assert len(tr.changes) == 2 * (TREE_YEARS[1] - 1976)
    assert transitions("Asia/Jakarta").changes == ()
    plan = Plan.build([{"field": "created_at"}])
    settings_tz = ExportContext.build()
    assert compile_plan(plan, settings_tz, ",") is not None
