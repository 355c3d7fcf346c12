"""Steps several browser tests take the same way: a French shop made with `tokodesk setup`, its
first-login page, and the managed lists a shop abroad adds through the settings pages (a carrier,
a payment method, return reasons). Each step checks what the page shows after it, so a test that
takes it proves the same as when it spelled the step out; the walks (test_french_shop_walk,
test_first_run, test_managed_lists, test_payment_methods) differ only in what they do around them."""

import io
import os
from pathlib import Path

from django.core.management import call_command
from playwright.sync_api import expect

# The French shop's owner, as `make_french_shop` creates her.
FRENCH_OWNER = "marie"
FRENCH_PASSWORD = "Lumiere-2026-secret"


def shoot(page, name, env="TOKODESK_SCREENSHOTS"):
    """A full-page screenshot into the folder the environment variable `env` names, if any."""
    folder = os.environ.get(env)
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(folder) / name), full_page=True, scale="css")


def make_french_shop(stdout=None):
    """`tokodesk demo --no-demo` (nothing loaded), then `tokodesk setup` for Boutique Lumière:
    FR, EUR, French staff and customers, Europe/Paris, FR phones, owner marie."""
    out = stdout if stdout is not None else io.StringIO()
    call_command("demo", "--no-demo", stdout=out)
    call_command(
        "setup", "--no-input", "--shop-name", "Boutique Lumière", "--country", "FR",
        "--currency", "EUR", "--staff-language", "fr", "--customer-language", "fr",
        "--time-zone", "Europe/Paris", "--phone-region", "FR",
        "--sender-email", "boutique@example.fr", "--owner", FRENCH_OWNER,
        "--owner-email", "marie@example.fr", "--owner-password", FRENCH_PASSWORD,
        stdout=out,
    )  # fmt: skip


def log_in(page, username, password, then="**/orders/**", timeout=None):
    """Log in on the login page (opened unless shown already) and wait for the page it leads to
    (`then`)."""
    if not page.url.split("?", 1)[0].endswith("/accounts/login/"):
        page.goto(page.base + "/accounts/login/", **({"timeout": timeout} if timeout else {}))
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.click("button[type=submit]")
    page.wait_for_url(then)


def fill_first_run(page, reply_to, warehouse_name, warehouse_city):
    """On the first-login page: what `tokodesk setup` leaves out (the reply-to address and the
    first warehouse). Returns the page's form; the caller finishes it (finish_first_run)."""
    first = page.locator("[data-page=first-run]")
    expect(first).to_be_visible()
    first.locator("input[name=reply_to]").fill(reply_to)
    first.locator("input[name=warehouse_name]").fill(warehouse_name)
    first.locator("input[name=warehouse_city]").fill(warehouse_city)
    return first


def finish_first_run(page):
    """Finish the first-login page: it leads to the settings page."""
    page.locator("[data-page=first-run] [data-action=finish-setup]").click()
    page.wait_for_url("**/orders/settings/")


def _settings_link(page, link):
    if not page.url.split("?", 1)[0].endswith("/orders/settings/"):
        page.goto(page.base + "/orders/settings/")
    page.click(f"[data-link={link}]")


def add_carrier(page, code, name, services, tracking_url):
    """The carriers page, from the settings page: add a carrier with its services (comma-separated)
    and tracking URL; the new row shows its name and services."""
    _settings_link(page, "carriers")
    add = page.locator("#carrier-add")
    add.locator("input[name=code]").fill(code)
    add.locator("input[name=name]").fill(name)
    add.locator("input[name=services]").fill(services)
    add.locator("input[name=tracking_url]").fill(tracking_url)
    add.locator("button[type=submit]").click()
    row = page.locator(f'[data-carrier="{code}"]')
    expect(row.locator("input[name=name]")).to_have_value(name)
    expect(row.locator("input[name=services]")).to_have_value(services)


def add_payment_method(page, code, label_fr, label_en, flow, instructions_fr):
    """The payment methods page, from the settings page: add a method with its French and English
    labels, its flow and French instructions; the new row shows its label and flow."""
    _settings_link(page, "payment-methods")
    add = page.locator("#method-add")
    add.locator("input[name=code]").fill(code)
    add.locator("input[name=label_fr]").fill(label_fr)
    add.locator("input[name=label_en]").fill(label_en)
    add.locator("select[name=flow]").select_option(flow)
    add.locator("summary").click()
    add.locator("textarea[name=instructions_fr]").fill(instructions_fr)
    add.locator("button[type=submit]").click()
    row = page.locator(f'[data-method="{code}"]')
    expect(row.locator("input[name=label_fr]")).to_have_value(label_fr)
    expect(row.locator("select[name=flow]")).to_have_value(flow)


def add_return_reasons(page, reasons):
    """The return lists page, from the settings page: add each (code, French label, English label)
    reason; each new row shows its French label."""
    _settings_link(page, "return-lists")
    for code, fr, en in reasons:
        form = page.locator("#reason-add")
        form.locator("input[name=code]").fill(code)
        form.locator("input[name=label_fr]").fill(fr)
        form.locator("input[name=label_en]").fill(en)
        form.locator("button[type=submit]").click()
        expect(page.locator(f'[data-reason="{code}"] input[name=label_fr]')).to_have_value(fr)
