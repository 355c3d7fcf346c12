"""A flash sale on a landing page: N buyers each load the page and submit the COD form,
K at once, against gunicorn as `make run` serves it (issue 16).

    .venv/bin/python bench/measure_flash_sale.py [--database-url URL] [--buyers 2000]
        [--concurrency 16] [--page SLUG] [--double 0.05] [--workers 2] [--threads 4] [--out FILE]

It ADDS --buyers (+ --warmup) orders to the database and raises the stock of the page's
variants so that the sale cannot sell out (bench data, written directly). Steps:

1. start gunicorn as `make run` does (config.wsgi, 2 workers x 4 threads) on a free
   loopback port, with TOKODESK_CLIENT_IP_HEADER=HTTP_X_REAL_IP so that each buyer has an
   address of its own (the per-IP rate limit is counted as in production: one row read per
   submit, never reached);
2. each buyer, on a new connection (a new browser): GET /p/<slug>/, read the form's
   one-time token and CSRF token, POST the form (name, phone, address, a district picked
   at random so the shipping is quoted, a variant in stock, quantity 1-2, COD), expect the
   303 to the thank-you page, GET it. --double of the buyers press the button twice (the
   same form sent again) and must land on the same thank-you page;
3. K buyers run at once (threads) until N have bought.

Reported: orders/s over the timed buyers (whole flow: page, submit, thank-you), latency
p50/p95 of the page load, the submit (POST -> 303) and the thank-you page, CPU of
gunicorn's processes per order. Checked: every submit answered 303, the page's orders grew
by exactly the buyers (double submits made nothing), every thank-you token is a different
order, and the orders went to the page's active agents in turn (round robin by id,
continuing from the agent before the sale). Target (issue 16): >= 120 orders/s with 16
buyers at once on SQLite, submit p95 <= 150 ms.
Results: bench/results/flash-sale-<db>-<orders>.json unless --out.

Ceiling on SQLite (issue 16): submits are serial only while the page's write transaction
is open (storefront.services._submit: 11 statements, ~5.7 ms of CPU in process on a loaded
machine), so the lock alone allows ~175 submits/s; a buyer costs three requests (page,
submit, thank-you), and on 2 cores 120 orders/s needs <= ~16 ms of CPU per buyer. Measured
on 20k orders, loaded machine (load 12-21), the session's start (d686140) and after its cuts
(the page GET served from a per-process render keyed by the values it shows,
storefront.page_cache; the thank-you page from values; SQLite connections kept between
requests), alternated in the same run:
- in process (bench/profile_landing.py, 150 buyers): page 14-17 -> 2.8-3.3 ms, submit 22-26
  -> 14-16 ms, thank-you 11-13 -> 5-6 ms: a buyer 48-57 -> 22-25 ms;
- through gunicorn (this script, 300 buyers, 16 at once): 61.5 / 71.1 -> 41.8 / 48.7 ms of
  gunicorn CPU per order (the load inflates both; the quiet figure before was 41 ms).
So the ceiling is now the submit (form, order_prepare and order_create through the ORM:
~14 ms, 20 statements) and gunicorn's own per-request work (HTTP, WSGI, middleware: the gap
between its CPU and the in-process sum), not the templates. Report the gunicorn CPU per
order beside the rate: it moves less with the machine's load.

The client (later, 180b746): each buyer's new httpx.Client built an SSL context (the CA
bundle, ~24 ms of CPU) though the bench speaks plain HTTP, and the client's 16 threads share
one GIL: it saturated a core at ~30 buyers/s (the quiet figure was 29 orders/s). verify=False
leaves it ~4.5 ms a buyer (client CPU is printed); quiet, 3.3 ms a buyer at 111 orders/s, a
third of what the 2 cores had left. Since then the buyers use the standard library's
http.client (StdlibBrowser: a new connection per buyer, its cookies, no redirect followed),
~1.3 ms a buyer; `--client httpx` keeps the old client to compare. --trace (write_trace.py) times each write
transaction in the server: on the loaded machine (load 8-20, 2 cores) its span BEGIN ->
COMMIT is p50 19-47 ms for 2.8-3.7 ms of its thread's CPU: the holder waits for the cores
and for the GIL (each statement releases it; a thread that takes it keeps it up to the 5 ms
switch interval). sys.setswitchinterval(0.5 ms) shortened the spans (p50 16-22 ms) but cost
more CPU per buyer (23 -> 29-33 ms); 4 workers x 2 threads cost 25 ms a buyer against 22-24
for 2 x 4. On 2 cores with the client on the same machine, 120 orders/s needs server +
client <= ~16.5 ms of CPU a buyer.
"""

from __future__ import annotations

import argparse
import os
import random
import re
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import RESULTS, ROOT, context, pct, setup_django, shown, write_json  # noqa: E402
from measure_api_create import (  # noqa: E402
    BIN,
    free_port,
    stop,
    tree_cpu_seconds,
    wait_ready,
)

TARGET_ORDERS_S = 120.0
TARGET_SUBMIT_P95 = 150.0

TOKEN_RE = re.compile(
    r'name="form_token"[^>]*value="([^"]+)"|value="([^"]+)"[^>]*name="form_token"'
)
CSRF_RE = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
SKU_RE = re.compile(r'name="variant" value="([^"]+)"[^>]*data-available="(\d+)"')


def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--database-url")
    p.add_argument("--buyers", type=int, default=2000, help="timed buyers (default 2000)")
    p.add_argument("--warmup", type=int, default=40, help="untimed buyers first (default 40)")
    p.add_argument("--concurrency", type=int, default=16, help="buyers at once (default 16)")
    p.add_argument("--page", help="landing page slug (default: the first active one with COD)")
    p.add_argument("--double", type=float, default=0.05, help="share of buyers who submit twice")
    p.add_argument("--workers", type=int, default=2)
    p.add_argument("--threads", type=int, default=4)
    p.add_argument("--seed", type=int, default=16)
    p.add_argument(
        "--trace",
        action="store_true",
        help="time each write transaction and request in the server (bench/write_trace.py)",
    )
    p.add_argument(
        "--client",
        choices=("stdlib", "httpx"),
        default="stdlib",
        help="the buyers' HTTP client (default stdlib: ~1 ms of CPU a buyer; httpx ~3.3)",
    )
    p.add_argument("--out")
    return p.parse_args(argv)


def prepare(slug: str | None, stock_needed: int):
    """The page, its agents in round-robin order, the district ids to ship to; the page's
    stock raised so the sale does not sell out."""
    from django.db.models import F

    from tokodesk.catalog.models import Stock, Variant
    from tokodesk.shipping.models import District
    from tokodesk.storefront.models import LandingPage

    pages = LandingPage.objects.filter(active=True, product__active=True).order_by("pk")
    page = (
        pages.get(slug=slug)
        if slug
        else next(p for p in pages if "cod" in (p.payment_methods or []))
    )
    variants = list(
        Variant.objects.filter(product_id=page.product_id, active=True).values_list("pk", flat=True)
    )
    stock = Stock.objects.filter(variant_id__in=variants)
    if page.warehouse_id:
        stock = stock.filter(warehouse_id=page.warehouse_id)
    stock.update(on_hand=F("reserved") + stock_needed)
    agents = list(page.agents.filter(is_active=True).order_by("pk").values_list("pk", flat=True))
    districts = list(District.objects.values_list("pk", flat=True)[:5000])
    return page, agents, districts


def buyer_form(i: int, rng: random.Random, districts: list[int]) -> dict:
    from tokodesk.ops import demo

    city = rng.choice(demo.CITIES)[0]
    return {
        "name": f"{rng.choice(demo.FIRST_NAMES)} {rng.choice(demo.LAST_NAMES)}".strip(),
        # 0898 + 8 digits: a mobile range neither the generator nor the API bench uses.
        "phone": f"0898{i:08d}",
        "address": f"{rng.choice(demo.STREETS)} No. {rng.randint(1, 250)}, {city}",
        "city": city,
        "district": str(rng.choice(districts)) if districts else "",
        "qty": str(rng.choices((1, 2), weights=(85, 15))[0]),
        "payment_method": "cod",
        "note": "",
        "website": "",
    }


class StdlibBrowser:
    """One buyer's browser on the standard library: one new connection (kept alive for the
    buyer's requests, as httpx's client does), its cookies sent back, redirects not
    followed. ~1 ms of client CPU per buyer where httpx costs ~3.3 (measured quiet,
    2026-12-04): the client shares the server's 2 cores, so a heavy client caps the
    measured rate (`--client httpx` keeps the old one to compare)."""

    class Response:
        def __init__(self, status: int, headers, body: bytes):
            self.status_code = status
            self.headers = {k.lower(): v for k, v in headers.items()}
            self.text = body.decode("utf-8", "replace")

    def __init__(self, base: str):
        from urllib.parse import urlsplit

        parts = urlsplit(base)
        self.host, self.port = parts.hostname, parts.port
        self.cookies: dict[str, str] = {}
        self.conn = None

    def __enter__(self):
        import http.client

        self.conn = http.client.HTTPConnection(self.host, self.port, timeout=120)
        return self

    def __exit__(self, *exc):
        self.conn.close()

    def _send(self, method: str, url: str, headers: dict, body: bytes | None = None):
        from urllib.parse import urlsplit

        parts = urlsplit(url)
        path = parts.path + (f"?{parts.query}" if parts.query else "")
        headers = dict(headers)
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        if body is not None:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        self.conn.request(method, path, body=body, headers=headers)
        r = self.conn.getresponse()
        data = r.read()
        for cookie in r.headers.get_all("Set-Cookie") or ():
            name, _, value = cookie.split(";", 1)[0].partition("=")
            self.cookies[name.strip()] = value.strip()
        return self.Response(r.status, r.headers, data)

    def get(self, url: str, headers: dict):
        return self._send("GET", url, headers)

    def post(self, url: str, data: dict, headers: dict):
        from urllib.parse import urlencode

        return self._send("POST", url, headers, urlencode(data).encode())


def run_buyers(
    base: str,
    slug: str,
    forms: list[tuple[int, dict, bool]],
    concurrency: int,
    client: str = "stdlib",
) -> dict:
    """Each (ip index, form, double) is one buyer on a new connection; returns latencies and
    the thank-you location of each buyer (None on failure)."""
    import http.client as http_client

    import httpx

    out = {
        "page": [],
        "submit": [],
        "thanks": [],
        "failures": [],
        "locations": [],
        "doubles_ok": 0,
        "doubles": 0,
    }
    lock = threading.Lock()
    it = iter(forms)

    def one(http, ip_index, data, double):
        ip = f"10.{(ip_index >> 16) & 255}.{(ip_index >> 8) & 255}.{ip_index & 255}"
        headers = {"X-Real-IP": ip}
        t0 = time.perf_counter()
        r = http.get(f"/p/{slug}/", headers=headers)
        t1 = time.perf_counter()
        if r.status_code != 200:
            return ("page", r.status_code, r.text[:200]), None, None
        m, c = TOKEN_RE.search(r.text), CSRF_RE.search(r.text)
        skus = [s for s, avail in SKU_RE.findall(r.text) if int(avail) > 0]
        if not (m and c and skus):
            return ("page", r.status_code, "no token, csrf or variant in the page"), None, None
        body = {
            **data,
            "form_token": m.group(1) or m.group(2),
            "csrfmiddlewaretoken": c.group(1),
            "variant": skus[ip_index % len(skus)],
        }
        headers["Referer"] = f"{base}/p/{slug}/"
        r = http.post(f"/p/{slug}/", data=body, headers=headers)
        t2 = time.perf_counter()
        if r.status_code != 303:
            return ("submit", r.status_code, r.text[:300]), None, None
        location = r.headers["location"]
        again = None
        if double:
            r2 = http.post(f"/p/{slug}/", data=body, headers=headers)
            again = r2.status_code == 303 and r2.headers.get("location") == location
        t3 = time.perf_counter()
        r = http.get(location, headers=headers)
        t4 = time.perf_counter()
        if r.status_code != 200:
            return ("thanks", r.status_code, r.text[:200]), None, None
        return None, (t1 - t0, t2 - t1, t4 - t3, location), again

    def worker():
        while True:
            with lock:
                item = next(it, None)
            if item is None:
                return
            ip_index, data, double = item
            # A new browser: a new client, so a new connection. verify=False: the bench speaks
            # plain HTTP, and httpx otherwise builds an SSL context (the CA bundle) for each
            # client: ~24 ms of the client's CPU per buyer, more than the server's per buyer.
            browser = (
                StdlibBrowser(base)
                if client == "stdlib"
                else httpx.Client(base_url=base, timeout=120, verify=False)
            )
            with browser as http:
                try:
                    failure, timing, again = one(http, ip_index, data, double)
                except (httpx.HTTPError, OSError, http_client.HTTPException) as exc:
                    failure, timing, again = ("http", 0, repr(exc)), None, None
            with lock:
                if failure:
                    out["failures"].append(failure)
                    out["locations"].append(None)
                    continue
                page_s, submit_s, thanks_s, location = timing
                out["page"].append(page_s * 1000)
                out["submit"].append(submit_s * 1000)
                out["thanks"].append(thanks_s * 1000)
                out["locations"].append(location)
                if double:
                    out["doubles"] += 1
                    out["doubles_ok"] += bool(again)

    threads = [threading.Thread(target=worker) for _ in range(concurrency)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return out


def check_round_robin(
    page_id: int, first_new_id: int, agents: list[int], last_index_before: int
) -> dict:
    """The page's orders made since first_new_id, by id, went to agents[(last+1+i) % n]."""
    from tokodesk.orders.models import Order

    got = list(
        Order.objects.filter(landing_page_id=page_id, pk__gte=first_new_id)
        .order_by("pk")
        .values_list("assigned_agent_id", flat=True)
    )
    n = len(agents)
    expected = (
        [agents[(last_index_before + 1 + i) % n] for i in range(len(got))]
        if n
        else [None] * len(got)
    )
    wrong = sum(1 for a, b in zip(got, expected, strict=True) if a != b)
    return {"orders": len(got), "out_of_turn": wrong}


def start_gunicorn(port: int, workers: int, threads: int, log: Path, trace: bool = False):
    """gunicorn as `make run` starts it (without its access log), on `port`; with `trace`,
    with bench/write_trace.py as its config (hooks only: the same workers and threads)."""
    import subprocess

    cmd = [str(BIN / "gunicorn"), "config.wsgi:application", "--bind", f"127.0.0.1:{port}"]
    cmd += ["--workers", str(workers), "--threads", str(threads), "--graceful-timeout", "5"]
    if trace:
        cmd += ["-c", str(Path(__file__).resolve().parent / "write_trace.py")]
    fh = open(log, "w")  # closed with the process
    return subprocess.Popen(
        cmd, cwd=ROOT, stdout=fh, stderr=subprocess.STDOUT, env=os.environ.copy()
    )


def read_trace(trace_dir: Path, started: float, ended: float, buyers: int) -> dict:
    """The workers' traces (bench/write_trace.py) of the timed buyers: the write
    transactions' waits and spans (ms), and each request kind's wall and CPU (ms)."""
    import json

    txs, reqs = [], []
    for f in sorted(trace_dir.glob("*.json")):
        data = json.loads(f.read_text())
        txs += [t for t in data["transactions"] if started <= t["ask"] <= ended]
        reqs += [r for r in data["requests"] if started <= r["start"] <= ended]
        f.unlink()
    trace_dir.rmdir()
    busy = sum(t["span"] for t in txs)

    def ms(values):
        return summary([v * 1000 for v in values])

    kinds: dict[str, list] = {}
    for r in reqs:
        kind = r["path"].split(" ", 1)[0] + (
            " thanks" if "/thanks/" in r["path"] or "/t/" in r["path"] else ""
        )
        kinds.setdefault(kind, []).append(r)
    return {
        "transactions": len(txs),
        "per_buyer": round(len(txs) / buyers, 2),
        "lock_wait_ms": ms([t["lock_wait"] for t in txs]),
        "begin_wait_ms": ms([t["begin_wait"] for t in txs]),
        "span_ms": ms([t["span"] for t in txs]),
        "span_cpu_ms": ms([t["span_cpu"] for t in txs]),
        "writer_busy_share": round(busy / (ended - started), 3),
        "requests": {
            k: {
                "n": len(v),
                "wall_ms": ms([r["wall"] for r in v]),
                "cpu_ms": ms([r["cpu"] for r in v]),
                "cpu_mean_ms": round(sum(r["cpu"] for r in v) * 1000 / len(v), 2),
            }
            for k, v in sorted(kinds.items())
        },
    }


def print_trace(trace: dict) -> None:
    def f(d):
        return f"p50 {d['p50']} p95 {d['p95']} max {d['max']}"

    print(
        f"write transactions: {trace['transactions']} ({trace['per_buyer']} a buyer); the writer busy "
        f"{trace['writer_busy_share']:.0%} of the run"
    )
    print(f"  wait for the process's lock (ms): {f(trace['lock_wait_ms'])}")
    print(f"  BEGIN polling, other process (ms): {f(trace['begin_wait_ms'])}")
    print(
        f"  span BEGIN -> COMMIT (ms): {f(trace['span_ms'])}; thread CPU in it: {f(trace['span_cpu_ms'])}"
    )
    for kind, r in trace["requests"].items():
        print(
            f"  {kind:12s} {r['n']:5d} requests: wall {f(r['wall_ms'])}; CPU {f(r['cpu_ms'])}, "
            f"mean {r['cpu_mean_ms']}"
        )


def summary(values: list[float]) -> dict:
    if not values:
        return {"p50": None, "p95": None, "max": None}
    return {
        "p50": round(pct(values, 0.5), 1),
        "p95": round(pct(values, 0.95), 1),
        "max": round(max(values), 1),
    }


def main(argv=None) -> int:
    args = parse_args(argv)
    os.environ["TOKODESK_CLIENT_IP_HEADER"] = "HTTP_X_REAL_IP"
    setup_django(args.database_url)
    from django.db import connection
    from django.db.models import Max

    from tokodesk.orders.models import Order
    from tokodesk.storefront.models import LandingPage, LandingSubmission

    meta = context()
    total = args.warmup + args.buyers
    page, agents, districts = prepare(args.page, stock_needed=3 * total + 10)
    print(
        f"Flash sale on {meta['database']} {meta['version']} ({meta['orders']:,} orders), page "
        f"{page.slug} ({len(agents)} agents): gunicorn {args.workers} workers x {args.threads} threads, "
        f"{args.concurrency} buyers at once, {args.warmup} + {args.buyers} buyers, "
        f"{args.double:.0%} submit twice; load average {meta['load_average']}",
        flush=True,
    )
    rng = random.Random(args.seed)
    run_tag = int(time.time()) % 10000
    forms = [
        (
            run_tag * 100000 + i,
            buyer_form(run_tag * 100000 + i, rng, districts),
            rng.random() < args.double,
        )
        for i in range(total)
    ]
    connection.close()

    port = free_port()
    base = f"http://127.0.0.1:{port}"
    log = Path(os.environ.get("TMPDIR", "/tmp")) / f"tokodesk-bench-flash-{os.getpid()}.log"
    trace_dir = None
    if args.trace:
        trace_dir = Path(tempfile.mkdtemp(prefix="tokodesk-flash-trace-"))
        os.environ["FLASH_TRACE_DIR"] = str(trace_dir)
    proc = start_gunicorn(port, args.workers, args.threads, log, trace=args.trace)
    try:
        wait_ready(base, proc, timeout=240)  # a loaded machine builds the API schemas slowly
        warm = run_buyers(
            base, page.slug, forms[: args.warmup], min(args.concurrency, 4), args.client
        )
        if warm["failures"]:
            print(f"warm-up failed: {warm['failures'][:3]}", file=sys.stderr)
            return 1
        before = Order.objects.filter(landing_page_id=page.pk).count()
        first_new_id = (Order.objects.aggregate(m=Max("pk"))["m"] or 0) + 1
        last_index = LandingPage.objects.get(pk=page.pk).last_agent_index
        connection.close()
        cpu0, load0 = tree_cpu_seconds(proc.pid), os.getloadavg()[0]
        client0 = time.process_time()
        started = time.perf_counter()
        res = run_buyers(base, page.slug, forms[args.warmup :], args.concurrency, args.client)
        ended = time.perf_counter()
        seconds = ended - started
        cpu = tree_cpu_seconds(proc.pid) - cpu0
        client_cpu = time.process_time() - client0
        load1 = os.getloadavg()[0]
    finally:
        stop(proc)
    trace = read_trace(trace_dir, started, ended, args.buyers) if trace_dir else None
    after = Order.objects.filter(landing_page_id=page.pk).count()
    locations = [loc for loc in res["locations"] if loc]
    tokens = {loc.rstrip("/").rsplit("/", 1)[1] for loc in locations}
    rr = check_round_robin(page.pk, first_new_id, agents, last_index)
    submissions = LandingSubmission.objects.filter(order_id__gte=first_new_id).count()
    ok = (
        not res["failures"]
        and after - before == args.buyers
        and len(tokens) == args.buyers
        and rr["out_of_turn"] == 0
        and rr["orders"] == args.buyers
        and submissions == args.buyers
        and res["doubles_ok"] == res["doubles"]
    )
    rate = args.buyers / seconds
    result = {
        "buyers": args.buyers,
        "warmup": args.warmup,
        "concurrency": args.concurrency,
        "page": page.slug,
        "agents": len(agents),
        "workers": args.workers,
        "threads": args.threads,
        "seconds": round(seconds, 2),
        "orders_per_s": round(rate, 1),
        "page_ms": summary(res["page"]),
        "submit_ms": summary(res["submit"]),
        "thanks_ms": summary(res["thanks"]),
        "server_cpu_seconds": round(cpu, 2),
        "server_cpu_ms_per_order": round(cpu * 1000 / args.buyers, 1),
        "client": args.client,
        "client_cpu_seconds": round(client_cpu, 2),
        "client_cpu_ms_per_order": round(client_cpu * 1000 / args.buyers, 1),
        "trace": trace,
        "double_submits": res["doubles"],
        "double_submits_same_order": res["doubles_ok"],
        "failures": len(res["failures"]),
        "failure_samples": res["failures"][:5],
        "page_orders_before": before,
        "page_orders_after": after,
        "distinct_thanks": len(tokens),
        "submissions": submissions,
        "round_robin": rr,
        "load_average_during": [round(load0, 2), round(load1, 2)],
        "ok": ok,
    }
    s = result["submit_ms"]
    print(
        f"{args.buyers:,} buyers in {seconds:.1f} s: {rate:,.0f} orders/s; submit p50 {s['p50']} p95 {s['p95']} "
        f"max {s['max']} ms; page p50/p95 {result['page_ms']['p50']}/{result['page_ms']['p95']} ms; "
        f"thank-you p50/p95 {result['thanks_ms']['p50']}/{result['thanks_ms']['p95']} ms; gunicorn CPU "
        f"{cpu:.1f} s ({result['server_cpu_ms_per_order']} ms/order); targets >= {TARGET_ORDERS_S:.0f}/s: "
        f"{'ok' if rate >= TARGET_ORDERS_S else 'UNDER'}, submit p95 <= {TARGET_SUBMIT_P95:.0f} ms: "
        f"{'ok' if s['p95'] is not None and s['p95'] <= TARGET_SUBMIT_P95 else 'OVER'}"
    )
    print(
        f"check: {len(res['failures'])} failures; page orders {before:,} -> {after:,} (+{after - before:,}, "
        f"expected +{args.buyers:,}); {len(tokens):,} distinct thank-you pages; {submissions:,} submissions; "
        f"double submits {res['doubles_ok']}/{res['doubles']} same order; round robin {rr['orders']:,} orders, "
        f"{rr['out_of_turn']} out of turn: {'ok' if ok else 'MISMATCH'}"
    )
    print(f"client CPU {client_cpu:.1f} s ({result['client_cpu_ms_per_order']} ms/order)")
    if trace:
        print_trace(trace)
    if res["failures"]:
        print("first failures:", res["failures"][:3])
        print(f"gunicorn log: {log}")
    else:
        log.unlink(missing_ok=True)
    meta["load_average_after"] = round(os.getloadavg()[0], 2)
    out = (
        Path(args.out)
        if args.out
        else RESULTS / f"flash-sale-{meta['database']}-{meta['orders']}.json"
    )
    write_json(
        out,
        {
            "meta": meta,
            "targets": {"orders_per_s": TARGET_ORDERS_S, "submit_p95_ms": TARGET_SUBMIT_P95},
            "result": result,
        },
    )
    print(f"wrote {shown(out)}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
