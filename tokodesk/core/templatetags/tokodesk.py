"""Template helpers: money per currency, status badges coloured by stage."""

from django import template
from django.utils.html import format_html

from tokodesk.core.money import format_money

register = template.Library()

# One colour per stage of the order's life (the badge classes of app.css).
STATUS_GROUP = {
    "new": "pending", "confirmed": "pending", "awaiting_payment": "pending", "payment_processing": "pending",
    "partially_paid": "pending", "invoice_pending": "pending", "invoice_issued": "pending",
    "paid": "to_ship", "payment_completed": "to_ship", "invoice_paid": "to_ship", "ready_to_ship": "to_ship",
    "awaiting_pickup": "to_ship",
    "in_transit": "shipped", "delivered": "shipped", "returning": "shipped",
    "completed": "completed",
    "cancelled": "cancelled", "returned": "cancelled",
    "cancellation_requested": "problem", "delivery_problem": "problem", "lost_or_damaged": "problem",
}


@register.filter
def money(amount, currency="IDR"):
    if amount is None or amount == "":
        return ""
    return format_money(int(amount), currency or "IDR")


@register.simple_tag
def status_badge(order):
    from tokodesk.orders.states import Status

    return format_html('<span class="badge st-{}" data-status="{}">{}</span>',
                       STATUS_GROUP.get(order.status, "pending"), order.status, Status(order.status).label)


@register.filter
def phone_local(e164: str) -> str:
    """+6281234567890 → 0812-3456-7890 style national format for the shop's region."""
    import phonenumbers

    try:
        number = phonenumbers.parse(e164, None)
    except phonenumbers.NumberParseException:
        return e164
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL)


@register.filter
def get_item(mapping, key):
    return mapping.get(key) if mapping else None
