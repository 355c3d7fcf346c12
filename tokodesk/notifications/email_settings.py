"""The "E-mails to customers" section of the settings page (core.settings_pages): the
customers' default language, the sender and reply-to addresses (issue 17: no admin, no
environment variable). Empty sender: DEFAULT_FROM_EMAIL's address."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from tokodesk.core import settings_pages
from tokodesk.core.errors import PermissionDenied, ValidationFailed
from tokodesk.notifications.models import NotificationSettings

FIELDS = ("customer_language", "sender_email", "reply_to")


class CustomerEmailForm(forms.Form):
    customer_language = forms.ChoiceField(
        label=_("Customers' language"),
        choices=settings.LANGUAGES,
        help_text=_("E-mails, slips and the order link of a customer whose language is not known."),
    )
    sender_email = forms.EmailField(
        label=_("Sender address"),
        required=False,
        help_text=_("The address e-mails come from, under the shop's name."),
    )
    reply_to = forms.EmailField(
        label=_("Reply-to address"),
        required=False,
        help_text=_("Where customers' answers go."),
    )


def initial(row: NotificationSettings | None = None) -> dict:
    from tokodesk.notifications.customers import shop_language

    row = row or NotificationSettings.get()
    return {
        "customer_language": row.customer_language or shop_language(),
        "sender_email": row.sender_email,
        "reply_to": row.reply_to,
    }


@transaction.atomic
def customer_email_update(*, actor, changes: dict) -> NotificationSettings:
    if actor is not None and not actor.has_perm("orders.manage_settings"):
        raise PermissionDenied("permission_denied", _("Only the owner can change the settings."))
    unknown = set(changes) - set(FIELDS)
    if unknown:
        raise ValidationFailed(
            "invalid_input",
            _("These settings cannot be changed here."),
            fields={k: _("Not editable.") for k in unknown},
        )
    if "customer_language" in changes and changes["customer_language"] not in dict(
        settings.LANGUAGES
    ):
        raise ValidationFailed(
            "invalid_input",
            _("Not a language of this shop."),
            fields={"customer_language": _("Not a language of this shop.")},
        )
    NotificationSettings.get()
    row = NotificationSettings.objects.select_for_update().get(pk=1)
    for name, value in changes.items():
        setattr(row, name, (value or "").strip())
    row.full_clean()
    row.save()
    return row


def register_section() -> None:
    settings_pages.register(
        settings_pages.SettingsSection(
            key="customer_email",
            title=_("E-mails to customers"),
            form_class=CustomerEmailForm,
            model=NotificationSettings,
            position=14,
            intro=_(
                "The language customers read by default, and the addresses e-mails come from "
                "and answers go to."
            ),
            make_form=lambda data, files, current: CustomerEmailForm(
                data, initial=initial(current)
            ),
            save=lambda form, actor: customer_email_update(actor=actor, changes=form.cleaned_data),
        )
    )
