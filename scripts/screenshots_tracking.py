"""Screenshots of courier tracking (issue 15) for docs/screenshots/: the tracking events
page (with events recorded but not applied), Action needed's notice, an order's tracking
history, and the buyer's order link at 390 px. A small shop is seeded (not the whole demo):
orders awaiting pickup whose sandbox streams are posted as signed webhooks and applied by
the worker's job, plus a CSV import preview.

    .venv/bin/python scripts/screenshots_tracking.py"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from screenshots import ARGS, BIN, OUT, PHONE, ROOT, free_port  # noqa: E402

SEED = """
import datetime as dt, json
from django.test import Client
from django.utils import timezone
from tokodesk.accounts.services import user_create
from tokodesk.catalog.models import Product, Stock, Variant, Warehouse
from tokodesk.orders.links import order_link_url
from tokodesk.orders.tests.factories import order_in
from tokodesk.shipping.couriers.sandbox import outcome, stream
from tokodesk.shipping.models import Courier
from tokodesk.tracking import processing
from tokodesk.tracking.tests.helpers import body_of, post

jkt = Warehouse.objects.create(code="jkt", name="Gudang Jakarta", city="Jakarta")
madu = Variant.objects.create(product=Product.objects.create(name="Madu Hutan", slug="madu"), sku="MADU-500",
                              name="500 ml", price=150000, weight_grams=700)
Stock.objects.create(variant=madu, warehouse=jkt, on_hand=500)
Courier.objects.create(code="jne", name="JNE", services=["REG"], tracking_url="https://jne.co.id/tracking?awb={awb}")
owner = user_create(username="owner", role="owner", password="demo12345")
c = Client(HTTP_HOST="127.0.0.1")
start = timezone.now() - dt.timedelta(days=12)
shown = {}
for i in range(12):
    o = order_in("awaiting_pickup", owner, lines=(("MADU-500", 1),), method="cod")
    fate = outcome(o.awb, 3)
    for t in stream(o.awb, start + dt.timedelta(hours=5 * i), seed=3):
        post(c, body_of(t))
    shown.setdefault(fate, o.reference)
    if fate == "problem_then_delivered" or "rich" not in shown:
        shown["rich"] = o.reference
        shown["rich_link"] = order_link_url(o)
processing.process_due()
# A courier says lost after delivery: recorded, not applied (Action needed)
from tokodesk.orders.models import Order
d = Order.objects.filter(status="delivered").first()
post(c, {"event_id": "late-lost-1", "awb": d.awb, "event": "lost", "at": (timezone.now() - dt.timedelta(hours=2)).isoformat(),
         "note": "Laporan kurir: paket rusak"})
post(c, {"event_id": "ghost-1", "awb": "JP9999999999", "event": "picked_up", "at": timezone.now().isoformat()})
processing.process_due()
print(json.dumps(shown))
"""


def main() -> int:
    from playwright.sync_api import sync_playwright

    data_dir = tempfile.mkdtemp(prefix="tokodesk-shots-tracking-")
    env = {
        **os.environ,
        "TOKODESK_DATA_DIR": data_dir,
        "LANGUAGE_CODE": "id",
        "TOKODESK_SANDBOX_WEBHOOK_SECRET": "sandbox-test-secret",
    }
    env.pop("DATABASE_URL", None)
    for cmd in (["migrate", "--no-input", "-v0"], ["collectstatic", "--no-input", "-v0"]):
        subprocess.run(
            [str(BIN / "tokodesk"), *cmd], env=env, check=True, cwd=ROOT, stdout=subprocess.DEVNULL
        )
    out = (
        subprocess.run(
            [str(BIN / "tokodesk"), "shell", "-v0", "-c", SEED],
            env=env,
            check=True,
            cwd=ROOT,
            capture_output=True,
            text=True,
        )
        .stdout.strip()
        .splitlines()[-1]
    )
    shown = json.loads(out)
    print("shown:", shown)
    port = free_port()
    server = subprocess.Popen(
        [
            str(BIN / "gunicorn"),
            "config.wsgi:application",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            "1",
            "--preload",
            "--timeout",
            "120",
        ],
        env=env,
        cwd=ROOT,
        start_new_session=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(300):
            try:
                urllib.request.urlopen(base + "/accounts/login/", timeout=1)
                break
            except OSError:
                time.sleep(0.2)
        OUT.mkdir(parents=True, exist_ok=True)
        with sync_playwright() as p:
            browser = p.chromium.launch(
                executable_path="/usr/bin/chromium",
                args=ARGS,
                env={**os.environ, "LANGUAGE": "id", "LANG": "id_ID.UTF-8"},
            )
            ctx = browser.new_context(viewport={"width": 1440, "height": 900}, locale="id-ID")
            page = ctx.new_page()
            page.goto(base + "/accounts/login/")
            page.fill("input[name=username]", "owner")
            page.fill("input[name=password]", "demo12345")
            page.click("button[type=submit]")
            page.wait_for_url("**/orders/**")
            for name, path, full in (
                ("tracking-events.png", "/shipping/tracking/", True),
                ("tracking-action-needed.png", "/orders/?tab=action_needed", False),
                ("tracking-order.png", f"/orders/{shown['rich']}/", True),
            ):
                page.goto(base + path)
                page.wait_for_load_state("networkidle")
                if name == "tracking-order.png":
                    page.locator("#tracking").scroll_into_view_if_needed()
                    page.locator("#tracking").screenshot(path=OUT / name)
                else:
                    page.screenshot(path=OUT / name, full_page=full)
            phone = browser.new_context(**PHONE, locale="id-ID")
            bp = phone.new_page()
            bp.goto(base + shown["rich_link"])
            bp.wait_for_load_state("networkidle")
            bp.screenshot(path=OUT / "tracking-order-link-mobile.png", full_page=True)
            browser.close()
    finally:
        server.terminate()
        server.wait(30)
    return 0


if __name__ == "__main__":
    sys.exit(main())
