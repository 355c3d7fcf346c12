"""COD remittances over HTTP (issue 15), mounted at /cod-remittances: parse → service or
selector → serialize."""

from __future__ import annotations

import datetime as dt

from django.utils.translation import gettext as _
from ninja import File, Form, Router, Schema
from ninja import Status as HttpStatus
from ninja.files import UploadedFile
from pydantic import Field

from tokodesk.core.api.common import ERRORS
from tokodesk.core.documents import require
from tokodesk.core.errors import NotFound
from tokodesk.payments import selectors, services
from tokodesk.payments.models import Remittance, RemittanceLine

router = Router(tags=["COD remittances"])


class LineOut(Schema):
    row: int = Field(description="The row of the file (the header is row 1).")
    awb: str
    order: str | None = Field(description="The order's reference; null for an unknown AWB.")
    flag: str = Field(
        description="matched, unknown_awb, amount_short, amount_over, not_delivered or "
        "already_remitted."
    )
    expected: int
    cod_amount: int
    courier_fee: int
    cod_fee: int
    rts_fee: int
    paid_date: dt.date | None


class RemittanceOut(Schema):
    id: int
    courier: str
    file_name: str
    currency: str
    period_start: dt.date | None
    period_end: dt.date | None
    lines: int
    matched_count: int
    mismatched_count: int
    total_expected: int = Field(description="The COD our orders expected for the report's lines.")
    total_received: int = Field(description="The COD the courier reports it collected.")
    total_fees: int = Field(description="Courier, COD and RTS fees the courier kept.")
    net_paid: int = Field(description="total_received − total_fees.")
    imported_by: str | None
    imported_at: dt.datetime


class RemittanceDetailOut(RemittanceOut):
    duplicate: bool = Field(
        False, description="True when this file was imported before: nothing changed."
    )
    matched: list[LineOut]
    mismatched: list[LineOut]


def _line(line: RemittanceLine) -> dict:
    return {
        "row": line.row_number,
        "awb": line.awb,
        "order": line.order.reference if line.order_id else None,
        "flag": line.flag,
        "expected": line.expected,
        "cod_amount": line.cod_amount,
        "courier_fee": line.courier_fee,
        "cod_fee": line.cod_fee,
        "rts_fee": line.rts_fee,
        "paid_date": line.paid_date,
    }


def remittance_out(r: Remittance) -> dict:
    return {
        "id": r.pk,
        "courier": r.courier.code,
        "file_name": r.file_name,
        "currency": r.currency,
        "period_start": r.period_start,
        "period_end": r.period_end,
        "lines": r.line_count,
        "matched_count": r.matched_count,
        "mismatched_count": r.mismatched_count,
        "total_expected": r.total_expected,
        "total_received": r.total_received,
        "total_fees": r.total_fees,
        "net_paid": r.net_paid,
        "imported_by": r.imported_by.username if r.imported_by else None,
        "imported_at": r.imported_at,
    }


def remittance_detail_out(r: Remittance, *, duplicate: bool = False) -> dict:
    lines = [_line(line) for line in selectors.remittance_lines(r)]
    return {
        **remittance_out(r),
        "duplicate": duplicate,
        "matched": [x for x in lines if x["flag"] == RemittanceLine.Flag.MATCHED],
        "mismatched": [x for x in lines if x["flag"] != RemittanceLine.Flag.MATCHED],
    }


@router.post(
    "",
    response={200: RemittanceDetailOut, 201: RemittanceDetailOut, **ERRORS},
    summary="Import a courier's COD remittance report (multipart: file, courier)",
    description="A CSV with a header row; its columns are mapped with the mapping saved for the "
    "courier, or guessed from the headers (AWB/resi, COD, courier fee, COD fee, RTS fee, "
    "paid date). 201 with the lines matched and mismatched; the same file again answers "
    "200 with the first import (`duplicate`: true) and changes nothing.",
)
def import_remittance(request, file: File[UploadedFile], courier: Form[str]):
    content = file.read()
    remittance, created = services.remittance_import(
        courier=courier, file_name=file.name or "", content=content, actor=request.auth
    )
    remittance = selectors.remittance_get(remittance.pk)
    return HttpStatus(
        201 if created else 200, remittance_detail_out(remittance, duplicate=not created)
    )


@router.get(
    "", response={200: list[RemittanceOut], **ERRORS}, summary="List COD remittances, newest first"
)
def list_remittances(request, courier: str | None = None, limit: int = 50, offset: int = 0):
    require(request.auth, services.PERMISSION)
    limit, offset = min(max(limit, 1), 200), min(max(offset, 0), 10**9)
    return [
        remittance_out(r)
        for r in selectors.remittance_list(courier=courier, limit=limit, offset=offset)
    ]


@router.get(
    "/{remittance_id}", response={200: RemittanceDetailOut, **ERRORS}, summary="One COD remittance"
)
def get_remittance(request, remittance_id: int):
    require(request.auth, services.PERMISSION)
    remittance = selectors.remittance_get(remittance_id) if 0 < remittance_id < 2**63 else None
    if remittance is None:
        raise NotFound("not_found", _("Not found."))
    return remittance_detail_out(remittance)
