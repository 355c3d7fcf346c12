"""Local conventions from CLDR through Babel (issue 17): money, numbers, dates and times in the
active language's way of writing them. The one place that formats them for people; every page,
e-mail, slip, WhatsApp text and ICS entry goes through it (`core.money.format_money` is this
module's `format_money`; templates use the `money`, `number`, `local_date`, `local_datetime`
and `local_time` filters of `{% load tokodesk %}`).

The locale is the active Django language in the shop's country (CLDR's regional variant when it
has one: en_ID, en_FR, fr_FR, id_ID): on staff pages the user's language, on a customer's
artifact the customer's (the caller wraps it in `translation.override(order.language)`), in the
worker whatever it activates. A `lang` argument overrides the language. The country is the
request's or worker's shop row (core.shop_locale.country), never an extra query.

CLDR is kept character for character: French groups with U+202F (narrow no-break space) and
puts U+00A0 before "€" ("1 395,00 €"); dates are CLDR's "medium" ("4 déc. 2026").

One documented override on top of CLDR: rupiah in Indonesian (and English in Indonesia) is
written "Rp 150.000" (a space, no decimals), how Indonesian sellers, marketplaces and the help
pages write it; CLDR gives "Rp150.000". Any other locale and currency is pure CLDR, plus CLDR's currency spacing
(a no-break space between a letter code and its digits, "IDR 150,000"), which Babel leaves out.

Machine-readable exports keep their documented formats (tokodesk/exports/README.md) and do not
use this module."""

from __future__ import annotations

import datetime as dt
import decimal
import re
from decimal import Decimal
from functools import lru_cache

from babel import Locale, UnknownLocaleError, localedata
from babel import dates as babel_dates
from babel import numbers as babel_numbers
from django.conf import settings
from django.utils import timezone, translation

# (locale, currency) → CLDR number pattern replacing the locale's currency pattern; the locale
# is looked up as "id_ID", then its language "id".
MONEY_PATTERNS: dict[tuple[str, str], str] = {
    ("id", "IDR"): "¤ #,##0",
    ("en_ID", "IDR"): "¤ #,##0",
}
NBSP = "\u00a0"
_LETTER_THEN_DIGIT = re.compile(r"(?<=[^\W\d_])(?=\d)")
_DIGIT_THEN_LETTER = re.compile(r"(?<=\d)(?=[^\W\d_])")


@lru_cache(maxsize=64)
def _locale(code: str, region: str) -> Locale:
    """The language in the shop's country when CLDR has it (en_ID writes "4 Dec 2026" and
    "18.30", en_FR "1 395,00 €"), else the language, else the default language."""
    base = code.replace("-", "_")
    for candidate in (f"{base.split('_')[0]}_{region}", base, settings.LANGUAGE_CODE):
        if localedata.exists(candidate):
            try:
                return Locale.parse(candidate)
            except (UnknownLocaleError, ValueError):
                continue
    return Locale.parse("en")


def valid_locale(value: str | None) -> str | None:
    """One of the languages we speak from what a request or a record says: "fr", "fr-FR",
    "fr_FR" → "fr"; anything we do not speak → None."""
    code = (value or "").strip().lower().replace("_", "-").split("-")[0]
    return code if code in {c for c, _name in settings.LANGUAGES} else None


def colon(lang: str | None = None) -> str:
    """":" after a label, with the no-break space French typography puts before it."""
    return NBSP + ":" if language(lang).split("-")[0] == "fr" else ":"


def language(lang: str | None = None) -> str:
    """The language code formats follow: `lang`, else the active language, else the default."""
    return (lang or translation.get_language() or settings.LANGUAGE_CODE).lower()


def locale(lang: str | None = None) -> Locale:
    """CLDR locale of `lang` (or the active language) in the shop's country."""
    from tokodesk.core import shop_locale

    return _locale(language(lang), shop_locale.country())


def format_money(amount: int, currency: str, lang: str | None = None) -> str:
    """Minor units (how money is stored) in the locale's way: "Rp 150.000" (id, IDR),
    "1 395,00 €" (fr, EUR), "€1,395.00" (en, EUR)."""
    from tokodesk.core.money import to_major

    currency = (currency or "IDR").upper()
    major = to_major(int(amount), currency)
    loc = locale(lang)
    pattern = MONEY_PATTERNS.get((str(loc), currency)) or MONEY_PATTERNS.get(
        (loc.language, currency)
    )
    with decimal.localcontext() as context:  # any integer the database holds, however long
        context.prec = max(context.prec, len(str(abs(int(amount)))) + 4)
        text = babel_numbers.format_currency(
            major, currency, format=pattern, locale=loc, currency_digits=True
        )
    if pattern is None and any(
        c.isalpha() for c in babel_numbers.get_currency_symbol(currency, loc)
    ):
        # CLDR currencySpacing: a letter symbol ("IDR", "SGD") is kept off its digits.
        text = _DIGIT_THEN_LETTER.sub(NBSP, _LETTER_THEN_DIGIT.sub(NBSP, text))
    return text


_SAMPLE_DIGITS = "1234567"


@lru_cache(maxsize=256)
def _money_pattern(code: str, region: str, currency: str) -> dict:
    from tokodesk.core.money import exponent

    def parts(major: str) -> tuple[str, list[str], list[str], str]:
        text = format_money(int(major) * 10 ** exponent(currency), currency, code)
        digits = [i for i, c in enumerate(text) if c.isdigit()]
        runs = re.findall(r"\d+|\D+", text[digits[0] : digits[-1] + 1])
        return text[: digits[0]], runs[0::2], runs[1::2], text[digits[-1] + 1 :]

    prefix, numbers, separators, suffix = parts(_SAMPLE_DIGITS)
    decimals, decimal_sign = 0, ""
    if "".join(numbers) != _SAMPLE_DIGITS:  # fraction digits shown ("1.234.567,00")
        decimals, decimal_sign = len(numbers.pop()), separators.pop()
    if "".join(numbers) != _SAMPLE_DIGITS or len(set(separators)) > 1:
        raise ValueError(f"unexpected money format for {code}_{region} {currency}")
    primary = len(numbers[-1]) if len(numbers) > 1 else 0
    secondary = len(numbers[-2]) if len(numbers) > 2 else primary
    # CLDR's minimumGroupingDigits: some locales write "1234 €" but "12 345 €".
    four = parts(_SAMPLE_DIGITS[:4])[1]
    return {
        "prefix": prefix, "suffix": suffix, "group": separators[0] if separators else "",
        "primary": primary, "secondary": secondary, "min_group": 1 if len(four) > 1 else 2,
        "decimal": decimal_sign, "decimals": decimals, "exponent": exponent(currency),
    }


def money_pattern(currency: str, lang: str | None = None) -> dict:
    """How `format_money` writes `currency` in the active language, as parts a browser script
    applies to any amount (the landing page's totals, storefront.js): the text before and
    after the digits, the group sign and sizes, the decimal sign and digits, and the
    currency's minor-unit exponent (amounts are sent in minor units). Read from what
    format_money writes for a sample, so the script writes the very same string as the page."""
    from tokodesk.core import shop_locale

    # The country is part of the key: format_money reads the same one (en_ID, en_FR …).
    return _money_pattern(language(lang), shop_locale.country(), (currency or "IDR").upper())


def format_number(value, lang: str | None = None, decimals: int | None = None) -> str:
    """A quantity or rate with the locale's separators: 1.234,5 (id), 1,234.5 (en),
    1 234,5 (fr). `decimals` fixes the number of fraction digits."""
    if value is None or value == "":
        return ""
    if decimals is not None:
        fmt = "#,##0" + ("." + "0" * decimals if decimals else "")
        return babel_numbers.format_decimal(
            Decimal(str(value)), format=fmt, locale=locale(lang), decimal_quantization=True
        )
    return babel_numbers.format_decimal(Decimal(str(value)), locale=locale(lang))


def _local(value):
    """An aware datetime in the shop's active time zone (ShopLocaleMiddleware or the worker
    activates it); naive ones are taken as they are."""
    if isinstance(value, dt.datetime) and timezone.is_aware(value):
        return timezone.localtime(value)
    return value


def format_date(value, lang: str | None = None, width: str = "medium") -> str:
    """ "4 Des 2026" (id), "Dec 4, 2026" (en), "4 déc. 2026" (fr); width long → "4 décembre 2026"."""
    if value in (None, ""):
        return ""
    value = _local(value)
    if isinstance(value, dt.datetime):
        value = value.date()
    return babel_dates.format_date(value, format=width, locale=locale(lang))


def format_time(value, lang: str | None = None) -> str:
    """The locale's short time: "18.30" (id), "6:30 PM" (en), "18:30" (fr)."""
    if value in (None, ""):
        return ""
    value = _local(value)
    if isinstance(value, dt.datetime):
        value = value.timetz().replace(tzinfo=None)
    return babel_dates.format_time(value, format="short", locale=locale(lang))


def format_datetime(value, lang: str | None = None) -> str:
    """The locale's medium date and short time joined its way: "4 déc. 2026, 18:30" (fr),
    "Dec 4, 2026, 6:30 PM" (en), "4 Des 2026, 18.30" (id)."""
    if value in (None, ""):
        return ""
    value = _local(value)
    loc = locale(lang)
    joiner = str(loc.datetime_formats["medium"])
    return joiner.replace("{1}", format_date(value, lang)).replace("{0}", format_time(value, lang))
