"""The only place that writes subscriptions (the pages and the API call these)."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tokodesk.core.errors import NotFound, PermissionDenied, ValidationFailed
from tokodesk.core.outbox import OutboxEvent
from tokodesk.webhooks import delivery, events, ssrf
from tokodesk.webhooks.models import WebhookDelivery, WebhookSubscription, new_secret

MANAGE = "webhooks.manage_webhooks"


def require_manage(user) -> None:
    if user is None or not user.has_perm(MANAGE):
        raise PermissionDenied("permission_denied", _("Only the owner manages webhooks."))


def clean_event_types(value) -> list[str]:
    if not isinstance(value, (list, tuple)) or not value:
        raise ValidationFailed("invalid_input", _("Choose at least one event."),
                               fields={"event_types": _("Choose at least one event.")})
    unknown = [t for t in value if t != events.ALL and t not in events.EVENT_TYPES]
    if unknown:
        raise ValidationFailed("invalid_input", _("Unknown event type."),
                               fields={"event_types": _("Unknown: %(types)s.") % {"types": ", ".join(
                                   str(t)[:40] for t in unknown[:5])}})
    return [events.ALL] if events.ALL in value else sorted(set(value))


def clean_url(url) -> str:
    url = (url or "").strip() if isinstance(url, str) else url
    try:
        ssrf.check(url)
    except ssrf.UnsafeURL as exc:
        raise ValidationFailed("invalid_input", _("This address cannot receive webhooks."),
                               fields={"url": str(exc)}) from None
    return url


def subscription_get(subscription_id: int) -> WebhookSubscription:
    sub = WebhookSubscription.objects.filter(pk=subscription_id).first()
    if sub is None:
        raise NotFound("not_found", _("Webhook not found."))
    return sub


def subscription_create(*, actor, url: str, event_types, description: str = "",
                        is_active: bool = True) -> WebhookSubscription:
    require_manage(actor)
    sub = WebhookSubscription(url=clean_url(url), event_types=clean_event_types(event_types),
                              description=(description or "").strip()[:200], is_active=bool(is_active),
                              created_by=actor if getattr(actor, "pk", None) else None)
    sub.save()
    return sub


@transaction.atomic
def subscription_update(*, actor, subscription_id: int, changes: dict) -> WebhookSubscription:
    """Change the URL, description, events or the active flag; turning a subscription on
    again clears what auto-disable wrote."""
    require_manage(actor)
    sub = subscription_get(subscription_id)
    sub = WebhookSubscription.objects.select_for_update().get(pk=sub.pk)
    fields = []
    if "url" in changes:
        sub.url = clean_url(changes["url"])
        fields.append("url")
    if "event_types" in changes:
        sub.event_types = clean_event_types(changes["event_types"])
        fields.append("event_types")
    if "description" in changes:
        sub.description = (changes["description"] or "").strip()[:200]
        fields.append("description")
    if "is_active" in changes and bool(changes["is_active"]) != sub.is_active:
        sub.is_active = bool(changes["is_active"])
        fields.append("is_active")
        if sub.is_active:
            sub.disabled_at, sub.disabled_reason, sub.consecutive_failures = None, "", 0
            fields += ["disabled_at", "disabled_reason", "consecutive_failures"]
    if fields:
        sub.save(update_fields=[*fields, "updated_at"])
    return sub


def subscription_roll_secret(*, actor, subscription_id: int) -> WebhookSubscription:
    require_manage(actor)
    sub = subscription_get(subscription_id)
    sub.secret = new_secret()
    sub.save(update_fields=["secret", "updated_at"])
    return sub


def subscription_delete(*, actor, subscription_id: int) -> None:
    require_manage(actor)
    subscription_get(subscription_id).delete()


def delivery_get(delivery_id: int) -> WebhookDelivery:
    d = WebhookDelivery.objects.select_related("subscription", "event").filter(pk=delivery_id).first()
    if d is None:
        raise NotFound("not_found", _("Delivery not found."))
    return d


def delivery_resend(*, actor, delivery_id: int) -> WebhookDelivery:
    """Send an event again (same event id): the delivery is due now with a fresh schedule,
    and one attempt is made at once when the subscription is on."""
    require_manage(actor)
    d = delivery_get(delivery_id)
    WebhookDelivery.objects.filter(pk=d.pk).update(
        status=WebhookDelivery.Status.PENDING, failures=0, next_attempt_at=timezone.now(), delivered_at=None)
    if d.subscription.is_active:
        delivery.deliver_now(d.pk)
    return delivery_get(d.pk)


def subscription_ping(*, actor, subscription_id: int) -> WebhookDelivery:
    """A `ping` event to this subscription alone, attempted at once (and retried like any
    delivery if it fails)."""
    require_manage(actor)
    sub = subscription_get(subscription_id)
    with transaction.atomic():
        event = OutboxEvent.objects.create(
            type=events.PING, doc_kind="webhook", doc_id=sub.pk, dispatched_at=timezone.now(),
            payload={"object": "webhook", "id": sub.pk, "url": sub.url, "message": "ping"})
        d = WebhookDelivery.objects.create(subscription=sub, event=event, next_attempt_at=timezone.now())
    if sub.is_active:
        delivery.deliver_now(d.pk)
    return delivery_get(d.pk)
