"""The returns page: tabs per status with counts, the SPEC 3.3 columns, filters in the URL,
row menus from the return table, row actions, scoping and a constant query count."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from tokodesk.returns.models import Return
from tokodesk.returns.services import custom_state_save, return_edit
from tokodesk.returns.tests.factories import paid_order, return_in

HTMX = {"HTTP_HX_REQUEST": "true"}


def client_for(user, language="en"):
    c = Client()
    c.force_login(user)
    c.cookies["django_language"] = language
    return c


def refs(html):
    return re.findall(r'<tr id="return-[^"]+" data-reference="(RMA-\d+)"', html)


def tab_count(html, tab):
    m = re.search(rf'data-tab="{tab}".*?data-count="(\d+)"', html, re.S)
    return int(m.group(1))


def row_html(html, ret):
    m = re.search(rf'<tr id="return-{ret.reference}".*?</tr>', html, re.S)
    return m.group(0)


def test_tabs_count_what_they_list(shop, users):
    owner = users["owner"]
    for status in ("requested", "draft", "draft", "awaiting_item", "on_hold", "item_received", "completed",
                   "rejected", "cancelled"):
        return_in(status, owner)
    c = client_for(owner)
    page = c.get("/returns/").content.decode()
    assert tab_count(page, "all") == 9 == len(refs(page))
    for tab in ("requested", "draft", "awaiting_item", "on_hold", "item_received", "completed", "rejected",
                "cancelled"):
        html = c.get("/returns/", {"status": tab}).content.decode()
        assert tab_count(page, tab) == len(refs(html)), tab
        assert all(s == tab for s in re.findall(r'data-reference="RMA-\d+" data-status="(\w+)"', html))
    assert tab_count(page, "draft") == 2


def test_columns_of_spec_3_3(shop, users):
    owner = users["owner"]
    order = paid_order(owner)
    order.invoice_number = ""
    ret = return_in("awaiting_item", owner, order=order, resolution="store_credit", lines=[("KAOS-M", 2)])
    return_edit(reference=ret.reference, actor=owner, changes={
        "responsible_group": "warehouse", "target_date": dt.date(2030, 5, 17)})
    html = client_for(owner).get("/returns/").content.decode()
    row = row_html(html, ret)
    for text in (ret.reference, order.reference, "Siti Rahayu", "Awaiting item", "Store credit", "Warehouse",
                 "17 May 2030", 'data-items="2"'):
        assert text in row, text
    for header in ("Return", "Order ID", "Customer", "Status", "Request date", "Items", "Resolution",
                   "Responsible", "Target date"):
        assert f"<th>{header}</th>" in html, header


def test_custom_state_label_replaces_the_status(shop, users):
    owner = users["owner"]
    ret = return_in("item_received", owner)
    state = custom_state_save(actor=owner, label="Awaiting inspection", status="item_received", color="amber")
    return_edit(reference=ret.reference, actor=owner, changes={"custom_state": state.pk})
    html = client_for(owner).get("/returns/").content.decode()
    assert "Awaiting inspection" in row_html(html, ret)
    filtered = client_for(owner).get("/returns/", {"custom_state": state.pk}).content.decode()
    assert refs(filtered) == [ret.reference]


def test_filters_resolution_responsible_dates_and_search(shop, users):
    owner = users["owner"]
    refund = return_in("draft", owner, resolution="refund")
    credit = return_in("draft", owner, resolution="store_credit")
    return_edit(reference=credit.reference, actor=owner, changes={"responsible_user": "finance"})
    c = client_for(owner)
    assert refs(c.get("/returns/", {"resolution": "store_credit"}).content.decode()) == [credit.reference]
    assert refs(c.get("/returns/", {"responsible": "user:finance"}).content.decode()) == [credit.reference]
    assert refs(c.get("/returns/", {"responsible": "none"}).content.decode()) == [refund.reference]
    assert refs(c.get("/returns/", {"q": refund.reference}).content.decode()) == [refund.reference]
    assert set(refs(c.get("/returns/", {"q": refund.order.reference}).content.decode())) == {refund.reference}
    Return.objects.filter(pk=refund.pk).update(created_at=dt.datetime(2024, 1, 5, 10, tzinfo=dt.UTC))
    html = c.get("/returns/", {"date_from": "2024-01-01", "date_to": "2024-01-31"}).content.decode()
    assert refs(html) == [refund.reference]
    # The tabs count under the other filters.
    assert tab_count(html, "all") == 1 and tab_count(html, "draft") == 1
    assert "Requested from" in html and 'class="chip"' in html


def test_row_menu_offers_what_the_user_may_do(shop, users):
    owner = users["owner"]
    ret = return_in("awaiting_item", owner)
    row = row_html(client_for(owner).get("/returns/").content.decode(), ret)
    assert set(re.findall(r'data-action="(\w+)"', row)) == {"to_draft", "hold", "receive", "reject", "cancel"}
    row = row_html(client_for(users["warehouse"]).get("/returns/").content.decode(), ret)
    assert set(re.findall(r'data-action="(\w+)"', row)) == {"receive"}
    rejected = return_in("rejected", owner)
    row = row_html(client_for(owner).get("/returns/").content.decode(), rejected)
    assert set(re.findall(r'data-action="(\w+)"', row)) == {"recreate"}


def test_row_action_without_input_updates_the_row(shop, users):
    ret = return_in("awaiting_item", users["owner"])
    r = client_for(users["owner"]).post(f"/returns/{ret.reference}/actions/to_draft/",
                                        {"display": "row", "version": str(ret.version)}, **HTMX)
    assert r.status_code == 200
    body = r.content.decode()
    assert f'id="return-{ret.reference}"' in body and 'data-status="draft"' in body
    assert "returnsChanged" in r["HX-Trigger"] and "msg success" in body
    ret.refresh_from_db()
    assert ret.status == "draft"


def test_agents_see_only_returns_of_their_orders_and_viewers_no_buttons(shop, users):
    owner = users["owner"]
    mine = return_in("draft", owner, order=paid_order(owner, agent="agent"))
    other = return_in("draft", owner, order=paid_order(owner, agent="agent2"))
    html = client_for(users["agent"]).get("/returns/").content.decode()
    assert refs(html) == [mine.reference] and tab_count(html, "all") == 1
    assert "/actions/approve/" in html
    viewer = client_for(users["viewer"]).get("/returns/").content.decode()
    assert set(refs(viewer)) == {mine.reference, other.reference}
    assert "/actions/" not in viewer and "/recreate/" not in viewer and "Add return" not in viewer


def test_query_count_is_constant(shop, users):
    owner = users["owner"]
    c = client_for(owner)
    for status in ("draft", "awaiting_item", "completed"):
        return_in(status, owner)
    c.get("/returns/")

    def count(**params):
        with CaptureQueriesContext(connection) as q:
            assert c.get("/returns/", params).status_code == 200
        return len(q)

    small = count(limit=25)
    order = paid_order(owner, lines=(("KAOS-M", 10), ("MADU-500", 10), ("KAOS-L", 10)))
    for i in range(12):
        sku = ["KAOS-M", "MADU-500", "KAOS-L"][i % 3]
        return_in(["draft", "awaiting_item", "item_received"][i % 3], owner, order=order, lines=[(sku, 1)])
    assert count(limit=25) == small
    assert count(limit=100) == small
    assert count(limit=25, resolution="refund") == small
    assert small <= 14


@pytest.mark.parametrize("language, label", [("id", "Menunggu Item Retur"), ("fr", "En attente")])
def test_page_speaks_the_user_language(shop, users, language, label):
    return_in("awaiting_item", users["owner"])
    html = client_for(users["owner"], language).get("/returns/").content.decode()
    assert label in html


def test_tabs_and_badges_use_the_same_words(shop, users):
    """Issue 12 item 10: the tab said "Diajukan"/"Menunggu Barang"/"Barang Diterima" where the
    badges said "Diminta"/"Menunggu Item Retur"/"Item Retur Diterima"."""
    return_in("awaiting_item", users["owner"])
    html = client_for(users["owner"], "id").get("/returns/").content.decode()
    for word in ("Diminta", "Menunggu Item Retur", "Item Retur Diterima"):
        assert word in html
    # "Diajukan dari/sampai" (the date filter: requested from/to) may stay.
    assert not re.search(r"Diajukan(?! dari| sampai| pada| oleh)", html)
    for word in ("Menunggu Barang", "Barang Diterima"):
        assert word not in html


def test_returns_turned_off_hides_add_and_recreate(shop, users):
    """With returns off in the settings, the page offers no new return (Add return, Buat
    Retur Ulang) but open returns keep their actions, and the page says why."""
    from tokodesk.returns.return_settings import ReturnSettings

    owner = users["owner"]
    open_ret = return_in("draft", owner)
    rejected = return_in("rejected", owner)
    c = client_for(owner)
    html = c.get("/returns/").content.decode()
    assert "Add return" in html and "/recreate/" in row_html(html, rejected)
    assert "data-returns-off" not in html
    ReturnSettings.objects.filter(pk=1).update(returns_enabled=False)
    html = c.get("/returns/").content.decode()
    assert "Add return" not in html and "data-returns-off" in html
    assert "/recreate/" not in row_html(html, rejected)
    assert "/actions/approve/" in row_html(html, open_ret)
    detail = c.get(f"/returns/{rejected.reference}/").content.decode()
    assert "/recreate/" not in detail
