"""Courier tracking in (issue 15 targets on SQLite, 2 cores: webhook ingest >= 300 events/s
to durable storage, processing >= 200 events/s).

    .venv/bin/python bench/measure_tracking.py [--orders 2000] [--database-url URL] [--out FILE]

Without --database-url it migrates a fresh SQLite database (WAL) in a temporary
TOKODESK_DATA_DIR; with a PostgreSQL URL that database must be empty and migrated.

1. Preparation (not timed): --orders paid bank-transfer orders awaiting pickup with an AWB,
   bulk inserted; two events each (picked_up, then delivered a day later), as JSON bodies
   signed with the sandbox secret.
2. Timed, ingest: every body POSTed to /api/v1/shipping/webhooks/sandbox through Django's
   test client (the whole stack in this process: middleware, the API's guard, the signature
   check, one INSERT committed per event; no network or HTTP server), one after another.
   Then the first 200 again: duplicates, answered 200 with nothing written.
3. Timed, processing: processing.process_due() (the worker's job) applies every event
   through the order table (one transaction per event: the transition, its timeline row and
   outbox event, the event's status).
4. Checked: every event applied, every order delivered.

Results: bench/results/tracking-<db>-<orders>.json."""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

SECRET = "bench-secret"
INGEST_TARGET = 300.0
PROCESS_TARGET = 200.0


def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--orders", type=int, default=2000)
    p.add_argument("--database-url")
    p.add_argument("--out")
    return p.parse_args(argv)


def prepare(n: int) -> list[bytes]:
    from django.utils import timezone

    from tokodesk.catalog.models import Warehouse
    from tokodesk.customers.models import Customer
    from tokodesk.orders.models import Order
    from tokodesk.shipping.models import Courier

    warehouse, _ = Warehouse.objects.get_or_create(code="jkt", defaults={"name": "Gudang Jakarta"})
    courier, _ = Courier.objects.get_or_create(code="jne", defaults={"name": "JNE"})
    customer, _ = Customer.objects.get_or_create(
        phone="+6281299990002", defaults={"name": "Pembeli", "address": "Jl. Kenanga 2"}
    )
    now = timezone.now()
    Order.objects.bulk_create(
        [
            Order(
                reference=f"ORD-TR{i:07d}",
                customer=customer,
                recipient_name=f"Pembeli {i}",
                recipient_phone="+6281299990002",
                destination_address="Jl. Kenanga 2, Bandung",
                warehouse=warehouse,
                courier=courier,
                awb=f"TR{i:010d}",
                payment_method="bank_transfer",
                subtotal=100_000,
                shipping_cost=18_000,
                total=118_000,
                paid_total=118_000,
                status="awaiting_pickup",
                stock_state="deducted",
                shipped_at=now,
            )
            for i in range(n)
        ],
        batch_size=2000,
    )
    at = dt.datetime(2026, 3, 1, 9, tzinfo=dt.UTC)
    bodies = []
    for i in range(n):
        for k, (code, when) in enumerate(
            (("picked_up", at), ("delivered", at + dt.timedelta(days=1)))
        ):
            bodies.append(
                json.dumps(
                    {
                        "event_id": f"TR{i:010d}-{k}",
                        "awb": f"TR{i:010d}",
                        "event": code,
                        "at": when.isoformat(),
                        "note": "",
                    }
                ).encode()
            )
    return bodies


def main(argv=None):
    args = parse_args(argv)
    if not args.database_url:
        os.environ["TOKODESK_DATA_DIR"] = tempfile.mkdtemp(prefix="bench-tracking-")
        os.environ.pop("DATABASE_URL", None)
    os.environ["TOKODESK_SANDBOX_WEBHOOK_SECRET"] = SECRET
    from common import RESULTS, context, setup_django, shown, write_json

    setup_django(args.database_url)
    from django.core.management import call_command

    if not args.database_url:
        call_command("migrate", verbosity=0)
    from django.test import Client

    from tokodesk.orders.models import Order
    from tokodesk.tracking import processing
    from tokodesk.tracking.models import TrackingEvent
    from tokodesk.tracking.signing import sign

    bodies = prepare(args.orders)
    client = Client(HTTP_HOST="127.0.0.1")
    url = "/api/v1/shipping/webhooks/sandbox"

    def send(body: bytes) -> int:
        ts = int(time.time())
        return client.post(
            url,
            data=body,
            content_type="application/json",
            HTTP_X_TOKODESK_TIMESTAMP=str(ts),
            HTTP_X_TOKODESK_SIGNATURE=sign(SECRET, ts, body),
        ).status_code

    send(bodies[0])  # warm-up: imports, URL resolver, the first connection (counted in the total)
    ingest_cpu0 = time.process_time()
    t0 = time.perf_counter()
    statuses = [send(b) for b in bodies[1:]]
    ingest_s = time.perf_counter() - t0
    ingest_cpu = time.process_time() - ingest_cpu0
    assert set(statuses) == {200}, set(statuses)
    t0 = time.perf_counter()
    dup = [send(b) for b in bodies[:200]]
    dup_s = time.perf_counter() - t0
    assert set(dup) == {200} and TrackingEvent.objects.count() == len(bodies)

    cpu0 = time.process_time()
    t0 = time.perf_counter()
    result = processing.process_due(max_batches=10_000)
    process_s = time.perf_counter() - t0
    process_cpu = time.process_time() - cpu0
    assert result["applied"] == len(bodies), result
    assert Order.objects.filter(status="delivered").count() == args.orders

    ingest_rate = (len(bodies) - 1) / ingest_s
    process_rate = len(bodies) / process_s
    data = {
        "bench": "tracking",
        "orders": args.orders,
        "events": len(bodies),
        "ingest_seconds": round(ingest_s, 2),
        "ingest_events_per_s": round(ingest_rate, 1),
        "ingest_cpu_seconds": round(ingest_cpu, 2),
        "ingest_target": INGEST_TARGET,
        "duplicates_per_s": round(200 / dup_s, 1),
        "process_seconds": round(process_s, 2),
        "process_cpu_seconds": round(process_cpu, 2),
        "process_events_per_s": round(process_rate, 1),
        "process_target": PROCESS_TARGET,
        "ok": ingest_rate >= INGEST_TARGET and process_rate >= PROCESS_TARGET,
        **context(),
    }
    db = "postgresql" if args.database_url else "sqlite"
    path = write_json(
        Path(args.out) if args.out else RESULTS / f"tracking-{db}-{args.orders}.json", data
    )
    print(
        f"ingest: {len(bodies) - 1} events in {ingest_s:.2f} s = {ingest_rate:.0f}/s (target {INGEST_TARGET:.0f}); "
        f"CPU {ingest_cpu:.2f} s; duplicates {200 / dup_s:.0f}/s"
    )
    print(
        f"processing: {len(bodies)} events in {process_s:.2f} s = {process_rate:.0f}/s "
        f"(target {PROCESS_TARGET:.0f}), CPU {process_cpu:.2f} s; load {data.get('load_average')}"
    )
    print(shown(path))


if __name__ == "__main__":
    main()
