"""Kirim Chat Pelanggan (SPEC 2.2, 5; issue 12, item 13): a wa.me link to the buyer with a
message from one of the shop's templates (orders.wa_templates: a purpose, then a template),
filled with the order's values in the buyer's language (orders.languages) whoever sends it,
and the timeline event that says the chat was opened.

The text is the seller's template with the buyer's data in it: it is only ever shown
escaped (Django templates) and sent URL-encoded in the wa.me address, never run.
Without a chosen template (the row menu's link, older clients) the message is the generic
one: the shop's own text from the order settings, else the built-in one.
"""

from __future__ import annotations

from urllib.parse import quote, urlsplit

from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from tokodesk.core.errors import PermissionDenied, ValidationFailed
from tokodesk.core.models import ShopSettings
from tokodesk.core.money import format_money
from tokodesk.orders import languages, services, wa_templates
from tokodesk.orders.links import order_link_url
from tokodesk.orders.models import Order, OrderEvent
from tokodesk.orders.order_settings import OrderSettings
from tokodesk.orders.states import ORDER_TIMELINE, PRE_SHIPMENT, PaymentMethod, Status
from tokodesk.orders.wa_templates import Purpose

PLACEHOLDERS = ("name", "reference", "total", "status", "items")

# The msgid: translated through the catalogs when they have it.
DEFAULT_TEMPLATE = (
    "Hello {name}, this is about your order {reference}: {items}. "
    "Total: {total}. Status: {status}. Thank you!"
)
# The shipped wording per language, used while the catalogs do not translate the msgid.
BUILTIN_TEMPLATES = {
    "en": DEFAULT_TEMPLATE,
    "id": (
        "Halo {name}, kami menghubungi Anda terkait pesanan {reference}: {items}. "
        "Total: {total}. Status: {status}. Terima kasih!"
    ),
    "fr": (
        "Bonjour {name}, nous vous contactons au sujet de votre commande {reference}\u00a0: {items}. "
        "Total\u00a0: {total}. Statut\u00a0: {status}. Merci\u00a0!"
    ),
}
# The payment instructions' sentences per language (like the templates: the buyer's words).
PHRASES = {
    "transfer": {
        "id": "Silakan transfer {amount} ke salah satu rekening berikut:",
        "en": "Please transfer {amount} to one of these accounts:",
        "fr": "Merci de virer {amount} sur l'un de ces comptes\u00a0:",
    },
    "transfer_code": {
        "id": "Mohon transfer tepat sejumlah itu (termasuk kode unik {code}) agar pembayaran cepat dikenali.",
        "en": "Please transfer exactly this amount (it includes the unique code {code}) so we can match "
        "your payment quickly.",
        "fr": "Merci de virer exactement ce montant (il comprend le code unique {code}) pour que nous "
        "retrouvions votre paiement.",
    },
    "holder": {"id": "a.n.", "en": "in the name of", "fr": "au nom de"},
    "cod": {
        "id": "Bayar {amount} tunai ke kurir saat paket tiba.",
        "en": "Pay {amount} in cash to the courier when the parcel arrives.",
        "fr": "Payez {amount} en espèces au livreur à la livraison.",
    },
    "link": {
        "id": "Bayar {amount} lewat tautan ini: {link}",
        "en": "Pay {amount} through this link: {link}",
        "fr": "Payez {amount} avec ce lien\u00a0: {link}",
    },
    "invoice": {
        "id": "Tagihan {number}: {amount}.",
        "en": "Invoice {number}: {amount}.",
        "fr": "Facture {number}\u00a0: {amount}.",
    },
    "paid": {
        "id": "Pesanan ini sudah lunas.",
        "en": "This order is paid.",
        "fr": "Cette commande est payée.",
    },
}
# Roles that work orders (not the read-only viewer).
CHAT_PERMISSIONS = ("orders.process_order", "orders.ship_order", "orders.manage_payments")


def can_chat(user) -> bool:
    return user is not None and any(user.has_perm(p) for p in CHAT_PERMISSIONS)


def _phrase(key: str, language: str, **values) -> str:
    texts = PHRASES[key]
    return (texts.get(language) or texts["en"]).format(**values)


# --- the generic message (no template chosen) --------------------------------------------


def message_template(shop_template: str = "") -> str:
    """The shop's own template when set, else the active language's."""
    if shop_template.strip():
        return shop_template
    translated = gettext(DEFAULT_TEMPLATE)
    if translated != DEFAULT_TEMPLATE:
        return translated
    language = (translation.get_language() or "en").split("-")[0]
    return BUILTIN_TEMPLATES.get(language, DEFAULT_TEMPLATE)


def fill(template: str, values: dict[str, str]) -> str:
    """Replace the known {placeholders} only: a template typed by the seller can hold
    braces or unknown names without breaking (no str.format on user text)."""
    for key in PLACEHOLDERS:
        template = template.replace("{" + key + "}", values.get(key, ""))
    return template


def _items(order: Order) -> list[str]:
    return [f"{line.qty} × {line.name}" for line in order.lines.all()]


def order_message(order: Order, shop_template: str = "") -> str:
    """The generic message, in the order's language."""
    with translation.override(languages.order_language(order)):
        return fill(
            message_template(shop_template),
            {
                "name": order.recipient_name,
                "reference": order.reference,
                "total": format_money(order.total, order.currency),
                "status": str(Status(order.status).label),
                "items": ", ".join(_items(order)),
            },
        )


# --- the templates' values -----------------------------------------------------------------


def tracking_link(order: Order) -> str:
    """The courier's tracking page for the AWB (http/https only), "" without one."""
    template = order.courier.tracking_url if order.courier_id else ""
    if not (order.awb and template and "{awb}" in template):
        return ""
    url = template.replace("{awb}", quote(order.awb, safe=""))
    return url if urlsplit(url).scheme in ("http", "https") else ""


def payment_instructions(order: Order, language: str) -> str:
    """How the buyer pays what is still owed, in `language`: the shop's bank accounts with
    the amount (and the unique code), cash to the courier, the payment link, the invoice."""
    from tokodesk.core.shop_profile import active_accounts

    due = order.outstanding
    amount = format_money(due, order.currency)
    if due <= 0:
        return _phrase("paid", language)
    if order.payment_method == PaymentMethod.BANK_TRANSFER:
        accounts = active_accounts()
        holder = _phrase("holder", language)
        lines = [_phrase("transfer", language, amount=amount)]
        lines += [
            f"- {a.bank_name} {a.account_number} {holder} {a.account_holder}".rstrip()
            for a in accounts
        ]
        if not accounts and order.landing_page_id:
            lines.append((getattr(order.landing_page, "payment_instructions", "") or "").strip())
        if order.transfer_code:
            lines.append(_phrase("transfer_code", language, code=order.transfer_code))
        return "\n".join(line for line in lines if line)
    if order.payment_method == PaymentMethod.COD:
        return _phrase("cod", language, amount=amount)
    if (
        order.payment_method == PaymentMethod.PAYMENT_GATEWAY
        and urlsplit(order.payment_link).scheme == "https"
    ):
        return _phrase("link", language, amount=amount, link=order.payment_link)
    if order.payment_method == PaymentMethod.INVOICE and order.invoice_number:
        return _phrase("invoice", language, amount=amount, number=order.invoice_number)
    return amount


def absolute(path: str, base_url: str) -> str:
    base = (base_url or "").rstrip("/")
    return f"{base}{path}" if base.startswith(("http://", "https://")) else path


def order_values(order: Order, *, base_url: str = "") -> dict[str, str]:
    """Every template variable for this order, in the order's language."""
    language = languages.order_language(order)
    with translation.override(language):
        address = order.destination_address
        if order.destination_city and order.destination_city.lower() not in address.lower():
            address = f"{address}, {order.destination_city}"
        return {
            "name": order.recipient_name,
            "reference": order.reference,
            "items": "\n".join(f"- {item}" for item in _items(order)),
            "address": address,
            "shipping_cost": format_money(order.shipping_cost, order.currency),
            "total": format_money(order.total, order.currency),
            "payment_instructions": payment_instructions(order, language),
            "order_link": absolute(order_link_url(order), base_url),
            "awb": order.awb or "-",
            "tracking_link": tracking_link(order) or "-",
            "shop_name": ShopSettings.get().display_name,
        }


def suggested_purpose(order: Order) -> str:
    """The message the order's step calls for: confirm a new order, ask a bank transfer for
    its money, tell a shipped order's AWB, follow up a delivered one."""
    if order.status == Status.NEW:
        return Purpose.CONFIRM_ORDER
    if (
        order.status in PRE_SHIPMENT
        and order.outstanding > 0
        and order.payment_method != PaymentMethod.COD
    ):
        return Purpose.ASK_PAYMENT
    if order.awb and order.status not in (Status.DELIVERED, Status.COMPLETED):
        return Purpose.SHIPPED
    if order.status in (Status.DELIVERED, Status.COMPLETED):
        return Purpose.FOLLOW_UP
    return Purpose.CONFIRM_ORDER


def wa_link(phone: str, message: str) -> str:
    digits = "".join(ch for ch in phone if ch.isdigit())
    return f"https://wa.me/{digits}?text={quote(message, safe='')}"


def chat_dialog(order: Order, *, purpose: str = "", template: str = "", base_url: str = "") -> dict:
    """What the order page's WhatsApp dialog shows: the purposes, the chosen purpose's
    templates in the order's language, the chosen one's text filled in and its wa.me link."""
    language = languages.order_language(order)
    purpose = purpose if purpose in Purpose.values else suggested_purpose(order)
    templates = wa_templates.templates_by_purpose(language)[purpose]
    chosen = next((t for t in templates if t.key == template), templates[0])
    text = wa_templates.fill(chosen.body, order_values(order, base_url=base_url))
    return {
        "purposes": Purpose.choices,
        "purpose": purpose,
        "templates": templates,
        "template": chosen,
        "language": language,
        "language_label": dict(languages.language_choices()).get(language, language),
        "text": text,
        "link": wa_link(order.recipient_phone, text),
    }


@transaction.atomic
def order_open_chat(
    *, reference: str, actor, source: str = "web", template: str = "", base_url: str = ""
) -> str:
    """Log "chat opened" on the timeline and return the wa.me link to open. `template`: a
    template's key (wa_templates.WhatsAppTemplate.key), "" for the generic message."""
    if not can_chat(actor):
        raise PermissionDenied("permission_denied", _("You are not allowed to do this."))
    order = services._locked(reference, actor, None)
    data = {"channel": "whatsapp", "phone": order.recipient_phone}
    if template:
        language = languages.order_language(order)
        chosen = wa_templates.template_by_key(template, language)
        if chosen is None:
            raise ValidationFailed(
                "invalid_input",
                _("Choose a message template."),
                fields={"template": _("Unknown template.")},
            )
        message = wa_templates.fill(chosen.body, order_values(order, base_url=base_url))
        data.update(purpose=chosen.purpose, template=chosen.name[:80], language=language)
    else:
        message = order_message(order, OrderSettings.get().whatsapp_template)
    link = wa_link(order.recipient_phone, message)
    data["message"] = message[:1000]
    ORDER_TIMELINE.record(order, OrderEvent.Kind.CHAT, actor, source=source, data=data)
    return link
