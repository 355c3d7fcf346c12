"""Large exports: they run in the worker with their progress saved every chunk, shown on a
page that polls it; the number of queries per chunk is fixed; memory stays flat whatever
the row count; and a 200,000-order export through the worker finishes with a file
holding every row (TOKODESK_EXPORT_TEST_ROWS changes the size)."""

import csv
import gc
import os
import time
import tracemalloc

from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from tokodesk.core import shop_locale
from tokodesk.exports import services
from tokodesk.exports.columns import REGISTRY
from tokodesk.exports.models import Export, ExportTemplate
from tokodesk.exports.sqlrender import MAX_CHUNK
from tokodesk.exports.tests.helpers import body, bulk_orders, read_csv, sql_orders
from tokodesk.exports.writer import Plan, iter_csv
from tokodesk.orders.models import Order

BIG_ROWS = int(os.environ.get("TOKODESK_EXPORT_TEST_ROWS", "200000"))


def run_worker():
    call_command("worker", "--once", "--verbosity", "0")


def full_template():
    return ExportTemplate.objects.get(name="Full export")


def test_a_large_export_runs_in_the_worker_with_a_progress_page(shop, users, client_for, settings):
    settings.TOKODESK_EXPORT_SYNC_LIMIT = 5
    bulk_orders(12)
    tmpl = ExportTemplate.objects.get(name="Courier pickup list")
    c = client_for(users["owner"])
    r = c.post("/exports/new/", {"template": tmpl.pk, "scope": "all", "query": "tab=all"})
    assert r.status_code == 302
    export = Export.objects.get()
    assert r["Location"] == f"/exports/{export.pk}/"
    assert (export.status, export.rows_total, export.template_name) == ("queued", 12, tmpl.display_name)

    page = c.get(r["Location"]).content.decode()
    assert 'id="export-progress"' in page and 'data-status="queued"' in page
    assert f'hx-get="/exports/{export.pk}/progress/"' in page and 'hx-trigger="every 1s"' in page
    partial = c.get(f"/exports/{export.pk}/progress/")
    assert partial["Cache-Control"] == "no-store"
    assert 'data-progress="0"' in partial.content.decode()
    assert "/download/" not in partial.content.decode()

    run_worker()
    html = c.get(f"/exports/{export.pk}/progress/").content.decode()
    assert 'data-status="done"' in html and 'data-progress="100"' in html
    assert "hx-trigger" not in html  # polling stops
    assert f'href="/exports/{export.pk}/download/"' in html
    download = c.get(f"/exports/{export.pk}/download/")
    assert download.status_code == 200 and download["Content-Disposition"].startswith("attachment;")
    rows = read_csv(body(download))
    assert len(rows) == 13 and rows[0][0] == "Order ID"
    assert str(export.pk) in c.get("/exports/").content.decode()

    other = client_for(users["admin"])
    for suffix in ("", "progress/", "download/"):
        assert other.get(f"/exports/{export.pk}/{suffix}").status_code == 404


def test_progress_is_saved_after_every_chunk(shop, users, settings):
    settings.TOKODESK_EXPORT_CHUNK_SIZE = 10
    bulk_orders(35)
    export = services.export_create(user=users["owner"], template=full_template(), filters={"tab": "all"})
    with CaptureQueriesContext(connection) as ctx:
        services.export_run(export.pk)
    updates = [q["sql"] for q in ctx.captured_queries
               if q["sql"].startswith('UPDATE "exports_export"') and "rows_done" in q["sql"]]
    # claim, 4 chunks (10, 10, 10, 5), done
    assert len(updates) == 1 + 4 + 1
    export.refresh_from_db()
    assert (export.status, export.rows_done, export.rows_total, export.progress) == ("done", 35, 35, 100)
    assert export.started_at and export.finished_at
    assert services.export_run(export.pk) == {"skipped": True}  # a second run does nothing


def _queries(n_chunks, chunk, plan, engine="python"):
    Order.objects.all().delete()
    bulk_orders(n_chunks * chunk)
    # As the worker and the pages run it: the shop's settings row (its phone region for the
    # phone columns, its time zone) read once for the export (core.shop_locale), not per chunk.
    with shop_locale.activated(), CaptureQueriesContext(connection) as ctx:
        for _piece in iter_csv(Order.objects.all(), plan, chunk_size=chunk, engine=engine):
            pass
    return len(ctx.captured_queries)


def test_queries_per_chunk_are_constant(shop, users):
    plan = Plan.build([{"field": key} for key in REGISTRY])
    assert set(plan.loaders) == {"tags", "lines", "payments"}
    q2 = _queries(2, 25, plan)
    q6 = _queries(6, 25, plan)
    per_chunk = 1 + len(plan.loaders)  # the orders (joins included) + one per related list
    assert q6 - q2 == 4 * per_chunk
    # 2 full chunks + the empty page that ends the keyset walk + each small table once
    assert set(plan.lookups) == {"courier", "warehouse", "landing_page", "user", "payment_option"}
    assert q2 == 2 * per_chunk + 1 + len(plan.lookups)

    lean = Plan.build([{"field": "reference"}, {"field": "total"}, {"field": "courier"}, {"field": "agent"}])
    assert lean.loaders == () and lean.paths == ("id", "reference", "total", "currency", "courier_id",
                                                 "assigned_agent_id")
    assert _queries(6, 25, lean) - _queries(2, 25, lean) == 4


def test_queries_per_chunk_are_constant_when_rendered_in_sql(shop, users):
    """SQL rendering: per chunk one query finds the chunk's lowest id and one renders it
    (COPY on PostgreSQL), whatever the columns; only two small reads once per export."""
    plan = Plan.build([{"field": key} for key in REGISTRY])
    q2 = _queries(2, 25, plan, engine="sql")
    q6 = _queries(6, 25, plan, engine="sql")
    assert q6 - q2 == 4 * 2
    # 2 full chunks + a last one that finds no bound and renders nothing + the user-name
    # check of the "Agent" column and the payment methods' labels in the export's language
    # (once per export each); PostgreSQL: SET/RESET jit around it
    assert q2 == 2 * 2 + 2 + 2 + 2 * (connection.vendor == "postgresql")


def _peak(n):
    Order.objects.all().delete()
    bulk_orders(n)
    plan = Plan.build(full_template().columns)
    qs = Order.objects.all()
    gc.collect()
    tracemalloc.start()
    size = 0
    try:
        for piece in iter_csv(qs, plan):
            size += len(piece)
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return peak, size


def test_memory_stays_flat(shop, users):
    """The full template over 5k and 20k orders: the peak is the same (one chunk), and far
    below the size of the file."""
    small_peak, small_size = _peak(5000)
    peak, size = _peak(20000)
    print(f"\ntracemalloc peak: 5k rows {small_peak / 1e6:.2f} MB (file {small_size / 1e6:.1f} MB), "
          f"20k rows {peak / 1e6:.2f} MB (file {size / 1e6:.1f} MB)")
    assert size > 3.5 * small_size
    assert peak < 1.25 * small_peak + 256 * 1024
    assert peak < size / 2
    assert peak < 5 * 1024 * 1024


def test_a_big_export_through_the_worker(shop, users, api_as, settings):
    n = BIG_ROWS
    t0 = time.perf_counter()
    sql_orders(n)
    t1 = time.perf_counter()
    assert Order.objects.count() == n
    tmpl = ExportTemplate.objects.get(name="Courier pickup list")
    client = api_as("owner")
    r = client.post("/api/v1/exports", {"template": tmpl.pk, "filters": {}})
    assert r.status_code == 202 and r.json()["rows_total"] == n
    export_id = r.json()["id"]
    progress = []
    with CaptureQueriesContext(connection) as ctx:
        t2 = time.perf_counter()
        run_worker()
        t3 = time.perf_counter()
    for q in ctx.captured_queries:
        sql = q["sql"]
        if sql.startswith('UPDATE "exports_export" SET "rows_done"'):
            progress.append(sql)
    data = client.get(f"/api/v1/exports/{export_id}").json()
    assert data["status"] == "done" and data["progress"] == 100
    assert data["rows_done"] == data["rows_total"] == n
    # saved after every chunk (rendered in SQL: chunks of up to sqlrender.MAX_CHUNK orders)
    chunks = -(-n // min(Plan.build(tmpl.columns).chunk_size, MAX_CHUNK))
    assert len(progress) >= min(chunks, -(-n // MAX_CHUNK))

    path = services.export_file_path(Export.objects.get(pk=export_id))
    with open(path, encoding="utf-8-sig", newline="") as fh:
        rows = sum(1 for _row in csv.reader(fh))
    assert rows == n + 1
    r = client.get(f"/api/v1/exports/{export_id}/download")
    assert r.status_code == 200 and int(r["Content-Length"]) == path.stat().st_size
    r.close()
    print(f"\n{n} orders: made in {t1 - t0:.1f} s; export in the worker {t3 - t2:.1f} s "
          f"({n / (t3 - t2):,.0f} rows/s, {path.stat().st_size / 1e6:.1f} MB, {connection.vendor})")


def test_the_sql_generated_orders_export_like_the_others(shop, users):
    sql_orders(30)
    with translation.override("en"):
        plan = Plan.build(full_template().columns)
        rows = read_csv(b"".join(iter_csv(Order.objects.all(), plan)))
    assert len(rows) == 31
    header = rows[0]
    first = dict(zip(header, rows[-1], strict=True))  # oldest: i = 0
    assert first["Items"] == "1 × Kaos Polos – L" and first["Tags"] == "" and first["Status"] == "New"
    second = dict(zip(header, rows[-2], strict=True))
    assert second["Items"] == "2 × Kaos Polos – M; 1 × Madu Hutan – 500 ml" and second["Tags"] == "vip"
    assert second["Payment method"] == "COD" and second["Agent"] == "agent2"
