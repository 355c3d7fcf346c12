"""Where a flash-sale buyer's CPU goes, in process (issue 16): the three requests of one
buyer (the landing page GET, the form POST, the thank-you GET) through Django's WSGI
handler and every middleware, as gunicorn serves them, on the bench database.

    .venv/bin/python bench/profile_landing.py [--database-url URL] [--buyers 200] [--page SLUG]
        [--profile page|submit|thanks] [--top 30]

Each buyer is a new browser (no cookie) from an address of its own. Prints, per request,
the mean CPU (without the profiler) and the statements it ran; then with --profile, that
request's functions by cumulative CPU per request (cProfile, in CPU time: read it as
shares, the profiler slows small calls most). It ADDS --buyers orders to the database and
raises the page's stock (bench data)."""

from __future__ import annotations

import argparse
import cProfile
import io
import os
import pstats
import random
import sys
import time
from pathlib import Path
from urllib.parse import urlencode

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import setup_django  # noqa: E402

STEPS = ("page", "submit", "thanks")


def call(app, method, path, ip, *, cookies="", body=b"", referer=""):
    """One request through the WSGI app: (status, headers, text)."""
    environ = {
        "REQUEST_METHOD": method,
        "PATH_INFO": path,
        "QUERY_STRING": "",
        "SERVER_NAME": "127.0.0.1",
        "SERVER_PORT": "8000",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "HTTP_HOST": "127.0.0.1:8000",
        "REMOTE_ADDR": "127.0.0.1",
        "HTTP_X_REAL_IP": ip,
        "HTTP_ACCEPT_LANGUAGE": "id-ID,id;q=0.9,en;q=0.8",
        "HTTP_USER_AGENT": "Mozilla/5.0 (Linux; Android 13) bench",
        "wsgi.input": io.BytesIO(body),
        "wsgi.url_scheme": "http",
        "wsgi.errors": sys.stderr,
        "wsgi.multithread": True,
        "wsgi.multiprocess": True,
        "wsgi.run_once": False,
        "wsgi.version": (1, 0),
    }
    if cookies:
        environ["HTTP_COOKIE"] = cookies
    if referer:
        environ["HTTP_REFERER"] = referer
    if body:
        environ["CONTENT_TYPE"] = "application/x-www-form-urlencoded"
        environ["CONTENT_LENGTH"] = str(len(body))
    out = {}

    def start_response(status, headers, exc_info=None):
        out["status"], out["headers"] = int(status.split()[0]), headers

    chunks = app(environ, start_response)
    text = b"".join(chunks).decode()
    if hasattr(chunks, "close"):
        chunks.close()
    return out["status"], out["headers"], text


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--database-url")
    p.add_argument("--buyers", type=int, default=200)
    p.add_argument("--page")
    p.add_argument("--profile", choices=STEPS)
    p.add_argument("--top", type=int, default=30)
    args = p.parse_args(argv)
    os.environ["TOKODESK_CLIENT_IP_HEADER"] = "HTTP_X_REAL_IP"
    setup_django(args.database_url)
    from django.core.wsgi import get_wsgi_application
    from django.db import connection, reset_queries
    from django.test.utils import CaptureQueriesContext
    from measure_flash_sale import CSRF_RE, SKU_RE, TOKEN_RE, buyer_form, prepare

    page, _agents, districts = prepare(args.page, stock_needed=3 * args.buyers + 50)
    app = get_wsgi_application()
    rng = random.Random(16)
    tag = int(time.time()) % 10000
    cpu = dict.fromkeys(STEPS, 0.0)
    queries = dict.fromkeys(STEPS, 0)
    profiler = cProfile.Profile(time.process_time) if args.profile else None
    timed = 0
    warm = 10
    for i in range(warm + args.buyers):
        ip = f"10.9.{(i >> 8) & 255}.{i & 255}"
        data = buyer_form(tag * 100000 + i, rng, districts)
        measured = i >= warm

        def step(name, fn, measured=measured):
            with CaptureQueriesContext(connection) as ctx:
                if profiler and measured and name == args.profile:
                    profiler.enable()
                t0 = time.process_time()
                res = fn()
                spent = time.process_time() - t0
                if profiler and measured and name == args.profile:
                    profiler.disable()
            if measured:
                cpu[name] += spent
                queries[name] += len(ctx.captured_queries)
            return res

        status, headers, text = step("page", lambda ip=ip: call(app, "GET", f"/p/{page.slug}/", ip))
        assert status == 200, (status, text[:300])
        cookies = "; ".join(v.split(";", 1)[0] for k, v in headers if k.lower() == "set-cookie")
        m, c = TOKEN_RE.search(text), CSRF_RE.search(text)
        skus = [s for s, avail in SKU_RE.findall(text) if int(avail) > 0]
        body = urlencode(
            {
                **data,
                "form_token": m.group(1) or m.group(2),
                "csrfmiddlewaretoken": c.group(1),
                "variant": skus[i % len(skus)],
            }
        ).encode()
        status, headers, text = step(
            "submit",
            lambda ip=ip, body=body, cookies=cookies: call(
                app,
                "POST",
                f"/p/{page.slug}/",
                ip,
                cookies=cookies,
                body=body,
                referer=f"http://127.0.0.1:8000/p/{page.slug}/",
            ),
        )
        assert status == 303, (status, text[:500])
        location = dict(headers)["Location"]
        status, _h, text = step(
            "thanks",
            lambda ip=ip, location=location, cookies=cookies: call(
                app, "GET", location, ip, cookies=cookies
            ),
        )
        assert status == 200, (status, text[:300])
        timed += measured
        reset_queries()
    total = 0.0
    for name in STEPS:
        ms = cpu[name] * 1000 / timed
        total += ms
        note = " (profiled)" if name == args.profile else ""
        print(f"{name:7s} {ms:6.2f} ms CPU{note}, {queries[name] / timed:5.1f} statements")
    print(f"buyer   {total:6.2f} ms CPU ({timed} buyers, page {page.slug})")
    if profiler:
        stats = pstats.Stats(profiler)
        stats.sort_stats("cumulative")
        width = max(len(f"{fn[0].rsplit('/', 2)[-1]}:{fn[2]}") for fn in stats.stats)  # type: ignore[attr-defined]
        print(f"\n{args.profile}: cumulative CPU per request (ms, under cProfile)")
        rows = sorted(stats.stats.items(), key=lambda kv: -kv[1][3])[: args.top]  # type: ignore[attr-defined]
        for fn, (_cc, nc, _tt, ct, _callers) in rows:
            name = f"{'/'.join(fn[0].rsplit('/', 2)[-2:])}:{fn[1]} {fn[2]}"
            print(f"{ct * 1000 / timed:8.2f} {nc / timed:8.1f}  {name[: width + 40]}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
