"""The streaming CSV writer: orders → rows → CSV bytes, a chunk at a time.

Memory stays constant whatever the row count: orders are read by keyset chunks (newest
first, `id < last id`, `values_list` — no model instances), each chunk's lines, tags and
payments by one query each, the chunk is written and dropped. The number of queries per
chunk depends only on the template's columns (1 for the orders + 1 per related list);
couriers, warehouses, landing pages and users are read once per export.

The file opens cleanly in Excel: UTF-8 with a BOM, "," or ";" (then decimals take a
comma), CRLF line ends, and every text cell that a spreadsheet would read as a formula
(starting with = + - @ tab or CR) is prefixed with a single quote.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass

from django.db.models import QuerySet

from tokodesk.exports.columns import LOADERS, LOOKUPS, REGISTRY, Column, ExportContext, neutralize
from tokodesk.exports.sqlrender import compile_plan

BOM = "\ufeff"
# A chunk holds about this many values in memory (rows × values read per row): ~2,000
# orders for a courier list, ~500 for the full template — a few MB either way.
CHUNK_VALUES = 30_000
MIN_CHUNK, MAX_CHUNK = 200, 5000
_EMPTY = ()
__all__ = ["BOM", "Plan", "iter_chunks", "iter_csv", "neutralize"]


@dataclass(frozen=True)
class Plan:
    """A template resolved against the column registry: what to read and how to write it."""

    columns: tuple[Column, ...]
    headers: tuple[str, ...]
    paths: tuple[str, ...]  # values_list paths, "id" first
    loaders: tuple[str, ...]
    lookups: tuple[str, ...] = ()

    @classmethod
    def build(cls, columns: Iterable[dict]) -> Plan:
        """`columns` as stored on a template: [{"field": …, "header": …}]. An empty header
        is the column's own name in the active language; unknown fields are skipped."""
        cols, headers = [], []
        for item in columns:
            col = REGISTRY.get(item.get("field", ""))
            if col is None:
                continue
            cols.append(col)
            headers.append((item.get("header") or "").strip() or str(col.label))
        paths = ["id"]
        loaders: list[str] = []
        lookups: list[str] = []
        for col in cols:
            paths += [p for p in col.values if p not in paths]
            loaders += [name for name in col.related if name not in loaders]
            lookups += [name for name in col.lookups if name not in lookups]
        return cls(tuple(cols), tuple(headers), tuple(paths), tuple(loaders), tuple(lookups))

    @property
    def chunk_size(self) -> int:
        """Orders per chunk: fewer when each row reads more (memory stays about the same
        whatever the template); lines, tags and payments count as a few values each."""
        width = len(self.paths) + 8 * len(self.loaders)
        return max(MIN_CHUNK, min(MAX_CHUNK, CHUNK_VALUES // width))


def iter_chunks(queryset: QuerySet, plan: Plan, ctx: ExportContext,
                chunk_size: int | None = None) -> Iterator[tuple[int, Iterator[list]]]:
    """The export a chunk at a time: (row count, the chunk's rows as lists of cells,
    rendered one by one as they are consumed)."""
    chunk_size = chunk_size or plan.chunk_size
    loaders = plan.loaders
    index = {path: i for i, path in enumerate(plan.paths)}
    index.update({"_" + name: len(plan.paths) + i for i, name in enumerate(loaders)})
    renders = [col.renderer(index.__getitem__) for col in plan.columns]
    for name in plan.lookups:  # small tables, once per export
        if name not in ctx.lookups:
            ctx.lookups[name] = LOOKUPS[name]()
    base = queryset.order_by("-id").values_list(*plan.paths)

    def rendered(rows, related):
        if related:
            rows = (values + tuple(lists.get(values[0], _EMPTY) for lists in related) for values in rows)
        for row in rows:
            yield [render(row, ctx) for render in renders]

    last_id = None
    while True:
        page = base if last_id is None else base.filter(id__lt=last_id)
        rows = list(page[:chunk_size])
        if not rows:
            return
        ids = [row[0] for row in rows]
        related = [LOADERS[name](ids) for name in loaders]
        yield len(rows), rendered(rows, related)
        if len(rows) < chunk_size:
            return
        last_id = ids[-1]
        del rows, related


def iter_csv(queryset: QuerySet, plan: Plan, *, delimiter: str = ",", chunk_size: int | None = None,
             on_chunk: Callable[[int], None] | None = None, ctx: ExportContext | None = None,
             engine: str = "auto", info: dict | None = None, workers: int = 1,
             keep: bool = False) -> Iterator[bytes]:
    """The CSV file as UTF-8 bytes: the BOM and header row first, then one piece per chunk.
    `on_chunk(rows_done)` is called once each chunk's piece has been taken.

    `engine`: "sql" renders in the database (sqlrender.py, ~10× faster), "python" with
    the column renderers; "auto" (default) uses SQL unless a column cannot be rendered
    there exactly as in Python. "sql" falls back to Python in that case too. The engine
    used is set in `info["engine"]` when `info` is given. `workers` > 1: the SQL engine
    renders that many chunks at once on connections of their own (see
    `sqlrender.Compiled.iter_chunks`), the file being the same. `keep`: with the SQL
    engine, each order's line is kept and reused while the order is unchanged (kept.py;
    the worker's exports), the file being the same."""
    if delimiter not in (",", ";"):
        raise ValueError("delimiter must be ',' or ';'")
    if engine not in ("auto", "sql", "python"):
        raise ValueError("engine must be 'auto', 'sql' or 'python'")
    ctx = ctx or ExportContext.build(decimal_comma=delimiter == ";")
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n")
    writer.writerow([neutralize(h) for h in plan.headers])
    yield (BOM + buffer.getvalue()).encode("utf-8")
    done = 0
    compiled = None if engine == "python" else compile_plan(plan, ctx, delimiter, using=queryset.db)
    if info is not None:
        info["engine"] = "python" if compiled is None else "sql"
    if compiled is not None:
        if keep:
            from tokodesk.exports import kept

            pieces = kept.pieces(compiled, queryset, chunk_size, workers, info)
        else:
            pieces = compiled.iter_chunks(queryset, chunk_size, workers=workers)
        for count, piece in pieces:
            if piece:
                yield piece
            if count:
                done += count
                if on_chunk is not None:
                    on_chunk(done)
        return
    for count, rows in iter_chunks(queryset, plan, ctx, chunk_size):
        buffer.seek(0)
        buffer.truncate()
        writer.writerows(rows)
        done += count
        yield buffer.getvalue().encode("utf-8")
        if on_chunk is not None:
            on_chunk(done)
