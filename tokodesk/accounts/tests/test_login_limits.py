"""Login limits (django-axes): the sixth wrong password for a username from one address is
refused with a lockout page in the user's language, even when the sixth try is the right
password; the admin login counts the same; another address or a quiet period lets the
user in again; passwords go through Django's validators."""

import datetime as dt

import pytest
import time_machine
from django.core.management import CommandError, call_command
from django.test import Client
from django.utils import translation

from conftest import make_user

WRONG = "not-the-password"
RIGHT = "pw-123456"


def _login(client, username, password, *, path="/accounts/login/", ip="203.0.113.7"):
    return client.post(path, {"username": username, "password": password}, REMOTE_ADDR=ip)


@pytest.fixture
def owner_user(db):
    return make_user("owner")


def test_sixth_wrong_password_locks_even_the_right_one(owner_user):
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    for _ in range(5):
        response = _login(client, "owner", WRONG)
        assert response.status_code == 200  # the form again, with its error
        assert "_auth_user_id" not in client.session
    locked = _login(client, "owner", WRONG)
    assert locked.status_code == 429
    right = _login(client, "owner", RIGHT)
    assert right.status_code == 429, "the right password must not get through a lockout"
    assert "_auth_user_id" not in client.session
    assert b"Too many wrong passwords" in right.content


def test_lockout_message_in_the_users_language(owner_user):
    client = Client(HTTP_ACCEPT_LANGUAGE="id")
    client.cookies["django_language"] = "id"
    for _ in range(6):
        response = _login(client, "owner", WRONG)
    assert response.status_code == 429
    assert "Terlalu banyak" in response.content.decode()


def test_admin_login_counts_and_locks(owner_user):
    client = Client()
    for _ in range(6):
        _login(client, "owner", WRONG, path="/admin/login/")
    response = _login(client, "owner", RIGHT, path="/admin/login/")
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session


def test_failures_of_the_page_and_the_admin_add_up(owner_user):
    client = Client()
    for _ in range(3):
        _login(client, "owner", WRONG)
    for _ in range(3):
        _login(client, "owner", WRONG, path="/admin/login/")
    assert _login(client, "owner", RIGHT).status_code == 429


def test_lock_is_per_username_and_address(owner_user):
    make_user("agent")
    client = Client()
    for _ in range(6):
        _login(client, "owner", WRONG, ip="203.0.113.7")
    # The same user from another address, and another user from the locked address, log in.
    other = Client()
    assert _login(other, "owner", RIGHT, ip="198.51.100.9").status_code == 302
    third = Client()
    assert _login(third, "agent", RIGHT, ip="203.0.113.7").status_code == 302


def test_lock_ends_after_the_cooloff(owner_user, settings):
    client = Client()
    with time_machine.travel(dt.datetime(2026, 12, 1, 10, 0, tzinfo=dt.UTC), tick=False):
        for _ in range(6):
            _login(client, "owner", WRONG)
        assert _login(client, "owner", RIGHT).status_code == 429
    later = dt.datetime(2026, 12, 1, 10, 0, tzinfo=dt.UTC) + settings.AXES_COOLOFF_TIME + dt.timedelta(minutes=1)
    with time_machine.travel(later, tick=False):
        assert _login(client, "owner", RIGHT).status_code == 302


def test_success_clears_the_count(owner_user):
    client = Client()
    for _ in range(5):
        _login(client, "owner", WRONG)
    assert _login(client, "owner", RIGHT).status_code == 302
    client.logout()
    for _ in range(5):
        assert _login(client, "owner", WRONG).status_code == 200
    assert _login(client, "owner", RIGHT).status_code == 302


def test_unknown_usernames_are_counted_too(db):
    client = Client()
    for _ in range(6):
        response = _login(client, "ghost", WRONG)
    assert response.status_code == 429


def test_createuser_applies_djangos_password_validators(db):
    with translation.override("en"), pytest.raises(CommandError, match="too short|too common|entirely numeric"):
        call_command("createuser", "kasir", "--role", "agent", "--password", "12345678")
    call_command("createuser", "kasir", "--role", "agent", "--password", "kopi-susu-gula-aren-77")


def test_the_owner_can_unlock_early(owner_user):
    client = Client()
    for _ in range(6):
        _login(client, "owner", WRONG)
    assert _login(client, "owner", RIGHT).status_code == 429
    call_command("axes_reset_username", "owner")
    assert _login(client, "owner", RIGHT).status_code == 302


@pytest.mark.parametrize("forged", ["not-an-ip", "1.2.3.4.5", "' OR 1=1 --"])
def test_a_forged_address_header_is_not_stored_as_an_address(owner_user, settings, forged):
    settings.TOKODESK_CLIENT_IP_HEADER = "HTTP_X_REAL_IP"
    client = Client()
    response = client.post("/accounts/login/", {"username": "owner", "password": WRONG},
                           REMOTE_ADDR="203.0.113.7", HTTP_X_REAL_IP=forged)
    assert response.status_code == 200


def test_force_login_and_a_request_without_address(owner_user):
    client = Client()
    client.force_login(owner_user)
    assert client.get("/orders/").status_code == 200
