"""Return statuses and THE return transition table (SPEC 3.1).

Every status change of a return goes through one of these transitions, applied by
`tokodesk.core.transitions.apply_transition` (see `services.return_apply_action`). The
entry actions `request` (the customer, from the order link) and `create` (a user) have no
source status: `services.return_request` / `services.return_create` make the return in
their target status. `recreate` is not a transition either: `services.return_recreate`
makes a new draft from a rejected or cancelled return.
"""

from __future__ import annotations

import datetime as dt
from typing import Literal

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from pydantic import Field, model_validator

from tokodesk.core.inputs import StrictInput
from tokodesk.core.timeline import Timeline
from tokodesk.core.transitions import Context, Transition, TransitionTable
from tokodesk.returns.outbox import RETURN_OUTBOX_TYPES, return_payload


class Status(models.TextChoices):
    REQUESTED = "requested", _("Requested")
    DRAFT = "draft", _("Draft")
    AWAITING_ITEM = "awaiting_item", _("Awaiting item")
    ON_HOLD = "on_hold", _("On hold")
    ITEM_RECEIVED = "item_received", _("Item received")
    # Their own context: an order's statuses agree with "commande" (French "Terminée"), a
    # return's with "retour" ("Terminé"), a claim's with "réclamation".
    COMPLETED = "completed", pgettext_lazy("return status", "Completed")
    REJECTED = "rejected", pgettext_lazy("return status", "Rejected")
    CANCELLED = "cancelled", pgettext_lazy("return status", "Cancelled")


class Resolution(models.TextChoices):
    REFUND = "refund", _("Refund")
    STORE_CREDIT = "store_credit", _("Store credit")
    EXCHANGE_SAME = "exchange_same", _("Exchange for the same item")
    EXCHANGE_OTHER = "exchange_other", _("Exchange for another item")


class Condition(models.TextChoices):
    """The state of the goods on receipt; only resellable goods go back on the shelf."""

    RESELLABLE = "resellable", _("Resellable")
    OPENED = "opened", _("Opened")
    DAMAGED = "damaged", _("Damaged")
    DEFECTIVE = "defective", _("Defective")


class Decision(models.TextChoices):
    ACCEPT = "accept", _("Accept")
    REFUSE = "refuse", _("Refuse")


class ExtraKind(models.TextChoices):
    """What an extra line of a return is (InvenTree's extra line items)."""

    FEE = "fee", _("Fee")
    SERVICE = "service", _("Service")
    SHIPPING_CHARGED = "shipping_charged", _("Shipping charged")
    SHIPPING_REFUNDED = "shipping_refunded", _("Shipping refunded")
    OTHER = "other", _("Other")


class ExtraDirection(models.TextChoices):
    """Who an extra line is for: charged to the customer (taken off what they get back) or
    credited to them (added to it)."""

    CHARGE = "charge", _("Charged to the customer")
    CREDIT = "credit", _("Credited to the customer")


class RefundMethod(models.TextChoices):
    BANK_TRANSFER = "bank_transfer", _("Bank transfer")
    CASH = "cash", _("Cash")
    STORE_CREDIT = "store_credit", _("Store credit")
    ORIGINAL = "original", _("Original payment method")


class RefundStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    # A refund is paid ("Payé"), an order "Payée".
    PAID = "paid", pgettext_lazy("refund status", "Paid")


S = Status
# Returns whose lines count against the quantity delivered (SPEC 3 invariant).
NOT_COUNTED = (S.CANCELLED, S.REJECTED)
FINAL = (S.COMPLETED, S.REJECTED, S.CANCELLED)
OPEN = tuple(s for s in Status.values if s not in FINAL)
# Lines (items, quantities) and the reason can change until the goods are received
# (services.return_edit also checks `received_at`: a return on hold after receipt is locked).
LINES_EDITABLE = (S.REQUESTED, S.DRAFT, S.AWAITING_ITEM, S.ON_HOLD)
RETURNABLE_ORDER_STATUSES = ("delivered", "completed")

# InvenTree's ReturnOrderStatus (code, name, label) for API clients (SPEC 3.1).
INVENTREE_STATUS: dict[str, tuple[int, str, str]] = {
    S.REQUESTED: (10, "PENDING", "Pending"),
    S.DRAFT: (10, "PENDING", "Pending"),
    S.AWAITING_ITEM: (20, "IN_PROGRESS", "In Progress"),
    S.ITEM_RECEIVED: (20, "IN_PROGRESS", "In Progress"),
    S.ON_HOLD: (25, "ON_HOLD", "On Hold"),
    S.COMPLETED: (30, "COMPLETE", "Complete"),
    S.CANCELLED: (40, "CANCELLED", "Cancelled"),
    S.REJECTED: (40, "CANCELLED", "Cancelled"),
}

ConditionLit = Literal[tuple(Condition.values)]  # type: ignore[valid-type]
DecisionLit = Literal[tuple(Decision.values)]  # type: ignore[valid-type]
RefundMethodLit = Literal[tuple(RefundMethod.values)]  # type: ignore[valid-type]
PaymentMethodLit = Literal["cod", "bank_transfer", "payment_gateway", "invoice"]

# --- inputs -------------------------------------------------------------------------


class StrictIn(StrictInput):
    """Unknown fields refused, strings stripped, no bool for a number, sane dates."""


class ActionInput(StrictIn):
    version: int | None = Field(None, ge=1, description="The version you saw; a stale one is refused.")


class NoInput(ActionInput):
    pass


class LineRef(StrictIn):
    """A line of the return, by SKU or (when the SKU is on two lines) by its `line` id."""

    sku: str | None = Field(None, min_length=1, max_length=64)
    line: int | None = Field(None, ge=1, description="The return line id (from the return's `lines`).")

    @model_validator(mode="after")
    def _one_ref(self):
        if self.sku is None and self.line is None:
            raise ValueError("give the line's sku or its id (line)")
        return self


class MessageIn(ActionInput):
    message: str = Field("", max_length=5000, description="A message to the customer (sent by notifications).")


class ApproveIn(MessageIn):
    target_date: dt.date | None = Field(None, description="When the goods should be back.")


class RejectIn(ActionInput):
    message: str = Field(..., min_length=1, max_length=5000, description="Why, for the customer (required).")


class ReasonIn(ActionInput):
    reason: str = Field("", max_length=1000)


class HoldIn(ReasonIn):
    custom_state: int | str | None = Field(
        None, description="A custom state of on-hold returns (id or label) shown instead of “On hold”.")


class ResumeIn(ActionInput):
    custom_state: int | str | None = Field(
        None, description="A custom state of the status the return goes back to (id or label).")


class ReceiveLineIn(LineRef):
    qty: int = Field(..., ge=0, le=100_000, description="Quantity received (0: not in the parcel).")
    condition: ConditionLit = Condition.RESELLABLE
    serial_numbers: list[str] | None = Field(None, max_length=1000)


class ReceiveIn(MessageIn):
    warehouse: str | None = Field(
        None, max_length=30, description="Where resellable goods are restocked; the order's warehouse when omitted."
    )
    lines: list[ReceiveLineIn] = Field(..., min_length=1, max_length=200,
                                       description="Lines not listed were not received.")


class CompleteLineIn(LineRef):
    decision: DecisionLit
    qty: int | None = Field(None, ge=0, le=100_000,
                            description="Quantity accepted (partial acceptance); all received when omitted.")


class ExchangeLineIn(StrictIn):
    sku: str = Field(..., min_length=1, max_length=64)
    qty: int = Field(..., ge=1, le=100_000)


class CompleteIn(MessageIn):
    lines: list[CompleteLineIn] = Field(..., min_length=1, max_length=200,
                                        description="A decision for every line received.")
    refund_method: RefundMethodLit | None = Field(
        None, description="refund: how the money goes back (bank transfer for COD and transfer orders by default).")
    refund_amount: int | None = Field(None, gt=0, le=10**13,
                                      description="refund / store_credit: instead of the accepted lines' value.")
    bank_name: str = Field("", max_length=100)
    account_number: str = Field("", max_length=50)
    account_holder: str = Field("", max_length=200)
    exchange_lines: list[ExchangeLineIn] | None = Field(
        None, max_length=200, description="exchange_other: the new items (the return's exchange_items when omitted).")
    payment_method: PaymentMethodLit | None = Field(
        None, description="exchange_other: how the customer pays a difference due (the order's method by default).")


# --- guards: return None to allow, or (code, message) to refuse -------------------------


def has_status_to_resume(ret, _inputs):
    """a status to go back to was stored"""
    if ret.status_before_hold not in (S.AWAITING_ITEM, S.ITEM_RECEIVED):
        return "no_previous_status", _("There is no status to go back to.")


def nothing_received(ret, _inputs):
    """no goods received yet (received goods are settled by complete)"""
    if ret.received_at is not None:
        return "already_received", _("The goods were received: complete the return, refusing the lines if needed.")


# --- checks: need the inputs or the database -------------------------------------------


def responsible_if_required(ret, _inputs):
    """a responsible user or group when the settings require one"""
    from tokodesk.returns.return_settings import ReturnSettings

    if ret.responsible_user_id is None and ret.responsible_group_id is None and ReturnSettings.get().require_responsible:
        return "responsible_required", _("Choose who is responsible for this return first.")


def hold_target(ret) -> str:
    return S.ON_HOLD if ret.status != S.ON_HOLD else ret.status_before_hold


def custom_state_valid(ret, inputs):
    """the custom state chosen is one of the status the return goes to"""
    from tokodesk.returns.lists import custom_state_for

    custom_state_for(inputs.custom_state, hold_target(ret))


def received_lines_valid(ret, inputs):
    """every line listed is on the return, at most its quantity; a warehouse for resellable goods"""
    from tokodesk.returns.receiving import plan_receipt

    plan_receipt(ret, inputs)


def decisions_valid(ret, inputs):
    """a decision for every line received, accepted quantity at most the received one; the resolution's inputs"""
    from tokodesk.returns.resolutions import plan_completion

    plan_completion(ret, inputs)


# --- effects ----------------------------------------------------------------------------


def _message(ctx: Context):
    from tokodesk.returns.models import ReturnMessage

    body = getattr(ctx.inputs, "message", "") or ""
    if body:
        actor = ctx.actor if getattr(ctx.actor, "pk", None) else None
        msg = ReturnMessage.objects.create(return_order=ctx.obj, action=ctx.transition.action, body=body,
                                           author=actor)
        ctx.event_data.update(message=body, message_id=msg.pk)


def on_approve(ctx):
    ret = ctx.obj
    ret.approved_at = timezone.now()
    if ctx.inputs.target_date:
        ret.target_date = ctx.inputs.target_date
        ctx.event_data["target_date"] = ctx.inputs.target_date.isoformat()
    label = ctx.files.get("label")
    if label:
        from tokodesk.core.uploads import clean_upload

        label = clean_upload(label, field="label")
        ret.label.save(label.name, label, save=False)
        ctx.event_data["label"] = ret.label.name
    _message(ctx)


def _set_custom_state(ctx, status: str) -> None:
    """The custom state picked in the hold / resume dialog (checked by custom_state_valid);
    none picked: the return shows its base status (drop_custom_state clears the old one)."""
    from tokodesk.returns.lists import custom_state_for

    state = custom_state_for(ctx.inputs.custom_state, status)
    if state is not None:
        ctx.obj.custom_state = state
        ctx.event_data["custom_state"] = state.label


def on_hold(ctx):
    ctx.obj.status_before_hold = ctx.from_status
    if ctx.inputs.reason:
        ctx.event_data["reason"] = ctx.inputs.reason
    _set_custom_state(ctx, S.ON_HOLD)


def on_resume(ctx):
    target = ctx.obj.status_before_hold
    ctx.obj.status_before_hold = ""
    _set_custom_state(ctx, target)
    return target


def on_receive(ctx):
    from tokodesk.returns.receiving import apply_receipt

    apply_receipt(ctx)
    _message(ctx)


def on_complete(ctx):
    from tokodesk.returns.resolutions import apply_completion

    apply_completion(ctx)
    _message(ctx)


def on_reject(ctx):
    ctx.obj.rejected_at = timezone.now()
    _message(ctx)


def on_cancel(ctx):
    ctx.obj.cancelled_at = timezone.now()
    if ctx.inputs.reason:
        ctx.event_data["reason"] = ctx.inputs.reason


# --- the table --------------------------------------------------------------------------

ADD = "returns.add_return"
PROCESS = "returns.process_return"
RECEIVE = "returns.receive_return"
COMPLETE = "returns.complete_return"

# The return's timeline (returns.ReturnEvent): the machine writes each transition's row
# there, the services their other rows (created, edited, photo added …).
RETURN_TIMELINE = Timeline("returns.ReturnEvent", "return_order")


def drop_custom_state(ctx: Context) -> None:
    """A custom state belongs to one base status: it goes when the status changes."""
    from tokodesk.returns.models import CustomState

    ret = ctx.obj
    if ret.custom_state_id and not CustomState.objects.filter(pk=ret.custom_state_id, status=ret.status).exists():
        ctx.event_data["custom_state_cleared"] = ret.custom_state_id
        ret.custom_state = None


RETURN_TRANSITIONS = TransitionTable(
    "return",
    Status.choices,
    [
        Transition("request", _("Request a return"), (), S.REQUESTED, ADD, None,
                   description="by the customer from the order link (lines, reason, photos); "
                               "services.return_request"),
        Transition("create", _("Create return"), (), S.DRAFT, ADD, None,
                   description="by a user; services.return_create"),
        Transition("approve", _("Approve return"), (S.REQUESTED, S.DRAFT), S.AWAITING_ITEM, PROCESS, ApproveIn,
                   (), on_approve, checks=(responsible_if_required,),
                   description="Setuju Pengembalian; optional label upload and message to the customer"),
        Transition("to_draft", _("Back to draft"), (S.AWAITING_ITEM,), S.DRAFT, PROCESS, NoInput,
                   description="Ubah Jadi Draf: to change the lines"),
        Transition("hold", _("Put on hold"), (S.AWAITING_ITEM, S.ITEM_RECEIVED), S.ON_HOLD, PROCESS, HoldIn,
                   (), on_hold, checks=(custom_state_valid,),
                   description="stores the status to resume to; optionally a custom state of on-hold returns"),
        Transition("resume", _("Resume"), (S.ON_HOLD,), None, PROCESS, ResumeIn, (has_status_to_resume,),
                   on_resume, possible_targets=(S.AWAITING_ITEM, S.ITEM_RECEIVED), checks=(custom_state_valid,),
                   description="back to the status before the hold; optionally a custom state of that status"),
        Transition("receive", _("Items received"), (S.AWAITING_ITEM,), S.ITEM_RECEIVED, RECEIVE, ReceiveIn,
                   (), on_receive, checks=(received_lines_valid,),
                   description="Item Retur Diterima: qty and condition per line; resellable goods restocked"),
        Transition("complete", _("Complete return"), (S.ITEM_RECEIVED,), S.COMPLETED, COMPLETE, CompleteIn,
                   (), on_complete, checks=(decisions_valid,),
                   description="accept / refuse per line (partial allowed); applies the resolution: refund, "
                               "store credit, or a linked replacement order; refunds never exceed what the "
                               "order was paid"),
        Transition("reject", _("Reject return"), (S.REQUESTED, S.DRAFT, S.AWAITING_ITEM), S.REJECTED, PROCESS,
                   RejectIn, (), on_reject, description="Tolak Retur: a message to the customer is required"),
        Transition("cancel", _("Cancel return"), (S.REQUESTED, S.DRAFT, S.AWAITING_ITEM, S.ON_HOLD), S.CANCELLED,
                   PROCESS, ReasonIn, (nothing_received,), on_cancel, description="Batalkan"),
    ],
    timeline=RETURN_TIMELINE,
    outbox_payload=return_payload,
    outbox_types=RETURN_OUTBOX_TYPES,
    after_status=drop_custom_state,
)
