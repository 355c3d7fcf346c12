"""Writes of the tracking app: events stored raw (webhook, CSV import, poll) and retried.

Storing is the only thing done while the provider waits: parse, check, one INSERT; the
worker applies the event to its order later (processing.py). A provider's retry of an event
already stored (same adapter and event id) changes nothing and is answered like the first."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from tokodesk.core.errors import DomainError, PermissionDenied, ValidationFailed
from tokodesk.tracking import codes, signing
from tokodesk.tracking.models import TrackingEvent

SHIP = "orders.ship_order"
MAX_BODY = 16 * 1024


@dataclass(frozen=True)
class EventIn:
    event_id: str
    awb: str
    event: str  # provider code (codes.PROVIDER_CODES)
    at: dt.datetime
    note: str = ""
    raw: str = ""


def parse_time(value) -> dt.datetime | None:
    if isinstance(value, dt.datetime):
        moment = value
    else:
        text = str(value or "").strip().replace(" ", "T", 1) if value else ""
        try:
            moment = parse_datetime(text) if text else None
        except ValueError:
            moment = None
    if moment is None or not 2000 <= moment.year <= 2100:
        return None
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment)
    return moment


def parse_event(data, *, raw: str = "", event_id: str | None = None) -> EventIn:
    """One event from a dict (the webhook's body, a CSV row); ValidationFailed with the
    fields that are wrong."""
    if not isinstance(data, dict):
        raise ValidationFailed("invalid_input", _("The body must be a JSON object."))
    errors = {}
    raw_id = event_id if event_id is not None else data.get("event_id")
    eid = (
        str(raw_id).strip()
        if isinstance(raw_id, str | int) and not isinstance(raw_id, bool)
        else ""
    )
    if not eid or len(eid) > 128:
        errors["event_id"] = _("Give the provider's event id (at most 128 characters).")
    awb = data.get("awb")
    awb = awb.strip() if isinstance(awb, str) else ""
    if not awb or len(awb) > 64:
        errors["awb"] = _("Give the AWB (at most 64 characters).")
    code = codes.normalise(data.get("event")) if isinstance(data.get("event"), str) else None
    if code is None:
        errors["event"] = _("Unknown event: use one of %(codes)s.") % {
            "codes": ", ".join(codes.PROVIDER_CODES)
        }
    at = parse_time(data.get("at"))
    if at is None:
        errors["at"] = _("Give the time of the event (ISO 8601, e.g. 2026-03-01T10:30:00+07:00).")
    note = data.get("note") or ""
    if not isinstance(note, str):
        errors["note"] = _("The note must be text.")
    if errors:
        raise ValidationFailed("invalid_input", _("Check the fields marked."), fields=errors)
    return EventIn(event_id=eid, awb=awb, event=code, at=at, note=note.strip()[:500], raw=raw)


def _row(adapter: str, e: EventIn, source: str) -> TrackingEvent:
    return TrackingEvent(
        adapter=adapter,
        event_id=e.event_id,
        source=source,
        awb=e.awb,
        event=e.event,
        action=codes.ACTIONS[e.event],
        at=e.at,
        note=e.note,
        raw=e.raw[:MAX_BODY],
    )


def receive_webhook(
    *, adapter: str, timestamp: str, signature: str, body: bytes
) -> tuple[TrackingEvent, bool]:
    """Check the signature, then store the event: (the row, whether it is new). Raises a 401
    DomainError on a bad signature or a stale timestamp (nothing stored), 404 for an unknown
    adapter, 422 for a body that is not an event."""
    from tokodesk.shipping.couriers import ADAPTERS

    if adapter not in ADAPTERS or adapter == "manual":
        raise DomainError("not_found", _("Unknown adapter."), status=404)
    if not signing.verify(signing.secret_for(adapter), timestamp, body, signature):
        raise DomainError("unauthenticated", _("Bad signature or stale timestamp."), status=401)
    if len(body) > MAX_BODY:
        raise DomainError("too_large", _("The request is too large."), status=413)
    try:
        data = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        raise DomainError("invalid_json", _("The body is not valid JSON."), status=400) from None
    event = parse_event(data, raw=body.decode("utf-8"))
    # New events are the common case: insert, and find the stored one only when the event
    # id is taken (a provider's retry, or the same event at the same moment on another
    # connection).
    try:
        with transaction.atomic():
            row = _row(adapter, event, TrackingEvent.Source.WEBHOOK)
            row.save(force_insert=True)
    except IntegrityError:
        return TrackingEvent.objects.get(adapter=adapter, event_id=event.event_id), False
    return row, True


def synthetic_id(prefix: str, e_awb: str, code: str, at: dt.datetime) -> str:
    """An event id for an event that came without one (a CSV row, a polled history entry):
    the same line imported twice is the same event."""
    digest = hashlib.sha256(f"{e_awb}|{code}|{at.isoformat()}".encode()).hexdigest()[:32]
    return f"{prefix}-{digest}"


def store_events(*, adapter: str, events: list[EventIn], source: str) -> int:
    """Store many events at once (CSV import, poll); those already stored are skipped.
    Returns how many are new."""
    if not events:
        return 0
    with transaction.atomic():
        ids = [e.event_id for e in events]
        known = set(
            TrackingEvent.objects.filter(adapter=adapter, event_id__in=ids).values_list(
                "event_id", flat=True
            )
        )
        fresh, seen = [], set(known)
        for e in events:
            if e.event_id not in seen:
                seen.add(e.event_id)
                fresh.append(_row(adapter, e, source))
        TrackingEvent.objects.bulk_create(fresh, batch_size=500, ignore_conflicts=True)
    return len(fresh)


def events_retry(*, ids: list[int], actor) -> int:
    """Put failed or not applied events back in the worker's queue; returns how many."""
    if actor is not None and not actor.has_perm(SHIP):
        raise PermissionDenied("permission_denied", _("You may not manage courier tracking."))
    S = TrackingEvent.Status
    return TrackingEvent.objects.filter(pk__in=ids, status__in=(S.FAILED, S.NOT_APPLIED)).update(
        status=S.RECEIVED, error="", locked_until=None, locked_by="", processed_at=None
    )
