"""The 403, 404 and 500 pages (DEBUG off): in the user's language and the app's layout;
the favicon at the site's root; French month abbreviations in lower case."""

import datetime as dt

import pytest
from django.test import Client, RequestFactory
from django.utils import translation
from django.utils.translation import gettext
from django.views import defaults

from tokodesk.orders.tests.factories import make_order

LANGS = [("id", "Pesanan"), ("en", "Orders")]


def client_in(lang, user=None):
    c = Client(HTTP_ACCEPT_LANGUAGE=lang)
    if user is not None:
        c.force_login(user)
    return c


@pytest.fixture(autouse=True)
def _production(settings):
    settings.DEBUG = False


@pytest.mark.parametrize(("lang", "nav"), LANGS)
def test_404_in_the_user_s_language_and_layout(users, lang, nav):
    response = client_in(lang, users["owner"]).get("/no-such-page/")
    html = response.content.decode()
    assert response.status_code == 404
    assert f'<html lang="{lang}">' in html
    assert 'class="topbar"' in html and f">{nav}</a>" in html  # the app's top bar, translated
    with translation.override(lang):
        title = gettext("Page not found")
        back = gettext("Back to orders")
    assert f"<h1>{title}</h1>" in html and back in html
    assert "Not Found</h1>" not in html  # Django's bare page


def test_404_pages_differ_by_language(users):
    """Needs the catalogs' entries for the new strings (the lead's `make messages`)."""
    pages = {
        lang: client_in(lang, users["owner"]).get("/orders/NO-SUCH/").content.decode()
        for lang, _ in LANGS
    }
    assert "<h1>Page not found</h1>" in pages["en"]
    assert "<h1>Page not found</h1>" not in pages["id"]


def test_404_for_a_visitor_has_no_team_links(db):
    html = client_in("id").get("/no-such-page/").content.decode()
    assert 'data-error="404"' in html and 'class="topbar"' not in html and "/orders/" not in html


@pytest.mark.parametrize(("lang", "nav"), LANGS)
def test_403_in_the_user_s_language_and_layout(users, lang, nav):
    response = client_in(lang, users["viewer"]).get("/orders/settings/")
    html = response.content.decode()
    assert response.status_code == 403
    assert f'<html lang="{lang}">' in html and f">{nav}</a>" in html
    with translation.override(lang):
        assert f"<h1>{gettext('Access denied')}</h1>" in html
    assert "403 Forbidden</h1>" not in html


@pytest.mark.parametrize("lang", ["id", "en"])
def test_500_is_a_plain_page_in_the_language(lang):
    request = RequestFactory().get("/orders/")
    with translation.override(lang):
        response = defaults.server_error(request)
        text = gettext("Something went wrong on our side. Try again later.")
    html = response.content.decode()
    assert response.status_code == 500
    assert f'<html lang="{lang}">' in html and text in html and 'data-error="500"' in html
    assert "topbar" not in html  # no user, no database: nothing that could fail again


def test_api_errors_stay_json(users):
    response = client_in("id", users["owner"]).get("/api/v1/no-such-endpoint")
    assert response.status_code == 404 and response["Content-Type"].startswith("application/json")


def test_favicon_at_the_root_and_linked(users):
    c = client_in("id", users["owner"])
    ico = c.get("/favicon.ico")
    assert ico.status_code == 200
    body = b"".join(ico.streaming_content) if ico.streaming else ico.content
    assert body[:4] == b"\x00\x00\x01\x00"  # an ICO file
    assert ico["Content-Type"] in ("image/x-icon", "image/vnd.microsoft.icon")
    touch = c.get("/apple-touch-icon.png")
    assert touch.status_code == 200 and touch["Content-Type"] == "image/png"
    for page in (c.get("/orders/"), Client().get("/accounts/login/")):
        html = page.content.decode()
        assert '<link rel="icon" href="/favicon.ico"' in html and 'rel="apple-touch-icon"' in html


@pytest.mark.parametrize(
    ("lang", "expected"),
    [
        ("fr", ["10 févr. 2026", "10 juil. 2026", "10 févr. 2026, 16:30"]),
        ("id", ["10 Feb 2026", "10 Jul 2026", "10 Feb 2026 16.30"]),
        ("en", ["10 Feb 2026", "10 Jul 2026", "10 Feb 2026, 16.30"]),  # English in Indonesia (en_ID)
    ],
)
def test_month_abbreviations_in_the_language(shop, users, time_machine, lang, expected):
    """French abbreviates months in lower case as CLDR does ("févr.", "juil."); Django's "M" wrote "Fév"
    and cut both "juin" and "juillet" to "Jui"/"Jul"."""
    orders = []
    for month in (2, 7):
        time_machine.move_to(dt.datetime(2026, month, 10, 9, 30, tzinfo=dt.UTC), tick=False)
        orders.append(make_order(users["owner"]))
    c = client_in(lang, users["owner"])
    listing = c.get("/orders/", {"tab": "all"}).content.decode()
    detail = c.get(f"/orders/{orders[0].reference}/").content.decode()
    for text in expected[:2]:
        assert text in listing
    assert expected[2] in detail  # the order's creation, in Jakarta time (CLDR's short time)
    if lang == "fr":
        assert "Fév" not in listing + detail and "Jul " not in listing
