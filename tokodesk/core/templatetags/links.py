"""Stored URLs in templates (core.links): `{{ url|safe_url }}` is the URL or "", and
`{% external_link url text %}` draws `<a target="_blank" rel="noopener noreferrer">` only
for an http(s) URL; any other value is shown as plain text, never as a clickable link."""

from django import template
from django.utils.html import format_html

from tokodesk.core.links import safe_url as _safe_url

register = template.Library()


@register.filter
def safe_url(value) -> str:
    return _safe_url(value)


@register.simple_tag
def external_link(url, text=None, css_class="", new_tab=True):
    href = _safe_url(url)
    label = url if text is None or text == "" else text
    if not href:
        return format_html('<span class="unsafe-link" data-unsafe-link>{}</span>', label)
    if new_tab:
        return format_html('<a href="{}" class="{}" target="_blank" rel="noopener noreferrer">{}</a>',
                           href, css_class, label)
    return format_html('<a href="{}" class="{}" rel="noopener noreferrer">{}</a>', href, css_class, label)
