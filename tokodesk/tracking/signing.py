"""Incoming webhook signatures (SPEC 4): `X-Tokodesk-Signature` is the hex HMAC-SHA256 of
"{timestamp}.{raw body}" with the adapter's secret; `X-Tokodesk-Timestamp` is Unix seconds
and must be within TOLERANCE of our clock (a captured request cannot be replayed later;
within the window the event id dedupes it). Compared in constant time."""

from __future__ import annotations

import hashlib
import hmac
import os
import time

from django.conf import settings

TOLERANCE = 300  # seconds either way


def sign(secret: str, timestamp: int | str, body: bytes) -> str:
    message = str(timestamp).encode("ascii") + b"." + body
    return hmac.new(secret.encode("utf-8"), message, hashlib.sha256).hexdigest()


def verify(
    secret: str, timestamp: str, body: bytes, signature: str, *, now: float | None = None
) -> bool:
    """True when the signature is right and the timestamp fresh; never raises."""
    if not secret or not timestamp or not signature:
        return False
    try:
        ts = int(timestamp.strip())
    except (ValueError, AttributeError):
        return False
    if abs((time.time() if now is None else now) - ts) > TOLERANCE:
        return False
    expected = sign(secret, ts, body)
    return hmac.compare_digest(expected, signature.strip().lower())


def secret_for(adapter: str) -> str:
    """The adapter's webhook secret: the sandbox's from TOKODESK_SANDBOX_WEBHOOK_SECRET (setting
    or environment), a provider's from its courier account (credential `webhook_secret`).
    "" when none is set: every request is then refused."""
    if adapter == "sandbox":
        return getattr(settings, "TOKODESK_SANDBOX_WEBHOOK_SECRET", "") or os.environ.get(
            "TOKODESK_SANDBOX_WEBHOOK_SECRET", ""
        )
    from tokodesk.shipping.models import CourierAccount

    row = CourierAccount.objects.filter(adapter=adapter).only("credentials").first()
    return str((row.credentials if row else {}).get("webhook_secret", "") or "")
