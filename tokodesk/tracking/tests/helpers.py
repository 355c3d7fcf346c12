"""Posting signed events as a provider does (the tests, the demo's and the bench's way)."""

from __future__ import annotations

import json
import time

from django.test import Client

from tokodesk.tracking.signing import sign

SECRET = "sandbox-test-secret"
URL = "/api/v1/shipping/webhooks/sandbox"


def body_of(t) -> dict:
    """The webhook body for a couriers.TrackingEvent of the sandbox stream."""
    return {
        "event_id": t.raw["event_id"],
        "awb": t.awb,
        "event": t.event,
        "at": t.at.isoformat(),
        "note": t.note,
    }


def post(
    client: Client,
    data: dict,
    *,
    secret: str = SECRET,
    timestamp: int | None = None,
    signature=None,
    url: str = URL,
):
    raw = json.dumps(data).encode()
    ts = int(time.time()) if timestamp is None else timestamp
    sig = sign(secret, ts, raw) if signature is None else signature
    return client.post(
        url,
        data=raw,
        content_type="application/json",
        HTTP_X_TOKODESK_TIMESTAMP=str(ts),
        HTTP_X_TOKODESK_SIGNATURE=sig,
    )
