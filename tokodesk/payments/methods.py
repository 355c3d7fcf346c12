"""The shop's payment methods (issue 17), managed by the owner and admin: "PayPal" and
"Carte bancaire" are the payment-gateway flow, "Transfer BCA" the bank-transfer flow … Each
method has a label and instructions per language (core.labels) and one of the order's four
payment flows (orders.states.PaymentMethod), which decides the statuses and actions its orders
go through. A method is deactivated, never deleted (there is no delete): its orders keep it;
the manual order, the landing pages and the API offer the active ones.

Orders name a method by its code (`payment_method_code`); orders.payment_options turns a code
or a bare flow into (flow, method) for the order services (orders does not import payments)."""

from __future__ import annotations

from django.db import transaction
from django.db.models import F
from django.utils.translation import gettext as _

from tokodesk.core.documents import check_version, require
from tokodesk.core.errors import Conflict, NotFound, ValidationFailed
from tokodesk.core.labels import clean_labels, languages, primary
from tokodesk.orders.states import PaymentMethod as Flow
from tokodesk.payments.models import PaymentMethod

LABEL_LIMIT = 100
INSTRUCTIONS_LIMIT = 1000

# What a new shop of a country starts with (`tokodesk setup`): (code, flow, labels). The
# starting four (payments 0003: code = flow) not in the preset are deactivated; any other
# country starts as a European web shop does.
_GATEWAY = Flow.PAYMENT_GATEWAY
PRESETS: dict[str, list[tuple[str, str, dict]]] = {
    "ID": [
        ("cod", Flow.COD, {"id": "COD (bayar di tempat)", "en": "Cash on delivery (COD)", "fr": "Paiement à la livraison"}),
        ("bank_transfer", Flow.BANK_TRANSFER, {"id": "Transfer bank", "en": "Bank transfer", "fr": "Virement bancaire"}),
        ("payment_gateway", _GATEWAY, {"id": "Payment gateway", "en": "Payment gateway", "fr": "Paiement en ligne"}),
    ],
    "*": [
        ("card", _GATEWAY, {"id": "Kartu kredit/debit", "en": "Card", "fr": "Carte bancaire"}),
        ("paypal", _GATEWAY, {"id": "PayPal", "en": "PayPal", "fr": "PayPal"}),
        ("bank_transfer", Flow.BANK_TRANSFER, {"id": "Transfer bank", "en": "Bank transfer", "fr": "Virement bancaire"}),
    ],
}


# --- reads ------------------------------------------------------------------------------


def payment_methods(*, include_inactive: bool = False):
    qs = PaymentMethod.objects.order_by("position", "id")
    return qs if include_inactive else qs.filter(active=True)


# --- writes -----------------------------------------------------------------------------


def _texts(value, limit: int, field: str, *, lines: bool) -> dict | None:
    """{language: text} cleaned (core.labels.clean_labels), or None when not given; 422 on
    `field.<language>`. Instructions keep their lines (bank details)."""
    if value is None:
        return None
    labels, errors = clean_labels(value, limit=limit, field=field)
    if errors:
        raise ValidationFailed("invalid_input", _("Check the payment method."), fields=errors)
    if lines:
        labels = {lang: "\n".join(" ".join(row.split()) for row in str(value[lang]).strip().splitlines())
                  for lang in labels}
    return labels


@transaction.atomic
def payment_method_save(*, actor, code: str, labels: dict | None = None, flow: str | None = None,
                        instructions: dict | None = None, active: bool | None = None,
                        position: int | None = None, expected_version: int | None = None,
                        create: bool = False) -> PaymentMethod:
    """Add a payment method (`create`: a new code) or change one. A method that orders use
    keeps its flow (409); refusals are a 422 on the field, nothing written."""
    require(actor, "payments.add_paymentmethod" if create else "payments.change_paymentmethod")
    code = (code or "").strip().lower()
    errors: dict[str, str] = {}
    if not code or len(code) > 30 or not all(c.isalnum() or c in "-_" for c in code):
        errors["code"] = _("A code is up to 30 letters, digits, - and _.")
    method = PaymentMethod.objects.select_for_update().filter(code=code).first() if code else None
    if create and method is not None:
        errors["code"] = _("A payment method has this code already.")
    if not create and method is None and "code" not in errors:
        raise NotFound("not_found", _("Not found."))
    if method is not None and not create:
        check_version(method, expected_version)
    if flow is not None and flow not in Flow.values:
        errors["flow"] = _("One of: %(flows)s.") % {"flows": ", ".join(Flow.values)}
    elif flow is None and create:
        errors["flow"] = _("Required.")
    labels = _texts(labels, LABEL_LIMIT, "labels", lines=False)
    if (create or labels is not None) and not labels:
        errors.setdefault("labels", _("Give a label in at least one language."))
    instructions = _texts(instructions, INSTRUCTIONS_LIMIT, "instructions", lines=True)
    if errors:
        raise ValidationFailed("invalid_input", _("Check the payment method."), fields=errors)
    if method is not None and not create and flow is not None and flow != method.flow and method.orders.exists():
        raise Conflict("payment_method_in_use", _("Orders use this payment method: its flow cannot change. "
                                          "Add a new method and deactivate this one."))
    if method is None or create:
        method = PaymentMethod(code=code, active=True,
                               position=position if position is not None else PaymentMethod.objects.count())
    else:
        method.version = F("version") + 1
    if labels is not None:
        method.labels, method.label = labels, primary(labels) or next(iter(labels.values()))
    for name, value in (("flow", flow), ("instructions", instructions), ("active", active),
                        ("position", position)):
        if value is not None:
            setattr(method, name, value)
    method.save()
    method.refresh_from_db(fields=["version"])
    return method


@transaction.atomic
def payment_method_move(*, actor, code: str, direction: int) -> None:
    """Move a method one place up (-1) or down (+1) in the order customers see them."""
    require(actor, "payments.change_paymentmethod")
    rows = list(PaymentMethod.objects.select_for_update().order_by("position", "id"))
    index = next((i for i, m in enumerate(rows) if m.code == code), None)
    if index is None:
        raise NotFound("not_found", _("Not found."))
    other = index + (-1 if direction < 0 else 1)
    if 0 <= other < len(rows):
        rows[index], rows[other] = rows[other], rows[index]
    for position, method in enumerate(rows):
        if method.position != position:
            PaymentMethod.objects.filter(pk=method.pk).update(position=position, version=F("version") + 1)


@transaction.atomic
def payment_method_preset(*, actor, country: str) -> list[PaymentMethod]:
    """A new shop's methods (`tokodesk setup`): the country's preset added or activated, the
    starting methods no order uses and the preset lacks deactivated."""
    preset = PRESETS.get((country or "").upper(), PRESETS["*"])
    codes = {code for code, _flow, _labels in preset}
    for method in payment_methods().exclude(code__in=codes):
        if not method.orders.exists():
            payment_method_save(actor=actor, code=method.code, active=False)
    made = []
    for position, (code, flow, labels) in enumerate(preset):
        exists = PaymentMethod.objects.filter(code=code).exists()
        made.append(payment_method_save(actor=actor, code=code, flow=flow, labels=labels, active=True,
                                        position=position, create=not exists))
    return made


def form_texts(post, prefix: str) -> dict:
    """{language: text} from a page's `<prefix>_<language>` fields."""
    return {code: post.get(f"{prefix}_{code}", "") for code, _name in languages()}


def register_section() -> None:
    """The settings page's "Payment methods" section: a link to the methods page."""
    from django import forms
    from django.utils.translation import gettext_lazy

    from tokodesk.core import settings_pages
    from tokodesk.core.models import ShopSettings

    settings_pages.register(settings_pages.SettingsSection(
        key="payment_methods", title=gettext_lazy("Payment methods"), form_class=forms.Form, model=ShopSettings,
        position=27, template="payments/_methods_settings_section.html", page="payments:methods",
        make_form=lambda data, files, current: forms.Form(),
    ))
