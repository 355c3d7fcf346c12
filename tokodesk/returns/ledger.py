"""The store-credit ledger ("Saldo Toko"): the customer's balance at the shop, in minor units.

It lives with returns (issue 11): returns credit it and its entries point at the return and
the refund they pay out; customers knows nothing of it. The table keeps its first name
(`customers_storecreditentry`, from when the model lived in customers): the move was a
state-only migration, no row copied.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class StoreCreditQuerySet(models.QuerySet):
    def balance_of(self, customer_id: int) -> int:
        """The customer's store-credit balance (minor units): the sum of the ledger."""
        return self.filter(customer_id=customer_id).aggregate(b=models.Sum("amount"))["b"] or 0

    def with_running_balance(self):
        """Each entry with the balance right after it (oldest first)."""
        return self.annotate(
            running_balance=models.Window(
                models.Sum("amount"),
                partition_by=[models.F("customer_id")],
                order_by=[models.F("created_at").asc(), models.F("id").asc()],
            )
        ).order_by("created_at", "id")


class StoreCreditEntry(models.Model):
    """One line of a customer's store-credit ledger (points, in minor units of the shop
    currency). Append-only: a correction is another entry. Credits are positive, spending
    is negative; the balance is the sum (see `StoreCreditQuerySet`)."""

    class Kind(models.TextChoices):
        RETURN = "return", _("Return")
        GOODWILL = "goodwill", _("Goodwill")
        ADJUSTMENT = "adjustment", _("Adjustment")
        SPENT = "spent", _("Spent")
        # An order paid with store credit was cancelled or refused: the credit came back.
        GIVEN_BACK = "given_back", _("Given back")

    customer = models.ForeignKey(
        "customers.Customer", on_delete=models.PROTECT, related_name="store_credit_entries"
    )
    amount = models.BigIntegerField(_("amount"))
    kind = models.CharField(max_length=20, choices=Kind.choices)
    note = models.TextField(blank=True, default="")
    order = models.ForeignKey("orders.Order", on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    return_order = models.ForeignKey(
        "returns.Return", on_delete=models.PROTECT, null=True, blank=True, related_name="store_credit_entries"
    )
    # The refund (method store_credit) this entry pays out: at most one entry per refund.
    refund = models.OneToOneField(
        "returns.Refund", on_delete=models.PROTECT, null=True, blank=True, related_name="store_credit_entry"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = StoreCreditQuerySet.as_manager()

    class Meta:
        app_label = "returns"
        db_table = "customers_storecreditentry"
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["customer", "created_at"], name="storecredit_customer")]
        constraints = [models.CheckConstraint(condition=~models.Q(amount=0), name="storecredit_amount_not_0")]

    def __str__(self):
        return f"{self.customer_id}: {self.amount:+d}"
