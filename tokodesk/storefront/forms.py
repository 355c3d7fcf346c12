"""The buyer's order form on a landing page, and the owner's landing page form."""

from __future__ import annotations

from django import forms
from django.contrib.auth import get_user_model
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _

from tokodesk.catalog.models import Product, Stock, Warehouse
from tokodesk.core.errors import ValidationFailed
from tokodesk.customers.phones import normalize_phone
from tokodesk.storefront.models import LandingPage
from tokodesk.storefront.services import (
    LANDING_PAYMENT_METHODS,
    LandingOrderInput,
    payment_choices,
    variant_options,
)

HONEYPOT = "website"  # hidden from people; robots fill every field they see
MAX_QTY = 999


class LandingOrderForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    phone = forms.CharField(label=_("Phone / WhatsApp"), max_length=32)
    address = forms.CharField(label=_("Full address"), max_length=1000,
                              widget=forms.Textarea(attrs={"rows": 3}))
    city = forms.CharField(label=_("City"), max_length=100, required=False)
    variant = forms.ChoiceField(label=_("Variant"), widget=forms.RadioSelect)
    qty = forms.IntegerField(label=_("Quantity"), min_value=1, max_value=MAX_QTY, initial=1)
    payment_method = forms.ChoiceField(label=_("Payment method"), widget=forms.RadioSelect)
    note = forms.CharField(label=_("Note"), max_length=500, required=False,
                           widget=forms.Textarea(attrs={"rows": 2}))
    form_token = forms.CharField(widget=forms.HiddenInput, max_length=100, required=False)

    def __init__(self, *args, page: LandingPage, **kwargs):
        super().__init__(*args, **kwargs)
        self.page = page
        self.options = variant_options(page)
        self.fields["variant"].choices = [(o.sku, o.label) for o in self.options if o.in_stock]
        self.fields["variant"].error_messages["invalid_choice"] = _("This variant is out of stock.")
        self.fields["variant"].error_messages["required"] = _("Choose a variant.")
        self.fields["payment_method"].choices = payment_choices(page)
        self.fields["payment_method"].error_messages.update({
            "required": _("Choose a payment method."),
            "invalid_choice": _("Choose one of the payment methods shown."),
        })
        self.fields["name"].error_messages["required"] = _("Please enter your name.")
        self.fields["phone"].error_messages["required"] = _("Please enter your phone number.")
        self.fields["address"].error_messages["required"] = _("Please enter the delivery address.")
        self.fields["qty"].error_messages.update({
            "required": _("Enter a quantity."), "invalid": _("Enter a whole number."),
            "min_value": _("The quantity must be at least 1."),
            "max_value": _("At most %(limit_value)s per order."),
        })
        attrs = {
            "name": {"autocomplete": "name", "placeholder": _("e.g. Siti Rahayu")},
            "phone": {"autocomplete": "tel", "inputmode": "tel", "type": "tel", "placeholder": "08xx xxxx xxxx"},
            "address": {"autocomplete": "street-address",
                        "placeholder": _("Street, house number, RT/RW, village, district, postal code")},
            "city": {"autocomplete": "address-level2", "placeholder": _("e.g. Bandung")},
            "qty": {"inputmode": "numeric", "min": 1, "max": MAX_QTY},
            "note": {"placeholder": _("e.g. call before delivery")},
        }
        for name, extra in attrs.items():
            self.fields[name].widget.attrs.update(extra)
        if len(self.fields["payment_method"].choices) == 1 and not self.is_bound:
            self.initial.setdefault("payment_method", self.fields["payment_method"].choices[0][0])
        in_stock = [o for o in self.options if o.in_stock]
        if in_stock and not self.is_bound:
            self.initial.setdefault("variant", in_stock[0].sku)  # one tap less: the first one in stock

    def clean_name(self):
        value = self.cleaned_data["name"].strip()
        if not value:
            raise forms.ValidationError(_("Please enter your name."))
        return value

    def clean_address(self):
        value = self.cleaned_data["address"].strip()
        if len(value) < 10:
            raise forms.ValidationError(_("Please enter the full address (street, number, district)."))
        return value

    def clean_phone(self):
        raw = self.cleaned_data["phone"]
        try:
            normalize_phone(raw)
        except ValidationFailed as exc:
            raise forms.ValidationError(
                _("“%(phone)s” is not a valid phone number. Example: 0812 3456 7890.") % {"phone": raw[:32]}
            ) from exc
        return raw.strip()

    def clean(self):
        data = super().clean()
        option = next((o for o in self.options if o.sku == data.get("variant")), None)
        qty = data.get("qty")
        if option is not None and qty and qty > option.available:
            self.add_error("qty", _("Only %(count)s left in stock.") % {"count": option.available})
        return data

    def order_input(self) -> LandingOrderInput:
        d = self.cleaned_data
        return LandingOrderInput(name=d["name"], phone=d["phone"], address=d["address"], city=d["city"].strip(),
                                 sku=d["variant"], qty=d["qty"], payment_method=d["payment_method"],
                                 note=d["note"].strip())

    def apply_service_error(self, exc) -> list[str]:
        """Put the service's per-field messages next to the fields; what has no field is returned."""
        loose = []
        mapping = {"customer.name": "name", "customer.phone": "phone", "customer.address": "address",
                   "variant": "variant", "qty": "qty", "payment_method": "payment_method"}
        for key, message in (exc.fields or {}).items():
            field = mapping.get(key) or (key if key in self.fields else None)
            if field is None or key.startswith("lines."):
                loose.append(str(message))
            elif field not in self.errors or str(message) not in self.errors[field]:
                self.add_error(field, str(message))
        if not exc.fields:
            loose.append(str(exc.message))
        return loose


def _agent_queryset():
    return get_user_model().objects.filter(groups__name="agent", is_active=True).order_by("first_name", "username")


class AgentChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj):
        full = obj.get_full_name()
        return f"{full} ({obj.username})" if full else obj.username


class LandingPageForm(forms.ModelForm):
    slug = forms.SlugField(label=_("Address (slug)"), max_length=100, required=False,
                           help_text=_("The page is at /p/<slug>/. Leave empty to make it from the name."))
    payment_methods = forms.MultipleChoiceField(
        label=_("Payment methods buyers may choose"), widget=forms.CheckboxSelectMultiple,
        choices=[(m.value, m.label) for m in LANDING_PAYMENT_METHODS],
        error_messages={"required": _("Allow at least one payment method.")},
    )
    image_url = forms.URLField(label=_("Image URL"), max_length=500, required=False, assume_scheme="https",
                               help_text=_("Optional: a product photo (https://…)."))
    agents = AgentChoiceField(label=_("Agents (orders go to them in turn)"), queryset=_agent_queryset(),
                              widget=forms.CheckboxSelectMultiple, required=False)

    class Meta:
        model = LandingPage
        fields = ["name", "slug", "product", "warehouse", "image_url", "agents", "payment_methods",
                  "payment_instructions", "active"]
        labels = {"name": _("Name"), "product": _("Product"), "warehouse": _("Warehouse"),
                  "payment_instructions": _("Payment instructions (bank transfer)"),
                  "active": _("Active: buyers can order on this page")}
        help_texts = {
            "payment_instructions": _("Shown on the thank-you page of bank-transfer orders: your bank "
                                      "accounts and how to send the receipt."),
        }
        widgets = {"payment_instructions": forms.Textarea(attrs={"rows": 7})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["agents"].queryset = _agent_queryset()
        self.fields["product"].queryset = Product.objects.filter(active=True).order_by("name")
        self.fields["warehouse"].queryset = Warehouse.objects.filter(active=True).order_by("name")
        self.fields["warehouse"].required = True
        self.fields["warehouse"].empty_label = "—"
        self.fields["product"].empty_label = "—"
        if not self.is_bound and self.instance.pk:
            self.initial["payment_methods"] = list(self.instance.payment_methods or [])

    def clean_slug(self):
        slug = self.cleaned_data.get("slug") or slugify(self.data.get("name", ""))[:100]
        if not slug:
            raise forms.ValidationError(_("Enter an address for the page."))
        clash = LandingPage.objects.filter(slug=slug).exclude(pk=self.instance.pk)
        if clash.exists():
            raise forms.ValidationError(_("Another landing page already uses this address."))
        return slug

    def clean_payment_methods(self):
        chosen = set(self.cleaned_data["payment_methods"])
        return [m.value for m in LANDING_PAYMENT_METHODS if m.value in chosen]

    def clean(self):
        data = super().clean()
        product, warehouse = data.get("product"), data.get("warehouse")
        if product and warehouse and not Stock.objects.filter(
                warehouse=warehouse, variant__product=product, variant__active=True).exists():
            self.add_error("warehouse", _("%(warehouse)s does not stock %(product)s.") % {
                "warehouse": warehouse.name, "product": product.name})
        return data
