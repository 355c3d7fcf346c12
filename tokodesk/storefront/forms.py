"""The buyer's order form on a landing page, the buyer's return request on the order link,
and the owner's landing page form."""

from __future__ import annotations

from django import forms
from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _

from tokodesk.catalog.models import Product, Stock, Warehouse
from tokodesk.core import shop_locale, uploads
from tokodesk.core.addresses import address_labels
from tokodesk.core.errors import DomainError, ValidationFailed
from tokodesk.customers.phones import normalize_phone
from tokodesk.customers.postcodes import clean_postcode, rule_for
from tokodesk.orders.payment_options import method_choices
from tokodesk.returns.services import MAX_UPLOAD, ReturnInput, ReturnLineInput
from tokodesk.returns.states import Resolution
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
    # Required or not, and its shape, per the shop's country (customers.postcodes).
    postcode = forms.CharField(label=_("Postal code"), max_length=20, required=False)
    # The destination district (shipping.District id), picked in the search box above the
    # address; shipping is priced from it (storefront/views/shipping.py).
    district = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)
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
        rule = rule_for()
        labels = address_labels()  # the examples of the shop's country (an Indonesian street …)
        self.fields["postcode"].required = rule.required
        self.fields["postcode"].error_messages["required"] = _("Required.")
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
            "address": {"autocomplete": "street-address", "placeholder": labels.street_placeholder},
            "city": {"autocomplete": "address-level2",
                     **({"placeholder": labels.city_placeholder} if labels.city_placeholder else {})},
            "postcode": {"autocomplete": "postal-code", "placeholder": rule.example,
                         **({"inputmode": "numeric"} if rule.pattern.startswith(r"\d") else {})},
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

    def clean_postcode(self):
        try:
            return clean_postcode(self.cleaned_data.get("postcode"), field="postcode")
        except ValidationFailed as exc:
            raise forms.ValidationError(exc.fields["postcode"]) from exc

    def clean_phone(self):
        raw = self.cleaned_data["phone"]
        try:
            normalize_phone(raw)
        except ValidationFailed as exc:
            raise forms.ValidationError(
                _("“%(phone)s” is not a valid phone number. Example: %(example)s.")
                % {"phone": raw[:32], "example": shop_locale.phone_example()}
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
                                 postcode=d.get("postcode") or "",
                                 sku=d["variant"], qty=d["qty"], payment_method=d["payment_method"],
                                 note=d["note"].strip(), destination=d.get("district"))

    def apply_service_error(self, exc) -> list[str]:
        """Put the service's per-field messages next to the fields; what has no field is returned."""
        loose = []
        mapping = {"customer.name": "name", "customer.phone": "phone", "customer.address": "address",
                   "customer.postcode": "postcode",
                   "destination": "district",
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


# --- the buyer's return request (order link) ------------------------------------------------

# What a buyer may ask for. exchange_other stays with the seller: it needs items picked and
# a price difference settled, which the buyer can describe in the message instead.
CUSTOMER_RESOLUTIONS = (Resolution.REFUND, Resolution.STORE_CREDIT, Resolution.EXCHANGE_SAME)
RESOLUTION_HINTS = {
    Resolution.REFUND: _("Your money back for the returned items."),
    Resolution.STORE_CREDIT: _("Points for your next order at this shop."),
    Resolution.EXCHANGE_SAME: _("The same item again, sent to you at no charge."),
}
MAX_PHOTOS_PER_LINE = 3
OTHER_REASON = "other"  # offered when the owner's list has no reason taking the buyer's words


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class PhotosField(forms.FileField):
    """Up to MAX_PHOTOS_PER_LINE photos (JPG, PNG, WebP) of at most 10 MB each."""

    widget = MultipleFileInput(attrs={"accept": "image/jpeg,image/png,image/webp"})

    def __init__(self, **kwargs):
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)

    def clean(self, data, initial=None):
        files = [f for f in (data if isinstance(data, list | tuple) else [data]) if f]
        if len(files) > MAX_PHOTOS_PER_LINE:
            raise forms.ValidationError(_("At most %(count)s photos per item.") % {"count": MAX_PHOTOS_PER_LINE})
        for file in files:
            if file.size is not None and file.size > MAX_UPLOAD:
                raise forms.ValidationError(_("“%(name)s” is larger than 10 MB.") % {"name": file.name[:80]})
        cleaned = []
        for file in files:
            # The one upload check: the type from the content, the photo encoded again
            # (nothing after the picture, no GPS), a name the server makes.
            try:
                cleaned.append(uploads.clean_upload(file, field="photos", allowed=uploads.IMAGES))
            except ValidationFailed:
                raise forms.ValidationError(
                    _("“%(name)s” is not a photo: send JPG, PNG or WebP.") % {"name": file.name[:80]}) from None
        return cleaned


class ReturnRequestForm(forms.Form):
    """The buyer's "Request a return": per returnable line a quantity (at most what is left
    to return) and photos; a reason from the owner's list (with the buyer's own words when
    the reason needs them); the resolution they would like; a message.

    The buyer's words and message become the return's reason text: the seller reads it on
    the return and it is printed on the return slip (seed 000: the reason's details are on
    the slip)."""

    form_token = forms.CharField(widget=forms.HiddenInput, max_length=200, required=False)
    reason = forms.ChoiceField(label=_("Reason"), widget=forms.RadioSelect)
    reason_text = forms.CharField(
        label=_("Describe the reason"), max_length=300, required=False,
        widget=forms.Textarea(attrs={"rows": 2, "maxlength": 300}))
    resolution = forms.ChoiceField(label=_("Resolution"), widget=forms.RadioSelect)
    message = forms.CharField(
        label=_("Message to the seller"), max_length=1000, required=False,
        widget=forms.Textarea(attrs={"rows": 3, "maxlength": 1000,
                                     "placeholder": _("e.g. the seam opened after the first wash")}))

    def __init__(self, *args, returnable, reasons, **kwargs):
        """`returnable`: [(order line, quantity that can still be returned)];
        `reasons`: the owner's active ReturnReasons, in their order."""
        super().__init__(*args, **kwargs)
        self.returnable = [(line, left) for line, left in returnable]
        self.reasons = {r.code: r for r in reasons}
        choices = [(r.code, r.display_label) for r in reasons]
        if not any(r.needs_text for r in reasons):
            choices.append((OTHER_REASON, _("Other")))
        self.fields["reason"].choices = choices
        self.fields["reason"].error_messages.update({
            "required": _("Choose the reason for the return."),
            "invalid_choice": _("Choose one of the reasons shown."),
        })
        self.fields["resolution"].choices = [(r.value, r.label) for r in CUSTOMER_RESOLUTIONS]
        self.fields["resolution"].error_messages.update({
            "required": _("Choose what you would like instead."),
            "invalid_choice": _("Choose one of the options shown."),
        })
        self.line_rows = []
        single = len([1 for _line, left in self.returnable if left > 0]) == 1
        for line, left in self.returnable:
            if left <= 0:
                self.line_rows.append({"line": line, "left": 0})
                continue
            qty_name, photos_name = f"qty_{line.pk}", f"photos_{line.pk}"
            self.fields[qty_name] = forms.IntegerField(
                label=_("Quantity"), min_value=0, max_value=left, required=False,
                initial=1 if single and left == 1 else 0,
                widget=forms.NumberInput(attrs={"inputmode": "numeric", "min": 0, "max": left}),
                error_messages={
                    "invalid": _("Enter a whole number."),
                    "min_value": _("The quantity cannot be negative."),
                    "max_value": _("At most %(limit_value)s of this item can be returned."),
                })
            self.fields[photos_name] = PhotosField(label=_("Photos"))
            self.line_rows.append({"line": line, "left": left, "qty": self[qty_name], "photos": self[photos_name]})

    @property
    def needs_text_codes(self) -> list[str]:
        codes = [code for code, r in self.reasons.items() if r.needs_text]
        return codes or [OTHER_REASON]

    def chosen_lines(self) -> list[tuple]:
        """[(order line, qty, photos)] of the lines the buyer returns, in the order's order."""
        out = []
        for row in self.line_rows:
            if not row["left"]:
                continue
            qty = self.cleaned_data.get(f"qty_{row['line'].pk}") or 0
            if qty > 0:
                out.append((row["line"], qty, self.cleaned_data.get(f"photos_{row['line'].pk}") or []))
        return out

    def clean(self):
        data = super().clean()
        if not any(name in self.errors for name in self.fields if name.startswith("qty_")):
            if not self.chosen_lines():
                self.add_error(None, forms.ValidationError(
                    _("Choose at least one item to return (set its quantity)."), code="no_items"))
        for row in self.line_rows:
            if row["left"] and data.get(f"photos_{row['line'].pk}") and not data.get(f"qty_{row['line'].pk}"):
                self.add_error(f"photos_{row['line'].pk}",
                               _("These photos are for an item you do not return: set its quantity."))
        reason = data.get("reason")
        if reason in self.needs_text_codes and not (data.get("reason_text") or "").strip():
            self.add_error("reason_text", _("Please describe the reason in a few words."))
        return data

    @property
    def no_items_error(self) -> str:
        return " ".join(e.message for e in self.non_field_errors().as_data() if e.code == "no_items")

    def return_input(self, order) -> ReturnInput:
        d = self.cleaned_data
        words, message = d["reason_text"].strip(), d["message"].strip()
        reason = d["reason"]
        text = "\n".join(p for p in (words, message) if p)
        if reason == OTHER_REASON and OTHER_REASON not in self.reasons:
            # No reason of the owner's list takes words: the service files them under "other".
            return ReturnInput(order=order.reference, reason=text, reason_text="",
                               resolution=d["resolution"], lines=self._line_inputs())
        return ReturnInput(order=order.reference, reason=reason, reason_text=text,
                           resolution=d["resolution"], lines=self._line_inputs())

    def _line_inputs(self) -> list[ReturnLineInput]:
        return [ReturnLineInput(line=line.pk, qty=qty) for line, qty, _photos in self.chosen_lines()]

    def photos(self) -> list[tuple]:
        """(SKU, file) pairs for the service; a SKU on two lines of the order goes to the
        whole return instead of a guess."""
        skus = [line.sku for line, _left in self.returnable]
        return [(line.sku if skus.count(line.sku) == 1 else None, file)
                for line, _qty, files in self.chosen_lines() for file in files]

    def apply_service_error(self, exc: DomainError) -> list[str]:
        """The service's per-field messages next to the fields; what has no field is returned."""
        chosen = [line for line, _qty, _photos in self.chosen_lines()]
        loose = []
        for key, message in (exc.fields or {}).items():
            parts = key.split(".")
            field = None
            if parts[0] == "lines" and len(parts) == 3 and parts[1].isdigit() and int(parts[1]) < len(chosen):
                field = f"qty_{chosen[int(parts[1])].pk}"
            elif key in ("reason", "reason_text", "resolution"):
                field = key
            if field is None:
                loose.append(str(message))
            else:
                self.add_error(field, str(message))
        if exc.fields and loose:
            loose.insert(0, str(exc.message))
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
        choices=[],  # the shop's active methods of the landing flows (orders.payment_options)
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
        self.fields["payment_methods"].choices = method_choices(flows=LANDING_PAYMENT_METHODS)
        self.fields["product"].queryset = Product.objects.filter(active=True).order_by("name")
        self.fields["warehouse"].queryset = Warehouse.objects.filter(active=True).order_by("name")
        self.fields["warehouse"].required = True
        self.fields["warehouse"].empty_label = "—"
        self.fields["product"].empty_label = "—"
        # Choosing the product or the warehouse shows what each variant has available there.
        refresh = {"hx-get": reverse("storefront:manage_availability"), "hx-trigger": "change",
                   "hx-target": "#lp-availability", "hx-swap": "outerHTML",
                   "hx-include": "#id_product, #id_warehouse",
                   "hx-sync": "closest form:replace"}  # the last choice's answer wins
        self.fields["product"].widget.attrs.update(refresh)
        self.fields["warehouse"].widget.attrs.update(refresh)
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
        return [code for code, _label in self.fields["payment_methods"].choices if code in chosen]

    def clean(self):
        data = super().clean()
        product, warehouse = data.get("product"), data.get("warehouse")
        if product and warehouse and not Stock.objects.filter(
                warehouse=warehouse, variant__product=product, variant__active=True).exists():
            self.add_error("warehouse", _("%(warehouse)s does not stock %(product)s.") % {
                "warehouse": warehouse.name, "product": product.name})
        return data
