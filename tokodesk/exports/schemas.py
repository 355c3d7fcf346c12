"""API shapes of export templates and exports."""

from __future__ import annotations

import datetime as dt
import uuid

from ninja import Schema
from pydantic import ConfigDict, Field, create_model

from tokodesk.core.inputs import StrictInput
from tokodesk.orders.api import ListQuery

MAX_COLUMNS = 100
MAX_REFERENCES = 10_000


class _Strict(StrictInput):
    # Unknown fields refused, no bool for a number; strings kept as sent (headers).
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=False)


class _Filters(_Strict):
    sane_dates = False  # the list's filter dates (any day Python holds), as GET /orders


# The filters of GET /api/v1/orders (same names, same checks), without the paging keys.
# Unknown keys are refused: a misspelt filter must not turn into "export everything".
ExportFilters = create_model(
    "ExportFilters",
    __base__=_Filters,
    **{name: (info.annotation, info) for name, info in ListQuery.model_fields.items()
       if name not in ("sort", "cursor", "limit")},
)


class ColumnIn(_Strict):
    field: str = Field(..., max_length=50, description="a key of GET /api/v1/export-templates/columns")
    header: str = Field("", max_length=100, description="empty: the column's own name in the user's language")


class ColumnOut(Schema):
    field: str
    header: str
    label: str


class TemplateIn(_Strict):
    name: str = Field(..., min_length=1, max_length=100)
    columns: list[ColumnIn] = Field(..., min_length=1, max_length=MAX_COLUMNS)
    delimiter: str | None = Field(
        None, pattern=r"^[,;]$", description='"," or ";"; when omitted, the shop\'s: ";" for an Indonesian or French shop.'
    )


class TemplatePatchIn(_Strict):
    name: str | None = Field(None, min_length=1, max_length=100)
    columns: list[ColumnIn] | None = Field(None, min_length=1, max_length=MAX_COLUMNS)
    delimiter: str | None = Field(None, pattern=r"^[,;]$")


class TemplateOut(Schema):
    id: int
    name: str
    delimiter: str
    built_in: bool
    columns: list[ColumnOut]
    updated_at: dt.datetime


class AvailableColumnOut(Schema):
    field: str
    label: str
    group: str


class ExportIn(_Strict):
    template: int
    filters: ExportFilters | None = Field(None, description="the filters of GET /api/v1/orders")  # type: ignore[valid-type]
    references: list[str] | None = Field(None, min_length=1, max_length=MAX_REFERENCES,
                                         description="order references (instead of filters)")


class ExportOut(Schema):
    id: uuid.UUID
    status: str
    template: int | None
    template_name: str
    rows_total: int
    rows_done: int
    progress: int = Field(..., description="percent, 100 once the file is complete")
    error: str
    created_at: dt.datetime
    finished_at: dt.datetime | None
    url: str = Field(..., description="the progress page")
    download_url: str | None = Field(None, description="set once the file is ready")
