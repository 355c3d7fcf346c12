"""Customer communication over HTTP, mounted at /api/v1/returns beside the returns router
(registered before it, so /returns/calendar.ics is not taken for a return reference):

- GET  /returns/calendar.ics            target dates as iCalendar (?token= for calendar apps)
- GET  /returns/calendar-feed           the user's feed URL (with their calendar token)
- POST /returns/calendar-feed/reset     a new token (old URLs stop working)
- GET  /returns/{reference}/slip.pdf    the printable return slip (503 without WeasyPrint)
- GET  /returns/{reference}/email-preview?event=approve   (after the action)
- POST /returns/{reference}/email-preview  {"event": "receive", "inputs": {…}}   (before it: a dry run)
- POST /returns/{reference}/notify      {"event": "approve"} → the e-mail is queued (202)
- GET  /returns/{reference}/notifications
- POST /returns/{reference}/notifications/{id}/retry
- POST /returns/{reference}/whatsapp    → {"url": "https://wa.me/…"} (noted on the timeline)

Parse → service/selector → serialize; no rules here."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from django.conf import settings
from django.http import HttpResponse
from django.utils import translation
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema
from ninja import Status as HttpStatus
from ninja.security import APIKeyQuery

from tokodesk.accounts.api_auth import TokenAuth, UserSessionAuth
from tokodesk.core import shop_locale
from tokodesk.core.api.common import ERRORS, ErrorOut
from tokodesk.core.errors import NotFound
from tokodesk.notifications import emails, feeds, slips, whatsapp
from tokodesk.notifications.customers import LOCALES
from tokodesk.returns.models import Return
from tokodesk.returns.selectors import return_queryset_for
from tokodesk.returns.states import StrictIn

router = Router(tags=["returns: customer communication"])

EventLit = Literal[emails.EVENTS]  # type: ignore[valid-type]
LocaleLit = Literal[LOCALES]  # type: ignore[valid-type]


class CalendarTokenAuth(APIKeyQuery):
    """?token=<calendar token>: read-only access to the calendar feed for calendar apps."""

    param_name = "token"

    def authenticate(self, request, key):
        return feeds.user_for_calendar_token(key)


def _base_url(request) -> str:
    return request.build_absolute_uri("/").rstrip("/")


def _return_or_404(request, reference: str) -> Return:
    ret = (return_queryset_for(request.auth).select_related("order__customer", "customer", "reason", "custom_state")
           .filter(reference=reference).first())
    if ret is None:
        raise NotFound("not_found", _("Return %(reference)s not found.") % {"reference": reference[:60]})
    return ret


# --- schemas ------------------------------------------------------------------------------------


class EmailPreviewOut(Schema):
    event: str
    locale: str
    to: str = Field(description="The customer's address; empty when there is none (the e-mail cannot go).")
    can_send: bool
    subject: str
    body: str
    attachments: list[str]


class ActionPreviewIn(StrictIn):
    event: EventLit = Field(description="The action about to run.")
    inputs: dict = Field(default_factory=dict, description="The action's inputs, as for /actions/{action}.")
    locale: LocaleLit | None = None
    label_name: str | None = Field(None, max_length=200, description="The label file about to go with approve.")


class NotifyIn(StrictIn):
    event: EventLit
    message: str = Field("", max_length=5000,
                         description="Instead of the message written with the action (a rejection needs one).")
    locale: LocaleLit | None = Field(None, description="Default: the customer's language.")
    attach_label: bool | None = Field(None, description="Default: the label goes with the approval e-mail.")


class NotificationOut(Schema):
    id: int
    channel: str
    event: str
    locale: str
    to: str
    subject: str
    body: str
    attachments: list[str]
    status: str
    attempts: int
    error: str
    sent_at: dt.datetime | None
    created_at: dt.datetime
    created_by: str | None


class WhatsAppIn(StrictIn):
    locale: LocaleLit | None = None


class WhatsAppOut(Schema):
    url: str
    text: str


class CalendarFeedOut(Schema):
    url: str = Field(description="Paste into a calendar app: open returns by target date.")
    url_with_completed: str
    token: str


def _notification_out(n) -> dict:
    return {
        "id": n.id, "channel": n.channel, "event": n.event, "locale": n.locale, "to": n.to, "subject": n.subject,
        "body": n.body, "attachments": [name.rsplit("/", 1)[-1] for name in n.attachments], "status": n.status,
        "attempts": n.attempts, "error": n.error, "sent_at": n.sent_at, "created_at": n.created_at,
        "created_by": n.created_by.username if n.created_by_id else None,
    }


# --- calendar (literal paths: before any /{reference}) ---------------------------------------------


@router.get("/calendar.ics", auth=[TokenAuth(), UserSessionAuth(), CalendarTokenAuth()], url_name="returns_calendar_ics",
            response={200: None, **ERRORS}, summary="Returns by target date (iCalendar)",
            description="All-day events on the target dates of the returns you can see. Completed returns only "
                        "with `include_completed=true`; rejected and cancelled ones never. Calendar apps pass the "
                        "calendar token as `?token=` (see `/returns/calendar-feed`).")
def calendar_ics(request, include_completed: bool = False):
    returns = feeds.calendar_returns(request.auth, include_completed=include_completed)
    # A calendar app sends no language: the token URL speaks the shop's staff language (set on
    # the settings page), not the server default; a browser with a picked language keeps it.
    language = translation.get_language()
    if request.GET.get("token") and not request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME):
        language = shop_locale.staff_language()
    with translation.override(language):
        body = feeds.returns_ics(returns, base_url=_base_url(request))
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="returns.ics"'
    response["Cache-Control"] = "private, max-age=300"
    return response


@router.get("/calendar-feed", response={200: CalendarFeedOut, **ERRORS}, summary="Your calendar feed URL")
def calendar_feed(request):
    base = _base_url(request)
    return {"url": feeds.calendar_feed_url(request.auth, base_url=base),
            "url_with_completed": feeds.calendar_feed_url(request.auth, base_url=base, include_completed=True),
            "token": feeds.calendar_token(request.auth)}


@router.post("/calendar-feed/reset", response={200: CalendarFeedOut, **ERRORS},
             summary="A new calendar token (the old feed URLs stop working)")
def calendar_feed_reset(request):
    feeds.calendar_token_reset(request.auth)
    return calendar_feed(request)


# --- one return ------------------------------------------------------------------------------------


@router.get("/{reference}/slip.pdf", response={200: None, 503: ErrorOut, **ERRORS}, url_name="return_slip_pdf",
            summary="The printable return slip (PDF)")
def slip_pdf(request, reference: str, lang: LocaleLit | None = None):
    ret = _return_or_404(request, reference)
    pdf = slips.render_slip_pdf(ret, lang)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{slips.slip_filename(ret)}"'
    return response


@router.get("/{reference}/email-preview", response={200: EmailPreviewOut, **ERRORS},
            summary="The e-mail an event would send (no write)")
def email_preview(request, reference: str, event: EventLit, lang: LocaleLit | None = None,
                  message: str | None = Query(None, max_length=5000), attach_label: bool | None = None):
    ret = _return_or_404(request, reference)
    preview = emails.preview_return_email(ret, event, lang, message=message, attach_label=attach_label,
                                          base_url=_base_url(request))
    return {**preview.__dict__, "can_send": preview.can_send}


@router.post("/{reference}/email-preview", response={200: EmailPreviewOut, **ERRORS},
             summary="The e-mail an action would send, from a dry run of it (nothing changes)")
def action_email_preview(request, reference: str, payload: ActionPreviewIn):
    preview = emails.preview_return_action_email(
        reference=reference, action=payload.event, actor=request.auth, inputs=payload.inputs,
        label_name=payload.label_name, locale=payload.locale, base_url=_base_url(request))
    return {**preview.__dict__, "can_send": preview.can_send}


@router.post("/{reference}/notify", response={202: NotificationOut, **ERRORS},
             summary="E-mail the customer about an action already applied (approve, receive, complete, reject)")
def notify(request, reference: str, payload: NotifyIn):
    ret = _return_or_404(request, reference)
    n = emails.notify_return_status(ret, payload.event, send=True, actor=request.auth, message=payload.message,
                                    locale=payload.locale, attach_label=payload.attach_label,
                                    base_url=_base_url(request), source="api")
    return HttpStatus(202, _notification_out(n))


@router.get("/{reference}/notifications", response={200: list[NotificationOut], **ERRORS},
            summary="E-mails and WhatsApp messages to the customer about this return")
def notifications(request, reference: str):
    ret = _return_or_404(request, reference)
    return [_notification_out(n) for n in emails.return_notifications(ret)]


@router.post("/{reference}/notifications/{notification_id}/retry", response={202: NotificationOut, **ERRORS},
             summary="Send a failed e-mail again")
def retry_notification(request, reference: str, notification_id: int):
    ret = _return_or_404(request, reference)
    if not emails.return_notifications(ret).filter(pk=notification_id).exists():
        raise NotFound("not_found", _("Not found."))
    n = emails.notification_retry(notification_id=notification_id, actor=request.auth)
    return HttpStatus(202, _notification_out(n))


@router.post("/{reference}/whatsapp", response={200: WhatsAppOut, **ERRORS},
             summary="Message the customer on WhatsApp: the wa.me link (noted on the timeline)")
def open_whatsapp(request, reference: str, payload: WhatsAppIn | None = None):
    locale = payload.locale if payload else None
    link = whatsapp.return_open_whatsapp(reference=reference, actor=request.auth, locale=locale,
                                         base_url=_base_url(request), source="api")
    return {"url": link.url, "text": link.text}
