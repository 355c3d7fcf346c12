"""Settings of the real worker processes the webhook tests start: the receiver is on
127.0.0.1, and a claim expires after 3 s so a killed worker's delivery is retried soon."""

from config.settings import *  # noqa: F403

TOKODESK_WEBHOOKS_ALLOW_PRIVATE = True
TOKODESK_WEBHOOKS_LEASE_SECONDS = 3
