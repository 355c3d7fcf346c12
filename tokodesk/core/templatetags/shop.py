"""{% shop_profile as shop %}: the shop's profile (name, address lines, city, contacts,
has_logo) for the buyer's pages; read once per request (settings_read_once memo, else a query)."""

from django import template

from tokodesk.core import shop_profile as profile

register = template.Library()


@register.simple_tag
def shop_profile():
    return profile.profile()
