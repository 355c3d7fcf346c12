"""The return detail's actions (issue 12 item 9): one primary next step, the rest in a menu,
and what undoes work or cancels opens its modal first (core.action_views, as for orders)."""

from __future__ import annotations

import re

from django.test import Client

from tokodesk.returns.tests.factories import return_in

HTMX = {"HTTP_HX_REQUEST": "true"}


def client_for(user) -> Client:
    c = Client()
    c.force_login(user)
    c.cookies["django_language"] = "en"
    return c


def head_of(html: str) -> str:
    return html.split('class="detail-head"')[1].split('class="detail"')[0]


def buttons(head: str) -> dict[str, str]:
    return {
        m.group(1): m.group(0) for m in re.finditer(r'<button[^>]*data-action="(\w+)"[^>]*>', head)
    }


def test_return_detail_groups_its_actions_and_asks_before_rejecting(shop, users):
    ret = return_in("requested", users["owner"])
    c = client_for(users["owner"])
    head = head_of(c.get(f"/returns/{ret.reference}/").content.decode())
    assert re.findall(r'class="btn primary" data-action="(\w+)"', head) == ["approve"]
    menu = buttons(head.split("data-action-menu")[1])
    assert {"reject", "cancel"} <= set(menu)
    assert all("hx-get=" in tag for tag in menu.values())


def test_return_to_draft_asks_first(shop, users):
    ret = return_in("awaiting_item", users["owner"])
    c = client_for(users["owner"])
    head = head_of(c.get(f"/returns/{ret.reference}/").content.decode())
    assert "hx-get=" in buttons(head)["to_draft"]
    step = c.get(
        f"/returns/{ret.reference}/actions/to_draft/?display=detail", **HTMX
    ).content.decode()
    assert "Back to draft: are you sure?" in step and "data-confirm-step" in step
