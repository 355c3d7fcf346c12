"""The actions of the order and return pages (issue 12 item 9): one primary next step as a
button, every other action in a menu beside it, and nothing that undoes work or cancels
runs on one click — it opens its modal (a form, or a confirmation step) first. The modal
and the run come from one view factory (core.action_views) for both apps; the returns'
side is in returns/tests/test_pages_action_menu.py."""

from __future__ import annotations

import re

from django.test import Client

from tokodesk.orders.help import ASK_FIRST
from tokodesk.orders.tests.factories import order_in

HTMX = {"HTTP_HX_REQUEST": "true"}


def client_for(user) -> Client:
    c = Client()
    c.force_login(user)
    c.cookies["django_language"] = "en"
    return c


def head_of(html: str) -> str:
    return html.split('class="detail-head"')[1].split('class="detail"')[0]


def buttons(head: str) -> dict[str, str]:
    """data-action → the button's whole tag."""
    return {
        m.group(1): m.group(0) for m in re.finditer(r'<button[^>]*data-action="(\w+)"[^>]*>', head)
    }


def test_order_detail_has_one_primary_button_and_the_rest_in_a_menu(shop, users):
    order = order_in("confirmed", users["owner"])
    head = head_of(client_for(users["owner"]).get(f"/orders/{order.reference}/").content.decode())
    primary = re.findall(r'class="btn primary" data-action="(\w+)"', head)
    assert len(primary) == 1 and primary[0] not in ASK_FIRST
    menu = head.split("data-action-menu")[1]
    found = buttons(menu)
    # A confirmed order can be unconfirmed, cancelled or its cancellation requested: in the menu, not buttons.
    assert {"unconfirm", "cancel", "request_cancellation"} <= set(found)
    assert 'class="btn danger"' not in head
    for action in ("unconfirm", "cancel", "request_cancellation"):
        assert "hx-get=" in found[action] and "hx-post=" not in found[action], found[action]


def test_unconfirm_opens_a_confirmation_step_and_runs_from_it(shop, users):
    order = order_in("confirmed", users["owner"])
    c = client_for(users["owner"])
    step = c.get(
        f"/orders/{order.reference}/actions/unconfirm/?display=detail", **HTMX
    ).content.decode()
    assert "data-confirm-step" in step and "Cancel order confirmation: are you sure?" in step
    assert "reserved stock is released" in step  # what the action does, in words
    assert 'data-confirm-action="unconfirm"' in step
    order.refresh_from_db()
    assert order.status == "confirmed"  # opening the step changes nothing
    r = c.post(
        f"/orders/{order.reference}/actions/unconfirm/",
        {"display": "detail", "version": order.version},
        **HTMX,
    )
    assert r.status_code == 200 and "ordersChanged" in r["HX-Trigger"]
    order.refresh_from_db()
    assert order.status == "new"


def test_approve_cancellation_asks_first_even_as_the_primary_step(shop, users):
    order = order_in("cancellation_requested", users["owner"])
    head = head_of(client_for(users["owner"]).get(f"/orders/{order.reference}/").content.decode())
    found = buttons(head)
    assert (
        "hx-get=" in found["approve_cancellation"]
        and "hx-post=" not in found["approve_cancellation"]
    )
    menu = client_for(users["owner"]).get(
        f"/orders/{order.reference}/menu/", {"display": "row"}, **HTMX
    )
    item = buttons(menu.content.decode())["approve_cancellation"]
    assert "hx-get=" in item


def test_the_paid_statuses_and_ship_say_what_they_mean(shop, users):
    c = client_for(users["owner"])
    paid = c.get(f"/orders/{order_in('paid', users['owner']).reference}/").content.decode()
    assert "data-status-help" in paid and "the payments you confirmed (bank transfer)" in paid
    gateway = order_in("payment_completed", users["owner"], method="payment_gateway")
    html = c.get(f"/orders/{gateway.reference}/").content.decode()
    assert "the payment gateway confirmed the payment" in html
    ready = order_in("ready_to_ship", users["owner"])
    form = c.get(f"/orders/{ready.reference}/actions/ship/").content.decode()
    assert "waits for the courier" in form and "data-action-help" in form
