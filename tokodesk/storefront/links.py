"""The customer's order link: tokodesk.orders.links (kept importable from here), and the
language its pages speak."""

from django.conf import settings
from django.utils import translation

from tokodesk.orders import languages
from tokodesk.orders.links import SALT, order_from_token, order_link_token, order_link_url

__all__ = ["SALT", "activate_buyer_language", "order_from_token", "order_link_token", "order_link_url"]


def activate_buyer_language(order, request=None) -> None:
    """The buyer's pages (/o/<token>/…) in the language the order keeps (issue 17), not the
    browser's; the one they picked with the page's switch wins, the browser's while the
    order keeps none."""
    picked = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME) if request is not None else None
    language = languages.valid(order.language)
    if language and not languages.valid(picked):
        translation.activate(language)
        if request is not None:
            request.LANGUAGE_CODE = language
