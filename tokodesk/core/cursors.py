"""Keyset cursors of the paged lists (orders, returns; API and pages): one encoder and one
decoder, so every list refuses the same crafted cursors.

A cursor is the URL-safe base64 of a JSON pair [value, id] of the last row shown. It comes
back from the client, so everything in it is checked before it reaches a query: valid
base64 and JSON without NaN/Infinity, a pair, an id that is a positive whole number a
BIGINT holds, and a value of the sort column's kind (a whole number in BIGINT's range, or
an ISO date-time with its offset that converts to UTC). Anything else is `ValidationFailed`
(422 in the API, the first page on the pages)."""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import json

from django.utils.translation import gettext_lazy as _

from tokodesk.core.errors import ValidationFailed

MAX_CURSOR = 200
BIGINT_MAX = 2**63 - 1
# created_at values far from any real row, but whose UTC conversion and database
# parameters cannot overflow.
MIN_YEAR, MAX_YEAR = 1900, 9000


def encode_cursor(values) -> str:
    raw = json.dumps(values, default=str, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _invalid():
    return ValidationFailed("invalid_input", _("Invalid cursor."), fields={"cursor": _("Invalid cursor.")})


def _refuse_constant(name):
    raise ValueError(name)


def _whole(value, low: int) -> int:
    if type(value) is not int or not low <= value <= BIGINT_MAX:
        raise ValueError(value)
    return value


def _datetime(value) -> dt.datetime:
    if type(value) is not str or len(value) > 40:
        raise ValueError(value)
    parsed = dt.datetime.fromisoformat(value)
    if parsed.tzinfo is None or not MIN_YEAR <= parsed.year <= MAX_YEAR:
        raise ValueError(value)
    return parsed.astimezone(dt.UTC)


def decode_cursor(cursor: str, kind: str = "datetime"):
    """(value, id) of a cursor whose value is a `kind` ("datetime" or "int")."""
    try:
        if not isinstance(cursor, str) or len(cursor) > MAX_CURSOR:
            raise ValueError(cursor)
        padded = cursor + "=" * (-len(cursor) % 4)
        data = json.loads(base64.urlsafe_b64decode(padded.encode("ascii")), parse_constant=_refuse_constant)
        if type(data) is not list or len(data) != 2:
            raise ValueError(data)
        value, pk = data
        pk = _whole(pk, 1)
        value = _datetime(value) if kind == "datetime" else _whole(value, -BIGINT_MAX)
        return value, pk
    except (ValueError, TypeError, OverflowError, RecursionError, binascii.Error, UnicodeError):
        raise _invalid() from None
