"""SQL-side rendering of exports: the database writes every cell's final text.

The Python renderer of `columns.py` costs ~4 µs per row plus ~0.3 µs per cell; at a
million orders that is minutes. Here each column of the registry has a SQL expression
per vendor (`Column.sql`, built by the column builders) yielding the exact text the
Python renderer writes, so:

* PostgreSQL: one `COPY (SELECT …) TO STDOUT (FORMAT csv)` per chunk; the server writes
  the CSV, we only turn its LF row ends into CRLF;
* SQLite: one `SELECT` per chunk of final strings fed to `csv.writer.writerows` (both in C).

The Python renderer stays the reference: tests render a varied dataset both ways and
compare the parsed rows. When a template holds something SQL cannot render exactly, the
whole export uses the Python path (`compile_plan` returns None), never a different text:

* another database vendor;
* the "Agent" column when a user's first/last name has leading or trailing whitespace
  other than spaces (Python's strip() and SQL's TRIM() would differ).

Local times on SQLite, which has no time zone database: the zone's UTC offsets from 1970
to 2100 are in the SQL as a search tree of `CASE WHEN t < '<change>'` over the stored UTC
text (`sqltz.offset_tree`: one constant for Asia/Jakarta, +07:00 since 1964; ~9 comparisons
for Europe/Paris and its two changes a year, in C); a time outside those years asks
Python's zoneinfo through the SQL function `tokodesk_utcoffset` (registered on every
SQLite connection by the app, see apps.py), so the text is the Python path's there too
(Jakarta was +07:30 before 1964).

Chunks are keyset ranges over the order id (newest first): one query finds the chunk's
lowest id (`LIMIT 1 OFFSET size-1` over the filtered orders), the render query reads
`WHERE o.id IN (<the filtered orders between the bounds>)`: filters, agent scoping and
selected references apply exactly as in the Python path, since the id subquery is the
export's own queryset.

Quoting: PostgreSQL quotes the same cells as Python's csv module (delimiter, quote, CR,
LF) plus one case, a cell that is exactly `\\.`, which it quotes and Python does not: both
parse to the same rows. Empty strings are turned into NULL so that PostgreSQL writes them
unquoted as Python does; in a one-column template an empty cell is `""` both ways (Python's
csv quotes a row of one empty field). Rows end in CRLF both ways. On SQLite the bytes are
the Python path's (same csv module).
"""

from __future__ import annotations

import csv
import io
import sqlite3
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

from django.conf import settings
from django.core.exceptions import EmptyResultSet
from django.db import connections, router
from django.db.models import QuerySet
from django.utils import timezone

from tokodesk.core.money import MINOR_UNITS
from tokodesk.exports.chunks import chunk_ranges, chunk_where, in_order
from tokodesk.exports.sqllists import RelatedLists
from tokodesk.exports.sqlsplit import iter_split, split_middle
from tokodesk.exports.sqltz import Transitions, offset_tree, transitions
from tokodesk.orders.models import Order, OrderLine, Payment

# Cells read per chunk: ~3,500 orders for the full template, ~14,000 for the courier list.
SQL_CHUNK_VALUES = 200_000
MIN_CHUNK, MAX_CHUNK = 1000, 20_000
FETCH = 500  # rows per fetchmany (SQLite): one piece of CSV


# PostgreSQL settings of the export's connections. Compiling these wide expressions (JIT)
# costs more than running them. Hash joins: the planner hashed the whole customer table
# for every chunk (a seq scan of all customers per ~3,500 orders, growing with the shop:
# 100k orders with chunks of 350, as 1M orders with chunks of 3,500 — 95 µs server +
# client CPU per row, 61 µs with index lookups instead; unchanged at 100k orders).
# DateStyle: times and dates are written by their text output (`timestamp`, `date`), which
# is YYYY-MM-DD HH:MM:SS only in the ISO style, whatever the server's default.
PG_SESSION = {"jit": "off", "enable_hashjoin": "off", "DateStyle": "'ISO, MDY'"}


def pg_session(connection, *, reset: bool = False) -> None:
    """Set PG_SESSION (or reset it) in one round trip."""
    with connection.cursor() as cursor:
        items = PG_SESSION.items()
        cursor.execute("; ".join(f"RESET {k}" if reset else f"SET {k} = {v}" for k, v in items))


class Unsupported(Exception):
    """This export cannot be rendered in SQL exactly as in Python: use the Python path."""


def _lit(value: str) -> str:
    return "'" + str(value).replace("'", "''") + "'"


def _q(name: str) -> str:
    return '"' + name + '"'


# Order foreign keys joined when a column reads the related row: relation → alias.
JOIN_ALIASES = {
    "customer": "cu",
    "courier": "k",
    "warehouse": "w",
    "landing_page": "lp",
    "assigned_agent": "ua",
    "created_by": "uc",
    "payment_option": "pm",
}


@dataclass
class Dialect(RelatedLists):
    """SQL fragments for one vendor, and the joins the columns asked for."""

    vendor: str
    decimal_comma: bool
    labels: dict[str, dict[str, str]]
    tz_name: str
    # SQLite: the shop's UTC offsets within TREE_YEARS
    transitions: Transitions | None = None
    joins: list[str] = field(default_factory=list)
    # Aggregates over the order's lines, computed by one join per row (see `lines_join`):
    # aggregate SQL over `l` → its name in `la`.
    line_aggs: dict[str, str] = field(default_factory=dict)
    # PostgreSQL: other per-order lists (tags, payments) as LATERAL aggregates
    # (sqllists.RelatedLists): alias → (FROM … WHERE …, {aggregate SQL: its name}).
    laterals: dict[str, tuple[str, dict[str, str]]] = field(default_factory=dict)

    @property
    def pg(self) -> bool:
        return self.vendor == "postgresql"

    # --- values ---------------------------------------------------------------------

    def col(self, path: str) -> str:
        """An ORM path on the order (`awb`, `customer__name`, `courier_id`) as SQL."""
        if "__" in path:
            rel, name = path.split("__", 1)
            alias = self.join(rel)
            model = Order._meta.get_field(rel).related_model
            return f"{alias}.{_q(model._meta.get_field(name).column)}"
        return f"o.{_q(Order._meta.get_field(path).column)}"

    def join(self, rel: str) -> str:
        alias = JOIN_ALIASES[rel]
        if alias not in self.joins:
            self.joins.append(alias)
        return alias

    def join_sql(self) -> str:
        out = []
        for rel, alias in JOIN_ALIASES.items():
            if alias in self.joins:
                f = Order._meta.get_field(rel)
                model = f.related_model
                out.append(
                    f" LEFT JOIN {_q(model._meta.db_table)} {alias} "
                    f"ON {alias}.{_q(model._meta.pk.column)} = o.{_q(f.column)}"
                )
        return "".join(out)

    def text(self, expr: str) -> str:
        return f"CAST({expr} AS TEXT)"

    def chr(self, n: int) -> str:
        return f"chr({n})" if self.pg else f"char({n})"

    def neutral(self, expr: str) -> str:
        """Text a spreadsheet would run as a formula gets a leading quote (`expr` twice:
        use it on columns, not on subqueries — see `neutral_sub`). The first character's
        code point (unicode() / ascii(): NULL or 0 when empty) rather than substr(), which
        copies a string for every cell."""
        first = f"ascii({expr})" if self.pg else f"unicode({expr})"
        starts = ", ".join(str(ord(c)) for c in "=+-@\t\r")
        return f"CASE WHEN {first} IN ({starts}) THEN '''' || {expr} ELSE {expr} END"

    def neutral_sub(self, select: str) -> str:
        """A scalar subquery `select` (one column `s`) neutralized, evaluated once."""
        return f"(SELECT {self.neutral('s')} FROM ({select}) AS n)"

    def label(self, kind: str, expr: str) -> str:
        whens = " ".join(f"WHEN {_lit(k)} THEN {_lit(v)}" for k, v in self.labels[kind].items())
        return f"CASE {expr} {whens} ELSE {expr} END"

    def cases(self, expr: str, values: dict, default: str) -> str:
        """`values[expr]` (keys: ints or text, values: text written as constants), else the
        SQL `default`."""
        if not values:
            return default
        whens = " ".join(
            f"WHEN {k if isinstance(k, int) else _lit(k)} THEN {_lit(v)}" for k, v in values.items()
        )
        return f"CASE {expr} {whens} ELSE {default} END"

    def agg(self, expr: str, sep: str, source: str, order: str) -> str:
        """`expr` of the rows of `source` (FROM … WHERE …) joined by `sep`, in `order`; NULL
        when there are none."""
        if self.pg:
            return f"SELECT string_agg({expr}, {_lit(sep)} ORDER BY {order}) AS s {source}"
        # SQLite 3.40 has no ORDER BY inside aggregates; group_concat keeps the order of an
        # ordered subquery (checked by the tests against the Python renderer).
        return f"SELECT group_concat(x, {_lit(sep)}) AS s FROM (SELECT {expr} AS x {source} ORDER BY {order})"

    # --- numbers ----------------------------------------------------------------------

    def greatest0(self, expr: str) -> str:
        return f"GREATEST({expr}, 0)" if self.pg else f"max({expr}, 0)"

    def _fixed(self, expr: str, exp: int) -> str:
        """An integer of minor units as major units with `exp` decimals (the Python path's
        str(Decimal(amount).scaleb(-exp)), decimal comma with ";")."""
        if not exp:
            return self.text(expr)
        sep = "," if self.decimal_comma else "."
        unit = 10**exp
        sign = f"CASE WHEN {expr} < 0 THEN '-' ELSE '' END"
        if self.pg:
            return (
                f"{sign} || (abs({expr}) / {unit})::text || '{sep}' || "
                f"lpad((abs({expr}) % {unit})::text, {exp}, '0')"
            )
        return f"printf('%s%d{sep}%0{exp}d', {sign}, abs({expr}) / {unit}, abs({expr}) % {unit})"

    def money(self, amount: str, currency: str) -> str:
        by_exp: dict[int, list[str]] = {}
        for code, exp in MINOR_UNITS.items():
            by_exp.setdefault(exp, []).append(code)
        default = 2  # tokodesk.core.money.exponent() of unknown codes
        # SQLite's upper() and NOCASE both fold ASCII only: the same test without a copy.
        code = f"upper({currency})" if self.pg else f"{currency} COLLATE NOCASE"
        whens = " ".join(
            f"WHEN {code} IN ({', '.join(_lit(c) for c in codes)}) THEN {self._fixed(amount, exp)}"
            for exp, codes in sorted(by_exp.items())
            if exp != default
        )
        if self.pg:  # the codes as stored (upper case) first: no upper() copy, ~1/3 less CPU
            exact = (
                f"WHEN {currency} IN ({', '.join(_lit(c) for c in codes)}) THEN {self._fixed(amount, exp)}"
                for exp, codes in sorted(by_exp.items())
            )
            whens = " ".join([*exact, whens])
        return f"CASE {whens} ELSE {self._fixed(amount, default)} END"

    def kg(self, grams: str) -> str:
        """Grams (≥ 0) as kilograms with 3 decimals."""
        return self._fixed(grams, 3)

    # --- times ------------------------------------------------------------------------

    def _offset(self, expr: str) -> str:
        """SQLite: the date function modifier ('+25200 seconds') that turns the stored UTC
        text `expr` ("YYYY-MM-DD HH:MM:SS[.ffffff]") into the shop's local time."""
        if self.transitions is None:
            raise Unsupported("no offsets for the shop's time zone")
        return offset_tree(expr, self.transitions, self.tz_name)

    def timestamp(self, expr: str) -> str:
        """Local time to the second (truncated, as the Python path)."""
        if self.pg:
            # Its text in the ISO DateStyle (PG_SESSION) once the fraction is cut: to_char's
            # YYYY-MM-DD HH24:MI:SS cost ~1/2 more CPU per cell.
            return f"CAST(date_trunc('second', {expr} AT TIME ZONE {_lit(self.tz_name)}) AS TEXT)"
        # Django stores UTC text "YYYY-MM-DD HH:MM:SS[.ffffff]"; cut the fraction first
        # (the date functions would round it); datetime() is strftime('%Y-%m-%d %H:%M:%S')
        # without a format to read.
        return f"datetime(substr({expr}, 1, 19), {self._offset(expr)})"

    def local_date(self, expr: str) -> str:
        if self.pg:  # a date's text in the ISO DateStyle (PG_SESSION) is YYYY-MM-DD
            return f"CAST(CAST({expr} AT TIME ZONE {_lit(self.tz_name)} AS DATE) AS TEXT)"
        return f"date(substr({expr}, 1, 19), {self._offset(expr)})"

    def date(self, expr: str) -> str:
        """A date column."""
        return f"CAST({expr} AS TEXT)" if self.pg else expr  # PostgreSQL: ISO DateStyle

    # --- related lists ----------------------------------------------------------------

    def line_agg(self, agg: str, *, empty: str | None = None) -> str:
        """An aggregate over the order's lines (`l`), e.g. `SUM(l.qty)`, computed with the
        others from one join of the lines (`lines_join`) rather than one correlated
        subquery each; `empty` replaces the NULL of an order without lines (count
        `l.id`, not `*`)."""
        if self.pg:
            ref = "la." + self.line_aggs.setdefault(agg, f"a{len(self.line_aggs)}")
        else:  # the query groups by order (lines_join): the aggregate itself
            self.line_aggs.setdefault(agg, agg)
            ref = agg
        return ref if empty is None else f"COALESCE({ref}, {empty})"

    def line_concat(self, expr: str, sep: str = "; ") -> str:
        """`expr` of the order's lines joined by `sep` in line order (NULL without lines)."""
        if self.pg:
            return self.line_agg(f"string_agg({expr}, {_lit(sep)} ORDER BY l.id)")
        if sqlite3.sqlite_version_info >= (3, 44):
            return self.line_agg(f"group_concat({expr}, {_lit(sep)} ORDER BY l.id)")
        # Before 3.44 no ORDER BY in aggregates: the rows of a group come in the join's
        # order, the index on (order_id) then rowid: line order (checked by the tests).
        return self.line_agg(f"group_concat({expr}, {_lit(sep)})")

    def lines_join(self) -> tuple[str, bool]:
        """The join the line aggregates read, or "", and whether the query must then group
        by order. PostgreSQL: a LATERAL subquery `la` (one index lookup per order for all
        of them). SQLite has no LATERAL: the lines are LEFT JOINed and the query grouped
        by order id (the orders come in id order, so no sort; identical aggregates are
        computed once)."""
        if not self.line_aggs:
            return "", False
        table = _q(OrderLine._meta.db_table)
        if self.pg:
            aggs = ", ".join(f"{agg} AS {name}" for agg, name in self.line_aggs.items())
            return (
                f' LEFT JOIN LATERAL (SELECT {aggs} FROM {table} l WHERE l."order_id" = o."id") la ON true',
                False,
            )
        return f' LEFT JOIN {table} l ON l."order_id" = o."id"', True

    def payments_source(self) -> str:
        table = _q(Payment._meta.db_table)
        return f"FROM {table} p WHERE p.{_q('order_id')} = o.{_q('id')} AND p.{_q('voided_at')} IS NULL"


@dataclass(frozen=True)
class Compiled:
    """A plan compiled to SQL for one database: the select list and its joins."""

    vendor: str
    alias: str  # database alias
    select: str  # "e1, e2, …" (with % escaped for the DB-API paramstyle)
    joins: str
    width: int
    delimiter: str
    group_by: bool = False  # SQLite with line aggregates: GROUP BY the order id
    tz_name: str = ""  # the shop's time zone (kept.py: part of a form on PostgreSQL)

    def chunk_size(self, requested: int | None) -> int:
        return requested or max(MIN_CHUNK, min(MAX_CHUNK, SQL_CHUNK_VALUES // max(self.width, 1)))

    def query(
        self, ids: QuerySet, low: int | None = None, high: int | None = None
    ) -> tuple[str, list]:
        """The render query of the orders `ids` (a values("id") queryset), within
        low <= id < high (repeated outside the subquery: an index range scan)."""
        where, params = chunk_where(ids, low, high)
        group = f" GROUP BY o.{_q('id')}" if self.group_by else ""
        sql = (
            f"SELECT {self.select} FROM {_q(Order._meta.db_table)} o{self.joins} "
            f"WHERE {where}{group} ORDER BY o.{_q('id')} DESC"
        )
        return sql, params

    def iter_chunks(
        self, queryset: QuerySet, chunk_size: int | None = None, workers: int = 1
    ) -> Iterator[tuple[int, bytes]]:
        """(0, a piece of CSV bytes) as the rows come, then (rows, b"") at the end of each
        keyset chunk; newest orders first.

        `workers` > 1: the chunks are rendered by that many threads, each on a connection
        of its own (the database evaluates the expressions: one core per connection), and
        handed over in order; at most `workers + 1` chunks are held at once, so memory
        stays flat. Only outside a transaction (other connections would not see its rows)
        and not on a private in-memory SQLite database: else one connection, in order.
        SQLite, a large export (`sqlsplit.split_middle`): two processes instead, one per
        half of the id range (sqlsplit.py)."""
        size = self.chunk_size(chunk_size)
        connection = connections[self.alias]
        if workers > 1 and (
            connection.in_atomic_block
            or (
                self.vendor == "sqlite"
                and connection.is_in_memory_db()
                and "cache=shared" not in str(connection.settings_dict["NAME"])
            )
        ):
            workers = 1
        if workers > 1 and self.vendor == "sqlite":
            middle = split_middle(self, queryset)
            if middle is not None:  # a large export: two processes (sqlsplit.py)
                yield from iter_split(self, queryset, size, middle)
                return
        if workers > 1:
            yield from self._parallel(queryset, size, workers)
            return
        yield from self.iter_serial(queryset, size)

    def iter_serial(self, queryset: QuerySet, size: int) -> Iterator[tuple[int, bytes]]:
        """`iter_chunks` on this thread's connection, one chunk after the other."""
        connection = connections[self.alias]
        if self.vendor == "postgresql":
            pg_session(connection)
        try:
            for sql, params in self._queries(queryset, size):
                if self.vendor == "postgresql":
                    count, pieces = self._render(connection, sql, params)
                    for piece in pieces:
                        yield 0, piece
                    del pieces
                else:  # as the rows are fetched (the chunk is never whole in memory)
                    count = 0
                    for rows, piece in self._select(connection, sql, params):
                        count += rows
                        yield 0, piece
                if count:
                    yield count, b""
        finally:
            if self.vendor == "postgresql":
                pg_session(connection, reset=True)

    def _queries(
        self, queryset: QuerySet, size: int, *, high=None, floor=None
    ) -> Iterator[tuple[str, list]]:
        """Each chunk's render query, newest first; below `high` / from `floor` up: a split's half."""
        for ids, low, top in chunk_ranges(queryset, size, high=high, floor=floor):
            try:
                yield self.query(ids, low, top)
            except EmptyResultSet:
                return

    def _parallel(self, queryset: QuerySet, size: int, workers: int) -> Iterator[tuple[int, bytes]]:
        prepare = pg_session if self.vendor == "postgresql" else None
        for count, pieces in in_order(
            self.alias, self._queries(queryset, size), self._render, workers, prepare=prepare
        ):
            for piece in pieces:
                yield 0, piece
            del pieces
            if count:
                yield count, b""

    def _render(self, connection, sql: str, params: list) -> tuple[int, list[bytes]]:
        """One chunk through `connection`: (rows, CSV pieces), read whole before it is
        handed over (a few MB), so the connection is free again."""
        if self.vendor != "postgresql":
            pieces, count = [], 0
            for rows, piece in self._select(connection, sql, params):
                count += rows
                pieces.append(piece)
            return count, pieces
        started = time.monotonic()
        statement, params, count, pieces = self._copy(connection, sql, params)
        if connection.queries_logged:  # as Django logs its own queries (tests count them)
            connection.queries_log.append(
                {
                    "sql": statement if params is None else f"{statement} {params!r}",
                    "time": f"{time.monotonic() - started:.3f}",
                }
            )
        return count, pieces

    def _copy(
        self, connection, sql: str, params: list | None
    ) -> tuple[str, list | None, int, list[bytes]]:
        options = "FORMAT csv" + (
            "" if self.delimiter == "," else f", DELIMITER {_lit(self.delimiter)}"
        )
        statement = f"COPY ({sql}) TO STDOUT WITH ({options})"
        if not params:  # psycopg only merges parameters (and unescapes %%) when there are some
            statement, params = statement.replace("%%", "%"), None
        count = 0
        pieces = []
        with connection.cursor() as cursor:
            with cursor.cursor.copy(statement, params) as copy:
                # libpq hands a COPY over one data row at a time: each block is a row
                # ending in "\n", which becomes "\r\n".
                blocks = []
                for block in copy:
                    blocks.append(block[:-1])
                    if len(blocks) == FETCH:
                        count += FETCH
                        blocks.append(b"")
                        pieces.append(b"\r\n".join(blocks))
                        blocks = []
                if blocks:
                    count += len(blocks)
                    blocks.append(b"")
                    pieces.append(b"\r\n".join(blocks))
                del blocks
        return statement, params, count, pieces

    def _select(self, connection, sql: str, params: list) -> Iterator[tuple[int, bytes]]:
        """SQLite: (rows, their CSV) per fetch of the cells' final text."""
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            fetch = cursor.fetchmany
            buffer = io.StringIO()
            writer = csv.writer(buffer, delimiter=self.delimiter, lineterminator="\r\n")
            while rows := fetch(FETCH):
                writer.writerows(rows)
                yield len(rows), buffer.getvalue().encode("utf-8")
                buffer.seek(0)
                buffer.truncate()


def compile_plan(plan, ctx, delimiter: str, *, using: str | None = None) -> Compiled | None:
    """The plan as SQL for the database of `using` (the orders' database by default), or
    None when some column cannot be rendered there exactly as in Python (see module doc)."""
    alias = using or router.db_for_read(Order)
    vendor = connections[alias].vendor
    if vendor not in ("sqlite", "postgresql") or not plan.columns:
        return None
    tz = ctx.tz or timezone.get_default_timezone()
    tz_name = getattr(tz, "key", None) or settings.TIME_ZONE
    d = Dialect(
        vendor=vendor,
        decimal_comma=ctx.decimal_comma,
        labels=ctx.labels,
        tz_name=tz_name,
        transitions=transitions(tz_name) if vendor == "sqlite" else None,
    )
    try:
        exprs = []
        for col in plan.columns:
            if col.sql is None:
                raise Unsupported(col.key)
            if col.sql_check is not None:
                col.sql_check()
            exprs.append(col.sql(d))
    except Unsupported:
        return None
    if vendor == "postgresql":
        exprs = [f"CAST({e} AS TEXT)" for e in exprs]
        if len(exprs) > 1:
            # COPY writes an empty string as "", Python's csv an empty cell.
            exprs = [f"NULLIF({e}, '')" for e in exprs]
        else:
            # …but a row of one empty cell is "" for Python's csv (an empty line would be
            # no row at all): COPY's "" for the empty string.
            exprs = [f"COALESCE({e}, '')" for e in exprs]
    lines_join, group_by = d.lines_join()
    select = ", ".join(exprs).replace("%", "%%")
    return Compiled(
        vendor=vendor,
        alias=alias,
        select=select,
        joins=(d.join_sql() + lines_join + d.laterals_join()).replace("%", "%%"),
        group_by=group_by,
        width=len(plan.columns),
        delimiter=delimiter,
        tz_name=tz_name,
    )


SqlBuilder = Callable[[Dialect], str]
