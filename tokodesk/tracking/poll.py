"""Poll the courier's tracking through the adapter's `track` (issue 15), for shops whose
provider sends no webhooks: every order on its way (awaiting pickup, in transit, delivery
problem, returning) with an AWB is asked about; the events not stored yet are stored like a
webhook's (source "poll") and the worker applies them. `tokodesk tracking_poll --adapter X`
runs it (cron, or the demo)."""

from __future__ import annotations

import logging

from tokodesk.orders.models import Order
from tokodesk.orders.states import Status
from tokodesk.shipping.couriers import AdapterError, get_adapter
from tokodesk.shipping.couriers.sandbox import SandboxAdapter
from tokodesk.tracking import codes, services

logger = logging.getLogger("tokodesk.tracking")
ON_THE_WAY = (Status.AWAITING_PICKUP, Status.IN_TRANSIT, Status.DELIVERY_PROBLEM, Status.RETURNING)


def poll(*, adapter: str, credentials: dict | None = None, limit: int = 5000, now=None) -> dict:
    instance = get_adapter(adapter, credentials=credentials)
    orders = (
        Order.objects.filter(status__in=ON_THE_WAY)
        .exclude(awb="")
        .select_related("courier")
        .only("pk", "awb", "shipped_at", "courier__code")
        .order_by("shipped_at", "id")[:limit]
    )
    events, asked, errors = [], 0, 0
    for order in orders:
        asked += 1
        courier = order.courier.code if order.courier_id else ""
        try:
            if isinstance(instance, SandboxAdapter):
                found = instance.track(order.awb, courier, shipped_at=order.shipped_at, now=now)
            else:
                found = instance.track(order.awb, courier)
        except AdapterError as exc:
            errors += 1
            logger.warning("tracking poll of %s failed: %s", order.awb, exc.code)
            continue
        for t in found:
            code = codes.normalise(t.event)
            if code is None:
                continue
            eid = str(
                (t.raw or {}).get("event_id") or services.synthetic_id("poll", t.awb, code, t.at)
            )[:128]
            events.append(
                services.EventIn(
                    event_id=eid,
                    awb=t.awb,
                    event=code,
                    at=t.at,
                    note=t.note[:500],
                    raw=str(t.raw)[:2000],
                )
            )
    new = services.store_events(adapter=adapter, events=events, source="poll")
    return {"orders": asked, "events": len(events), "new": new, "errors": errors}
