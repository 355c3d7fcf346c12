"""SQLite: a large export rendered by two processes, one per half of its id range.

SQLite evaluates the cells in the exporting process. A second connection in a thread
(`Compiled._parallel`) runs the evaluation without the GIL, but fetching the cells into
Python and writing them as CSV still take the GIL in turn. Two processes share nothing:
the worker forks, the child renders the older half of the orders (ids below the middle
one) into a spool file, the parent renders the newer half as usual, then hands over the
child's bytes: the file is the one-process file byte for byte (rows are rendered one by
one, in id order newest first; chunk bounds do not change a row's text).

Only where it is safe and worth it (`split_middle`): SQLite on a file (a forked process
cannot see a private in-memory database), outside a transaction (the child's connection
would not see its rows), a platform with fork(), and at least `split_rows()` orders. The
parent closes its connection before forking: SQLite's locks are per process and a
connection must never cross a fork; each process opens its own (WAL: readers run in
parallel). The child touches nothing of the parent's (Django's other connections, files,
logging) and ends with os._exit(). Progress: the parent's chunks as they are rendered,
then the child's. Memory: the child is a copy-on-write fork of the worker, its chunks go
to the spool file (a few MB at a time, as in the parent).
"""

from __future__ import annotations

import os
import signal
import tempfile
import traceback
from collections.abc import Iterator

from django.conf import settings
from django.db import connections
from django.db.models import QuerySet

# Exports of at least this many orders are split (setting or environment
# TOKODESK_EXPORT_SPLIT_ROWS; 0 turns the split off).
SPLIT_ROWS = 20_000


def split_rows() -> int:
    value = getattr(
        settings, "TOKODESK_EXPORT_SPLIT_ROWS", os.environ.get("TOKODESK_EXPORT_SPLIT_ROWS")
    )
    try:
        return SPLIT_ROWS if value in (None, "") else int(value)
    except ValueError:
        return SPLIT_ROWS


def split_middle(compiled, queryset: QuerySet) -> int | None:
    """The id from which the parent renders (ids >= it; the child the ones below), or
    None when this export is rendered by one process."""
    threshold = split_rows()
    if threshold <= 0 or compiled.vendor != "sqlite" or not hasattr(os, "fork"):
        return None
    connection = connections[compiled.alias]
    if connection.in_atomic_block or connection.is_in_memory_db():
        return None
    total = queryset.order_by().count()
    if total < max(threshold, 2):
        return None
    ids = queryset.order_by("-id").values_list("id", flat=True)
    return ids[total // 2 - 1]


def iter_split(compiled, queryset: QuerySet, size: int, middle: int) -> Iterator[tuple[int, bytes]]:
    """`Compiled.iter_chunks`'s pieces for the whole export: the parent's half (ids >=
    `middle`) as it renders, then the child's (ids < `middle`) from its spool file."""
    folder = getattr(settings, "DATA_DIR", None)
    folder = str(folder) if folder and os.path.isdir(folder) else None
    spool = tempfile.TemporaryFile(dir=folder)
    index = tempfile.TemporaryFile(dir=folder)  # "<bytes> <rows>" per chunk, or an error
    connections[compiled.alias].close()  # never carried across the fork
    pid = os.fork()
    if pid == 0:  # the child: render, write, leave without running anything of the parent's
        code = 1
        try:
            _child(compiled, queryset.filter(id__lt=middle), size, spool, index)
            code = 0
        except BaseException:
            try:
                index.write(b"error " + traceback.format_exc()[-2000:].encode("utf-8", "replace"))
                index.flush()
            except BaseException:
                pass
        finally:
            os._exit(code)
    try:
        yield from compiled.iter_serial(queryset.filter(id__gte=middle), size)
        _pid, status = os.waitpid(pid, 0)
        pid = 0
        index.seek(0)
        lines = index.read().decode("utf-8", "replace").splitlines()
        if os.waitstatus_to_exitcode(status) != 0:
            error = (
                "\n".join(lines)[6:]
                if lines and lines[0].startswith("error ")
                else f"status {status}"
            )
            raise RuntimeError(f"the export's second process failed: {error}")
        spool.seek(0)
        for line in lines:
            nbytes, rows = (int(x) for x in line.split())
            yield 0, spool.read(nbytes)
            if rows:
                yield rows, b""
    finally:
        if pid:  # the consumer stopped (or failed) first: the child is no longer wanted
            try:
                os.kill(pid, signal.SIGKILL)
                os.waitpid(pid, 0)
            except OSError:
                pass
        spool.close()
        index.close()


def _child(compiled, queryset: QuerySet, size: int, spool, index) -> None:
    connection = connections[compiled.alias]  # closed by the parent: opens its own
    for sql, params in compiled._queries(queryset, size):
        nbytes = rows = 0
        for count, piece in compiled._select(connection, sql, params):
            spool.write(piece)
            nbytes += len(piece)
            rows += count
        if rows:
            index.write(f"{nbytes} {rows}\n".encode())
    spool.flush()
    index.flush()
