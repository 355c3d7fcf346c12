"""Screenshots of the main pages, in Indonesian, for docs/screenshots/ and the README.

Run with `make screenshots`: it starts gunicorn on a fresh demo database, drives
Debian's chromium with Playwright and writes PNGs at desktop (1440 px) and phone (390 px)
widths."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = ROOT / ".venv" / "bin"
OUT = ROOT / "docs" / "screenshots"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def main() -> int:
    from playwright.sync_api import sync_playwright

    data_dir = tempfile.mkdtemp(prefix="tokodesk-shots-")
    env = {**os.environ, "TOKODESK_DATA_DIR": data_dir, "LANGUAGE_CODE": "id"}
    env.pop("DATABASE_URL", None)
    for cmd in (["migrate", "--no-input", "-v0"], ["demo"], ["collectstatic", "--no-input", "-v0"]):
        subprocess.run([str(BIN / "tokodesk"), *cmd], env=env, check=True, cwd=ROOT, stdout=subprocess.DEVNULL)
    port = free_port()
    server = subprocess.Popen([str(BIN / "gunicorn"), "config.wsgi:application", "--bind", f"127.0.0.1:{port}",
                               "--workers", "2"], env=env, cwd=ROOT, start_new_session=True)
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
            browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=ARGS)
            for width, height, suffix in ((1440, 900, ""), (390, 844, "-mobile")):
                context = browser.new_context(viewport={"width": width, "height": height}, locale="id-ID",
                                              device_scale_factor=1)
                page = context.new_page()
                page.goto(base + "/accounts/login/")
                if not suffix:
                    page.screenshot(path=OUT / "login.png")
                page.fill("input[name=username]", "owner")
                page.fill("input[name=password]", "demo12345")
                page.click("button[type=submit]")
                page.wait_for_url("**/orders/**")
                page.goto(base + "/orders/?view=list")
                page.screenshot(path=OUT / f"orders-list{suffix}.png")
                page.goto(base + "/orders/?view=card&tab=to_ship")
                page.screenshot(path=OUT / f"orders-cards{suffix}.png")
                page.goto(base + "/orders/?view=list&tab=all")
                reference = page.locator("tr[data-reference], article[data-reference]").nth(3).get_attribute(
                    "data-reference")
                page.goto(f"{base}/orders/{reference}/")
                page.screenshot(path=OUT / f"order-detail{suffix}.png", full_page=not suffix)
                page.goto(base + "/orders/new/")
                page.wait_for_load_state("networkidle")
                page.screenshot(path=OUT / f"manual-order{suffix}.png", full_page=not suffix)
                context.close()
            browser.close()
    finally:
        os.killpg(server.pid, 15)
        server.wait(timeout=10)
    for png in sorted(OUT.glob("*.png")):
        print(png.relative_to(ROOT))
    return 0


if __name__ == "__main__":
    sys.exit(main())
