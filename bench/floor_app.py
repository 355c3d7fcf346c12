"""The floor of measure_floor.py: the least our stack (Django + django-ninja under gunicorn)
can do to answer the orders list, served beside the real app over the same database.

    gunicorn floor_app:application   (cwd bench/, FLOOR_SQL=<file written by measure_floor.py>)

One ninja endpoint, GET /floor/orders?tab=…: no middleware, no session, no token, no
permission, no schema validation; the page's orders by the SQL the real app ran for that
tab (captured by measure_floor.py, literal values in it), then the page's lines and tags
by one raw query each, answered as JSON rows (ninja's default renderer). Not part of the
product: nothing in tokodesk/ imports it."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from django.conf import settings  # noqa: E402

from config import settings as product_settings  # noqa: E402  (DATABASES: same pragmas and URL)

if not settings.configured:
    settings.configure(
        DEBUG=False,
        SECRET_KEY="floor",
        ALLOWED_HOSTS=["*"],
        DATABASES=product_settings.DATABASES,
        ROOT_URLCONF=__name__,
        MIDDLEWARE=[],
        INSTALLED_APPS=[],
        USE_TZ=True,
        NINJA_PAGINATION_PER_PAGE=50,
    )

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402
from django.urls import path  # noqa: E402
from ninja import NinjaAPI  # noqa: E402

SQL = json.loads(Path(os.environ["FLOOR_SQL"]).read_text())  # tab -> the orders query
api = NinjaAPI(urls_namespace="floor", docs_url=None, openapi_url=None)


@api.get("/orders")
def orders(request, tab: str = "all"):
    sql = SQL[tab]
    with connection.cursor() as cursor:
        cursor.execute(sql)
        columns = [c[0] for c in cursor.description]
        rows = [dict(zip(columns, row, strict=True)) for row in cursor.fetchall()]
        ids = [r["id"] for r in rows]
        by_id = {r["id"]: r for r in rows}
        for r in rows:
            r["lines"], r["tags"] = [], []
        if ids:
            marks = ",".join(["%s"] * len(ids))
            cursor.execute(
                f"SELECT order_id, sku, name, qty, unit_price FROM orders_orderline "
                f"WHERE order_id IN ({marks}) ORDER BY id",
                ids,
            )
            for order_id, sku, name, qty, price in cursor.fetchall():
                by_id[order_id]["lines"].append(
                    {
                        "sku": sku,
                        "name": name,
                        "qty": qty,
                        "unit_price": price,
                        "line_total": qty * price,
                    }
                )
            cursor.execute(
                f"SELECT ot.order_id, t.name FROM orders_order_tags ot JOIN orders_tag t ON t.id = ot.tag_id "
                f"WHERE ot.order_id IN ({marks}) ORDER BY t.name",
                ids,
            )
            for order_id, name in cursor.fetchall():
                by_id[order_id]["tags"].append(name)
    return {"items": rows[:50], "next_cursor": None}


urlpatterns = [path("floor/", api.urls)]

from django.core.wsgi import get_wsgi_application  # noqa: E402

application = get_wsgi_application()
