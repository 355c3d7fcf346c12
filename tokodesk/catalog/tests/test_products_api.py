"""The catalog API integrators script against: products with variants, warehouses."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tokodesk.catalog.models import Product, Stock, Variant, Warehouse
from tokodesk.orders.models import Order

MADU = {
    "name": "Madu Hutan 1 L",
    "variants": [
        {"sku": "MADU-1000", "price": 150000, "weight_grams": 1200, "options": {"size": "1 L"}}
    ],
}


def test_create_product_as_the_issue_writes_it(shop, api):
    r = api.post("/api/v1/products", MADU)
    assert r.status_code == 201, r.content
    body = r.json()
    assert body["slug"] == "madu-hutan-1-l"
    assert isinstance(body["id"], int)
    assert [(v["sku"], v["price"], v["weight_grams"], v["options"]) for v in body["variants"]] == [
        ("MADU-1000", 150000, 1200, {"size": "1 L"})
    ]
    assert r["ETag"] == '"1"'
    variant = Variant.objects.get(sku="MADU-1000")
    assert variant.product_id == body["id"] and variant.name == "1 L"
    # The same name again gets its own slug.
    again = api.post("/api/v1/products", {**MADU, "variants": [{"sku": "MADU-1001", "price": 1}]})
    assert again.json()["slug"] == "madu-hutan-1-l-2"


def test_idempotency_key_replays_without_a_second_product(shop, api):
    headers = {"Idempotency-Key": "p-1"}
    first = api.post("/api/v1/products", MADU, headers=headers)
    second = api.post("/api/v1/products", MADU, headers=headers)
    assert first.status_code == second.status_code == 201
    assert first.json()["id"] == second.json()["id"]
    assert Product.objects.filter(name="Madu Hutan 1 L").count() == 1


@pytest.mark.parametrize(
    "body,status,code,field",
    [
        ({"name": "", "variants": [{"sku": "X-1", "price": 1}]}, 422, "invalid_input", "name"),
        ({"name": "A", "variants": []}, 422, "invalid_input", "variants"),
        (
            {"name": "A", "variants": [{"sku": "X 1", "price": 1}]},
            422,
            "invalid_input",
            "variants.0.sku",
        ),
        (
            {"name": "A", "variants": [{"sku": "X-1", "price": -5}]},
            422,
            "invalid_input",
            "variants.0.price",
        ),
        (
            {"name": "A", "variants": [{"sku": "X-1", "price": 10, "compare_at_price": 5}]},
            422,
            "invalid_input",
            "variants.0.compare_at_price",
        ),
        (
            {"name": "A", "variants": [{"sku": "X-1", "price": 1}, {"sku": "x-1", "price": 1}]},
            422,
            "invalid_input",
            "variants.1.sku",
        ),
        (
            {"name": "A", "variants": [{"sku": "MADU-500", "price": 1}]},
            409,
            "sku_taken",
            "variants.0.sku",
        ),
        (
            {"name": "A", "slug": "madu-hutan", "variants": [{"sku": "X-1", "price": 1}]},
            409,
            "slug_taken",
            "slug",
        ),
        (
            {"name": "A", "variants": [{"sku": "X-1", "price": "lots"}]},
            422,
            "invalid_input",
            "variants.0.price",
        ),
    ],
)
def test_refusals_name_the_field_and_write_nothing(shop, api, body, status, code, field):
    before = (Product.objects.count(), Variant.objects.count())
    r = api.post("/api/v1/products", body)
    assert r.status_code == status, r.content
    assert r.json()["code"] == code
    assert field in r.json()["fields"], r.json()
    assert (Product.objects.count(), Variant.objects.count()) == before


def test_list_is_paged_by_cursor_with_constant_queries(shop, api):
    for i in range(7):
        api.post(
            "/api/v1/products",
            {
                "name": f"P{i}",
                "variants": [{"sku": f"P-{i}-A", "price": 1}, {"sku": f"P-{i}-B", "price": 2}],
            },
        )
    seen, cursor, counts = [], None, []
    while True:
        with CaptureQueriesContext(connection) as ctx:
            r = api.get("/api/v1/products", {"limit": 3, **({"cursor": cursor} if cursor else {})})
        counts.append(len(ctx))
        assert r.status_code == 200, r.content
        seen += [p["id"] for p in r.json()["items"]]
        cursor = r.json()["next_cursor"]
        if not cursor:
            break
    assert seen == sorted(Product.objects.values_list("id", flat=True), reverse=True)
    assert len(set(counts)) == 1, (
        counts
    )  # pages of 3 products and 6 variants cost what pages of 1 do
    bad = api.get("/api/v1/products", {"cursor": "!!"})
    assert bad.status_code == 422 and list(bad.json()["fields"]) == ["cursor"]


def test_list_filters(shop, api):
    Stock.objects.filter(variant=shop["madu"]).update(reorder_point=100, reserved=1)
    slugs = lambda **q: [p["slug"] for p in api.get("/api/v1/products", q).json()["items"]]  # noqa: E731
    assert slugs(low_stock="true") == ["madu-hutan"]
    assert slugs(warehouse="sby") == ["sepatu-lari"]
    assert slugs(q="KAOS-L") == ["kaos-polos"]
    Product.objects.filter(slug="kaos-polos").update(active=False)
    assert "kaos-polos" not in slugs(active="true")
    assert api.get("/api/v1/products", {"category": str(10**30)}).status_code == 422


def test_patch_checks_the_version(shop, api):
    made = api.post("/api/v1/products", MADU).json()
    url = f"/api/v1/products/{made['slug']}"
    r = api.patch(
        url,
        {
            "name": "Madu Hutan Super",
            "version": 1,
            "variants": [
                {"sku": "MADU-1000", "price": 160000},
                {"sku": "MADU-250", "price": 50000},
            ],
        },
    )
    assert r.status_code == 200, r.content
    body = r.json()
    assert body["version"] == 2 and body["slug"] == made["slug"]
    assert {v["sku"]: v["price"] for v in body["variants"]} == {
        "MADU-1000": 160000,
        "MADU-250": 50000,
    }
    stale = api.patch(url, {"name": "Lama", "version": 1})
    assert stale.status_code == 409 and stale.json()["code"] == "stale_version"
    stale_header = api.patch(url, {"name": "Lama"}, headers={"If-Match": '"1"'})
    assert stale_header.status_code == 412
    assert Product.objects.get(pk=made["id"]).name == "Madu Hutan Super"


def test_variant_with_orders_is_deactivated_never_deleted(shop, api):
    from tokodesk.catalog.services.products import variant_remove

    assert (
        api.post(
            "/api/v1/orders",
            {
                "customer": {"name": "Siti", "phone": "081234567890", "address": "Jl. Melati 5"},
                "lines": [{"sku": "KAOS-M", "qty": 1}],
                "payment_method": "cod",
                "warehouse": "jkt",
            },
        ).status_code
        == 201
    )
    r = api.post("/api/v1/variants/KAOS-M/deactivate")
    assert r.status_code == 200
    assert [v["active"] for v in r.json()["variants"] if v["sku"] == "KAOS-M"] == [False]
    assert variant_remove(variant_id=shop["kaos_m"].pk, actor=None) == "deactivated"
    assert Variant.objects.filter(sku="KAOS-M").exists()
    fresh = Variant.objects.create(product=shop["kaos_m"].product, sku="KAOS-XL", price=1)
    assert variant_remove(variant_id=fresh.pk, actor=None) == "deleted"
    assert not Variant.objects.filter(sku="KAOS-XL").exists()
    assert Order.objects.count() == 1


def test_agents_read_only(shop, api_as):
    agent = api_as("agent")
    assert agent.get("/api/v1/products").status_code == 200
    r = agent.post("/api/v1/products", MADU)
    assert r.status_code == 403 and r.json()["code"] == "permission_denied"
    assert agent.post("/api/v1/warehouses", {"code": "bdg", "name": "Bandung"}).status_code == 403
    assert agent.post("/api/v1/variants/KAOS-M/deactivate").status_code == 403
    assert Variant.objects.get(sku="KAOS-M").active
    assert api_as("admin").post("/api/v1/products", MADU).status_code == 201


def test_warehouses(shop, api):
    r = api.post("/api/v1/warehouses", {"code": "bdg", "name": "Gudang Bandung", "city": "Bandung"})
    assert r.status_code == 201, r.content
    assert r.json()["code"] == "bdg" and r.json()["city"] == "Bandung"
    again = api.post("/api/v1/warehouses", {"code": "bdg", "name": "Lagi"})
    assert again.status_code == 409 and again.json()["code"] == "code_taken"
    bad = api.post("/api/v1/warehouses", {"code": "B D G", "name": ""})
    assert bad.status_code == 422 and set(bad.json()["fields"]) == {"code", "name"}
    codes = [w["code"] for w in api.get("/api/v1/warehouses").json()]
    assert sorted(codes) == ["bdg", "jkt", "sby"]
    # jkt holds stock: it cannot be deactivated; bdg holds nothing and can.
    refused = api.patch("/api/v1/warehouses/jkt", {"active": False})
    assert refused.status_code == 409 and refused.json()["code"] == "warehouse_in_use"
    assert Warehouse.objects.get(code="jkt").active
    assert api.patch("/api/v1/warehouses/bdg", {"active": False}).json()["active"] is False


def test_in_the_openapi_document(api):
    paths = api.get("/api/v1/openapi.json").json()["paths"]
    assert {"post", "get"} <= set(paths["/api/v1/products"])
    assert "patch" in paths["/api/v1/products/{key}"]
    assert {"post", "get"} <= set(paths["/api/v1/warehouses"])
    assert "post" in paths["/api/v1/variants/{sku}/deactivate"]


def test_warehouse_with_an_open_order_cannot_be_deactivated(shop, api):
    bdg = Warehouse.objects.create(code="bdg", name="Gudang Bandung")
    Stock.objects.create(variant=shop["kaos_m"], warehouse=bdg, on_hand=5)
    made = api.post(
        "/api/v1/orders",
        {
            "customer": {"name": "Siti", "phone": "081234567890", "address": "Jl. Melati 5"},
            "lines": [{"sku": "KAOS-M", "qty": 1}],
            "payment_method": "cod",
            "warehouse": "bdg",
        },
    )
    assert made.status_code == 201, made.content
    Stock.objects.filter(warehouse=bdg).update(
        on_hand=0, reserved=0
    )  # no goods left, the order still open
    refused = api.patch("/api/v1/warehouses/bdg", {"active": False})
    assert refused.status_code == 409 and refused.json()["code"] == "warehouse_in_use"
    assert any(t in refused.json()["message"] for t in ("1 open orders", "1 pesanan terbuka"))
    Order.objects.filter(warehouse=bdg).update(status="cancelled")
    assert api.patch("/api/v1/warehouses/bdg", {"active": False}).json()["active"] is False
