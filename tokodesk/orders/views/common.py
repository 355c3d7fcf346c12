"""What the order pages share: the columns of the list, menus from the transition table."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponse
from django.template.loader import render_to_string
from django.utils.translation import gettext_lazy as _

from tokodesk.orders.states import ORDER_TRANSITIONS, PRE_SHIPMENT
from tokodesk.orders.whatsapp import can_chat

# The Bisajual columns (SPEC 2), in their order; the user may hide any but the reference.
COLUMNS = [
    ("date", _("Date")), ("reference", _("Order ID")), ("items", _("Items")), ("status", _("Status")),
    ("recipient", _("Recipient")), ("phone", _("Phone")), ("origin", _("Origin")),
    ("destination", _("Destination")), ("agent", _("Agent")), ("landing_page", _("Page")),
    ("warehouse", _("Warehouse")), ("courier", _("Courier")), ("awb", _("AWB")),
    ("shipping_cost", _("Shipping cost")), ("payment_method", _("Payment method")), ("total", _("Total")),
    ("tags", _("Tags")),
]
COLUMN_KEYS = [key for key, _label in COLUMNS]
DEFAULT_HIDDEN = ["origin", "landing_page", "warehouse", "shipping_cost"]

# The most orders one bulk request changes ("all under this filter" takes the newest).
BULK_LIMIT = 5000

# Actions that undo or stop an order: never the "primary" button of a card.
SECONDARY = {"unconfirm", "unconfirm_payment", "cancel", "request_cancellation", "cancel_shipment", "reopen",
             "report_problem", "mark_lost", "return_to_sender", "payment_failed", "reject_cancellation"}


def menu_for(order, user) -> dict:
    """The row's actions for this user, from the transition table, plus the non-status
    operations allowed now."""
    actions = ORDER_TRANSITIONS.available(order, user)
    primary = next((t for t in actions if t.action not in SECONDARY), None)
    return {
        "actions": [{"transition": t, "needs_input": _needs_input(t)} for t in actions],
        "primary": {"transition": primary, "needs_input": _needs_input(primary)} if primary else None,
        "can_edit": order.status in PRE_SHIPMENT and user.has_perm("orders.change_order"),
        "can_chat": can_chat(user),
        "can_assign": user.has_perm("orders.assign_order") and order.status not in ("completed", "cancelled",
                                                                                       "returned", "lost_or_damaged"),
    }


def _needs_input(transition) -> bool:
    if transition is None or transition.inputs is None:
        return False
    return any(name != "version" for name in transition.inputs.model_fields) or transition.action == "confirm_payment"


def toast(request, text, level=messages.SUCCESS) -> str:
    """An out-of-band message for htmx responses."""
    css = {messages.SUCCESS: "success", messages.ERROR: "error", messages.WARNING: "warning"}.get(level, "")
    return render_to_string("orders/_toast.html", {"text": text, "level": css}, request=request)


def htmx_response(html: str, *, trigger: str | None = None) -> HttpResponse:
    response = HttpResponse(html)
    if trigger:
        response["HX-Trigger"] = trigger
    return response
