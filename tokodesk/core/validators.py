"""Checks of stored values shared by the API schemas, the models (admin, model forms) and
the services.

Stored URLs (a payment link, a courier's tracking address template, a landing page's
image, the notifications' site address) are drawn as links and sources for the owner and
for buyers: only an absolute http(s) address with a host is accepted. `javascript:`,
`data:`, `vbscript:`, relative or protocol-relative paths, and anything with a control
character, a space or a backslash (browsers drop tabs and newlines inside a URL, so
"java\\tscript:" would run, and read "\\" as "/") are refused. The same rules as
core.links.safe_url, which guards what is drawn, so everything accepted here is drawn.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from pydantic_core import PydanticCustomError

HTTP_SCHEMES = ("http", "https")


def is_http_url(value: str) -> bool:
    if not isinstance(value, str) or not value:
        return False
    if any(ord(ch) <= 32 or ord(ch) == 127 for ch in value) or "\\" in value:
        return False
    try:
        parts = urlsplit(value)
        host = parts.hostname
    except ValueError:
        return False
    return parts.scheme.lower() in HTTP_SCHEMES and bool(host)


def http_url_message() -> str:
    return _("Enter an address that starts with https:// or http://.")


def validate_http_url(value) -> None:
    """Django validator (models, forms): blank is allowed, anything else must be http(s)."""
    if value and not is_http_url(str(value).strip()):
        raise ValidationError(http_url_message(), code="invalid_url")


def pydantic_http_url(value):
    """Pydantic field validator (after): "" or an http(s) URL."""
    if value and not is_http_url(value.strip()):
        raise PydanticCustomError("http_url", http_url_message())  # ours: keeps its words
    return value.strip() if isinstance(value, str) else value
