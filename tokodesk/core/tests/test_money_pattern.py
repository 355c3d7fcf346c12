"""Issue 17: the landing page's script writes money as the server does. core.l10n.money_pattern
reads the parts of format_money's own text (prefix, suffix, group sign and sizes, decimals); a
Python copy of storefront.js's `money()` applied to those parts must give format_money's
string for every language, shop country, currency and amount (the browser test,
tests/browser/test_landing_money.py, runs the script itself)."""

from __future__ import annotations

import pytest
from django.utils import translation

from tokodesk.core import shop_locale
from tokodesk.core.l10n import format_money, money_pattern
from tokodesk.core.models import ShopSettings

AMOUNTS = (
    0,
    1,
    5,
    50,
    99,
    100,
    999,
    1000,
    1234,
    9999,
    75000,
    139500,
    1000000,
    123456789,
    10**15 + 7,
)
CURRENCIES = ("IDR", "EUR", "USD", "JPY", "SGD", "GBP")


def script_money(amount: int, fmt: dict) -> str:
    """storefront.js's money(), line for line."""
    n, shift = amount, fmt["decimals"] - fmt["exponent"]
    if shift > 0:
        n = n * 10**shift
    elif shift < 0:
        q = 10**-shift
        r, rest = divmod(n, q)
        if rest * 2 > q or (rest * 2 == q and r % 2 == 1):
            r += 1
        n = r
    digits = str(n).rjust(fmt["decimals"] + 1, "0")
    whole = digits[: -fmt["decimals"]] if fmt["decimals"] else digits
    fraction = fmt["decimal"] + digits[-fmt["decimals"] :] if fmt["decimals"] else ""
    if fmt["primary"] and len(whole) >= fmt["primary"] + fmt["min_group"]:
        grouped, whole = whole[-fmt["primary"] :], whole[: -fmt["primary"]]
        while len(whole) > fmt["secondary"]:
            grouped = whole[-fmt["secondary"] :] + fmt["group"] + grouped
            whole = whole[: -fmt["secondary"]]
        whole = whole + fmt["group"] + grouped if whole else grouped
    return fmt["prefix"] + whole + fraction + fmt["suffix"]


@pytest.mark.parametrize("country", ["ID", "FR", "US"])
@pytest.mark.parametrize("lang", ["id", "en", "fr"])
def test_the_script_writes_what_format_money_writes(lang, country):
    token = shop_locale._current.set(ShopSettings(country=country))
    try:
        with translation.override(lang):
            for currency in CURRENCIES:
                fmt = money_pattern(currency)
                for amount in AMOUNTS:
                    assert script_money(amount, fmt) == format_money(amount, currency), (
                        currency,
                        amount,
                        fmt,
                    )
    finally:
        shop_locale._current.reset(token)


def test_the_pattern_of_the_three_languages():
    token = shop_locale._current.set(ShopSettings(country="ID"))
    try:
        with translation.override("id"):
            assert script_money(75000, money_pattern("IDR")) == "Rp 75.000"
        with translation.override("fr"):
            fmt = money_pattern("EUR")
            assert (fmt["prefix"], fmt["suffix"], fmt["group"], fmt["decimal"]) == (
                "",
                "\u00a0€",
                "\u202f",
                ",",
            )
            assert script_money(139500, fmt) == "1\u202f395,00\u00a0€"
    finally:
        shop_locale._current.reset(token)


def test_the_landing_form_carries_the_pattern_of_the_page(shop):
    import html
    import json
    import re

    from django.test import Client

    from tokodesk.storefront.tests.test_landing import make_page

    page = make_page(shop)
    c = Client(HTTP_ACCEPT_LANGUAGE="fr")
    c.cookies["django_language"] = "fr"
    body = c.get(f"/p/{page.slug}/").content.decode()
    fmt = json.loads(html.unescape(re.search(r'data-money-format="([^"]*)"', body).group(1)))
    assert fmt["suffix"] == "\u00a0IDR" and fmt["group"] == "\u202f"
    price = re.search(r'data-price="(\d+)"', body).group(1)
    shown = html.unescape(re.search(r'class="sf-variant-price">([^<]*)<', body).group(1))
    assert script_money(int(price), fmt) == shown
