"""Where an API GET spends its CPU, in process (issue 16): cProfile over --runs requests
through Django's full stack (WSGI handler, every middleware, ninja) on the bench database.

    .venv/bin/python bench/profile_api.py [--database-url URL] [--runs 50] [--path /api/v1/orders?tab=all]
        [--top 40] [--middleware]

Prints the mean wall and CPU time per request, then (profiled in CPU time, steadier on a
loaded machine) the functions by cumulative CPU per request (ms), and the share of a few named stages: token lookup, permissions, the idempotency and
ETag middlewares, the view, the response validation and the JSON rendering.

cProfile makes this code 8-15x slower, not ~2x (100k-order bench database, CPU per
request without / with it: detail 7.2 / 82.8 ms, tab counts 10.5 / 99.8, list 18.2 / 146.7),
and unevenly (many small calls pay the most): read its figures as shares, and the "without
the profiler" line as the cost.

--middleware: what each middleware adds, in CPU per request without the profiler: the
same request through MIDDLEWARE[:k] for k = 0 … all (a new handler each), the difference
between k and k-1 being the k-th middleware's cost (API requests authenticate in the view,
so every prefix answers the same 200)."""

from __future__ import annotations

import argparse
import cProfile
import pstats
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import setup_django  # noqa: E402

STAGES = {
    "token lookup (ApiToken.authenticate)": ("api_auth.py", "authenticate"),
    "permissions (Backend.get_all_permissions)": ("backends.py", "get_all_permissions"),
    "IdempotencyMiddleware": ("idempotency.py", "__call__"),
    "the view (list_orders / get_order / tab_counts)": ("api.py", None),
    "response validation (ninja _result_to_response)": ("operation.py", "_result_to_response"),
    "JSON rendering (renderer.render)": ("renderers.py", "render"),
    "ShopLocaleMiddleware": ("shop_locale.py", "__call__"),
    "sessions (SessionMiddleware)": ("sessions/middleware.py", "process_request"),
}


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--database-url")
    p.add_argument("--runs", type=int, default=50)
    p.add_argument("--path", default="/api/v1/orders?tab=all")
    p.add_argument("--top", type=int, default=40)
    p.add_argument("--middleware", action="store_true")
    args = p.parse_args(argv)
    setup_django(args.database_url)
    from django.contrib.auth import get_user_model
    from django.test import Client

    from tokodesk.accounts.models import ApiToken

    _token, raw = ApiToken.issue(get_user_model().objects.get(username="owner"), name="bench-profile")
    client = Client(HTTP_AUTHORIZATION=f"Bearer {raw}", HTTP_HOST="127.0.0.1")
    for _ in range(3):
        assert client.get(args.path).status_code == 200
    start, cpu = time.perf_counter(), time.process_time()
    for _ in range(args.runs):
        client.get(args.path)
    wall = (time.perf_counter() - start) * 1000 / args.runs
    cpu = (time.process_time() - cpu) * 1000 / args.runs
    prof = cProfile.Profile(time.process_time)  # CPU time: the shared machine is loaded
    prof.enable()
    for _ in range(args.runs):
        client.get(args.path)
    prof.disable()
    stats = pstats.Stats(prof)
    print(f"{args.path}: {wall:.2f} ms wall, {cpu:.2f} ms CPU per request without the profiler")
    per = {}
    for (filename, _line, func), (_cc, _nc, _tt, ct, _callers) in stats.stats.items():
        for stage, (file_end, name) in STAGES.items():
            if filename.endswith(file_end) and (name is None or func == name):
                if name is None and func not in ("list_orders", "get_order", "tab_counts"):
                    continue
                per[stage] = max(per.get(stage, 0.0), ct * 1000 / args.runs)
    total = sum(v[3] for k, v in stats.stats.items() if k[2] == "get" and k[0].endswith("test/client.py"))
    print(f"profiled: {total * 1000 / args.runs:.2f} ms per request CPU (cProfile slows this code 8-15x: "
          "read shares, not times); outer middlewares include what they wrap")
    for stage, ms in sorted(per.items(), key=lambda kv: -kv[1]):
        print(f"  {ms:7.2f} ms  {stage}")
    stats.sort_stats("cumulative").print_stats(args.top)
    if args.middleware:
        per_middleware(args, raw)
    _token.delete()
    return 0


def per_middleware(args, raw: str) -> None:
    from django.conf import settings
    from django.test import Client, override_settings

    full = list(settings.MIDDLEWARE)
    cpu_of = []
    for k in range(len(full) + 1):
        with override_settings(MIDDLEWARE=full[:k]):
            client = Client(HTTP_AUTHORIZATION=f"Bearer {raw}", HTTP_HOST="127.0.0.1")
            for _ in range(5):
                assert client.get(args.path).status_code == 200, full[:k]
            best = None
            for _round in range(3):  # the least of 3: the machine is shared
                start = time.process_time()
                for _ in range(args.runs):
                    client.get(args.path)
                ms = (time.process_time() - start) * 1000 / args.runs
                best = ms if best is None else min(best, ms)
            cpu_of.append(best)
    print(f"\n{args.path}: CPU per request (least of 3 x {args.runs}) by middleware prefix")
    print(f"  {cpu_of[0]:7.3f} ms  no middleware (the view, ninja, the handler)")
    for k, name in enumerate(full, 1):
        print(f"  {cpu_of[k] - cpu_of[k - 1]:+7.3f} ms  {name}")
    print(f"  {cpu_of[-1]:7.3f} ms  all")


if __name__ == "__main__":
    sys.exit(main())
