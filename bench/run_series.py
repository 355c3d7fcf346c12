"""The whole benchmark at several sizes on SQLite and PostgreSQL: `make bench`.

    .venv/bin/python bench/run_series.py [--sizes 10000,100000,1000000] [--db sqlite,postgresql]
        [--pg-url postgresql://postgres@127.0.0.1:5432] [--runs 20] [--api-count 3000]
        [--bulk 10000] [--export-runs 1] [--steps pages,export,api,bulk] [--no-report]

For each database and each size, in a new temporary data directory (and, for PostgreSQL,
a new temporary database `tokodesk_bench_<pid>` on --pg-url, dropped at the end; no other
database is touched; PostgreSQL is skipped when it does not answer unless asked for
explicitly): migrate, bench/generate.py --orders N, then

* pages   bench/measure_pages.py --set core (list per tab, deep and middle page, each
          filter, the four searches, tab counts, orders page, order detail; p50/p95);
* export  bench/measure_export.py (courier and full template: rows/s, peak RSS);
* api     bench/measure_api_create.py (gunicorn 2 workers: orders/s, p95; adds orders);
* bulk    bench/measure_bulk_confirm.py (10,000 orders through the page's bulk confirm;
          changes the data, so it runs last).

Each step's JSON is merged into bench/results/series-<db>-<N>.json with the step
durations, the load average before each step, the git commit (and whether product files
had uncommitted changes) and the machine; then bench/report.py rewrites the tables of
BENCHMARKS.md from every series file. The data directory is removed at the end.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import RESULTS, ROOT, git_commit, load_average, machine, shown, write_json  # noqa: E402

BENCH = ROOT / "bench"
PY = sys.executable
STEPS = ("pages", "export", "api", "bulk")
GROWTH_KINDS = ("list", "search", "name", "tab_counts")


def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--sizes", default="10000,100000,1000000")
    p.add_argument(
        "--db", default=None, help="sqlite,postgresql (default: both, PostgreSQL if it answers)"
    )
    p.add_argument("--pg-url", default="postgresql://postgres@127.0.0.1:5432")
    p.add_argument(
        "--runs", type=int, default=20, help="timed requests per page scenario (default 20)"
    )
    p.add_argument("--api-count", type=int, default=3000)
    p.add_argument("--api-clients", type=int, default=8)
    p.add_argument("--bulk", type=int, default=10_000)
    p.add_argument("--export-runs", type=int, default=1)
    p.add_argument("--steps", default=",".join(STEPS), help="of: " + ",".join(STEPS))
    p.add_argument("--no-report", action="store_true", help="do not rewrite BENCHMARKS.md")
    return p.parse_args(argv)


def pg_answers(url: str) -> bool:
    try:
        import psycopg

        with psycopg.connect(url.rstrip("/") + "/postgres", connect_timeout=3):
            return True
    except Exception:  # noqa: BLE001 - any failure means "not reachable"
        return False


def pg_admin(url: str, sql: str) -> None:
    import psycopg

    with psycopg.connect(url.rstrip("/") + "/postgres", autocommit=True) as conn:
        conn.execute(sql)


def run_step(name: str, cmd: list[str], env: dict, steps: dict) -> None:
    load = load_average()
    print(
        f"\n== {name}: {' '.join(Path(c).name if c.endswith('.py') else c for c in cmd[1:])}"
        f"  (load average {load})",
        flush=True,
    )
    started = time.perf_counter()
    proc = subprocess.run(cmd, cwd=ROOT, env=env)
    seconds = time.perf_counter() - started
    steps[name] = {"seconds": round(seconds, 1), "load_average_before": load, "rc": proc.returncode}
    print(f"== {name}: {seconds:.1f} s", flush=True)
    if proc.returncode != 0:
        raise RuntimeError(f"step {name} failed with exit code {proc.returncode}")


def one(db: str, size: int, args, steps_wanted: list[str]) -> Path:
    data_dir = Path(tempfile.mkdtemp(prefix=f"tokodesk-bench-{db}-{size}-"))
    env = {
        **os.environ,
        "TOKODESK_DATA_DIR": str(data_dir),
        "DATABASE_URL": "",
        "PYTHONDONTWRITEBYTECODE": "1",
    }
    pg_name = None
    steps: dict = {}
    started_utc = dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat()
    print(f"\n######## {db}, {size:,} orders (data dir {data_dir}) ########", flush=True)
    try:
        if db == "postgresql":
            pg_name = f"tokodesk_bench_{os.getpid()}"
            pg_admin(args.pg_url, f'DROP DATABASE IF EXISTS "{pg_name}" WITH (FORCE)')
            pg_admin(args.pg_url, f'CREATE DATABASE "{pg_name}"')
            env["DATABASE_URL"] = f"{args.pg_url.rstrip('/')}/{pg_name}"
        run_step(
            "migrate",
            [str(Path(PY).parent / "tokodesk"), "migrate", "--no-input", "-v", "0"],
            env,
            steps,
        )
        run_step("generate", [PY, str(BENCH / "generate.py"), "--orders", str(size)], env, steps)
        out = {s: data_dir / f"{s}.json" for s in STEPS}
        commands = {
            "pages": [
                PY,
                str(BENCH / "measure_pages.py"),
                "--set",
                "core",
                "--runs",
                str(args.runs),
            ],
            "export": [PY, str(BENCH / "measure_export.py"), "--runs", str(args.export_runs)],
            "api": [
                PY,
                str(BENCH / "measure_api_create.py"),
                "--count",
                str(args.api_count),
                "--clients",
                str(args.api_clients),
            ],
            "bulk": [PY, str(BENCH / "measure_bulk_confirm.py"), "--orders", str(args.bulk)],
        }
        for step in STEPS:
            if step in steps_wanted:
                run_step(step, [*commands[step], "--out", str(out[step])], env, steps)
        parts = {s: json.loads(out[s].read_text()) for s in STEPS if out[s].exists()}
        # A run of some steps only (--steps) keeps the other steps of the previous series.
        previous_path = RESULTS / f"series-{db}-{size}.json"
        if previous_path.exists() and set(steps_wanted) != set(STEPS):
            previous = json.loads(previous_path.read_text())
            parts = {**{s: r for s, r in previous.get("raw", {}).items() if s not in parts}, **parts}
            steps = {**{s: r for s, r in previous.get("steps", {}).items() if s not in steps}, **steps}
        du = sum(f.stat().st_size for f in data_dir.rglob("*") if f.is_file())
        series = {
            "meta": {
                "database": db,
                "size": size,
                "version": next((p["meta"].get("version") for p in parts.values()), ""),
                "started_utc": started_utc,
                "finished_utc": dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat(),
                **machine(),
                **git_commit(),
                "load_average_end": load_average(),
                "sqlite_data_dir_mb": round(du / 1e6) if db == "sqlite" else None,
                "args": {k: v for k, v in vars(args).items() if k not in ("pg_url",)},
            },
            "steps": steps,
            "measurements": measurements(parts),
            "raw": parts,
        }
        path = write_json(RESULTS / f"series-{db}-{size}.json", series)
        print(f"\nwrote {shown(path)}", flush=True)
        return path
    finally:
        if pg_name:
            try:
                pg_admin(args.pg_url, f'DROP DATABASE IF EXISTS "{pg_name}" WITH (FORCE)')
                print(f"dropped database {pg_name}")
            except Exception as exc:  # noqa: BLE001
                print(f"could not drop database {pg_name}: {exc}", file=sys.stderr)
        shutil.rmtree(data_dir, ignore_errors=True)


def page_key(name: str) -> str:
    name = re.sub(r"agent=agent\d+", "agent=<busiest agent>", name)
    return re.sub(r"cursor at row [\d,]+", "cursor at middle row", name)


def measurements(parts: dict) -> list[dict]:
    """One flat row per measurement: what report.py tabulates across sizes and databases."""
    out = []
    pages = parts.get("pages")
    if pages:
        for r in pages["results"]:
            kind = {50.0: "list", 100.0: "tab_counts", 30.0: "search", 300.0: "name"}.get(
                r["target"], "detail"
            )
            out.append(
                {
                    "key": "pages: " + page_key(r["name"]),
                    "label": page_key(r["name"]),
                    "group": "pages",
                    "unit": "ms",
                    "p50": r["p50"],
                    "value": r["p95"],
                    "target": r["target"],
                    "better": "lower",
                    "growth": kind in GROWTH_KINDS,
                    "db_p50": r["db_p50"],
                    "cpu_p50": r["cpu_p50"],
                }
            )
    export = parts.get("export")
    if export:
        t = export["targets"]
        for r in export["results"]:
            out.append(
                {
                    "key": f"export {r['template']}: rows/s",
                    "label": f"CSV export, {r['template']} template: rows/s",
                    "group": "export",
                    "unit": "rows/s",
                    "value": r["rows_per_s"],
                    "target": t["rows_per_s"],
                    "better": "higher",
                    "growth": False,
                    "cpu_seconds": r["cpu_seconds"],
                    "seconds": r["seconds"],
                }
            )
            out.append(
                {
                    "key": f"export {r['template']}: peak RSS",
                    "label": f"CSV export, {r['template']} template: peak RSS MB",
                    "group": "export",
                    "unit": "MB",
                    "value": r["peak_rss_mb"],
                    "target": t["peak_rss_mb"],
                    "better": "lower",
                    "growth": False,
                    "rss_before_mb": r["rss_before_mb"],
                }
            )
            out.append(
                {
                    "key": f"export {r['template']}: CPU s",
                    "label": f"CSV export, {r['template']} template: CPU s of the exporting process",
                    "group": "export",
                    "unit": "s",
                    "value": r["cpu_seconds"],
                    "target": None,
                    "better": "lower",
                    "growth": False,
                }
            )
    api = parts.get("api")
    if api:
        r = api["result"]
        out.append(
            {
                "key": "api create: orders/s",
                "label": "API order creation, 2 gunicorn workers: orders/s",
                "group": "api",
                "unit": "orders/s",
                "value": r["orders_per_s"],
                "target": api["targets"]["orders_per_s"],
                "better": "higher",
                "growth": False,
                "server_cpu_ms_per_order": r["server_cpu_ms_per_order"],
            }
        )
        out.append(
            {
                "key": "api create: server CPU",
                "label": "API order creation: gunicorn CPU ms per order",
                "group": "api",
                "unit": "ms",
                "value": r["server_cpu_ms_per_order"],
                "target": None,
                "better": "lower",
                "growth": False,
            }
        )
        out.append(
            {
                "key": "api create: latency",
                "label": "API order creation: latency ms",
                "group": "api",
                "unit": "ms",
                "p50": r["p50"],
                "value": r["p95"],
                "target": None,
                "better": "lower",
                "growth": False,
            }
        )
    bulk = parts.get("bulk")
    if bulk:
        r = bulk["result"]
        out.append(
            {
                "key": "bulk confirm: seconds",
                "label": f"Bulk confirm of {r['orders']:,} orders: seconds",
                "group": "bulk",
                "unit": "s",
                "value": r["seconds"],
                "target": bulk["targets"]["seconds"],
                "better": "lower",
                "growth": False,
                "cpu_seconds": r["cpu_seconds"],
            }
        )
        out.append(
            {
                "key": "bulk confirm: CPU s",
                "label": "Bulk confirm: CPU s of the Django process",
                "group": "bulk",
                "unit": "s",
                "value": r["cpu_seconds"],
                "target": None,
                "better": "lower",
                "growth": False,
            }
        )
        out.append(
            {
                "key": "bulk confirm: orders/s",
                "label": "Bulk confirm: orders/s",
                "group": "bulk",
                "unit": "orders/s",
                "value": r["orders_per_s"],
                "target": None,
                "better": "higher",
                "growth": False,
            }
        )
    return out


def main(argv=None) -> int:
    args = parse_args(argv)
    sizes = [int(s.replace("_", "")) for s in args.sizes.split(",") if s.strip()]
    steps_wanted = [s.strip() for s in args.steps.split(",") if s.strip()]
    if any(s not in STEPS for s in steps_wanted):
        print(f"--steps takes {', '.join(STEPS)}", file=sys.stderr)
        return 2
    if args.db:
        dbs = [d.strip() for d in args.db.split(",") if d.strip()]
        if "postgresql" in dbs and not pg_answers(args.pg_url):
            print(f"PostgreSQL does not answer on {args.pg_url}", file=sys.stderr)
            return 2
    else:
        dbs = ["sqlite"] + (["postgresql"] if pg_answers(args.pg_url) else [])
        if "postgresql" not in dbs:
            print(f"(PostgreSQL does not answer on {args.pg_url}: SQLite only)")
    free = shutil.disk_usage(tempfile.gettempdir()).free / 1e9
    print(
        f"series: {', '.join(dbs)} x {', '.join(f'{s:,}' for s in sizes)} orders; steps "
        f"{', '.join(steps_wanted)}; {free:.0f} GB free in {tempfile.gettempdir()}",
        flush=True,
    )
    durations = []
    failed = 0
    for db in dbs:
        for size in sizes:
            started = time.perf_counter()
            try:
                one(db, size, args, steps_wanted)
            except RuntimeError as exc:
                print(f"!! {db} {size:,}: {exc}", file=sys.stderr)
                failed += 1
            durations.append((db, size, time.perf_counter() - started))
    print("\nseries done: " + "; ".join(f"{db} {n:,}: {s / 60:.1f} min" for db, n, s in durations))
    if not args.no_report:
        import report

        report.main([])
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
