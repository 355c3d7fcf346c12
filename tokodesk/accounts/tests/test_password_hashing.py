"""Passwords are hashed with Argon2id (Django's recommended hasher, tuned in
tokodesk/accounts/hashers.py); a user whose password was stored with PBKDF2 (every hash
before the switch) still logs in, and that login rewrites the hash as Argon2.

The suite's autouse fixture swaps in MD5 for speed; these tests put the real list back."""

import importlib

import pytest
from django.contrib.auth.hashers import PBKDF2PasswordHasher, identify_hasher, make_password
from django.test import Client

from conftest import make_user

PASSWORD = "pw-123456"


@pytest.fixture
def real_hashers(settings):
    project_settings = importlib.import_module("config.settings")
    settings.PASSWORD_HASHERS = list(project_settings.PASSWORD_HASHERS)
    return settings.PASSWORD_HASHERS


def test_argon2_is_the_first_hasher_with_the_tuned_parameters(real_hashers):
    assert real_hashers[0] == "tokodesk.accounts.hashers.TokodeskArgon2PasswordHasher"
    encoded = make_password(PASSWORD)
    assert encoded.startswith("argon2$argon2id$v=19$m=47104,t=1,p=1$"), encoded
    assert identify_hasher(encoded).algorithm == "argon2"


def test_a_pbkdf2_hash_is_upgraded_to_argon2_at_login(real_hashers, db):
    user = make_user("agent")
    user.password = PBKDF2PasswordHasher().encode(PASSWORD, PBKDF2PasswordHasher().salt())
    user.save(update_fields=["password"])
    assert user.password.startswith("pbkdf2_sha256$")

    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    response = client.post(
        "/accounts/login/",
        {"username": user.username, "password": PASSWORD},
        REMOTE_ADDR="203.0.113.9",
    )
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(user.pk)

    user.refresh_from_db()
    assert user.password.startswith("argon2$argon2id$"), user.password
    assert user.check_password(PASSWORD)


def test_a_wrong_password_leaves_the_old_hash(real_hashers, db):
    user = make_user("agent")
    old = PBKDF2PasswordHasher().encode(PASSWORD, PBKDF2PasswordHasher().salt())
    user.password = old
    user.save(update_fields=["password"])
    response = Client(HTTP_ACCEPT_LANGUAGE="en").post(
        "/accounts/login/",
        {"username": user.username, "password": "wrong"},
        REMOTE_ADDR="203.0.113.9",
    )
    assert response.status_code == 200
    user.refresh_from_db()
    assert user.password == old
