"""The orders page stays fast at any size (bench finding 5): the list answers alone, the
tab counts and each row's action menu load in their own requests, with constant query
counts and the same scoping as the page."""

import re

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from tokodesk.orders import selectors
from tokodesk.orders.tests.factories import make_order, order_in


def client_for(user):
    c = Client()
    c.force_login(user)
    return c


def menu(client, order, display="row"):
    return client.get(
        f"/orders/{order.reference}/menu/", {"display": display}, HTTP_HX_REQUEST="true"
    )


def actions_in(html):
    return re.findall(r'data-action="(\w+)"', html)


def queries(fn):
    with CaptureQueriesContext(connection) as q:
        response = fn()
        assert response.status_code == 200
    return len(q)


def test_the_page_does_not_count_tabs_nor_build_menus(shop, users, monkeypatch):
    owner = users["owner"]
    order = make_order(owner)
    c = client_for(owner)

    def no_counts(**_kwargs):
        raise AssertionError("the page must not count the tabs")

    monkeypatch.setattr(selectors, "tab_counts", no_counts)
    html = c.get("/orders/", {"payment_method": "bank_transfer"}).content.decode()
    # The tab strip is drawn at once, labels and empty counts, and loads its counts.
    strip = re.search(r'<nav class="tabs" id="tabs"[^>]*>', html).group(0)
    assert 'hx-get="/orders/tabs/?payment_method=bank_transfer"' in strip
    assert 'hx-trigger="load, ordersChanged from:body"' in strip and 'aria-busy="true"' in strip
    assert html.count('<span class="count">') == 7 and "data-count=" not in html
    # The row's menu has its button, a link to the order and where to load the rest.
    assert f'hx-get="/orders/{order.reference}/menu/?display=row"' in html
    assert f'href="/orders/{order.reference}/"' in html
    assert "/actions/" not in html


def test_tab_strip_counts_under_the_page_filters(shop, users):
    owner = users["owner"]
    make_order(owner, method="cod")
    order_in("paid", owner)  # bank transfer
    order_in("ready_to_ship", owner)  # COD
    c = client_for(owner)
    html = c.get(
        "/orders/tabs/", {"payment_method": "cod", "tab": "to_ship"}, HTTP_HX_REQUEST="true"
    ).content.decode()
    counts = dict(re.findall(r'data-tab="(\w+)".*?data-count="(\d+)"', html, re.S))
    assert counts == {
        "all": "2",
        "pending": "1",
        "to_ship": "1",
        "shipped": "0",
        "completed": "0",
        "cancelled": "0",
        "action_needed": "0",
    }
    # The answer keeps the filters in its links, marks the current tab and only reloads
    # when orders change (no "load": it would loop).
    assert 'href="?payment_method=cod&amp;tab=pending"' in html
    assert re.search(r'class="active [^"]*"[^>]*aria-current="page"', html)
    assert 'hx-trigger="ordersChanged from:body"' in html and "aria-busy" not in html
    assert 'hx-get="/orders/tabs/?payment_method=cod&amp;tab=to_ship"' in html


def test_tab_counts_are_scoped_and_need_the_view_permission(shop, users):
    owner = users["owner"]
    make_order(owner, agent="agent")
    make_order(owner, agent="agent2")
    html = client_for(users["agent"]).get("/orders/tabs/").content.decode()
    assert re.search(r'data-tab="all".*?data-count="1"', html, re.S)
    assert Client().get("/orders/tabs/").status_code == 302  # to the login page


def test_tab_counts_query_count_is_constant(shop, users):
    owner = users["owner"]
    c = client_for(owner)
    make_order(owner)
    few = queries(lambda: c.get("/orders/tabs/"))
    for status in ("confirmed", "paid", "ready_to_ship", "cancelled"):
        order_in(status, owner)
    assert queries(lambda: c.get("/orders/tabs/")) == few
    assert queries(lambda: c.get("/orders/tabs/", {"q": "Siti", "payment_method": "cod"})) == few
    # session, user, permissions, groups, shop settings, the filter form's choices (landing
    # pages, warehouses, couriers, the shop's payment methods), the counters
    assert few <= 11


def test_menu_holds_what_the_user_may_do_now(shop, users):
    owner = users["owner"]
    new = make_order(owner)
    c = client_for(owner)
    r = menu(c, new)
    html = r.content.decode()
    assert r.status_code == 200
    assert actions_in(html)[:1] == ["confirm"] and "cancel" in actions_in(html)
    assert f'hx-post="/orders/{new.reference}/actions/confirm/"' in html
    assert (
        '"display": "row", "version": "1"' in html and f'hx-target="#order-{new.reference}"' in html
    )
    assert (
        f'href="/orders/{new.reference}/edit/"' in html
        and f'href="/orders/{new.reference}/"' in html
    )
    # Actions that need input open their form in the modal, for the card when asked.
    ready = order_in("ready_to_ship", owner)
    card = menu(c, ready, "card").content.decode()
    assert f'hx-get="/orders/{ready.reference}/actions/ship/?display=card"' in card
    assert f'hx-get="/orders/{ready.reference}/actions/cancel/?display=card"' in card
    assert "?display=row" in menu(c, ready, "detail").content.decode()  # unknown → row


def test_menu_is_scoped_like_the_page(shop, users):
    owner = users["owner"]
    mine = make_order(owner, agent="agent")
    theirs = make_order(owner, agent="agent2")
    agent = client_for(users["agent"])
    assert menu(agent, mine).status_code == 200
    assert menu(agent, theirs).status_code == 404
    assert menu(agent, type("O", (), {"reference": "ORD-999999"})).status_code == 404
    # A viewer sees every order but may do nothing: the link to the order only.
    viewer = client_for(users["viewer"])
    html = menu(viewer, theirs).content.decode()
    assert (
        actions_in(html) == []
        and "/actions/" not in html
        and f'href="/orders/{theirs.reference}/"' in html
    )
    # ... and the list does not even offer to load the menu.
    page = viewer.get("/orders/").content.decode()
    assert "/menu/" not in page and f'data-menu="{mine.reference}"' in page
    assert Client().get(f"/orders/{mine.reference}/menu/").status_code == 302


@pytest.mark.parametrize("role", ["owner", "agent", "finance"])
def test_menu_query_count_is_constant(shop, users, role):
    owner = users["owner"]
    c = client_for(users[role])
    orders = [
        make_order(owner, agent="agent"),
        order_in("ready_to_ship", owner, agent="agent"),
        order_in("paid", owner, agent="agent"),
        order_in("cancellation_requested", owner, agent="agent"),
    ]
    menu(c, orders[0])
    counts = {queries(lambda o=o: menu(c, o)) for o in orders}
    assert len(counts) == 1 and counts.pop() <= 6


def test_card_view_keeps_the_primary_button(shop, users):
    owner = users["owner"]
    new = make_order(owner)
    ready = order_in("ready_to_ship", owner)
    c = client_for(owner)
    html = c.get("/orders/", {"view": "card"}).content.decode()
    card = re.search(
        rf'<article class="card" id="order-{new.reference}".*?</article>', html, re.S
    ).group(0)
    assert f'data-action="confirm" hx-post="/orders/{new.reference}/actions/confirm/"' in card
    assert f'hx-get="/orders/{new.reference}/menu/?display=card"' in card
    card = re.search(
        rf'<article class="card" id="order-{ready.reference}".*?</article>', html, re.S
    ).group(0)
    assert (
        f'data-action="ship" hx-get="/orders/{ready.reference}/actions/ship/?display=card"' in card
    )
    # A viewer has no primary button.
    viewer = client_for(users["viewer"]).get("/orders/", {"view": "card"}).content.decode()
    assert "btn small primary" not in viewer.split('id="order-cards"')[1]


@pytest.mark.parametrize("display", ["row", "card"])
def test_row_after_an_action_is_drawn_like_the_list(shop, users, display):
    owner = users["owner"]
    order = make_order(owner)
    c = client_for(owner)
    r = c.post(
        f"/orders/{order.reference}/actions/confirm/",
        {"display": display, "version": "1"},
        HTTP_HX_REQUEST="true",
    )
    body = r.content.decode()
    assert 'data-status="confirmed"' in body and "flash" in body
    assert f'hx-get="/orders/{order.reference}/menu/?display={display}"' in body
    assert f'class="rowcheck" value="{order.reference}"' in body
    page = c.get("/orders/", {"view": "list" if display == "row" else "card"}).content.decode()
    if display == "card":  # the next primary action, as the list shows it
        primary = re.search(r'class="btn small primary" data-action="(\w+)"', page).group(1)
        assert f'class="btn small primary" data-action="{primary}"' in body
    else:
        assert body.count("<td") == page.count("<td")


def test_hidden_columns_are_not_drawn(shop, users):
    owner = users["owner"]
    make_order(owner)
    c = client_for(owner)
    html = c.get("/orders/").content.decode()
    assert (
        'class="num"><strong>Rp' in html
        and "Gudang Jakarta" not in html.split('id="order-table"')[1]
    )
    c.post("/orders/columns/", {"columns": ["date", "warehouse", "phone"]})
    html = c.get("/orders/").content.decode()
    table = html.split('id="order-table"')[1]
    assert "Gudang Jakarta" in table and "0812-3456-7890" in table and "<strong>Rp" not in table
    # select, date, reference, phone, warehouse, menu
    assert len(re.findall(r"<th[ >]", table)) == 1 + 4 + 1


def test_filter_panel_keeps_the_chosen_values(shop, users):
    owner = users["owner"]
    make_order(owner)
    c = client_for(owner)
    html = c.get(
        "/orders/",
        {
            "status": ["new", "paid"],
            "agent": "agent",
            "courier": "jne",
            "min_total": "5",
            "tag": "a<b",
        },
    ).content.decode()
    panel = html.split('class="panel filter-panel"')[1].split('class="actions"')[0]
    # The status filter is boxes to tap (a phone has no Ctrl-click for a multi-select).
    assert '<select name="status"' not in panel
    assert re.findall(r'name="status" value="(\w+)" checked>', panel) == ["new", "paid"]
    assert len(re.findall(r'type="checkbox" name="status"', panel)) == 21
    assert re.findall(r'<option value="(\w+)" selected>', panel) == ["agent", "jne"]
    # Nothing chosen: the empty option of a single select is the selected one.
    assert re.search(
        r'<select name="warehouse" id="id_warehouse">\s*<option value="" selected>', panel
    )
    assert 'name="min_total" value="5"' in panel and 'value="a&lt;b"' in panel
    html = c.get("/orders/", {"payment_method": "bitcoin"}).content.decode()
    assert 'aria-invalid="true" aria-describedby="id_payment_method_error"' in html
    assert 'class="field-error" id="id_payment_method_error"' in html


def test_row_cells_print_what_the_order_holds(shop, users, settings):
    owner = users["owner"]
    order = make_order(owner, lines=(("MADU-500", 2), ("KAOS-M", 1)))
    c = client_for(owner)
    html = c.get("/orders/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    row = re.search(rf'<tr id="order-{order.reference}".*?</tr>', html, re.S).group(0)
    local = order.created_at.astimezone(__import__("zoneinfo").ZoneInfo(settings.TIME_ZONE))
    assert local.strftime("%H:%M") in row and f">{local.day} {local.strftime('%b')} {local.year}<" in row
    # Each line: the product, and apart from it the variant (never cut off); the full name as title.
    assert '<div class="line" title="2 × Madu Hutan – 500 ml"><span class="prod">2 × Madu Hutan</span>' in row
    assert '<span class="variant">500 ml</span>' in row and '<span class="variant">M</span>' in row
    assert "0812-3456-7890" in row and "JNE" in row and "Siti Rahayu" in row and "Bandung" in row
    assert '<span class="badge st-pending" data-status="new">New</span>' in row
