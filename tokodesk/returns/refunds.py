"""Refunds and store credit: the money (or points) given back on an order, for a return or
as goodwill. One rule holds everywhere: across all refunds of an order the total never
exceeds what the order was paid (`paid_total`), checked under the order's row lock.

A refund is `pending` until it is paid: a bank transfer needs the customer's bank, account
number and holder when it is recorded, then a proof of transfer and its date
(`refund_mark_paid`). Store credit is paid by writing an entry on the customer's ledger:
at once when the shop credits automatically, otherwise by `refund_mark_paid` later.

Its status moves only through REFUND_TRANSITIONS, applied by the core machine
(`core.transitions`), which writes the timeline row (on the return's timeline, or on the
order's for a goodwill refund) and the `refund.paid` outbox row in the same transaction."""

from __future__ import annotations

import datetime as dt

import pydantic
from django.db import transaction
from django.db.models import F, Sum
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tokodesk.core import outbox
from tokodesk.core.documents import actor_or_none, locked, require
from tokodesk.core.errors import Conflict, NotFound, ValidationFailed
from tokodesk.core.money import format_money
from tokodesk.core.timeline import Timeline
from tokodesk.core.transitions import Context, Transition, TransitionTable, apply_transition
from tokodesk.orders.models import Order
from tokodesk.returns.ledger import StoreCreditEntry
from tokodesk.returns.models import Refund, Return
from tokodesk.returns.outbox import refund_payload, store_credit_changed
from tokodesk.returns.states import RETURNABLE_ORDER_STATUSES, RefundMethod, RefundStatus

MANAGE = "returns.manage_refunds"


class PaidIn(pydantic.BaseModel):
    paid_on: dt.date | None = None  # today when omitted
    reference: str = ""
    note: str = ""  # the refund's note (and its ledger entry's)
    ledger_note: str = ""  # the ledger entry's note alone (the return's reference)


def _pay(ctx: Context) -> None:
    """Pay the refund: the date and who recorded it, the proof (ctx.files), and for store
    credit the entry on the customer's ledger. A refund of a return moves the return's
    version: its timeline gets the row."""
    refund, inputs = ctx.obj, ctx.inputs
    proof = ctx.files.get("proof")
    if proof is not None:
        refund.proof.save(proof.name, proof, save=False)
    refund.paid_on = inputs.paid_on or timezone.localdate()
    refund.paid_recorded_by = actor_or_none(ctx.actor)
    refund.paid_recorded_at = timezone.now()
    if inputs.reference:
        refund.reference = inputs.reference
    if inputs.note:
        refund.note = inputs.note
    ctx.event_data.update(refund_id=refund.pk, amount=refund.amount, method=refund.method,
                          paid_on=refund.paid_on.isoformat(), proof=refund.proof.name or "")
    if refund.method == RefundMethod.STORE_CREDIT:
        entry = StoreCreditEntry.objects.create(
            customer_id=refund.order.customer_id, amount=refund.amount,
            kind=StoreCreditEntry.Kind.GOODWILL if refund.is_goodwill else StoreCreditEntry.Kind.RETURN,
            note=inputs.ledger_note or inputs.note or refund.note, order_id=refund.order_id,
            return_order_id=refund.return_order_id, refund=refund, created_by=actor_or_none(ctx.actor),
        )
        store_credit_changed(entry, balance=StoreCreditEntry.objects.balance_of(entry.customer_id))
        refund.ledger_entry = entry
        ctx.event_data["store_credit_entry_id"] = entry.pk
    if refund.return_order_id:
        Return.objects.filter(pk=refund.return_order_id).update(version=F("version") + 1)


def _refund_timeline(refund) -> Timeline:
    return REFUND_ON_RETURN if refund.return_order_id else REFUND_ON_ORDER


# A refund's row is "refund_paid" on its return's timeline, or on its order's when it has no
# return (goodwill); from/to status stay empty there (they name the return's or order's).
REFUND_ON_RETURN = Timeline("returns.ReturnEvent", "return_order", kind="refund_paid",
                            document=lambda refund: refund.return_order_id, statuses=False)
REFUND_ON_ORDER = Timeline("orders.OrderEvent", "order", kind="refund_paid",
                           document=lambda refund: refund.order_id, statuses=False)

REFUND_TRANSITIONS = TransitionTable(
    "refund",
    RefundStatus.choices,
    [
        Transition("mark_paid", _("Mark refund paid"), (RefundStatus.PENDING,), RefundStatus.PAID, MANAGE, PaidIn,
                   effect=_pay, description="finance records the payment (proof and date for a bank transfer); "
                                            "store credit writes the ledger entry"),
        Transition("credit", _("Give store credit"), (RefundStatus.PENDING,), RefundStatus.PAID,
                   "returns.complete_return", PaidIn, effect=_pay,
                   description="store credit paid at once when a return completes and the shop credits "
                               "automatically"),
    ],
    timeline=_refund_timeline,
    # refund.paid keeps its documented payload (docs/webhooks.md): the refund itself.
    outbox_event=lambda ctx: outbox.build("refund.paid", kind="refund", id=ctx.obj.pk, reference="",
                                          data=refund_payload(ctx.obj)),
)


def refunded_total(order_id: int) -> int:
    """What the order has been given back so far (pending and paid refunds)."""
    return Refund.objects.filter(order_id=order_id).aggregate(s=Sum("amount"))["s"] or 0


def refundable_left(order: Order) -> int:
    return max(order.paid_total - refunded_total(order.pk), 0)


def bank_details_errors(method: str, bank_name: str, account_number: str, account_holder: str) -> dict:
    if method != RefundMethod.BANK_TRANSFER:
        return {}
    errors = {}
    for name, value in (("bank_name", bank_name), ("account_number", account_number),
                        ("account_holder", account_holder)):
        if not (value or "").strip():
            errors[name] = _("Required for a bank transfer.")
    return errors


def _exceeds_paid_message(order: Order, already: int, amount: int):
    """Why the refund is refused and what to do, amounts in the order's currency."""
    left = max(order.paid_total - already, 0)
    values = {"order": order.reference, "total": format_money(already + amount, order.currency),
              "paid": format_money(order.paid_total, order.currency), "left": format_money(left, order.currency)}
    if left:
        return _("Refunds on %(order)s would come to %(total)s, more than the %(paid)s paid. Refund at most "
                 "%(left)s, or record the order's missing payment first.") % values
    return _("Refunds on %(order)s would come to %(total)s, more than the %(paid)s paid: nothing is left to "
             "refund. Record the order's payment first (Confirm payment; a COD order's cash is recorded "
             "when it is delivered), then complete the refund.") % values


def refund_create(*, order_id: int, amount: int, method: str, actor, return_order: Return | None = None,
                  bank_name: str = "", account_number: str = "", account_holder: str = "",
                  reference: str = "", note: str = "") -> Refund:
    """Record a refund (pending) on an order, refusing `refund_exceeds_paid` when the
    order's refunds would come to more than it was paid. Locks the order row: two
    refunds racing on one order are checked one after the other. Callers check the
    permission (complete_return or manage_refunds)."""
    if method not in RefundMethod.values:
        raise ValidationFailed("invalid_input", _("Unknown refund method."), fields={"method": _("Unknown.")})
    errors = bank_details_errors(method, bank_name, account_number, account_holder)
    if errors:
        raise ValidationFailed("invalid_input", _("A bank transfer needs the customer's bank, account number "
                                                  "and account holder."), fields=errors)
    with transaction.atomic():
        order = Order.objects.select_for_update().get(pk=order_id)
        already = refunded_total(order.pk)
        if already + amount > order.paid_total:
            raise Conflict("refund_exceeds_paid", _exceeds_paid_message(order, already, amount))
        return Refund.objects.create(
            order=order, return_order=return_order, amount=amount, method=method, bank_name=bank_name.strip(),
            account_number=account_number.strip(), account_holder=account_holder.strip(), reference=reference,
            note=note, created_by=actor_or_none(actor),
        )


def store_credit_pay(refund: Refund, actor, *, note: str = "", action: str = "credit",
                     source: str = "") -> StoreCreditEntry:
    """Pay a store-credit refund at once: one entry on the customer's ledger (`note`, else
    the refund's), the refund paid. `credit` when a return completes, `mark_paid` for
    finance's goodwill store credit."""
    paid = apply_transition(REFUND_TRANSITIONS, queryset=Refund.objects.select_related("order"), pk=refund.pk,
                            action=action, actor=actor, inputs={"ledger_note": note}, source=source)
    for name in ("status", "paid_on", "paid_recorded_by_id", "paid_recorded_at", "version"):
        setattr(refund, name, getattr(paid, name))
    return paid.ledger_entry


def refund_queryset_for(user):
    """Refunds this user may see: those of the orders they may see returns of."""
    from tokodesk.returns.selectors import return_orders_for

    qs = Refund.objects.all()
    if user is None or user.has_perm("returns.view_all_returns") or user.has_perm(MANAGE):
        return qs
    return qs.filter(order__in=return_orders_for(user))


@transaction.atomic
def refund_mark_paid(*, refund_id: int, actor, paid_on: dt.date | None = None, proof=None,
                     reference: str = "", note: str = "", source: str = "api") -> Refund:
    """Record that a pending refund was paid. A bank transfer needs the proof of transfer
    and its date; cash and the original method need the date (today when omitted);
    store credit writes the customer's ledger entry."""
    from tokodesk.core.uploads import clean_upload

    require(actor, MANAGE)
    refund = locked(refund_queryset_for(actor), lookup={"pk": refund_id}, not_found=_("Refund not found."))
    if refund.status == RefundStatus.PAID:
        raise Conflict("already_paid", _("This refund is already paid."))
    if refund.method == RefundMethod.BANK_TRANSFER:
        errors = {}
        if proof is None:
            errors["proof"] = _("Attach the proof of transfer.")
        if paid_on is None:
            errors["paid_on"] = _("Give the date of the transfer.")
        if errors:
            raise ValidationFailed("invalid_input", _("A bank transfer refund is paid once its proof and date "
                                                      "are recorded."), fields=errors)
    if paid_on is not None and paid_on > timezone.localdate():
        raise ValidationFailed("invalid_input", _("The date is in the future."), fields={"paid_on": _("In the future.")})
    if proof is not None:
        proof = clean_upload(proof, field="proof")
    return apply_transition(
        REFUND_TRANSITIONS, queryset=refund_queryset_for(actor).select_related("order"), pk=refund.pk,
        action="mark_paid", actor=actor, inputs={"paid_on": paid_on, "reference": reference or "", "note": note or ""},
        files={"proof": proof} if proof is not None else {}, source=source,
    )


@transaction.atomic
def goodwill_refund(*, order_reference: str, amount: int, method: str, actor, bank_name: str = "",
                    account_number: str = "", account_holder: str = "", reference: str = "",
                    note: str = "") -> Refund:
    """A refund or store credit without any return, on a delivered or completed order
    (finance). Store credit goes on the customer's ledger at once; money is pending until
    `refund_mark_paid`. Refused like any refund when the order's refunds would exceed what
    it was paid."""
    from tokodesk.returns.selectors import return_orders_for

    require(actor, MANAGE)
    if amount is None or amount <= 0:
        raise ValidationFailed("invalid_input", _("The amount must be more than 0."), fields={"amount": _("More than 0.")})
    order = return_orders_for(actor).filter(reference=order_reference).first()
    if order is None:
        raise NotFound("not_found", _("Order %(reference)s not found.") % {"reference": order_reference[:60]})
    if order.status not in RETURNABLE_ORDER_STATUSES:
        raise Conflict("order_not_delivered", _("Only a delivered or completed order can be refunded."))
    refund = refund_create(order_id=order.pk, amount=amount, method=method, actor=actor, bank_name=bank_name,
                           account_number=account_number, account_holder=account_holder, reference=reference,
                           note=note)
    if method == RefundMethod.STORE_CREDIT:
        store_credit_pay(refund, actor, note=note, action="mark_paid")
    return refund
