"""`{{ file|quarantined }}`: the stored upload was quarantined (its content is not an
allowed type): the pages say so instead of linking to it."""

from django import template

from tokodesk.core.uploads import is_quarantined

register = template.Library()


@register.filter
def quarantined(file) -> bool:
    return bool(file) and is_quarantined(file)
