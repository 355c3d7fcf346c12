"""Issue 17: a user with only the return-order role (InvenTree's `return_order` group: every
return, no orders) made by `createuser --role return_order` lands on the returns list after
login with the menu that fits (no order desk entries), works a return end to end from its
pages, and meets a 403 page in their language with a way back to the returns."""

from __future__ import annotations

import re

from django.core.management import call_command
from django.test import Client

from tokodesk.returns.models import Return
from tokodesk.returns.tests.factories import return_in


def login(username, password="pw-return-1234"):
    c = Client()
    r = c.post("/accounts/login/", {"username": username, "password": password}, follow=True)
    return c, r


def nav_links(html: str) -> set[str]:
    nav = re.search(r'<nav class="mainnav">(.*?)</nav>', html, re.S).group(1)
    return set(re.findall(r'href="([^"]+)"', nav))


def test_return_order_user_lands_on_returns_with_their_menu_and_a_403_in_their_language(shop, users):
    ret = return_in("awaiting_item", users["owner"])
    call_command("createuser", "rma", "--role", "return_order", "--password", "pw-return-1234")
    c, r = login("rma")
    assert r.redirect_chain[-1][0] == "/returns/", r.redirect_chain
    html = r.content.decode()
    assert ret.reference in html
    links = nav_links(html)
    assert "/returns/" in links and "/returns/refunds/" in links
    assert not any(link.startswith(("/orders", "/stock", "/catalog", "/payments")) for link in links), links
    # The list links the return, not the order they may not open.
    assert f'href="/orders/{ret.order.reference}/"' not in html

    # Their work: the return's page and an action on it.
    page = c.get(f"/returns/{ret.reference}/")
    assert page.status_code == 200
    assert f'href="/orders/{ret.order.reference}/"' not in page.content.decode()
    r = c.post(f"/returns/{ret.reference}/actions/hold/", {"display": "row"}, HTTP_HX_REQUEST="true")
    assert r.status_code == 200 and Return.objects.get(pk=ret.pk).status == "on_hold"

    # An order page: 403 in the shop's language (Indonesian by default), a way back to returns.
    r = c.get("/orders/")
    body = r.content.decode()
    assert r.status_code == 403
    assert "Akses ditolak" in body and "Access denied" not in body
    assert 'href="/returns/"' in re.search(r'data-error="403".*?</section>', body, re.S).group(0)
    assert 'href="/orders/"' not in body
    # … and in English for a user who chose English.
    c.cookies["django_language"] = "en"
    assert "Access denied" in c.get("/orders/").content.decode()
