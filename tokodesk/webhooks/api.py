"""Webhooks over HTTP (/api/v1/webhooks/…), owner only: parse → service → serialize."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Literal

from ninja import Query, Router, Schema
from ninja import Status as HttpStatus
from pydantic import Field

from tokodesk.core.api.common import ERRORS
from tokodesk.core.inputs import StrictInput
from tokodesk.webhooks import events, services
from tokodesk.webhooks.models import WebhookDelivery, WebhookSubscription

router = Router(tags=["webhooks"])


class SubscriptionIn(StrictInput):
    url: str = Field(max_length=2000, description="http(s) address of a public host (docs/webhooks.md, SSRF)")
    event_types: list[str] = Field(description="Event types, or [\"*\"] for every event")
    description: str = Field("", max_length=200)
    is_active: bool = True


class SubscriptionPatchIn(StrictInput):
    url: str | None = Field(None, max_length=2000)
    event_types: list[str] | None = None
    description: str | None = Field(None, max_length=200)
    is_active: bool | None = None


class SubscriptionOut(Schema):
    id: int
    url: str
    description: str
    event_types: list[str]
    is_active: bool
    secret: str = Field(description="Signs every delivery (Tokodesk-Signature)")
    disabled_at: dt.datetime | None
    disabled_reason: str
    consecutive_failures: int
    last_success_at: dt.datetime | None
    last_failure_at: dt.datetime | None
    created_at: dt.datetime


class EventTypeOut(Schema):
    type: str
    description: str


class AttemptOut(Schema):
    number: int
    started_at: dt.datetime
    duration_ms: int
    status_code: int | None
    ok: bool
    error: str
    response_excerpt: str


class DeliveryOut(Schema):
    id: int
    subscription_id: int
    event_id: uuid.UUID
    event_type: str
    event_created_at: dt.datetime
    status: str
    attempts: int
    next_attempt_at: dt.datetime | None
    last_status_code: int | None
    last_error: str
    delivered_at: dt.datetime | None
    created_at: dt.datetime
    log: list[AttemptOut]


class DeliveryQuery(Schema):
    status: Literal["pending", "delivered", "failed"] | None = None
    limit: int = Field(50, ge=1, le=200)


def delivery_out(d: WebhookDelivery) -> dict:
    return {
        "id": d.pk, "subscription_id": d.subscription_id, "event_id": d.event.uuid, "event_type": d.event.type,
        "event_created_at": d.event.created_at, "status": d.status, "attempts": d.attempts,
        "next_attempt_at": d.next_attempt_at, "last_status_code": d.last_status_code, "last_error": d.last_error,
        "delivered_at": d.delivered_at, "created_at": d.created_at,
        "log": list(d.attempt_log.order_by("number", "id")),
    }


@router.get("/event-types", response={200: list[EventTypeOut], **ERRORS}, summary="The event types to subscribe to")
def event_types(request):
    services.require_manage(request.auth)
    return [{"type": t, "description": str(label)} for t, label in events.choices()]


@router.get("/subscriptions", response={200: list[SubscriptionOut], **ERRORS}, summary="Webhook subscriptions")
def list_subscriptions(request):
    services.require_manage(request.auth)
    return list(WebhookSubscription.objects.all())


@router.post("/subscriptions", response={201: SubscriptionOut, **ERRORS},
             summary="Subscribe a URL to events (owner); 422 for a private or unresolvable host")
def create_subscription(request, payload: SubscriptionIn):
    sub = services.subscription_create(actor=request.auth, url=payload.url, event_types=payload.event_types,
                                       description=payload.description, is_active=payload.is_active)
    return HttpStatus(201, sub)


@router.get("/subscriptions/{subscription_id}", response={200: SubscriptionOut, **ERRORS},
            summary="One webhook subscription")
def get_subscription(request, subscription_id: int):
    services.require_manage(request.auth)
    return services.subscription_get(subscription_id)


@router.patch("/subscriptions/{subscription_id}", response={200: SubscriptionOut, **ERRORS},
              summary="Change a subscription; is_active true turns an auto-disabled one on again")
def patch_subscription(request, subscription_id: int, payload: SubscriptionPatchIn):
    changes = {k: v for k, v in payload.model_dump(exclude_unset=True).items() if v is not None}
    return services.subscription_update(actor=request.auth, subscription_id=subscription_id, changes=changes)


@router.delete("/subscriptions/{subscription_id}", response={204: None, **ERRORS}, summary="Delete a subscription")
def delete_subscription(request, subscription_id: int):
    services.subscription_delete(actor=request.auth, subscription_id=subscription_id)
    return HttpStatus(204, None)


@router.post("/subscriptions/{subscription_id}/secret", response={200: SubscriptionOut, **ERRORS},
             summary="Replace the signing secret")
def roll_secret(request, subscription_id: int):
    return services.subscription_roll_secret(actor=request.auth, subscription_id=subscription_id)


@router.post("/subscriptions/{subscription_id}/ping", response={200: DeliveryOut, **ERRORS},
             summary="Send a test event (ping) to this subscription now")
def ping(request, subscription_id: int):
    return delivery_out(services.subscription_ping(actor=request.auth, subscription_id=subscription_id))


@router.get("/subscriptions/{subscription_id}/deliveries", response={200: list[DeliveryOut], **ERRORS},
            summary="The delivery log of a subscription, newest first")
def list_deliveries(request, subscription_id: int, query: Query[DeliveryQuery]):
    services.require_manage(request.auth)
    sub = services.subscription_get(subscription_id)
    qs = sub.deliveries.select_related("event").prefetch_related("attempt_log").order_by("-id")
    if query.status:
        qs = qs.filter(status=query.status)
    return [delivery_out(d) for d in qs[:query.limit]]


@router.post("/deliveries/{delivery_id}/resend", response={200: DeliveryOut, **ERRORS},
             summary="Send a delivery's event again now (same event id)")
def resend(request, delivery_id: int):
    return delivery_out(services.delivery_resend(actor=request.auth, delivery_id=delivery_id))
