"""core.csv_rows: the CSV reading shared by the tracking events import and the AWB import."""

from __future__ import annotations

import pytest
from django.utils.translation import gettext as _

from tokodesk.core.csv_rows import csv_rows
from tokodesk.core.errors import ValidationFailed

LIMITS = {
    "width": 3,
    "headers": {"reference", "awb"},
    "max_bytes": 200,
    "too_large": "too large",
    "max_rows": 2,
    "too_many": "too many",
}


def test_semicolons_bom_header_blank_lines_and_short_rows():
    text = "\ufeffReference; Courier ;AWB\n\nORD-1; jne ;AWB1\nORD-2\n"
    assert csv_rows(text, **LIMITS) == [(3, ["ORD-1", "jne", "AWB1"]), (4, ["ORD-2", "", ""])]


def test_commas_and_a_first_line_that_is_not_the_header():
    assert csv_rows('ORD-1,jne,"A,1"\n', **LIMITS) == [(1, ["ORD-1", "jne", "A,1"])]


@pytest.mark.parametrize(
    "text, message",
    [("x" * 201, "too large"), ("a\nb\nc\n", "too many"), ("\n , \n", None)],
)
def test_refusals_are_on_the_file_field_in_the_callers_words(text, message):
    with pytest.raises(ValidationFailed) as caught:
        csv_rows(text, **LIMITS)
    assert caught.value.fields == {"file": message or _("The file has no rows.")}
