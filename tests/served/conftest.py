"""A real tokodesk served by gunicorn (2 workers x 8 threads) against its own database.

On the suite's SQLite pass the server uses a fresh SQLite file in a temporary
TOKODESK_DATA_DIR; on the PostgreSQL pass (DATABASE_URL set) it uses a fresh database
`tokodesk_served_<random>` on the same server, dropped at the end of the session. The
database is migrated and seeded with the real commands (`tokodesk migrate`,
`tokodesk shell`, `tokodesk createtoken`) in subprocesses, so nothing of the test
process (no Django test client, no test transaction) stands between the clients and
the app.
"""

from __future__ import annotations

import os
import secrets
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import httpx
import pytest

ROOT = Path(__file__).resolve().parents[2]
BIN = (
    ROOT / ".venv" / "bin"
    if (ROOT / ".venv" / "bin" / "gunicorn").exists()
    else Path(sys.executable).parent
)
STARTUP_TIMEOUT = 40

# The shop the served tests work with: the `shop` fixture's, with stock that does not
# run out under the concurrency tests, and an owner (who may do everything).
SEED = """
from tokodesk.accounts.services import user_create
from tokodesk.catalog.models import Product, Stock, Variant, Warehouse
from tokodesk.shipping.models import Courier

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
    Stock.objects.create(variant=v, warehouse=jkt, on_hand=1_000_000)
Stock.objects.create(variant=sepatu, warehouse=sby, on_hand=1_000_000)
for code, name in [("jne", "JNE"), ("jnt", "J&T Express"), ("sicepat", "SiCepat"),
                   ("anteraja", "AnterAja"), ("pos", "Pos Indonesia")]:
    Courier.objects.create(code=code, name=name, services=["REG"])
user_create(username="owner", role="owner", password="pw-123456")
"""


@dataclass
class Served:
    """The running server: its URL, an owner's API token, and its captured output."""

    base_url: str
    token: str
    vendor: str  # "sqlite" or "postgresql"
    stderr_path: Path
    proc: subprocess.Popen
    extra: dict = field(default_factory=dict)

    def client(self, **kwargs) -> httpx.Client:
        """A client of its own (one per thread): bearer token, no keep-alive, so a
        request never lands on a connection the server is closing."""
        headers = {"Authorization": f"Bearer {self.token}", **kwargs.pop("headers", {})}
        return httpx.Client(
            base_url=self.base_url,
            headers=headers,
            timeout=kwargs.pop("timeout", 60),
            limits=httpx.Limits(max_keepalive_connections=0),
            **kwargs,
        )

    def stderr(self, since: int = 0) -> str:
        try:
            with open(self.stderr_path, "rb") as f:
                f.seek(since)
                return f.read().decode("utf-8", "replace")
        except FileNotFoundError:
            return ""

    def stderr_size(self) -> int:
        try:
            return self.stderr_path.stat().st_size
        except FileNotFoundError:
            return 0

    def explain(self, message: str = "", since: int = 0, tail: int = 6000) -> str:
        """`message` followed by the server's stderr (the last `tail` characters)."""
        text = self.stderr(since)
        if len(text) > tail:
            text = "…" + text[-tail:]
        return f"{message}\n--- gunicorn stderr ({self.vendor}) ---\n{text or '(empty)'}"


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _run(cmd: list[str], env: dict, what: str) -> str:
    result = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True, timeout=180)
    if result.returncode != 0:
        pytest.fail(
            f"{what} failed ({result.returncode}): {' '.join(cmd)}\n"
            f"stdout:\n{result.stdout}\nstderr:\n{result.stderr}",
            pytrace=False,
        )
    return result.stdout


def _database_kind() -> str:
    url = os.environ.get("DATABASE_URL", "").strip()
    if not url:
        return "sqlite"
    scheme = urlsplit(url).scheme
    if scheme.startswith("postgres") or scheme == "pgsql":
        return "postgresql"
    if scheme.startswith("sqlite"):
        return "sqlite"
    pytest.skip(f"served tests run on SQLite or PostgreSQL, not on {scheme!r}")
    return ""  # unreachable


class _PgDatabase:
    """A fresh PostgreSQL database on the server DATABASE_URL points to."""

    def __init__(self, url: str):
        import psycopg
        from psycopg import sql

        self._psycopg, self._sql = psycopg, sql
        parts = urlsplit(url)
        if parts.scheme in ("postgis", "pgsql"):
            parts = parts._replace(scheme="postgresql")
        self.name = f"tokodesk_served_{secrets.token_hex(4)}"
        self.admin_url = urlunsplit(parts._replace(path="/postgres"))
        self.url = urlunsplit(parts._replace(path="/" + self.name))
        with psycopg.connect(self.admin_url, autocommit=True, connect_timeout=10) as conn:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(self.name)))

    def drop(self) -> None:
        sql = self._sql
        with self._psycopg.connect(self.admin_url, autocommit=True, connect_timeout=10) as conn:
            for attempt in range(5):
                conn.execute(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                    " WHERE datname = %s AND pid <> pg_backend_pid()",
                    [self.name],
                )
                try:
                    conn.execute(
                        sql.SQL("DROP DATABASE IF EXISTS {}").format(sql.Identifier(self.name))
                    )
                    return
                except self._psycopg.errors.ObjectInUse:
                    if attempt == 4:
                        raise
                    time.sleep(0.5)


def _wait_until_up(served: Served) -> None:
    deadline = time.monotonic() + STARTUP_TIMEOUT
    last_error = ""
    with httpx.Client(
        base_url=served.base_url, headers={"Authorization": f"Bearer {served.token}"}, timeout=5
    ) as client:
        while time.monotonic() < deadline:
            if served.proc.poll() is not None:
                raise RuntimeError(f"gunicorn exited with {served.proc.returncode}")
            try:
                r = client.get("/api/v1/orders/tab-counts")
                if r.status_code == 200:
                    return
                last_error = f"HTTP {r.status_code}: {r.text[:300]}"
            except httpx.TransportError as exc:
                last_error = repr(exc)
            time.sleep(0.2)
    raise RuntimeError(f"gunicorn did not answer within {STARTUP_TIMEOUT}s (last: {last_error})")


def _stop(proc: subprocess.Popen) -> None:
    if proc.poll() is not None:
        return
    try:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=15)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=10)
    except ProcessLookupError:
        pass


@pytest.fixture(scope="session")
def served(tmp_path_factory):
    """gunicorn serving tokodesk on a free port, with a migrated and seeded database of
    its own; yields a `Served`. Stopped (its whole process group) at the end."""
    kind = _database_kind()
    data_dir = tmp_path_factory.mktemp("served-data")
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("DATABASE_URL", "TOKODESK_TEST_SQLITE", "PYTEST_CURRENT_TEST")
    }
    env.update(
        TOKODESK_DATA_DIR=str(data_dir),
        DJANGO_SETTINGS_MODULE="config.settings",
        PYTHONDONTWRITEBYTECODE="1",
        PYTHONUNBUFFERED="1",
        DEBUG="0",
    )
    pg = _PgDatabase(os.environ["DATABASE_URL"]) if kind == "postgresql" else None
    if pg is not None:
        env["DATABASE_URL"] = pg.url
    proc = None
    try:
        _run([str(BIN / "tokodesk"), "migrate", "--no-input", "-v", "0"], env, "migrate")
        _run([str(BIN / "tokodesk"), "shell", "--no-imports", "-c", SEED], env, "seeding the shop")
        token = (
            _run(
                [str(BIN / "tokodesk"), "createtoken", "owner", "--name", "served-tests"],
                env,
                "createtoken",
            )
            .strip()
            .splitlines()[-1]
        )

        stderr_path = data_dir / "gunicorn.stderr"
        served = None
        for _attempt in range(3):  # the free port may be taken between probe and bind
            port = _free_port()
            with open(stderr_path, "ab") as err, open(data_dir / "gunicorn.stdout", "ab") as out:
                proc = subprocess.Popen(
                    [
                        str(BIN / "gunicorn"),
                        "config.wsgi:application",
                        "--bind",
                        f"127.0.0.1:{port}",
                        "--workers",
                        "2",
                        "--threads",
                        "8",
                        "--graceful-timeout",
                        "5",
                    ],
                    cwd=ROOT,
                    env=env,
                    stdout=out,
                    stderr=err,
                    start_new_session=True,
                )
            served = Served(
                base_url=f"http://127.0.0.1:{port}",
                token=token,
                vendor=kind,
                stderr_path=stderr_path,
                proc=proc,
                extra={"data_dir": data_dir, "database": pg.name if pg else "sqlite"},
            )
            try:
                _wait_until_up(served)
                break
            except RuntimeError as exc:
                _stop(proc)
                if "Address already in use" in served.stderr() and _attempt < 2:
                    continue
                pytest.fail(served.explain(f"the served app did not start: {exc}"), pytrace=False)
        yield served
    finally:
        if proc is not None:
            _stop(proc)
        if pg is not None:
            pg.drop()


HERE = Path(__file__).resolve().parent


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(config, items):
    """Under pytest-xdist (`--dist loadgroup`, scripts/test.sh) every served test goes to one
    worker, so the suite starts one gunicorn (and migrates one database) per pass, not one
    per worker. tryfirst: the mark must be there before xdist's hook of this name turns it
    into the node id's "@served" (see _keep_xdist_groups in the root conftest.py)."""
    for item in items:
        if HERE in Path(str(item.path)).resolve().parents:
            item.add_marker(pytest.mark.xdist_group("served"))


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    """A failed served test shows what the server wrote on stderr."""
    outcome = yield
    report = outcome.get_result()
    served = getattr(item, "funcargs", {}).get("served")
    if report.failed and isinstance(served, Served):
        report.sections.append(("gunicorn stderr (last 6000 chars)", served.explain()))
