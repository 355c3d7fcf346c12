"""The owner shapes the return slip (issue 17, report templates): from the settings page to
the slip's editor, a change previewed in the page's frame without saving, a broken template
refused with its line, then saved; the return's slip PDF is made from it.

With TOKODESK_SCREENSHOTS=<dir> the editor with its preview is saved there at 1440 px."""

import os
import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import login, open_page
from tokodesk.notifications import slips
from tokodesk.notifications.tests.test_slips import pdf_text
from tokodesk.returns.reports.models import ReportTemplate
from tokodesk.returns.services import return_create
from tokodesk.returns.tests.factories import paid_order, return_data

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def shoot(page, name):
    folder = os.environ.get("TOKODESK_SCREENSHOTS")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(folder) / name), full_page=True, scale="css")


def test_owner_previews_refuses_and_saves_a_slip_template(browser, live_server, shop, owner):
    order = paid_order(owner)
    ret = return_create(
        data=return_data(order, reason="other", reason_text="Jahitan lepas", resolution="refund"),
        actor=owner,
    )
    with open_page(
        browser, live_server, viewport={"width": 1440, "height": 900}, locale="en-US"
    ) as page:
        login(page, "owner")
        page.goto(page.base + "/orders/settings/")
        page.click("[data-link=report-templates]")
        page.click("[data-edit=slip]")
        html = page.locator("textarea[data-html]")
        # The editor starts from the built-in slip, with the variables listed beside it.
        expect(html).to_have_value(re.compile(r"return\.reference"))
        expect(page.locator(".rt-var-list")).to_contain_text("line.serial_numbers")

        custom = html.input_value().replace('{% translate "Return slip" %}', "Our own slip")
        html.fill(custom)
        page.click("[data-preview]")
        frame = page.frame_locator("iframe[name=report-preview]")
        expect(frame.locator("body")).to_contain_text("Our own slip")
        expect(frame.locator("body")).to_contain_text("RMA-000123")  # the sample return
        page.fill("input[name=reference]", ret.reference)
        page.click("[data-preview]")
        expect(frame.locator("body")).to_contain_text(ret.reference)
        expect(frame.locator("body")).to_contain_text("Jahitan lepas")
        assert not ReportTemplate.objects.exists()  # a preview saves nothing
        page.fill("input[name=reference]", "")
        page.click("[data-preview]")
        expect(frame.locator("body")).to_contain_text("RMA-000123")
        # The whole page in the viewport: Chromium leaves a frame outside it unpainted in a
        # full-page screenshot.
        page.set_viewport_size({"width": 1440, "height": page.evaluate("document.body.scrollHeight")})
        page.evaluate("window.scrollTo(0, 0)")
        expect(frame.locator(".big")).to_have_text("RMA-000123")
        page.wait_for_timeout(500)
        shoot(page, "report-template-editor.png")
        page.set_viewport_size({"width": 1440, "height": 900})

        html.fill(custom + "\n{% load static %}")
        page.click("[data-save]")
        error = page.locator("[data-error-field=html]")
        expect(error).to_contain_text("Line ")
        expect(error).to_contain_text("{% load %}")
        assert not ReportTemplate.objects.exists()

        page.locator("textarea[data-html]").fill(custom)
        page.click("[data-save]")
        expect(page.locator("[data-reset]")).to_be_enabled()
        assert ReportTemplate.objects.get(document="slip").html.replace(
            "\r\n", "\n"
        ) == custom.replace("\r\n", "\n")

    assert "OUR OWN SLIP" in pdf_text(
        slips.render_slip_pdf(ret, "en")
    )  # the title prints upper-case
