"""The lists of several statuses (most tabs, and every list by deadline) find their page one
status at a time; that union's SQL is compiled once per process, scope, filters and sort
(orders.list_by_status, issue 16), and so is a page read as values (the API's) by
created_at or deadline: at every request only the time and the cursor are put in. The
pages must stay those of the plain query at any time, on every page, for every scope, and
the same request must not build the SQL again."""

import datetime as dt

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tokodesk.orders import list_by_status, selectors
from tokodesk.orders.models import Order
from tokodesk.orders.tabs import TABS
from tokodesk.orders.tests.factories import order_in

FILTERS = [
    {},
    {"payment_method": "cod"},
    {"status": ["confirmed", "paid", "delivery_problem", "new"]},
    {"status": ["paid"]},  # one status: not merged, a late tab's condition with the time put in
    {"agent": "agent"},
    {"min_total": 1},
    {"tag": "vip"},  # compiled at every request (the tag's id is read)
]


def walk(user, filters, sort, limit=2):
    """Every page of the list, as ids, and the cursors."""
    ids, cursor = [], None
    while True:
        page, cursor = selectors.order_list(
            user=user, filters=filters, sort=sort, cursor=cursor, limit=limit, values=("id",)
        )
        ids += [o["id"] for o in page]
        if cursor is None:
            return ids


def plain(user, filters, sort):
    """The same list without the merge by status: the filtered orders in the sort's order."""
    qs = selectors.filter_orders(selectors.order_queryset_for(user), filters)
    return list(qs.order_by(*selectors.SORTS[sort]).values_list("pk", flat=True))


def test_compiled_lists_follow_the_time_the_cursor_and_the_scope(shop, users, monkeypatch):
    owner = users["owner"]
    start = timezone.now()
    made = []
    for status, agent, method in [
        ("paid", "agent", None),
        ("paid", None, None),
        ("confirmed", "agent2", "cod"),
        ("confirmed", None, "bank_transfer"),
        ("ready_to_ship", "agent", None),
        ("delivery_problem", None, None),
        ("new", "agent", "cod"),
        ("awaiting_pickup", None, None),
        ("cancellation_requested", None, None),
    ]:
        made.append(order_in(status, owner, agent=agent, method=method))
    for i, order in enumerate(made):
        Order.objects.filter(pk=order.pk).update(ship_by=start + dt.timedelta(hours=i + 1))
    list_by_status._MERGED_SQL.clear()
    built = []
    real_parts = list_by_status.part_sqls
    monkeypatch.setattr(list_by_status, "part_sqls", lambda *a: built.append(1) or real_parts(*a))
    seen = set()
    for hours in (0, 4.5, 12):  # the orders grow late one by one
        at = start + dt.timedelta(hours=hours)
        monkeypatch.setattr(timezone, "now", lambda at=at: at)
        for user in (owner, users["agent"], None):
            for extra in FILTERS:
                for tab in (None, *TABS):
                    for sort in ("-created_at", "created_at", "deadline"):
                        f = selectors.OrderFilters(tab=tab, **extra)
                        expected = plain(user, f, sort)
                        assert walk(user, f, sort) == expected, (hours, user, extra, tab, sort)
                        if tab == "action_needed":
                            seen.add(len(expected))
    assert len(seen) >= 3, seen  # the late orders did move with the time
    # The same requests again: nothing compiled but the tag's lists; the same queries.
    at = start + dt.timedelta(hours=30)
    monkeypatch.setattr(timezone, "now", lambda: at)
    built.clear()
    f = selectors.OrderFilters(tab="to_ship")
    with CaptureQueriesContext(connection) as ctx:
        page, cursor = selectors.order_list(
            user=owner, filters=f, sort=None, limit=2, values=("id",)
        )
        selectors.order_list(
            user=owner, filters=f, sort=None, cursor=cursor, limit=2, values=("id",)
        )
    assert cursor and built == []
    assert len(ctx.captured_queries) == 2
    # Without the cache: the same SQL text and parameters.
    monkeypatch.setattr(list_by_status, "cache_key", lambda *a: None)
    with CaptureQueriesContext(connection) as fresh:
        selectors.order_list(user=owner, filters=f, sort=None, limit=2, values=("id",))
        selectors.order_list(
            user=owner, filters=f, sort=None, cursor=cursor, limit=2, values=("id",)
        )
    assert [q["sql"] for q in fresh.captured_queries] == [q["sql"] for q in ctx.captured_queries]
    assert built  # that path did build the parts


def test_a_tab_declared_anew_is_compiled_anew(shop, users, monkeypatch):
    from tokodesk.orders import tabs

    owner = users["owner"]
    paid = order_in("paid", owner)
    order_in("new", owner)
    f = selectors.OrderFilters(tab="to_ship")
    assert [o.pk for o in selectors.order_list(user=owner, filters=f)[0]] == [paid.pk]
    cancelled = tabs.Tab("to_ship", "To ship", (tabs.Part(("new", "cancelled")),))
    monkeypatch.setitem(TABS, "to_ship", cancelled)
    assert [o.status for o in selectors.order_list(user=owner, filters=f)[0]] == ["new"]
