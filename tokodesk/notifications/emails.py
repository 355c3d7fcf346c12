"""E-mails to the customer when a return changes (SPEC 3.3, French seed): approve,
receive, complete and reject each have a template per language
(`templates/notifications/email/<locale>/return_<event>.txt`: first line the subject,
then the body). The user sees a preview first and chooses to send it or only to change
the status.

- `preview_return_email(ret, event, locale)`: what would be sent (no write).
- `preview_return_action_email(reference=…, action=…, inputs=…)`: the same before the
  action, from a dry run of it (rolled back), so received quantities, decisions and
  amounts are the real ones.
- `notify_return_status(ret, event, send=…, actor=…)`: after the action, queue the e-mail
  (or, send=False, nothing at all). The row is written in the caller's transaction and
  handed to the worker on commit; the worker sends it with retries
  (`tasks.send_notification` → `notification_send`).
- `return_act_and_notify(...)`: both in one transaction, for pages and API clients that
  change the status and decide about the e-mail in one step.

On approve the return label (when uploaded) goes along as an attachment."""

from __future__ import annotations

import datetime as dt
import logging
import mimetypes
import posixpath
import re
from dataclasses import dataclass, field

from django.conf import settings
from django.core.files.storage import default_storage
from django.core.mail import EmailMessage
from django.db import transaction
from django.db.models import F, Q
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from tokodesk.core import l10n, outbox, shop_profile
from tokodesk.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from tokodesk.core.models import ShopSettings
from tokodesk.core.money import format_money
from tokodesk.notifications import customers
from tokodesk.notifications.models import Notification, NotificationSettings
from tokodesk.returns.models import Return, ReturnEvent, ReturnMessage
from tokodesk.returns.selectors import return_queryset_for
from tokodesk.returns.services import return_apply_action
from tokodesk.returns.states import RETURN_TRANSITIONS, Condition, Decision, Resolution, Status

logger = logging.getLogger("tokodesk.notifications")

# The return events that have an e-mail, in the order a return meets them.
EVENTS = ("approve", "receive", "complete", "reject")
# The outbox event of a queued e-mail (internal: never sent to webhooks).
QUEUED_EVENT = "notification.queued"
# The timeline kind of "the customer was told" rows (e-mail queued, WhatsApp opened).
TIMELINE_KIND = "notification"
MAX_ATTEMPTS = 5
# Wait before attempt 2, 3, 4, 5.
BACKOFF = (dt.timedelta(minutes=1), dt.timedelta(minutes=5), dt.timedelta(minutes=30), dt.timedelta(hours=2))
# A "sending" row whose worker died is taken again after this.
CLAIM_TIMEOUT = dt.timedelta(minutes=10)


@dataclass
class EmailPreview:
    """What `notify_return_status` would queue: shown to the user before they choose."""

    event: str
    locale: str
    to: str
    subject: str
    body: str
    attachments: list[str] = field(default_factory=list)  # file names, e.g. ["label.pdf"]

    @property
    def can_send(self) -> bool:
        return bool(self.to)


def _event_name(event: str) -> str:
    if event not in EVENTS:
        raise ValidationFailed("invalid_input", _("There is no e-mail for this event."),
                               fields={"event": _("One of: %(events)s.") % {"events": ", ".join(EVENTS)}})
    return event


def _visible(reference: str, actor) -> Return:
    ret = (return_queryset_for(actor).select_related("order__customer", "customer", "reason", "custom_state")
           .filter(reference=reference).first())
    if ret is None:
        raise NotFound("not_found", _("Return %(reference)s not found.") % {"reference": reference[:60]})
    return ret


def _last_message(ret: Return, event: str) -> ReturnMessage | None:
    """The message the user wrote with the latest `event` action (the returns services
    store it as a ReturnMessage and name it in the timeline)."""
    last = (ReturnEvent.objects.filter(return_order=ret, kind=ReturnEvent.Kind.ACTION, action=event)
            .order_by("-created_at", "-id").first())
    message_id = (last.data or {}).get("message_id") if last else None
    return ReturnMessage.objects.filter(pk=message_id, return_order=ret).first() if message_id else None


def _attachments(ret: Return, event: str, attach_label: bool | None) -> list[str]:
    """Storage names of the files going along: the label on approve (or when asked)."""
    if attach_label is None:
        attach_label = event == "approve"
    from tokodesk.core.uploads import is_quarantined

    return [ret.label.name] if attach_label and ret.label and not is_quarantined(ret.label) else []


def _one_line(text: str) -> str:
    return " ".join((text or "").split())


# A line's decision as the customer reads it ("accepted", not the button's "Accept").
DECISION_OUTCOME = {
    Decision.ACCEPT: pgettext_lazy("return line outcome", "accepted"),
    Decision.REFUSE: pgettext_lazy("return line outcome", "refused"),
}


def email_context(ret: Return, event: str, *, message: str = "", label_attached: bool = False,
                  base_url: str = "", settings_row: NotificationSettings | None = None) -> dict:
    """What the templates can print. Call it inside `translation.override(locale)`:
    labels and dates come out in the customer's language."""
    from tokodesk.orders.links import order_link_url

    settings_row = settings_row or NotificationSettings.get()
    order = ret.order
    target = RETURN_TRANSITIONS.get(event).target
    link = customers.absolute(order_link_url(order), base_url, settings_row)
    items = [
        {
            "name": line.name, "sku": line.sku, "qty": line.qty, "qty_received": line.qty_received,
            "condition": str(Condition(line.condition).label) if line.condition else "",
            "decision": str(DECISION_OUTCOME[line.decision]) if line.decision in DECISION_OUTCOME else "",
            "qty_accepted": line.qty_accepted,
            "partial": line.decision == Decision.ACCEPT and line.qty_accepted is not None
            and line.qty_accepted != line.qty,
        }
        for line in ret.lines.order_by("id")
    ]
    return {
        # The first line of a template is the subject: names that go there stay on one line.
        "shop_name": _one_line(customers.shop_name(settings_row)),
        # The shop's city and contacts under its name (the profile), one line.
        "shop_contact": _one_line(shop_profile.profile()["contact_line"]),
        "customer_name": _one_line(order.recipient_name or ret.customer.name),
        "reference": ret.reference,
        "order_reference": order.reference,
        "status": str(Status(target).label),
        "items": items,
        "reason": ret.reason_display,
        "resolution": str(Resolution(ret.resolution).label),
        "resolution_code": ret.resolution,
        "amount": format_money(ret.resolution_amount, ret.currency) if ret.resolution_amount else "",
        "replacement_order": ret.replacement_order.reference if ret.replacement_order_id else "",
        "message": (message or "").strip(),
        "target_date": l10n.format_date(ret.target_date, width="long") if ret.target_date else "",
        "label": label_attached,
        # Only a full address helps in an e-mail (unknown without a site address or a request).
        "order_link": link if link.startswith(("http://", "https://")) else "",
    }


def render_return_email(ret: Return, event: str, locale: str, *, message: str = "", label_attached: bool = False,
                        base_url: str = "", settings_row: NotificationSettings | None = None) -> tuple[str, str]:
    """(subject, body) of the event's e-mail in `locale`; a language without its own
    template falls back to the shop's, then to English."""
    names = [f"notifications/email/{code}/return_{event}.txt"
             for code in dict.fromkeys((locale, customers.shop_language(), "en"))]
    with translation.override(locale):
        text = render_to_string(names, email_context(ret, event, message=message, label_attached=label_attached,
                                                     base_url=base_url, settings_row=settings_row))
    subject, _sep, body = text.strip().partition("\n")
    # One line, whatever the template or the data hold (a newline would be a header injection);
    # the no-break spaces of French typography ("Boutique\u00a0: votre retour") stay.
    subject = re.sub(r"[^\S\u00a0\u202f]+", " ", subject).strip()[:300]
    body = "\n".join(line.rstrip() for line in body.strip().splitlines())
    # Templates are free with blank lines around {% if %} blocks: keep at most one.
    while "\n\n\n" in body:
        body = body.replace("\n\n\n", "\n\n")
    return subject, body + "\n"


def preview_return_email(ret: Return, event: str, locale: str | None = None, *, message: str | None = None,
                         attach_label: bool | None = None, base_url: str = "") -> EmailPreview:
    """The e-mail of `event` as the customer would get it, in `locale` (default: the
    customer's language). Before the action, pass the `message` being typed; after it,
    the message stored with the action is used. Writes nothing."""
    event = _event_name(event)
    locale = customers.valid_locale(locale) or customers.customer_locale(ret.order)
    if message is None:
        stored = _last_message(ret, event)
        message = stored.body if stored else ""
    attachments = _attachments(ret, event, attach_label)
    subject, body = render_return_email(ret, event, locale, message=message, label_attached=bool(attachments),
                                        base_url=base_url)
    return EmailPreview(event=event, locale=locale, to=customers.customer_email(ret.order), subject=subject,
                        body=body, attachments=[posixpath.basename(n) for n in attachments])


def preview_return_action_email(*, reference: str, action: str, actor, inputs: dict | None = None,
                                label_name: str | None = None, locale: str | None = None,
                                expected_version: int | None = None, base_url: str = "") -> EmailPreview:
    """The e-mail `action` would send with these inputs, before anything changes: the
    action runs in a savepoint that is rolled back, so the preview shows what the action
    really produces (received quantities, decisions, amounts, replacement order) and the
    action's own refusals (a missing message, a bad quantity …) come out here, before the
    preview window. `label_name` is the label being uploaded with the action (the file is
    saved only by the real action)."""
    event = _event_name(action)
    with transaction.atomic():
        ret = return_apply_action(reference=reference, action=action, actor=actor, inputs=inputs,
                                  expected_version=expected_version, source="preview")
        ret = _visible(ret.reference, actor)
        attachments = _attachments(ret, event, None)
        if label_name and event == "approve":
            attachments = [label_name]
        preview_locale = customers.valid_locale(locale) or customers.customer_locale(ret.order)
        subject, body = render_return_email(ret, event, preview_locale,
                                            message=(inputs or {}).get("message") or "",
                                            label_attached=bool(attachments), base_url=base_url)
        transaction.set_rollback(True)
    return EmailPreview(event=event, locale=preview_locale, to=customers.customer_email(ret.order),
                        subject=subject, body=body, attachments=[posixpath.basename(n) for n in attachments])


def _check_can_notify(ret: Return, event: str, actor) -> None:
    transition = RETURN_TRANSITIONS.get(event)
    if actor is not None and not actor.has_perm(transition.permission):
        raise PermissionDenied("permission_denied", _("You are not allowed to do this."))
    if ret.status != transition.target:
        raise Conflict("not_allowed_in_status", _("This e-mail says the return is “%(status)s”: it is not.") % {
            "status": Status(transition.target).label})


def _require_email(ret: Return) -> str:
    to = customers.customer_email(ret.order)
    if not to:
        raise Conflict("no_customer_email", _("The customer has no e-mail address: add one to the order first, "
                                              "or change the status without an e-mail."))
    return to


@transaction.atomic
def notify_return_status(ret: Return, event: str, *, send: bool, actor, message: str = "",
                         locale: str | None = None, attach_label: bool | None = None, base_url: str = "",
                         source: str = "web") -> Notification | None:
    """After `event` (approve, receive, complete, reject) was applied: with `send`, queue
    the e-mail the preview showed (worker, on commit) and note it on the timeline; without
    it, change nothing ("change the status only"). `message` defaults to the one written
    with the action; a rejection always has one."""
    event = _event_name(event)
    ret = _visible(ret.reference, actor)
    _check_can_notify(ret, event, actor)
    stored = _last_message(ret, event)
    message = (message or "").strip() or (stored.body if stored else "")
    if event == "reject" and not message:
        raise ValidationFailed("invalid_input", _("Tell the customer why the return is rejected."),
                               fields={"message": _("Required.")})
    if not send:
        return None
    to = _require_email(ret)
    settings_row = NotificationSettings.get()
    locale = customers.valid_locale(locale) or customers.customer_locale(ret.order, settings_row)
    attachments = _attachments(ret, event, attach_label)
    subject, body = render_return_email(ret, event, locale, message=message, label_attached=bool(attachments),
                                        base_url=base_url, settings_row=settings_row)
    notification = Notification.objects.create(
        channel=Notification.Channel.EMAIL, to=to, subject=subject, body=body, attachments=attachments,
        event=event, locale=locale, return_order=ret, order=ret.order,
        return_message=stored if stored and stored.body == message else None,
        created_by=actor if getattr(actor, "pk", None) else None,
    )
    ReturnEvent.objects.create(
        return_order=ret, kind=TIMELINE_KIND, action=event, actor=notification.created_by, source=source,
        data={"channel": "email", "to": to, "subject": subject, "notification_id": notification.pk,
              "attachments": [posixpath.basename(n) for n in attachments]},
    )
    _queued(notification)
    return notification


def return_act_and_notify(*, reference: str, action: str, actor, inputs: dict | None = None,
                          files: dict | None = None, send: bool = False, expected_version: int | None = None,
                          locale: str | None = None, base_url: str = "", source: str = "web"
                          ) -> tuple[Return, Notification | None]:
    """Run a return action and, with `send`, queue its e-mail — all or nothing: an
    e-mail that cannot go (no address) leaves the status unchanged."""
    with transaction.atomic():
        if send and action in EVENTS:
            _require_email(_visible(reference, actor))
        ret = return_apply_action(reference=reference, action=action, actor=actor, inputs=inputs,
                                  expected_version=expected_version, source=source, files=files)
        notification = None
        if send and action in EVENTS:
            notification = notify_return_status(ret, action, send=True, actor=actor,
                                                message=(inputs or {}).get("message") or "", locale=locale,
                                                base_url=base_url, source=source)
    return ret, notification


# --- the worker's side ----------------------------------------------------------------------


def _queued(n: Notification) -> None:
    """An e-mail was queued, in the caller's transaction: its outbox event is what makes it
    go out (whoever dispatches the event enqueues the send task, `outbox_consumer`). On
    commit the event is dispatched at once (the fast path); if the process dies first, the
    worker's next dispatch does it, so no e-mail is lost and none is enqueued twice."""
    event = outbox.emit(QUEUED_EVENT, kind="notification", id=n.pk,
                        reference=n.return_order.reference if n.return_order_id else "",
                        data={"notification_id": n.pk, "channel": n.channel, "event": n.event})
    transaction.on_commit(lambda: outbox.dispatch_now(event.pk), robust=True)


def outbox_consumer(events) -> None:
    """The outbox consumer (registered in ready()): the send task of each queued e-mail
    (still queued and not tried since it was queued)."""
    ids = [e.doc_id for e in events if e.type == QUEUED_EVENT]
    if not ids:
        return
    waiting = Notification.objects.filter(pk__in=ids, channel=Notification.Channel.EMAIL,
                                          status=Notification.Status.QUEUED, attempts=0,
                                          next_attempt_at__isnull=True).values_list("pk", flat=True)
    for pk in waiting:
        enqueue_send(pk)


def enqueue_send(notification_id: int, *, run_after: dt.datetime | None = None) -> None:
    """Hand the e-mail to the worker (at `run_after` when the task backend can wait)."""
    from tokodesk.notifications.tasks import send_notification

    task = send_notification
    if run_after is not None and task.get_backend().supports_defer:
        task = task.using(run_after=run_after)
    task.enqueue(notification_id)


def from_address() -> str:
    """The shop's sender address (notification settings; DEFAULT_FROM_EMAIL's until one is
    set) under the shop's name ("Toko Berkah Jaya <noreply@…>"): the buyer sees who writes,
    not the software's name; as configured until a name is set."""
    from email.utils import formataddr, parseaddr

    _name, address = parseaddr(settings.DEFAULT_FROM_EMAIL)
    sender = NotificationSettings.get().sender_email
    if sender:
        address = sender
    shop = " ".join(ShopSettings.get().shop_name.split())
    if shop and address:
        return formataddr((shop, address))
    return address if sender else settings.DEFAULT_FROM_EMAIL


def _message(n: Notification) -> EmailMessage:
    reply_to = NotificationSettings.get().reply_to
    msg = EmailMessage(subject=n.subject, body=n.body, from_email=from_address(), to=[n.to],
                       reply_to=[reply_to] if reply_to else None)
    for name in n.attachments:
        with default_storage.open(name, "rb") as fh:
            content = fh.read()
        msg.attach(posixpath.basename(name), content, mimetypes.guess_type(name)[0] or "application/octet-stream")
    return msg


def notification_send(notification_id: int) -> dict:
    """Send one queued e-mail (the worker's job). The row is claimed by a conditional
    update, so two workers never both send it; a failure is retried with backoff
    (`MAX_ATTEMPTS` in all), then the row is `failed` with the error."""
    now = timezone.now()
    claimed = Notification.objects.filter(pk=notification_id, channel=Notification.Channel.EMAIL).filter(
        Q(status=Notification.Status.QUEUED)
        | Q(status=Notification.Status.SENDING, claimed_at__lt=now - CLAIM_TIMEOUT)
    ).update(status=Notification.Status.SENDING, claimed_at=now, attempts=F("attempts") + 1)
    if not claimed:
        return {"notification": notification_id, "skipped": True}
    n = Notification.objects.get(pk=notification_id)
    try:
        _message(n).send()
    except Exception as exc:  # noqa: BLE001 - any failure of the mail server or the files is retried
        error = f"{type(exc).__name__}: {exc}"[:2000]
        row = Notification.objects.filter(pk=n.pk)
        if n.attempts < MAX_ATTEMPTS:
            next_at = now + BACKOFF[min(n.attempts, len(BACKOFF)) - 1]
            row.update(status=Notification.Status.QUEUED, error=error, next_attempt_at=next_at, claimed_at=None)
            logger.warning("e-mail %s failed (attempt %s), retrying at %s: %s", n.pk, n.attempts, next_at, error)
            return {"notification": n.pk, "retry_at": next_at.isoformat(), "attempts": n.attempts, "error": error}
        row.update(status=Notification.Status.FAILED, error=error, next_attempt_at=None, claimed_at=None)
        logger.error("e-mail %s failed after %s attempts: %s", n.pk, n.attempts, error)
        return {"notification": n.pk, "failed": True, "attempts": n.attempts, "error": error}
    sent_at = timezone.now()
    Notification.objects.filter(pk=n.pk).update(status=Notification.Status.SENT, sent_at=sent_at, error="",
                                                next_attempt_at=None, claimed_at=None)
    if n.return_message_id:
        ReturnMessage.objects.filter(pk=n.return_message_id, sent_at__isnull=True).update(
            sent_at=sent_at, channel=Notification.Channel.EMAIL)
    return {"notification": n.pk, "sent": True, "attempts": n.attempts}


@transaction.atomic
def notification_retry(*, notification_id: int, actor) -> Notification:
    """Send a failed e-mail again ("Send again" on the return page): back in the queue
    with a fresh count of attempts."""
    n = Notification.objects.select_for_update().filter(
        pk=notification_id, return_order__in=return_queryset_for(actor)).first()
    if n is None:
        raise NotFound("not_found", _("Not found."))
    if n.channel != Notification.Channel.EMAIL or n.status != Notification.Status.FAILED:
        raise Conflict("not_failed", _("Only an e-mail that failed can be sent again."))
    if n.event in EVENTS and actor is not None and not actor.has_perm(RETURN_TRANSITIONS.get(n.event).permission):
        raise PermissionDenied("permission_denied", _("You are not allowed to do this."))
    n.status, n.attempts, n.error, n.next_attempt_at = Notification.Status.QUEUED, 0, "", None
    n.save(update_fields=["status", "attempts", "error", "next_attempt_at"])
    _queued(n)
    return n


def return_notifications(ret: Return):
    """The e-mails and WhatsApp messages of a return, oldest first (the detail page)."""
    return Notification.objects.filter(return_order=ret).select_related("created_by").order_by("created_at", "id")
