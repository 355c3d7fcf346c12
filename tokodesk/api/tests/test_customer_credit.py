"""GET /api/v1/customers/{id} carries the customer's store-credit balance (the sum of the
StoreCreditEntry ledger, minor units like every amount of the API): after a store-credit
return completes, after a manual credit (goodwill, or a pending store-credit refund marked
paid when store credit is not automatic) and after spending. Orders carry their customer's
id, and the OpenAPI document describes the field."""

import pytest

from tokodesk.orders.services import CustomerInput, LineInput, OrderInput, order_create
from tokodesk.orders.tests.factories import run
from tokodesk.returns.ledger import StoreCreditEntry
from tokodesk.returns.return_settings import ReturnSettings
from tokodesk.returns.tests.factories import paid_order

RETURNS = "/api/v1/returns"


def ok(r, status=200):
    assert r.status_code == status, r.content
    return r.json()


@pytest.fixture
def order(shop, users):
    """A completed order paid by transfer (2 × KAOS-M at 75 000, 1 × MADU-500), agent's."""
    return paid_order(users["owner"], agent="agent")


def budi_order(actor):
    """Another customer's completed, paid order (nobody's agent)."""
    order = order_create(
        data=OrderInput(
            customer=CustomerInput(
                name="Budi Santoso", phone="081298765432", address="Jl. Kenanga 2, Bogor"
            ),
            lines=[LineInput(sku="KAOS-M", qty=1)],
            payment_method="bank_transfer",
            warehouse="jkt",
            courier="jne",
            shipping_cost=18000,
        ),
        actor=actor,
    )
    for action in [
        "confirm",
        "confirm_payment",
        "mark_ready",
        "ship",
        "picked_up",
        "delivered",
        "complete",
    ]:
        order = run(order, action, actor)
    return order


def customer(api, customer_id):
    return ok(api.get(f"/api/v1/customers/{customer_id}"))


def store_credit_return(api, order, qty=1):
    """A store-credit return of `qty` × KAOS-M, driven to completion over HTTP."""
    ref = ok(
        api.post(
            RETURNS,
            {
                "order": order.reference,
                "reason": "Ukuran kekecilan",
                "resolution": "store_credit",
                "lines": [{"sku": "KAOS-M", "qty": qty}],
            },
        ),
        201,
    )["reference"]
    ok(api.post(f"{RETURNS}/{ref}/actions/approve", {}))
    ok(
        api.post(
            f"{RETURNS}/{ref}/actions/receive",
            {
                "warehouse": "jkt",
                "lines": [{"sku": "KAOS-M", "qty": qty, "condition": "resellable"}],
            },
        )
    )
    return ok(
        api.post(
            f"{RETURNS}/{ref}/actions/complete",
            {"lines": [{"sku": "KAOS-M", "decision": "accept"}]},
        )
    )


def test_new_customer_has_no_credit(order, api_as):
    body = customer(api_as("owner"), order.customer_id)
    assert (body["id"], body["name"], body["store_credit"], body["currency"]) == (
        order.customer_id,
        "Siti Rahayu",
        0,
        "IDR",
    )


def test_balance_after_a_store_credit_return_and_a_manual_credit(order, api_as):
    owner, finance = api_as("owner"), api_as("finance")
    done = store_credit_return(owner, order)
    assert (done["status"], done["resolution_amount"]) == ("completed", 75000)
    assert customer(owner, order.customer_id)["store_credit"] == 75000

    # A manual credit from finance (goodwill store credit, no return) goes on the same ledger.
    ok(
        finance.post(
            "/api/v1/refunds",
            {
                "order": order.reference,
                "amount": 20000,
                "method": "store_credit",
                "note": "Maaf atas keterlambatan",
            },
        ),
        201,
    )
    assert customer(owner, order.customer_id)["store_credit"] == 95000
    # Same number as the ledger endpoint, seen by an agent of the order too.
    ledger = ok(owner.get(f"/api/v1/store-credit/{order.customer_id}"))
    assert ledger["balance"] == 95000
    assert customer(api_as("agent"), order.customer_id)["store_credit"] == 95000

    # Spending is a negative entry: the balance is the sum, not the credits.
    StoreCreditEntry.objects.create(customer_id=order.customer_id, amount=-30000, kind="spent")
    assert customer(owner, order.customer_id)["store_credit"] == 65000


def test_manual_store_credit_counts_once_marked_paid(order, api_as):
    """With store credit not automatic, the completed return leaves a pending refund: the
    balance grows only when finance marks it paid."""
    ReturnSettings.objects.filter(pk=ReturnSettings.get().pk).update(store_credit_automatic=False)
    owner, finance = api_as("owner"), api_as("finance")
    done = store_credit_return(owner, order)
    [refund] = done["refunds"]
    assert (refund["method"], refund["status"], refund["amount"]) == (
        "store_credit",
        "pending",
        75000,
    )
    assert customer(owner, order.customer_id)["store_credit"] == 0
    ok(
        finance.client.post(
            f"/api/v1/refunds/{refund['id']}/mark-paid", data={}, **finance._headers({})
        )
    )
    assert customer(owner, order.customer_id)["store_credit"] == 75000


def test_credit_of_another_customer_is_not_mixed_in(order, shop, users, api_as):
    other = budi_order(users["owner"])
    assert other.customer_id != order.customer_id
    store_credit_return(api_as("owner"), other)
    assert customer(api_as("owner"), order.customer_id)["store_credit"] == 0
    assert customer(api_as("owner"), other.customer_id)["store_credit"] == 75000
    # Scoping unchanged: agent has no order of Budi.
    r = api_as("agent").get(f"/api/v1/customers/{other.customer_id}")
    assert r.status_code == 404 and r.json()["code"] == "not_found"


def test_every_order_carries_its_customer_id(order, users, api_as):
    other = budi_order(users["owner"])
    api = api_as("owner")
    items = ok(api.get("/api/v1/orders", {"tab": "all"}))["items"]
    assert {o["reference"]: (o["customer"], o["customer_id"]) for o in items} == {
        order.reference: (order.customer_id, order.customer_id),
        other.reference: (other.customer_id, other.customer_id),
    }
    detail = ok(api.get(f"/api/v1/orders/{order.reference}"))
    assert detail["customer"] == detail["customer_id"] == order.customer_id
    # …and the id leads to the customer with their balance.
    assert customer(api, order.customer_id)["name"] == "Siti Rahayu"


def test_openapi_describes_store_credit(db, client):
    schema = client.get("/api/v1/openapi.json").json()
    op = schema["paths"]["/api/v1/customers/{customer_id}"]["get"]
    ref = op["responses"]["200"]["content"]["application/json"]["schema"]["$ref"]
    detail = schema["components"]["schemas"][ref.rsplit("/", 1)[-1]]
    assert detail["properties"]["store_credit"]["type"] == "integer"
    assert "minor units" in detail["properties"]["store_credit"]["description"]
    assert detail["properties"]["currency"]["type"] == "string"
    assert {"store_credit", "currency", "id", "name"} <= set(detail["required"])
    # The list stays light (no balance per row); orders name their customer.
    list_ref = schema["paths"]["/api/v1/customers"]["get"]["responses"]["200"]["content"][
        "application/json"
    ]
    assert (
        "store_credit"
        not in schema["components"]["schemas"][
            list_ref["schema"]["items"]["$ref"].rsplit("/", 1)[-1]
        ]["properties"]
    )
    order_schema = schema["components"]["schemas"]["OrderOut"]
    for name in ("customer", "customer_id"):
        assert order_schema["properties"][name]["type"] == "integer"
        assert name in order_schema["required"]
