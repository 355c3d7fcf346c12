"""The customer's order link: a signed, unguessable token naming one order.

It lives with the order (orders) so that every app may make the link (the e-mails and
WhatsApp messages of notifications, the storefront's pages) without importing the
storefront, whose pages serve it. tokodesk.storefront.links re-exports it.

The token is the order's primary key signed with the project's SECRET_KEY
(salt "tokodesk.order-link"). Django's signature is URL-safe base64; the
separator is "." instead of ":" so the token is plain in a URL path. The
signature does not cover the separator, so it is the same HMAC as
``Signer(salt=...).sign(str(pk))``.
"""

from django.core import signing
from django.urls import reverse

SALT = "tokodesk.order-link"


def _signer():
    return signing.Signer(salt=SALT, sep=".")


def order_link_token(order) -> str:
    return _signer().sign(str(order.pk))


def order_from_token(token, queryset=None):
    """The order the token names, or None when the token is wrong, altered or its order is
    gone. `queryset` (default all orders) may add select_related and the like."""
    from tokodesk.orders.models import Order

    if not token or not isinstance(token, str) or len(token) > 200:
        return None
    try:
        pk = _signer().unsign(token)
    except signing.BadSignature:
        return None
    if not pk.isdigit():
        return None
    return (Order.objects.all() if queryset is None else queryset).filter(pk=int(pk)).first()


def order_link_url(order) -> str:
    """Path of the customer's order link (use request.build_absolute_uri for a full URL)."""
    return reverse("storefront:order_link", kwargs={"token": order_link_token(order)})
