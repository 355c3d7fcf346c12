"""WhatsApp message templates (issue 12, item 13): several per purpose (confirm the order,
ask for payment, shipped, follow-up) and per language, managed by the owner on the settings
page (orders.views.wa_templates), filled with the order's values in the buyer's language
by orders.whatsapp.

A template is plain text with {variables} from VARIABLES; a name that is not one of them is
refused when the template is saved (so a typo never reaches a buyer as "{nmae}"). The
shop's first templates are the built-in ones (DEFAULTS, seeded by migration 0015 for id, en
and fr); a purpose left without any template in a language falls back to its built-in text.
"""

from __future__ import annotations

import re

from django.conf import settings
from django.db import models, transaction
from django.utils.translation import gettext_lazy as _

from tokodesk.core.documents import require
from tokodesk.core.errors import NotFound, ValidationFailed


class Purpose(models.TextChoices):
    CONFIRM_ORDER = "confirm_order", _("Confirm the order")
    ASK_PAYMENT = "ask_payment", _("Ask for payment")
    SHIPPED = "shipped", _("Shipped")
    FOLLOW_UP = "follow_up", _("Follow-up")


# The variables a template may use, with what each becomes.
VARIABLES = {
    "name": _("the buyer's name"),
    "reference": _("the order reference"),
    "items": _("the products, one per line with the quantity"),
    "address": _("the delivery address"),
    "shipping_cost": _("the shipping cost"),
    "total": _("the order total"),
    "payment_instructions": _(
        "how to pay: the shop's bank accounts and the amount (with the unique code)"
    ),
    "order_link": _("the buyer's order page"),
    "awb": _("the AWB (tracking number)"),
    "tracking_link": _("the courier's tracking page"),
    "shop_name": _("the shop's name"),
}
VARIABLE = re.compile(r"\{([^{}\s]+)\}")
MAX_BODY = 2000


class WhatsAppTemplate(models.Model):
    purpose = models.CharField(_("purpose"), max_length=20, choices=Purpose.choices)
    language = models.CharField(_("language"), max_length=10, choices=settings.LANGUAGES)
    name = models.CharField(_("name"), max_length=80)
    body = models.TextField(_("message"))
    position = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["purpose", "language", "position", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["purpose", "language", "name"], name="wa_template_unique_name"
            ),
        ]
        verbose_name = _("WhatsApp template")

    def __str__(self):
        return f"{self.purpose}/{self.language}: {self.name}"

    @property
    def key(self) -> str:
        """What the order page's picker sends: the id, or builtin-<purpose> for a built-in."""
        return str(self.pk) if self.pk else f"builtin-{self.purpose}"


# The built-in templates: (name, body) per purpose and language.
DEFAULTS: dict[str, dict[str, tuple[str, str]]] = {
    Purpose.CONFIRM_ORDER: {
        "id": (
            "Konfirmasi pesanan",
            (
                "Halo Kak {name}, terima kasih sudah berbelanja di {shop_name}.\n"
                "Pesanan {reference}:\n{items}\n"
                "Ongkos kirim: {shipping_cost}\nTotal: {total}\n"
                "Dikirim ke: {address}\n\n"
                "Mohon balas *YA* bila pesanan sudah benar. Pantau pesanan Anda di {order_link}"
            ),
        ),
        "en": (
            "Confirm order",
            (
                "Hello {name}, thank you for shopping at {shop_name}.\n"
                "Order {reference}:\n{items}\n"
                "Shipping: {shipping_cost}\nTotal: {total}\n"
                "Delivery to: {address}\n\n"
                "Please reply *YES* if the order is right. Follow your order at {order_link}"
            ),
        ),
        "fr": (
            "Confirmer la commande",
            (
                "Bonjour {name}, merci pour votre commande chez {shop_name}.\n"
                "Commande {reference}\u00a0:\n{items}\n"
                "Livraison\u00a0: {shipping_cost}\nTotal\u00a0: {total}\n"
                "Adresse de livraison\u00a0: {address}\n\n"
                "Merci de répondre *OUI* si la commande est correcte. Suivez-la ici\u00a0: {order_link}"
            ),
        ),
    },
    Purpose.ASK_PAYMENT: {
        "id": (
            "Minta pembayaran",
            (
                "Halo Kak {name}, pesanan {reference} di {shop_name} menunggu pembayaran.\n"
                "{payment_instructions}\n\n"
                "Setelah transfer, kirim bukti transfer di {order_link}. Terima kasih!"
            ),
        ),
        "en": (
            "Ask for payment",
            (
                "Hello {name}, your order {reference} at {shop_name} is waiting for payment.\n"
                "{payment_instructions}\n\n"
                "Once you have paid, send the proof of transfer at {order_link}. Thank you!"
            ),
        ),
        "fr": (
            "Demander le paiement",
            (
                "Bonjour {name}, votre commande {reference} chez {shop_name} attend votre paiement.\n"
                "{payment_instructions}\n\n"
                "Après le virement, envoyez le justificatif ici\u00a0: {order_link}. Merci\u00a0!"
            ),
        ),
    },
    Purpose.SHIPPED: {
        "id": (
            "Pesanan dikirim",
            (
                "Halo Kak {name}, pesanan {reference} sudah dikirim.\n"
                "No. resi: {awb}\nLacak paket: {tracking_link}\n"
                "Terima kasih sudah berbelanja di {shop_name}!"
            ),
        ),
        "en": (
            "Order shipped",
            (
                "Hello {name}, your order {reference} is on its way.\n"
                "AWB: {awb}\nTrack it: {tracking_link}\n"
                "Thank you for shopping at {shop_name}!"
            ),
        ),
        "fr": (
            "Commande expédiée",
            (
                "Bonjour {name}, votre commande {reference} est en route.\n"
                "N° de suivi\u00a0: {awb}\nSuivre le colis\u00a0: {tracking_link}\n"
                "Merci pour votre achat chez {shop_name}\u00a0!"
            ),
        ),
    },
    Purpose.FOLLOW_UP: {
        "id": (
            "Tindak lanjut",
            (
                "Halo Kak {name}, bagaimana pesanan {reference} dari {shop_name}? "
                "Semoga sesuai harapan. Kalau ada kendala, balas pesan ini ya.\n{order_link}"
            ),
        ),
        "en": (
            "Follow-up",
            (
                "Hello {name}, how is your order {reference} from {shop_name}? "
                "We hope you like it. If anything is wrong, just reply to this message.\n{order_link}"
            ),
        ),
        "fr": (
            "Relance",
            (
                "Bonjour {name}, comment se passe votre commande {reference} chez {shop_name}\u00a0? "
                "Si quelque chose ne va pas, répondez simplement à ce message.\n{order_link}"
            ),
        ),
    },
}


def builtin(purpose: str, language: str) -> WhatsAppTemplate:
    """The built-in template (not saved) of a purpose in a language (English when the
    language has none)."""
    texts = DEFAULTS[Purpose(purpose)]
    name, body = texts.get(language) or texts["en"]
    return WhatsAppTemplate(purpose=purpose, language=language, name=name, body=body)


def unknown_variables(body: str) -> list[str]:
    """The {names} of `body` that are not variables, in order, once each."""
    return list(dict.fromkeys(name for name in VARIABLE.findall(body) if name not in VARIABLES))


def unknown_message(unknown: list[str]) -> str:
    return _("Unknown variable %(names)s. Use only: %(known)s.") % {
        "names": ", ".join("{" + name + "}" for name in unknown),
        "known": ", ".join("{" + name + "}" for name in VARIABLES),
    }


def fill(body: str, values: dict[str, str]) -> str:
    """Each {variable} replaced by its value; anything else stays as typed (no str.format
    on the seller's text: braces and unknown names cannot break it)."""
    return VARIABLE.sub(
        lambda m: values[m.group(1)] if m.group(1) in VARIABLES else m.group(0), body
    )


# --- reads ---------------------------------------------------------------------------------


def templates_by_purpose(language: str) -> dict[str, list[WhatsAppTemplate]]:
    """Every purpose's templates in `language` (one query), the built-in one for a purpose
    that has none."""
    found: dict[str, list[WhatsAppTemplate]] = {p: [] for p in Purpose.values}
    for template in WhatsAppTemplate.objects.filter(language=language):
        found.setdefault(template.purpose, []).append(template)
    return {p: rows or [builtin(p, language)] for p, rows in found.items()}


def template_by_key(key: str, language: str) -> WhatsAppTemplate | None:
    """The template the order page's picker names (see WhatsAppTemplate.key)."""
    key = (key or "").strip()
    if key.startswith("builtin-"):
        purpose = key.removeprefix("builtin-")
        return builtin(purpose, language) if purpose in Purpose.values else None
    if key.isdigit():
        return WhatsAppTemplate.objects.filter(pk=int(key)).first()
    return None


# --- writes (the owner) ----------------------------------------------------------------------


def _validate(*, purpose: str, language: str, name: str, body: str) -> dict:
    errors = {}
    if purpose not in Purpose.values:
        errors["purpose"] = _("Choose a purpose.")
    if language not in {code for code, _name in settings.LANGUAGES}:
        errors["language"] = _("Choose a language.")
    if not name.strip():
        errors["name"] = _("Give the template a name.")
    elif len(name.strip()) > 80:
        errors["name"] = _("At most 80 characters.")
    if not body.strip():
        errors["body"] = _("Write the message.")
    elif len(body) > MAX_BODY:
        errors["body"] = _("At most %(limit)s characters.") % {"limit": MAX_BODY}
    elif unknown_variables(body):
        errors["body"] = unknown_message(unknown_variables(body))
    return errors


@transaction.atomic
def template_save(
    *, actor, purpose: str, language: str, name: str, body: str, template_id: int | None = None
) -> WhatsAppTemplate:
    """Create a template, or change the one `template_id` names (owner only)."""
    require(actor, "orders.manage_settings")
    name = " ".join(name.split())
    body = body.replace("\r\n", "\n").strip()
    errors = _validate(purpose=purpose, language=language, name=name, body=body)
    same_name = WhatsAppTemplate.objects.filter(
        purpose=purpose, language=language, name__iexact=name
    )
    if template_id is not None:
        same_name = same_name.exclude(pk=template_id)
    if "name" not in errors and same_name.exists():
        errors["name"] = _("Another template of this purpose and language has this name.")
    if errors:
        raise ValidationFailed("invalid_input", _("The template is not valid."), fields=errors)
    if template_id is None:
        last = (
            WhatsAppTemplate.objects.filter(purpose=purpose, language=language)
            .order_by("-position")
            .first()
        )
        template = WhatsAppTemplate(position=(last.position + 1) if last else 1)
    else:
        template = WhatsAppTemplate.objects.select_for_update().filter(pk=template_id).first()
        if template is None:
            raise NotFound("not_found", _("This template does not exist."))
    template.purpose, template.language, template.name, template.body = (
        purpose,
        language,
        name,
        body,
    )
    template.save()
    return template


@transaction.atomic
def template_delete(*, actor, template_id: int) -> None:
    require(actor, "orders.manage_settings")
    deleted, _rows = WhatsAppTemplate.objects.filter(pk=template_id).delete()
    if not deleted:
        raise NotFound("not_found", _("This template does not exist."))


def register_section() -> None:
    """The settings page's "WhatsApp templates" section: a link to their own pages."""
    from django import forms

    from tokodesk.core import settings_pages
    from tokodesk.orders.order_settings import OrderSettings

    settings_pages.register(
        settings_pages.SettingsSection(
            key="whatsapp",
            title=_("WhatsApp templates"),
            form_class=forms.Form,
            model=OrderSettings,
            position=25,
            template="orders/_wa_settings_section.html",
            page="orders:wa_templates",
            intro=_(
                "The messages the team sends buyers from the order page, in the buyer's language."
            ),
            make_form=lambda data, files, current: forms.Form(),
        )
    )
