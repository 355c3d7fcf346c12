"""Reads of the tracking app: an order's tracking history (the order page, the buyer's
order link, the API), the tracking events page and the count of events needing a person."""

from __future__ import annotations

from django.db.models import QuerySet

from tokodesk.orders.models import Order
from tokodesk.tracking import codes
from tokodesk.tracking.models import TrackingEvent

E = TrackingEvent.Status
ATTENTION = (E.NOT_APPLIED, E.FAILED)
# What the buyer sees: what happened to the parcel, not our bookkeeping of it.
BUYER_VISIBLE = (E.APPLIED, E.SUPERSEDED, E.RECEIVED)


def order_history(order: Order) -> list[TrackingEvent]:
    """The order's events by the time they happened: those linked to it, and those stored
    with its AWB that the worker has not linked yet (one query)."""
    if not order.awb:
        return list(TrackingEvent.objects.filter(order=order).order_by("at", "id"))
    from django.db.models import Q

    return list(
        TrackingEvent.objects.filter(
            Q(order=order) | Q(awb=order.awb, order__isnull=True)
        ).order_by("at", "id")
    )


def order_section(*, order, user, **_) -> dict | None:
    if not order.awb and order.status not in ("returned", "lost_or_damaged"):
        return None
    events = order_history(order)
    if not events:
        return None
    return {
        "events": [{"e": e, "label": codes.DESK_WORDS.get(e.event, e.event)} for e in events],
        "attention": sum(1 for e in events if e.status in ATTENTION),
    }


def buyer_section(*, order, **_) -> dict | None:
    if not order.awb:
        return None
    events = [e for e in order_history(order) if e.status in BUYER_VISIBLE]
    if not events:
        return None
    rows = [
        {"at": e.at, "text": codes.BUYER_WORDS.get(e.event, e.event), "event": e.event}
        for e in events
    ]
    return {"events": list(reversed(rows))}  # the newest first, as couriers' pages do


def action_needed_section(*, tab, user, **_) -> dict | None:
    """On the Action needed tab: how many courier events were recorded but not applied
    (one query, only on that tab)."""
    if tab != "action_needed" or not user.has_perm("orders.ship_order"):
        return None
    n = attention_count()
    return {"count": n} if n else None


def attention_count() -> int:
    return TrackingEvent.objects.filter(status__in=ATTENTION).count()


def events_page(*, status: str = "", q: str = "") -> QuerySet[TrackingEvent]:
    qs = TrackingEvent.objects.select_related("order").order_by("-received_at", "-id")
    if status == "attention":
        qs = qs.filter(status__in=ATTENTION)
    elif status in E.values:
        qs = qs.filter(status=status)
    if q:
        qs = qs.filter(awb__icontains=q.strip()[:64])
    return qs
