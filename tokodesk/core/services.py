"""Writes to the settings of the shop and of its apps (core.settings_pages)."""

from __future__ import annotations

import re

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from tokodesk.core import settings_pages
from tokodesk.core.errors import PermissionDenied, ValidationFailed

# The settings the owner changes on the settings page are declared by the sections that own
# them (core.settings_pages): each with how it is checked.
# What a reference may contain: it is a URL path segment (/orders/<ref>/) and searches
# compare it in capitals, so no slash, space or lower case.
REFERENCE_CHARS = re.compile(r"^[A-Z0-9][A-Z0-9._-]*$")


def _pattern_example(field: str) -> str:
    """The default pattern of the setting `field` (its model field's default)."""
    found = settings_pages.editable().get(field)
    if found is not None:
        default = found[0].model._meta.get_field(field).default
        if isinstance(default, str) and "{seq" in default:
            return default
    return "ORD-{seq:06d}"


def _pattern_help(field: str):
    return _("Use {seq}, e.g. %(example)s.") % {"example": _pattern_example(field)}


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
                % {"sample": _pattern_example(field).format(seq=1)}
            },
        )


def _check_value(name: str, value, rule: tuple):
    """The value of one setting, checked against its section's rule (the API and the page alike)."""
    kind, *bounds = rule
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
def settings_update(*, actor, changes: dict) -> list:
    """The owner changes settings of one or more sections (core.settings_pages); references
    already given keep their form. Nothing is saved when one value is refused. Returns the
    saved rows."""
    if actor is not None and not actor.has_perm("orders.manage_settings"):
        raise PermissionDenied("permission_denied", _("Only the owner can change the settings."))
    known = settings_pages.editable()
    unknown = set(changes) - set(known)
    if unknown:
        raise ValidationFailed(
            "invalid_input",
            _("These settings cannot be changed here."),
            fields={k: _("Not editable.") for k in unknown},
        )
    rows = {}
    for name, value in changes.items():
        section, rule = known[name]
        model = section.model
        if model not in rows:
            model.get()  # the row exists
            rows[model] = model.objects.select_for_update().get(pk=1)
        setattr(rows[model], name, _check_value(name, value, rule))
    _check_patterns_differ(known, rows, changed=set(changes))
    for row in rows.values():
        row.save()
    return list(rows.values())


def _check_patterns_differ(known: dict, rows: dict, *, changed: set) -> None:
    """No two reference patterns (an order's, a return's…) may give the same reference:
    searches and links could not tell the documents apart."""
    samples: dict[str, str] = {}
    for name, (section, rule) in known.items():
        if rule[0] != "pattern":
            continue
        row = rows.get(section.model) or section.model.get()
        sample = getattr(row, name).format(seq=1, year=2026, month=1)
        for other, other_sample in samples.items():
            if other_sample == sample:
                field = name if name in changed else other
                raise ValidationFailed(
                    "invalid_input",
                    _("Orders and returns need different reference patterns."),
                    fields={field: _("The same as the other pattern.")},
                )
        samples[name] = sample
