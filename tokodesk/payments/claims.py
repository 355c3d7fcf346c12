"""Writes of claims for lost or damaged parcels (issue 15): create (with evidence), add
evidence, and the status actions of the claim table (payments/claim_states.py) through the
core machine. The pages and the API call these."""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.utils.translation import gettext_lazy as _
from pydantic import Field

from tokodesk.core import outbox
from tokodesk.core.documents import actor_or_none, require
from tokodesk.core.errors import Conflict, NotFound, ValidationFailed
from tokodesk.core.inputs import StrictInput
from tokodesk.core.models import next_reference
from tokodesk.core.transitions import apply_transition, pydantic_fields
from tokodesk.core.uploads import clean_upload
from tokodesk.orders.models import Order
from tokodesk.payments.claim_states import (
    CLAIM_TABLE,
    CLAIM_TIMELINE,
    MAX_AMOUNT,
    PERMISSION,
    claim_payload,
)
from tokodesk.payments.models import Claim, ClaimEvent, ClaimEvidence

# An order can be claimed once the courier had the parcel and it ended lost, damaged, or
# came to the buyer or back to the seller damaged.
CLAIMABLE = ("lost_or_damaged", "delivered", "completed", "returning", "returned")
MAX_FILES = 5
FIELD = "evidence"


class ClaimIn(StrictInput):
    order: str = Field(..., min_length=1, max_length=40, description="The order's reference.")
    reason: Claim.Reason
    amount: int = Field(..., ge=1, le=MAX_AMOUNT, description="The amount claimed, in minor units.")
    note: str = Field("", max_length=2000)


def parse_claim(raw: dict) -> ClaimIn:
    import pydantic

    try:
        return ClaimIn.model_validate(raw)
    except pydantic.ValidationError as exc:
        raise ValidationFailed(
            "invalid_input", _("The claim is not valid."), fields=pydantic_fields(exc)
        ) from None


def _evidence(claim: Claim, files: list, actor) -> list[ClaimEvidence]:
    if len(files) > MAX_FILES:
        raise ValidationFailed(
            "invalid_input",
            _("At most %(n)s files per claim.") % {"n": MAX_FILES},
            fields={FIELD: _("Too many files.")},
        )
    rows = []
    for upload in [clean_upload(f, field=FIELD) for f in files]:  # all checked before saving
        row = ClaimEvidence(
            claim=claim, original_name=upload.original_name[:200], uploaded_by=actor_or_none(actor)
        )
        row.file.save(upload.name, upload, save=False)
        row.save(force_insert=True)
        rows.append(row)
    return rows


def claim_create(*, data: dict, files: list | None = None, actor, source: str = "") -> Claim:
    """Submit a claim for an order's lost or damaged parcel, with its evidence files. A
    `lost` claim needs the order marked lost or damaged; one claim in play per order."""
    require(actor, PERMISSION)
    inputs = parse_claim(data)
    files = list(files or [])
    with transaction.atomic():
        order = (
            Order.objects.select_for_update()
            .filter(reference=inputs.order)
            .only("pk", "reference", "status", "courier_id", "currency")
            .first()
        )
        if order is None:
            raise ValidationFailed(
                "invalid_input", _("Unknown order."), fields={"order": _("Unknown order.")}
            )
        if order.status not in CLAIMABLE or (
            inputs.reason == Claim.Reason.LOST and order.status != "lost_or_damaged"
        ):
            raise Conflict(
                "not_allowed_in_status",
                _("This order cannot be claimed now: mark it lost or damaged first."),
            )
        if Claim.objects.filter(order=order).exclude(status=Claim.Status.REJECTED).exists():
            raise Conflict("claim_exists", _("This order already has a claim in progress."))
        try:
            with transaction.atomic():
                claim = Claim.objects.create(
                    reference=next_reference("CLM-{seq:06d}", "claim"),
                    order=order,
                    courier_id=order.courier_id,
                    reason=inputs.reason,
                    amount=inputs.amount,
                    currency=order.currency,
                    note=inputs.note,
                    created_by=actor_or_none(actor),
                )
        except IntegrityError:  # another claim won the race (claim_one_open)
            raise Conflict(
                "claim_exists", _("This order already has a claim in progress.")
            ) from None
        evidence = _evidence(claim, files, actor)
        CLAIM_TIMELINE.record(
            claim,
            ClaimEvent.Kind.CREATED,
            actor,
            source=source,
            to_status=claim.status,
            data={
                "amount": claim.amount,
                "reason": claim.reason,
                "order": order.reference,
                "files": [e.original_name for e in evidence],
            },
        )
        outbox.emit(
            "claim.created",
            kind="claim",
            id=claim.pk,
            reference=claim.reference,
            data=claim_payload(claim),
        )
    return claim


def claim_add_evidence(*, reference: str, files: list, actor, source: str = "") -> Claim:
    """Add photos or PDFs to a claim not decided yet."""
    require(actor, PERMISSION)
    if not files:
        raise ValidationFailed(
            "invalid_input", _("Choose a file."), fields={FIELD: _("Choose a file.")}
        )
    with transaction.atomic():
        claim = Claim.objects.select_for_update().filter(reference=reference).first()
        if claim is None:
            raise NotFound("not_found", _("Claim not found."))
        if claim.status != Claim.Status.SUBMITTED:
            raise Conflict(
                "not_allowed_in_status", _("Evidence can be added while the claim is submitted.")
            )
        if claim.evidence.count() + len(files) > MAX_FILES:
            raise ValidationFailed(
                "invalid_input",
                _("At most %(n)s files per claim.") % {"n": MAX_FILES},
                fields={FIELD: _("Too many files.")},
            )
        evidence = _evidence(claim, files, actor)
        CLAIM_TIMELINE.record(
            claim,
            ClaimEvent.Kind.EVIDENCE,
            actor,
            source=source,
            data={"files": [e.original_name for e in evidence]},
        )
    return claim


def claim_apply_action(
    *,
    reference: str,
    action: str,
    actor,
    inputs: dict | None = None,
    expected_version: int | None = None,
    source: str = "",
    files: dict | None = None,
) -> Claim:
    """approve, reject or pay a claim (the claim table), under lock, version checked."""
    return apply_transition(
        CLAIM_TABLE,
        queryset=Claim.objects.all(),
        lookup={"reference": reference},
        action=action,
        actor=actor,
        inputs=inputs,
        expected_version=expected_version,
        source=source,
        not_found=_("Claim not found."),
    )
