"""The export template form: name, separator, and one row per available column
(include it, its position, its header)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from tokodesk.exports.columns import COLUMNS, REGISTRY
from tokodesk.exports.models import Delimiter, default_delimiter


class TemplateForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=100)
    delimiter = forms.ChoiceField(label=_("Separator"), choices=Delimiter.choices, initial=default_delimiter,
                                  widget=forms.RadioSelect)

    def __init__(self, *args, template=None, **kwargs):
        super().__init__(*args, **kwargs)
        chosen = {c["field"]: (i + 1, c.get("header", "")) for i, c in enumerate(template.columns if template else [])
                  if c.get("field") in REGISTRY}
        if template is not None and not self.is_bound:
            self.initial.update({"name": template.name, "delimiter": template.delimiter})
        for col in COLUMNS:
            position, header = chosen.get(col.key, (None, ""))
            self.fields[f"on_{col.key}"] = forms.BooleanField(required=False, initial=col.key in chosen,
                                                              label=col.label)
            self.fields[f"pos_{col.key}"] = forms.IntegerField(
                required=False, min_value=1, max_value=999, initial=position, label=_("Position"),
                widget=forms.NumberInput(attrs={"class": "pos", "size": 3}))
            self.fields[f"header_{col.key}"] = forms.CharField(
                required=False, max_length=100, initial=header, label=_("Header"),
                widget=forms.TextInput(attrs={"placeholder": col.label}))
        self._order = sorted(COLUMNS, key=lambda c: (c.key not in chosen, chosen.get(c.key, (0,))[0],
                                                     COLUMNS.index(c)))

    def rows(self):
        """One row per column: chosen ones first, in their order."""
        return [{"column": col, "on": self[f"on_{col.key}"], "pos": self[f"pos_{col.key}"],
                 "header": self[f"header_{col.key}"]} for col in self._order]

    def clean(self):
        data = super().clean()
        picked = []
        for index, col in enumerate(COLUMNS):
            if data.get(f"on_{col.key}"):
                position = data.get(f"pos_{col.key}")
                picked.append((position if position is not None else 1000, index, col.key,
                               (data.get(f"header_{col.key}") or "").strip()))
        if not picked:
            raise forms.ValidationError(_("Choose at least one column."))
        picked.sort()
        data["columns"] = [{"field": key, "header": header} for _p, _i, key, header in picked]
        return data
