"""Bulk acts on what the user saw (issue 10): a filter value that is not valid is an error
(never dropped, which widened "select all" to every order), "select all" carries the count
the page showed and is refused when the filter now selects another number, and an agent's
bulk stays within their own orders."""

import re

import pytest
from django.test import Client

from tokodesk.exports.models import ExportTemplate
from tokodesk.orders.models import Order
from tokodesk.orders.tests.factories import make_order, order_in

BAD_FILTERS = [
    "tab=pending&agent=ghost",
    "tab=pending&warehouse=nope",
    "tab=pending&courier=nope",
    "tab=pending&date_from=2024-13-45",
    "tab=pending&status=bogus",
    "tab=pending&min_total=-5",
    "tab=nope",
]


def client_for(user, language="en"):
    c = Client()
    c.force_login(user)
    c.cookies["django_language"] = language  # the messages below are checked in English
    return c


def shown_count(client, query):
    """The "select all N" the page shows: the tab strip (loaded after the list) carries it
    out of band into the bulk bar, with N as the hidden input the bulk form sends."""
    html = client.get(f"/orders/tabs/?{query}", HTTP_HX_REQUEST="true").content.decode()
    m = re.search(r'<span id="bulk-all" hx-swap-oob="true">.*?name="select_all_count" value="(\d+)"', html, re.S)
    return int(m.group(1)) if m else None


def statuses():
    return dict(Order.objects.values_list("reference", "status"))


def bulk(client, query, **data):
    return client.post(f"/orders/bulk/?{query}", {"select_all": "1", **data})


@pytest.mark.parametrize("query", BAD_FILTERS)
def test_select_all_under_an_invalid_filter_changes_nothing(shop, users, query):
    owner = users["owner"]
    for _ in range(3):
        make_order(owner, agent="agent")
    before = statuses()
    c = client_for(owner)
    # Even with the count of every pending order (what the old code selected), nothing moves.
    r = bulk(c, query, operation="cancel", reason="stale link", select_all_count="3")
    assert r.status_code == 422
    html = r.content.decode()
    assert 'data-refusal="invalid-filter"' in html and "no order was changed" in html
    assert statuses() == before
    assert not Order.objects.filter(tags__isnull=False).exists()
    r = bulk(c, query, operation="tag_add", tag="X", select_all_count="3")
    assert r.status_code == 422 and not Order.objects.filter(tags__name="X").exists()


def test_the_refusal_reaches_the_page_s_modal(shop, users):
    """htmx swaps 2xx answers only: the page's request gets the refusal as 200 (into the
    modal), without the ordersChanged trigger."""
    make_order(users["owner"])
    r = client_for(users["owner"]).post(
        "/orders/bulk/?tab=pending&agent=ghost",
        {"select_all": "1", "operation": "confirm", "select_all_count": "1"},
        HTTP_HX_REQUEST="true",
    )
    assert r.status_code == 200 and r["HX-Retarget"] == "#modal-body"
    assert "HX-Trigger" not in r
    assert "Agent: Select a valid choice. ghost is not one of the available choices." in r.content.decode()
    assert not Order.objects.filter(status="confirmed").exists()
    # In the user's language (Indonesian: the shop's default).
    r = client_for(users["owner"], "id").post(
        "/orders/bulk/?tab=pending&agent=ghost",
        {"select_all": "1", "operation": "confirm", "select_all_count": "1"},
    )
    assert r.status_code == 422 and "Masukkan pilihan yang valid. ghost bukan salah satu" in r.content.decode()


@pytest.mark.parametrize("query", BAD_FILTERS)
def test_the_page_shows_the_error_and_no_orders(shop, users, query):
    make_order(users["owner"])
    c = client_for(users["owner"])
    r = c.get(f"/orders/?{query}")
    assert r.status_code == 200
    html = r.content.decode()
    assert 'data-reference="' not in html
    assert 'id="filter-errors"' in html and "No orders shown: the filter is not valid." in html
    assert shown_count(c, query) is None  # no "select all N" to send
    tabs = c.get(f"/orders/tabs/?{query}", HTTP_HX_REQUEST="true").content.decode()
    assert set(re.findall(r'data-count="(\d+)"', tabs)) == {"0"}


def test_the_error_stands_next_to_its_field(shop, users):
    html = client_for(users["owner"]).get("/orders/?tab=pending&warehouse=nope").content.decode()
    assert 'id="id_warehouse" aria-invalid="true" aria-describedby="id_warehouse_error"' in html
    assert re.search(r'id="id_warehouse_error">[^<]*nope', html)
    assert re.search(r"<details id=\"filters\"[^>]* open>", html)


def test_an_agent_naming_another_agent_gets_an_error(shop, users):
    """Agents have no agent filter: `agent=agent2` used to be dropped, so their "select all"
    took every order of theirs."""
    mine = [make_order(users["owner"], agent="agent") for _ in range(2)]
    make_order(users["owner"], agent="agent2")
    c = client_for(users["agent"])
    html = c.get("/orders/?tab=pending&agent=agent2").content.decode()
    assert 'data-reference="' not in html and "Unknown agent: agent2." in html
    r = bulk(c, "tab=pending&agent=agent2", operation="confirm", select_all_count="2")
    assert r.status_code == 422 and "Unknown agent: agent2." in r.content.decode()
    assert not Order.objects.filter(status="confirmed").exists()
    # Their own name is what they see anyway.
    assert shown_count(c, "tab=pending&agent=agent") == 2
    r = bulk(c, "tab=pending&agent=agent", operation="confirm", select_all_count="2")
    assert r.status_code == 200 and 'data-changed="2"' in r.content.decode()
    assert set(Order.objects.filter(status="confirmed").values_list("pk", flat=True)) == {o.pk for o in mine}


def test_the_page_shows_the_count_it_will_send(shop, users):
    owner = users["owner"]
    for _ in range(3):
        make_order(owner, method="cod")
    make_order(owner, method="bank_transfer")
    c = client_for(owner)
    assert shown_count(c, "tab=pending&payment_method=cod") == 3
    tabs = c.get("/orders/tabs/?tab=pending&payment_method=cod", HTTP_HX_REQUEST="true").content.decode()
    assert "all 3 orders under this filter" in tabs
    page = c.get("/orders/?tab=pending&payment_method=cod").content.decode()
    assert '<span id="bulk-all">' in page  # where the count goes, inside the bulk form
    assert shown_count(client_for(users["viewer"]), "tab=pending") is None  # no bulk bar


@pytest.mark.parametrize("change", ["added", "moved"])
def test_a_stale_count_is_refused_then_confirmed(shop, users, change):
    owner = users["owner"]
    pending = [make_order(owner) for _ in range(3)]
    c = client_for(owner)
    shown = shown_count(c, "tab=pending")
    assert shown == 3
    if change == "added":  # an order arrives after the page showed 3
        make_order(owner)
        now = 4
    else:  # a colleague cancels one meanwhile
        r = client_for(users["admin"]).post(
            "/orders/bulk/", {"operation": "cancel", "reason": "buyer asked", "refs": [pending[0].reference]}
        )
        assert 'data-changed="1"' in r.content.decode()
        now = 2
    before = statuses()
    r = bulk(c, "tab=pending", operation="tag_add", tag="VIP", select_all_count=str(shown))
    assert r.status_code == 409
    html = r.content.decode()
    assert f"The filter now selects {now} orders, not 3." in html
    assert f'data-total="{now}"' in html and f'name="select_all_count" value="{now}"' in html
    assert 'name="operation" value="tag_add"' in html and 'name="tag" value="VIP"' in html
    assert statuses() == before and not Order.objects.filter(tags__name="VIP").exists()
    # Confirmed again with the number the refusal showed: it goes through.
    r = bulk(c, "tab=pending", operation="tag_add", tag="VIP", select_all_count=str(now))
    assert r.status_code == 200 and f'data-changed="{now}"' in r.content.decode()
    assert Order.objects.filter(tags__name="VIP").count() == now


def test_select_all_without_a_count_asks_first(shop, users):
    for _ in range(2):
        make_order(users["owner"])
    c = client_for(users["owner"])
    r = bulk(c, "tab=pending", operation="confirm")
    assert r.status_code == 409 and 'data-refusal="no-count"' in r.content.decode()
    assert not Order.objects.filter(status="confirmed").exists()
    r = bulk(c, "tab=pending", operation="confirm", select_all_count="nonsense")
    assert r.status_code == 409 and not Order.objects.filter(status="confirmed").exists()
    r = bulk(c, "tab=pending", operation="confirm", select_all_count="2")
    assert r.status_code == 200 and Order.objects.filter(status="confirmed").count() == 2


def test_select_all_with_the_right_count_changes_exactly_those(shop, users):
    owner = users["owner"]
    cod = [make_order(owner, method="cod", warehouse="jkt") for _ in range(2)]
    make_order(owner, method="bank_transfer")
    order_in("confirmed", owner, method="cod")
    c = client_for(owner)
    query = "tab=pending&payment_method=cod&warehouse=jkt"
    n = shown_count(c, query)
    assert n == 2
    r = bulk(c, query, operation="confirm", select_all_count=str(n))
    assert r.status_code == 200 and 'data-changed="2"' in r.content.decode()
    assert set(Order.objects.filter(status="confirmed", payment_method="cod").values_list("pk", flat=True)) >= {
        o.pk for o in cod
    }
    assert Order.objects.filter(status="new").count() == 1


def test_an_agent_s_select_all_touches_only_their_orders(shop, users):
    owner = users["owner"]
    mine = [make_order(owner, agent="agent") for _ in range(2)]
    theirs = make_order(owner, agent="agent2")
    nobody = make_order(owner)
    c = client_for(users["agent"])
    n = shown_count(c, "tab=pending")
    assert n == 2
    # The count of the whole shop (what an owner's page shows) is refused, not widened.
    r = bulk(c, "tab=pending", operation="confirm", select_all_count="4")
    assert r.status_code == 409 and 'data-total="2"' in r.content.decode()
    assert not Order.objects.filter(status="confirmed").exists()
    r = bulk(c, "tab=pending", operation="confirm", select_all_count=str(n))
    assert r.status_code == 200 and 'data-changed="2"' in r.content.decode()
    assert {o.pk for o in Order.objects.filter(status="confirmed")} == {o.pk for o in mine}
    # Ticked rows naming another agent's order (or nobody's) are refused, unchanged.
    r = c.post(
        "/orders/bulk/",
        {"operation": "tag_add", "tag": "X", "refs": [theirs.reference, nobody.reference, mine[0].reference]},
    )
    html = r.content.decode()
    assert 'data-changed="1"' in html and 'data-refused="2"' in html
    assert set(Order.objects.filter(tags__name="X").values_list("pk", flat=True)) == {mine[0].pk}
    theirs.refresh_from_db()
    nobody.refresh_from_db()
    assert theirs.status == "new" and nobody.status == "new"


def test_export_all_under_an_invalid_filter_is_refused(shop, users):
    """The export menu's "all under the filter" reads the same form: an agent naming another
    agent gets the error instead of an export of all their orders."""
    make_order(users["owner"], agent="agent")
    template = ExportTemplate.objects.first() or ExportTemplate.objects.create(
        name="T", columns=[{"field": "reference", "header": ""}]
    )
    c = client_for(users["agent"])
    r = c.post("/exports/new/", {"template": template.pk, "scope": "all", "query": "tab=pending&agent=agent2"})
    assert r.status_code == 302 and r["Location"] == "/orders/?tab=pending&agent=agent2"
    assert "text/csv" not in r.get("Content-Type", "")
    r = client_for(users["owner"]).post(
        "/exports/new/", {"template": template.pk, "scope": "all", "query": "tab=pending&warehouse=nope"}
    )
    assert r.status_code == 302 and "text/csv" not in r.get("Content-Type", "")
