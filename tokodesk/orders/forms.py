"""Forms of the order pages. Action forms are built from the transition table's input
models, so a new input on an action shows up in its form without a second copy."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django import forms
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from tokodesk.catalog.models import Warehouse
from tokodesk.core.money import exponent
from tokodesk.core.shop_profile import active_accounts
from tokodesk.core.transitions import Transition
from tokodesk.orders.models import Order
from tokodesk.orders.states import Channel, PaymentMethod, Status
from tokodesk.orders.tabs import TABS
from tokodesk.shipping.models import Courier

MONEY_FIELDS = {"amount", "cash_collected", "store_credit"}
FIELD_LABELS = {
    "shipping_option": _("Courier and shipping cost"),
    "amount": _("Amount"), "paid_on": _("Payment date"), "account": _("Receiving account"),
    "reference": _("Transfer reference"), "reason": _("Reason"), "courier": _("Courier"),
    "service": _("Service"), "awb": _("AWB / tracking number"), "number": _("Invoice number"),
    "due_date": _("Due date"), "payment_link": _("Payment link"), "cash_collected": _("Cash collected"),
}


class ActionForm(forms.Form):
    """Base of the generated action forms: converts money from major units."""

    currency = "IDR"

    def to_inputs(self) -> dict:
        inputs = {}
        for name, value in self.cleaned_data.items():
            if name.startswith("serials_"):  # the ship dialog's serials, one field per line
                inputs.setdefault("serials", []).append(
                    {"line": int(name.removeprefix("serials_")), "serial_numbers": split_serials(value)})
                continue
            if name == "proof" or value in (None, ""):
                continue
            if name in MONEY_FIELDS:
                value = int((Decimal(value) * (10 ** exponent(self.currency))).to_integral_value())
            elif isinstance(value, dt.date):
                value = value.isoformat()
            inputs[name] = value
        return inputs

    def uploads(self) -> dict:
        """The files the service stores (the proof of transfer)."""
        proof = self.cleaned_data.get("proof")
        return {"proof": proof} if proof else {}

    def clean_proof(self):
        """The proof through the one upload check (type from the content, images
        re-encoded, PDFs parsed); never the client's name or Content-Type."""
        from tokodesk.core.errors import ValidationFailed
        from tokodesk.core.uploads import clean_upload

        proof = self.cleaned_data.get("proof")
        if proof:
            try:
                proof = clean_upload(proof, field="proof")
            except ValidationFailed as exc:
                raise forms.ValidationError(exc.message) from None
        return proof


def split_serials(text: str) -> list[str]:
    """Serial numbers typed or scanned: one per line (commas and semicolons too)."""
    return [s.strip() for s in (text or "").replace(",", "\n").replace(";", "\n").splitlines() if s.strip()]


class ShipForm(ActionForm):
    """The ship dialog with the serials of serial-tracked lines not recorded yet: a refusal
    on `serials.<i>…` is shown on that line's field, the dialog stays open."""

    serial_lines: list = []

    def add_service_error(self, exc) -> None:
        names = [f"serials_{line.pk}" for line in self.serial_lines]
        for key, message in (exc.fields or {}).items():
            parts = key.split(".")
            if parts[0] == "serials" and len(parts) >= 2 and parts[1].isdigit() and int(parts[1]) < len(names):
                self.add_error(names[int(parts[1])], str(message))
            elif key in self.fields:
                self.add_error(key, str(message))
            else:
                self.add_error(None, str(message))
        if not exc.fields:
            self.add_error(None, str(exc.message))


def serial_fields(order) -> tuple[list, dict[str, forms.Field]]:
    """The serial-tracked lines of `order` whose serials are not all recorded, and a field
    for each (one serial per unit, typed or scanned)."""
    lines = [line for line in order.lines.select_related("variant").order_by("id")
             if line.variant_id and line.variant.serial_tracked and len(line.serial_numbers) != line.qty]
    fields = {
        f"serials_{line.pk}": forms.CharField(
            label=_("Serial numbers of %(qty)s × %(sku)s (one per line or scan)") % {"qty": line.qty, "sku": line.sku},
            required=True, max_length=20000, initial="\n".join(line.serial_numbers),
            widget=forms.Textarea(attrs={"rows": min(max(line.qty, 2), 8), "data-serials": line.sku}))
        for line in lines
    }
    return lines, fields


def shipping_option_field(order, label):
    """Confirming an order with a destination district but no courier or shipping cost:
    the couriers and services that ship there, with their prices, cheapest first (None
    when the order needs no choice)."""
    if order.destination_district_id is None or (order.courier_id and order.shipping_cost):
        return None
    from tokodesk.core.money import format_money
    from tokodesk.shipping.quote import order_weight_grams, quote

    options = quote(order.destination_district_id, order_weight_grams(list(order.lines.all())),
                    warehouse=order.warehouse, payment_method=order.payment_method, value=order.subtotal)
    choices = [(f"{o.courier}:{o.service}",
                _("%(courier)s %(service)s — %(price)s (%(days)s days)") % {
                    "courier": o.courier_name, "service": o.service,
                    "price": format_money(o.price, order.currency), "days": o.eta_label})
               for o in options]
    return forms.ChoiceField(label=label, required=True, choices=choices,
                             initial=choices[0][0] if choices else None, widget=forms.RadioSelect)


def action_form_class(transition: Transition, order) -> type[ActionForm] | None:
    """A Django form for the action's inputs, or None when it takes none."""
    model = transition.inputs
    fields: dict[str, forms.Field] = {}
    serial_lines: list = []
    for name, info in (model.model_fields.items() if model else ()):
        if name == "version":
            continue
        required = info.is_required()
        label = FIELD_LABELS.get(name, name.replace("_", " ").capitalize())
        annotation = str(info.annotation)
        max_length = next((m.max_length for m in info.metadata if hasattr(m, "max_length")), None)
        if name == "shipping_option":
            field = shipping_option_field(order, label)
            if field is not None:
                fields[name] = field
            continue
        if name == "serials":
            serial_lines, more = serial_fields(order)
            fields.update(more)
            continue
        if name == "courier":
            fields[name] = forms.ChoiceField(
                label=label, required=required,
                choices=[(c.code, c.name) for c in Courier.objects.filter(active=True).order_by("name")],
                initial=order.courier.code if order.courier_id else None)
        elif name == "account" and (accounts := active_accounts()):
            # The shop's side: one of the accounts of its profile (the API takes any text).
            fields[name] = forms.ChoiceField(
                label=label, required=required,
                choices=[("", "—")] + [(str(a), str(a)) for a in accounts],
                initial=str(accounts[0]) if len(accounts) == 1 else None)
        elif name in MONEY_FIELDS:
            places = exponent(order.currency)
            due = Decimal(order.outstanding).scaleb(-places)
            fields[name] = forms.DecimalField(label=label, required=required, min_value=0, decimal_places=places,
                                              initial=due)
        elif "date" in annotation:
            fields[name] = forms.DateField(label=label, required=required,
                                           widget=forms.DateInput(attrs={"type": "date"}))
        elif name == "reason":
            fields[name] = forms.CharField(label=label, required=required, max_length=max_length,
                                           widget=forms.Textarea(attrs={"rows": 3}))
        else:
            fields[name] = forms.CharField(label=label, required=required, max_length=max_length)
    if transition.action == "confirm_payment":
        fields["proof"] = forms.FileField(label=_("Proof of transfer"), required=False,
                                          widget=forms.ClearableFileInput(attrs={"accept": "image/*,application/pdf"}))
    from tokodesk.orders.store_credit import adapt_action_form

    adapt_action_form(transition, order, fields)  # the customer's balance on the credit field
    if not fields:
        return None
    base = ShipForm if serial_lines else ActionForm
    form_class = type(f"{transition.action.title()}Form", (base,), fields)
    form_class.currency = order.currency
    form_class.serial_lines = serial_lines
    return form_class


class OrderFilterForm(forms.Form):
    """The advanced filters of the orders page; the URL carries them."""

    tab = forms.ChoiceField(choices=[(t, t) for t in TABS], required=False)
    q = forms.CharField(required=False, max_length=100, label=_("Search"))
    status = forms.MultipleChoiceField(choices=Status.choices, required=False, label=_("Status"),
                                       widget=forms.CheckboxSelectMultiple)
    date_from = forms.DateField(required=False, label=pgettext_lazy("date range", "From"), widget=forms.DateInput(attrs={"type": "date"}))
    date_to = forms.DateField(required=False, label=pgettext_lazy("date range", "To"), widget=forms.DateInput(attrs={"type": "date"}))
    agent = forms.ChoiceField(required=False, label=_("Agent"))
    landing_page = forms.ChoiceField(required=False, label=_("Landing page"))
    warehouse = forms.ChoiceField(required=False, label=_("Warehouse"))
    courier = forms.ChoiceField(required=False, label=_("Courier"))
    # The flows, then the shop's other methods ("PayPal"): set in __init__.
    payment_method = forms.ChoiceField(required=False, label=_("Payment method"), choices=[])
    tag = forms.CharField(required=False, max_length=50, label=_("Tag"))
    channel = forms.ChoiceField(required=False, label=_("Channel"), choices=[("", "—"), *Channel.choices])
    min_total = forms.IntegerField(required=False, min_value=0, label=_("Total from"))
    max_total = forms.IntegerField(required=False, min_value=0, label=_("Total to"))
    sort = forms.ChoiceField(required=False, label=_("Sort"), choices=[
        ("-created_at", _("Newest first")), ("created_at", _("Oldest first")),
        ("-total", _("Highest total")), ("total", _("Lowest total")),
        ("deadline", _("Deadline, most urgent first"))])

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        empty = [("", "—")]
        if user is not None and user.has_perm("orders.view_all_orders"):
            agents = get_user_model().objects.filter(groups__name="agent", is_active=True).order_by("username")
            self.fields["agent"].choices = empty + [("none", _("No agent"))] + [
                (a.username, a.get_full_name() or a.username) for a in agents]
        else:
            # Agents see only their own orders: no agent filter to choose from. A link that
            # names another agent (or a mistyped one) selects nothing they may see, so it is
            # an error rather than a filter quietly dropped (which would widen it).
            del self.fields["agent"]
            self.own_username = getattr(user, "username", None)
        pages = Order.landing_page.field.related_model  # storefront's, without importing it
        self.fields["landing_page"].choices = empty + list(pages.objects.order_by("name").values_list("slug", "name"))
        self.fields["warehouse"].choices = empty + list(Warehouse.objects.order_by("name").values_list("code", "name"))
        self.fields["courier"].choices = empty + list(Courier.objects.order_by("name").values_list("code", "name"))
        # A flow filters every method of it; another method ("paypal") filters its own orders.
        methods = Order.payment_option.field.related_model.objects.exclude(code__in=PaymentMethod.values)
        self.fields["payment_method"].choices = empty + list(PaymentMethod.choices) + [
            (m.code, m.display_label) for m in methods.order_by("position", "id")]

    def clean(self):
        cleaned = super().clean()
        if "agent" not in self.fields:
            agent = self.data.get("agent") or ""
            if agent and agent != self.own_username:
                self.add_error(None, _("Unknown agent: %(agent)s. You can filter only your own orders.")
                               % {"agent": agent[:50]})
        return cleaned

    def filter_values(self) -> dict:
        data = {k: v for k, v in self.cleaned_data.items() if k != "sort" and v not in (None, "", [])}
        return data
