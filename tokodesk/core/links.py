"""Stored addresses shown as links: only http(s).

A payment link, a courier's tracking address or a landing page's photo is typed by a user
(or came from an older version that did not check it). Input is validated where it is
stored; this is the last guard where it is drawn: anything that is not an absolute http(s)
address (`javascript:`, `data:`, `vbscript:`, a relative or protocol-relative path, control
characters) is never rendered as a link or a source.
"""

from urllib.parse import urlsplit

SAFE_SCHEMES = {"http", "https"}


def safe_url(value) -> str:
    """`value` stripped when it is an absolute http(s) URL with a host, else ""."""
    if not isinstance(value, str):
        return ""
    url = value.strip()
    # Browsers drop tabs and newlines inside a URL and ignore leading control characters,
    # so "java\tscript:" would run: refuse anything with a control character at all.
    if not url or any(ord(ch) < 32 or ord(ch) == 127 for ch in url) or "\\" in url:
        return ""
    try:
        parts = urlsplit(url)
    except ValueError:
        return ""
    if parts.scheme.lower() not in SAFE_SCHEMES or not parts.hostname:
        return ""
    return url
