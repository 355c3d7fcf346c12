from conftest import order_payload


def test_create_and_confirm(shop, api):
    r = api.post("/api/v1/orders", order_payload(lines=[{"sku": "MADU-500", "qty": 2}]))
    assert r.status_code == 201, r.content
    body = r.json()
    print(body)
    assert body["status"] == "new" and body["total"] == 318000
    r = api.post(f"/api/v1/orders/{body['reference']}/actions/confirm")
    assert r.status_code == 200, r.content
    assert r.json()["status"] == "confirmed"
    r = api.get("/api/v1/orders", {"tab": "pending"})
    assert r.status_code == 200, r.content
    print(r.json())
    r = api.get("/api/v1/orders/tab-counts")
    print(r.json())
    assert r.json()["pending"] == 1
