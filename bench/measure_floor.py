"""The API list against its floor, in the same run (issue 16): how far the real app is
from what our own stack can do over the same data.

    .venv/bin/python bench/measure_floor.py [--database-url URL] [--runs 60] [--warmup 5]
        [--workers 2] [--threads 4] [--out FILE]

Reads only. Steps:

1. for every tab, the SQL the real app runs for the first page of GET /api/v1/orders?tab=…
   as the owner (captured in this process, with its values inlined) goes to a file for
   the floor;
2. two gunicorns as `make run` serves the app (2 workers x 4 threads) on free loopback
   ports: the real app (config.wsgi) and the floor (bench/floor_app.py: one django-ninja
   endpoint, no middleware, no authentication, no schema, the same orders query, then the
   page's lines and tags by one raw query each);
3. one client, sequential, a new TCP connection per request (Connection: close), as a
   script or an integration would call: --warmup requests of each kind, then --runs rounds,
   each round one request of every kind, floor and app alternating, so that both see the
   same load of the shared machine: per tab the floor's list and the app's list (token in
   the Authorization header), the app's order detail (GET /api/v1/orders/<ref>, a different
   order of the first page each time) and its tab counts.

Reported, ms as the client sees it: p50/p95 of each; per tab the ratio app p95 / floor p95.
Targets (issue 16): app list p95 <= 2x the floor's p95, detail p95 <= 8 ms, tab counts
p95 <= 5 ms. Results: bench/results/floor-<db>-<orders>.json unless --out.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import RESULTS, ROOT, context, pct, setup_django, shown, write_json  # noqa: E402
from measure_api_create import free_port, stop  # noqa: E402

BIN = Path(sys.executable).parent


def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--database-url")
    p.add_argument("--runs", type=int, default=60)
    p.add_argument("--warmup", type=int, default=5)
    p.add_argument("--workers", type=int, default=2)
    p.add_argument("--threads", type=int, default=4)
    p.add_argument("--out")
    return p.parse_args(argv)


def capture_sql(owner) -> dict[str, str]:
    """tab -> the SQL of the orders query of the app's first page (values inlined)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tokodesk.orders.api import ListQuery, order_page
    from tokodesk.orders.tabs import TABS

    out = {}
    for tab in TABS:
        with CaptureQueriesContext(connection) as ctx:
            order_page(owner, ListQuery(tab=tab))
        sqls = [q["sql"] for q in ctx.captured_queries if '"orders_order"."reference"' in q["sql"]]
        assert len(sqls) == 1, (tab, sqls)
        out[tab] = sqls[0]
    return out


def gunicorn(app: str, port: int, args, log: Path, cwd: Path) -> subprocess.Popen:
    cmd = [
        str(BIN / "gunicorn"),
        app,
        "--bind",
        f"127.0.0.1:{port}",
        "--workers",
        str(args.workers),
        "--threads",
        str(args.threads),
        "--graceful-timeout",
        "5",
    ]
    fh = open(log, "w")  # closed with the process
    return subprocess.Popen(
        cmd, cwd=cwd, stdout=fh, stderr=subprocess.STDOUT, env=os.environ.copy()
    )


def get(port: int, path: str, headers: dict) -> float:
    """One GET on a new connection; ms until the whole body is read. Fails on non-200."""
    start = time.perf_counter()
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    conn.request("GET", path, headers={"Connection": "close", **headers})
    resp = conn.getresponse()
    body = resp.read()
    conn.close()
    elapsed = (time.perf_counter() - start) * 1000
    if resp.status != 200:
        raise RuntimeError(f"{path}: {resp.status} {body[:300]!r}")
    return elapsed


def main(argv=None) -> int:
    args = parse_args(argv)
    setup_django(args.database_url)
    from django.contrib.auth import get_user_model
    from django.db import connection

    from tokodesk.orders.models import Order
    from tokodesk.orders.tabs import TABS

    ctx = context()
    owner = get_user_model().objects.get(username="owner")
    sql = capture_sql(owner)
    refs = list(
        Order.objects.order_by("-created_at", "-id").values_list("reference", flat=True)[:50]
    )
    token = subprocess.run(
        [str(BIN / "tokodesk"), "createtoken", "owner", "--name", "bench-floor"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    connection.close()

    tmp = Path(tempfile.mkdtemp(prefix="tokodesk-floor-"))
    sql_file = tmp / "floor-sql.json"
    sql_file.write_text(json.dumps(sql))
    os.environ["FLOOR_SQL"] = str(sql_file)
    app_port, floor_port = free_port(), free_port()
    app = gunicorn("config.wsgi:application", app_port, args, tmp / "app.log", ROOT)
    floor = gunicorn("floor_app:application", floor_port, args, tmp / "floor.log", ROOT / "bench")
    auth = {"Authorization": f"Bearer {token}"}
    kinds = [(f"floor {tab}", floor_port, f"/floor/orders?tab={tab}", {}) for tab in TABS]
    kinds += [(f"app {tab}", app_port, f"/api/v1/orders?tab={tab}", auth) for tab in TABS]
    kinds += [
        ("app detail", app_port, None, auth),
        ("app tab counts", app_port, "/api/v1/orders/tab-counts", auth),
    ]
    times: dict[str, list[float]] = {k[0]: [] for k in kinds}
    try:
        # Ready when each answers a real request (the app's OpenAPI document, which
        # wait_ready asks for, takes a second of CPU: long on a loaded machine).
        for proc, port, path, headers in ((app, app_port, "/api/v1/orders?limit=1", auth),
                                          (floor, floor_port, "/floor/orders?tab=all", {})):
            deadline = time.monotonic() + 300
            while True:
                try:
                    get(port, path, headers)
                    break
                except (OSError, RuntimeError, http.client.HTTPException):
                    if proc.poll() is not None or time.monotonic() > deadline:
                        raise
                    time.sleep(0.5)
        order = [
            k
            for pair in zip(kinds[: len(TABS)], kinds[len(TABS) : 2 * len(TABS)], strict=True)
            for k in pair
        ] + kinds[2 * len(TABS) :]
        for i in range(args.warmup + args.runs):
            for name, port, path, headers in order:
                path = path or f"/api/v1/orders/{refs[i % len(refs)]}"
                ms = get(port, path, headers)
                if i >= args.warmup:
                    times[name].append(ms)
    finally:
        stop(app)
        stop(floor)

    summary = {
        name: {"p50": round(pct(v, 0.5), 2), "p95": round(pct(v, 0.95), 2), "n": len(v)}
        for name, v in times.items()
    }
    ratios = {
        tab: round(summary[f"app {tab}"]["p95"] / summary[f"floor {tab}"]["p95"], 2) for tab in TABS
    }
    result = {
        **ctx,
        "load_average_end": round(os.getloadavg()[0], 2),
        "runs": args.runs,
        "workers": args.workers,
        "threads": args.threads,
        "times": summary,
        "ratio_p95": ratios,
        "targets": {"ratio_p95": 2.0, "detail_p95": 8.0, "tab_counts_p95": 5.0},
    }
    print(f"{ctx['database']} {ctx['orders']} orders, load {ctx['load_average']}")
    print(f"{'tab':<16}{'floor p50/p95':>16}{'app p50/p95':>16}{'ratio p95':>11}")
    for tab in TABS:
        f, a = summary[f"floor {tab}"], summary[f"app {tab}"]
        print(
            f"{tab:<16}{f['p50']:>8.1f}/{f['p95']:<7.1f}{a['p50']:>8.1f}/{a['p95']:<7.1f}{ratios[tab]:>9.2f}"
        )
    for name in ("app detail", "app tab counts"):
        print(f"{name:<16}{'':>16}{summary[name]['p50']:>8.1f}/{summary[name]['p95']:<7.1f}")
    out = Path(args.out) if args.out else RESULTS / f"floor-{ctx['database']}-{ctx['orders']}.json"
    print(shown(write_json(out, result)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
