"""Courier tracking events (issue 15): every event that came in — by signed webhook, CSV
import or poll — stored raw first, then applied to its order by the worker (processing.py).

One row per (adapter, provider event id): a provider's retry of the same event finds the row
and changes nothing. The order is found by AWB when the event is processed, not when it
arrives (the webhook answers fast and never fails on an unknown AWB)."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class TrackingEvent(models.Model):
    class Status(models.TextChoices):
        RECEIVED = "received", _("Received")
        APPLIED = "applied", _("Applied")
        # Older than, or implied by, what the order already went through (e.g. picked_up
        # arriving after delivered): kept in the history, nothing to do.
        SUPERSEDED = "superseded", _("Already past")
        # The order's status does not allow it, or no order has the AWB: Action Needed.
        NOT_APPLIED = "recorded_not_applied", _("Recorded, not applied")
        FAILED = "failed", _("Failed")

    class Source(models.TextChoices):
        WEBHOOK = "webhook", _("Webhook")
        CSV = "csv", _("CSV import")
        POLL = "poll", _("Poll")

    adapter = models.CharField(max_length=32)
    event_id = models.CharField(max_length=128)
    source = models.CharField(max_length=10, choices=Source.choices, default=Source.WEBHOOK)
    awb = models.CharField(max_length=64)
    # The provider's code (picked_up, delivered, problem, return_to_sender, returned, lost)
    # and the order table's action it maps to (codes.ACTIONS).
    event = models.CharField(max_length=32)
    action = models.CharField(max_length=32, blank=True, default="")
    at = models.DateTimeField()
    note = models.CharField(max_length=500, blank=True, default="")
    raw = models.TextField(blank=True, default="")
    status = models.CharField(max_length=24, choices=Status.choices, default=Status.RECEIVED)
    error = models.CharField(max_length=500, blank=True, default="")
    attempts = models.PositiveIntegerField(default=0)
    order = models.ForeignKey(
        "orders.Order",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="tracking_events",
    )
    received_at = models.DateTimeField(default=timezone.now)
    processed_at = models.DateTimeField(null=True, blank=True)
    # The worker's lease (processing.claim): a killed worker's lease runs out and the next
    # worker takes the event again.
    locked_until = models.DateTimeField(null=True, blank=True)
    locked_by = models.CharField(max_length=64, blank=True, default="")

    class Meta:
        ordering = ["at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["adapter", "event_id"], name="tracking_event_once"),
        ]
        indexes = [
            models.Index(fields=["id"], condition=Q(status="received"), name="tracking_due"),
            models.Index(fields=["order", "at"], name="tracking_order"),
            models.Index(fields=["awb"], name="tracking_awb"),
            models.Index(fields=["status", "-received_at"], name="tracking_status"),
        ]

    def __str__(self):
        return f"{self.adapter}:{self.event_id} {self.event} {self.awb}"

    @property
    def label(self) -> str:
        """The event in the desk's words (the provider's code when unknown)."""
        from tokodesk.tracking.codes import DESK_WORDS

        return str(DESK_WORDS.get(self.event, self.event))

    @property
    def needs_attention(self) -> bool:
        return self.status in (self.Status.NOT_APPLIED, self.Status.FAILED)
