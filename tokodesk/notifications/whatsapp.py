"""Kirim ke WhatsApp (seed 000): a wa.me link to the customer with a text about their
return (reference, status, items, reason), in their language or from the shop's own
template. Opening it is noted on the return's timeline and in the outbox."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from tokodesk.core.errors import Conflict, NotFound, PermissionDenied
from tokodesk.notifications import customers
from tokodesk.notifications.emails import TIMELINE_KIND
from tokodesk.notifications.models import Notification, NotificationSettings
from tokodesk.orders.whatsapp import wa_link
from tokodesk.returns.models import Return, ReturnEvent
from tokodesk.returns.selectors import return_queryset_for
from tokodesk.returns.states import Resolution, Status

PLACEHOLDERS = ("name", "shop", "reference", "order", "status", "items", "reason", "resolution", "link")
# Whoever works returns may message the customer (not the read-only viewer).
WHATSAPP_PERMISSIONS = ("returns.change_return", "returns.process_return", "returns.receive_return",
                        "returns.complete_return")


@dataclass(frozen=True)
class WhatsAppLink:
    url: str  # https://wa.me/<number>?text=…
    text: str


def can_whatsapp(user) -> bool:
    return user is not None and any(user.has_perm(p) for p in WHATSAPP_PERMISSIONS)


def default_template() -> str:
    """The built-in text in the active language."""
    return gettext(
        "Hello {name}, this is {shop} about your return {reference} (order {order}).\n"
        "Status: {status}\n"
        "Items: {items}\n"
        "Reason: {reason}\n"
        "Resolution: {resolution}\n"
        "Your order page: {link}"
    )


def fill(template: str, values: dict[str, str]) -> str:
    """Replace the known {placeholders} only: a template typed by the seller may hold
    other braces without breaking."""
    for key in PLACEHOLDERS:
        template = template.replace("{" + key + "}", values.get(key, ""))
    return template


def whatsapp_return_text(ret: Return, locale: str | None = None, *, base_url: str = "") -> str:
    """The message, in `locale` (default: the customer's language)."""
    from tokodesk.orders.links import order_link_url

    settings_row = NotificationSettings.get()
    locale = customers.valid_locale(locale) or customers.customer_locale(ret.order, settings_row)
    link = customers.absolute(order_link_url(ret.order), base_url, settings_row)
    with translation.override(locale):
        status = ret.custom_state.display_label if ret.custom_state_id else str(Status(ret.status).label)
        values = {
            "name": ret.order.recipient_name or ret.customer.name,
            "shop": customers.shop_name(settings_row),
            "reference": ret.reference,
            "order": ret.order.reference,
            "status": status,
            "items": ", ".join(f"{line.qty} × {line.name}" for line in ret.lines.order_by("id")),
            "reason": ret.reason_display,
            "resolution": str(Resolution(ret.resolution).label),
            "link": link if link.startswith(("http://", "https://")) else "",
        }
        template = settings_row.whatsapp_return_template.strip() or default_template()
        text = fill(template, values)
    # A line left without its value (no site address for the link) goes.
    return "\n".join(line for line in text.splitlines() if not line.rstrip().endswith(":"))


def whatsapp_return_link(ret: Return, locale: str | None = None, *, base_url: str = "") -> str:
    """https://wa.me/<customer's number>?text=<the message>. Writes nothing."""
    return wa_link(customers.customer_phone(ret.order), whatsapp_return_text(ret, locale, base_url=base_url))


@transaction.atomic
def return_open_whatsapp(*, reference: str, actor, locale: str | None = None, base_url: str = "",
                         source: str = "web") -> WhatsAppLink:
    """The "Send to WhatsApp" button: note on the timeline (and in the outbox) that the
    customer was messaged, and return the wa.me link to open (`.url`) and its text."""
    if actor is not None and not can_whatsapp(actor):
        raise PermissionDenied("permission_denied", _("You are not allowed to do this."))
    ret = (return_queryset_for(actor).select_related("order__customer", "customer", "reason", "custom_state")
           .filter(reference=reference).first())
    if ret is None:
        raise NotFound("not_found", _("Return %(reference)s not found.") % {"reference": reference[:60]})
    phone = customers.customer_phone(ret.order)
    if not any(ch.isdigit() for ch in phone):
        raise Conflict("no_customer_phone", _("The customer has no phone number."))
    locale = customers.valid_locale(locale) or customers.customer_locale(ret.order)
    text = whatsapp_return_text(ret, locale, base_url=base_url)
    user = actor if getattr(actor, "pk", None) else None
    notification = Notification.objects.create(
        channel=Notification.Channel.WHATSAPP, to=phone, body=text, event="whatsapp", locale=locale,
        return_order=ret, order=ret.order, status=Notification.Status.SENT, sent_at=timezone.now(), attempts=1,
        created_by=user,
    )
    ReturnEvent.objects.create(
        return_order=ret, kind=TIMELINE_KIND, action="whatsapp", actor=user, source=source,
        data={"channel": "whatsapp", "to": phone, "message": text[:1000], "notification_id": notification.pk},
    )
    return WhatsAppLink(url=wa_link(phone, text), text=text)
