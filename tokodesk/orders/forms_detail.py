"""Forms of the order detail page: edit order (Ubah Pesanan) with its product lines, the
internal note, tags and change agent. They only read input: the services decide."""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _

from tokodesk.catalog.models import Variant, Warehouse
from tokodesk.core.errors import ValidationFailed
from tokodesk.core.money import exponent
from tokodesk.customers.phones import normalize_phone
from tokodesk.orders.payment_options import method_choices
from tokodesk.shipping.models import Courier

MONEY_FIELDS = ("shipping_cost", "insurance_cost", "discount")
TEXT_FIELDS = ("recipient_name", "recipient_phone", "recipient_email", "destination_address",
               "destination_city", "destination_postcode", "courier_service", "payment_method", "customer_note")
MAX_LINES = 50


def to_minor(value: Decimal | None, currency: str) -> int:
    return int((Decimal(value or 0) * (10 ** exponent(currency))).to_integral_value())


def to_major(amount: int, currency: str) -> Decimal:
    return Decimal(amount).scaleb(-exponent(currency))


def agent_choices(current=None) -> list[tuple[str, str]]:
    """Active users of the agent group (and the current agent, whoever it is)."""
    agents = list(get_user_model().objects.filter(groups__name="agent", is_active=True)
                  .order_by("first_name", "username").distinct())
    if current is not None and current not in agents:
        agents.insert(0, current)
    return [("", _("— No agent —"))] + [(a.username, a.get_full_name() or a.username) for a in agents]


class NoteForm(forms.Form):
    body = forms.CharField(label=_("Note"), max_length=5000, widget=forms.Textarea(attrs={"rows": 3}))


class AssignForm(forms.Form):
    agent = forms.CharField(label=_("Agent"), required=False, max_length=150)
    version = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)


class LineForm(forms.Form):
    sku = forms.CharField(label=_("SKU"), required=False, max_length=64,
                          widget=forms.TextInput(attrs={"list": "variant-skus", "autocomplete": "off"}))
    qty = forms.IntegerField(label=_("Qty"), required=False, min_value=1, max_value=100000,
                             widget=forms.NumberInput(attrs={"min": 1}))

    def clean(self):
        data = super().clean()
        sku = (data.get("sku") or "").strip()
        data["sku"] = sku
        if sku and not data.get("qty") and "qty" not in self.errors:
            self.add_error("qty", _("Type a quantity."))
        if data.get("qty") and not sku and not data.get("DELETE"):
            self.add_error("sku", _("Type a SKU."))
        return data


LineFormSet = forms.formset_factory(LineForm, extra=2, can_delete=True, max_num=MAX_LINES,
                                    validate_max=True)


class OrderEditForm(forms.Form):
    """Ubah Pesanan. Field names are the service's (`order_edit` changes), so its
    per-field errors land next to the right input."""

    version = forms.IntegerField(min_value=1, widget=forms.HiddenInput)
    recipient_name = forms.CharField(label=_("Recipient name"), max_length=200)
    recipient_phone = forms.CharField(label=_("Phone"), max_length=32,
                                      widget=forms.TextInput(attrs={"inputmode": "tel"}))
    recipient_email = forms.EmailField(label=_("E-mail"), required=False)
    destination_address = forms.CharField(label=_("Address"), widget=forms.Textarea(attrs={"rows": 3}))
    destination_city = forms.CharField(label=_("City"), required=False, max_length=100)
    # Checked per the shop's country by order_edit (customers.postcodes).
    destination_postcode = forms.CharField(label=_("Postal code"), required=False, max_length=20,
                                           widget=forms.TextInput(attrs={"autocomplete": "postal-code"}))
    warehouse = forms.ChoiceField(label=_("Warehouse (origin)"), required=False)
    courier = forms.ChoiceField(label=_("Courier"), required=False)
    courier_service = forms.CharField(label=_("Service"), required=False, max_length=50,
                                      widget=forms.TextInput(attrs={"list": "courier-services"}))
    shipping_cost = forms.DecimalField(label=_("Shipping cost"), required=False)
    insurance_cost = forms.DecimalField(label=_("Insurance"), required=False)
    discount = forms.DecimalField(label=_("Discount"), required=False)
    # The shop's methods (codes, orders.payment_options); the order's own even if inactive now.
    payment_method = forms.ChoiceField(label=_("Payment method"), choices=[])
    customer_note = forms.CharField(label=_("Note for the courier and the buyer"), required=False, max_length=2000,
                                    widget=forms.Textarea(attrs={"rows": 2}))
    # The destination district (the district picker fills the id); None removes it.
    destination = forms.IntegerField(required=False, widget=forms.HiddenInput(attrs={"data-picker-value": ""}))
    # Why the shipping cost differs from the rate tables (order_edit asks for it when the
    # order has a district); written on the timeline.
    shipping_cost_reason = forms.CharField(
        label=_("Reason for the shipping cost"), required=False, max_length=500,
        help_text=_("Needed when you change the cost of an order priced from the rate tables."))

    def __init__(self, *args, order, **kwargs):
        self.order = order
        currency = order.currency
        kwargs.setdefault("initial", {
            "version": order.version,
            "recipient_name": order.recipient_name, "recipient_phone": order.recipient_phone,
            "recipient_email": order.recipient_email, "destination_address": order.destination_address,
            "destination_city": order.destination_city, "destination_postcode": order.destination_postcode,
            "warehouse": order.warehouse.code if order.warehouse_id else "",
            "courier": order.courier.code if order.courier_id else "",
            "courier_service": order.courier_service,
            **{name: to_major(getattr(order, name), currency) for name in MONEY_FIELDS},
            "payment_method": order.payment_option.code if order.payment_option_id else order.payment_method,
            "customer_note": order.customer_note,
            "destination": order.destination_district_id,
        })
        super().__init__(*args, **kwargs)
        places = exponent(currency)
        for name in MONEY_FIELDS:  # the currency decides the decimals (IDR none, EUR two)
            self.fields[name] = forms.DecimalField(
                label=self.fields[name].label, required=False, min_value=0, max_digits=15, decimal_places=places,
                widget=forms.NumberInput(attrs={"step": str(Decimal(1).scaleb(-places)), "min": "0"}))
        methods = method_choices()
        own = self.initial.get("payment_method") or order.payment_method
        if own not in {code for code, _label in methods}:
            methods.append((own, order.payment_method_label))
        self.fields["payment_method"].choices = methods
        couriers = list(Courier.objects.filter(active=True).order_by("name"))
        self.fields["courier"].choices = [("", "—")] + [(c.code, c.name) for c in couriers]
        self.courier_services = sorted({s for c in couriers for s in (c.services or []) if isinstance(s, str)})
        self.fields["warehouse"].choices = [("", "—")] + list(
            Warehouse.objects.filter(active=True).order_by("name").values_list("code", "name"))

    def clean_recipient_phone(self):
        """Checked here too, so a bad phone and a bad product show at the same time (the
        service stops at the first stage that fails)."""
        raw = self.cleaned_data.get("recipient_phone", "")
        try:
            return normalize_phone(raw, field="recipient_phone")
        except ValidationFailed as exc:
            raise forms.ValidationError(str(exc.fields.get("recipient_phone") or exc.message)) from None

    def changes(self) -> dict:
        """What to hand to `order_edit` (money in minor units)."""
        data = self.cleaned_data
        order = self.order
        changes = {name: (data.get(name) or "").strip() if name != "payment_method" else data[name]
                   for name in TEXT_FIELDS}
        changes["payment_method_code"] = changes.pop("payment_method")  # a method's code; its flow follows
        for name in MONEY_FIELDS:
            changes[name] = to_minor(data.get(name), order.currency)
        changes["courier"] = data.get("courier") or None
        if (data.get("destination") or None) != order.destination_district_id:
            changes["destination"] = data.get("destination") or None
        current_warehouse = order.warehouse.code if order.warehouse_id else ""
        if (data.get("warehouse") or "") != current_warehouse and data.get("warehouse"):
            changes["warehouse"] = data["warehouse"]
        return changes


def variant_options():
    return (Variant.objects.filter(active=True, product__active=True).select_related("product")
            .order_by("product__name", "sku"))


def line_changes(formset, order) -> tuple[list[dict] | None, list[int]]:
    """The new lines (or None when they did not change) and, for each, the index of the
    formset row it came from (to put the service's `lines.<i>.sku` error on that row).
    A line that stays keeps its price on the order."""
    rows, index = [], []
    for i, form in enumerate(formset.forms):
        data = getattr(form, "cleaned_data", None) or {}
        if not data or data.get("DELETE") or not data.get("sku"):
            continue
        rows.append((data["sku"], data["qty"]))
        index.append(i)
    current = list(order.lines.all())
    if rows == [(line.sku, line.qty) for line in current]:
        return None, index
    prices = {line.sku: line.unit_price for line in current}
    lines = []
    for sku, qty in rows:
        line = {"sku": sku, "qty": qty}
        if sku in prices:
            line["unit_price"] = prices[sku]
        lines.append(line)
    return lines, index


def check_skus(formset) -> bool:
    """Mark rows whose SKU is not an active product (the service says the same, but only
    after the recipient checks pass). True when every row is known."""
    rows = [f for f in formset.forms
            if getattr(f, "cleaned_data", None) and f.cleaned_data.get("sku") and not f.cleaned_data.get("DELETE")]
    known = set(variant_options().filter(sku__in={f.cleaned_data["sku"] for f in rows}).values_list("sku", flat=True))
    ok = True
    for form in rows:
        if form.cleaned_data["sku"] not in known:
            form.add_error("sku", _("Unknown product “%(sku)s”.") % {"sku": form.cleaned_data["sku"][:64]})
            ok = False
    return ok
