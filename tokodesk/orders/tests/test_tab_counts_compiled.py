"""The counters' SQL is compiled once per process and filters (issue 16: building the
aggregate of every tab was most of the request's CPU); at every run only the time changes.
The counts must stay those of the orders themselves at any time, for every scope."""

import datetime as dt

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tokodesk.orders import selectors
from tokodesk.orders.models import Order
from tokodesk.orders.tests.factories import order_in
from tokodesk.orders.tests.test_counters import FILTERS, aggregate_tab_counts


def test_compiled_counts_follow_the_time_and_the_scope(shop, users, monkeypatch):
    owner = users["owner"]
    start = timezone.now()
    ship_by = {}
    for i, (status, agent) in enumerate([("paid", "agent"), ("paid", None), ("confirmed", "agent2"),
                                         ("ready_to_ship", "agent"), ("delivery_problem", None)]):
        order = order_in(status, owner, agent=agent)
        ship_by[order.pk] = start + dt.timedelta(hours=i + 1)
    for pk, when in ship_by.items():
        Order.objects.filter(pk=pk).update(ship_by=when)
    selectors._COUNTS_SQL.clear()
    seen = set()
    for hours in (0, 1.5, 2.5, 4.5, 9):  # the orders grow late one by one
        at = start + dt.timedelta(hours=hours)
        monkeypatch.setattr(timezone, "now", lambda at=at: at)
        for user in (owner, users["agent"], users["agent2"], users["viewer"], None):
            for f in FILTERS:
                counts = selectors.tab_counts(user=user, filters=f)
                assert counts == aggregate_tab_counts(user, f), (hours, user, f)
                seen.add(counts["action_needed"])
    assert len(seen) >= 3, seen  # the late parts did move with the time
    # Compiled once per scope and filters, then one query and nothing else.
    assert len(selectors._COUNTS_SQL) <= 4 * len(FILTERS)
    with CaptureQueriesContext(connection) as ctx:
        selectors.tab_counts(user=owner)
    assert len(ctx.captured_queries) == 1
