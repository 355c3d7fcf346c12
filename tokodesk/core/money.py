"""Money is stored as integers in the currency's minor unit (IDR has none, EUR has cents)."""

from __future__ import annotations

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


def format_money(amount: int, currency: str) -> str:
    """Rp 150.000 for IDR; 12,50 € for EUR; plain otherwise."""
    exp = exponent(currency)
    major = to_major(amount, currency)
    sign = "-" if amount < 0 else ""
    whole, _, frac = f"{abs(major):.{exp}f}".partition(".")
    grouped = f"{int(whole):,}".replace(",", ".")
    if currency == "IDR":
        return f"{sign}Rp {grouped}"
    if currency == "EUR":
        return f"{sign}{grouped},{frac} €" if exp else f"{sign}{grouped} €"
    return f"{sign}{currency} {grouped}" + (f",{frac}" if exp else "")
