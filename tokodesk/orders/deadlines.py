"""The deadlines the worker keeps (SPEC 2.2, 2.3 and 5) and the countdowns the order list
shows next to the status.

Jobs, run by `tokodesk worker` every 30 s (or once with `--once`, or enqueued as the
`run_deadlines` task):

- `approve_overdue_cancellations(now)`: a cancellation request whose deadline passed is
  approved by the system (actor None, source "system"); the timeline event says
  `automatic`, the stock is released.
- `complete_delivered(now)`: a delivered order completes `auto_complete_days` after delivery
  (a COD order's cash was recorded at delivery, orders.cod).
- `overdue_shipments(now)`: only counts. The "past its shipping deadline" flag is NOT
  stored: the Action Needed tab computes it in its query (`ship_by < now` on an order still
  awaiting shipment, see `selectors.tab_q`), so it is exact at every moment, needs no
  job to be right, and cannot go stale when an order ships, is cancelled or its clock is
  reset. The countdown below reads the same two fields.

Every job is idempotent and safe with several workers at once: the candidates are read
without locks, then each order is claimed in its own transaction with
`SELECT … FOR UPDATE SKIP LOCKED` re-checking the condition, so an order another worker
holds is skipped and one that it has already moved no longer matches. The transition
itself re-checks the status under the row lock, so even without row locks (SQLite, whose
IMMEDIATE transactions serialize writers instead) a second attempt is a harmless
`Conflict`, counted as skipped. An order therefore gets exactly one automatic event.
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import NamedTuple

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.text import Truncator
from django.utils.translation import gettext

from tokodesk.core.errors import Conflict
from tokodesk.orders.models import Order
from tokodesk.orders.order_settings import OrderSettings
from tokodesk.orders.services import order_apply_action
from tokodesk.orders.states import AWAITING_SHIPMENT, Status

logger = logging.getLogger("tokodesk.worker")

# Orders handled per job and pass; the next pass takes the rest.
BATCH = 500

DONE, SKIPPED, FAILED = "done", "skipped", "failed"


def _counts() -> dict[str, int]:
    return {DONE: 0, SKIPPED: 0, FAILED: 0}


def _claim_and_apply(pk: int, still_due: Q, action: str) -> str:
    """Apply `action` as the system to order `pk` if it is still due and no other worker
    holds it. Returns DONE, SKIPPED or FAILED."""
    try:
        with transaction.atomic():
            order = (
                Order.objects.select_for_update(skip_locked=True)
                .filter(still_due, pk=pk)
                .only("pk", "reference")
                .first()
            )
            if order is None:
                return SKIPPED  # held by another worker, or no longer due
            order_apply_action(
                reference=order.reference, action=action, actor=None, inputs={}, source="system"
            )
    except Conflict as exc:
        # Moved between the claim and the transition (a database without row locks), or a
        # guard refused: nothing was written.
        logger.info("order %s: %s skipped (%s)", pk, action, exc)
        return SKIPPED
    except Exception:
        # One bad order must not stop the others; it is tried again next pass.
        logger.exception("order %s: automatic %s failed", pk, action)
        return FAILED
    return DONE


def _run(job: str, due: Q, order_by: str, action: str, limit: int) -> dict[str, int]:
    counts = _counts()
    pks = list(Order.objects.filter(due).order_by(order_by, "pk").values_list("pk", flat=True)[:limit])
    for pk in pks:
        counts[_claim_and_apply(pk, due, action)] += 1
    if counts[DONE] or counts[FAILED]:
        logger.info("%s: %s", job, counts)
    return counts


def approve_overdue_cancellations(now: dt.datetime | None = None, *, limit: int = BATCH) -> dict[str, int]:
    """Approve the cancellation requests whose deadline has passed."""
    now = now or timezone.now()
    due = Q(status=Status.CANCELLATION_REQUESTED, cancellation_deadline__lte=now)
    return _run("approve_overdue_cancellations", due, "cancellation_deadline", "approve_cancellation", limit)


def complete_delivered(now: dt.datetime | None = None, *, limit: int = BATCH) -> dict[str, int]:
    """Complete the orders delivered at least `auto_complete_days` ago."""
    now = now or timezone.now()
    cutoff = now - dt.timedelta(days=OrderSettings.get().auto_complete_days)
    due = Q(status=Status.DELIVERED, delivered_at__lte=cutoff)
    return _run("complete_delivered", due, "delivered_at", "complete", limit)


def overdue_shipments(now: dt.datetime | None = None) -> int:
    """How many orders are past their shipping deadline (computed, never stored: the same
    condition as the Action Needed tab)."""
    now = now or timezone.now()
    return Order.objects.filter(status__in=AWAITING_SHIPMENT, ship_by__lt=now).count()


def run_deadlines(now: dt.datetime | None = None) -> dict:
    """Every deadline job once; what each did."""
    now = now or timezone.now()
    return {
        "approve_overdue_cancellations": approve_overdue_cancellations(now),
        "complete_delivered": complete_delivered(now),
        "overdue_shipments": overdue_shipments(now),
    }


_last_overdue: list[int] = []  # the count last logged by this process's worker


def deadlines_job() -> dict:
    """The worker's job (registered in OrdersConfig.ready()): every deadline once, and the
    count of orders past their shipping deadline logged when it changed."""
    result = run_deadlines()
    overdue = result["overdue_shipments"]
    if _last_overdue != [overdue]:
        logger.info("%d order(s) past their shipping deadline (listed under Action needed)", overdue)
        _last_overdue[:] = [overdue]
    return result


def deadlines_summary(result: dict) -> str:
    """`tokodesk worker --once`'s line for the deadline job."""
    jobs = ("approve_overdue_cancellations", "complete_delivered")
    failed = sum(result[job]["failed"] for job in jobs)
    return (
        f"approved {result['approve_overdue_cancellations']['done']} cancellation request(s), "
        f"completed {result['complete_delivered']['done']} order(s), "
        f"{result['overdue_shipments']} past their shipping deadline, {failed} failed"
    )


# --- countdowns -------------------------------------------------------------------------


class Deadline(NamedTuple):
    # "auto_approve", "ship_within", "overdue" or "delivery_problem"
    kind: str
    text: str
    # Seconds until the deadline (negative once past); None when no clock runs.
    seconds_left: int | None


def format_duration(seconds: float) -> str:
    """1 d 4 h, 5 h 20 min, 12 min: the two largest units, rounded down (never below
    1 min)."""
    seconds = int(abs(seconds))
    if seconds >= 86400:
        days, hours = divmod(seconds // 3600, 24)
        if hours:
            return gettext("%(days)d d %(hours)d h") % {"days": days, "hours": hours}
        return gettext("%(days)d d") % {"days": days}
    if seconds >= 3600:
        hours, minutes = divmod(seconds // 60, 60)
        if minutes:
            return gettext("%(hours)d h %(minutes)d min") % {"hours": hours, "minutes": minutes}
        return gettext("%(hours)d h") % {"hours": hours}
    return gettext("%(minutes)d min") % {"minutes": max(seconds // 60, 1)}


def deadline_for(order: Order, now: dt.datetime | None = None) -> Deadline | None:
    """What the seller must act on before something happens to this order, or None."""
    now = now or timezone.now()
    if order.status == Status.CANCELLATION_REQUESTED and order.cancellation_deadline:
        left = (order.cancellation_deadline - now).total_seconds()
        if left > 0:
            text = gettext("Auto-approve in %(time)s") % {"time": format_duration(left)}
        else:
            text = gettext("Auto-approve any moment now")
        return Deadline("auto_approve", text, int(left))
    if order.status in AWAITING_SHIPMENT and order.ship_by:
        left = (order.ship_by - now).total_seconds()
        if left < 0:  # the Action Needed tab's condition: ship_by < now
            return Deadline("overdue", gettext("Overdue by %(time)s") % {"time": format_duration(left)}, int(left))
        return Deadline("ship_within", gettext("Ship within %(time)s") % {"time": format_duration(left)}, int(left))
    if order.status == Status.DELIVERY_PROBLEM:
        reason = Truncator(order.problem_reason.strip()).chars(80)
        if reason:
            return Deadline("delivery_problem", gettext("Delivery problem: %(reason)s") % {"reason": reason}, None)
        return Deadline("delivery_problem", gettext("Delivery problem"), None)
    return None
