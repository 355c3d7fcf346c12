"""The return settings (SPEC 3.3; one row, `ReturnSettings.get()`), their form on the settings
page and the section returns registers there (core.settings_pages) in its AppConfig.ready()."""

from __future__ import annotations

from django import forms
from django.db import models
from django.utils.translation import gettext_lazy as _

from tokodesk.core.models import SingletonSettings


class ReturnSettings(SingletonSettings):
    """How returns are numbered, who may make them and for how long (InvenTree's
    RETURNORDER_* settings)."""

    return_reference_pattern = models.CharField(
        _("return reference pattern"), max_length=40, default="RMA-{seq:05d}"
    )
    return_window_days = models.PositiveIntegerField(_("return window (days)"), default=14)
    returns_enabled = models.BooleanField(_("returns enabled"), default=True)
    require_responsible = models.BooleanField(
        _("a return needs a responsible user or group"), default=False
    )
    edit_completed_returns = models.BooleanField(_("completed returns can be edited"), default=False)
    store_credit_automatic = models.BooleanField(
        _("store credit is added to the customer's balance when a return completes"), default=True
    )

    class Meta:
        app_label = "returns"
        verbose_name = _("return settings")
        verbose_name_plural = _("return settings")


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


EDITABLE = {
    "returns_enabled": ("bool",),
    "return_reference_pattern": ("pattern",),
    "require_responsible": ("bool",),
    "edit_completed_returns": ("bool",),
    "return_window_days": ("int", 0, 365),
    "store_credit_automatic": ("bool",),
}


def register_section() -> None:
    from tokodesk.core import settings_pages

    settings_pages.register(settings_pages.SettingsSection(
        key="returns", title=_("Returns"), form_class=ReturnSettingsForm, model=ReturnSettings,
        editable=EDITABLE, position=30,
        intro=_("How returns are numbered, who may make them and how long after delivery. The "
                "cancellation window is with the order settings above."),
    ))
    # The reasons and custom states: a link to their own page (views/lists.py, issue 17).
    from django import forms

    settings_pages.register(settings_pages.SettingsSection(
        key="return_lists", title=_("Return reasons and custom states"), form_class=forms.Form,
        model=ReturnSettings, position=31, template="returns/_lists_settings_section.html",
        page="returns:lists", make_form=lambda data, files, current: forms.Form(),
    ))
