"""Forms of the catalog pages. They only parse what the seller typed; the rules (unique
SKU, compare-at above the price, at least one variant …) live in
catalog/services/products.py, whose field errors are put back on these forms."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from tokodesk.core.forms import MoneyField as BaseMoneyField
from tokodesk.core.money import major_text

MAX_PRICE = 10**13


def major(amount: int | None, currency: str) -> str:
    """Minor units back to what the user would type (no grouping)."""
    return major_text(amount, currency)


class MoneyField(BaseMoneyField):
    def __init__(self, *, currency: str = "IDR", max_minor: int = MAX_PRICE, **kwargs):
        super().__init__(currency=currency, max_minor=max_minor, **kwargs)


class ProductForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    slug = forms.CharField(
        label=_("Address (slug)"),
        max_length=100,
        required=False,
        help_text=_("Made from the name when left empty."),
    )
    category = forms.CharField(
        label=_("Category"),
        max_length=100,
        required=False,
        widget=forms.TextInput(attrs={"list": "category-list", "autocomplete": "off"}),
    )
    description = forms.CharField(
        label=_("Description"),
        max_length=20000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    active = forms.BooleanField(label=_("Active (can be sold)"), required=False, initial=True)


def parse_options(text: str) -> dict:
    """ "size=M, colour=red" → {"size": "M", "colour": "red"}; ValueError when a part has no "="."""
    out = {}
    for part in (text or "").split(","):
        part = part.strip()
        if not part:
            continue
        if "=" not in part:
            raise ValueError(part)
        key, value = part.split("=", 1)
        out[key.strip()] = value.strip()
    return out


def format_options(options: dict) -> str:
    return ", ".join(f"{k}={v}" for k, v in (options or {}).items())


class VariantForm(forms.Form):
    id = forms.IntegerField(required=False, widget=forms.HiddenInput)
    sku = forms.CharField(label=_("SKU"), max_length=64)
    name = forms.CharField(label=_("Variant"), max_length=200, required=False)
    options = forms.CharField(
        label=_("Options"),
        max_length=500,
        required=False,
        widget=forms.TextInput(attrs={"placeholder": _("size=M, colour=red")}),
    )
    price = MoneyField(label=_("Price"), max_minor=MAX_PRICE)
    compare_at_price = MoneyField(label=_("Compare-at price"), required=False, max_minor=MAX_PRICE)
    weight_grams = forms.IntegerField(
        label=_("Weight (g)"), min_value=0, max_value=1_000_000, initial=0
    )
    barcode = forms.CharField(label=_("Barcode"), max_length=64, required=False)
    active = forms.BooleanField(label=_("Active"), required=False, initial=True)
    serial_tracked = forms.BooleanField(label=_("Serial numbers tracked"), required=False, initial=False)

    def clean_options(self):
        try:
            return parse_options(self.cleaned_data.get("options", ""))
        except ValueError:
            raise forms.ValidationError(
                _("Write options as name=value, separated by commas.")
            ) from None

    @classmethod
    def initial_for(cls, variant, currency: str) -> dict:
        return {
            "id": variant.pk,
            "sku": variant.sku,
            "name": variant.name,
            "options": format_options(variant.options),
            "price": major(variant.price, currency),
            "compare_at_price": major(variant.compare_at_price, currency),
            "weight_grams": variant.weight_grams,
            "barcode": variant.barcode,
            "active": variant.active,
            "serial_tracked": variant.serial_tracked,
        }


VariantFormSet = forms.formset_factory(
    VariantForm,
    extra=0,
    can_delete=True,
    min_num=1,
    validate_min=True,
    max_num=500,
    validate_max=True,
)


class WarehouseForm(forms.Form):
    code = forms.CharField(
        label=_("Code"), max_length=30, help_text=_("Short, lower case: jkt, sby.")
    )
    name = forms.CharField(label=_("Name"), max_length=100)
    address = forms.CharField(
        label=_("Address"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    city = forms.CharField(label=_("City"), max_length=100, required=False)
    district = forms.CharField(label=_("District"), max_length=100, required=False)
    phone = forms.CharField(
        label=_("Contact phone"),
        max_length=30,
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "tel"}),
    )
    active = forms.BooleanField(label=_("Active"), required=False, initial=True)


class ImageForm(forms.Form):
    image = forms.FileField(label=_("Picture"))


class ImportForm(forms.Form):
    file = forms.FileField(label=_("CSV or Excel (.xlsx) file"))
    only_valid = forms.BooleanField(label=_("Import only the valid rows"), required=False)
