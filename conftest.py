"""Shared fixtures: a small shop (warehouses, products with stock, couriers) and users per
role, plus an API client that sends a bearer token."""

import json
import os

import pytest
from django.test import Client
from django.utils import timezone, translation

from tokodesk.accounts.models import ApiToken
from tokodesk.accounts.services import user_create
from tokodesk.catalog.models import Product, Stock, Variant, Warehouse
from tokodesk.shipping.models import Courier


class ApiClient:
    """A Django test client speaking JSON with a bearer token."""

    def __init__(self, user):
        self.user = user
        _token, self.token = ApiToken.issue(user)
        self.client = Client()

    def _headers(self, headers):
        h = {"HTTP_AUTHORIZATION": f"Bearer {self.token}"}
        for k, v in (headers or {}).items():
            h["HTTP_" + k.upper().replace("-", "_")] = v
        return h

    def get(self, path, params=None, headers=None):
        return self.client.get(path, params or {}, **self._headers(headers))

    def post(self, path, body=None, headers=None, raw=None):
        data = raw if raw is not None else json.dumps(body if body is not None else {})
        return self.client.post(path, data=data, content_type="application/json", **self._headers(headers))

    def patch(self, path, body, headers=None):
        return self.client.patch(path, data=json.dumps(body), content_type="application/json",
                                 **self._headers(headers))


# Tests whose result cannot depend on the database of the pass. scripts/test.sh runs them in
# its SQLite pass only: it sets TOKODESK_TEST_SKIP_DB_INDEPENDENT=1 for the PostgreSQL pass,
# where they are deselected (and counted as such). Anything that queries, locks, migrates or
# serves the test database stays in both passes. A test can also say so itself with
# @pytest.mark.db_independent.
DB_INDEPENDENT = {
    # Run `tokodesk` / `python -m django` in subprocesses with DATABASE_URL removed: the
    # subprocess uses a SQLite file of its own in either pass, so the PostgreSQL pass ran the
    # very same thing a second time.
    "tokodesk/core/tests/test_production_mode.py",
    "tokodesk/orders/tests/test_worker_process.py",
    "tokodesk/webhooks/tests/test_worker_kill.py",
    # Read the source (ast, imports, line counts), never the database.
    "tokodesk/api/tests/test_error_codes.py",
    "tokodesk/ops/tests/test_layering.py",
    "tokodesk/ops/tests/test_status_writes.py",
}


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(config, items):
    _keep_xdist_groups(items)
    _deselect_db_independent(config, items)


def _keep_xdist_groups(items):
    """`--dist loadgroup` (scripts/test.sh) sends the tests of one xdist_group (tests/served)
    to one worker only if their node id ends in "@<group>". pytest-xdist 3.8 writes that id
    into item._nodeid, which pytest 9.2 no longer reads (pytest-dev/pytest-xdist#1386): the
    groups were silently ignored and each worker started a gunicorn of its own. Carry the
    id over to pytest's structured node id (runs after xdist's hook: trylast)."""
    try:
        from _pytest.nodeid import NodeId
    except ImportError:  # pytest before 9.2: xdist's _nodeid is the node id
        return
    for item in items:
        legacy = getattr(item, "_nodeid", None)
        if isinstance(legacy, str) and legacy != item.nodeid and legacy.startswith(item.nodeid + "@"):
            item._id = NodeId.parse(legacy)


def _deselect_db_independent(config, items):
    if os.environ.get("TOKODESK_TEST_SKIP_DB_INDEPENDENT") != "1":
        return
    kept, deselected = [], []
    for item in items:
        path = item.nodeid.split("::", 1)[0]
        once = (
            item.get_closest_marker("db_independent") is not None
            or any(path == p or (p.endswith("/") and path.startswith(p)) for p in DB_INDEPENDENT)
            or _browser_once(item)
        )
        (deselected if once else kept).append(item)
    if deselected:
        config.hook.pytest_deselected(items=deselected)
        items[:] = kept


def _browser_once(item) -> bool:
    """Browser tests drive chromium through pages whose every query, lock and write is also
    exercised by the tests beside them, which run on both databases; a browser test spends
    its time in chromium, not in the database, so a second pass tested the browser twice and
    cost ~4 minutes of the PostgreSQL pass. They run in the SQLite pass; the PostgreSQL pass
    keeps those marked `postgres_too` (a seller's whole day in Indonesian, the orders page's
    filters and search), so a page that breaks only on PostgreSQL still shows."""
    return (
        item.get_closest_marker("browser") is not None
        and item.get_closest_marker("postgres_too") is None
    )


@pytest.fixture(scope="session")
def django_db_modify_db_settings_xdist_suffix(request):
    """Each pytest-xdist worker (scripts/test.sh runs the suite with -n) gets its own test
    database: pytest-django's fixture of the same name, except that it knows SQLite only by
    Django's engine name and would turn our engine's (tokodesk.core.sqlite) in-memory test
    database into a file "test_<path>_gw0" in a directory that does not exist. An in-memory
    database is private to its worker process already; a named one (TOKODESK_TEST_SQLITE,
    TOKODESK_TEST_DB_NAME, or a server's default) gets the worker's suffix."""
    from django.conf import settings

    worker = getattr(request.config, "workerinput", {}).get("workerid")
    if not worker:
        return
    for db in settings.DATABASES.values():
        name = db.get("TEST", {}).get("NAME")
        if not name:
            if "sqlite" in db["ENGINE"]:
                continue
            name = f"test_{db['NAME']}"
        if str(name) == ":memory:" or "mode=memory" in str(name):
            continue
        db.setdefault("TEST", {})["NAME"] = f"{name}_{worker}"


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _reset_request_locale():
    """Each test starts in the project's default language and time zone.

    LocaleMiddleware and ShopLocaleMiddleware activate a request's language and the shop's time zone in the
    thread that serves the test client's request, which is the test's own thread: without this, a test that
    reads the default (Indonesian) wording fails after an English-client test ran in the same worker.
    """
    yield
    translation.deactivate()
    timezone.deactivate()


@pytest.fixture(autouse=True)
def _fresh_process_caches():
    """Each test starts with the per-process caches (core.stamps.ProcessCache: shop settings,
    API tokens, order lookups) empty, as a test run alone does. A transactional test's data
    is flushed without signals, and an entry filled by an earlier test in the same worker
    could expire (MAX_AGE, 30 s) in the middle of a test that counts statements: the landing
    submit's count was 16 instead of 14 depending on what ran before it."""
    from tokodesk.core.stamps import ProcessCache

    ProcessCache.clear_all()


@pytest.fixture
def shop(db):
    """Two warehouses, three products, five couriers."""
    return make_shop()


def make_shop():
    """The `shop` fixture's rows, for fixtures of a wider scope that build them once."""
    jkt = Warehouse.objects.create(code="jkt", name="Gudang Jakarta", city="Jakarta")
    sby = Warehouse.objects.create(code="sby", name="Gudang Surabaya", city="Surabaya")
    p1 = Product.objects.create(name="Kaos Polos", slug="kaos-polos")
    p2 = Product.objects.create(name="Madu Hutan", slug="madu-hutan")
    p3 = Product.objects.create(name="Sepatu Lari", slug="sepatu-lari")
    kaos_m = Variant.objects.create(product=p1, sku="KAOS-M", name="M", price=75000, weight_grams=200)
    kaos_l = Variant.objects.create(product=p1, sku="KAOS-L", name="L", price=75000, weight_grams=220)
    madu = Variant.objects.create(product=p2, sku="MADU-500", name="500 ml", price=150000, weight_grams=700)
    sepatu = Variant.objects.create(product=p3, sku="SEPATU-42", name="42", price=450000, weight_grams=900)
    for v in (kaos_m, kaos_l, madu):
        Stock.objects.create(variant=v, warehouse=jkt, on_hand=100)
    Stock.objects.create(variant=sepatu, warehouse=sby, on_hand=5)
    for code, name in [("jne", "JNE"), ("jnt", "J&T Express"), ("sicepat", "SiCepat"),
                       ("anteraja", "AnterAja"), ("pos", "Pos Indonesia")]:
        Courier.objects.create(code=code, name=name, services=["REG"])
    return {"jkt": jkt, "sby": sby, "kaos_m": kaos_m, "kaos_l": kaos_l, "madu": madu, "sepatu": sepatu}


def make_user(role, username=None):
    return user_create(username=username or role, role=role, password="pw-123456")


@pytest.fixture
def owner(db):
    return make_user("owner")


@pytest.fixture
def users(db):
    """One user per role, plus a second agent."""
    roles = ["owner", "admin", "agent", "warehouse", "finance", "viewer"]
    made = {role: make_user(role) for role in roles}
    made["agent2"] = make_user("agent", "agent2")
    return made


@pytest.fixture
def api(owner):
    return ApiClient(owner)


@pytest.fixture
def api_as(users):
    cache = {}

    def get(role):
        if role not in cache:
            cache[role] = ApiClient(users[role])
        return cache[role]

    return get


def order_payload(**overrides):
    body = {
        "customer": {"name": "Siti Rahayu", "phone": "081234567890", "address": "Jl. Melati 5, Bandung"},
        "lines": [{"sku": "MADU-500", "qty": 1}],
        "payment_method": "bank_transfer",
        "warehouse": "jkt",
        "courier": "jne",
        "shipping_cost": 18000,
    }
    body.update(overrides)
    return body
