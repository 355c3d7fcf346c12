"""The returns list reads its page as values (list_values: the returns with their related
columns in one query, their lines in one more; no Return instance): the API's answer and
the web page's rows must stay byte for byte what the model-instance implementation gave.

The reference is that implementation: selectors.return_list (Return objects with
select_related and the prefetched lines) and api.return_out over them (the detail still
serialises a Return with it). Each test renders every status tab (and filters, and the next
page) through the real URL twice, once with the reference patched in, once with the code
as it is, and compares the bytes; then pins the query count."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.contrib.auth.models import Group
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tokodesk.returns import api as returns_api
from tokodesk.returns import list_values, selectors
from tokodesk.returns.models import CustomState, Return, ReturnLine, ReturnReason
from tokodesk.returns.states import Status
from tokodesk.returns.tests.factories import paid_order, return_in
from tokodesk.returns.views import list as list_views

URL = "/api/v1/returns"
TABS = ["all", *Status.values]
# Per-response values: CSRF tokens (masked anew each time) and CSP nonces.
CSRF = re.compile(rb'(csrfmiddlewaretoken" value="|X-CSRFToken": "|nonce=")[^"]+')
NOW = dt.datetime(2026, 11, 20, 5, 30, 15, 123456, tzinfo=dt.UTC)


def reference_items(rows, user):
    return [returns_api.return_out(r, user) for r in rows]


def _make_returns(owner):
    """Two returns in every status (entered by the customer or the seller), then varied in
    place: custom states (named colour, hex colour, inactive), responsible users with and
    without a full name and groups, reasons with labels per language, needing the
    customer's words or with details, target dates, exchanges with a difference and a
    replacement order, a label file, serials, invoice numbers, created_at ties."""
    statuses = [*Status.values, *Status.values]
    resolutions = ["refund", "store_credit", "exchange_same", "exchange_other"]
    made = []
    for i, status in enumerate(statuses):
        made.append(
            return_in(
                status,
                owner,
                resolution=resolutions[i % 4]
                if status != "completed"
                else ["refund", "store_credit"][i % 2],
            )
        )
    states = [
        CustomState.objects.create(
            label="Menunggu label",
            status="awaiting_item",
            color="amber",
            labels={"en": "Waiting for a label", "fr": "En attente d’étiquette"},
        ),
        CustomState.objects.create(label="Cek <gudang>", status="on_hold", color="#3366cc"),
        CustomState.objects.create(
            label="Inspeksi", status="item_received", color="", active=False
        ),
    ]
    by_status = {s.status: s for s in states}
    ReturnReason.objects.filter(code="size_too_small").update(
        labels={"en": "Too small", "fr": "Trop petit"}
    )
    reasons = list(ReturnReason.objects.order_by("position"))
    agent = Group.objects.get(name="agent")
    users = [owner, type(owner).objects.get(username="agent")]
    users[1].first_name, users[1].last_name = "Ayu", "Lestari & <b>"
    users[1].save()
    for i, ret in enumerate(made):
        changes = {
            "reason": reasons[i % len(reasons)],
            "reason_text": ["", "Jahitan “lepas” & <robek>", "Warna beda"][i % 3],
            "origin": "customer" if i % 3 == 0 else ret.origin,
            "responsible_user": users[i % 2] if i % 4 in (1, 2) else None,
            "responsible_group": agent if i % 4 == 3 else None,
            "target_date": dt.date(2026, 12, 1) + dt.timedelta(days=i) if i % 2 else None,
            "custom_state": by_status.get(ret.status) if i % 3 != 2 else None,
            "label": f"return-labels/2026/11/label-{i}.pdf" if i % 5 == 0 else "",
            "created_at": NOW - dt.timedelta(hours=(i // 2) * 5),
            "version": 1 + i % 4,
        }
        if ret.resolution in ("exchange_same", "exchange_other") and i % 2:
            changes["exchange_difference"] = [-15000, 25000, 0][i % 3]
            changes["exchange_items"] = [{"sku": "KAOS-L", "qty": 1 + i % 2}]
        if i % 7 == 0:
            changes["replacement_order"] = paid_order(owner, lines=(("KAOS-L", 1),))
        Return.objects.filter(pk=ret.pk).update(**changes)
        ret.order.__class__.objects.filter(pk=ret.order_id).update(
            invoice_number=f"INV/{i}" if i % 2 else ""
        )
        ReturnLine.objects.filter(return_order=ret).filter(sku="KAOS-M").update(
            serial_numbers=[f"SN-{i}-1", f"SN-{i}-2"] if i % 3 == 1 else []
        )
    return made


@pytest.fixture
def returns(shop, users):
    return _make_returns(users["owner"])


def _cases():
    cases = [{"status": tab} if tab != "all" else {} for tab in TABS]
    cases += [
        {"sort": "created_at"},
        {"resolution": "exchange_other"},
        {"responsible": "none"},
        {"custom_state": "Menunggu label"},
        {"q": "Siti"},
        {"status": ["draft", "on_hold"]},
    ]
    return cases


def _diff(old: bytes, new: bytes) -> tuple[bytes, bytes]:
    """Where the two answers part: a few hundred bytes of each (for the assertion message)."""
    at = next(
        (i for i, (a, b) in enumerate(zip(old, new, strict=False)) if a != b),
        min(len(old), len(new)),
    )
    return old[max(at - 300, 0) : at + 100], new[max(at - 300, 0) : at + 100]


def _both(client, path, params, monkeypatch, patches, headers=None):
    with monkeypatch.context() as m:
        for target, name, value in patches:
            m.setattr(target, name, value)
        old = client.get(path, params, headers=headers or {})
    new = client.get(path, params, headers=headers or {})
    assert old.status_code == new.status_code == 200, (params, old.content[:300], new.content[:300])
    return CSRF.sub(rb"\1", old.content), CSRF.sub(rb"\1", new.content)


@pytest.mark.parametrize("role", ["owner", "agent"])
def test_api_list_is_byte_for_byte_the_reference(returns, users, api_as, monkeypatch, role):
    client = api_as(role)
    patches = [
        (list_values, "return_rows", selectors.return_list),
        (list_values, "return_items", reference_items),
    ]
    seen = 0
    for language in ("en", "fr"):
        headers = {"Accept-Language": language}
        for params in _cases():
            cursor = None
            for _page in range(3):  # the first pages: the cursors must match too
                query = {**params, "limit": 3, **({"cursor": cursor} if cursor else {})}
                old, new = _both(client, URL, query, monkeypatch, patches, headers)
                assert new == old, (language, query, _diff(old, new))
                body = client.get(URL, query, headers=headers).json()
                seen += len(body["items"])
                cursor = body["next_cursor"]
                if not cursor:
                    break
    if role == "owner":
        assert seen > 2 * len(Status.values)


@pytest.mark.parametrize("role", ["owner", "agent"])
def test_web_rows_are_byte_for_byte_the_reference(returns, users, client, monkeypatch, role):
    client.force_login(users[role])
    patches = [(list_views, "page_rows", selectors.return_list)]
    for language in ("en", "fr", "id"):
        client.cookies["django_language"] = language
        for params in _cases():
            for headers in ({"HX-Target": "results"}, {}):
                query = {**params, "limit": 25}
                old, new = _both(client, "/returns/", query, monkeypatch, patches, headers)
                assert new == old, (language, params, headers, _diff(old, new))
                if role == "owner" and not params:
                    assert new.count(b'<tr id="return-') == 2 * len(Status.values)


def _count(client, path, params=None):
    client.get(path, params)
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(path, params)
    assert response.status_code == 200
    return len(ctx.captured_queries)


def test_query_counts_do_not_grow_with_the_page(shop, users, api_as, client):
    owner = users["owner"]
    # Labels without the reader's language: the customers' language setting is read (once).
    ReturnReason.objects.update(labels={"fr": "Autre"})
    for status in Status.values:
        return_in(status, owner)
    client.force_login(owner)
    api = api_as("owner")
    few = [_count(api, URL, {"status": s}) for s in Status.values] + [_count(client, "/returns/")]
    _make_returns(owner)
    many = [_count(api, URL, {"status": s}) for s in Status.values] + [_count(client, "/returns/")]
    assert few == many, (few, many)
    # token, permissions, the returns with their related columns, their lines, the customers'
    # language (labels without the reader's: read once, not per row) and the token's stamp.
    assert max(many[:-1]) <= 6


@pytest.mark.parametrize("role", ["owner", "agent"])
def test_row_links_are_what_reverse_gives(returns, users, role):
    """The row template's links come from views.common.RowUrls (one reverse() per page and
    link, then a string join per row) where it reversed each one: the same URLs."""
    from django.urls import reverse

    from tokodesk.returns.views.common import RowUrls, row_for

    user = users[role]
    urls = RowUrls()
    rows, _cursor = list_values.return_rows(user=user, filters=selectors.ReturnFilters(), limit=100)
    assert rows or role == "agent"  # (the agent's orders have no returns: the instances below)
    actions = 0
    for ret in [*rows, *Return.objects.select_related("order")]:
        row = row_for(ret, user, True, urls)
        ref = ret.reference
        assert row["urls"]["detail"] == reverse("returns:detail", args=[ref])
        assert row["urls"]["order"] == reverse("orders:detail", args=[ret.order.reference])
        if row["menu"]["can_recreate"]:
            assert row["urls"]["recreate"] == reverse("returns:recreate", args=[ref])
        for item in row["menu"]["actions"]:
            assert item["url"] == reverse("returns:action", args=[ref, item["transition"].action])
            actions += 1
    assert actions or role == "agent"
