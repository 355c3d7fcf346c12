"""Kept export rows: each order's CSV line rendered once per form and kept until it changes.

Rendering the full template costs ~40 µs of CPU a row on either database (62 cells, see
README.md), which caps an export near 40–50k rows/s on 2 cores. A shop's orders change
little once they are old, so the worker's exports keep what they render: a row of
`exports_keptrow` holds one order's line (its CSV bytes, CRLF included) for one *form* —
the template compiled to SQL in the exporter's language, time zone, currency, phone region
and separator (`Compiled.select` and `joins` say all of that), plus the generations of the
small tables the SQL reads — and the order's `export_rev` when it was rendered. The
triggers of kept_schema.py move an order's `export_rev` whenever something its line is made
of changes, so a kept line is used only while it is the line the order would render now.

An export, per keyset chunk of its own queryset (the same ranges, filters and agent scope
as `Compiled.iter_chunks`):

1. renders the orders of the chunk that have no kept line at their current revision, with
   the template's own SQL (`Compiled.select`) plus `o.id, o.export_rev` read by the same
   statement (so a change committed meanwhile leaves a revision behind, never a stale line
   under the new one), and stores them (an upsert that never replaces a newer revision);
2. reads the chunk's lines joined together by the database, newest order first
   (`group_concat` / `string_agg`): one value per chunk, not one Python object per row.

The bytes are those of `Compiled.iter_chunks` (SQLite: the same csv.writer per row;
PostgreSQL: COPY's rows with CRLF), tested byte for byte, cold and warm and after every
kind of change. Only the worker's exports keep rows (`services.export_run`); the page's
small streamed exports render as before. At most `kept_schema.keep_forms()` forms keep
their rows (the least recently used are dropped, in batches), and a form unused for
TOKODESK_EXPORT_KEEP_DAYS is dropped by `export_cleanup`.
"""

from __future__ import annotations

import collections
import csv
import datetime as dt
import hashlib
import queue
import threading
from collections.abc import Iterator
from concurrent.futures import Future

from django.core.exceptions import EmptyResultSet
from django.db import connections, transaction
from django.utils import timezone

from tokodesk.exports.kept_schema import FORMS, GEN, ROWS, keep_forms
from tokodesk.exports.sqlrender import Compiled, _q, pg_session
from tokodesk.orders.models import Order

# Bump when a line's bytes are made differently outside the compiled SQL (csv quoting,
# COPY's rows): every form then is new.
FORMAT = 1
KEPT_CHUNK = 5000  # orders per chunk (a chunk's lines are one value: ~1 MB for the full template)
EVICT_BATCH = 20_000
FETCH = 500


def _small_table_gens(connection, compiled: Compiled) -> list[tuple[str, int]]:
    """The generations of the small tables the compiled SQL reads (kept_schema.small_tables)."""
    from tokodesk.exports.kept_schema import small_tables

    text = compiled.select + compiled.joins
    names = [t for t in small_tables() if _q(t) in text]
    if not names:
        return []
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT name, n FROM {GEN} WHERE name IN ({', '.join(['%s'] * len(names))})", names
        )
        found = dict(cursor.fetchall())
    return [(t, int(found.get(t, 0))) for t in sorted(names)]


def digest(connection, compiled: Compiled) -> str:
    parts = [
        str(FORMAT),
        compiled.vendor,
        compiled.delimiter,
        str(compiled.group_by),
        str(compiled.width),
        compiled.select,
        compiled.joins,
        repr(_small_table_gens(connection, compiled)),
    ]
    return hashlib.sha256("\x00".join(parts).encode()).hexdigest()


def form_for(connection, compiled: Compiled) -> int:
    """The form's id (made when new), marked used now."""
    key = digest(connection, compiled)
    now = timezone.now()
    with transaction.atomic(using=connection.alias), connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {FORMS} (digest, used_at) VALUES (%s, %s) ON CONFLICT (digest) DO NOTHING",
            [key, now],
        )
        cursor.execute(f"UPDATE {FORMS} SET used_at = %s WHERE digest = %s", [now, key])
        cursor.execute(f"SELECT id FROM {FORMS} WHERE digest = %s", [key])
        return int(cursor.fetchone()[0])


def evict(connection, *, keep: int, unused_before: dt.datetime | None = None) -> int:
    """Drop the rows of all but the `keep` most recently used forms (and of forms unused
    since `unused_before`), in batches of EVICT_BATCH rows, each its own transaction (a
    writer waits for one batch, not for a million rows). Returns the forms dropped."""
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT id, used_at FROM {FORMS} ORDER BY used_at DESC, id DESC")
        forms = cursor.fetchall()
    doomed = [
        pk
        for i, (pk, used) in enumerate(forms)
        if i >= keep or (unused_before is not None and _aware(connection, used) < unused_before)
    ]
    for pk in doomed:
        while True:
            with transaction.atomic(using=connection.alias), connection.cursor() as cursor:
                cursor.execute(
                    f"SELECT order_id FROM {ROWS} WHERE form_id = %s ORDER BY order_id "
                    f"LIMIT 1 OFFSET {EVICT_BATCH - 1}",
                    [pk],
                )
                bound = cursor.fetchone()
                if bound is None:
                    cursor.execute(f"DELETE FROM {ROWS} WHERE form_id = %s", [pk])
                    cursor.execute(f"DELETE FROM {FORMS} WHERE id = %s", [pk])
                    break
                cursor.execute(
                    f"DELETE FROM {ROWS} WHERE form_id = %s AND order_id <= %s", [pk, bound[0]]
                )
    return len(doomed)


def _aware(connection, value) -> dt.datetime:
    if isinstance(value, str):  # SQLite through a raw cursor
        value = dt.datetime.fromisoformat(value)
    return value if timezone.is_aware(value) else timezone.make_aware(value, dt.UTC)


def iter_kept(
    compiled: Compiled,
    queryset,
    chunk_size: int | None = None,
    stats: dict | None = None,
    workers: int = 1,
) -> Iterator[tuple[int, bytes]]:
    """`Compiled.iter_chunks`'s (0, bytes) / (rows, b"") pieces from the kept rows,
    rendering and keeping the missing and stale ones first (module doc).

    `workers` > 1: that many threads, each on a connection of its own, render and keep
    the chunks ahead (a cold export is mostly the database evaluating the cells, without
    the GIL), while this thread reads them in order; only outside a transaction and not
    on an in-memory SQLite database."""
    connection = connections[compiled.alias]
    form = form_for(connection, compiled)
    evict(connection, keep=max(keep_forms(), 1))
    size = chunk_size or KEPT_CHUNK
    pg = compiled.vendor == "postgresql"
    stats = stats if stats is not None else {}
    stats.setdefault("rendered", 0)
    stats.setdefault("kept", 0)
    if workers > 1 and (
        connection.in_atomic_block
        # An in-memory SQLite database (the tests') shares one cache between connections,
        # with table locks: a thread's upsert would find another's read on the table.
        or (not pg and connection.is_in_memory_db())
    ):
        workers = 1
    if pg:
        pg_session(connection)
    try:
        chunks = _chunks(compiled, queryset, size)
        if workers > 1:
            refreshed = _ahead(compiled, form, chunks, workers)
        else:
            refreshed = ((w, p, _refresh(connection, compiled, form, w, p)) for w, p in chunks)
        for where, params, rendered in refreshed:
            count, data = _read(connection, form, where, params, pg)
            stats["rendered"] += rendered
            stats["kept"] += max(count - rendered, 0)
            if count:
                yield 0, data
                yield count, b""
    finally:
        if pg:
            pg_session(connection, reset=True)


def _chunks(compiled: Compiled, queryset, size: int) -> Iterator[tuple[str, list]]:
    """Each chunk's condition on `o` and its parameters, newest first."""
    for ids, low, high in compiled.ranges(queryset, size):
        try:
            yield compiled.where(ids, low, high)
        except EmptyResultSet:
            return


def _ahead(compiled: Compiled, form: int, chunks, workers: int) -> Iterator[tuple[str, list, int]]:
    """(where, params, rendered) per chunk in order, the chunks refreshed by `workers`
    threads at most `workers + 1` chunks ahead."""
    jobs: queue.Queue = queue.Queue()

    def work():
        connection = connections[compiled.alias]  # this thread's own
        try:
            if compiled.vendor == "postgresql":
                pg_session(connection)
            while (job := jobs.get()) is not None:
                future, where, params = job
                if not future.set_running_or_notify_cancel():
                    continue
                try:
                    future.set_result(_refresh(connection, compiled, form, where, params))
                except BaseException as exc:  # handed to the reader
                    future.set_exception(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=work, daemon=True, name=f"kept-{i}") for i in range(workers)]
    for thread in threads:
        thread.start()
    pending: collections.deque = collections.deque()
    try:
        more = True
        while more or pending:
            while more and len(pending) <= workers:
                chunk = next(chunks, None)
                if chunk is None:
                    more = False
                    break
                future: Future = Future()
                jobs.put((future, *chunk))
                pending.append((future, *chunk))
            if not pending:
                break
            future, where, params = pending.popleft()
            yield where, params, future.result()
    finally:
        for future, *_chunk in pending:
            future.cancel()
        for _thread in threads:
            jobs.put(None)
        for thread in threads:
            thread.join()


def _render_sql(compiled: Compiled, where: str) -> str:
    table = _q(Order._meta.db_table)
    group = ' GROUP BY o."id"' if compiled.group_by else ""
    fresh = (
        f'SELECT 1 FROM {ROWS} kept_r WHERE kept_r.form_id = %s AND kept_r.order_id = o."id" '
        f"AND kept_r.rev = o.export_rev"
    )
    return (
        f'SELECT o."id", o.export_rev, {compiled.select} FROM {table} o{compiled.joins} '
        f'WHERE {where} AND NOT EXISTS ({fresh}){group} ORDER BY o."id" DESC'
    )


_UPSERT = (
    f"INSERT INTO {ROWS} (form_id, order_id, rev, line) VALUES (%s, %s, %s, %s) "
    f"ON CONFLICT (form_id, order_id) DO UPDATE SET rev = excluded.rev, line = excluded.line "
    f"WHERE excluded.rev > {ROWS}.rev"
)


def _refresh(connection, compiled: Compiled, form: int, where: str, params: list) -> int:
    """Render and keep the chunk's orders without a line at their revision; how many."""
    sql, params = _render_sql(compiled, where), [*params, form]
    if compiled.vendor == "postgresql":
        rows = _pg_rows(connection, compiled, form, sql, params)
    else:
        rows = _sqlite_rows(connection, compiled, form, sql, params)
    if rows:
        with transaction.atomic(using=connection.alias), connection.cursor() as cursor:
            cursor.executemany(_UPSERT, rows)
    return len(rows)


def _sqlite_rows(connection, compiled: Compiled, form: int, sql: str, params: list) -> list[tuple]:
    out = []
    lines: list[str] = []
    # csv.writer writes each row with one write() of its whole line: a list's append is
    # the file, so each row's line arrives alone, without a buffer to reset.
    writer = csv.writer(_Sink(lines), delimiter=compiled.delimiter, lineterminator="\r\n")
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        while batch := cursor.fetchmany(FETCH):
            writer.writerows(row[2:] for row in batch)
            out.extend(
                (form, row[0], row[1], line.encode())
                for row, line in zip(batch, lines, strict=True)
            )
            lines.clear()
    return out


class _Sink:
    __slots__ = ("write",)

    def __init__(self, lines: list):
        self.write = lines.append


def _pg_rows(connection, compiled: Compiled, form: int, sql: str, params: list) -> list[tuple]:
    options = "FORMAT csv" + (
        "" if compiled.delimiter == "," else f", DELIMITER '{compiled.delimiter}'"
    )
    delimiter = compiled.delimiter.encode()
    out = []
    with connection.cursor() as cursor:
        with cursor.cursor.copy(f"COPY ({sql}) TO STDOUT WITH ({options})", params) as copy:
            for block in copy:  # one row a block, ending in "\n" (sqlrender.Compiled._copy)
                pk, rev, line = bytes(block).split(delimiter, 2)
                out.append((form, int(pk), int(rev), line[:-1] + b"\r\n"))
    return out


def _read(connection, form: int, where: str, params: list, pg: bool) -> tuple[int, bytes]:
    """The chunk's kept lines joined, newest order first, and how many."""
    table = _q(Order._meta.db_table)
    join = f'JOIN {ROWS} kept_r ON kept_r.form_id = %s AND kept_r.order_id = o."id"'
    if pg:
        sql = (
            f"SELECT count(*), string_agg(kept_r.line, ''::bytea ORDER BY o.\"id\" DESC) "
            f"FROM {table} o {join} WHERE {where}"
        )
    else:  # group_concat keeps the order of an ordered subquery (see sqlrender.Dialect.agg)
        sql = (
            f"SELECT count(*), CAST(group_concat(line, '') AS BLOB) FROM "
            f'(SELECT kept_r.line AS line FROM {table} o {join} WHERE {where} ORDER BY o."id" DESC)'
        )
    with connection.cursor() as cursor:
        cursor.execute(sql, [form, *params])
        count, data = cursor.fetchone()
    return int(count), bytes(data or b"")
