"""Cash on delivery: when is a COD order paid?

The courier collects the buyer's cash at the door, so a delivered COD order is paid: the
`delivered` action records a COD payment of what was still due, in the transition's own
transaction ("collected by the courier, remittance pending": `Payment.remitted_at` is empty).
Returns and refunds of a delivered COD order therefore work like those of a paid order. The
courier remits the cash weeks later, minus fees; the payments app matches its remittance
report to these payments and sets `remitted_at`. A parcel refused at the door never reaches
`delivered` (it goes back to the seller, RTS): nothing is recorded for it.

`complete` keeps its `cash_collected` input: when the courier collected another amount than
was recorded at delivery, the delivery's payment is voided (kept in history) and the amount
given is recorded instead.
"""

from __future__ import annotations

from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tokodesk.core.money import format_money
from tokodesk.orders import outbox as order_outbox

# The payment method and the payment kind (states.py imports this module for its table).
COD = "cod"


def pending_remittance(order):
    """The order's COD payments collected by the courier and not yet remitted."""
    return order.payments.filter(kind=COD, voided_at__isnull=True, remitted_at__isnull=True)


def collected_not_remitted(order) -> int:
    return pending_remittance(order).aggregate(s=Sum("amount"))["s"] or 0


def record_cod_at_delivery(ctx) -> None:
    """The `delivered` effect for a COD order: the cash the courier collected (what was
    still due) recorded as a COD payment, remittance pending."""
    from tokodesk.orders.states import _record_payment

    order = ctx.obj
    if order.payment_method != COD or order.outstanding <= 0:
        return
    _record_payment(ctx, COD, order.outstanding, paid_on=timezone.localdate(), reference=order.awb)


def settle_cod_at_completion(ctx) -> None:
    """The `complete` effect for a COD order. Without `cash_collected`, what is still due
    (an order delivered before COD was recorded at delivery) is recorded. With it, the
    unremitted COD payments are replaced by the amount given when it differs."""
    from tokodesk.orders.states import _record_payment

    order, cash = ctx.obj, ctx.inputs.cash_collected
    if cash is None:
        if order.outstanding:
            _record_payment(
                ctx, COD, order.outstanding, paid_on=timezone.localdate(), reference=order.awb
            )
        return
    pending = list(pending_remittance(order).values_list("pk", "amount"))
    if pending and cash == sum(amount for _pk, amount in pending):
        return  # what the courier collected is what was recorded at delivery
    if pending:
        ids = [pk for pk, _amount in pending]
        voided = sum(amount for _pk, amount in pending)
        actor = ctx.actor if getattr(ctx.actor, "pk", None) else None
        order.payments.filter(pk__in=ids).update(voided_at=timezone.now(), voided_by=actor)
        order.paid_total -= voided
        ctx.event_data["voided_payments"] = ids
        order_outbox.payments_voided(order, ids, voided)
    if cash:
        _record_payment(ctx, COD, cash, paid_on=timezone.localdate(), reference=order.awb)


def cash_within_due(order, inputs):
    """cash collected does not exceed what is due (COD: with the cash recorded at delivery)"""
    cash = getattr(inputs, "cash_collected", None)
    if cash is None:
        return None
    due = order.outstanding
    if order.payment_method == COD:
        due += collected_not_remitted(order)
    if cash > due:
        return "overpayment", _("The amount is more than the %(due)s still due.") % {
            "due": format_money(due, order.currency)
        }
    return None
