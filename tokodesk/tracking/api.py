"""Tracking over HTTP (issue 15):

- POST /api/v1/shipping/webhooks/{adapter}: a courier provider's signed event (mounted under
  /shipping). No session and no token: the signature is the authentication, so no CSRF.
- GET /api/v1/orders/{reference}/tracking: the order's courier events (mounted under
  /orders, before the orders router, whose POST /{reference}/{action} would answer 405).
- POST /api/v1/tracking/events/retry {"ids": [...]}: failed or not applied events back to the
  worker's queue.

Parse → service → serialize."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from django.utils.translation import gettext as _
from ninja import Field, Router, Schema

from tokodesk.core.api.common import ERRORS
from tokodesk.core.errors import NotFound
from tokodesk.core.inputs import StrictInput
from tokodesk.tracking import codes, selectors, services, signing

webhook_router = Router(tags=["shipping: tracking"])
orders_router = Router(tags=["orders"])
router = Router(tags=["shipping: tracking"])

EVENT_BODY = {
    "type": "object",
    "required": ["event_id", "awb", "event", "at"],
    "properties": {
        "event_id": {
            "type": "string",
            "maxLength": 128,
            "description": "The provider's id of the event: "
            "a second request with the same id answers 200 and changes nothing.",
        },
        "awb": {"type": "string", "maxLength": 64},
        "event": {"type": "string", "enum": list(codes.PROVIDER_CODES)},
        "at": {
            "type": "string",
            "format": "date-time",
            "description": "When it happened (ISO 8601).",
        },
        "note": {"type": "string", "maxLength": 500},
    },
}
SIGNATURE_DOC = (
    "A courier provider's tracking event. Headers: `X-Tokodesk-Timestamp` (Unix seconds, within "
    f"{signing.TOLERANCE // 60} minutes of our clock) and `X-Tokodesk-Signature`: the hex HMAC-SHA256 of "
    "`\"{timestamp}.{raw body}\"` with the adapter's webhook secret (the sandbox's: "
    "`TOKODESK_SANDBOX_WEBHOOK_SECRET`; a provider's: its courier account's `webhook_secret`). A bad "
    "signature or a stale timestamp answers 401 and stores nothing. The event is stored as received and "
    "applied to the order with this AWB by the worker, through the order's transitions; `status` says "
    "where it is (received, applied, superseded, recorded_not_applied, failed)."
)


class WebhookOut(Schema):
    id: int
    event_id: str
    status: str
    duplicate: bool = Field(
        description="True when this event id was already stored: nothing changed."
    )


class TrackingEventOut(Schema):
    id: int
    adapter: str
    event_id: str
    source: str
    awb: str
    event: str = Field(description="The provider's code: " + ", ".join(codes.PROVIDER_CODES))
    action: str = Field(description="The order action it maps to.")
    at: dt.datetime
    note: str
    status: str
    error: str
    received_at: dt.datetime
    processed_at: dt.datetime | None


class RetryIn(StrictInput):
    # Row ids: positive and within the database's 64-bit integers (a larger one is a 422,
    # not an overflow in the query).
    ids: list[Annotated[int, Field(ge=1, le=2**63 - 1)]] = Field(..., min_length=1, max_length=1000)


class RetryOut(Schema):
    queued: int


def _event_out(e) -> dict:
    return {
        "id": e.id,
        "adapter": e.adapter,
        "event_id": e.event_id,
        "source": e.source,
        "awb": e.awb,
        "event": e.event,
        "action": e.action,
        "at": e.at,
        "note": e.note,
        "status": e.status,
        "error": e.error,
        "received_at": e.received_at,
        "processed_at": e.processed_at,
    }


@webhook_router.post(
    "/webhooks/{adapter}",
    auth=None,
    response={200: WebhookOut, **ERRORS},
    summary="Receive a tracking event",
    description=SIGNATURE_DOC,
    openapi_extra={
        "requestBody": {"required": True, "content": {"application/json": {"schema": EVENT_BODY}}},
        "parameters": [
            {
                "in": "header",
                "name": "X-Tokodesk-Timestamp",
                "required": True,
                "schema": {"type": "string"},
                "description": "Unix seconds.",
            },
            {
                "in": "header",
                "name": "X-Tokodesk-Signature",
                "required": True,
                "schema": {"type": "string"},
                "description": 'Hex HMAC-SHA256 of "{timestamp}.{raw body}".',
            },
        ],
    },
)
def receive(request, adapter: str):
    row, created = services.receive_webhook(
        adapter=adapter[:32],
        timestamp=request.headers.get("X-Tokodesk-Timestamp", ""),
        signature=request.headers.get("X-Tokodesk-Signature", ""),
        body=request.body,
    )
    return {"id": row.id, "event_id": row.event_id, "status": row.status, "duplicate": not created}


@orders_router.get(
    "/{reference}/tracking",
    response={200: list[TrackingEventOut], **ERRORS},
    summary="The order's courier tracking events",
)
def order_tracking(request, reference: str):
    from tokodesk.orders.selectors import order_queryset_for

    order = order_queryset_for(request.auth).filter(reference=reference).first()
    if order is None:
        raise NotFound(
            "not_found", _("Order %(reference)s not found.") % {"reference": reference[:60]}
        )
    return [_event_out(e) for e in selectors.order_history(order)]


@router.post(
    "/events/retry",
    response={200: RetryOut, **ERRORS},
    summary="Retry failed or not applied events",
)
def retry(request, payload: RetryIn):
    return {"queued": services.events_retry(ids=payload.ids, actor=request.auth)}
