"""Edit a return before its goods are received (issue 17, InvenTree's editable return):
the items and quantities (what the order can still return plus what this return holds),
serial numbers, the customer's reason and the extra lines. `changes()` gives only what
differs, for `services.return_edit`, which checks and records it."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from tokodesk.core.errors import ValidationFailed
from tokodesk.returns import selectors
from tokodesk.returns.checks import _extra_lines, extra_line_values
from tokodesk.returns.forms import LineFormMixin, split_serials
from tokodesk.returns.forms_extra import (
    add_extra_fields,
    clean_extra,
    extra_field_for,
    extra_inputs,
    extra_rows,
)


class ReturnItemsForm(LineFormMixin, forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    reason = forms.ChoiceField(label=_("Customer's reason"))
    reason_text = forms.CharField(label=_("Reason details (the customer's words)"), required=False,
                                  max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))
    line_keys = ("qty", "serials")

    def __init__(self, *args, ret, **kwargs):
        super().__init__(*args, **kwargs)
        self.ret = ret
        self.currency = ret.currency
        mine = {line.order_line_id: line for line in ret.lines.all()}
        returnable = selectors.returnable_lines(ret.order)
        self.lines = [line for line, _left in returnable]
        self.left = {line.pk: left + (mine[line.pk].qty if line.pk in mine else 0) for line, left in returnable}
        self.line_index = []
        self.fields["version"].initial = ret.version
        reasons = [(r.code, r.display_label) for r in selectors.return_reasons()]
        if ret.reason.code not in dict(reasons):
            reasons.append((ret.reason.code, ret.reason.display_label))
        self.fields["reason"].choices = reasons
        self.fields["reason"].initial = ret.reason.code
        self.fields["reason_text"].initial = ret.reason_text
        for line in self.lines:
            current = mine.get(line.pk)
            self.fields[f"qty_{line.pk}"] = forms.IntegerField(
                label=_("Qty to return"), min_value=0, max_value=self.left[line.pk], required=False,
                initial=current.qty if current else 0, disabled=self.left[line.pk] == 0,
                widget=forms.NumberInput(attrs={"class": "qty"}))
            self.fields[f"serials_{line.pk}"] = forms.CharField(
                label=_("Serial numbers"), required=False, max_length=5000, disabled=self.left[line.pk] == 0,
                initial=", ".join(current.serial_numbers) if current else "")
        add_extra_fields(self, self.currency, ret.extra_lines.all())

    def rows(self):
        rows = super().rows()
        for row in rows:
            row["left"] = self.left[row["line"].pk]
        return rows

    def fee_rows(self):
        return extra_rows(self)

    def field_for(self, key: str) -> str | None:
        parts = key.split(".")
        if parts[0] == "extra_lines":
            return extra_field_for(self, parts)
        if key == "lines":
            return None
        return super().field_for(key)

    def clean(self):
        data = super().clean()
        if not any(data.get(f"qty_{line.pk}") for line in self.lines if self.left[line.pk]):
            raise forms.ValidationError(_("Pick at least one item and its quantity."))
        clean_extra(self, data)
        return data

    def changes(self) -> dict:
        """What differs from the return now (the service compares again under its lock)."""
        data, ret, changes = self.cleaned_data, self.ret, {}
        lines, self.line_index = [], []
        for line in self.lines:
            qty = data.get(f"qty_{line.pk}")
            if qty:
                lines.append({"line": line.pk, "qty": qty,
                              "serial_numbers": split_serials(data.get(f"serials_{line.pk}"))})
                self.line_index.append(line.pk)
        current = [{"line": li.order_line_id, "qty": li.qty, "serial_numbers": li.serial_numbers}
                   for li in sorted(ret.lines.all(), key=lambda li: li.order_line_id)]
        if lines != current:
            changes["lines"] = lines
        if data["reason"] != ret.reason.code or (data.get("reason_text") or "") != ret.reason_text:
            changes["reason"], changes["reason_text"] = data["reason"], data.get("reason_text") or ""
        extra = extra_inputs(self, self.currency)
        try:
            after = _extra_lines(extra)
        except ValidationFailed:  # the service names the bad row: let it
            after = None
        if after is None or after != [extra_line_values(e) for e in ret.extra_lines.all()]:
            changes["extra_lines"] = [vars(e) for e in extra]
        return changes
