"""The second process of a split SQLite export (sqlsplit.py): a fresh interpreter.

    python -m tokodesk.exports.sqlchild SPOOL_FD INDEX_FD < {"db": …, "queries": [[sql, params], …], …}

It opens its own connection to the database file as Django's SQLite backend would for these
queries (the same type converters, Django's SQL functions when a filter calls one, the
exports' `tokodesk_utcoffset`), runs the render queries in order, writes their rows as CSV
with the same csv module settings as `Compiled._select` to SPOOL_FD, and one line
"<bytes> <rows>" per chunk to INDEX_FD. Nothing of Django's settings, apps or models is
loaded (a tenth of a second to start), and nothing is inherited from the worker but the two
files: unlike a fork(), no SQLite state of the worker's other threads can leak in.
"""

from __future__ import annotations

import csv
import io
import json
import os
import sqlite3
import sys

FETCH = 500  # rows per fetchmany, as sqlrender.FETCH


def connect(db: str, uri: bool, sql: str) -> sqlite3.Connection:
    from django.utils.dateparse import parse_date, parse_datetime, parse_time

    from tokodesk.exports.sqltz import UTC_OFFSET_FUNCTION, utc_offset_modifier

    # Django's SQLite backend's converters (django/db/backends/sqlite3/base.py)
    def decoder(conv):
        return lambda s: conv(s.decode())

    sqlite3.register_converter("bool", b"1".__eq__)
    sqlite3.register_converter("date", decoder(parse_date))
    sqlite3.register_converter("time", decoder(parse_time))
    sqlite3.register_converter("datetime", decoder(parse_datetime))
    sqlite3.register_converter("timestamp", decoder(parse_datetime))
    conn = sqlite3.connect(
        db, uri=uri, detect_types=sqlite3.PARSE_DECLTYPES | sqlite3.PARSE_COLNAMES
    )
    if "django_" in sql:  # a filter calls one of Django's SQL functions
        from django.db.backends.sqlite3._functions import register

        register(conn)
    conn.create_function(UTC_OFFSET_FUNCTION, 2, utc_offset_modifier, deterministic=True)
    return conn


def main(argv: list[str]) -> int:
    spool = os.fdopen(int(argv[0]), "wb", closefd=False)
    index = os.fdopen(int(argv[1]), "wb", closefd=False)
    job = json.load(sys.stdin)
    conn = connect(job["db"], job["uri"], "\n".join(sql for sql, _params in job["queries"]))
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=job["delimiter"], lineterminator="\r\n")
    for sql, params in job["queries"]:
        cursor = conn.execute(sql, params)
        nbytes = rows = 0
        while batch := cursor.fetchmany(FETCH):
            writer.writerows(batch)
            piece = buffer.getvalue().encode("utf-8")
            buffer.seek(0)
            buffer.truncate()
            spool.write(piece)
            nbytes += len(piece)
            rows += len(batch)
        if rows:
            index.write(f"{nbytes} {rows}\n".encode())
    spool.flush()
    index.flush()
    conn.close()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
