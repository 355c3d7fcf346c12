"""Who a customer message goes to and in which language; the shop's name and address in
what it says."""

from __future__ import annotations

from django.conf import settings

from tokodesk.core.l10n import valid_locale  # noqa: F401 - where the notifications read it
from tokodesk.core.models import ShopSettings
from tokodesk.notifications.models import LandingPageLanguage, NotificationSettings

LOCALES = tuple(code for code, _name in settings.LANGUAGES)


def shop_language() -> str:
    code = (settings.LANGUAGE_CODE or "en").split("-")[0]
    return code if code in LOCALES else "en"


def customer_locale(order, settings_row: NotificationSettings | None = None) -> str:
    """The customer's language: the one the order keeps (orders.languages), else their
    landing page's, else the shop's setting for customers, else the shop's language."""
    if order is not None and valid_locale(getattr(order, "language", "")):
        return valid_locale(order.language)
    if order is not None and order.landing_page_id:
        language = (LandingPageLanguage.objects.filter(landing_page_id=order.landing_page_id)
                    .values_list("language", flat=True).first())
        if valid_locale(language):
            return valid_locale(language)
    settings_row = settings_row or NotificationSettings.get()
    return valid_locale(settings_row.customer_language) or shop_language()


def customer_email(order) -> str:
    """The address on the order, else the customer's."""
    return (order.recipient_email or order.customer.email or "").strip()


def customer_phone(order) -> str:
    return order.recipient_phone or order.customer.phone


def shop_name(settings_row=None) -> str:
    """The shop's name from its profile (core.ShopSettings), never the software's."""
    return ShopSettings.get().display_name


def absolute(path: str, base_url: str = "", settings_row: NotificationSettings | None = None) -> str:
    """`path` on the shop's site address (setting), else on `base_url` (the address the
    page or API was called on); the bare path when neither is known."""
    settings_row = settings_row or NotificationSettings.get()
    base = (settings_row.site_url or base_url or "").rstrip("/")
    return f"{base}{path}" if base else path
