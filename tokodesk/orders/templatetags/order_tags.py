"""`{% load order_tags %}`: the order's status badge, coloured by the stage of its life."""

from django import template
from django.utils.html import format_html

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
    return format_html('<span class="badge st-{}" data-status="{}">{}</span>',
                       STATUS_GROUP.get(order.status, "pending"), order.status, Status(order.status).label)
