"""Bad input to the returns API: every case answers a clear 4xx (never a 500) as JSON
{"code", "message", "fields"} naming the bad field, and writes nothing."""

import copy
import json

import pytest

from tokodesk.returns.tests.factories import paid_order, return_in

URL = "/api/v1/returns"
HUGE = "x" * 10_000


def assert_error(r, status, code=None, field=None):
    assert r.status_code == status, r.content
    assert r["Content-Type"].startswith("application/json")
    body = r.json()
    assert set(body) == {"code", "message", "fields"}, body
    assert body["code"] and body["message"] and isinstance(body["fields"], dict)
    if code:
        assert body["code"] == code, body
    if field:
        assert field in body["fields"], body
    return body


@pytest.fixture
def order(shop, owner):
    return paid_order(owner)


def base(order):
    return {"order": order.reference, "reason": "Ukuran kekecilan", "resolution": "refund",
            "lines": [{"sku": "KAOS-M", "qty": 1}]}


def changed(order, path, value=..., drop=False):
    body = copy.deepcopy(base(order))
    *parents, last = path.split(".")
    node = body
    for p in parents:
        node = node[int(p)] if p.isdigit() else node[p]
    if drop:
        del node[int(last) if last.isdigit() else last]
    elif isinstance(node, list):
        node[int(last)] = value
    else:
        node[last] = value
    return body


CREATE_CASES = [
    # (id, body maker, status, code, field)
    ("no-order", lambda o: changed(o, "order", drop=True), 422, "invalid_input", "order"),
    ("no-reason", lambda o: changed(o, "reason", drop=True), 422, "invalid_input", "reason"),
    ("empty-reason", lambda o: changed(o, "reason", ""), 422, "invalid_input", "reason"),
    ("blank-reason", lambda o: changed(o, "reason", "   "), 422, "invalid_input", "reason"),
    ("huge-reason", lambda o: changed(o, "reason", HUGE), 422, "invalid_input", "reason"),
    ("other-without-text", lambda o: changed(o, "reason", "other"), 422, "invalid_input", "reason_text"),
    ("no-resolution", lambda o: changed(o, "resolution", drop=True), 422, "invalid_input", "resolution"),
    ("bad-resolution", lambda o: changed(o, "resolution", "cash_back"), 422, "invalid_input", "resolution"),
    ("no-lines", lambda o: changed(o, "lines", drop=True), 422, "invalid_input", "lines"),
    ("empty-lines", lambda o: changed(o, "lines", []), 422, "invalid_input", "lines"),
    ("qty-0", lambda o: changed(o, "lines.0.qty", 0), 422, "invalid_input", "lines.0.qty"),
    ("qty-negative", lambda o: changed(o, "lines.0.qty", -1), 422, "invalid_input", "lines.0.qty"),
    ("qty-huge", lambda o: changed(o, "lines.0.qty", 10**12), 422, "invalid_input", "lines.0.qty"),
    ("qty-text", lambda o: changed(o, "lines.0.qty", "satu"), 422, "invalid_input", "lines.0.qty"),
    ("qty-over-delivered", lambda o: changed(o, "lines.0.qty", 3), 409, "qty_exceeds_returnable", "lines.0.qty"),
    ("unknown-sku", lambda o: changed(o, "lines.0.sku", "SEPATU-42"), 422, "invalid_input", "lines.0.sku"),
    ("no-sku-nor-line", lambda o: changed(o, "lines.0", {"qty": 1}), 422, "invalid_input", "lines.0.sku"),
    ("unknown-line", lambda o: changed(o, "lines.0", {"line": 999999, "qty": 1}), 422, "invalid_input",
     "lines.0.line"),
    ("twice", lambda o: {**base(o), "lines": [{"sku": "KAOS-M", "qty": 1}, {"sku": "KAOS-M", "qty": 1}]}, 422,
     "invalid_input", "lines.1.sku"),
    ("serial-too-long", lambda o: changed(o, "lines.0.serial_numbers", ["x" * 101]), 422, "invalid_input",
     "lines.0.serial_numbers"),
    ("too-many-serials", lambda o: changed(o, "lines.0.serial_numbers", ["A", "B"]), 422, "invalid_input",
     "lines.0.serial_numbers"),
    ("unknown-field", lambda o: changed(o, "channel", "api"), 422, "invalid_input", "channel"),
    ("unknown-line-field", lambda o: changed(o, "lines.0.unit_price", 1), 422, "invalid_input",
     "lines.0.unit_price"),
    ("bad-date", lambda o: changed(o, "target_date", "besok"), 422, "invalid_input", "target_date"),
    ("far-date", lambda o: changed(o, "target_date", "9999-12-31"), 422, "invalid_input", "target_date"),
    ("unknown-user", lambda o: changed(o, "responsible_user", "ghost"), 422, "invalid_input", "responsible_user"),
    ("unknown-group", lambda o: changed(o, "responsible_group", "ghosts"), 422, "invalid_input",
     "responsible_group"),
    ("user-and-group", lambda o: {**base(o), "responsible_user": "owner", "responsible_group": "agent"}, 422,
     "invalid_input", "responsible_group"),
    # A fee without a description is named by its kind; "other" must say what it is.
    ("other-no-description", lambda o: {**base(o), "extra_lines": [{"kind": "other", "description": "",
                                                                     "amount": 1}]}, 422,
     "invalid_input", "extra_lines.0.description"),
    ("extra-unknown-kind", lambda o: {**base(o), "extra_lines": [{"kind": "tip", "amount": 1}]}, 422,
     "invalid_input", "extra_lines.0.kind"),
    ("extra-zero", lambda o: {**base(o), "extra_lines": [{"kind": "service", "amount": 0}]}, 422,
     "invalid_input", "extra_lines.0.amount"),
    ("fee-huge", lambda o: {**base(o), "extra_lines": [{"description": "Ongkir", "amount": 10**16}]}, 422,
     "invalid_input", "extra_lines.0.amount"),
    ("exchange-unknown-sku", lambda o: {**base(o), "exchange_items": [{"sku": "NOPE", "qty": 1}]}, 422,
     "invalid_input", "exchange_items.0.sku"),
    ("exchange-qty-0", lambda o: {**base(o), "exchange_items": [{"sku": "KAOS-L", "qty": 0}]}, 422,
     "invalid_input", "exchange_items.0.qty"),
    ("unknown-order", lambda o: changed(o, "order", "ORD-999999"), 404, "not_found", "order"),
    ("order-not-string", lambda o: changed(o, "order", 12), 422, "invalid_input", "order"),
]


@pytest.mark.parametrize(("case", "make", "status", "code", "field"), CREATE_CASES,
                         ids=[c[0] for c in CREATE_CASES])
def test_bad_create(order, api, snapshot, case, make, status, code, field):
    before = snapshot()
    assert_error(api.post(URL, make(order)), status, code, field)
    assert snapshot() == before


@pytest.mark.parametrize(("raw", "status"), [
    ("{not json", 400), ("[]", 422), ('"text"', 422), ("", 422), ('{"order": "ORD-1\\u0000"}', 400)])
def test_bad_json(order, api, snapshot, raw, status):
    before = snapshot()
    assert_error(api.post(URL, raw=raw), status)
    assert snapshot() == before


def test_create_on_an_order_that_cannot_return(shop, owner, api, snapshot):
    from tokodesk.orders.tests.factories import order_in

    order = order_in("paid", owner)
    before = snapshot()
    assert_error(api.post(URL, base(order)), 409, "order_not_returnable")
    assert snapshot() == before


ACTION_CASES = [
    # (id, status of the return, action, body, http status, code, field)
    ("unknown-action", "draft", "explode", {}, 404, "unknown_action", None),
    ("entry-action", "draft", "create", {}, 409, "not_allowed_in_status", None),
    ("wrong-status", "draft", "receive", {"lines": [{"sku": "KAOS-M", "qty": 1}]}, 409, "not_allowed_in_status",
     None),
    ("approve-extra-field", "draft", "approve", {"label": "x"}, 422, "invalid_input", "label"),
    ("approve-bad-date", "draft", "approve", {"target_date": "31/01/2030"}, 422, "invalid_input", "target_date"),
    ("reject-no-message", "draft", "reject", {}, 422, "invalid_input", "message"),
    ("reject-blank-message", "draft", "reject", {"message": "  "}, 422, "invalid_input", "message"),
    ("reject-huge-message", "draft", "reject", {"message": HUGE}, 422, "invalid_input", "message"),
    ("bad-version", "draft", "approve", {"version": "one"}, 422, "invalid_input", "version"),
    ("zero-version", "draft", "approve", {"version": 0}, 422, "invalid_input", "version"),
    ("receive-no-lines", "awaiting_item", "receive", {}, 422, "invalid_input", "lines"),
    ("receive-bad-condition", "awaiting_item", "receive",
     {"lines": [{"sku": "KAOS-M", "qty": 1, "condition": "mint"}]}, 422, "invalid_input", "lines.0.condition"),
    ("receive-unknown-warehouse", "awaiting_item", "receive",
     {"warehouse": "bdg", "lines": [{"sku": "KAOS-M", "qty": 1}]}, 422, "invalid_input", "warehouse"),
    ("receive-too-many", "awaiting_item", "receive", {"lines": [{"sku": "KAOS-M", "qty": 5}]}, 422,
     "invalid_input", "lines.0.qty"),
    ("receive-no-ref", "awaiting_item", "receive", {"lines": [{"qty": 1}]}, 422, "invalid_input", "lines.0"),
    ("complete-bad-decision", "item_received", "complete", {"lines": [{"sku": "KAOS-M", "decision": "maybe"}]},
     422, "invalid_input", "lines.0.decision"),
    ("complete-missing-decision", "item_received", "complete",
     {"lines": [{"sku": "KAOS-M", "decision": "accept"}], "bank_name": "BCA", "account_number": "1",
      "account_holder": "S"}, 422, "invalid_input", "lines"),
    ("complete-no-bank", "item_received", "complete",
     {"lines": [{"sku": "KAOS-M", "decision": "accept"}, {"sku": "MADU-500", "decision": "accept"}]}, 422,
     "invalid_input", "account_number"),
    ("complete-bad-method", "item_received", "complete",
     {"lines": [{"sku": "KAOS-M", "decision": "refuse"}, {"sku": "MADU-500", "decision": "refuse"}],
      "refund_method": "crypto"}, 422, "invalid_input", "refund_method"),
    ("complete-negative-amount", "item_received", "complete",
     {"lines": [{"sku": "KAOS-M", "decision": "refuse"}, {"sku": "MADU-500", "decision": "refuse"}],
      "refund_amount": -5}, 422, "invalid_input", "refund_amount"),
]


@pytest.mark.parametrize(("case", "status", "action", "body", "http", "code", "field"), ACTION_CASES,
                         ids=[c[0] for c in ACTION_CASES])
def test_bad_action(shop, owner, api, snapshot, case, status, action, body, http, code, field):
    ret = return_in(status, owner)
    before = snapshot()
    assert_error(api.post(f"{URL}/{ret.reference}/actions/{action}", body), http, code, field)
    assert snapshot() == before


@pytest.mark.parametrize("raw", ["{bad", "[1, 2]", "null"])
def test_action_body_must_be_an_object(shop, owner, api, snapshot, raw):
    ret = return_in("draft", owner)
    before = snapshot()
    assert_error(api.post(f"{URL}/{ret.reference}/actions/approve", raw=raw), 400, "invalid_json")
    assert snapshot() == before


PATCH_CASES = [
    ("unknown-field", {"status": "completed"}, 422, "status"),
    ("null-reason", {"reason": None}, 422, "reason"),
    ("null-lines", {"lines": None}, 422, "lines"),
    ("empty-lines", {"lines": []}, 422, "lines"),
    ("bad-resolution", {"resolution": "gift"}, 422, "resolution"),
    ("unknown-custom-state", {"custom_state": "Nope"}, 422, "custom_state"),
    ("unknown-custom-state-id", {"custom_state": 999}, 422, "custom_state"),
    ("line-qty-0", {"lines": [{"sku": "KAOS-M", "qty": 0}]}, 422, "lines.0.qty"),
    ("fee-bad", {"extra_lines": [{"description": "x"}]}, 422, "extra_lines.0.amount"),
    ("bad-version", {"version": -1}, 422, "version"),
]


@pytest.mark.parametrize(("case", "body", "status", "field"), PATCH_CASES, ids=[c[0] for c in PATCH_CASES])
def test_bad_patch(shop, owner, api, snapshot, case, body, status, field):
    ret = return_in("draft", owner)
    before = snapshot()
    assert_error(api.patch(f"{URL}/{ret.reference}", body), status, field=field)
    assert snapshot() == before


@pytest.mark.parametrize(("params", "field"), [
    ({"status": "lost"}, "status"), ({"resolution": "gift"}, "resolution"), ({"cursor": "!!"}, "cursor"),
    ({"limit": 0}, "limit"), ({"limit": 1000}, "limit"), ({"date_from": "kemarin"}, "date_from"),
    ({"sort": "-total"}, "sort"), ({"q": HUGE}, "q")])
def test_bad_list_query(shop, api, params, field):
    assert_error(api.get(URL, params), 422, "invalid_input", field)


def test_bad_refund_calls(shop, owner, api, snapshot):
    ret = return_in("completed", owner)
    refund = ret.refunds.get()
    before = snapshot()
    headers = api._headers({})
    assert_error(api.client.post(f"/api/v1/refunds/{refund.pk}/mark-paid", {"paid_on": "kemarin"}, **headers),
                 422, "invalid_input", "paid_on")
    assert_error(api.client.post("/api/v1/refunds/999999/mark-paid", {"paid_on": "2026-01-01"}, **headers),
                 404, "not_found")
    assert_error(api.post("/api/v1/refunds", {"order": ret.order.reference, "amount": 0, "method": "cash"}), 422,
                 "invalid_input", "amount")
    assert_error(api.post("/api/v1/refunds", {"order": ret.order.reference, "amount": 5, "method": "cheque"}), 422,
                 "invalid_input", "method")
    assert_error(api.post("/api/v1/refunds", {"order": "ORD-404", "amount": 5, "method": "cash"}), 404, "not_found")
    assert snapshot() == before


def test_errors_never_leak_a_500_on_odd_paths(shop, api):
    for path in (f"{URL}/%20", f"{URL}/RMA-1/actions/%20", "/api/v1/refunds/abc", "/api/v1/store-credit/abc"):
        r = api.get(path) if "actions" not in path else api.post(path)
        assert 400 <= r.status_code < 500, (path, r.status_code)
        json.loads(r.content)
