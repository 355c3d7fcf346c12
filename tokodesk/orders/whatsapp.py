"""Kirim Chat Pelanggan: the wa.me link with a message from a per-locale template, and the
timeline event that says the chat was opened (SPEC 2.2, 5)."""

from __future__ import annotations

from urllib.parse import quote

from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from tokodesk.core.errors import PermissionDenied
from tokodesk.core.money import format_money
from tokodesk.orders import services
from tokodesk.orders.models import Order, OrderEvent
from tokodesk.orders.order_settings import OrderSettings
from tokodesk.orders.states import ORDER_TIMELINE, Status

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
        "Bonjour {name}, nous vous contactons au sujet de votre commande {reference} : {items}. "
        "Total : {total}. Statut : {status}. Merci !"
    ),
}
# Roles that work orders (not the read-only viewer).
CHAT_PERMISSIONS = ("orders.process_order", "orders.ship_order", "orders.manage_payments")


def can_chat(user) -> bool:
    return user is not None and any(user.has_perm(p) for p in CHAT_PERMISSIONS)


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


def order_message(order: Order, shop_template: str = "") -> str:
    items = ", ".join(f"{line.qty} × {line.name}" for line in order.lines.all())
    return fill(message_template(shop_template), {
        "name": order.recipient_name,
        "reference": order.reference,
        "total": format_money(order.total, order.currency),
        "status": str(Status(order.status).label),
        "items": items,
    })


def wa_link(phone: str, message: str) -> str:
    digits = "".join(ch for ch in phone if ch.isdigit())
    return f"https://wa.me/{digits}?text={quote(message, safe='')}"


@transaction.atomic
def order_open_chat(*, reference: str, actor, source: str = "web") -> str:
    """Log "chat opened" on the timeline and return the wa.me link to open."""
    if not can_chat(actor):
        raise PermissionDenied("permission_denied", _("You are not allowed to do this."))
    order = services._locked(reference, actor, None)
    message = order_message(order, OrderSettings.get().whatsapp_template)
    link = wa_link(order.recipient_phone, message)
    ORDER_TIMELINE.record(order, OrderEvent.Kind.CHAT, actor, source=source,
                          data={"channel": "whatsapp", "phone": order.recipient_phone, "message": message[:1000]})
    return link
