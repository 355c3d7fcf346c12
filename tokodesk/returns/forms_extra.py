"""The extra lines of a return in a form (create, edit before receipt): per row a kind,
charged to or credited to the customer, a description, an amount and a tax note. Rows are
named `fee_<field>_<i>`; the services name their errors `extra_lines.<n>.<field>`, mapped
back through `fee_index`."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from tokodesk.returns import services
from tokodesk.returns.states import ExtraDirection, ExtraKind

FEE_ROWS = 2
ROW_FIELDS = ("kind", "direction", "description", "amount", "tax_note")


def add_extra_fields(form, currency: str, existing=()) -> None:
    """One row per existing extra line (filled in), then FEE_ROWS empty ones."""
    from tokodesk.returns.forms import money_field, to_major

    existing = list(existing)
    form.fee_count = len(existing) + FEE_ROWS
    form.fee_index = []
    for i in range(form.fee_count):
        line = existing[i] if i < len(existing) else None
        form.fields[f"fee_kind_{i}"] = forms.ChoiceField(
            label=_("Kind"), choices=ExtraKind.choices, required=False, initial=line.kind if line else ExtraKind.FEE)
        form.fields[f"fee_direction_{i}"] = forms.ChoiceField(
            label=_("For the customer"), required=False, choices=[("", _("As the kind says"))] + ExtraDirection.choices,
            initial=line.direction if line else "")
        form.fields[f"fee_description_{i}"] = forms.CharField(
            label=_("Description"), required=False, max_length=200, initial=line.description if line else "")
        form.fields[f"fee_amount_{i}"] = money_field(
            _("Amount"), currency, initial=to_major(abs(line.amount), currency) if line else None)
        form.fields[f"fee_tax_note_{i}"] = forms.CharField(
            label=_("Tax note"), required=False, max_length=200, initial=line.tax_note if line else "")


def extra_rows(form) -> list[list]:
    return [[form[f"fee_{name}_{i}"] for name in ROW_FIELDS] for i in range(form.fee_count)]


def clean_extra(form, data) -> None:
    """A row with a description or an amount needs the amount."""
    for i in range(form.fee_count):
        if data.get(f"fee_description_{i}") and data.get(f"fee_amount_{i}") is None:
            form.add_error(f"fee_amount_{i}", _("An extra line needs an amount."))


def extra_inputs(form, currency: str) -> list[services.ExtraLineInput]:
    """The filled rows as the services' inputs (an amount of 0 or none: the row is empty)."""
    from tokodesk.returns.forms import to_minor

    data, lines = form.cleaned_data, []
    form.fee_index = []
    for i in range(form.fee_count):
        amount = data.get(f"fee_amount_{i}")
        if not amount:
            continue
        kind = data.get(f"fee_kind_{i}") or ExtraKind.FEE
        lines.append(services.ExtraLineInput(
            kind=kind, description=data.get(f"fee_description_{i}") or "", amount=to_minor(amount, currency),
            direction=data.get(f"fee_direction_{i}") or None, tax_note=data.get(f"fee_tax_note_{i}") or ""))
        form.fee_index.append(i)
    return lines


def extra_field_for(form, parts: list[str]) -> str | None:
    """`extra_lines.<n>.<field>` → the row's field."""
    if len(parts) != 3 or not parts[1].isdigit() or int(parts[1]) >= len(form.fee_index):
        return None
    name = f"fee_{parts[2]}_{form.fee_index[int(parts[1])]}"
    return name if name in form.fields else None
