"""Customer communication (SPEC 3.3, 5): the outbox of e-mails and WhatsApp messages to
customers, the shop's notification settings, the language of each landing page's buyers,
and the per-user tokens of the returns calendar feed.

Rows are written by `tokodesk.notifications.emails` / `whatsapp` / `feeds` only."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from tokodesk.core.validators import validate_http_url


class Notification(models.Model):
    """One message to a customer. An e-mail is rendered when it is queued (what the user
    previewed is what goes out) and sent by the worker (`tasks.send_notification`), with
    retries; a WhatsApp message is recorded when the user opens its wa.me link."""

    class Channel(models.TextChoices):
        EMAIL = "email", _("E-mail")
        WHATSAPP = "whatsapp", _("WhatsApp")

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        SENDING = "sending", _("Sending")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")

    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    to = models.CharField(_("to"), max_length=254)
    subject = models.CharField(_("subject"), max_length=300, blank=True, default="")
    body = models.TextField(_("message"))
    # Storage names (MEDIA_ROOT-relative) of the files sent with it, e.g. the return label.
    attachments = models.JSONField(default=list, blank=True)
    # The return event (approve, receive, complete, reject, whatsapp) and the language.
    event = models.CharField(max_length=20, blank=True, default="")
    locale = models.CharField(max_length=10, blank=True, default="")
    return_order = models.ForeignKey(
        "returns.Return", on_delete=models.CASCADE, null=True, blank=True, related_name="notifications"
    )
    order = models.ForeignKey(
        "orders.Order", on_delete=models.CASCADE, null=True, blank=True, related_name="notifications"
    )
    # The seller's message to the customer this e-mail carries (sent_at is set with ours).
    return_message = models.ForeignKey(
        "returns.ReturnMessage", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.QUEUED)
    attempts = models.PositiveSmallIntegerField(default=0)
    error = models.TextField(blank=True, default="")
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [
            models.Index(fields=["status", "next_attempt_at"], name="notification_status"),
            models.Index(fields=["return_order", "created_at"], name="notification_return"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(channel__in=["email", "whatsapp"]), name="notification_channel"),
        ]

    def __str__(self):
        return f"{self.channel} → {self.to}: {self.subject or self.body[:40]}"


class NotificationSettings(models.Model):
    """How the shop speaks to its customers: one row, read through `get()`."""

    # The shop's name is in its profile (core.ShopSettings.shop_name).
    # Empty: the shop's language (LANGUAGE_CODE).
    customer_language = models.CharField(
        _("customers' language"), max_length=10, blank=True, default="", choices=settings.LANGUAGES
    )
    reply_to = models.EmailField(_("reply-to address"), blank=True, default="")
    # The address e-mails come from; empty: DEFAULT_FROM_EMAIL's.
    sender_email = models.EmailField(_("sender address"), blank=True, default="")
    # Where links in e-mails point (https://desk.example.com); empty: the address the
    # page or API was called on.
    site_url = models.URLField(_("site address"), blank=True, default="", validators=[validate_http_url])
    # The seller's own WhatsApp text for returns; empty: the built-in one of each language.
    whatsapp_return_template = models.TextField(_("WhatsApp message for returns"), blank=True, default="")

    class Meta:
        verbose_name = _("notification settings")
        verbose_name_plural = _("notification settings")

    def __str__(self):
        return str(self._meta.verbose_name)

    @classmethod
    def get(cls) -> NotificationSettings:
        obj = cls.objects.filter(pk=1).first()
        if obj is None:
            obj, _created = cls.objects.get_or_create(pk=1)
        return obj


class LandingPageLanguage(models.Model):
    """The language a landing page's buyers read: their e-mails, slips and WhatsApp texts
    speak it (a French page's buyers get French)."""

    landing_page = models.OneToOneField(
        "storefront.LandingPage", on_delete=models.CASCADE, related_name="customer_language"
    )
    language = models.CharField(_("language"), max_length=10, choices=settings.LANGUAGES)

    class Meta:
        verbose_name = _("landing page language")

    def __str__(self):
        return f"{self.landing_page_id}: {self.language}"


class CalendarToken(models.Model):
    """A user's secret for the returns calendar feed (calendar apps cannot send headers, so
    the token rides in the URL). The URL's token is derived from `nonce` and SECRET_KEY
    (see `feeds.calendar_token`): it can be shown again, and a reset (new nonce) kills
    every copy of the old URL. It only reads the calendar."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="calendar_token")
    nonce = models.CharField(max_length=32)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)

    def __str__(self):
        return f"calendar token of {self.user_id}"
