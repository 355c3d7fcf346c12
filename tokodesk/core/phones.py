"""How a phone number is shown, on every page and in every export: the national format for
the shop's own country (its phone region, core.shop_locale) (0812-3456-7890, what Indonesian buyers and couriers write), the
international one for any other (+33 6 12 34 56 78), so a foreign number never loses its
country code. Numbers are stored in E.164 (customers.phones.normalize_phone)."""

from __future__ import annotations

import functools

import phonenumbers

from tokodesk.core import shop_locale


@functools.lru_cache(maxsize=8192)
def _format(value: str, region: str) -> str:
    try:
        number = phonenumbers.parse(value, region)
    except phonenumbers.NumberParseException:
        return value
    if not phonenumbers.is_possible_number(number):
        return value
    home = number.country_code == phonenumbers.country_code_for_region(region)
    style = (
        phonenumbers.PhoneNumberFormat.NATIONAL
        if home
        else phonenumbers.PhoneNumberFormat.INTERNATIONAL
    )
    return phonenumbers.format_number(number, style)


def format_phone(value: str | None) -> str:
    """A stored phone number as people read it; anything that is not a number unchanged."""
    if not value:
        return ""
    return _format(str(value), shop_locale.phone_region(request_only=True))
