"""The columns an export template can hold, declared once.

Each column says what it reads so the exporter fetches a chunk of orders with a fixed
number of queries, whatever the columns:

* `values`: ORM paths read on the order row itself (`values_list`, joins included:
  `customer__name`, `courier__name` …) — one query per chunk for all of them;
* `related`: per-order lists loaded once per chunk by one query each (`lines`, `tags`,
  `payments`, see `LOADERS`).

`render(row, ctx)` turns the row (a dict of those paths, plus "_lines", "_tags",
"_payments") into a cell: a str (neutralized against formula injection by the writer) or
a number. Money is written in major units, timestamps in the shop's local time.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from tokodesk.core.money import exponent
from tokodesk.orders.models import Order, OrderLine, Payment
from tokodesk.orders.states import Channel, PaymentMethod, Status


@dataclass(frozen=True)
class Column:
    key: str
    label: Promise
    group: Promise
    render: Callable[[dict, ExportContext], Any]
    values: tuple[str, ...] = ()
    related: tuple[str, ...] = ()


@dataclass
class ExportContext:
    """What renderers share during one export: labels already translated (once, not per
    row), the time zone and the number format."""

    decimal_comma: bool = False
    tz: Any = None
    labels: dict[str, dict[str, str]] = field(default_factory=dict)
    _exponents: dict[str, int] = field(default_factory=dict)

    @classmethod
    def build(cls, *, decimal_comma: bool = False) -> ExportContext:
        return cls(
            decimal_comma=decimal_comma,
            tz=timezone.get_default_timezone(),
            labels={
                "status": {k: str(v) for k, v in Status.choices},
                "payment_method": {k: str(v) for k, v in PaymentMethod.choices},
                "channel": {k: str(v) for k, v in Channel.choices},
                "payment_kind": {k: str(v) for k, v in Payment.Kind.choices},
            },
        )

    def label(self, kind: str, value: str) -> str:
        return self.labels[kind].get(value, value)

    def money(self, amount: int | None, currency: str):
        if amount is None:
            return ""
        exp = self._exponents.get(currency)
        if exp is None:
            exp = self._exponents[currency] = exponent(currency)
        if not exp:
            return amount
        value = Decimal(amount).scaleb(-exp)
        return self.number(value)

    def number(self, value: Decimal):
        # With ";" (European Excel) the decimal separator is a comma.
        return str(value).replace(".", ",") if self.decimal_comma else value

    def datetime(self, value: dt.datetime | None) -> str:
        if value is None:
            return ""
        if timezone.is_aware(value):
            value = value.astimezone(self.tz)
        return value.strftime("%Y-%m-%d %H:%M:%S")

    def date(self, value) -> str:
        if value is None:
            return ""
        if isinstance(value, dt.datetime):
            if timezone.is_aware(value):
                value = value.astimezone(self.tz)
            value = value.date()
        return value.isoformat()


# --- per-chunk loaders of the `related` lists -----------------------------------------


def _load_lines(ids):
    rows = (OrderLine.objects.filter(order_id__in=ids).order_by("order_id", "id")
            .values_list("order_id", "sku", "name", "qty", "weight_grams", "unit_price"))
    grouped: dict[int, list] = {}
    for order_id, *rest in rows:
        grouped.setdefault(order_id, []).append(rest)
    return grouped


def _load_tags(ids):
    rows = (Order.tags.through.objects.filter(order_id__in=ids).order_by("tag__name")
            .values_list("order_id", "tag__name"))
    grouped: dict[int, list] = {}
    for order_id, name in rows:
        grouped.setdefault(order_id, []).append(name)
    return grouped


def _load_payments(ids):
    rows = (Payment.objects.filter(order_id__in=ids, voided_at__isnull=True).order_by("recorded_at", "id")
            .values_list("order_id", "kind", "amount", "paid_on", "recorded_at"))
    grouped: dict[int, list] = {}
    for order_id, *rest in rows:
        grouped.setdefault(order_id, []).append(rest)
    return grouped


# name → (loader(ids) → {order id: [...]}, key in the row dict)
LOADERS: dict[str, Callable] = {"lines": _load_lines, "tags": _load_tags, "payments": _load_payments}


# --- column builders -------------------------------------------------------------------

G_ORDER = _("Order")
G_RECIPIENT = _("Recipient")
G_CUSTOMER = _("Customer")
G_ITEMS = _("Items")
G_SHIPPING = _("Shipping")
G_PAYMENT = _("Payment")
G_DATES = _("Dates")


def text(key, label, group, path=None) -> Column:
    path = path or key
    return Column(key, label, group, values=(path,), render=lambda r, c: r[path])


def choice(key, label, group, kind, path=None) -> Column:
    path = path or key
    return Column(key, label, group, values=(path,), render=lambda r, c: c.label(kind, r[path]))


def money(key, label, group, path=None) -> Column:
    path = path or key
    return Column(key, label, group, values=(path, "currency"), render=lambda r, c: c.money(r[path], r["currency"]))


def timestamp(key, label, group, path=None) -> Column:
    path = path or key
    return Column(key, label, group, values=(path,), render=lambda r, c: c.datetime(r[path]))


def day(key, label, group, path=None) -> Column:
    path = path or key
    return Column(key, label, group, values=(path,), render=lambda r, c: c.date(r[path]))


def _person(first, last, username):
    def render(r, c):
        full = f"{r[first] or ''} {r[last] or ''}".strip()
        return full or r[username] or ""
    return render


def _items(r, c):
    return "; ".join(f"{qty} × {name}" for _sku, name, qty, _w, _p in r["_lines"])


def _weight_grams(r, c):
    return sum(qty * weight for _s, _n, qty, weight, _p in r["_lines"])


def _weight_kg(r, c):
    grams = _weight_grams(r, c)
    return c.number((Decimal(grams) / 1000).quantize(Decimal("0.001")))


def _outstanding(r, c):
    return c.money(max(r["total"] - r["paid_total"], 0), r["currency"])


def _cod_amount(r, c):
    """What the courier collects: the unpaid part of a COD order, 0 otherwise."""
    due = max(r["total"] - r["paid_total"], 0) if r["payment_method"] == PaymentMethod.COD else 0
    return c.money(due, r["currency"])


def _payments(r, c):
    return "; ".join(
        f"{c.label('payment_kind', kind)} {c.money(amount, r['currency'])} ({c.date(paid_on or recorded_at)})"
        for kind, amount, paid_on, recorded_at in r["_payments"])


def _last_payment(r, c):
    if not r["_payments"]:
        return ""
    _kind, _amount, paid_on, recorded_at = r["_payments"][-1]
    return c.date(paid_on or recorded_at)


AGENT = ("assigned_agent__first_name", "assigned_agent__last_name", "assigned_agent__username")

COLUMNS: list[Column] = [
    # order
    text("reference", _("Order ID"), G_ORDER),
    choice("status", _("Status"), G_ORDER, "status"),
    choice("channel", _("Channel"), G_ORDER, "channel"),
    text("external_reference", _("External reference"), G_ORDER),
    text("invoice_number", _("Invoice number"), G_ORDER),
    day("invoice_due_date", _("Invoice due date"), G_ORDER),
    text("landing_page", pgettext_lazy("landing page", "Page"), G_ORDER, "landing_page__name"),
    Column("agent", _("Agent"), G_ORDER, values=AGENT, render=_person(*AGENT)),
    text("agent_username", _("Agent username"), G_ORDER, "assigned_agent__username"),
    text("created_by", _("Created by"), G_ORDER, "created_by__username"),
    Column("tags", _("Tags"), G_ORDER, related=("tags",), render=lambda r, c: ", ".join(r["_tags"])),
    text("customer_note", _("Customer note"), G_ORDER),
    text("cancellation_reason", _("Cancellation reason"), G_ORDER),
    text("problem_reason", _("Delivery problem"), G_ORDER),
    # recipient (as on the order)
    text("recipient_name", _("Recipient"), G_RECIPIENT),
    text("recipient_phone", _("Phone"), G_RECIPIENT),
    text("recipient_email", _("E-mail"), G_RECIPIENT),
    text("destination_address", _("Address"), G_RECIPIENT),
    text("destination_city", _("City"), G_RECIPIENT),
    # customer (as now)
    text("customer_name", _("Customer name"), G_CUSTOMER, "customer__name"),
    text("customer_phone", _("Customer phone"), G_CUSTOMER, "customer__phone"),
    text("customer_email", _("Customer e-mail"), G_CUSTOMER, "customer__email"),
    text("customer_address", _("Customer address"), G_CUSTOMER, "customer__address"),
    # items
    Column("items", _("Items"), G_ITEMS, related=("lines",), render=_items),
    Column("skus", _("SKUs"), G_ITEMS, related=("lines",),
           render=lambda r, c: "; ".join(sku for sku, *_rest in r["_lines"])),
    Column("total_qty", _("Total quantity"), G_ITEMS, related=("lines",),
           render=lambda r, c: sum(line[2] for line in r["_lines"])),
    Column("line_count", _("Number of lines"), G_ITEMS, related=("lines",), render=lambda r, c: len(r["_lines"])),
    Column("weight_grams", _("Weight (g)"), G_ITEMS, related=("lines",), render=_weight_grams),
    Column("weight_kg", _("Weight (kg)"), G_ITEMS, related=("lines",), render=_weight_kg),
    # shipping
    text("warehouse", _("Warehouse"), G_SHIPPING, "warehouse__name"),
    text("warehouse_code", _("Warehouse code"), G_SHIPPING, "warehouse__code"),
    text("courier", _("Courier"), G_SHIPPING, "courier__name"),
    text("courier_code", _("Courier code"), G_SHIPPING, "courier__code"),
    text("courier_service", _("Service"), G_SHIPPING),
    text("awb", _("AWB"), G_SHIPPING),
    timestamp("ship_by", _("Ship by"), G_SHIPPING),
    # payment and amounts
    choice("payment_method", _("Payment method"), G_PAYMENT, "payment_method"),
    text("currency", _("Currency"), G_PAYMENT),
    money("subtotal", _("Subtotal"), G_PAYMENT),
    money("shipping_cost", _("Shipping cost"), G_PAYMENT),
    money("insurance_cost", _("Insurance"), G_PAYMENT),
    money("discount", _("Discount"), G_PAYMENT),
    money("total", _("Total"), G_PAYMENT),
    money("paid_total", _("Paid"), G_PAYMENT),
    Column("outstanding", _("Outstanding"), G_PAYMENT, values=("total", "paid_total", "currency"),
           render=_outstanding),
    Column("cod_amount", _("COD amount"), G_PAYMENT, values=("total", "paid_total", "currency", "payment_method"),
           render=_cod_amount),
    Column("payments", _("Payments"), G_PAYMENT, values=("currency",), related=("payments",), render=_payments),
    Column("last_payment_date", _("Last payment date"), G_PAYMENT, related=("payments",), render=_last_payment),
    text("payment_link", _("Payment link"), G_PAYMENT),
    # dates (local time)
    timestamp("created_at", _("Created"), G_DATES),
    day("order_date", _("Order date"), G_DATES, "created_at"),
    timestamp("updated_at", _("Updated"), G_DATES),
    timestamp("confirmed_at", _("Confirmed"), G_DATES),
    timestamp("shipped_at", _("Shipped"), G_DATES),
    timestamp("delivered_at", _("Delivered"), G_DATES),
    timestamp("completed_at", _("Completed"), G_DATES),
    timestamp("cancelled_at", _("Cancelled"), G_DATES),
    timestamp("cancellation_deadline", _("Cancellation deadline"), G_DATES),
]

REGISTRY: dict[str, Column] = {c.key: c for c in COLUMNS}
assert len(REGISTRY) == len(COLUMNS), "duplicate column key"


def groups() -> list[tuple[Promise, list[Column]]]:
    """The columns by group, in registry order (for the template form)."""
    out: dict[int, tuple[Promise, list[Column]]] = {}
    for col in COLUMNS:
        out.setdefault(id(col.group), (col.group, []))[1].append(col)
    return list(out.values())
