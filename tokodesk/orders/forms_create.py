"""Forms of the manual order page ("Tambah Pesanan"): the customer, shipping and payment in
one form, the product rows as a list of small forms (one per row, in the order posted).

Money is typed in major units of the shop currency (Rp 18.000 is "18000" or "18.000") and
handed to the service in minor units. The service stays the authority: these forms only
catch what they can show next to a field before the service is asked."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal

from django import forms
from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from tokodesk.catalog.models import Stock, Warehouse
from tokodesk.core.errors import ValidationFailed
from tokodesk.core.forms import MoneyField as BaseMoneyField
from tokodesk.core.money import exponent, parse_money
from tokodesk.customers.phones import normalize_phone
from tokodesk.orders.languages import language_choices
from tokodesk.orders.payment_options import method_choices
from tokodesk.orders.services import CustomerInput, LineInput, OrderInput
from tokodesk.orders.states import Channel
from tokodesk.shipping.models import Courier

MAX_LINES = 200
MAX_TAGS = 20
# The service's bounds, in minor units.
MAX_COST = 10**12
MAX_PRICE = 10**13


def major(amount: int | None, currency: str) -> str:
    """Minor units back to what the user would type (no grouping)."""
    if amount is None:
        return ""
    places = exponent(currency)
    return f"{Decimal(amount).scaleb(-places):.{places}f}"


class MoneyField(BaseMoneyField):
    def __init__(self, *, currency: str = "IDR", max_minor: int = MAX_COST, **kwargs):
        super().__init__(currency=currency, max_minor=max_minor, **kwargs)


class OrderCreateForm(forms.Form):
    """Everything of the manual order but the product rows."""

    # 1. customer
    name = forms.CharField(label=_("Name"), max_length=200)
    phone = forms.CharField(label=_("Phone"), max_length=32,
                            widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "off",
                                                          "placeholder": "0812…"}))
    email = forms.EmailField(label=_("E-mail"), required=False, max_length=254)
    address = forms.CharField(label=_("Address"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3}))
    city = forms.CharField(label=_("City"), max_length=100, required=False)
    # Required or not and its shape per the shop's country: checked by order_create.
    postcode = forms.CharField(label=_("Postal code"), max_length=20, required=False,
                               widget=forms.TextInput(attrs={"autocomplete": "off"}))
    # The destination district (shipping.District id, picked in the district search); the
    # free-text city stays for old orders and shops abroad. With a district and no shipping
    # cost typed, the service prices the order from the rate tables.
    destination = forms.IntegerField(required=False, widget=forms.HiddenInput(attrs={"data-picker-value": ""}))
    # 2. products
    warehouse = forms.ChoiceField(label=_("Warehouse"))
    # 3. shipping and payment
    courier = forms.ChoiceField(label=_("Courier"), required=False)
    courier_service = forms.CharField(label=_("Service"), max_length=50, required=False)
    shipping_cost = MoneyField(label=_("Shipping cost"), required=False)
    insurance_cost = MoneyField(label=_("Insurance"), required=False)
    # The shop's active methods (codes; orders.payment_options): the flow follows the method.
    payment_method = forms.ChoiceField(label=_("Payment method"), choices=[], widget=forms.RadioSelect)
    discount = MoneyField(label=_("Discount"), required=False, max_minor=MAX_PRICE)
    # Paid at once from the customer's store credit (orders.store_credit); the phone lookup
    # shows the balance, the service refuses more than the balance or the total.
    store_credit = MoneyField(label=_("Use store credit"), required=False, max_minor=MAX_PRICE,
                              help_text=_("Paid from the customer's store credit: the balance shows "
                                          "when the phone number finds the customer."))
    agent = forms.ChoiceField(label=_("Agent"), required=False)
    # The buyer's language (orders.languages): WhatsApp texts, e-mails and the order link
    # speak it, whoever sends them. Empty: the shop's language for customers.
    language = forms.ChoiceField(label=_("Buyer's language"), required=False,
                                 help_text=_("Messages to the buyer are written in it."))
    tags = forms.CharField(label=_("Tags"), max_length=1100, required=False,
                           help_text=_("Separate tags with commas."))
    # Two notes, never mixed up: the one the courier and the buyer read (the order's
    # customer_note: the buyer's order page, the courier export) and the team's own (an
    # OrderNote on the timeline, never shown outside).
    note = forms.CharField(
        label=_("Note for the courier and the buyer"), max_length=2000, required=False,
        help_text=_("Shown to the buyer on their order page and sent to the courier. "
                    "Example: “Please deliver after 5 pm”."),
        widget=forms.Textarea(attrs={"rows": 2}))
    internal_note = forms.CharField(
        label=_("Internal note (team only)"), max_length=2000, required=False,
        help_text=_("Only your team sees it, on the order's timeline. Never shown to the buyer."),
        widget=forms.Textarea(attrs={"rows": 2}))
    form_token = forms.CharField(required=False, max_length=64, widget=forms.HiddenInput)

    def __init__(self, *args, user, currency: str = "IDR", **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.currency = currency
        self.fields["payment_method"].choices = method_choices()
        url = reverse("orders:create")
        self.fields["phone"].widget.attrs.update({
            "hx-get": f"{url}?lookup_phone=", "hx-trigger": "input changed delay:400ms",
            "hx-target": "#customer-lookup", "hx-swap": "innerHTML", "hx-sync": "this:replace"})
        self.fields["warehouse"].widget.attrs.update({
            "hx-post": f"{url}?part=products", "hx-trigger": "change", "hx-include": "#order-form",
            "hx-target": "#products-step", "hx-swap": "outerHTML"})
        self.fields["courier"].widget.attrs.update({
            "hx-get": f"{url}?part=services", "hx-trigger": "change", "hx-target": "#service-field",
            "hx-swap": "innerHTML"})
        for name in ("shipping_cost", "insurance_cost", "discount"):
            self.fields[name].currency = currency
            self.fields[name].widget.attrs.update(self.fields[name].widget_attrs(self.fields[name].widget))
        self.warehouses = list(Warehouse.objects.filter(active=True).order_by("name"))
        self.fields["warehouse"].choices = [("", _("Choose a warehouse"))] + [(w.code, w.name) for w in self.warehouses]
        self.fields["language"].choices = [("", _("The shop's language for customers"))] + (
            language_choices())
        self.couriers = list(Courier.objects.filter(active=True).order_by("name"))
        self.fields["courier"].choices = [("", "—")] + [(c.code, c.name) for c in self.couriers]
        if user.has_perm("orders.assign_order"):
            agents = get_user_model().objects.filter(groups__name="agent", is_active=True).order_by("username")
            self.fields["agent"].choices = [("", _("Nobody yet"))] + [
                (a.username, a.get_full_name() or a.username) for a in agents]
        else:
            del self.fields["agent"]  # an agent's own order is theirs

    # -- helpers for the template -------------------------------------------------------
    def value_of(self, name: str) -> str:
        if self.is_bound:
            return self.data.get(name, "") or ""
        return self.initial.get(name, "") or ""

    def courier_obj(self) -> Courier | None:
        code = self.value_of("courier")
        return next((c for c in self.couriers if c.code == code), None)

    def district_obj(self):
        from tokodesk.shipping.models import District

        try:
            pk = int(self.value_of("destination") or 0)
        except (TypeError, ValueError):
            return None
        return District.objects.select_related("city", "province").filter(pk=pk).first() if pk else None

    def warehouse_obj(self) -> Warehouse | None:
        code = self.value_of("warehouse")
        return next((w for w in self.warehouses if w.code == code), None)

    # -- cleaning ------------------------------------------------------------------------
    def clean_name(self):
        value = self.cleaned_data["name"].strip()
        if not value:
            raise forms.ValidationError(_("The name is required."))
        return value

    def clean_phone(self):
        try:
            return normalize_phone(self.cleaned_data["phone"])
        except ValidationFailed as exc:
            raise forms.ValidationError(exc.message) from None

    def clean_address(self):
        value = self.cleaned_data["address"].strip()
        if not value:
            raise forms.ValidationError(_("The address is required."))
        return value

    def clean_tags(self):
        tags = []
        for raw in self.cleaned_data["tags"].split(","):
            tag = raw.strip()
            if not tag:
                continue
            if len(tag) > 50:
                raise forms.ValidationError(_("A tag has at most 50 characters."))
            if tag not in tags:
                tags.append(tag)
        if len(tags) > MAX_TAGS:
            raise forms.ValidationError(_("At most %(count)s tags.") % {"count": MAX_TAGS})
        return tags

    def clean(self):
        data = super().clean()
        courier = next((c for c in self.couriers if c.code == data.get("courier")), None)
        service = (data.get("courier_service") or "").strip()
        if service and courier is None:
            self.add_error("courier_service", _("Choose a courier first."))
        elif service and courier.services and service not in courier.services:
            self.add_error("courier_service", _("%(courier)s has no service “%(service)s”.") % {
                "courier": courier.name, "service": service[:50]})
        return data


class LineForm(forms.Form):
    """One product row. The SKU must be stocked in the chosen warehouse."""

    sku = forms.CharField(label=_("Product"), max_length=64,
                          error_messages={"required": _("Choose a product.")})
    qty = forms.IntegerField(label=_("Qty"), min_value=1, max_value=100_000,
                             error_messages={"required": _("Enter a quantity."),
                                             "min_value": _("The quantity must be at least 1."),
                                             "invalid": _("Enter a whole number.")})
    unit_price = MoneyField(label=_("Unit price"), required=False, max_minor=MAX_PRICE)

    def __init__(self, *args, currency: str = "IDR", stocked: dict | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit_price"].currency = currency
        self.stocked = stocked  # sku -> Stock of the chosen warehouse; None: no warehouse yet

    def clean_sku(self):
        sku = self.cleaned_data["sku"].strip()
        if self.stocked is not None and sku not in self.stocked:
            from tokodesk.catalog.models import Variant

            if Variant.objects.filter(sku=sku, active=True, product__active=True).exists():
                raise forms.ValidationError(_("Not stocked in this warehouse."))
            raise forms.ValidationError(_("Unknown product “%(sku)s”.") % {"sku": sku[:64]})
        return sku


def stocked_variants(warehouse: Warehouse | None) -> dict[str, Stock]:
    """The active variants with a Stock row in the warehouse, by SKU, in catalogue order."""
    if warehouse is None:
        return {}
    # The same rows and numbers as the catalog's product page and the landing page.
    from tokodesk.catalog.selectors import stocked_variants as catalog_stocked_variants

    return catalog_stocked_variants(warehouse.pk)


def option_list(stocked: dict[str, Stock], currency: str) -> list[dict]:
    """The product select's options: what the warehouse stocks, with price and availability."""
    return [{"sku": sku, "name": stock.variant.display_name, "price": stock.variant.price,
             "price_major": major(stock.variant.price, currency), "available": stock.available}
            for sku, stock in stocked.items()]


@dataclass
class Row:
    """One posted product row, for the template and the summary."""

    sku: str = ""
    qty: str = "1"
    unit_price: str = ""
    errors: dict = field(default_factory=dict)
    stock: Stock | None = None
    price: int | None = None  # the resolved unit price (minor units), when known
    list_price_major: str = ""  # the variant's price as one would type it (placeholder)
    qty_value: int | None = None

    @property
    def line_total(self) -> int | None:
        if self.price is None or self.qty_value is None:
            return None
        return self.price * self.qty_value


def posted_rows(data) -> list[Row]:
    """The rows in the order posted; rows left entirely blank are dropped."""
    skus, qtys, prices = data.getlist("sku"), data.getlist("qty"), data.getlist("unit_price")
    count = min(max(len(skus), len(qtys), len(prices)), MAX_LINES + 1)
    rows = []
    for i in range(count):
        sku = (skus[i] if i < len(skus) else "")[:64]
        qty = (qtys[i] if i < len(qtys) else "")[:12]
        price = (prices[i] if i < len(prices) else "")[:30]
        if not sku.strip() and not price.strip() and qty.strip() in ("", "1"):
            continue
        rows.append(Row(sku=sku.strip(), qty=qty.strip(), unit_price=price.strip()))
    return rows


def resolve_rows(rows: list[Row], stocked: dict[str, Stock], currency: str) -> None:
    """Best-effort prices and quantities for the live summary (never raises)."""
    for row in rows:
        row.stock = stocked.get(row.sku)
        row.list_price_major = major(row.stock.variant.price, currency) if row.stock else ""
        try:
            row.qty_value = int(row.qty) if row.qty else None
        except ValueError:
            row.qty_value = None
        try:
            override = parse_money(row.unit_price, currency)
        except ValueError:
            override = None
        if override is not None and 0 <= override <= MAX_PRICE:
            row.price = override
        elif row.stock is not None:
            row.price = row.stock.variant.price
        else:
            row.price = None


@dataclass
class Submission:
    """The outcome of validating a POST: an OrderInput or the errors to show."""

    form: OrderCreateForm
    rows: list[Row]
    stocked: dict
    lines_error: str = ""
    order_input: OrderInput | None = None
    row_of_line: list[int] = field(default_factory=list)  # service line index -> row index
    internal_note: str = ""  # the team's note, written as an OrderNote with the order


def validate(data, *, user, currency: str) -> Submission:
    form = OrderCreateForm(data, user=user, currency=currency)
    form_ok = form.is_valid()
    warehouse = form.warehouse_obj()
    stocked = stocked_variants(warehouse)
    rows = posted_rows(data)
    resolve_rows(rows, stocked, currency)
    sub = Submission(form=form, rows=rows, stocked=stocked)
    lines: list[LineInput] = []
    if len(rows) > MAX_LINES:
        sub.lines_error = str(_("At most %(count)s products per order.") % {"count": MAX_LINES})
    elif not rows:
        sub.lines_error = str(_("Add at least one product."))
    for index, row in enumerate(rows[:MAX_LINES]):
        line = LineForm({"sku": row.sku, "qty": row.qty, "unit_price": row.unit_price}, currency=currency,
                        stocked=stocked if warehouse is not None else None)
        if not line.is_valid():
            row.errors = {name: " ".join(str(e) for e in errs) for name, errs in line.errors.items()}
            continue
        lines.append(LineInput(sku=line.cleaned_data["sku"], qty=line.cleaned_data["qty"],
                               unit_price=line.cleaned_data["unit_price"]))
        sub.row_of_line.append(index)
    if not form_ok or sub.lines_error or any(row.errors for row in rows):
        return sub
    cleaned = form.cleaned_data
    sub.order_input = OrderInput(
        customer=CustomerInput(name=cleaned["name"], phone=cleaned["phone"], address=cleaned["address"],
                               email=cleaned["email"], city=cleaned["city"].strip(),
                               postcode=cleaned["postcode"].strip()),
        lines=lines,
        payment_method_code=cleaned["payment_method"],
        warehouse=cleaned["warehouse"],
        courier=cleaned["courier"] or None,
        courier_service=cleaned["courier_service"].strip(),
        # Blank with a district: priced from the rate tables by the service.
        shipping_cost=cleaned["shipping_cost"] if cleaned["shipping_cost"] is not None
        else None if cleaned["destination"] else 0,
        destination=cleaned["destination"] or None,
        insurance_cost=cleaned["insurance_cost"] or 0,
        discount=cleaned["discount"] or 0,
        channel=Channel.MANUAL,
        store_credit=cleaned["store_credit"] or 0,
        agent=cleaned.get("agent") or None,
        tags=cleaned["tags"],
        note=cleaned["note"].strip(),
        language=cleaned.get("language") or "",
    )
    sub.internal_note = cleaned["internal_note"].strip()
    return sub


# Where each error key of the service goes on the page.
CUSTOMER_FIELDS = {"customer.name": "name", "customer.phone": "phone", "customer.email": "email",
                   "customer.address": "address", "customer.city": "city",
                   "customer.postcode": "postcode", "destination": "destination",
                   "payment_method_code": "payment_method"}
FORM_FIELDS = {"warehouse", "courier", "courier_service", "shipping_cost", "insurance_cost", "discount", "store_credit",
               "payment_method", "agent", "tags", "note", "internal_note", "language"}
_LINE_KEY = re.compile(r"^lines\.(\d+)\.(sku|qty|unit_price)$")


def apply_service_errors(sub: Submission, exc) -> list[str]:
    """Put the service's per-field errors next to their fields; returns what has no field."""
    loose = []
    for key, message in (exc.fields or {}).items():
        message = str(message)
        match = _LINE_KEY.match(key)
        if key in CUSTOMER_FIELDS or key in FORM_FIELDS:
            name = CUSTOMER_FIELDS.get(key, key)
            if name in sub.form.fields:
                sub.form.add_error(name, message)
            else:
                loose.append(message)
        elif match and int(match.group(1)) < len(sub.row_of_line):
            row = sub.rows[sub.row_of_line[int(match.group(1))]]
            row.errors[match.group(2)] = message
        elif key == "lines" or key.startswith("lines."):
            sub.lines_error = message
        else:
            loose.append(message)
    return loose
