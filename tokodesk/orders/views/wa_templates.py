"""The owner's WhatsApp templates (issue 12, item 13), a section of the settings page with
pages of its own: the list per language and purpose, a template's form with a live preview
(htmx: the text filled with a sample order as the owner types; an unknown {variable} is
named at once), delete. Writes go through orders.wa_templates."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from tokodesk.core.errors import DomainError
from tokodesk.core.models import ShopSettings
from tokodesk.core.money import format_money
from tokodesk.orders import wa_templates
from tokodesk.orders.models import Order
from tokodesk.orders.states import PaymentMethod
from tokodesk.orders.wa_templates import VARIABLES, Purpose, WhatsAppTemplate
from tokodesk.orders.whatsapp import payment_instructions

PERMISSION = "orders.manage_settings"


class TemplateForm(forms.Form):
    purpose = forms.ChoiceField(label=gettext_lazy("Message for"), choices=Purpose.choices)
    language = forms.ChoiceField(label=gettext_lazy("Language"), choices=settings.LANGUAGES)
    name = forms.CharField(
        label=gettext_lazy("Name"),
        max_length=80,
        help_text=gettext_lazy("For the team: shown in the order page's list."),
    )
    body = forms.CharField(
        label=gettext_lazy("Message"),
        max_length=wa_templates.MAX_BODY,
        widget=forms.Textarea(attrs={"rows": 10, "data-wa-body": ""}),
    )

    def clean_body(self):
        body = self.cleaned_data["body"]
        unknown = wa_templates.unknown_variables(body)
        if unknown:
            raise forms.ValidationError(wa_templates.unknown_message(unknown))
        return body


def sample_values(language: str) -> dict[str, str]:
    """A made-up order's values for the preview, in `language`, with the shop's name and
    bank accounts."""
    currency = ShopSettings.get().currency
    order = Order(
        payment_method=PaymentMethod.BANK_TRANSFER, total=318000, paid_total=0, currency=currency
    )
    with translation.override(language):
        return {
            "name": "Siti Rahayu",
            "reference": "ORD-000123",
            "items": "- 2 × Madu Hutan – 500 ml\n- 1 × Kaos Polos – M",
            "address": "Jl. Melati 5, Coblong, Kota Bandung",
            "shipping_cost": format_money(18000, currency),
            "total": format_money(318000, currency),
            "payment_instructions": payment_instructions(order, language),
            "order_link": "https://toko.example/o/…",
            "awb": "JNE0123456789",
            "tracking_link": "https://www.jne.co.id/tracking?awb=JNE0123456789",
            "shop_name": ShopSettings.get().display_name,
        }


def _preview(body: str, language: str) -> dict:
    unknown = wa_templates.unknown_variables(body)
    if unknown:
        return {"error": wa_templates.unknown_message(unknown), "text": ""}
    code = language if language in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE
    return {"error": "", "text": wa_templates.fill(body, sample_values(code))}


@login_required
@permission_required(PERMISSION, raise_exception=True)
def template_list_view(request):
    rows = list(WhatsAppTemplate.objects.all())
    languages = []
    for code, label in settings.LANGUAGES:
        purposes = []
        for value, purpose_label in Purpose.choices:
            mine = [t for t in rows if t.language == code and t.purpose == value]
            purposes.append(
                {
                    "value": value,
                    "label": purpose_label,
                    "templates": mine,
                    "builtin": None if mine else wa_templates.builtin(value, code),
                }
            )
        languages.append({"code": code, "label": label, "purposes": purposes})
    return render(request, "orders/wa_templates.html", {"nav": "settings", "languages": languages})


@login_required
@permission_required(PERMISSION, raise_exception=True)
def template_edit_view(request, template_id=None):
    template = None
    if template_id is not None:
        template = WhatsAppTemplate.objects.filter(pk=template_id).first()
        if template is None:
            raise Http404
    if request.method == "POST":
        form = TemplateForm(request.POST)
        if form.is_valid():
            try:
                wa_templates.template_save(
                    actor=request.user, template_id=template_id, **form.cleaned_data
                )
            except DomainError as exc:
                for field, message in (exc.fields or {}).items():
                    form.add_error(field if field in form.fields else None, message)
                if not exc.fields:
                    form.add_error(None, str(exc.message))
            else:
                messages.success(request, _("Template saved."))
                return redirect("orders:wa_templates")
        status = 422
    else:
        initial = {
            "purpose": request.GET.get("purpose") or Purpose.CONFIRM_ORDER,
            "language": request.GET.get("language") or settings.LANGUAGE_CODE,
        }
        if template is not None:
            initial = {
                "purpose": template.purpose,
                "language": template.language,
                "name": template.name,
                "body": template.body,
            }
        form = TemplateForm(initial=initial)
        status = 200
    body = form["body"].value() or ""
    language = form["language"].value() or settings.LANGUAGE_CODE
    return render(
        request,
        "orders/wa_template_edit.html",
        {
            "nav": "settings",
            "form": form,
            "template": template,
            "preview": _preview(body, language),
            "variables": [("{" + name + "}", label) for name, label in VARIABLES.items()],
        },
        status=status,
    )


@login_required
@permission_required(PERMISSION, raise_exception=True)
@require_POST
def template_preview_view(request):
    """htmx: the preview of the text being typed."""
    preview = _preview(
        request.POST.get("body", "")[: wa_templates.MAX_BODY], request.POST.get("language", "")
    )
    return render(request, "orders/_wa_preview.html", {"preview": preview})


@login_required
@permission_required(PERMISSION, raise_exception=True)
@require_POST
def template_delete_view(request, template_id):
    try:
        wa_templates.template_delete(actor=request.user, template_id=template_id)
    except DomainError as exc:
        messages.error(request, str(exc.message))
    else:
        messages.success(request, _("Template deleted."))
    return redirect("orders:wa_templates")
