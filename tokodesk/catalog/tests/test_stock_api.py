"""The stock API as integrators script it (issue 13's shapes), its refusals with codes,
Idempotency-Key, roles, and the ledger's cursor list."""

import pytest

from tokodesk.catalog.models import Stock, StockMovement
from tokodesk.catalog.services.ledger import open_ledger, stock_differences

pytestmark = pytest.mark.django_db


@pytest.fixture
def ledger(shop):
    open_ledger()
    return shop


def on_hand(sku, wh="jkt"):
    return Stock.objects.get(variant__sku=sku, warehouse__code=wh).on_hand


def test_receipt_adjustment_transfer_and_levels(ledger, api_as):
    api = api_as("warehouse")
    r = api.post(
        "/api/v1/stock/receipts",
        {
            "warehouse": "jkt",
            "supplier": "CV Madu",
            "lines": [{"sku": "MADU-500", "qty": 40, "unit_cost": 90000}],
        },
    )
    assert r.status_code == 201, r.content
    assert r.json()["lines"] == [{"sku": "MADU-500", "qty": 40, "unit_cost": 90000}]
    r = api.post(
        "/api/v1/stock/adjustments",
        {"warehouse": "jkt", "sku": "MADU-500", "qty_change": -2, "reason": "damaged"},
    )
    assert r.status_code == 201, r.content
    assert r.json()["on_hand"] == 138
    r = api.post(
        "/api/v1/stock/transfers",
        {"from": "jkt", "to": "sby", "lines": [{"sku": "MADU-500", "qty": 8}]},
    )
    assert r.status_code == 201, r.content
    assert (r.json()["from"], r.json()["to"]) == ("jkt", "sby")
    r = api.get("/api/v1/stock", {"sku": "MADU-500"})
    assert r.status_code == 200
    assert [
        (row["warehouse"], row["on_hand"], row["reserved"], row["available"]) for row in r.json()
    ] == [("jkt", 130, 0, 130), ("sby", 8, 0, 8)]
    assert not stock_differences()


@pytest.mark.parametrize(
    ("path", "body", "status", "code"),
    [
        (
            "/api/v1/stock/adjustments",
            {"warehouse": "jkt", "sku": "KAOS-M", "qty_change": -101, "reason": "lost"},
            409,
            "negative_stock",
        ),
        (
            "/api/v1/stock/receipts",
            {"warehouse": "jkt", "lines": [{"sku": "NOPE", "qty": 1}]},
            422,
            "unknown_sku",
        ),
        (
            "/api/v1/stock/transfers",
            {"from": "jkt", "to": "jkt", "lines": [{"sku": "KAOS-M", "qty": 1}]},
            422,
            "same_warehouse",
        ),
        (
            "/api/v1/stock/receipts",
            {"warehouse": "jkt", "lines": [{"sku": "KAOS-M", "qty": 0}]},
            422,
            "invalid_input",
        ),
        (
            "/api/v1/stock/receipts",
            {"warehouse": "zzz", "lines": [{"sku": "KAOS-M", "qty": 1}]},
            422,
            "unknown_warehouse",
        ),
        (
            "/api/v1/stock/adjustments",
            {"warehouse": "jkt", "sku": "KAOS-M", "qty_change": 1, "reason": "xx"},
            422,
            "invalid_input",
        ),
        ("/api/v1/stock/receipts", {"warehouse": "jkt", "lines": "x"}, 422, None),
    ],
)
def test_refusals_carry_a_code_and_change_nothing(ledger, api, path, body, status, code):
    before = StockMovement.objects.count()
    r = api.post(path, body)
    assert r.status_code == status, r.content
    if code:
        assert r.json()["code"] == code
    assert r.json()["message"]
    assert StockMovement.objects.count() == before
    assert on_hand("KAOS-M") == 100


def test_agents_read_but_cannot_write(ledger, api_as):
    agent = api_as("agent")
    assert agent.get("/api/v1/stock", {"sku": "KAOS-M"}).status_code == 200
    assert agent.get("/api/v1/stock/movements").status_code == 200
    r = agent.post(
        "/api/v1/stock/receipts", {"warehouse": "jkt", "lines": [{"sku": "KAOS-M", "qty": 1}]}
    )
    assert r.status_code == 403 and r.json()["code"] == "permission_denied"
    assert on_hand("KAOS-M") == 100


def test_idempotency_key_replays_the_receipt(ledger, api):
    body = {"warehouse": "jkt", "lines": [{"sku": "KAOS-L", "qty": 3}]}
    first = api.post("/api/v1/stock/receipts", body, headers={"Idempotency-Key": "rcv-1"})
    again = api.post("/api/v1/stock/receipts", body, headers={"Idempotency-Key": "rcv-1"})
    assert first.status_code == again.status_code == 201
    assert first.json()["id"] == again.json()["id"]
    assert on_hand("KAOS-L") == 103


def test_movements_cursor_list_with_filters(ledger, api):
    for i in range(5):
        api.post(
            "/api/v1/stock/receipts",
            {"warehouse": "jkt", "lines": [{"sku": "KAOS-M", "qty": i + 1}]},
        )
    api.post("/api/v1/stock/receipts", {"warehouse": "sby", "lines": [{"sku": "KAOS-M", "qty": 9}]})
    seen, cursor = [], None
    while True:
        params = {"sku": "KAOS-M", "warehouse": "jkt", "limit": 2, "kind": "receipt"}
        if cursor:
            params["cursor"] = cursor
        r = api.get("/api/v1/stock/movements", params)
        assert r.status_code == 200, r.content
        seen += r.json()["items"]
        cursor = r.json()["next_cursor"]
        if not cursor:
            break
    assert [m["qty"] for m in seen] == [5, 4, 3, 2, 1]
    assert [m["balance_after"] for m in seen] == [115, 110, 106, 103, 101]
    m = seen[0]
    assert m["kind"] == "receipt" and m["actor"] == "owner" and m["document"]["type"] == "receipt"
    assert m["created_at"]
    assert api.get("/api/v1/stock/movements", {"cursor": "junk"}).status_code == 422
    assert api.get("/api/v1/stock/movements", {"kind": "junk"}).status_code == 422


def test_stocktake_over_the_api(ledger, api):
    r = api.post("/api/v1/stock/stocktakes", {"warehouse": "jkt"})
    assert r.status_code == 201, r.content
    take = r.json()
    assert {line["sku"] for line in take["lines"]} == {"KAOS-M", "KAOS-L", "MADU-500"}
    r = api.post(
        f"/api/v1/stock/stocktakes/{take['id']}/counts",
        {"lines": [{"sku": "KAOS-L", "counted": 98}]},
    )
    assert r.status_code == 200, r.content
    line = next(li for li in r.json()["lines"] if li["sku"] == "KAOS-L")
    assert (line["expected"], line["difference"]) == (100, -2)
    r = api.post(f"/api/v1/stock/stocktakes/{take['id']}/post")
    assert r.status_code == 200 and r.json()["status"] == "posted"
    assert on_hand("KAOS-L") == 98
    r = api.post(f"/api/v1/stock/stocktakes/{take['id']}/post")
    assert r.status_code == 409 and r.json()["code"] == "stocktake_closed"
    assert not stock_differences()


def test_openapi_lists_the_stock_paths(ledger, api):
    doc = api.get("/api/v1/openapi.json").json()
    for path in [
        "/api/v1/stock",
        "/api/v1/stock/movements",
        "/api/v1/stock/receipts",
        "/api/v1/stock/adjustments",
        "/api/v1/stock/transfers",
        "/api/v1/stock/stocktakes",
    ]:
        assert path in doc["paths"], path
