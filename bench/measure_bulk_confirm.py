"""Bulk confirm of 10,000 "new" orders through the orders page: orders/s.

    .venv/bin/python bench/measure_bulk_confirm.py [--database-url URL] [--orders 10000] [--out FILE]

It CHANGES the data (orders become confirmed, stock is reserved): run it last on a bench
database (bench/run_series.py does), never on one you want to measure again.

1. Preparation (not timed): if fewer than --orders orders are "new", the missing ones
   are bulk inserted like bench/generate.py does (`Generator(status="new")`, --append:
   new customers, lines, a "created" event each); then each stock row the chosen orders
   draw on gets on_hand raised so that confirming them all cannot run out of stock.
2. Timed: the owner, logged in through Django's test Client, POSTs the page's bulk form
   with "select all under the filter" (`/orders/bulk/?status=new`, operation=confirm,
   select_all=1 and the count under the filter as the page shows it), which takes the
   newest BULK_LIMIT (5,000) orders under the filter: 2
   requests for 10,000. The view (`orders.views.actions.bulk_view`) confirms them through
   `services.order_apply_action_many`: 500 orders per transaction with the confirm
   transition's batch effect (row locks, guards, stock reservation, timeline events; the
   same results as `order_apply_action` order by order, tokodesk/orders/tests/
   test_bulk_batch.py). A remainder under 5,000 is posted as ticked rows.
3. Checked: every chosen order is confirmed with stock reserved, exactly one new
   "confirm" timeline event each, and the stock's reserved total grew by their quantities.

Target (issue 6): 10,000 orders in <= 10 s. Results: bench/results/bulk-confirm-<db>-<orders>.json.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import RESULTS, context, setup_django, shown, write_json  # noqa: E402

TARGET_SECONDS = 10.0


def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--database-url")
    p.add_argument("--orders", type=int, default=10_000, help="orders to confirm (default 10000)")
    p.add_argument("--out")
    return p.parse_args(argv)


def prepare(count: int) -> dict:
    """Enough "new" orders and enough stock for them (bulk inserts, not timed)."""
    from django.db import transaction
    from django.db.models import F, Sum
    from generate import Generator

    from tokodesk.catalog.models import Stock
    from tokodesk.orders.models import Order, OrderLine

    have = Order.objects.filter(status="new").count()
    added, seconds = 0, 0.0
    if have < count:
        started = time.perf_counter()
        gen = Generator(n=count - have, seed=count + have, batch=5000, days=30, status="new")
        gen.run()
        added, seconds = count - have, time.perf_counter() - started
        print(f"  added {added:,} new orders by bulk insert in {seconds:.1f} s", flush=True)
    refs = list(
        Order.objects.filter(status="new")
        .order_by("-created_at", "-id")
        .values_list("reference", flat=True)[:count]
    )
    need = (
        OrderLine.objects.filter(order__reference__in=refs)
        .values("variant_id", "order__warehouse_id")
        .annotate(qty=Sum("qty"))
    )
    with transaction.atomic():
        for row in need:
            Stock.objects.filter(
                variant_id=row["variant_id"], warehouse_id=row["order__warehouse_id"]
            ).update(on_hand=F("on_hand") + row["qty"])
    return {
        "existing_new": have,
        "added_new": added,
        "add_seconds": round(seconds, 1),
        "refs": refs,
    }


def main(argv=None) -> int:
    args = parse_args(argv)
    setup_django(args.database_url)
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.db.models import Sum
    from django.test import Client

    from tokodesk.catalog.models import Stock
    from tokodesk.orders.models import Order, OrderEvent, OrderLine
    from tokodesk.orders.views.actions import BULK_LIMIT

    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    prep = prepare(args.orders)
    refs = prep.pop("refs")
    if len(refs) < args.orders:
        print(f"only {len(refs)} new orders", file=sys.stderr)
        return 1
    meta = context()
    print(
        f"Bulk confirm of {len(refs):,} new orders ({meta['orders']:,} orders) on "
        f"{meta['database']} {meta['version']}, {BULK_LIMIT:,} per request; "
        f"load average {meta['load_average']}",
        flush=True,
    )
    ids = list(Order.objects.filter(reference__in=refs).values_list("id", flat=True))
    qty = OrderLine.objects.filter(order_id__in=ids).aggregate(s=Sum("qty"))["s"] or 0
    reserved_before = Stock.objects.aggregate(s=Sum("reserved"))["s"] or 0
    last_event = OrderEvent.objects.order_by("-id").values_list("id", flat=True).first() or 0

    client = Client()
    client.force_login(get_user_model().objects.get(username="owner"))
    requests = []
    started, cpu_started = time.perf_counter(), time.process_time()
    # "Select all under the filter" (status = New): each request confirms the newest
    # BULK_LIMIT new orders, i.e. the next BULK_LIMIT of `refs`. A remainder is posted as
    # ticked rows (refs=…), in requests under DATA_UPLOAD_MAX_NUMBER_FIELDS (1,000 fields).
    batches = [("select_all", BULK_LIMIT)] * (len(refs) // BULK_LIMIT)
    rest = refs[len(batches) * BULK_LIMIT :]
    batches += [("refs", rest[i : i + 900]) for i in range(0, len(rest), 900)]
    for kind, what in batches:
        # The page sends the count it showed ("all N orders under this filter"); the view
        # counts again and refuses another number (issue 10). Counted before the clock.
        new_count = Order.objects.filter(status="new").count() if kind == "select_all" else 0
        t0 = time.perf_counter()
        if kind == "select_all":
            data = {"operation": "confirm", "select_all": "1", "select_all_count": str(new_count)}
            response = client.post("/orders/bulk/?status=new", data)
        else:
            response = client.post("/orders/bulk/", {"operation": "confirm", "refs": what})
        assert response.status_code == 200, response.status_code
        n = what if kind == "select_all" else len(what)
        requests.append({"kind": kind, "orders": n, "seconds": round(time.perf_counter() - t0, 2)})
        print(
            f"  request {len(requests)}: {n:,} orders in {requests[-1]['seconds']:.1f} s",
            flush=True,
        )
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu_started

    confirmed = Order.objects.filter(id__in=ids, status="confirmed", stock_state="reserved").count()
    events = OrderEvent.objects.filter(
        id__gt=last_event, order_id__in=ids, action="confirm", to_status="confirmed"
    ).count()
    reserved_after = Stock.objects.aggregate(s=Sum("reserved"))["s"] or 0
    ok = confirmed == len(refs) and events == len(refs) and reserved_after - reserved_before == qty
    rate = len(refs) / seconds
    print(
        f"{len(refs):,} orders in {seconds:.1f} s ({cpu:.1f} s CPU here): {rate:,.0f} orders/s; "
        f"target <= {TARGET_SECONDS:.0f} s: {'ok' if seconds <= TARGET_SECONDS else 'OVER'}"
    )
    print(
        f"check: {confirmed:,} confirmed with stock reserved, {events:,} confirm events, "
        f"reserved +{reserved_after - reserved_before:,} (lines' qty {qty:,}): "
        + ("ok" if ok else "MISMATCH")
    )
    meta["load_average_after"] = os.getloadavg()[0]
    out = (
        Path(args.out)
        if args.out
        else RESULTS / f"bulk-confirm-{meta['database']}-{meta['orders']}.json"
    )
    write_json(
        out,
        {
            "meta": meta,
            "targets": {"seconds": TARGET_SECONDS},
            "preparation": prep,
            "result": {
                "orders": len(refs),
                "seconds": round(seconds, 2),
                "cpu_seconds": round(cpu, 2),
                "orders_per_s": round(rate, 1),
                "requests": requests,
                "confirmed": confirmed,
                "events": events,
                "reserved_delta": reserved_after - reserved_before,
                "qty": qty,
                "ok": ok,
            },
        },
    )
    print(f"wrote {shown(out)}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
