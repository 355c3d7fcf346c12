"""Courier adapters and the shop's courier accounts: credentials reach the adapter, are never
echoed in the page, never logged, never in an adapter's repr."""

from __future__ import annotations

import io
import logging

import pytest
from django.test import Client

from tokodesk.dispatch import booking
from tokodesk.orders.tests.factories import order_in
from tokodesk.shipping.couriers import ADAPTERS, bookable, get_adapter
from tokodesk.shipping.couriers.base import Adapter
from tokodesk.shipping.models import CourierAccount

SECRET = "sk_live_9f8e7d6c5b4a-SECRET"


@pytest.fixture
def log_lines():
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setLevel(logging.DEBUG)
    root = logging.getLogger()
    old = root.level
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    yield stream
    root.removeHandler(handler)
    root.setLevel(old)


def test_registry_has_manual_and_sandbox_and_only_sandbox_books():
    assert {"manual", "sandbox"} <= set(ADAPTERS)
    assert [cls.code for cls in bookable()] == ["sandbox"]
    for cls in ADAPTERS.values():
        assert issubclass(cls, Adapter) and cls.code and cls.label


def test_owner_saves_credentials_that_are_never_shown_back_nor_logged(
    shop, users, log_lines, monkeypatch
):
    c = Client()
    c.force_login(users["owner"])
    c.cookies["django_language"] = "en"
    r = c.post("/shipping/couriers/", {"adapter": "sandbox", "cred_api_key": SECRET})
    assert r.status_code == 302
    assert CourierAccount.objects.get(adapter="sandbox").credentials == {"api_key": SECRET}
    html = c.get("/shipping/couriers/").content.decode()
    assert 'data-set="1"' in html and SECRET not in html and SECRET[-6:] not in html
    # An empty field keeps the stored secret; "Remove" clears it.
    c.post("/shipping/couriers/", {"adapter": "sandbox", "cred_api_key": ""})
    assert CourierAccount.objects.get(adapter="sandbox").credentials == {"api_key": SECRET}

    seen = []
    original = type(get_adapter("sandbox")).book

    def book(self, parcel):
        seen.append(self._credentials.get("api_key"))
        assert SECRET not in repr(self)
        return original(self, parcel)

    monkeypatch.setattr(type(get_adapter("sandbox")), "book", book)
    order = order_in("ready_to_ship", users["owner"])
    [result] = booking.orders_book(
        adapter="sandbox", references=[order.reference], actor=users["owner"]
    )
    assert result.ok and seen == [SECRET]
    c.post("/shipping/couriers/", {"adapter": "sandbox", "cred_api_key": "", "clear": "api_key"})
    assert CourierAccount.objects.get(adapter="sandbox").credentials == {}
    logged = log_lines.getvalue()
    assert "courier account sandbox updated" in logged  # the log was captured …
    assert SECRET not in logged and SECRET[-6:] not in logged  # … without the secret


def test_only_the_owner_manages_courier_accounts(shop, users):
    for role in ("warehouse", "agent", "finance"):
        c = Client()
        c.force_login(users[role])
        assert (
            c.post("/shipping/couriers/", {"adapter": "sandbox", "cred_api_key": "x"}).status_code
            == 403
        )
    assert not CourierAccount.objects.exists()
