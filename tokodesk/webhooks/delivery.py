"""Delivering webhooks: the outbox consumer (fan-out), the worker's job, one attempt.

Fan-out (`fan_out`, an outbox consumer, in dispatch()'s transaction): one WebhookDelivery per
event and active subscription whose types match, due now.

Delivery (`deliver_due`, a worker job): claim up to BATCH due deliveries, lease them
(locked_until = now + LEASE, locked_by = this worker) and count the attempt, in one short
transaction (SELECT … FOR UPDATE SKIP LOCKED on PostgreSQL, so two workers never claim the
same delivery; SQLite's IMMEDIATE transactions serialise the claim); commit; POST them (up
to CONCURRENCY at once, no database access); record every result in one transaction —
delivered on 2xx, else the next attempt after SCHEDULE, or `failed` when the attempts run
out. A worker killed mid-delivery leaves its lease, which expires: the next worker sends
the same event (same id) again. At-least-once: receivers dedupe on Tokodesk-Event-Id.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import os
import socket
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from urllib.parse import urlsplit, urlunsplit

import httpx
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import send_mail
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.crypto import get_random_string

from tokodesk.webhooks import events as event_types
from tokodesk.webhooks import ssrf
from tokodesk.webhooks.models import WebhookAttempt, WebhookDelivery, WebhookSubscription
from tokodesk.webhooks.signing import sign

logger = logging.getLogger("tokodesk.webhooks")

# Wait after the n-th failed attempt: 9 attempts over ~54 hours.
SCHEDULE = (
    dt.timedelta(minutes=1), dt.timedelta(minutes=5), dt.timedelta(minutes=30), dt.timedelta(hours=2),
    dt.timedelta(hours=5), dt.timedelta(hours=10), dt.timedelta(hours=12), dt.timedelta(hours=24),
)
MAX_ATTEMPTS = len(SCHEDULE) + 1
BATCH = 100
CONCURRENCY = 8
EXCERPT_BYTES = 1024
TIMEOUT = httpx.Timeout(connect=3.0, read=10.0, write=5.0, pool=5.0)
TOTAL_SECONDS = 15.0  # one attempt, whatever the receiver drips
USER_AGENT = "tokodesk-webhooks/1"


def lease() -> dt.timedelta:
    """How long a claimed delivery is the claimer's: longer than any attempt can take."""
    return dt.timedelta(seconds=float(getattr(settings, "TOKODESK_WEBHOOKS_LEASE_SECONDS", 120)))


_worker = {}


def worker_id() -> str:
    pid = os.getpid()
    if pid not in _worker:
        _worker.clear()
        _worker[pid] = f"{socket.gethostname()[:30]}-{pid}-{get_random_string(6)}"
    return _worker[pid]


# --- fan-out ---------------------------------------------------------------------------


def fan_out(events) -> None:
    """The outbox consumer: a delivery per (event, active subscription that wants it)."""
    subscriptions = list(WebhookSubscription.objects.filter(is_active=True).only("id", "event_types"))
    if not subscriptions:
        return
    now = timezone.now()
    rows = [
        WebhookDelivery(subscription_id=s.pk, event_id=e.pk, next_attempt_at=now)
        for e in events if e.type != event_types.PING
        for s in subscriptions if event_types.matches(s.event_types, e.types)
    ]
    WebhookDelivery.objects.bulk_create(rows, batch_size=500, ignore_conflicts=True)


def pending_events(ids: list[int]) -> set[int]:
    """The outbox pin (core.retention): the events among `ids` with a delivery still pending."""
    return set(
        WebhookDelivery.objects.filter(event_id__in=ids, status=WebhookDelivery.Status.PENDING)
        .values_list("event_id", flat=True)
    )


# --- one attempt -------------------------------------------------------------------------


def body_of(event) -> bytes:
    return json.dumps(
        {"id": str(event.uuid), "type": event.type, "created_at": event.created_at, "data": event.payload},
        cls=DjangoJSONEncoder, separators=(",", ":"), ensure_ascii=False,
    ).encode()


def _pinned(url: str, address: str, port: int) -> tuple[str, str, dict]:
    """The URL with its host replaced by the checked address, the Host header, and the TLS
    name to check: the connection goes where the check looked, whatever DNS says next."""
    parts = urlsplit(url)
    netloc_host = f"[{address}]" if ":" in address else address
    pinned = urlunsplit((parts.scheme, f"{netloc_host}:{port}", parts.path or "/", parts.query, ""))
    host_header = parts.netloc.rsplit("@", 1)[-1]
    extensions = {"sni_hostname": parts.hostname} if parts.scheme.lower() == "https" else {}
    return pinned, host_header, extensions


def _resolve(url: str, cache: dict | None):
    if cache is None:
        return ssrf.resolve(url)
    if url not in cache:
        try:
            cache[url] = ssrf.resolve(url)
        except ssrf.UnsafeURL as exc:
            cache[url] = exc
    if isinstance(cache[url], Exception):
        raise cache[url]
    return cache[url]


@dataclass
class Result:
    delivery: WebhookDelivery
    number: int
    started_at: dt.datetime
    duration_ms: int = 0
    status_code: int | None = None
    ok: bool = False
    error: str = ""
    excerpt: str = ""


def send(client: httpx.Client, delivery: WebhookDelivery, number: int, resolved: dict | None = None) -> Result:
    """POST the delivery's event once. Touches no database (runs in a thread). `resolved`
    caches the SSRF check's answer per URL within one batch."""
    result = Result(delivery=delivery, number=number, started_at=timezone.now())
    start = time.monotonic()
    subscription, event = delivery.subscription, delivery.event
    try:
        _host, port, addresses = _resolve(subscription.url, resolved)
        body = body_of(event)
        pinned, host_header, extensions = _pinned(subscription.url, addresses[0], port)
        headers = {
            "Host": host_header,
            "Content-Type": "application/json",
            "User-Agent": USER_AGENT,
            "Tokodesk-Event-Id": str(event.uuid),
            "Tokodesk-Event-Type": event.type,
            "Tokodesk-Delivery-Attempt": str(number),
            "Tokodesk-Signature": sign(subscription.secret, body),
        }
        with client.stream("POST", pinned, content=body, headers=headers, extensions=extensions) as response:
            result.status_code = response.status_code
            excerpt = b""
            for chunk in response.iter_raw():
                excerpt += chunk
                if len(excerpt) >= EXCERPT_BYTES or time.monotonic() - start > TOTAL_SECONDS:
                    break
        result.excerpt = excerpt[:EXCERPT_BYTES].decode("utf-8", "replace")
        result.ok = 200 <= response.status_code < 300
        if not result.ok:
            result.error = f"HTTP {response.status_code}" + (" (redirects are not followed)"
                                                             if 300 <= response.status_code < 400 else "")
    except ssrf.UnsafeURL as exc:
        result.error = f"refused: {exc}"
    except httpx.HTTPError as exc:
        result.error = f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
    except Exception as exc:  # never let one delivery stop the batch
        logger.exception("webhook delivery %s failed unexpectedly", delivery.pk)
        result.error = f"{type(exc).__name__}"
    result.error = result.error[:500]
    result.duration_ms = int((time.monotonic() - start) * 1000)
    return result


# --- claim and record ------------------------------------------------------------------


def claim(*, limit: int = BATCH, worker: str, pk=None) -> list[tuple[WebhookDelivery, int]]:
    """Lease up to `limit` due deliveries (or the one `pk`, if due or not) to `worker`;
    returns them with the number of the attempt about to be made."""
    now = timezone.now()
    with transaction.atomic():
        qs = WebhookDelivery.objects.select_for_update(skip_locked=True, of=("self",)).filter(
            Q(locked_until__isnull=True) | Q(locked_until__lte=now),
            status=WebhookDelivery.Status.PENDING,
            subscription__is_active=True,
        )
        if pk is not None:
            qs = qs.filter(pk=pk)
        else:
            qs = qs.filter(next_attempt_at__lte=now).order_by("next_attempt_at", "id")
        pks = list(qs.values_list("pk", flat=True)[:limit])
        if not pks:
            return []
        WebhookDelivery.objects.filter(pk__in=pks).update(
            locked_until=now + lease(), locked_by=worker, attempts=F("attempts") + 1)
    rows = WebhookDelivery.objects.select_related("subscription", "event").filter(pk__in=pks).order_by(
        "next_attempt_at", "id")
    return [(d, d.attempts) for d in rows]


def record(results: list[Result], *, worker: str) -> dict:
    """Write the attempts' outcomes: the log, the deliveries, the subscriptions' counters,
    and turn off a subscription whose event ran out of attempts without any success since."""
    now = timezone.now()
    counts = {"delivered": 0, "failed": 0, "exhausted": 0}
    disabled = []
    with transaction.atomic():
        log, ok_subs, failed_subs = [], set(), {}
        # Successes with the same status code share one UPDATE (the common case: a batch of 200s).
        delivered: dict[int, list[Result]] = {}
        for r in results:
            if r.ok:
                delivered.setdefault(r.status_code, []).append(r)
        for code, group in delivered.items():
            pks = [r.delivery.pk for r in group]
            mine = set(WebhookDelivery.objects.select_for_update().filter(
                pk__in=pks, locked_by=worker, status=WebhookDelivery.Status.PENDING,
            ).values_list("pk", flat=True))
            WebhookDelivery.objects.filter(pk__in=mine).update(
                locked_until=None, locked_by="", last_status_code=code, last_error="",
                status=WebhookDelivery.Status.DELIVERED, delivered_at=now, next_attempt_at=None)
            for r in group:
                log.append(_attempt(r, worker))
                if r.delivery.pk in mine:
                    counts["delivered"] += 1
                    ok_subs.add(r.delivery.subscription_id)
        for r in results:
            if r.ok:
                continue
            d = r.delivery
            fields = {"locked_until": None, "locked_by": "", "last_status_code": r.status_code,
                      "last_error": r.error}
            exhausted = False
            failures = d.failures + 1
            fields["failures"] = failures
            if failures >= MAX_ATTEMPTS:
                exhausted = True
                fields.update(status=WebhookDelivery.Status.FAILED, next_attempt_at=None)
            else:
                fields["next_attempt_at"] = now + SCHEDULE[failures - 1]
            log.append(_attempt(r, worker))
            # Only while the lease is ours: a lease that ran out was taken by another worker.
            if not WebhookDelivery.objects.filter(pk=d.pk, locked_by=worker,
                                                  status=WebhookDelivery.Status.PENDING).update(**fields):
                continue
            counts["failed"] += 1
            failed_subs[d.subscription_id] = failed_subs.get(d.subscription_id, 0) + 1
            if exhausted:
                counts["exhausted"] += 1
                disabled.append(d)
        WebhookAttempt.objects.bulk_create(log)
        if ok_subs:
            WebhookSubscription.objects.filter(pk__in=ok_subs).update(consecutive_failures=0, last_success_at=now)
        for sub_id, n in failed_subs.items():
            if sub_id not in ok_subs:
                WebhookSubscription.objects.filter(pk=sub_id).update(
                    consecutive_failures=F("consecutive_failures") + n, last_failure_at=now)
        for d in disabled:
            _maybe_disable(d, now)
    return counts


def _attempt(r: Result, worker: str) -> WebhookAttempt:
    return WebhookAttempt(
        delivery_id=r.delivery.pk, number=r.number, started_at=r.started_at, duration_ms=r.duration_ms,
        status_code=r.status_code, ok=r.ok, error=r.error, response_excerpt=r.excerpt, worker=worker)


def _maybe_disable(delivery: WebhookDelivery, now) -> None:
    """An event failed every attempt (~2 days): if the subscription had no success since the
    event was first tried, turn it off and tell the owners."""
    sub = WebhookSubscription.objects.select_for_update().get(pk=delivery.subscription_id)
    if not sub.is_active or (sub.last_success_at and sub.last_success_at >= delivery.created_at):
        return
    sub.is_active = False
    sub.disabled_at = now
    sub.disabled_reason = _reason(delivery)
    sub.save(update_fields=["is_active", "disabled_at", "disabled_reason", "updated_at"])
    logger.warning("webhook subscription %s (%s) turned off: %s", sub.pk, sub.url, sub.disabled_reason)
    transaction.on_commit(lambda: notify_owners(sub))


def _reason(delivery: WebhookDelivery) -> str:
    last = WebhookDelivery.objects.filter(pk=delivery.pk).values_list("last_error", flat=True).first() or ""
    return f"event {delivery.event.uuid} ({delivery.event.type}) failed {MAX_ATTEMPTS} attempts; last: {last}"[:500]


def owner_emails() -> list[str]:
    User = get_user_model()
    users = User.objects.filter(is_active=True).filter(
        Q(is_superuser=True) | Q(groups__name="owner")).exclude(email="").distinct()
    return sorted({u.email for u in users})


def notify_owners(sub: WebhookSubscription) -> None:
    from django.utils.translation import gettext as _

    to = owner_emails()
    if not to:
        return
    try:
        send_mail(
            _("A webhook was turned off"),
            _("The desk turned off the webhook to %(url)s: its receiver kept failing.\n\n%(reason)s\n\n"
              "Fix the receiver, then turn the webhook on again on the Webhooks page; failed deliveries "
              "can be sent again from its delivery log.") % {"url": sub.url, "reason": sub.disabled_reason},
            None, to, fail_silently=True,
        )
    except Exception:
        logger.exception("could not e-mail the owners about webhook %s", sub.pk)


# --- the worker's job and the pages' immediate attempt ----------------------------------------


def client() -> httpx.Client:
    return httpx.Client(timeout=TIMEOUT, follow_redirects=False, trust_env=False,
                        limits=httpx.Limits(max_connections=CONCURRENCY, max_keepalive_connections=CONCURRENCY))


def deliver_due(*, budget_seconds: float = 20.0, limit: int = BATCH, worker: str | None = None) -> dict:
    """Send every due delivery, batch after batch, for at most `budget_seconds`."""
    worker = worker or worker_id()
    totals = {"delivered": 0, "failed": 0, "exhausted": 0}
    deadline = time.monotonic() + budget_seconds
    with client() as http, ThreadPoolExecutor(CONCURRENCY, thread_name_prefix="webhook") as pool:
        while time.monotonic() < deadline:
            claimed = claim(limit=limit, worker=worker)
            if not claimed:
                break
            resolved: dict = {}  # one DNS check per URL and batch
            results = list(pool.map(send, [http] * len(claimed), *zip(*claimed, strict=True),
                                    [resolved] * len(claimed)))
            for key, value in record(results, worker=worker).items():
                totals[key] += value
    return totals


def deliver_summary(result: dict) -> str:
    return (f"webhooks: {result['delivered']} delivered, {result['failed']} failed attempt(s), "
            f"{result['exhausted']} out of attempts")


def deliver_now(delivery_pk: int) -> WebhookDelivery | None:
    """One attempt at this delivery now (test ping, resend); None when another worker holds
    it or its subscription is off."""
    worker = worker_id()
    claimed = claim(worker=worker, pk=delivery_pk)
    if not claimed:
        return None
    with client() as http:
        results = [send(http, *claimed[0])]
    record(results, worker=worker)
    return WebhookDelivery.objects.select_related("subscription", "event").get(pk=delivery_pk)
