"""Issue 17, first part: `tokodesk setup` makes an empty shop of one's own (flags; refused when
a shop exists), `tokodesk demo` is skipped for it, the owner's first-login page, the settings
page's "Region and languages" and "E-mails to customers" sections (the currency refused once
there are orders; the time zone moves "today"; the phone region reads numbers), and the
return-order role's landing."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client
from django.utils import timezone

from conftest import make_user
from tokodesk.catalog.models import Warehouse
from tokodesk.core import shop_locale
from tokodesk.core.errors import ValidationFailed
from tokodesk.core.models import ShopSettings
from tokodesk.customers.phones import normalize_phone
from tokodesk.notifications.emails import from_address
from tokodesk.notifications.models import NotificationSettings
from tokodesk.orders.models import Order
from tokodesk.orders.tests.factories import make_order

pytestmark = pytest.mark.django_db

PASSWORD = "Lumiere-2026-secret"
FRENCH = [
    "--shop-name",
    "Boutique Lumière",
    "--country",
    "fr",
    "--currency",
    "EUR",
    "--staff-language",
    "fr",
    "--customer-language",
    "fr",
    "--time-zone",
    "Europe/Paris",
    "--phone-region",
    "FR",
    "--sender-email",
    "boutique@example.fr",
    "--reply-to",
    "sav@example.fr",
    "--warehouse",
    "Entrepôt Lyon",
    "--warehouse-city",
    "Lyon",
    "--owner",
    "marie",
    "--owner-email",
    "marie@example.fr",
    "--owner-password",
    PASSWORD,
]


def setup(*args):
    out = io.StringIO()
    call_command("setup", *args, "--no-input", stdout=out)
    return out.getvalue()


def en_client(user=None) -> Client:
    client = Client()
    client.cookies["django_language"] = "en"
    if user is not None:
        client.force_login(user)
    return client


def test_setup_with_flags_creates_the_french_shop():
    setup(*FRENCH)
    shop = ShopSettings.get()
    assert (shop.shop_name, shop.country, shop.currency) == ("Boutique Lumière", "FR", "EUR")
    assert (shop.staff_language, shop.time_zone, shop.phone_region) == ("fr", "Europe/Paris", "FR")
    assert shop.set_up_at is not None and shop.setup_pending
    mail = NotificationSettings.get()
    assert (mail.customer_language, mail.sender_email, mail.reply_to) == (
        "fr",
        "boutique@example.fr",
        "sav@example.fr",
    )
    warehouse = Warehouse.objects.get()
    assert (warehouse.name, warehouse.city) == ("Entrepôt Lyon", "Lyon")
    owner = get_user_model().objects.get()
    assert owner.username == "marie" and owner.check_password(PASSWORD)
    assert owner.has_perm("orders.manage_settings")
    assert from_address().endswith(" <boutique@example.fr>")
    assert not Order.objects.exists()


def test_setup_asks_on_a_terminal(monkeypatch):
    """Without flags on a terminal: one question per value (Enter keeps the default shown)."""
    answers = iter(["Toko Kita", "", "", "", "", "", "", "", "", "Gudang Utama", "Bandung", "", ""])
    monkeypatch.setattr("sys.stdin.isatty", lambda: True)
    monkeypatch.setattr("builtins.input", lambda prompt: next(answers))
    monkeypatch.setattr("getpass.getpass", lambda prompt: PASSWORD)
    out = io.StringIO()
    call_command("setup", stdout=out)
    assert next(answers, None) is None  # every question asked
    shop = ShopSettings.get()
    assert (shop.shop_name, shop.currency) == ("Toko Kita", "IDR")
    assert shop_locale.time_zone() == "Asia/Jakarta"
    assert Warehouse.objects.get().city == "Bandung"
    assert get_user_model().objects.get().username == "owner"


def test_setup_refuses_a_second_time_and_changes_nothing():
    setup(*FRENCH)
    with pytest.raises(CommandError, match="already exists"):
        setup("--shop-name", "Autre", "--owner", "paul", "--owner-password", PASSWORD)
    assert ShopSettings.get().shop_name == "Boutique Lumière"
    assert list(get_user_model().objects.values_list("username", flat=True)) == ["marie"]


def test_setup_refuses_a_database_with_the_demo_or_users():
    make_user("owner")
    with pytest.raises(CommandError, match="already exists"):
        setup(*FRENCH)
    assert ShopSettings.get().set_up_at is None


@pytest.mark.parametrize(
    "args, error",
    [
        (["--owner", "marie", "--owner-password", "123"], "password"),
        (["--owner", "marie"], "needs a password"),
        (
            ["--owner", "marie", "--owner-password", PASSWORD, "--time-zone", "Mars/Olympus"],
            "time_zone",
        ),
        (["--owner", "marie", "--owner-password", PASSWORD, "--currency", "XXX"], "currency"),
    ],
)
def test_setup_refuses_bad_values_and_leaves_no_shop(args, error, monkeypatch):
    monkeypatch.delenv("TOKODESK_OWNER_PASSWORD", raising=False)
    with pytest.raises(CommandError, match=error):
        setup(*args)
    assert not get_user_model().objects.exists()
    assert ShopSettings.get().set_up_at is None


def test_setup_defaults_keep_the_environment(monkeypatch):
    monkeypatch.setenv("TOKODESK_OWNER_PASSWORD", PASSWORD)
    setup("--owner", "owner")
    shop = ShopSettings.get()
    assert shop.currency == "IDR"
    assert shop_locale.time_zone() == "Asia/Jakarta" and shop_locale.phone_region() == "ID"


def test_demo_is_skipped_for_no_demo_env_and_a_set_up_shop(monkeypatch):
    out = io.StringIO()
    call_command("demo", "--no-demo", stdout=out)
    assert "skipped" in out.getvalue()
    monkeypatch.setenv("TOKODESK_DEMO", "0")
    call_command("demo", stdout=out)
    monkeypatch.delenv("TOKODESK_DEMO")
    setup(*FRENCH)
    out = io.StringIO()
    call_command("demo", orders=30, stdout=out)
    assert "tokodesk setup" in out.getvalue()
    assert not Order.objects.exists() and get_user_model().objects.count() == 1


# -- the first-login page ----------------------------------------------------------------


def test_owner_is_sent_to_the_first_login_page_until_it_is_saved():
    setup("--shop-name", "Boutique", "--owner", "marie", "--owner-password", PASSWORD)
    owner = get_user_model().objects.get()
    client = en_client(owner)
    response = client.get("/orders/")
    assert response.status_code == 302 and response["Location"] == "/welcome/"
    # htmx fragments and the API are left alone.
    assert client.get("/orders/", HTTP_HX_REQUEST="true").status_code == 200
    page = client.get("/welcome/")
    assert page.status_code == 200
    html = page.content.decode()
    for name in (
        "shop_name",
        "country",
        "currency",
        "staff_language",
        "customer_language",
        "time_zone",
        "phone_region",
        "sender_email",
        "reply_to",
        "warehouse_name",
    ):
        assert f'name="{name}"' in html, name
    # Bad values: 200 with the field's error, nothing saved.
    bad = client.post(
        "/welcome/",
        {
            "shop_name": "",
            "currency": "EUR",
            "staff_language": "fr",
            "customer_language": "fr",
            "time_zone": "Europe/Paris",
            "phone_region": "ZZ",
        },
    )
    assert bad.status_code == 200 and ShopSettings.get().setup_pending
    assert bad.context["form"].errors.keys() >= {"shop_name", "phone_region"}
    done = client.post(
        "/welcome/",
        {
            "shop_name": "Boutique Lumière",
            "country": "FR",
            "currency": "EUR",
            "staff_language": "fr",
            "customer_language": "fr",
            "time_zone": "Europe/Paris",
            "phone_region": "fr",
            "sender_email": "boutique@example.fr",
            "reply_to": "",
            "warehouse_name": "Entrepôt Lyon",
            "warehouse_city": "Lyon",
        },
    )
    assert done.status_code == 302 and done["Location"] == "/orders/settings/"
    shop = ShopSettings.get()
    assert not shop.setup_pending
    assert (shop.shop_name, shop.currency, shop.time_zone, shop.phone_region) == (
        "Boutique Lumière",
        "EUR",
        "Europe/Paris",
        "FR",
    )
    assert Warehouse.objects.get().code == "entrepot-lyon"
    assert NotificationSettings.get().customer_language == "fr"
    assert client.get("/orders/").status_code == 200


def test_the_first_login_page_is_the_owners_only():
    setup("--owner", "marie", "--owner-password", PASSWORD)
    agent = make_user("agent")
    client = en_client(agent)
    assert client.get("/orders/").status_code == 200  # not sent to it
    assert client.get("/welcome/").status_code == 403


def test_staff_language_is_the_pages_language_without_a_cookie():
    owner = make_user("owner")
    shop_locale.shop_locale_update(actor=owner, changes={"staff_language": "fr"})
    client = Client()
    client.force_login(owner)
    response = client.get("/orders/", HTTP_ACCEPT_LANGUAGE="en")
    assert response["Content-Language"] == "fr"
    assert en_client(owner).get("/orders/")["Content-Language"] == "en"  # the user's choice wins
    login_page = Client().get("/accounts/login/", HTTP_ACCEPT_LANGUAGE="en")
    assert login_page["Content-Language"] == "fr"


# -- the settings page -------------------------------------------------------------------


def region_post(**changes):
    data = {
        "section": "region",
        "country": "ID",
        "currency": "IDR",
        "staff_language": "id",
        "time_zone": "Asia/Jakarta",
        "phone_region": "ID",
    }
    data.update(changes)
    return data


def test_settings_page_shows_the_region_and_e_mail_sections(owner):
    html = en_client(owner).get("/orders/settings/").content.decode()
    for key in ('id="region"', 'id="customer_email"', 'name="time_zone"', 'name="sender_email"'):
        assert key in html


def test_currency_changes_while_there_are_no_orders(owner):
    response = en_client(owner).post("/orders/settings/", region_post(currency="EUR"))
    assert response.status_code == 302
    assert ShopSettings.get().currency == "EUR"


def test_currency_is_refused_once_the_shop_has_orders(owner, shop):
    make_order(owner)
    response = en_client(owner).post(
        "/orders/settings/", region_post(currency="EUR", time_zone="Europe/Paris")
    )
    assert response.status_code == 200
    assert "already has orders" in response.content.decode()
    assert ShopSettings.get().currency == "IDR" and ShopSettings.get().time_zone == ""
    with pytest.raises(ValidationFailed) as exc:
        shop_locale.shop_locale_update(actor=owner, changes={"currency": "EUR"})
    assert set(exc.value.fields) == {"currency"}


def test_only_the_owner_changes_the_region(users):
    response = en_client(users["admin"]).post("/orders/settings/", region_post(time_zone="UTC"))
    assert response.status_code == 403
    assert ShopSettings.get().time_zone == ""


def test_e_mail_section_sets_sender_reply_to_and_customers_language(owner):
    response = en_client(owner).post(
        "/orders/settings/",
        {
            "section": "customer_email",
            "customer_language": "en",
            "sender_email": "shop@example.com",
            "reply_to": "help@example.com",
        },
    )
    assert response.status_code == 302
    row = NotificationSettings.get()
    assert (row.customer_language, row.sender_email, row.reply_to) == (
        "en",
        "shop@example.com",
        "help@example.com",
    )
    bad = en_client(owner).post(
        "/orders/settings/",
        {"section": "customer_email", "customer_language": "en", "sender_email": "not an address"},
    )
    assert bad.status_code == 200 and NotificationSettings.get().sender_email == "shop@example.com"


def test_the_time_zone_moves_today(owner):
    """UTC+14 and UTC−12 are always on different dates: the page's "today" follows the shop."""
    client = en_client(owner)
    seen = {}
    for zone, hours in (("Etc/GMT-14", 14), ("Etc/GMT+12", -12)):
        assert client.post("/orders/settings/", region_post(time_zone=zone)).status_code == 302
        response = client.get("/returns/calendar/")
        assert response.status_code == 200
        seen[zone] = response.context["today"]
        assert seen[zone] == (timezone.now() + dt.timedelta(hours=hours)).date()
    assert seen["Etc/GMT-14"] != seen["Etc/GMT+12"]


def test_the_worker_runs_in_the_shops_time_zone(owner):
    shop_locale.shop_locale_update(actor=owner, changes={"time_zone": "Etc/GMT-14"})
    with shop_locale.activated():
        assert timezone.localdate() == (timezone.now() + dt.timedelta(hours=14)).date()
    assert timezone.get_current_timezone_name() != "Etc/GMT-14"


def test_the_phone_region_reads_numbers_typed_without_a_plus(owner):
    assert normalize_phone("0812 3456 7890") == "+6281234567890"
    shop_locale.shop_locale_update(actor=owner, changes={"phone_region": "FR"})
    assert normalize_phone("06 12 34 56 78") == "+33612345678"
    with pytest.raises(ValidationFailed):
        shop_locale.shop_locale_update(actor=owner, changes={"phone_region": "XX"})


# -- the return-order role ---------------------------------------------------------------


def test_createuser_gives_the_return_order_role_which_lands_on_returns(db):
    call_command(
        "createuser", "rita", "--role", "return_order", "--password", PASSWORD, stdout=io.StringIO()
    )
    user = get_user_model().objects.get(username="rita")
    assert list(user.groups.values_list("name", flat=True)) == ["return_order"]
    client = Client()  # the shop's default language: no English assumed
    assert client.login(username="rita", password=PASSWORD)
    response = client.get("/", follow=True)
    assert response.redirect_chain[-1][0] == "/returns/"
    assert response.status_code == 200
    html = response.content.decode()
    assert 'href="/returns/"' in html and 'href="/orders/"' not in html
    login = Client()
    answer = login.post("/accounts/login/", {"username": "rita", "password": PASSWORD})
    assert answer.status_code == 302
    assert login.get(answer["Location"])["Location"] == "/returns/"
