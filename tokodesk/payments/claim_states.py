"""Claim statuses and THE claim transition table (issue 15).

A claim for a lost or damaged parcel is submitted to the courier; the courier approves it
(for the amount it accepts) or rejects it; an approved claim is paid. Every status change
goes through this table, applied by `core.transitions.apply_transition`
(payments/claims.py); the pages' buttons and the API's actions read it.
"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from pydantic import Field

from tokodesk.core.inputs import StrictInput
from tokodesk.core.timeline import Timeline
from tokodesk.core.transitions import Transition, TransitionTable
from tokodesk.payments.models import Claim

S = Claim.Status
PERMISSION = "orders.manage_payments"  # finance, owner and admin act on claims
READ_PERMISSION = "orders.view_order"  # agents read them
MAX_AMOUNT = 10**13
CLAIM_TIMELINE = Timeline("payments.ClaimEvent", "claim")


class ClaimActionIn(StrictInput):
    version: int | None = Field(
        None, ge=1, description="The version you saw; a stale one is refused."
    )


class ApproveIn(ClaimActionIn):
    amount: int | None = Field(
        None,
        ge=1,
        le=MAX_AMOUNT,
        description="What the courier accepts to "
        "pay, in minor units; the amount claimed when left out. At most that.",
    )
    note: str = Field("", max_length=1000)


class RejectIn(ClaimActionIn):
    reason: str = Field(..., min_length=1, max_length=1000)


class PayIn(ClaimActionIn):
    amount: int | None = Field(
        None,
        ge=1,
        le=MAX_AMOUNT,
        description="What the courier paid, in minor units; the approved amount when left out.",
    )
    paid_on: dt.date | None = Field(
        None, description="The day the money arrived; today when left out."
    )
    reference: str = Field("", max_length=100, description="The courier's payment reference.")


def approved_within_claimed(claim, data):
    if data is not None and data.amount is not None and data.amount > claim.amount:
        return "overpayment", _("The approved amount is more than the amount claimed.")
    return None


def on_approve(ctx):
    claim = ctx.obj
    claim.approved_amount = ctx.inputs.amount or claim.amount
    claim.decision_note = ctx.inputs.note
    claim.decided_at = timezone.now()
    ctx.event_data.update(amount=claim.approved_amount, note=claim.decision_note)


def on_reject(ctx):
    claim = ctx.obj
    claim.decision_note = ctx.inputs.reason
    claim.decided_at = timezone.now()
    ctx.event_data["reason"] = ctx.inputs.reason


def on_pay(ctx):
    claim = ctx.obj
    claim.paid_amount = ctx.inputs.amount or claim.approved_amount or claim.amount
    claim.paid_on = ctx.inputs.paid_on or timezone.localdate()
    claim.payment_reference = ctx.inputs.reference
    claim.paid_at = timezone.now()
    ctx.event_data.update(
        amount=claim.paid_amount,
        paid_on=claim.paid_on.isoformat(),
        reference=claim.payment_reference,
        short=claim.paid_amount - (claim.approved_amount or claim.amount),
    )


def claim_payload(claim) -> dict:
    return {
        "object": "claim",
        "id": claim.pk,
        "reference": claim.reference,
        "order_id": claim.order_id,
        "status": claim.status,
        "version": claim.version,
        "reason": claim.reason,
        "amount": claim.amount,
        "approved_amount": claim.approved_amount,
        "paid_amount": claim.paid_amount,
        "currency": claim.currency,
    }


CLAIM_TABLE = TransitionTable(
    "claim",
    S.choices,
    [
        Transition(
            "approve",
            _("Approve claim"),
            (S.SUBMITTED,),
            S.APPROVED,
            PERMISSION,
            ApproveIn,
            (),
            on_approve,
            checks=(approved_within_claimed,),
            description="the courier accepts; the amount it will pay",
        ),
        Transition(
            "reject",
            _("Reject claim"),
            (S.SUBMITTED,),
            S.REJECTED,
            PERMISSION,
            RejectIn,
            (),
            on_reject,
            description="the courier refuses; the order may be claimed again",
        ),
        Transition(
            "pay",
            _("Record claim payment"),
            (S.APPROVED,),
            S.PAID,
            PERMISSION,
            PayIn,
            (),
            on_pay,
            description="money in from the courier (COD reconciliation)",
        ),
    ],
    timeline=CLAIM_TIMELINE,
    outbox_payload=claim_payload,
)
