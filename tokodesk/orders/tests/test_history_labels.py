"""Issue 17: the history (timeline) of an order and of a return shows labels in the reader's
language, never a raw key ("notification_id", "Notification id", "Channel" left in English).

The keys are read from the source — every key the code writes into an order's or a return's
timeline `data` (`ctx.event_data[...]`, `.update(...)`, `data={...}` of a timeline row) — so a
new key without a label fails here. A history holding every kind of event with every such key
is rendered in en, id and fr: every label and title must be a message of the id and fr catalogs
and rendered as its translation."""

from __future__ import annotations

import ast
import html
import re
from pathlib import Path

import pytest
from django.test import Client
from django.utils.translation import trans_real

import tokodesk
from tokodesk.orders.models import OrderEvent
from tokodesk.orders.services import EDITABLE
from tokodesk.orders.tests.factories import make_order
from tokodesk.returns.models import ReturnEvent
from tokodesk.returns.tests.factories import return_in

pytestmark = pytest.mark.django_db
ROOT = Path(tokodesk.__file__).parent
# Where rows of each timeline are written: the order's (its transitions' effects in orders,
# payments.rts; prints in dispatch; the buyer's proof in storefront) and the return's.
ORDER_SOURCES = ("orders", "dispatch", "storefront", "tracking", "payments/rts.py")
RETURN_SOURCES = ("returns", "notifications")
MARKERS = ("event_data", ".record(", "TIMELINE.event(", "Event.objects.create")


def _name(node) -> str:
    return node.attr if isinstance(node, ast.Attribute) else getattr(node, "id", "")


def _dict_keys(node) -> set[str]:
    if not isinstance(node, ast.Dict):
        return set()
    keys = {k.value for k in node.keys if isinstance(k, ast.Constant) and isinstance(k.value, str)}
    for k, v in zip(node.keys, node.values, strict=True):
        if k is None:  # **({"format": fmt} if fmt else {})
            for sub in ast.walk(v):
                keys |= _dict_keys(sub)
    return keys


def written_keys(sources) -> set[str]:
    """The keys that functions writing timeline rows put in their `data`."""
    keys: set[str] = set()
    paths = [p for s in sources for p in ((ROOT / s).rglob("*.py") if (ROOT / s).is_dir() else [ROOT / s])]
    for path in paths:
        if "tests" in path.parts or "migrations" in path.parts:
            continue
        for fn in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(fn, ast.FunctionDef) or not any(m in ast.unparse(fn) for m in MARKERS):
                continue
            for node in ast.walk(fn):
                if (isinstance(node, ast.Subscript) and isinstance(node.ctx, ast.Store)
                        and _name(node.value) in ("event_data", "data")
                        and isinstance(node.slice, ast.Constant) and isinstance(node.slice.value, str)):
                    keys.add(node.slice.value)
                elif (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                      and node.func.attr == "update" and _name(node.func.value) in ("event_data", "data")):
                    keys |= {kw.arg for kw in node.keywords if kw.arg}
                    for arg in node.args:
                        keys |= _dict_keys(arg)
                elif isinstance(node, ast.Call):
                    keys |= set().union(*(_dict_keys(kw.value) for kw in node.keywords if kw.arg == "data"))
                elif isinstance(node, ast.Assign) and any(_name(t) in ("data", "event_data") for t in node.targets):
                    keys |= _dict_keys(node.value)
    return keys


def _value(key: str):
    if key in ("automatic", "window_overridden"):
        return True
    if key.endswith(("amount", "total", "fee", "_cost", "discount", "value", "difference", "store_credit",
                     "store_credit_given_back")):
        return 15000
    if key in ("deadline",):
        return "2026-12-04T10:00:00+00:00"
    if key in ("due_date", "target_date", "paid_on"):
        return "2026-12-04"
    return "ABC-1"


def _history(page: str) -> tuple[list[str], list[str]]:
    """(titles, data labels) of the page's timeline, in order."""
    timeline = re.search(r'<ol class="timeline">(.*?)</ol>', page, re.S)
    assert timeline, "no timeline on the page"
    text = timeline.group(1)
    def clean(items):
        return [html.unescape(re.sub(r"<[^>]+>", "", i)).strip() for i in items]

    return (clean(re.findall(r'<div class="ev-head"><strong>(.*?)</strong>', text, re.S)),
            clean(re.findall(r"<dt>(.*?)</dt>", text, re.S)))


def _client(user, language: str) -> Client:
    c = Client()
    c.force_login(user)
    c.cookies["django_language"] = language
    return c


def assert_translated(user, url: str) -> None:
    titles_en, labels_en = _history(_client(user, "en").get(url).content.decode())
    assert labels_en and titles_en
    for words in titles_en + labels_en:
        assert not re.search(r"\b[a-z]+_[a-z_]+\b", words), f"raw key shown: {words!r}"
    for language in ("id", "fr"):
        # English message -> its translations (with or without a context: "e-mail recipient\x04To").
        catalog: dict[str, set[str]] = {}
        for key, value in trans_real.translation(language)._catalog.items():
            if isinstance(key, str) and value:
                catalog.setdefault(key.rpartition("\x04")[2], set()).add(value)
        titles, labels = _history(_client(user, language).get(url).content.decode())
        assert len(titles) == len(titles_en) and len(labels) == len(labels_en)
        for english, shown in zip(titles_en + labels_en, titles + labels, strict=True):
            # "Serial numbers · KAOS-M": the label is the part before the line's SKU.
            message, sep, rest = english.partition(" · ")
            if message not in catalog:
                pytest.fail(f"{message!r} is not translated in {language} ({url})")
            assert shown.partition(" · ")[0] in catalog[message], (language, english, shown)


def test_every_key_written_to_an_order_history_has_a_translated_label(shop, users):
    owner = users["owner"]
    order = make_order(owner)
    keys = written_keys(ORDER_SOURCES)
    assert {"awb", "voided_payments", "document", "format", "rts_fee"} <= keys  # the scan sees them
    data = {key: _value(key) for key in keys - {"changes", "from", "to"}}
    edits = {name: ["old", "new"] for name in (set(EDITABLE) - {"payment_method_code"}) | {"total", "language"}}
    edits["serial_numbers"] = {"KAOS-M": [["SN-1"], ["SN-2"]]}
    data["courier"], data["payment_method"], data["language"] = "jne", "cod", "fr"
    for kind in OrderEvent.Kind.values:
        extra = {"changes": edits} if kind == OrderEvent.Kind.EDITED else {}
        if kind == OrderEvent.Kind.AGENT_CHANGED:
            extra = {"from": owner.username, "to": ""}
        OrderEvent.objects.create(order=order, kind=kind, actor=owner, data=data | extra)
    for kind in ("action",):  # a transition row too: its title is the action's label
        OrderEvent.objects.create(order=order, kind=kind, action="confirm", from_status="new",
                                  to_status="confirmed", actor=owner, data=data)
    assert_translated(owner, f"/orders/{order.reference}/")


def test_every_key_written_to_a_return_history_has_a_translated_label(shop, users):
    owner = users["owner"]
    ret = return_in("awaiting_item", owner)
    keys = written_keys(RETURN_SOURCES)
    assert {"notification_id", "channel", "subject", "to", "attachments", "custom_state"} <= keys
    data = {key: _value(key) for key in keys - {"changes"}}
    data["resolution"], data["refund_method"], data["method"] = "refund", "bank_transfer", "bank_transfer"
    edits = {name: ["old", "new"] for name in ("responsible", "target_date", "custom_state", "reason",
                                               "resolution", "extra_lines", "exchange_items", "lines")}
    for kind in ReturnEvent.Kind.values:
        extra = {"changes": edits} if kind == ReturnEvent.Kind.EDITED else {}
        ReturnEvent.objects.create(return_order=ret, kind=kind, actor=owner, data=data | extra)
    # Both channels of a message to the customer: the title says which.
    ReturnEvent.objects.create(return_order=ret, kind="notification", actor=owner,
                               data={"channel": "whatsapp", "to": "+628123", "message": "Halo", "notification_id": 9})
    page = _client(owner, "en").get(f"/returns/{ret.reference}/").content.decode()
    titles, labels = _history(page)
    assert "E-mail to the customer" in titles and "WhatsApp message to the customer" in titles
    assert "Notification id" not in labels and "Channel" not in labels and "Subject" in labels
    assert_translated(owner, f"/returns/{ret.reference}/")


def _method_changes(page: str, language: str = "en") -> list[str]:
    """The "Payment method" rows of the page's history: "old → new"."""
    from django.utils import translation

    with translation.override(language):
        title = translation.gettext("Payment method")
    timeline = re.search(r'<ol class="timeline">(.*?)</ol>', page, re.S).group(1)
    return [html.unescape(re.sub(r"<[^>]+>", "", dd)).strip()
            for dt, dd in re.findall(r"<dt>(.*?)</dt>\s*<dd[^>]*>(.*?)</dd>", timeline, re.S)
            if html.unescape(re.sub(r"<[^>]+>", "", dt)).strip() == title]


def test_an_order_history_shows_payment_method_labels_never_codes(shop, users, api_as):
    """Issue 17: changing the shop's payment method (order edit, API PATCH) shows the methods'
    labels in the reader's language in the order's history, as the order page does — never the
    codes ("paypal", "carte_bleue") — and reads them once per page, not once per row."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tokodesk.orders.services import order_edit
    from tokodesk.payments.methods import payment_method_save

    owner = users["owner"]
    payment_method_save(actor=owner, code="carte_bleue", flow="payment_gateway", create=True,
                        labels={"fr": "Carte bancaire", "en": "Debit card", "id": "Kartu debit"})
    payment_method_save(actor=owner, code="paypal", flow="payment_gateway", create=True, labels={"en": "PayPal"})
    order = make_order(owner)  # bank_transfer, the starting method of that code
    order_edit(reference=order.reference, actor=owner, changes={"payment_method_code": "carte_bleue"})
    r = api_as("owner").patch(f"/api/v1/orders/{order.reference}", {"payment_method_code": "paypal"})
    assert r.status_code == 200, r.content
    url = f"/orders/{order.reference}/"
    pages = {language: _client(owner, language).get(url).content.decode() for language in ("en", "fr", "id")}
    # newest first
    assert _method_changes(pages["en"]) == ["Debit card → PayPal", "Bank transfer → Debit card"]
    assert _method_changes(pages["fr"], "fr") == ["Carte bancaire → PayPal", "Virement bancaire → Carte bancaire"]
    assert _method_changes(pages["id"], "id") == ["Kartu debit → PayPal", "Transfer bank → Kartu debit"]

    # the labels are read once for the page, whatever the number of changes
    client = _client(owner, "en")
    with CaptureQueriesContext(connection) as two:
        client.get(url)
    for code in ("carte_bleue", "bank_transfer", "paypal", "carte_bleue"):
        order_edit(reference=order.reference, actor=owner, changes={"payment_method_code": code})
    with CaptureQueriesContext(connection) as six:
        page = client.get(url).content.decode()
    assert len(_method_changes(page)) == 6
    assert len(six.captured_queries) == len(two.captured_queries)
