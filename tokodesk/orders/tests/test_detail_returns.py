"""The order detail shows its returns: each return of the order (reference linked to the
return, status label or custom state, resolution, items count, request date) with the
replacement order of an exchange, and on a replacement order the return and original order
it comes from. Only the returns the user may see; one query, however many returns."""

from __future__ import annotations

import re

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django.utils.formats import date_format

from tokodesk.orders.tests.factories import order_in
from tokodesk.returns.return_settings import ReturnSettings
from tokodesk.returns.services import custom_state_save, return_edit
from tokodesk.returns.tests.factories import paid_order, return_in

# + the shop's settings row (ShopLocaleMiddleware, one per request), the tracking and claims
# sections of the order page (one query each, whatever the returns)
MAX_DETAIL_QUERIES = 18



def returns_section(response) -> dict:
    """The data of the Returns section the returns app adds to the page (core.sections)."""
    return next(s["data"] for s in response.context["sections"] if s["name"] == "returns")


def client_for(user) -> Client:
    c = Client()
    c.force_login(user)
    c.cookies["django_language"] = "en"
    return c


def section(html: str) -> str:
    match = re.search(r'<section class="panel pad sec-returns".*?</section>', html, re.S)
    return match.group(0) if match else ""


def row(html: str, reference: str) -> str:
    match = re.search(rf'<tr data-return="{reference}">.*?</tr>', html, re.S)
    assert match, f"{reference} not listed"
    return match.group(0)


def cells(row_html: str) -> list[str]:
    return [
        re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", c)).strip()
        for c in re.findall(r"<td[^>]*>(.*?)</td>", row_html, re.S)
    ]


@pytest.fixture
def order_with_returns(shop, users):
    """agent's completed order (2 × KAOS-M, 1 × MADU-500) with: an exchange completed
    (1 × KAOS-M + 1 × MADU-500, so a replacement order), a cancelled return and a draft in
    a custom state."""
    owner = users["owner"]
    order = paid_order(owner, agent="agent")
    exchange = return_in(
        "completed",
        owner,
        order=order,
        resolution="exchange_same",
        lines=[("KAOS-M", 1), ("MADU-500", 1)],
    )
    cancelled = return_in("cancelled", owner, order=order, lines=[("KAOS-M", 1)])
    draft = return_in("draft", owner, order=order, resolution="store_credit", lines=[("KAOS-M", 1)])
    state = custom_state_save(actor=owner, label="Menunggu foto", status="draft", color="amber")
    draft = return_edit(reference=draft.reference, actor=owner, changes={"custom_state": state.pk})
    exchange.refresh_from_db()
    assert exchange.replacement_order_id
    return {"order": order, "exchange": exchange, "cancelled": cancelled, "draft": draft}


def test_each_return_is_listed_with_its_details(order_with_returns, users):
    order, exchange, cancelled, draft = (
        order_with_returns[k] for k in ("order", "exchange", "cancelled", "draft")
    )
    r = client_for(users["owner"]).get(f"/orders/{order.reference}/")
    assert r.status_code == 200
    html = section(r.content.decode())
    assert html, "no returns section"
    # Oldest first.
    assert re.findall(r'<tr data-return="([^"]+)"', html) == [
        exchange.reference,
        cancelled.reference,
        draft.reference,
    ]

    replacement = exchange.replacement_order
    ex = row(html, exchange.reference)
    assert f'href="/returns/{exchange.reference}/"' in ex
    assert f'href="/orders/{replacement.reference}/"' in ex
    assert cells(ex) == [
        exchange.reference,
        "Completed",
        "Exchange for the same item",
        "2",
        date_format(timezone.localtime(exchange.created_at), "j M Y"),  # CLDR's medium date (core.l10n)
        f"{replacement.reference} {replacement.get_status_display()}",
    ]

    assert cells(row(html, cancelled.reference))[1:4] == ["Cancelled", "Refund", "1"]
    assert cells(row(html, cancelled.reference))[5] == "—"
    d = row(html, draft.reference)
    # The custom state's label replaces the status, with the base status as its title.
    assert cells(d)[1:4] == ["Menunggu foto", "Store credit", "1"]
    assert "data-custom-state=" in d and 'title="Draft"' in d


def test_replacement_order_links_back_to_the_return_and_the_original_order(
    order_with_returns, users
):
    exchange = order_with_returns["exchange"]
    replacement = exchange.replacement_order
    r = client_for(users["owner"]).get(f"/orders/{replacement.reference}/")
    html = section(r.content.decode())
    assert f'data-replaces="{exchange.reference}"' in html
    assert f'href="/returns/{exchange.reference}/"' in html
    assert f'href="/orders/{order_with_returns["order"].reference}/"' in html
    assert "<tr data-return" not in html  # the replacement has no returns of its own
    data = returns_section(r)
    assert data["replaces_return"].pk == exchange.pk and data["returns"] == []


def test_agent_sees_the_returns_of_their_order(order_with_returns, users):
    order = order_with_returns["order"]
    r = client_for(users["agent"]).get(f"/orders/{order.reference}/")
    assert len(re.findall(r"<tr data-return=", section(r.content.decode()))) == 3
    # The replacement order is the agent's too, and says where it comes from.
    replacement = order_with_returns["exchange"].replacement_order
    r = client_for(users["agent"]).get(f"/orders/{replacement.reference}/")
    assert r.status_code == 200 and returns_section(r)["replaces_return"] is not None
    # Another agent does not reach the order at all.
    assert client_for(users["agent2"]).get(f"/orders/{order.reference}/").status_code == 404


def test_without_return_permissions_no_return_is_shown(order_with_returns):
    """Someone who may read orders but not returns sees the order without its returns."""
    user = get_user_model().objects.create_user("reader", password="pw-123456")
    user.user_permissions.set(
        Permission.objects.filter(
            content_type__app_label="orders", codename__in=["view_order", "view_all_orders"]
        )
    )
    r = client_for(user).get(f"/orders/{order_with_returns['order'].reference}/")
    assert r.status_code == 200
    html = r.content.decode()
    assert (
        'data-section="returns"' not in html and order_with_returns["draft"].reference not in html
    )
    assert "data-create-return" not in html


def test_returnable_order_without_returns_says_so_and_offers_create(shop, users):
    order = paid_order(users["owner"])
    r = client_for(users["owner"]).get(f"/orders/{order.reference}/")
    html = r.content.decode()
    assert "No returns for this order." in section(html)
    assert f'href="/returns/new/?order={order.reference}"' in html


def test_order_before_delivery_has_no_returns_section(shop, users):
    order = order_in("awaiting_pickup", users["owner"])
    html = client_for(users["owner"]).get(f"/orders/{order.reference}/").content.decode()
    assert 'data-section="returns"' not in html and "data-create-return" not in html


def test_returns_turned_off_hide_create_return(shop, users):
    order = paid_order(users["owner"])
    ReturnSettings.objects.filter(pk=ReturnSettings.get().pk).update(returns_enabled=False)
    html = client_for(users["owner"]).get(f"/orders/{order.reference}/").content.decode()
    assert "data-create-return" not in html
    assert "Returns are turned off in the shop settings." in section(html)


def test_query_count_does_not_grow_with_returns(shop, users):
    owner = users["owner"]
    order = paid_order(owner, agent="agent", lines=(("KAOS-M", 6), ("MADU-500", 5)))
    c = client_for(owner)
    url = f"/orders/{order.reference}/"

    def count():
        with CaptureQueriesContext(connection) as ctx:
            r = c.get(url)
        assert r.status_code == 200
        return len(ctx.captured_queries), len(returns_section(r)["returns"])

    c.get(url)
    none, listed = count()
    assert listed == 0
    return_in("completed", owner, order=order, resolution="exchange_same", lines=[("KAOS-M", 1)])
    one, listed = count()
    assert listed == 1
    state = custom_state_save(actor=owner, label="Cek kualitas", status="item_received")
    for i, resolution in enumerate(["refund", "store_credit", "exchange_same", "refund"]):
        ret = return_in(
            "item_received",
            owner,
            order=order,
            resolution=resolution,
            lines=[("KAOS-M", 1), ("MADU-500", 1)],
        )
        if i % 2:
            return_edit(reference=ret.reference, actor=owner, changes={"custom_state": state.pk})
    return_in("completed", owner, order=order, resolution="exchange_same", lines=[("MADU-500", 1)])
    many, listed = count()
    assert listed == 6
    assert none == one == many <= MAX_DETAIL_QUERIES
