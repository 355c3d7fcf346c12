"""How address fields are called in the shop's country (issue 17): an Indonesian shop's
forms say "District (kecamatan)" and "City / regency" and pick the district from the
Indonesian regions list (shipping.District: the kecamatan the rate tables price); a shop in
any other country says "District", "City", "Region / province" and has no district picker
(that list is Indonesia's only: its shipping cost is confirmed by the shop, the city and the
postcode say where).

The one place that decides it: the shop profile form, the manual order and edit pages and
the landing page read `address_labels()` (templates: `{% address_labels as addr %}`)."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

# The countries whose addresses use the Indonesian regions (kecamatan list, rate tables).
DISTRICT_COUNTRIES = frozenset({"ID"})


@dataclass(frozen=True)
class AddressLabels:
    country: str
    district: str | Promise
    city: str | Promise
    province: str | Promise
    postal_code: str | Promise
    # The street address's example on the buyer's form ("Street, house number, RT/RW …").
    street_placeholder: str | Promise
    city_placeholder: str | Promise
    # Whether the district is picked from the Indonesian regions list.
    district_picker: bool


_INDONESIA = {
    "district": _("District (kecamatan)"),
    "city": _("City / regency"),
    "province": _("Province"),
    "postal_code": _("Postal code"),
    "street_placeholder": _("Street, house number, RT/RW, village, district, postal code"),
    "city_placeholder": _("e.g. Bandung"),
    "district_picker": True,
}
_ELSEWHERE = {
    # Context "address": French says "Commune", "Ville", "Région" here.
    "district": pgettext_lazy("address", "District"),
    "city": pgettext_lazy("address", "City"),
    "province": pgettext_lazy("address", "Region / province"),
    "postal_code": _("Postal code"),
    "street_placeholder": _("Street and house number, building, floor"),
    "city_placeholder": "",
    "district_picker": False,
}


def address_labels(country: str | None = None) -> AddressLabels:
    """The labels of `country` (ISO code), else of the shop's country (core.shop_locale)."""
    if country is None:
        from tokodesk.core.shop_locale import country as shop_country

        country = shop_country(request_only=False)
    country = (country or "").upper()
    return AddressLabels(
        country=country, **(_INDONESIA if country in DISTRICT_COUNTRIES else _ELSEWHERE)
    )
