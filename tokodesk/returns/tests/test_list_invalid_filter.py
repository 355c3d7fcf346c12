"""The returns page: a filter value that is not valid selects nothing and says so; it
used to be dropped, which widened the list to every return (issue 10)."""

import re

import pytest
from django.test import Client

from tokodesk.returns.tests.factories import return_in


def client_for(user):
    c = Client()
    c.force_login(user)
    c.cookies["django_language"] = "en"
    return c


@pytest.mark.parametrize(
    "query",
    [
        {"responsible": "user:ghost"},
        {"resolution": "nope"},
        {"date_from": "2024-13-45"},
        {"status": "draft", "custom_state": "999999"},
        {"status": "bogus"},
    ],
)
def test_an_invalid_filter_shows_no_returns(shop, users, query):
    owner = users["owner"]
    return_in("draft", owner)
    return_in("requested", owner)
    c = client_for(owner)
    assert len(re.findall(r'data-reference="RMA-\d+"', c.get("/returns/").content.decode())) == 2
    html = c.get("/returns/", query).content.decode()
    assert not re.findall(r'data-reference="RMA-\d+"', html)
    assert "No returns shown: the filter is not valid." in html
    if list(query) != ["status"]:  # the tab (status) has no field in the filter panel
        assert 'class="field-error"' in html
    assert set(re.findall(r'data-count="(\d+)"', html)) <= {"0"}
