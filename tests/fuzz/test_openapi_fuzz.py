"""Schemathesis fuzzes every operation of /api/v1/ in-process, through the WSGI app, inside
pytest-django's test database (SQLite or PostgreSQL).

One test per operation and generation mode (positive: data the schema allows; negative:
data it forbids). Each runs a bounded, derandomized Hypothesis search; every generated
request is sent with an owner's bearer token and must:

- never answer 5xx (`not_a_server_error`; the server's traceback is attached on failure),
- match the documented response schema for its status (`response_schema_conformance`),
- answer every 4xx with our JSON error body {"code", "message", "fields"}.

A shop and a few orders in different statuses are seeded first, and generated paths,
action names, SKUs, warehouses and couriers are sometimes swapped for real ones, so the
fuzzer reaches the services and not only the 404s. Every example runs in a savepoint
rolled back afterwards, so each starts from the seeded state and a failure replays.
"""

from __future__ import annotations

import json
import os
import traceback
from contextlib import contextmanager

import pytest
import schemathesis
from django.core.signals import got_request_exception, request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections, transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error, response_schema_conformance

from conftest import order_payload
from tokodesk.api.api import api as ninja_api
from tokodesk.orders.states import ORDER_TRANSITIONS

SCHEMA_PATH = "/api/v1/openapi.json"
MAX_EXAMPLES = {schemathesis.GenerationMode.POSITIVE: 40, schemathesis.GenerationMode.NEGATIVE: 30}

# Collected from the NinjaAPI itself (no request, no database), so an endpoint added later
# is fuzzed without touching this file.
OPERATIONS = sorted(
    (method.upper(), path)
    for path, methods in ninja_api.get_openapi_schema()["paths"].items()
    for method in methods
)
ACTIONS = [t.action for t in ORDER_TRANSITIONS]


# --- the app under test ------------------------------------------------------------------


class CapturedErrors(list):
    """Tracebacks of the exceptions Django turned into 500 pages, for the failure report."""

    def __call__(self, sender, request=None, **kwargs):
        where = f"{request.method} {request.get_full_path()}\n" if request is not None else ""
        self.append(where + traceback.format_exc())


@contextmanager
def wsgi_app():
    """Django's real WSGI handler, wired as the test client wires it for each of its own
    requests: without the per-request close_old_connections, which would close the
    connection holding the test transaction (on PostgreSQL) after the first request.
    Enter it after the last test-client request: that client reconnects the handlers."""
    captured = CapturedErrors()
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    got_request_exception.connect(captured)
    try:
        app = get_wsgi_application()
        app.captured_errors = captured
        yield app
    finally:
        got_request_exception.disconnect(captured)
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


@pytest.fixture
def seeded(shop, api):
    """Orders in several statuses (via the API, like a user would), and what the fuzzer
    may swap into generated requests."""

    def create(**overrides):
        r = api.post("/api/v1/orders", order_payload(**overrides))
        assert r.status_code == 201, r.content
        return r.json()["reference"]

    def act(ref, action, body=None):
        r = api.post(f"/api/v1/orders/{ref}/actions/{action}", body)
        assert r.status_code == 200, (action, r.content)

    flows = {
        "new": [],
        "confirmed": [("confirm", None)],
        "paid": [("confirm", None),
                 ("confirm_payment", {"amount": 168000, "account": "BCA 123", "reference": "TRF-1"})],
        "in_transit_cod": [("confirm", None), ("mark_ready", None), ("ship", {"awb": "JNE0001"}),
                           ("picked_up", None)],
        "delivered_cod": [("confirm", None), ("mark_ready", None), ("ship", {"awb": "JNE0002"}),
                          ("picked_up", None), ("delivered", None)],
        "cancelled": [("cancel", {"reason": "Customer changed their mind"})],
        "invoice": [("confirm", None), ("create_invoice", None)],
        "gateway": [("confirm", None), ("request_payment", {"payment_link": "https://pay.example/1"})],
    }
    methods = {"in_transit_cod": "cod", "delivered_cod": "cod", "invoice": "invoice",
               "gateway": "payment_gateway"}
    budi = {"name": "Budi Santoso", "phone": "+6285712345678", "address": "Jl. Kenanga 2, Surabaya"}
    references = []
    for name, steps in flows.items():
        extra = {"customer": budi} if name in ("cancelled", "invoice", "gateway") else {}
        ref = create(payment_method=methods.get(name, "bank_transfer"), **extra)
        for action, body in steps:
            act(ref, action, body)
        references.append(ref)
    r = api.get("/api/v1/customers")
    assert r.status_code == 200, r.content
    return {
        "reference": references,
        "action": ACTIONS,
        "slug": ["kaos-polos", "madu-hutan", "sepatu-lari"],
        "customer_id": [c["id"] for c in r.json()],
        "sku": ["KAOS-M", "KAOS-L", "MADU-500", "SEPATU-42"],
        "warehouse": ["jkt", "sby"],
        "courier": ["jne", "jnt", "sicepat", "anteraja", "pos"],
    }


# --- checks ------------------------------------------------------------------------------


def error_body_shape(ctx, response, case):
    """Every 4xx is our error JSON: {"code": str, "message": str, "fields": {str: str}}."""
    if not 400 <= response.status_code < 500:
        return None
    content_type = (response.headers.get("content-type") or [""])[0]
    assert content_type.startswith("application/json"), (
        f"{response.status_code} with Content-Type {content_type!r}: {response.content[:300]!r}")
    try:
        body = json.loads(response.content)
    except ValueError:
        raise AssertionError(f"{response.status_code} body is not JSON: {response.content[:300]!r}") from None
    assert isinstance(body, dict) and set(body) == {"code", "message", "fields"}, (
        f"{response.status_code} body is not {{code, message, fields}}: {body!r}")
    assert isinstance(body["code"], str) and body["code"], f"bad code: {body!r}"
    assert isinstance(body["message"], str) and body["message"], f"bad message: {body!r}"
    assert isinstance(body["fields"], dict) and all(
        isinstance(k, str) and isinstance(v, str) for k, v in body["fields"].items()), f"bad fields: {body!r}"
    return None


CHECKS = [not_a_server_error, response_schema_conformance, error_body_shape]


# --- steering generated cases towards real data --------------------------------------------

NEGATIVE = schemathesis.GenerationMode.NEGATIVE
PHONES = ["081234567890", "+6281234567890", "0812-3456-7890", "62 812 3456 7890"]
EMAILS = ["", "siti@example.com"]
IF_MATCH = ['"1"', 'W/"2"', '"3"', "*", '"99"', "garbage", '"-1"', '"99999999999999999999"']

# Bodies made of the actions' input fields (states.py), valid or not, mixed.
action_inputs = st.fixed_dictionaries({}, optional={
    "version": st.integers(min_value=-1, max_value=12),
    "reason": st.text(max_size=1100),
    "amount": st.integers(min_value=-1, max_value=10**14),
    "account": st.text(max_size=20),
    "paid_on": st.dates().map(str) | st.text(max_size=12),
    "awb": st.text(max_size=70),
    "courier": st.sampled_from(["jne", "sicepat", "nope"]),
    "cash_collected": st.integers(min_value=-1, max_value=10**14),
    "payment_link": st.text(max_size=40),
    "reference": st.text(max_size=20),
    "number": st.text(max_size=70),
    "due_date": st.dates().map(str),
})


def sometimes(data, values, label):
    """One of `values` about three times out of four, else None (keep the generated value).
    Shrinks towards a real value."""
    if data.draw(st.integers(min_value=0, max_value=3), label=f"generated {label}?") == 3:
        return None
    return data.draw(st.sampled_from(values), label=label)


def steer(data, case, real, mode):
    """Sometimes replace generated values by ones that exist in the seeded database, so
    requests get past the lookups (404, unknown SKU, invalid phone) into the services."""
    params = case.path_parameters or {}
    for name in ("reference", "action", "slug", "customer_id"):
        # A negative customer_id is a deliberately invalid one: keep it.
        if name in params and not (name == "customer_id" and mode is NEGATIVE):
            value = sometimes(data, real[name], name)
            if value is not None:
                params[name] = value

    if params.get("action") in ACTIONS and data.draw(st.booleans(), label="action inputs?"):
        case.body = data.draw(action_inputs, label="action body")
        case.media_type = "application/json"
    # Writes to an order also take an If-Match (not in the schema, so never generated).
    if "reference" in params and case.method != "GET":
        if_match = data.draw(st.none() | st.sampled_from(IF_MATCH), label="If-Match")
        if if_match is not None:
            case.headers = {**(case.headers or {}), "If-Match": if_match}

    body = case.body
    if mode is NEGATIVE or not isinstance(body, dict):
        return
    for line in body.get("lines") or []:
        if isinstance(line, dict) and (sku := sometimes(data, real["sku"], "sku")):
            line["sku"] = sku
    people = [body["customer"]] if isinstance(body.get("customer"), dict) else []
    people.append(body)  # PATCH: recipient_phone, recipient_email
    for person in people:
        for field, values in (("phone", PHONES), ("recipient_phone", PHONES),
                              ("email", EMAILS), ("recipient_email", EMAILS)):
            if field in person and (value := sometimes(data, values, field)) is not None:
                person[field] = value
    for name in ("warehouse", "courier"):
        if name in body and (value := sometimes(data, real[name], name)):
            body[name] = value


# --- the test -----------------------------------------------------------------------------


@pytest.mark.parametrize("mode", list(MAX_EXAMPLES), ids=lambda m: m.value)
@pytest.mark.parametrize("method,path", OPERATIONS, ids=[f"{m} {p}" for m, p in OPERATIONS])
def test_fuzz_operation(seeded, api, method, path, mode):
    headers = {"Authorization": f"Bearer {api.token}"}
    with wsgi_app() as app:
        operation = schemathesis.openapi.from_wsgi(SCHEMA_PATH, app)[path][method]
        strategy = operation.as_strategy(generation_mode=mode)

        @settings(max_examples=int(os.environ.get("TOKODESK_FUZZ_EXAMPLES") or MAX_EXAMPLES[mode]),
                  deadline=None, derandomize=True, database=None, print_blob=False,
                  suppress_health_check=list(HealthCheck))
        @given(data=st.data())
        def fuzz(data):
            case = data.draw(strategy, label="case")
            steer(data, case, seeded, mode)
            app.captured_errors.clear()
            # Each example in a savepoint rolled back after it: the next starts from the seed.
            with transaction.atomic():
                try:
                    response = case.call(headers=headers)
                    try:
                        case.validate_response(response, checks=CHECKS, headers=headers)
                    except BaseExceptionGroup as exc:
                        # Schemathesis' report (failures, response, curl) plus what the server
                        # raised, as a plain AssertionError: schemathesis' pytest plugin would
                        # strip Hypothesis' falsifying example from its own error.
                        server = "".join(f"\n\nServer traceback of {tb}" for tb in app.captured_errors)
                        raise AssertionError(f"{exc.message}{server}") from None
                finally:
                    transaction.set_rollback(True)

        fuzz()


def test_every_operation_is_fuzzed(db):
    """The schema served through the WSGI app has exactly the parametrized operations."""
    with wsgi_app() as app:
        schema = schemathesis.openapi.from_wsgi(SCHEMA_PATH, app)
    served = sorted((op.ok().method.upper(), op.ok().path) for op in schema.get_all_operations())
    assert served == OPERATIONS
    assert ("POST", "/api/v1/orders") in OPERATIONS
    assert ("PATCH", "/api/v1/orders/{reference}") in OPERATIONS
    assert ("POST", "/api/v1/orders/{reference}/actions/{action}") in OPERATIONS
