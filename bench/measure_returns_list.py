"""The returns list in process, old (Return instances) against new (values), every status
tab (issue 16): CPU per request and statements, API and web page, on a database made by
`bench/generate.py --returns N` (never the lead's read-only bench data: it writes an API
token, removed at the end).

    .venv/bin/python bench/measure_returns_list.py [--database-url URL] [--runs 25] [--limit 50]

Each request goes through Django's full stack (test Client: WSGI handler, every
middleware, ninja) as the owner. "old" is the model-instance code the values replaced
(selectors.return_list + api.return_out, patched in as test_list_values does), "new" the
code as it is (on the page, both render the row template as it is now: its links joined
by views.common.RowUrls since 969a7a1, ~10 ms of the page before); the two alternate request by request, so a loaded machine weighs on both
alike. CPU is `time.process_time` of the request (Python and, on SQLite, the database:
PostgreSQL's own work is in its server, not here); the figure is the median of --runs.
Statements are counted on three more requests of each (the least: the token and
permission caches of the process may expire on one). Before measuring, every tab's answer
is compared old against new (bytes, CSRF tokens and nonces aside), and one return of each
status opens (API detail and page) to check the generated data."""

from __future__ import annotations

import argparse
import re
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import setup_django  # noqa: E402

VOLATILE = re.compile(rb'(csrfmiddlewaretoken" value="|X-CSRFToken": "|nonce=")[^"]+')


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--database-url")
    p.add_argument("--runs", type=int, default=25)
    p.add_argument("--limit", type=int, default=50)
    args = p.parse_args(argv)
    setup_django(args.database_url)
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from tokodesk.accounts.models import ApiToken
    from tokodesk.returns import api as returns_api
    from tokodesk.returns import list_values, selectors
    from tokodesk.returns.models import Return
    from tokodesk.returns.states import Status
    from tokodesk.returns.views import list as list_views

    owner = get_user_model().objects.get(username="owner")
    token, raw = ApiToken.issue(owner, name="bench-returns-list")
    api = Client(HTTP_AUTHORIZATION=f"Bearer {raw}", HTTP_HOST="127.0.0.1")
    web = Client(HTTP_HOST="127.0.0.1")
    web.force_login(owner)
    web.cookies["django_language"] = "en"

    def old_items(rows, user):
        return [returns_api.return_out(r, user) for r in rows]

    patches = {
        "api": [
            (list_values, "return_rows", selectors.return_list),
            (list_values, "return_items", old_items),
        ],
        "web": [(list_views, "page_rows", selectors.return_list)],
    }
    saved = {(t, n): getattr(t, n) for pairs in patches.values() for t, n, _v in pairs}

    def get(kind, version, path):
        client = api if kind == "api" else web
        if version == "old":
            for target, name, value in patches[kind]:
                setattr(target, name, value)
        try:
            return client.get(path)
        finally:
            for (target, name), value in saved.items():
                setattr(target, name, value)

    print(
        f"{connection.vendor}, {Return.objects.count():,} returns: "
        + ", ".join(f"{s} {Return.objects.filter(status=s).count():,}" for s in Status.values)
    )
    for status in Status.values:  # the generated data opens
        ref = Return.objects.filter(status=status).values_list("reference", flat=True).first()
        if ref:
            for client, path in ((api, f"/api/v1/returns/{ref}"), (web, f"/returns/{ref}/")):
                code = client.get(path).status_code
                assert code == 200, (path, code)
    tabs = ["all", *Status.values]
    paths = {
        "api": {
            t: f"/api/v1/returns?limit={args.limit}" + (f"&status={t}" if t != "all" else "")
            for t in tabs
        },
        "web": {
            t: f"/returns/?limit={args.limit}" + (f"&status={t}" if t != "all" else "")
            for t in tabs
        },
    }
    for kind in ("api", "web"):
        for tab, path in paths[kind].items():
            old, new = (VOLATILE.sub(rb"\1", get(kind, v, path).content) for v in ("old", "new"))
            assert old == new, (kind, tab)
    print(f"old == new (bytes) on every tab, API and page; {args.runs} requests each, alternated\n")
    print(
        f"{'':4} {'tab':14} {'rows':>4}  {'old ms':>7} {'new ms':>7} {'new/old':>7}  {'old q':>5} {'new q':>5}"
    )
    for kind in ("api", "web"):
        for tab, path in paths[kind].items():
            for v in ("old", "new"):
                get(kind, v, path)  # warm
            cpu = {"old": [], "new": []}
            for _ in range(args.runs):
                for v in ("old", "new"):
                    t0 = time.process_time()
                    response = get(kind, v, path)
                    cpu[v].append((time.process_time() - t0) * 1000)
                    assert response.status_code == 200
            queries = {"old": [], "new": []}
            for _ in range(
                3
            ):  # the least of 3: a per-process cache (token, permissions) may expire
                for v in ("old", "new"):
                    with CaptureQueriesContext(connection) as ctx:
                        response = get(kind, v, path)
                    queries[v].append(len(ctx.captured_queries))
            queries = {v: min(counts) for v, counts in queries.items()}
            rows = (
                len(response.json()["items"])
                if kind == "api"
                else response.content.count(b'<tr id="return-')
            )
            old, new = statistics.median(cpu["old"]), statistics.median(cpu["new"])
            print(
                f"{kind:4} {tab:14} {rows:>4}  {old:7.2f} {new:7.2f} {new / old:7.2f}  "
                f"{queries['old']:>5} {queries['new']:>5}",
                flush=True,
            )
    token.delete()
    return 0


if __name__ == "__main__":
    sys.exit(main())
