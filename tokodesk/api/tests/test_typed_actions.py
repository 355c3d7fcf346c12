"""Typed actions: the OpenAPI document at /api/v1/openapi.json has one operation per action
of the order and return tables, each with its input model as request body, and every error
answer's `code` is the ErrorCode enum; the generated endpoints run the actions as the
generic one did (versions, If-Match, ETag, unknown actions), uploads included."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation

from conftest import order_payload
from tokodesk.core.errors import ErrorCode
from tokodesk.core.tests import files
from tokodesk.orders.states import ORDER_TRANSITIONS
from tokodesk.returns.states import RETURN_TRANSITIONS
from tokodesk.returns.tests.factories import paid_order, return_in

TABLES = [("/api/v1/orders", ORDER_TRANSITIONS), ("/api/v1/returns", RETURN_TRANSITIONS)]
RUNNABLE = [(prefix, t) for prefix, table in TABLES for t in table if t.sources]
REF = "#/components/schemas/"


@pytest.fixture(scope="module")
def schema(django_db_blocker):
    from django.test import Client

    with django_db_blocker.unblock():
        r = Client().get("/api/v1/openapi.json")
    assert r.status_code == 200, r.content
    return r.json()


def component(schema, ref: str) -> dict:
    assert ref.startswith(REF), ref
    return schema["components"]["schemas"][ref.removeprefix(REF)]


def required_fields(model) -> set[str]:
    return {name for name, field in model.model_fields.items() if field.is_required()}


# --- the document ---------------------------------------------------------------------------


@pytest.mark.parametrize("prefix,transition", RUNNABLE, ids=[f"{p.rsplit('/', 1)[1]}.{t.action}" for p, t in RUNNABLE])
def test_each_action_has_its_operation_and_input_schema(schema, prefix, transition):
    operation = schema["paths"][f"{prefix}/{{reference}}/actions/{transition.action}"]["post"]
    assert operation["operationId"].endswith(f"_{transition.action}")
    with translation.override("en"):
        assert operation["summary"] == str(transition.label)
    assert all(f"`{s}`" in operation["description"] for s in transition.sources)
    body = component(schema, operation["requestBody"]["content"]["application/json"]["schema"]["$ref"])
    model = transition.inputs
    assert set(body["properties"]) == set(model.model_fields)
    assert set(body.get("required", [])) == required_fields(model)
    assert body["additionalProperties"] is False
    assert operation["requestBody"]["required"] == bool(required_fields(model))


def test_the_inputs_integrators_need_are_visible(schema):
    ship = component(schema, schema["paths"]["/api/v1/orders/{reference}/actions/ship"]["post"]["requestBody"]
                     ["content"]["application/json"]["schema"]["$ref"])
    # The AWB is required; the courier is the order's when omitted (ShipIn).
    assert ship["required"] == ["awb"]
    assert {"courier", "service", "awb", "version"} <= set(ship["properties"])
    assert ship["properties"]["awb"]["maxLength"] == 64

    payment = schema["paths"]["/api/v1/orders/{reference}/actions/confirm_payment"]["post"]["requestBody"]
    assert component(schema, payment["content"]["application/json"]["schema"]["$ref"])["required"] == ["amount"]

    receive = schema["paths"]["/api/v1/returns/{reference}/actions/receive"]["post"]["requestBody"]
    receive = component(schema, receive["content"]["application/json"]["schema"]["$ref"])
    assert receive["required"] == ["lines"]
    line = component(schema, receive["properties"]["lines"]["items"]["$ref"])
    assert line["required"] == ["qty"]
    assert line["properties"]["condition"]["enum"] == ["resellable", "opened", "damaged", "defective"]

    reject = schema["paths"]["/api/v1/returns/{reference}/actions/reject"]["post"]["requestBody"]
    assert component(schema, reject["content"]["application/json"]["schema"]["$ref"])["required"] == ["message"]


def test_actions_with_files_also_take_multipart(schema):
    for path, field in (("/api/v1/orders/{reference}/actions/confirm_payment", "proof"),
                        ("/api/v1/returns/{reference}/actions/approve", "label")):
        content = schema["paths"][path]["post"]["requestBody"]["content"]
        assert set(content) == {"application/json", "multipart/form-data"}
        form = content["multipart/form-data"]["schema"]
        assert form["properties"][field] == {"type": "string", "format": "binary"}
    ship = schema["paths"]["/api/v1/orders/{reference}/actions/ship"]["post"]["requestBody"]["content"]
    assert set(ship) == {"application/json"}


def test_operation_ids_are_unique_and_the_generic_path_is_not_documented(schema):
    ids = [op["operationId"] for methods in schema["paths"].values() for op in methods.values()]
    assert len(ids) == len(set(ids))
    assert "/api/v1/orders/{reference}/actions/{action}" not in schema["paths"]
    assert "/api/v1/returns/{reference}/actions/{action}" not in schema["paths"]
    # Entry actions of returns (request, create) are not run on an existing return.
    assert "/api/v1/returns/{reference}/actions/create" not in schema["paths"]


def test_every_error_answer_documents_the_error_codes(schema):
    error = schema["components"]["schemas"]["ErrorOut"]
    codes = component(schema, error["properties"]["code"]["$ref"])
    assert set(codes["enum"]) == {c.value for c in ErrorCode}
    assert {"unknown_action", "not_allowed_in_status", "stale_version", "invalid_input"} <= set(codes["enum"])
    for path, methods in schema["paths"].items():
        for method, operation in methods.items():
            errors = {status: r for status, r in operation["responses"].items() if status.startswith("4")}
            assert errors, f"{method} {path} documents no error"
            for status, answer in errors.items():
                ref = answer["content"]["application/json"]["schema"]["$ref"]
                assert ref == REF + "ErrorOut", (method, path, status)


# --- running actions through the generated endpoints ------------------------------------------


def ok(r, status=200):
    assert r.status_code == status, r.content
    return r.json()


def multipart(api, path, data, **headers):
    return api.client.post(path, data=data, **api._headers(headers))


@pytest.fixture
def order_ref(shop, api):
    return ok(api.post("/api/v1/orders", order_payload()), 201)["reference"]


def test_order_actions_through_their_endpoints(order_ref, api):
    url = f"/api/v1/orders/{order_ref}/actions"
    r = api.post(f"{url}/confirm", {"version": 1})
    assert ok(r)["status"] == "confirmed" and r["ETag"] == '"2"'
    total = r.json()["total"]
    # A stale If-Match: 412; the right one goes through.
    r = api.post(f"{url}/confirm_payment", {"amount": 1}, headers={"If-Match": '"1"'})
    assert r.status_code == 412 and r.json()["code"] == "stale_version"
    body = ok(api.post(f"{url}/confirm_payment", {"amount": total}, headers={"If-Match": '"2"'}))
    assert body["status"] == "paid" and body["paid_total"] == total
    ok(api.post(f"{url}/mark_ready"))
    # ship refuses a body without its required AWB, then ships with it.
    r = api.post(f"{url}/ship", {"courier": "jne"})
    assert r.status_code == 422 and r.json()["code"] == "invalid_input" and "awb" in r.json()["fields"]
    body = ok(api.post(f"{url}/ship", {"awb": "JNE-0042"}))
    assert (body["status"], body["awb"]) == ("awaiting_pickup", "JNE-0042")
    # Not possible now: 409 whatever the body; an unknown action: 404 unknown_action.
    r = api.post(f"{url}/confirm", {"nonsense": True})
    assert r.status_code == 409 and r.json()["code"] == "not_allowed_in_status"
    r = api.post(f"{url}/teleport", {})
    assert r.status_code == 404 and r.json()["code"] == "unknown_action"


def test_confirm_payment_with_a_proof_upload(order_ref, api):
    from tokodesk.orders.models import Payment

    url = f"/api/v1/orders/{order_ref}/actions"
    ok(api.post(f"{url}/confirm"))
    proof = SimpleUploadedFile("transfer.png", files.PNG, content_type="image/png")
    r = multipart(api, f"{url}/confirm_payment", {"amount": "10000", "account": "BCA 123", "paid_on": "",
                                                  "version": "2", "proof": proof})
    body = ok(r)
    assert (body["status"], body["paid_total"], body["version"]) == ("partially_paid", 10000, 3)
    payment = Payment.objects.get(order__reference=order_ref)
    assert payment.proof.name and payment.account == "BCA 123"
    # The form's version is read as the body's: a stale one is refused.
    r = multipart(api, f"{url}/confirm_payment", {"amount": "1000", "version": "2"})
    assert r.status_code == 409 and r.json()["code"] == "stale_version"
    # A file where a field is expected, or an unknown file: 422 naming it.
    r = multipart(api, f"{url}/confirm_payment", {"amount": "1000", "receipt": SimpleUploadedFile("r.png", files.PNG)})
    assert r.status_code == 422 and "receipt" in r.json()["fields"]
    # Multipart to an action that takes no file: 415, as before.
    r = multipart(api, f"{url}/unconfirm_payment", {"version": "3"})
    assert r.status_code == 415 and r.json()["code"] == "unsupported_media_type"


def test_return_actions_through_their_endpoints(shop, owner, api):
    ret = return_in("draft", owner, order=paid_order(owner))
    url = f"/api/v1/returns/{ret.reference}/actions"
    label = SimpleUploadedFile("label.pdf", files.PDF, content_type="application/pdf")
    r = multipart(api, f"{url}/approve", {"message": "Kirim ke gudang Jakarta.", "target_date": "2030-01-15",
                                          "label": label}, **{"If-Match": '"1"'})
    body = ok(r)
    assert (body["status"], body["target_date"]) == ("awaiting_item", "2030-01-15")
    assert body["label"].endswith(".pdf") and r["ETag"] == '"2"'
    lines = [{"line": li["id"], "qty": li["qty"], "condition": "resellable"} for li in body["lines"]]
    # receive's lines are checked against its model: a bad condition names the field.
    r = api.post(f"{url}/receive", {"warehouse": "jkt", "lines": [{**lines[0], "condition": "soggy"}]})
    assert r.status_code == 422 and "lines.0.condition" in r.json()["fields"]
    body = ok(api.post(f"{url}/receive", {"warehouse": "jkt", "lines": lines, "version": 2}))
    assert body["status"] == "item_received"
    # A label that is not an allowed file is refused, the return unchanged.
    ret2 = return_in("draft", owner, order=paid_order(owner))
    r = multipart(api, f"/api/v1/returns/{ret2.reference}/actions/approve",
                  {"label": SimpleUploadedFile("label.html", b"<html><script></script></html>")})
    assert r.status_code == 422 and "label" in r.json()["fields"]
    ret2.refresh_from_db()
    assert (ret2.status, ret2.version) == ("draft", 1)
    r = api.post(f"/api/v1/returns/{ret2.reference}/actions/request", {})
    assert r.status_code == 409 and r.json()["code"] == "not_allowed_in_status"
