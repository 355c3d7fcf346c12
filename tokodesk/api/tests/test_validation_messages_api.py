"""The API's 422 lists each field's problem in our words (core.validation_messages), in the
caller's language, never pydantic's English ("Field required", "Input should be …")."""

import copy

import pytest
from django.utils import translation

from conftest import order_payload


@pytest.mark.django_db
def test_a_422_names_each_problem_in_our_words(shop, api):
    body = copy.deepcopy(order_payload())
    del body["customer"]["phone"]
    body["lines"][0]["qty"] = 0
    body["payment_method"] = "cheque"
    body["note"] = "x" * 2001
    r = api.post("/api/v1/orders", body, headers={"Accept-Language": "en"})
    assert r.status_code == 422, r.content
    fields = r.json()["fields"]
    assert fields["customer.phone"] == "This field is required."
    assert fields["lines.0.qty"] == "Enter a number of at least 1."
    assert fields["payment_method"].startswith("Choose one of: ")
    assert "bank_transfer" in fields["payment_method"] and " or " not in fields["payment_method"]
    assert fields["note"] == "Enter at most 2000 characters."


@pytest.mark.django_db
def test_export_filters_use_the_same_words(db):
    from tokodesk.core.errors import ValidationFailed
    from tokodesk.exports.services import parse_filters

    with translation.override("en"), pytest.raises(ValidationFailed) as caught:
        parse_filters({"no_such_filter": 1})
    assert set(caught.value.fields.values()) == {"This field is not accepted here."}
