"""Orders from landing pages: the variants a buyer may choose, and the one function that
turns a submitted form into an order.

`landing_order_submit` runs under the lock of the landing page's row, so the submits of
one page queue one behind the other. Inside that lock it answers a resubmitted form (same
one-time token) with the order it already made, counts the sender's recent orders (the
per-IP rate limit), checks stock, and hands the order to the next agent of the page
(round robin). On PostgreSQL the lock is `SELECT … FOR UPDATE`; on SQLite the IMMEDIATE
transactions serialize writers the same way."""

from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass

from django.conf import settings
from django.core import signing
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tokodesk.catalog.models import Stock, Variant, Warehouse
from tokodesk.core.errors import DomainError, NotFound, ValidationFailed
from tokodesk.core.http import client_ip  # noqa: F401 - used by the views as services.client_ip
from tokodesk.core.models import settings_read_once
from tokodesk.orders.models import Order
from tokodesk.orders.payment_options import method_choices
from tokodesk.orders.services import (
    CustomerInput,
    LineInput,
    OrderInput,
    PreparedOrder,
    order_create,
    order_prepare,
)
from tokodesk.orders.states import Channel, PaymentMethod
from tokodesk.storefront import options_sql
from tokodesk.storefront.models import LandingPage, LandingSubmission

# The flows of the shop's payment methods a buyer can choose on a landing page (SPEC 2.4;
# a gateway's card or PayPal since issue 17, orders.payment_options).
LANDING_PAYMENT_METHODS = [PaymentMethod.COD, PaymentMethod.BANK_TRANSFER, PaymentMethod.PAYMENT_GATEWAY]

FORM_SALT = "tokodesk.landing-form"
THANKS_SALT = "tokodesk.landing-thanks"


class RateLimited(DomainError):
    status = 429


def rate_limit() -> tuple[int, dt.timedelta]:
    """Orders one IP may send to one page, and the window they are counted over."""
    count = int(getattr(settings, "TOKODESK_LANDING_RATE_LIMIT", 5))
    seconds = int(getattr(settings, "TOKODESK_LANDING_RATE_WINDOW", 600))
    return count, dt.timedelta(seconds=seconds)


# --- tokens --------------------------------------------------------------------------


def _form_signer(page: LandingPage):
    return signing.Signer(salt=f"{FORM_SALT}:{page.pk}", sep=".")


def new_form_token(page: LandingPage) -> str:
    """A one-time token for one rendering of the order form (signed: only this page's)."""
    return _form_signer(page).sign(secrets.token_urlsafe(18))


def form_token_valid(page: LandingPage, token: str) -> bool:
    if not token or len(token) > 100:
        return False
    try:
        _form_signer(page).unsign(token)
    except signing.BadSignature:
        return False
    return True


def _thanks_signer():
    return signing.Signer(salt=THANKS_SALT, sep=".")


def thanks_token(order: Order) -> str:
    return _thanks_signer().sign(str(order.pk))


def _thanks_pk(token: str) -> int | None:
    """The order id a thank-you token signs; None for a wrong or forged token."""
    if not token or len(token) > 200:
        return None
    try:
        pk = _thanks_signer().unsign(token)
    except signing.BadSignature:
        return None
    return int(pk) if pk.isdigit() else None


# The order's columns the thank-you page prints (thanks_values).
THANKS_FIELDS = ("reference", "currency", "recipient_name", "recipient_phone", "subtotal", "shipping_cost",
                 "discount", "total", "transfer_code", "payment_method", "destination_address", "destination_city",
                 "destination_postcode", "customer_note")


_THANKS_SQL: dict[str, tuple[str, str]] = {}


def _thanks_sql() -> tuple[str, str]:
    """The thank-you page's two statements (the order with its page's and method's columns;
    its lines), written once per database vendor: the ORM compiled the same two reads anew
    for every buyer (~1.5 ms of CPU, a third of the page)."""
    sql = _THANKS_SQL.get(connection.vendor)
    if sql is None:
        from tokodesk.orders.models import OrderLine
        from tokodesk.payments.models import PaymentMethod

        q = connection.ops.quote_name
        order_t, line_t = q(Order._meta.db_table), q(OrderLine._meta.db_table)
        page_t, method_t = q(LandingPage._meta.db_table), q(PaymentMethod._meta.db_table)
        columns = ", ".join(f"o.{q(Order._meta.get_field(name).column)}" for name in THANKS_FIELDS)
        sql = _THANKS_SQL[connection.vendor] = (
            f"SELECT o.{q('id')}, {columns}, p.{q('slug')}, p.{q('payment_instructions')}, "
            f"o.{q('payment_option_id')}, m.{q('label')}, m.{q('labels')}, m.{q('instructions')} "
            f"FROM {order_t} o INNER JOIN {page_t} p ON p.{q('id')} = o.{q('landing_page_id')} "
            f"LEFT OUTER JOIN {method_t} m ON m.{q('id')} = o.{q('payment_option_id')} "
            f"WHERE o.{q('id')} = %s",
            f"SELECT {q('name')}, {q('qty')}, {q('unit_price')} FROM {line_t} "
            f"WHERE {q('order_id')} = %s ORDER BY {q('id')}",
        )
    return sql


def thanks_values(token: str) -> dict | None:
    """What the thank-you page prints of the order `token` names, as plain values (issue 16:
    every buyer of a flash sale opens it): the order with its page's slug and instructions and
    its payment method's label and instructions in one query, its lines in another (SQL
    written once: _thanks_sql). None for a wrong token or an order that came from no landing
    page."""
    from tokodesk.core.labels import localized
    from tokodesk.orders.payment_options import label_of
    from tokodesk.payments.models import PaymentMethod

    pk = _thanks_pk(token)
    if pk is None:
        return None
    order_sql, lines_sql = _thanks_sql()
    with connection.cursor() as cursor:
        cursor.execute(order_sql, [pk])
        found = cursor.fetchone()
        if found is None:
            return None
        cursor.execute(lines_sql, [pk])
        lines = cursor.fetchall()
    n = len(THANKS_FIELDS)
    row = {"pk": found[0], **dict(zip(THANKS_FIELDS, found[1:n + 1], strict=True))}
    slug, page_instructions, option_id, label, labels, instructions = found[n + 1:]
    fields = PaymentMethod._meta
    labels = fields.get_field("labels").from_db_value(labels, None, connection)
    instructions = fields.get_field("instructions").from_db_value(instructions, None, connection)
    row.update(page_slug=slug, page_instructions=page_instructions, option_id=option_id, option_label=label,
               option_labels=labels, option_instructions=instructions)
    row["payment_method_label"] = label_of(row["payment_method"], label, labels)
    # The method's own instructions (issue 17) in the reader's language, else the page's.
    row["instructions"] = (localized(instructions) if option_id else "") or (page_instructions or "").strip()
    row["lines"] = [{"name": name, "qty": qty, "unit_price": price, "line_total": qty * price}
                    for name, qty, price in lines]
    return row


# --- what the page offers ------------------------------------------------------------


@dataclass
class VariantOption:
    variant: Variant
    available: int
    # The warehouse the variant ships from (its stock row's), None without a stock row.
    warehouse: Warehouse | None = None

    @property
    def sku(self) -> str:
        return self.variant.sku

    @property
    def label(self) -> str:
        return self.variant.name or self.variant.product.name

    @property
    def price(self) -> int:
        return self.variant.price

    @property
    def in_stock(self) -> bool:
        return self.available > 0


def _stock_by_variant(page: LandingPage, variant_ids) -> dict[int, Stock]:
    """Each variant's stock row in the page's warehouse; a page without a warehouse ships
    each variant from the active warehouse that has the most of it (the first read of
    equals). The rows of catalog.selectors.stock_rows, in SQL written once (options_sql)."""
    rows = options_sql.stock(list(variant_ids), page.warehouse_id or None)
    best: dict[int, Stock] = {}
    for row in rows:
        if row.variant_id not in best or row.available > best[row.variant_id].available:
            best[row.variant_id] = row
    return best


def variant_options(page: LandingPage) -> list[VariantOption]:
    """The page's active variants (by price, then SKU) with what each has available and the
    warehouse it ships from; read by every page render and every submit (issue 16: the
    two reads' SQL is written once, options_sql)."""
    variants = options_sql.variants(page.product_id)
    stock = _stock_by_variant(page, [v.pk for v in variants])
    return [
        VariantOption(v, max(stock[v.pk].available, 0), stock[v.pk].warehouse) if v.pk in stock
        else VariantOption(v, 0)
        for v in variants
    ]


def payment_choices(page: LandingPage) -> list[tuple[str, str]]:
    """The page's methods offered in its form: the method rows read at each call, their
    SQL written once (options_sql.payment_methods, issue 16)."""
    methods = options_sql.payment_methods()
    return method_choices(page.payment_methods or [], flows=LANDING_PAYMENT_METHODS, methods=methods)


def public_page(slug: str) -> LandingPage:
    page = options_sql.public_page(slug)  # select_related product and warehouse, SQL written once
    if page is None:
        raise NotFound("not_found", _("This page does not exist."))
    return page


# --- the order -----------------------------------------------------------------------


@dataclass
class LandingOrderInput:
    name: str
    phone: str
    address: str
    sku: str
    qty: int
    payment_method: str
    city: str = ""
    postcode: str = ""
    note: str = ""
    # The destination district's id (shipping.District): the order's shipping is priced from it.
    destination: int | None = None
    # The language the buyer read the page in: the order keeps it (orders.languages).
    language: str = ""


@dataclass
class Submitted:
    order: Order
    created: bool  # False: this form was already sent; `order` is the first one


def _agent_ids(page: LandingPage) -> list[int]:
    """The page's active agents in the fixed order of the round robin (by id); read before
    the page's lock: the turn itself (last_agent_index) is read and moved under it. Read at
    each submit, its SQL written once (options_sql.agent_ids, issue 16)."""
    return options_sql.agent_ids(page.pk)


def previous_thanks(page_id: int, form_token: str) -> tuple[int | None, int] | None:
    """(its order's landing page id, the order's id) when this form was already sent, for
    its thank-you page; None when it was not: one plain statement (issue 16: every submit
    asks; the ORM's select_related read of the submission and its order cost ~1.2 ms of CPU)."""
    sql = _PREVIOUS_SQL.get(connection.vendor)
    if sql is None:
        q = connection.ops.quote_name
        sub_t, order_t = q(LandingSubmission._meta.db_table), q(Order._meta.db_table)
        sql = _PREVIOUS_SQL[connection.vendor] = (
            f"SELECT o.{q('landing_page_id')}, s.{q('order_id')} FROM {sub_t} s "
            f"INNER JOIN {order_t} o ON o.{q('id')} = s.{q('order_id')} "
            f"WHERE s.{q('landing_page_id')} = %s AND s.{q('form_token')} = %s"
        )
    with connection.cursor() as cursor:
        cursor.execute(sql, [page_id, form_token])
        row = cursor.fetchone()
    return None if row is None else (row[0], row[1])


_PREVIOUS_SQL: dict[str, str] = {}


def _previous(page_id: int, form_token: str) -> Order | None:
    row = LandingSubmission.objects.filter(landing_page_id=page_id, form_token=form_token).select_related("order").first()
    return row.order if row else None


def landing_order_submit(*, page_id: int, form_token: str, ip: str, data: LandingOrderInput,
                         page: LandingPage | None = None, options: list[VariantOption] | None = None,
                         choices: list[tuple[str, str]] | None = None) -> Submitted:
    """One order from a landing page's form, or the order this form already made.

    What does not need the page's lock is read and checked first (the variant and its stock,
    the shipping quote, the customer's phone, the page's agents; order_prepare): under the
    lock (on SQLite the one writer of the whole database) only the resubmit check, the rate
    limit, the round robin's turn and the writes remain. The refusals keep their order: a
    form already sent gets its order, then the rate limit, then the form's errors.

    `page`, `options` and `choices` are what the caller has just read for this request (the
    page as `public_page` gives it, the form's `variant_options` and `payment_choices`):
    given, they are not read again."""
    with settings_read_once():
        ready = _prepare(page_id, data, page, options, choices)
        try:
            return _submit(page_id=page_id, form_token=form_token, ip=ip, data=data, ready=ready)
        except IntegrityError:
            # Only possible if two submits of one form passed the lock at once; the first won.
            order = _previous(page_id, form_token)
            if order is None:
                raise
            return Submitted(order, False)


@dataclass
class _Ready:
    """A submit checked and prepared outside the lock, for the page as it was then."""

    page: LandingPage
    agent_ids: list[int]
    error: DomainError | None = None
    prepared: PreparedOrder | None = None

    def still_for(self, product_id, warehouse_id, payment_methods) -> bool:
        return (product_id, warehouse_id, list(payment_methods or [])) == (
            self.page.product_id, self.page.warehouse_id, list(self.page.payment_methods or []))


def _prepare(page_id: int, data: LandingOrderInput, page: LandingPage | None = None,
             options: list[VariantOption] | None = None, choices=None) -> _Ready | None:
    if page is None:
        page = LandingPage.objects.filter(pk=page_id).first()
        if page is None:
            return None
    ready = _Ready(page, _agent_ids(page))
    try:
        variant, warehouse = _checked_choice(page, data, options, choices)
        ready.prepared = order_prepare(
            data=OrderInput(
                customer=CustomerInput(name=data.name, phone=data.phone, address=data.address, city=data.city,
                                       postcode=data.postcode),
                lines=[LineInput(sku=variant.sku, qty=data.qty)],
                payment_method=data.payment_method,
                warehouse=warehouse.code if warehouse else None,
                channel=Channel.LANDING_PAGE,
                note=data.note,
                language=data.language,
                destination=data.destination,
                shipping_cost=None if data.destination else 0,
            ),
            actor=None,
            # Read just now with its stock row's (active) warehouse: not read again.
            variants={variant.sku: variant}, warehouse=warehouse,
        )
    except DomainError as exc:
        ready.error = exc  # raised under the lock, after the resubmit and rate checks
    return ready


def _checked_choice(page: LandingPage, data: LandingOrderInput, options: list[VariantOption] | None = None,
                    choices: list[tuple[str, str]] | None = None):
    """The variant chosen and the warehouse it ships from; ValidationFailed if the payment
    method, the variant or the quantity cannot be ordered. `options`: the page's
    variant_options read in this request (else they are read here, for the one variant)."""
    errors = {}
    if data.payment_method not in {m for m, _label in (payment_choices(page) if choices is None else choices)}:
        errors["payment_method"] = _("Choose one of the payment methods shown.")
    if options is not None:
        option = next((o for o in options if o.sku == data.sku), None)
    else:
        variant = (Variant.objects.filter(product_id=page.product_id, sku=data.sku, active=True)
                   .select_related("product").first())
        option = None
        if variant is not None:
            stock = _stock_by_variant(page, [variant.pk]).get(variant.pk)
            option = (VariantOption(variant, max(stock.available, 0), stock.warehouse) if stock
                      else VariantOption(variant, 0))
    variant = option.variant if option else None
    warehouse: Warehouse | None = None
    if option is None:
        errors["variant"] = _("Choose a variant.")
    else:
        available = option.available
        warehouse = option.warehouse or page.warehouse
        if available <= 0:
            errors["variant"] = _("%(variant)s is out of stock.") % {
                "variant": variant.name or variant.product.name}
        elif data.qty > available:
            errors["qty"] = _("Only %(count)s left in stock.") % {"count": available}
    if data.qty < 1:
        errors["qty"] = _("The quantity must be at least 1.")
    if errors:
        raise ValidationFailed("invalid_input", _("The order is not valid."), fields=errors)
    return variant, warehouse


def _locked_state(page_id: int, form_token: str, ip: str, since) -> tuple | None:
    """The page's row, locked (FOR UPDATE on PostgreSQL; on SQLite the IMMEDIATE transaction
    already holds the database's write lock), with the order this form already made and the
    sender's submits since `since`: one statement, the first of the page's write lock.
    Returns (active, product_id, warehouse_id, payment_methods, last_agent_index,
    previous order id or None, recent submits) or None without the page."""
    q = connection.ops.quote_name
    page_table, sub_table = q(LandingPage._meta.db_table), q(LandingSubmission._meta.db_table)
    sql = (
        f"SELECT p.{q('active')}, p.{q('product_id')}, p.{q('warehouse_id')}, p.{q('payment_methods')}, "
        f"p.{q('last_agent_index')}, "
        f"(SELECT s.{q('order_id')} FROM {sub_table} s WHERE s.{q('landing_page_id')} = p.{q('id')} "
        f"AND s.{q('form_token')} = %s), "
        f"(SELECT COUNT(*) FROM {sub_table} s WHERE s.{q('landing_page_id')} = p.{q('id')} "
        f"AND s.{q('ip')} = %s AND s.{q('created_at')} >= %s) "
        f"FROM {page_table} p WHERE p.{q('id')} = %s"
    )
    if connection.features.has_select_for_update_of:
        sql += " FOR UPDATE OF p"
    with connection.cursor() as cursor:
        cursor.execute(sql, [form_token, ip, connection.ops.adapt_datetimefield_value(since), page_id])
        row = cursor.fetchone()
    if row is None:
        return None
    methods = LandingPage._meta.get_field("payment_methods").from_db_value(row[3], None, connection)
    return (bool(row[0]), row[1], row[2], methods, row[4], row[5], row[6])


@transaction.atomic
def _submit(*, page_id: int, form_token: str, ip: str, data: LandingOrderInput, ready: _Ready | None) -> Submitted:
    limit, window = rate_limit()
    state = _locked_state(page_id, form_token, ip, timezone.now() - window)
    if state is None:
        raise NotFound("not_found", _("This page does not exist."))
    active, product_id, warehouse_id, methods, last_agent_index, previous_id, recent = state
    if previous_id is not None:
        return Submitted(Order.objects.select_related("landing_page").get(pk=previous_id), False)
    if not active:
        raise NotFound("not_found", _("This page does not exist."))

    if recent >= limit:
        minutes = max(int(window.total_seconds() // 60), 1)
        raise RateLimited(
            "rate_limited",
            _("Too many orders were sent from your connection in the last %(minutes)s minutes. "
              "Please wait a little and try again, or contact us on WhatsApp.") % {"minutes": minutes},
        )

    if ready is None or not ready.still_for(product_id, warehouse_id, methods):
        # The page changed meanwhile: check again, against the page as it is now.
        ready = _prepare(page_id, data, LandingPage.objects.get(pk=page_id))
    if ready.error is not None:
        raise ready.error
    prepared = ready.prepared
    # Round robin: the next of the page's active agents (by id) after the one who got the last order.
    if ready.agent_ids:
        index = (last_agent_index + 1) % len(ready.agent_ids)
        LandingPage.objects.filter(pk=page_id).update(last_agent_index=index)
        prepared.agent, prepared.agent_id = None, ready.agent_ids[index]
    prepared.landing_page = ready.page
    # One transaction, this one: no savepoint of its own (nothing here is caught and retried).
    order = order_create(data=prepared.data, actor=None, source="customer", prepared=prepared, savepoint=False)
    LandingSubmission.objects.create(landing_page_id=page_id, form_token=form_token, ip=ip, order=order)
    return Submitted(order, True)
