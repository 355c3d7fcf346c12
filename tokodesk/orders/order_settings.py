"""The order settings (one row, `OrderSettings.get()`), their form on the settings page and
the section orders registers there (core.settings_pages) in its AppConfig.ready()."""

from __future__ import annotations

from django import forms
from django.db import models
from django.utils.translation import gettext_lazy as _

from tokodesk.core.models import SingletonSettings


class OrderSettings(SingletonSettings):
    """How orders are numbered and timed, and the team's WhatsApp message."""

    order_reference_pattern = models.CharField(
        _("order reference pattern"), max_length=40, default="ORD-{seq:06d}"
    )
    shipping_deadline_hours = models.PositiveIntegerField(
        _("shipping deadline (hours after confirmation)"), default=48
    )
    cancellation_window_hours = models.PositiveIntegerField(
        _("hours before a cancellation request is approved automatically"), default=48
    )
    auto_complete_days = models.PositiveIntegerField(
        _("days after delivery before an order completes automatically"), default=7
    )
    whatsapp_template = models.TextField(blank=True, default="")
    # Bank-transfer orders get a small unique code added to their total (orders.transfer_codes).
    unique_transfer_code = models.BooleanField(
        _("unique code added to bank transfer totals"), default=False
    )

    class Meta:
        app_label = "orders"
        verbose_name = _("order settings")
        verbose_name_plural = _("order settings")


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
    unique_transfer_code = forms.BooleanField(
        label=_("Add a unique code to bank transfer totals"),
        required=False,
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

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        from tokodesk.core.l10n import format_money
        from tokodesk.core.models import ShopSettings
        from tokodesk.orders.transfer_codes import code_range

        currency = ShopSettings.get().currency
        self.fields["unique_transfer_code"].help_text = _(
            "Each new bank-transfer order gets a small code (up to %(most)s) added to its total, "
            "so that finance can match a transfer to its order by the amount alone."
        ) % {"most": format_money(code_range(currency)[-1], currency)}


EDITABLE = {
    "order_reference_pattern": ("pattern",),
    "shipping_deadline_hours": ("int", 1, 24 * 30),
    "cancellation_window_hours": ("int", 1, 24 * 30),
    "auto_complete_days": ("int", 1, 365),
    "whatsapp_template": ("text", 2000),
    "unique_transfer_code": ("bool",),
}


def register_section() -> None:
    from tokodesk.core import settings_pages

    settings_pages.register(settings_pages.SettingsSection(
        key="orders", title=_("Orders"), form_class=OrderSettingsForm, model=OrderSettings,
        editable=EDITABLE, position=20,
    ))
