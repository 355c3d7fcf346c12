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
from django.db import IntegrityError, transaction
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


def order_from_thanks_token(token: str) -> Order | None:
    if not token or len(token) > 200:
        return None
    try:
        pk = _thanks_signer().unsign(token)
    except signing.BadSignature:
        return None
    if not pk.isdigit():
        return None
    return (Order.objects.select_related("landing_page", "warehouse")
            .prefetch_related("lines").filter(pk=int(pk)).first())


# --- what the page offers ------------------------------------------------------------


@dataclass
class VariantOption:
    variant: Variant
    available: int

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
    each variant from the active warehouse that has the most of it."""
    from tokodesk.catalog.selectors import stock_rows

    rows = stock_rows(variant_ids=variant_ids, warehouse_id=page.warehouse_id or None, active_warehouses=True)
    best: dict[int, Stock] = {}
    for row in rows:
        if row.variant_id not in best or row.available > best[row.variant_id].available:
            best[row.variant_id] = row
    return best


def variant_options(page: LandingPage) -> list[VariantOption]:
    variants = list(Variant.objects.filter(product_id=page.product_id, active=True)
                    .select_related("product").order_by("price", "sku"))
    stock = _stock_by_variant(page, [v.pk for v in variants])
    return [VariantOption(v, max(stock[v.pk].available, 0) if v.pk in stock else 0) for v in variants]


def payment_choices(page: LandingPage) -> list[tuple[str, str]]:
    return method_choices(page.payment_methods or [], flows=LANDING_PAYMENT_METHODS)


def public_page(slug: str) -> LandingPage:
    page = (LandingPage.objects.select_related("product", "warehouse")
            .filter(slug=slug, active=True, product__active=True).first())
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
    note: str = ""
    # The destination district's id (shipping.District): the order's shipping is priced from it.
    destination: int | None = None
    # The language the buyer read the page in: the order keeps it (orders.languages).
    language: str = ""


@dataclass
class Submitted:
    order: Order
    created: bool  # False: this form was already sent; `order` is the first one


def _next_agent(page: LandingPage):
    """The page's next active agent, in a fixed order (by id), after the one who got the
    last order. The caller holds the page's row lock."""
    agents = list(page.agents.filter(is_active=True).order_by("pk"))
    if not agents:
        return None
    index = (page.last_agent_index + 1) % len(agents)
    page.last_agent_index = index
    page.save(update_fields=["last_agent_index"])
    return agents[index]


def _previous(page_id: int, form_token: str) -> Order | None:
    row = LandingSubmission.objects.filter(landing_page_id=page_id, form_token=form_token).select_related("order").first()
    return row.order if row else None


def landing_order_submit(*, page_id: int, form_token: str, ip: str, data: LandingOrderInput) -> Submitted:
    """One order from a landing page's form, or the order this form already made.

    What does not need the page's lock is read and checked first (the variant and its stock,
    the shipping quote, the customer's phone; order_prepare): under the lock (on SQLite the
    one writer of the whole database) only the resubmit check, the rate limit, the round
    robin and the writes remain. The refusals keep their order: a form already sent gets its
    order, then the rate limit, then the form's errors."""
    with settings_read_once():
        ready = _prepare(page_id, data)
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

    product_id: int
    warehouse_id: int | None
    payment_methods: list
    error: DomainError | None = None
    prepared: PreparedOrder | None = None

    def still_for(self, page: LandingPage) -> bool:
        return (page.product_id, page.warehouse_id, list(page.payment_methods or [])) == (
            self.product_id, self.warehouse_id, self.payment_methods)


def _prepare(page_id: int, data: LandingOrderInput, page: LandingPage | None = None) -> _Ready | None:
    if page is None:
        page = LandingPage.objects.filter(pk=page_id).first()
        if page is None:
            return None
    ready = _Ready(page.product_id, page.warehouse_id, list(page.payment_methods or []))
    try:
        variant, warehouse = _checked_choice(page, data)
        ready.prepared = order_prepare(
            data=OrderInput(
                customer=CustomerInput(name=data.name, phone=data.phone, address=data.address, city=data.city),
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
        )
    except DomainError as exc:
        ready.error = exc  # raised under the lock, after the resubmit and rate checks
    return ready


def _checked_choice(page: LandingPage, data: LandingOrderInput):
    """The variant chosen and the warehouse it ships from; ValidationFailed if the payment
    method, the variant or the quantity cannot be ordered."""
    errors = {}
    if data.payment_method not in {m for m, _label in payment_choices(page)}:
        errors["payment_method"] = _("Choose one of the payment methods shown.")
    variant = (Variant.objects.filter(product_id=page.product_id, sku=data.sku, active=True)
               .select_related("product").first())
    warehouse: Warehouse | None = None
    if variant is None:
        errors["variant"] = _("Choose a variant.")
    else:
        stock = _stock_by_variant(page, [variant.pk]).get(variant.pk)
        available = max(stock.available, 0) if stock else 0
        warehouse = stock.warehouse if stock else page.warehouse
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


@transaction.atomic
def _submit(*, page_id: int, form_token: str, ip: str, data: LandingOrderInput, ready: _Ready | None) -> Submitted:
    page = LandingPage.objects.select_for_update().filter(pk=page_id).first()
    if page is None:
        raise NotFound("not_found", _("This page does not exist."))
    previous = _previous(page.pk, form_token)
    if previous is not None:
        return Submitted(previous, False)
    if not page.active:
        raise NotFound("not_found", _("This page does not exist."))

    limit, window = rate_limit()
    recent = LandingSubmission.objects.filter(landing_page=page, ip=ip,
                                              created_at__gte=timezone.now() - window).count()
    if recent >= limit:
        minutes = max(int(window.total_seconds() // 60), 1)
        raise RateLimited(
            "rate_limited",
            _("Too many orders were sent from your connection in the last %(minutes)s minutes. "
              "Please wait a little and try again, or contact us on WhatsApp.") % {"minutes": minutes},
        )

    if ready is None or not ready.still_for(page):  # the page changed meanwhile: check again
        ready = _prepare(page.pk, data, page)
    if ready.error is not None:
        raise ready.error
    prepared = ready.prepared
    prepared.agent = _next_agent(page)
    prepared.landing_page = page
    order = order_create(data=prepared.data, actor=None, source="customer", prepared=prepared)
    LandingSubmission.objects.create(landing_page=page, form_token=form_token, ip=ip, order=order)
    return Submitted(order, True)
