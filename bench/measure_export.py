"""CSV export of every order, as the worker writes it: rows/s and peak memory.

    .venv/bin/python bench/measure_export.py [--database-url URL] [--templates courier,full]
        [--runs 1] [--out FILE]

Each run is a fresh child process (so its peak RSS, `ru_maxrss`, is the export's own and
not this process's): it sets Django up, queues the export of all orders as the owner with
the built-in template through the product's service (`exports.services.export_create`,
with a task backend that only records the enqueue), then runs the background task itself
(`exports.tasks.run_export.call(id)`: what `tokodesk worker` runs, which writes
MEDIA_ROOT/exports/<id>.csv, with the engine the settings choose: TOKODESK_EXPORT_ENGINE,
recorded when the task reports it). Measured: wall and CPU seconds of the task (and, on
PostgreSQL, of the database's server processes: the export's connections), rows/s, the
file's size, the child's RSS before the export (Django and the app loaded) and its peak
(`ru_maxrss`). On SQLite a large export starts a second process (exports/sqlsplit.py): its
CPU is added to the task's and its peak RSS (VmHWM, sampled) to the child's: both counted. The file and the Export row are deleted after each run.

Targets (issue 6, 1M orders): >= 100,000 rows/s and peak RSS <= 250 MB.
Results: bench/results/export-<db>-<orders>.json unless --out.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import RESULTS, ROOT, context, pct, setup_django, shown, write_json  # noqa: E402

TEMPLATES = {"courier": "Courier pickup list", "full": "Full export"}
TARGET_ROWS_S, TARGET_RSS_MB = 100_000, 250


def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--database-url")
    p.add_argument("--templates", default="courier,full", help="of: " + ", ".join(TEMPLATES))
    p.add_argument("--runs", type=int, default=1, help="child processes per template (default 1)")
    p.add_argument("--out")
    p.add_argument(
        "--touch-every",
        type=int,
        default=0,
        help="before the runs, write every K-th order again (UPDATE … SET updated_at = "
        "updated_at): its kept line is then stale, as after a day's changes",
    )
    p.add_argument(
        "--forget-kept",
        action="store_true",
        help="delete every kept export row first (exports/kept.py): the first run is then its "
        "form's first export",
    )
    p.add_argument("--child", help=argparse.SUPPRESS)
    return p.parse_args(argv)


def rss_mb() -> float:
    """Current resident set size of this process (MB)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


class BackendCpu:
    """PostgreSQL on this machine: CPU seconds of the database's server processes (every
    backend connected to it: the export's own connections), from /proc, sampled every
    0.1 s by a thread with a connection of its own (not counted). A backend that ends
    between two samples loses at most its last 0.1 s."""

    def __init__(self, dsn_params: dict):
        import threading

        import psycopg

        self.params = dsn_params
        self.conn = psycopg.connect(**dsn_params, autocommit=True)
        self.own = self.conn.info.backend_pid
        self.first: dict[int, float] = {}
        self.last: dict[int, float] = {}
        self.stop = threading.Event()
        self._sample()
        self.before = set(self.first)
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    @staticmethod
    def _cpu(pid: int) -> float | None:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            return None
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def _sample(self):
        pids = [r[0] for r in self.conn.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> %s",
            [self.own])]
        for pid in pids:
            cpu = self._cpu(pid)
            if cpu is not None:
                self.first.setdefault(pid, cpu)
                self.last[pid] = cpu

    def _run(self):
        while not self.stop.wait(0.1):
            self._sample()

    def seconds(self) -> float:
        self.stop.set()
        self.thread.join()
        self._sample()
        self.conn.close()
        return sum(
            last - (self.first[pid] if pid in self.before else 0.0) for pid, last in self.last.items()
        )


class ChildRss:
    """The peak RSS (VmHWM) of this process's child processes (SQLite's split export,
    exports/sqlsplit.py), sampled every 0.05 s from /proc: ru_maxrss of RUSAGE_CHILDREN
    would report the worker's own size, which an exec()ed child keeps as its maxrss."""

    def __init__(self):
        import threading

        self.peak_kb = 0
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _run(self):
        while not self.stop.wait(0.05):
            for tid in os.listdir("/proc/self/task"):
                try:
                    pids = Path(f"/proc/self/task/{tid}/children").read_text().split()
                except OSError:
                    continue
                for pid in pids:
                    try:
                        status = Path(f"/proc/{pid}/status").read_text()
                    except OSError:
                        continue
                    for line in status.splitlines():
                        if line.startswith("VmHWM:"):
                            self.peak_kb = max(self.peak_kb, int(line.split()[1]))

    def mb(self) -> float:
        self.stop.set()
        self.thread.join()
        return self.peak_kb / 1024


def children_cpu() -> float:
    """CPU seconds of this process's ended (waited-for) child processes."""
    t = os.times()
    return t.children_user + t.children_system


def child(template_key: str) -> dict:
    """One export in this (fresh) process; prints its measurements as one JSON line."""
    setup_django()
    from django.conf import settings

    # export_create enqueues the task; the bench runs it itself, right here.
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    from django.contrib.auth import get_user_model

    from tokodesk.exports import services, tasks
    from tokodesk.exports.models import Export, ExportTemplate

    owner = get_user_model().objects.get(username="owner")
    template = ExportTemplate.objects.get(name=TEMPLATES[template_key], built_in=True)
    export = services.export_create(user=owner, template=template)
    from django.db import connection

    backends = None
    if connection.vendor == "postgresql":
        params = connection.get_connection_params()
        params.pop("cursor_factory", None)
        params.pop("context", None)
        backends = BackendCpu({k: v for k, v in params.items() if k in (
            "dbname", "user", "password", "host", "port", "sslmode")})
    rss_before = rss_mb()
    child_rss = ChildRss()
    started, cpu_started, children_started = time.perf_counter(), time.process_time(), children_cpu()
    result = tasks.run_export.call(str(export.pk))
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu_started
    # SQLite splits a large export over a second process (exports/sqlsplit.py): its CPU
    # and its peak RSS count too
    forked_cpu = children_cpu() - children_started
    db_cpu = backends.seconds() if backends else None
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KB on Linux
    forked_peak = child_rss.mb()
    export.refresh_from_db()
    path = services.export_file_path(export)
    size = path.stat().st_size if path.exists() else 0
    rows = int(result.get("rows", 0)) if isinstance(result, dict) else 0
    ok = export.status == Export.Status.DONE and rows == export.rows_total
    warm_up = None
    if isinstance(result, dict) and result.get("warm"):
        # The form's first export: the worker's next task keeps its lines (kept.py); timed
        # on its own, as it runs after the file is done.
        backends = BackendCpu(backends.params) if backends else None
        w_started, w_cpu = time.perf_counter(), time.process_time()
        warmed = tasks.warm_kept.call(str(export.pk))
        warm_up = {
            "seconds": round(time.perf_counter() - w_started, 3),
            "cpu_seconds": round(time.process_time() - w_cpu, 3),
            "db_cpu_seconds": None if backends is None else round(backends.seconds(), 2),
            "rendered": warmed.get("rendered", 0),
        }
    path.unlink(missing_ok=True)
    export.delete()
    return {
        # kept rows (exports/kept.py): "first" = the form's first export, rendered as
        # without them, then `warm_up` (the worker keeping the lines); "kept" = read from them
        "kind": "first" if warm_up else ("kept" if isinstance(result, dict) and "kept" in result else "plain"),
        "kept_rows": result.get("kept", 0) if isinstance(result, dict) else 0,
        "rendered_rows": result.get("rendered", 0) if isinstance(result, dict) else 0,
        "warm_up": warm_up,
        "template": template_key,
        "columns": len(template.columns),
        "rows": rows,
        "engine": result.get("engine", "") if isinstance(result, dict) else "",
        "seconds": round(seconds, 3),
        "cpu_seconds": round(cpu + forked_cpu, 3),
        "forked_cpu_seconds": round(forked_cpu, 3),
        # PostgreSQL: the server processes' CPU seconds during the export (BackendCpu)
        "db_cpu_seconds": None if db_cpu is None else round(db_cpu, 2),
        "rows_per_s": round(rows / seconds) if seconds else None,
        "file_mb": round(size / 1e6, 1),
        "rss_before_mb": round(rss_before, 1),
        "peak_rss_mb": round(peak + forked_peak, 1),
        "forked_peak_rss_mb": round(forked_peak, 1),
        "ok": ok,
    }


def run_child(template_key: str) -> dict:
    cmd = [sys.executable, __file__, "--child", template_key]
    proc = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True)
    if proc.returncode != 0:
        raise SystemExit(f"export child failed ({proc.returncode}):\n{proc.stderr[-3000:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def main(argv=None) -> int:
    args = parse_args(argv)
    if args.database_url:
        os.environ["DATABASE_URL"] = args.database_url
    if args.child:
        print(json.dumps(child(args.child)))
        return 0
    keys = [k.strip() for k in args.templates.split(",") if k.strip()]
    unknown = [k for k in keys if k not in TEMPLATES]
    if unknown:
        print(f"unknown template(s): {', '.join(unknown)}", file=sys.stderr)
        return 2
    setup_django()
    if args.forget_kept:
        from django.db import connection

        with connection.cursor() as cursor:
            cursor.execute("DELETE FROM exports_keptrow")
            cursor.execute("DELETE FROM exports_keptform")
    if args.touch_every:
        from django.db import connection

        with connection.cursor() as cursor:
            cursor.execute(
                "UPDATE orders_order SET updated_at = updated_at WHERE id %% %s = 0", [args.touch_every]
            )
            print(f"touched {cursor.rowcount:,} orders (every {args.touch_every})", flush=True)
    meta = context()
    print(
        f"CSV export of all {meta['orders']:,} orders on {meta['database']} {meta['version']}, "
        f"{args.runs} run(s) per template; load average {meta['load_average']}",
        flush=True,
    )
    print(
        f"{'template':<9} {'rows':>9} {'s':>7} {'cpu s':>7} {'db cpu':>7} {'rows/s':>9} {'MB':>7} "
        f"{'rss0':>6} {'peak':>6}  target"
    )
    results = []
    for key in keys:
        runs = [run_child(key) for _ in range(args.runs)]
        for r in runs:
            mark = (
                "ok"
                if r["rows_per_s"] >= TARGET_ROWS_S and r["peak_rss_mb"] <= TARGET_RSS_MB
                else "OVER"
            )
            print(
                f"{key:<9} {r['rows']:>9,} {r['seconds']:>7.2f} {r['cpu_seconds']:>7.2f} "
                f"{'-' if r.get('db_cpu_seconds') is None else format(r['db_cpu_seconds'], '.2f'):>7} "
                f"{r['rows_per_s']:>9,} {r['file_mb']:>7.1f} {r['rss_before_mb']:>6.0f} "
                f"{r['peak_rss_mb']:>6.0f}  >= {TARGET_ROWS_S:,} rows/s, <= {TARGET_RSS_MB} MB: {mark}"
                + (f"  (engine {r['engine']})" if r.get("engine") else "")
                + (f"  {r['kind']}: {r['kept_rows']:,} kept, {r['rendered_rows']:,} rendered" if r.get("kind") else "")
                + (
                    f"; then warm-up {r['warm_up']['seconds']:.1f} s, {r['warm_up']['cpu_seconds']:.1f} s cpu"
                    + ("" if r["warm_up"]["db_cpu_seconds"] is None else f" + {r['warm_up']['db_cpu_seconds']:.1f} db")
                    + f", {r['warm_up']['rendered']:,} rows kept"
                    if r.get("warm_up")
                    else ""
                )
                + ("" if r["ok"] else "  EXPORT NOT DONE / ROW COUNT MISMATCH"),
                flush=True,
            )
            if not r["ok"] or r["rows"] != meta["orders"]:
                print(f"export of {key} wrote {r['rows']} rows, expected {meta['orders']}")
                return 1
        results.append(
            {
                "template": key,
                "rows": runs[0]["rows"],
                "engine": runs[0].get("engine", ""),
                "rows_per_s": round(pct([r["rows_per_s"] for r in runs], 0.5)),
                "seconds": round(pct([r["seconds"] for r in runs], 0.5), 2),
                "cpu_seconds": round(pct([r["cpu_seconds"] for r in runs], 0.5), 2),
                "db_cpu_seconds": runs[0].get("db_cpu_seconds"),
                "peak_rss_mb": max(r["peak_rss_mb"] for r in runs),
                "rss_before_mb": runs[0]["rss_before_mb"],
                "file_mb": runs[0]["file_mb"],
                # kept rows: the runs that read them, and a form's first export (then its warm-up)
                "kept_rows_per_s": (
                    round(pct([r["rows_per_s"] for r in runs if r.get("kind") == "kept"], 0.5))
                    if any(r.get("kind") == "kept" for r in runs)
                    else None
                ),
                "first_rows_per_s": next((r["rows_per_s"] for r in runs if r.get("kind") == "first"), None),
                "runs": runs,
            }
        )
    meta["load_average_after"] = os.getloadavg()[0]
    out = (
        Path(args.out) if args.out else RESULTS / f"export-{meta['database']}-{meta['orders']}.json"
    )
    write_json(
        out,
        {
            "meta": meta,
            "targets": {"rows_per_s": TARGET_ROWS_S, "peak_rss_mb": TARGET_RSS_MB},
            "results": results,
        },
    )
    print(f"wrote {shown(out)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
