"""The shop profile on the settings page (core's own section of core.settings_pages): name,
logo, address with district and city (called as in the shop's country: core.addresses),
phone/WhatsApp, e-mail and the bank accounts (a list, in order, each active or not). E-mails, the return slip, labels, landing pages and the
order link print it; the shop's side of a bank refund picks one of its accounts.

The logo goes through the one upload path (core.uploads.clean_upload: an image, re-encoded)
and is served by serve_upload (storefront's shop-logo address)."""

from __future__ import annotations

import re

from django import forms
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from tokodesk.core import settings_pages, shop_locale, uploads
from tokodesk.core.addresses import address_labels
from tokodesk.core.errors import PermissionDenied, ValidationFailed
from tokodesk.core.models import BankAccount, ShopSettings

PHONE_CHARS = re.compile(r"^\+?[0-9 ()-]{6,20}$")
PROFILE_FIELDS = ("shop_name", "address", "district", "city", "province", "postal_code", "phone",
                  "whatsapp", "email")


class ShopProfileForm(forms.ModelForm):
    logo_file = forms.FileField(
        label=_("Logo"), required=False,
        help_text=_("A JPEG, PNG or WebP picture; shown on the return slip and the buyer's pages."),
        widget=forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png,image/webp"}),
    )
    remove_logo = forms.BooleanField(label=_("Remove the logo"), required=False)

    class Meta:
        model = ShopSettings
        fields = PROFILE_FIELDS
        labels = {
            "shop_name": _("Shop name"), "address": _("Street address"),
            "phone": _("Phone"),
            "whatsapp": _("WhatsApp"), "email": _("E-mail"),
        }
        help_texts = {
            "shop_name": _("Printed on e-mails, the return slip and the buyer's pages."),
        }
        widgets = {"address": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["shop_name"].required = True
        self.fields["whatsapp"].help_text = _("The number buyers write to, e.g. %(example)s.") % {
            "example": shop_locale.phone_example(self.instance.phone_region or None)
        }
        labels = address_labels()  # "District (kecamatan)" in Indonesia, "District" elsewhere
        for name in ("district", "city", "province", "postal_code"):
            self.fields[name].label = getattr(labels, name)

    def _phone(self, name):
        value = " ".join(self.cleaned_data.get(name, "").split())
        if value and not PHONE_CHARS.match(value):
            raise forms.ValidationError(
                _("Digits, spaces and + only, e.g. %(example)s.")
                % {"example": shop_locale.phone_example(self.instance.phone_region or None)}
            )
        return value

    def clean_phone(self):
        return self._phone("phone")

    def clean_whatsapp(self):
        return self._phone("whatsapp")

    def clean_logo_file(self):
        file = self.cleaned_data.get("logo_file")
        if not file:
            return None
        try:
            return uploads.clean_upload(file, field="logo_file", allowed=uploads.IMAGES,
                                        max_bytes=2 * 1024 * 1024)
        except ValidationFailed as exc:
            raise forms.ValidationError(exc.fields.get("logo_file") or exc.message) from None


class BankAccountForm(forms.ModelForm):
    class Meta:
        model = BankAccount
        fields = ("bank_name", "account_number", "account_holder", "active")
        labels = {"bank_name": _("Bank"), "account_number": _("Account number"),
                  "account_holder": _("Account holder"), "active": _("Offered")}

    def has_changed(self):
        """A new row left blank is no account (its "Offered" box alone does not make one)."""
        if self.instance.pk is None and not any(
            (self.data.get(self.add_prefix(name)) or "").strip()
            for name in ("bank_name", "account_number", "account_holder")
        ):
            return False
        return super().has_changed()

    def clean_account_number(self):
        value = "".join(self.cleaned_data["account_number"].split())
        if not re.match(r"^[0-9-]{4,40}$", value):
            raise forms.ValidationError(_("Digits only."))
        return value


BankAccountFormSet = forms.modelformset_factory(
    BankAccount, form=BankAccountForm, extra=1, can_delete=True, max_num=20, validate_max=True,
)


class ShopProfile:
    """The profile form and the bank accounts' formset, as one form for the settings page."""

    def __init__(self, data=None, files=None, *, current: ShopSettings):
        self.form = ShopProfileForm(data, files, instance=current, prefix="shop")
        self.accounts = BankAccountFormSet(data, queryset=BankAccount.objects.all(), prefix="bank")
        self.current = current

    def is_valid(self) -> bool:
        return self.form.is_valid() & self.accounts.is_valid()

    def non_field_errors(self):
        return self.form.non_field_errors() + self.accounts.non_form_errors()

    def __iter__(self):
        return iter(self.form)


def make_form(data, files, current):
    return ShopProfile(data, files, current=ShopSettings.get())


@transaction.atomic
def save_profile(profile: ShopProfile, actor) -> ShopSettings:
    """Save the profile, the logo (already cleaned) and the accounts in their new order."""
    if actor is not None and not actor.has_perm("orders.manage_settings"):
        raise PermissionDenied("permission_denied", _("Only the owner can change the settings."))
    row = ShopSettings.objects.select_for_update().get(pk=ShopSettings.get().pk)
    for name in PROFILE_FIELDS:
        setattr(row, name, profile.form.cleaned_data[name])
    logo = profile.form.cleaned_data.get("logo_file")
    if profile.form.cleaned_data.get("remove_logo") and not logo and row.logo:
        row.logo.delete(save=False)
        row.logo = ""
    if logo:
        if row.logo:
            row.logo.delete(save=False)
        row.logo.save(logo.name, logo, save=False)
    row.save()
    position = 0
    for form in profile.accounts.forms:
        if not form.has_changed() and form.instance.pk is None:
            continue
        if form in profile.accounts.deleted_forms:
            if form.instance.pk:
                form.instance.delete()
            continue
        account = form.save(commit=False)
        position += 1
        account.position = position
        account.save()
    return row


def active_accounts() -> list[BankAccount]:
    """The accounts the shop offers (payment instructions, the shop's side of a refund)."""
    return list(BankAccount.objects.filter(active=True))


def register_section() -> None:
    settings_pages.register(settings_pages.SettingsSection(
        key="shop", title=_("Shop profile"), form_class=ShopProfileForm, model=ShopSettings,
        position=10, template="core/settings_shop.html",
        intro=_("Your shop as buyers see it: on e-mails, the return slip, labels, landing pages and "
                "the order link."),
        make_form=make_form, save=lambda profile, actor: save_profile(profile, actor),
    ))


def logo_data_uri(row: ShopSettings | None = None) -> str:
    """The logo as a data: URI (the PDF slip embeds it; no request, no URL), "" without one."""
    import base64

    row = row or ShopSettings.get()
    if not row.logo or uploads.is_quarantined(row.logo):
        return ""
    content_type = uploads.CONTENT_TYPES.get(row.logo.name.rsplit(".", 1)[-1].lower())
    if not content_type or not content_type.startswith("image/"):
        return ""
    try:
        with row.logo.storage.open(row.logo.name, "rb") as fh:
            data = fh.read(3 * 1024 * 1024)
    except OSError:
        return ""
    return f"data:{content_type};base64,{base64.b64encode(data).decode()}"


def profile(row: ShopSettings | None = None) -> dict:
    """What pages, e-mails and slips print of the shop: name, address lines (street,
    district, city with postal code, province), city, phone, WhatsApp, e-mail, whether it
    has a logo, and a one-line contact ("Kota Bandung · WhatsApp 0812… · toko@…")."""
    row = row or ShopSettings.get()
    contact = [row.city] if row.city else []
    if row.whatsapp:
        contact.append(f"WhatsApp {row.whatsapp}")
    elif row.phone:
        contact.append(row.phone)
    if row.email:
        contact.append(row.email)
    return {
        "name": row.display_name,
        "address_lines": row.address_lines,
        "city": row.city,
        "phone": row.phone,
        "whatsapp": row.whatsapp,
        "email": row.email,
        "has_logo": bool(row.logo) and not uploads.is_quarantined(row.logo),
        "contact_line": " · ".join(contact),
    }
