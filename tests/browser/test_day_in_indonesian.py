"""Issue 12's page items that had only client tests, walked in a real browser in Indonesian
(the app's default language): the e-mail preview's recipient (item 5), the responsible
picker in words (item 6), a refused line on the return's timeline (item 8), the returns tabs
and badges in the same words (item 10), the warehouse landing on To ship by deadline
(item 11) and Action Needed soonest first (item 12)."""

import datetime as dt

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from tests.browser.conftest import htmx_settled, login, open_page
from tokodesk.orders.models import Order
from tokodesk.orders.tests.factories import order_in
from tokodesk.returns.services import return_apply_action, return_create
from tokodesk.returns.tests.factories import BANK, act, paid_order, return_data, return_in

pytestmark = [
    pytest.mark.browser,
    pytest.mark.postgres_too,
    pytest.mark.django_db(transaction=True),
]


@pytest.fixture
def page_id(browser, live_server):
    with open_page(
        browser, live_server, viewport={"width": 1440, "height": 900}, locale="id-ID"
    ) as pg:
        yield pg


def test_returns_pages_speak_one_language(page_id, shop, users):
    page = page_id
    owner = users["owner"]
    draft = return_in("draft", owner)
    requested = return_in("requested", owner)
    # A return where one unit of one line was refused at inspection.
    order = paid_order(owner, lines=(("KAOS-M", 2), ("MADU-500", 1)))
    ret = act(
        act(return_create(data=return_data(order), actor=owner), "approve", owner), "receive", owner
    )
    kaos, madu = ret.lines.order_by("id")
    refused = return_apply_action(
        reference=ret.reference,
        action="complete",
        actor=owner,
        inputs={
            "lines": [
                {"line": kaos.pk, "decision": "accept", "qty": 1},
                {"line": madu.pk, "decision": "refuse"},
            ],
            **BANK,
        },
    )
    login(page, "owner")

    # Item 10: the tab and the badge of a requested return say the same word.
    page.goto(page.base + "/returns/")
    expect(page.locator("html")).to_have_attribute("lang", "id")
    tab = page.locator('#tabs [data-tab="requested"]')
    badge = page.locator(f"#return-{requested.reference} .badge")
    expect(badge).to_have_text("Diminta")
    expect(tab).to_contain_text("Diminta")
    expect(page.locator('#tabs [data-tab="awaiting_item"]')).to_contain_text("Menunggu Item Retur")

    # Item 8: the timeline names the refused unit, not "0 ×".
    page.goto(page.base + f"/returns/{refused.reference}/")
    timeline = page.locator('[data-section="timeline"]')
    expect(timeline).to_contain_text("Tolak: 1 × MADU-500")
    expect(timeline).not_to_contain_text("0 ×")

    # Item 5: approving with an e-mail shows who it goes to as "Kepada", not a date filter's "Sampai Tanggal".
    page.goto(page.base + f"/returns/{draft.reference}/")
    page.locator("[data-action=approve]").first.click()
    form = page.locator("form.modal-inner")
    expect(form).to_be_visible()
    htmx_settled(page)
    form.locator("button[name=step][value=preview]").click()
    preview = page.locator("#email-preview")
    expect(preview.locator("dt").first).to_have_text("Kepada")
    expect(preview).not_to_contain_text("Sampai Tanggal")
    expect(preview.locator("button[name=notify][value=skip]")).to_be_visible()

    # Item 6: the responsible picker names groups in words.
    fresh = paid_order(owner)  # nothing returned from it yet
    page.goto(page.base + f"/returns/new/?order={fresh.reference}")
    options = page.locator("select[name=responsible] option")
    texts = options.all_inner_texts()
    values = [options.nth(i).get_attribute("value") for i in range(options.count())]
    groups = [text for text, value in zip(texts, values, strict=True) if value.startswith("group:")]
    assert groups, texts
    assert all("(tim)" in text for text in groups), groups
    assert not any("return_order" in text or "warehouse" in text for text in groups), groups


def test_work_lists_come_most_urgent_first(page_id, shop, users):
    page = page_id
    owner = users["owner"]
    later = order_in("ready_to_ship", owner)
    sooner = order_in("paid", owner)
    now = timezone.now()
    Order.objects.filter(pk=later.pk).update(ship_by=now + dt.timedelta(hours=30))
    Order.objects.filter(pk=sooner.pk).update(ship_by=now + dt.timedelta(hours=2))
    request = order_in("cancellation_requested", owner)
    late = order_in("paid", owner)
    Order.objects.filter(pk=late.pk).update(ship_by=now - dt.timedelta(hours=3))

    # Item 11: the warehouse lands on Perlu Dikirim, the most urgent first.
    login(page, "warehouse")
    expect(page).to_have_url(page.base + "/orders/?tab=to_ship&sort=deadline")
    expect(page.locator("#tabs a.active")).to_contain_text("Perlu Dikirim")
    refs = page.locator("#results tr[data-reference]")
    expect(refs.first).to_have_attribute("data-reference", late.reference)
    order = [r for r in refs.evaluate_all("rows => rows.map(r => r.dataset.reference)")]
    assert (
        order.index(late.reference) < order.index(sooner.reference) < order.index(later.reference)
    )

    # Item 12: Action Needed opens soonest deadline first.
    page.goto(page.base + "/orders/?tab=action_needed")
    expect(page.locator("select[name=sort]")).to_have_value("deadline")
    rows = page.locator("#results tr[data-reference]")
    expect(rows.first).to_have_attribute("data-reference", late.reference)
    listed = rows.evaluate_all("rows => rows.map(r => r.dataset.reference)")
    assert listed.index(late.reference) < listed.index(request.reference)
