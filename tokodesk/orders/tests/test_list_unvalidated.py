"""GET /api/v1/orders renders the page order_page builds without ninja's response
validation (issue 16: validating 50 orders again cost ~1 ms of CPU per request): the data
is already in OrderPageOut's shape. test_list_output_equivalence compares the bytes with
the validated reference for every tab; here, that no validation runs and that the answer
is the one ninja's validation would give for the same data."""

from tokodesk.core.api.write_block import _operation, rendered
from tokodesk.orders import api as orders_api
from tokodesk.orders.tabs import TABS
from tokodesk.orders.tests.test_list_output_equivalence import NOW, _make_orders

URL = "/api/v1/orders"


class Refused:
    @staticmethod
    def model_validate(*args, **kwargs):
        raise AssertionError("the list's answer was validated")


def test_the_list_is_rendered_as_built_and_as_validation_would(shop, users, api_as, monkeypatch):
    from django.utils import timezone

    monkeypatch.setattr(timezone, "now", lambda: NOW)
    _make_orders(30, users["owner"])
    for role in ("owner", "agent"):
        client = api_as(role)
        first = client.get(URL, {"tab": "all", "limit": 5})
        operation = _operation(first.wsgi_request)
        with monkeypatch.context() as m:
            m.setitem(operation.response_models, 200, Refused)
            for tab in TABS:
                query = {"tab": tab, "limit": 5}
                response = client.get(URL, query)
                assert response.status_code == 200, response.content[:300]
                data = orders_api.order_page(users[role], orders_api.ListQuery(**query))
                m.undo()
                assert rendered(response.wsgi_request, 200, data).content == response.content, (
                    role,
                    tab,
                )
                m.setitem(operation.response_models, 200, Refused)
