"""Browser tests: Playwright for Python driving Debian's chromium against pytest-django's
live server. `make test` installs chromium when it is missing (never `playwright install`)."""

import os
from contextlib import contextmanager

import pytest

# Playwright's sync API runs an event loop in this thread; the ORM calls the tests make
# between browser steps are still plain synchronous calls.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = os.environ.get("TOKODESK_CHROMIUM", "/usr/bin/chromium")
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"]
PASSWORD = "pw-123456"
# How long a step or an expect() waits: the suite runs in parallel (scripts/test.sh) on a
# shared 2-core machine, where Playwright's default of 5 s for expect() is not enough.
TIMEOUT_MS = 15000


def pytest_configure(config):
    try:
        from playwright.sync_api import expect
    except ImportError:  # the browser fixture says so
        return
    expect.set_options(timeout=TIMEOUT_MS)


@pytest.fixture(scope="session")
def browser():
    if not os.path.exists(CHROMIUM):
        if os.environ.get("CI"):
            pytest.fail(f"{CHROMIUM} is missing: make test installs Debian's chromium")
        pytest.skip(f"{CHROMIUM} is missing (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield b
        b.close()


# Every page runs under the Content-Security-Policy (config/settings.py): a blocked inline
# script, style attribute, event handler or eval is a bug, so each test fails on any
# violation the browser reports (the event in every page and frame, and the console line).
CSP_LISTENER = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", function (e) {
  window.__cspViolations.push([e.violatedDirective, e.blockedURI, e.sourceFile + ":" + e.lineNumber,
                               (e.sample || "").slice(0, 80)].join(" "));
});
"""


def csp_violations(pg) -> list[str]:
    """The violations seen so far: the console's (every page of the context, kept across
    navigations) and those the page shown now reported."""
    found = list(pg.csp_console)
    try:
        found += pg.evaluate("window.__cspViolations || []")
    except Exception:  # the page is navigating or closed: its console lines are kept
        pass
    return found


@contextmanager
def open_page(browser, live_server, **context_options):
    """A new context's page on the live server that fails the test at its end on any
    Content-Security-Policy violation (every browser test's page goes through here)."""
    context = browser.new_context(**context_options)
    context.add_init_script(CSP_LISTENER)
    pg = context.new_page()
    pg.set_default_timeout(TIMEOUT_MS)
    pg.base = live_server.url
    pg.csp_console = []

    def on_console(msg):
        if "Content Security Policy" in msg.text or "Content-Security-Policy" in msg.text:
            pg.csp_console.append(f"{msg.page.url if msg.page else ''}: {msg.text[:300]}")

    context.on("console", on_console)
    try:
        yield pg
        violations = []
        for other in context.pages:
            try:
                violations += other.evaluate("window.__cspViolations || []")
            except Exception:
                pass
        violations += pg.csp_console
    finally:
        context.close()
    assert not violations, "Content-Security-Policy violations:\n" + "\n".join(violations)


@pytest.fixture
def page(browser, live_server):
    with open_page(browser, live_server, viewport={"width": 1440, "height": 900}, locale="en-US") as pg:
        yield pg


def login(page, username, password=PASSWORD):
    page.goto(page.base + "/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.click("button[type=submit]")
    page.wait_for_url("**/orders/**")


def htmx_settled(page):
    """Wait until htmx has finished every request and swap on the page.

    htmx wires a swapped-in element (its hx-* attributes) in the settle step, about 20 ms after the
    element is in the DOM: a click that lands in between does nothing. htmx marks that window with
    its request / swapping / settling / added classes, so wait until none is left.
    """
    page.wait_for_function(
        "() => window.htmx && !document.querySelector("
        "'.htmx-request, .htmx-swapping, .htmx-settling, .htmx-added')"
    )
