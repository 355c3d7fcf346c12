"""`{% load order_tags %}`: the order's status badge, coloured by the stage of its life."""

from django import template
from django.utils.html import format_html

from tokodesk.orders.help import STATUS_HELP
from tokodesk.orders.states import Status

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


@register.simple_tag
def status_badge(order):
    """The badge; a status whose name alone says too little (Dibayar vs Pembayaran Selesai,
    Menunggu Pengiriman) carries its line of help as the title."""
    help_text = STATUS_HELP.get(order.status)
    if help_text:
        return format_html('<span class="badge st-{}" data-status="{}" title="{}">{}</span>',
                           STATUS_GROUP.get(order.status, "pending"), order.status, help_text,
                           Status(order.status).label)
    return format_html('<span class="badge st-{}" data-status="{}">{}</span>',
                       STATUS_GROUP.get(order.status, "pending"), order.status, Status(order.status).label)


@register.simple_tag
def status_help(order):
    """The status's line of help for the order page ("" when its name says it all)."""
    help_text = STATUS_HELP.get(order.status)
    return format_html('<p class="muted small status-help" data-status-help>{}</p>', help_text) if help_text else ""
