"""The chips above a filtered list ("Agen: Agen Satu", "Status: Baru, Dikonfirmasi"): each
filter in the words the user chose it with, never the value the URL carries."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.utils.translation import gettext

from tokodesk.core import l10n
from tokodesk.core.money import format_money


def _choice_labels(field) -> dict[str, str]:
    """value → label of a choice field, optgroups flattened."""
    labels = {}
    for value, label in getattr(field, "choices", None) or ():
        if isinstance(label, (list, tuple)):  # an optgroup: (group, [(value, label), …])
            labels.update({str(v): str(text) for v, text in label})
        else:
            labels[str(value)] = str(label)
    return labels


def chip_text(field, value, *, money: bool = False, currency: str = "IDR") -> str:
    """One filter's value as the user reads it: a choice's label (a multiple choice's
    labels, joined), a date in the user's language, an amount in the shop's currency."""
    if isinstance(value, (list, tuple, set, frozenset)):
        labels = _choice_labels(field)
        return ", ".join(labels.get(str(v), str(v)) for v in value)
    if money and isinstance(value, int):
        return format_money(value, currency)
    if isinstance(value, dt.datetime):
        return l10n.format_datetime(value)
    if isinstance(value, dt.date):
        return l10n.format_date(value, width="long")
    if isinstance(value, bool):
        return gettext("Yes") if value else gettext("No")
    labels = _choice_labels(field)
    if labels:
        return labels.get(str(value), str(value))
    return str(value)


def filter_chips(
    form,
    values: dict,
    *,
    skip: Iterable[str] = (),
    money: Iterable[str] = (),
    currency: str = "IDR",
) -> list[tuple[str, str]]:
    """(label, text) of each filter in `values` (a valid form's cleaned filters), in the
    form's field order; `money` names the fields holding an amount in minor units."""
    skip, money = set(skip), set(money)
    chips = []
    for name, value in values.items():
        field = form.fields.get(name)
        if name in skip or field is None:
            continue
        text = chip_text(field, value, money=name in money, currency=currency)
        chips.append((str(field.label or name), text))
    return chips
