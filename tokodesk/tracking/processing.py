"""The worker applies the stored tracking events to their orders (a registered job).

Claim: up to BATCH received events are leased (locked_until = now + lease, locked_by = this
worker, attempts + 1) in one short transaction (SELECT … FOR UPDATE SKIP LOCKED on
PostgreSQL; SQLite's single writer serialises it). Then each event is applied in its own
savepoint together with its new status, COMMIT_EVERY events per transaction, so an event is
either applied and marked, or neither: a worker killed mid-batch leaves the rest leased (and
received), the lease runs out and the next worker takes them (no event lost, none applied
twice).

Applying goes through the order table (orders.services.order_apply_action, actor None,
source "courier"), never by writing a status:

- the action is allowed from the order's status → applied;
- the order has not reached the status the action starts from, but would through a step the
  courier skipped or whose event has not arrived yet (delivered while awaiting pickup: the
  picked_up event comes later or never) → the missing step is applied first, then the
  event's: a late picked_up then finds the order past it;
- the event is older than the step the order is at (picked_up once in transit or beyond,
  the status the action leads to is the order's already, or an event applied for this order
  happened after it) → `superseded`: kept in the history, nothing to do;
- else (lost after delivered, no order with this AWB …) → `recorded_not_applied` with the
  reason: the tracking page lists it and the Action Needed tab counts it; a person decides
  and may retry it.

A batch is applied in (AWB, event time) order, so events that arrive together out of order
are applied in the order they happened. An unexpected error marks the event `failed` (the
page shows the error; retry puts it back in the queue)."""

from __future__ import annotations

import datetime as dt
import logging
import os
import socket
from contextlib import nullcontext

from django.conf import settings
from django.db import transaction
from django.db.models import F, Max, Q
from django.utils import timezone
from django.utils.crypto import get_random_string
from django.utils.translation import gettext as _

from tokodesk.core.errors import DomainError
from tokodesk.orders.models import Order
from tokodesk.orders.services import order_apply_action
from tokodesk.orders.states import ORDER_TRANSITIONS, Status
from tokodesk.tracking.models import TrackingEvent

logger = logging.getLogger("tokodesk.tracking")
S = Status
E = TrackingEvent.Status
BATCH = 200
COMMIT_EVERY = 50
NEEDS_REASON = {"report_problem", "mark_lost"}
DEFAULT_REASON = {
    "report_problem": "courier: delivery problem",
    "mark_lost": "courier: lost or damaged",
}
# The step a courier may skip (or whose event is late) before each action, by status.
BRIDGES: dict[tuple[str, str], tuple[str, ...]] = {
    (S.AWAITING_PICKUP, "delivered"): ("picked_up",),
    (S.AWAITING_PICKUP, "report_problem"): ("picked_up",),
    (S.AWAITING_PICKUP, "mark_lost"): ("picked_up",),
    (S.AWAITING_PICKUP, "return_to_sender"): ("picked_up",),
    (S.AWAITING_PICKUP, "returned_to_sender"): ("picked_up", "return_to_sender"),
    (S.IN_TRANSIT, "returned_to_sender"): ("return_to_sender",),
    (S.DELIVERY_PROBLEM, "returned_to_sender"): ("return_to_sender",),
}
PAST_PICKUP = {
    S.IN_TRANSIT,
    S.DELIVERY_PROBLEM,
    S.DELIVERED,
    S.RETURNING,
    S.RETURNED,
    S.LOST_OR_DAMAGED,
    S.COMPLETED,
}


def lease() -> dt.timedelta:
    return dt.timedelta(
        seconds=float(
            getattr(settings, "TOKODESK_TRACKING_LEASE_SECONDS", 0)
            or os.environ.get("TOKODESK_TRACKING_LEASE_SECONDS", "120")
        )
    )


def worker_name() -> str:
    return f"{socket.gethostname()[:30]}:{os.getpid()}:{get_random_string(6)}"


def claim(*, limit: int = BATCH, worker: str, ids: list[int] | None = None) -> list[int]:
    now = timezone.now()
    with transaction.atomic():
        qs = TrackingEvent.objects.select_for_update(skip_locked=True).filter(
            Q(locked_until__isnull=True) | Q(locked_until__lte=now), status=E.RECEIVED
        )
        if ids is not None:
            qs = qs.filter(pk__in=ids)
        pks = list(qs.order_by("id").values_list("pk", flat=True)[:limit])
        if pks:
            TrackingEvent.objects.filter(pk__in=pks).update(
                locked_until=now + lease(), locked_by=worker, attempts=F("attempts") + 1
            )
    return pks


def plan(order: Order, event: TrackingEvent, last_applied_at) -> tuple[str, list[str], str]:
    """(outcome, actions to apply, reason) for `event` on `order` as it is now.
    `last_applied_at()` answers the time of the latest event applied to the order (asked
    only when needed: one query)."""
    action, status = event.action, order.status
    transition = ORDER_TRANSITIONS.get(action)
    if status in transition.sources:
        return E.APPLIED, [action], ""
    bridge = BRIDGES.get((status, action))
    if bridge:
        return E.APPLIED, [*bridge, action], ""
    if transition.target == status or (action == "picked_up" and status in PAST_PICKUP):
        return E.SUPERSEDED, [], ""
    last = last_applied_at()
    if last is not None and event.at <= last:
        return E.SUPERSEDED, [], ""
    return (
        E.NOT_APPLIED,
        [],
        _("The order is “%(status)s”: the courier's event cannot move it.")
        % {"status": Status(status).label},
    )


def _inputs(action: str, event: TrackingEvent) -> dict:
    if action in NEEDS_REASON:
        return {"reason": (event.note or DEFAULT_REASON[action])[:1000]}
    return {}


def apply_one(pk: int, *, worker: str) -> str | None:
    """Apply one leased event in one transaction; returns its new status (None when the
    lease is no longer this worker's)."""
    with transaction.atomic():
        # Only the columns the plan reads (not the raw body); the order's three: most of a
        # batch's time was building full rows the order table then reads again under lock.
        event = next(
            iter(
                TrackingEvent.objects.select_for_update()
                .filter(pk=pk, locked_by=worker, status=E.RECEIVED)
                .only("pk", "awb", "event", "action", "at", "note")
                .order_by()[:1]
            ),
            None,
        )
        if event is None:
            return None
        order = next(
            iter(
                Order.objects.filter(awb=event.awb)
                .exclude(awb="")
                .only("pk", "reference", "status")
                .order_by("-id")[:1]
            ),
            None,
        )
        outcome, error, done = E.NOT_APPLIED, "", []
        if order is None:
            error = _("No order has this AWB.")
        else:

            def last():
                return (
                    TrackingEvent.objects.filter(order=order, status=E.APPLIED)
                    .exclude(pk=pk)
                    .aggregate(at=Max("at"))["at"]
                )

            outcome, actions, error = plan(order, event, last)
            try:
                # One action rolls back alone (order_apply_action is atomic); a bridge's
                # several roll back together.
                with transaction.atomic() if len(actions) > 1 else nullcontext():
                    for action in actions:
                        order_apply_action(
                            reference=order.reference,
                            action=action,
                            actor=None,
                            inputs=_inputs(action, event),
                            source="courier",
                        )
                        done.append(action)
            except DomainError as exc:
                outcome, error = E.NOT_APPLIED, str(exc.message)
                done = []
        event.order = order
        event.status = outcome
        event.error = error[:500]
        event.processed_at = timezone.now()
        event.locked_until, event.locked_by = None, ""
        event.save(
            update_fields=["order", "status", "error", "processed_at", "locked_until", "locked_by"]
        )
    return outcome


def _fail(pk: int, worker: str, exc: Exception) -> None:
    TrackingEvent.objects.filter(pk=pk, locked_by=worker).update(
        status=E.FAILED,
        error=f"{type(exc).__name__}: {exc}"[:500],
        processed_at=timezone.now(),
        locked_until=None,
        locked_by="",
    )


def process(pks: list[int], *, worker: str) -> dict:
    counts = {E.APPLIED: 0, E.SUPERSEDED: 0, E.NOT_APPLIED: 0, E.FAILED: 0}
    ordered = list(
        TrackingEvent.objects.filter(pk__in=pks)
        .order_by("awb", "at", "id")
        .values_list("pk", flat=True)
    )
    # COMMIT_EVERY events per transaction, each in its own savepoint: a failing event rolls
    # back alone; a killed worker loses the open transaction's work, and those events, still
    # received and leased, are applied again by the next worker once the lease runs out.
    for start in range(0, len(ordered), COMMIT_EVERY):
        with transaction.atomic():
            for pk in ordered[start : start + COMMIT_EVERY]:
                try:
                    outcome = apply_one(pk, worker=worker)
                except Exception as exc:  # one bad event never stops the batch
                    logger.exception("tracking event %s failed", pk)
                    _fail(pk, worker, exc)
                    outcome = E.FAILED
                if outcome:
                    counts[outcome] += 1
    return counts


def process_due(*, limit: int = BATCH, max_batches: int = 50, ids: list[int] | None = None) -> dict:
    """The worker's job: claim and apply received events until none is left."""
    worker = worker_name()
    total = {"applied": 0, "superseded": 0, "not_applied": 0, "failed": 0}
    for _batch in range(max_batches):
        pks = claim(limit=limit, worker=worker, ids=ids)
        if not pks:
            break
        counts = process(pks, worker=worker)
        total["applied"] += counts[E.APPLIED]
        total["superseded"] += counts[E.SUPERSEDED]
        total["not_applied"] += counts[E.NOT_APPLIED]
        total["failed"] += counts[E.FAILED]
        if len(pks) < limit:
            break
    return total


def process_summary(result: dict) -> str:
    return (
        "tracking: {applied} applied, {superseded} already past, {not_applied} not applied, "
        "{failed} failed"
    ).format(**result)
