"""Kept export rows: each order's CSV line rendered once per form and kept until it changes.

Rendering the full template costs ~40 µs of CPU a row on either database (62 cells, see
README.md), which caps an export near 40–50k rows/s on 2 cores. A shop's orders change
little once they are old, so the worker's exports keep what they render: a row of
`exports_keptrow` holds one order's line (its CSV bytes, CRLF included) for one *form* —
the template compiled to SQL in the exporter's language, time zone, currency, phone region
and separator (`Compiled.select` and `joins` say all of that), plus the generations of the
small tables the SQL reads — and the order's revision when it was rendered. The
triggers of kept_schema.py move an order's revision whenever something its line is made
of changes, so a kept line is used only while it is the line the order would render now.

A form's first export (or one over orders mostly never kept in it, `RENDER_SHARE`)
renders as without kept rows, as fast as ever, and the worker keeps the lines afterwards
(`warm`, task `warm_kept`). Later exports, per keyset chunk of their own queryset (the same
ranges, filters and agent scope as `Compiled.iter_chunks`), read in one statement the
chunk's lines that are at their order's revision, joined by the database newest first
(`group_concat` / `string_agg`: one value per chunk, not one Python object per row), and
the ids of the chunk's orders without one. When there are such orders, the chunk's orders
are read once more with their fresh lines, the others rendered with the template's own SQL
plus the order's id and revision read by the same statement (a change committed meanwhile
leaves a revision behind, never a stale line under the new one), kept (an upsert that never
replaces a newer revision) and merged in. 2 threads on connections of their own read
chunks ahead.

The bytes are those of `Compiled.iter_chunks` (SQLite: the same csv.writer per row;
PostgreSQL: COPY's rows with CRLF), tested byte for byte, cold and warm and after every
kind of change. Only the worker's exports keep rows (`services.export_run`); the page's
small streamed exports render as before. At most `kept_schema.keep_forms()` forms keep
their rows (the least recently used are dropped, in batches), and a form unused for
TOKODESK_EXPORT_KEEP_DAYS is dropped by `export_cleanup`.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import json
import logging
import time
from collections.abc import Iterator

from django.core.exceptions import EmptyResultSet
from django.db import OperationalError, connections, transaction
from django.utils import timezone

from tokodesk.exports.chunks import chunk_ranges, chunk_where, in_order
from tokodesk.exports.kept_schema import CHANGES, FORMS, GEN, REVS, ROWS, keep_forms
from tokodesk.exports.sqlrender import Compiled, _q, pg_session
from tokodesk.orders.models import Order

logger = logging.getLogger("tokodesk.exports")

# Bump when a line's bytes are made differently outside the compiled SQL (csv quoting,
# COPY's rows): every form then is new.
FORMAT = 1
KEPT_CHUNK = 5000  # orders per chunk (a chunk's lines are one value: ~1 MB for the full template)
# A chunk's stale ids are parameters of one statement (SQLite: at most 32,766).
MAX_KEPT_CHUNK = 20_000
# Above this share of an export's orders without a kept line, it renders as without kept
# rows and the worker keeps them after (pieces()).
RENDER_SHARE = 0.2
EVICT_BATCH = 20_000
FETCH = 500
# A form an export used within this long is never evicted (it may be mid-export).
IN_USE = dt.timedelta(hours=1)
# The order's revision (kept_schema.py: no row is 0), joined to the orders `o`.
# The order's revision (kept_schema.py: no row is 0), joined to the orders `o`.
REV_JOIN = f' LEFT JOIN {REVS} kept_v ON kept_v.order_id = o."id"'
REV = "COALESCE(kept_v.rev, 0)"
# How long an export waits for a lock when it moves the revisions of changed customers'
# orders (PostgreSQL): a writer holding one is never made to wait on it, nor deadlocked.
APPLY_LOCK_TIMEOUT_MS = 200


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
        # PostgreSQL's local times come from its time zone database, not from the SQL text:
        # the zone's changes as this machine's tzdata says (the server reads the same files)
        _zone_changes(compiled) if compiled.vendor == "postgresql" else "",
    ]
    return hashlib.sha256("\x00".join(parts).encode()).hexdigest()


def _zone_changes(compiled: Compiled) -> str:
    from tokodesk.exports.sqltz import transitions

    try:
        return f"{compiled.tz_name}:{transitions(compiled.tz_name)!r}"
    except Exception:  # an unknown zone: the name alone
        return compiled.tz_name


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
    since `unused_before`), never a form an export used within IN_USE (it may be mid-export),
    in batches of EVICT_BATCH rows, each its own transaction (a writer waits for one batch,
    not for a million rows); and rows of a form that no longer exists. Returns the forms
    dropped."""
    recent = timezone.now() - IN_USE
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT id, used_at FROM {FORMS} ORDER BY used_at DESC, id DESC")
        forms = [(pk, _aware(connection, used)) for pk, used in cursor.fetchall()]
    doomed = [
        pk
        for i, (pk, used) in enumerate(forms)
        if used < recent and (i >= keep or (unused_before is not None and used < unused_before))
    ]
    for pk in doomed:
        with connection.cursor() as cursor:
            cursor.execute(f"DELETE FROM {FORMS} WHERE id = %s", [pk])
    with_rows = _form_ids(connection)
    with connection.cursor() as cursor:  # read after: a form is made before its rows
        cursor.execute(f"SELECT id FROM {FORMS}")
        known = {pk for (pk,) in cursor.fetchall()}
    for pk in with_rows:
        if pk not in known:
            _drop_rows(connection, pk)
    return len(doomed)


def _form_ids(connection) -> list[int]:
    """The form ids that have rows, by a skip over the key's index (a few probes, not a
    scan of a million rows)."""
    out: list[int] = []
    with connection.cursor() as cursor:
        while True:
            cursor.execute(
                f"SELECT MIN(form_id) FROM {ROWS} WHERE form_id > %s", [out[-1] if out else -1]
            )
            (pk,) = cursor.fetchone()
            if pk is None:
                return out
            out.append(int(pk))


def _drop_rows(connection, form: int) -> None:
    while True:
        with transaction.atomic(using=connection.alias), connection.cursor() as cursor:
            cursor.execute(
                f"SELECT order_id FROM {ROWS} WHERE form_id = %s ORDER BY order_id "
                f"LIMIT 1 OFFSET {EVICT_BATCH - 1}",
                [form],
            )
            bound = cursor.fetchone()
            if bound is None:
                cursor.execute(f"DELETE FROM {ROWS} WHERE form_id = %s", [form])
                return
            cursor.execute(
                f"DELETE FROM {ROWS} WHERE form_id = %s AND order_id <= %s", [form, bound[0]]
            )


def _aware(connection, value) -> dt.datetime:
    if isinstance(value, str):  # SQLite through a raw cursor
        value = dt.datetime.fromisoformat(value)
    return value if timezone.is_aware(value) else timezone.make_aware(value, dt.UTC)


def pieces(
    compiled: Compiled, queryset, chunk_size: int | None, workers: int, info: dict | None
) -> Iterator[tuple[int, bytes]]:
    """The export's pieces for `writer.iter_csv(keep=True)`: from the kept rows when at
    most RENDER_SHARE of its orders lack a line at their revision; else (a form's first
    export, or one over orders mostly never exported in it) rendered as without kept rows —
    on 2 connections or processes, as fast as ever — and `info["warm_form"]` set, so that
    the worker keeps the lines afterwards (`services.export_warm`): rendering many lines on
    the way is slower than that (SQLite's threads share the GIL for the cells)."""
    connection = connections[compiled.alias]
    if not apply_customer_changes(connection):  # kept lines could be stale: render them all
        return compiled.iter_chunks(queryset, chunk_size, workers=workers)
    form = form_for(connection, compiled)
    evict(connection, keep=max(keep_forms(), 1))
    if has_rows(connection, form):
        total, stale = _stale_count(connection, queryset, form)
        if stale <= total * RENDER_SHARE:
            return iter_kept(compiled, queryset, form, chunk_size, stats=info, workers=workers)
    if info is not None:
        info["warm_form"] = form
    return compiled.iter_chunks(queryset, chunk_size, workers=workers)


def _stale_count(connection, queryset, form: int) -> tuple[int, int]:
    """How many orders the export has, and how many of them lack a line at their revision
    (index probes: ~1 µs an order)."""
    try:
        where, params = chunk_where(queryset.order_by().values("id"))
    except EmptyResultSet:
        return 0, 0
    sql = (
        f"SELECT count(*), COALESCE(SUM(CASE WHEN NOT EXISTS (SELECT 1 FROM {ROWS} kept_r "
        f'WHERE kept_r.form_id = %s AND kept_r.order_id = o."id" AND kept_r.rev = {REV}) '
        f"THEN 1 ELSE 0 END), 0) FROM {_q(Order._meta.db_table)} o{REV_JOIN} WHERE {where}"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [form, *params])
        total, stale = cursor.fetchone()
    return int(total), int(stale)


def apply_customer_changes(connection) -> bool:
    """Move the revisions of the orders of the customers queued by the customers' trigger
    (kept_schema.py), and empty the queue, in one transaction; True when done (nothing
    queued before it began is left). PostgreSQL: it waits at most APPLY_LOCK_TIMEOUT_MS
    for a revision a writer holds, then gives up (False) — a writer never waits on it."""
    orders = _q(Order._meta.db_table)
    customer = _q(Order._meta.get_field("customer").column)
    pg = connection.vendor == "postgresql"
    try:
        with transaction.atomic(using=connection.alias), connection.cursor() as cursor:
            if pg:
                cursor.execute(f"SET LOCAL lock_timeout = '{APPLY_LOCK_TIMEOUT_MS}ms'")
                cursor.execute(
                    f"WITH done AS (DELETE FROM {CHANGES} RETURNING customer_id) "
                    f"INSERT INTO {REVS} (order_id, rev) SELECT DISTINCT id, 1 FROM {orders} "
                    f"WHERE {customer} IN (SELECT customer_id FROM done) ORDER BY 1 "
                    f"ON CONFLICT (order_id) DO UPDATE SET rev = {REVS}.rev + 1"
                )
                cursor.execute(
                    "SET LOCAL lock_timeout TO DEFAULT"
                )  # (inside a caller's transaction)
            else:  # one writer at a time: no lock to wait for but the database's own
                cursor.execute(f"SELECT COALESCE(MAX(id), 0) FROM {CHANGES}")
                (last,) = cursor.fetchone()
                if last:
                    cursor.execute(
                        f"INSERT INTO {REVS} (order_id, rev) SELECT id, 1 FROM {orders} WHERE {customer} IN "
                        f"(SELECT customer_id FROM {CHANGES} WHERE id <= %s) "
                        f"ON CONFLICT (order_id) DO UPDATE SET rev = {REVS}.rev + 1",
                        [last],
                    )
                    cursor.execute(f"DELETE FROM {CHANGES} WHERE id <= %s", [last])
    except OperationalError:  # a lock not given in time (PostgreSQL)
        logger.warning(
            "kept export rows: customer changes not applied (a lock was busy); rendering in full"
        )
        return False
    return True


def has_rows(connection, form: int) -> bool:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT 1 FROM {ROWS} WHERE form_id = %s LIMIT 1", [form])
        return cursor.fetchone() is not None


def iter_kept(
    compiled: Compiled,
    queryset,
    form: int,
    chunk_size: int | None = None,
    stats: dict | None = None,
    workers: int = 1,
) -> Iterator[tuple[int, bytes]]:
    """`Compiled.iter_chunks`'s (0, bytes) / (rows, b"") pieces from the kept rows of
    `form`, rendering and keeping the missing and stale ones on the way (module doc).

    `workers` > 1: that many threads, each on a connection of its own, read the chunks
    ahead (the database joins and concatenates a chunk's lines, without the GIL), handed
    over in order, at most `workers + 1` chunks held; only outside a transaction and not
    on an in-memory SQLite database (its connections share one cache, with table locks)."""
    connection = connections[compiled.alias]
    size = min(chunk_size or KEPT_CHUNK, MAX_KEPT_CHUNK)
    stats = stats if stats is not None else {}
    stats.setdefault("rendered", 0)
    stats.setdefault("kept", 0)
    if workers > 1 and (
        connection.in_atomic_block or (compiled.vendor == "sqlite" and connection.is_in_memory_db())
    ):
        workers = 1
    chunks = _chunks(compiled, queryset, size)
    if workers > 1:
        done = _ahead(compiled, form, chunks, workers)
    else:
        done = _in_turn(connection, compiled, form, chunks)
    for count, data, rendered in done:
        stats["rendered"] += rendered
        stats["kept"] += max(count - rendered, 0)
        if count:
            yield 0, data
            yield count, b""


def _chunk(
    connection, compiled: Compiled, form: int, where: str, params: list
) -> tuple[int, bytes, int]:
    """One chunk's (rows, lines, rendered), from one statement: its fresh lines joined and
    its layout — per order, newest first, the byte length of its fresh line or minus its
    id. The orders without a fresh line are rendered and kept, and their lines put in
    their places; the chunk's orders are those of that one statement (never a kept line
    read again unchecked, nor an order that came into the filter meanwhile)."""
    pg = compiled.vendor == "postgresql"
    count, data, layout = _read_checked(connection, form, where, params, pg)
    stale = [-n for n in layout if n < 0]
    if not stale:
        return count, data, 0
    rendered = _render_keep(connection, compiled, form, stale)
    lines, at = [], 0
    for n in layout:
        if n > 0:
            lines.append(data[at : at + n])
            at += n
        elif -n in rendered:  # (else deleted meanwhile)
            lines.append(rendered[-n])
    return len(lines), b"".join(lines), len(rendered)


def _session(connection, compiled: Compiled, *, reset: bool = False) -> None:
    """PostgreSQL: the export's session settings (sqlrender.PG_SESSION) and room to sort
    a chunk's lines in memory (4 MB, the default work_mem, spilled a chunk to disk)."""
    if compiled.vendor != "postgresql":
        return
    pg_session(connection, reset=reset)
    with connection.cursor() as cursor:
        cursor.execute("RESET work_mem" if reset else "SET work_mem = '64MB'")


def _in_turn(connection, compiled: Compiled, form: int, chunks) -> Iterator[tuple[int, bytes, int]]:
    _session(connection, compiled)
    try:
        for where, params in chunks:
            yield _chunk(connection, compiled, form, where, params)
    finally:
        _session(connection, compiled, reset=True)


def _ahead(compiled: Compiled, form: int, chunks, workers: int) -> Iterator[tuple[int, bytes, int]]:
    def run(connection, where, params):
        return _chunk(connection, compiled, form, where, params)

    yield from in_order(
        compiled.alias, chunks, run, workers, prepare=lambda c: _session(c, compiled), name="kept"
    )


def warm(compiled: Compiled, queryset, form: int, chunk_size: int | None = None) -> int:
    """Render and keep the lines of `queryset`'s orders that have none at their revision
    (the worker, after a form's first export); how many were rendered."""
    connection = connections[compiled.alias]
    size = min(chunk_size or KEPT_CHUNK, MAX_KEPT_CHUNK)
    rendered = 0
    if not apply_customer_changes(connection):
        return 0
    _session(connection, compiled)
    try:
        for where, params in _chunks(compiled, queryset, size):
            with connection.cursor() as cursor:
                cursor.execute(_stale_sql(where), [*params, form])
                stale = [row[0] for row in cursor.fetchall()]
            if stale:
                rendered += len(_render_keep(connection, compiled, form, stale))
    finally:
        _session(connection, compiled, reset=True)
    return rendered


def _chunks(compiled: Compiled, queryset, size: int) -> Iterator[tuple[str, list]]:
    """Each chunk's condition on `o` and its parameters, newest first."""
    for ids, low, high in chunk_ranges(queryset, size):
        try:
            yield chunk_where(ids, low, high)
        except EmptyResultSet:
            return


def _read_checked(
    connection, form: int, where: str, params: list, pg: bool
) -> tuple[int, bytes, list[int]]:
    """The chunk's lines that are at their order's revision, joined newest first, how
    many, and the chunk's layout: per order, newest first, the byte length of its fresh
    line, or minus its id when it has none (one statement: a warm chunk is read once)."""
    table = _q(Order._meta.db_table)
    join = f'{REV_JOIN} LEFT JOIN {ROWS} kept_r ON kept_r.form_id = %s AND kept_r.order_id = o."id"'
    if pg:
        fresh = f"kept_r.rev = {REV}"
        sql = (
            f"SELECT count(*) FILTER (WHERE {fresh}), "
            f"string_agg(kept_r.line, ''::bytea ORDER BY o.\"id\" DESC) FILTER (WHERE {fresh}), "
            f'array_agg(CASE WHEN {fresh} THEN octet_length(kept_r.line) ELSE -o."id" END ORDER BY o."id" DESC) '
            f"FROM {table} o{join} WHERE {where}"
        )
    else:  # group_concat keeps the order of an ordered subquery (see sqlrender.Dialect.agg)
        sql = (
            "SELECT total(fresh), CAST(group_concat(CASE WHEN fresh THEN line END, '') AS BLOB), "
            "group_concat(CASE WHEN fresh THEN length(line) ELSE -id END) FROM "
            f'(SELECT o."id" AS id, kept_r.line AS line, kept_r.rev IS {REV} AS fresh '
            f'FROM {table} o{join} WHERE {where} ORDER BY o."id" DESC)'
        )
    count, data, layout = _one(connection, sql, [form, *params], pg)
    if not pg:
        layout = [int(n) for n in layout.split(",")] if layout else []
    return int(count or 0), bytes(data or b""), list(layout or [])


def _stale_sql(where: str) -> str:
    """The ids of the chunk's orders without a line at their revision: index probes only,
    so a warm chunk costs no cell (PostgreSQL computed the LATERAL aggregates of every
    order before an anti-join in the render query itself: 25 µs a row, warm)."""
    return (
        f'SELECT o."id" FROM {_q(Order._meta.db_table)} o{REV_JOIN} WHERE {where} AND NOT EXISTS ('
        f'SELECT 1 FROM {ROWS} kept_r WHERE kept_r.form_id = %s AND kept_r.order_id = o."id" '
        f"AND kept_r.rev = {REV})"
    )


def _render_sql(compiled: Compiled) -> str:
    """The lines of the orders whose ids are the one parameter (a JSON array on SQLite, an
    array on PostgreSQL: no limit on their number), with their id and revision read by
    the same statement."""
    group = ' GROUP BY o."id"' if compiled.group_by else ""
    ids = "= ANY(%s)" if compiled.vendor == "postgresql" else "IN (SELECT value FROM json_each(%s))"
    return (
        f'SELECT o."id", {REV}, {compiled.select} FROM {_q(Order._meta.db_table)} o{REV_JOIN}{compiled.joins} '
        f'WHERE o."id" {ids}{group} ORDER BY o."id" DESC'
    )


_UPSERT = (
    f"INSERT INTO {ROWS} (form_id, order_id, rev, line) VALUES (%s, %s, %s, %s) "
    f"ON CONFLICT (form_id, order_id) DO UPDATE SET rev = excluded.rev, line = excluded.line "
    f"WHERE excluded.rev > {ROWS}.rev"
)


def _render_keep(connection, compiled: Compiled, form: int, ids: list[int]) -> dict[int, bytes]:
    """Render and keep the lines of the orders `ids` (those that still exist): {id: line}."""
    if not ids:
        return {}
    sql = _render_sql(compiled)
    if compiled.vendor == "postgresql":
        rows = _pg_rows(connection, compiled, form, sql, [ids])
    else:
        rows = _sqlite_rows(connection, compiled, form, sql, [json.dumps(ids)])
    if rows:
        with transaction.atomic(using=connection.alias), connection.cursor() as cursor:
            cursor.executemany(_UPSERT, rows)
    return {pk: line for _form, pk, _rev, line in rows}


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
                if line == b"\\.\n" and compiled.width == 1:
                    # COPY quotes a row that is exactly \. (its end-of-data marker), as the
                    # one-column render does; here the cell is not alone on its row
                    line = b'"\\."\n'
                out.append((form, int(pk), int(rev), line[:-1] + b"\r\n"))
    return out


def _one(connection, sql: str, params: list, pg: bool) -> tuple:
    """The one row of `sql`. PostgreSQL in binary format: as text, bytea travels in hex —
    twice the bytes, and the server's hex encoding was most of its CPU per row."""
    if not pg:
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            return cursor.fetchone()
    import psycopg

    connection.ensure_connection()
    started = time.monotonic()
    # Django's cursors bind on the client, which has no binary results: a server-binding one.
    with psycopg.Cursor(connection.connection) as cursor:
        cursor.execute(sql, params, binary=True)
        row = cursor.fetchone()
    if connection.queries_logged:  # as Django logs its own queries (tests count them)
        connection.queries_log.append(
            {"sql": f"{sql} {params!r}", "time": f"{time.monotonic() - started:.3f}"}
        )
    return row
