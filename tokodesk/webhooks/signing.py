"""The signature of a delivery (docs/webhooks.md, "Verifying a delivery").

    Tokodesk-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<raw body>" with the secret>

The receiver's side (verification) is the Python snippet of the documentation; the tests
extract it from docs/webhooks.md and run it on real deliveries."""

from __future__ import annotations

import hashlib
import hmac
import time


def sign(secret: str, body: bytes, timestamp: int | None = None) -> str:
    t = int(time.time()) if timestamp is None else int(timestamp)
    mac = hmac.new(secret.encode(), f"{t}.".encode() + body, hashlib.sha256).hexdigest()
    return f"t={t},v1={mac}"
