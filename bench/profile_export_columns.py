"""Per-column cost of an export template rendered in the database (issue 16).

    .venv/bin/python bench/profile_export_columns.py [--database-url URL] [--template full]
        [--limit 50000] [--skip 0] [--repeat 3] [--out FILE]

For each column of the template, the SQL renderer's query with that column alone (and the
whole template once) runs over the newest --limit orders; the cost of a column is its
query's time minus the time of the cheapest one-column query (the row scan every query
pays), in µs per row, the best of --repeat. CPU time, not wall time (the machine is shared;
CPU seconds do not grow with the load): SQLite, this process's (the database runs in it);
PostgreSQL, the query as the exporter runs it (COPY … TO STDOUT) with the CPU of its server
process (from /proc/<pg_backend_pid()>/stat: the server must run on this machine) plus this
process's reading the COPY. The sum of the columns is compared with the whole template's query, which shares
the scan and the joins. Results: bench/results/export-columns-<db>-<orders>.json unless --out.

What the export pays on top (issue 16): on SQLite the whole template is also measured with
its rows written by csv.writer as the exporter writes them ("with csv", ~1/3 of the
instructions of a row: the csv module compares every character with the line terminator).
The newest orders are the ones still moving; `--skip N` measures older ones (the N newest
skipped), whose more dates and payments cost a little more. The measure is best of
--repeat, i.e. with the database file in the page cache: an export of a file that is not
cached pays its reads too (exports/sqlsplit.py reads it ahead).
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import RESULTS, context, setup_django, shown, write_json  # noqa: E402


def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--database-url")
    p.add_argument(
        "--template", default="full", help="courier, accounting, full or a template name"
    )
    p.add_argument(
        "--limit", type=int, default=50000, help="newest orders to render (default 50000)"
    )
    p.add_argument(
        "--skip", type=int, default=0, help="skip the newest N orders (measure older ones)"
    )
    p.add_argument("--repeat", type=int, default=3)
    p.add_argument("--language", default="en")
    p.add_argument("--out")
    return p.parse_args(argv)


def main(argv=None) -> int:
    args = parse_args(argv)
    setup_django(args.database_url)
    from django.db import connection
    from django.utils import translation

    from tokodesk.exports.bench import TEMPLATES
    from tokodesk.exports.columns import ExportContext
    from tokodesk.exports.models import ExportTemplate
    from tokodesk.exports.sqlrender import compile_plan, pg_session
    from tokodesk.exports.writer import Plan
    from tokodesk.orders.models import Order

    translation.activate(args.language)
    meta = context()
    tmpl = ExportTemplate.objects.get(name=TEMPLATES.get(args.template, args.template))
    delimiter = tmpl.effective_delimiter
    ctx = ExportContext.build(decimal_comma=delimiter == ";")
    ids = Order.objects.order_by("-id").values_list("id", flat=True)
    first, last = args.skip, args.skip + args.limit
    high = ids[first - 1 : first].first() if first else None
    low = ids[last - 1 : last].first() if args.limit else None
    pg = connection.vendor == "postgresql"
    backend = None
    if pg:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_backend_pid()")
            backend = cursor.fetchone()[0]
        pg_session(connection)  # as the exporter runs (JIT and hash joins off)

    def server_cpu() -> float:
        if backend is None:
            return 0.0
        fields = Path(f"/proc/{backend}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def cost(columns, with_csv=False) -> float:
        compiled = compile_plan(Plan.build(columns), ctx, delimiter)
        if compiled is None:
            return float("nan")
        # the id subquery bounded as the exporter bounds each chunk (Compiled._queries)
        ids = Order.objects.order_by()
        if low:
            ids = ids.filter(id__gte=low)
        if high:
            ids = ids.filter(id__lt=high)
        sql, params = compiled.query(ids.values("id"), low=low, high=high)
        best = float("inf")
        for _ in range(args.repeat):
            t0, s0 = time.process_time(), server_cpu()
            if pg:
                _statement, _params, n, _pieces = compiled._copy(connection, sql, params)
            elif with_csv:  # as the exporter writes the rows (Compiled._select)
                n = sum(rows for rows, _piece in compiled._select(connection, sql, params))
            else:
                with connection.cursor() as cursor:
                    cursor.execute(sql, params)
                    n = len(cursor.fetchall())
            best = min(best, time.process_time() - t0 + server_cpu() - s0)
        return best / max(n, 1) * 1e6

    print(
        f"Per-column cost of '{tmpl.name}' ({len(tmpl.columns)} columns) on {meta['database']} "
        f"{meta['version']}, {args.limit:,} orders after the newest {args.skip:,} of {meta['orders']:,}, "
        f"{'server + client CPU' if pg else 'CPU'} µs per row, best of {args.repeat}; load {meta['load_average']}",
        flush=True,
    )
    whole = cost(tmpl.columns)
    written = None if pg else cost(tmpl.columns, with_csv=True)
    singles = [(item["field"], cost([item])) for item in tmpl.columns]
    floor = min(c for _f, c in singles)
    rows = sorted(((f, round(c - floor, 2)) for f, c in singles), key=lambda r: -r[1])
    for field, c in rows:
        print(f"  {c:8.2f}  {field}")
    total = sum(c for _f, c in rows)
    print(
        f"whole template {whole:.1f} µs/row ({1e6 / whole:,.0f} rows per CPU-second); scan floor {floor:.1f}; "
        f"sum of the columns' own costs {total:.1f}"
        + ("" if written is None else f"; with csv (as exported) {written:.1f} µs/row")
    )
    out = (
        Path(args.out)
        if args.out
        else RESULTS / f"export-columns-{meta['database']}-{meta['orders']}.json"
    )
    write_json(
        out,
        {
            "meta": meta,
            "template": tmpl.name,
            "limit": args.limit,
            "skip": args.skip,
            "unit": "server + client CPU µs per row" if pg else "CPU µs per row",
            "whole": round(whole, 2),
            "whole_with_csv": None if written is None else round(written, 2),
            "floor": round(floor, 2),
            "columns": dict(rows),
        },
    )
    print(f"wrote {shown(out)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
