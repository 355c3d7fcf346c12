"""The outbox's cost per transition and the webhook delivery rate (issue 11).

    .venv/bin/python bench/measure_outbox.py                       # SQLite, a temporary database
    .venv/bin/python bench/measure_outbox.py --pg                  # PostgreSQL: tokodesk_bench_outbox_<pid>
    .venv/bin/python bench/measure_outbox.py --orders 2000 --events 5000 --rounds 10

Each run makes its own database (a temporary SQLite file, or a new PostgreSQL database on
--pg-url that is dropped at the end), migrates it and seeds a small shop; nothing else is
touched.

(a) Outbox write per transition, in process: --orders "new" orders are confirmed one by
    one through `orders.services.order_apply_action` (row lock, checks, stock reservation,
    timeline event, outbox row, commit), in --rounds rounds that alternate between the real
    code and the same code with the outbox row left out (`core.outbox.transition_event`
    replaced by a no-op). Reported: ms per transition with and without (median of the
    rounds' means) and the difference; and, timed directly around it in the "with" rounds,
    the outbox write itself (building the payload + the INSERT), p50 / p95.
    Target: the outbox adds <= 1 ms per transition.

(b) Delivery rate: --events outbox events (an order's payload each, bulk inserted), one
    subscription to a local receiver (a ThreadingHTTPServer in a child process on
    127.0.0.1 answering 200), `outbox.dispatch()` (fan-out, timed), then
    `webhooks.delivery.deliver_due()` (claim, sign, POST 8 at once, record) until all are
    delivered: events/s. Checked: every delivery delivered with one attempt, and the
    receiver counted each event id once. Target: >= 300 events/s on 2 cores.

Results: bench/results/outbox-<db>.json.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import RESULTS, context, pct, setup_django, shown, write_json  # noqa: E402

RECEIVER = r"""
import sys, threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
seen = {}
lock = threading.Lock()
class H(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # headers and body are two writes: no 40 ms delayed-ACK stall
    def do_POST(self):
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        with lock:
            key = self.headers.get("Tokodesk-Event-Id")
            seen[key] = seen.get(key, 0) + 1
        self.send_response(200)
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"ok")
    def log_message(self, *a):
        pass
s = ThreadingHTTPServer(("127.0.0.1", 0), H)
s.daemon_threads = True
print(s.server_address[1], flush=True)
threading.Thread(target=s.serve_forever, daemon=True).start()
sys.stdin.read()  # until the parent closes our stdin
print(len(seen), sum(seen.values()), flush=True)
"""


def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--pg", action="store_true", help="PostgreSQL instead of SQLite")
    p.add_argument("--pg-url", default="postgresql://postgres@127.0.0.1:5432")
    p.add_argument("--orders", type=int, default=1200, help="orders confirmed in (a) (default 1200)")
    p.add_argument("--rounds", type=int, default=8, help="alternating rounds in (a) (default 8)")
    p.add_argument("--events", type=int, default=3000, help="events delivered in (b) (default 3000)")
    p.add_argument("--out")
    return p.parse_args(argv)


def seed():
    from tokodesk.accounts.services import user_create
    from tokodesk.catalog.models import Product, Stock, Variant, Warehouse
    from tokodesk.shipping.models import Courier

    jkt = Warehouse.objects.create(code="jkt", name="Gudang Jakarta", city="Jakarta")
    madu = Variant.objects.create(product=Product.objects.create(name="Madu", slug="madu"), sku="MADU-500",
                                  name="500 ml", price=150000, weight_grams=700)
    Stock.objects.create(variant=madu, warehouse=jkt, on_hand=10_000_000)
    Courier.objects.create(code="jne", name="JNE", services=["REG"])
    return user_create(username="owner", role="owner", password="pw-123456")


def new_orders(owner, n: int) -> list[str]:
    from tokodesk.orders.services import CustomerInput, LineInput, OrderInput, order_create

    refs = []
    for i in range(n):
        order = order_create(data=OrderInput(
            customer=CustomerInput(name=f"Pembeli {i}", phone=f"0812{i:08d}", address="Jl. Melati 5, Bandung"),
            lines=[LineInput(sku="MADU-500", qty=1)], payment_method="cod", warehouse="jkt", courier="jne",
            shipping_cost=18000), actor=owner)
        refs.append(order.reference)
    return refs


class _Null:
    def save(self, **kwargs):
        pass


def measure_write(owner, orders: int, rounds: int) -> dict:
    from tokodesk.core import outbox
    from tokodesk.orders.services import order_apply_action

    refs = new_orders(owner, orders)
    real = outbox.transition_event
    direct: list[float] = []

    class Timed:
        def __init__(self, table, ctx):
            self.args = (table, ctx)

        def save(self, **kwargs):
            t = time.perf_counter()
            real(*self.args).save(**kwargs)
            direct.append((time.perf_counter() - t) * 1000)

    means = {"with": [], "without": []}
    warm = refs[:20]
    for ref in warm:  # warm caches and the connection, not counted
        order_apply_action(reference=ref, action="confirm", actor=owner)
    refs = refs[20:]
    per_round = len(refs) // rounds
    try:
        for r in range(rounds):
            mode = "with" if r % 2 == 0 else "without"
            outbox.transition_event = Timed if mode == "with" else (lambda table, ctx: _Null())
            chunk = refs[r * per_round:(r + 1) * per_round]
            t = time.perf_counter()
            for ref in chunk:
                order_apply_action(reference=ref, action="confirm", actor=owner)
            means[mode].append((time.perf_counter() - t) * 1000 / len(chunk))
    finally:
        outbox.transition_event = real
    with_ms, without_ms = statistics.median(means["with"]), statistics.median(means["without"])
    return {
        "transitions": per_round * rounds,
        "ms_per_transition_with_outbox": round(with_ms, 3),
        "ms_per_transition_without_outbox": round(without_ms, 3),
        "added_ms_per_transition": round(with_ms - without_ms, 3),
        "outbox_write_ms_p50": round(pct(direct, 0.5), 3),
        "outbox_write_ms_p95": round(pct(direct, 0.95), 3),
        "rounds_ms": {k: [round(v, 3) for v in vs] for k, vs in means.items()},
        "target_added_ms": 1.0,
    }


def measure_delivery(owner, events: int) -> dict:
    from django.conf import settings
    from django.db import connection

    from tokodesk.core import outbox
    from tokodesk.core.outbox import OutboxEvent
    from tokodesk.orders.models import Order
    from tokodesk.orders.outbox import order_payload
    from tokodesk.webhooks import delivery, services
    from tokodesk.webhooks.models import WebhookAttempt, WebhookDelivery

    settings.TOKODESK_WEBHOOKS_ALLOW_PRIVATE = True
    outbox.dispatch()  # what (a) left, before any subscription: not counted
    receiver = subprocess.Popen([sys.executable, "-c", RECEIVER], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                text=True)
    try:
        port = int(receiver.stdout.readline())
        services.subscription_create(actor=owner, url=f"http://127.0.0.1:{port}/hook", event_types=["*"])
        order = Order.objects.first()
        payload = {"object": "order", "id": order.pk, "reference": order.reference, "action": "confirm",
                   "from_status": "new", "status": "confirmed", "actor": "owner", "changes": {},
                   "order": order_payload(order)}
        OutboxEvent.objects.bulk_create(
            [outbox.build("order.status_changed", kind="order", id=order.pk, reference=order.reference,
                          data=payload) for _ in range(events)], batch_size=500)
        t = time.perf_counter()
        outbox.dispatch(max_batches=10_000)
        dispatch_s = time.perf_counter() - t
        t = time.perf_counter()
        result = {"delivered": 0, "failed": 0}
        while result["delivered"] + result["failed"] < events:
            step = delivery.deliver_due(budget_seconds=600)
            if not any(step.values()):
                break
            for k in result:
                result[k] += step[k]
        deliver_s = time.perf_counter() - t
    finally:
        out, _ = receiver.communicate("", timeout=60)
    distinct, total = (int(x) for x in out.split())
    delivered = WebhookDelivery.objects.filter(status="delivered", attempts=1).count()
    assert delivered == events == distinct == total, (delivered, events, distinct, total, result)
    assert WebhookAttempt.objects.count() == events
    return {
        "events": events,
        "vendor": connection.vendor,
        "dispatch_seconds": round(dispatch_s, 3),
        "dispatch_events_per_second": round(events / dispatch_s),
        "deliver_seconds": round(deliver_s, 3),
        "events_per_second": round(events / deliver_s),
        "end_to_end_events_per_second": round(events / (dispatch_s + deliver_s)),
        "concurrency": delivery.CONCURRENCY,
        "batch": delivery.BATCH,
        "target_events_per_second": 300,
    }


def main(argv=None) -> int:
    args = parse_args(argv)
    tmp = tempfile.TemporaryDirectory(prefix="tokodesk-bench-outbox-")
    os.environ["TOKODESK_DATA_DIR"] = tmp.name
    pg_name = None
    if args.pg:
        import psycopg

        pg_name = f"tokodesk_bench_outbox_{os.getpid()}"
        with psycopg.connect(f"{args.pg_url}/postgres", autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{pg_name}"')
        setup_django(f"{args.pg_url}/{pg_name}")
    else:
        os.environ.pop("DATABASE_URL", None)
        setup_django()
    try:
        from django.core.management import call_command
        from django.db import connections

        call_command("migrate", verbosity=0, interactive=False)
        owner = seed()
        write = measure_write(owner, args.orders, args.rounds)
        print(f"(a) per transition: {write['ms_per_transition_with_outbox']} ms with the outbox, "
              f"{write['ms_per_transition_without_outbox']} ms without: +{write['added_ms_per_transition']} ms; "
              f"the write itself p50 {write['outbox_write_ms_p50']} / p95 {write['outbox_write_ms_p95']} ms")
        rate = measure_delivery(owner, args.events)
        print(f"(b) {rate['events']} events: dispatch {rate['dispatch_events_per_second']}/s, "
              f"delivery {rate['events_per_second']} events/s "
              f"(end to end {rate['end_to_end_events_per_second']}/s)")
        data = {**context(), "outbox_write": write, "delivery": rate}
        out = Path(args.out) if args.out else RESULTS / f"outbox-{'postgresql' if args.pg else 'sqlite'}.json"
        print("written", shown(write_json(out, data)))
    finally:
        if pg_name:
            connections.close_all()
            import psycopg

            with psycopg.connect(f"{args.pg_url}/postgres", autocommit=True) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{pg_name}" WITH (FORCE)')
        tmp.cleanup()
    return 0


if __name__ == "__main__":
    sys.exit(main())
