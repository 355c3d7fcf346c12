"""Template helpers: money per currency, phone numbers, a mapping's item. (An order's status
badge is the orders app's: `{% load order_tags %}`.)"""

from django import template

from tokodesk.core.money import format_money
from tokodesk.core.phones import format_phone

register = template.Library()


@register.filter
def money(amount, currency="IDR"):
    if amount is None or amount == "":
        return ""
    return format_money(int(amount), currency or "IDR")


@register.filter
def phone_local(e164: str) -> str:
    """The one way pages show a phone number (core.phones.format_phone): 0812-3456-7890
    for the shop's country, +33 6 12 34 56 78 for any other."""
    return format_phone(e164)


@register.filter
def get_item(mapping, key):
    return mapping.get(key) if mapping else None
