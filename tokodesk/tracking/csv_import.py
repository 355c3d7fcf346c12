"""Tracking events from a CSV file (issue 15): columns AWB, event, time, note (a first line
naming them is skipped; comma or semicolon). A preview shows each row with why it is refused
(unknown event, bad time, an AWB no order has); importing stores the valid rows as events
(source "csv", adapter "csv") and the worker applies them like webhook events. The same line
imported twice is the same event (its id is made from AWB, event and time)."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext as _

from tokodesk.core.csv_rows import csv_rows
from tokodesk.core.errors import PermissionDenied
from tokodesk.orders.models import Order
from tokodesk.tracking import codes, services

MAX_BYTES = 2 * 1024 * 1024
MAX_ROWS = 20000
HEADERS = {"awb", "event", "time"}
ADAPTER = "csv"


@dataclass
class Row:
    line: int
    awb: str
    event: str
    time: str
    note: str
    error: str = ""
    reference: str = ""
    parsed: services.EventIn | None = None


def rows_of(text: str) -> list[Row]:
    return [
        Row(
            line=number,
            awb=cells[0][:64],
            event=cells[1][:40],
            time=cells[2][:40],
            note=cells[3][:500],
        )
        for number, cells in csv_rows(
            text,
            width=4,
            headers=HEADERS,
            max_bytes=MAX_BYTES,
            too_large=_("The file is too large (at most 2 MB)."),
            max_rows=MAX_ROWS,
            too_many=_("At most %(n)s rows per file.") % {"n": MAX_ROWS},
        )
    ]


def preview(*, text: str, actor) -> list[Row]:
    """Each row, checked; reads only (one query for the AWBs)."""
    if actor is not None and not actor.has_perm(services.SHIP):
        raise PermissionDenied("permission_denied", _("You may not manage courier tracking."))
    rows = rows_of(text)
    known = dict(
        Order.objects.filter(awb__in={r.awb for r in rows if r.awb}).values_list("awb", "reference")
    )
    for row in rows:
        code = codes.normalise(row.event)
        at = services.parse_time(row.time)
        if not row.awb:
            row.error = _("No AWB.")
        elif code is None:
            row.error = _("Unknown event: use one of %(codes)s.") % {
                "codes": ", ".join(codes.PROVIDER_CODES)
            }
        elif at is None:
            row.error = _("Unreadable time (use 2026-03-01 10:30).")
        elif row.awb not in known:
            row.error = _("No order has this AWB.")
        else:
            row.reference = known[row.awb]
            row.parsed = services.EventIn(
                event_id=services.synthetic_id(ADAPTER, row.awb, code, at),
                awb=row.awb,
                event=code,
                at=at,
                note=row.note,
                raw=f"{row.awb},{row.event},{row.time},{row.note}",
            )
    return rows


def import_events(*, text: str, actor) -> tuple[list[Row], int]:
    """Store the valid rows (the refused ones are left out); returns the rows and how many
    events are new."""
    rows = preview(text=text, actor=actor)
    new = services.store_events(
        adapter=ADAPTER, events=[r.parsed for r in rows if r.parsed], source="csv"
    )
    return rows, new
