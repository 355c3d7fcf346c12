"""COD remittance import of 50,000 rows (issue 15 target: <= 30 s).

    .venv/bin/python bench/measure_remittance.py [--rows 50000] [--database-url URL] [--out FILE]

Without --database-url it migrates a fresh SQLite database in a temporary
TOKODESK_DATA_DIR (its own, so it never touches one you use); with a PostgreSQL URL it uses
that database, which must be empty and migrated (it adds orders).

1. Preparation (not timed): --rows delivered COD orders of courier JNE, each with the
   COD payment recorded at delivery (as orders.cod leaves them), bulk inserted; and the
   courier's report as a CSV of --rows lines (semicolons, "Rp 168.000" amounts, day/month/
   year dates): 1 % of the lines short by 1,000, 1 % over, 1 % an AWB nobody knows, the rest
   matched, with courier, COD and RTS fees.
2. Timed: `payments.services.remittance_import` of the file, as the page's "post" and
   the API do (parse and map the columns, match every row to its order, lock the pending
   payments, write the remittance and its lines, mark the matched payments remitted,
   RTS fees, complete the orders due). Then the same file again (a no-op: found by its hash).
3. Checked: the counts of each flag and the totals, and that every matched order's COD
   payment is remitted.

Results: bench/results/remittance-<db>-<rows>.json.
"""

from __future__ import annotations

import argparse
import csv
import io
import os
import resource
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

TARGET_SECONDS = 30.0
TOTAL = 168_000


def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--rows", type=int, default=50_000)
    p.add_argument("--database-url")
    p.add_argument("--out")
    return p.parse_args(argv)


def prepare(rows: int) -> tuple[bytes, dict]:
    from django.contrib.auth import get_user_model
    from django.utils import timezone

    from tokodesk.catalog.models import Warehouse
    from tokodesk.customers.models import Customer
    from tokodesk.orders.models import Order, Payment
    from tokodesk.shipping.models import Courier

    warehouse, _ = Warehouse.objects.get_or_create(code="jkt", defaults={"name": "Gudang Jakarta"})
    courier, _ = Courier.objects.get_or_create(code="jne", defaults={"name": "JNE"})
    customer, _ = Customer.objects.get_or_create(
        phone="+6281299990001", defaults={"name": "Pembeli COD", "address": "Jl. Kenanga 1"}
    )
    user = get_user_model().objects.create_user("bench-finance", password="x", is_superuser=True)
    now = timezone.now()
    prefix = "BR"
    orders = [
        Order(
            reference=f"ORD-{prefix}{i:07d}",
            customer=customer,
            recipient_name=f"Pembeli {i}",
            recipient_phone="+6281299990001",
            destination_address="Jl. Kenanga 1, Bandung",
            warehouse=warehouse,
            courier=courier,
            awb=f"{prefix}{i:09d}",
            payment_method="cod",
            subtotal=TOTAL - 18_000,
            shipping_cost=18_000,
            total=TOTAL,
            paid_total=TOTAL,
            status="delivered",
            stock_state="deducted",
            shipped_at=now,
            delivered_at=now,
        )
        for i in range(rows)
    ]
    Order.objects.bulk_create(orders, batch_size=2000)
    ids = dict(Order.objects.filter(awb__startswith=prefix).values_list("awb", "pk"))
    Payment.objects.bulk_create(
        [
            Payment(order_id=pk, kind="cod", amount=TOTAL, paid_on=now.date(), reference=awb)
            for awb, pk in ids.items()
        ],
        batch_size=2000,
    )
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";")
    writer.writerow(["No Resi", "Nilai COD", "Ongkir", "Biaya COD", "Biaya Retur", "Tanggal Bayar"])
    expect = {"matched": 0, "amount_short": 0, "amount_over": 0, "unknown_awb": 0}
    for i in range(rows):
        awb, cod = f"{prefix}{i:09d}", TOTAL
        if i % 100 == 1:
            cod, flag = TOTAL - 1000, "amount_short"
        elif i % 100 == 2:
            cod, flag = TOTAL + 1000, "amount_over"
        elif i % 100 == 3:
            awb, flag = f"XX{i:09d}", "unknown_awb"
        else:
            flag = "matched"
        expect[flag] += 1
        writer.writerow([awb, f"Rp {cod:,}".replace(",", "."), 9000, 3000, 0, "28/11/2026"])
    return out.getvalue().encode("utf-8-sig"), {"expect": expect, "user": user}


def main(argv=None):
    args = parse_args(argv)
    if not args.database_url:
        os.environ["TOKODESK_DATA_DIR"] = tempfile.mkdtemp(prefix="bench-remit-")
        os.environ.pop("DATABASE_URL", None)
    from common import RESULTS, context, setup_django, shown, write_json

    setup_django(args.database_url)
    from django.core.management import call_command

    if not args.database_url:
        call_command("migrate", verbosity=0)
    from tokodesk.orders.models import Payment
    from tokodesk.payments.services import remittance_import

    t0 = time.perf_counter()
    content, prep = prepare(args.rows)
    prep_s = time.perf_counter() - t0
    cpu0 = time.process_time()
    t0 = time.perf_counter()
    remittance, created = remittance_import(
        courier="jne", file_name="jne-50k.csv", content=content, actor=prep["user"]
    )
    seconds = time.perf_counter() - t0
    cpu = time.process_time() - cpu0
    t0 = time.perf_counter()
    again, created_again = remittance_import(
        courier="jne", file_name="jne-50k.csv", content=content, actor=prep["user"]
    )
    again_s = time.perf_counter() - t0
    flags = dict.fromkeys(prep["expect"], 0)
    for flag in remittance.lines.values_list("flag", flat=True):
        flags[flag] += 1
    remitted = Payment.objects.filter(kind="cod", remitted_at__isnull=False).count()
    checks = {
        "created": created,
        "second_import_is_noop": (not created_again) and again.pk == remittance.pk,
        "flags_right": flags == prep["expect"],
        "remitted_payments_right": remitted == prep["expect"]["matched"],
        "totals_right": remittance.line_count == args.rows,
    }
    result = {
        "measurement": "remittance_import",
        "rows": args.rows,
        "seconds": round(seconds, 2),
        "cpu_seconds": round(cpu, 2),
        "rows_per_second": round(args.rows / seconds),
        "second_import_seconds": round(again_s, 3),
        "prepare_seconds": round(prep_s, 1),
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
        "target_seconds": TARGET_SECONDS,
        "met": seconds <= TARGET_SECONDS and all(checks.values()),
        "flags": flags,
        "total_expected": remittance.total_expected,
        "total_received": remittance.total_received,
        "checks": checks,
        **context(),
    }
    db = "postgresql" if args.database_url else "sqlite"
    out = Path(args.out) if args.out else RESULTS / f"remittance-{db}-{args.rows}.json"
    write_json(out, result)
    print(
        f"remittance import of {args.rows:,} rows: {seconds:.1f} s ({result['rows_per_second']:,} rows/s, "
        f"CPU {cpu:.1f} s, peak RSS {result['peak_rss_mb']} MB; target <= {TARGET_SECONDS:.0f} s) "
        f"{'✓' if result['met'] else '✗'}; again: {again_s:.2f} s; checks {checks}; load {result['load_average']}"
    )
    print(shown(out))
    return 0 if result["met"] else 1


if __name__ == "__main__":
    sys.exit(main())
