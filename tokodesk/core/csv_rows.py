"""Rows of an uploaded CSV the way the import previews read them (the tracking events file,
the AWB file of bulk ship): a byte-order mark dropped, comma or semicolon separated (as
spreadsheets in Indonesia save them: whichever the first line has more of), cells trimmed,
blank lines skipped, a first line naming the columns skipped, short rows padded. The
refusals are on the `file` field in the caller's words (each passes its own messages)."""

from __future__ import annotations

import csv
import io

from django.utils.translation import gettext as _

from tokodesk.core.errors import ValidationFailed


def csv_rows(
    text: str,
    *,
    width: int,
    headers: set[str],
    max_bytes: int,
    too_large: str,
    max_rows: int,
    too_many: str,
) -> list[tuple[int, list[str]]]:
    """(line number, `width` trimmed cells) for each row with something in it. Raises
    ValidationFailed on `file`: `too_large` above `max_bytes`, `too_many` above `max_rows`
    rows, "The file has no rows." without any."""
    text = text.lstrip("\ufeff")
    if len(text.encode()) > max_bytes:
        raise ValidationFailed("invalid_input", too_large, fields={"file": too_large})
    first = text.split("\n", 1)[0]
    delimiter = ";" if first.count(";") > first.count(",") else ","
    rows = []
    for number, cells in enumerate(csv.reader(io.StringIO(text), delimiter=delimiter), start=1):
        cells = [c.strip() for c in cells]
        if not any(cells):
            continue
        if number == 1 and headers <= {c.lower() for c in cells}:
            continue
        rows.append((number, cells + [""] * (width - len(cells))))
        if len(rows) > max_rows:
            raise ValidationFailed("invalid_input", too_many, fields={"file": too_many})
    if not rows:
        raise ValidationFailed(
            "invalid_input", _("The file has no rows."), fields={"file": _("The file has no rows.")}
        )
    return rows
