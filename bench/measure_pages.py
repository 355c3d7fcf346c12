"""Server time of the order pages and API on a generated database (bench/generate.py).

    .venv/bin/python bench/measure_pages.py [--database-url URL] [--runs 30] [--deep 20]
        [--only TEXT] [--explain] [--tag NAME] [--out FILE] [--note TEXT]

Each scenario is requested in-process through Django's test Client (the whole stack:
middleware, session, permissions, view, template or serializer; no network, no static
files), logged in as the owner and as the agent with the most orders (web: a session;
API: a bearer token from ApiToken.issue). After two warm-up requests it is timed --runs
times. Columns, in ms: p50 / p95 / max of the wall time; "db p50", the time spent in the
database driver (execute and fetch: SQLite finds most rows while they are fetched);
"cpu p50", this process's CPU time (includes SQLite's work, not PostgreSQL's; less
disturbed than wall time when other processes share the cores); "q", the queries of one
request. Nothing is asserted: it is a measurement. The targets of issue 6 are shown next
to each result ("OVER" when p95 exceeds it).

Scenarios: the orders page /orders/ on every tab (first page, the page reached by
following the "next" links --deep times, and for "all"/"completed" a next page in the
middle of the data), with filters (agent, payment method, courier, warehouse, date range,
minimum total), searching a phone (as typed: 08...), an AWB, a reference and a name
fragment (and one that matches nothing); the same through GET /api/v1/orders; the tab
counts (GET /api/v1/orders/tab-counts, and the selector alone); the order detail page.

--explain prints, for every scenario over its target, its slowest query (each query of
one request re-run and fetched to the end) with EXPLAIN QUERY PLAN (SQLite) or
EXPLAIN (ANALYZE, BUFFERS) (PostgreSQL). Indexes named bench* (made by hand in a bench
database to try one) are listed with the results.

Results: bench/results/pages-<sqlite|postgresql>-<orders>[-<tag>].json (small: one line
per scenario, plus the machine, the load average and the extra indexes present).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import re
import statistics
import sys
import time
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
TARGETS = {"list": 50.0, "tab_counts": 100.0, "search": 30.0, "name": 300.0, "detail": None}
NEXT_LINK = re.compile(r'href="\?([^"]*?)&amp;cursor=([A-Za-z0-9_\-]+)" rel="next"')


def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument(
        "--database-url", help="default: DATABASE_URL, else SQLite under TOKODESK_DATA_DIR"
    )
    p.add_argument("--runs", type=int, default=30, help="timed requests per scenario (default 30)")
    p.add_argument(
        "--deep", type=int, default=20, help="pages followed for the deep page (default 20)"
    )
    p.add_argument("--only", help="only scenarios whose name contains this")
    p.add_argument(
        "--set",
        choices=("all", "core"),
        default="all",
        help="core: the representative subset bench/run_series.py measures (default all)",
    )
    p.add_argument(
        "--explain", action="store_true", help="EXPLAIN the slowest query of scenarios over target"
    )
    p.add_argument("--out", help="default: bench/results/pages-<db>-<orders>[-<tag>].json")
    p.add_argument("--tag", default="", help="suffix of the default result file, e.g. with-index")
    p.add_argument("--note", default="", help="a note stored with the results")
    return p.parse_args(argv)


def setup_django(database_url: str | None) -> None:
    if database_url:
        os.environ["DATABASE_URL"] = database_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.conf import settings

    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]


class QueryLog:
    """Counts the queries of a request and the time spent in the database: in execute and
    in fetching (SQLite returns from execute at the first row and finds the others while
    they are fetched, so execute alone hides most of a scan)."""

    active: QueryLog | None = None

    def __init__(self, keep: bool = False):
        self.keep = keep
        self.reset()

    def reset(self):
        self.count, self.seconds, self.queries = 0, 0.0, []

    def __call__(self, execute, sql, params, many, context):
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            self.count += 1
            self.seconds += time.perf_counter() - started
            if self.keep:
                self.queries.append((sql, params))

    @contextmanager
    def timing(self, connection):
        QueryLog.active = self
        try:
            with connection.execute_wrapper(self):
                yield self
        finally:
            QueryLog.active = None

    @staticmethod
    def install_fetch_timers():
        from django.db.backends.utils import CursorWrapper

        def timed(name):
            def fetch(self, *args):
                log = QueryLog.active
                if log is None:
                    return getattr(self.cursor, name)(*args)
                started = time.perf_counter()
                try:
                    return getattr(self.cursor, name)(*args)
                finally:
                    log.seconds += time.perf_counter() - started

            return fetch

        for name in ("fetchone", "fetchmany", "fetchall"):
            setattr(CursorWrapper, name, timed(name))


class Scenario:
    def __init__(self, name, kind, fn, target):
        self.name, self.kind, self.fn, self.target = name, kind, fn, target


def pct(values, q):
    values = sorted(values)
    k = (len(values) - 1) * q
    lo = int(k)
    hi = min(lo + 1, len(values) - 1)
    return values[lo] + (values[hi] - values[lo]) * (k - lo)


class Bench:
    def __init__(self, args):
        from django.contrib.auth import get_user_model
        from django.db import connection
        from django.db.models import Count
        from django.test import Client

        from tokodesk.accounts.models import ApiToken
        from tokodesk.orders.models import Order

        self.args = args
        self.connection = connection
        User = get_user_model()
        self.owner = User.objects.get(username="owner")
        agent_id = (
            Order.objects.filter(assigned_agent__isnull=False)
            .values("assigned_agent")
            .annotate(n=Count("id"))
            .order_by("-n")
            .values_list("assigned_agent", flat=True)
            .first()
        )
        self.agent = User.objects.get(pk=agent_id)
        self.clients, self.api_headers = {}, {}
        for label, user in (("owner", self.owner), ("agent", self.agent)):
            client = Client()
            client.force_login(user)
            self.clients[label] = client
            _token, raw = ApiToken.issue(user, name="bench")
            self.api_headers[label] = {"Authorization": f"Bearer {raw}"}
        self.api_client = Client()
        self.users = {"owner": self.owner, "agent": self.agent}

    # --- sample values --------------------------------------------------------------------

    def samples(self, label):
        """Values to search and filter by, taken from orders this user can see."""
        from tokodesk.orders.selectors import order_queryset_for

        qs = order_queryset_for(self.users[label]).order_by("id")
        n = qs.count()
        mid = qs[n // 2]
        shipped = qs.exclude(awb="").order_by("id")
        awb = shipped[shipped.count() // 3].awb
        phone = qs[n // 4].recipient_phone
        a_year_ago = dt.date.today() - dt.timedelta(days=365)
        # A next page in the middle of the data (what following "next" ~n/100 times gives).
        middle_row, middle_cursor = n // 2, None
        try:
            from tokodesk.orders.selectors import _encode_cursor

            row = qs.order_by("-created_at", "-id")[middle_row]
            middle_cursor = _encode_cursor([row.created_at, row.pk])
        except (ImportError, IndexError):
            pass
        return {
            "reference": mid.reference,
            "phone": "0" + phone[3:],  # as typed: 0812…, searched as +62812…
            "awb": awb,
            "name": "wulan",
            "name_none": "zzqx",
            "date_from": a_year_ago.isoformat(),
            "date_to": (a_year_ago + dt.timedelta(days=30)).isoformat(),
            "detail": [o.reference for o in qs.filter(status="completed")[n // 10 : n // 10 + 5]],
            "middle_row": middle_row,
            "middle_cursor": middle_cursor,
        }

    # --- requests -------------------------------------------------------------------------

    def web(self, label, params):
        url = "/orders/" + ("?" + urlencode(params) if params else "")
        client = self.clients[label]

        def get():
            response = client.get(url)
            assert response.status_code == 200, (url, response.status_code)
            return response

        return get

    def api(self, label, params, path="/api/v1/orders"):
        url = path + ("?" + urlencode(params) if params else "")
        headers = self.api_headers[label]

        def get():
            response = self.api_client.get(url, headers=headers)
            assert response.status_code == 200, (url, response.status_code, response.content[:300])
            return response

        return get

    def web_deep_params(self, label, params):
        """The query string of the page reached by following "next" --deep times."""
        client = self.clients[label]
        query = urlencode(params)
        for _ in range(self.args.deep):
            html = client.get("/orders/?" + query).content.decode()
            match = NEXT_LINK.search(html)
            if not match:
                return None
            query = match.group(1).replace("&amp;", "&") + "&cursor=" + match.group(2)
        return query

    def api_deep_params(self, label, params):
        cursor = None
        for _ in range(self.args.deep):
            data = self.api(label, {**params, **({"cursor": cursor} if cursor else {})})().json()
            cursor = data["next_cursor"]
            if not cursor:
                return None
        return {**params, "cursor": cursor}

    def scenarios(self):
        from tokodesk.orders import selectors
        from tokodesk.orders.tabs import TABS

        out = []
        for label in ("owner", "agent"):
            s = self.samples(label)
            filters = [
                ("payment_method=invoice", {"payment_method": "invoice"}),
                ("courier=pos", {"courier": "pos"}),
                ("warehouse=mks", {"warehouse": "mks"}),
                (
                    "date range (30 days, a year ago)",
                    {"date_from": s["date_from"], "date_to": s["date_to"]},
                ),
                ("min_total=1000000", {"min_total": 1000000}),
            ]
            if label == "owner":
                filters.insert(0, (f"agent={self.agent.username}", {"agent": self.agent.username}))
            searches = [
                ("q=phone", {"q": s["phone"]}, "search"),
                ("q=awb", {"q": s["awb"]}, "search"),
                ("q=reference", {"q": s["reference"]}, "search"),
                ("q=name fragment", {"q": s["name"]}, "name"),
                ("q=name, no match", {"q": s["name_none"]}, "name"),
            ]
            for surface in ("web", "api"):
                request = self.web if surface == "web" else self.api
                for tab in TABS:
                    params = {"tab": tab} if tab != "all" else {}
                    out.append(
                        Scenario(
                            f"{surface} {label} tab={tab}", "list", request(label, params), "list"
                        )
                    )
                    deep_name = f"{surface} {label} tab={tab} page {self.args.deep + 1}"
                    if not self.wanted(deep_name):
                        deep = fn = None
                    elif surface == "web":
                        deep = self.web_deep_params(label, params)
                        fn = (
                            (lambda c, q: lambda: self._check(c.get("/orders/?" + q)))(
                                self.clients[label], deep
                            )
                            if deep
                            else None
                        )
                    else:
                        deep = self.api_deep_params(label, params)
                        fn = request(label, deep) if deep else None
                    if fn:
                        out.append(
                            Scenario(
                                deep_name,
                                "list",
                                fn,
                                "list",
                            )
                        )
                    if tab in ("all", "completed") and s["middle_cursor"]:
                        params = {**params, "cursor": s["middle_cursor"]}
                        out.append(
                            Scenario(
                                f"{surface} {label} tab={tab} cursor at row {s['middle_row']:,}",
                                "list",
                                request(label, params),
                                "list",
                            )
                        )
                for name, params in filters:
                    out.append(
                        Scenario(
                            f"{surface} {label} {name}", "list", request(label, params), "list"
                        )
                    )
                for name, params, target in searches:
                    out.append(
                        Scenario(
                            f"{surface} {label} {name}", "search", request(label, params), target
                        )
                    )
            out.append(
                Scenario(
                    f"api {label} tab-counts",
                    "tab_counts",
                    self.api(label, {}, "/api/v1/orders/tab-counts"),
                    "tab_counts",
                )
            )
            out.append(
                Scenario(
                    f"api {label} tab-counts q=phone",
                    "tab_counts",
                    self.api(label, {"q": s["phone"]}, "/api/v1/orders/tab-counts"),
                    "tab_counts",
                )
            )
            user = self.users[label]
            out.append(
                Scenario(
                    f"selector {label} tab_counts()",
                    "tab_counts",
                    (lambda u: lambda: selectors.tab_counts(user=u))(user),
                    "tab_counts",
                )
            )
            refs = s["detail"]
            counter = iter(range(10**9))
            out.append(
                Scenario(
                    f"web {label} order detail",
                    "detail",
                    (lambda c, r, i: lambda: self._check(c.get(f"/orders/{r[next(i) % len(r)]}/")))(
                        self.clients[label], refs, counter
                    ),
                    "detail",
                )
            )
        return [sc for sc in out if self.wanted(sc.name)]

    # The representative subset of --set core: the API as the owner on every tab, the
    # deep and the middle page of "all", each filter, the four searches, the tab counts;
    # plus the orders web page, the order detail and the agent's list and counts.
    CORE_EXTRA = (
        "web owner tab=all",
        "web owner order detail",
        "api agent tab=all",
        "api agent tab-counts",
        "selector owner tab_counts()",
    )

    def wanted(self, name: str) -> bool:
        if self.args.only and self.args.only not in name:
            return False
        if getattr(self.args, "set", "all") != "core":
            return True
        if name in self.CORE_EXTRA:
            return True
        if not name.startswith("api owner ") or "no match" in name or "tab-counts q=" in name:
            return False
        deep = " page " in name or "cursor at row" in name
        return not deep or name.startswith("api owner tab=all ")

    @staticmethod
    def _check(response):
        assert response.status_code == 200, response.status_code
        return response

    # --- timing -----------------------------------------------------------------------------

    def measure(self, scenario):
        log = QueryLog()
        with log.timing(self.connection):
            for _ in range(2):
                scenario.fn()
            times, cpu, db, queries = [], [], [], []
            for _ in range(self.args.runs):
                log.reset()
                started, started_cpu = time.perf_counter(), time.process_time()
                scenario.fn()
                times.append((time.perf_counter() - started) * 1000)
                cpu.append((time.process_time() - started_cpu) * 1000)
                db.append(log.seconds * 1000)
                queries.append(log.count)
        target = TARGETS[scenario.target]
        p95 = pct(times, 0.95)
        return {
            "name": scenario.name,
            "p50": round(pct(times, 0.5), 1),
            "p95": round(p95, 1),
            "max": round(max(times), 1),
            "db_p50": round(statistics.median(db), 1),
            "cpu_p50": round(statistics.median(cpu), 1),
            "queries": max(queries),
            "target": target,
            "over": bool(target and p95 > target),
        }

    def explain(self, scenario):
        """Re-run each query of one request to the last row; EXPLAIN the slowest."""
        log = QueryLog(keep=True)
        with log.timing(self.connection):
            scenario.fn()
        timed = []
        with self.connection.cursor() as cursor:
            for sql, params in log.queries:
                if not sql.lstrip().upper().startswith("SELECT"):
                    continue
                started = time.perf_counter()
                cursor.execute(sql, params)
                cursor.fetchall()
                timed.append(((time.perf_counter() - started) * 1000, sql, params))
            if not timed:
                return
            ms, sql, params = max(timed, key=lambda t: t[0])
            prefix = (
                "EXPLAIN QUERY PLAN "
                if self.connection.vendor == "sqlite"
                else "EXPLAIN (ANALYZE, BUFFERS) "
            )
            cursor.execute(prefix + sql, params)
            plan = cursor.fetchall()
        print(f"\n--- {scenario.name}: slowest query {ms:.1f} ms of {len(timed)}")
        print(self._inline(sql, params))
        for row in plan:
            print(
                "   ",
                " | ".join(str(c) for c in row[-1:])
                if self.connection.vendor == "sqlite"
                else row[0],
            )

    @staticmethod
    def _inline(sql, params):
        try:
            sql = sql % tuple(repr(p) for p in params) if params else sql
        except (TypeError, ValueError):
            sql = f"{sql}  -- params {params!r}"
        return re.sub(r"^SELECT (.{120}).*? FROM ", r"SELECT \1… FROM ", sql, count=1, flags=re.S)


def machine() -> dict:
    cpu = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return {"cpu": cpu, "cores": os.cpu_count(), "python": platform.python_version()}


def main(argv=None) -> int:
    args = parse_args(argv)
    setup_django(args.database_url)
    import django
    from django.db import connection

    from tokodesk.accounts.models import ApiToken
    from tokodesk.orders.models import Order

    orders = Order.objects.count()
    if not orders:
        print("No orders: run bench/generate.py first.", file=sys.stderr)
        return 2
    vendor = connection.vendor
    with connection.cursor() as cursor:
        cursor.execute("select sqlite_version()" if vendor == "sqlite" else "show server_version")
        version = cursor.fetchone()[0]
        if vendor == "sqlite":
            cursor.execute(
                "select name from sqlite_master where type = 'index' and name like 'bench%'"
            )
        else:
            cursor.execute("select indexname from pg_indexes where indexname like 'bench%'")
        extra_indexes = sorted(r[0] for r in cursor.fetchall())
    bench = Bench(args)
    load_before = os.getloadavg()[0]
    print(
        f"{orders:,} orders on {vendor} {version}; owner and agent {bench.agent.username} "
        f"({Order.objects.filter(assigned_agent=bench.agent).count():,} orders); {args.runs} runs each; "
        f"extra indexes: {', '.join(extra_indexes) or 'none'}; "
        f"load average {load_before:.1f}",
        flush=True,
    )
    scenarios = bench.scenarios()
    results = []
    QueryLog.install_fetch_timers()
    header = f"{'scenario':<52} {'p50':>7} {'p95':>7} {'max':>7} {'db p50':>7} {'cpu p50':>7} {'q':>3}  target"
    print(header)
    print("-" * len(header))
    started = time.monotonic()
    for scenario in scenarios:
        r = bench.measure(scenario)
        results.append(r)
        mark = "" if not r["target"] else f"{r['target']:.0f}" + ("  OVER" if r["over"] else "")
        print(
            f"{r['name']:<52} {r['p50']:>7.1f} {r['p95']:>7.1f} {r['max']:>7.1f} {r['db_p50']:>7.1f} "
            f"{r['cpu_p50']:>7.1f} {r['queries']:>3}  {mark}",
            flush=True,
        )
    print(f"({len(results)} scenarios in {time.monotonic() - started:.0f} s; ms of server time)")
    if args.explain:
        for scenario, r in zip(scenarios, results, strict=True):
            if r["over"]:
                bench.explain(scenario)

    out = (
        Path(args.out)
        if args.out
        else ROOT
        / "bench"
        / "results"
        / (f"pages-{vendor}-{orders}" + (f"-{args.tag}" if args.tag else "") + ".json")
    )
    out.parent.mkdir(parents=True, exist_ok=True)
    meta = {
        "database": vendor,
        "version": version,
        "orders": orders,
        "runs": args.runs,
        "deep": args.deep,
        "agent_orders": Order.objects.filter(assigned_agent=bench.agent).count(),
        "date": dt.date.today().isoformat(),
        "django": django.get_version(),
        **machine(),
        "extra_indexes": extra_indexes,
        "load_average": [round(load_before, 1), round(os.getloadavg()[0], 1)],
        "note": args.note,
    }
    lines = ",\n".join("  " + json.dumps(r, ensure_ascii=False) for r in results)
    out.write_text(
        f'{{"meta": {json.dumps(meta, ensure_ascii=False)},\n"results": [\n{lines}\n]}}\n'
    )
    ApiToken.objects.filter(name="bench").delete()
    print(f"wrote {out.relative_to(ROOT) if out.is_relative_to(ROOT) else out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
