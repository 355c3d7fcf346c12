"""The shop's region and languages (issue 17): its country, currency, staff language, time
zone and phone region, stored on core.ShopSettings and edited by the owner on the settings
page ("Region and languages") or the first-login page. An empty value means the environment's
default (TIME_ZONE, TOKODESK_PHONE_REGION, LANGUAGE_CODE, TOKODESK_CURRENCY), so the demo shop
and a shop that never set them keep those.

At runtime `ShopLocaleMiddleware` reads the row (from the process cache,
`request_row`: no query until someone saves it) and activates the shop's time
zone (every `timezone.localdate()`, deadline and calendar then uses it) and, for a staff user
who has not picked a language, the staff language; it also sends the owner of a shop made by
`tokodesk setup` to the first-login page until it is saved. `phone_region()` and
`time_zone()` answer from that request's row, else read the row.

The currency changes only while the shop has no documents priced in it: the apps register a
check (`register_currency_lock`); core knows none of them."""

from __future__ import annotations

import zoneinfo
from collections.abc import Callable
from contextlib import contextmanager
from contextvars import ContextVar
from functools import lru_cache

import phonenumbers
from django import forms
from django.conf import settings
from django.db import transaction
from django.shortcuts import redirect
from django.urls import NoReverseMatch, reverse
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from tokodesk.core import settings_pages
from tokodesk.core.errors import PermissionDenied, ValidationFailed
from tokodesk.core.models import ShopSettings
from tokodesk.core.money import CURRENCY_CHOICES
from tokodesk.core.stamps import ProcessCache

LOCALE_FIELDS = ("country", "currency", "staff_language", "time_zone", "phone_region")
_current: ContextVar[ShopSettings | None] = ContextVar("tokodesk_shop_locale", default=None)
_CURRENCY_LOCKS: dict[str, Callable[[], bool]] = {}
# The settings row of the requests, per process; emptied in every process when the row is
# saved (tokodesk.api.apps connects the signals; core.stamps says how and its limits).
SHOP_SETTINGS_CACHE = ProcessCache("shop_settings")


@lru_cache(maxsize=1)
def _zones() -> frozenset[str]:
    return frozenset(zoneinfo.available_timezones())


def time_zone_choices() -> list[tuple[str, str]]:
    return [(name, name) for name in sorted(_zones()) if "/" in name or name == "UTC"]


def is_region(code: str) -> bool:
    return (code or "").upper() in phonenumbers.SUPPORTED_REGIONS


def is_time_zone(name: str) -> bool:
    return bool(name) and name in _zones()


def _row() -> ShopSettings:
    return _current.get() or ShopSettings.get()


def time_zone(row: ShopSettings | None = None) -> str:
    row = row or _row()
    return row.time_zone if is_time_zone(row.time_zone) else settings.TIME_ZONE


def phone_region(row: ShopSettings | None = None, *, request_only: bool = False) -> str:
    """The region of numbers typed without a +. `request_only`: the request's row, else the
    environment's default without reading the database (how a number is shown, in
    templates rendered anywhere); parsing what someone typed reads the row."""
    if row is None and request_only:
        row = _current.get()
        if row is None:
            return settings.TOKODESK_PHONE_REGION
    row = row or _row()
    return (
        row.phone_region.upper() if is_region(row.phone_region) else settings.TOKODESK_PHONE_REGION
    )


# The example Indonesian sellers know (phonenumbers' own ID example reads 0812-345-678).
_PHONE_EXAMPLES = {"ID": "0812 3456 7890"}


@lru_cache(maxsize=64)
def _phone_example(region: str) -> str:
    number = phonenumbers.example_number_for_type(region, phonenumbers.PhoneNumberType.MOBILE)
    if number is None:
        return _PHONE_EXAMPLES["ID"]
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL)


def phone_example(region: str | None = None) -> str:
    """A mobile number as a buyer of the shop's phone region types it, for examples in help
    texts and refusals: "0812 3456 7890" in Indonesia, "06 12 34 56 78" in France."""
    region = (region or phone_region(request_only=True)).upper()
    return _PHONE_EXAMPLES.get(region) or _phone_example(region)


def country(*, request_only: bool = True) -> str:
    """The shop's country (the region of its formats, core.l10n): the request's or the
    worker's row, else its phone region, else the environment's (no query unless asked)."""
    row = _current.get()
    if row is None and not request_only:
        row = ShopSettings.get()
    code = (row.country or row.phone_region) if row is not None else ""
    return (code if is_region(code) else settings.TOKODESK_PHONE_REGION).upper()


def staff_language(row: ShopSettings | None = None) -> str:
    row = row or _row()
    codes = dict(settings.LANGUAGES)
    return row.staff_language if row.staff_language in codes else settings.LANGUAGE_CODE


@contextmanager
def activated():
    """Outside a request (the worker's passes and tasks): the shop's time zone is active and
    its row answers phone_region(), read once."""
    row = ShopSettings.get()
    token = _current.set(row)
    timezone.activate(time_zone(row))
    try:
        yield row
    finally:
        _current.reset(token)
        timezone.deactivate()


def register_currency_lock(name: str, locked: Callable[[], bool]) -> None:
    """An app says when the currency may no longer change (orders: once there is an order)."""
    _CURRENCY_LOCKS[name] = locked


def currency_locked() -> bool:
    return any(locked() for locked in _CURRENCY_LOCKS.values())


# -- the form and its service ------------------------------------------------------------


class ShopLocaleForm(forms.Form):
    country = forms.CharField(
        label=_("Country"),
        max_length=2,
        required=False,
        help_text=_("Two letters, e.g. ID, FR, DE."),
    )
    currency = forms.ChoiceField(
        label=_("Currency"),
        choices=CURRENCY_CHOICES,
        help_text=_("Can change only while the shop has no orders."),
    )
    staff_language = forms.ChoiceField(
        label=_("Staff language"),
        choices=settings.LANGUAGES,
        help_text=_("The pages' language for a user who has not picked one."),
    )
    time_zone = forms.ChoiceField(
        label=_("Time zone"),
        choices=time_zone_choices,
        help_text=_("Used for “today”, deadlines and the calendar."),
    )
    phone_region = forms.CharField(
        label=_("Phone region"),
        max_length=2,
        help_text=_("The country of numbers typed without a +, e.g. ID or FR."),
    )

    def _region(self, name: str, *, required: bool) -> str:
        value = (self.cleaned_data.get(name) or "").strip().upper()
        if not value and not required:
            return ""
        if not is_region(value):
            raise forms.ValidationError(_("Not a country code (two letters, e.g. FR)."))
        return value

    def clean_country(self):
        return self._region("country", required=False)

    def clean_phone_region(self):
        return self._region("phone_region", required=True)


def initial(row: ShopSettings | None = None) -> dict:
    row = row or ShopSettings.get()
    return {
        "country": row.country,
        "currency": row.currency,
        "staff_language": staff_language(row),
        "time_zone": time_zone(row),
        "phone_region": phone_region(row),
    }


@transaction.atomic
def shop_locale_update(*, actor, changes: dict) -> ShopSettings:
    """The owner sets the shop's region and languages; the currency only while no app
    locks it (orders: the shop has orders)."""
    if actor is not None and not actor.has_perm("orders.manage_settings"):
        raise PermissionDenied("permission_denied", _("Only the owner can change the settings."))
    unknown = set(changes) - set(LOCALE_FIELDS)
    if unknown:
        raise ValidationFailed(
            "invalid_input",
            _("These settings cannot be changed here."),
            fields={k: _("Not editable.") for k in unknown},
        )
    ShopSettings.get()
    row = ShopSettings.objects.select_for_update().get(pk=1)
    errors = {}
    if "currency" in changes and changes["currency"] != row.currency:
        if changes["currency"] not in dict(CURRENCY_CHOICES):
            errors["currency"] = _("Not a currency this shop can use.")
        elif currency_locked():
            errors["currency"] = _("The currency cannot change: the shop already has orders.")
    if "time_zone" in changes and not is_time_zone(changes["time_zone"]):
        errors["time_zone"] = _("Not a time zone.")
    for name in ("country", "phone_region"):
        if changes.get(name) and not is_region(changes[name]):
            errors[name] = _("Not a country code (two letters, e.g. FR).")
    if "staff_language" in changes and changes["staff_language"] not in dict(settings.LANGUAGES):
        errors["staff_language"] = _("Not a language of this shop.")
    if errors:
        raise ValidationFailed("invalid_input", next(iter(errors.values())), fields=errors)
    for name, value in changes.items():
        setattr(row, name, value.upper() if name in ("country", "phone_region") else value)
    row.save()
    return row


def _make_form(data, files, current):
    return ShopLocaleForm(data, initial=initial(current))


def register_section() -> None:
    settings_pages.register(
        settings_pages.SettingsSection(
            key="region",
            title=_("Region and languages"),
            form_class=ShopLocaleForm,
            model=ShopSettings,
            position=12,
            intro=_(
                "Your country, currency, the staff's language, the time zone of “today” and "
                "deadlines, and how phone numbers typed without a + are read."
            ),
            make_form=_make_form,
            save=lambda form, actor: shop_locale_update(actor=actor, changes=form.cleaned_data),
        )
    )


# -- the middleware ----------------------------------------------------------------------

# Paths the first-login redirect leaves alone (logging in and out, the page itself, files, API).
_OPEN_PREFIXES = ("/accounts/", "/i18n/", "/static/", "/api/", "/admin/", "/media/")


def _load_row() -> ShopSettings:
    # One query; a shop whose row is not made yet reads the defaults (nothing written here).
    return ShopSettings.objects.filter(pk=1).first() or ShopSettings(
        pk=1, **ShopSettings.creation_defaults()
    )


def request_row() -> ShopSettings:
    """The settings row a request reads: from this process's cache while no process has
    saved it since (no query), else read once (core.stamps). Read-only: a service that
    changes the row reads its own with select_for_update."""
    return SHOP_SETTINGS_CACHE.get(1, _load_row)


class ShopLocaleMiddleware:
    """After LocaleMiddleware and AuthenticationMiddleware: the shop's time zone and, for a
    user who picked no language (no cookie), the shop's staff language; the owner of a shop
    not set up yet goes to the first-login page. The settings row comes from the process's
cache (request_row): no query while nobody changes it."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        row = request_row()
        token = _current.set(row)
        try:
            timezone.activate(time_zone(row))
            if row.staff_language and self._staff_default_language(request):
                language = staff_language(row)
                translation.activate(language)
                request.LANGUAGE_CODE = language
            if row.setup_pending and self._needs_first_run(request):
                return redirect(reverse("first_run"))
            return self.get_response(request)
        finally:
            _current.reset(token)
            timezone.deactivate()

    @staticmethod
    def _staff_default_language(request) -> bool:
        """The staff's pages (a logged-in user, the login page) of a user who picked no
        language (no cookie); a buyer's pages keep their browser's language."""
        if settings.LANGUAGE_COOKIE_NAME in request.COOKIES:
            return False
        if request.path.startswith("/accounts/"):
            return True
        user = getattr(request, "user", None)
        return bool(user and user.is_authenticated)

    @staticmethod
    def _needs_first_run(request) -> bool:
        if request.method != "GET" or request.headers.get("HX-Request"):
            return False
        try:
            target = reverse("first_run")
        except NoReverseMatch:
            return False
        if request.path == target or request.path.startswith(_OPEN_PREFIXES):
            return False
        user = getattr(request, "user", None)
        return bool(user and user.is_authenticated and user.has_perm("orders.manage_settings"))
