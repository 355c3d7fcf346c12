"""The API's compiled-once queries with and without server-side prepared statements on
PostgreSQL (core.pg_prepare, issue 16), in one process, alternating: the order detail, the
list's first page of every tab (as the API builds it) and the tab counts. Read-only (SELECTs
only): safe on the bench data.

    DATABASE_URL=postgresql://... .venv/bin/python bench/pg_prepare_cpu.py [--samples 25]
        [--per 5] [--json]

Each sample is the mean over --per calls of one path, prepared (new) or not (old), taken
in turn: old, new, old, new ... For each path it prints the median of the samples of: this
process's CPU (time.process_time), the database backend's CPU (its /proc/PID/schedstat:
parsing, planning and running the statements; needs the server on this machine and root)
and the wall time. Before measuring it checks that both ways give the same results (JSON
of the Python values) and, at the end, lists the session's pg_prepared_statements with
their generic and custom plan counts (PostgreSQL >= 14)."""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import setup_django  # noqa: E402


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--samples", type=int, default=25)
    p.add_argument("--per", type=int, default=5)
    p.add_argument("--json", action="store_true")
    args = p.parse_args(argv)
    setup_django()
    from django.contrib.auth import get_user_model
    from django.core.serializers.json import DjangoJSONEncoder
    from django.db import connection

    from tokodesk.orders import selectors
    from tokodesk.orders.api import ListQuery, order_detail, order_page
    from tokodesk.orders.models import Order
    from tokodesk.orders.tabs import TABS

    user = get_user_model().objects.get(username="owner")
    reference = Order.objects.order_by("-created_at").values_list("reference", flat=True).first()
    paths = {f"list {tab}": (lambda tab=tab: order_page(user, ListQuery(tab=tab))) for tab in TABS}
    paths["tab counts"] = lambda: selectors.tab_counts(user=user)
    paths["detail"] = lambda: order_detail(user, reference)[0]
    with connection.cursor() as c:
        c.execute("SELECT pg_backend_pid()")
        backend = c.fetchone()[0]

    def backend_ns() -> int:
        with open(f"/proc/{backend}/schedstat") as f:
            return int(f.read().split()[0])

    def run(prepared: bool, fn):
        os.environ["TOKODESK_PG_PREPARE"] = "1" if prepared else "0"
        return fn()

    for name, fn in paths.items():  # same answers, and warm-up
        old = json.dumps(run(False, fn), cls=DjangoJSONEncoder, sort_keys=True)
        for _ in range(8):  # past the custom plans of the first five runs
            new = json.dumps(run(True, fn), cls=DjangoJSONEncoder, sort_keys=True)
            assert new == old, name
    samples = {
        name: {w: {"cpu": [], "db": [], "wall": []} for w in ("old", "new")} for name in paths
    }
    for _ in range(args.samples):
        for name, fn in paths.items():
            for way in ("old", "new"):
                os.environ["TOKODESK_PG_PREPARE"] = "1" if way == "new" else "0"
                cpu, db, wall = time.process_time(), backend_ns(), time.perf_counter()
                for _ in range(args.per):
                    fn()
                s = samples[name][way]
                s["cpu"].append((time.process_time() - cpu) * 1000 / args.per)
                s["db"].append((backend_ns() - db) / 1e6 / args.per)
                s["wall"].append((time.perf_counter() - wall) * 1000 / args.per)
    if args.json:
        print(json.dumps(samples))
    else:
        print("ms per call, median of samples: old -> new (process CPU | backend CPU | wall)")
        for name, ways in samples.items():
            med = {w: {k: statistics.median(v) for k, v in m.items()} for w, m in ways.items()}
            print(
                f"  {name:22} "
                + " | ".join(
                    f"{med['old'][k]:6.2f} -> {med['new'][k]:6.2f}" for k in ("cpu", "db", "wall")
                )
            )
    with connection.cursor() as c:
        c.execute(
            "SELECT name, generic_plans, custom_plans, left(regexp_replace(statement, '\\s+', ' ', 'g'), 90)"
            " FROM pg_prepared_statements ORDER BY name"
        )
        print("pg_prepared_statements (name, generic plans, custom plans, statement):")
        for row in c.fetchall():
            print("  ", *row)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
