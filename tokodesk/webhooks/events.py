"""The event types a webhook subscription can choose (docs/webhooks.md lists the payloads).
They are the outbox's types (tokodesk.core.outbox); `ping` is the test event."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

ALL = "*"
PING = "ping"

EVENT_TYPES: dict[str, object] = {
    "order.status_changed": _("An order changed status (any order action)"),
    "payment.recorded": _("A payment was recorded on an order"),
    "payment.voided": _("An order's payments were voided"),
    "return.status_changed": _("A return changed status (any return action, completions included)"),
    "return.completed": _("A return was completed"),
    "refund.paid": _("A refund was paid"),
    "store_credit.changed": _("A customer's store credit changed"),
}


def choices() -> list[tuple[str, object]]:
    return [(ALL, _("Every event")), *EVENT_TYPES.items()]


def matches(subscribed: list[str], event_types: tuple[str, ...]) -> bool:
    """Whether a subscription wants an event; "*" is every public type (the outbox also
    carries internal events, e.g. notification.queued, which are never sent)."""
    public = [t for t in event_types if t in EVENT_TYPES]
    return bool(public) and (ALL in subscribed or any(t in subscribed for t in public))
