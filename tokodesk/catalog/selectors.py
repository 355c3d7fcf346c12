"""Reads of the catalog: the product list (filters, keyset pages), one product with its
stock grid, warehouses, the low-stock rows and their count, and the availability every
page shows (the landing page editor, the manual order and the product page read the
same `available` = on hand − reserved from `stock_rows`)."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Exists, F, OuterRef, Prefetch, Q, QuerySet, Sum

from tokodesk.catalog.models import Category, Product, ProductImage, Stock, Variant, Warehouse
from tokodesk.core.cursors import decode_cursor, encode_cursor

PAGE_SIZE = 50


@dataclass
class ProductFilters:
    q: str = ""
    active: bool | None = None
    category: int | None = None
    low_stock: bool = False
    warehouse: int | None = None  # products stocked in this warehouse


def _low_stock_q(prefix: str = "") -> Q:
    """available ≤ reorder point, for rows with a reorder point (0 means none set)."""
    return Q(**{f"{prefix}reorder_point__gt": 0}) & Q(
        **{f"{prefix}on_hand__lte": F(f"{prefix}reserved") + F(f"{prefix}reorder_point")}
    )


def stock_rows(
    *, variant_ids=None, warehouse_id: int | None = None, active_warehouses: bool = False
):
    """Stock rows with their warehouse; `available` is on hand − reserved (Stock.available).
    The one query every availability on the pages and in the API reads."""
    qs = Stock.objects.select_related("warehouse")
    if variant_ids is not None:
        qs = qs.filter(variant_id__in=variant_ids)
    if warehouse_id is not None:
        qs = qs.filter(warehouse_id=warehouse_id)
    if active_warehouses:
        qs = qs.filter(warehouse__active=True)
    return qs


def stocked_variants(warehouse_id: int, product_id: int | None = None) -> dict[str, Stock]:
    """The active variants (of active products) with a stock row in the warehouse, by SKU,
    in catalogue order: the manual order's product choice, and (for one product) the
    availability the landing page editor shows."""
    rows = (
        stock_rows(warehouse_id=warehouse_id)
        .filter(variant__active=True, variant__product__active=True)
        .select_related("variant__product")
        .order_by("variant__product__name", "variant__sku")
    )
    if product_id is not None:
        rows = rows.filter(variant__product_id=product_id)
    return {row.variant.sku: row for row in rows}


def _filtered_products(filters: ProductFilters, cursor: str | None) -> QuerySet:
    """Products matching the filters after the cursor (keyset on id, newest first)."""
    qs = Product.objects.all()
    if filters.q:
        q = filters.q.strip()[:100]
        qs = qs.filter(
            Q(name__icontains=q)
            | Q(slug__icontains=q)
            | Exists(
                Variant.objects.filter(product=OuterRef("pk")).filter(
                    Q(sku__icontains=q) | Q(barcode=q)
                )
            )
        )
    if filters.active is not None:
        qs = qs.filter(active=filters.active)
    if filters.category:
        qs = qs.filter(category_id=filters.category)
    if filters.warehouse:
        qs = qs.filter(
            Exists(
                Stock.objects.filter(
                    variant__product=OuterRef("pk"), warehouse_id=filters.warehouse
                )
            )
        )
    if filters.low_stock:
        low = Stock.objects.filter(
            _low_stock_q(), variant__product=OuterRef("pk"), variant__active=True
        )
        if filters.warehouse:
            low = low.filter(warehouse_id=filters.warehouse)
        qs = qs.filter(Exists(low))
    if cursor:
        _value, last_id = decode_cursor(cursor, kind="int")
        qs = qs.filter(pk__lt=last_id)
    return qs.order_by("-id")


def product_list(*, filters: ProductFilters, cursor: str | None = None, limit: int = PAGE_SIZE):
    """A page of products, newest first (keyset on id), with variants and their stock
    prefetched: a constant number of queries per page (the API's read; the page reads
    product_list_rows). Returns (products, next_cursor)."""
    qs = _filtered_products(filters, cursor).select_related("category")
    rows = list(qs[: limit + 1])
    next_cursor = None
    if len(rows) > limit:
        rows = rows[:limit]
        next_cursor = encode_cursor([rows[-1].pk, rows[-1].pk])
    _attach_variants(rows)
    return rows, next_cursor


def product_list_rows(
    *, filters: ProductFilters, cursor: str | None = None, limit: int = PAGE_SIZE
) -> tuple[list[dict], str | None]:
    """The products page's rows as plain values, no model instances: one query for the
    page's products (with their category name), one for their variants' SKUs, one
    aggregated query for the stock totals per product (every variant, every warehouse).
    Each row: pk, name, slug, active, category_name, variants [{sku, active}],
    total_on_hand, total_reserved, total_available. Returns (rows, next_cursor)."""
    rows = list(
        _filtered_products(filters, cursor).values(
            "name", "slug", "active", pk=F("id"), category_name=F("category__name")
        )[: limit + 1]
    )
    next_cursor = None
    if len(rows) > limit:
        rows = rows[:limit]
        next_cursor = encode_cursor([rows[-1]["pk"], rows[-1]["pk"]])
    if not rows:
        return rows, next_cursor
    ids = [r["pk"] for r in rows]
    variants: dict[int, list] = {}
    product_of: dict[int, int] = {}
    for v in (
        Variant.objects.filter(product_id__in=ids)
        .order_by("sku")
        .values("id", "product_id", "sku", "active")
    ):
        product_of[v.pop("id")] = v["product_id"]
        variants.setdefault(v.pop("product_id"), []).append(v)
    # Summed per variant by the stock rows' own (variant, warehouse) index, then per product
    # here: grouped per product through a join, PostgreSQL scanned every stock row (50,000
    # at 10,000 variants × 5 warehouses: 23 ms+ a page, against 0.6 ms).
    totals: dict[int, list[int]] = {}
    for variant_id, on_hand, reserved in (
        Stock.objects.filter(variant_id__in=list(product_of))
        .values("variant_id")
        .annotate(on_hand=Sum("on_hand"), reserved=Sum("reserved"))
        .values_list("variant_id", "on_hand", "reserved")
        .order_by()
    ):
        t = totals.setdefault(product_of[variant_id], [0, 0])
        t[0] += on_hand or 0
        t[1] += reserved or 0
    for r in rows:
        on_hand, reserved = totals.get(r["pk"], (0, 0))
        r["variants"] = variants.get(r["pk"], [])
        r["total_on_hand"] = on_hand
        r["total_reserved"] = reserved
        r["total_available"] = on_hand - reserved
    return rows, next_cursor


_EMPTY_QUERIES: dict = {}


def _cached(model, items) -> QuerySet:
    """A queryset that holds `items` without querying, as prefetch_related leaves one. The
    Query is shared (a filter on it clones it first): building one per row cost more than
    the rows."""
    if model not in _EMPTY_QUERIES:
        _EMPTY_QUERIES[model] = QuerySet(model=model).query
    qs = QuerySet(model=model, query=_EMPTY_QUERIES[model])
    qs._result_cache, qs._prefetch_done = list(items), True
    return qs


def _attach_variants(products: list[Product]) -> None:
    """What _with_variants prefetches (variants by SKU, their stock with its warehouse,
    the images), in the same three queries, without prefetch_related's per-row cost:
    Django clones the lookup queryset once per related row, ~200 ms of CPU for a page of
    50 products with 250 variants and 1,250 stock rows (bench/measure_catalog.py)."""
    if not products:
        return
    ids = [p.pk for p in products]
    variants = list(Variant.objects.filter(product_id__in=ids).order_by("sku"))
    warehouses = {w.pk: w for w in Warehouse.objects.all()}  # a few: not one per stock row
    order = {pk: w.code for pk, w in warehouses.items()}
    stock_by_variant: dict[int, list] = {}
    for row in Stock.objects.filter(variant_id__in=[v.pk for v in variants]):
        Stock.warehouse.field.set_cached_value(row, warehouses[row.warehouse_id])
        stock_by_variant.setdefault(row.variant_id, []).append(row)
    for rows in stock_by_variant.values():
        rows.sort(key=lambda r: order[r.warehouse_id])
    images: dict[int, list] = {}
    for image in ProductImage.objects.filter(product_id__in=ids).order_by("position", "id"):
        images.setdefault(image.product_id, []).append(image)
    by_product: dict[int, list] = {}
    for v in variants:
        v._prefetched_objects_cache = {"stock": _cached(Stock, stock_by_variant.get(v.pk, []))}
        by_product.setdefault(v.product_id, []).append(v)
    for p in products:
        for v in by_product.get(p.pk, []):
            Variant.product.field.set_cached_value(v, p)
        p._prefetched_objects_cache = {
            "variants": _cached(Variant, by_product.get(p.pk, [])),
            "images": _cached(ProductImage, images.get(p.pk, [])),
        }


def _with_variants(qs):
    return qs.prefetch_related(
        Prefetch(
            "variants",
            queryset=Variant.objects.order_by("sku").prefetch_related(
                Prefetch(
                    "stock",
                    queryset=Stock.objects.select_related("warehouse").order_by("warehouse__code"),
                )
            ),
        ),
        Prefetch("images", queryset=ProductImage.objects.order_by("position", "id")),
    )


def product_get(*, key: str | int) -> Product | None:
    """A product by slug (or by id when the key is a number no slug has)."""
    qs = _with_variants(Product.objects.select_related("category"))
    found = qs.filter(slug=str(key)).first()
    if found is None and str(key).isdigit() and len(str(key)) < 19:
        found = qs.filter(pk=int(key)).first()
    return found


@dataclass
class GridCell:
    on_hand: int
    reserved: int
    available: int
    reorder_point: int
    low: bool


def stock_grid(
    product: Product,
) -> tuple[list[Warehouse], list[tuple[Variant, list[GridCell | None]]]]:
    """Variant × warehouse: one cell per stock row (None where the variant is not stocked).
    Warehouses: the active ones and any inactive one that still holds this product."""
    variants = list(product.variants.all())
    rows = [s for v in variants for s in v.stock.all()]
    used = {s.warehouse_id for s in rows}
    warehouses = [w for w in Warehouse.objects.order_by("code") if w.active or w.pk in used]
    grid = []
    for v in variants:
        by_wh = {s.warehouse_id: s for s in v.stock.all()}
        cells = []
        for w in warehouses:
            s = by_wh.get(w.pk)
            cells.append(
                None
                if s is None
                else GridCell(
                    s.on_hand,
                    s.reserved,
                    s.available,
                    s.reorder_point,
                    bool(s.reorder_point and s.available <= s.reorder_point),
                )
            )
        grid.append((v, cells))
    return warehouses, grid


def low_stock_values(*, warehouse_id: int | None = None) -> QuerySet:
    """The low-stock query (values; its plan is tested to read the partial index)."""
    qs = (
        Stock.objects.filter(
            _low_stock_q(),
            variant__active=True,
            variant__product__active=True,
            warehouse__active=True,
        )
        .annotate(avail=F("on_hand") - F("reserved"))
        .order_by("avail", "variant__sku", "warehouse__code")
    )
    if warehouse_id:
        qs = qs.filter(warehouse_id=warehouse_id)
    return qs.values(
        "on_hand",
        "reserved",
        "avail",
        "reorder_point",
        sku=F("variant__sku"),
        variant_name=F("variant__name"),
        product_id=F("variant__product_id"),
        product_name=F("variant__product__name"),
        warehouse_code=F("warehouse__code"),
        warehouse_name=F("warehouse__name"),
    )


def low_stock_rows(*, warehouse_id: int | None = None, limit: int = 500) -> list[dict]:
    """Stock rows whose available ≤ reorder point, worst first, as plain values in one
    query (the stock side read through the partial index on reorder_point > 0, catalog
    0004): sku, display_name, product_id, warehouse_code, warehouse_name, on_hand,
    reserved, avail, reorder_point."""
    rows = list(low_stock_values(warehouse_id=warehouse_id)[:limit])
    for r in rows:  # as Variant.display_name
        name = r.pop("variant_name")
        product = r.pop("product_name")
        r["display_name"] = f"{product} – {name}" if name else product
    return rows


def low_stock_count() -> int:
    """The nav's count (every page): the stock rows of the partial reorder-point index that
    are low, less those of the few inactive variants, products and warehouses (each read
    through its own partial index). Joined to every variant and product instead, PostgreSQL
    hashed the whole variant table each page (3.6–20 ms at 10,000 variants, against 0.5)."""
    inactive_products = Product.objects.filter(active=False).values("id")
    return (
        Stock.objects.filter(_low_stock_q())
        .exclude(variant_id__in=Variant.objects.filter(active=False).values("id"))
        .exclude(
            variant_id__in=Variant.objects.filter(product_id__in=inactive_products).values("id")
        )
        .exclude(warehouse_id__in=Warehouse.objects.filter(active=False).values("id"))
        .count()
    )


def warehouse_list():
    return list(Warehouse.objects.order_by("-active", "code"))


def categories():
    return list(Category.objects.all())
