"""A `tokodesk worker` killed with SIGKILL in the middle of a delivery loses no event: the
receiver (this process) holds the request while the worker is killed; the next worker,
once the killed one's claim has expired, delivers the same event (same id, same body).
Real processes on a SQLite file, as tokodesk/orders/tests/test_worker_process.py."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tokodesk.webhooks.tests.receiver import Receiver, documented_verify

TOKODESK = Path(sys.executable).parent / "tokodesk"
pytestmark = pytest.mark.skipif(not TOKODESK.exists(), reason="the tokodesk console script is not installed")

SEED = """
from tokodesk.accounts.services import user_create
from tokodesk.catalog.models import Product, Stock, Variant, Warehouse
from tokodesk.core.outbox import OutboxEvent
from tokodesk.orders.tests.factories import make_order, run
from tokodesk.shipping.models import Courier
from tokodesk.webhooks.services import subscription_create

jkt = Warehouse.objects.create(code="jkt", name="Gudang Jakarta", city="Jakarta")
madu = Variant.objects.create(product=Product.objects.create(name="Madu", slug="madu"), sku="MADU-500",
                              name="500 ml", price=150000, weight_grams=700)
Stock.objects.create(variant=madu, warehouse=jkt, on_hand=100)
Courier.objects.create(code="jne", name="JNE", services=["REG"])
owner = user_create(username="owner", role="owner", password="pw-123456")
sub = subscription_create(actor=owner, url=URL, event_types=["order.status_changed"])
order = run(make_order(owner), "confirm", owner)
print(sub.secret, OutboxEvent.objects.get(doc_id=order.pk, type="order.status_changed").uuid)
"""


def _env(data_dir: Path) -> dict:
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "TOKODESK_TEST_DB_NAME")}
    env.update(TOKODESK_DATA_DIR=str(data_dir), PYTHONUNBUFFERED="1",
               DJANGO_SETTINGS_MODULE="tokodesk.webhooks.tests.settings_private")
    return env


def _delivery(db: Path):
    with sqlite3.connect(db, timeout=30) as conn:
        return conn.execute("SELECT status, attempts, locked_by FROM webhooks_webhookdelivery").fetchall()


def _worker(data_dir: Path, log: Path) -> subprocess.Popen:
    with open(log, "ab") as out:
        return subprocess.Popen([TOKODESK, "worker", "--interval", "0.2", "--no-tasks", "-v", "2"],
                                env=_env(data_dir), stdout=out, stderr=subprocess.STDOUT)


def test_a_killed_worker_loses_no_event(tmp_path):
    receiver = Receiver(delay=6.0).start()  # holds the first request while the worker dies
    procs = []
    try:
        env = _env(tmp_path)
        subprocess.run([TOKODESK, "migrate", "--no-input", "-v", "0"], env=env, check=True, timeout=300)
        seeded = subprocess.run([TOKODESK, "shell", "-c", f"URL = {receiver.url!r}\n" + SEED], env=env,
                                check=True, timeout=120, capture_output=True, text=True)
        secret, event_id = seeded.stdout.split()[-2:]
        db = tmp_path / "tokodesk.sqlite3"
        log = tmp_path / "worker.log"

        first = _worker(tmp_path, log)
        procs.append(first)
        assert receiver.arrived.wait(60), log.read_text()
        first.send_signal(signal.SIGKILL)  # mid-delivery: the receiver has not answered
        assert first.wait(10) == -signal.SIGKILL
        [(status, attempts, locked_by)] = _delivery(db)
        assert (status, attempts) == ("pending", 1) and locked_by  # claimed, never recorded

        receiver.delay = 0
        second = _worker(tmp_path, log)
        procs.append(second)
        deadline = time.monotonic() + 60
        while _delivery(db)[0][0] != "delivered":
            assert time.monotonic() < deadline, log.read_text()
            assert second.poll() is None, log.read_text()
            time.sleep(0.2)
        [(status, attempts, _locked)] = _delivery(db)
        assert (status, attempts) == ("delivered", 2)

        assert len(receiver.requests) == 2
        first_req, second_req = receiver.requests
        assert first_req.headers["Tokodesk-Event-Id"] == second_req.headers["Tokodesk-Event-Id"] == event_id
        assert first_req.body == second_req.body
        assert second_req.headers["Tokodesk-Delivery-Attempt"] == "2"
        assert documented_verify()(secret, second_req.body, second_req.headers["Tokodesk-Signature"])
        second.send_signal(signal.SIGTERM)
        assert second.wait(30) == 0
    finally:
        for proc in procs:
            if proc.poll() is None:
                proc.kill()
                proc.wait(10)
        receiver.stop()
