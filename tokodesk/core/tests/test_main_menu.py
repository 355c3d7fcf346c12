"""The main menu (base.html): every role sees the entries its permissions open, grouped so
that the bar fits one line; the pages reachable only through a link elsewhere (courier
tracking, claims, RTS report, shipping rates) are in the groups too."""

import re

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db


def menu(user) -> dict[str, list[str]]:
    c = Client()
    c.force_login(user)
    html = c.get("/orders/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    nav = re.search(r'<nav class="mainnav">(.*?)</nav>', html, re.S).group(1)
    groups = {}
    for summary, body in re.findall(r"<summary[^>]*>(.*?)</summary>(.*?)</details>", nav, re.S):
        groups[re.sub(r"<.*?>|\s+\d+\s*$", "", summary).strip()] = re.findall(r'href="([^"]+)"', body)
    top = re.sub(r"<details.*?</details>", "", nav, flags=re.S)
    groups["top"] = re.findall(r'href="([^"]+)"', top)
    return groups


def test_owner_sees_every_entry(shop, users):
    m = menu(users["owner"])
    assert m["top"] == ["/orders/", "/returns/", "/landing-pages/", "/orders/settings/"]
    assert m["Finance"] == ["/orders/transfers/", "/payments/cod/", "/payments/claims/",
                            "/payments/rts/", "/returns/refunds/"]
    assert m["Warehouse"] == ["/catalog/", "/stock/", "/shipping/tracking/", "/shipping/rates/"]


def test_warehouse_has_no_finance_group(shop, users):
    m = menu(users["warehouse"])
    assert "Finance" not in m
    assert m["top"] == ["/orders/", "/returns/"]
    assert m["Warehouse"] == ["/catalog/", "/stock/", "/shipping/tracking/", "/shipping/rates/"]


def test_finance_has_finance_but_no_tracking(shop, users):
    m = menu(users["finance"])
    assert m["Finance"] == ["/orders/transfers/", "/payments/cod/", "/payments/claims/", "/payments/rts/",
                            "/returns/refunds/"]
    assert "/shipping/tracking/" not in m["Warehouse"]


def test_agent_has_no_group_it_cannot_open(shop, users):
    m = menu(users["agent"])
    assert "Finance" not in m
    assert "/shipping/tracking/" not in m["Warehouse"]
