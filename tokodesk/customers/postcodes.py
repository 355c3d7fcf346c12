"""Postcodes of delivery addresses (issue 17: any shop, any country). Whether the postcode is
asked for, and its shape, follow the shop's country (core.shop_locale.country): a French shop
needs its five digits, an Indonesian one may leave it out (the district says where) but five
digits when given. Countries not listed take any short code of letters, digits, spaces and
dashes, optional."""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from tokodesk.core.errors import ValidationFailed

MAX_LENGTH = 12


@dataclass(frozen=True)
class PostcodeRule:
    required: bool
    pattern: str  # a full match, after the value is stripped and upper-cased
    example: str


RULES = {
    "FR": PostcodeRule(True, r"\d{5}", "75011"),
    "ID": PostcodeRule(False, r"\d{5}", "40131"),
    "DE": PostcodeRule(True, r"\d{5}", "10115"),
    "ES": PostcodeRule(True, r"\d{5}", "28013"),
    "IT": PostcodeRule(True, r"\d{5}", "00184"),
    "BE": PostcodeRule(True, r"\d{4}", "1000"),
    "CH": PostcodeRule(True, r"\d{4}", "1201"),
    "NL": PostcodeRule(True, r"\d{4} ?[A-Z]{2}", "1012 AB"),
    "MY": PostcodeRule(False, r"\d{5}", "50450"),
    "SG": PostcodeRule(True, r"\d{6}", "018956"),
    "US": PostcodeRule(True, r"\d{5}(-\d{4})?", "10001"),
    "GB": PostcodeRule(True, r"[A-Z]{1,2}\d[A-Z\d]? ?\d[A-Z]{2}", "SW1A 1AA"),
}
DEFAULT = PostcodeRule(False, r"[A-Z0-9][A-Z0-9 -]{1,10}", "")


def rule_for(country: str | None = None) -> PostcodeRule:
    """The rule of `country` (ISO code), else of the shop's country."""
    if country is None:
        from tokodesk.core.shop_locale import country as shop_country

        country = shop_country(request_only=False)
    return RULES.get((country or "").upper(), DEFAULT)


def clean_postcode(value, *, field: str = "postcode", country: str | None = None) -> str:
    """The postcode as stored ("75011", "1012 AB"), "" when none; 422 on `field` when the
    shop's country needs one and none is given, or when it has not that country's shape."""
    rule = rule_for(country)
    text = " ".join(str(value or "").split()).upper()
    if not text:
        if rule.required:
            raise ValidationFailed("invalid_input", _("The postcode is required."), fields={field: _("Required.")})
        return ""
    if len(text) > MAX_LENGTH or not re.fullmatch(rule.pattern, text):
        message = (_("Not a valid postcode (e.g. %(example)s).") % {"example": rule.example} if rule.example
                   else _("Not a valid postcode."))
        raise ValidationFailed("invalid_input", message, fields={field: message})
    return text


def checked_postcode(value, *, field: str, errors: dict, current: str | None = None) -> str:
    """clean_postcode gathering its refusal into `errors`; with `current` (an edit), an
    unchanged value is kept as it is, unchecked (an older order without one stays editable)."""
    if current is not None and " ".join(str(value or "").split()).upper() == current:
        return current
    try:
        return clean_postcode(value, field=field)
    except ValidationFailed as exc:
        errors.update(exc.fields)
        return current or ""
