"""pydantic's validation errors in the user's language.

pydantic writes its messages in English ("Field required", "Input should be 'a' or 'b'");
the API's 422 answers (tokodesk/ops/api.py), the action inputs (core/transitions.py) and
the export filters show them per field. `message(err)` turns one error of
`ValidationError.errors()` (or ninja's `ValidationError.errors`) into our own gettext
message by its `type`, with the limits from its `ctx`; a type not listed here keeps
pydantic's text. A `value_error` raised by one of our validators keeps our own message,
without pydantic's "Value error, " prefix.
"""

from __future__ import annotations

import re

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

_REQUIRED = ("missing", "missing_argument", "missing_keyword_only_argument")

# "Enter a valid …" by the kind of value pydantic expected.
_KIND_TYPES = {
    "string": ("string_type", "string_unicode", "string_sub_type"),
    "whole number": ("int_type", "int_parsing", "int_from_float", "int_parsing_size"),
    "number": ("float_type", "float_parsing", "decimal_type", "decimal_parsing", "finite_number"),
    "yes/no value": ("bool_type", "bool_parsing"),
    "date": (
        "date_type",
        "date_parsing",
        "date_from_datetime_parsing",
        "date_from_datetime_inexact",
    ),
    "date and time": ("datetime_type", "datetime_parsing", "datetime_from_date_parsing"),
    "list": ("list_type", "tuple_type", "set_type", "iterable_type"),
    "object": ("dict_type", "model_type", "model_attributes_type", "dataclass_type"),
    "web address": ("url_type", "url_parsing", "url_scheme", "url_syntax_violation"),
    "UUID": ("uuid_type", "uuid_parsing", "uuid_version"),
}


def _kind_message(kind: str) -> str:
    # One msgid per kind (no "Enter a valid %(kind)s": the kind's grammar differs per language).
    return {
        "string": _("Enter text."),
        "whole number": _("Enter a whole number."),
        "number": _("Enter a number."),
        "yes/no value": _("Enter true or false."),
        "date": _("Enter a valid date (YYYY-MM-DD)."),
        "date and time": _("Enter a valid date and time (ISO 8601)."),
        "list": _("Enter a list."),
        "object": _("Enter an object."),
        "web address": _("Enter a valid web address."),
        "UUID": _("Enter a valid UUID."),
    }[kind]


_KIND_BY_TYPE = {t: kind for kind, types in _KIND_TYPES.items() for t in types}


def _choices(expected: str) -> str:
    """pydantic's "'a', 'b' or 'c'" (English "or") as "a, b, c"."""
    quoted = re.findall(r"'((?:[^'\\]|\\.)*)'", expected)
    items = quoted or [p for p in re.split(r",\s*|\s+or\s+", expected) if p]
    return ", ".join(items)


def _number(value) -> str:
    return str(value)


def message(err: dict) -> str:
    """Our message for one pydantic error dict (keys type, msg, ctx)."""
    kind = err.get("type", "")
    ctx = err.get("ctx") or {}
    if kind in _REQUIRED:
        return _("This field is required.")
    if kind == "extra_forbidden":
        return _("This field is not accepted here.")
    if kind in ("enum", "literal_error"):
        return _("Choose one of: %(choices)s.") % {
            "choices": _choices(str(ctx.get("expected", "")))
        }
    if kind == "string_too_short":
        n = int(ctx.get("min_length", 0))
        return ngettext(
            "Enter at least %(n)d character.", "Enter at least %(n)d characters.", n
        ) % {"n": n}
    if kind == "string_too_long":
        n = int(ctx.get("max_length", 0))
        return ngettext("Enter at most %(n)d character.", "Enter at most %(n)d characters.", n) % {
            "n": n
        }
    if kind == "too_short":
        n = int(ctx.get("min_length", 0))
        return ngettext("Give at least %(n)d item.", "Give at least %(n)d items.", n) % {"n": n}
    if kind == "too_long":
        n = int(ctx.get("max_length", 0))
        return ngettext("Give at most %(n)d item.", "Give at most %(n)d items.", n) % {"n": n}
    if kind == "greater_than":
        return _("Enter a number greater than %(limit)s.") % {"limit": _number(ctx.get("gt"))}
    if kind == "greater_than_equal":
        return _("Enter a number of at least %(limit)s.") % {"limit": _number(ctx.get("ge"))}
    if kind == "less_than":
        return _("Enter a number less than %(limit)s.") % {"limit": _number(ctx.get("lt"))}
    if kind == "less_than_equal":
        return _("Enter a number of at most %(limit)s.") % {"limit": _number(ctx.get("le"))}
    if kind == "decimal_max_digits":
        n = int(ctx.get("max_digits", 0))
        return ngettext("Enter at most %(n)d digit.", "Enter at most %(n)d digits.", n) % {"n": n}
    if kind == "decimal_max_places":
        n = int(ctx.get("decimal_places", 0))
        return ngettext(
            "Enter at most %(n)d decimal place.", "Enter at most %(n)d decimal places.", n
        ) % {"n": n}
    if kind == "string_pattern_mismatch":
        return _("Enter a value in the expected format.")
    if kind in _KIND_BY_TYPE:
        return _kind_message(_KIND_BY_TYPE[kind])
    if kind in ("value_error", "assertion_error") and ctx.get("error") is not None:
        return str(ctx["error"])  # our validator's own (translated) message
    return str(err.get("msg") or _("This value is not valid."))
