"""How long the outbox keeps an event: TOKODESK_OUTBOX_RETENTION_DAYS (30 by default).

Every transition writes an outbox row, so without pruning the table grows with the shop's
whole history (a million orders make ~10 million events). `prune()` is a worker job: it
deletes the events that were dispatched longer ago than the retention and that no app still
needs. An app that keeps something tied to an event (the webhooks app: a delivery still
being retried) registers a *pin*: given candidate ids, it returns those that must stay.
What an app keeps about an event (the webhook delivery log) goes with it, so the retention
is also how long those logs are kept; docs/webhooks.md says so.

The job walks the table from its oldest row in primary-key order, a batch at a time, and
stops at the first row younger than the retention, so a pass reads only the old rows and a
few more; it runs at most once per `PRUNE_EVERY` per worker process.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from tokodesk.core.outbox import OutboxEvent

PRUNE_BATCH = 1000
PRUNE_EVERY = 3600.0  # seconds between two pruning passes of one worker

Pin = Callable[[list[int]], Iterable[int]]
_PINS: dict[str, Pin] = {}
_last_run: float | None = None


def register_pin(name: str, pin: Pin) -> None:
    """Register (or replace) the app's pin: `pin(ids)` returns the ids it still needs."""
    _PINS[name] = pin


def retention_days() -> int:
    return int(getattr(settings, "TOKODESK_OUTBOX_RETENTION_DAYS", 30))


def prune(*, now=None, batch: int = PRUNE_BATCH, max_batches: int = 50) -> dict:
    """Delete dispatched events older than the retention that no pin holds."""
    cutoff = (now or timezone.now()) - timedelta(days=retention_days())
    pruned = kept = 0
    after = 0
    for _ in range(max_batches):
        rows = list(
            OutboxEvent.objects.filter(id__gt=after)
            .order_by("id")
            .values_list("id", "created_at", "dispatched_at")[:batch]
        )
        if not rows:
            break
        old = [(pk, dispatched) for pk, created, dispatched in rows if created < cutoff]
        candidates = [pk for pk, dispatched in old if dispatched is not None]
        pinned: set[int] = set()
        for pin in _PINS.values():
            if candidates:
                pinned.update(pin(candidates))
        doomed = [pk for pk in candidates if pk not in pinned]
        if doomed:
            with transaction.atomic():
                OutboxEvent.objects.filter(pk__in=doomed).delete()
        pruned += len(doomed)
        kept += len(old) - len(doomed)
        if len(old) < len(rows) or len(rows) < batch:
            break  # reached the events the retention keeps, or the end of the table
        after = rows[-1][0]
    return {"pruned": pruned, "kept": kept}


def prune_job() -> dict | None:
    """The worker's job: prune() at most once per PRUNE_EVERY seconds in this process."""
    global _last_run
    clock = time.monotonic()
    if _last_run is not None and clock - _last_run < PRUNE_EVERY:
        return None
    _last_run = clock
    return prune()


def prune_summary(result: dict) -> str:
    return f"pruned {result['pruned']} outbox event(s) older than {retention_days()} days ({result['kept']} kept)"
