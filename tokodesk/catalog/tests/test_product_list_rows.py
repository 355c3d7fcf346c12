"""The products page reads plain values (selectors.product_list_rows): for every filter the
rows, their order, the variants, the category and the stock totals equal what the model
read (selectors.product_list, the API's) gives, and the page does a fixed number of
queries that does not grow with the stock rows."""

import itertools
import re

import pytest
from django.db import connection
from django.db.models import Sum
from django.test.utils import CaptureQueriesContext

from tokodesk.catalog import selectors
from tokodesk.catalog.models import Category, Product, Stock, Variant, Warehouse


def _old_rows(filters, cursor=None, limit=selectors.PAGE_SIZE):
    """What the page showed before: model instances, totals summed in Python."""
    products, next_cursor = selectors.product_list(filters=filters, cursor=cursor, limit=limit)
    rows = []
    for p in products:
        stock = [s for v in p.variants.all() for s in v.stock.all()]
        on_hand = sum(s.on_hand for s in stock)
        reserved = sum(s.reserved for s in stock)
        rows.append(
            {
                "pk": p.pk,
                "name": p.name,
                "slug": p.slug,
                "active": p.active,
                "category_name": p.category.name if p.category else None,
                "variants": [{"sku": v.sku, "active": v.active} for v in p.variants.all()],
                "total_on_hand": on_hand,
                "total_reserved": reserved,
                "total_available": on_hand - reserved,
            }
        )
    return rows, next_cursor


@pytest.fixture
def catalog(shop):
    """The shop's products plus a spread: categories, inactive products and variants,
    a second and third warehouse, reserved stock, reorder points, unstocked variants."""
    pakaian = Category.objects.create(name="Pakaian")
    makanan = Category.objects.create(name="Makanan")
    whs = list(Warehouse.objects.filter(active=True).order_by("code"))
    extra = Warehouse.objects.create(code="mdn", name="Medan", city="Medan")
    whs.append(extra)
    for i in range(23):
        p = Product.objects.create(
            name=f"Barang {i:02d}",
            slug=f"barang-{i}",
            category=(pakaian, makanan, None)[i % 3],
            active=i % 5 != 0,
        )
        for j in range(i % 4):  # some products have no variant at all
            v = Variant.objects.create(
                product=p, sku=f"B{i}-{j}", price=1000 + i, active=j != 2, barcode=f"89{i}{j}"
            )
            for k, wh in enumerate(whs):
                if (i + j + k) % 3 == 0:
                    continue  # not stocked there
                Stock.objects.create(
                    variant=v,
                    warehouse=wh,
                    on_hand=10 * i + j + k,
                    reserved=(i + k) % 4,
                    reorder_point=(10 * i + 2 if (i + j) % 3 == 0 else 0),
                )
    return {"whs": whs}


def test_rows_equal_the_model_read_for_every_filter(catalog, shop):
    whs = catalog["whs"]
    cats = [None, *Category.objects.values_list("pk", flat=True)]
    combos = itertools.product(
        ["", "barang-1", "B7-", "8971", "madu"],  # name/slug, SKU, barcode, shop product
        [None, True, False],
        cats,
        [False, True],
        [None, *[w.pk for w in whs]],
    )
    checked = 0
    for q, active, category, low, warehouse in combos:
        filters = selectors.ProductFilters(
            q=q, active=active, category=category, low_stock=low, warehouse=warehouse
        )
        new = selectors.product_list_rows(filters=filters, limit=7)
        assert new == _old_rows(filters, limit=7), filters
        if new[1]:  # and the next page the same way
            assert selectors.product_list_rows(
                filters=filters, cursor=new[1], limit=7
            ) == _old_rows(filters, cursor=new[1], limit=7), filters
        checked += bool(new[0])
    assert checked > 50  # the combinations are not all empty


def test_rows_read_in_three_queries_whatever_the_stock(catalog, shop):
    filters = selectors.ProductFilters()
    with CaptureQueriesContext(connection) as ctx:
        rows, _ = selectors.product_list_rows(filters=filters)
    assert len(ctx) == 3  # products, variants, stock totals
    assert any(r["total_reserved"] for r in rows)
    wh = catalog["whs"][0]
    for v in Variant.objects.all():
        Stock.objects.get_or_create(variant=v, warehouse=wh, defaults={"on_hand": 3})
    with CaptureQueriesContext(connection) as ctx:
        selectors.product_list_rows(filters=filters)
    assert len(ctx) == 3
    assert "SUM(" in ctx.captured_queries[-1]["sql"].upper()


def _plan(sql, params):
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("EXPLAIN QUERY PLAN " + sql, params)
            return "\n".join(str(row[-1]) for row in cursor.fetchall())
        # Tables this small are scanned whatever the indexes; with scans priced out the
        # planner shows whether the query's predicate can use the partial index at all.
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("EXPLAIN " + sql, params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
        cursor.execute("SET LOCAL enable_seqscan = on")
        return plan


def test_low_stock_page_is_one_query_through_the_partial_index(catalog, shop, users):
    with CaptureQueriesContext(connection) as ctx:
        rows = selectors.low_stock_rows()
    assert len(ctx) == 1
    expected = [
        s
        for s in Stock.objects.select_related("variant__product", "warehouse")
        if s.reorder_point
        and s.available <= s.reorder_point
        and s.variant.active
        and s.variant.product.active
        and s.warehouse.active
    ]
    expected.sort(key=lambda s: (s.available, s.variant.sku, s.warehouse.code))
    assert rows and [(r["sku"], r["warehouse_code"], r["avail"]) for r in rows] == [
        (s.variant.sku, s.warehouse.code, s.available) for s in expected
    ]
    assert rows[0]["display_name"] == expected[0].variant.display_name
    assert rows[0]["warehouse_name"] == expected[0].warehouse.name
    # Every warehouse (the page as opened): the stock side is the partial index.
    sql, params = selectors.low_stock_values()[:500].query.sql_with_params()
    plan = _plan(sql, params)
    assert "stock_reorder_point" in plan, plan
    # One warehouse: an index either way (SQLite takes the warehouse's), never a scan.
    wh = catalog["whs"][0].pk
    sql, params = selectors.low_stock_values(warehouse_id=wh)[:500].query.sql_with_params()
    plan = _plan(sql, params)
    assert "catalog_stock" in plan and not re.search(r"(Seq Scan on|SCAN) catalog_stock\b", plan)


def test_stock_totals_read_the_stock_rows_by_their_variant_index(catalog, shop):
    """The page's totals are summed from the stock rows of the page's variants, read by
    the (variant, warehouse) index with no join: grouped per product through a join to
    the variants, PostgreSQL scanned every stock row (23 ms+ a page at 50,000 rows)."""
    with CaptureQueriesContext(connection) as ctx:
        selectors.product_list_rows(filters=selectors.ProductFilters())
    sql = ctx.captured_queries[-1]["sql"]
    assert "SUM(" in sql.upper() and '"catalog_stock"."variant_id" IN' in sql
    assert "JOIN" not in sql.upper()
    ids = [v.pk for v in Variant.objects.all()[:250]]
    query = (
        Stock.objects.filter(variant_id__in=ids)
        .values("variant_id")
        .annotate(h=Sum("on_hand"))
        .order_by()
        .query
    )
    plan = _plan(*query.sql_with_params())
    assert "stock_variant_warehouse" in plan or "catalog_stock_variant_id" in plan, plan


def _expected_low_count():
    return sum(
        1
        for s in Stock.objects.select_related("variant__product", "warehouse")
        if s.reorder_point
        and s.available <= s.reorder_point
        and s.variant.active
        and s.variant.product.active
        and s.warehouse.active
    )


def test_nav_low_stock_count_leaves_out_inactive_variants_products_and_warehouses(catalog, shop):
    """Every page's nav count: the low rows of the partial reorder-point index less those
    of inactive variants, products and warehouses, each read through its own partial
    index (variant_inactive, product_inactive; catalog 0006), never the whole tables."""
    assert selectors.low_stock_count() == _expected_low_count() > 0
    # Each way a row stops counting, and back.
    s = Stock.objects.filter(
        selectors._low_stock_q(),
        variant__active=True,
        variant__product__active=True,
        warehouse__active=True,
    ).first()
    before = selectors.low_stock_count()
    for model, pk in ((Variant, s.variant_id), (Product, s.variant.product_id)):
        model.objects.filter(pk=pk).update(active=False)
        assert selectors.low_stock_count() == _expected_low_count() < before
        model.objects.filter(pk=pk).update(active=True)
    Warehouse.objects.filter(pk=s.warehouse_id).update(active=False)
    assert selectors.low_stock_count() == _expected_low_count() < before
    Warehouse.objects.filter(pk=s.warehouse_id).update(active=True)
    assert selectors.low_stock_count() == before
    # The plan: the partial indexes, no join to the variant or product tables.
    with CaptureQueriesContext(connection) as ctx:
        selectors.low_stock_count()
    sql = ctx.captured_queries[0]["sql"]
    assert "JOIN" not in sql.upper(), sql
    plan = _plan(sql, ())
    for index in ("stock_reorder_point", "variant_inactive", "product_inactive"):
        assert index in plan, plan
