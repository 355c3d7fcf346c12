"""GET /api/v1/orders/{reference} with its five queries compiled once per process
(orders.detail_sql) and rendered without ninja's response validation (issue 16): the
answer stays byte for byte what ninja's validated rendering of the model-instance
implementation gives (order_detail_out over order_get's Order), ETag included, whoever
asks and in every language; five statements a request, the first (compiling) one too; no
queryset built once compiled; each scope its own SQL."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tokodesk.core.api.write_block import _operation, rendered
from tokodesk.orders import api as orders_api
from tokodesk.orders import detail_sql, selectors
from tokodesk.orders.models import Order
from tokodesk.orders.tests.test_api_detail_values import _variety

URL = "/api/v1/orders/"


class Refused:
    @staticmethod
    def model_validate(*args, **kwargs):
        raise AssertionError("the detail's answer was validated")


def _view_sql(ctx):
    return [
        q["sql"]
        for q in ctx.captured_queries
        if any(t in q["sql"] for t in ('FROM "orders_', 'FROM "payments_'))
    ]


@pytest.mark.parametrize("language", ["id", "en", "fr"])
def test_detail_is_the_validated_model_instance_answer(shop, users, api_as, monkeypatch, language):
    orders = _variety(users["owner"], users)
    detail_sql._SQL.clear()  # compiled within this test, in this language
    for role in ("owner", "agent", "viewer"):
        client = api_as(role)
        user = users[role]
        first = client.get(URL + orders[0].reference)
        operation = _operation(first.wsgi_request)
        for order in orders:
            old_order = selectors.order_get(user=user, reference=order.reference)
            with monkeypatch.context() as m:
                m.setitem(operation.response_models, 200, Refused)
                new = client.get(URL + order.reference, headers={"Accept-Language": language})
            if old_order is None:
                assert new.status_code == 404, (role, order.reference)
                continue
            assert new.status_code == 200, new.content[:300]
            request = new.wsgi_request
            # What the view returned before: Status(200, order_detail_out(order)) through the
            # operation's validation and renderer, with the order's ETag.
            request.tokodesk_etag = old_order.etag
            old = rendered(request, 200, orders_api.order_detail_out(old_order, user))
            assert new.content == old.content, (role, order.reference)
            assert new["ETag"] == old["ETag"] == old_order.etag
            assert new["Content-Type"] == old["Content-Type"]
    assert any(users[r].has_perm("orders.view_order") for r in ("agent", "viewer"))


def test_five_statements_and_no_queryset_once_compiled(shop, users, api_as, monkeypatch):
    orders = _variety(users["owner"], users)
    client = api_as("owner")
    client.get(URL + orders[1].reference)  # the token's first use
    detail_sql._SQL.clear()
    for order in (orders[1], orders[5], orders[3]):  # the first compiles: the same statements
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(URL + order.reference).status_code == 200
        assert len(_view_sql(ctx)) == 5, _view_sql(ctx)
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(URL + "NOPE-1").status_code == 404
    assert len(_view_sql(ctx)) == 1
    compiled = dict(detail_sql._SQL)
    assert len(compiled) == 5

    def refused(*args, **kwargs):
        raise AssertionError("a queryset was built")

    monkeypatch.setattr(selectors, "order_queryset_for", refused)
    monkeypatch.setattr(Order.objects, "filter", refused)
    response = client.get(URL + orders[3].reference)
    assert response.status_code == 200 and response.json()["reference"] == orders[3].reference
    assert detail_sql._SQL == compiled


def test_each_scope_its_own_sql(shop, users, api_as):
    """An agent sees the orders assigned to them only, compiled before or after the owner's."""
    orders = _variety(users["owner"], users)
    agent = users["agent"]
    theirs = [o for o in orders if o.assigned_agent_id == agent.pk]
    others = [o for o in orders if o.assigned_agent_id != agent.pk]
    assert theirs and others
    detail_sql._SQL.clear()
    owner, agent_client = api_as("owner"), api_as("agent")
    for client, order, status in (
        (owner, others[0], 200),
        (agent_client, others[0], 404),
        (agent_client, theirs[0], 200),
        (owner, theirs[0], 200),
        (agent_client, others[1], 404),
        (owner, others[1], 200),
    ):
        assert client.get(URL + order.reference).status_code == status, (order.reference, status)


def test_a_reference_like_the_marker_is_just_a_reference(shop, users, api_as):
    _variety(users["owner"], users)
    client = api_as("owner")
    for marker in detail_sql._MARKERS[str]:
        assert client.get(URL + marker).status_code == 404
    order = Order.objects.order_by("id").first()
    Order.objects.filter(pk=order.pk).update(reference=detail_sql._MARKERS[str][0])
    detail_sql._SQL.clear()
    response = client.get(URL + detail_sql._MARKERS[str][0])
    assert (
        response.status_code == 200 and response.json()["reference"] == detail_sql._MARKERS[str][0]
    )
