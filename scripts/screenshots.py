"""Screenshots of the main pages, in Indonesian, for docs/screenshots/ and the README.

Run with `make screenshots`: it starts gunicorn on a fresh demo database, drives
Debian's chromium with Playwright (browser locale id-ID) and writes every PNG of
docs/screenshots/ at desktop (1440 px) and phone (390 px) widths:

- the team's pages, logged in as the owner: orders (list, cards, both widths), an order
  (both widths), an order with returns, the manual order form (both widths), the returns
  list, a completed return with a fee and a pending bank refund, the create-return form,
  the returns calendar, the settings page (its Returns section, and the shop profile alone),
  and the login page;
- the buyer's pages on a 390 px phone: the landing page filled in and its thank-you page,
  the order link of an unpaid bank-transfer order, and "Request a return" on a delivered
  order that already has a return, filled in, then the order link listing the new request.

The orders, returns and landing page shown are picked from the demo data by what they
show (see PICK), so the pictures follow the demo shop when it changes. The buyer's order
and return are made last, through the pages, so the team's pages show the demo as loaded."""

from __future__ import annotations

import json
import os
import shutil
import socket
import struct
import subprocess
import sys
import tempfile
import time
import urllib.request
import zlib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = ROOT / ".venv" / "bin"
OUT = ROOT / "docs" / "screenshots"
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
    # Date fields in the page's language (dd/mm/yyyy), not the browser's.
    "--enable-blink-features=LangAttributeAwareFormControlUI",
]
# The browser's own words ("Pilih File", "dd/mm/tttt") in Indonesian: Debian's chromium
# reads its language from LANGUAGE and needs the chromium-l10n package for it.
CHROMIUM_LOCALE = Path("/usr/lib/chromium/locales/id.pak")
PHONE = {
    "viewport": {"width": 390, "height": 844},
    "is_mobile": True,
    "has_touch": True,
    "device_scale_factor": 1,
}

# Run in `tokodesk shell` on the demo database; prints what the screenshots show, as JSON.
PICK = r"""
import json
from django.db.models import Count
from tokodesk.orders.models import Order
from tokodesk.returns.models import Refund, Return
from tokodesk.storefront.links import order_link_url
from tokodesk.storefront.models import LandingPage
from tokodesk.storefront.views.customer_returns import return_availability, customer_returns

returnable = Order.objects.filter(status__in=("delivered", "completed"))
# The order link of an unpaid bank-transfer order: the payment instructions.
unpaid = Order.objects.filter(status="confirmed", payment_method="bank_transfer").order_by("-created_at").first()
# The order with the most returns, then one whose exchange made a replacement order.
with_returns = max(
    Order.objects.annotate(n=Count("returns"), r=Count("returns__replacement_order")).filter(n__gt=0)
    .order_by("-created_at"),
    key=lambda o: (o.n, o.r),
)
# A completed return with the most to show: a pending refund, fees, photos, a label, messages.
def richness(r):
    pending = Refund.objects.filter(return_order=r, status="pending").exists()
    return (pending, r.extra_lines.count(), r.photos.count(), bool(r.label), r.messages.count())
detail = max(Return.objects.filter(status="completed").order_by("reference"), key=richness)
# The create form: a returnable order in its window, no return yet, the most lines.
create = next(o for o in returnable.annotate(n=Count("returns"), k=Count("lines")).filter(n=0)
              .order_by("-k", "-delivered_at") if return_availability(o)["can_request"])
# The buyer's request: an order that can take another return, one already listing a return first.
def request_rank(o):
    block = customer_returns(o)
    return (bool(block and block["can_request"]), bool(block and block["rows"]), o.k)
request = max(returnable.annotate(k=Count("lines")).order_by("-delivered_at"), key=request_rank)
pages = list(LandingPage.objects.filter(active=True).order_by("id")) or list(LandingPage.objects.order_by("id"))
page = next((p for p in pages if p.product.variants.count() >= 3), pages[0])
print(json.dumps({
    "unpaid_link": order_link_url(unpaid),
    "order_with_returns": with_returns.reference,
    "return_detail": detail.reference,
    "return_create_order": create.reference,
    "request_link": order_link_url(request),
    "landing": page.slug,
}))
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def png(path: Path, width: int = 96, height: int = 72) -> Path:
    """A small PNG to attach as the buyer's photo (a red line on off-white)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        )

    rows = b"".join(
        b"\x00"
        + b"".join(
            b"\xc0\x20\x20" if abs(x - width // 2) < 2 else b"\xee\xea\xe0" for x in range(width)
        )
        for _ in range(height)
    )
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    path.write_bytes(
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )
    return path


def shoot(page, name: str, *, full: bool = False) -> None:
    page.wait_for_load_state("networkidle")
    page.screenshot(path=OUT / name, full_page=full)


def login(page, base: str) -> None:
    page.goto(base + "/accounts/login/")
    page.fill("input[name=username]", "owner")
    page.fill("input[name=password]", "demo12345")
    page.click("button[type=submit]")
    page.wait_for_url("**/orders/**")


def team_pages(browser, base: str, picked: dict) -> None:
    for width, height, suffix in ((1440, 900, ""), (390, 844, "-mobile")):
        context = browser.new_context(
            viewport={"width": width, "height": height}, locale="id-ID", device_scale_factor=1
        )
        page = context.new_page()
        if not suffix:
            page.goto(base + "/accounts/login/")
            shoot(page, "login.png")
        login(page, base)
        page.goto(base + "/orders/?view=list")
        shoot(page, f"orders-list{suffix}.png")
        page.goto(base + "/orders/?view=card&tab=to_ship")
        shoot(page, f"orders-cards{suffix}.png")
        page.goto(base + "/orders/?view=list&tab=all")
        reference = (
            page.locator("tr[data-reference], article[data-reference]")
            .nth(3)
            .get_attribute("data-reference")
        )
        page.goto(f"{base}/orders/{reference}/")
        shoot(page, f"order-detail{suffix}.png", full=not suffix)
        page.goto(base + "/orders/new/")
        shoot(page, f"manual-order{suffix}.png", full=not suffix)
        if not suffix:
            page.goto(f"{base}/orders/{picked['order_with_returns']}/")
            shoot(page, "order-detail-returns.png", full=True)
            page.goto(base + "/returns/")
            shoot(page, "returns-list.png")
            page.goto(f"{base}/returns/{picked['return_detail']}/")
            shoot(page, "return-detail.png", full=True)
            page.goto(f"{base}/returns/new/?order={picked['return_create_order']}")
            page.locator("input.qty").first.fill("1")
            page.select_option("#id_reason", "damaged")
            page.fill("#id_reason_text", "Barang diterima dalam keadaan rusak.")
            page.check("input[name=resolution][value=store_credit]")
            shoot(page, "return-create.png", full=True)
            page.goto(base + "/returns/calendar/")
            shoot(page, "returns-calendar.png", full=True)
            page.goto(base + "/orders/settings/")
            shoot(page, "settings-returns.png", full=True)
            # The shop profile (name, address with district and city, bank accounts).
            page.locator("section#shop").screenshot(path=OUT / "settings-shop.png")
        context.close()


def catalog_pages(browser, base: str) -> None:
    """Issue 13: the catalog, a product with its stock grid, receive, transfer, a
    stocktake sheet and the stock ledger, at 1440 and 390 px (`screenshots.py catalog`
    shoots only these)."""
    for width, height, suffix in ((1440, 900, ""), (390, 844, "-mobile")):
        context = browser.new_context(
            viewport={"width": width, "height": height}, locale="id-ID", device_scale_factor=1
        )
        page = context.new_page()
        login(page, base)
        page.goto(base + "/catalog/")
        shoot(page, f"catalog{suffix}.png", full=not suffix)
        page.locator("#products a[href^='/catalog/']").first.click()
        page.wait_for_url("**/catalog/*/")
        shoot(page, f"product{suffix}.png", full=True)
        page.goto(base + "/stock/receive/")
        shoot(page, f"stock-receive{suffix}.png", full=True)
        page.goto(base + "/stock/transfer/")
        shoot(page, f"stock-transfer{suffix}.png", full=True)
        page.goto(base + "/stock/stocktakes/")
        if not suffix:  # one open sheet, shown at both widths
            page.locator("#stocktake-start select[name=warehouse]").select_option(index=1)
            page.fill("#stocktake-start input[name=note]", "Opname bulanan")
            page.click("#stocktake-start button[type=submit]")
            page.wait_for_url("**/stock/stocktakes/*/")
        else:
            page.locator("#stocktakes a").first.click()
            page.wait_for_url("**/stock/stocktakes/*/")
        shoot(page, f"stock-stocktake{suffix}.png", full=True)
        page.goto(base + "/stock/")
        shoot(page, f"stock-ledger{suffix}.png", full=not suffix)
        context.close()


RATES_CSV = (
    "courier,service,origin,destination,destination_name,price_per_kg,min_weight_kg,"
    "rounding_grams,eta_days_min,eta_days_max\n"
    "jne,REG,,32.01.07,Cileungsi,9000,1,300,1,2\n"
    "jne,YES,,32.01.07,Cileungsi,16000,1,300,1,1\n"
    "sicepat,REG,,32.01,Kab. Bogor,8500,1,300,1,2\n"
    "jnt,KILAT,,32.01,Kab. Bogor,9000,1,300,1,2\n"
    "pos,REG,,99.99,,7000,1,300,2,4\n"
)


def shipping_pages(browser, base: str) -> None:
    """Issue 14 at 1440 px: the rates page, a CSV import's preview with refused rows, the
    manual order with a district and its couriers' prices, the confirm dialog asking for
    the courier (`screenshots.py shipping` shoots only these)."""
    context = browser.new_context(
        viewport={"width": 1440, "height": 900}, locale="id-ID", device_scale_factor=1
    )
    page = context.new_page()
    login(page, base)
    page.goto(base + "/shipping/rates/?courier=jne")
    shoot(page, "shipping-rates.png", full=True)
    page.goto(base + "/shipping/rates/import/")
    page.set_input_files(
        "input[name=file]",
        files=[{"name": "tarif.csv", "mimeType": "text/csv", "buffer": RATES_CSV.encode()}],
    )
    page.click("[data-csv-preview]")
    page.wait_for_selector("[data-csv-preview-table]")
    shoot(page, "shipping-rates-import.png", full=True)
    # The manual order: a district, a product, the couriers with their prices.
    page.goto(base + "/orders/new/")
    page.fill("#id_phone", "081298765432")
    page.fill("#id_name", "Rina Wulandari")
    page.fill("#id_address", "Perum Griya Asri Blok C2 No. 7")
    page.fill("#id_destination_search", "cileungsi")
    page.locator("#destination-results li[data-value]").first.click()
    warehouse = page.locator("#id_warehouse")
    if not warehouse.input_value():
        warehouse.select_option(index=1)
        page.wait_for_selector("select[name=sku]")
    page.locator("select[name=sku]").first.select_option(index=1)
    page.locator("input[name=qty]").first.fill("2")
    page.check("input[name=payment_method][value=cod]")
    page.wait_for_selector("[data-ship-options]")
    page.locator("input[name=ship_option]").nth(1).check()
    page.wait_for_timeout(1500)
    # One tall viewport rather than a full-page shot: the sticky menu stays at the top.
    page.set_viewport_size({"width": 1440, "height": 1700})
    page.evaluate("window.scrollTo(0, 0)")
    shoot(page, "manual-order-district.png")
    page.set_viewport_size({"width": 1440, "height": 900})
    # With a district and a cost of 0 typed, no courier: confirming asks for them.
    page.select_option("#id_courier", "")
    page.fill("#id_shipping_cost", "0")
    page.wait_for_timeout(800)
    page.click("#create-order")
    page.wait_for_selector(".detail-actions")
    confirm = page.locator(".detail-actions [data-action=confirm]").first
    if not confirm.is_visible():  # in the "More actions" menu
        page.locator(".detail-actions details summary").click()
    confirm.click()
    page.wait_for_selector("#modal input[name=shipping_option]")
    page.wait_for_timeout(500)
    shoot(page, "confirm-courier-prices.png")
    context.close()


def buyer_pages(browser, base: str, picked: dict, photo: Path) -> None:
    context = browser.new_context(locale="id-ID", **PHONE)
    page = context.new_page()
    page.goto(base + picked["unpaid_link"])
    shoot(page, "customer-link.png", full=True)

    # The landing page filled in, then its thank-you page (a new order, made last).
    page.goto(f"{base}/p/{picked['landing']}/")
    variants = page.locator("label.sf-variant:has(input:not([disabled]))")
    variants.nth(min(1, variants.count() - 1)).click()
    page.click("button[data-step='1']")
    page.fill("#id_name", "Dewi Lestari")
    page.fill("#id_phone", "0812 3456 7890")
    page.fill("#id_address", "Jl. Kenanga No. 12, RT 03/RW 05, Kel. Dago, Kec. Coblong")
    page.fill("#id_city", "Bandung")
    page.fill("#id_note", "Tolong telepon dulu sebelum kirim")
    page.locator("label.sf-method", has=page.locator("input[value=bank_transfer]")).click()
    shoot(page, "landing-page.png", full=True)
    page.click("button.sf-submit")
    page.wait_for_url("**/thanks/**")
    shoot(page, "thank-you.png", full=True)

    # "Request a return" filled in: one item with a photo, a reason, a refund, a message.
    page.goto(base + picked["request_link"])
    page.click("#request-return")
    form = page.locator("#return-form")
    line = form.locator(".rr-line:has(input[type=number])").first
    line.locator("[data-step='1']").click()
    line.locator("input[type=file]").set_input_files(str(photo))
    form.locator("label.sf-variant", has=page.locator("input[value=damaged]")).click()
    form.locator("label.sf-method", has=page.locator("input[value=refund]")).click()
    form.locator("textarea[name=message]").fill(
        "Barangnya rusak waktu paket sampai, fotonya saya lampirkan."
    )
    shoot(page, "customer-return-request.png", full=True)
    form.locator("button[type=submit]").click()
    page.wait_for_url("**#return-*")
    page.evaluate("window.scrollTo(0, 0)")
    shoot(page, "customer-return-listed.png", full=True)
    context.close()


def main() -> int:
    from playwright.sync_api import sync_playwright

    data_dir = tempfile.mkdtemp(prefix="tokodesk-shots-")
    env = {**os.environ, "TOKODESK_DATA_DIR": data_dir, "LANGUAGE_CODE": "id"}
    env.pop("DATABASE_URL", None)
    for cmd in (["migrate", "--no-input", "-v0"], ["demo"], ["collectstatic", "--no-input", "-v0"]):
        subprocess.run(
            [str(BIN / "tokodesk"), *cmd], env=env, check=True, cwd=ROOT, stdout=subprocess.DEVNULL
        )
    picked = json.loads(
        subprocess.run(
            [str(BIN / "tokodesk"), "shell", "-v0", "-c", PICK],
            env=env,
            check=True,
            cwd=ROOT,
            capture_output=True,
            text=True,
        )
        .stdout.strip()
        .splitlines()[-1]
    )
    print(
        "shown:", ", ".join(f"{key} {value}" for key, value in picked.items() if "link" not in key)
    )
    photo = png(Path(data_dir) / "foto-barang.png")
    port = free_port()
    server = subprocess.Popen(
        [
            str(BIN / "gunicorn"),
            "config.wsgi:application",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            "2",
            # The app is imported once, before forking, and a loaded machine's first page
            # (building the API's schemas takes seconds there) is not killed at 30 s.
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
        for _ in range(100):
            try:
                urllib.request.urlopen(base + "/accounts/login/", timeout=1)
                break
            except OSError:
                time.sleep(0.2)
        OUT.mkdir(parents=True, exist_ok=True)
        with sync_playwright() as p:
            if not CHROMIUM_LOCALE.exists():
                print(
                    f"{CHROMIUM_LOCALE} is missing (apt-get install chromium-l10n): the browser's own "
                    "labels (file fields) will be in English.",
                    file=sys.stderr,
                )
            browser = p.chromium.launch(
                executable_path="/usr/bin/chromium",
                args=ARGS,
                env={**os.environ, "LANGUAGE": "id", "LANG": "id_ID.UTF-8"},
            )
            if sys.argv[1:] == ["shipping"]:
                shipping_pages(browser, base)
            else:
                if sys.argv[1:] != ["catalog"]:
                    team_pages(browser, base, picked)
                    buyer_pages(browser, base, picked, photo)
                    shipping_pages(browser, base)
                catalog_pages(browser, base)
            browser.close()
    finally:
        os.killpg(server.pid, 15)
        server.wait(timeout=10)
        shutil.rmtree(data_dir, ignore_errors=True)
    for png_file in sorted(OUT.glob("*.png")):
        print(png_file.relative_to(ROOT))
    return 0


if __name__ == "__main__":
    sys.exit(main())
