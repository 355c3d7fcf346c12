"""A double tap on "Send return request": two POSTs of the same form at the same moment,
each on its own PostgreSQL connection. The order's row lock makes the second wait for the
first and then find the return it made: one return, both land on it.

PostgreSQL only: SQLite has no row locks (its IMMEDIATE transactions serialize writers)."""

from __future__ import annotations

import re
import threading

import pytest
from django.db import connection
from django.test import Client

from tokodesk.returns.models import Return, ReturnEvent, ReturnReason
from tokodesk.returns.tests.factories import paid_order
from tokodesk.storefront.links import order_link_url

pytestmark = [
    pytest.mark.postgres_only,
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="needs PostgreSQL row locks (select_for_update); run with DATABASE_URL=postgresql://…",
    ),
    pytest.mark.django_db(transaction=True),
]

ROUNDS = 4


def _post_together(url: str, body: dict, times: int = 2) -> list:
    barrier = threading.Barrier(times)
    results: list = [None] * times

    def run(i):
        try:
            client = Client(HTTP_ACCEPT_LANGUAGE="en")
            barrier.wait(timeout=30)
            results[i] = client.post(url, body)
        except Exception as exc:  # noqa: BLE001 - the test inspects what each thread got
            results[i] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(times)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert not any(t.is_alive() for t in threads), "a thread is stuck (lock never released?)"
    return results


def test_a_double_tap_makes_one_return(shop, owner):
    ReturnReason.objects.get_or_create(
        code="size_too_small", defaults={"label": "Ukuran kekecilan"}
    )
    for _round in range(ROUNDS):
        order = paid_order(owner, status="delivered", lines=(("KAOS-M", 3),))
        line = order.lines.get()
        url = order_link_url(order) + "return/"
        html = Client(HTTP_ACCEPT_LANGUAGE="en").get(url).content.decode()
        token = re.search(r'name="form_token" value="([^"]+)"', html).group(1)
        body = {
            "form_token": token,
            f"qty_{line.pk}": "1",
            "reason": "size_too_small",
            "resolution": "refund",
            "reason_text": "",
            "message": "",
        }
        responses = _post_together(url, body)
        assert all(getattr(r, "status_code", None) == 303 for r in responses), responses
        ret = Return.objects.get(order=order)
        assert {r["Location"] for r in responses} == {
            order_link_url(order) + f"#return-{ret.reference}"
        }
        assert ReturnEvent.objects.filter(return_order__order=order, kind="created").count() == 1
