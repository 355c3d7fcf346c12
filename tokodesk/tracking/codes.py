"""The provider's event codes and the order table's actions they map to (SPEC 2.2's courier
events). The webhook body, the CSV import and the adapters' `track` use the provider codes;
our action names are accepted too (a CSV typed by someone who reads the order page)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

# provider code → order action
ACTIONS: dict[str, str] = {
    "picked_up": "picked_up",
    "delivered": "delivered",
    "problem": "report_problem",
    "return_to_sender": "return_to_sender",
    "returned": "returned_to_sender",
    "lost": "mark_lost",
}
PROVIDER_CODES = tuple(ACTIONS)
# Our action names, and a few common spellings, read as the provider code.
ALIASES: dict[str, str] = {
    "report_problem": "problem",
    "delivery_problem": "problem",
    "returned_to_sender": "returned",
    "rts": "return_to_sender",
    "mark_lost": "lost",
    "lost_or_damaged": "lost",
    "pickup": "picked_up",
    "picked": "picked_up",
}

# What the buyer reads on the order link for each event (their words, not the desk's).
BUYER_WORDS = {
    "picked_up": _("The courier picked up your parcel"),
    "delivered": _("Your parcel was delivered"),
    "problem": _("The courier could not deliver your parcel yet"),
    "return_to_sender": _("Your parcel is on its way back to the seller"),
    "returned": _("Your parcel is back with the seller"),
    "lost": _("The courier reported your parcel lost or damaged"),
}
# What the desk reads.
DESK_WORDS = {
    "picked_up": pgettext_lazy("tracking event", "Picked up"),
    "delivered": pgettext_lazy("tracking event", "Delivered"),
    "problem": pgettext_lazy("tracking event", "Delivery problem"),
    "return_to_sender": pgettext_lazy("tracking event", "Return to sender"),
    "returned": pgettext_lazy("tracking event", "Returned to sender"),
    "lost": pgettext_lazy("tracking event", "Lost or damaged"),
}


def normalise(code: str) -> str | None:
    """The provider code for `code` (any case, an alias, or our action name); None when unknown."""
    code = (code or "").strip().lower().replace("-", "_").replace(" ", "_")
    code = ALIASES.get(code, code)
    return code if code in ACTIONS else None
