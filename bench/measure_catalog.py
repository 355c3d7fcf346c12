"""Issue 13's catalog bench: product list, product page (stock grid), low stock and the
stock ledger with 10,000 variants × 5 warehouses and a large ledger; a receipt of 1,000
lines. Part of `make bench`.

    .venv/bin/python bench/measure_catalog.py [--db sqlite,postgresql] [--ledger 10000000]
        [--variants 10000] [--warehouses 5] [--runs 20] [--pg-url postgresql://postgres@127.0.0.1:5432]

For each database: a new temporary data directory (SQLite) or database
`tokodesk_bench_cat_<pid>` on --pg-url (dropped at the end; PostgreSQL is skipped when it
does not answer unless asked for), migrate, then bench data written directly (not through
the services): --variants variants (5 per product, 10 categories) stocked in every one of
--warehouses warehouses, and --ledger receipt movements spread evenly over the stock rows,
one `INSERT … SELECT` over the stock table per round (each round adds one movement to
every stock row), so every stock row's on hand equals the sum of its movements. 3 % of
the stock rows are below their reorder point.

Each page is requested in-process through Django's test Client as the owner, two warm-up
requests, then --runs timed ones: p50 / p95 / max in ms and the number of queries. The
receipt: `receive_stock` (the service the page and the API call) with 1,000 lines, timed
three times. Results: bench/results/catalog-<db>.json.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import RESULTS, ROOT, context, pct, shown, write_json  # noqa: E402

TARGET_MS = 50
RECEIPT_TARGET_S = 2.0


def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument(
        "--db", default=None, help="sqlite,postgresql (default: both if PostgreSQL answers)"
    )
    p.add_argument("--pg-url", default="postgresql://postgres@127.0.0.1:5432")
    p.add_argument("--variants", type=int, default=10_000)
    p.add_argument("--warehouses", type=int, default=5)
    p.add_argument("--ledger", type=int, default=10_000_000)
    p.add_argument("--runs", type=int, default=20)
    p.add_argument(
        "--keep",
        default="",
        help="SQLite only: this data directory, kept (and reused when it has data)",
    )
    p.add_argument(
        "--pg-db",
        default="",
        help="PostgreSQL only: this database on --pg-url, kept (created when missing, reused when it has data)",
    )
    p.add_argument(
        "--profile",
        default="",
        help="after the timed runs, profile each page's requests with cProfile into this directory",
    )
    p.add_argument("--only", default="", help="only the scenarios whose name contains this")
    p.add_argument("--no-receipt", action="store_true", help="skip the 1,000-line receipt")
    p.add_argument("--child", default="", help=argparse.SUPPRESS)
    return p.parse_args(argv)


# --- the data -----------------------------------------------------------------------------


def generate(args) -> dict:
    from django.db import connection, transaction

    from tokodesk.accounts.services import user_create
    from tokodesk.catalog.models import Category, Product, Stock, Variant, Warehouse

    t0 = time.perf_counter()
    owner = user_create(username="owner", role="owner", password="pw-123456")
    with transaction.atomic():
        whs = Warehouse.objects.bulk_create(
            [
                Warehouse(code=f"w{i}", name=f"Gudang {i}", city="Jakarta")
                for i in range(1, args.warehouses + 1)
            ]
        )
        cats = Category.objects.bulk_create([Category(name=f"Kategori {i}") for i in range(10)])
        n_products = args.variants // 5
        products = Product.objects.bulk_create(
            [
                Product(name=f"Produk {i:05d}", slug=f"produk-{i:05d}", category=cats[i % 10])
                for i in range(n_products)
            ],
            batch_size=2000,
        )
        variants = Variant.objects.bulk_create(
            [
                Variant(
                    product=p,
                    sku=f"SKU-{i:05d}-{s}",
                    name=s,
                    price=50000 + i,
                    weight_grams=300,
                    options={"size": s},
                )
                for i, p in enumerate(products)
                for s in ("S", "M", "L", "XL", "XXL")
            ],
            batch_size=2000,
        )
    rows = len(variants) * len(whs)
    rounds = max(1, args.ledger // rows)
    with transaction.atomic():
        Stock.objects.bulk_create(
            [
                Stock(
                    variant=v,
                    warehouse=w,
                    on_hand=rounds,
                    reorder_point=rounds + 1 if (v.pk + w.pk) % 33 == 0 else 0,
                )
                for v in variants
                for w in whs
            ],
            batch_size=5000,
        )
    t_catalog = time.perf_counter() - t0

    if connection.vendor == "sqlite":
        ts = "strftime('%%Y-%%m-%%d %%H:%%M:%%f', '2025-01-01', '+' || (%s * 60 + id %% 60) || ' seconds')"
    else:
        ts = "timestamptz '2025-01-01 00:00:00+00' + (%s * 60 + id %% 60) * interval '1 second'"
    sql = (
        "INSERT INTO catalog_stockmovement (variant_id, warehouse_id, kind, on_hand_change, reserved_change,"
        " on_hand_after, reserved_after, actor_id, created_at, reason, doc_type, doc_id, doc_ref)"
        f" SELECT variant_id, warehouse_id, 'receipt', 1, 0, %s, 0, %s, {ts}, 'CV Pemasok', 'receipt', %s, %s"
        " FROM catalog_stock"
    )
    if connection.vendor == "sqlite":  # bench data: no fsync while loading
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA synchronous=OFF")
    t1 = time.perf_counter()
    for i in range(rounds):
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql, [i + 1, owner.pk, i, i + 1, f"RCV-{i + 1:06d}"])
        if (i + 1) % 20 == 0 or i + 1 == rounds:
            done = (i + 1) * rows
            rate = done / (time.perf_counter() - t1)
            print(f"  ledger {done:,} rows, {rate:,.0f} rows/s", flush=True)
    t_ledger = time.perf_counter() - t1
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return {
        "products": len(products),
        "variants": len(variants),
        "warehouses": len(whs),
        "stock_rows": rows,
        "ledger_rows": rounds * rows,
        "catalog_s": round(t_catalog, 1),
        "ledger_s": round(t_ledger, 1),
        "ledger_rows_per_s": round(rounds * rows / t_ledger),
        "analyze_s": round(time.perf_counter() - t1 - t_ledger, 1),
    }


# --- the measurements ----------------------------------------------------------------------


def scenarios() -> list[tuple[str, str]]:
    from tokodesk.catalog.models import Product, Stock, Warehouse
    from tokodesk.catalog.selectors import ProductFilters, product_list
    from tokodesk.catalog.services.ledger import MovementFilters, movement_page

    mid = Product.objects.order_by("id")[Product.objects.count() // 2]
    w3 = Warehouse.objects.get(code="w3")
    low = Stock.objects.filter(reorder_point__gt=0).select_related("variant").first()
    cursor = None
    for _ in range(20):  # the product list's 21st page
        _rows, cursor = product_list(filters=ProductFilters(), cursor=cursor)
    ledger_cursor = None
    for _ in range(20):
        _rows, ledger_cursor = movement_page(MovementFilters(), cursor=ledger_cursor, limit=50)
    return [
        ("catalog: first page", "/catalog/"),
        ("catalog: page 21 (keyset)", f"/catalog/?cursor={cursor}"),
        ("catalog: search SKU", "/catalog/?q=SKU-04321"),
        ("catalog: search name", "/catalog/?q=Produk+0777"),
        ("catalog: category", f"/catalog/?category={mid.category_id}"),
        ("catalog: warehouse w3", f"/catalog/?warehouse={w3.pk}"),
        ("catalog: low stock", "/catalog/?low=1"),
        ("catalog: inactive (none)", "/catalog/?active=0"),
        ("product page + stock grid", f"/catalog/{mid.pk}/"),
        ("low-stock page", "/catalog/low-stock/"),
        ("ledger: first page", "/stock/"),
        ("ledger: page 21 (keyset)", f"/stock/?cursor={ledger_cursor}"),
        ("ledger: one warehouse", f"/stock/?warehouse={w3.code}"),
        ("ledger: one SKU", f"/stock/?sku={low.variant.sku}"),
        ("ledger: SKU + warehouse", f"/stock/?sku={low.variant.sku}&warehouse={w3.code}"),
        ("ledger: kind", "/stock/?kind=receipt"),
        ("ledger: date range", "/stock/?since=2025-01-02&until=2025-01-03"),
    ]


def measure_pages(runs: int, only: str = "", profile: str = "") -> list[dict]:
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.db import connection, reset_queries
    from django.test import Client

    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    User = get_user_model()
    client = Client(HTTP_ACCEPT_LANGUAGE="id")
    client.force_login(User.objects.get(username="owner"))
    out = []
    for name, url in scenarios():
        if only and only not in name:
            continue
        for _ in range(2):
            response = client.get(url)
            assert response.status_code == 200, (url, response.status_code)
        connection.force_debug_cursor = True
        client.get(url)  # request_started resets the query log
        queries = list(connection.queries)
        connection.force_debug_cursor = False
        times, cpu = [], []
        for _ in range(runs):
            reset_queries()
            t, c = time.perf_counter(), time.process_time()
            client.get(url)
            times.append((time.perf_counter() - t) * 1000)
            cpu.append((time.process_time() - c) * 1000)
        row = {
            "scenario": name,
            "url": url[:120],
            "p50_ms": round(pct(times, 0.5), 1),
            "p95_ms": round(pct(times, 0.95), 1),
            "max_ms": round(max(times), 1),
            "cpu_p50_ms": round(pct(cpu, 0.5), 1),  # this process (SQLite's work included)
            "queries": len(queries),
        }
        row["over"] = row["p95_ms"] > TARGET_MS
        print(
            f"  {name:32} p50 {row['p50_ms']:7.1f}  p95 {row['p95_ms']:7.1f}  cpu {row['cpu_p50_ms']:6.1f}  q {row['queries']}"
            f"{'  OVER' if row['over'] else ''}",
            flush=True,
        )
        if profile:
            row["profile"] = profile_page(client, name, url, runs, Path(profile))
        out.append(row)
    return out


def profile_page(client, name: str, url: str, runs: int, directory: Path) -> str:
    """cProfile over `runs` more requests of the page: the pstats file (by cumulative
    time) for reading function shares and call counts, which the machine's load does not
    change."""
    import cProfile
    import pstats
    import re

    directory.mkdir(parents=True, exist_ok=True)
    path = directory / (re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-") + ".prof")
    prof = cProfile.Profile()
    prof.enable()
    for _ in range(runs):
        client.get(url)
    prof.disable()
    prof.dump_stats(path)
    with open(path.with_suffix(".txt"), "w") as fh:
        stats = pstats.Stats(prof, stream=fh)
        stats.sort_stats("tottime").print_stats(40)
        stats.sort_stats("cumulative").print_stats(60)
    return str(path)


def measure_receipt() -> dict:
    from django.contrib.auth import get_user_model

    from tokodesk.catalog.models import Variant

    User = get_user_model()
    from tokodesk.catalog.services.stock_ops import receive_stock

    owner = User.objects.get(username="owner")
    skus = list(Variant.objects.order_by("id").values_list("sku", flat=True)[:1000])
    times = []
    for run in range(3):
        lines = [{"sku": s, "qty": 5 + run, "unit_cost": 30000} for s in skus]
        t = time.perf_counter()
        receive_stock(actor=owner, warehouse="w2", lines=lines, supplier="CV Bench")
        times.append(time.perf_counter() - t)
    best, worst = min(times), max(times)
    print(f"  receipt of 1,000 lines: {', '.join(f'{s:.2f}' for s in times)} s", flush=True)
    return {
        "lines": 1000,
        "runs_s": [round(s, 3) for s in times],
        "best_s": round(best, 3),
        "worst_s": round(worst, 3),
        "over": worst > RECEIPT_TARGET_S,
    }


def child(args) -> None:
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.db import connection

    t = time.perf_counter()
    call_command("migrate", verbosity=0)
    print(f"  migrated in {time.perf_counter() - t:.0f} s", flush=True)
    if get_user_model().objects.filter(username="owner").exists():  # --keep: the data is there
        from tokodesk.catalog.models import Stock, StockMovement, Variant

        data = {
            "variants": Variant.objects.count(),
            "stock_rows": Stock.objects.count(),
            "ledger_rows": StockMovement.objects.count(),
            "reused": True,
        }
    else:
        data = generate(args)
    print(f"  data: {json.dumps(data)}", flush=True)
    with connection.cursor() as cursor:
        cursor.execute(
            "select sqlite_version()" if connection.vendor == "sqlite" else "show server_version"
        )
        version = cursor.fetchone()[0]
    pages = measure_pages(args.runs, args.only, args.profile)
    receipt = None if args.no_receipt else measure_receipt()
    result = {
        **context(),
        "database": connection.vendor,
        "version": version,
        "data": data,
        "targets": {"page_p95_ms": TARGET_MS, "receipt_s": RECEIPT_TARGET_S},
        "pages": pages,
        "receipt": receipt,
    }
    path = write_json(Path(args.child), result)
    print(f"  → {shown(path)}", flush=True)


def pg_answers(url: str) -> bool:
    try:
        import psycopg

        with psycopg.connect(url.rstrip("/") + "/postgres", connect_timeout=3):
            return True
    except Exception:  # noqa: BLE001 - any failure means "not reachable"
        return False


def pg_admin(url: str, sql: str) -> None:
    import psycopg

    with psycopg.connect(url.rstrip("/") + "/postgres", autocommit=True) as conn:
        conn.execute(sql)


def pg_exists(url: str, name: str) -> bool:
    import psycopg

    with psycopg.connect(url.rstrip("/") + "/postgres", autocommit=True) as conn:
        return (
            conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
            is not None
        )


def main(argv=None) -> int:
    args = parse_args(argv)
    if args.child:
        child(args)
        return 0
    asked = args.db.split(",") if args.db else ["sqlite", "postgresql"]
    forward = [
        f"--variants={args.variants}",
        f"--warehouses={args.warehouses}",
        f"--ledger={args.ledger}",
        f"--runs={args.runs}",
        *([f"--profile={args.profile}"] if args.profile else []),
        *([f"--only={args.only}"] if args.only else []),
        *(["--no-receipt"] if args.no_receipt else []),
    ]
    status = 0
    for db in asked:
        if db == "postgresql" and not pg_answers(args.pg_url):
            if args.db:
                print("PostgreSQL does not answer on", args.pg_url)
                status = 1
            else:
                print("PostgreSQL does not answer: skipped")
            continue
        print(
            f"catalog bench on {db}: {args.variants:,} variants × {args.warehouses} warehouses, "
            f"ledger {args.ledger:,}",
            flush=True,
        )
        data_dir = (
            args.keep
            if args.keep and db == "sqlite"
            else tempfile.mkdtemp(prefix="tokodesk-bench-cat-")
        )
        env = dict(os.environ, TOKODESK_DATA_DIR=data_dir)
        env.pop("DATABASE_URL", None)
        name = args.pg_db or f"tokodesk_bench_cat_{os.getpid()}"
        if db == "postgresql":
            if not (args.pg_db and pg_exists(args.pg_url, name)):
                pg_admin(args.pg_url, f"CREATE DATABASE {name}")
            env["DATABASE_URL"] = f"{args.pg_url.rstrip('/')}/{name}"
        try:
            out = RESULTS / f"catalog-{db}.json"
            code = subprocess.call(
                [sys.executable, __file__, *forward, f"--child={out}"], env=env, cwd=ROOT
            )
            status = status or code
        finally:
            if db == "postgresql" and not args.pg_db:
                pg_admin(args.pg_url, f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
            if data_dir != args.keep:
                subprocess.call(["rm", "-rf", data_dir])
    return status


if __name__ == "__main__":
    sys.exit(main())
