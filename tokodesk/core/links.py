"""Stored addresses shown as links: only http(s).

A payment link, a courier's tracking address or a landing page's photo is typed by a user
(or came from an older version that did not check it). Input is validated where it is
stored; this is the last guard where it is drawn: anything that is not an absolute http(s)
address (`javascript:`, `data:`, `vbscript:`, a relative or protocol-relative path, control
characters) is never rendered as a link or a source.
"""

from tokodesk.core.validators import is_http_url


def safe_url(value) -> str:
    """`value` stripped when it is an absolute http(s) URL with a host (the rule input is
    validated with, core.validators.is_http_url), else ""."""
    if not isinstance(value, str):
        return ""
    url = value.strip()
    return url if is_http_url(url) else ""
