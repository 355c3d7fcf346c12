"""The per-process caches of issue 16 (core.stamps): the shop's settings row and an API
token's user and permissions are read once per process, and read again in every process
as soon as they change: in this process by the model's signals, in the others through the
stamp file in DATA_DIR (tested with a real second process that bumps it).

Transactional tests: inside a transaction (every `db` test) the caches are not used."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth.models import Group
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tokodesk.accounts.models import ApiToken
from tokodesk.accounts.services import user_create
from tokodesk.core.models import ShopSettings
from tokodesk.core.shop_locale import SHOP_SETTINGS_CACHE, shop_locale_update
from tokodesk.core.stamps import ProcessCache
from tokodesk.orders.models import Order

ROOT = Path(__file__).resolve().parents[3]
pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def _own_stamps(settings, tmp_path):
    """Stamps of this test only: another xdist worker's saves bump the shared DATA_DIR's
    (as another process would), which would empty these caches in the middle of a test."""
    settings.DATA_DIR = tmp_path
    ProcessCache.clear_all()
    yield
    ProcessCache.clear_all()


def _bump_in_another_process(name: str) -> None:
    """What a save in another gunicorn worker does to this process: bump the stamp."""
    code = (
        "import django; django.setup()\n"
        "from tokodesk.core.stamps import ProcessCache\n"
        f"ProcessCache({name!r}).bump()\n"
    )
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings",
           "TOKODESK_DATA_DIR": str(settings.DATA_DIR)}
    subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, check=True, timeout=120)


def _login_page(client):
    """The login page speaks the shop's staff language to a visitor without a cookie."""
    with CaptureQueriesContext(connection) as ctx:
        r = client.get("/accounts/login/")
    assert r.status_code == 200
    reads = [q for q in ctx.captured_queries if "core_shopsettings" in q["sql"]]
    return r["Content-Language"], len(reads)


def test_shop_settings_are_read_once_then_again_after_a_save_here_or_elsewhere():
    ShopSettings.get()
    shop_locale_update(actor=None, changes={"staff_language": "en"})
    client = Client()
    assert _login_page(client) == ("en", 1)
    assert _login_page(client) == ("en", 0)  # kept: no query
    # Saved in this process (the settings page's service): read again at once.
    shop_locale_update(actor=None, changes={"staff_language": "fr"})
    assert _login_page(client) == ("fr", 1)
    assert _login_page(client) == ("fr", 0)
    # Written without a signal (as another process's write looks from here): still cached…
    ShopSettings.objects.filter(pk=1).update(staff_language="id")
    assert _login_page(client) == ("fr", 0)
    # …until the other process announces it: the stamp file it bumps in DATA_DIR.
    _bump_in_another_process("shop_settings")
    assert _login_page(client) == ("id", 1)
    assert _login_page(client) == ("id", 0)


def test_another_workers_cache_is_emptied_by_a_save():
    """A second cache of the same name is what the other gunicorn worker holds."""
    shop_locale_update(actor=None, changes={"staff_language": "en"})
    other = ProcessCache("shop_settings")
    loads = []

    def load():
        loads.append(1)
        return ShopSettings.objects.get(pk=1).staff_language

    assert other.get(1, load) == "en" and other.get(1, load) == "en"
    assert len(loads) == 1
    shop_locale_update(actor=None, changes={"staff_language": "fr"})
    assert other.get(1, load) == "fr"
    assert len(loads) == 2
    ProcessCache._all.remove(other)


def test_nothing_is_cached_inside_a_transaction():
    from django.db import transaction

    ShopSettings.get()
    SHOP_SETTINGS_CACHE.clear()
    with transaction.atomic():
        assert _login_page(Client())[1] == 1
        assert _login_page(Client())[1] == 1


def _api(user):
    _token, raw = ApiToken.issue(user)
    return _token, Client(HTTP_AUTHORIZATION=f"Bearer {raw}")


def _counts(client):
    with CaptureQueriesContext(connection) as ctx:
        r = client.get("/api/v1/orders/tab-counts")
    auth = [q for q in ctx.captured_queries
            if "accounts_apitoken" in q["sql"] or "auth_permission" in q["sql"]]
    return r.status_code, (r.json()["all"] if r.status_code == 200 else None), len(auth)


def _an_unassigned_order(owner):
    from tokodesk.customers.models import Customer

    customer = Customer.objects.create(name="Siti", phone="+6281234567890", address="Jl. Melati 5")
    Order.objects.create(reference="ORD-C0001", channel="api", customer=customer, recipient_name="Siti",
                         recipient_phone=customer.phone, destination_address="Jl. Melati 5",
                         payment_method="cod", subtotal=1000, total=1000, created_by=owner)


def test_a_tokens_user_and_permissions_are_read_once_per_process():
    owner = user_create(username="owner", role="owner", password="pw-123456")
    _an_unassigned_order(owner)
    _token, client = _api(owner)
    # The token with its user, its first use (last_used_at), the permissions.
    assert _counts(client) == (200, 1, 3)
    assert _counts(client) == (200, 1, 0)
    assert _counts(client) == (200, 1, 0)


def test_a_revoked_token_is_refused_at_its_next_request():
    owner = user_create(username="owner", role="owner", password="pw-123456")
    token, client = _api(owner)
    assert _counts(client)[0] == 200 and _counts(client)[2] == 0
    token.revoked_at = timezone.now()
    token.save()
    assert _counts(client)[0] == 401


def test_a_deactivated_user_is_refused_at_the_next_request():
    owner = user_create(username="owner", role="owner", password="pw-123456")
    _token, client = _api(owner)
    assert _counts(client)[0] == 200 and _counts(client)[2] == 0
    owner.is_active = False
    owner.save()
    assert _counts(client)[0] == 401


def test_a_role_change_is_seen_at_the_next_request():
    """An owner made agent sees only their assigned orders: 0 of the shop's 1."""
    owner = user_create(username="boss", role="owner", password="pw-123456")
    _an_unassigned_order(owner)
    _token, client = _api(owner)
    assert _counts(client) == (200, 1, 3)
    assert _counts(client) == (200, 1, 0)
    owner.groups.set([Group.objects.get(name="agent")])
    assert _counts(client) == (200, 0, 2)
    # A group's permissions changing counts too: agents may view all orders now.
    agent = Group.objects.get(name="agent")
    from django.contrib.auth.models import Permission

    agent.permissions.add(Permission.objects.get(codename="view_all_orders"))
    assert _counts(client) == (200, 1, 2)


def test_a_revocation_in_another_process_is_seen_here():
    owner = user_create(username="owner", role="owner", password="pw-123456")
    token, client = _api(owner)
    assert _counts(client)[2] == 3 and _counts(client)[2] == 0
    ApiToken.objects.filter(pk=token.pk).update(revoked_at=timezone.now())  # no signal here
    assert _counts(client)[0] == 200  # still the cached entry…
    _bump_in_another_process("api_tokens")  # …until the revoking process's stamp
    assert _counts(client)[0] == 401
