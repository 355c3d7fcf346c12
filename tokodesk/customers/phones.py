"""Phone numbers: what buyers type (08123…, +62 812-…, 62812…) normalized to E.164."""

import phonenumbers
from django.utils.translation import gettext_lazy as _

from tokodesk.core import shop_locale
from tokodesk.core.errors import ValidationFailed


def normalize_phone(raw: str, *, field: str = "phone", region: str | None = None) -> str:
    raw = (raw or "").strip()
    if not raw:
        raise ValidationFailed("invalid_phone", _("A phone number is required."), fields={field: _("Required.")})
    if len(raw) > 32:
        raise ValidationFailed("invalid_phone", _("This phone number is too long."), fields={field: _("Too long.")})
    region = region or shop_locale.phone_region()
    try:
        number = phonenumbers.parse(raw, region)
    except phonenumbers.NumberParseException:
        number = None
    if number is None or not phonenumbers.is_valid_number(number):
        raise ValidationFailed(
            "invalid_phone",
            _("“%(phone)s” is not a valid phone number.") % {"phone": raw},
            fields={field: _("Not a valid phone number.")},
        )
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def phone_search_key(raw: str) -> str | None:
    """The E.164 form of a search string that looks like a phone number, else None."""
    digits = "".join(ch for ch in raw if ch.isdigit())
    if len(digits) < 6 or len(digits) > 16:
        return None
    try:
        number = phonenumbers.parse(raw, shop_locale.phone_region())
    except phonenumbers.NumberParseException:
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
