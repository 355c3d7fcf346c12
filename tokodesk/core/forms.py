"""Form fields shared by the apps' pages."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from tokodesk.core.money import exponent, parse_money


class MoneyField(forms.CharField):
    """An amount typed in major units of `currency` ("18.000", "Rp 18.000", "12,50"),
    cleaned to minor units (int, or None when blank). Refuses negatives and more than
    `max_minor`."""

    def __init__(self, *, currency: str = "IDR", max_minor: int, **kwargs):
        self.currency = currency
        self.max_minor = max_minor
        kwargs.setdefault("max_length", 30)
        super().__init__(**kwargs)

    def widget_attrs(self, widget):
        attrs = super().widget_attrs(widget)
        attrs.update(
            {
                "inputmode": "decimal" if exponent(self.currency) else "numeric",
                "autocomplete": "off",
            }
        )
        return attrs

    def clean(self, value):
        value = super().clean(value)
        try:
            amount = parse_money(value, self.currency)
        except ValueError:
            if exponent(self.currency) == 0:
                raise forms.ValidationError(_("Enter a whole amount, for example 18000.")) from None
            raise forms.ValidationError(_("Enter an amount, for example 12.50.")) from None
        if amount is None:
            return None
        if amount < 0:
            raise forms.ValidationError(_("Cannot be negative."))
        if amount > self.max_minor:
            raise forms.ValidationError(_("This amount is too large."))
        return amount
