"""A `tokodesk worker` killed with SIGKILL in the middle of applying tracking events loses
none: the events it had leased but not applied stay `received` with its lease, the lease runs
out, the next worker applies them; each event moves its order once. Real processes on a
SQLite file, as tokodesk/webhooks/tests/test_worker_kill.py."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

TOKODESK = Path(sys.executable).parent / "tokodesk"
pytestmark = pytest.mark.skipif(
    not TOKODESK.exists(), reason="the tokodesk console script is not installed"
)
ORDERS = 150

SEED = f"""
import datetime as dt
from tokodesk.accounts.services import user_create
from tokodesk.catalog.models import Product, Stock, Variant, Warehouse
from tokodesk.orders.tests.factories import order_in
from tokodesk.shipping.models import Courier
from tokodesk.tracking import services

jkt = Warehouse.objects.create(code="jkt", name="Gudang Jakarta", city="Jakarta")
madu = Variant.objects.create(product=Product.objects.create(name="Madu", slug="madu"), sku="MADU-500",
                              name="500 ml", price=150000, weight_grams=700)
Stock.objects.create(variant=madu, warehouse=jkt, on_hand=1000)
Courier.objects.create(code="jne", name="JNE", services=["REG"])
owner = user_create(username="owner", role="owner", password="pw-123456")
at = dt.datetime(2026, 3, 1, 9, tzinfo=dt.UTC)
events = []
for _i in range({ORDERS}):
    o = order_in("awaiting_pickup", owner, lines=(("MADU-500", 1),))
    events.append(services.EventIn(event_id=f"{{o.awb}}-1", awb=o.awb, event="picked_up", at=at))
    events.append(services.EventIn(event_id=f"{{o.awb}}-2", awb=o.awb, event="delivered",
                                   at=at + dt.timedelta(days=1)))
print(services.store_events(adapter="sandbox", events=events, source="webhook"))
"""


def _env(data_dir: Path) -> dict:
    env = {
        k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "TOKODESK_TEST_DB_NAME")
    }
    env.update(
        TOKODESK_DATA_DIR=str(data_dir), PYTHONUNBUFFERED="1", TOKODESK_TRACKING_LEASE_SECONDS="3"
    )
    return env


def _q(db: Path, sql: str):
    with sqlite3.connect(db, timeout=30) as conn:
        return conn.execute(sql).fetchall()


def _worker(data_dir: Path, log: Path) -> subprocess.Popen:
    with open(log, "ab") as out:
        return subprocess.Popen(
            [TOKODESK, "worker", "--interval", "0.2", "--no-tasks", "-v", "2"],
            env=_env(data_dir),
            stdout=out,
            stderr=subprocess.STDOUT,
        )


def test_a_killed_worker_loses_no_tracking_event(tmp_path):
    procs = []
    try:
        env = _env(tmp_path)
        subprocess.run(
            [TOKODESK, "migrate", "--no-input", "-v", "0"], env=env, check=True, timeout=300
        )
        seeded = subprocess.run(
            [TOKODESK, "shell", "-c", SEED],
            env=env,
            check=True,
            timeout=600,
            capture_output=True,
            text=True,
        )
        assert seeded.stdout.split()[-1] == str(2 * ORDERS)
        db = tmp_path / "tokodesk.sqlite3"
        log = tmp_path / "worker.log"
        done = "SELECT count(*) FROM tracking_trackingevent WHERE status != 'received'"

        first = _worker(tmp_path, log)
        procs.append(first)
        deadline = time.monotonic() + 120
        while _q(db, done)[0][0] < 10:
            assert time.monotonic() < deadline, log.read_text()
            assert first.poll() is None, log.read_text()
            time.sleep(0.05)
        first.send_signal(signal.SIGKILL)  # mid-batch: some applied, the rest leased
        assert first.wait(10) == -signal.SIGKILL
        applied_before = _q(db, done)[0][0]
        leased = _q(
            db,
            "SELECT count(*) FROM tracking_trackingevent WHERE status = 'received' AND locked_by != ''",
        )
        assert applied_before < 2 * ORDERS and leased[0][0] > 0, (applied_before, leased)

        second = _worker(tmp_path, log)
        procs.append(second)
        deadline = time.monotonic() + 300
        while _q(db, done)[0][0] < 2 * ORDERS:
            assert time.monotonic() < deadline, log.read_text()
            assert second.poll() is None, log.read_text()
            time.sleep(0.2)
        assert _q(db, "SELECT status, count(*) FROM tracking_trackingevent GROUP BY status") == [
            ("applied", 2 * ORDERS)
        ]
        assert _q(db, "SELECT status, count(*) FROM orders_order GROUP BY status") == [
            ("delivered", ORDERS)
        ]
        # each event moved its order once: one picked_up and one delivered row per order
        assert _q(
            db,
            "SELECT action, count(*) FROM orders_orderevent WHERE source = 'courier' "
            "GROUP BY action ORDER BY action",
        ) == [("delivered", ORDERS), ("picked_up", ORDERS)]
        second.send_signal(signal.SIGTERM)
        assert second.wait(60) == 0
    finally:
        for proc in procs:
            if proc.poll() is None:
                proc.kill()
                proc.wait(10)
