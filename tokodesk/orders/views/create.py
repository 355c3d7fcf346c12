"""The manual order page ("Tambah Pesanan", SPEC 2.4): customer, products from one
warehouse, shipping and payment, a live summary, then `order_create` — the same service
the API calls. The small htmx endpoints of the page are query parameters of this view:

    GET  ?lookup_phone=…        a known customer for the phone typed (agents: only theirs)
    GET  ?part=services&courier= the service select of a courier
    GET  ?part=line&warehouse=   one empty product row
    POST ?part=products          the products step again (after the warehouse changed)
    POST ?part=summary           the summary of what is typed so far (writes nothing)
    POST ?part=shipping          the couriers with their prices for the district, the
                                 products' weight and the warehouse (the rate tables)
"""

from __future__ import annotations

import uuid

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.db import transaction
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from tokodesk.catalog.models import Warehouse
from tokodesk.core.errors import DomainError
from tokodesk.core.models import ShopSettings
from tokodesk.customers.models import Customer
from tokodesk.customers.phones import normalize_phone
from tokodesk.orders import services, store_credit
from tokodesk.orders.forms_create import (
    OrderCreateForm,
    Row,
    apply_service_errors,
    option_list,
    parse_money,
    posted_rows,
    resolve_rows,
    stocked_variants,
    validate,
)
from tokodesk.orders.payment_options import flow_of
from tokodesk.orders.selectors import order_queryset_for
from tokodesk.orders.states import PaymentMethod
from tokodesk.orders.transfer_codes import code_range, codes_enabled
from tokodesk.shipping.models import Courier

SESSION_TOKENS = "order_create_tokens"  # form token -> reference: a second submit opens the order


def _currency() -> str:
    return ShopSettings.get().currency


def _currency_label(currency: str) -> str:
    return {"IDR": "Rp", "EUR": "€"}.get(currency, currency)


def _amount(raw, currency: str) -> int:
    """What the summary counts for a money input: 0 when blank or not an amount yet."""
    try:
        value = parse_money(raw, currency)
    except ValueError:
        return 0
    return value if value is not None and value >= 0 else 0


def _ship_options(form, rows: list[Row], data) -> tuple[object, list]:
    """(district, quote options) for what is typed: the district picked, the products'
    weight (from their variants) and value, the warehouse, the payment method."""
    from tokodesk.shipping.quote import quote

    district = form.district_obj()
    if district is None:
        return None, []
    weight = sum((row.stock.variant.weight_grams or 0) * (row.qty_value or 0)
                 for row in rows if row.stock is not None and (row.qty_value or 0) > 0)
    value = sum(max(row.line_total or 0, 0) for row in rows)
    return district, quote(district, weight, warehouse=form.warehouse_obj(),
                           payment_method=flow_of(data.get("payment_method", "")[:30]), value=value)


def _chosen_option(options, data):
    """The option of the courier (and service) chosen, else the cheapest: what the service
    prices the order with when no shipping cost is typed."""
    courier, service = data.get("courier", ""), (data.get("courier_service") or "").strip()
    for option in options:
        if (not courier or option.courier == courier) and (not service or option.service == service):
            return option
    return None


def _summary(data, rows: list[Row], currency: str, options=None) -> dict:
    subtotal = sum(max(row.line_total or 0, 0) for row in rows)
    shipping = _amount(data.get("shipping_cost"), currency)
    chosen = None
    if options and not (data.get("shipping_cost") or "").strip():
        chosen = _chosen_option(options, data)
        shipping = chosen.price if chosen else 0
    insurance = _amount(data.get("insurance_cost"), currency)
    discount = _amount(data.get("discount"), currency)
    total = subtotal + shipping + insurance - discount
    credit = _amount(data.get("store_credit"), currency)
    return {"rows": rows, "subtotal": subtotal, "shipping": shipping, "insurance": insurance, "quoted": chosen,
            "discount": discount, "total": total,
            # Store credit used: what is left to pay (the service checks balance and total).
            "store_credit": credit, "to_pay": max(total - credit, 0),
            "counted": [row for row in rows if row.line_total is not None and row.qty_value > 0],
            # A bank transfer gets its unique code when the order is created (transfer_codes).
            "transfer_code": flow_of(data.get("payment_method") or "") == PaymentMethod.BANK_TRANSFER
            and codes_enabled(),
            "transfer_code_most": code_range(currency)[-1]}


def _context(request, *, form, rows, stocked, currency, lines_error="", loose_errors=()):
    warehouse = form.warehouse_obj()
    options = option_list(stocked, currency)
    data = form.data if form.is_bound else {}
    district, ship_options = _ship_options(form, rows, data)
    return {
        "district": district,
        "ship_options": ship_options,
        "ship_chosen": _chosen_option(ship_options, data) if ship_options else None,
        "nav": "orders",
        "form": form,
        "rows": rows,
        "options": options,
        "warehouse": warehouse,
        "currency": currency,
        "currency_label": _currency_label(currency),
        "lines_error": lines_error,
        "loose_errors": list(loose_errors),
        "courier": form.courier_obj(),
        "summary": _summary(data, rows, currency, ship_options),
    }


def _lookup(request):
    """A known customer for the phone typed, offered to fill the form. Agents only find
    the customers of their own orders."""
    raw = (request.GET.get("lookup_phone") or request.GET.get("phone") or "").strip()[:32]
    context = {"phone": raw, "customer": None, "valid": False}
    try:
        e164 = normalize_phone(raw)
    except DomainError:
        return render(request, "orders/_create_lookup.html", context)
    context.update(valid=True, e164=e164)
    visible = order_queryset_for(request.user).filter(customer__phone=e164)
    latest = visible.order_by("-created_at").first()
    if request.user.has_perm("orders.view_all_orders"):
        customer = Customer.objects.filter(phone=e164).first()
        if customer is not None:
            context["customer"] = {
                "name": customer.name, "phone": customer.phone, "email": customer.email,
                "address": customer.address or (latest.destination_address if latest else ""),
                "city": latest.destination_city if latest else "",
                "postcode": customer.postcode or (latest.destination_postcode if latest else ""),
            }
    elif latest is not None:
        # What this agent was given on their own latest order, never another agent's data.
        context["customer"] = {
            "name": latest.recipient_name, "phone": latest.recipient_phone, "email": latest.recipient_email,
            "address": latest.destination_address, "city": latest.destination_city,
            "postcode": latest.destination_postcode,
        }
    if context["customer"]:
        context["order_count"] = visible.count()
        customer_id = customer.pk if request.user.has_perm("orders.view_all_orders") else latest.customer_id
        context["store_credit"] = store_credit.balance(customer_id)
        context["currency"] = _currency()
    return render(request, "orders/_create_lookup.html", context)


def _services(request):
    courier = Courier.objects.filter(code=request.GET.get("courier", "")[:30], active=True).first()
    return render(request, "orders/_create_service.html", {"courier": courier, "selected": ""})


def _new_line(request, currency):
    warehouse = Warehouse.objects.filter(code=request.GET.get("warehouse", "")[:30], active=True).first()
    return render(request, "orders/_create_line.html", {
        "row": Row(), "options": option_list(stocked_variants(warehouse), currency), "currency": currency})


def _partial_post(request, part, currency):
    form = OrderCreateForm(request.POST, user=request.user, currency=currency)
    stocked = stocked_variants(form.warehouse_obj())
    rows = posted_rows(request.POST)
    resolve_rows(rows, stocked, currency)
    if part == "products":
        if not rows and form.warehouse_obj() is not None:
            rows = [Row()]
        response = render(request, "orders/_create_products.html",
                          _context(request, form=form, rows=rows, stocked=stocked, currency=currency))
        response["HX-Trigger-After-Swap"] = "linesChanged"
        return response
    district, ship_options = _ship_options(form, rows, request.POST)
    if part == "shipping":
        return render(request, "orders/_create_shipping.html", {
            "district": district, "ship_options": ship_options, "currency": currency,
            "ship_chosen": _chosen_option(ship_options, request.POST) if ship_options else None})
    return render(request, "orders/_create_summary.html",
                  {"summary": _summary(request.POST, rows, currency, ship_options), "currency": currency})


@login_required
@permission_required("orders.add_order", raise_exception=True)
def order_create_view(request):
    currency = _currency()
    part = request.GET.get("part", "")
    if request.method == "GET":
        if "lookup_phone" in request.GET:
            return _lookup(request)
        if part == "services":
            return _services(request)
        if part == "line":
            return _new_line(request, currency)
        return _page(request, currency)
    if request.method != "POST":
        return _page(request, currency)
    if part in ("products", "summary", "shipping"):
        return _partial_post(request, part, currency)

    token = request.POST.get("form_token", "")[:64]
    done = request.session.get(SESSION_TOKENS, {})
    if token and token in done:
        messages.info(request, _("Order %(reference)s was already created.") % {"reference": done[token]})
        return redirect("orders:detail", reference=done[token])

    sub = validate(request.POST, user=request.user, currency=currency)
    loose = []
    if sub.order_input is not None:
        try:
            with transaction.atomic():  # the order and its internal note, or neither
                order = services.order_create(data=sub.order_input, actor=request.user, source="web")
                if sub.internal_note:
                    services.order_add_note(reference=order.reference, actor=request.user,
                                            body=sub.internal_note, source="web")
        except DomainError as exc:
            loose = apply_service_errors(sub, exc)
            if not loose and not sub.form.errors and not sub.lines_error and not any(r.errors for r in sub.rows):
                loose = [str(exc.message)]
        else:
            if token:
                done[token] = order.reference
                request.session[SESSION_TOKENS] = dict(list(done.items())[-20:])
            messages.success(request, _("Order %(reference)s created.") % {"reference": order.reference})
            return redirect("orders:detail", reference=order.reference)
    rows = sub.rows or ([Row()] if sub.form.warehouse_obj() is not None else [])
    context = _context(request, form=sub.form, rows=rows, stocked=sub.stocked, currency=currency,
                       lines_error=sub.lines_error, loose_errors=loose)
    context["has_errors"] = True
    return render(request, "orders/create.html", context, status=422)


def _page(request, currency):
    initial = {"form_token": uuid.uuid4().hex}
    warehouses = list(Warehouse.objects.filter(active=True).values_list("code", flat=True)[:2])
    if len(warehouses) == 1:
        initial["warehouse"] = warehouses[0]
    form = OrderCreateForm(initial=initial, user=request.user, currency=currency)
    warehouse = form.warehouse_obj()
    stocked = stocked_variants(warehouse)
    rows = [Row()] if warehouse is not None else []
    return render(request, "orders/create.html",
                  _context(request, form=form, rows=rows, stocked=stocked, currency=currency))
