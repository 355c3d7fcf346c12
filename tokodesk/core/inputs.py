"""The base of every API input schema (and of the transition inputs the pages share).

- Unknown fields are refused and strings stripped (as each app's StrictIn did).
- No bool for a number: pydantic's lax mode reads `true` as 1 (`"qty": true` made a line
  of one). A bool is refused for every field whose type does not name bool itself.
  Whole numbers sent as strings ("2") are still read as numbers, as pydantic's lax mode
  does: query strings and form fields arrive as text, and integrations written against
  the API may send them; nothing true/false-like turns into a quantity or an amount.
- Dates within a sane range (MIN_YEAR..MAX_YEAR): year 1 or 9999 is never a payment day
  or a due date, and such values overflowed once converted (time zones, reminders).

Both checks are validators on this base for all fields ("*"), so a new input schema gets
them by inheriting, and the messages are in the user's language (gettext at request time).
"""

from __future__ import annotations

import datetime as dt
import functools
import types
import typing

from django.utils.translation import gettext as _
from pydantic import BaseModel, ConfigDict, ValidationInfo, field_validator
from pydantic_core import PydanticCustomError

MIN_YEAR, MAX_YEAR = 2000, 2100


def _names_bool(annotation) -> bool:
    try:
        return _names_bool_cached(annotation)
    except TypeError:  # an unhashable annotation
        return _names_bool_uncached(annotation)


def _names_bool_uncached(annotation) -> bool:
    """Whether a field's type admits a bool: bool itself, Any, or a union/Annotated with one."""
    if annotation is bool or annotation is typing.Any or annotation is object:
        return True
    origin = typing.get_origin(annotation)
    if origin is typing.Annotated:
        return _names_bool(typing.get_args(annotation)[0])
    if origin is typing.Union or origin is types.UnionType:
        return any(_names_bool(arg) for arg in typing.get_args(annotation))
    if origin is typing.Literal:
        return any(isinstance(arg, bool) for arg in typing.get_args(annotation))
    return False


_names_bool_cached = functools.cache(_names_bool_uncached)


class StrictInput(BaseModel):
    """A plain pydantic model (no ninja, no Django model access): the API, the pages'
    forms and the transition tables validate with it alike, and the OpenAPI document
    shows it as it is."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    # Set to False on a schema whose dates are filters rather than stored values.
    sane_dates: typing.ClassVar[bool] = True

    @field_validator("*", mode="before")
    @classmethod
    def _no_bool_for_non_bool(cls, value, info: ValidationInfo):
        if isinstance(value, bool):
            field = cls.model_fields.get(info.field_name)
            if field is not None and not _names_bool(field.annotation):
                raise PydanticCustomError("bool_type", _("true or false is not allowed here: send a number or a text."))
        return value

    @field_validator("*", mode="after")
    @classmethod
    def _date_in_range(cls, value, info: ValidationInfo):
        if cls.sane_dates and isinstance(value, dt.date) and not MIN_YEAR <= value.year <= MAX_YEAR:
            raise PydanticCustomError(
                "date_range", _("Give a date between the years %(low)d and %(high)d.") % {"low": MIN_YEAR,
                                                                                         "high": MAX_YEAR})
        return value
