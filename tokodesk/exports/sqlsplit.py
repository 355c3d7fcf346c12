"""SQLite: a large export rendered by two processes, one per half of its id range.

SQLite evaluates the cells in the exporting process. A second connection in a thread
(`Compiled._parallel`) runs the evaluation without the GIL, but fetching the cells into
Python and writing them as CSV still take the GIL in turn. Two processes share nothing:
a fresh interpreter (sqlchild.py, no Django setup: ~0.15 s of CPU to start) renders the
older half of the orders (ids below the middle one) into a spool file while the worker
renders the newer half as usual, then the worker hands over the child's bytes: the file is
the one-process file byte for byte (rows are rendered one by one, newest first; chunk
bounds do not change a row's text). The child's render queries are the exporter's own,
their chunk bounds found here before it starts, and it connects as Django's SQLite backend
does (converters, functions). Not a fork(): the worker has other threads (the jobs' loop)
whose SQLite connections and locks a forked child would inherit.

Only where it is worth it and possible (`split_middle`): SQLite on a file (another process
cannot see a private in-memory database), outside a transaction (it would not see its
rows), at least `split_rows()` orders. Should the child fail, the worker renders its half
itself (logged): the same file, later. Progress: the worker's chunks as they are rendered,
then the child's. Memory: the child holds a fetch of rows at a time (its RSS is added in
bench/measure_export.py).

Each half's limit is its first or last chunk's id bound, never a second filter beside the
chunk's (`half_queries`: SQLite would search from the middle, quadratic at 1M orders), and
the database file is read ahead by the kernel meanwhile (`prefetch`: the export reads its
pages backwards, one at a time, which readahead does not follow when the file is not
cached). Both processes then cost about the same CPU per row (issue 16, 1M orders, full
template, loaded machine: ~52 µs per row for the two together, 69 before).
"""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
import tempfile
import threading
from collections.abc import Iterator
from pathlib import Path

from django.conf import settings
from django.db import connections
from django.db.backends.sqlite3.base import FORMAT_QMARK_REGEX
from django.db.models import QuerySet

logger = logging.getLogger("tokodesk.exports")
PACKAGE_ROOT = str(Path(__file__).resolve().parents[2])  # the folder holding tokodesk/

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
    if threshold <= 0 or compiled.vendor != "sqlite" or os.name != "posix":  # pass_fds
        return None
    connection = connections[compiled.alias]
    if connection.in_atomic_block or connection.is_in_memory_db():
        return None
    total = queryset.order_by().count()
    if total < max(threshold, 2):
        return None
    ids = queryset.order_by("-id").values_list("id", flat=True)
    return ids[total // 2 - 1]


def child_command() -> list[str]:
    """The second process: a fresh interpreter running sqlchild.py."""
    return [sys.executable, "-m", "tokodesk.exports.sqlchild"]


def half_queries(
    compiled, queryset: QuerySet, size: int, *, high: int | None = None, floor: int | None = None
) -> Iterator[tuple[str, list]]:
    """`Compiled._queries` for one half of the export: the orders below `high` (the
    child's half) or from `floor` up (the worker's), newest first, in the same chunks.

    The half's limit is the first chunk's upper bound or the last chunk's lower bound, not
    a filter of the queryset: SQLite searches a rowid range with one bound each way, so
    `id < middle AND id < high` (the half's filter and the chunk's) was searched from the
    middle down to each chunk, in the chunk's bound query (`LIMIT 1 OFFSET size-1`) and in
    its `IN (…)` list alike: quadratic in the half's size. At 1M orders (loaded machine) the
    worker spent ~8 s of CPU finding the child's bounds before starting it, and an IN list
    200k orders from the middle cost 36 ms of CPU instead of 0.6."""
    return compiled._queries(queryset, size, high=high, floor=floor)


def _render(compiled, queries) -> Iterator[tuple[int, bytes]]:
    """`Compiled.iter_serial`'s pieces for these render queries (SQLite), on this
    thread's connection."""
    connection = connections[compiled.alias]
    for sql, params in queries:
        count = 0
        for rows, piece in compiled._select(connection, sql, params):
            count += rows
            yield 0, piece
        if count:
            yield count, b""


def _child_job(compiled, queryset: QuerySet, size: int, middle: int) -> bytes | None:
    """The child's work as JSON (its database file and the render queries of the orders
    below `middle`, the bounds of its chunks found here), or None when its parameters are
    not plain JSON values."""
    connection = connections[compiled.alias]
    queries = [
        (FORMAT_QMARK_REGEX.sub("?", sql).replace("%%", "%"), params)
        for sql, params in half_queries(compiled, queryset, size, high=middle)
    ]
    try:
        return json.dumps(
            {
                "db": str(connection.settings_dict["NAME"]),
                "uri": True,  # as Django's SQLite backend connects
                "delimiter": compiled.delimiter,
                "queries": queries,
            }
        ).encode()
    except (TypeError, ValueError):
        return None


PREFETCH_STEP = 8 << 20  # bytes per posix_fadvise call (the kernel reads ~8 MB per call)


def _available_memory() -> int:
    """MemAvailable (Linux), else 0."""
    try:
        with open("/proc/meminfo") as fh:
            for line in fh:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    return 0


def prefetch(path: str) -> list[str]:
    """Ask the kernel to read the database file (and its WAL) into its page cache ahead of
    the export (posix_fadvise WILLNEED, 8 MB a call), when it fits in half the available
    memory; returns the files asked for.

    A large export reads most pages of the orders, lines, customers, payments and tags, one
    4 KB pread at a time and newest order first, i.e. backwards through the file, which
    the kernel's readahead does not follow: with the file out of the page cache (after a
    restart, or evicted) every page was a read of its own, ~20-35 µs of CPU more per row
    of the full template at 1M orders (66-84 instead of 45-48, measured by chunks, loaded
    machine). The kernel reads the whole file instead in large requests (2.9 GB: 0.44 s of
    CPU), and the export's reads find the pages cached. The pages are the kernel's cache,
    not this process's memory (unlike mmap, RSS does not grow); with the file cached
    already, nothing is read."""
    if not hasattr(os, "posix_fadvise"):
        return []
    budget = _available_memory() // 2
    asked = []
    for name in (path, f"{path}-wal"):
        try:
            fd = os.open(name, os.O_RDONLY)
        except OSError:
            continue
        try:
            size = os.fstat(fd).st_size
            if not 0 < size <= budget:
                continue
            budget -= size
            for offset in range(0, size, PREFETCH_STEP):
                os.posix_fadvise(fd, offset, PREFETCH_STEP, os.POSIX_FADV_WILLNEED)
            asked.append(name)
        except OSError:
            continue
        finally:
            os.close(fd)
    return asked


def iter_split(compiled, queryset: QuerySet, size: int, middle: int) -> Iterator[tuple[int, bytes]]:
    """`Compiled.iter_chunks`'s pieces for the whole export: the parent's half (ids >=
    `middle`) as it renders, then the child's (ids < `middle`) from its spool file. Should
    the child fail, the parent renders that half itself (the same bytes, later). The
    database file is read ahead meanwhile (`prefetch`, a thread: the calls take ~1-2 s)."""
    name = str(connections[compiled.alias].settings_dict["NAME"])
    if os.path.isfile(name):
        threading.Thread(target=prefetch, args=(name,), daemon=True, name="export-prefetch").start()
    job = _child_job(compiled, queryset, size, middle)
    if job is None:
        yield from compiled.iter_serial(queryset, size)
        return
    folder = getattr(settings, "DATA_DIR", None)
    folder = str(folder) if folder and os.path.isdir(folder) else None
    with (
        tempfile.TemporaryFile(dir=folder) as spool,
        tempfile.TemporaryFile(dir=folder) as index,
        tempfile.TemporaryFile(dir=folder) as errors,
    ):
        env = dict(
            os.environ, PYTHONPATH=os.pathsep.join([PACKAGE_ROOT, os.environ.get("PYTHONPATH", "")])
        )
        child = subprocess.Popen(
            [*child_command(), str(spool.fileno()), str(index.fileno())],
            stdin=subprocess.PIPE,
            stdout=subprocess.DEVNULL,
            stderr=errors,
            pass_fds=(spool.fileno(), index.fileno()),
            env=env,
        )
        try:
            try:
                child.stdin.write(job)
                child.stdin.close()
            except OSError:  # the child died before reading: seen at wait()
                pass
            yield from _render(compiled, half_queries(compiled, queryset, size, floor=middle))
            code = child.wait()
        finally:
            if child.returncode is None:  # the consumer stopped (or failed) first
                child.kill()
                child.wait()
        if code != 0:
            errors.seek(0)
            logger.warning(
                "the export's second process failed (%s): rendering its half here\n%s",
                code,
                errors.read().decode("utf-8", "replace")[-2000:],
            )
            yield from _render(compiled, half_queries(compiled, queryset, size, high=middle))
            return
        index.seek(0)
        spool.seek(0)
        for line in index.read().decode().splitlines():
            nbytes, rows = (int(x) for x in line.split())
            yield 0, spool.read(nbytes)
            yield rows, b""
