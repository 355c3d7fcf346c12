"""Writes to the shop settings."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from tokodesk.core.errors import PermissionDenied, ValidationFailed
from tokodesk.core.models import ShopSettings

EDITABLE = ("order_reference_pattern", "shipping_deadline_hours", "cancellation_window_hours",
            "auto_complete_days", "whatsapp_template")


def check_reference_pattern(pattern: str, field: str) -> None:
    """A pattern must number each reference ({seq}) and format cleanly."""
    try:
        sample = pattern.format(seq=1, year=2026, month=1)
        other = pattern.format(seq=2, year=2026, month=1)
    except (KeyError, IndexError, ValueError):
        raise ValidationFailed("invalid_input", _("The pattern may use {seq}, {year} and {month} only."),
                               fields={field: _("Use {seq}, e.g. ORD-{seq:06d}.")}) from None
    if sample == other or "{seq" not in pattern:
        raise ValidationFailed("invalid_input", _("The pattern must contain {seq}."),
                               fields={field: _("Use {seq}, e.g. ORD-{seq:06d}.")})
    if len(sample) > 30 or not sample.strip():
        raise ValidationFailed("invalid_input", _("The references would be too long."), fields={field: _("Too long.")})


@transaction.atomic
def shop_settings_update(*, actor, changes: dict) -> ShopSettings:
    """The owner changes the order settings; references already given keep their form."""
    if actor is not None and not actor.has_perm("orders.manage_settings"):
        raise PermissionDenied("permission_denied", _("Only the owner can change the settings."))
    settings_row = ShopSettings.get()
    settings_row = ShopSettings.objects.select_for_update().get(pk=settings_row.pk)
    unknown = set(changes) - set(EDITABLE)
    if unknown:
        raise ValidationFailed("invalid_input", _("These settings cannot be changed here."),
                               fields={k: _("Not editable.") for k in unknown})
    if "order_reference_pattern" in changes:
        check_reference_pattern(changes["order_reference_pattern"], "order_reference_pattern")
    for name, value in changes.items():
        setattr(settings_row, name, value)
    settings_row.save()
    return settings_row
