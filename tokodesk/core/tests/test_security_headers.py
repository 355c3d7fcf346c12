"""Headers and CSRF every page and API call carries: the Content-Security-Policy (scripts
and styles from our origin, no plugins, no <base>, no framing), nosniff, no framing,
and CSRF on every form and on the API when it is called with the page's session."""

import json

import pytest
from django.test import Client

from conftest import make_user

REQUIRED = ("default-src 'self'", "object-src 'none'", "base-uri 'none'", "frame-ancestors 'none'",
            "form-action 'self'")


def _policy(response) -> dict[str, str]:
    header = response.get("Content-Security-Policy", "")
    return {part.strip().split(" ", 1)[0]: part.strip() for part in header.split(";") if part.strip()}


@pytest.mark.parametrize("path", ["/accounts/login/", "/orders/", "/returns/", "/api/v1/orders"])
def test_every_answer_has_the_policy(db, path):
    client = Client()
    if path != "/accounts/login/":
        client.force_login(make_user("owner"))
    response = client.get(path)
    assert response.status_code == 200
    header = response["Content-Security-Policy"]
    for directive in REQUIRED:
        assert directive in header
    policy = _policy(response)
    for kind in ("script-src", "style-src"):
        sources = policy[kind].split()[1:]
        assert "'unsafe-inline'" not in sources and "'unsafe-eval'" not in sources
        assert all(s == "'self'" or s.startswith("'nonce-") for s in sources), sources
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["X-Frame-Options"] == "DENY"


def test_page_forms_need_the_csrf_token(db):
    client = Client(enforce_csrf_checks=True)
    client.force_login(make_user("owner"))
    assert client.post("/orders/columns/", {"columns": ["reference"]}).status_code == 403


def test_api_with_the_page_session_needs_the_csrf_token(db, shop):
    client = Client(enforce_csrf_checks=True)
    client.force_login(make_user("owner"))
    body = json.dumps({"name": "x"})
    response = client.post("/api/v1/orders", body, content_type="application/json")
    assert response.status_code in (401, 403)
    assert response["Content-Type"].startswith("application/json")
