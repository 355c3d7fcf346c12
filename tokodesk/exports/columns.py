"""The columns an export template can hold, declared once.

Each column says what it reads so the exporter fetches a chunk of orders with a fixed
number of queries, whatever the columns:

* `values`: ORM paths read on the order row itself (`values_list`; `customer__name` joins
  the customer) — one query per chunk for all of them;
* `related`: per-order lists loaded once per chunk by one query each (`lines`, `tags`,
  `payments`, see `LOADERS`);
* `lookups`: small tables (couriers, warehouses, landing pages, users, payment methods) read once per
  export into dicts, so the chunk query joins nothing it can avoid (on PostgreSQL seven
  joins cost more to plan than to run).

A column's renderer turns the row (a tuple of those values, then the related lists) into
a cell: text (neutralized against formula injection) or a number. Money is written in
major units, timestamps in the shop's local time.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import phonenumbers
from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from tokodesk.core.money import exponent
from tokodesk.orders.models import Order, OrderLine, Payment
from tokodesk.orders.states import Channel, PaymentMethod, Status

FORMULA_STARTS = frozenset("=+-@\t\r")

Index = Callable[[str], int]
Renderer = Callable[[tuple, "ExportContext"], Any]


def neutralize(value):
    """A cell as written: text that a spreadsheet would run as a formula (starting with
    = + - @ tab or CR) gets a leading single quote; numbers stay numbers; None is empty."""
    if isinstance(value, str):
        if value and value[0] in FORMULA_STARTS:
            return "'" + value
        return value
    if value is None:
        return ""
    return value


@dataclass(frozen=True)
class Column:
    """`bind(index)` returns the renderer `(row, ctx) → cell`, `index(path)` being the
    position of a value (or of "_lines", "_tags", "_payments") in the row tuple. Renderers
    are bound once per export, so a row costs one call per cell and no lookups by name."""

    key: str
    label: Promise
    group: Promise
    bind: Callable[[Index], Renderer]
    values: tuple[str, ...] = ()
    related: tuple[str, ...] = ()
    lookups: tuple[str, ...] = ()
    # True when the renderer's output never needs neutralizing (numbers, dates, our own
    # labels, or text it neutralizes itself).
    neutral: bool = False
    # The same cell as SQL (`sqlrender.Dialect` → expression), None when only Python can
    # render it; `sql_check()` raises sqlrender.Unsupported when the data at hand cannot
    # be rendered in SQL exactly as in Python.
    sql: Callable[[Any], str] | None = field(default=None, compare=False)
    sql_check: Callable[[], None] | None = field(default=None, compare=False)
    # The SQL value never holds a separator, quote, CR or LF (numbers, dates): never quoted.
    sql_plain: bool = False

    def renderer(self, index: Index) -> Renderer:
        render = self.bind(index)
        if self.neutral:
            return render
        return lambda row, ctx: neutralize(render(row, ctx))


@dataclass
class ExportContext:
    """What renderers share during one export: labels already translated (once, not per
    row), the time zone and the number format."""

    decimal_comma: bool = False
    tz: Any = None
    labels: dict[str, dict[str, str]] = field(default_factory=dict)
    lookups: dict[str, dict] = field(default_factory=dict)
    _exponents: dict[str, int] = field(default_factory=dict)

    @classmethod
    def build(cls, *, decimal_comma: bool = False) -> ExportContext:
        def translated(choices):
            return {k: neutralize(str(v)) for k, v in choices}

        return cls(
            decimal_comma=decimal_comma,
            tz=timezone.get_default_timezone(),
            labels={
                "status": translated(Status.choices),
                "payment_method": translated(PaymentMethod.choices),
                "channel": translated(Channel.choices),
                "payment_kind": translated(Payment.Kind.choices),
            },
        )

    def label(self, kind: str, value: str) -> str:
        return self.labels[kind].get(value, value)

    def money(self, amount: int | None, currency: str):
        """Minor units → major units: an int for IDR, a Decimal (or "12,50" with ";")
        for currencies with cents."""
        if amount is None:
            return ""
        exp = self._exponents.get(currency)
        if exp is None:
            exp = self._exponents[currency] = exponent(currency)
        if not exp:
            return amount
        return self.number(Decimal(amount).scaleb(-exp))

    def number(self, value: Decimal):
        # With ";" (European Excel) the decimal separator is a comma.
        return str(value).replace(".", ",") if self.decimal_comma else value

    def datetime(self, value: dt.datetime | None) -> str:
        """Local time of the shop, to the second: 2025-03-01 14:05:09."""
        if value is None:
            return ""
        if value.tzinfo is not None:
            value = value.astimezone(self.tz)
        return value.isoformat(" ", "seconds")[:19]

    def date(self, value) -> str:
        if value is None:
            return ""
        if isinstance(value, dt.datetime):
            if value.tzinfo is not None:
                value = value.astimezone(self.tz)
            value = value.date()
        return value.isoformat()


# --- per-chunk loaders of the `related` lists -----------------------------------------


def _for_orders(ids) -> dict:
    """The condition on order_id for a chunk: an id range when the chunk's ids are about
    contiguous (an export of everything: a range scan, two parameters), else IN (ids).
    A range may bring a few rows of orders outside the chunk: they are ignored."""
    low, high = min(ids), max(ids)
    if high - low < 2 * len(ids):
        return {"order_id__gte": low, "order_id__lte": high}
    return {"order_id__in": ids}


def _group(rows) -> dict[int, list]:
    """Rows whose first value is the order id, by order id (rows kept whole)."""
    grouped: dict[int, list] = {}
    setdefault = grouped.setdefault
    for row in rows:
        setdefault(row[0], []).append(row)
    return grouped


# Lines are (order_id, sku, name, qty, weight_grams, unit_price).
def _load_lines(ids):
    return _group(OrderLine.objects.filter(**_for_orders(ids)).order_by("order_id", "id")
                  .values_list("order_id", "sku", "name", "qty", "weight_grams", "unit_price"))


# Tags are (order_id, name).
def _load_tags(ids):
    return _group(Order.tags.through.objects.filter(**_for_orders(ids)).order_by("tag__name")
                  .values_list("order_id", "tag__name"))


# Payments are (order_id, kind, amount, paid_on, recorded_at), the ones not voided.
def _load_payments(ids):
    return _group(Payment.objects.filter(**_for_orders(ids), voided_at__isnull=True).order_by("recorded_at", "id")
                  .values_list("order_id", "kind", "amount", "paid_on", "recorded_at"))


# name → loader(ids of the chunk) → {order id: [...]}; the row holds the list as "_<name>".
LOADERS: dict[str, Callable] = {"lines": _load_lines, "tags": _load_tags, "payments": _load_payments}


def _lookup(model_path: str, *fields: str) -> Callable[[], dict]:
    def load():
        from django.apps import apps

        model = apps.get_model(model_path)
        return {pk: rest for pk, *rest in model._default_manager.values_list("pk", *fields)}
    return load


# name → (model, fields) of the small tables read once per export.
LOOKUP_FIELDS: dict[str, tuple[str, tuple[str, ...]]] = {
    "courier": ("shipping.Courier", ("code", "name")),
    "warehouse": ("catalog.Warehouse", ("code", "name")),
    "landing_page": ("storefront.LandingPage", ("slug", "name")),
    "user": (settings.AUTH_USER_MODEL, ("username", "first_name", "last_name")),
}
# The shop's payment methods (issue 17): the order's `payment_option`, read with the
# courier's and the warehouse's; its label is the one in the export's language.
LOOKUP_FIELDS["payment_option"] = ("payments.PaymentMethod", ("code", "label"))


def _load_methods() -> dict:
    """{id: [code, label]} of the shop's payment methods, the label in the active language
    as the order page shows it (core.labels.localized: that language's, else the plain one)."""
    from tokodesk.core.labels import localized

    rows = Order.payment_option.field.related_model._default_manager.values_list("pk", "code", "label", "labels")
    return {pk: [code, localized(labels, label)] for pk, code, label, labels in rows}


# name → loader() → {id: [field values]}, read once per export.
LOOKUPS: dict[str, Callable[[], dict]] = {name: _lookup(model, *fields)
                                          for name, (model, fields) in LOOKUP_FIELDS.items()}
LOOKUPS["payment_option"] = _load_methods


# --- column builders -------------------------------------------------------------------

G_ORDER = _("Order")
G_RECIPIENT = _("Recipient")
G_CUSTOMER = _("Customer")
G_ITEMS = _("Items")
G_SHIPPING = _("Shipping")
G_PAYMENT = _("Payment")
G_DATES = _("Dates")


def _text(i: int) -> Renderer:
    starts = FORMULA_STARTS
    return lambda v, c: ("'" + x) if (x := v[i]) and x[0] in starts else x


def text(key, label, group, path=None) -> Column:
    """A text value as stored (neutralized inline)."""
    path = path or key
    return Column(key, label, group, values=(path,), neutral=True, bind=lambda ix: _text(ix(path)),
                  sql=lambda d: d.neutral(d.col(path)))


def _home_prefix() -> str:
    """"+62" for the shop's phone region (core.shop_locale; TOKODESK_PHONE_REGION by default)."""
    from tokodesk.core import shop_locale

    return f"+{phonenumbers.country_code_for_region(shop_locale.phone_region())}"


def phone(key, label, group, path=None) -> Column:
    """A phone number of the shop's country in national form with one dash after the
    operator prefix ("+6281234567890" → "0812-34567890"): what Indonesian couriers and
    sellers write, read by a spreadsheet as text (not a number that loses its 0, not a
    formula), so it needs no leading quote. Any other number (foreign, or not E.164)
    is text like any other and keeps the formula guard ("'+33612345678"). The SQL
    renderer writes the same bytes."""
    path = path or key

    def bind(ix):
        i, home = ix(path), _home_prefix()
        n = len(home)

        def render(v, c):
            x = v[i]
            if x and x.startswith(home) and len(x) > n + 3:
                return "0" + x[n:n + 3] + "-" + x[n + 3:]
            return ("'" + x) if x and x[0] in FORMULA_STARTS else x
        return render

    def sql(d):
        home, col = _home_prefix(), d.col(path)
        n = len(home)
        return (f"CASE WHEN substr({col}, 1, {n}) = '{home}' AND length({col}) > {n + 3} "
                f"THEN '0' || substr({col}, {n + 1}, 3) || '-' || substr({col}, {n + 4}) "
                f"ELSE {d.neutral(col)} END")
    return Column(key, label, group, values=(path,), neutral=True, bind=bind, sql=sql)


def choice(key, label, group, kind, path=None) -> Column:
    """A code shown by its label in the exporting user's language."""
    path = path or key

    def bind(ix):
        i = ix(path)
        return lambda v, c: c.labels[kind].get(v[i], v[i])
    return Column(key, label, group, values=(path,), neutral=True, bind=bind,
                  sql=lambda d: d.label(kind, d.col(path)))


def money(key, label, group, path=None) -> Column:
    path = path or key

    def bind(ix):
        i, cur = ix(path), ix("currency")
        return lambda v, c: c.money(v[i], v[cur])
    return Column(key, label, group, values=(path, "currency"), neutral=True, bind=bind,
                  sql=lambda d: d.money(d.col(path), d.col("currency")), sql_plain=True)


def timestamp(key, label, group, path=None) -> Column:
    path = path or key

    def bind(ix):
        i = ix(path)
        return lambda v, c: "" if (x := v[i]) is None else x.astimezone(c.tz).isoformat(" ", "seconds")[:19]
    return Column(key, label, group, values=(path,), neutral=True, bind=bind,
                  sql=lambda d: d.timestamp(d.col(path)), sql_plain=True)


def day(key, label, group, path=None) -> Column:
    path = path or key

    def bind(ix):
        i = ix(path)
        return lambda v, c: c.date(v[i])

    def sql(d):
        if isinstance(Order._meta.get_field(path), models.DateTimeField):
            return d.local_date(d.col(path))
        return d.date(d.col(path))
    return Column(key, label, group, values=(path,), neutral=True, bind=bind, sql=sql, sql_plain=True)


def looked_up(key, label, group, fk: str, lookup: str, position: int) -> Column:
    """A field of a small related table (courier name, warehouse code …) by the order's
    foreign key, from the export's lookup dict."""

    def bind(ix):
        i = ix(fk)
        starts = FORMULA_STARTS
        missing = [""] * 4

        def render(v, c):
            x = c.lookups[lookup].get(v[i], missing)[position]
            return ("'" + x) if x and x[0] in starts else x
        return render
    name = LOOKUP_FIELDS[lookup][1][position]
    return Column(key, label, group, values=(fk,), lookups=(lookup,), neutral=True, bind=bind,
                  sql=lambda d: d.neutral(d.col(f"{fk.removesuffix('_id')}__{name}")))


def computed(key, label, group, render, *, values=(), related=(), lookups=(), neutral=False, sql=None,
             sql_check=None, sql_plain=False) -> Column:
    """A value computed from several: `render(row, ctx, *positions)` with the positions of
    `values` then of `related` in the row, bound once."""

    def bind(ix):
        positions = [ix(p) for p in values] + [ix("_" + r) for r in related]
        return lambda v, c: render(v, c, *positions)
    return Column(key, label, group, values=tuple(values), related=tuple(related), lookups=tuple(lookups),
                  neutral=neutral, bind=bind, sql=sql, sql_check=sql_check, sql_plain=sql_plain)


def _person(v, c, agent):
    user = c.lookups["user"].get(v[agent])
    if user is None:
        return ""
    username, first, last = user
    return f"{first} {last}".strip() or username


def _items(v, c, lines):
    return "; ".join([f"{line[3]} × {line[2]}" for line in v[lines]])


def _skus(v, c, lines):
    return "; ".join([line[1] for line in v[lines]])


def _total_qty(v, c, lines):
    return sum([line[3] for line in v[lines]])


def _weight_grams(v, c, lines):
    return sum([line[3] * line[4] for line in v[lines]])


def _weight_kg(v, c, lines):
    return c.number((Decimal(_weight_grams(v, c, lines)) / 1000).quantize(Decimal("0.001")))


def _outstanding(v, c, total, paid, currency):
    return c.money(max(v[total] - v[paid], 0), v[currency])


def _cod_amount(v, c, total, paid, currency, method):
    """What the courier collects: the unpaid part of a COD order, 0 otherwise."""
    due = max(v[total] - v[paid], 0) if v[method] == PaymentMethod.COD else 0
    return c.money(due, v[currency])


def _payments(v, c, currency, payments):
    return "; ".join(
        f"{c.label('payment_kind', kind)} {c.money(amount, v[currency])} ({c.date(paid_on or recorded_at)})"
        for _order, kind, amount, paid_on, recorded_at in v[payments])


def _method_code(v, c, option, flow):
    """The code of the order's payment method, its flow's for an order without one."""
    return v[flow] if v[option] is None else c.lookups["payment_option"][v[option]][0]


def _method_label(v, c, option, flow):
    """The method's label as the order page shows it: the shop's method's in the export's
    language, else the flow's."""
    if v[option] is None:
        return c.labels["payment_method"].get(v[flow], v[flow])
    return c.lookups["payment_option"][v[option]][1]


def _last_payment(v, c, payments):
    if not v[payments]:
        return ""
    _order, _kind, _amount, paid_on, recorded_at = v[payments][-1]
    return c.date(paid_on or recorded_at)


MONEY = ("total", "paid_total", "currency")


# --- the computed columns in SQL (see sqlrender.py; `d` is its Dialect) ----------------


def _person_sql(d):
    first, last, username = (d.col(f"assigned_agent__{f}") for f in ("first_name", "last_name", "username"))
    return d.neutral(f"COALESCE(NULLIF(TRIM({first} || ' ' || {last}), ''), {username})")


def _person_check():
    """SQL's TRIM() strips spaces, Python's strip() any whitespace: render in Python when
    a name would tell them apart."""
    from django.contrib.auth import get_user_model

    from tokodesk.exports.sqlrender import Unsupported

    for first, last in get_user_model()._default_manager.values_list("first_name", "last_name"):
        name = f"{first} {last}"
        if name.strip() != name.strip(" "):
            raise Unsupported("agent")


def _tags_sql(d):
    through = Order.tags.through._meta
    tag = through.get_field("tag").related_model._meta
    source = (f'FROM "{through.db_table}" tt JOIN "{tag.db_table}" t ON t."{tag.pk.column}" = tt."tag_id" '
              f'WHERE tt."order_id" = o."id"')
    return d.related_list("ta", 't."name"', ", ", source, 't."name"')


def _grams_sql(d):
    return d.line_agg('CAST(SUM(CAST(l."qty" AS BIGINT) * l."weight_grams") AS BIGINT)', empty="0")


def _weight_kg_sql(d):
    return d.kg(_grams_sql(d))


def _outstanding_sql(d, cod=False):
    due = d.greatest0(f"{d.col('total')} - {d.col('paid_total')}")
    if cod:
        due = f"CASE WHEN {d.col('payment_method')} = '{PaymentMethod.COD.value}' THEN {due} ELSE 0 END"
    return d.money(due, d.col("currency"))


def _payment_date_sql(d):
    return f'COALESCE({d.date("p.paid_on")}, {d.local_date("p.recorded_at")})'


def _payments_sql(d):
    one = (f"{d.label('payment_kind', 'p.kind')} || ' ' || {d.money('p.amount', d.col('currency'))} "
           f"|| ' (' || {_payment_date_sql(d)} || ')'")
    return d.related_list("pa", one, "; ", d.payments_source(), "p.recorded_at, p.id")


def _method_code_sql(d):
    return d.neutral(f"COALESCE({d.col('payment_option__code')}, {d.col('payment_method')})")


def _method_label_sql(d):
    """The labels as constants, read once per export in its language (no join, no JSON)."""
    flow = d.col("payment_method")
    labels = {pk: neutralize(label) for pk, (_code, label) in _load_methods().items()}
    return d.cases(d.col("payment_option_id"), labels, d.cases(flow, d.labels["payment_method"], d.neutral(flow)))


def _last_payment_sql(d):
    return d.related_last("pa", _payment_date_sql(d), d.payments_source(), "p.recorded_at, p.id")

COLUMNS: list[Column] = [
    # order
    text("reference", _("Order ID"), G_ORDER),
    choice("status", _("Status"), G_ORDER, "status"),
    choice("channel", _("Channel"), G_ORDER, "channel"),
    text("external_reference", _("External reference"), G_ORDER),
    text("invoice_number", _("Invoice number"), G_ORDER),
    day("invoice_due_date", _("Invoice due date"), G_ORDER),
    looked_up("landing_page", pgettext_lazy("landing page", "Page"), G_ORDER, "landing_page_id", "landing_page", 1),
    computed("agent", _("Agent"), G_ORDER, _person, values=("assigned_agent_id",), lookups=("user",),
             sql=_person_sql, sql_check=_person_check),
    looked_up("agent_username", _("Agent username"), G_ORDER, "assigned_agent_id", "user", 0),
    looked_up("created_by", _("Created by"), G_ORDER, "created_by_id", "user", 0),
    computed("tags", _("Tags"), G_ORDER, lambda v, c, tags: ", ".join([t[1] for t in v[tags]]), related=("tags",),
             sql=_tags_sql),
    text("customer_note", _("Customer note"), G_ORDER),
    text("cancellation_reason", _("Cancellation reason"), G_ORDER),
    text("problem_reason", _("Delivery problem"), G_ORDER),
    # recipient (as on the order)
    text("recipient_name", _("Recipient"), G_RECIPIENT),
    phone("recipient_phone", _("Phone"), G_RECIPIENT),
    text("recipient_email", _("E-mail"), G_RECIPIENT),
    text("destination_address", _("Address"), G_RECIPIENT),
    text("destination_city", _("City"), G_RECIPIENT),
    text("destination_postcode", _("Postal code"), G_RECIPIENT),
    # customer (as now)
    text("customer_name", _("Customer name"), G_CUSTOMER, "customer__name"),
    phone("customer_phone", _("Customer phone"), G_CUSTOMER, "customer__phone"),
    text("customer_email", _("Customer e-mail"), G_CUSTOMER, "customer__email"),
    text("customer_address", _("Customer address"), G_CUSTOMER, "customer__address"),
    text("customer_postcode", _("Customer postal code"), G_CUSTOMER, "customer__postcode"),
    # items
    # "qty × name" starts with a digit: never neutralized, so not in SQL either.
    computed("items", _("Items"), G_ITEMS, _items, related=("lines",),
             sql=lambda d: d.line_concat(f"{d.text('l.qty')} || ' × ' || l.name")),
    computed("skus", _("SKUs"), G_ITEMS, _skus, related=("lines",),
             sql=lambda d: d.neutral(d.line_concat("l.sku"))),
    computed("total_qty", _("Total quantity"), G_ITEMS, _total_qty, related=("lines",), neutral=True,
             sql=lambda d: d.line_agg("SUM(l.qty)", empty="0"), sql_plain=True),
    computed("line_count", _("Number of lines"), G_ITEMS, lambda v, c, lines: len(v[lines]), related=("lines",),
             neutral=True, sql=lambda d: d.line_agg("COUNT(l.id)", empty="0"), sql_plain=True),
    computed("weight_grams", _("Weight (g)"), G_ITEMS, _weight_grams, related=("lines",), neutral=True,
             sql=_grams_sql, sql_plain=True),
    computed("weight_kg", _("Weight (kg)"), G_ITEMS, _weight_kg, related=("lines",), neutral=True,
             sql=_weight_kg_sql, sql_plain=True),
    # shipping
    looked_up("warehouse", _("Warehouse"), G_SHIPPING, "warehouse_id", "warehouse", 1),
    looked_up("warehouse_code", _("Warehouse code"), G_SHIPPING, "warehouse_id", "warehouse", 0),
    looked_up("courier", _("Courier"), G_SHIPPING, "courier_id", "courier", 1),
    looked_up("courier_code", _("Courier code"), G_SHIPPING, "courier_id", "courier", 0),
    text("courier_service", _("Service"), G_SHIPPING),
    text("awb", _("AWB"), G_SHIPPING),
    timestamp("ship_by", _("Ship by"), G_SHIPPING),
    # payment and amounts
    choice("payment_method", _("Payment method"), G_PAYMENT, "payment_method"),
    computed("payment_method_code", _("Payment method code"), G_PAYMENT, _method_code,
             values=("payment_option_id", "payment_method"), lookups=("payment_option",), sql=_method_code_sql),
    computed("payment_method_label", _("Payment method name"), G_PAYMENT, _method_label,
             values=("payment_option_id", "payment_method"), lookups=("payment_option",), sql=_method_label_sql),
    text("currency", _("Currency"), G_PAYMENT),
    money("subtotal", _("Subtotal"), G_PAYMENT),
    money("shipping_cost", _("Shipping cost"), G_PAYMENT),
    money("insurance_cost", _("Insurance"), G_PAYMENT),
    money("discount", _("Discount"), G_PAYMENT),
    money("total", _("Total"), G_PAYMENT),
    money("paid_total", pgettext_lazy("amount", "Paid"), G_PAYMENT),
    computed("outstanding", _("Outstanding"), G_PAYMENT, _outstanding, values=MONEY, neutral=True,
             sql=_outstanding_sql, sql_plain=True),
    computed("cod_amount", _("COD amount"), G_PAYMENT, _cod_amount, values=(*MONEY, "payment_method"),
             neutral=True, sql=lambda d: _outstanding_sql(d, cod=True), sql_plain=True),
    computed("payments", _("Payments"), G_PAYMENT, _payments, values=("currency",), related=("payments",),
             sql=_payments_sql),
    computed("last_payment_date", _("Last payment date"), G_PAYMENT, _last_payment, related=("payments",),
             neutral=True, sql=_last_payment_sql, sql_plain=True),
    text("payment_link", _("Payment link"), G_PAYMENT),
    # dates (local time)
    timestamp("created_at", _("Created"), G_DATES),
    day("order_date", _("Order date"), G_DATES, "created_at"),
    timestamp("updated_at", _("Updated"), G_DATES),
    timestamp("confirmed_at", pgettext_lazy("date", "Confirmed"), G_DATES),
    timestamp("shipped_at", _("Shipped"), G_DATES),
    timestamp("delivered_at", _("Delivered"), G_DATES),
    timestamp("completed_at", pgettext_lazy("date", "Completed"), G_DATES),
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
