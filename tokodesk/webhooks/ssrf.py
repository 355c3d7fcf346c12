"""No webhook to our own network (SSRF): a subscription's host must resolve only to public
addresses, checked when it is saved and again at each delivery, which then connects to the
address it checked (not to a second lookup that DNS rebinding could change).

Refused: private (10/8, 172.16/12, 192.168/16, fc00::/7), loopback, link-local (169.254/16,
the cloud metadata address among them, fe80::/10), multicast, reserved, unspecified, shared
(100.64/10) and every other non-global address, IPv4-mapped IPv6 included.
`settings.TOKODESK_WEBHOOKS_ALLOW_PRIVATE = True` lifts the check (a desk whose receivers
are on its own network; the tests' local receiver)."""

from __future__ import annotations

import ipaddress
import socket
from urllib.parse import urlsplit

from django.conf import settings
from django.utils.translation import gettext as _

from tokodesk.core.validators import http_url_message, is_http_url

MAX_URL = 2000


class UnsafeURL(ValueError):
    pass


def allow_private() -> bool:
    return bool(getattr(settings, "TOKODESK_WEBHOOKS_ALLOW_PRIVATE", False))


def is_public(address: str) -> bool:
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return ip.is_global and not ip.is_multicast and not ip.is_reserved


def resolve(url: str) -> tuple[str, int, list[str]]:
    """(host, port, addresses) of an http(s) URL whose every address may be reached;
    raises UnsafeURL with a message for the user otherwise."""
    if not isinstance(url, str) or len(url) > MAX_URL or not is_http_url(url):
        raise UnsafeURL(http_url_message())
    parts = urlsplit(url)
    host = parts.hostname
    try:
        port = parts.port or (443 if parts.scheme.lower() == "https" else 80)
    except ValueError:
        raise UnsafeURL(_("The port is not valid.")) from None
    if parts.username or parts.password:
        raise UnsafeURL(_("Put no user name or password in the address: the signature authenticates us."))
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError):
        raise UnsafeURL(_("The host %(host)s could not be found.") % {"host": host[:100]}) from None
    addresses = list(dict.fromkeys(info[4][0] for info in infos))
    if not addresses:
        raise UnsafeURL(_("The host %(host)s could not be found.") % {"host": host[:100]})
    if not allow_private():
        for address in addresses:
            if not is_public(address):
                raise UnsafeURL(
                    _("%(host)s is a private, local or reserved address (%(address)s): webhooks go only to "
                      "public addresses.") % {"host": host[:100], "address": address}
                )
    return host, port, addresses


def check(url: str) -> None:
    resolve(url)
