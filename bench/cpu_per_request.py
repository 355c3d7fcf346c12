"""CPU per API request in process, through the WSGI handler gunicorn calls (every
middleware, ninja, the view, the rendering), for every tab of the orders list, the tab
counts and an order detail (issue 16). CPU time, not wall: steady on a loaded machine.

    .venv/bin/python bench/cpu_per_request.py [--database-url URL] [--samples 5] [--per 10]
        [--token RAW] [--json] [--middleware-off NAME ...]

Each sample is the mean CPU of --per requests of one path; the paths are taken in turn
(every tab, the counts, the detail: one sample of each, then again), --samples times, after
warm-ups. Prints the median sample of each path (ms). Needs a token: --token, else the
environment's TOKODESK_BENCH_TOKEN, else one is issued for the owner (a write: run that
only against a copy of the bench data).

Old against new: run it alternately from two checkouts (a `git worktree` of the old commit
and this one) over the same data, e.g. six times each, and take the median of the samples
(--json prints them). --middleware-off drops middlewares by name (what each one costs)."""

from __future__ import annotations

import argparse
import io
import json
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import setup_django  # noqa: E402


def environ(path: str, token: str) -> dict:
    path, _, query = path.partition("?")
    return {
        "REQUEST_METHOD": "GET",
        "PATH_INFO": path,
        "QUERY_STRING": query,
        "SERVER_NAME": "127.0.0.1",
        "SERVER_PORT": "8000",
        "HTTP_HOST": "127.0.0.1:8000",
        "HTTP_AUTHORIZATION": f"Bearer {token}",
        "HTTP_CONNECTION": "close",
        "REMOTE_ADDR": "127.0.0.1",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "wsgi.version": (1, 0),
        "wsgi.url_scheme": "http",
        "wsgi.input": io.BytesIO(b""),
        "wsgi.errors": sys.stderr,
        "wsgi.multithread": True,
        "wsgi.multiprocess": True,
        "wsgi.run_once": False,
    }


def call(app, path: str, token: str) -> tuple[str, list, bytes]:
    seen = {}

    def start_response(status, headers, exc_info=None):
        seen["status"], seen["headers"] = status, headers

    result = app(environ(path, token), start_response)
    try:
        body = b"".join(result)
    finally:
        if hasattr(result, "close"):
            result.close()
    return seen["status"], seen["headers"], body


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--database-url")
    p.add_argument("--samples", type=int, default=5)
    p.add_argument("--per", type=int, default=10)
    p.add_argument("--token", default=os.environ.get("TOKODESK_BENCH_TOKEN"))
    p.add_argument("--json", action="store_true")
    p.add_argument("--middleware-off", nargs="*", default=[])
    args = p.parse_args(argv)
    setup_django(args.database_url)
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.core.wsgi import get_wsgi_application

    from tokodesk.orders.models import Order
    from tokodesk.orders.tabs import TABS

    if args.middleware_off:
        settings.MIDDLEWARE = [
            m for m in settings.MIDDLEWARE if m.rsplit(".", 1)[1] not in args.middleware_off
        ]
    token = args.token
    if not token:
        from tokodesk.accounts.models import ApiToken

        _t, token = ApiToken.issue(get_user_model().objects.get(username="owner"), name="bench-cpu")
        print(f"issued TOKODESK_BENCH_TOKEN={token}", file=sys.stderr)
    app = get_wsgi_application()
    reference = Order.objects.order_by("-created_at").values_list("reference", flat=True).first()
    paths = {f"list {tab}": f"/api/v1/orders?tab={tab}" for tab in TABS}
    paths["tab counts"] = "/api/v1/orders/tab-counts"
    paths["detail"] = f"/api/v1/orders/{reference}"
    for path in paths.values():
        for _ in range(3):
            status, _h, body = call(app, path, token)
            assert status.startswith("200"), (path, status, body[:300])
    samples: dict[str, list[float]] = {name: [] for name in paths}
    for _ in range(args.samples):
        for name, path in paths.items():
            start = time.process_time()
            for _ in range(args.per):
                call(app, path, token)
            samples[name].append((time.process_time() - start) * 1000 / args.per)
    if args.json:
        print(json.dumps(samples))
    else:
        for name, values in samples.items():
            print(f"  {statistics.median(values):7.3f} ms CPU  {name}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
