"""An export's keyset chunks over the order id (newest first), as SQL conditions on `o`.

A chunk is a range of ids: one query finds its lowest id (`LIMIT 1 OFFSET size-1` over the
export's own queryset), and its orders are `o.id IN (<the export's queryset between the
bounds>)`, the bounds repeated outside the subquery (an index range scan), so selection,
filters and agent scoping are the export's own. Used by the SQL renderer (sqlrender.py,
sqlsplit.py) and the kept rows (kept.py), which also render or read chunks on threads of
their own, handed over in order (`in_order`).
"""

from __future__ import annotations

import collections
import queue
import threading
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future
from typing import TypeVar

from django.db import connections
from django.db.models import QuerySet

T = TypeVar("T")


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


def in_order(
    alias: str,
    jobs: Iterable[tuple],
    run: Callable[..., T],
    workers: int,
    *,
    prepare: Callable | None = None,
    name: str = "export",
) -> Iterator[T]:
    """`run(connection, *job)` for each job on `workers` threads, each with a database
    connection of its own (`prepare(connection)` first; closed at the end), the results
    handed over in the jobs' order; at most `workers + 1` jobs pending, so memory stays
    flat. An exception in a thread reaches the caller; stopping early cancels the rest."""
    tasks: queue.Queue = queue.Queue()
    stop = threading.Event()

    def work():
        connection = connections[alias]  # this thread's own
        try:
            if prepare is not None:
                prepare(connection)
            while (task := tasks.get()) is not None:
                future, job = task
                if stop.is_set() or not future.set_running_or_notify_cancel():
                    continue
                try:
                    future.set_result(run(connection, *job))
                except BaseException as exc:  # handed to the caller
                    future.set_exception(exc)
        finally:
            connection.close()

    threads = [
        threading.Thread(target=work, daemon=True, name=f"{name}-{i}") for i in range(workers)
    ]
    for thread in threads:
        thread.start()
    pending: collections.deque[Future] = collections.deque()
    jobs = iter(jobs)
    try:
        more = True
        while more or pending:
            while more and len(pending) <= workers:
                job = next(jobs, None)
                if job is None:
                    more = False
                    break
                future: Future = Future()
                tasks.put((future, job))
                pending.append(future)
            if pending:
                yield pending.popleft().result()
    finally:
        stop.set()
        for future in pending:
            future.cancel()
        for _thread in threads:
            tasks.put(None)
        for thread in threads:
            thread.join()
