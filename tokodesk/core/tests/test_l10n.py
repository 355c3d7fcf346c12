"""Local conventions from CLDR through Babel (core.l10n, issue 17): money, numbers, dates and
times per language, CLDR's own characters asserted (U+202F narrow no-break space groups French
digits, U+00A0 sits before "€"); the one override is Indonesian rupiah ("Rp 150.000")."""

import datetime as dt
import re
from contextlib import contextmanager
from pathlib import Path

import pytest
from django.template import Context, Template
from django.utils import timezone, translation

import tokodesk
from tokodesk.core import l10n, shop_locale
from tokodesk.core.models import ShopSettings
from tokodesk.core.money import format_money

NNBSP, NBSP = "\u202f", "\u00a0"
MOMENT = dt.datetime(2026, 12, 4, 17, 30, tzinfo=dt.UTC)  # 18:30 in Paris, 00:30 the 5th in Jakarta


@contextmanager
def shop_in(country):
    """The request's (or worker's) shop row, as ShopLocaleMiddleware / activated() set it."""
    token = shop_locale._current.set(ShopSettings(country=country))
    try:
        yield
    finally:
        shop_locale._current.reset(token)


@pytest.mark.parametrize(
    ("country", "lang", "locale", "idr", "eur", "eur_negative", "sgd"),
    [
        ("ID", "id", "id_ID", "Rp 150.000", "€1.395,00", "-€12,50", f"SGD{NBSP}1.500,00"),
        ("ID", "en", "en_ID", "Rp 150.000", "€1.395,00", "-€12,50", f"SGD{NBSP}1.500,00"),
        ("ID", "fr", "fr", f"150{NNBSP}000{NBSP}IDR", f"1{NNBSP}395,00{NBSP}€", f"-12,50{NBSP}€", f"1{NNBSP}500,00{NBSP}$SG"),
        ("FR", "fr", "fr_FR", f"150{NNBSP}000{NBSP}IDR", f"1{NNBSP}395,00{NBSP}€", f"-12,50{NBSP}€", f"1{NNBSP}500,00{NBSP}$SG"),
        ("FR", "en", "en_FR", f"150{NNBSP}000{NBSP}IDR", f"1{NNBSP}395,00{NBSP}€", f"-12,50{NBSP}€", f"1{NNBSP}500,00{NBSP}SGD"),
        ("US", "en", "en_US", f"IDR{NBSP}150,000", "€1,395.00", "-€12.50", f"SGD{NBSP}1,500.00"),
    ],
)
def test_money_per_locale_in_the_shop_s_country(country, lang, locale, idr, eur, eur_negative, sgd):
    """The language in the shop's country when CLDR has that variant (English in Indonesia
    groups with dots, English in France like French), else the language alone."""
    with shop_in(country), translation.override(lang):
        assert str(l10n.locale()) == locale
        assert format_money(150000, "IDR") == idr
        assert format_money(139500, "EUR") == eur
        assert format_money(-1250, "EUR") == eur_negative
        assert format_money(150000, "SGD") == sgd
        assert l10n.format_money(139500, "EUR", lang) == eur  # an explicit language wins


def test_without_a_shop_row_the_environment_s_region():
    with translation.override("en"):
        assert str(l10n.locale()) == "en_ID"


def test_rupiah_in_indonesian_is_the_documented_override():
    """No decimals (CLDR cash digits 0), a plain space after "Rp", dots between thousands."""
    with shop_in("ID"), translation.override("id"):
        assert format_money(0, "IDR") == "Rp 0"
        assert format_money(-150000, "IDR") == "-Rp 150.000"
        assert format_money(1234567890, "idr") == "Rp 1.234.567.890"
    assert set(l10n.MONEY_PATTERNS) == {("id", "IDR"), ("en_ID", "IDR")}


@pytest.mark.parametrize(
    ("country", "lang", "plain", "two"),
    [
        ("ID", "id", "1.234.567,5", "2,00"),
        ("US", "en", "1,234,567.5", "2.00"),
        ("FR", "fr", f"1{NNBSP}234{NNBSP}567,5", "2,00"),
    ],
)
def test_numbers_per_locale(country, lang, plain, two):
    with shop_in(country), translation.override(lang):
        assert l10n.format_number(1234567.5) == plain
        assert l10n.format_number(2, decimals=2) == two
        assert l10n.format_number(None) == ""


@pytest.mark.parametrize(
    ("country", "lang", "zone", "date", "long", "time", "both"),
    [
        ("ID", "id", "Asia/Jakarta", "5 Des 2026", "5 Desember 2026", "00.30", "5 Des 2026 00.30"),
        ("ID", "en", "Asia/Jakarta", "5 Dec 2026", "5 December 2026", "00.30", "5 Dec 2026, 00.30"),
        ("US", "en", "Europe/Paris", "Dec 4, 2026", "December 4, 2026", f"6:30{NNBSP}PM", f"Dec 4, 2026, 6:30{NNBSP}PM"),
        ("FR", "fr", "Europe/Paris", "4 déc. 2026", "4 décembre 2026", "18:30", "4 déc. 2026, 18:30"),
    ],
)
def test_dates_and_times_per_locale_in_the_active_time_zone(country, lang, zone, date, long, time, both):
    with shop_in(country), translation.override(lang), timezone.override(zone):
        assert l10n.format_date(MOMENT) == date
        assert l10n.format_date(MOMENT, width="long") == long
        assert l10n.format_time(MOMENT) == time
        assert l10n.format_datetime(MOMENT) == both
        assert l10n.format_date(dt.date(2026, 12, 4), width="long").endswith("2026")
        assert l10n.format_date(None) == ""


def test_french_months_are_cldr_abbreviations():
    with shop_in("FR"), translation.override("fr"):
        months = [l10n.format_date(dt.date(2026, m, 1)) for m in range(1, 13)]
    assert [m.split(" ")[1] for m in months] == [
        "janv.", "févr.", "mars", "avr.", "mai", "juin", "juil.", "août", "sept.", "oct.", "nov.", "déc.",
    ]


@pytest.mark.parametrize("lang", ["id", "en", "fr"])
def test_template_filters_are_the_module(lang):
    template = Template(
        "{% load tokodesk %}{{ a|money:'EUR' }}|{{ n|number }}|{{ n|number:2 }}|{{ m|local_date }}|"
        "{{ m|local_date:'long' }}|{{ m|local_datetime }}|{{ m|local_time }}"
    )
    with shop_in("FR"), translation.override(lang), timezone.override("Europe/Paris"):
        out = template.render(Context({"a": 139500, "n": 1234.5, "m": MOMENT}))
        assert out.split("|") == [
            l10n.format_money(139500, "EUR"),
            l10n.format_number(1234.5),
            l10n.format_number(1234.5, decimals=2),
            l10n.format_date(MOMENT),
            l10n.format_date(MOMENT, width="long"),
            l10n.format_datetime(MOMENT),
            l10n.format_time(MOMENT),
        ]
    if lang == "fr":
        assert out.startswith(f"1{NNBSP}395,00{NBSP}€|1{NNBSP}234,5|1{NNBSP}234,50|4 déc. 2026|")


def test_an_unknown_language_falls_back_to_the_default():
    with shop_in("ID"):
        assert l10n.format_money(150000, "IDR", "xx-unknown") == "Rp 150.000"


ROOT = Path(tokodesk.__file__).parent
SHORT = re.compile(r"SHORT_DATE(TIME)?_FORMAT")


def test_short_dates_have_one_path():
    """Pages, PDFs and e-mails write short dates through core.l10n (local_date /
    local_datetime), not Django's SHORT_*_FORMAT, whose French "N" gives "jan."/"fév."
    where CLDR writes "janv."/"févr.": one path, so a date reads the same everywhere."""
    found = []
    for path in sorted(ROOT.rglob("*")):
        if path.suffix not in (".html", ".txt", ".py") or {"tests", "formats"} & set(path.parts):
            continue
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if SHORT.search(line):
                found.append(f"{path.relative_to(ROOT)}:{number}: {line.strip()}")
    assert not found, "\n".join(found)
