"""Each resolution end to end over HTTP, as an integration would drive it: create a return
from an order reference, approve, receive, complete, and read the effect (refund, ledger,
linked order); plus the reference-data endpoints, uploads and the list's filters."""

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from tokodesk.catalog.models import Stock
from tokodesk.core.tests import files
from tokodesk.returns.tests.factories import BANK, paid_order

URL = "/api/v1/returns"
PDF = files.PDF
PNG = files.PNG


@pytest.fixture
def owner_api(api_as):
    return api_as("owner")


@pytest.fixture
def order(shop, users):
    """A completed order paid by transfer: 2 × KAOS-M, 1 × MADU-500, 18 000 shipping."""
    return paid_order(users["owner"], agent="agent")


def ok(r, status=200):
    assert r.status_code == status, r.content
    return r.json()


def create(api, order, **overrides):
    body = {"order": order.reference, "reason": "Ukuran kekecilan", "resolution": "store_credit",
            "lines": [{"sku": "KAOS-M", "qty": 1}]}
    body.update(overrides)
    return api.post(URL, body)


def run(api, ref, action, body=None, status=200):
    return ok(api.post(f"{URL}/{ref}/actions/{action}", body or {}), status)


def multipart(api, path, data):
    return api.client.post(path, data=data, **api._headers({}))


def test_store_credit_end_to_end(order, owner_api):
    r = create(owner_api, order)
    body = ok(r, 201)
    assert (body["reference"], body["status"], body["version"]) == ("RMA-00001", "draft", 1)
    assert [(li["sku"], li["qty"]) for li in body["lines"]] == [("KAOS-M", 1)]
    assert body["inventree_status"] == {"code": 10, "name": "PENDING", "label": "Pending"}
    assert body["order"] == order.reference and body["customer"]["id"] == order.customer_id
    assert body["reason_display"] == "Ukuran kekecilan" and body["actions"] == ["approve", "reject", "cancel"]
    assert r["ETag"] == '"1"'
    ref = body["reference"]

    body = run(owner_api, ref, "approve", {"message": "Silakan kirim ke gudang kami.", "target_date": "2030-02-01"})
    assert (body["status"], body["target_date"], body["messages"][0]["body"]) == (
        "awaiting_item", "2030-02-01", "Silakan kirim ke gudang kami.")
    before = Stock.objects.get(variant__sku="KAOS-M", warehouse__code="jkt").on_hand
    body = run(owner_api, ref, "receive", {"warehouse": "jkt", "lines": [{"sku": "KAOS-M", "qty": 1,
                                                                          "condition": "resellable"}]})
    assert body["status"] == "item_received" and body["inventree_status"]["name"] == "IN_PROGRESS"
    assert Stock.objects.get(variant__sku="KAOS-M", warehouse__code="jkt").on_hand == before + 1
    body = run(owner_api, ref, "complete", {"lines": [{"sku": "KAOS-M", "decision": "accept"}]})
    assert (body["status"], body["resolution_amount"], body["actions"]) == ("completed", 75000, [])
    assert [(r["method"], r["status"], r["amount"]) for r in body["refunds"]] == [("store_credit", "paid", 75000)]

    credit = ok(owner_api.get(f"/api/v1/store-credit/{order.customer_id}"))
    assert credit["balance"] == 75000
    assert [(e["kind"], e["return_reference"], e["running_balance"]) for e in credit["entries"]] == [
        ("return", ref, 75000)]
    events = ok(owner_api.get(f"{URL}/{ref}/timeline"))
    assert [(e["kind"], e["action"], e["to_status"]) for e in events] == [
        ("created", "create", "draft"), ("action", "approve", "awaiting_item"),
        # The store credit paid by the completion (the refund table's `credit`, written in the
        # completion's transaction, before the completion's own row).
        ("action", "receive", "item_received"), ("refund_paid", "credit", ""), ("action", "complete", "completed")]


def test_refund_by_bank_transfer_with_one_line_refused(order, users, api_as):
    owner_api, finance = api_as("owner"), api_as("finance")
    ref = ok(create(owner_api, order, resolution="refund",
                    lines=[{"sku": "KAOS-M", "qty": 2}, {"sku": "MADU-500", "qty": 1}],
                    extra_lines=[{"description": "Ongkir retur", "amount": 12000}]), 201)["reference"]
    run(owner_api, ref, "approve")
    run(api_as("warehouse"), ref, "receive", {"warehouse": "jkt", "lines": [
        {"sku": "KAOS-M", "qty": 2, "condition": "resellable"}, {"sku": "MADU-500", "qty": 1, "condition": "damaged"}]})
    body = run(finance, ref, "complete", {"lines": [{"sku": "KAOS-M", "decision": "accept"},
                                                    {"sku": "MADU-500", "decision": "refuse"}],
                                          "message": "Madu sudah dibuka, tidak bisa diterima.", **BANK})
    assert (body["accepted_total"], body["fees_total"], body["resolution_amount"]) == (150000, 12000, 138000)
    refund = body["refunds"][0]
    assert (refund["status"], refund["method"], refund["amount"], refund["account_number"]) == (
        "pending", "bank_transfer", 138000, "1234567890")
    assert [li["decision"] for li in body["lines"]] == ["accept", "refuse"]

    paid = multipart(finance, f"/api/v1/refunds/{refund['id']}/mark-paid", {"paid_on": "2026-03-02"})
    assert paid.status_code == 422 and "proof" in paid.json()["fields"]
    paid = multipart(finance, f"/api/v1/refunds/{refund['id']}/mark-paid", {
        "paid_on": "2026-03-02", "reference": "TRF-1", "proof": SimpleUploadedFile("bukti.pdf", PDF)})
    body = ok(paid)
    assert (body["status"], body["paid_on"], body["reference"]) == ("paid", "2026-03-02", "TRF-1")
    assert body["proof"].endswith(".pdf")
    detail = ok(owner_api.get(f"{URL}/{ref}"))
    assert detail["refunds"][0]["status"] == "paid" and detail["refunded_total"] == 138000
    pending = ok(finance.get("/api/v1/refunds", {"status": "pending"}))
    assert pending == []


def test_exchange_same_end_to_end(order, owner_api):
    ref = ok(create(owner_api, order, resolution="exchange_same", lines=[{"sku": "KAOS-M", "qty": 2}]),
             201)["reference"]
    run(owner_api, ref, "approve")
    run(owner_api, ref, "receive", {"lines": [{"sku": "KAOS-M", "qty": 2, "condition": "defective"}]})
    body = run(owner_api, ref, "complete", {"lines": [{"sku": "KAOS-M", "decision": "accept", "qty": 1}]})
    new_ref = body["replacement_order"]
    assert body["exchange"]["replacement_order"] == new_ref and body["exchange"]["difference"] is None
    new = ok(owner_api.get(f"/api/v1/orders/{new_ref}"))
    assert (new["status"], new["channel"], new["total"], new["shipping_cost"], new["payment_method"]) == (
        "new", "manual", 0, 0, "cod")
    assert [(li["sku"], li["qty"], li["unit_price"]) for li in new["lines"]] == [("KAOS-M", 1, 0)]
    assert new["customer_id"] == order.customer_id and new["assigned_agent"] == "agent"
    original = ok(owner_api.get(f"/api/v1/orders/{order.reference}"))
    assert original["awb"] == order.awb and original["paid_total"] == order.paid_total


def test_exchange_other_end_to_end(order, owner_api):
    ref = ok(create(owner_api, order, resolution="exchange_other", lines=[{"sku": "MADU-500", "qty": 1}],
                    exchange_items=[{"sku": "KAOS-L", "qty": 1}]), 201)["reference"]
    run(owner_api, ref, "approve")
    run(owner_api, ref, "receive", {"lines": [{"sku": "MADU-500", "qty": 1}]})
    body = run(owner_api, ref, "complete", {"lines": [{"sku": "MADU-500", "decision": "accept"}],
                                            "exchange_lines": [{"sku": "SEPATU-42", "qty": 1}]})
    assert body["exchange"] == {"items": [{"sku": "SEPATU-42", "qty": 1}], "replacement_order": body["replacement_order"],
                                "value": 450000, "difference": 300000, "due": 300000, "to_refund": 0}
    new = ok(owner_api.get(f"/api/v1/orders/{body['replacement_order']}"))
    assert (new["subtotal"], new["discount"], new["total"], new["payment_method"]) == (
        450000, 150000, 300000, "bank_transfer")


def test_reject_then_recreate(order, owner_api):
    ref = ok(create(owner_api, order), 201)["reference"]
    r = owner_api.post(f"{URL}/{ref}/actions/reject", {})
    assert r.status_code == 422 and "message" in r.json()["fields"]
    body = run(owner_api, ref, "reject", {"message": "Sudah lewat 14 hari."})
    assert body["status"] == "rejected" and body["inventree_status"]["name"] == "CANCELLED"
    new = ok(owner_api.post(f"{URL}/{ref}/recreate"), 201)
    assert (new["status"], new["recreated_from"], new["lines"][0]["qty"]) == ("draft", ref, 1)


def test_goodwill_endpoint(order, api_as):
    finance = api_as("finance")
    body = ok(finance.post("/api/v1/refunds", {"order": order.reference, "amount": 20000, "method": "store_credit",
                                                 "note": "maaf telat"}), 201)
    assert (body["goodwill"], body["status"], body["return_reference"]) == (True, "paid", None)
    assert ok(finance.get(f"/api/v1/store-credit/{order.customer_id}"))["balance"] == 20000
    r = finance.post("/api/v1/refunds", {"order": order.reference, "amount": 10**9, "method": "cash"})
    assert r.status_code == 409 and r.json()["code"] == "refund_exceeds_paid"
    assert api_as("agent").post("/api/v1/refunds", {"order": order.reference, "amount": 1,
                                                    "method": "cash"}).status_code == 403
    assert [r["id"] for r in ok(finance.get("/api/v1/refunds", {"goodwill": True}))] == [body["id"]]
    assert ok(finance.get(f"/api/v1/refunds/{body['id']}"))["amount"] == 20000


def test_label_and_photos(order, owner_api):
    ref = ok(create(owner_api, order), 201)["reference"]
    r = multipart(owner_api, f"{URL}/{ref}/label", {"file": SimpleUploadedFile("label.txt", b"hello")})
    assert r.status_code == 422 and "label" in r.json()["fields"]
    body = ok(multipart(owner_api, f"{URL}/{ref}/label", {"file": SimpleUploadedFile("label.pdf", PDF)}))
    assert body["label"].endswith(".pdf") and body["version"] == 2
    download = owner_api.get(f"{URL}/{ref}/label")
    assert download.status_code == 200 and b"".join(download.streaming_content) == PDF
    body = ok(multipart(owner_api, f"{URL}/{ref}/photos", {"file": SimpleUploadedFile("foto.png", PNG),
                                                           "sku": "KAOS-M"}), 201)
    assert [(p["sku"], p["uploaded_by"]) for p in body["photos"]] == [("KAOS-M", "seller")]
    r = multipart(owner_api, f"{URL}/{ref}/photos", {"file": SimpleUploadedFile("foto.png", PNG), "sku": "NOPE"})
    assert r.status_code == 422


def test_reference_data(order, users, api_as):
    owner_api = api_as("owner")
    reasons = ok(owner_api.get(f"{URL}/reasons"))
    assert reasons[0] == {"code": "size_too_small", "label": "Ukuran kekecilan", "needs_text": False,
                          "active": True, "position": 0, "display_label": "Ukuran kekecilan",
                          "labels": {"id": "Ukuran kekecilan", "en": "Size too small", "fr": "Taille trop petite"}}
    assert any(r["code"] == "other" and r["needs_text"] for r in reasons)
    ok(owner_api.post(f"{URL}/reasons", {"code": "late", "label": "Paket terlambat"}), 201)
    assert owner_api.post(f"{URL}/reasons", {"code": "late", "label": "X"}).status_code == 422
    ok(owner_api.patch(f"{URL}/reasons/late", {"active": False}))
    assert "late" not in [r["code"] for r in ok(owner_api.get(f"{URL}/reasons"))]
    assert "late" in [r["code"] for r in ok(owner_api.get(f"{URL}/reasons", {"include_inactive": True}))]
    assert api_as("admin").post(f"{URL}/reasons", {"code": "x", "label": "X"}).status_code == 403

    state = ok(owner_api.post(f"{URL}/custom-states", {"label": "Menunggu inspeksi", "status": "item_received",
                                                       "color": "orange"}), 201)
    statuses = {s["code"]: s for s in ok(owner_api.get(f"{URL}/statuses"))}
    assert list(statuses) == ["requested", "draft", "awaiting_item", "on_hold", "item_received", "completed",
                              "rejected", "cancelled"]
    assert {code: s["inventree"]["code"] for code, s in statuses.items()} == {
        "requested": 10, "draft": 10, "awaiting_item": 20, "item_received": 20, "on_hold": 25, "completed": 30,
        "rejected": 40, "cancelled": 40}
    assert statuses["item_received"]["custom_states"] == [{"id": state["id"], "label": "Menunggu inspeksi",
                                                           "color": "orange"}]
    assert owner_api.client.delete(f"{URL}/custom-states/{state['id']}",
                                   **owner_api._headers({})).status_code == 204

    returnable = ok(owner_api.get(f"{URL}/returnable", {"order": order.reference}))
    assert [(li["sku"], li["returnable"]) for li in returnable["lines"]] == [("KAOS-M", 2), ("MADU-500", 1)]
    ok(create(owner_api, order), 201)
    returnable = ok(owner_api.get(f"{URL}/returnable", {"order": order.reference}))
    assert [(li["sku"], li["returnable"]) for li in returnable["lines"]] == [("KAOS-M", 1), ("MADU-500", 1)]
    assert returnable["window_ends"] is not None


def test_list_filters_and_pagination(shop, users, api_as):
    owner_api = api_as("owner")
    owner = users["owner"]
    refs = []
    for i in range(5):
        order = paid_order(owner, lines=(("KAOS-M", 1),))
        body = ok(create(owner_api, order, resolution=["refund", "store_credit"][i % 2],
                         responsible_user="owner" if i == 0 else None,
                         responsible_group="warehouse" if i == 1 else None,
                         target_date=f"2030-01-1{i}"), 201)
        refs.append(body["reference"])
    run(owner_api, refs[4], "approve")
    state = ok(owner_api.post(f"{URL}/custom-states", {"label": "Menunggu label", "status": "awaiting_item"}), 201)
    ok(owner_api.patch(f"{URL}/{refs[4]}", {"custom_state": state["id"]}))

    def listed(**params):
        return [r["reference"] for r in ok(owner_api.get(URL, params))["items"]]

    assert listed() == refs[::-1]
    assert listed(status="awaiting_item") == [refs[4]]
    assert listed(status=["draft"]) == refs[:4][::-1]
    assert listed(custom_state="Menunggu label") == [refs[4]]
    assert listed(custom_state=str(state["id"])) == [refs[4]]
    assert listed(resolution="store_credit") == [refs[3], refs[1]]
    assert listed(responsible="owner") == [refs[0]]
    assert listed(responsible="group:warehouse") == [refs[1]]
    assert listed(responsible="none") == refs[2:][::-1]
    assert listed(q=refs[2]) == [refs[2]]
    assert listed(target_from="2030-01-13") == [refs[4], refs[3]]
    today = timezone.localdate()
    assert listed(date_from=today.isoformat(), date_to=today.isoformat()) == refs[::-1]
    assert listed(date_to=(today - dt.timedelta(days=1)).isoformat()) == []
    assert listed(sort="created_at") == refs

    page = ok(owner_api.get(URL, {"limit": 2}))
    seen = [r["reference"] for r in page["items"]]
    while page["next_cursor"]:
        page = ok(owner_api.get(URL, {"limit": 2, "cursor": page["next_cursor"]}))
        seen += [r["reference"] for r in page["items"]]
    assert seen == refs[::-1]

    counts = ok(owner_api.get(f"{URL}/status-counts"))
    assert (counts["all"], counts["draft"], counts["awaiting_item"], counts["completed"]) == (5, 4, 1, 0)
    assert ok(owner_api.get(f"{URL}/status-counts", {"resolution": "refund"}))["all"] == 3
