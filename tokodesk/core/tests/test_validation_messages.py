"""pydantic's English validation messages are replaced by ours (gettext, so the catalogs
translate them) wherever a 422 or an action's refusal lists them per field:
core.validation_messages.message, used by the API's handler (ops/api.py), the action
inputs (core/transitions.pydantic_fields) and the export filters."""

from decimal import Decimal
from enum import StrEnum
from typing import Literal

import pydantic
import pytest
from django.utils import translation
from pydantic import BaseModel, ConfigDict, Field, field_validator

from tokodesk.core.transitions import pydantic_fields
from tokodesk.core.validation_messages import message


class Colour(StrEnum):
    red = "red"
    blue = "blue"


class Sample(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str = Field(min_length=2, max_length=3)
    qty: int = Field(ge=1, le=5)
    price: int = Field(gt=0, lt=100)
    lines: list[int] = Field(min_length=1, max_length=2)
    colour: Colour
    method: Literal["cod", "bank_transfer"]
    amount: Decimal = Field(max_digits=4)
    flag: bool
    required: str
    checked: str

    @field_validator("checked")
    @classmethod
    def _check(cls, value):
        raise ValueError("Our own words.")


def _messages(data) -> dict:
    try:
        Sample.model_validate(data)
    except pydantic.ValidationError as exc:
        with translation.override("en"):
            return pydantic_fields(exc)
    raise AssertionError("valid")


LOW = {
    "name": "a",
    "qty": 0,
    "price": 0,
    "lines": [],
    "colour": "green",
    "method": "card",
    "amount": "12345",
    "flag": "perhaps",
    "checked": "x",
    "surplus": 1,
}
HIGH = {
    "name": "abcd",
    "qty": 9,
    "price": 100,
    "lines": [1, 2, 3],
    "colour": "red",
    "method": "cod",
    "amount": "1",
    "flag": True,
    "required": 5,
    "checked": "x",
}


def test_the_common_pydantic_errors_read_as_ours():
    low = _messages(LOW)
    assert low == {
        "name": "Enter at least 2 characters.",
        "qty": "Enter a number of at least 1.",
        "price": "Enter a number greater than 0.",
        "lines": "Give at least 1 item.",
        "colour": "Choose one of: red, blue.",
        "method": "Choose one of: cod, bank_transfer.",
        "amount": "Enter at most 4 digits.",
        "flag": "Enter true or false.",
        "required": "This field is required.",
        "checked": "Our own words.",
        "surplus": "This field is not accepted here.",
    }
    high = _messages(HIGH)
    assert high == {
        "name": "Enter at most 3 characters.",
        "qty": "Enter a number of at most 5.",
        "price": "Enter a number less than 100.",
        "lines": "Give at most 2 items.",
        "required": "Enter text.",
        "checked": "Our own words.",
    }


@pytest.mark.parametrize(
    "value, expected",
    [
        (
            {"type": "int_parsing", "msg": "Input should be a valid integer"},
            "Enter a whole number.",
        ),
        ({"type": "date_from_datetime_parsing", "msg": "…"}, "Enter a valid date (YYYY-MM-DD)."),
        ({"type": "list_type", "msg": "…"}, "Enter a list."),
        ({"type": "model_attributes_type", "msg": "…"}, "Enter an object."),
        (
            {"type": "some_future_type", "msg": "Kept as pydantic wrote it"},
            "Kept as pydantic wrote it",
        ),
    ],
)
def test_types_by_kind_and_unknown_types_keep_pydantics_text(value, expected):
    with translation.override("en"):
        assert message(value) == expected


def test_messages_go_through_the_active_language(monkeypatch):
    """gettext at the time of the error, not at import: the message follows the request."""
    seen = []
    import tokodesk.core.validation_messages as module

    monkeypatch.setattr(
        module, "_", lambda text: seen.append((translation.get_language(), text)) or text
    )
    with translation.override("id"):
        module.message({"type": "missing", "msg": "Field required"})
    assert seen == [("id", "This field is required.")]
