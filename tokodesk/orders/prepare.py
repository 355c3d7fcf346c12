"""What an order is made of, and order_create's reads and checks before it writes
(order_prepare): the inputs (LineInput, CustomerInput, OrderInput), the lookups of
variants, warehouse, courier, district and agent, and the checks of every field. Nothing
here writes: the storefront prepares a landing page's order before it takes the page's
lock, and services.order_create writes what this returns."""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _

from tokodesk.catalog.models import Stock, Variant, Warehouse
from tokodesk.core.compiled_sql import CompiledSelect
from tokodesk.core.documents import require
from tokodesk.core.errors import (
    PermissionDenied,
    ValidationFailed,
)
from tokodesk.core.models import ShopSettings, settings_seen
from tokodesk.core.stamps import ProcessCache
from tokodesk.customers.phones import normalize_phone
from tokodesk.customers.postcodes import checked_postcode
from tokodesk.orders.lookups import cached
from tokodesk.orders.models import Order
from tokodesk.orders.order_settings import OrderSettings
from tokodesk.orders.payment_options import order_payment
from tokodesk.orders.states import (
    Channel,
)
from tokodesk.shipping.models import Courier


@dataclass
class LineInput:
    sku: str
    qty: int
    unit_price: int | None = None


@dataclass
class CustomerInput:
    name: str
    phone: str
    address: str
    email: str = ""
    city: str = ""
    postcode: str = ""


@dataclass
class OrderInput:
    customer: CustomerInput
    lines: list[LineInput]
    # The flow (cod, bank_transfer, payment_gateway, invoice) or, with payment_method_code
    # (the shop's method, "paypal"), "" to take that method's flow.
    payment_method: str = ""
    warehouse: str | None = None
    courier: str | None = None
    courier_service: str = ""
    # None: priced from the rate tables when the order has a destination district (else 0).
    shipping_cost: int | None = 0
    insurance_cost: int = 0
    discount: int = 0
    channel: str = Channel.MANUAL
    # The destination district's id (shipping.District, GET /api/v1/regions).
    destination: int | None = None
    landing_page: str | None = None
    agent: str | None = None
    tags: list[str] = field(default_factory=list)
    note: str = ""
    external_reference: str = ""
    # Paid at once with the customer's store credit (minor units; orders.store_credit).
    store_credit: int = 0
    # The shop's payment method ("paypal", payments.PaymentMethod; issue 17): sets the flow.
    payment_method_code: str = ""
    # The buyer's language (orders.languages); "" for the shop's language for customers.
    language: str = ""


# Variants with their product (as select_related("product")) and the stock rows of a
# warehouse, by SQL written once per process and count of values (core.compiled_sql): the
# ORM compiled each anew, ~0.5 ms of CPU per order (issue 16).
_VARIANTS = CompiledSelect(Variant, related="product")
_STOCKED = CompiledSelect(Stock)


def _resolve_lines(lines: list[LineInput], user, known: dict | None = None) -> list[tuple[Variant, int, int]]:
    """`known`: variants (with their product) by SKU the caller has just read; the others are read."""
    if not lines:
        raise ValidationFailed("invalid_input", _("An order needs at least one product."),
                               fields={"lines": _("Add at least one product.")})
    skus = {line.sku for line in lines}
    variants = dict(known or {})
    if not skus <= set(variants):
        variants.update({v.sku: v for v in _VARIANTS.fetch(sku=skus)})
    errors = {}
    resolved = []
    for i, line in enumerate(lines):
        variant = variants.get(line.sku)
        if variant is None or not variant.active or not variant.product.active:
            errors[f"lines.{i}.sku"] = _("Unknown product “%(sku)s”.") % {"sku": line.sku[:64]}
            continue
        if line.qty <= 0:
            errors[f"lines.{i}.qty"] = _("The quantity must be at least 1.")
            continue
        price = variant.price if line.unit_price is None else line.unit_price
        if price < 0:
            errors[f"lines.{i}.unit_price"] = _("The price cannot be negative.")
            continue
        resolved.append((variant, line.qty, price))
    if errors:
        raise ValidationFailed("invalid_input", _("Some products are not valid."), fields=errors)
    return resolved


def _resolve_warehouse(code: str | None, variants: list[Variant]) -> Warehouse:
    """The given warehouse, which must stock every product; or the first that does."""
    variant_ids = {v.pk for v in variants}
    if code:
        warehouse = cached(("warehouse", code), lambda: Warehouse.objects.filter(code=code, active=True).first())
        if warehouse is None:
            raise ValidationFailed("invalid_input", _("Unknown warehouse “%(code)s”.") % {"code": code[:30]},
                                   fields={"warehouse": _("Unknown warehouse.")})
        linked = {variant_id for (variant_id,) in _STOCKED.fetch(warehouse=warehouse.pk, variant=variant_ids,
                                                                   only=("variant",))}
        missing = [v.sku for v in variants if v.pk not in linked]
        if missing:
            raise ValidationFailed(
                "not_stocked", _("%(warehouse)s does not stock: %(skus)s.") % {
                    "warehouse": warehouse.name, "skus": ", ".join(sorted(set(missing)))},
                fields={"warehouse": _("Does not stock every product.")})
        return warehouse
    for warehouse in Warehouse.objects.filter(active=True).order_by("code"):
        linked = set(Stock.objects.filter(warehouse=warehouse, variant_id__in=variant_ids)
                     .values_list("variant_id", flat=True))
        if linked >= variant_ids:
            return warehouse
    raise ValidationFailed("not_stocked", _("No warehouse stocks all these products."),
                           fields={"warehouse": _("Choose a warehouse that stocks the products.")})


def _resolve_shipping(data, lines, warehouse, courier):
    """The destination district and, when no shipping cost was given (None), the cost from
    the rate tables: the given courier's (and service's) cheapest option, or the cheapest
    of all with its courier and service. No rate for the destination: 0, to be asked at
    confirmation. Returns (district, shipping_cost, courier, courier_service)."""
    from tokodesk.shipping.models import District
    from tokodesk.shipping.quote import quote

    district = None
    if data.destination is not None:
        district = District.objects.select_related("city", "province").filter(pk=data.destination).first()
        if district is None:
            raise ValidationFailed("invalid_input", _("Unknown district."),
                                   fields={"destination": _("Unknown district.")})
    cost, service = data.shipping_cost, data.courier_service
    if cost is None:
        cost = 0
        if district is not None:
            options = quote(
                district, sum((v.weight_grams or 0) * q for v, q, _p in lines), warehouse=warehouse,
                payment_method=data.payment_method, value=sum(q * p for _v, q, p in lines),
                courier_id=courier.pk if courier else None, service=service or None,
            )
            if options:
                best = options[0]
                cost, service = best.price, best.service
                if courier is None:
                    courier = Courier.objects.get(pk=best.courier_id)
    return district, cost, courier, service


def _resolve_courier(code: str | None) -> Courier | None:
    if not code:
        return None
    courier = cached(("courier", code), lambda: Courier.objects.filter(code=code, active=True).first())
    if courier is None:
        raise ValidationFailed("invalid_input", _("Unknown courier “%(code)s”.") % {"code": code[:30]},
                               fields={"courier": _("Unknown courier.")})
    return courier


def _money_fields(data, errors):
    for name in ("shipping_cost", "insurance_cost", "discount"):
        value = getattr(data, name, 0) or 0
        if value < 0:
            errors[name] = _("Cannot be negative.")


def _agent(username: str | None):
    if not username:
        return None
    agent = cached(("agent", username),
                   lambda: get_user_model().objects.filter(username=username, is_active=True).first())
    if agent is None:
        raise ValidationFailed("invalid_input", _("Unknown agent “%(name)s”.") % {"name": username[:50]},
                               fields={"agent": _("Unknown user.")})
    return agent


# Far above any real order, far below what a 64-bit column holds.
MAX_ORDER_AMOUNT = 10**15


@dataclass
class PreparedOrder:
    """Everything order_create reads and checks before it writes (order_prepare): the
    storefront prepares a landing page's order before it takes the page's lock, so that the
    lock (SQLite's one writer) is held for the writes only. `agent` and `landing_page` may be
    set by a caller that chose them itself (the page's round robin)."""

    data: OrderInput
    phone: str
    lines: list
    warehouse: Warehouse
    courier: Courier | None
    district: object
    shipping_cost: int
    courier_service: str
    landing_page: object
    agent: object
    currency: str
    reference_pattern: str
    # The agent's id, for a caller that knows only that (the landing page's round robin);
    # used when `agent` is None.
    agent_id: int | None = None
    payment_option: object = None


def order_prepare(*, data: OrderInput, actor, variants: dict | None = None,
                  warehouse: Warehouse | None = None) -> PreparedOrder:
    """order_create's checks and lookups, without writing anything.

    A caller that has just read them may pass `variants` (by SKU, with their product: not
    read again) and `warehouse` (active, with a stock row of every line's variant: the
    warehouse is then not looked up nor checked again)."""
    require(actor, "orders.add_order")
    errors: dict = {}
    payment_flow, payment_option = "", None
    try:
        payment_flow, payment_option = cached(
            ("payment", data.payment_method_code, data.payment_method),
            lambda: order_payment(code=data.payment_method_code, flow=data.payment_method))
    except ValidationFailed as exc:
        errors.update(exc.fields)
    if data.channel not in Channel.values:
        errors["channel"] = _("Unknown channel.")
    _money_fields(data, errors)
    if (data.store_credit or 0) < 0:
        errors["store_credit"] = _("Cannot be negative.")
    if not data.customer.name.strip():
        errors["customer.name"] = _("The name is required.")
    if not data.customer.address.strip():
        errors["customer.address"] = _("The address is required.")
    try:
        phone = normalize_phone(data.customer.phone, field="customer.phone")
    except ValidationFailed as exc:
        errors.update(exc.fields)
        phone = None
    postcode = checked_postcode(data.customer.postcode, field="customer.postcode", errors=errors)
    if errors:
        raise ValidationFailed("invalid_input", _("The order is not valid."), fields=errors)
    if postcode != data.customer.postcode:
        data = dataclasses.replace(data, customer=dataclasses.replace(data.customer, postcode=postcode))
    if payment_flow != data.payment_method:
        data = dataclasses.replace(data, payment_method=payment_flow)  # a method's flow, for the quote too
    lines = _resolve_lines(data.lines, actor, known=variants)
    if warehouse is None:
        warehouse = _resolve_warehouse(data.warehouse, [v for v, _q, _p in lines])
    courier = _resolve_courier(data.courier)
    district, shipping_cost, courier, courier_service = _resolve_shipping(
        data, lines, warehouse, courier
    )
    landing_page = None
    if data.landing_page:
        # The page the order came from, through the order's own foreign key: orders does not
        # import the storefront (which creates orders through this service).
        pages = Order.landing_page.field.related_model
        landing_page = pages.objects.filter(slug=data.landing_page).first()
        if landing_page is None:
            raise ValidationFailed("invalid_input", _("Unknown landing page."), fields={"landing_page": _("Unknown.")})

    agent = _agent(data.agent)
    can_see_all = actor is None or actor.has_perm("orders.view_all_orders")
    if agent is not None and actor is not None and agent != actor and not actor.has_perm("orders.assign_order"):
        raise PermissionDenied("permission_denied", _("You cannot assign orders to someone else."))
    if agent is None and not can_see_all:
        agent = actor  # an agent's own manual order stays theirs
    order_settings = cached(("order_settings",), OrderSettings.get)
    settings_seen(order_settings)  # the writes' reads of it (transfer codes) inside settings_read_once
    return PreparedOrder(data=data, phone=phone, lines=lines, warehouse=warehouse, courier=courier,
                         district=district, shipping_cost=shipping_cost, courier_service=courier_service,
                         landing_page=landing_page, agent=agent, currency=_currency(),
                         reference_pattern=order_settings.order_reference_pattern,
                         payment_option=payment_option)


def _currency() -> str:
    """The shop's currency: from the row the requests share (core.shop_locale) outside a
    transaction, else read (once inside settings_read_once)."""
    if ProcessCache.usable():
        from tokodesk.core.shop_locale import request_row

        return request_row().currency
    return ShopSettings.get().currency
