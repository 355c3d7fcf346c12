"""The bulk bar asks for what the chosen operation needs (issue 12 item 4): "Ship order"
an AWB per ticked order (a small table), cancel a reason, in a modal before anything runs;
the bar offers only the actions a ticked order allows (the statuses each starts from, read
by orders/bulk.js); refusals name fields by their labels, never by their keys."""

from __future__ import annotations

import re

from django.test import Client
from django.utils import translation

from tokodesk.core.errors import ValidationFailed
from tokodesk.orders.models import Order
from tokodesk.orders.tests.factories import make_order, order_in
from tokodesk.orders.views.common import refusal_text

HTMX = {"HTTP_HX_REQUEST": "true"}


def client_for(user) -> Client:
    c = Client()
    c.force_login(user)
    c.cookies["django_language"] = "en"
    return c


def status_of(order) -> str:
    return Order.objects.get(pk=order.pk).status


def test_bulk_ship_asks_an_awb_per_order_then_ships_each_with_its_own(shop, users):
    owner = users["owner"]
    a, b = order_in("ready_to_ship", owner), order_in("ready_to_ship", owner)
    new = make_order(owner)
    c = client_for(owner)
    r = c.post(
        "/orders/bulk/",
        {"operation": "ship", "refs": [a.reference, b.reference, new.reference]},
        **HTMX,
    )
    html = r.content.decode()
    assert r.status_code == 200 and r["HX-Retarget"] == "#modal-body"
    assert "data-awb-table" in html and "AWB / tracking number" in html
    assert f'name="awb_{a.reference}"' in html and f'name="awb_{b.reference}"' in html
    assert f'name="awb_{new.reference}"' not in html and 'data-left-out="1"' in html
    assert (status_of(a), status_of(b)) == ("ready_to_ship", "ready_to_ship")  # nothing ran yet

    # One AWB missing: asked again, the field named in words, nothing shipped.
    post = {
        "operation": "ship",
        "step": "run",
        "refs": [a.reference, b.reference],
        f"awb_{a.reference}": "JNE0001",
        f"awb_{b.reference}": "",
        f"courier_{a.reference}": "jne",
        f"courier_{b.reference}": "jne",
    }
    html = c.post("/orders/bulk/", post, **HTMX).content.decode()
    assert "field-error" in html and "AWB / tracking number: This field is required." in html
    assert status_of(a) == "ready_to_ship"

    post[f"awb_{b.reference}"] = "JNE0002"
    html = c.post("/orders/bulk/", post, **HTMX).content.decode()
    assert 'data-changed="2"' in html and "data-refused" not in html
    a.refresh_from_db()
    b.refresh_from_db()
    assert (a.status, a.awb, b.status, b.awb) == (
        "awaiting_pickup",
        "JNE0001",
        "awaiting_pickup",
        "JNE0002",
    )


def test_bulk_ship_of_all_under_the_filter_is_refused_with_a_reason(shop, users):
    order_in("ready_to_ship", users["owner"])
    r = client_for(users["owner"]).post(
        "/orders/bulk/?tab=to_ship", {"operation": "ship", "select_all": "1"}, **HTMX
    )
    assert 'data-refusal="per-order"' in r.content.decode()


def test_bulk_cancel_asks_for_the_reason_by_its_label(shop, users):
    owner = users["owner"]
    a = make_order(owner)
    c = client_for(owner)
    html = c.post(
        "/orders/bulk/", {"operation": "cancel", "refs": [a.reference]}, **HTMX
    ).content.decode()
    assert 'name="reason"' in html and "Reason *" in html and status_of(a) == "new"
    html = c.post(
        "/orders/bulk/",
        {"operation": "cancel", "step": "run", "refs": [a.reference], "reason": " "},
        **HTMX,
    ).content.decode()
    assert "This field is required." in html and ">reason<" not in html and status_of(a) == "new"
    html = c.post(
        "/orders/bulk/",
        {
            "operation": "cancel",
            "step": "run",
            "refs": [a.reference],
            "reason": "Pembeli minta batal",
        },
        **HTMX,
    ).content.decode()
    assert 'data-changed="1"' in html and status_of(a) == "cancelled"


def test_bulk_unconfirm_asks_before_it_runs(shop, users):
    owner = users["owner"]
    a = order_in("confirmed", owner)
    c = client_for(owner)
    html = c.post(
        "/orders/bulk/", {"operation": "unconfirm", "refs": [a.reference]}, **HTMX
    ).content.decode()
    assert "data-bulk-run" in html and status_of(a) == "confirmed"
    c.post(
        "/orders/bulk/", {"operation": "unconfirm", "step": "run", "refs": [a.reference]}, **HTMX
    )
    assert status_of(a) == "new"


def test_the_bar_offers_each_action_with_the_statuses_it_starts_from(shop, users):
    make_order(users["owner"])
    page = client_for(users["owner"]).get("/orders/").content.decode()
    bar = page.split('id="bulk"')[1].split("</form>")[0]
    options = dict(
        re.findall(r'<option value="(\w+)" data-label="[^"]*" data-sources="([^"]*)"', bar)
    )
    assert options["ship"] == "ready_to_ship" and "new" in options["cancel"].split()
    assert (
        "confirm_payment" not in options and "issue_invoice" not in options
    )  # an amount or number per order
    assert (
        'name="reason"' not in bar and 'name="tag"' not in bar
    )  # asked in the modal, for the chosen one only
    assert "orders/bulk.js" in page


def test_refusals_name_fields_by_their_labels():
    exc = ValidationFailed(
        "invalid_input",
        "The action's input is not valid.",
        fields={"awb": "Field required", "reason": "Field required"},
    )
    with translation.override("en"):
        text = refusal_text(exc)
    assert "AWB / tracking number: Field required" in text and "Reason: Field required" in text
    assert not re.search(r"\bawb\b|\breason\b", text)


def test_bulk_cancel_of_all_under_the_filter_asks_the_reason_then_checks_the_count(shop, users):
    owner = users["owner"]
    a, b = make_order(owner), make_order(owner)
    c = client_for(owner)
    html = c.post(
        "/orders/bulk/?tab=pending",
        {"operation": "cancel", "select_all": "1", "select_all_count": "2"},
        **HTMX,
    ).content.decode()
    assert 'name="reason"' in html and 'name="select_all_count" value="2"' in html
    assert (status_of(a), status_of(b)) == ("new", "new")
    # A stale count: asked again, the reason and the step carried along.
    html = c.post(
        "/orders/bulk/?tab=pending",
        {
            "operation": "cancel",
            "step": "run",
            "reason": "Stok habis",
            "select_all": "1",
            "select_all_count": "5",
        },
        **HTMX,
    ).content.decode()
    assert (
        'data-refusal="count-changed"' in html
        and 'value="Stok habis"' in html
        and 'name="step"' in html
    )
    html = c.post(
        "/orders/bulk/?tab=pending",
        {
            "operation": "cancel",
            "step": "run",
            "reason": "Stok habis",
            "select_all": "1",
            "select_all_count": "2",
        },
        **HTMX,
    ).content.decode()
    assert 'data-changed="2"' in html and (status_of(a), status_of(b)) == ("cancelled", "cancelled")


def test_bulk_agent_and_tag_are_asked_in_the_modal(shop, users):
    owner = users["owner"]
    a = make_order(owner)
    c = client_for(owner)
    html = c.post(
        "/orders/bulk/", {"operation": "assign", "refs": [a.reference]}, **HTMX
    ).content.decode()
    assert '<select name="agent">' in html and 'value="agent"' in html
    c.post(
        "/orders/bulk/",
        {"operation": "assign", "step": "run", "agent": "agent", "refs": [a.reference]},
        **HTMX,
    )
    assert Order.objects.get(pk=a.pk).assigned_agent.username == "agent"
    html = c.post(
        "/orders/bulk/", {"operation": "tag_add", "refs": [a.reference]}, **HTMX
    ).content.decode()
    assert 'name="tag"' in html and "Tag *" in html
    html = c.post(
        "/orders/bulk/",
        {"operation": "tag_add", "step": "run", "tag": "", "refs": [a.reference]},
        **HTMX,
    ).content.decode()
    assert "This field is required." in html
    c.post(
        "/orders/bulk/",
        {"operation": "tag_add", "step": "run", "tag": "VIP", "refs": [a.reference]},
        **HTMX,
    )
    assert list(Order.objects.get(pk=a.pk).tags.values_list("name", flat=True)) == ["VIP"]
