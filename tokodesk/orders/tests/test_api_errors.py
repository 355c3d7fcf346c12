"""Bad input to the orders API: every case answers a clear 4xx (never a 500) as JSON
{"code", "message", "fields"} naming the bad field, and changes nothing."""

import copy
import json

import pytest

from conftest import ApiClient, order_payload
from tokodesk.catalog.models import Stock
from tokodesk.customers.models import Customer
from tokodesk.orders import services
from tokodesk.orders.models import Order, OrderEvent, OrderLine, OrderNote, Payment, Tag

URL = "/api/v1/orders"
HUGE = "x" * 10_000


def snapshot():
    """Everything a bad request could have half-written."""
    return {
        "orders": list(Order.objects.order_by("id").values_list(
            "reference", "status", "version", "total", "paid_total", "recipient_name", "recipient_phone",
            "shipping_cost", "discount", "awb", "warehouse_id", "courier_id", "stock_state")),
        "lines": list(OrderLine.objects.order_by("id").values_list("order_id", "sku", "qty", "unit_price")),
        "events": OrderEvent.objects.count(),
        "payments": Payment.objects.count(),
        "notes": OrderNote.objects.count(),
        "customers": Customer.objects.count(),
        "tags": Tag.objects.count(),
        "stock": list(Stock.objects.order_by("id").values_list("variant_id", "warehouse_id", "on_hand", "reserved")),
    }


def assert_error(r, status, code=None, field=None):
    assert r.status_code == status, r.content
    assert r["Content-Type"].startswith("application/json")
    body = r.json()
    assert set(body) == {"code", "message", "fields"}, body
    assert isinstance(body["code"], str) and body["code"]
    assert isinstance(body["message"], str) and body["message"]
    assert isinstance(body["fields"], dict)
    if code:
        assert body["code"] == code, body
    if field:
        assert field in body["fields"], body
        assert body["fields"][field]
    return body


def with_(path, value):
    """order_payload() with one value set at a dotted path ("lines.0.qty")."""
    body = copy.deepcopy(order_payload())
    *parents, last = path.split(".")
    node = body
    for p in parents:
        node = node[int(p)] if p.isdigit() else node[p]
    if isinstance(node, list):
        node[int(last)] = value
    else:
        node[last] = value
    return body


def without(path):
    body = copy.deepcopy(order_payload())
    *parents, last = path.split(".")
    node = body
    for p in parents:
        node = node[int(p)] if p.isdigit() else node[p]
    del node[last]
    return body


@pytest.fixture
def owner_api(api):
    return api


def _order(owner, *actions, **overrides):
    """An order made and moved straight through the services (fixtures need no HTTP)."""
    body = order_payload(**overrides)
    data = services.OrderInput(
        customer=services.CustomerInput(**body.pop("customer")),
        lines=[services.LineInput(**line) for line in body.pop("lines")], **body)
    ref = services.order_create(data=data, actor=owner).reference
    for action in actions:
        services.order_apply_action(reference=ref, action=action, actor=owner)
    return ref


@pytest.fixture
def confirmed(shop, owner):
    """A confirmed bank-transfer order holding stock, so a bad request has something it
    could damage."""
    return _order(owner, "confirm", lines=[{"sku": "MADU-500", "qty": 2}], tags=["vip"])


@pytest.fixture
def ready(shop, owner):
    """A COD order ready to ship."""
    return _order(owner, "confirm", "mark_ready", payment_method="cod")


# --- POST /orders -------------------------------------------------------------------------

CREATE_CASES = [
    # id, body (dict) or raw (str), status, code, field
    ("qty_string", with_("lines.0.qty", "two"), 422, "invalid_input", "lines.0.qty"),
    ("qty_float", with_("lines.0.qty", 1.5), 422, "invalid_input", "lines.0.qty"),
    ("qty_null", with_("lines.0.qty", None), 422, "invalid_input", "lines.0.qty"),
    ("qty_negative", with_("lines.0.qty", -1), 422, "invalid_input", "lines.0.qty"),
    ("qty_zero", with_("lines.0.qty", 0), 422, "invalid_input", "lines.0.qty"),
    ("qty_huge", with_("lines.0.qty", 10**20), 422, "invalid_input", "lines.0.qty"),
    ("unit_price_negative", with_("lines.0.unit_price", -5), 422, "invalid_input", "lines.0.unit_price"),
    ("sku_number", with_("lines.0.sku", 123), 422, "invalid_input", "lines.0.sku"),
    ("sku_unknown", with_("lines.0.sku", "NOPE-1"), 422, "invalid_input", "lines.0.sku"),
    ("sku_empty", with_("lines.0.sku", ""), 422, "invalid_input", "lines.0.sku"),
    ("sku_huge", with_("lines.0.sku", HUGE), 422, "invalid_input", "lines.0.sku"),
    ("line_unknown_field", with_("lines.0.color", "red"), 422, "invalid_input", "lines.0.color"),
    ("line_not_object", with_("lines.0", "MADU-500"), 422, "invalid_input", "lines.0"),
    ("lines_empty", with_("lines", []), 422, "invalid_input", "lines"),
    ("lines_missing", without("lines"), 422, "invalid_input", "lines"),
    ("lines_object", with_("lines", {"sku": "MADU-500", "qty": 1}), 422, "invalid_input", "lines"),
    ("lines_too_many", with_("lines", [{"sku": "MADU-500", "qty": 1}] * 201), 422, "invalid_input", "lines"),
    ("second_line_bad", with_("lines", [{"sku": "MADU-500", "qty": 1}, {"sku": "GHOST", "qty": 1}]),
     422, "invalid_input", "lines.1.sku"),
    ("customer_string", with_("customer", "Siti"), 422, "invalid_input", "customer"),
    ("customer_missing", without("customer"), 422, "invalid_input", "customer"),
    ("customer_unknown_field", with_("customer.age", 30), 422, "invalid_input", "customer.age"),
    ("name_empty", with_("customer.name", ""), 422, "invalid_input", "customer.name"),
    ("name_blank", with_("customer.name", "   "), 422, "invalid_input", "customer.name"),
    ("name_huge", with_("customer.name", HUGE), 422, "invalid_input", "customer.name"),
    ("name_number", with_("customer.name", 42), 422, "invalid_input", "customer.name"),
    ("address_huge", with_("customer.address", HUGE), 422, "invalid_input", "customer.address"),
    ("address_missing", without("customer.address"), 422, "invalid_input", "customer.address"),
    ("phone_empty", with_("customer.phone", ""), 422, "invalid_input", "customer.phone"),
    ("phone_blank", with_("customer.phone", "   "), 422, "invalid_input", "customer.phone"),
    ("phone_missing", without("customer.phone"), 422, "invalid_input", "customer.phone"),
    ("phone_invalid", with_("customer.phone", "12345"), 422, "invalid_input", "customer.phone"),
    ("phone_letters", with_("customer.phone", "nomor saya"), 422, "invalid_input", "customer.phone"),
    ("phone_huge", with_("customer.phone", "0812" * 2500), 422, "invalid_input", "customer.phone"),
    ("phone_number_type", with_("customer.phone", 81234567890), 422, "invalid_input", "customer.phone"),
    ("email_invalid", with_("customer.email", "not-an-email"), 422, "invalid_input", "customer.email"),
    ("email_huge", with_("customer.email", HUGE + "@x.id"), 422, "invalid_input", "customer.email"),
    ("city_huge", with_("customer.city", HUGE), 422, "invalid_input", "customer.city"),
    ("unknown_top_level_field", with_("status", "paid"), 422, "invalid_input", "status"),
    ("unknown_field_reference", with_("reference", "ORD-1"), 422, "invalid_input", "reference"),
    ("payment_method_unknown", with_("payment_method", "bitcoin"), 422, "invalid_input", "payment_method"),
    ("payment_method_missing", without("payment_method"), 422, "invalid_input", "payment_method"),
    ("payment_method_null", with_("payment_method", None), 422, "invalid_input", "payment_method"),
    ("warehouse_unknown", with_("warehouse", "mars"), 422, "invalid_input", "warehouse"),
    ("warehouse_not_stocking", with_("warehouse", "sby"), 422, "not_stocked", "warehouse"),
    ("warehouse_huge", with_("warehouse", HUGE), 422, "invalid_input", "warehouse"),
    ("warehouse_number", with_("warehouse", 7), 422, "invalid_input", "warehouse"),
    ("courier_unknown", with_("courier", "dhl"), 422, "invalid_input", "courier"),
    ("courier_huge", with_("courier", HUGE), 422, "invalid_input", "courier"),
    ("shipping_cost_string", with_("shipping_cost", "abc"), 422, "invalid_input", "shipping_cost"),
    ("shipping_cost_negative", with_("shipping_cost", -1), 422, "invalid_input", "shipping_cost"),
    ("shipping_cost_float", with_("shipping_cost", 1.5), 422, "invalid_input", "shipping_cost"),
    ("discount_larger_than_order", with_("discount", 10**9), 422, "invalid_input", "discount"),
    ("channel_unknown", with_("channel", "fax"), 422, "invalid_input", "channel"),
    ("landing_page_unknown", with_("landing_page", "nope"), 422, "invalid_input", "landing_page"),
    ("agent_unknown", with_("agent", "ghost"), 422, "invalid_input", "agent"),
    ("tags_not_list", with_("tags", "vip"), 422, "invalid_input", "tags"),
    ("tag_huge", with_("tags", [HUGE]), 422, "invalid_input", "tags"),
    ("note_huge", with_("note", HUGE), 422, "invalid_input", "note"),
    ("lines_overflow_bigint", with_("lines", [{"sku": "MADU-500", "qty": 100_000, "unit_price": 10**13}] * 10),
     422, "invalid_input", "lines"),
    ("name_nul", with_("customer.name", "Siti\x00Rahayu"), 400, "invalid_input", None),
    ("address_nul", with_("customer.address", "\x00"), 400, "invalid_input", None),
    ("name_lone_surrogate", json.dumps(order_payload()).replace("Siti Rahayu", "Siti \\ud800"), 422,
     "invalid_input", "customer.name"),
    ("not_utf8", b'{"customer": "\xff\xfe"}', 400, None, None),
    ("malformed_json", "{\"customer\": ", 400, None, None),
    ("not_json", "customer=Siti&qty=1", 400, None, None),
    ("json_array", "[1, 2]", 422, "invalid_input", None),
    ("json_string", "\"order\"", 422, "invalid_input", None),
    ("json_number", "42", 422, "invalid_input", None),
    ("json_null", "null", 422, "invalid_input", None),
    ("empty_body", "", 422, "invalid_input", None),
    ("empty_object", "{}", 422, "invalid_input", "customer"),
]


@pytest.mark.parametrize("body,status,code,field", [c[1:] for c in CREATE_CASES],
                         ids=[c[0] for c in CREATE_CASES])
def test_bad_create_is_4xx_and_writes_nothing(confirmed, owner_api, body, status, code, field):
    before = snapshot()
    if isinstance(body, str | bytes):
        r = owner_api.post(URL, raw=body)
    else:
        r = owner_api.post(URL, body)
    assert_error(r, status, code, field)
    assert snapshot() == before


def test_bad_create_names_every_bad_field(shop, owner_api):
    body = order_payload(customer={"name": "", "phone": "x", "address": "y", "age": 3}, foo=1,
                         lines=[{"sku": "MADU-500", "qty": -1}])
    fields = assert_error(owner_api.post(URL, body), 422, "invalid_input")["fields"]
    assert {"customer.name", "customer.age", "foo", "lines.0.qty"} <= set(fields)


def test_bad_create_reports_every_bad_line(shop, owner_api):
    body = order_payload(lines=[{"sku": "GHOST", "qty": 1}, {"sku": "MADU-500", "qty": 1},
                                {"sku": "PHANTOM", "qty": 2}])
    fields = assert_error(owner_api.post(URL, body), 422, "invalid_input")["fields"]
    assert set(fields) == {"lines.0.sku", "lines.2.sku"}


def test_inactive_variant_is_unknown(shop, owner_api):
    shop["madu"].active = False
    shop["madu"].save()
    assert_error(owner_api.post(URL, order_payload()), 422, "invalid_input", "lines.0.sku")
    assert Order.objects.count() == 0


# --- actions ------------------------------------------------------------------------------

ACTION_CASES = [
    # id, order ("confirmed" | "ready"), action, body (dict | raw str | None), status, code, field
    ("unknown_action", "confirmed", "explode", None, 404, "unknown_action", None),
    ("unknown_action_with_body", "confirmed", "set_status", {"status": "completed"}, 404, "unknown_action", None),
    ("unknown_action_huge", "confirmed", "a" * 300, None, 404, "unknown_action", None),
    ("ship_without_awb", "ready", "ship", {"courier": "jne"}, 422, "invalid_input", "awb"),
    ("ship_empty_awb", "ready", "ship", {"awb": ""}, 422, "invalid_input", "awb"),
    ("ship_blank_awb", "ready", "ship", {"awb": "   "}, 422, "invalid_input", "awb"),
    ("ship_huge_awb", "ready", "ship", {"awb": HUGE}, 422, "invalid_input", "awb"),
    ("ship_awb_number", "ready", "ship", {"awb": 12345}, 422, "invalid_input", "awb"),
    # An unknown courier is bad input (422 naming the field), as on POST and PATCH.
    ("ship_unknown_courier", "ready", "ship", {"courier": "dhl", "awb": "X1"}, 422, "invalid_input", "courier"),
    ("ship_extra_field", "ready", "ship", {"awb": "X1", "status": "delivered"}, 422, "invalid_input", "status"),
    ("ship_no_body", "ready", "ship", None, 422, "invalid_input", "awb"),
    ("pay_negative", "confirmed", "confirm_payment", {"amount": -100}, 422, "invalid_input", "amount"),
    ("pay_zero", "confirmed", "confirm_payment", {"amount": 0}, 422, "invalid_input", "amount"),
    ("pay_string", "confirmed", "confirm_payment", {"amount": "banyak"}, 422, "invalid_input", "amount"),
    ("pay_float", "confirmed", "confirm_payment", {"amount": 100.5}, 422, "invalid_input", "amount"),
    ("pay_huge", "confirmed", "confirm_payment", {"amount": 10**30}, 422, "invalid_input", "amount"),
    ("pay_missing_amount", "confirmed", "confirm_payment", {}, 422, "invalid_input", "amount"),
    ("pay_bad_date", "confirmed", "confirm_payment", {"amount": 1000, "paid_on": "kemarin"}, 422,
     "invalid_input", "paid_on"),
    ("pay_extra_field", "confirmed", "confirm_payment", {"amount": 1000, "proof_url": "x"}, 422,
     "invalid_input", "proof_url"),
    ("pay_overpayment", "confirmed", "confirm_payment", {"amount": 318001}, 409, "overpayment", None),
    ("pay_huge_account", "confirmed", "confirm_payment", {"amount": 1000, "account": HUGE}, 422,
     "invalid_input", "account"),
    ("no_input_action_extra_field", "confirmed", "unconfirm", {"force": True}, 422, "invalid_input", "force"),
    ("no_input_action_status_field", "confirmed", "unconfirm", {"status": "new"}, 422, "invalid_input",
     "status"),
    ("version_bool", "confirmed", "unconfirm", {"version": True}, 422, "invalid_input", "version"),
    ("version_negative", "confirmed", "unconfirm", {"version": -2}, 422, "invalid_input", "version"),
    ("cancel_without_reason", "confirmed", "cancel", {}, 422, "invalid_input", "reason"),
    ("cancel_empty_reason", "confirmed", "cancel", {"reason": ""}, 422, "invalid_input", "reason"),
    ("cancel_blank_reason", "confirmed", "cancel", {"reason": "   "}, 422, "invalid_input", "reason"),
    ("cancel_huge_reason", "confirmed", "cancel", {"reason": HUGE}, 422, "invalid_input", "reason"),
    ("cancel_reason_list", "confirmed", "cancel", {"reason": ["a"]}, 422, "invalid_input", "reason"),
    ("version_string", "confirmed", "unconfirm", {"version": "dua"}, 422, "invalid_input", "version"),
    ("version_zero", "confirmed", "unconfirm", {"version": 0}, 422, "invalid_input", "version"),
    ("reason_nul", "confirmed", "cancel", {"reason": "a\x00b"}, 400, "invalid_input", None),
    ("awb_nul", "ready", "ship", {"awb": "JNE\x00"}, 400, "invalid_input", None),
    ("malformed_json", "confirmed", "cancel", "{\"reason\": ", 400, "invalid_json", None),
    ("json_array", "confirmed", "cancel", "[\"reason\"]", 400, "invalid_json", None),
    ("json_string", "confirmed", "unconfirm", "\"x\"", 400, "invalid_json", None),
    ("json_null", "confirmed", "unconfirm", "null", 400, "invalid_json", None),
    ("not_allowed_in_status", "confirmed", "ship", {"awb": "X1"}, 409, "not_allowed_in_status", None),
    ("payment_required", "confirmed", "mark_ready", None, 409, "payment_required", None),
]


@pytest.mark.parametrize("which,action,body,status,code,field", [c[1:] for c in ACTION_CASES],
                         ids=[c[0] for c in ACTION_CASES])
def test_bad_action_is_4xx_and_changes_nothing(request, owner_api, which, action, body, status, code, field):
    ref = request.getfixturevalue(which)
    before = snapshot()
    path = f"{URL}/{ref}/actions/{action}"
    r = owner_api.post(path, raw=body) if isinstance(body, str) else owner_api.post(path, body)
    assert_error(r, status, code, field)
    assert snapshot() == before


def test_unknown_action_on_unknown_order_is_404(shop, owner_api):
    r = owner_api.post(f"{URL}/ORD-404/actions/explode")
    assert_error(r, 404)


def test_bad_if_match_is_4xx(confirmed, owner_api):
    before = snapshot()
    r = owner_api.post(f"{URL}/{confirmed}/actions/unconfirm", headers={"If-Match": "abc"})
    assert_error(r, 422, "invalid_input", "If-Match")
    r = owner_api.patch(f"{URL}/{confirmed}", {"recipient_name": "X"}, headers={"If-Match": "W/x"})
    assert_error(r, 422, "invalid_input", "If-Match")
    assert snapshot() == before


# --- PATCH --------------------------------------------------------------------------------

PATCH_CASES = [
    # id, body (dict | raw str), status, code, field
    ("status_field", {"status": "paid"}, 422, "invalid_input", "status"),
    ("reference_field", {"reference": "ORD-1"}, 422, "invalid_input", "reference"),
    ("paid_total_field", {"paid_total": 1}, 422, "invalid_input", "paid_total"),
    ("version_field_string", {"version": "x"}, 422, "invalid_input", "version"),
    ("name_empty", {"recipient_name": ""}, 422, "invalid_input", "recipient_name"),
    ("name_blank", {"recipient_name": "  "}, 422, "invalid_input", "recipient_name"),
    ("name_null", {"recipient_name": None}, 422, "invalid_input", "recipient_name"),
    ("name_huge", {"recipient_name": HUGE}, 422, "invalid_input", "recipient_name"),
    ("address_null", {"destination_address": None}, 422, "invalid_input", "destination_address"),
    ("phone_empty", {"recipient_phone": ""}, 422, "invalid_input", "recipient_phone"),
    ("phone_null", {"recipient_phone": None}, 422, "invalid_input", "recipient_phone"),
    ("phone_invalid", {"recipient_phone": "123"}, 422, "invalid_input", "recipient_phone"),
    ("phone_huge", {"recipient_phone": "9" * 10_000}, 422, "invalid_input", "recipient_phone"),
    ("email_invalid", {"recipient_email": "siti@"}, 422, "invalid_input", "recipient_email"),
    ("shipping_cost_negative", {"shipping_cost": -1}, 422, "invalid_input", "shipping_cost"),
    ("shipping_cost_string", {"shipping_cost": "gratis"}, 422, "invalid_input", "shipping_cost"),
    ("shipping_cost_null", {"shipping_cost": None}, 422, "invalid_input", "shipping_cost"),
    ("discount_too_large", {"discount": 10**9}, 422, "invalid_input", "discount"),
    ("payment_method_unknown", {"payment_method": "bitcoin"}, 422, "invalid_input", "payment_method"),
    ("warehouse_unknown", {"warehouse": "mars"}, 422, "invalid_input", "warehouse"),
    ("warehouse_not_stocking", {"warehouse": "sby"}, 422, "not_stocked", "warehouse"),
    ("courier_unknown", {"courier": "dhl"}, 422, "invalid_input", "courier"),
    ("lines_empty", {"lines": []}, 422, "invalid_input", "lines"),
    ("lines_null", {"lines": None}, 422, "invalid_input", "lines"),
    ("city_null", {"destination_city": None}, 422, "invalid_input", "destination_city"),
    ("email_null", {"recipient_email": None}, 422, "invalid_input", "recipient_email"),
    ("note_null", {"customer_note": None}, 422, "invalid_input", "customer_note"),
    ("courier_service_null", {"courier_service": None}, 422, "invalid_input", "courier_service"),
    ("insurance_null", {"insurance_cost": None}, 422, "invalid_input", "insurance_cost"),
    ("payment_method_null", {"payment_method": None}, 422, "invalid_input", "payment_method"),
    ("lines_negative_qty", {"lines": [{"sku": "MADU-500", "qty": -2}]}, 422, "invalid_input", "lines.0.qty"),
    ("lines_zero_qty", {"lines": [{"sku": "MADU-500", "qty": 0}]}, 422, "invalid_input", "lines.0.qty"),
    ("lines_unknown_sku", {"lines": [{"sku": "GHOST", "qty": 1}]}, 422, "invalid_input", "lines.0.sku"),
    ("lines_unknown_field", {"lines": [{"sku": "MADU-500", "qty": 1, "x": 1}]}, 422, "invalid_input", "lines.0.x"),
    ("lines_not_in_warehouse", {"lines": [{"sku": "SEPATU-42", "qty": 1}]}, 422, "not_stocked", "warehouse"),
    ("lines_more_than_stock", {"lines": [{"sku": "MADU-500", "qty": 1000}]}, 409, "insufficient_stock", None),
    ("lines_bad_with_good_fields", {"recipient_name": "Baru", "lines": [{"sku": "GHOST", "qty": 1}]}, 422,
     "invalid_input", "lines.0.sku"),
    ("name_nul", {"recipient_name": "Siti\x00"}, 400, "invalid_input", None),
    ("lines_overflow_bigint", {"lines": [{"sku": "MADU-500", "qty": 100, "unit_price": 10**13}] * 200}, 422,
     "invalid_input", "lines"),
    ("malformed_json", "{\"recipient_name\": ", 400, None, None),
    ("json_array", "[]", 422, "invalid_input", None),
    ("json_null", "null", 422, "invalid_input", None),
]


@pytest.mark.parametrize("body,status,code,field", [c[1:] for c in PATCH_CASES],
                         ids=[c[0] for c in PATCH_CASES])
def test_bad_patch_is_4xx_and_changes_nothing(confirmed, owner_api, body, status, code, field):
    ref = confirmed
    before = snapshot()
    if isinstance(body, str):
        r = owner_api.client.patch(f"{URL}/{ref}", data=body, content_type="application/json",
                                   **owner_api._headers(None))
    else:
        r = owner_api.patch(f"{URL}/{ref}", body)
    assert_error(r, status, code, field)
    assert snapshot() == before


def test_patch_unknown_order_is_404(shop, owner_api):
    assert_error(owner_api.patch(f"{URL}/ORD-404", {"recipient_name": "X"}), 404, "not_found")


# --- tags, notes, assign ------------------------------------------------------------------

OTHER_CASES = [
    ("tags", {"add": "vip"}, "add"),
    ("tags", {"add": ["x" * 51]}, "add"),
    ("tags", {"add": [1]}, "add.0"),
    ("tags", {"color": "red"}, "color"),
    ("tags", {"add": ["t"] * 21}, "add"),
    ("notes", {}, "body"),
    ("notes", {"body": ""}, "body"),
    ("notes", {"body": HUGE}, "body"),
    ("notes", {"body": "ok", "pinned": True}, "pinned"),
    ("assign", {}, "agent"),
    ("assign", {"agent": "ghost"}, "agent"),
    ("assign", {"agent": 5}, "agent"),
    ("assign", {"agent": "agent", "why": "x"}, "why"),
]


@pytest.mark.parametrize("endpoint,body,field", OTHER_CASES)
def test_bad_tags_notes_assign_are_422(confirmed, owner_api, endpoint, body, field):
    ref = confirmed
    before = snapshot()
    r = owner_api.post(f"{URL}/{ref}/{endpoint}", body)
    assert_error(r, 422, "invalid_input", field)
    assert snapshot() == before


# --- list query parameters ----------------------------------------------------------------

LIST_CASES = [
    ({"limit": "abc"}, "limit"),
    ({"limit": 0}, "limit"),
    ({"limit": 100000}, "limit"),
    ({"tab": "nope"}, "tab"),
    ({"status": "teleported"}, "status"),
    ({"sort": "reference"}, "sort"),
    ({"cursor": "!!!"}, "cursor"),
    ({"cursor": HUGE}, "cursor"),
    ({"date_from": "kemarin"}, "date_from"),
    ({"date_from": "0001-01-01"}, "date_from"),
    ({"date_to": "9999-12-31"}, "date_to"),
    ({"date_to": "2025-02-30"}, "date_to"),
    ({"min_total": -1}, "min_total"),
    ({"q": HUGE}, "q"),
]


@pytest.mark.parametrize("params,field", LIST_CASES)
def test_bad_list_params_are_422(confirmed, owner_api, params, field):
    assert_error(owner_api.get(URL, params), 422, "invalid_input", field)


@pytest.mark.parametrize("path,params", [
    (URL, {"q": "Siti\x00"}),
    (URL, {"agent": "\x00"}),
    (f"{URL}/ORD-000001%00", None),
    (f"{URL}/tab-counts", {"q": "\x00"}),
    ("/api/v1/customers", {"q": "0812\x00"}),
    ("/api/v1/products/madu%00", None),
])
def test_nul_in_query_or_path_is_400(confirmed, owner_api, path, params):
    assert_error(owner_api.get(path, params), 400, "invalid_input")


@pytest.mark.parametrize("params,field", [({"status": "teleported"}, "status"), ({"limit": "x"}, "limit"),
                                          ({"date_to": "31-12-2025"}, "date_to")])
def test_bad_tab_count_params_are_422(confirmed, owner_api, params, field):
    assert_error(owner_api.get(f"{URL}/tab-counts", params), 422, "invalid_input", field)


# --- authentication -----------------------------------------------------------------------


def _anonymous(method, path, body, auth=None):
    from django.test import Client

    extra = {"HTTP_AUTHORIZATION": auth} if auth else {}
    call = getattr(Client(), method)
    if body is None:
        return call(path, **extra)
    return call(path, data=json.dumps(body), content_type="application/json", **extra)


@pytest.mark.parametrize("method,path,body", [
    ("get", URL, None),
    ("get", f"{URL}/tab-counts", None),
    ("post", URL, order_payload()),
    ("get", "{ref}", None),
    ("get", "{ref}/timeline", None),
    ("patch", "{ref}", {"recipient_name": "X"}),
    ("post", "{ref}/actions/cancel", {"reason": "x"}),
    ("post", "{ref}/assign", {"agent": None}),
    ("post", "{ref}/tags", {"add": ["x"]}),
    ("post", "{ref}/notes", {"body": "x"}),
    ("get", "/api/v1/products", None),
    ("get", "/api/v1/customers", None),
])
def test_unauthenticated_is_401_and_changes_nothing(confirmed, method, path, body):
    path = path.replace("{ref}", f"{URL}/{confirmed}")
    before = snapshot()
    assert_error(_anonymous(method, path, body), 401, "unauthenticated")
    assert snapshot() == before


@pytest.mark.parametrize("auth", ["Bearer tdk_not-a-real-token", "Bearer ", "Bearer " + "x" * 5000,
                                  "Basic b3duZXI6cHctMTIzNDU2", "tdk_no-scheme"])
@pytest.mark.parametrize("method,path,body", [("get", URL, None), ("post", URL, order_payload()),
                                              ("post", "{ref}/actions/cancel", {"reason": "x"})])
def test_bad_token_is_401_and_changes_nothing(confirmed, auth, method, path, body):
    path = path.replace("{ref}", f"{URL}/{confirmed}")
    before = snapshot()
    assert_error(_anonymous(method, path, body, auth), 401, "unauthenticated")
    assert snapshot() == before


def test_revoked_token_is_401(confirmed, owner):
    from django.utils import timezone

    from tokodesk.accounts.models import ApiToken

    c = ApiClient(owner)
    assert c.get(URL).status_code == 200
    ApiToken.objects.filter(user=owner).update(revoked_at=timezone.now())
    assert_error(c.get(URL), 401, "unauthenticated")


def test_inactive_user_token_is_401(confirmed, owner):
    c = ApiClient(owner)
    owner.is_active = False
    owner.save()
    assert_error(c.get(URL), 401, "unauthenticated")
