"""The owner's first-login page on a shop made by `tokodesk setup` (issue 17): one page with
what setup asked (prefilled) and what it may have left out — the shop's name, region and
languages, the e-mail addresses and a first warehouse. ShopLocaleMiddleware sends the owner
here until it is saved; everything stays editable on the settings page."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from tokodesk.catalog.models import Warehouse
from tokodesk.core import shop_locale
from tokodesk.core.errors import ValidationFailed
from tokodesk.core.models import ShopSettings
from tokodesk.notifications import email_settings
from tokodesk.ops.setup import finish_first_run


class FirstRunForm(shop_locale.ShopLocaleForm, email_settings.CustomerEmailForm):
    shop_name = forms.CharField(
        label=_("Shop name"),
        max_length=120,
        help_text=_("Printed on e-mails, the return slip and the buyer's pages."),
    )
    warehouse_name = forms.CharField(
        label=_("First warehouse"),
        max_length=100,
        required=False,
        help_text=_("Where your stock is; more can be added later."),
    )
    warehouse_city = forms.CharField(label=_("Its city"), max_length=100, required=False)

    field_order = [
        "shop_name",
        "country",
        "currency",
        "staff_language",
        "customer_language",
        "time_zone",
        "phone_region",
        "sender_email",
        "reply_to",
        "warehouse_name",
        "warehouse_city",
    ]

    def __init__(self, *args, has_warehouse: bool, currency_locked: bool, **kwargs):
        super().__init__(*args, **kwargs)
        if has_warehouse:
            del self.fields["warehouse_name"], self.fields["warehouse_city"]
        if currency_locked:
            self.fields["currency"].disabled = True


def _initial() -> dict:
    row = ShopSettings.get()
    return {"shop_name": row.shop_name, **shop_locale.initial(row), **email_settings.initial()}


@login_required
@permission_required("orders.manage_settings", raise_exception=True)
def first_run_view(request):
    has_warehouse = Warehouse.objects.exists()
    options = {"has_warehouse": has_warehouse, "currency_locked": shop_locale.currency_locked()}
    form = FirstRunForm(request.POST or None, initial=_initial(), **options)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            finish_first_run(
                actor=request.user,
                shop_name=data["shop_name"],
                locale={name: data[name] for name in shop_locale.LOCALE_FIELDS},
                mail={name: data[name] for name in email_settings.FIELDS},
                warehouse_name=data.get("warehouse_name", ""),
                warehouse_city=data.get("warehouse_city", ""),
            )
        except ValidationFailed as exc:
            for field, message in exc.fields.items():
                form.add_error(field if field in form.fields else None, message)
            if not exc.fields:
                form.add_error(None, exc.message)
        else:
            messages.success(
                request, _("Your shop is ready. Everything here stays editable in Settings.")
            )
            return redirect(reverse("orders:settings"))
    groups = [
        (_("Your shop"), ["shop_name", "country", "currency"]),
        (
            _("Languages and time"),
            ["staff_language", "customer_language", "time_zone", "phone_region"],
        ),
        (_("E-mails to customers"), ["sender_email", "reply_to"]),
        (_("Stock"), ["warehouse_name", "warehouse_city"]),
    ]
    fieldsets = [
        {"title": title, "fields": [form[name] for name in names if name in form.fields]}
        for title, names in groups
    ]
    return render(
        request,
        "ops/first_run.html",
        {
            "form": form,
            "fieldsets": [f for f in fieldsets if f["fields"]],
            "pending": ShopSettings.get().setup_pending,
        },
    )
