"""Order creation over HTTP: POST /api/v1/orders against gunicorn with 2 workers.

    .venv/bin/python bench/measure_api_create.py [--database-url URL] [--count 3000]
        [--clients 8] [--workers 2] [--threads 4] [--out FILE]

It ADDS --count (+ --warmup) orders to the database. Steps:

1. start gunicorn as `make run` does (config.wsgi, --workers 2 --threads 4) on a free
   loopback port, with this environment (TOKODESK_DATA_DIR / DATABASE_URL: the bench
   database; SQLite runs in WAL with IMMEDIATE transactions, as configured), and wait
   until it answers;
2. `tokodesk createtoken owner` for a bearer token;
3. build --count realistic bodies from the database's catalog: a customer (7 in 10 new,
   the others existing customers by their phone number, typed 08… or +62…), 1-5 lines
   of SKUs stocked in the chosen warehouse (quantities 1-3), COD / transfer / gateway /
   invoice, a courier and service, shipping cost, sometimes a discount, a tag or a note;
   each request has its own Idempotency-Key;
4. --warmup requests, then the timed --count from --clients concurrent threads, each with
   its own keep-alive httpx connection;
5. check every answer is 201 and the order count grew by exactly warmup + count; stop
   gunicorn (SIGTERM to its master).

Reported: orders/s over the timed requests, latency p50/p95/max (ms, as the client sees
it), CPU seconds of gunicorn's processes (master + workers, from /proc) and of this
client. Target (issue 6): >= 300 orders/s with 2 workers.
Results: bench/results/api-create-<db>-<orders>.json unless --out.

--in-process N: instead of gunicorn, N creates one after another through Django's test
client in this process (every middleware, token, Idempotency-Key): the CPU per order and
the CPU inside the write block (api.idempotency.Claim.write_once, BEGIN to COMMIT: what
SQLite serialises), which give the ceiling even on a loaded machine.

Ceiling on SQLite (issue 16, 2026-12-04, 20k-order bench database, loaded machine, load
average 8-16: CPU figures, not wall-clock). Before: the Idempotency-Key middleware opened
the write transaction before the view and held it through auth, validation, order_prepare
and the writes (~85 % of ~15-18 ms): 1 / ~15 ms = 65-80 orders/s. Now the view prepares
outside any transaction (order_prepare's warehouse, courier, payment method, agent and
settings from a per-process cache, orders.lookups) and one short block writes the order,
renders the answer and inserts the key's record with it (core.api.write_block):
    in process: 11.1 ms CPU per order (was 17.5 with the same block and no cache; 18.3 ms
    for the whole request before), 5.4 ms of it in the write block (49 %), 12.4 statements;
    gunicorn 2x4, 8 clients: 11.7 ms of gunicorn CPU per order (81 orders/s on the loaded
    machine, every order created once).
So the ceiling on 2 quiet cores is ~170 orders/s (2 cores / ~11.7 ms), with the writer at
1 / 5.4 ms = ~185/s right behind it: 300/s is out of reach on this stack. Both costs are
Django's ORM per statement (compiling and running ~12 statements, ~0.4 ms each, and
building model instances), not SQLite: inside the block the customer's get_or_create
(select, savepoint, insert, release), the sequence, the order, its lines, its event and
the key's record; outside it the variants and stock rows (not cached: queryset updates
and every stock movement change them) and the token/key checks.

Then (same day, later): the block's INSERTs (order, lines, created event, key record) with
their SQL compiled once per process (core.compiled_sql.CompiledInsert), the customer as one
INSERT ... ON CONFLICT ... RETURNING (4 statements for a new customer -> 1: 25 -> 22 for a
new customer's order), the variants, stock rows and key lookup by SQL written once
(CompiledSelect), the answer rendered with ninja's public API. Old/new alternated, loaded
machine (load 14-23): in process 8.2-14.9 -> 6.4-6.7 ms CPU per order, write block
4.4-7.7 -> 3.2-3.3 ms; served (8 clients, 2,000 orders) gunicorn CPU 9.4 / 12.2 -> 7.1 /
7.4 ms per order. Ceiling on 2 quiet cores: ~2 / 7 ms = ~280 orders/s, CPU-bound; the
writer (1 / ~3.2 ms = ~310/s) is right behind, so 300/s is at the edge, not past it. What
remains is per request rather than per statement: Django's middleware stack and ninja's
input validation (~2.5 ms), the answer's validation and rendering (~0.4 ms, inside the
block), SQLite's own work for the order's 17 indexes and the commit (~0.7 ms).
"""

from __future__ import annotations

import argparse
import os
import random
import signal
import socket
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import RESULTS, ROOT, context, pct, setup_django, shown, write_json  # noqa: E402

TARGET_ORDERS_S = 300.0
BIN = Path(sys.executable).parent


def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--database-url")
    p.add_argument("--count", type=int, default=3000, help="timed orders (default 3000)")
    p.add_argument("--warmup", type=int, default=50, help="untimed orders first (default 50)")
    p.add_argument("--clients", type=int, default=8, help="concurrent client threads (default 8)")
    p.add_argument("--workers", type=int, default=2)
    p.add_argument(
        "--threads",
        type=int,
        default=4,
        help="gunicorn threads per worker (default 4, as make run)",
    )
    p.add_argument("--seed", type=int, default=7)
    p.add_argument(
        "--in-process",
        type=int,
        default=0,
        metavar="N",
        help="instead of gunicorn: N creates one after another through Django's test client "
        "in this process, for the CPU per order and the CPU inside the write block (what "
        "SQLite's one writer serialises), which give the ceiling on a loaded machine",
    )
    p.add_argument("--out")
    return p.parse_args(argv)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def tree_cpu_seconds(pid: int) -> float:
    """CPU seconds (user + system) of a process and its live children, from /proc."""
    tick = os.sysconf("SC_CLK_TCK")
    total = 0.0
    pids = [pid]
    try:
        children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
        pids += [int(c) for c in children]
    except OSError:
        pass
    for p in pids:
        try:
            fields = Path(f"/proc/{p}/stat").read_text().rsplit(")", 1)[1].split()
            total += (int(fields[11]) + int(fields[12])) / tick
        except (OSError, IndexError, ValueError):
            pass
    return total


def bodies(n: int, seed: int) -> list[dict]:
    """n order bodies that the API accepts, drawn from the bench database's catalog."""
    from collections import defaultdict

    from tokodesk.catalog.models import Stock, Warehouse
    from tokodesk.customers.models import Customer
    from tokodesk.ops import demo
    from tokodesk.shipping.models import Courier

    rng = random.Random(seed)
    skus = defaultdict(list)
    for code, sku in Stock.objects.filter(variant__active=True).values_list(
        "warehouse__code", "variant__sku"
    ):
        skus[code].append(sku)
    warehouses = [w for w in Warehouse.objects.values_list("code", flat=True) if skus.get(w)]
    couriers = [(c.code, c.services or ["REG"]) for c in Courier.objects.filter(active=True)]
    existing = list(Customer.objects.order_by("?").values_list("name", "phone", "address")[:2000])
    agents = [f"agent{i:02d}" for i in range(1, 11)]
    out = []
    for i in range(n):
        if existing and rng.random() < 0.3:
            name, phone, address = rng.choice(existing)
            phone = "0" + phone[3:] if rng.random() < 0.5 else phone
        else:
            name = f"{rng.choice(demo.FIRST_NAMES)} {rng.choice(demo.LAST_NAMES)}".strip()
            # 0899 + 8 digits: a valid Indonesian mobile range the generator does not use.
            phone = f"0899{seed % 100:02d}{i:06d}"
            city = rng.choice(demo.CITIES)[0]
            address = f"{rng.choice(demo.STREETS)} No. {rng.randint(1, 250)}, {city}"
        warehouse = rng.choice(warehouses)
        lines = [
            {"sku": sku, "qty": rng.choices((1, 2, 3), weights=(70, 22, 8))[0]}
            for sku in rng.sample(
                skus[warehouse], min(len(skus[warehouse]), rng.choice((1, 2, 3, 3, 4, 5)))
            )
        ]
        courier, services = rng.choice(couriers)
        body = {
            "customer": {"name": name, "phone": phone, "address": address},
            "lines": lines,
            "payment_method": rng.choices(
                ("cod", "bank_transfer", "payment_gateway", "invoice"), weights=(58, 30, 8, 4)
            )[0],
            "warehouse": warehouse,
            "courier": courier,
            "courier_service": rng.choice(services),
            "shipping_cost": rng.choice((9000, 10000, 18000, 22000, 36000)),
            "agent": rng.choice(agents),
        }
        if rng.random() < 0.15:
            body["discount"] = rng.choice((5000, 10000))
        if rng.random() < 0.1:
            body["tags"] = [rng.choice(("VIP", "Reseller", "Prioritas"))]
        if rng.random() < 0.1:
            body["note"] = "Tolong dikirim secepatnya ya kak"
        if rng.random() < 0.3:
            body["customer"]["email"] = f"bench{seed}.{i}@example.com"
        out.append(body)
    return out


def start_gunicorn(port: int, workers: int, threads: int, log: Path) -> subprocess.Popen:
    cmd = [
        str(BIN / "gunicorn"),
        "config.wsgi:application",
        "--bind",
        f"127.0.0.1:{port}",
        "--workers",
        str(workers),
        "--threads",
        str(threads),
        "--graceful-timeout",
        "5",
    ]
    fh = open(log, "w")  # closed with the process
    return subprocess.Popen(
        cmd, cwd=ROOT, stdout=fh, stderr=subprocess.STDOUT, env=os.environ.copy()
    )


def wait_ready(base: str, proc: subprocess.Popen, timeout: float = 60) -> None:
    import httpx

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"gunicorn exited with {proc.returncode}")
        try:
            if httpx.get(base + "/api/v1/openapi.json", timeout=5).status_code < 500:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.3)
    raise RuntimeError("gunicorn did not answer in time")


def stop(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def post_all(base: str, token: str, work: list[dict], clients: int) -> tuple[list, list]:
    """POST every body from `clients` threads; (latencies in ms, [(status, text)] of failures)."""
    import httpx

    latencies, failures = [], []
    lock = threading.Lock()
    it = iter(work)

    def client():
        headers = {"Authorization": f"Bearer {token}"}
        with httpx.Client(base_url=base, timeout=120) as http:
            while True:
                with lock:
                    body = next(it, None)
                if body is None:
                    return
                started = time.perf_counter()
                try:
                    r = http.post(
                        "/api/v1/orders",
                        json=body,
                        headers={**headers, "Idempotency-Key": uuid.uuid4().hex},
                    )
                    status, text = r.status_code, r.text[:300]
                except httpx.HTTPError as exc:
                    status, text = 0, repr(exc)
                ms = (time.perf_counter() - started) * 1000
                with lock:
                    latencies.append(ms)
                    if status != 201:
                        failures.append((status, text))

    threads = [threading.Thread(target=client) for _ in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return latencies, failures


def in_process(work: list[dict], warmup: int) -> dict:
    """Each body POSTed through Django's test client (every middleware, a bearer token, an
    Idempotency-Key), one after another: the thread's CPU per request and inside the
    write block (api.idempotency.Claim.write_once: from the transaction's BEGIN to its
    COMMIT, the part SQLite serialises), and the statements of each."""
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from tokodesk.accounts.models import ApiToken
    from tokodesk.api import idempotency

    raw = ApiToken.issue(get_user_model().objects.get(username="owner"), name="bench-api")[1]
    client = Client(HTTP_AUTHORIZATION=f"Bearer {raw}", HTTP_HOST="127.0.0.1")
    block = [0.0]
    write_once = idempotency.Claim.write_once

    def timed(self, write):
        t0 = time.thread_time()
        try:
            return write_once(self, write)
        finally:
            block[0] += time.thread_time() - t0

    idempotency.Claim.write_once = timed
    cpu, locked, statements, failures = [], [], [], []
    try:
        for i, body in enumerate(work):
            block[0] = 0.0
            t0 = time.thread_time()
            with CaptureQueriesContext(connection) as ctx:
                r = client.post(
                    "/api/v1/orders",
                    body,
                    content_type="application/json",
                    headers={"Idempotency-Key": uuid.uuid4().hex},
                )
            spent = time.thread_time() - t0
            if r.status_code != 201:
                failures.append((r.status_code, r.content[:300].decode()))
            elif i >= warmup:
                cpu.append(spent * 1000)
                locked.append(block[0] * 1000)
                statements.append(len(ctx.captured_queries))
    finally:
        idempotency.Claim.write_once = write_once
        ApiToken.objects.filter(name="bench-api").delete()
    n = len(cpu)
    cpu_ms, locked_ms = sum(cpu) / n, sum(locked) / n
    return {
        "count": n,
        "cpu_ms_per_order": round(cpu_ms, 2),
        "cpu_ms_p50": round(pct(cpu, 0.5), 2),
        "write_block_cpu_ms_per_order": round(locked_ms, 2),
        "write_block_share": round(locked_ms / cpu_ms, 3),
        "statements_per_order": round(sum(statements) / n, 2),
        # Two cores, and SQLite's one writer: whichever is lower bounds orders/s.
        "ceiling_cpu_2_cores_orders_per_s": round(2000 / cpu_ms),
        "ceiling_write_lock_orders_per_s": round(1000 / locked_ms) if locked_ms else None,
        "failures": len(failures),
        "failure_samples": failures[:5],
    }


def main(argv=None) -> int:
    args = parse_args(argv)
    setup_django(args.database_url)
    if args.in_process:
        return main_in_process(args)
    from django.db import connection

    from tokodesk.accounts.models import ApiToken
    from tokodesk.orders.models import Order

    meta = context()
    print(
        f"API order creation on {meta['database']} {meta['version']} ({meta['orders']:,} orders): "
        f"gunicorn {args.workers} workers x {args.threads} threads, {args.clients} clients, "
        f"{args.warmup} + {args.count} orders; load average {meta['load_average']}",
        flush=True,
    )
    work = bodies(args.warmup + args.count, args.seed)
    token = subprocess.run(
        [str(BIN / "tokodesk"), "createtoken", "owner", "--name", "bench-api"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    before = Order.objects.count()
    connection.close()  # no open transaction or lock of ours while gunicorn writes

    port = free_port()
    base = f"http://127.0.0.1:{port}"
    log = Path(os.environ.get("TMPDIR", "/tmp")) / f"tokodesk-bench-gunicorn-{os.getpid()}.log"
    proc = start_gunicorn(port, args.workers, args.threads, log)
    try:
        wait_ready(base, proc, timeout=240)  # a loaded machine builds the API schemas slowly
        _lat, failures = post_all(base, token, work[: args.warmup], min(args.clients, 4))
        if failures:
            print(f"warm-up failed: {failures[:3]}", file=sys.stderr)
            return 1
        cpu_server0, cpu_client0 = tree_cpu_seconds(proc.pid), time.process_time()
        load0 = os.getloadavg()[0]
        started = time.perf_counter()
        latencies, failures = post_all(base, token, work[args.warmup :], args.clients)
        seconds = time.perf_counter() - started
        cpu_server = tree_cpu_seconds(proc.pid) - cpu_server0
        cpu_client = time.process_time() - cpu_client0
        load1 = os.getloadavg()[0]
    finally:
        stop(proc)
    after = Order.objects.count()
    ApiToken.objects.filter(name="bench-api").delete()
    grown = after - before
    ok = not failures and grown == args.warmup + args.count
    rate = args.count / seconds
    res = {
        "count": args.count,
        "warmup": args.warmup,
        "clients": args.clients,
        "workers": args.workers,
        "threads": args.threads,
        "seconds": round(seconds, 2),
        "orders_per_s": round(rate, 1),
        "p50": round(pct(latencies, 0.5), 1),
        "p95": round(pct(latencies, 0.95), 1),
        "max": round(max(latencies), 1),
        "server_cpu_seconds": round(cpu_server, 2),
        "server_cpu_ms_per_order": round(cpu_server * 1000 / args.count, 1),
        "client_cpu_seconds": round(cpu_client, 2),
        "failures": len(failures),
        "failure_samples": failures[:5],
        "orders_before": before,
        "orders_after": after,
        "load_average_during": [round(load0, 2), round(load1, 2)],
        "ok": ok,
    }
    print(
        f"{args.count:,} orders in {seconds:.1f} s: {rate:,.0f} orders/s; latency p50 {res['p50']:.0f} "
        f"p95 {res['p95']:.0f} max {res['max']:.0f} ms; gunicorn CPU {cpu_server:.1f} s "
        f"({res['server_cpu_ms_per_order']} ms/order), client CPU {cpu_client:.1f} s; "
        f"target >= {TARGET_ORDERS_S:.0f}/s: {'ok' if rate >= TARGET_ORDERS_S else 'OVER'}"
    )
    print(
        f"check: {len(failures)} non-201 answers, orders {before:,} -> {after:,} "
        f"(+{grown:,}, expected +{args.warmup + args.count:,}): {'ok' if ok else 'MISMATCH'}"
    )
    if failures:
        print("first failures:", failures[:3])
        print(f"gunicorn log: {log}")
    else:
        log.unlink(missing_ok=True)
    meta["load_average_after"] = round(os.getloadavg()[0], 2)
    out = (
        Path(args.out)
        if args.out
        else RESULTS / f"api-create-{meta['database']}-{meta['orders']}.json"
    )
    write_json(out, {"meta": meta, "targets": {"orders_per_s": TARGET_ORDERS_S}, "result": res})
    print(f"wrote {shown(out)}")
    return 0 if ok else 1


def main_in_process(args) -> int:
    from tokodesk.orders.models import Order

    meta = context()
    print(
        f"API order creation in process on {meta['database']} {meta['version']} "
        f"({meta['orders']:,} orders): {args.warmup} + {args.in_process} creates one after "
        f"another; load average {meta['load_average']}",
        flush=True,
    )
    before = Order.objects.count()
    res = in_process(bodies(args.warmup + args.in_process, args.seed), args.warmup)
    res["orders_grown"] = Order.objects.count() - before
    ok = not res["failures"] and res["orders_grown"] == args.warmup + args.in_process
    res["ok"] = ok
    print(
        f"CPU {res['cpu_ms_per_order']} ms/order (p50 {res['cpu_ms_p50']}), of which "
        f"{res['write_block_cpu_ms_per_order']} ms in the write block "
        f"({res['write_block_share']:.0%}); {res['statements_per_order']} statements/order. "
        f"Ceilings: 2 cores / CPU = {res['ceiling_cpu_2_cores_orders_per_s']}/s, "
        f"1 / write block = {res['ceiling_write_lock_orders_per_s']}/s "
        f"(gunicorn and HTTP add CPU per request on top)"
    )
    if res["failures"]:
        print("first failures:", res["failure_samples"][:3])
    meta["load_average_after"] = round(os.getloadavg()[0], 2)
    out = (
        Path(args.out)
        if args.out
        else RESULTS / f"api-create-in-process-{meta['database']}-{meta['orders']}.json"
    )
    write_json(out, {"meta": meta, "result": res})
    print(f"wrote {shown(out)}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
