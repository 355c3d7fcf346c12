"""What the order pages share: the columns of the list, menus from the transition table."""

from __future__ import annotations

from django.http import HttpResponse
from django.utils.translation import gettext_lazy as _

from tokodesk.core.action_views import toast  # noqa: F401 - the pages' messages
from tokodesk.core.l10n import colon
from tokodesk.orders.help import ACTION_HELP, ASK_FIRST
from tokodesk.orders.states import ORDER_TRANSITIONS, PRE_SHIPMENT
from tokodesk.orders.whatsapp import can_chat
from tokodesk.shipping.quote_confirm import has_shipping

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
    items = [_item(t, order) for t in actions]
    return {
        "actions": items,
        "primary": _item(primary, order) if primary else None,
        # The detail page: the primary next step as a button, the others in its menu.
        "others": [item for item in items if primary is None or item["transition"].action != primary.action],
        "can_edit": order.status in PRE_SHIPMENT and user.has_perm("orders.change_order"),
        "can_chat": can_chat(user),
        "can_assign": user.has_perm("orders.assign_order") and order.status not in ("completed", "cancelled",
                                                                                       "returned", "lost_or_damaged"),
    }


def _item(transition, order=None) -> dict:
    """An action of a menu: `ask` when it opens its modal (its form, or a confirmation
    step for what undoes work or cancels) rather than running on the click. On one
    order's page, Confirm asks when the order has a district but no courier or cost (its
    form lists the couriers with their prices) instead of answering "required"."""
    needs_input = _needs_input(transition) or (
        order is not None and transition.action == "confirm" and has_shipping(order, None) is not None
    )
    return {"transition": transition, "needs_input": needs_input, "secondary": transition.action in SECONDARY,
            "ask": needs_input or transition.action in ASK_FIRST, "help": ACTION_HELP.get(transition.action, "")}


def _needs_input(transition) -> bool:
    if transition is None or transition.inputs is None:
        return False
    # Optional inputs (confirm's store credit and shipping option) don't make an action ask:
    # the list's one-click confirm stays; its form is still there for whoever opens it.
    return any(name != "version" and field.is_required()
               for name, field in transition.inputs.model_fields.items()) or transition.action == "confirm_payment"




def htmx_response(html: str, *, trigger: str | None = None) -> HttpResponse:
    response = HttpResponse(html)
    if trigger:
        response["HX-Trigger"] = trigger
    return response


def field_label(name: str) -> str:
    """A field of an action's input in words (its form's label, translated)."""
    from tokodesk.orders.forms import FIELD_LABELS

    return str(FIELD_LABELS.get(name) or name.replace("_", " ").capitalize())


def refusal_text(exc) -> str:
    """The refusal with what is wrong in each field, the fields named by their labels
    ("AWB / tracking number: Field required."), never by their keys."""
    if not exc.fields:
        return str(exc.message)
    details = "; ".join(str(text) if name == "__all__" else f"{field_label(name)}{colon()} {text}"
                        for name, text in exc.fields.items())
    return f"{exc.message} {details}"
