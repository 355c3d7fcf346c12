"""The orders page as a seller sees it in Indonesian: filter chips in words, the status
filter as boxes to tap, a table that fits 1440 px with every item's variant, a phone that
opens the cards, and the 404 page in the app's layout."""

import re

import pytest
from django.utils import translation
from django.utils.translation import gettext
from playwright.sync_api import expect

from tests.browser.conftest import login, open_page
from tokodesk.catalog.models import Product, Stock, Variant
from tokodesk.orders.models import Order, Tag
from tokodesk.orders.tests.factories import make_order, order_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

DESKTOP = {"viewport": {"width": 1440, "height": 900}, "locale": "id-ID"}
PHONE = {
    "viewport": {"width": 390, "height": 844},
    "locale": "id-ID",
    "is_mobile": True,
    "has_touch": True,
}
LONG_NAME = "Raden Ajeng Kartika Sari Dewi Puspitasari Wulandari Kusumawardhani"


@pytest.fixture
def desktop(browser, live_server):
    with open_page(browser, live_server, **DESKTOP) as pg:
        yield pg


@pytest.fixture
def phone(browser, live_server):
    with open_page(browser, live_server, **PHONE) as pg:
        yield pg


@pytest.fixture
def busy_shop(shop, users):
    """Orders with the longest texts a shop has: names, products, variants, an AWB, tags."""
    product = Product.objects.create(
        name="Gamis Syar'i Premium Katun Jepang Motif Bunga Sakura", slug="gamis"
    )
    variant = Variant.objects.create(
        product=product,
        sku="GAMIS-HTM-XXL",
        name="Hitam Dongker / XXL",
        price=385000,
        weight_grams=600,
    )
    Stock.objects.create(variant=variant, warehouse=shop["jkt"], on_hand=50)
    owner = users["owner"]
    agent = users["agent"]
    agent.first_name, agent.last_name = "Agen", "Satu"
    agent.save()
    orders = [
        make_order(owner, lines=(("GAMIS-HTM-XXL", 2), ("MADU-500", 1)), agent="agent"),
        order_in("in_transit", owner),
        make_order(owner, method="cod", agent="agent"),
    ]
    Order.objects.filter(pk=orders[0].pk).update(
        recipient_name=LONG_NAME, destination_city="Kabupaten Kepulauan Seribu Utara"
    )
    for name in ("Pelanggan Setia", "Kirim Hari Ini"):
        orders[0].tags.add(Tag.objects.create(name=name))
    return orders


def test_chips_and_status_boxes(desktop, busy_shop):
    page = desktop
    login(page, "owner")
    page.get_by_role("button", name=re.compile("Filter")).click()
    boxes = page.locator("fieldset.filter-checks")
    expect(boxes.locator("legend")).to_have_text("Status")
    assert page.locator("select[name=status]").count() == 0
    boxes.locator(
        "label.check", has_text=re.compile(r"^\s*Baru\s*$")
    ).click()  # a click on the word ticks it
    boxes.locator("label.check", has_text=re.compile(r"^\s*Dikonfirmasi\s*$")).click()
    page.select_option("select[name=agent]", "agent")
    page.fill("input[name=min_total]", "100000")
    page.get_by_role("button", name="Terapkan Filter").click()
    chips = page.locator(".chips .chip")
    expect(chips).to_have_count(3)
    texts = chips.all_inner_texts()
    assert "Status: Baru, Dikonfirmasi" in texts
    assert "Agen: Agen Satu" in texts
    assert "Total Minimal: Rp 100.000" in texts
    expect(page.locator("tr[data-reference]")).to_have_count(2)
    page.get_by_role("button", name=re.compile("Filter")).click()
    expect(boxes.locator("input[value=new]")).to_be_checked()  # the panel keeps the choice
    expect(boxes.locator("input[value=paid]")).not_to_be_checked()


def test_table_fits_1440_with_variants_and_one_line_rows(desktop, busy_shop):
    page = desktop
    login(page, "owner")
    table = page.locator("#order-table")
    expect(table).to_be_visible()
    wrap = page.evaluate(
        "() => { const w = document.querySelector('.table-wrap'); "
        "return [w.scrollWidth, w.clientWidth]; }"
    )
    assert wrap[0] <= wrap[1], f"the table scrolls at 1440 px: {wrap}"
    # No column lies under the sticky actions column.
    edges = page.evaluate("""() => [...document.querySelectorAll('#order-table thead th')]
        .map(th => [th.getBoundingClientRect().left, th.getBoundingClientRect().right])""")
    actions_left = edges[-1][0]
    assert all(right <= actions_left + 1 for _left, right in edges[:-1]), edges
    long_row = page.locator(f"#order-{busy_shop[0].reference}")
    line = long_row.locator(".items .line").first
    expect(line.locator(".variant")).to_have_text("Hitam Dongker / XXL")
    assert (
        line.get_attribute("title")
        == "2 × Gamis Syar'i Premium Katun Jepang Motif Bunga Sakura – Hitam Dongker / XXL"
    )
    variant_box = line.locator(".variant").bounding_box()
    cell_box = long_row.locator("td.items").bounding_box()
    assert (
        variant_box["x"] + variant_box["width"] <= cell_box["x"] + cell_box["width"] + 1
    )  # not cut off
    name = long_row.locator(f"span.clip[title='{LONG_NAME}']")
    expect(name).to_be_visible()
    assert name.evaluate(
        "e => e.scrollWidth > e.clientWidth"
    )  # cut with an ellipsis, full text in the title
    heights = page.evaluate(
        "() => [...document.querySelectorAll('#order-table tbody tr')]"
        ".map(r => r.getBoundingClientRect().height)"
    )
    assert max(heights) < 80, heights  # two item lines at most, no name wrapping over several lines
    expect(long_row).to_contain_text(
        "0812-3456-7890"
    )  # the phone under the recipient, national format
    shipped = page.locator(f"#order-{busy_shop[1].reference}")
    expect(shipped.locator("td.courier")).to_contain_text(Order.objects.get(pk=busy_shop[1].pk).awb)


def test_phone_opens_the_cards_and_taps_status_boxes(phone, busy_shop):
    page = phone
    login(page, "owner")
    expect(page.locator("#order-cards")).to_be_visible()  # no choice made yet: cards on a phone
    expect(page.locator("#order-cards article.card")).to_have_count(3)
    assert page.locator("#order-table").count() == 0
    width = page.evaluate(
        "() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]"
    )
    assert width[0] <= width[1], f"the page is wider than the phone: {width}"
    page.locator("button[data-toggle-open=filters]").tap()
    box = page.locator("fieldset.filter-checks label.check", has_text=re.compile(r"^\s*Baru\s*$"))
    assert box.bounding_box()["height"] >= 44  # a finger's size
    box.tap()
    expect(box.locator("input")).to_be_checked()
    page.get_by_role("button", name="Terapkan Filter").tap()
    expect(page.locator(".chips .chip")).to_have_text(["Status: Baru"])
    expect(page.locator("#order-cards article.card")).to_have_count(2)
    # Choosing the list is kept: the phone shows the table from then on.
    page.locator("a[data-view=list]").tap()
    expect(page.locator("#order-table")).to_be_visible()
    page.goto(page.base + "/orders/")
    expect(page.locator("#order-table")).to_be_visible()


def test_404_in_the_layout_and_the_favicon(desktop, users):
    page = desktop
    login(page, "owner")
    response = page.goto(page.base + "/orders/ORD-999999/")
    assert response.status == 404
    with translation.override("id"):
        title = gettext("Page not found")
    expect(page.locator("h1")).to_have_text(title)
    # The app's top bar, in Indonesian.
    expect(page.locator(".topbar .mainnav a").first).to_have_text("Pesanan")
    expect(page.locator("html")).to_have_attribute("lang", "id")
    icon = page.request.get(page.base + "/favicon.ico")
    assert icon.ok and icon.body()[:4] == b"\x00\x00\x01\x00"
