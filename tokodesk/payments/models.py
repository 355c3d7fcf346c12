"""COD remittances (issue 15): the courier collects the buyer's cash at the door (recorded
as the order's COD payment at delivery, orders.cod) and remits it weeks later, minus its
fees, with a report of what it paid per AWB. A Remittance is one imported report; each of
its lines is matched to an order and flagged; a matched line marks the order's COD payment
remitted (`Payment.remitted_at`). The fees stay on the line, so they are known per order."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

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
