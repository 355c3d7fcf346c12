"""Products, variants and warehouses over HTTP: parse → service/selector → serialize.

POSTs take an Idempotency-Key (api/idempotency.py, as for orders); PATCH takes If-Match
(the product's ETag) or `version`."""

from __future__ import annotations

from django.utils.translation import gettext as _
from ninja import Query, Router, Schema
from ninja import Status as HttpStatus
from pydantic import Field

from tokodesk.catalog import selectors
from tokodesk.catalog.models import Product
from tokodesk.catalog.services import products as services
from tokodesk.core.api.common import ERRORS, Out, expected_version
from tokodesk.core.errors import NotFound, PermissionDenied

router = Router(tags=["catalog"])


def _need(request, perm):
    if not request.auth.has_perm(perm):
        raise PermissionDenied("permission_denied", _("You are not allowed to see this."))


# --- schemas ----------------------------------------------------------------------------


class StockOut(Out):
    warehouse: str
    on_hand: int
    reserved: int
    available: int
    reorder_point: int = 0


class VariantOut(Out):
    id: int
    sku: str
    name: str
    price: int
    compare_at_price: int | None = None
    options: dict[str, str] = {}
    barcode: str = ""
    weight_grams: int
    active: bool
    serial_tracked: bool = False
    stock: list[StockOut]


class ImageOut(Out):
    url: str
    thumbnail_url: str


class ProductOut(Out):
    id: int
    name: str
    slug: str
    description: str
    category: str | None = None
    active: bool
    version: int
    variants: list[VariantOut]
    images: list[ImageOut] = []


class ProductPageOut(Out):
    items: list[ProductOut]
    next_cursor: str | None = Field(
        None, description="Pass as `cursor` for the next page; null on the last."
    )


class VariantIn(Schema):
    id: int | None = Field(
        None, description="To change an existing variant (else it is matched by SKU)."
    )
    sku: str = Field(..., max_length=64)
    price: int = Field(..., description="Minor units of the shop currency.")
    name: str = Field("", max_length=200)
    weight_grams: int = 0
    options: dict[str, str] = Field(
        default_factory=dict, description='Option values, e.g. {"size": "M"}.'
    )
    compare_at_price: int | None = None
    barcode: str = Field("", max_length=64)
    active: bool = True
    serial_tracked: bool = Field(False, description="Shipping records each unit's serial number.")


class ProductIn(Schema):
    name: str = Field(..., max_length=200)
    slug: str = Field("", max_length=100, description="Made from the name when empty.")
    description: str = Field("", max_length=20000)
    category: str = Field("", max_length=100, description="The category's name; created when new.")
    active: bool = True
    variants: list[VariantIn] = Field(..., max_length=500)


class ProductPatchIn(Schema):
    name: str | None = Field(None, max_length=200)
    slug: str | None = Field(None, max_length=100)
    description: str | None = Field(None, max_length=20000)
    category: str | None = Field(None, max_length=100)
    active: bool | None = None
    variants: list[VariantIn] | None = Field(
        None,
        max_length=500,
        description=(
            "Variants to change (by id or SKU) or add; variants not listed stay as they are."
        ),
    )
    version: int | None = Field(None, description="The version you read; or send If-Match.")


class ProductListQuery(Schema):
    q: str | None = Field(None, max_length=100)
    active: bool | None = None
    category: int | None = Field(None, ge=1, le=2**63 - 1)
    low_stock: bool = False
    warehouse: str | None = Field(None, max_length=30, description="A warehouse code.")
    cursor: str | None = Field(None, max_length=200)
    limit: int = Field(50, ge=1, le=200)


class WarehouseOut(Out):
    id: int
    code: str
    name: str
    address: str
    city: str
    district: str = ""
    phone: str = ""
    active: bool


class WarehouseIn(Schema):
    code: str = Field(..., max_length=30)
    name: str = Field(..., max_length=100)
    address: str = Field("", max_length=2000)
    city: str = Field("", max_length=100)
    district: str = Field("", max_length=100)
    phone: str = Field("", max_length=30)
    active: bool = True


class WarehousePatchIn(Schema):
    code: str | None = Field(None, max_length=30)
    name: str | None = Field(None, max_length=100)
    address: str | None = Field(None, max_length=2000)
    city: str | None = Field(None, max_length=100)
    district: str | None = Field(None, max_length=100)
    phone: str | None = Field(None, max_length=30)
    active: bool | None = None


# --- serializers --------------------------------------------------------------------------


def product_out(p: Product) -> dict:
    return {
        "id": p.id,
        "name": p.name,
        "slug": p.slug,
        "description": p.description,
        "category": p.category.name if p.category_id else None,
        "active": p.active,
        "version": p.version,
        "variants": [
            {
                "id": v.id,
                "sku": v.sku,
                "name": v.name,
                "price": v.price,
                "compare_at_price": v.compare_at_price,
                "options": v.options or {},
                "barcode": v.barcode,
                "weight_grams": v.weight_grams,
                "active": v.active,
                "serial_tracked": v.serial_tracked,
                "stock": [
                    {
                        "warehouse": s.warehouse.code,
                        "on_hand": s.on_hand,
                        "reserved": s.reserved,
                        "available": s.available,
                        "reorder_point": s.reorder_point,
                    }
                    for s in v.stock.all()
                ],
            }
            for v in p.variants.all()
        ],
        "images": [
            {"url": f"/catalog/images/{i.pk}", "thumbnail_url": f"/catalog/images/{i.pk}?thumb=1"}
            for i in p.images.all()
        ],
    }


def _variant_inputs(items) -> list[services.VariantInput]:
    return [services.VariantInput(**v.model_dump()) for v in items]


def _detail(request, key, status=200):
    product = selectors.product_get(key=key)
    if product is None:
        raise NotFound("not_found", _("Product not found."))
    request.tokodesk_etag = f'"{product.version}"'
    return HttpStatus(status, product_out(product))


# --- products ---------------------------------------------------------------------------


@router.get(
    "/products", response={200: ProductPageOut, **ERRORS}, summary="List products (cursor pages)"
)
def list_products(request, query: Query[ProductListQuery]):
    _need(request, "catalog.view_product")
    warehouse_id = None
    if query.warehouse:
        from tokodesk.catalog.models import Warehouse

        warehouse_id = (
            Warehouse.objects.filter(code=query.warehouse).values_list("pk", flat=True).first()
            or -1
        )
    filters = selectors.ProductFilters(
        q=query.q or "",
        active=query.active,
        category=query.category,
        low_stock=query.low_stock,
        warehouse=warehouse_id,
    )
    rows, next_cursor = selectors.product_list(
        filters=filters, cursor=query.cursor, limit=query.limit
    )
    return {"items": [product_out(p) for p in rows], "next_cursor": next_cursor}


@router.post(
    "/products", response={201: ProductOut, **ERRORS}, summary="Create a product with its variants"
)
def create_product(request, payload: ProductIn):
    data = services.ProductInput(
        variants=_variant_inputs(payload.variants), **payload.model_dump(exclude={"variants"})
    )
    product = services.product_create(data=data, actor=request.auth)
    return _detail(request, product.slug, status=201)


@router.get(
    "/products/{key}", response={200: ProductOut, **ERRORS}, summary="One product (by slug or id)"
)
def get_product(request, key: str):
    _need(request, "catalog.view_product")
    return _detail(request, key)


@router.patch(
    "/products/{key}",
    response={200: ProductOut, **ERRORS},
    summary="Change a product and its variants",
)
def patch_product(request, key: str, payload: ProductPatchIn):
    _need(request, "catalog.view_product")
    product = selectors.product_get(key=key)
    if product is None:
        raise NotFound("not_found", _("Product not found."))
    changes = payload.model_dump(exclude_unset=True, exclude={"version", "variants"})
    if payload.variants is not None:
        changes["variants"] = _variant_inputs(payload.variants)
    product = services.product_update(
        product_id=product.pk,
        actor=request.auth,
        changes=changes,
        expected_version=expected_version(request, payload.version),
    )
    return _detail(request, product.slug)


@router.post(
    "/variants/{sku}/deactivate",
    response={200: ProductOut, **ERRORS},
    summary="Deactivate a variant (kept for its orders; no longer sold)",
)
def deactivate_variant(request, sku: str):
    variant = services.variant_set_active(sku=sku, active=False, actor=request.auth)
    return _detail(request, variant.product_id)


@router.post(
    "/variants/{sku}/activate", response={200: ProductOut, **ERRORS}, summary="Sell a variant again"
)
def activate_variant(request, sku: str):
    variant = services.variant_set_active(sku=sku, active=True, actor=request.auth)
    return _detail(request, variant.product_id)


# --- warehouses -------------------------------------------------------------------------


@router.get("/warehouses", response={200: list[WarehouseOut], **ERRORS}, summary="List warehouses")
def list_warehouses(request):
    _need(request, "catalog.view_warehouse")
    return [
        WarehouseOut.model_validate(w, from_attributes=True).model_dump()
        for w in selectors.warehouse_list()
    ]


@router.post("/warehouses", response={201: WarehouseOut, **ERRORS}, summary="Create a warehouse")
def create_warehouse(request, payload: WarehouseIn):
    warehouse = services.warehouse_create(actor=request.auth, **payload.model_dump())
    return HttpStatus(
        201, WarehouseOut.model_validate(warehouse, from_attributes=True).model_dump()
    )


@router.patch(
    "/warehouses/{code}",
    response={200: WarehouseOut, **ERRORS},
    summary="Change or deactivate a warehouse",
)
def patch_warehouse(request, code: str, payload: WarehousePatchIn):
    from tokodesk.catalog.models import Warehouse

    _need(request, "catalog.view_warehouse")
    warehouse = Warehouse.objects.filter(code=code).first()
    if warehouse is None:
        raise NotFound("not_found", _("Warehouse not found."))
    warehouse = services.warehouse_update(
        warehouse_id=warehouse.pk,
        actor=request.auth,
        changes=payload.model_dump(exclude_unset=True),
    )
    return WarehouseOut.model_validate(warehouse, from_attributes=True).model_dump()
