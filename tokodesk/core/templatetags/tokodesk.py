"""Template helpers: money per currency, phone numbers, a mapping's item. (An order's status
badge is the orders app's: `{% load order_tags %}`.)"""

from django import template

from tokodesk.core.money import format_money

register = template.Library()


@register.filter
def money(amount, currency="IDR"):
    if amount is None or amount == "":
        return ""
    return format_money(int(amount), currency or "IDR")


@register.filter
def phone_local(e164: str) -> str:
    """+6281234567890 → 0812-3456-7890 style national format for the shop's region."""
    import phonenumbers

    try:
        number = phonenumbers.parse(e164, None)
    except phonenumbers.NumberParseException:
        return e164
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL)


@register.filter
def get_item(mapping, key):
    return mapping.get(key) if mapping else None
