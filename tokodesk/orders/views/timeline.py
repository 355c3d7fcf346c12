"""The order's timeline, made readable: labels for what an event's data holds, who did it,
from which status to which (split from detail.py, which re-exports timeline_entries)."""

from __future__ import annotations

import os

from django.conf import settings
from django.contrib.auth import get_user_model
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy

from tokodesk.core import l10n
from tokodesk.core.money import format_money
from tokodesk.orders import selectors
from tokodesk.orders.models import OrderEvent
from tokodesk.orders.payment_options import method_labels
from tokodesk.orders.states import ORDER_TRANSITIONS, Channel, PaymentMethod, Status
from tokodesk.orders.wa_templates import Purpose
from tokodesk.shipping.models import Courier

# Labels of what the timeline's `data` may hold (effects of states.py, services.py).
DATA_LABELS = {
    "reason": gettext_lazy("Reason"),
    "awb": gettext_lazy("AWB"),
    "courier": gettext_lazy("Courier"),
    "amount": gettext_lazy("Amount"),
    "proof": gettext_lazy("Proof of transfer"),
    "number": gettext_lazy("Invoice number"),
    "due_date": gettext_lazy("Due date"),
    "payment_link": gettext_lazy("Payment link"),
    "deadline": gettext_lazy("Decide before"),
    "tag": gettext_lazy("Tag"),
    "body": gettext_lazy("Note"),
    "phone": gettext_lazy("Phone"),
    "channel": gettext_lazy("Channel"),
    "total": gettext_lazy("Total"),
    "voided_payments": gettext_lazy("Payments voided"),
    "automatic": gettext_lazy("Automatic"),
    "store_credit": gettext_lazy("Paid with store credit"),
    "store_credit_given_back": gettext_lazy("Store credit given back"),
    "purpose": gettext_lazy("Message"),
    "template": gettext_lazy("Template"),
    "language": gettext_lazy("Language"),
    "document": gettext_lazy("Document"),
    "format": gettext_lazy("Format"),
    "rts_fee": gettext_lazy("RTS fee"),
    "rts_fee_source": gettext_lazy("Source"),
    "serial_numbers": gettext_lazy("Serial numbers"),
    "payment_method": gettext_lazy("Payment method"),
}
# Keys for machines (ids, the agent change's from/to read above, the WhatsApp text itself).
HIDDEN_DATA = {"payment_id", "note_id", "message", "from", "to", "changes"}
# Codes stored in `data` shown in the reader's words (dispatch.labels, payments.rts).
DATA_VALUES = {
    "document": {"label": gettext_lazy("Shipping labels"), "packing_slip": gettext_lazy("Packing slips"),
                 "picking_list": gettext_lazy("Picking list")},
    "format": {"thermal": gettext_lazy("Thermal"), "a4": "A4"},
    "rts_fee_source": {"estimate": gettext_lazy("Estimate (shipping cost)"),
                       "remittance": gettext_lazy("Remittance report")},
}
EDIT_LABELS = {
    "recipient_name": gettext_lazy("Recipient"),
    "recipient_phone": gettext_lazy("Phone"),
    "recipient_email": gettext_lazy("E-mail"),
    "destination_address": gettext_lazy("Address"),
    "destination_city": gettext_lazy("City"),
    "destination_postcode": gettext_lazy("Postal code"),
    "courier": gettext_lazy("Courier"),
    "courier_service": gettext_lazy("Service"),
    "shipping_cost": gettext_lazy("Shipping cost"),
    "insurance_cost": gettext_lazy("Insurance"),
    "discount": gettext_lazy("Discount"),
    "payment_method": gettext_lazy("Payment method"),
    "warehouse": gettext_lazy("Warehouse"),
    "customer_note": gettext_lazy("Note for the courier"),
    "lines": gettext_lazy("Products"),
    "destination": gettext_lazy("District"),
    "total": gettext_lazy("Total"),
    "language": gettext_lazy("Buyer's language"),
    "serial_numbers": gettext_lazy("Serial numbers"),
}
# A transition's row in the history says what happened ("Order confirmed"), where its button
# says what to do ("Confirm order"): French and English word them differently.
HISTORY_TITLES = {
    "confirm": pgettext_lazy("order history", "Order confirmed"),
    "unconfirm": pgettext_lazy("order history", "Confirmation cancelled"),
    "request_payment": pgettext_lazy("order history", "Payment requested"),
    "payment_pending": pgettext_lazy("order history", "Payment pending"),
    "payment_succeeded": pgettext_lazy("order history", "Payment succeeded"),
    "payment_failed": pgettext_lazy("order history", "Payment failed"),
    "confirm_payment": pgettext_lazy("order history", "Payment confirmed"),
    "prepay_store_credit": pgettext_lazy("order history", "Paid with store credit"),
    "pay_store_credit": pgettext_lazy("order history", "Paid with store credit"),
    "unconfirm_payment": pgettext_lazy("order history", "Payment confirmation cancelled"),
    "create_invoice": pgettext_lazy("order history", "Invoice created"),
    "issue_invoice": pgettext_lazy("order history", "Invoice issued"),
    "record_invoice_payment": pgettext_lazy("order history", "Invoice payment recorded"),
    "mark_ready": pgettext_lazy("order history", "Ready to ship"),
    "ship": pgettext_lazy("order history", "Order shipped"),
    "cancel_shipment": pgettext_lazy("order history", "Shipment cancelled"),
    "picked_up": pgettext_lazy("order history", "Picked up by the courier"),
    "delivered": pgettext_lazy("order history", "Order delivered"),
    "report_problem": pgettext_lazy("order history", "Delivery problem reported"),
    "resume_delivery": pgettext_lazy("order history", "Delivery resumed"),
    "mark_lost": pgettext_lazy("order history", "Marked lost or damaged"),
    "return_to_sender": pgettext_lazy("order history", "Returning to the sender"),
    "returned_to_sender": pgettext_lazy("order history", "Received back from the courier"),
    "complete": pgettext_lazy("order history", "Order completed"),
    "request_cancellation": pgettext_lazy("order history", "Cancellation requested"),
    "approve_cancellation": pgettext_lazy("order history", "Cancellation approved"),
    "reject_cancellation": pgettext_lazy("order history", "Cancellation rejected"),
    "cancel": pgettext_lazy("order history", "Order cancelled"),
    "reopen": pgettext_lazy("order history", "Order reopened"),
}
MONEY_KEYS = {"amount", "total", "shipping_cost", "insurance_cost", "discount", "store_credit",
              "store_credit_given_back", "rts_fee"}


# --- the timeline, made readable ---------------------------------------------------------


def _status_label(code: str) -> str:
    return str(Status(code).label) if code in Status.values else code


def _when(value: str) -> str:
    moment = parse_datetime(value) if isinstance(value, str) else None
    if moment is None:
        return str(value)
    return l10n.format_datetime(moment)


def _short(value, currency, key="") -> str:
    if value is None or value == "":
        return "—"
    if key in MONEY_KEYS and isinstance(value, int):
        return format_money(value, currency)
    if key == "payment_method" and value in PaymentMethod.values:
        return str(PaymentMethod(value).label)
    if key == "language" and value in dict(settings.LANGUAGES):
        return str(dict(settings.LANGUAGES)[value])
    if key == "serial_numbers" and isinstance(value, dict):  # shipped: {sku: [serials]}
        return "; ".join(f"{sku}: {', '.join(map(str, serials))}" for sku, serials in value.items()
                         if isinstance(serials, list))
    if key == "lines" and isinstance(value, list):
        return ", ".join(
            f"{line.get('qty')} × {line.get('sku')}" for line in value if isinstance(line, dict)
        )
    text = str(value)
    return text if len(text) <= 300 else text[:299] + "…"


def _event_details(event, currency, names) -> list[tuple[str, str]]:
    data = event.data if isinstance(event.data, dict) else {}
    details = []
    if event.kind == OrderEvent.Kind.AGENT_CHANGED:
        old, new = (names.get(("user", data.get(k)), data.get(k)) or "—" for k in ("from", "to"))
        details.append((_("Agent"), f"{old} → {new}"))
    if event.kind == OrderEvent.Kind.EDITED and isinstance(data.get("changes"), dict):
        for name, pair in data["changes"].items():
            if name == "serial_numbers" and isinstance(pair, dict):
                # {sku: [before, after]} (orders.serials): one row per line.
                for sku, serials in pair.items():
                    old, new = serials if isinstance(serials, list | tuple) and len(serials) == 2 else ([], serials)
                    details.append((f"{EDIT_LABELS[name]} · {sku}",
                                    f"{', '.join(old or []) or '—'} → {', '.join(new or []) or '—'}"))
                continue
            old, new = pair if isinstance(pair, list | tuple) and len(pair) == 2 else (None, pair)
            key = name
            if name == "payment_method":  # the shop's methods' codes (a flow's is its starting method's)
                old, new, key = names.get(("method", old), old), names.get(("method", new), new), ""
            details.append(
                (
                    str(EDIT_LABELS.get(name, name)),
                    f"{_short(old, currency, key)} → {_short(new, currency, key)}",
                )
            )
    for key, value in data.items():
        if key in HIDDEN_DATA or value in (None, "", [], {}):
            continue
        if key == "voided_payments":
            value = len(value) if isinstance(value, list) else value
        elif key == "automatic":
            if not value:
                continue
            value = _("yes")
        elif key == "channel" and value in Channel.values:
            value = Channel(value).label
        elif key == "channel" and value == "whatsapp":
            value = "WhatsApp"
        elif key == "purpose" and value in Purpose.values:
            value = Purpose(value).label
        elif key == "language":
            value = dict(settings.LANGUAGES).get(value, value)
        elif key == "courier":
            value = names.get(("courier", value), value)
        elif key == "payment_method" and ("method", value) in names:
            value = names[("method", value)]
        elif key == "proof":
            value = os.path.basename(str(value))
        elif key in ("deadline",):
            value = _when(value)
        elif key in DATA_VALUES:
            value = DATA_VALUES[key].get(value, value)
        details.append(
            (
                str(DATA_LABELS.get(key, key.replace("_", " ").capitalize())),
                _short(value, currency, key),
            )
        )
    return details


def _who(event) -> str:
    if event.actor_id and event.actor is not None:
        return event.actor.get_full_name() or event.actor.username
    if event.source == "customer":
        return _("customer")
    return _("system")


def timeline_entries(order) -> list[dict]:
    """Newest first: what happened, from which status to which, who, when and the data
    the change remembered (reason, AWB, amount …)."""
    entries = []
    events = list(selectors.order_timeline(order=order))
    names = {}
    if any(
        isinstance(e.data, dict) and e.data.get("courier") for e in events
    ):  # one query, only when needed
        names.update(
            {("courier", code): name for code, name in Courier.objects.values_list("code", "name")}
        )
    if any(
        isinstance(e.data, dict)
        and (e.data.get("payment_method") or "payment_method" in (e.data.get("changes") or {}))
        for e in events
    ):  # one query, only when a payment method shows: its label in the reader's language
        names.update({("method", code): label for code, label in method_labels().items()})
    usernames = {
        e.data.get(k)
        for e in events
        if e.kind == OrderEvent.Kind.AGENT_CHANGED and isinstance(e.data, dict)
        for k in ("from", "to")
    } - {None, ""}
    if usernames:  # one query, only when the agent changed
        names.update(
            {
                ("user", u.username): u.get_full_name() or u.username
                for u in get_user_model().objects.filter(username__in=usernames)
            }
        )
    for event in events:
        transition = ORDER_TRANSITIONS.transitions.get(event.action) if event.action else None
        entries.append(
            {
                "event": event,
                "title": HISTORY_TITLES.get(event.action, transition.label) if transition else event.get_kind_display(),
                "action": event.action,
                "from_label": _status_label(event.from_status) if event.from_status else "",
                "to_label": _status_label(event.to_status) if event.to_status else "",
                "who": _who(event),
                "is_person": bool(event.actor_id),
                "details": _event_details(event, order.currency, names),
            }
        )
    entries.reverse()
    return entries
