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

Ceiling on SQLite (issue 16, measured in process, 2026-12-04, loaded machine): a create
costs ~17-20 ms of CPU, and ~14-17 ms of it (85 %) runs inside one write transaction: the
Idempotency-Key middleware (tokodesk/api/idempotency.py) opens it before the view and
keeps it through token/permission checks, validation, order_prepare's reads, the writes and
the JSON answer it stores. SQLite has one writer, so creates are serial: 1 / ~15 ms =
~65-80 orders/s whatever the workers (what this bench measured). 300/s needs the locked
part under ~3 ms: order_prepare (~45 % of the request) and the checks before the key's
transaction, i.e. the key claimed and the answer stored inside a short write block the
view opens after preparing (concurrent same-key requests must still all get the one
stored answer: tests/served/test_concurrency.py). Without an Idempotency-Key the prepare
already runs before the write transaction (order_create).
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


def main(argv=None) -> int:
    args = parse_args(argv)
    setup_django(args.database_url)
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


if __name__ == "__main__":
    sys.exit(main())
