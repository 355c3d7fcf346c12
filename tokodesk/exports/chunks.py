"""An export's keyset chunks over the order id (newest first), as SQL conditions on `o`.

A chunk is a range of ids: one query finds its lowest id (`LIMIT 1 OFFSET size-1` over the
export's own queryset), and its orders are `o.id IN (<the export's queryset between the
bounds>)`, the bounds repeated outside the subquery (an index range scan), so selection,
filters and agent scoping are the export's own. Used by the SQL renderer (sqlrender.py,
sqlsplit.py) and the kept rows (kept.py).
"""

from __future__ import annotations

from collections.abc import Iterator

from django.db.models import QuerySet


def chunk_where(ids: QuerySet, low: int | None = None, high: int | None = None) -> tuple[str, list]:
    """The condition on `o` of the orders `ids` (a values("id") queryset) within
    low <= id < high, and its parameters (EmptyResultSet when `ids` can match nothing)."""
    sub, params = ids.query.sql_with_params()
    where, params = [f'o."id" IN ({sub})'], list(params)
    if low is not None:
        where.append('o."id" >= %s')
        params.append(low)
    if high is not None:
        where.append('o."id" < %s')
        params.append(high)
    return " AND ".join(where), params


def chunk_ranges(
    queryset: QuerySet, size: int, *, high=None, floor=None
) -> Iterator[tuple[QuerySet, int | None, int | None]]:
    """Each chunk as (its orders as a values("id") queryset, low, high), newest first;
    below `high` / from `floor` up: a split export's half (sqlsplit.py)."""
    base = queryset.order_by()
    bounds = base.order_by("-id").values_list("id", flat=True)
    while True:
        page = bounds if high is None else bounds.filter(id__lt=high)
        low = next(iter(page[size - 1 : size]), None)
        last = low is None
        if floor is not None and (low is None or low <= floor):
            low, last = floor, True  # the half's last chunk
        ids = base
        if high is not None:
            ids = ids.filter(id__lt=high)
        if low is not None:
            ids = ids.filter(id__gte=low)
        yield ids.values("id"), low, high
        if last:
            return
        high = low
