"""Fill an empty tokodesk database with N believable orders, fast: bench data only.

    .venv/bin/tokodesk migrate
    .venv/bin/python bench/generate.py --orders 100000 [--database-url URL] [--append] [--seed S]
        [--returns N]  (then N returns: bench/generate_returns.py)

This is NOT how orders are made. `tokodesk demo` goes through the real services
(`order_create`, `order_apply_action`): every rule checked, every event written by the
transition that causes it, and about 20 orders a second. Here the rows are computed in
Python and bulk inserted in batches of --batch rows (BulkWriter: one prepared INSERT run
by executemany on SQLite, COPY on PostgreSQL; `bulk_create` managed ~800 orders/s, most
of it spent building SQL), inside one transaction, so that 100k orders take well under
a minute (30 s on SQLite, 50 s on PostgreSQL, 2 cores). The data is consistent
enough to measure the read side (list pages, tab counts, search, detail) on realistic
volumes, nothing more:

* a catalog (the demo's products plus a few more: 17 products, ~50 variants, 3 warehouses
  with stock), the demo's couriers, 6 landing pages, tags, an owner, an admin and 10 agents
  (made by `tokodesk.accounts.services.user_create`, so they have their role's group);
* ~N/3 customers with unique E.164 Indonesian mobile numbers and names from the demo's lists;
* orders spread over two years (more recent ones more frequent; open statuses are recent)
  with 1-5 lines (3 on average), all 21 statuses (mostly completed), payment methods,
  channels, agents, couriers, AWBs once shipped, ship_by once the shipping clock started,
  totals equal to the lines plus shipping and insurance minus discount, paid_total equal
  to the payments (one Payment row when money arrived), stock_state following the status,
  references ORD-{seq:06d} in creation order and the `order` Sequence moved to the last one;
* a timeline per order: the "created" event plus one event per transition of its path;
* stock rows with reserved = what the reserved orders hold (so reserved <= on_hand).

`created_at` / `updated_at` (auto_now_add / auto_now) are written as computed: the
inserts bypass the fields' pre_save, so no update of every row afterwards is needed.

The database must be migrated and hold no order, unless --append (new customers and
orders are then added after the existing ones).
"""

from __future__ import annotations

import argparse
import datetime as dt
import math
import os
import random
import sys
import time
from collections import Counter, defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DAY = 86400.0

# Shares of the final status, in percent (the rest of SPEC's 21 statuses get "a few").
STATUS_SHARES = {
    "completed": 63.8,
    "cancelled": 9.0,
    "returned": 3.5,
    "lost_or_damaged": 0.5,
    "delivered": 4.0,
    "in_transit": 4.0,
    "awaiting_pickup": 1.5,
    "ready_to_ship": 1.5,
    "delivery_problem": 0.8,
    "returning": 0.7,
    "new": 3.0,
    "confirmed": 2.0,
    "paid": 1.2,
    "partially_paid": 0.4,
    "awaiting_payment": 0.8,
    "payment_processing": 0.3,
    "payment_completed": 0.8,
    "invoice_pending": 0.4,
    "invoice_issued": 0.8,
    "invoice_paid": 0.4,
    "cancellation_requested": 0.6,
}
METHOD_FOR_STATUS = {
    "paid": "bank_transfer",
    "partially_paid": "bank_transfer",
    "awaiting_payment": "payment_gateway",
    "payment_processing": "payment_gateway",
    "payment_completed": "payment_gateway",
    "invoice_pending": "invoice",
    "invoice_issued": "invoice",
    "invoice_paid": "invoice",
}
METHODS, METHOD_WEIGHTS = ["cod", "bank_transfer", "payment_gateway", "invoice"], [58, 30, 8, 4]
# How long an unfinished order has sat in its status (minutes): open orders are recent.
IDLE = {
    "new": (5, 2 * 1440),
    "confirmed": (10, 2 * 1440),
    "paid": (10, 1440),
    "partially_paid": (60, 3 * 1440),
    "awaiting_payment": (10, 1440),
    "payment_processing": (2, 120),
    "payment_completed": (10, 1440),
    "invoice_pending": (60, 2 * 1440),
    "invoice_issued": (1440, 10 * 1440),
    "invoice_paid": (10, 1440),
    "ready_to_ship": (10, 1440),
    "awaiting_pickup": (10, 1440),
    "in_transit": (120, 3 * 1440),
    "delivered": (60, 5 * 1440),
    "delivery_problem": (60, 2 * 1440),
    "returning": (1440, 5 * 1440),
    "cancellation_requested": (10, 30 * 60),
}
# Delay of each action after the previous step (minutes), and the status it leads to.
DELAYS = {
    "confirm": (5, 480),
    "request_payment": (1, 30),
    "payment_pending": (1, 40),
    "payment_succeeded": (1, 360),
    "confirm_payment": (20, 1440),
    "create_invoice": (10, 240),
    "issue_invoice": (60, 2880),
    "record_invoice_payment": (3 * 1440, 25 * 1440),
    "mark_ready": (60, 1200),
    "ship": (60, 1440),
    "picked_up": (120, 1080),
    "delivered": (1440, 5 * 1440),
    "report_problem": (1440, 3 * 1440),
    "mark_lost": (2 * 1440, 7 * 1440),
    "return_to_sender": (1440, 3 * 1440),
    "returned_to_sender": (3 * 1440, 10 * 1440),
    "complete": (1440, 6 * 1440),
    "cancel": (30, 2880),
    "request_cancellation": (10, 720),
}
LEADS_TO = {
    "confirm": "confirmed",
    "request_payment": "awaiting_payment",
    "payment_pending": "payment_processing",
    "payment_succeeded": "payment_completed",
    "confirm_payment": "paid",
    "create_invoice": "invoice_pending",
    "issue_invoice": "invoice_issued",
    "record_invoice_payment": "invoice_paid",
    "mark_ready": "ready_to_ship",
    "ship": "awaiting_pickup",
    "picked_up": "in_transit",
    "delivered": "delivered",
    "complete": "completed",
    "report_problem": "delivery_problem",
    "mark_lost": "lost_or_damaged",
    "return_to_sender": "returning",
    "returned_to_sender": "returned",
    "cancel": "cancelled",
    "request_cancellation": "cancellation_requested",
}
PAY = {
    "cod": (),
    "bank_transfer": ("confirm_payment",),
    "payment_gateway": ("request_payment", "payment_succeeded"),
    "invoice": ("create_invoice", "issue_invoice", "record_invoice_payment"),
}
SHIPPED = (
    "awaiting_pickup",
    "in_transit",
    "delivered",
    "completed",
    "delivery_problem",
    "lost_or_damaged",
    "returning",
    "returned",
)
CLOCK_ACTIONS = {
    "payment_succeeded",
    "confirm_payment",
    "record_invoice_payment",
}  # + confirm for COD
PAYMENT_KIND = {
    "confirm_payment": "transfer",
    "payment_succeeded": "gateway",
    "record_invoice_payment": "invoice",
    "complete": "cod",
}

EXTRA_WAREHOUSE = (
    "mks",
    "Gudang Makassar",
    "Makassar",
    "Jl. Perintis Kemerdekaan KM 15 No. 3, Tamalanrea, Makassar, Sulawesi Selatan 90245",
)
# slug, name, description, warehouses, variants (sku, name, price, weight g) — added to the demo's.
EXTRA_PRODUCTS = [
    (
        "gamis-syari-katun",
        "Gamis Syar'i Katun Jepang",
        "Adem, jatuh, tidak menerawang.",
        ("jkt", "sby", "mks"),
        [
            ("GAMIS-S-HTM", "S Hitam", 175000, 450),
            ("GAMIS-M-HTM", "M Hitam", 175000, 470),
            ("GAMIS-L-HTM", "L Hitam", 175000, 490),
            ("GAMIS-M-NVY", "M Navy", 175000, 470),
            ("GAMIS-L-NVY", "L Navy", 175000, 490),
            ("GAMIS-XL-NVY", "XL Navy", 185000, 510),
        ],
    ),
    (
        "sambal-roa-manado",
        "Sambal Roa Manado 200 g",
        "Ikan roa asap, pedas gurih.",
        ("sby", "mks"),
        [("ROA-ORI", "Original", 45000, 300), ("ROA-PDS", "Extra pedas", 47000, 300)],
    ),
    (
        "beras-organik-pandan-wangi",
        "Beras Organik Pandan Wangi",
        "Pulen dan wangi, tanpa pestisida.",
        ("jkt", "mks"),
        [("BERAS-5", "5 kg", 98000, 5100), ("BERAS-10", "10 kg", 189000, 10200)],
    ),
    (
        "paket-skincare-glow",
        "Paket Skincare Glow 3in1",
        "Facial wash, toner, moisturizer.",
        ("jkt", "sby", "mks"),
        [
            ("GLOW-NORMAL", "Kulit normal", 129000, 350),
            ("GLOW-MINYAK", "Kulit berminyak", 129000, 350),
            ("GLOW-KERING", "Kulit kering", 129000, 350),
        ],
    ),
    (
        "earbuds-tws-pro",
        "Earbuds TWS Pro",
        "Bluetooth 5.3, baterai 30 jam.",
        ("jkt", "sby"),
        [
            ("TWS-HTM", "Hitam", 199000, 150),
            ("TWS-PTH", "Putih", 199000, 150),
            ("TWS-BRU", "Biru", 209000, 150),
        ],
    ),
    (
        "teh-herbal-rosella",
        "Teh Herbal Rosella",
        "Rosella kering pilihan.",
        ("sby", "mks"),
        [("ROSELLA-20", "20 kantong", 35000, 80), ("ROSELLA-50", "50 kantong", 75000, 180)],
    ),
    (
        "sandal-jepit-karet",
        "Sandal Jepit Karet Alami",
        "Empuk, tidak licin.",
        ("jkt", "sby", "mks"),
        [
            ("SANDAL-38", "38", 39000, 300),
            ("SANDAL-39", "39", 39000, 300),
            ("SANDAL-40", "40", 39000, 320),
            ("SANDAL-41", "41", 39000, 320),
            ("SANDAL-42", "42", 39000, 340),
        ],
    ),
]
# name, slug, product slug, warehouse — agents are spread over the pages.
EXTRA_PAGES = [
    ("Gamis Syar'i Katun Jepang – Diskon Lebaran", "gamis-syari-promo", "gamis-syari-katun", "jkt"),
    ("Paket Skincare Glow – Kulit Cerah 14 Hari", "skincare-glow", "paket-skincare-glow", "sby"),
    ("Earbuds TWS Pro – Garansi 1 Tahun", "earbuds-tws-pro", "earbuds-tws-pro", "sby"),
]
AGENT_COUNT = 10
PER_KG = {
    "jawa": 10000,
    "jatim": 11000,
    "sumatera": 20000,
    "bali": 18000,
    "kalimantan": 24000,
    "sulawesi": 26000,
    "timur": 52000,
}


def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--orders", type=int, required=True, help="how many orders to add")
    p.add_argument(
        "--database-url", help="default: DATABASE_URL, else SQLite under TOKODESK_DATA_DIR"
    )
    p.add_argument(
        "--append", action="store_true", help="add to a database that already holds orders"
    )
    p.add_argument("--seed", type=int, default=20240817)
    p.add_argument("--batch", type=int, default=5000, help="orders per bulk batch (default 5000)")
    p.add_argument(
        "--days", type=int, default=730, help="spread of the creation dates (default 730)"
    )
    p.add_argument(
        "--analyze",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="run ANALYZE at the end (default: yes; --no-analyze to measure without statistics)",
    )
    p.add_argument(
        "--returns",
        type=int,
        default=0,
        help="then add this many returns of delivered/completed orders (bench/generate_returns.py)",
    )
    p.add_argument(
        "--status",
        choices=sorted(STATUS_SHARES),
        help="every generated order in this status (e.g. new, for bench/measure_bulk_confirm.py)",
    )
    return p.parse_args(argv)


def setup_django(database_url: str | None) -> None:
    if database_url:
        os.environ["DATABASE_URL"] = database_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


class BulkWriter:
    """Bulk inserts of one table from plain tuples, without model instances: one prepared
    INSERT run by executemany (SQLite) or COPY (PostgreSQL), in batches. `bulk_create`
    spends most of its time building the SQL of each batch (SQLite caps a statement at a
    few hundred rows of 45 columns); this is ~10x faster. Values are made ready for the
    database here: datetimes are aware UTC, JSON is dumped."""

    def __init__(self, connection, model, *, with_pk: bool, batch: int):
        import json

        self.connection, self.batch = connection, batch
        # Generated columns (Order.deadline_sort) are computed by the database.
        fields = [
            f
            for f in model._meta.concrete_fields
            if (with_pk or not f.primary_key) and not f.generated
        ]
        self.columns = [f.attname for f in fields]
        self.defaults = {f.attname: None if f.primary_key else f.get_default() for f in fields}
        self.table = connection.ops.quote_name(model._meta.db_table)
        quoted = ", ".join(connection.ops.quote_name(f.column) for f in fields)
        self.pg = connection.vendor == "postgresql"
        if self.pg:
            self.sql = f"COPY {self.table} ({quoted}) FROM STDIN"
        else:
            self.sql = (
                f"INSERT INTO {self.table} ({quoted}) VALUES ({', '.join(['%s'] * len(fields))})"
            )
        self.convert = []  # (index, function) of the columns whose values need preparing
        for i, f in enumerate(fields):
            kind = f.get_internal_type()
            if kind == "JSONField":
                self.convert.append((i, json.dumps))
            elif not self.pg and kind == "DateTimeField":
                self.convert.append(
                    (i, lambda v: None if v is None else str(v.replace(tzinfo=None)))
                )
            elif not self.pg and kind == "DateField":
                self.convert.append((i, lambda v: None if v is None else v.isoformat()))
        self.rows = []
        self.count = 0

    def add(self, values: dict) -> None:
        merged = {**self.defaults, **values}
        row = [merged[c] for c in self.columns]
        for i, fn in self.convert:
            row[i] = fn(row[i])
        self.rows.append(row)
        if len(self.rows) >= self.batch:
            self.flush()

    def flush(self) -> None:
        if not self.rows:
            return
        with self.connection.cursor() as cursor:
            if self.pg:
                with cursor.cursor.copy(self.sql) as copy:
                    for row in self.rows:
                        copy.write_row(row)
            else:
                cursor.executemany(self.sql, self.rows)
        self.count += len(self.rows)
        self.rows = []


class Generator:
    def __init__(
        self,
        *,
        n: int,
        seed: int,
        batch: int,
        days: int,
        analyze: bool | None = None,
        status: str | None = None,
    ):
        from django.utils import timezone

        self.analyze = analyze
        self.only_status = status
        self.n, self.batch, self.days = n, batch, days
        self.rng = random.Random(seed)
        self.now = timezone.now().replace(microsecond=0)
        self.now_ts = self.now.timestamp()
        self.rows = Counter()

    # --- reference data ----------------------------------------------------------------------

    def reference_data(self) -> None:
        from django.contrib.auth import get_user_model

        from tokodesk.accounts.services import user_create
        from tokodesk.catalog.models import Product, Stock, Variant, Warehouse
        from tokodesk.core.models import ShopSettings
        from tokodesk.ops import demo
        from tokodesk.orders.models import Tag
        from tokodesk.shipping.models import Courier
        from tokodesk.storefront.models import LandingPage

        rng = self.rng
        ShopSettings.get()
        User = get_user_model()
        people = [("owner", "owner", "Hendra", "Wijaya"), ("admin", "admin", "Dewi", "Anggraini")]
        people += [
            (f"agent{i:02d}", "agent", rng.choice(demo.FIRST_NAMES), rng.choice(demo.LAST_NAMES))
            for i in range(1, AGENT_COUNT + 1)
        ]
        self.users = {}
        for username, role, first, last in people:
            user = User.objects.filter(username=username).first()
            if user is None:
                user = user_create(
                    username=username,
                    role=role,
                    first_name=first,
                    email=f"{username}@bench.example",
                )
                User.objects.filter(pk=user.pk).update(last_name=last)
            self.users[username] = user
        self.agents = [self.users[f"agent{i:02d}"].pk for i in range(1, AGENT_COUNT + 1)]

        # The demo shop's warehouses, products and couriers, then a third warehouse and more products.
        builder = demo._Builder(rng, orders=0, days=self.days)
        builder._catalog()
        builder._couriers()
        code, name, city, address = EXTRA_WAREHOUSE
        Warehouse.objects.get_or_create(
            code=code, defaults={"name": name, "city": city, "address": address}
        )
        warehouses = {w.code: w for w in Warehouse.objects.all()}
        for slug, pname, description, stocked_in, variants in EXTRA_PRODUCTS:
            product, _c = Product.objects.get_or_create(
                slug=slug, defaults={"name": pname, "description": description}
            )
            for sku, vname, price, weight in variants:
                variant, _c = Variant.objects.get_or_create(
                    sku=sku,
                    defaults={
                        "product": product,
                        "name": vname,
                        "price": price,
                        "weight_grams": weight,
                    },
                )
                for wcode in stocked_in:
                    Stock.objects.get_or_create(
                        variant=variant, warehouse=warehouses[wcode], defaults={"on_hand": 500}
                    )
        self.warehouses = {w.code: w.pk for w in warehouses.values()}
        self.variants = {v.pk: v for v in Variant.objects.select_related("product")}
        self.stocked = defaultdict(list)  # warehouse id -> variant ids
        for variant_id, warehouse_id in Stock.objects.values_list(
            "variant_id", "warehouse_id"
        ).order_by("id"):
            self.stocked[warehouse_id].append(variant_id)
        self.product_variants = defaultdict(list)
        for v in self.variants.values():
            self.product_variants[v.product_id].append(v.pk)

        self.couriers = [
            (c.pk, c.code, c.services or ["REG"]) for c in Courier.objects.order_by("id")
        ]
        self.courier_weights = [30, 25, 20, 15, 10] + [5] * max(0, len(self.couriers) - 5)

        pages = [(n, s, p, w) for n, s, p, w, _agents in demo.LANDING_PAGES] + EXTRA_PAGES
        self.pages = []  # (id, warehouse id, variant ids, agent ids)
        for i, (pname, slug, product_slug, wcode) in enumerate(pages):
            product = Product.objects.get(slug=product_slug)
            page, created = LandingPage.objects.get_or_create(
                slug=slug,
                defaults={
                    "name": pname,
                    "product": product,
                    "warehouse_id": self.warehouses[wcode],
                    "payment_methods": ["cod", "bank_transfer"],
                },
            )
            agents = [self.agents[(2 * i + k) % AGENT_COUNT] for k in range(3)]
            if created:
                page.agents.set(agents)
            stocked = set(self.stocked[page.warehouse_id])
            self.pages.append(
                (
                    page.pk,
                    page.warehouse_id,
                    [v for v in self.product_variants[product.pk] if v in stocked],
                    agents,
                )
            )
        for tname, color in [*demo.TAGS, ("Prioritas", "#7c3aed")]:
            Tag.objects.get_or_create(name=tname, defaults={"color": color})
        self.tags = list(Tag.objects.values_list("pk", flat=True))

    # --- customers ---------------------------------------------------------------------------

    def customers(self, count: int) -> list[dict]:
        """People (not yet rows): unique E.164 mobile numbers, addresses like the demo's."""
        import phonenumbers

        from tokodesk.customers.models import Customer
        from tokodesk.ops import demo

        rng = self.rng
        seen = set(Customer.objects.values_list("phone", flat=True))
        people = []
        cities = rng.choices(demo.CITIES, weights=demo.CITY_WEIGHTS, k=count)
        while len(people) < count:
            first, last = rng.choice(demo.FIRST_NAMES), rng.choice(demo.LAST_NAMES)
            if first in ("Putu", "Made", "Kadek", "Nyoman"):
                last = rng.choice(["Ayu Wulandari", "Suarta", "Wirawan", "Sudiarta", "Ayu Lestari"])
            national = rng.choice(demo.PHONE_PREFIXES)[1:] + str(rng.randrange(10**6, 10**8))
            phone = "+62" + national
            if phone in seen:
                continue
            if not phonenumbers.is_valid_number(phonenumbers.parse(phone)):
                continue
            seen.add(phone)
            city, province, postal, region = cities[len(people)]
            if rng.random() < 0.2:
                street = (
                    f"{rng.choice(demo.HOUSING)} Blok {rng.choice('ABCDEFGH')}{rng.randint(1, 20)} "
                    f"No. {rng.randint(1, 40)}"
                )
            else:
                street = f"{rng.choice(demo.STREETS)} No. {rng.randint(1, 250)}"
            address = (
                f"{street}, RT {rng.randint(1, 12):03d}/RW {rng.randint(1, 9):03d}, "
                f"Kel. {rng.choice(demo.VILLAGES)}, Kec. {rng.choice(demo.DISTRICTS)}, {city}, {province} "
                f"{postal}{rng.randint(100, 999)}"
            )
            name = f"{first} {last}".strip()
            email = ""
            if rng.random() < 0.3:
                email = f"{first.lower()}.{(last.split() or ['x'])[-1].lower() or 'x'}{rng.randint(1, 999)}@gmail.com"
            people.append(
                {
                    "name": name,
                    "phone": phone,
                    "address": address,
                    "city": city,
                    "region": region,
                    "email": email,
                }
            )
        return people

    # --- orders ------------------------------------------------------------------------------

    def _path(self, status: str, method: str) -> list[str]:
        rng = self.rng
        if status == "new":
            return []
        if status in ("cancelled", "cancellation_requested"):
            first = ["confirm"] if rng.random() < 0.4 else []
            return first + ["cancel" if status == "cancelled" else "request_cancellation"]
        path = ["confirm"]
        if status == "confirmed":
            return path
        pay = list(PAY[method])
        if status in ("paid", "partially_paid"):
            return path + ["confirm_payment"]
        if status in ("awaiting_payment", "payment_processing"):
            return (
                path
                + ["request_payment"]
                + (["payment_pending"] if status == "payment_processing" else [])
            )
        if status in ("payment_completed", "invoice_pending", "invoice_issued", "invoice_paid"):
            return path + pay[: pay.index(next(a for a in pay if LEADS_TO[a] == status)) + 1]
        path += pay + ["mark_ready"]
        if status == "ready_to_ship":
            return path
        path.append("ship")
        if status == "awaiting_pickup":
            return path
        path.append("picked_up")
        tail = {
            "in_transit": [],
            "delivered": ["delivered"],
            "completed": ["delivered", "complete"],
            "delivery_problem": ["report_problem"],
            "lost_or_damaged": ["mark_lost"],
            "returning": ["return_to_sender"],
            "returned": ["return_to_sender", "returned_to_sender"],
        }
        return path + tail[status]

    def plan(self, count: int) -> list[tuple]:
        """Status, method, path and step offsets of every order, sorted by creation time."""
        rng = self.rng
        statuses = list(STATUS_SHARES)
        weights = [STATUS_SHARES[s] for s in statuses]
        chosen = rng.choices(statuses, weights=weights, k=count)
        # "A few of each": every status at least min(20, count/100) times.
        few = min(20, count // 100)
        if self.only_status:
            chosen, few = [self.only_status] * count, 0
        for i, status in enumerate(statuses):
            for k in range(few):
                chosen[(i * few + k) * 7 % count] = status
        span = self.days * DAY
        plans = []
        for status in chosen:
            method = (
                METHOD_FOR_STATUS.get(status) or rng.choices(METHODS, weights=METHOD_WEIGHTS)[0]
            )
            path = self._path(status, method)
            offsets, t = [], 0.0
            for action in path:
                lo, hi = DELAYS[action]
                t += rng.uniform(lo, hi) * 60
                offsets.append(t)
            if status in IDLE:
                lo, hi = IDLE[status]
                age = t + rng.uniform(lo, hi) * 60
            else:
                # Final: anywhere in the span, the shop growing (more orders lately).
                age = max(t + rng.uniform(600, 3 * DAY), span * (1 - math.sqrt(rng.random())))
            plans.append((self.now_ts - age, status, method, tuple(path), tuple(offsets)))
        plans.sort(key=lambda p: p[0])
        return plans

    def run(self) -> dict:
        from django.db import connection, transaction
        from django.db.models import Max

        from tokodesk.catalog.models import Stock
        from tokodesk.core.models import Sequence
        from tokodesk.customers.models import Customer
        from tokodesk.orders.models import Order, OrderEvent, OrderLine, Payment

        timings = {}
        started = time.monotonic()
        if connection.vendor == "sqlite":
            with connection.cursor() as cursor:
                # A page cache large enough for the indexes being filled (default: 2 MB),
                # else every batch spills pages to the WAL and re-reads them.
                cursor.execute("PRAGMA cache_size = -262144")
        with transaction.atomic():
            self.reference_data()
            timings["reference data"] = time.monotonic() - started

            t0 = time.monotonic()
            n_customers = max(1, self.n // 3)
            people = self.customers(n_customers)
            plans = self.plan(self.n)
            timings["plan"] = time.monotonic() - t0

            first_customer = (Customer.objects.aggregate(m=Max("id"))["m"] or 0) + 1
            # Everyone orders once, some come back (a few often).
            owner_of = list(range(n_customers)) + [
                int(n_customers * self.rng.random() ** 1.5) for _ in range(self.n - n_customers)
            ]
            self.rng.shuffle(owner_of)
            first_seen, last_seen = {}, {}
            for (created, *_rest), c in zip(plans, owner_of, strict=False):
                first_seen.setdefault(c, created)
                last_seen[c] = created
            t0 = time.monotonic()
            customers = BulkWriter(connection, Customer, with_pk=True, batch=self.batch)
            for i, person in enumerate(people):
                created = self._dt(
                    first_seen.get(i, self.now_ts - self.rng.uniform(0, self.days * DAY))
                )
                customers.add(
                    {
                        "id": first_customer + i,
                        "name": person["name"],
                        "phone": person["phone"],
                        "email": person["email"],
                        "address": person["address"],
                        "created_at": created,
                        "updated_at": self._dt(last_seen.get(i, created.timestamp())),
                    }
                )
            customers.flush()
            self.rows["customer"] += customers.count
            timings["customers"] = time.monotonic() - t0

            t0 = time.monotonic()
            seq = Sequence.objects.select_for_update().filter(name="order").first()
            first_seq = (seq.value if seq else 0) + 1
            first_order = (Order.objects.aggregate(m=Max("id"))["m"] or 0) + 1
            self.reserved = Counter()
            self.by_status = Counter()
            self.w = {
                "order": BulkWriter(connection, Order, with_pk=True, batch=self.batch),
                "orderline": BulkWriter(connection, OrderLine, with_pk=False, batch=self.batch),
                "orderevent": BulkWriter(connection, OrderEvent, with_pk=False, batch=self.batch),
                "payment": BulkWriter(connection, Payment, with_pk=False, batch=self.batch),
                "order_tags": BulkWriter(
                    connection, Order.tags.through, with_pk=False, batch=self.batch
                ),
            }
            for start in range(0, self.n, self.batch):
                chunk = plans[start : start + self.batch]
                self._write_chunk(
                    chunk,
                    first_order + start,
                    first_seq + start,
                    [(first_customer + c, people[c]) for c in owner_of[start : start + self.batch]],
                )
                done = start + len(chunk)
                if done % (self.batch * 4) == 0 or done == self.n:
                    rate = done / (time.monotonic() - t0)
                    print(f"  {done:>9,} orders  {rate:>8,.0f} orders/s", flush=True)
            for name, writer in self.w.items():
                writer.flush()
                self.rows[name] += writer.count
            timings["orders"] = time.monotonic() - t0

            t0 = time.monotonic()
            Sequence.objects.update_or_create(
                name="order", defaults={"value": first_seq + self.n - 1}
            )
            stock = list(Stock.objects.all())
            for row in stock:
                # += : with --append, what the existing orders hold stays reserved.
                row.reserved += self.reserved[(row.variant_id, row.warehouse_id)]
                row.on_hand = row.reserved + self.rng.randrange(200, 3000)
            Stock.objects.bulk_update(stock, ["on_hand", "reserved"])
            self._reset_sequences(connection)
            timings["stock, sequences"] = time.monotonic() - t0
            t0 = time.monotonic()
        timings["commit"] = (
            time.monotonic() - t0
        )  # PostgreSQL checks the (deferred) foreign keys here
        if self.analyze is None or self.analyze:
            # A live database has statistics: PostgreSQL's autovacuum gathers them within
            # minutes, and tokodesk refreshes SQLite's after every migrate and daily in the
            # worker (core.apps.refresh_sqlite_statistics). Bulk-loaded orders would otherwise
            # be planned from the statistics of empty tables.
            t0 = time.monotonic()
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")
            timings["analyze"] = time.monotonic() - t0
        timings["total"] = time.monotonic() - started
        return timings

    def _dt(self, ts: float) -> dt.datetime:
        return dt.datetime.fromtimestamp(min(ts, self.now_ts), tz=dt.UTC).replace(microsecond=0)

    def _write_chunk(self, chunk, first_id, first_seq, owners) -> None:
        rng = self.rng
        w_order, w_line, w_event, w_payment, w_tag = (
            self.w[k].add for k in ("order", "orderline", "orderevent", "payment", "order_tags")
        )
        for i, ((created_ts, status, method, path, offsets), (customer_id, person)) in enumerate(
            zip(chunk, owners, strict=True)
        ):
            order_id = first_id + i
            self.by_status[status] += 1
            created = self._dt(created_ts)
            at = {
                action: self._dt(created_ts + off)
                for action, off in zip(path, offsets, strict=True)
            }

            # Where the order came from, who handles it.
            r = rng.random()
            page = None
            if method in ("cod", "bank_transfer") and r < 0.7:
                page = rng.choice(self.pages)
                channel, warehouse_id, agent = "landing_page", page[1], rng.choice(page[3])
                creator, source = None, "customer"
            else:
                channel = "manual" if r < 0.85 else ("api" if r < 0.95 else "marketplace")
                warehouse_id = rng.choice(list(self.warehouses.values()))
                agent = rng.choice(self.agents) if rng.random() > 0.03 else None
                creator = agent if channel == "manual" and agent else self.users["owner"].pk
                source = "web" if channel == "manual" else "api"
            n_lines = rng.choices((1, 2, 3, 4, 5), weights=(15, 20, 30, 20, 15))[0]
            pool = page[2] if page and rng.random() < 0.6 else self.stocked[warehouse_id]
            variant_ids = rng.sample(pool, min(n_lines, len(pool)))
            reseller = method == "invoice"
            subtotal = weight = 0
            line_qty = []
            for variant_id in variant_ids:
                v = self.variants[variant_id]
                qty = (
                    rng.randint(5, 12)
                    if reseller
                    else rng.choices((1, 2, 3), weights=(70, 22, 8))[0]
                )
                price = v.price * 85 // 100 // 500 * 500 if reseller else v.price
                subtotal += qty * price
                weight += qty * v.weight_grams
                line_qty.append((variant_id, qty))
                w_line(
                    {
                        "order_id": order_id,
                        "variant_id": variant_id,
                        "sku": v.sku,
                        "name": v.display_name,
                        "qty": qty,
                        "unit_price": price,
                        "weight_grams": v.weight_grams,
                    }
                )
            courier_id, courier_code, services = rng.choices(
                self.couriers, weights=self.courier_weights
            )[0]
            service = services[0] if rng.random() < 0.8 else rng.choice(services)
            shipping = PER_KG[person["region"]] * max(1, math.ceil(weight / 1000))
            insurance = (
                max(1000, subtotal * 25 // 10000 // 100 * 100)
                if subtotal > 300000 and rng.random() < 0.3
                else 0
            )
            discount = (
                rng.choice((5000, 10000, 25000))
                if (reseller or channel == "manual") and rng.random() < 0.2
                else 0
            )
            total = subtotal + shipping + insurance - discount

            # Money, stock, dates and the timeline follow the path.
            fields = {}
            paid = 0
            stock_state = "none"
            ship_by = None
            before_cancel = ""
            prev = "new"
            w_event(
                {
                    "order_id": order_id,
                    "kind": "created",
                    "action": "",
                    "from_status": "",
                    "to_status": "new",
                    "actor_id": creator,
                    "source": source,
                    "data": {"channel": channel, "total": total},
                    "created_at": created,
                }
            )
            for action in path:
                when = at[action]
                to = LEADS_TO[action]
                data = {}
                if action == "confirm_payment":
                    amount = (
                        total
                        if status != "partially_paid"
                        else max(1000, total // 2 // 1000 * 1000)
                    )
                    to = "paid" if amount >= total else "partially_paid"
                if action in PAYMENT_KIND and (action != "complete" or method == "cod"):
                    amount = total if action != "confirm_payment" else amount
                    w_payment(
                        {
                            "order_id": order_id,
                            "kind": PAYMENT_KIND[action],
                            "amount": amount,
                            "paid_on": when.date(),
                            "account": "BCA 123-456-7890" if action == "confirm_payment" else "",
                            "reference": f"TRF{rng.randrange(10**9, 10**10)}",
                            "recorded_at": when,
                            "recorded_by_id": self.users["owner"].pk
                            if action != "payment_succeeded"
                            else None,
                        }
                    )
                    paid += amount
                    data["amount"] = amount
                if action == "confirm":
                    stock_state = "reserved"
                    fields["confirmed_at"] = when
                    if method == "cod":
                        ship_by = when + dt.timedelta(hours=48)
                elif action in CLOCK_ACTIONS and to != "partially_paid":
                    ship_by = when + dt.timedelta(hours=48)
                elif action == "request_payment":
                    fields["payment_link"] = (
                        f"https://pay.bench.example/i/{rng.getrandbits(48):012x}"
                    )
                elif action == "issue_invoice":
                    fields["invoice_number"] = f"INV/{when:%Y%m}/{order_id:06d}"
                    fields["invoice_due_date"] = when.date() + dt.timedelta(days=30)
                elif action == "ship":
                    stock_state = "deducted"
                    fields["awb"] = self._awb(courier_code)
                    fields["shipped_at"] = when
                    data = {"courier": courier_code, "awb": fields["awb"]}
                elif action == "delivered":
                    fields["delivered_at"] = when
                elif action == "complete":
                    fields["completed_at"] = when
                elif action == "returned_to_sender":
                    stock_state = "restocked"
                elif action in ("report_problem", "mark_lost"):
                    fields["problem_reason"] = data["reason"] = "Alamat tidak ditemukan kurir"
                elif action in ("cancel", "request_cancellation"):
                    before_cancel = prev
                    fields["cancellation_reason"] = data["reason"] = "Pelanggan berubah pikiran"
                    if action == "cancel":
                        stock_state = "none"
                        fields["cancelled_at"] = when
                    else:
                        fields["cancellation_deadline"] = when + dt.timedelta(hours=48)
                w_event(
                    {
                        "order_id": order_id,
                        "kind": "action",
                        "action": action,
                        "from_status": prev,
                        "to_status": to,
                        "actor_id": None
                        if action
                        in ("payment_succeeded", "payment_pending", "picked_up", "delivered")
                        else (agent or self.users["admin"].pk),
                        "source": "web",
                        "data": data,
                        "created_at": when,
                    }
                )
                prev = to
            assert prev == status, (status, path, prev)
            if stock_state == "reserved":
                for variant_id, qty in line_qty:
                    self.reserved[(variant_id, warehouse_id)] += qty
            if rng.random() < 0.12:
                w_tag({"order_id": order_id, "tag_id": rng.choice(self.tags)})
            recipient = (
                person["name"]
                if rng.random() < 0.93
                else f"{rng.choice(('Ibu', 'Bapak', 'Kak'))} {person['name'].split()[0]}"
            )
            w_order(
                {
                    "id": order_id,
                    "reference": f"ORD-{first_seq + i:06d}",
                    "channel": channel,
                    "landing_page_id": page[0] if page else None,
                    "external_reference": f"MP{rng.randrange(10**11, 10**12)}"
                    if channel == "marketplace"
                    else "",
                    "customer_id": customer_id,
                    "recipient_name": recipient,
                    "recipient_phone": person["phone"],
                    "recipient_email": person["email"],
                    "destination_address": person["address"],
                    "destination_city": person["city"],
                    "warehouse_id": warehouse_id,
                    "courier_id": courier_id,
                    "courier_service": service,
                    "payment_method": method,
                    "currency": "IDR",
                    "subtotal": subtotal,
                    "shipping_cost": shipping,
                    "insurance_cost": insurance,
                    "discount": discount,
                    "total": total,
                    "paid_total": paid,
                    "assigned_agent_id": agent,
                    "created_by_id": creator,
                    "customer_note": "Tolong dikirim secepatnya ya kak"
                    if rng.random() < 0.1
                    else "",
                    "status": status,
                    "version": 1 + len(path),
                    "stock_state": stock_state,
                    "status_before_cancellation": before_cancel,
                    "ship_by": ship_by,
                    "created_at": created,
                    "updated_at": at[path[-1]] if path else created,
                    **fields,
                }
            )

    def _awb(self, courier: str) -> str:
        r = self.rng.randrange
        return {
            "jne": f"CGK{r(10**12, 10**13)}",
            "jnt": f"JP{r(10**9, 10**10)}",
            "sicepat": f"00{r(10**9, 10**10)}",
            "anteraja": f"1000{r(10**10, 10**11)}",
            "pos": f"P{r(10**11, 10**12)}",
        }.get(courier, f"X{r(10**11, 10**12)}")

    @staticmethod
    def _reset_sequences(connection) -> None:
        """Explicit primary keys were written: move PostgreSQL's id sequences past them."""
        from django.core.management.color import no_style

        from tokodesk.customers.models import Customer
        from tokodesk.orders.models import Order

        statements = connection.ops.sequence_reset_sql(no_style(), [Order, Customer])
        with connection.cursor() as cursor:
            for sql in statements:
                cursor.execute(sql)


def main(argv=None) -> int:
    args = parse_args(argv)
    if args.orders < 1:
        print("--orders must be at least 1", file=sys.stderr)
        return 2
    setup_django(args.database_url)
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    from tokodesk.orders.models import Order

    executor = MigrationExecutor(connection)
    if executor.migration_plan(executor.loader.graph.leaf_nodes()):
        print(
            "The database is not migrated: run `.venv/bin/tokodesk migrate` first.", file=sys.stderr
        )
        return 2
    existing = Order.objects.count()
    if existing and not args.append:
        print(
            f"The database already holds {existing} orders: refusing (use --append to add more).",
            file=sys.stderr,
        )
        return 2
    db = connection.vendor
    print(
        f"Generating {args.orders:,} orders into {db} ({connection.settings_dict['NAME']}) ...",
        flush=True,
    )
    gen = Generator(
        n=args.orders,
        seed=args.seed,
        batch=args.batch,
        days=args.days,
        analyze=args.analyze,
        status=args.status,
    )
    timings = gen.run()
    rows = sum(gen.rows.values())
    print(", ".join(f"{k}: {v:.1f} s" for k, v in timings.items()))
    print("rows: " + ", ".join(f"{k} {v:,}" for k, v in gen.rows.items()))
    print(
        f"{args.orders:,} orders ({rows:,} rows) in {timings['total']:.1f} s: "
        f"{args.orders / timings['total']:,.0f} orders/s, {rows / timings['total']:,.0f} rows/s"
    )
    print("statuses: " + ", ".join(f"{s} {c}" for s, c in gen.by_status.most_common()))
    if args.returns:
        from generate_returns import add_returns

        add_returns(args.returns, seed=args.seed, batch=args.batch)
    return 0


if __name__ == "__main__":
    sys.exit(main())
