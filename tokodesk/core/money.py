"""Money is stored as integers in the currency's minor unit (IDR has none, EUR has cents)."""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

# ISO 4217 minor-unit exponents for the currencies our sellers use.
MINOR_UNITS = {
    "IDR": 0,
    "EUR": 2,
    "USD": 2,
    "SGD": 2,
    "MYR": 2,
    "GBP": 2,
    "JPY": 0,
    "PHP": 2,
    "THB": 2,
    "VND": 0,
}
CURRENCY_CHOICES = [(c, c) for c in MINOR_UNITS]


def exponent(currency: str) -> int:
    return MINOR_UNITS.get(currency.upper(), 2)


def to_major(amount: int, currency: str):
    """Minor units to a Decimal in major units (display and export)."""
    from decimal import Decimal

    return Decimal(amount).scaleb(-exponent(currency))


def format_money(amount: int, currency: str, lang: str | None = None) -> str:
    """Money for people, in the active language's CLDR conventions (core.l10n): "Rp 150.000"
    (id, IDR), "1 395,00 €" (fr, EUR), "€1,395.00" (en, EUR)."""
    from tokodesk.core.l10n import format_money as _format

    return _format(amount, currency, lang)


_GROUPED = re.compile(r"^\d{1,3}([.,]\d{3})+$")


def parse_money(raw, currency: str) -> int | None:
    """Major units as a seller types them ("18000", "18.000", "Rp 18.000", "12,50") to minor
    units; None when blank. Raises ValueError when it is not an amount (the forms of every
    app that takes money — manual order, catalog, rates, imports — read amounts through it)."""
    text = str(raw or "").strip().replace(" ", "").replace("\u00a0", "")
    for prefix in ("Rp", "rp", "RP", currency):
        if text.startswith(prefix):
            text = text[len(prefix) :]
    if not text:
        return None
    places = exponent(currency)
    if places == 0 and _GROUPED.match(text):
        text = text.replace(".", "").replace(",", "")  # 18.000 is eighteen thousand rupiah
    elif "," in text and "." not in text:
        text = text.replace(",", ".")  # 12,50 €
    try:
        value = Decimal(text)
    except InvalidOperation as exc:
        raise ValueError("not a number") from exc
    if not value.is_finite():
        raise ValueError("not a number")
    minor = value.scaleb(places)
    if minor != minor.to_integral_value():
        raise ValueError("too many decimals")
    return int(minor)


def major_text(amount: int | None, currency: str) -> str:
    """Minor units back to what a seller would type (no grouping); "" for None."""
    if amount is None:
        return ""
    places = exponent(currency)
    return f"{Decimal(amount).scaleb(-places):.{places}f}"
