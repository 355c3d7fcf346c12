"""Template helpers: money, numbers, dates and times in the active language's CLDR conventions
(core.l10n: `money`, `number`, `local_date`, `local_datetime`, `local_time`; `money_pattern`
for a page's script), phone numbers, a mapping's item, the address labels of the shop's
country (`{% address_labels as addr %}`). (An order's status badge is the orders app's:
`{% load order_tags %}`.)"""

from django import template
from django.utils.safestring import mark_safe

from tokodesk.core import addresses, l10n
from tokodesk.core.money import format_money
from tokodesk.core.phones import format_phone

register = template.Library()


@register.filter
def money(amount, currency="IDR"):
    if amount is None or amount == "":
        return ""
    return format_money(int(amount), currency or "IDR")


@register.filter
def number(value, decimals=None):
    """1.234,5 (id), 1,234.5 (en), 1 234,5 (fr); `|number:2` fixes two decimals."""
    return l10n.format_number(value, decimals=None if decimals in (None, "") else int(decimals))


@register.filter
def local_date(value, width="medium"):
    """CLDR's medium date in the active language: "4 Des 2026", "Dec 4, 2026", "4 déc. 2026"
    (`|local_date:"long"`: "4 décembre 2026"), in the active time zone."""
    return l10n.format_date(value, width=width or "medium")


@register.filter
def local_datetime(value):
    """ "4 Des 2026 18.30", "Dec 4, 2026, 6:30 PM", "4 déc. 2026, 18:30"."""
    return l10n.format_datetime(value)


@register.filter
def local_time(value):
    return l10n.format_time(value)


@register.filter
def phone_local(e164: str) -> str:
    """The one way pages show a phone number (core.phones.format_phone): 0812-3456-7890
    for the shop's country, +33 6 12 34 56 78 for any other."""
    return format_phone(e164)


@register.filter
def get_item(mapping, key):
    return mapping.get(key) if mapping else None


@register.simple_tag
def colon():
    """The colon after a label in the active language: French puts a no-break space before
    it ("Justificatif : …"), the others none (`{% translate "Proof" %}{% colon %} …`)."""
    return mark_safe(l10n.colon())


@register.simple_tag
def address_labels():
    """`{% address_labels as addr %}`: {{ addr.district }}, {{ addr.city }}, … and
    addr.district_picker, as the shop's country calls them (core.addresses)."""
    return addresses.address_labels()


@register.simple_tag
def money_pattern(currency):
    """`data-money-format="{% money_pattern currency %}"`: how `money` writes this currency in the
    active language, as JSON for a page's script (core.l10n.money_pattern; storefront.js)."""
    import json

    return json.dumps(l10n.money_pattern(currency or "IDR"), ensure_ascii=False)
