"""The main menu in a real browser: at 1440 px the bar is one line in Indonesian and French
(it wrapped labels onto two lines before the groups), a group opens on a click and shows its
pages, a click elsewhere or Escape closes it, and only one group is open at a time; on a
phone the groups still open inside the screen."""

import os

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import login, open_page

SHOTS = os.environ.get("TOKODESK_SHOTS", "")
pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("lang", ["id-ID", "fr-FR"])
def test_menu_fits_one_line_and_groups_open_and_close(browser, live_server, shop, users, lang):
    with open_page(browser, live_server, viewport={"width": 1440, "height": 900}, locale=lang) as page:
        login(page, "owner")
        bar = page.locator("header.topbar")
        assert bar.bounding_box()["height"] <= 56, "the top bar wrapped"
        for entry in page.locator("nav.mainnav > a, nav.mainnav > details > summary").all():
            box = entry.bounding_box()
            assert box["height"] < 40, f"{entry.inner_text()!r} wraps inside its label"

        finance, warehouse = page.locator("details[data-navgroup]").all()
        expect(page.locator("a[href='/payments/rts/']")).to_be_hidden()
        finance.locator("summary").click()
        expect(page.locator("a[href='/payments/rts/']")).to_be_visible()
        if SHOTS:
            page.screenshot(path=f"{SHOTS}/menu-{lang}.png")
        warehouse.locator("summary").click()  # one open at a time
        expect(page.locator("a[href='/shipping/tracking/']")).to_be_visible()
        expect(page.locator("a[href='/payments/rts/']")).to_be_hidden()
        page.locator("main h1").first.click()  # a click elsewhere
        expect(page.locator("a[href='/shipping/tracking/']")).to_be_hidden()
        finance.locator("summary").click()
        page.keyboard.press("Escape")
        expect(page.locator("a[href='/payments/rts/']")).to_be_hidden()

        warehouse.locator("summary").click()
        page.locator("a[href='/shipping/tracking/']").click()
        page.wait_for_url("**/shipping/tracking/")
        expect(page.locator("h1")).to_be_visible()


def test_phone_menu_opens_within_the_screen(browser, live_server, shop, users):
    with open_page(browser, live_server, viewport={"width": 390, "height": 844}, locale="id-ID") as page:
        login(page, "owner")
        page.locator("details[data-navgroup] summary").last.click()
        panel = page.locator("details[data-navgroup][open] .navgroup-items")
        expect(panel).to_be_visible()
        box = panel.bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= 390, box
