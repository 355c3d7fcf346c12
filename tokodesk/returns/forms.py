"""Forms of the return pages. Simple action forms are generated from the return table's
input models (like the order pages'), so a new input on an action shows up without a second
copy; receive and complete take something per line and are built by hand here. Every form
only turns the browser's fields into the inputs the services take: the rules stay there."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

from django import forms
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tokodesk.accounts.roles import group_label
from tokodesk.catalog.models import Warehouse
from tokodesk.core.money import exponent
from tokodesk.core.transitions import Transition
from tokodesk.orders.forms_detail import variant_options
from tokodesk.orders.states import PaymentMethod
from tokodesk.returns import selectors, services
from tokodesk.returns.forms_extra import (
    add_extra_fields,
    clean_extra,
    extra_field_for,
    extra_inputs,
    extra_rows,
)
from tokodesk.returns.resolutions import default_refund_method
from tokodesk.returns.states import Condition, Decision, RefundMethod, Resolution, Status

FIELD_LABELS = {
    "message": _("Message to the customer"), "target_date": _("Target date"), "reason": _("Reason"),
}
TEXTAREAS = {"message", "reason"}
# Actions whose inputs are per line: their forms are below, not generated.
HAND_BUILT = {"receive", "complete"}
EXCHANGE_ROWS = 3
MAX_FILE_BYTES = services.MAX_UPLOAD
FILE_ACCEPT = "application/pdf,image/png,image/jpeg,image/webp"


def date_input() -> forms.DateInput:
    # <input type="date"> takes only ISO dates, whatever the language.
    return forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"})


def to_minor(value, currency: str) -> int:
    return int((Decimal(value) * (10 ** exponent(currency))).to_integral_value())


def to_major(amount: int, currency: str) -> Decimal:
    return Decimal(amount).scaleb(-exponent(currency))


def money_field(label, currency: str, *, required=False, initial=None, allow_negative=False) -> forms.DecimalField:
    places = exponent(currency)
    return forms.DecimalField(label=label, required=required, decimal_places=places, max_digits=15,
                              min_value=None if allow_negative else Decimal(0), initial=initial,
                              widget=forms.NumberInput(attrs={"step": "1" if not places else "0.01"}))


def split_serials(text: str) -> list[str]:
    return [s.strip() for s in re.split(r"[,\n;]+", text or "") if s.strip()]


def file_field(label, *, required=False) -> forms.FileField:
    return forms.FileField(label=label, required=required,
                           widget=forms.ClearableFileInput(attrs={"accept": FILE_ACCEPT}))


class ServiceErrorsMixin:
    """Puts the services' field messages (`lines.0.qty`, `bank_name` …) next to the inputs
    they are about; `field_for` maps a service key to a form field name."""

    def field_for(self, key: str) -> str | None:
        return key if key in self.fields else None

    def add_service_error(self, exc) -> None:
        self.add_error(None, str(exc.message))
        for key, message in (exc.fields or {}).items():
            self.add_error(self.field_for(key), str(message))


# --- generated action forms ----------------------------------------------------------------


class ActionForm(ServiceErrorsMixin, forms.Form):
    def to_inputs(self) -> dict:
        inputs = {}
        for name, value in self.cleaned_data.items():
            if name == "label" or value in (None, ""):
                continue
            inputs[name] = value.isoformat() if isinstance(value, dt.date) else value
        return inputs

    def uploads(self) -> dict:
        label = self.cleaned_data.get("label")
        return {"label": label} if label else {}

    def clean_label(self):
        label = self.cleaned_data.get("label")
        if label and label.size > MAX_FILE_BYTES:
            raise forms.ValidationError(_("The file is larger than 10 MB."))
        return label


def action_form_class(transition: Transition) -> type[ActionForm] | None:
    """A Django form for the action's inputs, or None when it takes none (receive and
    complete have their own forms)."""
    if transition.action in HAND_BUILT:
        return None
    model = transition.inputs
    fields: dict[str, forms.Field] = {}
    for name, info in (model.model_fields.items() if model else ()):
        if name == "version":
            continue
        required = info.is_required()
        label = FIELD_LABELS.get(name, name.replace("_", " ").capitalize())
        max_length = next((m.max_length for m in info.metadata if hasattr(m, "max_length")), None)
        if "date" in str(info.annotation):
            fields[name] = forms.DateField(label=label, required=required,
                                           widget=date_input())
        elif name in TEXTAREAS:
            fields[name] = forms.CharField(label=label, required=required, max_length=max_length,
                                           widget=forms.Textarea(attrs={"rows": 3}))
        else:
            fields[name] = forms.CharField(label=label, required=required, max_length=max_length)
    if transition.action == "approve":
        # The return label the customer prints (Envoyer l'étiquette); it goes with the e-mail.
        fields["label"] = file_field(_("Return label (PDF or image)"))
    if not fields:
        return None
    return type(f"{transition.action.title()}Form", (ActionForm,), fields)


def with_custom_states(form: ActionForm | None, ret, transition: Transition) -> ActionForm | None:
    """The hold / resume dialog picks among the custom states of the status the return goes
    to (InvenTree's "custom state" on hold); without any, the field goes (and resume is a
    confirmation step again)."""
    if form is None or "custom_state" not in form.fields:
        return form
    from tokodesk.returns.states import hold_target

    target = hold_target(ret)
    states = [s for s in selectors.custom_states().filter(active=True) if s.status == target]
    if not states:
        del form.fields["custom_state"]
        return form if form.fields else None
    form.fields["custom_state"] = forms.TypedChoiceField(
        label=_("Custom state"), required=False, coerce=int, empty_value=None,
        choices=[("", str(Status(target).label))] + [(str(s.pk), s.label) for s in states],
        help_text=_("Shown in the list instead of the status."))
    form.order_fields(["custom_state"])
    return form


def needs_input(transition) -> bool:
    if transition.action in HAND_BUILT:
        return True
    return action_form_class(transition) is not None


# --- receive (Item Retur Diterima) -----------------------------------------------------------


# The services' names of a line's inputs → the prefix of the form's per-line fields.
LINE_KEYS = {"qty": "qty", "condition": "condition", "serial_numbers": "serials", "decision": "decision"}


class LineFormMixin(ServiceErrorsMixin):
    """Per-line fields are named `<field>_<line id>`; the service names them by their index
    in the inputs' `lines`, kept in `self.line_index`."""

    line_index: list[int]

    def field_for(self, key: str) -> str | None:
        parts = key.split(".")
        if parts[0] == "lines" and len(parts) == 3 and parts[1].isdigit() and int(parts[1]) < len(self.line_index):
            key = LINE_KEYS.get(parts[2], "qty")
            name = f"{key}_{self.line_index[int(parts[1])]}"
            return name if name in self.fields else None
        return super().field_for(key)

    def rows(self) -> list[dict]:
        return [{"line": line, **{key: self[f"{key}_{line.pk}"] for key in self.line_keys
                                 if f"{key}_{line.pk}" in self.fields}}
                for line in self.lines]


class ReceiveForm(LineFormMixin, forms.Form):
    warehouse = forms.ChoiceField(label=_("Restock to warehouse"), required=False)
    message = forms.CharField(label=_("Message to the customer"), required=False, max_length=5000,
                              widget=forms.Textarea(attrs={"rows": 2}))
    line_keys = ("qty", "condition", "serials")

    def __init__(self, *args, ret, **kwargs):
        super().__init__(*args, **kwargs)
        self.ret = ret
        self.lines = list(ret.lines.all())
        self.line_index = []
        warehouses = Warehouse.objects.filter(active=True).order_by("name")
        self.fields["warehouse"].choices = [(w.code, w.name) for w in warehouses]
        self.fields["warehouse"].initial = ret.order.warehouse.code if ret.order.warehouse_id else None
        for line in self.lines:
            self.fields[f"qty_{line.pk}"] = forms.IntegerField(
                label=_("Received"), min_value=0, max_value=line.qty, initial=line.qty,
                widget=forms.NumberInput(attrs={"class": "qty"}))
            self.fields[f"condition_{line.pk}"] = forms.ChoiceField(
                label=_("Condition"), choices=Condition.choices, initial=Condition.RESELLABLE)
            self.fields[f"serials_{line.pk}"] = forms.CharField(
                label=_("Serial numbers"), required=False, max_length=5000,
                initial=", ".join(line.serial_numbers or []))

    def to_inputs(self) -> dict:
        data = self.cleaned_data
        lines = []
        self.line_index = []
        for line in self.lines:
            item = {"line": line.pk, "qty": data[f"qty_{line.pk}"], "condition": data[f"condition_{line.pk}"]}
            serials = split_serials(data.get(f"serials_{line.pk}", ""))
            if serials or line.serial_numbers:
                item["serial_numbers"] = serials
            lines.append(item)
            self.line_index.append(line.pk)
        inputs = {"lines": lines}
        if data.get("warehouse"):
            inputs["warehouse"] = data["warehouse"]
        if data.get("message"):
            inputs["message"] = data["message"]
        return inputs


# --- complete --------------------------------------------------------------------------------


class CompleteForm(LineFormMixin, forms.Form):
    message = forms.CharField(label=_("Message to the customer"), required=False, max_length=5000,
                              widget=forms.Textarea(attrs={"rows": 2}))
    line_keys = ("decision", "qty")

    def __init__(self, *args, ret, **kwargs):
        super().__init__(*args, **kwargs)
        self.ret = ret
        self.currency = ret.currency
        self.all_lines = list(ret.lines.all())
        # Only what arrived is decided on; a line not received is refused by the service.
        self.lines = [line for line in self.all_lines if line.qty_received]
        self.not_received = [line for line in self.all_lines if not line.qty_received]
        self.line_index = []
        for line in self.lines:
            self.fields[f"decision_{line.pk}"] = forms.ChoiceField(
                label=_("Decision"), choices=Decision.choices, initial=Decision.ACCEPT,
                widget=forms.RadioSelect)
            self.fields[f"qty_{line.pk}"] = forms.IntegerField(
                label=_("Accepted"), min_value=0, max_value=line.qty_received, initial=line.qty_received,
                required=False, widget=forms.NumberInput(attrs={"class": "qty"}))
        resolution = ret.resolution
        if resolution == Resolution.REFUND:
            self.fields["refund_method"] = forms.ChoiceField(
                label=_("Refund method"), initial=default_refund_method(ret.order),
                choices=[(v, label) for v, label in RefundMethod.choices if v != RefundMethod.STORE_CREDIT])
        if resolution in (Resolution.REFUND, Resolution.STORE_CREDIT):
            self.fields["refund_amount"] = money_field(_("Amount (leave empty: the accepted items' value)"),
                                                       self.currency)
        if resolution == Resolution.REFUND:
            self.fields["bank_name"] = forms.CharField(label=_("Customer's bank"), required=False, max_length=100)
            self.fields["account_number"] = forms.CharField(label=_("Account number"), required=False,
                                                            max_length=50)
            self.fields["account_holder"] = forms.CharField(label=_("Account holder"), required=False,
                                                            max_length=200)
        if resolution == Resolution.EXCHANGE_OTHER:
            choices = [("", "—")] + [(v.sku, f"{v.display_name} ({v.sku})") for v in variant_options()]
            wanted = list(ret.exchange_items or [])
            for i in range(max(EXCHANGE_ROWS, len(wanted))):
                item = wanted[i] if i < len(wanted) else {}
                self.fields[f"exchange_sku_{i}"] = forms.ChoiceField(label=_("Product"), choices=choices,
                                                                     required=False, initial=item.get("sku"))
                self.fields[f"exchange_qty_{i}"] = forms.IntegerField(label=_("Qty"), min_value=1,
                                                                      max_value=100_000, required=False,
                                                                      initial=item.get("qty", 1))
            self.exchange_count = max(EXCHANGE_ROWS, len(wanted))
            self.fields["payment_method"] = forms.ChoiceField(
                label=_("How the customer pays a difference"), required=False,
                choices=[("", _("As the order"))] + list(PaymentMethod.choices))

    def exchange_rows(self):
        return [(self[f"exchange_sku_{i}"], self[f"exchange_qty_{i}"]) for i in range(getattr(self, "exchange_count", 0))]

    def field_for(self, key: str) -> str | None:
        parts = key.split(".")
        if parts[0] == "exchange_lines":
            if len(parts) == 3 and parts[1].isdigit():
                name = f"exchange_{'qty' if parts[2] == 'qty' else 'sku'}_{self.exchange_index[int(parts[1])]}" \
                    if int(parts[1]) < len(getattr(self, "exchange_index", [])) else None
                return name if name in self.fields else None
            return "exchange_sku_0" if "exchange_sku_0" in self.fields else None
        return super().field_for(key)

    def to_inputs(self) -> dict:
        data = self.cleaned_data
        lines = []
        self.line_index = []
        for line in self.lines:
            decision = data[f"decision_{line.pk}"]
            item = {"line": line.pk, "decision": decision}
            if decision == Decision.ACCEPT and data.get(f"qty_{line.pk}") is not None:
                item["qty"] = data[f"qty_{line.pk}"]
            lines.append(item)
            self.line_index.append(line.pk)
        inputs: dict = {"lines": lines}
        if not lines:
            # Nothing arrived: every line is refused.
            inputs["lines"] = [{"line": line.pk, "decision": Decision.REFUSE} for line in self.all_lines]
            self.line_index = [line.pk for line in self.all_lines]
        # The customer's bank details belong to a bank transfer only: typed before the
        # method was switched to cash, they are dropped, not stored on a cash refund.
        bank = data.get("refund_method") == RefundMethod.BANK_TRANSFER
        for name in ("refund_method", "bank_name", "account_number", "account_holder", "payment_method", "message"):
            if data.get(name) and (bank or name not in BANK_FIELDS):
                inputs[name] = data[name]
        if data.get("refund_amount") not in (None, ""):
            inputs["refund_amount"] = to_minor(data["refund_amount"], self.currency)
        if self.ret.resolution == Resolution.EXCHANGE_OTHER:
            exchange, self.exchange_index = [], []
            for i in range(self.exchange_count):
                sku = data.get(f"exchange_sku_{i}")
                if sku:
                    exchange.append({"sku": sku, "qty": data.get(f"exchange_qty_{i}") or 1})
                    self.exchange_index.append(i)
            if exchange:
                inputs["exchange_lines"] = exchange
        return inputs


# The customer's bank account: asked (and kept) for a bank-transfer refund only.
BANK_FIELDS = ("bank_name", "account_number", "account_holder")


# --- create a return (Tambah) ---------------------------------------------------------------


def responsible_choices() -> list[tuple[str, str]]:
    users = get_user_model().objects.filter(is_active=True).order_by("first_name", "username")
    groups = Group.objects.order_by("name")
    team = _("team")
    return [("", "—")] + [
        (f"user:{u.username}", u.get_full_name() or u.username) for u in users
    ] + [(f"group:{g.name}", f"{group_label(g.name)} ({team})") for g in groups]


def responsible_value(ret) -> str:
    if ret.responsible_user_id:
        return f"user:{ret.responsible_user.username}"
    if ret.responsible_group_id:
        return f"group:{ret.responsible_group.name}"
    return ""


def split_responsible(value: str) -> tuple[str | None, str | None]:
    kind, _sep, name = (value or "").partition(":")
    if kind == "user" and name:
        return name, None
    if kind == "group" and name:
        return None, name
    return None, None


class OrderLookupForm(forms.Form):
    order = forms.CharField(label=_("Order ID or invoice number"), max_length=100)


class ReturnCreateForm(LineFormMixin, forms.Form):
    """Alasan Pelanggan, Resolusi Retur, the items and quantities (only what can still be
    returned), who is responsible and by when."""

    reason = forms.ChoiceField(label=_("Customer's reason"))
    reason_text = forms.CharField(label=_("Reason details (the customer's words)"), required=False,
                                  max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))
    resolution = forms.ChoiceField(label=_("Resolution"), choices=Resolution.choices, widget=forms.RadioSelect)
    responsible = forms.ChoiceField(label=_("Responsible"), required=False)
    target_date = forms.DateField(label=_("Target date"), required=False,
                                  widget=date_input())
    line_keys = ("qty", "serials")

    def __init__(self, *args, order, returnable, **kwargs):
        super().__init__(*args, **kwargs)
        self.order = order
        self.currency = order.currency
        self.lines = [line for line, _left in returnable]
        self.left = {line.pk: left for line, left in returnable}
        self.line_index = []
        self.fields["reason"].choices = [("", "—")] + [(r.code, r.display_label) for r in selectors.return_reasons()]
        self.fields["responsible"].choices = responsible_choices()
        for line, left in returnable:
            self.fields[f"qty_{line.pk}"] = forms.IntegerField(
                label=_("Qty to return"), min_value=0, max_value=left, initial=0, required=False,
                disabled=left == 0, widget=forms.NumberInput(attrs={"class": "qty"}))
            self.fields[f"serials_{line.pk}"] = forms.CharField(label=_("Serial numbers"), required=False,
                                                                max_length=5000, disabled=left == 0)
        add_extra_fields(self, self.currency)
        choices = [("", "—")] + [(v.sku, f"{v.display_name} ({v.sku})") for v in variant_options()]
        for i in range(EXCHANGE_ROWS):
            self.fields[f"exchange_sku_{i}"] = forms.ChoiceField(label=_("Product"), choices=choices, required=False)
            self.fields[f"exchange_qty_{i}"] = forms.IntegerField(label=_("Qty"), min_value=1, max_value=100_000,
                                                                  required=False, initial=1)

    def rows(self):
        rows = super().rows()
        for row in rows:
            row["left"] = self.left[row["line"].pk]
        return rows

    def fee_rows(self):
        return extra_rows(self)

    def exchange_rows(self):
        return [(self[f"exchange_sku_{i}"], self[f"exchange_qty_{i}"]) for i in range(EXCHANGE_ROWS)]

    def field_for(self, key: str) -> str | None:
        if key in ("responsible_user", "responsible_group"):
            return "responsible"
        if key == "lines":
            return None
        parts = key.split(".")
        if parts[0] == "extra_lines":
            return extra_field_for(self, parts)
        if parts[0] == "exchange_items" and len(parts) == 3 and parts[1].isdigit():
            i = self.exchange_index[int(parts[1])] if int(parts[1]) < len(self.exchange_index) else None
            name = f"exchange_{'qty' if parts[2] == 'qty' else 'sku'}_{i}"
            return name if name in self.fields else None
        return super().field_for(key)

    def clean(self):
        data = super().clean()
        if not any(data.get(f"qty_{line.pk}") for line in self.lines):
            raise forms.ValidationError(_("Pick at least one item and its quantity."))
        clean_extra(self, data)
        return data

    def to_input(self) -> services.ReturnInput:
        data = self.cleaned_data
        lines, self.line_index = [], []
        for line in self.lines:
            qty = data.get(f"qty_{line.pk}")
            if qty:
                lines.append(services.ReturnLineInput(line=line.pk, qty=qty,
                                                      serial_numbers=split_serials(data.get(f"serials_{line.pk}"))))
                self.line_index.append(line.pk)
        fees = extra_inputs(self, self.currency)
        exchange, self.exchange_index = [], []
        if data.get("resolution") == Resolution.EXCHANGE_OTHER:
            for i in range(EXCHANGE_ROWS):
                if data.get(f"exchange_sku_{i}"):
                    exchange.append(services.ExchangeItemInput(sku=data[f"exchange_sku_{i}"],
                                                               qty=data.get(f"exchange_qty_{i}") or 1))
                    self.exchange_index.append(i)
        user, group = split_responsible(data.get("responsible"))
        return services.ReturnInput(
            order=self.order.reference, reason=data["reason"], reason_text=data.get("reason_text", ""),
            resolution=data["resolution"], lines=lines, responsible_user=user, responsible_group=group,
            target_date=data.get("target_date"), extra_lines=fees, exchange_items=exchange,
        )


# --- edit: responsible, target date, custom state ----------------------------------------------


class ReturnEditForm(ServiceErrorsMixin, forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    responsible = forms.ChoiceField(label=_("Responsible"), required=False)
    target_date = forms.DateField(label=_("Target date"), required=False,
                                  widget=date_input())
    custom_state = forms.ChoiceField(label=_("Custom state"), required=False)

    def __init__(self, *args, ret, states, **kwargs):
        super().__init__(*args, **kwargs)
        self.ret = ret
        self.fields["responsible"].choices = responsible_choices()
        self.fields["responsible"].initial = responsible_value(ret)
        self.fields["target_date"].initial = ret.target_date
        self.fields["version"].initial = ret.version
        # Inactive states are not offered, but the one the return shows stays selectable.
        mine = [s for s in states if s.status == ret.status and (s.active or s.pk == ret.custom_state_id)]
        if mine or ret.custom_state_id:
            self.fields["custom_state"].choices = [("", str(Status(ret.status).label))] + [
                (str(s.pk), s.label) for s in mine]
            self.fields["custom_state"].initial = str(ret.custom_state_id or "")
        else:
            del self.fields["custom_state"]

    def field_for(self, key: str) -> str | None:
        if key in ("responsible_user", "responsible_group"):
            return "responsible"
        return super().field_for(key)

    def changes(self) -> dict:
        data, ret, changes = self.cleaned_data, self.ret, {}
        if data.get("responsible", "") != responsible_value(ret):
            user, group = split_responsible(data.get("responsible"))
            changes.update(responsible_user=user, responsible_group=group)
        if data.get("target_date") != ret.target_date:
            changes["target_date"] = data.get("target_date")
        if "custom_state" in self.fields and (data.get("custom_state") or "") != str(ret.custom_state_id or ""):
            changes["custom_state"] = int(data["custom_state"]) if data.get("custom_state") else None
        return changes


# --- photos, refunds --------------------------------------------------------------------------


class PhotoForm(forms.Form):
    file = file_field(_("Photo"), required=True)
    line = forms.TypedChoiceField(label=_("Item"), required=False, coerce=int, empty_value=None)

    def __init__(self, *args, ret, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["line"].choices = [("", _("The whole return"))] + [
            (str(line.pk), f"{line.name} ({line.sku})") for line in ret.lines.all()]


class MarkPaidForm(forms.Form):
    paid_on = forms.DateField(label=_("Transfer date"), required=False, widget=date_input())
    proof = file_field(_("Proof of transfer"))
    reference = forms.CharField(label=_("Transfer reference"), required=False, max_length=200)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["paid_on"].initial = timezone.localdate()


class GoodwillForm(ServiceErrorsMixin, forms.Form):
    """A refund or store credit without a return (finance)."""

    amount = forms.DecimalField(label=_("Amount"), min_value=Decimal(0), max_digits=15)
    method = forms.ChoiceField(label=_("Method"), choices=RefundMethod.choices, widget=forms.RadioSelect,
                               initial=RefundMethod.STORE_CREDIT)
    bank_name = forms.CharField(label=_("Customer's bank"), required=False, max_length=100)
    account_number = forms.CharField(label=_("Account number"), required=False, max_length=50)
    account_holder = forms.CharField(label=_("Account holder"), required=False, max_length=200)
    reference = forms.CharField(label=_("Reference"), required=False, max_length=200)
    note = forms.CharField(label=_("Note"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, order, **kwargs):
        super().__init__(*args, **kwargs)
        self.currency = order.currency
        places = exponent(order.currency)
        self.fields["amount"].decimal_places = places
        self.fields["amount"].widget.attrs["step"] = "1" if not places else "0.01"

    def inputs(self) -> dict:
        data = self.cleaned_data
        bank = data["method"] == RefundMethod.BANK_TRANSFER
        return {"amount": to_minor(data["amount"], self.currency), "method": data["method"],
                **{k: data.get(k, "") for k in ("reference", "note")},
                **{k: data.get(k, "") if bank else "" for k in BANK_FIELDS}}


# --- the list's filters -----------------------------------------------------------------------


class ReturnFilterForm(forms.Form):
    """The filters of the returns page; the URL carries them (the tab is `status`)."""

    status = forms.ChoiceField(choices=[("", "")] + list(Status.choices), required=False, label=_("Status"))
    q = forms.CharField(required=False, max_length=100, label=_("Search"))
    custom_state = forms.ChoiceField(required=False, label=_("Custom state"))
    resolution = forms.ChoiceField(required=False, label=_("Resolution"),
                                   choices=[("", "—"), *Resolution.choices])
    responsible = forms.ChoiceField(required=False, label=_("Responsible"))
    date_from = forms.DateField(required=False, label=_("Requested from"),
                                widget=date_input())
    date_to = forms.DateField(required=False, label=_("Requested to"), widget=date_input())
    target_from = forms.DateField(required=False, label=_("Target from"),
                                  widget=date_input())
    target_to = forms.DateField(required=False, label=_("Target to"), widget=date_input())
    sort = forms.ChoiceField(required=False, label=_("Sort"), choices=[
        ("-created_at", _("Newest first")), ("created_at", _("Oldest first"))])

    def __init__(self, *args, states=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["custom_state"].choices = [("", "—")] + [
            (str(s.pk), f"{s.label} · {Status(s.status).label}") for s in states]
        self.fields["responsible"].choices = [("", "—"), ("none", _("Nobody"))] + responsible_choices()[1:]

    def filter_values(self) -> dict:
        data = {k: v for k, v in self.cleaned_data.items() if k != "sort" and v not in (None, "", [])}
        if "status" in data:
            data["status"] = [data["status"]]
        return data
