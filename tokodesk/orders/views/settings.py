"""The settings page (owner only): order settings and return settings (SPEC 3.3), each
section its own form and Save button, so saving one never touches the other."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from tokodesk.core.errors import ValidationFailed
from tokodesk.core.models import ShopSettings
from tokodesk.core.services import shop_settings_update


class OrderSettingsForm(forms.Form):
    order_reference_pattern = forms.CharField(
        label=_("Order reference pattern"),
        max_length=40,
        help_text=_(
            "{seq} is the order number, {year} and {month} the date. Example: ORD-{seq:06d}."
        ),
    )
    shipping_deadline_hours = forms.IntegerField(
        label=_("Shipping deadline (hours)"),
        min_value=1,
        max_value=24 * 30,
        help_text=_("Time to ship once an order may ship; later orders show in “Action needed”."),
    )
    cancellation_window_hours = forms.IntegerField(
        label=_("Cancellation requests approved automatically after (hours)"),
        min_value=1,
        max_value=24 * 30,
    )
    auto_complete_days = forms.IntegerField(
        label=_("Delivered orders completed automatically after (days)"), min_value=1, max_value=365
    )
    whatsapp_template = forms.CharField(
        label=_("WhatsApp message"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_(
            "Leave empty for the default message in the user's language. Placeholders: "
            "{name}, {reference}, {total}, {status}, {items}."
        ),
    )


class ReturnSettingsForm(forms.Form):
    """SPEC 3.3's return settings (the cancellation window is with the orders)."""

    returns_enabled = forms.BooleanField(
        label=_("Returns enabled"),
        required=False,
        help_text=_(
            "When off, no new return can be created or requested; returns already open can still be "
            "processed."
        ),
    )
    return_reference_pattern = forms.CharField(
        label=_("Return reference pattern"),
        max_length=40,
        help_text=_(
            "{seq} is the return number, {year} and {month} the date. Example: RMA-{seq:05d}."
        ),
    )
    return_window_days = forms.IntegerField(
        label=_("Return window (days)"),
        min_value=0,
        max_value=365,
        help_text=_(
            "Days after delivery during which a return can be made. Users allowed to override the window "
            "can still create one later; customers cannot."
        ),
    )
    require_responsible = forms.BooleanField(
        label=_("A return needs a responsible user or group"),
        required=False,
        help_text=_(
            "Returns created by the team must name one; a customer's request needs one before it is "
            "approved."
        ),
    )
    edit_completed_returns = forms.BooleanField(
        label=_("Completed returns can be edited"),
        required=False,
        help_text=_(
            "Only the responsible, the target date and the custom state; items, reason and resolution "
            "stay as they were completed."
        ),
    )
    store_credit_automatic = forms.BooleanField(
        label=_("Add store credit automatically"),
        required=False,
        help_text=_(
            "When a store-credit return completes, credit the customer at once. When off, the refund "
            "waits until finance marks it paid."
        ),
    )


SECTIONS = {
    "orders": (OrderSettingsForm, _("Orders")),
    "returns": (ReturnSettingsForm, _("Returns")),
}


def _initial(form_class, current):
    return {name: getattr(current, name) for name in form_class.base_fields}


@login_required
@permission_required("orders.manage_settings", raise_exception=True)
def settings_view(request):
    current = ShopSettings.get()
    # A POST names its section (the orders form did not always, so it is the default).
    posted = request.POST.get("section", "orders") if request.method == "POST" else None
    if posted is not None and posted not in SECTIONS:
        posted = "orders"
    forms_by_section = {}
    for key, (form_class, _title) in SECTIONS.items():
        data = request.POST if key == posted else None
        forms_by_section[key] = form_class(data, initial=_initial(form_class, current))
    if posted is not None:
        form = forms_by_section[posted]
        if form.is_valid():
            try:
                shop_settings_update(actor=request.user, changes=form.cleaned_data)
            except ValidationFailed as exc:
                for field, message in exc.fields.items():
                    form.add_error(field if field in form.fields else None, message)
                if not exc.fields:
                    form.add_error(None, exc.message)
            else:
                messages.success(request, _("Settings saved."))
                return redirect(reverse("orders:settings") + f"#{posted}")
    sections = [
        {"key": key, "title": title, "form": forms_by_section[key]}
        for key, (_c, title) in SECTIONS.items()
    ]
    return render(
        request,
        "orders/settings.html",
        {
            "sections": sections,
            "form": forms_by_section["orders"],
            "nav": "settings",
            "settings": current,
        },
    )
