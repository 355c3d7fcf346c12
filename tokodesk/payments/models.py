"""COD remittances (issue 15): the courier collects the buyer's cash at the door (recorded
as the order's COD payment at delivery, orders.cod) and remits it weeks later, minus its
fees, with a report of what it paid per AWB. A Remittance is one imported report; each of
its lines is matched to an order and flagged; a matched line marks the order's COD payment
remitted (`Payment.remitted_at`). The fees stay on the line, so they are known per order."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from tokodesk.core.timeline import TimelineEvent
from tokodesk.orders.states import PaymentMethod as Flow

# What a report's columns may hold, in the order the mapping form asks for them.
FIELDS = ("awb", "cod_amount", "courier_fee", "cod_fee", "rts_fee", "paid_date")
REQUIRED_FIELDS = ("awb", "cod_amount")


class RemittanceMapping(models.Model):
    """Which column of a courier's report holds what ({field: header}), saved per courier
    the first time its report is imported, so the next report maps itself."""

    courier = models.OneToOneField("shipping.Courier", on_delete=models.CASCADE, related_name="+")
    columns = models.JSONField(default=dict)
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    def __str__(self):
        return f"{self.courier_id}: {self.columns}"


class Remittance(models.Model):
    courier = models.ForeignKey("shipping.Courier", on_delete=models.PROTECT, related_name="+")
    file_name = models.CharField(_("file"), max_length=255)
    # SHA-256 of the file's bytes: the same report imported again is found, not re-applied.
    content_hash = models.CharField(max_length=64)
    currency = models.CharField(max_length=3, default="IDR")
    # The paid dates of its lines (the report's period).
    period_start = models.DateField(null=True, blank=True)
    period_end = models.DateField(null=True, blank=True)
    line_count = models.PositiveIntegerField(default=0)
    matched_count = models.PositiveIntegerField(default=0)
    mismatched_count = models.PositiveIntegerField(default=0)
    # What our orders expected the courier to have collected, and what it says it collected.
    total_expected = models.BigIntegerField(default=0)
    total_received = models.BigIntegerField(default=0)
    # Courier, COD and RTS fees it kept; net_paid = total_received - total_fees.
    total_fees = models.BigIntegerField(default=0)
    net_paid = models.BigIntegerField(default=0)
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    imported_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-imported_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["courier", "content_hash"], name="remittance_unique_file"
            ),
        ]

    def __str__(self):
        return f"{self.courier_id} {self.file_name}"


class RemittanceLine(models.Model):
    class Flag(models.TextChoices):
        MATCHED = "matched", _("Matched")
        UNKNOWN_AWB = "unknown_awb", _("Unknown AWB")
        AMOUNT_SHORT = "amount_short", _("Amount short")
        AMOUNT_OVER = "amount_over", _("Amount over")
        NOT_DELIVERED = "not_delivered", _("Order not delivered")
        ALREADY_REMITTED = "already_remitted", _("Already remitted")

    remittance = models.ForeignKey(Remittance, on_delete=models.CASCADE, related_name="lines")
    row_number = models.PositiveIntegerField()
    awb = models.CharField(_("AWB"), max_length=64)
    order = models.ForeignKey(
        "orders.Order", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    # The COD payment a matched line remitted.
    payment = models.ForeignKey(
        "orders.Payment", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    expected = models.BigIntegerField(default=0)
    cod_amount = models.BigIntegerField(default=0)
    courier_fee = models.BigIntegerField(default=0)
    cod_fee = models.BigIntegerField(default=0)
    rts_fee = models.BigIntegerField(default=0)
    paid_date = models.DateField(null=True, blank=True)
    flag = models.CharField(max_length=20, choices=Flag.choices)

    class Meta:
        ordering = ["row_number"]
        indexes = [
            models.Index(fields=["order"], name="remitline_order"),
            models.Index(fields=["flag", "-id"], name="remitline_flag"),
        ]

    def __str__(self):
        return f"{self.awb} {self.flag}"

    @property
    def fees(self) -> int:
        return self.courier_fee + self.cod_fee + self.rts_fee

    @property
    def difference(self) -> int:
        return self.cod_amount - self.expected


# --- Claims for lost or damaged parcels (payments/claims.py) -------------------------------


class Claim(models.Model):
    """What the seller claims from the courier for a parcel lost or damaged in its care. Its
    status moves only through the claim table (payments/claim_states.py): submitted →
    approved / rejected, approved → paid. A paid claim is money in from the courier, shown
    on the COD reconciliation beside the remittances."""

    class Reason(models.TextChoices):
        LOST = "lost", _("Lost")
        DAMAGED = "damaged", _("Damaged")

    class Status(models.TextChoices):
        SUBMITTED = "submitted", _("Submitted")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")
        PAID = "paid", _("Paid")

    reference = models.CharField(_("reference"), max_length=40, unique=True)
    order = models.ForeignKey("orders.Order", on_delete=models.PROTECT, related_name="+")
    courier = models.ForeignKey(
        "shipping.Courier", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    reason = models.CharField(_("reason"), max_length=10, choices=Reason.choices)
    amount = models.BigIntegerField(_("amount claimed"))
    currency = models.CharField(max_length=3, default="IDR")
    note = models.TextField(_("note"), blank=True, default="")
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.SUBMITTED
    )
    version = models.PositiveIntegerField(default=1)
    # Set by approve (what the courier accepts to pay) and pay (what it paid, when, its ref).
    approved_amount = models.BigIntegerField(null=True, blank=True)
    decision_note = models.TextField(blank=True, default="")
    decided_at = models.DateTimeField(null=True, blank=True)
    paid_amount = models.BigIntegerField(null=True, blank=True)
    paid_on = models.DateField(null=True, blank=True)
    payment_reference = models.CharField(max_length=100, blank=True, default="")
    paid_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["status", "-created_at"], name="claim_status")]
        constraints = [
            # One claim in play per order: a rejected one may be claimed again.
            models.UniqueConstraint(
                fields=["order"], condition=~models.Q(status="rejected"), name="claim_one_open"
            ),
        ]

    def __str__(self):
        return self.reference


class ClaimEvidence(models.Model):
    """A photo or PDF backing a claim (the parcel, the courier's report), stored through
    core.uploads (type from the content, images re-encoded)."""

    claim = models.ForeignKey(Claim, on_delete=models.CASCADE, related_name="evidence")
    file = models.FileField(upload_to="claims/%Y/%m/")
    original_name = models.CharField(max_length=200, blank=True, default="")
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["uploaded_at", "id"]

    def __str__(self):
        return self.original_name or self.file.name


class ClaimEvent(TimelineEvent):
    class Kind(models.TextChoices):
        CREATED = "created", _("Claim submitted")
        ACTION = "action", _("Status changed")
        EVIDENCE = "evidence", _("Evidence added")

    claim = models.ForeignKey(Claim, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=20, choices=Kind.choices)

    class Meta(TimelineEvent.Meta):
        indexes = [models.Index(fields=["claim", "created_at"], name="claimevent_claim")]


# --- The RTS fee of a parcel sent back (payments/rts.py) -----------------------------------


class RtsFee(models.Model):
    """What the courier charges for bringing a refused parcel back. Recorded when the order
    reaches returned_to_sender, estimated as the order's shipping cost (Indonesian couriers
    charge the return leg at the outbound price); replaced by the fee the courier's
    remittance report charges for that AWB when it is imported (`source` says which)."""

    class Source(models.TextChoices):
        ESTIMATE = "estimate", _("Estimate (shipping cost)")
        REMITTANCE = "remittance", _("Remittance report")

    order = models.OneToOneField("orders.Order", on_delete=models.CASCADE, related_name="+")
    courier = models.ForeignKey(
        "shipping.Courier", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    amount = models.BigIntegerField(default=0)
    currency = models.CharField(max_length=3, default="IDR")
    source = models.CharField(max_length=12, choices=Source.choices, default=Source.ESTIMATE)
    line = models.ForeignKey(
        RemittanceLine, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self):
        return f"{self.order_id} {self.amount} {self.source}"


# --- The shop's payment methods (payments/methods.py, issue 17) -----------------------------


class PaymentMethod(models.Model):
    """A payment method the shop offers ("PayPal", "Transfer BCA", "COD"), managed by the
    owner and admin. Its `flow` is one of the order's payment flows (orders.states
    .PaymentMethod: cod, bank_transfer, payment_gateway, invoice): the statuses and actions an
    order paid this way goes through (card and PayPal are payment_gateway). An order keeps its
    flow in `payment_method` (the state machine reads it) and this row in `payment_option`
    (what pages, exports and the API show). Deactivated, never deleted."""

    code = models.SlugField(_("code"), max_length=30, unique=True)
    label = models.CharField(_("label"), max_length=100)
    # The label per shop language, {"fr": "Carte bancaire"} (core.labels).
    labels = models.JSONField(_("labels per language"), default=dict, blank=True)
    flow = models.CharField(_("flow"), max_length=20, choices=Flow.choices)
    # What the customer reads after ordering (bank account details …), per language.
    instructions = models.JSONField(_("instructions per language"), default=dict, blank=True)
    active = models.BooleanField(_("active"), default=True)
    position = models.PositiveIntegerField(default=0)
    # Optimistic concurrency for the API's PATCH (If-Match / version).
    version = models.PositiveIntegerField(default=1)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["position", "id"]

    def __str__(self):
        return self.code

    @property
    def display_label(self) -> str:
        """The label in the reader's language (core.labels.localized)."""
        from tokodesk.core.labels import localized

        return localized(self.labels, self.label)

    @property
    def display_instructions(self) -> str:
        from tokodesk.core.labels import localized

        return localized(self.instructions)
