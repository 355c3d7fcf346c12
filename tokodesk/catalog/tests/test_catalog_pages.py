"""The catalog pages: list (filters, keyset pages, no N+1), product page with its stock
grid, create/edit with variants inline, pictures, warehouses, low stock on the nav."""

import io
import re

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tokodesk.catalog.models import Product, ProductImage, Stock, Variant, Warehouse
from tokodesk.orders.models import Order


def client_for(user):
    c = Client(HTTP_ACCEPT_LANGUAGE="en")
    c.force_login(user)
    c.cookies["django_language"] = "en"
    return c


def variant_post(rows, **product):
    data = {
        "name": "Kemeja Batik",
        "slug": "",
        "category": "Pakaian",
        "description": "",
        "active": "on",
        "v-TOTAL_FORMS": str(len(rows)),
        "v-INITIAL_FORMS": "0",
        "v-MIN_NUM_FORMS": "1",
        "v-MAX_NUM_FORMS": "500",
    }
    data.update(product)
    for i, row in enumerate(rows):
        base = {
            "sku": "",
            "name": "",
            "options": "",
            "price": "",
            "compare_at_price": "",
            "weight_grams": "0",
            "barcode": "",
            "active": "on",
        }
        base.update(row)
        for k, v in base.items():
            if v is not None:
                data[f"v-{i}-{k}"] = v
    return data


THREE = [
    {"sku": "BATIK-S", "options": "size=S", "price": "120.000"},
    {"sku": "BATIK-M", "options": "size=M", "price": "120000", "compare_at_price": "150000"},
    {"sku": "BATIK-L", "options": "size=L, colour=biru", "price": "125000", "weight_grams": "300"},
]


def test_create_product_with_three_variants(shop, users):
    c = client_for(users["owner"])
    r = c.post(reverse("catalog:new"), variant_post(THREE))
    assert r.status_code == 302, r.content.decode()[:2000]
    product = Product.objects.get(name="Kemeja Batik")
    assert product.category.name == "Pakaian"
    assert {(v.sku, v.price, v.compare_at_price, v.name) for v in product.variants.all()} == {
        ("BATIK-S", 120000, None, "S"),
        ("BATIK-M", 120000, 150000, "M"),
        ("BATIK-L", 125000, None, "L / biru"),
    }
    assert Variant.objects.get(sku="BATIK-L").options == {"size": "L", "colour": "biru"}
    page = c.get(reverse("catalog:list")).content.decode()
    assert 'data-sku="BATIK-M"' in page


def test_inline_errors_keep_what_was_typed(shop, users):
    c = client_for(users["owner"])
    rows = [
        {"sku": "OK-1", "price": "1000"},
        {"sku": "KAOS-M", "price": "1000"},
        {"sku": "BAD-3", "price": "10", "compare_at_price": "5"},
    ]
    # The form's own checks first (compare-at above the price), what was typed kept.
    r = c.post(reverse("catalog:new"), variant_post(rows))
    assert r.status_code == 422
    assert "The compare-at price must be above the price." in r.content.decode()
    assert 'value="BAD-3"' in r.content.decode()
    # Then the SKU another product has, on its row.
    rows[2]["compare_at_price"] = ""
    r = c.post(reverse("catalog:new"), variant_post(rows))
    assert r.status_code == 422
    assert "SKU KAOS-M is already used by another product." in r.content.decode()
    assert not Product.objects.filter(name="Kemeja Batik").exists()
    assert not Variant.objects.filter(sku="OK-1").exists()


def test_edit_removes_unsold_variant_and_deactivates_sold_one(shop, users):
    c = client_for(users["owner"])
    product = shop["kaos_m"].product
    form = c.get(reverse("catalog:edit", args=[product.pk])).content.decode()
    assert 'value="KAOS-L"' in form and 'value="KAOS-M"' in form
    # KAOS-M has an order line: removal deactivates it.
    api_order = _order(users["owner"], "KAOS-M")
    assert api_order
    Stock.objects.filter(variant=shop["kaos_l"]).update(on_hand=0)
    variants = [
        {
            "id": str(v.pk),
            "sku": v.sku,
            "name": v.name,
            "price": str(v.price),
            "weight_grams": "200",
            "DELETE": "on",
        }
        for v in product.variants.order_by("sku")
    ]
    variants.append({"sku": "KAOS-XL", "price": "80000"})
    data = variant_post(variants, name="Kaos Polos Premium", version=str(product.version))
    data["v-INITIAL_FORMS"] = "2"
    r = c.post(reverse("catalog:edit", args=[product.pk]), data)
    assert r.status_code == 302, r.content.decode()[:3000]
    assert not Variant.objects.filter(sku="KAOS-L").exists()
    assert Variant.objects.get(sku="KAOS-M").active is False
    assert Variant.objects.get(sku="KAOS-XL").product_id == product.pk
    assert Product.objects.get(pk=product.pk).name == "Kaos Polos Premium"
    assert Order.objects.filter(reference=api_order).exists()


def _order(user, sku):
    from conftest import ApiClient

    r = ApiClient(user).post(
        "/api/v1/orders",
        {
            "customer": {"name": "Siti", "phone": "081234567890", "address": "Jl. Melati 5"},
            "lines": [{"sku": sku, "qty": 2}],
            "payment_method": "cod",
            "warehouse": "jkt",
        },
    )
    assert r.status_code == 201, r.content
    return r.json()["reference"]


def test_product_page_stock_grid(shop, users):
    Stock.objects.filter(variant=shop["kaos_m"], warehouse=shop["jkt"]).update(reserved=3)
    stock = Stock.objects.get(variant=shop["kaos_m"], warehouse=shop["jkt"])
    html = (
        client_for(users["agent"])
        .get(reverse("catalog:product", args=[shop["kaos_m"].product_id]))
        .content.decode()
    )
    cell = re.search(
        r'<tr data-sku="KAOS-M">\s*<td><strong>KAOS-M</strong>.*?</tr>',
        html[html.index('id="stock-grid"') :],
        re.S,
    ).group(0)
    assert (
        f'data-on-hand="{stock.on_hand}" data-reserved="{stock.reserved}" data-available="{stock.available}"'
        in cell
    )
    assert stock.reserved > 0
    assert 'data-warehouse="sby"' in html
    assert "edit-product" not in html  # agents read only


def test_list_queries_do_not_grow_and_pages_follow(shop, users):
    c = client_for(users["owner"])
    c.get(reverse("catalog:list"))  # warm the session and settings caches

    def count():
        with CaptureQueriesContext(connection) as ctx:
            assert c.get(reverse("catalog:list")).status_code == 200
        return len(ctx)

    small = count()
    wh = shop["jkt"]
    for i in range(60):
        p = Product.objects.create(name=f"Produk {i:02d}", slug=f"produk-{i}")
        for size in "SML":
            v = Variant.objects.create(product=p, sku=f"P{i}-{size}", price=1000)
            Stock.objects.create(variant=v, warehouse=wh, on_hand=5)
    assert count() == small
    first = c.get(reverse("catalog:list")).content.decode()
    cursor = re.search(r'cursor=([A-Za-z0-9_-]+)" rel="next"', first).group(1)
    second = c.get(reverse("catalog:list"), {"cursor": cursor}).content.decode()
    slugs = lambda html: re.findall(r'<tr data-slug="([^"]+)"', html)  # noqa: E731
    assert len(slugs(first)) == 50
    assert set(slugs(first)).isdisjoint(slugs(second))
    assert len(slugs(first)) + len(slugs(second)) == Product.objects.count()
    # A crafted cursor is the first page, not a 500.
    assert c.get(reverse("catalog:list"), {"cursor": "%%%"}).status_code == 200


def test_list_filters(shop, users):
    c = client_for(users["owner"])
    Stock.objects.filter(variant=shop["madu"]).update(reorder_point=150)

    def slugs(**q):
        return re.findall(
            r'<tr data-slug="([^"]+)"', c.get(reverse("catalog:list"), q).content.decode()
        )  # noqa: E731

    assert slugs(low="1") == ["madu-hutan"]
    assert slugs(warehouse=str(shop["sby"].pk)) == ["sepatu-lari"]
    assert slugs(q="sepatu-4") == ["sepatu-lari"]
    Product.objects.filter(slug="madu-hutan").update(active=False)
    assert "madu-hutan" not in slugs(active="1") and slugs(active="0") == ["madu-hutan"]


def test_low_stock_view_and_nav_count(shop, users):
    c = client_for(users["warehouse"])
    assert 'id="nav-low-stock"' not in c.get(reverse("catalog:list")).content.decode()
    Stock.objects.filter(variant=shop["madu"]).update(
        reorder_point=100
    )  # 100 on hand, 0 reserved: low
    Stock.objects.filter(variant=shop["kaos_m"]).update(reorder_point=99)  # 100 available: not low
    html = c.get(reverse("catalog:list")).content.decode()
    assert re.search(r'id="nav-low-stock" data-count="1"', html)
    page = c.get(reverse("catalog:low_stock")).content.decode()
    assert re.findall(r'<tr data-sku="([^"]+)"', page) == ["MADU-500"]
    product = reverse("catalog:product", kwargs={"pk": shop["madu"].product_id})
    assert f'<a href="{product}">Madu Hutan – 500 ml</a>' in page


def test_roles(shop, users):
    agent = client_for(users["agent"])
    assert agent.get(reverse("catalog:list")).status_code == 200
    assert agent.get(reverse("catalog:new")).status_code == 403
    assert agent.post(reverse("catalog:new"), variant_post(THREE)).status_code == 403
    assert agent.get(reverse("catalog:warehouse_new")).status_code == 403
    assert not Product.objects.filter(name="Kemeja Batik").exists()
    assert client_for(users["admin"]).get(reverse("catalog:new")).status_code == 200


def test_warehouse_with_stock_cannot_be_deactivated(shop, users):
    c = client_for(users["owner"])
    r = c.post(
        reverse("catalog:warehouse_new"),
        {
            "code": "bdg",
            "name": "Gudang Bandung",
            "city": "Bandung",
            "district": "Coblong",
            "phone": "022 2500 123",
            "active": "on",
        },
    )
    assert r.status_code == 302
    assert Warehouse.objects.get(code="bdg").district == "Coblong"
    jkt = shop["jkt"]
    r = c.post(reverse("catalog:warehouse_edit", args=[jkt.pk]), {"code": "jkt", "name": jkt.name})
    assert r.status_code == 422
    assert "still holds stock of 3 variants" in r.content.decode()
    assert Warehouse.objects.get(pk=jkt.pk).active
    bad = c.post(
        reverse("catalog:warehouse_new"),
        {"code": "Jakarta Pusat!", "name": "Pusat", "phone": "abc"},
    )
    assert bad.status_code == 422
    assert bad.content.decode().count('class="field-error"') == 2
    assert not Warehouse.objects.filter(name="Pusat").exists()


def _png():
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (800, 600), "red").save(out, "PNG")
    out.seek(0)
    out.name = "foto produk.png"
    return out


def test_picture_upload_makes_a_thumbnail(shop, users, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    c = client_for(users["owner"])
    pid = shop["madu"].product_id
    r = c.post(reverse("catalog:image_upload", args=[pid]), {"image": _png()})
    assert r.status_code == 302
    image = ProductImage.objects.get(product_id=pid)
    from PIL import Image

    with Image.open(image.thumbnail.path) as thumb:
        assert max(thumb.size) == 320 and thumb.format == "JPEG"
    served = c.get(reverse("catalog:image", args=[image.pk]), {"thumb": "1"})
    assert served.status_code == 200 and served["Content-Type"] == "image/jpeg"
    fake = io.BytesIO(b"<html><script>alert(1)</script>")
    fake.name = "x.png"
    c.post(reverse("catalog:image_upload", args=[pid]), {"image": fake})
    assert ProductImage.objects.filter(product_id=pid).count() == 1


def test_low_stock_page_shows_the_most_urgent_and_says_how_many_in_all(shop, users, monkeypatch):
    from tokodesk.catalog.views import products

    monkeypatch.setattr(products, "LOW_STOCK_PAGE", 1)
    Stock.objects.filter(variant=shop["madu"]).update(reorder_point=100)  # 100 available: low by 0
    Stock.objects.filter(variant=shop["kaos_m"]).update(reorder_point=150)  # 100 available: low by 50
    page = client_for(users["warehouse"]).get(reverse("catalog:low_stock")).content.decode()
    assert re.findall(r'<tr data-sku="([^"]+)"', page) == ["KAOS-M"]  # the worst first, one row
    assert "data-page-full" in page and "The 1 most urgent of 2 are shown" in page
