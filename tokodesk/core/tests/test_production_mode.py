"""TOKODESK_HTTPS=1 is the production switch behind a TLS proxy: `tokodesk check --deploy`
is clean with it (and is not without it), http is redirected to https, HSTS is sent,
the session and CSRF cookies are Secure, and the proxy's X-Forwarded-Proto is trusted.

Settings are read once at start, so each case runs the real `tokodesk` command in a
subprocess with its own environment and data directory."""

import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]
TOKODESK = [sys.executable, "-m", "django"]


def _env(tmp_path, **extra):
    # DJANGO_ALLOW_ASYNC_UNSAFE: set for the whole test process by tests/browser/conftest.py
    # (Playwright's loop), it is an error of `check --deploy` in a real deployment.
    dropped = ("DATABASE_URL", "DEBUG", "SECRET_KEY", "DJANGO_ALLOW_ASYNC_UNSAFE")
    env = {k: v for k, v in os.environ.items() if k not in dropped}
    env.update(DJANGO_SETTINGS_MODULE="config.settings", TOKODESK_DATA_DIR=str(tmp_path),
               SECRET_KEY=secrets.token_urlsafe(50), PYTHONPATH=str(ROOT), **extra)
    return env


def _run(args, env, stdin=None):
    return subprocess.run([*TOKODESK, *args], cwd=ROOT, env=env, input=stdin, capture_output=True,
                          text=True, timeout=120)


def test_check_deploy_is_clean_in_https_mode(tmp_path):
    result = _run(["check", "--deploy", "--fail-level", "WARNING"], _env(tmp_path, TOKODESK_HTTPS="1"))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_check_deploy_warns_without_it(tmp_path):
    result = _run(["check", "--deploy", "--fail-level", "WARNING"], _env(tmp_path))
    assert result.returncode != 0
    assert "security.W012" in result.stderr + result.stdout  # SESSION_COOKIE_SECURE


SCRIPT = r"""
from django.test import Client
c = Client()
plain = c.get("/accounts/login/")
print("@@" + "plain", plain.status_code, plain.get("Location", ""))
secure = c.get("/accounts/login/", HTTP_X_FORWARDED_PROTO="https")
print("@@" + "secure", secure.status_code)
print("@@" + "hsts", secure.get("Strict-Transport-Security", ""))
print("@@" + "csp", "frame-ancestors 'none'" in secure.get("Content-Security-Policy", ""))
print("@@" + "csrf-cookie-secure", bool(secure.cookies["csrftoken"]["secure"]))
"""


@pytest.mark.parametrize("https", ["1", ""])
def test_https_mode_on_the_wire(tmp_path, https):
    env = _env(tmp_path, TOKODESK_HTTPS=https, ALLOWED_HOSTS="testserver")
    migrated = _run(["migrate", "--no-input", "-v", "0"], env)
    assert migrated.returncode == 0, migrated.stderr
    result = _run(["shell", "-c", SCRIPT], env)
    assert result.returncode == 0, result.stderr
    lines = dict(line[2:].split(" ", 1) for line in result.stdout.splitlines() if line.startswith("@@"))
    assert lines["csp"] == "True"
    if https:
        assert lines["plain"].startswith("301 https://testserver/accounts/login/")
        assert lines["secure"] == "200"
        assert lines["hsts"].startswith("max-age=31536000") and "includeSubDomains" in lines["hsts"]
        assert lines["csrf-cookie-secure"] == "True"
    else:
        assert lines["plain"].startswith("200")
        assert lines["hsts"] == ""
        assert lines["csrf-cookie-secure"] == "False"
