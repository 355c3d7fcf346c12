"""Confirming an order that has a destination district but no courier or shipping cost:
the guard that asks for them and the effect that applies the chosen option (the order's
`confirm` transition in orders/states.py; the page's radio list is orders/forms.py)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from tokodesk.core.errors import ValidationFailed


def has_shipping(order, inputs):
    """an order with a destination district has a courier and a shipping cost (or the input chooses them)"""
    if order.destination_district_id is None or (order.courier_id and order.shipping_cost):
        return None
    if inputs is not None and getattr(inputs, "shipping_option", ""):
        return None
    return "shipping_required", _(
        "Choose the courier and service: the order has no courier or shipping cost yet."
    )


def apply_shipping_option(order, inputs):
    """The courier, service and shipping cost of `inputs.shipping_option` (courier:SERVICE),
    priced from the rate tables for the order's destination; the total follows."""
    from tokodesk.shipping.models import Courier
    from tokodesk.shipping.quote import order_weight_grams, quote

    option = getattr(inputs, "shipping_option", "") if inputs is not None else ""
    if not option:
        return
    code, _sep, service = option.partition(":")
    courier = Courier.objects.filter(code=code, active=True).first()
    options = []
    if courier is not None and order.destination_district_id:
        lines = list(order.lines.all())
        options = quote(
            order.destination_district_id,
            order_weight_grams(lines),
            warehouse=order.warehouse,
            payment_method=order.payment_method,
            value=order.subtotal,
            courier_id=courier.pk,
            service=service or None,
        )
    if not options:
        raise ValidationFailed(
            "invalid_input",
            _("No rate for this courier to the order's destination."),
            fields={"shipping_option": _("Choose one of the couriers listed.")},
        )
    best = options[0]
    order.total += best.price - order.shipping_cost
    order.courier, order.courier_service, order.shipping_cost = courier, best.service, best.price
