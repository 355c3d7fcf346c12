"""The returns list and a return's detail run a fixed number of queries, however many
returns, lines, refunds and photos there are."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tokodesk.returns.services import custom_state_save, return_create, return_edit
from tokodesk.returns.tests.factories import act, paid_order, return_data

URL = "/api/v1/returns"
# token, user permissions, group permissions, returns (with their joins), lines
MAX_LIST_QUERIES = 5


def _make(n, owner):
    from tokodesk.returns.models import CustomState

    state = CustomState.objects.filter(label="Menunggu label").first() or custom_state_save(
        actor=owner, label="Menunggu label", status="awaiting_item")
    for i in range(n):
        order = paid_order(owner, lines=(("KAOS-M", 2), ("MADU-500", 1), ("KAOS-L", 1)))
        ret = return_create(data=return_data(order, resolution=["refund", "store_credit", "exchange_same"][i % 3],
                                             responsible_user="owner" if i % 2 else None,
                                             responsible_group=None if i % 2 else "warehouse"), actor=owner)
        if i % 2:
            ret = act(ret, "approve", owner)
            return_edit(reference=ret.reference, actor=owner, changes={"custom_state": state.pk})


def _queries(client, path, params=None):
    client.get(path, params)  # warm: the token's first use stamps last_used_at
    with CaptureQueriesContext(connection) as ctx:
        r = client.get(path, params)
    assert r.status_code == 200, r.content
    return len(ctx.captured_queries), r.json()


@pytest.mark.parametrize("params", [{}, {"status": "awaiting_item"}, {"resolution": "refund"},
                                    {"responsible": "owner"}, {"custom_state": "Menunggu label"}, {"q": "Siti"}])
def test_list_query_count_is_constant(shop, users, api_as, params):
    owner = users["owner"]
    client = api_as("owner")
    _make(2, owner)
    few, _body = _queries(client, URL, params)
    _make(8, owner)
    many, body = _queries(client, URL, params)
    assert body["items"]
    assert few == many <= MAX_LIST_QUERIES, (few, many)
    agent_count, _body = _queries(api_as("agent"), URL, params)
    assert agent_count <= MAX_LIST_QUERIES


def test_detail_query_count_is_constant(shop, users, api_as):
    owner = users["owner"]
    client = api_as("owner")
    _make(1, owner)
    ref = client.get(URL).json()["items"][0]["reference"]
    few, _body = _queries(client, f"{URL}/{ref}")
    order = paid_order(owner, lines=(("KAOS-M", 2), ("MADU-500", 1), ("KAOS-L", 1)))
    big = return_create(data=return_data(order, resolution="refund"), actor=owner)
    many, body = _queries(client, f"{URL}/{big.reference}")
    assert len(body["lines"]) == 3
    assert few == many
