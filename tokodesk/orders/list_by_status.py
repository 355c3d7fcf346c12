"""The ids of a list's first page found one status at a time (selectors.order_list), with
their SQL compiled once per process (issue 16).

A list of several statuses (most tabs) is the first n of each status merged: one
subquery per status, each an index range. Building and compiling those subqueries (five
to seven per tab) was a third of the API list's CPU, for SQL that is the same at every
request of the same scope, filters and sort: only the time (a late part's ship_by < now)
and the cursor's values change. So the SQL is kept per (database, scope, filters, tab,
sort, page size, with or without a cursor) and only those values are put in at each
request, as the tab counts do (selectors._COUNTS_SQL). A page read as values (the API
list) by created_at or deadline goes further: its whole query (the union, the cursor, the
sort, ~60 columns and 7 joins) is compiled once and run with Django's own converters
(page_rows).

It is compiled twice the first time, with two sets of marker values: the SQL must come
out the same and the parameters must differ exactly where a marker stands, so a value
that happens to equal a marker cannot be taken for one. A tab declared anew (orders.tabs)
is compiled anew (the key holds the tabs' identities). Lists filtered by a tag (its id is
read from the database) or a search term are compiled at every request, as before."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import EmptyResultSet
from django.db import connection, connections
from django.db.models import Q
from django.utils import timezone

from tokodesk.core import pg_prepare
from tokodesk.orders.tabs import TABS

# Marker values: the time, the cursor's sort value and its id (negative: never a real id).
_MARKERS = (
    {
        "now": dt.datetime(2001, 2, 3, 4, 5, 6, 789012, tzinfo=dt.UTC),
        "value": dt.datetime(2002, 3, 4, 5, 6, 7, 891234, tzinfo=dt.UTC),
        "pk": -7_391_245_019,
    },
    {
        "now": dt.datetime(2003, 4, 5, 6, 7, 8, 912345, tzinfo=dt.UTC),
        "value": dt.datetime(2004, 5, 6, 7, 8, 9, 123456, tzinfo=dt.UTC),
        "pk": -8_402_356_121,
    },
)
_NO_ROWS = object()
_MERGED_SQL: dict[tuple, object] = {}


def part_sqls(qs, after_for, cursor, tab, statuses, order_by, n, now) -> list[tuple[str, tuple]]:
    """(sql, params) of each status's subquery: the ids of `qs` in that status (with what
    the tab says of it) after the cursor (`after_for(value, pk)`, Q() without one), the
    first n of `order_by`; a status the tab cannot hold gives none."""
    after = after_for(*cursor) if cursor is not None else Q()
    tab_ = TABS[tab] if tab else None
    parts = []
    for status in sorted(statuses):
        implied = tab_.implied(status, now) if tab_ else Q()
        part = qs.filter(Q(status=status), implied).values("id")
        if tab_ and tab_.late_only(status) and order_by[0] == "deadline_sort":
            # Late orders by deadline: their deadline is ship_by (a late part is of statuses
            # awaiting shipment, tabs.check), so the same condition on the index's column
            # makes the soonest n one range of order_status_deadline.
            part = part.filter(after, deadline_sort__lt=now).order_by(*order_by)[:n]
        elif tab_ and tab_.late_only(status):
            # The late orders of a status: all of them through order_status_ship_by (the
            # caller applies the cursor), not the newest n, which SQLite would find by
            # walking every order in that status.
            part = part.order_by()
        else:
            part = part.filter(after).order_by(*order_by)[:n]
        try:
            parts.append(part.query.sql_with_params())
        except EmptyResultSet:  # e.g. an unknown tag: qs.none()
            continue
    return parts


def union_sql(parts) -> tuple[str, tuple] | None:
    if not parts:
        return None
    sql = " UNION ALL ".join(
        f"SELECT * FROM ({part}) AS s{i}" for i, (part, _p) in enumerate(parts)
    )
    return sql, tuple(param for _sql, part_params in parts for param in part_params)


def cache_key(user, filters, sort_key, n: int, has_cursor: bool) -> tuple | None:
    """The key of a list's compiled SQL, or None when it must be compiled at each request
    (a tag, a search, a user who sees no order)."""
    if filters.tag or (filters.q and filters.q.strip()):
        return None
    scope = "all"
    if user is not None and not user.has_perm("orders.view_all_orders"):
        if not user.has_perm("orders.view_order"):
            return None
        scope = user.pk
    values = tuple((k, tuple(v) if isinstance(v, list) else v) for k, v in filters.__dict__.items())
    # A date filter is a day in the current time zone (selectors._local_day_start).
    zone = timezone.get_current_timezone_name() if filters.date_from or filters.date_to else ""
    return (
        connection.alias,
        scope,
        values,
        zone,
        sort_key,
        n,
        has_cursor,
        tuple(map(id, TABS.values())),
    )


def merged_sql(key, build, cursor, now) -> tuple[str, tuple] | None:
    """The union's (sql, params) for this time and cursor (None: no status can match).
    `build(cursor, now)` gives the parts; with a `key` (cache_key) it is called only the
    first time, with marker values, and the SQL kept."""
    if key is None:
        return union_sql(build(cursor, now))
    compiled = _cached(_MERGED_SQL, key, lambda c, t: union_sql(build(c, t)), cursor is not None)
    return None if compiled is _NO_ROWS else _fill(compiled, cursor, now)


def page_rows(key, build, cursor, now) -> list[dict]:
    """The page's rows (dicts of the values query `build(cursor, now)` gives, converted as
    Django converts them) by SQL compiled once per `key` and database connection: building
    and compiling the values query of ~60 columns and 7 joins was, after the union, most of
    the list's own CPU. Run as Django runs it: the same SQL, parameters and converters."""
    compiled = _cached(
        _PAGE_SQL,
        (key, id(connections[connection.alias])),
        lambda c, t: values_sql(build(c, t)),
        cursor is not None,
    )
    if compiled is _NO_ROWS:
        return []
    sql, params = _fill(compiled, cursor, now)
    return run_values(sql, params, *compiled[3])


def run_values(sql, params, compiler, converters, names) -> list[dict]:
    """Rows of a values query compiled once (`values_sql`) as dicts, converted as Django
    converts them; prepared once per connection on PostgreSQL (core.pg_prepare)."""
    with pg_prepare.cursor() as db:
        db.execute(sql, params)
        rows = db.fetchall()
    if converters:
        rows = compiler.apply_converters(rows, converters)
    return [dict(zip(names, row, strict=True)) for row in rows]


def values_sql(qs):
    """(sql, params, (compiler, converters, names)) of a values queryset, None when empty."""
    query = qs.query
    compiler = query.get_compiler(connection.alias)
    try:
        sql, params = compiler.as_sql()
    except EmptyResultSet:
        return None
    names = [*query.extra_select, *query.values_select, *query.annotation_select]
    fields = [col for col, _sql, _alias in compiler.select]
    assert len(fields) == len(names), (names, fields)
    return sql, tuple(params), (compiler, compiler.get_converters(fields), names)


_PAGE_SQL: dict[tuple, object] = {}


def _cached(cache: dict, key, build, has_cursor: bool):
    compiled = cache.get(key)
    if compiled is None:
        compiled = _compile(build, has_cursor)
        if len(cache) >= 512:
            cache.clear()
        cache[key] = compiled
    return compiled


def _fill(compiled, cursor, now) -> tuple[str, tuple]:
    sql, params, slots = compiled[:3]
    params = list(params)
    values = {"now": now}
    if cursor is not None:
        values["value"], values["pk"] = cursor
    for i, name, adapted in slots:
        value = values[name]
        params[i] = connection.ops.adapt_datetimefield_value(value) if adapted else value
    return sql, tuple(params)


def _compile(build, has_cursor: bool):
    """(sql, params, [(position, marker name, adapted)], extra) or _NO_ROWS; `build(cursor,
    now)` gives (sql, params[, extra]) or None."""
    runs = []
    for markers in _MARKERS:
        cursor = (markers["value"], markers["pk"]) if has_cursor else None
        runs.append(build(cursor, markers["now"]))
    if runs[0] is None:
        assert runs[1] is None, runs
        return _NO_ROWS
    (sql, params, *extra), (sql_b, params_b, *_extra) = runs
    assert sql == sql_b and len(params) == len(params_b), (sql, sql_b)
    slots = []
    for i, (a, b) in enumerate(zip(params, params_b, strict=True)):
        found = _marker_at(a, b)
        assert (found is None) == (a == b), (i, a, b)  # every difference is a marker, and only them
        if found is not None:
            slots.append((i, *found))
    if not has_cursor:
        assert all(name == "now" for _i, name, _a in slots), slots
    return sql, params, slots, (extra[0] if extra else None)


def _marker_at(a, b):
    """(name, adapted) when the params a and b are the same marker of the two sets."""
    first, second = _MARKERS
    for name in first:
        for adapted in (False, True):
            x, y = first[name], second[name]
            if adapted and name != "pk":
                x = connection.ops.adapt_datetimefield_value(x)
                y = connection.ops.adapt_datetimefield_value(y)
            elif adapted:
                continue
            if a == x and b == y:
                return name, adapted
    return None
