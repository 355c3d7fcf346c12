"""Writes to the shop settings."""

from __future__ import annotations

import re

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from tokodesk.core.errors import PermissionDenied, ValidationFailed
from tokodesk.core.models import ShopSettings

# Settings the owner changes on the settings page, each with how it is checked: a reference
# pattern, a boolean, an integer in a range, or free text up to a length.
EDITABLE = {
    # Orders.
    "order_reference_pattern": ("pattern",),
    "shipping_deadline_hours": ("int", 1, 24 * 30),
    "cancellation_window_hours": ("int", 1, 24 * 30),
    "auto_complete_days": ("int", 1, 365),
    "whatsapp_template": ("text", 2000),
    # Returns (SPEC 3.3).
    "returns_enabled": ("bool",),
    "return_reference_pattern": ("pattern",),
    "require_responsible": ("bool",),
    "edit_completed_returns": ("bool",),
    "return_window_days": ("int", 0, 365),
    "store_credit_automatic": ("bool",),
}
PATTERNS = ("order_reference_pattern", "return_reference_pattern")
PATTERN_EXAMPLES = {
    "order_reference_pattern": "ORD-{seq:06d}",
    "return_reference_pattern": "RMA-{seq:05d}",
}
# What a reference may contain: it is a URL path segment (/orders/<ref>/) and searches
# compare it in capitals, so no slash, space or lower case.
REFERENCE_CHARS = re.compile(r"^[A-Z0-9][A-Z0-9._-]*$")


def _pattern_help(field: str):
    return _("Use {seq}, e.g. %(example)s.") % {
        "example": PATTERN_EXAMPLES.get(field, "ORD-{seq:06d}")
    }


def check_reference_pattern(pattern: str, field: str) -> None:
    """A pattern must number each reference ({seq}), format cleanly and give references
    that work in an address and in searches (capitals, digits, - _ .)."""
    try:
        sample = pattern.format(seq=1, year=2026, month=1)
        other = pattern.format(seq=2, year=2026, month=1)
    except (KeyError, IndexError, ValueError, AttributeError, TypeError):
        raise ValidationFailed(
            "invalid_input",
            _("The pattern may use {seq}, {year} and {month} only."),
            fields={field: _pattern_help(field)},
        ) from None
    if sample == other or "{seq" not in pattern:
        raise ValidationFailed(
            "invalid_input",
            _("The pattern must contain {seq}."),
            fields={field: _pattern_help(field)},
        )
    if len(sample) > 30 or not sample.strip():
        raise ValidationFailed(
            "invalid_input", _("The references would be too long."), fields={field: _("Too long.")}
        )
    if not REFERENCE_CHARS.match(sample):
        raise ValidationFailed(
            "invalid_input",
            _("A reference may contain capital letters, digits, “-”, “_” and “.” only."),
            fields={
                field: _("Capital letters, digits, - _ . only (like %(sample)s).")
                % {"sample": PATTERN_EXAMPLES.get(field, "ORD-{seq:06d}").format(seq=1)}
            },
        )


def _check_value(name: str, value):
    """The value of one setting, checked against EDITABLE (the API and the page alike)."""
    kind, *bounds = EDITABLE[name]
    if kind == "pattern":
        if not isinstance(value, str):
            raise ValidationFailed(
                "invalid_input", _("Not a valid pattern."), fields={name: _("Not a valid pattern.")}
            )
        value = value.strip()
        check_reference_pattern(value, name)
    elif kind == "bool":
        if not isinstance(value, bool):
            raise ValidationFailed(
                "invalid_input", _("Not a valid choice."), fields={name: _("Yes or no.")}
            )
    elif kind == "int":
        low, high = bounds
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            message = _("A whole number from %(low)s to %(high)s.") % {"low": low, "high": high}
            raise ValidationFailed("invalid_input", message, fields={name: message})
    elif kind == "text":
        (limit,) = bounds
        if not isinstance(value, str) or len(value) > limit:
            message = _("At most %(limit)s characters.") % {"limit": limit}
            raise ValidationFailed("invalid_input", message, fields={name: message})
    return value


@transaction.atomic
def shop_settings_update(*, actor, changes: dict) -> ShopSettings:
    """The owner changes the order and return settings; references already given keep
    their form. Nothing is saved when one value is refused."""
    if actor is not None and not actor.has_perm("orders.manage_settings"):
        raise PermissionDenied("permission_denied", _("Only the owner can change the settings."))
    settings_row = ShopSettings.get()
    settings_row = ShopSettings.objects.select_for_update().get(pk=settings_row.pk)
    unknown = set(changes) - set(EDITABLE)
    if unknown:
        raise ValidationFailed(
            "invalid_input",
            _("These settings cannot be changed here."),
            fields={k: _("Not editable.") for k in unknown},
        )
    checked = {name: _check_value(name, value) for name, value in changes.items()}
    for name, value in checked.items():
        setattr(settings_row, name, value)
    samples = [getattr(settings_row, name).format(seq=1, year=2026, month=1) for name in PATTERNS]
    if samples[0] == samples[1]:
        # An order and a return would share a reference: searches and links could not tell them apart.
        field = (
            "return_reference_pattern"
            if "return_reference_pattern" in checked
            else "order_reference_pattern"
        )
        raise ValidationFailed(
            "invalid_input",
            _("Orders and returns need different reference patterns."),
            fields={field: _("The same as the other pattern.")},
        )
    settings_row.save()
    return settings_row
