"""The order flows of SPEC 2.2 end to end through the HTTP API: bank transfer and COD,
partial payments, cancellations, cancelled shipments, courier returns, edits, agents,
tags, notes, and the list's filters, sorting, cursor pagination and tab counts."""

import datetime as dt

import pytest
from django.utils import timezone

from conftest import order_payload
from tokodesk.orders.models import Order

URL = "/api/v1/orders"


# --- helpers ------------------------------------------------------------------------------


def create(client, **overrides):
    r = client.post(URL, order_payload(**overrides))
    assert r.status_code == 201, r.content
    return r.json()


def act(client, ref, action, body=None, status=200, headers=None):
    r = client.post(f"{URL}/{ref}/actions/{action}", body, headers=headers)
    assert r.status_code == status, (action, r.content)
    return r.json()


def detail(client, ref):
    r = client.get(f"{URL}/{ref}")
    assert r.status_code == 200, r.content
    return r.json()


def timeline(client, ref):
    r = client.get(f"{URL}/{ref}/timeline")
    assert r.status_code == 200, r.content
    return r.json()


def stock(client, slug, sku, warehouse="jkt"):
    """(on_hand, reserved) of one variant in one warehouse, as the API shows it."""
    r = client.get(f"/api/v1/products/{slug}")
    assert r.status_code == 200, r.content
    variant = next(v for v in r.json()["variants"] if v["sku"] == sku)
    row = next(s for s in variant["stock"] if s["warehouse"] == warehouse)
    assert row["available"] == row["on_hand"] - row["reserved"]
    return row["on_hand"], row["reserved"]


def madu(client):
    return stock(client, "madu-hutan", "MADU-500")


def refs(items):
    return [o["reference"] for o in items]


def list_all(client, **params):
    """Every page of the list under these filters, following next_cursor."""
    params = {"limit": 200, **params}
    out, cursor = [], None
    while True:
        r = client.get(URL, {**params, **({"cursor": cursor} if cursor else {})})
        assert r.status_code == 200, r.content
        page = r.json()
        out += page["items"]
        cursor = page["next_cursor"]
        if not cursor:
            return out


def assert_chain(events, first_status="new"):
    """Every status change follows from the one before it."""
    current = None
    for e in events:
        if e["kind"] == "created":
            assert e["to_status"] == first_status
            current = e["to_status"]
        elif e["kind"] == "action":
            assert e["from_status"] == current, events
            current = e["to_status"]
    return current


@pytest.fixture
def owner_api(api_as):
    return api_as("owner")


# --- the two flows of the seed ------------------------------------------------------------


def test_bank_transfer_flow_end_to_end(shop, owner_api):
    c = owner_api
    assert madu(c) == (100, 0)
    order = create(c, lines=[{"sku": "MADU-500", "qty": 2}])
    ref = order["reference"]
    assert ref.startswith("ORD-")
    assert order["status"] == "new" and order["version"] == 1
    assert order["total"] == 2 * 150000 + 18000 and order["subtotal"] == 300000
    assert order["lines"] == [{"sku": "MADU-500", "name": order["lines"][0]["name"], "qty": 2,
                               "unit_price": 150000, "line_total": 300000, "serial_numbers": []}]
    assert order["recipient"]["phone"] == "+6281234567890"
    assert order["warehouse"] == "jkt" and order["courier"] == "jne"
    assert order["payment_method"] == "bank_transfer" and order["payments"] == []
    assert "confirm" in order["actions"] and "confirm_payment" not in order["actions"]
    assert madu(c) == (100, 0)  # a new order holds nothing

    steps = [
        # action, body, status, stock (on_hand, reserved) after
        ("confirm", None, "confirmed", (100, 2)),
        ("confirm_payment", {"amount": 318000, "account": "BCA 123", "reference": "TRF-1"}, "paid", (100, 2)),
        ("mark_ready", None, "ready_to_ship", (100, 2)),
        ("ship", {"courier": "jne", "awb": "JNE0001"}, "awaiting_pickup", (98, 0)),
        ("picked_up", None, "in_transit", (98, 0)),
        ("delivered", None, "delivered", (98, 0)),
        ("complete", None, "completed", (98, 0)),
    ]
    version = 1
    for action, body, status, after in steps:
        assert action in detail(c, ref)["actions"], action
        data = act(c, ref, action, body)
        version += 1
        assert data["status"] == status, action
        assert data["version"] == version, action
        assert madu(c) == after, action

    final = detail(c, ref)
    assert final["awb"] == "JNE0001" and final["courier"] == "jne"
    assert final["paid_total"] == 318000 and final["outstanding"] == 0
    assert [(p["kind"], p["amount"], p["account"], p["reference"]) for p in final["payments"]] == [
        ("transfer", 318000, "BCA 123", "TRF-1")]
    assert final["actions"] == []  # completed is final

    events = timeline(c, ref)
    assert len(events) == 1 + len(steps)  # one event per change
    assert [e["action"] for e in events[1:]] == [s[0] for s in steps]
    assert assert_chain(events) == "completed"
    assert all(e["actor"] == "owner" and e["source"] == "api" for e in events)
    pay = events[2]
    assert pay["data"]["amount"] == 318000 and pay["to_status"] == "paid"
    ship = events[4]
    assert ship["data"] == {"courier": "jne", "awb": "JNE0001"}


def test_cod_flow_end_to_end_records_cash_at_delivery(shop, owner_api):
    c = owner_api
    order = create(c, payment_method="cod", lines=[{"sku": "MADU-500", "qty": 1}])
    ref, total = order["reference"], order["total"]
    assert total == 168000

    data = act(c, ref, "confirm")
    assert data["status"] == "confirmed" and madu(c) == (100, 1)
    assert "confirm_payment" not in data["actions"] and "mark_ready" in data["actions"]
    # COD is paid on delivery: confirm_payment is refused with a reason code.
    refused = act(c, ref, "confirm_payment", {"amount": total}, status=409)
    assert refused["code"] == "wrong_payment_method" and refused["message"]

    for action, body, status in [
        ("mark_ready", None, "ready_to_ship"),
        ("ship", {"courier": "jne", "awb": "JNE0002"}, "awaiting_pickup"),
        ("picked_up", None, "in_transit"),
        ("delivered", None, "delivered"),
    ]:
        assert act(c, ref, action, body)["status"] == status
    assert madu(c) == (99, 0)
    # The courier collected the cash at the door: recorded at delivery, remittance pending (orders.cod).
    before = detail(c, ref)
    assert [(p["kind"], p["amount"], p["remitted_at"]) for p in before["payments"]] == [("cod", total, None)]
    assert before["paid_total"] == total and before["outstanding"] == 0

    done = act(c, ref, "complete")
    assert done["status"] == "completed" and done["version"] == 7
    assert [(p["kind"], p["amount"]) for p in done["payments"]] == [("cod", total)]
    assert done["paid_total"] == total and done["outstanding"] == 0

    events = timeline(c, ref)
    assert [e["action"] for e in events] == [
        "", "confirm", "mark_ready", "ship", "picked_up", "delivered", "complete"]
    assert assert_chain(events) == "completed"
    assert events[-2]["data"]["amount"] == total


def test_cod_cash_collected_can_be_given(shop, owner_api):
    c = owner_api
    ref = create(c, payment_method="cod")["reference"]
    for action, body in [("confirm", None), ("mark_ready", None), ("ship", {"awb": "JNE0003"}),
                         ("picked_up", None), ("delivered", None)]:
        act(c, ref, action, body)
    done = act(c, ref, "complete", {"cash_collected": 160000})
    # The cash recorded at delivery is replaced (voided, kept in history) by what was collected.
    assert [(p["kind"], p["amount"], p["voided_at"] is None) for p in done["payments"]] == [
        ("cod", 168000, False), ("cod", 160000, True)]
    assert (done["paid_total"], done["outstanding"]) == (160000, 8000)
    assert done["courier"] == "jne"  # ship without a courier keeps the order's


# --- payments, cancellations and returns ----------------------------------------------------


def test_partial_payment_then_paid(shop, owner_api):
    c = owner_api
    ref = create(c)["reference"]  # total 168000
    act(c, ref, "confirm")
    first = act(c, ref, "confirm_payment", {"amount": 100000, "paid_on": "2025-01-10"})
    assert first["status"] == "partially_paid" and first["outstanding"] == 68000
    assert first["payments"][0]["paid_on"] == "2025-01-10"
    assert "confirm_payment" in first["actions"] and "mark_ready" not in first["actions"]
    # More than what is still due is refused.
    over = act(c, ref, "confirm_payment", {"amount": 68001}, status=409)
    assert over["code"] == "overpayment"
    second = act(c, ref, "confirm_payment", {"amount": 68000})
    assert second["status"] == "paid" and second["paid_total"] == 168000 and second["outstanding"] == 0
    assert [p["amount"] for p in second["payments"]] == [100000, 68000]
    events = timeline(c, ref)
    assert [(e["from_status"], e["to_status"]) for e in events if e["action"] == "confirm_payment"] == [
        ("confirmed", "partially_paid"), ("partially_paid", "paid")]


def test_unconfirm_payment_voids_payments_but_keeps_them(shop, owner_api):
    c = owner_api
    ref = create(c)["reference"]
    act(c, ref, "confirm")
    act(c, ref, "confirm_payment", {"amount": 168000})
    data = act(c, ref, "unconfirm_payment")
    assert data["status"] == "confirmed" and data["paid_total"] == 0
    assert len(data["payments"]) == 1 and data["payments"][0]["voided_at"] is not None


def test_cancel_releases_the_reservation(shop, owner_api):
    c = owner_api
    ref = create(c, lines=[{"sku": "MADU-500", "qty": 3}])["reference"]
    act(c, ref, "confirm")
    assert madu(c) == (100, 3)
    data = act(c, ref, "cancel", {"reason": "Pembeli tidak bisa dihubungi"})
    assert data["status"] == "cancelled" and data["cancellation_reason"] == "Pembeli tidak bisa dihubungi"
    assert madu(c) == (100, 0)
    assert timeline(c, ref)[-1]["data"]["reason"] == "Pembeli tidak bisa dihubungi"
    # A cancelled order cannot ship: refused with a code, nothing changes.
    refused = act(c, ref, "ship", {"awb": "X1"}, status=409)
    assert refused["code"] == "not_allowed_in_status"
    assert detail(c, ref)["version"] == data["version"]


def test_cancel_of_a_new_order_touches_no_stock(shop, owner_api):
    c = owner_api
    ref = create(c)["reference"]
    act(c, ref, "cancel", {"reason": "duplikat"})
    assert madu(c) == (100, 0)


def test_cancel_shipment_clears_awb_but_timeline_keeps_it(shop, owner_api):
    c = owner_api
    ref = create(c, lines=[{"sku": "MADU-500", "qty": 2}])["reference"]
    act(c, ref, "confirm")
    act(c, ref, "confirm_payment", {"amount": 318000})
    act(c, ref, "mark_ready")
    shipped = act(c, ref, "ship", {"courier": "jnt", "awb": "JT0001"})
    assert shipped["awb"] == "JT0001" and shipped["courier"] == "jnt"
    assert madu(c) == (98, 0)
    data = act(c, ref, "cancel_shipment")
    assert data["status"] == "ready_to_ship" and data["awb"] == ""
    assert madu(c) == (100, 2)  # back on the shelf, still held for the order
    last = timeline(c, ref)[-1]
    assert last["action"] == "cancel_shipment" and last["data"]["awb"] == "JT0001"
    assert (last["from_status"], last["to_status"]) == ("awaiting_pickup", "ready_to_ship")
    # Ship again with another AWB.
    again = act(c, ref, "ship", {"courier": "jne", "awb": "JNE0009"})
    assert again["awb"] == "JNE0009" and madu(c) == (98, 0)


def test_returned_to_sender_restocks(shop, owner_api):
    c = owner_api
    ref = create(c, payment_method="cod", lines=[{"sku": "MADU-500", "qty": 2}])["reference"]
    for action, body in [("confirm", None), ("mark_ready", None), ("ship", {"awb": "JNE0004"}),
                         ("picked_up", None), ("report_problem", {"reason": "alamat tidak ditemukan"}),
                         ("return_to_sender", None)]:
        act(c, ref, action, body)
    assert detail(c, ref)["status"] == "returning"
    assert madu(c) == (98, 0)
    data = act(c, ref, "returned_to_sender")
    assert data["status"] == "returned"
    assert madu(c) == (100, 0)
    assert data["payments"] == []
    events = timeline(c, ref)
    assert assert_chain(events) == "returned"
    assert [e["to_status"] for e in events] == [
        "new", "confirmed", "ready_to_ship", "awaiting_pickup", "in_transit", "delivery_problem",
        "returning", "returned"]


def test_reject_cancellation_returns_to_stored_status(shop, owner_api):
    c = owner_api
    ref = create(c)["reference"]
    act(c, ref, "confirm")
    act(c, ref, "confirm_payment", {"amount": 168000})
    requested = act(c, ref, "request_cancellation", {"reason": "salah ukuran"})
    assert requested["status"] == "cancellation_requested"
    assert requested["cancellation_deadline"] is not None
    assert madu(c) == (100, 1)  # still reserved while the request is open
    data = act(c, ref, "reject_cancellation", {"reason": "sudah dibayar"})
    assert data["status"] == "paid"
    assert data["cancellation_deadline"] is None
    assert madu(c) == (100, 1)
    last = timeline(c, ref)[-1]
    assert (last["from_status"], last["to_status"]) == ("cancellation_requested", "paid")


def test_approve_cancellation_releases_stock(shop, owner_api):
    c = owner_api
    ref = create(c)["reference"]
    act(c, ref, "confirm")
    act(c, ref, "request_cancellation", {"reason": "berubah pikiran"})
    data = act(c, ref, "approve_cancellation")
    assert data["status"] == "cancelled" and madu(c) == (100, 0)


def test_refused_action_is_409_with_code_and_changes_nothing(shop, owner_api):
    c = owner_api
    ref = create(c)["reference"]
    n_events = len(timeline(c, ref))
    for action, body in [("ship", {"awb": "X"}), ("complete", None), ("mark_ready", None),
                         ("confirm_payment", {"amount": 1000})]:
        r = c.post(f"{URL}/{ref}/actions/{action}", body)
        assert r.status_code == 409, (action, r.content)
        err = r.json()
        assert err["code"] == "not_allowed_in_status" and err["message"] and err["fields"] == {}
    # A bank-transfer order cannot be prepared before it is paid.
    act(c, ref, "confirm")
    refused = act(c, ref, "mark_ready", status=409)
    assert refused["code"] == "payment_required"
    d = detail(c, ref)
    assert d["status"] == "confirmed" and d["version"] == 2
    assert len(timeline(c, ref)) == n_events + 1


def test_mark_ready_refused_without_stock(shop, owner_api):
    c = owner_api
    ref = create(c, payment_method="cod", warehouse="sby", lines=[{"sku": "SEPATU-42", "qty": 6}])["reference"]
    refused = act(c, ref, "confirm", status=409)
    assert refused["code"] == "insufficient_stock"
    assert detail(c, ref)["status"] == "new"
    assert stock(c, "sepatu-lari", "SEPATU-42", "sby") == (5, 0)


def test_detail_has_etag_of_the_version(shop, owner_api):
    c = owner_api
    ref = create(c)["reference"]
    r = c.get(f"{URL}/{ref}")
    assert r["ETag"] == '"1"'
    act(c, ref, "confirm")
    r = c.get(f"{URL}/{ref}")
    assert r["ETag"] == f'"{r.json()["version"]}"' == '"2"'
    r = c.post(f"{URL}/{ref}/actions/unconfirm")
    assert r.status_code == 200 and r["ETag"] == '"3"'


def test_unknown_order_is_404(shop, owner_api):
    r = owner_api.get(f"{URL}/ORD-999999")
    assert r.status_code == 404 and r.json()["code"] == "not_found"
    r = owner_api.get(f"{URL}/ORD-999999/timeline")
    assert r.status_code == 404 and r.json()["code"] == "not_found"
    r = owner_api.post(f"{URL}/ORD-999999/actions/confirm")
    assert r.status_code == 404 and r.json()["code"] == "not_found"


# --- edits, agent, tags, notes --------------------------------------------------------------


def test_patch_recipient_before_shipment(shop, owner_api):
    c = owner_api
    ref = create(c)["reference"]
    r = c.patch(f"{URL}/{ref}", {"recipient_name": "Siti R.", "recipient_phone": "0813 1111 2222",
                                 "destination_address": "Jl. Mawar 1", "destination_city": "Bandung"})
    assert r.status_code == 200, r.content
    data = r.json()
    assert data["version"] == 2 and r["ETag"] == '"2"'
    assert data["recipient"] == {"name": "Siti R.", "phone": "+6281311112222", "email": "",
                                 "address": "Jl. Mawar 1", "city": "Bandung", "postcode": ""}
    last = timeline(c, ref)[-1]
    assert last["kind"] == "edited"
    assert last["data"]["changes"]["recipient_name"] == ["Siti Rahayu", "Siti R."]
    assert last["data"]["changes"]["recipient_phone"] == ["+6281234567890", "+6281311112222"]
    # A PATCH that changes nothing bumps nothing.
    r = c.patch(f"{URL}/{ref}", {"recipient_name": "Siti R."})
    assert r.status_code == 200 and r.json()["version"] == 2
    assert len(timeline(c, ref)) == 2


def test_patch_lines_adjusts_reservation_of_confirmed_order(shop, owner_api):
    c = owner_api
    ref = create(c, lines=[{"sku": "MADU-500", "qty": 2}])["reference"]
    act(c, ref, "confirm")
    assert madu(c) == (100, 2)
    r = c.patch(f"{URL}/{ref}", {"lines": [{"sku": "MADU-500", "qty": 5}]})
    assert r.status_code == 200, r.content
    assert r.json()["total"] == 5 * 150000 + 18000 and r.json()["version"] == 3
    assert madu(c) == (100, 5)
    r = c.patch(f"{URL}/{ref}", {"lines": [{"sku": "KAOS-M", "qty": 2}, {"sku": "KAOS-L", "qty": 1}]})
    assert r.status_code == 200, r.content
    data = r.json()
    assert [(li["sku"], li["qty"]) for li in data["lines"]] == [("KAOS-M", 2), ("KAOS-L", 1)]
    assert data["subtotal"] == 225000 and data["total"] == 243000
    assert madu(c) == (100, 0)
    assert stock(c, "kaos-polos", "KAOS-M") == (100, 2)
    assert stock(c, "kaos-polos", "KAOS-L") == (100, 1)
    last = timeline(c, ref)[-1]
    assert last["kind"] == "edited" and last["data"]["changes"]["total"] == [768000, 243000]


def test_patch_lines_of_new_order_reserves_nothing(shop, owner_api):
    c = owner_api
    ref = create(c)["reference"]
    r = c.patch(f"{URL}/{ref}", {"lines": [{"sku": "MADU-500", "qty": 4, "unit_price": 140000}]})
    assert r.status_code == 200, r.content
    assert r.json()["subtotal"] == 560000
    assert madu(c) == (100, 0)


def test_patch_after_ship_is_refused(shop, owner_api):
    c = owner_api
    ref = create(c, payment_method="cod")["reference"]
    for action, body in [("confirm", None), ("mark_ready", None), ("ship", {"awb": "JNE0005"})]:
        act(c, ref, action, body)
    r = c.patch(f"{URL}/{ref}", {"recipient_name": "Orang Lain"})
    assert r.status_code == 409 and r.json()["code"] == "not_editable"
    d = detail(c, ref)
    assert d["recipient"]["name"] == "Siti Rahayu" and d["version"] == 4


def test_patch_total_frozen_once_paid(shop, owner_api):
    c = owner_api
    ref = create(c)["reference"]
    act(c, ref, "confirm")
    act(c, ref, "confirm_payment", {"amount": 50000})
    r = c.patch(f"{URL}/{ref}", {"shipping_cost": 25000})
    assert r.status_code == 409 and r.json()["code"] == "total_frozen"
    d = detail(c, ref)
    assert d["shipping_cost"] == 18000 and d["version"] == 3


def test_assign_agent(shop, owner_api, users):
    c = owner_api
    ref = create(c)["reference"]
    r = c.post(f"{URL}/{ref}/assign", {"agent": "agent"})
    assert r.status_code == 200, r.content
    assert r.json()["assigned_agent"] == "agent" and r.json()["version"] == 2
    r = c.post(f"{URL}/{ref}/assign", {"agent": "agent2"})
    assert r.json()["assigned_agent"] == "agent2"
    r = c.post(f"{URL}/{ref}/assign", {"agent": None})
    assert r.status_code == 200 and r.json()["assigned_agent"] is None
    changes = [e["data"] for e in timeline(c, ref) if e["kind"] == "agent_changed"]
    assert changes == [{"from": None, "to": "agent"}, {"from": "agent", "to": "agent2"},
                       {"from": "agent2", "to": None}]
    r = c.post(f"{URL}/{ref}/assign", {"agent": "ghost"})
    assert r.status_code == 422 and "agent" in r.json()["fields"]


def test_tags_add_remove_each_on_the_timeline(shop, owner_api):
    c = owner_api
    ref = create(c, tags=["reseller"])["reference"]
    r = c.post(f"{URL}/{ref}/tags", {"add": ["vip", "urgent", "vip"]})
    assert r.status_code == 200, r.content
    assert r.json()["tags"] == ["reseller", "urgent", "vip"] and r.json()["version"] == 2
    r = c.post(f"{URL}/{ref}/tags", {"remove": ["reseller", "not-there"]})
    assert r.json()["tags"] == ["urgent", "vip"] and r.json()["version"] == 3
    r = c.post(f"{URL}/{ref}/tags", {"add": ["vip"]})  # nothing changes
    assert r.json()["version"] == 3
    tagged = [(e["kind"], e["data"]["tag"]) for e in timeline(c, ref) if e["kind"].startswith("tag_")]
    assert tagged == [("tag_added", "vip"), ("tag_added", "urgent"), ("tag_removed", "reseller")]


def test_notes(shop, owner_api):
    c = owner_api
    ref = create(c)["reference"]
    r = c.post(f"{URL}/{ref}/notes", {"body": "  Minta dikirim sore  "})
    assert r.status_code == 201, r.content
    note = r.json()
    assert note["body"] == "Minta dikirim sore" and note["author"] == "owner"
    d = detail(c, ref)
    assert [(n["id"], n["body"]) for n in d["notes"]] == [(note["id"], "Minta dikirim sore")]
    last = timeline(c, ref)[-1]
    assert last["kind"] == "note_added" and last["data"]["note_id"] == note["id"]
    r = c.post(f"{URL}/{ref}/notes", {"body": "   "})
    assert r.status_code == 422 and "body" in r.json()["fields"]


def test_tags_and_agent_refused_on_closed_orders(shop, owner_api, users):
    c = owner_api
    ref = create(c)["reference"]
    act(c, ref, "cancel", {"reason": "x"})
    r = c.post(f"{URL}/{ref}/tags", {"add": ["vip"]})
    assert r.status_code == 409 and r.json()["code"] == "order_closed"
    r = c.post(f"{URL}/{ref}/assign", {"agent": "agent"})
    assert r.status_code == 409 and r.json()["code"] == "order_closed"


# --- the list: filters, search, sorting, pagination, tab counts ------------------------------


@pytest.fixture
def catalogue(shop, owner_api, users):
    """Eight orders over the statuses, agents, methods, couriers and warehouses."""
    c = owner_api
    o = {}
    o["siti"] = create(c, tags=["vip"], agent="agent")  # new, bank, jne, jkt, 168000
    o["budi"] = create(c, customer={"name": "Budi Santoso", "phone": "+62 812-9876-5432",
                                    "address": "Jl. Kenanga 2, Depok"},
                       payment_method="cod", courier="jnt", channel="manual",
                       lines=[{"sku": "KAOS-M", "qty": 2}])  # new, 168000
    o["dewi"] = create(c, customer={"name": "Dewi Lestari", "phone": "081311112222", "address": "Jl. A"},
                       warehouse="sby", courier="sicepat", tags=["vip", "grosir"],
                       lines=[{"sku": "SEPATU-42", "qty": 1}], agent="agent2")  # 468000
    act(c, o["dewi"]["reference"], "confirm")
    act(c, o["dewi"]["reference"], "confirm_payment", {"amount": 468000})
    act(c, o["dewi"]["reference"], "mark_ready")
    act(c, o["dewi"]["reference"], "ship", {"awb": "SCP123456"})
    act(c, o["dewi"]["reference"], "picked_up")  # in_transit
    o["agus"] = create(c, customer={"name": "Agus Salim", "phone": "081355556666", "address": "Jl. B"},
                       payment_method="cod", lines=[{"sku": "KAOS-L", "qty": 1}], shipping_cost=0)  # 75000
    act(c, o["agus"]["reference"], "confirm")  # confirmed COD: To Ship
    o["rina"] = create(c, customer={"name": "Rina Agustina", "phone": "081377778888", "address": "Jl. C"},
                       channel="marketplace", lines=[{"sku": "MADU-500", "qty": 3}])  # 468000
    act(c, o["rina"]["reference"], "confirm")  # confirmed bank: Pending
    o["joko"] = create(c, customer={"name": "Joko", "phone": "081399990000", "address": "Jl. D"},
                       courier="pos")  # 168000
    act(c, o["joko"]["reference"], "cancel", {"reason": "x"})
    o["tono"] = create(c, customer={"name": "Tono", "phone": "081322223333", "address": "Jl. E"},
                       courier="anteraja", payment_method="cod")
    act(c, o["tono"]["reference"], "confirm")
    act(c, o["tono"]["reference"], "request_cancellation", {"reason": "y"})  # Action needed
    o["lama"] = create(c, customer={"name": "Lama Sekali", "phone": "081344445555", "address": "Jl. F"},
                       lines=[{"sku": "KAOS-M", "qty": 1}], shipping_cost=5000)  # 80000
    # An old order: ten days ago.
    Order.objects.filter(reference=o["lama"]["reference"]).update(
        created_at=timezone.now() - dt.timedelta(days=10))
    return {k: v["reference"] for k, v in o.items()}


def _listed(client, **params):
    return set(refs(list_all(client, **params)))


def test_list_filters(catalogue, owner_api):
    c, o = owner_api, catalogue
    every = set(o.values())
    assert _listed(c) == every
    assert _listed(c, tab="all") == every
    assert _listed(c, tab="pending") == {o["siti"], o["budi"], o["rina"], o["lama"]}
    assert _listed(c, tab="to_ship") == {o["agus"]}
    assert _listed(c, tab="shipped") == {o["dewi"]}
    assert _listed(c, tab="cancelled") == {o["joko"]}
    assert _listed(c, tab="completed") == set()
    assert _listed(c, tab="action_needed") == {o["tono"]}
    assert _listed(c, status="new") == {o["siti"], o["budi"], o["lama"]}
    assert _listed(c, status=["confirmed", "cancelled"]) == {o["agus"], o["rina"], o["joko"]}
    assert _listed(c, agent="agent") == {o["siti"]}
    assert _listed(c, agent="agent2") == {o["dewi"]}
    assert _listed(c, agent="none") == every - {o["siti"], o["dewi"]}
    assert _listed(c, payment_method="cod") == {o["budi"], o["agus"], o["tono"]}
    assert _listed(c, courier="jnt") == {o["budi"]}
    assert _listed(c, courier="sicepat") == {o["dewi"]}
    assert _listed(c, warehouse="sby") == {o["dewi"]}
    assert _listed(c, warehouse="jkt") == every - {o["dewi"]}
    assert _listed(c, tag="vip") == {o["siti"], o["dewi"]}
    assert _listed(c, tag="grosir") == {o["dewi"]}
    assert _listed(c, tag="no-such-tag") == set()
    assert _listed(c, channel="manual") == {o["budi"]}
    assert _listed(c, channel="marketplace") == {o["rina"]}
    assert _listed(c, channel="api") == every - {o["budi"], o["rina"]}
    assert _listed(c, min_total=400000) == {o["dewi"], o["rina"]}
    assert _listed(c, max_total=80000) == {o["agus"], o["lama"]}
    assert _listed(c, min_total=75001, max_total=168000) == {
        o["siti"], o["budi"], o["joko"], o["tono"], o["lama"]}
    # Filters combine.
    assert _listed(c, payment_method="cod", tab="to_ship") == {o["agus"]}
    assert _listed(c, tag="vip", warehouse="jkt") == {o["siti"]}


def test_list_date_range(catalogue, owner_api):
    c, o = owner_api, catalogue
    today = timezone.localdate()
    old = today - dt.timedelta(days=10)
    assert _listed(c, date_from=today.isoformat()) == set(o.values()) - {o["lama"]}
    assert _listed(c, date_to=(today - dt.timedelta(days=1)).isoformat()) == {o["lama"]}
    assert _listed(c, date_from=old.isoformat(), date_to=old.isoformat()) == {o["lama"]}
    assert _listed(c, date_from=(old + dt.timedelta(days=1)).isoformat(),
                   date_to=(today - dt.timedelta(days=1)).isoformat()) == set()


def test_list_search(catalogue, owner_api):
    c, o = owner_api, catalogue
    assert _listed(c, q=o["budi"]) == {o["budi"]}
    assert _listed(c, q=o["budi"].lower()) == {o["budi"]}
    assert _listed(c, q="081298765432") == {o["budi"]}  # local form of +6281298765432
    assert _listed(c, q="0812-9876-5432") == {o["budi"]}
    assert _listed(c, q="+6281298765432") == {o["budi"]}
    assert _listed(c, q="SCP123456") == {o["dewi"]}  # AWB
    assert _listed(c, q="santo") == {o["budi"]}  # name fragment, any case
    assert _listed(c, q="agus") == {o["agus"], o["rina"]}  # Agus Salim, Rina Agustina
    assert _listed(c, q="tidak-ada") == set()
    detail_of = {x["reference"]: x for x in list_all(c, q="081298765432")}
    assert detail_of[o["budi"]]["recipient"]["phone"] == "+6281298765432"


def test_list_sort_by_total(catalogue, owner_api):
    c = owner_api
    up = list_all(c, sort="total")
    assert [x["total"] for x in up] == sorted(x["total"] for x in up)
    down = list_all(c, sort="-total")
    assert [x["total"] for x in down] == sorted((x["total"] for x in down), reverse=True)
    assert set(refs(up)) == set(refs(down)) == set(catalogue.values())
    newest = list_all(c)
    stamps = [x["created_at"] for x in newest]
    assert stamps == sorted(stamps, reverse=True)
    assert newest[-1]["reference"] == catalogue["lama"]
    r = c.get(URL, {"sort": "name"})
    assert r.status_code == 422 and "sort" in r.json()["fields"]


def test_cursor_pagination_walks_everything_once(catalogue, owner_api):
    c = owner_api
    for sort in ["-created_at", "created_at", "-total", "total"]:
        full = refs(list_all(c, sort=sort))
        for limit in [1, 3]:
            seen, cursor, pages = [], None, 0
            while True:
                params = {"sort": sort, "limit": limit, **({"cursor": cursor} if cursor else {})}
                r = c.get(URL, params)
                assert r.status_code == 200, r.content
                page = r.json()
                assert len(page["items"]) <= limit
                seen += refs(page["items"])
                pages += 1
                cursor = page["next_cursor"]
                if not cursor:
                    break
                assert len(page["items"]) == limit, (sort, limit)
            assert seen == full, (sort, limit)  # same order, no duplicates, no gaps
            assert len(set(seen)) == len(seen) == len(catalogue), (sort, limit)
            assert pages == -(-len(catalogue) // limit), (sort, limit)


def test_cursor_pagination_with_filters_and_ties(shop, owner_api):
    c = owner_api
    made = {create(c)["reference"] for _ in range(7)}  # equal totals: the id breaks ties
    create(c, payment_method="cod")
    for sort in ("total", "-total"):
        seen, cursor = [], None
        while True:
            r = c.get(URL, {"sort": sort, "limit": 2, "payment_method": "bank_transfer",
                            **({"cursor": cursor} if cursor else {})})
            page = r.json()
            seen += refs(page["items"])
            cursor = page["next_cursor"]
            if not cursor:
                break
        assert len(seen) == len(set(seen)) and set(seen) == made


def test_bad_cursor_is_422(shop, owner_api):
    r = owner_api.get(URL, {"cursor": "not-a-cursor"})
    assert r.status_code == 422 and r.json()["code"] == "invalid_input" and "cursor" in r.json()["fields"]


def test_tab_counts_match_the_list(catalogue, owner_api):
    c = owner_api
    r = c.get(f"{URL}/tab-counts")
    assert r.status_code == 200, r.content
    counts = r.json()
    assert set(counts) == {"all", "pending", "to_ship", "shipped", "completed", "cancelled", "action_needed"}
    for tab, n in counts.items():
        assert n == len(list_all(c, tab=tab)), tab
    assert counts == {"all": 8, "pending": 4, "to_ship": 1, "shipped": 1, "completed": 0,
                      "cancelled": 1, "action_needed": 1}
    # Under another filter the counts follow it.
    cod = c.get(f"{URL}/tab-counts", {"payment_method": "cod"}).json()
    for tab, n in cod.items():
        assert n == len(list_all(c, tab=tab, payment_method="cod")), tab
    assert cod["all"] == 3 and cod["to_ship"] == 1 and cod["pending"] == 1


def test_tab_counts_include_orders_past_their_shipping_deadline(catalogue, owner_api):
    c = owner_api
    Order.objects.filter(reference=catalogue["agus"]).update(ship_by=timezone.now() - dt.timedelta(hours=1))
    counts = c.get(f"{URL}/tab-counts").json()
    assert counts["action_needed"] == 2
    assert _listed(c, tab="action_needed") == {catalogue["tono"], catalogue["agus"]}
