"""Dispatch over HTTP, mounted at /api/v1/shipping (issue 14):

- POST /shipping/book    {"adapter": "sandbox", "references": [...]} → one result per order
  (`reference`, `ok`, `awb` or `code` + `message`); the booked ones are awaiting pickup.
- POST /shipping/ship    {"rows": [{"reference", "awb", "courier"?}]} → the same results, for
  AWBs typed or read from a file (the manual adapter).
- POST /shipping/labels  {"references": [...], "format": "thermal" | "a4"} → application/pdf
- POST /shipping/picking-list {"references": [...]} → application/pdf
- POST /shipping/packing-slips {"references": [...]} → application/pdf

Parse → service → serialize; the pages (dispatch/views.py) call the same services."""

from __future__ import annotations

from typing import Literal

from django.http import HttpResponse
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema

from tokodesk.core.api.common import ERRORS, ErrorOut
from tokodesk.core.errors import PermissionDenied
from tokodesk.core.inputs import StrictInput
from tokodesk.dispatch import booking, labels, picking
from tokodesk.shipping.couriers import ADAPTERS

router = Router(tags=["shipping: dispatch"])

BookableLit = Literal[tuple(code for code, cls in ADAPTERS.items() if cls.books)]  # type: ignore[valid-type]


class BookIn(StrictInput):
    adapter: BookableLit = Field(
        description="The courier adapter that books: sandbox, or a provider's."
    )
    references: list[str] = Field(..., min_length=1, max_length=booking.BOOK_LIMIT)


class ShipRowIn(StrictInput):
    reference: str = Field(..., min_length=1, max_length=40)
    awb: str = Field(..., min_length=1, max_length=64)
    courier: str = Field("", max_length=30, description="Courier code; the order's when empty.")


class ShipIn(StrictInput):
    rows: list[ShipRowIn] = Field(..., min_length=1, max_length=booking.BOOK_LIMIT)


class ShipResultOut(Schema):
    reference: str
    ok: bool
    awb: str | None = Field(None, description="The AWB the order ships with (when ok).")
    courier: str | None = None
    code: str | None = Field(None, description="Why it was refused (when not ok): an error code.")
    message: str | None = None


class PrintIn(StrictInput):
    references: list[str] = Field(..., min_length=1, max_length=labels.PRINT_LIMIT)


class LabelsIn(PrintIn):
    format: Literal["thermal", "a4"] = Field(
        "thermal", description="thermal: 100×150 mm; a4: four labels a page."
    )


def _can_ship(request) -> None:
    if not request.auth.has_perm("orders.ship_order"):
        raise PermissionDenied("permission_denied", _("You are not allowed to ship orders."))


def _results(results) -> list[dict]:
    return [
        {"reference": r.reference, "ok": True, "awb": r.awb, "courier": r.courier}
        if r.ok
        else {"reference": r.reference, "ok": False, "code": r.code, "message": r.message}
        for r in results
    ]


def _pdf(pdf: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    response["Cache-Control"] = "no-store"
    return response


@router.post(
    "/book",
    response={200: list[ShipResultOut], **ERRORS},
    summary="Book a courier for orders",
    description="Each order is booked through the adapter and shipped with the AWB it got (awaiting "
    "pickup), or refused with a code and a message; one result per order, in the order sent.",
)
def book(request, payload: BookIn):
    _can_ship(request)
    return _results(
        booking.orders_book(
            adapter=payload.adapter, references=payload.references, actor=request.auth, source="api"
        )
    )


@router.post(
    "/ship", response={200: list[ShipResultOut], **ERRORS}, summary="Ship orders with typed AWBs"
)
def ship(request, payload: ShipIn):
    _can_ship(request)
    rows = [(row.reference, row.awb, row.courier) for row in payload.rows]
    return _results(booking.orders_ship_typed(rows=rows, actor=request.auth, source="api"))


@router.post(
    "/labels",
    response={200: None, 503: ErrorOut, **ERRORS},
    summary="Shipping labels (one PDF)",
    openapi_extra={
        "responses": {200: {"description": "The labels", "content": {"application/pdf": {}}}}
    },
)
def print_labels(request, payload: LabelsIn):
    _can_ship(request)
    pdf = labels.labels_pdf(
        references=payload.references, fmt=payload.format, actor=request.auth, source="api"
    )
    return _pdf(pdf, f"labels-{payload.format}.pdf")


@router.post(
    "/picking-list",
    response={200: None, 503: ErrorOut, **ERRORS},
    summary="Picking list (PDF)",
    openapi_extra={
        "responses": {
            200: {"description": "The picking list", "content": {"application/pdf": {}}}
        }
    },
)
def print_picking_list(request, payload: PrintIn):
    _can_ship(request)
    return _pdf(
        picking.picking_pdf(references=payload.references, actor=request.auth, source="api"),
        "picking-list.pdf",
    )


@router.post(
    "/packing-slips",
    response={200: None, 503: ErrorOut, **ERRORS},
    summary="Packing slips (PDF)",
    openapi_extra={
        "responses": {
            200: {"description": "A packing slip per order", "content": {"application/pdf": {}}}
        }
    },
)
def print_packing_slips(request, payload: PrintIn):
    _can_ship(request)
    return _pdf(
        labels.packing_slips_pdf(references=payload.references, actor=request.auth, source="api"),
        "packing-slips.pdf",
    )
