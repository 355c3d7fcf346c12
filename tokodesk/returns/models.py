"""Returns (RMA, SPEC 3): a return of one delivered or completed order, its lines, fees,
timeline, photos and messages; refunds (of a return, or goodwill without one); the shop's
return reasons and custom states.

Status changes go through `tokodesk.returns.states.RETURN_TRANSITIONS` only; every write
goes through `tokodesk.returns.services` (or `refunds`)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from tokodesk.core.labels import localized
from tokodesk.core.models import TimeStampedModel
from tokodesk.core.timeline import TimelineEvent
from tokodesk.returns.states import (
    Condition,
    Decision,
    ExtraDirection,
    ExtraKind,
    RefundMethod,
    RefundStatus,
    Resolution,
    Status,
)


class ReturnReason(models.Model):
    """A customer reason the owner offers ("Ukuran kekecilan"). The one with
    `needs_text` ("other") takes the customer's own words."""

    code = models.SlugField(_("code"), max_length=50, unique=True)
    label = models.CharField(_("label"), max_length=200)
    # The label per shop language, {"fr": "Taille trop petite"} (core.labels).
    labels = models.JSONField(_("labels per language"), default=dict, blank=True)
    needs_text = models.BooleanField(_("asks for the customer's own words"), default=False)
    active = models.BooleanField(_("active"), default=True)
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["position", "id"]

    def __str__(self):
        return self.display_label

    @property
    def display_label(self) -> str:
        """The label in the active language (the customer's, or the staff member's)."""
        return localized(self.labels, self.label)


class CustomState(models.Model):
    """A seller's own labelled state shown instead of a base status
    (e.g. "Awaiting inspection" on item_received). The status machine ignores it."""

    label = models.CharField(_("label"), max_length=100, unique=True)
    labels = models.JSONField(_("labels per language"), default=dict, blank=True)
    status = models.CharField(_("base status"), max_length=20, choices=Status.choices)
    color = models.CharField(_("colour"), max_length=20, blank=True, default="")
    position = models.PositiveIntegerField(default=0)
    # An inactive state is no longer offered (hold / resume dialogs, edit, API) but stays on
    # the returns that show it: a state in use is deactivated, never deleted.
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["position", "id"]

    def __str__(self):
        return self.display_label

    @property
    def display_label(self) -> str:
        return localized(self.labels, self.label)


class Return(TimeStampedModel):
    reference = models.CharField(_("reference"), max_length=40, unique=True)
    order = models.ForeignKey("orders.Order", on_delete=models.PROTECT, related_name="returns")
    customer = models.ForeignKey(
        "customers.Customer", on_delete=models.PROTECT, related_name="returns"
    )
    reason = models.ForeignKey(ReturnReason, on_delete=models.PROTECT, related_name="returns")
    # The customer's words: required with the "other" reason, optional detail otherwise.
    reason_text = models.TextField(_("reason details"), blank=True, default="")
    resolution = models.CharField(_("resolution"), max_length=20, choices=Resolution.choices)
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.DRAFT
    )
    version = models.PositiveIntegerField(default=1)
    custom_state = models.ForeignKey(
        CustomState, on_delete=models.SET_NULL, null=True, blank=True, related_name="returns"
    )
    # Where `resume` goes back to.
    status_before_hold = models.CharField(max_length=20, blank=True, default="")
    # "customer" (requested from the order link) or "seller" (created by a user).
    origin = models.CharField(max_length=10, default="seller")
    responsible_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="responsible_returns",
    )
    responsible_group = models.ForeignKey(
        "auth.Group",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="responsible_returns",
    )
    target_date = models.DateField(_("target date"), null=True, blank=True)
    label = models.FileField(_("return label"), upload_to="return-labels/%Y/%m/", blank=True)
    currency = models.CharField(max_length=3, default="IDR")
    # exchange_other: the items the customer wants instead, [{"sku", "qty"}], until complete.
    exchange_items = models.JSONField(default=list, blank=True)
    # Where received resellable goods went back on the shelf.
    restock_warehouse = models.ForeignKey(
        "catalog.Warehouse", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    # Amounts fixed at completion (minor units): accepted lines, fees, what the resolution gave.
    accepted_total = models.BigIntegerField(default=0)
    fees_total = models.BigIntegerField(default=0)
    resolution_amount = models.BigIntegerField(default=0)
    # exchange_other: new items' value minus the credit (> 0 due from the customer, < 0 to refund).
    exchange_difference = models.BigIntegerField(null=True, blank=True)
    replacement_order = models.OneToOneField(
        "orders.Order",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="replaces_return",
    )
    # The return this one was recreated from (Buat Retur Ulang).
    recreated_from = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="recreated_as"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    approved_at = models.DateTimeField(null=True, blank=True)
    received_at = models.DateTimeField(null=True, blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    rejected_at = models.DateTimeField(null=True, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        permissions = [
            ("view_all_returns", "Can see every return, not only those of assigned orders"),
            ("process_return", "Can approve, hold, reject and cancel returns"),
            ("receive_return", "Can receive returned goods"),
            ("complete_return", "Can complete returns (decide lines, apply the resolution)"),
            ("manage_refunds", "Can record refunds, goodwill refunds and store credit"),
            ("override_return_window", "Can create a return after the return window"),
        ]
        indexes = [
            models.Index(fields=["status", "-created_at", "-id"], name="return_status_created"),
            models.Index(fields=["-created_at", "-id"], name="return_created"),
            models.Index(
                fields=["target_date"],
                name="return_target_date",
                condition=Q(target_date__isnull=False),
            ),
            models.Index(fields=["resolution", "-created_at"], name="return_resolution"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(responsible_user__isnull=True) | Q(responsible_group__isnull=True),
                name="return_one_responsible",
            ),
        ]

    def __str__(self):
        return self.reference

    @property
    def etag(self) -> str:
        return f'"{self.version}"'

    @property
    def reason_display(self) -> str:
        """The reason as printed on the return slip."""
        label = self.reason.display_label
        if self.reason.needs_text:
            return self.reason_text or label
        if not self.reason_text:
            return label
        # French writes "Colis abîmé\u00a0: le carton…" (a no-break space before the colon).
        return gettext("%(reason)s: %(details)s") % {"reason": label, "details": self.reason_text}

    @property
    def responsible(self):
        return self.responsible_user or self.responsible_group

    @property
    def items_count(self) -> int:
        return sum(line.qty for line in self.lines.all())


class ReturnLine(models.Model):
    return_order = models.ForeignKey(Return, on_delete=models.CASCADE, related_name="lines")
    order_line = models.ForeignKey(
        "orders.OrderLine", on_delete=models.PROTECT, related_name="return_lines"
    )
    # Copied from the order line, so the slip and amounts never need the order.
    variant = models.ForeignKey("catalog.Variant", on_delete=models.PROTECT, related_name="+")
    sku = models.CharField(max_length=64)
    name = models.CharField(max_length=300)
    unit_price = models.BigIntegerField()
    qty = models.PositiveIntegerField(_("quantity"))
    serial_numbers = models.JSONField(default=list, blank=True)
    # At receipt.
    qty_received = models.PositiveIntegerField(null=True, blank=True)
    condition = models.CharField(max_length=20, choices=Condition.choices, blank=True, default="")
    qty_restocked = models.PositiveIntegerField(default=0)
    # At completion.
    decision = models.CharField(max_length=10, choices=Decision.choices, blank=True, default="")
    qty_accepted = models.PositiveIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(condition=Q(qty__gt=0), name="returnline_qty_gt_0"),
            models.CheckConstraint(
                condition=Q(qty_received__lte=models.F("qty")), name="returnline_received_lte_qty"
            ),
            models.CheckConstraint(
                condition=Q(qty_accepted__lte=models.F("qty_received")),
                name="returnline_accepted_lte_received",
            ),
        ]

    def __str__(self):
        return f"{self.qty} × {self.sku}"

    @property
    def accepted_value(self) -> int:
        return (self.qty_accepted or 0) * self.unit_price


class ReturnExtraLine(models.Model):
    """An extra line of the return, of any kind (fee, service, shipping charged or refunded
    …). `amount` is signed: > 0 is charged to the customer (taken off what they get back),
    < 0 credited to them (added to it). `tax_note` is printed as given ("VAT 20 % incl.")."""

    return_order = models.ForeignKey(Return, on_delete=models.CASCADE, related_name="extra_lines")
    kind = models.CharField(_("kind"), max_length=20, choices=ExtraKind.choices, default=ExtraKind.FEE)
    description = models.CharField(_("description"), max_length=200, blank=True, default="")
    amount = models.BigIntegerField(_("amount"))
    tax_note = models.CharField(_("tax note"), max_length=200, blank=True, default="")

    class Meta:
        ordering = ["id"]

    def __str__(self):
        return f"{self.label}: {self.amount}"

    @property
    def direction(self) -> str:
        return ExtraDirection.CREDIT if self.amount < 0 else ExtraDirection.CHARGE

    @property
    def label(self) -> str:
        """The description, or the kind's name when none was given."""
        return self.description or str(ExtraKind(self.kind).label)


class ReturnPhoto(models.Model):
    """Evidence for one line, from the customer (order link) or the seller."""

    return_order = models.ForeignKey(Return, on_delete=models.CASCADE, related_name="photos")
    # Kept (without a line) when its line is removed from a draft.
    line = models.ForeignKey(
        ReturnLine, on_delete=models.SET_NULL, null=True, blank=True, related_name="photos"
    )
    file = models.FileField(upload_to="return-photos/%Y/%m/")
    uploaded_by = models.CharField(max_length=10, default="seller")  # "customer" or "seller"
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self):
        return self.file.name


class ReturnMessage(models.Model):
    """A message to the customer written with an action (approve, receive, complete,
    reject). Sending it (e-mail, WhatsApp) is the notifications' job: `sent_at` stays
    empty until then."""

    return_order = models.ForeignKey(Return, on_delete=models.CASCADE, related_name="messages")
    action = models.CharField(max_length=40, blank=True, default="")
    body = models.TextField()
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    channel = models.CharField(max_length=20, blank=True, default="")
    sent_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self):
        return self.body[:50]


class ReturnEvent(TimelineEvent):
    """The return's timeline (core.timeline): one row per change, written in the change's own
    transaction; the transitions' rows by the machine (returns.states.RETURN_TIMELINE)."""

    class Kind(models.TextChoices):
        CREATED = "created", _("Created")
        ACTION = "action", _("Status changed")
        EDITED = "edited", _("Edited")
        RECREATED = "recreated", _("Recreated")
        PHOTO_ADDED = "photo_added", _("Photo added")
        LABEL_ADDED = "label_added", _("Label added")
        REFUND_PAID = "refund_paid", _("Refund paid")
        # Written by tokodesk.notifications: an e-mail queued or a WhatsApp message opened.
        NOTIFICATION = "notification", _("Message to the customer")

    return_order = models.ForeignKey(Return, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=20, choices=Kind.choices)

    class Meta(TimelineEvent.Meta):
        indexes = [models.Index(fields=["return_order", "created_at"], name="returnevent_return")]


class Refund(models.Model):
    """Money (or store credit) given back on an order: for a return, or as goodwill
    without one (`return_order` empty). Across all refunds of an order the amount never
    exceeds what the order was paid (checked under the order's row lock).

    A bank transfer records the customer's bank, account number and holder, and stays
    `pending` until a proof of transfer and its date are recorded (`refund_mark_paid`)."""

    return_order = models.ForeignKey(
        Return, on_delete=models.PROTECT, null=True, blank=True, related_name="refunds"
    )
    order = models.ForeignKey("orders.Order", on_delete=models.PROTECT, related_name="refunds")
    amount = models.BigIntegerField(_("amount"))
    method = models.CharField(_("method"), max_length=20, choices=RefundMethod.choices)
    status = models.CharField(
        _("status"), max_length=10, choices=RefundStatus.choices, default=RefundStatus.PENDING
    )
    bank_name = models.CharField(_("bank"), max_length=100, blank=True, default="")
    account_number = models.CharField(_("account number"), max_length=50, blank=True, default="")
    account_holder = models.CharField(_("account holder"), max_length=200, blank=True, default="")
    reference = models.CharField(_("reference"), max_length=200, blank=True, default="")
    note = models.TextField(blank=True, default="")
    proof = models.FileField(_("proof of transfer"), upload_to="refund-proofs/%Y/%m/", blank=True)
    paid_on = models.DateField(_("paid on"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    paid_recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    paid_recorded_at = models.DateTimeField(null=True, blank=True)
    # Its status moves through returns.refunds.REFUND_TRANSITIONS (the core machine), which
    # bumps this as it does an order's or a return's.
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["status", "created_at"], name="refund_status")]
        constraints = [models.CheckConstraint(condition=Q(amount__gt=0), name="refund_amount_gt_0")]

    def __str__(self):
        return f"{self.method} {self.amount} ({self.status})"

    @property
    def is_goodwill(self) -> bool:
        return self.return_order_id is None


from tokodesk.returns.ledger import StoreCreditEntry  # noqa: E402,F401  (the store-credit ledger, returns.ledger)
from tokodesk.returns.reports.models import ReportTemplate  # noqa: E402,F401  (the owner's report templates, returns/reports/)
from tokodesk.returns.return_settings import ReturnSettings  # noqa: E402,F401  (the return settings, returns.return_settings)
