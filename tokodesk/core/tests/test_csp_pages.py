"""The main pages as the server draws them hold nothing the Content-Security-Policy would
block (script-src/style-src 'self' + nonce, no 'unsafe-inline'): no inline <script>, no
on*="" handler, no style="" attribute, and a <style> block only with the response's nonce.
The browser tests (tests/browser/test_csp.py) check the same pages really run clean; this
one catches a template that slips one in, without a browser."""

from __future__ import annotations

import re

import pytest
from django.test import Client, modify_settings

from tokodesk.catalog.models import Product
from tokodesk.orders.tests.factories import make_order, order_in
from tokodesk.returns.models import ReturnReason
from tokodesk.returns.tests.factories import paid_order, return_in
from tokodesk.storefront.links import order_link_url
from tokodesk.storefront.models import LandingPage

pytestmark = pytest.mark.django_db

TAG = re.compile(r"<[a-zA-Z][^<>]*>")
HANDLER = re.compile(r"\son[a-z]+\s*=", re.I)
STYLE_ATTR = re.compile(r"\sstyle\s*=", re.I)


def inline_problems(html: str, policy: str) -> list[str]:
    problems = []
    nonces = set(re.findall(r"'nonce-([^']+)'", policy))
    for tag in TAG.findall(html):
        name = tag[1:].split()[0].rstrip(">").lower()
        if HANDLER.search(tag):
            problems.append(f"handler: {tag[:120]}")
        if STYLE_ATTR.search(tag):
            problems.append(f"style attribute: {tag[:120]}")
        if name == "script" and "src=" not in tag and 'type="application/json"' not in tag:
            problems.append(f"inline script: {tag[:120]}")
        if name == "style":
            nonce = re.search(r'nonce="([^"]+)"', tag)
            if not nonce or nonce.group(1) not in nonces:
                problems.append(f"<style> without the response's nonce: {tag[:120]}")
    if re.search(r"""href\s*=\s*["']\s*javascript:""", html, re.I):
        problems.append("javascript: link")
    return problems


@pytest.fixture
def pages(shop, users):
    owner = users["owner"]
    ReturnReason.objects.get_or_create(code="size_too_small", defaults={"label": "Ukuran kekecilan"})
    fresh = make_order(owner)
    confirmed = order_in("confirmed", owner)
    ret = return_in("awaiting_item", owner)
    delivered = paid_order(owner, status="delivered")
    LandingPage.objects.create(name="Kaos", slug="kaos", product=Product.objects.get(slug="kaos-polos"),
                               warehouse=shop["jkt"], payment_methods=["cod"])
    desk = [
        "/orders/", "/orders/?view=card", f"/orders/{fresh.reference}/", f"/orders/{confirmed.reference}/",
        f"/orders/{confirmed.reference}/actions/confirm_payment/?display=detail",
        "/orders/new/", f"/orders/{fresh.reference}/edit/", "/orders/settings/",
        "/returns/", f"/returns/{ret.reference}/", f"/returns/new/?order={delivered.reference}",
        "/returns/calendar/", f"/returns/{ret.reference}/slip/",
        "/exports/", "/exports/templates/", "/exports/templates/new/", "/landing-pages/", "/landing-pages/new/",
        "/landing-pages/kaos/",
    ]
    public = ["/accounts/login/", "/p/kaos/", order_link_url(delivered), order_link_url(delivered) + "return/"]
    return owner, desk, public


def test_main_pages_hold_nothing_the_policy_blocks(pages):
    owner, desk, public = pages
    staff = Client(HTTP_ACCEPT_LANGUAGE="en")
    staff.force_login(owner)
    found = {}
    for client, paths in ((staff, desk), (Client(HTTP_ACCEPT_LANGUAGE="en"), public)):
        for path in paths:
            response = client.get(path)
            assert response.status_code == 200, (path, response.status_code)
            policy = response["Content-Security-Policy"]
            assert "'unsafe-inline'" not in policy and "'unsafe-eval'" not in policy, path
            problems = inline_problems(response.content.decode(), policy)
            if problems:
                found[path] = problems
    assert found == {}


def test_print_slip_style_carries_the_nonce(pages, users):
    owner, desk, _public = pages
    c = Client()
    c.force_login(owner)
    slip = next(p for p in desk if p.endswith("/slip/"))
    response = c.get(slip)
    nonce = re.search(r"<style nonce=\"([^\"]+)\">", response.content.decode()).group(1)
    assert f"'nonce-{nonce}'" in response["Content-Security-Policy"]


def test_api_docs_load_only_our_origin(users):
    """With ninja in INSTALLED_APPS (its bundled Swagger UI) the docs page loads nothing
    from a CDN and has no inline script; without it ninja falls back to a CDN and an
    inline script, which the policy blocks."""
    c = Client()
    c.force_login(users["owner"])
    with modify_settings(INSTALLED_APPS={"append": "ninja"}):
        response = c.get("/api/v1/docs")
    html = response.content.decode()
    assert response.status_code == 200
    assert "cdn." not in html and "https://" not in html.split("<body")[0]
    assert inline_problems(html, response["Content-Security-Policy"]) == []
