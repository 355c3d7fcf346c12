"""The outbox: one row per change that the world outside the transaction may react to.

Every transition of every table (`core.transitions`) and every money movement (a payment
recorded or voided, a refund paid, a store-credit entry) writes an `OutboxEvent` in the
transaction that makes the change, so an event exists exactly when its change committed:
a rolled-back transition leaves none, a committed one can't lose its event.

The worker dispatches the outbox: `dispatch()` (a registered job) claims the undispatched
rows in id order (SELECT … FOR UPDATE SKIP LOCKED on PostgreSQL; SQLite's single writer
lock elsewhere), hands them to every registered consumer in the same transaction and marks
them dispatched. A consumer must only write rows (e.g. the webhooks app writes one delivery
per matching subscription): if it raises, the batch rolls back and is dispatched again on the
next pass, so every consumer sees each event at least once. Core knows no consumer: the
apps register theirs in AppConfig.ready().

The event's `uuid` is its stable public id (webhooks send it as the event id, receivers
dedupe on it); `id` orders the rows.

Event types (the documented set, docs/webhooks.md):
    <table>.status_changed   any transition of a TransitionTable named <table> (order, return …)
    return.completed         a return's transition to `completed` (a kind of return.status_changed)
    payment.recorded         a payment recorded on an order
    payment.voided           an order's payments voided (payment unconfirmed)
    refund.paid              a refund marked paid (money or store credit given back)
    store_credit.changed     an entry on a customer's store-credit ledger
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.core.serializers.json import DjangoJSONEncoder
from django.db import models, router, transaction
from django.db.models import Q
from django.utils import timezone

# A type that is a more precise kind of another: a subscriber to the parent receives it too.
PARENT_TYPES: dict[str, str] = {"return.completed": "return.status_changed"}

DISPATCH_BATCH = 500


class OutboxEvent(models.Model):
    id = models.BigAutoField(primary_key=True)
    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    type = models.CharField(max_length=64)
    # The document the event is about: its kind ("order", "return", "refund", "customer" …),
    # primary key and reference (the order's ORD-…; "" when it has none).
    doc_kind = models.CharField(max_length=32)
    doc_id = models.BigIntegerField()
    doc_reference = models.CharField(max_length=64, blank=True, default="")
    payload = models.JSONField(encoder=DjangoJSONEncoder, default=dict)
    created_at = models.DateTimeField(default=timezone.now)
    # Set when every consumer has taken the event (dispatch()).
    dispatched_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        app_label = "core"
        ordering = ["id"]
        indexes = [
            # dispatch(): the undispatched rows in id order, whatever the table's size.
            models.Index(fields=["id"], condition=Q(dispatched_at__isnull=True), name="outbox_undispatched"),
            models.Index(fields=["doc_kind", "doc_id"], name="outbox_document"),
        ]

    def __str__(self):
        return f"{self.type} {self.doc_kind}:{self.doc_reference or self.doc_id} ({self.uuid})"

    @property
    def types(self) -> tuple[str, ...]:
        """The event's type and the types it is a kind of (for matching subscriptions)."""
        parent = PARENT_TYPES.get(self.type)
        return (self.type, parent) if parent else (self.type,)


def _require_transaction(using: str) -> None:
    if not transaction.get_connection(using).in_atomic_block:
        raise RuntimeError(
            "outbox.emit() writes in the caller's transaction: call it inside transaction.atomic() "
            "with the change it reports."
        )


def build(type: str, *, kind: str, id: int, reference: str = "", data: dict) -> OutboxEvent:
    """An unsaved event (for emit_many)."""
    return OutboxEvent(type=type, doc_kind=kind, doc_id=id, doc_reference=(reference or "")[:64],
                       payload=data)


def emit(type: str, *, kind: str, id: int, reference: str = "", data: dict) -> OutboxEvent:
    """Write one event in the caller's transaction (raises RuntimeError outside one)."""
    _require_transaction(router.db_for_write(OutboxEvent))
    event = build(type, kind=kind, id=id, reference=reference, data=data)
    event.save(force_insert=True)
    return event


def emit_many(events: Iterable[OutboxEvent]) -> list[OutboxEvent]:
    """Write many events (from build()) with one insert, in the caller's transaction."""
    events = list(events)
    if events:
        _require_transaction(router.db_for_write(OutboxEvent))
        OutboxEvent.objects.bulk_create(events)
    return events


# --- consumers and dispatch ------------------------------------------------------------


@dataclass(frozen=True)
class Consumer:
    name: str
    handle: Callable[[list[OutboxEvent]], None]


_CONSUMERS: dict[str, Consumer] = {}


def register_consumer(name: str, handle: Callable[[list[OutboxEvent]], None]) -> None:
    """Register (or replace) a consumer: `handle(events)` runs inside dispatch()'s
    transaction with a batch of events in id order, and must only write rows."""
    _CONSUMERS[name] = Consumer(name, handle)


def consumers() -> list[Consumer]:
    return list(_CONSUMERS.values())


def dispatch(*, limit: int = DISPATCH_BATCH, max_batches: int = 20) -> dict:
    """Hand the undispatched events to every consumer, `limit` per transaction, until none
    is left (or `max_batches`). Several workers may run it at once: each batch is claimed
    with SKIP LOCKED, so two workers never take the same event."""
    dispatched = 0
    for _ in range(max_batches):
        with transaction.atomic():
            batch = list(
                OutboxEvent.objects.select_for_update(skip_locked=True)
                .filter(dispatched_at__isnull=True)
                .order_by("id")[:limit]
            )
            if not batch:
                break
            for consumer in consumers():
                consumer.handle(batch)
            OutboxEvent.objects.filter(pk__in=[e.pk for e in batch]).update(dispatched_at=timezone.now())
        dispatched += len(batch)
        if len(batch) < limit:
            break
    return {"dispatched": dispatched}


def dispatch_now(event_id: int) -> bool:
    """Dispatch one event at once if no one has (an app's fast path, e.g. on commit of the
    transaction that wrote it), instead of waiting for the worker's next pass. Claimed like
    dispatch() claims, so each event still reaches each consumer once; returns whether this
    call dispatched it."""
    with transaction.atomic():
        event = (OutboxEvent.objects.select_for_update(skip_locked=True)
                 .filter(pk=event_id, dispatched_at__isnull=True).first())
        if event is None:
            return False
        for consumer in consumers():
            consumer.handle([event])
        OutboxEvent.objects.filter(pk=event.pk).update(dispatched_at=timezone.now())
    return True


def dispatch_summary(result: dict) -> str:
    return f"dispatched {result['dispatched']} outbox event(s)"


# --- what a transition writes ----------------------------------------------------------


def document_payload(obj) -> dict:
    """The default serialisation of a document's new state: id, reference, status, version,
    the time it changed. A table (`TransitionTable(outbox_payload=…)`) or the model
    (`outbox_payload(self)`) gives a fuller one."""
    data = {"id": obj.pk}
    for name in ("reference", "status", "version", "updated_at"):
        if hasattr(obj, name):
            data[name] = getattr(obj, name)
    return data


def transition_event(table, ctx) -> OutboxEvent:
    """The unsaved outbox row of one applied transition (ctx: core.transitions.Context)."""
    obj = ctx.obj
    target = obj.status
    type = (getattr(table, "outbox_types", None) or {}).get(target) or f"{table.name}.status_changed"
    hook = getattr(table, "outbox_payload", None)
    if hook is not None:
        document = hook(obj)
    elif hasattr(obj, "outbox_payload"):
        document = obj.outbox_payload()
    else:
        document = document_payload(obj)
    actor = ctx.actor if getattr(ctx.actor, "pk", None) else None
    data = {
        "object": table.name,
        "id": obj.pk,
        "reference": getattr(obj, "reference", "") or "",
        "action": ctx.transition.action,
        "from_status": ctx.from_status,
        "status": target,
        "actor": actor.get_username() if actor is not None else None,
        "changes": dict(ctx.event_data),
        table.name: document,
    }
    return build(type, kind=table.name, id=obj.pk, reference=data["reference"], data=data)
