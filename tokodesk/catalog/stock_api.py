"""Stock under /api/v1/stock: levels per warehouse, the ledger (cursor list), receipts,
adjustments, transfers and stocktakes. Writes need the warehouse role or above (agents
read only); the same services as the pages. Idempotency-Key works as for every POST
under /api/v1/ (api.idempotency)."""

from __future__ import annotations

import datetime as dt

from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema
from ninja import Status as HttpStatus

from tokodesk.catalog.models import StockMovement, Stocktake
from tokodesk.catalog.services import stock_ops
from tokodesk.catalog.services.ledger import (
    MovementFilters,
    movement_page,
    stock_by_warehouse,
)
from tokodesk.core.api.common import ERRORS
from tokodesk.core.errors import NotFound, PermissionDenied, ValidationFailed

router = Router(tags=["stock"])


def _can_read(request):
    if not request.auth.has_perm("catalog.view_stock"):
        raise PermissionDenied("permission_denied", _("You are not allowed to see this."))


# --- schemas ------------------------------------------------------------------------------


class StockRowOut(Schema):
    warehouse: str
    on_hand: int
    reserved: int
    available: int
    reorder_point: int


class DocumentOut(Schema):
    type: str
    id: int | None
    reference: str


class MovementOut(Schema):
    id: int
    kind: str
    sku: str
    warehouse: str
    qty: int = Field(description="Change of on hand (0 for reservations and releases).")
    reserved_change: int
    balance_after: int = Field(description="On hand after this movement.")
    reserved_after: int
    created_at: dt.datetime
    actor: str | None
    reason: str
    document: DocumentOut | None


class MovementPage(Schema):
    items: list[MovementOut]
    next_cursor: str | None


class ReceiptLineIn(Schema):
    sku: str
    qty: int
    unit_cost: int | None = None


class ReceiptIn(Schema):
    warehouse: str
    lines: list[ReceiptLineIn]
    supplier: str = ""
    note: str = ""


class LineOut(Schema):
    sku: str
    qty: int


class ReceiptOut(Schema):
    id: int
    reference: str
    warehouse: str
    supplier: str
    lines: list[dict]
    created_at: dt.datetime


class AdjustmentIn(Schema):
    warehouse: str
    sku: str
    qty_change: int
    reason: str
    note: str = ""


class AdjustmentOut(Schema):
    id: int
    reference: str
    warehouse: str
    sku: str
    qty_change: int
    reason: str
    on_hand: int
    created_at: dt.datetime


class TransferLineIn(Schema):
    sku: str
    qty: int


class TransferIn(Schema):
    from_: str = Field(..., alias="from")
    to: str
    lines: list[TransferLineIn]
    note: str = ""


class TransferOut(Schema):
    id: int
    reference: str
    from_: str = Field(..., alias="from")
    to: str
    lines: list[LineOut]
    created_at: dt.datetime


class StocktakeIn(Schema):
    warehouse: str
    note: str = ""


class CountLineIn(Schema):
    sku: str
    counted: int


class CountIn(Schema):
    lines: list[CountLineIn]


class StocktakeLineOut(Schema):
    sku: str
    counted: int | None
    expected: int | None
    difference: int | None
    posted_change: int | None


class StocktakeOut(Schema):
    id: int
    reference: str
    warehouse: str
    status: str
    created_at: dt.datetime
    posted_at: dt.datetime | None
    lines: list[StocktakeLineOut]


class MovementQuery(Schema):
    sku: str = ""
    warehouse: str = ""
    kind: str = ""
    since: dt.date | None = None
    until: dt.date | None = None
    cursor: str | None = None
    limit: int = Field(50, ge=1, le=200)


# --- outputs ------------------------------------------------------------------------------


def movement_out(m: StockMovement) -> dict:
    return {
        "id": m.pk,
        "kind": m.kind,
        "sku": m.variant.sku,
        "warehouse": m.warehouse.code,
        "qty": m.on_hand_change,
        "reserved_change": m.reserved_change,
        "balance_after": m.on_hand_after,
        "reserved_after": m.reserved_after,
        "created_at": m.created_at,
        "actor": m.actor.username if m.actor_id else None,
        "reason": m.reason,
        "document": {"type": m.doc_type, "id": m.doc_id, "reference": m.doc_ref}
        if m.doc_type
        else None,
    }


def stocktake_out(take: Stocktake) -> dict:
    lines = take.lines.select_related("variant").order_by("variant__sku")
    return {
        "id": take.pk,
        "reference": str(take),
        "warehouse": take.warehouse.code,
        "status": take.status,
        "created_at": take.created_at,
        "posted_at": take.posted_at,
        "lines": [
            {
                "sku": line.variant.sku,
                "counted": line.counted,
                "expected": line.expected,
                "difference": line.difference,
                "posted_change": line.posted_change,
            }
            for line in lines
        ],
    }


# --- endpoints ----------------------------------------------------------------------------


@router.get("", response={200: list[StockRowOut], **ERRORS}, summary="Stock of a SKU per warehouse")
def stock_levels(request, sku: str):
    _can_read(request)
    rows = stock_by_warehouse(sku.strip())
    if not rows:
        from tokodesk.catalog.models import Variant

        if not Variant.objects.filter(sku=sku.strip()).exists():
            raise ValidationFailed(
                "unknown_sku",
                _("Unknown SKU “%(sku)s”.") % {"sku": sku[:64]},
                fields={"sku": _("Unknown SKU.")},
            )
    return [
        {
            "warehouse": s.warehouse.code,
            "on_hand": s.on_hand,
            "reserved": s.reserved,
            "available": s.available,
            "reorder_point": s.reorder_point,
        }
        for s in rows
    ]


@router.get("/movements", response={200: MovementPage, **ERRORS}, summary="The stock ledger")
def movements(request, query: Query[MovementQuery]):
    _can_read(request)
    if query.kind and query.kind not in StockMovement.Kind.values:
        raise ValidationFailed(
            "invalid_input", _("Unknown kind."), fields={"kind": _("Unknown kind.")}
        )
    filters = MovementFilters(
        sku=query.sku.strip(),
        warehouse=query.warehouse.strip(),
        kind=query.kind,
        since=query.since,
        until=query.until,
    )
    page, next_cursor = movement_page(filters, cursor=query.cursor, limit=query.limit)
    return {"items": [movement_out(m) for m in page], "next_cursor": next_cursor}


@router.post("/receipts", response={201: ReceiptOut, **ERRORS}, summary="Receive stock")
def create_receipt(request, payload: ReceiptIn):
    receipt = stock_ops.receive_stock(
        actor=request.auth,
        warehouse=payload.warehouse,
        lines=[line.model_dump() for line in payload.lines],
        supplier=payload.supplier,
        note=payload.note,
    )
    lines = receipt.lines.select_related("variant")
    return HttpStatus(
        201,
        {
            "id": receipt.pk,
            "reference": str(receipt),
            "warehouse": receipt.warehouse.code,
            "supplier": receipt.supplier,
            "lines": [
                {"sku": li.variant.sku, "qty": li.qty, "unit_cost": li.unit_cost} for li in lines
            ],
            "created_at": receipt.created_at,
        },
    )


@router.post("/adjustments", response={201: AdjustmentOut, **ERRORS}, summary="Adjust stock")
def create_adjustment(request, payload: AdjustmentIn):
    adj = stock_ops.adjust_stock(actor=request.auth, **payload.model_dump())
    from tokodesk.catalog.models import Stock

    on_hand = (
        Stock.objects.filter(variant=adj.variant, warehouse=adj.warehouse)
        .values_list("on_hand", flat=True)
        .first()
    )
    return HttpStatus(
        201,
        {
            "id": adj.pk,
            "reference": str(adj),
            "warehouse": adj.warehouse.code,
            "sku": adj.variant.sku,
            "qty_change": adj.qty_change,
            "reason": adj.reason.code,
            "on_hand": on_hand or 0,
            "created_at": adj.created_at,
        },
    )


@router.post(
    "/transfers",
    response={201: TransferOut, **ERRORS},
    summary="Transfer stock between warehouses (immediate)",
    by_alias=True,
)
def create_transfer(request, payload: TransferIn):
    transfer = stock_ops.transfer_stock(
        actor=request.auth,
        from_warehouse=payload.from_,
        to_warehouse=payload.to,
        lines=[line.model_dump() for line in payload.lines],
        note=payload.note,
    )
    return HttpStatus(
        201,
        {
            "id": transfer.pk,
            "reference": str(transfer),
            "from": transfer.from_warehouse.code,
            "to": transfer.to_warehouse.code,
            "lines": [
                {"sku": li.variant.sku, "qty": li.qty}
                for li in transfer.lines.select_related("variant")
            ],
            "created_at": transfer.created_at,
        },
    )


@router.post("/stocktakes", response={201: StocktakeOut, **ERRORS}, summary="Start a stocktake")
def create_stocktake(request, payload: StocktakeIn):
    take = stock_ops.stocktake_start(
        actor=request.auth, warehouse=payload.warehouse, note=payload.note
    )
    return HttpStatus(201, stocktake_out(take))


def _stocktake(request, stocktake_id: int) -> Stocktake:
    _can_read(request)
    take = Stocktake.objects.select_related("warehouse").filter(pk=stocktake_id).first()
    if take is None:
        raise NotFound("not_found", _("No such stocktake."))
    return take


@router.get("/stocktakes/{stocktake_id}", response={200: StocktakeOut, **ERRORS})
def get_stocktake(request, stocktake_id: int):
    return stocktake_out(_stocktake(request, stocktake_id))


@router.post(
    "/stocktakes/{stocktake_id}/counts",
    response={200: StocktakeOut, **ERRORS},
    summary="Enter counted quantities",
)
def count_stocktake(request, stocktake_id: int, payload: CountIn):
    stock_ops.stocktake_count(
        actor=request.auth,
        stocktake_id=stocktake_id,
        lines=[line.model_dump() for line in payload.lines],
    )
    return stocktake_out(_stocktake(request, stocktake_id))


@router.post(
    "/stocktakes/{stocktake_id}/post",
    response={200: StocktakeOut, **ERRORS},
    summary="Post the differences",
)
def post_stocktake(request, stocktake_id: int):
    stock_ops.stocktake_post(actor=request.auth, stocktake_id=stocktake_id)
    return stocktake_out(_stocktake(request, stocktake_id))


@router.post(
    "/stocktakes/{stocktake_id}/cancel",
    response={200: StocktakeOut, **ERRORS},
    summary="Cancel a stocktake",
)
def cancel_stocktake(request, stocktake_id: int):
    stock_ops.stocktake_cancel(actor=request.auth, stocktake_id=stocktake_id)
    return stocktake_out(_stocktake(request, stocktake_id))
