"""The order settings page (owner only)."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy as _

from tokodesk.core.errors import ValidationFailed
from tokodesk.core.models import ShopSettings
from tokodesk.core.services import shop_settings_update


class OrderSettingsForm(forms.Form):
    order_reference_pattern = forms.CharField(
        label=_("Order reference pattern"), max_length=40,
        help_text=_("{seq} is the order number, {year} and {month} the date. Example: ORD-{seq:06d}."))
    shipping_deadline_hours = forms.IntegerField(
        label=_("Shipping deadline (hours)"), min_value=1, max_value=24 * 30,
        help_text=_("Time to ship once an order may ship; later orders show in “Action needed”."))
    cancellation_window_hours = forms.IntegerField(
        label=_("Cancellation requests approved automatically after (hours)"), min_value=1, max_value=24 * 30)
    auto_complete_days = forms.IntegerField(
        label=_("Delivered orders completed automatically after (days)"), min_value=1, max_value=365)
    whatsapp_template = forms.CharField(
        label=_("WhatsApp message"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Leave empty for the default message in the user's language. Placeholders: "
                    "{name}, {reference}, {total}, {status}, {items}."))


@login_required
@permission_required("orders.manage_settings", raise_exception=True)
def settings_view(request):
    current = ShopSettings.get()
    initial = {name: getattr(current, name) for name in OrderSettingsForm.base_fields}
    form = OrderSettingsForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            shop_settings_update(actor=request.user, changes=form.cleaned_data)
        except ValidationFailed as exc:
            for field, message in exc.fields.items():
                form.add_error(field if field in form.fields else None, message)
        else:
            messages.success(request, _("Settings saved."))
            return redirect("orders:settings")
    return render(request, "orders/settings.html", {"form": form, "nav": "settings", "settings": current})
