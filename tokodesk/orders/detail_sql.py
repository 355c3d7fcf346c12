"""GET /orders/{reference}'s five queries compiled once per process (issue 16).

The detail reads the order (its ~60 columns and the codes of 4 related rows), then its
lines, tags, payments and notes. Building and compiling those five querysets was ~85 % of
the detail's own CPU (~3 ms of ~3.5 in process on SQLite), for SQL that is the same at
every request of the same scope: only the reference (the order's query) or the order's id
(the four others) changes. So each query's SQL, parameters and Django's converters are
kept per (database connection, query, scope) and the one value is put in its place at each
run (as orders.list_by_status does for the list's page).

The first time a query is compiled twice, with two marker values: the SQL must come out
the same and the parameters must differ at exactly one place, the value's, so that no
other parameter is ever taken for it."""

from __future__ import annotations

from django.db import connection, connections

from tokodesk.orders.list_by_status import run_values, values_sql

# The value's two marker values by kind: a reference (text) and an id (an integer, never a
# real one).
_MARKERS = {
    str: ("~tokodesk-detail-marker-7391245019~", "~tokodesk-detail-marker-8402356121~"),
    int: (-7_391_245_019, -8_402_356_121),
}
_NO_ROWS = object()
_SQL: dict[tuple, object] = {}


def rows(key: tuple, build, value) -> list[dict]:
    """The rows (dicts, converted as Django converts them) of the values queryset
    `build(value)`, by its SQL compiled once per `key` (which must hold all that the
    queryset depends on but `value`) and database connection."""
    full_key = (connection.alias, id(connections[connection.alias]), key)
    compiled = _SQL.get(full_key)
    if compiled is None:
        compiled = _compile(build, _MARKERS[type(value)])
        if len(_SQL) >= 512:
            _SQL.clear()
        _SQL[full_key] = compiled
    if compiled is _NO_ROWS:
        return []
    sql, params, at, compiler, converters, names = compiled
    params = list(params)
    params[at] = value
    return run_values(sql, params, compiler, converters, names)


def _compile(build, markers):
    first, second = (values_sql(build(marker)) for marker in markers)
    if first is None:
        assert second is None
        return _NO_ROWS
    sql, params, rest = first
    assert sql == second[0] and len(params) == len(second[1]), (sql, second[0])
    differ = [i for i, (a, b) in enumerate(zip(params, second[1], strict=True)) if a != b]
    # The value stands at exactly one place, as given (no other parameter differs).
    assert (
        len(differ) == 1 and params[differ[0]] == markers[0] and second[1][differ[0]] == markers[1]
    ), (params, second[1])
    return (sql, params, differ[0], *rest)
